"""Read queries on dispatch: who qualifies for a request and in which order, work orders, daily reports."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum

from aftersales.core.business_calendar import add_business_time, is_working_day, next_working_instant
from aftersales.core.calendar_service import current_calendar
from aftersales.core.clock import local_date, local_today, local_tz, now
from aftersales.core.errors import NotFound
from aftersales.core.permissions import Role, has_role, sees_all_requests
from aftersales.service.models import ServiceRequest

from .models import (
    Certification,
    DailyReport,
    FeeConsent,
    FeeScheduleItem,
    Invoice,
    LaborEntry,
    StationKind,
    Technician,
    WorkOrder,
)
from .workflow import ACTIVE_STATES, Facts


def conf(name: str, default: Any) -> Any:
    return settings.AFTERSALES.get(name, default)


# -- qualification ------------------------------------------------------------------------------


class DispatchKind:
    """How a technician stands to a request: own department for its zone, or an emergency dispatch."""

    REGULAR = "regular"
    OTHER_DEPARTMENT = "other_department"
    PARTNER = "partner"


NEEDS_APPROVAL = frozenset({DispatchKind.OTHER_DEPARTMENT, DispatchKind.PARTNER})


@dataclass(frozen=True)
class Assessment:
    """Whether a technician may take a request on a given day, and how."""

    certification: Certification | None
    refusal: str  # "" when certified; otherwise "not_certified" or "certification_expired"
    dispatch_kind: str

    @property
    def certified(self) -> bool:
        return self.certification is not None

    @property
    def needs_approval(self) -> bool:
        return self.dispatch_kind in NEEDS_APPROVAL


def request_category_id(request: ServiceRequest) -> int | None:
    unit = request.unit
    return unit.product_model.category_id if unit is not None else None


def _kind(station_kind: str, station_zone_ids: set[int], zone_id: int | None) -> str:
    if station_kind == StationKind.PARTNER:
        return DispatchKind.PARTNER
    if zone_id is None or zone_id in station_zone_ids:
        return DispatchKind.REGULAR
    return DispatchKind.OTHER_DEPARTMENT


def dispatch_kind(technician: Technician, request: ServiceRequest) -> str:
    station = technician.station
    return _kind(station.kind, {z.pk for z in station.zones.all()}, request.zone_id)


def certifications_for(request: ServiceRequest) -> QuerySet[Certification]:
    """Certificates of the request's skill and category (or of every category), expired ones included."""
    qs = Certification.objects.filter(skill__request_type=request.type, skill__active=True)
    category_id = request_category_id(request)
    if category_id is not None:
        qs = qs.filter(Q(category_id=category_id) | Q(category__isnull=True))
    return qs


def assess(technician: Technician, request: ServiceRequest, on: dt.date | None = None) -> Assessment:
    day = on or local_today()
    certs = certifications_for(request).filter(technician=technician, issued_on__lte=day)
    valid = certs.filter(expires_on__gte=day).order_by("-expires_on").first()
    refusal = ""
    if valid is None:
        refusal = "certification_expired" if certs.exists() else "not_certified"
    return Assessment(certification=valid, refusal=refusal, dispatch_kind=dispatch_kind(technician, request))


@dataclass(frozen=True)
class Candidate:
    technician: Technician
    dispatch_kind: str
    covers_zone: bool
    open_workload: int
    next_free_slot: dt.datetime
    certificate_expires_on: dt.date

    @property
    def needs_approval(self) -> bool:
        return self.dispatch_kind in NEEDS_APPROVAL


def _booked_windows(
    technician_ids: list[int], after: dt.datetime
) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    windows: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    rows = WorkOrder.objects.filter(
        technician_id__in=technician_ids,
        status__in=ACTIVE_STATES,
        request__is_open=True,
        appointment_start__isnull=False,
        appointment_end__gt=after,
    ).values_list("technician_id", "appointment_start", "appointment_end")
    for tech_id, start, end in rows:
        if start is not None and end is not None:
            windows[tech_id].append((start, end))
    return windows


def next_free_slot(
    windows: list[tuple[dt.datetime, dt.datetime]], at: dt.datetime, cal: Any = None
) -> dt.datetime:
    """The first working instant from ``at`` with a whole appointment slot of working time before the next booking."""
    cal = cal or current_calendar()
    slot = dt.timedelta(minutes=conf("APPOINTMENT_SLOT_MINUTES", 120))
    t = next_working_instant(cal, at)
    for start, end in sorted(windows):
        if end <= t:
            continue
        if add_business_time(cal, t, slot) <= start:
            break
        t = next_working_instant(cal, max(t, end))
    return t


def qualified_technicians(request: ServiceRequest, at: dt.datetime | None = None) -> list[Candidate]:
    """The technicians certified today for the request's skill and category, best first.

    Own department before emergency dispatch (a partner or another department, which
    needs a manager's approval), then those covering the request's zone, then the
    lightest open workload, then the earliest free slot.
    """
    at = at or now()
    day = local_date(at)
    certs = certifications_for(request).filter(issued_on__lte=day, expires_on__gte=day)
    expiry: dict[int, dt.date] = {}
    for tech_id, expires_on in certs.values_list("technician_id", "expires_on"):
        expiry[tech_id] = max(expires_on, expiry.get(tech_id, expires_on))
    technicians = list(
        Technician.objects.filter(pk__in=expiry, active=True, user__is_active=True)
        .select_related("station", "user")
        .prefetch_related("zones", "station__zones")
        .annotate(
            workload=Count(
                "work_orders",
                filter=Q(work_orders__status__in=ACTIVE_STATES, work_orders__request__is_open=True),
            )
        )
    )
    windows = _booked_windows([t.pk for t in technicians], at)
    cal = current_calendar()
    candidates = []
    for tech in technicians:
        candidates.append(
            Candidate(
                technician=tech,
                dispatch_kind=dispatch_kind(tech, request),
                covers_zone=request.zone_id is not None
                and any(z.pk == request.zone_id for z in tech.zones.all()),
                open_workload=tech.workload,
                next_free_slot=next_free_slot(windows.get(tech.pk, []), at, cal),
                certificate_expires_on=expiry[tech.pk],
            )
        )
    candidates.sort(
        key=lambda c: (
            c.needs_approval,
            not c.covers_zone,
            c.open_workload,
            c.next_free_slot,
            c.technician.pk,
        )
    )
    return candidates


# -- work orders ------------------------------------------------------------------------------------


def technician_of(user: Any) -> Technician | None:
    """The technician profile of a signed-in technician, or None."""
    if not has_role(user, Role.TECHNICIAN):
        return None
    return Technician.objects.filter(user=user).select_related("user", "station").first()


def work_orders_with_details() -> QuerySet[WorkOrder]:
    return WorkOrder.objects.select_related(
        "request__customer",
        "request__unit__product_model__category",
        "technician__user",
        "technician__station",
        "assigned_by",
        "invoice",
    )


def visible_work_orders(user: Any) -> QuerySet[WorkOrder]:
    """Office staff see every work order; a technician their own."""
    qs = work_orders_with_details()
    if sees_all_requests(user) or has_role(user, Role.PARTS_CLERK):
        return qs
    if has_role(user, Role.TECHNICIAN):
        return qs.filter(technician__user=user)
    return qs.none()


def access_work_order(user: Any, work_order_id: int) -> WorkOrder:
    wo = visible_work_orders(user).filter(pk=work_order_id).first()
    if wo is None:
        raise NotFound()
    return wo


def active_work_order(request: ServiceRequest) -> WorkOrder | None:
    return (
        WorkOrder.objects.filter(request=request, is_active=True).select_related("technician__user").first()
    )


CENT = Decimal("0.01")


def fee_total(work_order: WorkOrder) -> Decimal:
    # SQLite sums decimals without their scale; money always leaves with two decimals.
    return (work_order.fee_lines.aggregate(s=Sum("amount"))["s"] or Decimal(0)).quantize(CENT)


def collected_total(work_order: WorkOrder) -> Decimal:
    return (work_order.payments.aggregate(s=Sum("amount"))["s"] or Decimal(0)).quantize(CENT)


def latest_consent(work_order: WorkOrder) -> FeeConsent | None:
    return work_order.consents.order_by("-id").first()


def facts(work_order: WorkOrder, actor_roles: frozenset[str], actor_id: int | None, **extra: Any) -> Facts:
    consent = latest_consent(work_order)
    return Facts(
        status=work_order.status,
        kind=work_order.kind,
        actor_roles=actor_roles,
        is_own=actor_id is not None and work_order.technician.user_id == actor_id,
        diagnosed=work_order.diagnosed_at is not None,
        charged=work_order.charge != "free",
        fee_total=fee_total(work_order),
        consent=consent.state if consent else "",
        consent_total=consent.total if consent else None,
        collected=collected_total(work_order),
        invoiced=Invoice.objects.filter(work_order=work_order).exists(),
        signed=work_order.signed_at is not None,
        waived=work_order.signature_waived_at is not None,
        **extra,
    )


def fee_schedule(category_id: int | None = None) -> QuerySet[FeeScheduleItem]:
    qs = FeeScheduleItem.objects.filter(active=True).select_related("category")
    if category_id is not None:
        qs = qs.filter(Q(category_id=category_id) | Q(category__isnull=True))
    return qs.order_by("kind", "code")


def unsigned_work_orders(start: dt.date, end: dt.date) -> QuerySet[WorkOrder]:
    """Work orders finished in [start, end) without a signature and without a waiver (the penalty list)."""
    tz = local_tz()
    return work_orders_with_details().filter(
        status="finished",
        signed_at__isnull=True,
        signature_waived_at__isnull=True,
        finished_at__gte=dt.datetime.combine(start, dt.time(), tz),
        finished_at__lt=dt.datetime.combine(end, dt.time(), tz),
    )


# -- daily report -----------------------------------------------------------------------------------


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = local_tz()
    start = dt.datetime.combine(day, dt.time(), tz)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz)


def daily_report_deadline(day: dt.date) -> dt.datetime:
    """When the report of ``day`` is due: by default 10:00 on the next working day."""
    cal = current_calendar()
    hour, minute = (int(part) for part in conf("DAILY_REPORT_DEADLINE_TIME", "10:00").split(":"))
    working_days = conf("DAILY_REPORT_DEADLINE_WORKING_DAYS", 1)
    due = day
    counted = 0
    while counted < working_days:
        due += dt.timedelta(days=1)
        if is_working_day(cal, due):
            counted += 1
    return dt.datetime.combine(due, dt.time(hour, minute), local_tz())


@dataclass(frozen=True)
class ReportLine:
    work_order: WorkOrder
    minutes: int

    @property
    def category(self) -> str:
        unit = self.work_order.request.unit
        return unit.product_model.category.name if unit else ""


def daily_report_lines(technician: Technician, day: dt.date) -> list[ReportLine]:
    """Every job the technician touched that day (arrived, worked, or finished), with its labor minutes."""
    start, end = _day_bounds(day)
    minutes: dict[int, int] = defaultdict(int)
    for wo_id, mins in LaborEntry.objects.filter(
        technician=technician, started_at__gte=start, started_at__lt=end
    ).values_list("work_order_id", "minutes"):
        minutes[wo_id] += mins
    touched = (
        Q(pk__in=list(minutes))
        | Q(visits__arrived_at__gte=start, visits__arrived_at__lt=end)
        | Q(finished_at__gte=start, finished_at__lt=end)
    )
    orders = (
        work_orders_with_details()
        .filter(technician=technician)
        .filter(touched)
        .distinct()
        .order_by("assigned_at", "id")
    )
    return [ReportLine(work_order=wo, minutes=minutes.get(wo.pk, 0)) for wo in orders]


def visible_daily_reports(user: Any) -> QuerySet[DailyReport]:
    qs = DailyReport.objects.select_related("technician__user")
    if sees_all_requests(user):
        return qs
    if has_role(user, Role.TECHNICIAN):
        return qs.filter(technician__user=user)
    return qs.none()


def report_timeliness(start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    """Per technician: daily reports submitted on time and late for days in [start, end)."""
    rows = (
        DailyReport.objects.filter(day__gte=start, day__lt=end)
        .values("technician_id")
        .annotate(on_time=Count("id", filter=Q(late=False)), late=Count("id", filter=Q(late=True)))
    )
    return {r["technician_id"]: {"on_time": r["on_time"], "late": r["late"]} for r in rows}
