"""Read queries of the dispatch pages: the board's field requests by zone, the technicians' day as
appointment windows, and a technician's jobs of the day in the order they are done."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from aftersales.core.clock import local_tz
from aftersales.customers.models import Zone
from aftersales.service.models import ClockCode, ServiceRequest, SlaClock
from aftersales.service.selectors import requests_with_details
from aftersales.service.workflow import FIELD_TYPES, Status

from .models import Technician, WorkOrder
from .selectors import conf, work_orders_with_details
from .workflow import WorkOrderStatus

# Clocks that still count: a paused clock waits on the customer and puts nobody at risk meanwhile.
COUNTING_STATES = ("running", "breached")
WAITING_FOR_TECHNICIAN = (Status.NEW, Status.REOPENED)
# Work orders that left the technician's hands: not on their day any more.
ENDED_ELSEWHERE = (WorkOrderStatus.REASSIGNED, WorkOrderStatus.CANCELLED)
FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


# -- the board ----------------------------------------------------------------------------------


@dataclass
class BoardRow:
    request: ServiceRequest
    unassigned: bool
    at_risk: bool
    clock_label: str = ""
    due_at: dt.datetime | None = None
    clock_state: str = ""


@dataclass
class ZoneGroup:
    zone: Zone | None
    rows: list[BoardRow] = field(default_factory=list)

    @property
    def at_risk_count(self) -> int:
        return sum(row.at_risk for row in self.rows)


def board_groups(at: dt.datetime) -> list[ZoneGroup]:
    """Open field requests waiting for a technician or at risk of missing a deadline, by zone.

    At risk: a counting clock that reached its first escalation threshold (by default 80 % of the
    target) or is past its due time.
    """
    field_open = ServiceRequest.objects.filter(is_open=True, type__in=FIELD_TYPES)
    pending = SlaClock.objects.filter(
        request__in=field_open.values("pk"), met_at__isnull=True, state__in=COUNTING_STATES
    )
    at_risk_ids = set(
        pending.filter(Q(escalation_level__gte=1) | Q(due_at__lte=at)).values_list("request_id", flat=True)
    )
    unassigned_ids = set(field_open.filter(status__in=WAITING_FOR_TECHNICIAN).values_list("pk", flat=True))
    ids = at_risk_ids | unassigned_ids
    first: dict[int, tuple[str, dt.datetime | None, str]] = {}
    for request_id, code, due_at, state in (
        pending.filter(request_id__in=ids)
        .order_by("due_at")
        .values_list("request_id", "code", "due_at", "state")
    ):
        first.setdefault(request_id, (code, due_at, state))
    rows = []
    for sr in requests_with_details().filter(pk__in=ids):
        code, due_at, state = first.get(sr.pk, ("", None, ""))
        rows.append(
            BoardRow(
                request=sr,
                unassigned=sr.pk in unassigned_ids,
                at_risk=sr.pk in at_risk_ids,
                clock_label=str(ClockCode(code).label) if code else "",
                due_at=due_at,
                clock_state=state,
            )
        )
    rows.sort(key=lambda r: (r.due_at or FAR, r.request.received_at, r.request.pk))
    groups: dict[int | None, ZoneGroup] = {}
    for row in rows:
        zone = row.request.zone
        groups.setdefault(zone.pk if zone else None, ZoneGroup(zone=zone)).rows.append(row)
    # Zones in their code order; requests without a zone (an address nobody mapped) last.
    return sorted(groups.values(), key=lambda g: (g.zone is None, g.zone.code if g.zone else ""))


# -- the technicians' day -----------------------------------------------------------------------


def board_hours() -> tuple[dt.time, dt.time]:
    start, end = conf("BOARD_DAY_HOURS", ("08:00", "20:00"))
    return dt.time.fromisoformat(start), dt.time.fromisoformat(end)


@dataclass
class Slot:
    work_order: WorkOrder
    start: dt.datetime
    end: dt.datetime
    left: str  # CSS percentages of the board's day, formatted here so no locale touches them
    width: str

    @property
    def narrow(self) -> bool:
        """Too short to hold its label (or outside the drawn hours): the label moves to the tooltip."""
        return float(self.width) < 8


@dataclass
class TechnicianDay:
    technician: Technician
    slots: list[Slot] = field(default_factory=list)


@dataclass
class DayScale:
    day: dt.date
    start: dt.datetime
    end: dt.datetime
    hours: list[tuple[str, str]]  # (label, left %)
    now_left: str  # "" when now is outside the drawn hours

    def place(self, start: dt.datetime, end: dt.datetime) -> tuple[str, str]:
        span = (self.end - self.start).total_seconds()
        a = min(max(start, self.start), self.end)
        b = min(max(end, self.start), self.end)
        left = (a - self.start).total_seconds() / span * 100
        # A window outside the drawn hours still shows, as a sliver at the edge.
        width = max((b - a).total_seconds() / span * 100, 1.5)
        left = min(left, 100 - width)
        return f"{left:.2f}", f"{width:.2f}"


def day_scale(day: dt.date, at: dt.datetime) -> DayScale:
    tz = local_tz()
    first, last = board_hours()
    start = dt.datetime.combine(day, first, tz)
    end = dt.datetime.combine(day, last, tz)
    span = (end - start).total_seconds()
    hours = []
    tick = start
    while tick <= end:
        hours.append((f"{tick.hour:02d}", f"{(tick - start).total_seconds() / span * 100:.2f}"))
        tick += dt.timedelta(hours=2)
    now_left = f"{(at - start).total_seconds() / span * 100:.2f}" if start <= at <= end else ""
    return DayScale(day=day, start=start, end=end, hours=hours, now_left=now_left)


def technician_days(scale: DayScale, technicians: list[Technician] | None = None) -> list[TechnicianDay]:
    """Each technician's appointment windows that touch the day, in time order."""
    tz = local_tz()
    day_start = dt.datetime.combine(scale.day, dt.time(), tz)
    day_end = day_start + dt.timedelta(days=1)
    if technicians is None:
        technicians = list(
            Technician.objects.filter(active=True, user__is_active=True)
            .select_related("user", "station")
            .order_by("station__code", "user__username")
        )
    days = {t.pk: TechnicianDay(technician=t) for t in technicians}
    orders = (
        WorkOrder.objects.filter(
            technician_id__in=list(days),
            appointment_start__lt=day_end,
            appointment_end__gt=day_start,
        )
        .exclude(status__in=ENDED_ELSEWHERE)
        .select_related("request__customer")
        .order_by("appointment_start", "id")
    )
    for wo in orders:
        assert wo.appointment_start is not None and wo.appointment_end is not None
        left, width = scale.place(wo.appointment_start, wo.appointment_end)
        days[wo.technician_id].slots.append(
            Slot(work_order=wo, start=wo.appointment_start, end=wo.appointment_end, left=left, width=width)
        )
    return list(days.values())


# -- a technician's jobs ------------------------------------------------------------------------

NEEDS_A_CALL = (WorkOrderStatus.ASSIGNED, WorkOrderStatus.CUSTOMER_ABSENT)


@dataclass
class JobSections:
    today: list[WorkOrder]  # appointments of today (and overdue ones), in time order
    to_call: list[WorkOrder]  # no appointment agreed yet: phone the customer
    later: list[WorkOrder]  # later appointments, waiting for parts, carried back
    finished: list[WorkOrder]  # finished today

    @property
    def count(self) -> int:
        return len(self.today) + len(self.to_call) + len(self.later) + len(self.finished)


def technician_jobs(technician: Technician, at: dt.datetime) -> JobSections:
    tz = local_tz()
    day_start = dt.datetime.combine(at.astimezone(tz).date(), dt.time(), tz)
    day_end = day_start + dt.timedelta(days=1)
    orders = list(
        work_orders_with_details()
        .select_related("request__address")
        .filter(technician=technician)
        .filter(Q(is_active=True) | Q(finished_at__gte=day_start, finished_at__lt=day_end))
    )
    sections = JobSections(today=[], to_call=[], later=[], finished=[])
    for wo in orders:
        if wo.status == WorkOrderStatus.FINISHED:
            sections.finished.append(wo)
        elif wo.status in NEEDS_A_CALL:
            sections.to_call.append(wo)
        elif (
            wo.appointment_start is not None
            and wo.appointment_start < day_end
            and wo.status
            in (
                WorkOrderStatus.SCHEDULED,
                WorkOrderStatus.ON_SITE,
                WorkOrderStatus.WORKING,
            )
        ):
            sections.today.append(wo)
        else:
            sections.later.append(wo)
    sections.today.sort(key=lambda wo: (wo.appointment_start or FAR, wo.pk))
    sections.to_call.sort(key=lambda wo: (wo.assigned_at, wo.pk))
    sections.later.sort(key=lambda wo: (wo.appointment_start or FAR, wo.assigned_at, wo.pk))
    sections.finished.sort(key=lambda wo: (wo.finished_at or FAR, wo.pk))
    return sections


def customer_phone(request: ServiceRequest) -> str:
    """The number to call: the one given for this request, else the customer's primary phone."""
    if request.contact_phone:
        return request.contact_phone
    phone = request.customer.phones.order_by("-is_primary", "id").first()
    return phone.number if phone else ""


def request_address(request: ServiceRequest) -> Any:
    """The visit's address: the request's own, else the customer's default address."""
    return request.address or request.customer.addresses.order_by("-is_default", "id").first()
