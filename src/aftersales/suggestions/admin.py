from django.contrib import admin

from .models import Certificate, Department, RewardGrade, Suggestion


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "head", "active")
    list_filter = ("active",)


@admin.register(RewardGrade)
class RewardGradeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "min_score", "reward", "active")


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    """Read-only: suggestions move through their flow on the suggestion pages."""

    list_display = ("request", "subject", "department", "told_status", "grade", "reward")
    list_filter = ("subject", "department")
    readonly_fields = [f.name for f in Suggestion._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("number", "customer", "year", "suggestion_count", "adopted_count", "issued_at")
    list_filter = ("year",)
    readonly_fields = [f.name for f in Certificate._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
