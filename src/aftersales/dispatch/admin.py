"""Back-office settings and reference data of dispatch; work orders and reports are read-only here
because every change to them goes through the services (history, request moves, clocks)."""

from django.contrib import admin

from .models import (
    Certification,
    DailyReport,
    DailyReportLine,
    EmergencyApproval,
    FeeLine,
    FeeScheduleItem,
    Skill,
    Station,
    Technician,
    WorkOrder,
)


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "phone")
    list_filter = ("kind",)
    filter_horizontal = ("zones",)


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0
    fields = (
        "skill",
        "category",
        "certificate_number",
        "issued_on",
        "expires_on",
        "granted_by",
        "granted_at",
    )
    readonly_fields = ("granted_by", "granted_at")


@admin.register(Technician)
class TechnicianAdmin(admin.ModelAdmin):
    list_display = ("user", "station", "phone", "active")
    list_filter = ("station", "active")
    filter_horizontal = ("zones",)
    inlines = [CertificationInline]

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        # The certificate records who entered it, as every form entry must.
        from aftersales.core.clock import now

        for cert in formset.save(commit=False):
            if isinstance(cert, Certification) and cert.granted_by_id is None:
                cert.granted_by = request.user
                cert.granted_at = now()
            cert.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "request_type", "active")
    list_filter = ("request_type", "active")


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ("technician", "skill", "category", "certificate_number", "issued_on", "expires_on")
    list_filter = ("skill", "category")
    date_hierarchy = "expires_on"
    readonly_fields = ("granted_by", "granted_at")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        from aftersales.core.clock import now

        if obj.granted_by_id is None:
            obj.granted_by = request.user
            obj.granted_at = now()
        super().save_model(request, obj, form, change)


@admin.register(FeeScheduleItem)
class FeeScheduleItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "category", "unit", "price", "cost_price", "active")
    list_filter = ("kind", "category", "active")
    search_fields = ("code", "name")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class FeeLineInline(admin.TabularInline):
    model = FeeLine
    extra = 0
    can_delete = False
    readonly_fields = ("item", "description", "quantity", "unit_price", "amount", "added_by", "added_at")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "request",
        "kind",
        "technician",
        "status",
        "dispatch_kind",
        "assigned_at",
        "finished_at",
    )
    list_filter = ("status", "kind", "dispatch_kind", "technician__station")
    search_fields = ("number", "request__number")
    inlines = [FeeLineInline]


@admin.register(EmergencyApproval)
class EmergencyApprovalAdmin(ReadOnlyAdmin):
    list_display = (
        "request",
        "technician",
        "dispatch_kind",
        "status",
        "requested_by",
        "decided_by",
        "decided_at",
    )
    list_filter = ("status", "dispatch_kind")


class DailyReportLineInline(admin.TabularInline):
    model = DailyReportLine
    extra = 0
    can_delete = False
    readonly_fields = ("work_order", "request_number", "kind", "category", "status", "minutes")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(DailyReport)
class DailyReportAdmin(ReadOnlyAdmin):
    list_display = ("day", "technician", "submitted_at", "deadline", "late", "job_count", "total_minutes")
    list_filter = ("late", "technician__station")
    date_hierarchy = "day"
    inlines = [DailyReportLineInline]
