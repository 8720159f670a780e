"""Kernel worker steps."""

from __future__ import annotations

from .notifications import deliver_due
from .worker import register_step


@register_step("deliver_notifications")
def deliver_notifications() -> int:
    return deliver_due()
