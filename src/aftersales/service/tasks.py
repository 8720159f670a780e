"""Service-request worker steps."""

from __future__ import annotations

from aftersales.core.worker import register_step

from .sla_services import handle_due_clocks


@register_step("escalate_due_clocks")
def escalate_due_clocks() -> int:
    return handle_due_clocks()
