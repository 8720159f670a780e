"""Read queries on complaints: access checks, the lists of the complaint pages, the statistics
with their rates, and what the evaluation of staff and departments reads."""

from __future__ import annotations

import datetime as dt
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from aftersales.core.clock import local_date, local_today, local_tz, now
from aftersales.core.errors import NotFound
from aftersales.core.history import history_of
from aftersales.core.permissions import Role, roles_of
from aftersales.service.models import ClockCode, ServiceRequest, SlaClock
from aftersales.service.selectors import visible_requests
from aftersales.service.workflow import FIELD_TYPES, RequestType, Status

from .models import (
    Category,
    Complaint,
    ComplaintRound,
    PlanApproval,
    ResolutionPlan,
    Validity,
)
from .workflow import STAFF


def conf(key: str, default: Any) -> Any:
    return settings.AFTERSALES.get(key, default)


def reply_rate_target() -> Decimal:
    """Complaint reply rate target (投诉回复率), percent."""
    return Decimal(str(conf("COMPLAINT_REPLY_RATE_TARGET", 100)))


def valid_rate_target() -> Decimal:
    """Valid complaints per 100 jobs must stay below this (有效投诉率 < 1%)."""
    return Decimal(str(conf("COMPLAINT_VALID_RATE_TARGET", 1)))


def trend_months() -> int:
    """How many months the statistics page shows when no period is chosen."""
    return int(conf("COMPLAINT_TREND_MONTHS", 6))


# -- access ----------------------------------------------------------------------------------------
def visible_complaints(user: Any) -> QuerySet[ServiceRequest]:
    """Complaint requests this user may see (staff all, a technician those they are responsible
    for), with the register when it is filled in. The register names the person at fault and
    carries the internal report, so customers follow their complaint in the portal, not here."""
    if not roles_of(user) & set(STAFF):
        return ServiceRequest.objects.none()
    return (
        visible_requests(user)
        .filter(type=RequestType.COMPLAINT)
        .select_related("complaint__department", "complaint__responsible_person")
    )


def access_complaint(user: Any, number: str) -> ServiceRequest:
    """The complaint request, if this user may see it: "not found" for missing and not-yours alike."""
    sr = visible_complaints(user).filter(number=(number or "").strip().upper()).first()
    if sr is None:
        raise NotFound()
    return sr


def complaint_of(sr: ServiceRequest) -> Complaint | None:
    try:
        return sr.complaint
    except Complaint.DoesNotExist:
        return None


# -- lists -----------------------------------------------------------------------------------------
class Scope:
    MINE = "mine"
    APPROVALS = "approvals"
    FOLLOW_UP = "follow_up"
    ALL = "all"


@dataclass
class ComplaintFilters:
    scope: str = Scope.ALL
    status: str | None = None
    category: str | None = None
    severity: str | None = None
    department_id: int | None = None
    q: str | None = None
    is_open: bool | None = None


def approval_states(user: Any) -> list[str]:
    """The plan states that wait for this user's sign-off: the quality lead's, then the manager's."""
    roles = roles_of(user)
    states: list[str] = []
    if roles & {Role.QUALITY, Role.ADMIN}:
        states.append(Status.PLAN_PROPOSED)
    if roles & {Role.MANAGER, Role.ADMIN}:
        states.append(Status.PLAN_CHECKED)
    return states


def filter_complaints(user: Any, f: ComplaintFilters) -> QuerySet[ServiceRequest]:
    qs = visible_complaints(user)
    if f.scope == Scope.MINE:
        qs = qs.filter(Q(owner=user) | Q(assignee=user) | Q(complaint__responsible_person=user))
    elif f.scope == Scope.APPROVALS:
        qs = qs.filter(status__in=approval_states(user))
    elif f.scope == Scope.FOLLOW_UP:
        qs = qs.filter(status=Status.CUSTOMER_NOTIFIED)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.category:
        qs = qs.filter(complaint__category=f.category)
    if f.severity:
        qs = qs.filter(complaint__severity=f.severity)
    if f.department_id:
        qs = qs.filter(complaint__department_id=f.department_id)
    if f.is_open is not None:
        qs = qs.filter(is_open=f.is_open)
    if f.q and f.q.strip():
        text = f.q.strip()
        qs = qs.filter(
            Q(number__iexact=text)
            | Q(customer__name__icontains=text)
            | Q(description__icontains=text)
            | Q(complaint__complainant_name__icontains=text)
            | Q(complaint__about__icontains=text)
        )
    return qs.order_by("-received_at", "-id")


CLOCK_STATE_LABELS = {
    "running": pgettext_lazy("clock", "running"),
    "paused": pgettext_lazy("clock", "paused"),
    "met": pgettext_lazy("clock", "met in time"),
    "breached": pgettext_lazy("clock", "overdue"),
    "stopped": pgettext_lazy("clock", "stopped"),
}


@dataclass
class ClockView:
    code: str
    name: str
    state: str
    due_at: dt.datetime | None
    met_at: dt.datetime | None

    @property
    def badge(self) -> str:
        if self.state == "met":
            return "badge-ok"
        if self.state == "breached" or (
            self.due_at is not None and self.met_at is None and self.due_at < now()
        ):
            return "badge-bad"
        return "badge-warn" if self.state == "running" else ""

    @property
    def overdue(self) -> bool:
        return self.met_at is None and self.due_at is not None and self.due_at < now()

    @property
    def state_label(self) -> str:
        if self.state == "met":
            return str(CLOCK_STATE_LABELS["met"])
        if self.state == "breached" or self.overdue:
            return str(CLOCK_STATE_LABELS["breached"])
        return str(CLOCK_STATE_LABELS.get(self.state, self.state))


def _clock_view(c: SlaClock) -> ClockView:
    return ClockView(c.code, str(ClockCode(c.code).label), c.state, c.due_at, c.met_at)


def complaint_clocks(sr: ServiceRequest) -> list[ClockView]:
    order = [
        ClockCode.COMPLAINT_REPLY,
        ClockCode.COMPLAINT_PLAN,
        ClockCode.COMPLAINT_CLOSE,
        ClockCode.COMPLAINT_REPORT,
        ClockCode.COMPLAINT_FEEDBACK,
    ]
    clocks = {c.code: c for c in SlaClock.objects.filter(request=sr)}
    return [_clock_view(clocks[code]) for code in order if code in clocks]


@dataclass
class Row:
    request: ServiceRequest
    complaint: Complaint | None
    next_clock: ClockView | None


def complaint_rows(requests: Any) -> list[Row]:
    """The list rows with each complaint's most urgent unmet clock."""
    requests = list(requests)
    urgent: dict[int, SlaClock] = {}
    for c in SlaClock.objects.filter(
        request__in=[r.pk for r in requests],
        met_at__isnull=True,
        due_at__isnull=False,
        state__in=["running", "breached"],
    ).order_by("due_at"):
        urgent.setdefault(c.request_id, c)
    return [Row(r, complaint_of(r), _clock_view(urgent[r.pk]) if r.pk in urgent else None) for r in requests]


def rounds_of(complaint: Complaint) -> list[ComplaintRound]:
    """The handling rounds with their plans and the plans' approvals, oldest first."""
    return list(
        ComplaintRound.objects.filter(complaint=complaint)
        .select_related(
            "person_at_fault", "investigated_by", "implemented_by", "customer_notified_by", "followed_up_by"
        )
        .prefetch_related(
            Prefetch(
                "plans",
                queryset=ResolutionPlan.objects.select_related("proposed_by", "rejected_by")
                .prefetch_related(
                    Prefetch("approvals", queryset=PlanApproval.objects.select_related("approved_by"))
                )
                .order_by("version"),
            )
        )
        .order_by("number")
    )


def history_rows(sr: ServiceRequest) -> list[Any]:
    return list(history_of(sr))


# -- statistics ----------------------------------------------------------------------------------------
def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnights: from the start day to the day after the end day."""
    tz = local_tz()
    lo = timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz)
    hi = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), tz)
    return lo, hi


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Rates:
    complaints: int
    valid: int
    invalid: int
    # Reply rate (回复率): replies on time among the complaints whose reply was due or given.
    replies_due: int
    replied_on_time: int
    reply_rate: Decimal | None
    # Valid complaints per 100 jobs (有效投诉率): the jobs are the field jobs completed in the period.
    jobs: int
    valid_per_100_jobs: Decimal | None
    # Complaint handling satisfaction rate (投诉处理满意率): follow-up calls answered satisfied.
    follow_ups: int
    satisfied: int
    satisfaction_rate: Decimal | None

    @property
    def reply_target_met(self) -> bool | None:
        return None if self.reply_rate is None else self.reply_rate >= reply_rate_target()

    @property
    def valid_target_met(self) -> bool | None:
        return None if self.valid_per_100_jobs is None else self.valid_per_100_jobs < valid_rate_target()


def rates(start: dt.date, end: dt.date, at: dt.datetime | None = None) -> Rates:
    """The complaint rates of the complaints received (and jobs completed, follow-ups made) in the period."""
    at = at or now()
    lo, hi = _bounds(start, end)
    received = Complaint.objects.filter(request__received_at__gte=lo, request__received_at__lt=hi)
    counts = received.aggregate(
        total=Count("id"),
        valid=Count("id", filter=Q(validity=Validity.VALID)),
        invalid=Count("id", filter=Q(validity=Validity.INVALID)),
    )
    replies = SlaClock.objects.filter(
        code=ClockCode.COMPLAINT_REPLY, request__in=received.values("request_id")
    ).aggregate(
        due=Count("id", filter=Q(met_at__isnull=False) | Q(due_at__lte=at)),
        on_time=Count("id", filter=Q(met_at__isnull=False, margin__gte=dt.timedelta(0))),
    )
    jobs = ServiceRequest.objects.filter(
        type__in=FIELD_TYPES, resolved_at__gte=lo, resolved_at__lt=hi
    ).count()
    follow_ups = ComplaintRound.objects.filter(followed_up_at__gte=lo, followed_up_at__lt=hi).aggregate(
        total=Count("id"), satisfied=Count("id", filter=Q(satisfied=True))
    )
    return Rates(
        complaints=counts["total"],
        valid=counts["valid"],
        invalid=counts["invalid"],
        replies_due=replies["due"],
        replied_on_time=replies["on_time"],
        reply_rate=_percent(replies["on_time"], replies["due"]),
        jobs=jobs,
        valid_per_100_jobs=_percent(counts["valid"], jobs),
        follow_ups=follow_ups["total"],
        satisfied=follow_ups["satisfied"],
        satisfaction_rate=_percent(follow_ups["satisfied"], follow_ups["total"]),
    )


@dataclass
class Breakdown:
    label: str
    total: int
    valid: int = 0


@dataclass
class Statistics:
    start: dt.date
    end: dt.date
    rates: Rates
    by_category: list[Breakdown]
    by_department: list[Breakdown]
    by_person: list[Breakdown]  # complaints found to be the person's fault
    by_week: list[Breakdown]  # label: the Monday of the ISO week
    by_month: list[Breakdown]  # label: YYYY-MM
    monthly_rates: list[tuple[str, Rates]] = field(default_factory=list)
    reply_target: Decimal = Decimal("100")
    valid_target: Decimal = Decimal("1")


def _months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    months = []
    first = start.replace(day=1)
    while first <= end:
        following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        months.append((max(first, start), min(following - dt.timedelta(days=1), end)))
        first = following
    return months


def statistics(start: dt.date, end: dt.date, at: dt.datetime | None = None) -> Statistics:
    """Weekly and monthly statistics by category, department and person, with the rates and trend."""
    lo, hi = _bounds(start, end)
    received = Complaint.objects.filter(request__received_at__gte=lo, request__received_at__lt=hi)
    category_labels = dict(Category.choices)
    by_category = [
        Breakdown(str(category_labels.get(row["category"], row["category"])), row["n"], row["valid"])
        for row in received.values("category")
        .annotate(n=Count("id"), valid=Count("id", filter=Q(validity=Validity.VALID)))
        .order_by("-n", "category")
    ]
    by_department = [
        Breakdown(row["department__name"], row["n"], row["valid"])
        for row in received.exclude(department=None)
        .values("department__name")
        .annotate(n=Count("id"), valid=Count("id", filter=Q(validity=Validity.VALID)))
        .order_by("-n", "department__name")
    ]
    faults = Counter[tuple[int, str]]()
    for person_id, first, last, username, _complaint_id in (
        ComplaintRound.objects.filter(complaint__in=received, person_at_fault__isnull=False)
        .values_list(
            "person_at_fault_id",
            "person_at_fault__first_name",
            "person_at_fault__last_name",
            "person_at_fault__username",
            "complaint_id",
        )
        .order_by()
        .distinct()
    ):
        faults[(person_id, f"{first} {last}".strip() or username)] += 1
    # A person at fault in two rounds of the same complaint counts once for that complaint.
    by_person = [
        Breakdown(name, n, n) for (_pk, name), n in sorted(faults.items(), key=lambda kv: (-kv[1], kv[0][1]))
    ]

    weeks: OrderedDict[dt.date, list[int]] = OrderedDict()
    monday = start - dt.timedelta(days=start.weekday())
    while monday <= end:
        weeks[monday] = [0, 0]
        monday += dt.timedelta(days=7)
    months: OrderedDict[str, list[int]] = OrderedDict(
        (m.strftime("%Y-%m"), [0, 0]) for m, _e in _months(start, end)
    )
    for received_at, validity in received.values_list("request__received_at", "validity"):
        day = local_date(received_at)
        is_valid = int(validity == Validity.VALID)
        week = weeks[day - dt.timedelta(days=day.weekday())]
        week[0] += 1
        week[1] += is_valid
        month = months[day.strftime("%Y-%m")]
        month[0] += 1
        month[1] += is_valid
    return Statistics(
        start=start,
        end=end,
        rates=rates(start, end, at),
        by_category=by_category,
        by_department=by_department,
        by_person=by_person,
        by_week=[Breakdown(monday.isoformat(), n, v) for monday, (n, v) in weeks.items()],
        by_month=[Breakdown(label, n, v) for label, (n, v) in months.items()],
        monthly_rates=[
            (first.strftime("%Y-%m"), rates(first, last, at)) for first, last in _months(start, end)
        ],
        reply_target=reply_rate_target(),
        valid_target=valid_rate_target(),
    )


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """From the first day of the month ``trend_months() - 1`` months back to today."""
    today = today or local_today()
    first = today.replace(day=1)
    for _ in range(max(trend_months(), 1) - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first, today


# -- what the evaluation reads ---------------------------------------------------------------------------
@dataclass
class FaultAttribution:
    number: str
    person_id: int
    round: int
    category: str
    at: dt.datetime


def fault_attributions(start: dt.date, end: dt.date, person_id: int | None = None) -> list[FaultAttribution]:
    """Complaints found in the period to be a staff member's fault (for their evaluation and the
    per-case deduction of the incentive rules), one row per complaint and person."""
    lo, hi = _bounds(start, end)
    qs = ComplaintRound.objects.filter(
        person_at_fault__isnull=False, investigated_at__gte=lo, investigated_at__lt=hi
    ).select_related("complaint__request")
    if person_id is not None:
        qs = qs.filter(person_at_fault_id=person_id)
    seen: set[tuple[int, int]] = set()
    rows = []
    for rnd in qs.order_by("investigated_at", "id"):
        key = (rnd.complaint_id, rnd.person_at_fault_id or 0)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            FaultAttribution(
                number=rnd.complaint.request.number,
                person_id=rnd.person_at_fault_id or 0,
                round=rnd.number,
                category=rnd.complaint.category,
                at=rnd.investigated_at or rnd.started_at,
            )
        )
    return rows


@dataclass
class SatisfactionRow:
    key: Any
    follow_ups: int
    satisfied: int

    @property
    def rate(self) -> Decimal | None:
        return _percent(self.satisfied, self.follow_ups)


def satisfaction_by(start: dt.date, end: dt.date, by: str = "person") -> list[SatisfactionRow]:
    """Complaint handling satisfaction (follow-ups answered satisfied) per responsible person
    (``by="person"``, key: user id) or department (``by="department"``, key: department id)."""
    lo, hi = _bounds(start, end)
    column = "complaint__responsible_person_id" if by == "person" else "complaint__department_id"
    return [
        SatisfactionRow(row[column], row["n"], row["ok"])
        for row in ComplaintRound.objects.filter(followed_up_at__gte=lo, followed_up_at__lt=hi)
        .exclude(**{column: None})
        .values(column)
        .annotate(n=Count("id"), ok=Count("id", filter=Q(satisfied=True)))
        .order_by(column)
    ]


def approvals_of(complaint: Complaint) -> list[PlanApproval]:
    return list(
        PlanApproval.objects.filter(plan__round__complaint=complaint)
        .select_related("approved_by", "plan__round")
        .order_by("approved_at", "id")
    )


# -- choices for the pages ---------------------------------------------------------------------------
def staff_people() -> QuerySet[Any]:
    """Active staff who may be named responsible or at fault (customers excluded)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=STAFF)
        .distinct()
        .order_by("username")
    )


def active_departments() -> QuerySet[Any]:
    from aftersales.suggestions.models import Department

    return Department.objects.filter(active=True).order_by("code")
