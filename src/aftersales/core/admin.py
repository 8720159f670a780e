from django.contrib import admin

from .models import ApiToken, CompanyDay, HistoryEntry, Notification, WorkingHours


@admin.register(HistoryEntry)
class HistoryEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "subject_type", "subject_id", "event", "old_state", "new_state", "actor")
    list_filter = ("event", "subject_type")
    search_fields = ("note",)

    # The history is append-only: nobody edits or deletes it, not even an administrator.
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "expires_at", "last_used_at")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")


@admin.register(CompanyDay)
class CompanyDayAdmin(admin.ModelAdmin):
    list_display = ("day", "kind", "note")
    list_filter = ("kind",)
    date_hierarchy = "day"

    def changelist_view(self, request, extra_context=None):  # type: ignore[no-untyped-def]
        from django.contrib import messages
        from django.utils.translation import gettext as _

        from .calendar_service import holiday_coverage_warning

        end = holiday_coverage_warning()
        if end is not None:
            messages.warning(
                request,
                _(
                    "China's holiday data covers only up to %(end)s. Enter next year's public holidays and "
                    "adjusted working days here as soon as the State Council publishes them."
                )
                % {"end": end},
            )
        return super().changelist_view(request, extra_context)


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ("weekday", "start", "end")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "kind", "recipient", "status", "attempts", "sent_at")
    list_filter = ("channel", "status", "kind")
    search_fields = ("subject",)
    readonly_fields = [f.name for f in Notification._meta.fields]
