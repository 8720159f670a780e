"""Back-office settings and reference data of the call center: policy, ranges, agents, inputs."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.http import HttpRequest

from . import services
from .models import (
    Agent,
    AgentSchedule,
    CallCenterPolicy,
    CallRecord,
    CenterCost,
    ImportBatch,
    MetricRange,
    MonitoringScore,
    Team,
)


@admin.register(CallCenterPolicy)
class CallCenterPolicyAdmin(admin.ModelAdmin):
    readonly_fields = ("updated_at", "updated_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not CallCenterPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: CallCenterPolicy, form: Any, change: bool) -> None:
        # Through the service, so that the change is recorded and the rollups follow the new definitions.
        if change:
            changes = {
                name: form.cleaned_data[name] for name in form.changed_data if name in services.POLICY_FIELDS
            }
            if changes:
                services.update_policy(actor=request.user, **changes)
            return
        super().save_model(request, obj, form, change)


@admin.register(MetricRange)
class MetricRangeAdmin(admin.ModelAdmin):
    list_display = ("metric", "low", "high", "note")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "team", "user", "full_time", "hired_on", "left_on")
    list_filter = ("team", "full_time")
    search_fields = ("code", "name")


@admin.register(AgentSchedule)
class AgentScheduleAdmin(admin.ModelAdmin):
    list_display = ("agent", "start", "end", "note", "created_by")
    list_filter = ("agent__team",)
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request: HttpRequest, obj: AgentSchedule, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            services.recompute_for_span(obj.start, obj.end)
            return
        services.schedule_agent(
            agent=obj.agent, start=obj.start, end=obj.end, actor=request.user, note=obj.note
        )


@admin.register(CenterCost)
class CenterCostAdmin(admin.ModelAdmin):
    list_display = ("first_day", "last_day", "amount", "note", "created_by", "approved_by")
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request: HttpRequest, obj: CenterCost, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = cast(Any, request.user)
        super().save_model(request, obj, form, change)


@admin.register(MonitoringScore)
class MonitoringScoreAdmin(admin.ModelAdmin):
    list_display = ("agent", "score", "scored_at", "call_id", "scored_by")
    list_filter = ("agent__team",)
    readonly_fields = ("scored_by",)

    def save_model(self, request: HttpRequest, obj: MonitoringScore, form: Any, change: bool) -> None:
        if not change:
            obj.scored_by = cast(Any, request.user)
        super().save_model(request, obj, form, change)


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = (
        "file_name",
        "format",
        "status",
        "lines",
        "calls_new",
        "error_count",
        "started_at",
        "created_by",
    )
    list_filter = ("status", "format")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CallRecord)
class CallRecordAdmin(admin.ModelAdmin):
    list_display = (
        "call_id",
        "source",
        "queue",
        "agent_code",
        "offered_at",
        "result",
        "wait_seconds",
        "talk_seconds",
    )
    list_filter = ("source", "result")
    search_fields = ("call_id", "customer_phone", "agent_code", "service_request_number")
    date_hierarchy = "offered_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
