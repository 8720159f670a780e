"""Read-side figures for the manager's dashboard: volumes, SLA met rates, open work, breaches."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from aftersales.core.clock import local_tz, now

from .models import ClockCode, ServiceRequest, SlaClock
from .workflow import Channel, RequestType, Status


@dataclass(frozen=True)
class Period:
    code: str
    start: dt.datetime
    end: dt.datetime


def period(code: str) -> Period:
    local_now = now().astimezone(local_tz())
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    if code == "month":
        start = midnight.replace(day=1)
    else:
        code, start = "today", midnight
    return Period(code, start, local_now + dt.timedelta(seconds=1))


def volumes(p: Period) -> dict[str, list[tuple[str, int]]]:
    qs = ServiceRequest.objects.filter(received_at__gte=p.start, received_at__lt=p.end)
    by_type = dict(qs.values_list("type").annotate(n=Count("id")).values_list("type", "n"))
    by_channel = dict(qs.values_list("channel").annotate(n=Count("id")).values_list("channel", "n"))
    return {
        "type": [(str(label), by_type.get(value, 0)) for value, label in RequestType.choices],
        "channel": [(str(label), by_channel.get(value, 0)) for value, label in Channel.choices],
    }


def sla_met_rates(p: Period) -> list[dict[str, Any]]:
    """Per clock: of the clocks met in the period and those still pending that fell due in it,
    the share met on time. Two indexed queries (met_at; due_at of pending clocks)."""
    at = now()
    met = (
        SlaClock.objects.filter(met_at__gte=p.start, met_at__lt=p.end)
        .values("code")
        .annotate(on_time=Count("id", filter=Q(state="met")), late=Count("id", filter=~Q(state="met")))
    )
    overdue = (
        SlaClock.objects.filter(met_at__isnull=True, due_at__gte=p.start, due_at__lt=min(p.end, at))
        .exclude(state="stopped")
        .values("code")
        .annotate(n=Count("id"))
    )
    counts: dict[str, list[int]] = {}
    for row in met:
        counts.setdefault(row["code"], [0, 0])
        counts[row["code"]][0] += row["on_time"]
        counts[row["code"]][1] += row["late"]
    for row in overdue:
        counts.setdefault(row["code"], [0, 0])
        counts[row["code"]][1] += row["n"]
    order = list(ClockCode.values)
    return [
        {
            "code": code,
            "label": str(ClockCode(code).label),
            "met": on_time,
            "missed": missed,
            "rate": on_time / (on_time + missed) if on_time + missed else None,
        }
        for code, (on_time, missed) in sorted(counts.items(), key=lambda kv: order.index(kv[0]))
    ]


def open_by_status() -> list[tuple[str, int]]:
    counts = dict(
        ServiceRequest.objects.filter(is_open=True)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [(str(label), counts[value]) for value, label in Status.choices if counts.get(value)]


def breaches(limit: int | None = 200) -> list[SlaClock]:
    """Clocks past due and not met (running or paused), and clocks met late in the last 30 days."""
    at = now()
    related = ("request__customer", "request__owner", "request__assignee", "policy")
    pending = (
        SlaClock.objects.filter(met_at__isnull=True, due_at__lt=at, state__in=["running", "breached"])
        .select_related(*related)
        .order_by("due_at")
    )
    late = (
        SlaClock.objects.filter(met_at__gte=at - dt.timedelta(days=30), state="breached")
        .select_related(*related)
        .order_by("due_at")
    )
    rows = list(pending[:limit] if limit else pending) + list(late[:limit] if limit else late)
    rows.sort(key=lambda c: c.due_at or at)
    return rows[:limit] if limit else rows
