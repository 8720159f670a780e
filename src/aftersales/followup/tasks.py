"""Callback worker steps: callbacks for resolved jobs and installed projects, withdrawn callbacks
whose request moved on, and promised answers escalated when their time passes.

Each step handles a small batch and is idempotent: running it twice, or in two workers at
once, creates nothing twice (conditional updates and unique constraints decide).
"""

from __future__ import annotations

from django.db import IntegrityError

from aftersales.catalog.models import Unit
from aftersales.core.errors import DomainError
from aftersales.core.system import system_user
from aftersales.core.worker import register_step

from . import services


@register_step("callbacks_for_resolved_requests")
def callbacks_for_resolved_requests(limit: int = 100) -> int:
    created = 0
    for request_id in services.requests_awaiting_callback_ids(limit):
        created += services.create_after_job_callback(request_id=request_id) is not None
    return created


@register_step("withdraw_overtaken_callbacks")
def withdraw_overtaken_callbacks(limit: int = 100) -> int:
    return sum(
        services.withdraw_overtaken_callback(callback_id=pk) for pk in services.overtaken_callback_ids(limit)
    )


@register_step("enrol_installed_projects")
def enrol_installed_projects(limit: int = 100) -> int:
    enrolled = 0
    actor = None
    for unit in Unit.objects.filter(pk__in=services.unenrolled_project_ids(limit)):
        actor = actor or system_user()
        try:
            services.enrol_project(unit=unit, actor=actor)
        except (DomainError, IntegrityError):
            # Changed in between (no longer a project, or enrolled by another worker).
            continue
        enrolled += 1
    return enrolled


@register_step("create_scheduled_callbacks")
def create_scheduled_callbacks(limit: int = 100) -> int:
    created = 0
    for schedule_id in services.due_schedule_ids(limit):
        created += services.create_scheduled_callback(schedule_id=schedule_id) is not None
    return created


@register_step("escalate_overdue_promises")
def escalate_overdue_promises(limit: int = 100) -> int:
    return sum(services.escalate_promise(promise_id=pk) for pk in services.overdue_promise_ids(limit))
