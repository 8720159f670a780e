"""SLA clocks of service requests: started at registration (or at arrival, or by the step that
needs them), met by the workflow's events, paused while waiting on the customer, and escalated
by the worker at 80 % / 100 % / 200 % of their target (configurable per policy).

Escalations are exactly once: one ``Escalation`` row per clock and level (a unique constraint),
written in the same transaction as its outbox notifications and the clock's new level.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aftersales.core.bulk import insert_rows, table, update_rows
from aftersales.core.calendar_service import current_calendar
from aftersales.core.clock import now
from aftersales.core.conf import rule
from aftersales.core.errors import ValidationFailed
from aftersales.core.history import record_history
from aftersales.core.notifications import notify_many
from aftersales.core.permissions import Role
from aftersales.core.process_cache import TimedCache

from . import sla
from .models import ClockCode, ClockStart, Escalation, ServiceRequest, SlaClock, SlaPolicy

LEVELS = {1: "warning", 2: "breach", 3: "manager"}


# -- choosing policies ---------------------------------------------------------------------------
def _context(request: ServiceRequest) -> dict[str, str]:
    return {
        "request_type": request.type,
        "priority": request.priority,
        "zone_kind": request.zone.kind if request.zone_id and request.zone else "",
        "tier": request.customer.tier,
        "contract": request.unit.contract if request.unit_id and request.unit else "",
    }


_policies: TimedCache[list[SlaPolicy]] = TimedCache(lambda: rule("CALENDAR_REFRESH_SECONDS"))


def active_policies() -> list[SlaPolicy]:
    """The active policy rows, read once per process and again after an administrator's change
    (signals clear the cache here; other processes re-read within CALENDAR_REFRESH_SECONDS)."""
    policies = _policies.get(None)
    if policies is None:
        policies = list(SlaPolicy.objects.filter(active=True).order_by("id"))
        _policies.put(None, policies)
    return policies


def forget_policies(**kwargs: object) -> None:
    _policies.clear()


post_save.connect(forget_policies, sender=SlaPolicy, dispatch_uid="sla-policy-save")
# ``flush`` (and so every transactional test) ends with post_migrate: the rows may be new ones.
post_migrate.connect(forget_policies, dispatch_uid="sla-policy-migrate")
post_delete.connect(forget_policies, sender=SlaPolicy, dispatch_uid="sla-policy-delete")


def choose_policy(request: ServiceRequest, code: str, starts: str | None = None) -> SlaPolicy | None:
    """The most specific active policy for this clock whose filled-in criteria all match."""
    ctx = _context(request)
    best: SlaPolicy | None = None
    for policy in active_policies():
        if policy.clock != code or (starts and policy.starts != starts):
            continue
        if all(not getattr(policy, key) or getattr(policy, key) == value for key, value in ctx.items()):
            if best is None or policy.specificity() > best.specificity():
                best = policy
    return best


def _ratios(policy: SlaPolicy) -> list[float]:
    return sorted(float(r) for r in (policy.warn_ratio, policy.breach_ratio, policy.manager_ratio))


def _segment(clock: SlaClock) -> sla.Segment:
    return sla.Segment(consumed=clock.consumed, running_since=clock.running_since)


def _next_check(cal: Any, clock: SlaClock, seg: sla.Segment, level: int) -> dt.datetime | None:
    if seg.running_since is None or level >= len(clock.ratios):
        return None
    return sla.threshold_instant(cal, clock.basis, clock.target, seg, clock.ratios[level])


def _open_clock(request: ServiceRequest, policy: SlaPolicy, start: dt.datetime) -> SlaClock:
    cal = current_calendar()
    clock = SlaClock(
        request=request,
        code=policy.clock,
        policy=policy,
        basis=policy.basis,
        target=dt.timedelta(minutes=policy.target_minutes),
        ratios=_ratios(policy),
        zone_kind=_context(request)["zone_kind"],
        started_at=start,
        running_since=start,
        state=sla.ClockState.RUNNING,
    )
    seg = _segment(clock)
    clock.due_at = sla.due_at(cal, clock.basis, clock.target, seg)
    clock.next_check_at = _next_check(cal, clock, seg, 0)
    return clock


def start_clocks_on_registration(request: ServiceRequest) -> list[SlaClock]:
    clocks = []
    codes = {p.clock for p in active_policies() if p.starts == ClockStart.RECEIVED}
    for code in sorted(codes):
        policy = choose_policy(request, code, ClockStart.RECEIVED)
        if policy is not None:
            clocks.append(_open_clock(request, policy, request.received_at))
    SlaClock.objects.bulk_create(clocks)
    return clocks


# -- moving clocks -------------------------------------------------------------------------------
def _locked_clocks(request: ServiceRequest, codes: Iterable[str] | None = None) -> list[SlaClock]:
    qs = SlaClock.objects.select_for_update().filter(request=request)
    if codes is not None:
        qs = qs.filter(code__in=list(codes))
    return list(qs.order_by("id"))


def _meet(clock: SlaClock, at: dt.datetime) -> None:
    if clock.met_at is not None or clock.state == sla.ClockState.STOPPED:
        return
    cal = current_calendar()
    seg = _segment(clock)
    clock.margin = sla.margin(cal, clock.basis, clock.target, seg, at)
    clock.consumed = sla.used(cal, clock.basis, seg, at)
    if clock.paused_since is not None:
        clock.paused_seconds += int((at - clock.paused_since).total_seconds())
        clock.paused_since = None
    clock.met_at = at
    clock.running_since = None
    clock.next_check_at = None
    clock.state = sla.ClockState.MET if clock.margin >= dt.timedelta(0) else sla.ClockState.BREACHED
    clock.save()


def _stop(clock: SlaClock, at: dt.datetime) -> None:
    if clock.met_at is not None or clock.state == sla.ClockState.STOPPED:
        return
    clock.consumed = sla.used(current_calendar(), clock.basis, _segment(clock), at)
    clock.running_since = None
    clock.next_check_at = None
    clock.state = sla.ClockState.STOPPED
    clock.save()


def meet_clock(
    *, request: ServiceRequest, code: str, actor: Any, at: dt.datetime | None = None
) -> SlaClock | None:
    """The clock's event happened (the customer was phoned, the technician arrived...)."""
    at = at or now()
    with transaction.atomic():
        clocks = _locked_clocks(request, [code])
        for clock in clocks:
            _meet(clock, at)
    return clocks[0] if clocks else None


def start_clock(*, request: ServiceRequest, code: str, actor: Any, at: dt.datetime | None = None) -> SlaClock:
    """Start a clock that begins with a step (invoice after collecting fees, refund after goods return)."""
    if code not in ClockCode.values:
        raise ValidationFailed("unknown_clock", _("Unknown clock."), field="code")
    at = at or now()
    with transaction.atomic():
        existing = SlaClock.objects.select_for_update().filter(request=request, code=code).first()
        if existing is not None:
            return existing
        policy = choose_policy(request, code)
        if policy is None:
            raise ValidationFailed("no_policy", _("No SLA policy applies to this clock."), field="code")
        clock = _open_clock(request, policy, at)
        clock.save()
        record_history(
            subject=request, event="clock_started", actor=actor, note=code, at=at, data={"clock": code}
        )
    return clock


def pause_clocks(*, request: ServiceRequest, reason: str, actor: Any) -> list[SlaClock]:
    """The request waits on the customer (not at home, confirmation pending): the clocks stop counting."""
    if not reason.strip():
        raise ValidationFailed("reason_required", _("A reason is required."), field="reason")
    at = now()
    cal = current_calendar()
    paused = []
    with transaction.atomic():
        for clock in _locked_clocks(request):
            if clock.running_since is None:
                continue
            seg = sla.pause(cal, clock.basis, _segment(clock), at)
            clock.consumed, clock.running_since = seg.consumed, None
            clock.paused_since, clock.due_at, clock.next_check_at = at, None, None
            clock.state = sla.ClockState.PAUSED
            clock.save()
            paused.append(clock)
        if paused:
            record_history(
                subject=request,
                event="clocks_paused",
                actor=actor,
                note=reason,
                at=at,
                data={"clocks": [c.code for c in paused]},
            )
    return paused


def resume_clocks(*, request: ServiceRequest, actor: Any) -> list[SlaClock]:
    at = now()
    cal = current_calendar()
    resumed = []
    with transaction.atomic():
        for clock in _locked_clocks(request):
            if clock.state != sla.ClockState.PAUSED or clock.paused_since is None:
                continue
            clock.paused_seconds += int((at - clock.paused_since).total_seconds())
            clock.paused_since = None
            seg = sla.resume(_segment(clock), at)
            clock.running_since = at
            clock.due_at = sla.due_at(cal, clock.basis, clock.target, seg)
            clock.next_check_at = _next_check(cal, clock, seg, clock.escalation_level)
            clock.state = sla.ClockState.RUNNING
            clock.save()
            resumed.append(clock)
        if resumed:
            record_history(
                subject=request,
                event="clocks_resumed",
                actor=actor,
                at=at,
                data={"clocks": [c.code for c in resumed]},
            )
    return resumed


# What each workflow action does to the clocks.
MEETS = {
    "schedule": ("first_contact",),
    "start": ("first_contact", "arrival"),
    "resolve": ("first_contact", "arrival", "resolution"),
    "answer": (),
}
STOPS_ALL = {"cancel", "close"}


def on_transition(request: ServiceRequest, action: str, at: dt.datetime) -> None:
    """Called by every workflow move, inside its transaction."""
    if action in STOPS_ALL:
        for clock in _locked_clocks(request):
            _stop(clock, at)
        return
    codes = MEETS.get(action)
    if codes:
        for clock in _locked_clocks(request, codes):
            _meet(clock, at)
    if action == "start":
        for code in {p.clock for p in active_policies() if p.starts == ClockStart.ARRIVAL}:
            if not SlaClock.objects.filter(request=request, code=code).exists():
                policy = choose_policy(request, code, ClockStart.ARRIVAL)
                if policy is not None:
                    _open_clock(request, policy, at).save()


# -- escalation by the worker ----------------------------------------------------------------------
@dataclass
class _DueClock:
    """The columns of a due clock the sweep needs, read as plain values (no model instances)."""

    pk: int
    code: str
    basis: str
    target: dt.timedelta
    ratios: list[float]
    running_since: dt.datetime | None
    consumed: dt.timedelta
    escalation_level: int
    state: str
    due_at: dt.datetime | None
    number: str
    description: str
    customer: str
    owner_id: int
    assignee_id: int | None


_DUE_FIELDS = (
    "pk",
    "code",
    "basis",
    "target",
    "ratios",
    "running_since",
    "consumed",
    "escalation_level",
    "state",
    "due_at",
    "request__number",
    "request__description",
    "request__customer__name",
    "request__owner_id",
    "request__assignee_id",
)


def _recipient_ids(clock: _DueClock, level: int, roles: dict[Any, list[int]]) -> list[int]:
    people = [clock.owner_id]
    if level == 1 and clock.assignee_id:
        people.append(clock.assignee_id)
    if level == 2:
        people += roles[Role.DISPATCHER]
    if level >= 3:
        people += roles[Role.MANAGER]
    return people


@functools.lru_cache(maxsize=64)
def _texts(language: str, code: str) -> tuple[str, str, str, str, str]:
    """The escalation texts of one clock in one language (looked up once, not per message)."""
    return (
        str(ClockCode(code).label),
        _("%(number)s: %(clock)s due soon (%(due)s)"),
        _("%(number)s: %(clock)s overdue since %(due)s"),
        _("%(number)s: %(clock)s overdue by twice its target"),
        _("Request %(number)s (%(customer)s): %(description)s"),
    )


def _message(clock: _DueClock, level: int) -> tuple[str, str]:
    label, soon, overdue, twice, body_text = _texts(get_language() or "", clock.code)
    due = timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M") if clock.due_at else ""
    subject = soon if level == 1 else overdue if level == 2 else twice
    body = body_text % {
        "number": clock.number,
        "customer": clock.customer,
        "description": clock.description[:200],
    }
    return subject % {"number": clock.number, "clock": label, "due": due}, body


def handle_due_clocks(limit: int = 10000) -> int:
    """One worker step: raise the escalations of the clocks whose next threshold has passed.

    The clocks come from the partial index on ``next_check_at``, locked (SKIP LOCKED on
    PostgreSQL, so several workers share the work; SQLite has one writer at a time), and
    are handled in bulk: one statement each for the escalations, the notifications and
    the clocks' new levels, all in one transaction — a worker that dies leaves nothing
    half-done, and the unique (clock, level) row makes a second raise impossible.
    """
    at = now()
    cal = current_calendar()
    users = get_user_model().objects.filter(is_active=True)
    roles = {
        role: list(users.filter(groups__name=role).values_list("pk", flat=True).distinct())
        for role in (Role.DISPATCHER, Role.MANAGER)
    }
    with transaction.atomic():
        qs = SlaClock.objects.filter(next_check_at__lte=at).order_by("next_check_at")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        due = [_DueClock(*row) for row in qs.values_list(*_DUE_FIELDS)[:limit]]
        escalations: list[tuple[Any, ...]] = []
        events: list[dict[str, Any]] = []
        updates: list[tuple[Any, ...]] = []
        for clock in due:
            seg = sla.Segment(consumed=clock.consumed, running_since=clock.running_since)
            reached = sla.level_reached(cal, clock.basis, clock.target, seg, at, tuple(clock.ratios))
            old_level = clock.escalation_level
            for level in range(old_level + 1, reached + 1):
                escalations.append((clock.pk, level, at))
                subject, body = _message(clock, level)
                events.append(
                    {
                        "recipient_ids": _recipient_ids(clock, level, roles),
                        "kind": f"sla_{LEVELS.get(level, 'manager')}",
                        "subject": subject,
                        "body": body,
                        "event_key": f"esc:{clock.pk}:{level}",
                        "data": {"request": clock.number, "clock": clock.code, "level": level},
                    }
                )
            level = max(reached, old_level)
            state = sla.ClockState.BREACHED if reached >= 2 else clock.state
            # Rescheduled in every case (also a clock paused or moved since it was scheduled).
            nxt = None
            if seg.running_since is not None and level < len(clock.ratios):
                nxt = sla.threshold_instant(cal, clock.basis, clock.target, seg, clock.ratios[level])
            updates.append((clock.pk, level, str(state), nxt))
        insert_rows(
            table(Escalation),
            (("clock_id", "bigint"), ("level", "smallint"), ("at", "timestamptz")),
            escalations,
        )
        notify_many(events)
        update_rows(
            table(SlaClock),
            (("escalation_level", "smallint"), ("state", "varchar"), ("next_check_at", "timestamptz")),
            updates,
        )
    return len(escalations)


# -- reading ------------------------------------------------------------------------------------------
def clock_payload(clock: SlaClock, at: dt.datetime | None = None) -> dict[str, Any]:
    at = at or now()
    cal = current_calendar()
    seg = _segment(clock)
    if clock.met_at is not None or clock.state == sla.ClockState.STOPPED:
        margin = clock.margin if clock.margin is not None else clock.target - clock.consumed
        state = clock.state
    else:
        margin = sla.margin(cal, clock.basis, clock.target, seg, at)
        state = (
            clock.state
            if clock.state == sla.ClockState.PAUSED
            else (sla.ClockState.RUNNING if margin >= dt.timedelta(0) else sla.ClockState.BREACHED)
        )
    paused = clock.paused_seconds + (
        int((at - clock.paused_since).total_seconds()) if clock.paused_since else 0
    )
    return {
        "label": str(ClockCode(clock.code).label),
        "policy": clock.policy.name if clock.policy_id else "",
        "basis": clock.basis,
        "target_seconds": int(clock.target.total_seconds()),
        "started_at": clock.started_at,
        "due_at": clock.due_at,
        "state": str(state),
        "paused_seconds": paused,
        "met_at": clock.met_at,
        "margin_seconds": int(margin.total_seconds()),
        "escalation_level": clock.escalation_level,
    }


def sla_payload(
    request: ServiceRequest, at: dt.datetime | None = None, clocks: list[SlaClock] | None = None
) -> dict[str, Any]:
    """The request's clocks for the API; ``clocks`` when the caller has just started them."""
    if clocks is None:
        clocks = list(SlaClock.objects.filter(request=request).select_related("policy").order_by("id"))
    payload: dict[str, Any] = {
        "zone": clocks[0].zone_kind if clocks else (request.zone.kind if request.zone else "")
    }
    for clock in clocks:
        payload[clock.code] = clock_payload(clock, at)
    return payload
