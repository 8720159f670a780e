from django.contrib import admin

from .models import ApiToken, HistoryEntry


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
