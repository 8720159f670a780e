"""Read queries on callbacks: the agents' lists, one callback with its phones and attempts, promised
answers, schedules, and the callback processing rate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from aftersales.core.clock import local_today, local_tz, now
from aftersales.core.errors import NotFound
from aftersales.core.permissions import Role, has_role
from aftersales.core.phones import digits_of

from . import conf
from .models import (
    AttemptOutcome,
    Callback,
    CallbackAttempt,
    CallbackPromise,
    CallbackResult,
    CallbackSchedule,
    CallbackStatus,
    PromiseStatus,
)

READERS = (Role.AGENT, Role.QUALITY, Role.DISPATCHER, Role.MANAGER, Role.ADMIN)
SCOPES = ("mine", "team")
STATES = ("open", "processed")


def visible_callbacks(user: Any) -> QuerySet[Callback]:
    qs = Callback.objects.select_related("request__customer", "customer", "unit", "staff", "agent", "done_by")
    return qs if has_role(user, *READERS) else qs.none()


def access_callback(user: Any, callback_id: int) -> Callback:
    callback = visible_callbacks(user).filter(pk=callback_id).first()
    if callback is None:
        raise NotFound()
    return callback


def callbacks_of(request: Any) -> QuerySet[Callback]:
    return Callback.objects.filter(request=request).order_by("id")


def callback_list(user: Any, scope: str = "mine", state: str = "open") -> QuerySet[Callback]:
    """An agent's callback list: their own (``mine``) or everyone's (``team``); the open ones due
    first, the processed ones latest first."""
    qs = visible_callbacks(user)
    if scope == "mine":
        qs = qs.filter(agent=user)
    if state == "open":
        return qs.filter(status=CallbackStatus.OPEN).order_by("due_at", "id")
    return qs.exclude(status=CallbackStatus.OPEN).order_by("-done_at", "-id")


@dataclass
class ListRow:
    callback: Callback
    overdue: bool
    waiting_until: dt.datetime | None  # the retry rules say not before this time


def is_overdue(callback: Callback, at: dt.datetime | None = None) -> bool:
    return callback.status == CallbackStatus.OPEN and callback.due_at < (at or now())


def waiting_until(callback: Callback, at: dt.datetime | None = None) -> dt.datetime | None:
    """The time before which the retry rules say not to dial, when it is still ahead."""
    at = at or now()
    if callback.status == CallbackStatus.OPEN and callback.next_attempt_at and callback.next_attempt_at > at:
        return callback.next_attempt_at
    return None


def list_rows(callbacks: Iterable[Callback]) -> list[ListRow]:
    at = now()
    return [ListRow(cb, is_overdue(cb, at), waiting_until(cb, at)) for cb in callbacks]


def attempts_of(callback: Callback) -> QuerySet[CallbackAttempt]:
    return CallbackAttempt.objects.filter(callback=callback).select_related("agent").order_by("number")


def promises_of(callback: Callback) -> QuerySet[CallbackPromise]:
    return CallbackPromise.objects.filter(callback=callback).select_related("owner", "answered_by")


def open_promises(user: Any, scope: str = "mine") -> QuerySet[CallbackPromise]:
    qs = CallbackPromise.objects.filter(status=PromiseStatus.OPEN).select_related(
        "callback__customer", "callback__request", "owner"
    )
    if not has_role(user, *READERS):
        return qs.none()
    return (qs.filter(owner=user) if scope == "mine" else qs).order_by("due_at", "id")


def access_promise(user: Any, promise_id: int) -> CallbackPromise:
    promise = (
        CallbackPromise.objects.select_related("callback").filter(pk=promise_id).first()
        if has_role(user, *READERS)
        else None
    )
    if promise is None:
        raise NotFound()
    return promise


def phones_of(callback: Callback) -> list[str]:
    """The numbers to dial: the request's contact phone first, then the customer's (primary first)."""
    numbers = []
    if callback.request is not None and callback.request.contact_phone:
        numbers.append(callback.request.contact_phone)
    numbers += list(callback.customer.phones.order_by("-is_primary", "id").values_list("number", flat=True))
    seen: set[str] = set()
    unique = []
    for number in numbers:
        key = digits_of(number)
        if key and key not in seen:
            seen.add(key)
            unique.append(number)
    return unique


def wrong_numbers(callback: Callback) -> list[str]:
    """Digits of the numbers found wrong on this callback."""
    return [
        digits_of(p)
        for p in CallbackAttempt.objects.filter(
            callback=callback, outcome=AttemptOutcome.WRONG_NUMBER
        ).values_list("phone", flat=True)
    ]


def callback_agents() -> QuerySet[Any]:
    """Who a callback can be put on the list of."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.AGENT)
        .distinct()
        .order_by("username")
    )


def visible_schedules(user: Any) -> QuerySet[CallbackSchedule]:
    qs = CallbackSchedule.objects.select_related("unit__customer", "unit__product_model", "agent")
    return qs if has_role(user, *READERS) else qs.none()


def access_schedule(user: Any, schedule_id: int) -> CallbackSchedule:
    schedule = visible_schedules(user).filter(pk=schedule_id).first()
    if schedule is None:
        raise NotFound()
    return schedule


# -- callback processing rate ------------------------------------------------------------------------
@dataclass
class ProcessingRate:
    """Callbacks processed / callbacks due in a period, as of now (a callback due later in the
    period is not due yet; one processed after the period still counts as processed)."""

    start: dt.datetime
    end: dt.datetime
    due: int
    done: int
    unreached: int
    declined: int
    target: Decimal
    agent: Any = None
    by_result: dict[str, int] = field(default_factory=dict)

    @property
    def processed(self) -> int:
        return self.done + self.unreached + self.declined

    @property
    def outstanding(self) -> int:
        return self.due - self.processed

    @property
    def rate(self) -> Decimal | None:
        """In percent, one decimal; None when nothing was due."""
        if not self.due:
            return None
        return (Decimal(self.processed) * 100 / self.due).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def meets_target(self) -> bool:
        return self.rate is None or self.rate >= self.target


def local_period(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, day after end 00:00) in local time: the dates as users pick them, end included."""
    tz = local_tz()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def this_month() -> tuple[dt.date, dt.date]:
    today = local_today()
    return today.replace(day=1), today


def _due_in(start: dt.datetime, end: dt.datetime) -> QuerySet[Callback]:
    return Callback.objects.filter(due_at__gte=start, due_at__lt=min(end, now())).exclude(
        status__in=[CallbackStatus.WITHDRAWN]
    )


def _counts() -> dict[str, Any]:
    return {
        "due": Count("id"),
        "done": Count("id", filter=Q(status=CallbackStatus.DONE)),
        "unreached": Count("id", filter=Q(status=CallbackStatus.UNREACHED)),
        "declined": Count("id", filter=Q(status=CallbackStatus.DECLINED)),
        **{f"result_{r}": Count("id", filter=Q(result=r)) for r in CallbackResult.values},
    }


def _rate(row: dict[str, Any], start: dt.datetime, end: dt.datetime, agent: Any = None) -> ProcessingRate:
    return ProcessingRate(
        start=start,
        end=end,
        due=row["due"],
        done=row["done"],
        unreached=row["unreached"],
        declined=row["declined"],
        target=conf.processing_target(),
        agent=agent,
        by_result={r: row[f"result_{r}"] for r in CallbackResult.values},
    )


def processing_rate(*, start: dt.datetime, end: dt.datetime, agent: Any = None) -> ProcessingRate:
    """The callback processing rate (回访处理率) of the period [start, end), of one agent or all."""
    qs = _due_in(start, end)
    if agent is not None:
        qs = qs.filter(agent=agent)
    return _rate(qs.aggregate(**_counts()), start, end, agent)


def processing_rate_by_agent(*, start: dt.datetime, end: dt.datetime) -> list[ProcessingRate]:
    """One row per agent with callbacks due in the period (unassigned ones under ``None``)."""
    rows = _due_in(start, end).values("agent").annotate(**_counts()).order_by("agent")
    users = get_user_model().objects.in_bulk([r["agent"] for r in rows if r["agent"]])
    return [_rate(r, start, end, users.get(r["agent"])) for r in rows]


def callback_results_by_staff(*, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """Per followed-up staff member (the installer or repairer), the callbacks done in the period
    and what the customers said: read by the evaluation of installers and technicians."""
    return list(
        Callback.objects.filter(
            status=CallbackStatus.DONE, done_at__gte=start, done_at__lt=end, staff__isnull=False
        )
        .values("staff", "request__type")
        .annotate(
            done=Count("id"),
            satisfied=Count("id", filter=Q(result=CallbackResult.CLOSE)),
            not_satisfied=Count("id", filter=Q(result=CallbackResult.REOPEN)),
            complaints=Count("id", filter=Q(result=CallbackResult.COMPLAINT)),
        )
        .order_by("staff", "request__type")
    )
