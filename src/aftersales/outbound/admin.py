from django.contrib import admin

from .models import Campaign, Dial


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "goal", "status", "max_attempts", "retry_minutes", "created_at")
    list_filter = ("goal", "status")
    readonly_fields = ("status", "list_filters", "created_at", "created_by", "started_at", "closed_at")


@admin.register(Dial)
class DialAdmin(admin.ModelAdmin):
    list_display = ("campaign", "target", "agent", "started_at", "ended_at", "outcome")
    list_filter = ("outcome", "campaign")
    readonly_fields = [f.name for f in Dial._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
