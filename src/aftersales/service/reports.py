"""Read-side figures for the manager's dashboard: volumes, SLA met rates, open work, breaches."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

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
    """Requests received in the period by type and by channel, from one grouped query."""
    by_type: dict[str, int] = {}
    by_channel: dict[str, int] = {}
    for type_, channel, n in (
        ServiceRequest.objects.filter(received_at__gte=p.start, received_at__lt=p.end)
        .values("type", "channel")
        .annotate(n=Count("id"))
        .values_list("type", "channel", "n")
    ):
        by_type[type_] = by_type.get(type_, 0) + n
        by_channel[channel] = by_channel.get(channel, 0) + n
    return {
        "type": [(str(label), by_type.get(value, 0)) for value, label in RequestType.choices],
        "channel": [(str(label), by_channel.get(value, 0)) for value, label in Channel.choices],
    }


def sla_met_rates(p: Period) -> list[dict[str, Any]]:
    """Per clock: of the clocks met in the period and those still pending that fell due in it,
    the share met on time. One grouped query over two indexes (met_at; due_at of pending clocks)."""
    at = now()
    met = Q(met_at__gte=p.start, met_at__lt=p.end)
    overdue = Q(met_at__isnull=True, due_at__gte=p.start, due_at__lt=min(p.end, at)) & ~Q(state="stopped")
    rows = (
        SlaClock.objects.filter(met | overdue)
        .values("code")
        # A row with met_at is one met in the period, a row without one is overdue.
        .annotate(on_time=Count("id", filter=Q(met_at__isnull=False, state="met")), total=Count("id"))
        .values_list("code", "on_time", "total")
    )
    counts = {code: (on_time, total - on_time) for code, on_time, total in rows}
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
    pending = SlaClock.objects.filter(
        met_at__isnull=True, due_at__lt=at, state__in=["running", "breached"]
    ).order_by("due_at", "pk")
    late = SlaClock.objects.filter(met_at__gte=at - dt.timedelta(days=30), state="breached").order_by(
        "due_at", "pk"
    )
    if not limit:
        rows = list(_breach_rows(pending)) + list(_breach_rows(late))
        rows.sort(key=lambda c: c.due_at or at)
        return rows
    # The first ones of both lists are chosen on the clocks' own narrow rows; only those are then
    # read with their request, customer and people.
    first = list(pending.values_list("due_at", "pk")[:limit]) + list(late.values_list("due_at", "pk")[:limit])
    first.sort(key=lambda row: row[0] or at)
    chosen = [pk for _due, pk in first[:limit]]
    found = _breach_rows(SlaClock.objects.filter(pk__in=chosen)).in_bulk()
    return [found[pk] for pk in chosen if pk in found]


def _breach_rows(clocks: QuerySet[SlaClock]) -> QuerySet[SlaClock]:
    """Only what the breach list and its export show: building whole requests and users (two dozen
    dates each) for every row costs more than finding the rows."""
    people = [
        f"request__{p}__{f}" for p in ("owner", "assignee") for f in ("username", "first_name", "last_name")
    ]
    return clocks.select_related("request__customer", "request__owner", "request__assignee").only(
        "code",
        "due_at",
        "met_at",
        "request__number",
        "request__type",
        "request__status",
        "request__customer__name",
        *people,
    )
