from django.contrib import admin

from .models import Callback, CallbackAttempt, CallbackPromise, CallbackSchedule


class ReadOnlyAdmin(admin.ModelAdmin):
    """Callbacks, schedules and promises are written by the services (history, retry rules, request
    moves); the admin only reads them."""

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class AttemptInline(admin.TabularInline):
    model = CallbackAttempt
    extra = 0
    can_delete = False
    fields = ("number", "at", "outcome", "phone", "call_back_at", "agent", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Callback)
class CallbackAdmin(ReadOnlyAdmin):
    list_display = (
        "request",
        "customer",
        "kind",
        "agent",
        "due_at",
        "status",
        "attempt_count",
        "result",
        "done_at",
    )
    list_filter = ("kind", "status", "result")
    search_fields = ("request__number", "customer__name", "unit__serial_number", "outcome")
    raw_id_fields = ("request", "customer", "unit", "staff", "agent", "created_by", "done_by")
    inlines = [AttemptInline]


@admin.register(CallbackSchedule)
class CallbackScheduleAdmin(ReadOnlyAdmin):
    list_display = ("unit", "agent", "active", "next_due_on", "last_scheduled_for")
    list_filter = ("active",)
    search_fields = ("unit__serial_number", "unit__customer__name")


@admin.register(CallbackPromise)
class CallbackPromiseAdmin(ReadOnlyAdmin):
    list_display = ("callback", "owner", "due_at", "status", "answered_at", "escalated_at")
    list_filter = ("status",)
    search_fields = ("question", "answer")
