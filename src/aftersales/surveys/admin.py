from django.contrib import admin

from .models import Questionnaire, Response, Survey


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    """Questionnaires are designed (in versions) on the survey pages; here they can be switched off."""

    list_display = ("code", "title", "active", "created_at")
    list_editable = ("active",)
    readonly_fields = ("code", "created_at", "created_by")


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("name", "questionnaire", "audience", "opens_on", "closes_on", "status")
    list_filter = ("status", "audience")
    readonly_fields = ("questionnaire", "created_at", "created_by")


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("survey", "customer", "channel", "version", "answered_at", "technician", "station")
    list_filter = ("channel", "survey")
    readonly_fields = [f.name for f in Response._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
