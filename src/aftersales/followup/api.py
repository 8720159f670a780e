"""Callbacks API: the agents' lists, one endpoint per action (dial, each result, promise, assign),
promised answers, installed-project schedules and the callback processing rate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from aftersales.catalog.models import Unit
from aftersales.core.api import ErrorOut, LocalDateTime, Page, paginate
from aftersales.core.clock import now
from aftersales.core.errors import PermissionRefused, ValidationFailed
from aftersales.core.permissions import has_role

from . import selectors, services
from .models import Callback, CallbackAttempt, CallbackPromise, CallbackResult, CallbackSchedule

router = Router(tags=["callbacks"])
ACTION_RESPONSES: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _page_size_max() -> int:
    return cast(int, settings.AFTERSALES.get("PAGE_SIZE_MAX", 200))


# -- schemas ---------------------------------------------------------------------------------------
class AttemptOut(Schema):
    number: int
    outcome: str
    phone: str
    note: str
    call_back_at: LocalDateTime | None
    at: LocalDateTime
    agent: str


class PromiseOut(Schema):
    id: int
    callback_id: int
    question: str
    due_at: LocalDateTime
    owner: str
    status: str
    answer: str
    answered_at: LocalDateTime | None
    answered_on_time: bool | None
    escalated_at: LocalDateTime | None


class CallbackOut(Schema):
    id: int
    request: str | None
    request_type: str | None
    request_status: str | None
    customer: str
    unit: str | None
    kind: str
    reason: str
    staff: str | None
    agent: str | None
    due_at: LocalDateTime
    overdue: bool
    status: str
    attempt_count: int
    unanswered_count: int
    last_outcome: str
    next_attempt_at: LocalDateTime | None
    outcome: str
    result: str
    raised_request: str | None
    created_at: LocalDateTime
    done_at: LocalDateTime | None
    done_by: str | None


class CallbackDetailOut(CallbackOut):
    phones: list[str]
    attempts: list[AttemptOut]
    promises: list[PromiseOut]


class AttemptIn(Schema):
    outcome: str
    phone: str = ""
    note: str = ""
    call_back_at: dt.datetime | None = None


class ResultIn(Schema):
    outcome: str  # what the customer said


class RaiseIn(Schema):
    outcome: str
    description: str = ""
    unit_id: int | None = None


class NewRequestIn(RaiseIn):
    request_type: str


class AssignIn(Schema):
    agent_id: int


class PromiseIn(Schema):
    question: str
    due_at: dt.datetime | None = None
    owner_id: int | None = None


class AnswerIn(Schema):
    answer: str


class ScheduleOut(Schema):
    id: int
    unit: str
    customer: str
    commissioning_date: dt.date | None
    agent: str | None
    active: bool
    next_due_on: dt.date | None
    last_scheduled_for: dt.date | None


class EnrolIn(Schema):
    unit_id: int
    agent_id: int | None = None


class StopIn(Schema):
    reason: str


class RateOut(Schema):
    agent: str | None
    due: int
    processed: int
    done: int
    unreached: int
    declined: int
    outstanding: int
    rate: Decimal | None
    target: Decimal
    meets_target: bool
    by_result: dict[str, int]


class ProcessingRateOut(Schema):
    start: dt.date
    end: dt.date
    total: RateOut
    by_agent: list[RateOut]


# -- payloads --------------------------------------------------------------------------------------
def _name(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def callback_payload(cb: Callback) -> dict[str, Any]:
    return {
        "id": cb.pk,
        "request": cb.request.number if cb.request else None,
        "request_type": cb.request.type if cb.request else None,
        "request_status": cb.request.status if cb.request else None,
        "customer": cb.customer.name,
        "unit": cb.unit.serial_number if cb.unit else None,
        "kind": cb.kind,
        "reason": cb.reason,
        "staff": _name(cb.staff),
        "agent": _name(cb.agent),
        "due_at": cb.due_at,
        "overdue": selectors.is_overdue(cb),
        "status": cb.status,
        "attempt_count": cb.attempt_count,
        "unanswered_count": cb.unanswered_count,
        "last_outcome": cb.last_outcome,
        "next_attempt_at": cb.next_attempt_at,
        "outcome": cb.outcome,
        "result": cb.result,
        "raised_request": cb.raised_request.number if cb.raised_request else None,
        "created_at": cb.created_at,
        "done_at": cb.done_at,
        "done_by": _name(cb.done_by),
    }


def attempt_payload(a: CallbackAttempt) -> dict[str, Any]:
    return {
        "number": a.number,
        "outcome": a.outcome,
        "phone": a.phone,
        "note": a.note,
        "call_back_at": a.call_back_at,
        "at": a.at,
        "agent": a.agent.get_username(),
    }


def promise_payload(p: CallbackPromise) -> dict[str, Any]:
    return {
        "id": p.pk,
        "callback_id": p.callback_id,
        "question": p.question,
        "due_at": p.due_at,
        "owner": p.owner.get_username(),
        "status": p.status,
        "answer": p.answer,
        "answered_at": p.answered_at,
        "answered_on_time": p.answered_on_time,
        "escalated_at": p.escalated_at,
    }


def detail_payload(user: Any, callback_id: int) -> dict[str, Any]:
    cb = selectors.access_callback(user, callback_id)
    return {
        **callback_payload(cb),
        "phones": selectors.phones_of(cb),
        "attempts": [attempt_payload(a) for a in selectors.attempts_of(cb)],
        "promises": [promise_payload(p) for p in selectors.promises_of(cb)],
    }


def schedule_payload(s: CallbackSchedule) -> dict[str, Any]:
    return {
        "id": s.pk,
        "unit": s.unit.serial_number,
        "customer": s.unit.customer.name,
        "commissioning_date": s.unit.commissioning_date,
        "agent": _name(s.agent),
        "active": s.active,
        "next_due_on": s.next_due_on,
        "last_scheduled_for": s.last_scheduled_for,
    }


def rate_payload(r: selectors.ProcessingRate) -> dict[str, Any]:
    return {
        "agent": _name(r.agent),
        "due": r.due,
        "processed": r.processed,
        "done": r.done,
        "unreached": r.unreached,
        "declined": r.declined,
        "outstanding": r.outstanding,
        "rate": r.rate,
        "target": r.target,
        "meets_target": r.meets_target,
        "by_result": r.by_result,
    }


# -- callbacks ---------------------------------------------------------------------------------------
@router.get("/callbacks", response=Page[CallbackOut])
def list_callbacks(
    request: HttpRequest,
    scope: str = "mine",
    state: str = "open",
    request_number: str | None = None,
    overdue: bool | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Any:
    """The callback list: ``scope`` mine or team; ``state`` open (due first) or processed."""
    if scope not in selectors.SCOPES:
        raise ValidationFailed("invalid_scope", _("Choose mine or team."), "scope")
    if state not in selectors.STATES:
        raise ValidationFailed("invalid_state", _("Choose open or processed."), "state")
    qs = selectors.callback_list(request.user, scope=scope, state=state)
    if request_number:
        qs = qs.filter(request__number=request_number.strip().upper())
    if overdue is not None:
        qs = qs.filter(due_at__lt=now()) if overdue else qs.filter(due_at__gte=now())
    result = paginate(qs, page, page_size, _page_size_max())
    result["items"] = [callback_payload(cb) for cb in result["items"]]
    return result


@router.get("/callbacks/{callback_id}", response={200: CallbackDetailOut, 404: ErrorOut})
def get_callback(request: HttpRequest, callback_id: int) -> Any:
    return detail_payload(request.user, callback_id)


@router.post("/callbacks/{callback_id}/attempts", response={200: CallbackDetailOut, **ACTION_RESPONSES})
def record_attempt(request: HttpRequest, callback_id: int, payload: AttemptIn) -> Any:
    """One dial: reached, no_answer, busy, wrong_number, refused, or call_back_later (with call_back_at)."""
    callback = selectors.access_callback(request.user, callback_id)
    services.record_attempt(
        callback=callback,
        outcome=payload.outcome,
        phone=payload.phone,
        note=payload.note,
        call_back_at=payload.call_back_at,
        actor=request.user,
    )
    return detail_payload(request.user, callback_id)


def _complete(request: HttpRequest, callback_id: int, result: str, outcome: str, **extra: Any) -> Any:
    callback = selectors.access_callback(request.user, callback_id)
    services.complete_callback(callback=callback, outcome=outcome, result=result, actor=request.user, **extra)
    return detail_payload(request.user, callback_id)


@router.post("/callbacks/{callback_id}/satisfied", response={200: CallbackDetailOut, **ACTION_RESPONSES})
def satisfied(request: HttpRequest, callback_id: int, payload: ResultIn) -> Any:
    """The customer is satisfied: the request is closed (a complaint is followed up as satisfied)."""
    return _complete(request, callback_id, CallbackResult.CLOSE, payload.outcome)


@router.post("/callbacks/{callback_id}/not-satisfied", response={200: CallbackDetailOut, **ACTION_RESPONSES})
def not_satisfied(request: HttpRequest, callback_id: int, payload: ResultIn) -> Any:
    """The customer is not satisfied: the request is reopened as rework (a complaint is handled again)."""
    return _complete(request, callback_id, CallbackResult.REOPEN, payload.outcome)


@router.post("/callbacks/{callback_id}/complaint", response={200: CallbackDetailOut, **ACTION_RESPONSES})
def raise_complaint(request: HttpRequest, callback_id: int, payload: RaiseIn) -> Any:
    """A complaint heard on the callback, registered and linked to it in the same step."""
    return _complete(
        request,
        callback_id,
        CallbackResult.COMPLAINT,
        payload.outcome,
        description=payload.description,
        unit_id=payload.unit_id,
    )


@router.post("/callbacks/{callback_id}/new-request", response={200: CallbackDetailOut, **ACTION_RESPONSES})
def new_request(request: HttpRequest, callback_id: int, payload: NewRequestIn) -> Any:
    """Another request heard on the callback (a repair, maintenance, consultation...), registered and linked."""
    return _complete(
        request,
        callback_id,
        CallbackResult.NEW_REQUEST,
        payload.outcome,
        request_type=payload.request_type,
        description=payload.description,
        unit_id=payload.unit_id,
    )


@router.post("/callbacks/{callback_id}/no-change", response={200: CallbackDetailOut, **ACTION_RESPONSES})
def no_change(request: HttpRequest, callback_id: int, payload: ResultIn) -> Any:
    """Recorded; the request is left as it is."""
    return _complete(request, callback_id, CallbackResult.NONE, payload.outcome)


@router.post("/callbacks/{callback_id}/assign", response={200: CallbackDetailOut, **ACTION_RESPONSES})
def assign(request: HttpRequest, callback_id: int, payload: AssignIn) -> Any:
    callback = selectors.access_callback(request.user, callback_id)
    services.assign_callback(callback=callback, agent_id=payload.agent_id, actor=request.user)
    return detail_payload(request.user, callback_id)


# -- promised answers ------------------------------------------------------------------------------
@router.post("/callbacks/{callback_id}/promises", response={200: PromiseOut, **ACTION_RESPONSES})
def promise(request: HttpRequest, callback_id: int, payload: PromiseIn) -> Any:
    """A question answered later, at a time agreed with the customer (the clock)."""
    callback = selectors.access_callback(request.user, callback_id)
    p = services.promise_answer(
        callback=callback,
        question=payload.question,
        due_at=payload.due_at,
        owner_id=payload.owner_id,
        actor=request.user,
    )
    return promise_payload(p)


@router.get("/promises", response=Page[PromiseOut])
def list_promises(request: HttpRequest, scope: str = "mine", page: int = 1, page_size: int = 50) -> Any:
    """Open promised answers, the earliest due first."""
    result = paginate(selectors.open_promises(request.user, scope), page, page_size, _page_size_max())
    result["items"] = [promise_payload(p) for p in result["items"]]
    return result


@router.post("/promises/{promise_id}/answer", response={200: PromiseOut, **ACTION_RESPONSES})
def answer(request: HttpRequest, promise_id: int, payload: AnswerIn) -> Any:
    p = services.answer_promise(
        promise=selectors.access_promise(request.user, promise_id), answer=payload.answer, actor=request.user
    )
    return promise_payload(p)


# -- processing rate -------------------------------------------------------------------------------
@router.get("/processing-rate", response={200: ProcessingRateOut, 403: ErrorOut, 422: ErrorOut})
def processing_rate(request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None) -> Any:
    """Callbacks processed / callbacks due in [start, end] (local dates; default: this month to today)."""
    if not has_role(request.user, *selectors.READERS):
        raise PermissionRefused()
    default_start, default_end = selectors.this_month()
    start, end = start or default_start, end or default_end
    if end < start:
        raise ValidationFailed("end_before_start", _("The end date is before the start date."), "end")
    since, until = selectors.local_period(start, end)
    return {
        "start": start,
        "end": end,
        "total": rate_payload(selectors.processing_rate(start=since, end=until)),
        "by_agent": [rate_payload(r) for r in selectors.processing_rate_by_agent(start=since, end=until)],
    }


# -- schedules of installed projects ---------------------------------------------------------------
@router.get("/schedules", response=Page[ScheduleOut])
def list_schedules(
    request: HttpRequest, active: bool | None = None, page: int = 1, page_size: int = 50
) -> Any:
    qs = selectors.visible_schedules(request.user)
    if active is not None:
        qs = qs.filter(active=active)
    result = paginate(qs.order_by("next_due_on", "id"), page, page_size, _page_size_max())
    result["items"] = [schedule_payload(s) for s in result["items"]]
    return result


@router.post("/schedules", response={200: ScheduleOut, **ACTION_RESPONSES})
def enrol(request: HttpRequest, payload: EnrolIn) -> Any:
    """Start the scheduled callbacks of an installed project now (the worker also enrols them)."""
    unit = Unit.objects.filter(pk=payload.unit_id).first()
    if unit is None:
        raise ValidationFailed("unknown_unit", _("Unknown unit."), "unit_id")
    s = services.enrol_project(unit=unit, agent_id=payload.agent_id, actor=request.user)
    return schedule_payload(selectors.access_schedule(request.user, s.pk))


@router.post("/schedules/{schedule_id}/assign", response={200: ScheduleOut, **ACTION_RESPONSES})
def assign_schedule(request: HttpRequest, schedule_id: int, payload: AssignIn) -> Any:
    schedule = selectors.access_schedule(request.user, schedule_id)
    services.assign_schedule(schedule=schedule, agent_id=payload.agent_id, actor=request.user)
    return schedule_payload(selectors.access_schedule(request.user, schedule_id))


@router.post("/schedules/{schedule_id}/stop", response={200: ScheduleOut, **ACTION_RESPONSES})
def stop_schedule(request: HttpRequest, schedule_id: int, payload: StopIn) -> Any:
    schedule = selectors.access_schedule(request.user, schedule_id)
    services.stop_schedule(schedule=schedule, reason=payload.reason, actor=request.user)
    return schedule_payload(selectors.access_schedule(request.user, schedule_id))


@router.post("/schedules/{schedule_id}/resume", response={200: ScheduleOut, **ACTION_RESPONSES})
def resume_schedule(request: HttpRequest, schedule_id: int) -> Any:
    schedule = selectors.access_schedule(request.user, schedule_id)
    services.resume_schedule(schedule=schedule, actor=request.user)
    return schedule_payload(selectors.access_schedule(request.user, schedule_id))
