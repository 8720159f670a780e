"""Complaints in the admin: read-only records (the flow writes them) whose deletion obeys the
retention rule, and who works in which department under which supervisor."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import DomainError

from . import services
from .models import Complaint, ComplaintRound, DepartmentMember, FaultReport


class ReadOnlyInline(admin.StackedInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RoundInline(ReadOnlyInline):
    model = ComplaintRound
    fields = (
        "number",
        "cause",
        "person_at_fault",
        "investigated_at",
        "implementation",
        "implemented_at",
        "customer_notice",
        "customer_notified_at",
        "satisfied",
        "follow_up_note",
        "followed_up_at",
    )
    readonly_fields = fields


class FaultReportInline(ReadOnlyInline):
    model = FaultReport
    fields = (
        "impact",
        "handling",
        "cause",
        "corrective_measures",
        "preventive_measures",
        "written_by",
        "written_at",
        "customer_channel",
        "sent_to_customer_at",
        "sent_to_sales_at",
    )
    readonly_fields = fields


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Complaints change only through their flow; the admin shows them and deletes them when the
    retention period allows it (the same rule as the pages and the API)."""

    list_display = (
        "number",
        "category",
        "severity",
        "status",
        "department",
        "responsible_person",
        "round",
        "important",
        "retained_until",
    )
    list_filter = ("category", "severity", "important", "request__status")
    search_fields = ("request__number", "complainant_name", "about")
    list_select_related = ("request", "department", "responsible_person")
    inlines = [RoundInline, FaultReportInline]

    @admin.display(description=_("number"), ordering="request__number")
    def number(self, obj: Complaint) -> str:
        return obj.request.number

    @admin.display(description=_("status"))
    def status(self, obj: Complaint) -> str:
        return str(obj.request.get_status_display())

    @admin.display(description=_("kept until"))
    def retained_until(self, obj: Complaint) -> Any:
        if obj.important:
            return _("for good")
        return obj.retained_until(services.retention_years()) or "—"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        names = [f.name for f in Complaint._meta.get_fields() if f.concrete and not f.auto_created]
        return list(dict.fromkeys([*names, "other_departments"]))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Complaint | None = None) -> bool:
        if obj is None or not super().has_delete_permission(request, obj):
            return False
        return services.deletion_refusal(obj) is None

    def get_actions(self, request: HttpRequest) -> Any:
        # Bulk deletion would bypass the per-record retention check: complaints are deleted one by one.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request: HttpRequest, obj: Complaint) -> None:
        try:
            services.delete_complaint(request=obj.request, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.text())

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset.select_related("request"):
            self.delete_model(request, obj)


@admin.register(DepartmentMember)
class DepartmentMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "department", "supervisor")
    list_filter = ("department",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
