"""Formatting of metric values and traffic lights for the call-center pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from ..engine import metrics as m

register = template.Library()


def format_value(value: Any, unit: str) -> str:
    """A metric value as people read it: rates in %, times in seconds, money in yuan."""
    if value is None:
        return "—"
    v = float(value)
    if unit == m.RATIO:
        return f"{v * 100:.1f}%"
    if unit == m.SECONDS:
        return _("%(n)s s") % {"n": f"{v:,.1f}"}
    if unit == m.CNY:
        return f"¥{v:,.2f}"
    if unit == m.COUNT:
        return f"{v:,.0f}"
    return f"{v:,.2f}"


@register.filter
def metric_value(metric: dict[str, Any]) -> str:
    return format_value(metric.get("value"), metric.get("unit", ""))


@register.filter
def metric_range(metric: dict[str, Any]) -> str:
    low, high = metric["range"]["low"], metric["range"]["high"]
    unit = metric.get("unit", "")
    if low is None and high is None:
        return metric.get("range_note") or "—"
    if low is None:
        text = f"≤ {format_value(high, unit)}"
    elif high is None:
        text = f"≥ {format_value(low, unit)}"
    else:
        text = f"{format_value(low, unit)} – {format_value(high, unit)}"
    note = metric.get("range_note")
    return f"{text} ({note})" if note else text


@register.filter
def status_class(status: str) -> str:
    return {m.WITHIN: "badge-ok", m.ABOVE: "badge-bad", m.BELOW: "badge-bad"}.get(status, "")


@register.filter
def status_label(status: str) -> str:
    return {
        m.WITHIN: _("within range"),
        m.ABOVE: _("above range"),
        m.BELOW: _("below range"),
        m.NO_DATA: _("no data"),
        m.NO_RANGE: _("no recommended range"),
    }.get(status, status)
