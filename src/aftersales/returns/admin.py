"""三包 catalog and no-reason goods classes: reference data an administrator keeps up to date."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import NoReasonGoodsClass, SanbaoCategory, SanbaoPart


class RecordEditorMixin:
    """Every edit carries who made it (the admin log keeps the history of changes)."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)  # type: ignore[misc]


class SanbaoPartInline(admin.TabularInline):
    model = SanbaoPart
    extra = 0
    fields = ("code", "name_zh", "name_en", "kind", "months")


@admin.register(SanbaoCategory)
class SanbaoCategoryAdmin(RecordEditorMixin, admin.ModelAdmin):
    list_display = (
        "code",
        "name_zh",
        "product_rule",
        "whole_unit_months",
        "daily_depreciation_percent",
        "period_starts_on_installation",
        "parts_delay_days",
        "updated_at",
    )
    list_filter = ("product_rule", "period_starts_on_installation")
    search_fields = ("code", "name_zh", "name_en")
    readonly_fields = ("updated_at", "updated_by")
    inlines = [SanbaoPartInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # A change to the parts alone is still a change to the category row.
        SanbaoCategory.objects.filter(pk=form.instance.pk).update(updated_by=request.user)


@admin.register(NoReasonGoodsClass)
class NoReasonGoodsClassAdmin(RecordEditorMixin, admin.ModelAdmin):
    list_display = ("code", "name_zh", "no_reason_rule", "updated_at")
    list_filter = ("no_reason_rule",)
    search_fields = ("code", "name_zh", "name_en")

    def get_readonly_fields(self, request: HttpRequest, obj: NoReasonGoodsClass | None = None) -> Any:
        fields = ["updated_at", "updated_by"]
        if obj is not None and obj.is_statutory:
            # The law fixes what these classes mean; only their names and descriptions are ours.
            fields += ["code", "no_reason_rule"]
        return fields

    def get_actions(self, request: HttpRequest) -> Any:
        # Bulk delete cannot tell statutory rows apart; classes are deleted one at a time.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: NoReasonGoodsClass | None = None) -> bool:
        if obj is not None and obj.is_statutory:
            return False
        return super().has_delete_permission(request, obj)
