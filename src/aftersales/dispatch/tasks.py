"""Dispatch worker steps: closing resolved jobs no callback closed, and tidying work orders of cancelled requests."""

from __future__ import annotations

from aftersales.core.errors import DomainError
from aftersales.core.worker import register_step

from . import services
from .models import WorkOrder


@register_step("auto_close_resolved_requests")
def auto_close_resolved_requests(limit: int = 100) -> int:
    closed = 0
    for request_id in services.auto_close_due_ids(limit):
        try:
            closed += services.auto_close_request(request_id=request_id)
        except DomainError:
            # Moved by someone in between (a callback closed or reopened it): nothing to do.
            continue
    return closed


@register_step("end_work_orders_of_closed_requests")
def end_work_orders_of_closed_requests(limit: int = 100) -> int:
    ids = WorkOrder.objects.filter(is_active=True, request__is_open=False).values_list("pk", flat=True)[
        :limit
    ]
    return sum(services.end_work_order_of_closed_request(work_order_id=pk) for pk in list(ids))
