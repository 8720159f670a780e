"""Business actions on callbacks: created, dialled, answered with a result, and scheduled.

- A callback is created when an installation, repair or complaint is resolved (by the
  dispatch service when a work order finishes, and by the worker's sweep for every other
  path), and on schedule for installed projects.
- Each dial is recorded with its outcome; the retry rules (``CALLBACK_MAX_ATTEMPTS``
  unanswered dials, ``CALLBACK_RETRY_MINUTES`` apart; "call back later" at the customer's
  time) decide when the next dial may be made and when the callback is given up.
- The result, recorded in one step with what the customer said: satisfied closes the
  request, not satisfied reopens it as rework (a complaint goes back to investigation),
  or a complaint or another request is registered and linked to the callback.
- A question that cannot be answered on the call gets an agreed time (a promise); the
  worker escalates a promise whose time passed unanswered.

Every action runs in one transaction, locks the callback row it changes and writes its
history entry; a refusal is a domain error with a code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Unit
from aftersales.core.clock import local_date, local_today, local_tz, now
from aftersales.core.errors import PermissionRefused, StaleState, TransitionRefused, ValidationFailed
from aftersales.core.history import record_history
from aftersales.core.notifications import notify
from aftersales.core.permissions import Role, has_role
from aftersales.core.phones import InvalidPhone, digits_of, parse_phone
from aftersales.core.system import system_user
from aftersales.service import services as request_services
from aftersales.service.models import ServiceRequest
from aftersales.service.workflow import Channel, RequestType, Status

from . import conf, selectors
from .models import (
    UNANSWERED_OUTCOMES,
    AttemptOutcome,
    Callback,
    CallbackAttempt,
    CallbackKind,
    CallbackPromise,
    CallbackResult,
    CallbackSchedule,
    CallbackStatus,
    PromiseStatus,
)
from .schedule import ScheduleRule, first_on_or_after, latest_on_or_before, occurrences

CALLERS = (Role.AGENT, Role.QUALITY, Role.DISPATCHER, Role.MANAGER, Role.ADMIN)
# Who hands callbacks and schedules to agents (an agent may take a callback for themselves).
ASSIGNERS = (Role.MANAGER, Role.ADMIN)

# The states in which a resolved request waits for its after-job callback.
AWAITING_CALLBACK: dict[str, frozenset[str]] = {
    RequestType.INSTALLATION: frozenset({Status.RESOLVED}),
    RequestType.REPAIR: frozenset({Status.RESOLVED}),
    RequestType.COMPLAINT: frozenset({Status.CUSTOMER_NOTIFIED}),
}
# An open after-job callback stays useful while its request is in one of these states (a request
# closed automatically before the call is still called); elsewhere it was overtaken.
STILL_FOLLOWED_UP = frozenset({Status.RESOLVED, Status.CLOSED, Status.CUSTOMER_NOTIFIED})


# -- due times -----------------------------------------------------------------------------------
def end_of_local_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=local_tz())


def after_job_due_at(request: ServiceRequest, resolved_at: dt.datetime) -> dt.datetime:
    """A complaint is followed up on the day its handling finished (``CALLBACK_COMPLAINT_DUE_DAYS``
    later, 0 by default); an installation or repair ``CALLBACK_DUE_DAYS`` after it was resolved."""
    if request.type == RequestType.COMPLAINT:
        return end_of_local_day(local_date(resolved_at) + dt.timedelta(days=conf.complaint_due_days()))
    return resolved_at + dt.timedelta(days=conf.due_days())


# -- helpers -------------------------------------------------------------------------------------
def _text(value: str | None, field: str, message: Any) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(f"{field}_required", message, field=field)
    return text


def _aware_future(value: dt.datetime | None, field: str, at: dt.datetime, missing: Any) -> dt.datetime:
    if value is None:
        raise ValidationFailed(f"{field}_required", missing, field=field)
    if value.tzinfo is None:
        raise ValidationFailed("naive_time", _("The time needs a time zone."), field=field)
    if value <= at:
        raise ValidationFailed(f"{field}_in_past", _("The time must be in the future."), field=field)
    return value


def _staff_user(user_id: int | None, field: str) -> Any:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None or not has_role(user, *CALLERS):
        raise ValidationFailed("unknown_agent", _("Choose a member of the customer service staff."), field)
    return user


def _locked(callback: Callback) -> Callback:
    # Only the callback row is locked (the request may be missing: a nullable join cannot be locked).
    return (
        Callback.objects.select_for_update(of=("self",))
        .select_related("request", "customer")
        .get(pk=callback.pk)
    )


def _require_open(callback: Callback) -> None:
    if callback.status != CallbackStatus.OPEN:
        raise TransitionRefused(
            "callback_done",
            _("This callback has already been processed (%(status)s)."),
            "status",
            status=callback.get_status_display(),
        )


def least_loaded_agent() -> Any:
    """The active agent with the fewest open callbacks (ties: the longest-standing account)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.AGENT)
        .annotate(load=Count("assigned_callbacks", filter=Q(assigned_callbacks__status=CallbackStatus.OPEN)))
        .order_by("load", "id")
        .first()
    )


def default_agent(request: ServiceRequest | None) -> Any:
    """The agent who registered the request calls the customer back (首问负责制); otherwise the
    least-loaded agent."""
    if request is not None:
        owner = request.owner
        if owner is not None and owner.is_active and has_role(owner, Role.AGENT):
            return owner
    return least_loaded_agent()


# -- creating callbacks ----------------------------------------------------------------------------
@transaction.atomic
def create_callback(
    *,
    kind: str,
    due_at: dt.datetime,
    actor: Any,
    request: ServiceRequest | None = None,
    unit: Unit | None = None,
    reason: str = "",
    staff: Any = None,
    agent: Any = None,
    schedule: CallbackSchedule | None = None,
    scheduled_for: dt.date | None = None,
) -> Callback:
    """A callback task about a request (or, for a scheduled one, a unit). While one of this kind is
    open for the request, that one is returned: the customer gets one call."""
    if kind not in CallbackKind.values:
        raise ValidationFailed("invalid_kind", _("Unknown callback kind."), field="kind")
    if request is None and unit is None:
        raise ValidationFailed("subject_required", _("A callback is about a request or a unit."), "request")
    if request is not None:
        existing = Callback.objects.filter(request=request, kind=kind, status=CallbackStatus.OPEN).first()
        if existing is not None:
            return existing
    at = now()
    assigned = agent if agent is not None else default_agent(request)
    try:
        with transaction.atomic():
            callback = Callback.objects.create(
                request=request,
                customer_id=request.customer_id if request is not None else unit.customer_id,  # type: ignore[union-attr]
                unit=unit if unit is not None else (request.unit if request is not None else None),
                kind=kind,
                schedule=schedule,
                scheduled_for=scheduled_for,
                reason=reason[:200],
                staff=staff,
                agent=assigned,
                due_at=due_at,
                created_at=at,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        # Created by someone else in the same instant: one call for the customer.
        if request is not None:
            return Callback.objects.get(request=request, kind=kind, status=CallbackStatus.OPEN)
        return (
            Callback.objects.filter(schedule=schedule)
            .filter(Q(scheduled_for=scheduled_for) | Q(status=CallbackStatus.OPEN))
            .get()
        )
    record_history(
        subject=callback,
        event="callback_created",
        actor=actor,
        new=CallbackStatus.OPEN,
        note=reason,
        at=at,
        data={
            "request": request.number if request is not None else None,
            "unit": callback.unit_id,
            "kind": kind,
            "due_at": due_at.isoformat(),
            "agent": assigned.pk if assigned is not None else None,
        },
    )
    return callback


def _awaiting_callback() -> Any:
    """Resolved installations, repairs and complaints with no after-job callback since their
    resolution (resolved without a work order, complaints, or a callback lost to an error)."""
    types = [t for t in conf.callback_request_types() if t in AWAITING_CALLBACK]
    if not types:
        return ServiceRequest.objects.none()
    waiting = Q()
    for request_type in types:
        waiting |= Q(type=request_type, status__in=AWAITING_CALLBACK[request_type])
    covered = Callback.objects.filter(request=OuterRef("pk"), kind=CallbackKind.AFTER_JOB).filter(
        Q(status=CallbackStatus.OPEN) | Q(created_at__gte=OuterRef("resolved_at"))
    )
    return ServiceRequest.objects.filter(waiting, resolved_at__isnull=False).exclude(Exists(covered))


def requests_awaiting_callback_ids(limit: int = 100) -> list[int]:
    return list(_awaiting_callback().order_by("resolved_at", "id").values_list("pk", flat=True)[:limit])


@transaction.atomic
def create_after_job_callback(*, request_id: int) -> Callback | None:
    """The after-job callback of one resolved request, unless it has one already. Idempotent."""
    request = _awaiting_callback().select_related("owner", "unit").filter(pk=request_id).first()
    if request is None or request.resolved_at is None:
        return None
    return create_callback(
        request=request,
        kind=CallbackKind.AFTER_JOB,
        due_at=after_job_due_at(request, request.resolved_at),
        actor=system_user(),
        reason=gettext("Callback after %(kind)s %(number)s")
        % {"kind": request.get_type_display(), "number": request.number},
        staff=request.assignee if request.type != RequestType.COMPLAINT else None,
    )


def overtaken_callback_ids(limit: int = 100) -> list[int]:
    """Open after-job callbacks whose request moved on without them (reopened, cancelled, or a
    complaint followed up on its own page)."""
    return list(
        Callback.objects.filter(
            kind=CallbackKind.AFTER_JOB, status=CallbackStatus.OPEN, request__isnull=False
        )
        .exclude(request__status__in=STILL_FOLLOWED_UP)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def withdraw_overtaken_callback(*, callback_id: int) -> bool:
    """Withdraw an after-job callback whose request moved on: the next resolution gets a fresh
    one, and a call that is no longer needed does not count as due. Idempotent."""
    callback = (
        Callback.objects.select_related("request")
        .filter(pk=callback_id, status=CallbackStatus.OPEN, kind=CallbackKind.AFTER_JOB)
        .exclude(request__status__in=STILL_FOLLOWED_UP)
        .first()
    )
    if callback is None or callback.request is None:
        return False
    at = now()
    changed = Callback.objects.filter(pk=callback.pk, status=CallbackStatus.OPEN).update(
        status=CallbackStatus.WITHDRAWN, next_attempt_at=None, done_at=at
    )
    if changed == 1:
        record_history(
            subject=callback,
            event="callback_withdrawn",
            actor=system_user(),
            old=CallbackStatus.OPEN,
            new=CallbackStatus.WITHDRAWN,
            note=gettext("The request is now “%(status)s”.")
            % {"status": callback.request.get_status_display()},
            at=at,
            data={"request_status": callback.request.status},
        )
    return changed == 1


# -- assigning ---------------------------------------------------------------------------------------
@transaction.atomic
def assign_callback(*, callback: Callback, agent_id: int, actor: Any) -> Callback:
    """Put the callback on an agent's list. Managers hand callbacks to anyone; an agent takes one."""
    require_caller(actor)
    agent = _staff_user(agent_id, "agent_id")
    if not has_role(actor, *ASSIGNERS) and agent.pk != actor.pk:
        raise PermissionRefused()
    callback = _locked(callback)
    _require_open(callback)
    old = callback.agent_id
    Callback.objects.filter(pk=callback.pk).update(agent=agent)
    record_history(
        subject=callback, event="callback_assigned", actor=actor, data={"from": old, "to": agent.pk}
    )
    callback.refresh_from_db()
    return callback


def require_caller(actor: Any) -> None:
    if not has_role(actor, *CALLERS):
        raise PermissionRefused()


# -- dialling ----------------------------------------------------------------------------------------
def _phone_given(phone: str) -> str:
    if not phone.strip():
        return ""
    try:
        return parse_phone(phone).number
    except InvalidPhone:
        raise ValidationFailed(
            "invalid_phone", _("“%(phone)s” is not a valid Chinese phone number."), field="phone", phone=phone
        ) from None


def _next_phone(callback: Callback) -> str:
    """The first of the customer's numbers not yet found wrong on this callback."""
    wrong = set(selectors.wrong_numbers(callback))
    for number in selectors.phones_of(callback):
        if digits_of(number) not in wrong:
            return number
    return ""


@transaction.atomic
def record_attempt(
    *,
    callback: Callback,
    outcome: str,
    actor: Any,
    phone: str = "",
    note: str = "",
    call_back_at: dt.datetime | None = None,
) -> CallbackAttempt:
    """One dial and its outcome; the retry rules then set the next dial or close the callback.

    - reached: the customer is on the line; the result follows.
    - no answer / busy: counts against the max attempts and waits the spacing; the last
      allowed one closes the callback as not reached. Such a dial before the next attempt
      time is refused (customers are not rung again and again).
    - call back later: at the customer's time, which does not use up an attempt.
    - wrong number: the next of the customer's numbers may be dialled at once; when every
      known number has proved wrong the callback is closed as not reached.
    - refused: the customer does not want the callback; it is closed as declined.
    """
    require_caller(actor)
    if outcome not in AttemptOutcome.values:
        raise ValidationFailed("invalid_outcome", _("Choose the outcome of the call."), field="outcome")
    at = now()
    callback = _locked(callback)
    _require_open(callback)
    if outcome == AttemptOutcome.CALL_BACK_LATER:
        call_back_at = _aware_future(call_back_at, "call_back_at", at, _("When should we call back?"))
    else:
        call_back_at = None
    if outcome in UNANSWERED_OUTCOMES and callback.next_attempt_at and at < callback.next_attempt_at:
        raise TransitionRefused(
            "retry_too_early",
            _("Wait until %(time)s before dialling this customer again."),
            "outcome",
            time=callback.next_attempt_at.astimezone(local_tz()).strftime("%m-%d %H:%M"),
        )
    dialled = _phone_given(phone) or _next_phone(callback)

    fields: dict[str, Any] = {
        "attempt_count": callback.attempt_count + 1,
        "last_outcome": outcome,
        "next_attempt_at": None,
    }
    status = CallbackStatus.OPEN
    if outcome in UNANSWERED_OUTCOMES:
        fields["unanswered_count"] = callback.unanswered_count + 1
        if fields["unanswered_count"] >= conf.max_attempts():
            status = CallbackStatus.UNREACHED
        else:
            fields["next_attempt_at"] = at + conf.retry_spacing()
    elif outcome == AttemptOutcome.CALL_BACK_LATER:
        fields["next_attempt_at"] = call_back_at
    elif outcome == AttemptOutcome.WRONG_NUMBER:
        known = {digits_of(p) for p in selectors.phones_of(callback)}
        wrong = set(selectors.wrong_numbers(callback)) | {digits_of(dialled)}
        if known <= wrong:
            status = CallbackStatus.UNREACHED
    elif outcome == AttemptOutcome.REFUSED:
        status = CallbackStatus.DECLINED
    if status != CallbackStatus.OPEN:
        fields.update(status=status, done_at=at, done_by=actor)

    try:
        with transaction.atomic():
            attempt = CallbackAttempt.objects.create(
                callback=callback,
                number=callback.attempt_count + 1,
                outcome=outcome,
                phone=dialled,
                note=note.strip(),
                call_back_at=call_back_at,
                at=at,
                agent=actor,
            )
    except IntegrityError:
        raise StaleState() from None
    changed = Callback.objects.filter(
        pk=callback.pk, status=CallbackStatus.OPEN, attempt_count=callback.attempt_count
    ).update(**fields)
    if changed != 1:
        raise StaleState()
    record_history(
        subject=callback,
        event="callback_attempt",
        actor=actor,
        old=CallbackStatus.OPEN,
        new=status,
        note=note,
        at=at,
        data={
            "attempt": attempt.number,
            "outcome": outcome,
            "phone": dialled,
            "call_back_at": call_back_at.isoformat() if call_back_at else None,
            "next_attempt_at": fields["next_attempt_at"].isoformat() if fields["next_attempt_at"] else None,
        },
    )
    return attempt


# -- the result --------------------------------------------------------------------------------------
@transaction.atomic
def complete_callback(
    *,
    callback: Callback,
    outcome: str,
    result: str,
    actor: Any,
    request_type: str = "",
    description: str = "",
    unit_id: int | None = None,
) -> Callback:
    """Record what the customer said and act on it in the same step.

    ``result``: ``close`` (satisfied: the request is closed; a complaint is followed up as
    satisfied), ``reopen`` (not satisfied: rework; a complaint goes back to investigation),
    ``complaint`` or ``new_request`` (registered from the call and linked to the callback),
    ``none``. A result means the customer was reached: without a "reached" dial before it,
    one is recorded.
    """
    require_caller(actor)
    outcome = _text(outcome, "outcome", _("Write down what the customer said."))
    if result not in CallbackResult.values:
        raise ValidationFailed("invalid_result", _("Unknown callback result."), field="result")
    callback = _locked(callback)
    _require_open(callback)
    if callback.request is None and result == CallbackResult.REOPEN:
        raise ValidationFailed(
            "nothing_to_reopen",
            _("This callback follows up no request: register a new request instead."),
            field="result",
        )
    if callback.last_outcome != AttemptOutcome.REACHED:
        record_attempt(callback=callback, outcome=AttemptOutcome.REACHED, actor=actor)
        callback = _locked(callback)
    at = now()
    changed = Callback.objects.filter(pk=callback.pk, status=CallbackStatus.OPEN).update(
        status=CallbackStatus.DONE,
        outcome=outcome,
        result=result,
        next_attempt_at=None,
        done_at=at,
        done_by=actor,
    )
    if changed != 1:
        raise StaleState()
    raised = _act_on_result(callback, result, outcome, actor, request_type, description, unit_id)
    if raised is not None:
        Callback.objects.filter(pk=callback.pk).update(raised_request=raised)
    record_history(
        subject=callback,
        event="callback_done",
        actor=actor,
        old=CallbackStatus.OPEN,
        new=CallbackStatus.DONE,
        note=outcome,
        at=at,
        data={"result": result, "raised_request": raised.number if raised is not None else None},
    )
    callback.refresh_from_db()
    return callback


def _act_on_result(
    callback: Callback,
    result: str,
    outcome: str,
    actor: Any,
    request_type: str,
    description: str,
    unit_id: int | None,
) -> ServiceRequest | None:
    request = ServiceRequest.objects.get(pk=callback.request_id) if callback.request_id else None
    if result == CallbackResult.CLOSE and request is not None:
        _satisfied(request, outcome, actor)
    elif result == CallbackResult.REOPEN and request is not None:
        _not_satisfied(request, outcome, actor)
    elif result == CallbackResult.COMPLAINT:
        return _register_from_callback(
            callback, RequestType.COMPLAINT, description or outcome, unit_id, actor
        )
    elif result == CallbackResult.NEW_REQUEST:
        if request_type == RequestType.COMPLAINT:
            raise ValidationFailed(
                "use_complaint_result", _("Use “Raise a complaint” for a complaint."), field="request_type"
            )
        if request_type == RequestType.SUGGESTION:
            raise ValidationFailed(
                "use_suggestions",
                _("Register a suggestion in the suggestion register."),
                field="request_type",
            )
        if request_type not in RequestType.values:
            raise ValidationFailed(
                "request_type_required", _("Choose the type of the new request."), field="request_type"
            )
        return _register_from_callback(callback, request_type, description or outcome, unit_id, actor)
    return None


def _satisfied(request: ServiceRequest, note: str, actor: Any) -> None:
    if request.type == RequestType.COMPLAINT:
        if request.status == Status.CUSTOMER_NOTIFIED:
            from aftersales.complaints import services as complaint_services

            complaint_services.record_follow_up(request=request, satisfied=True, note=note, actor=actor)
        # A complaint already followed up elsewhere keeps its state.
        return
    if request.status != Status.CLOSED:
        # A request closed automatically before the call was made stays closed.
        request_services.close_request(request=request, actor=actor, note=note)


def _not_satisfied(request: ServiceRequest, note: str, actor: Any) -> None:
    if request.type == RequestType.COMPLAINT:
        from aftersales.complaints import services as complaint_services

        complaint_services.record_follow_up(request=request, satisfied=False, note=note, actor=actor)
        return
    request_services.reopen_request(request=request, actor=actor, note=note)


def _register_from_callback(
    callback: Callback, request_type: str, description: str, unit_id: int | None, actor: Any
) -> ServiceRequest:
    """The complaint or request heard on the callback, registered in one step: the customer and
    the phone come from the callback, the channel is the outbound call."""
    if unit_id is None:
        unit_id = callback.unit_id
    last = callback.attempts.order_by("-number").first()
    registration = request_services.register_request(
        data=request_services.RequestInput(
            type=request_type,
            channel=Channel.OUTBOUND,
            customer_id=callback.customer_id,
            unit_id=unit_id,
            description=description,
            contact_phone=last.phone if last is not None else "",
        ),
        actor=actor,
    )
    return registration.request


# -- promised answers --------------------------------------------------------------------------------
@transaction.atomic
def promise_answer(
    *, callback: Callback, question: str, due_at: dt.datetime | None, actor: Any, owner_id: int | None = None
) -> CallbackPromise:
    """A question the agent cannot answer on the call: the time agreed with the customer for the
    answer is recorded and runs as a clock (escalated by the worker when it passes)."""
    require_caller(actor)
    question = _text(question, "question", _("Write down the customer's question."))
    at = now()
    due_at = _aware_future(due_at, "due_at", at, _("Agree a time for the answer with the customer."))
    owner = _staff_user(owner_id, "owner_id") if owner_id else actor
    callback = _locked(callback)
    _require_open(callback)
    if callback.last_outcome != AttemptOutcome.REACHED:
        raise TransitionRefused(
            "customer_not_on_the_line",
            _("An answer is promised to a customer on the line: record “Reached” first."),
            "outcome",
        )
    promise = CallbackPromise.objects.create(
        callback=callback, question=question, due_at=due_at, owner=owner, created_at=at, created_by=actor
    )
    record_history(
        subject=callback,
        event="answer_promised",
        actor=actor,
        note=question,
        at=at,
        data={"promise": promise.pk, "due_at": due_at.isoformat(), "owner": owner.pk},
    )
    return promise


@transaction.atomic
def answer_promise(*, promise: CallbackPromise, answer: str, actor: Any) -> CallbackPromise:
    """The answer was given to the customer: the promise's clock stops (on time or late)."""
    require_caller(actor)
    answer = _text(answer, "answer", _("Write the answer given to the customer."))
    at = now()
    changed = CallbackPromise.objects.filter(pk=promise.pk, status=PromiseStatus.OPEN).update(
        status=PromiseStatus.ANSWERED, answer=answer, answered_at=at, answered_by=actor
    )
    if changed != 1:
        raise TransitionRefused("promise_answered", _("This question has already been answered."), "status")
    promise.refresh_from_db()
    record_history(
        subject=promise.callback,
        event="promise_answered",
        actor=actor,
        note=answer,
        at=at,
        data={"promise": promise.pk, "on_time": promise.answered_on_time},
    )
    return promise


def overdue_promise_ids(limit: int = 100) -> list[int]:
    return list(
        CallbackPromise.objects.filter(
            status=PromiseStatus.OPEN, escalated_at__isnull=True, due_at__lte=now()
        )
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def escalate_promise(*, promise_id: int) -> bool:
    """The agreed time passed without an answer: the person who owes it and the managers are told.
    Exactly once per promise (a conditional update, and the notification's dedupe key)."""
    at = now()
    changed = CallbackPromise.objects.filter(
        pk=promise_id, status=PromiseStatus.OPEN, escalated_at__isnull=True, due_at__lte=at
    ).update(escalated_at=at)
    if changed != 1:
        return False
    promise = CallbackPromise.objects.select_related("callback__customer", "callback__request", "owner").get(
        pk=promise_id
    )
    managers = get_user_model().objects.filter(is_active=True, groups__name=Role.MANAGER)
    callback = promise.callback
    about = callback.request.number if callback.request is not None else callback.customer.name
    notify(
        recipients=[promise.owner, *managers],
        kind="callback_promise_overdue",
        subject=gettext("The answer promised to %(customer)s (%(about)s) is overdue")
        % {"customer": callback.customer.name, "about": about},
        body=promise.question[:500],
        event_key=f"callback_promise:{promise.pk}:overdue",
        data={"callback": callback.pk, "promise": promise.pk, "due_at": promise.due_at.isoformat()},
    )
    record_history(
        subject=callback,
        event="promise_escalated",
        actor=system_user(),
        note=promise.question,
        at=at,
        data={"promise": promise.pk, "owner": promise.owner_id},
    )
    return True


# -- schedules for installed projects ----------------------------------------------------------------
def _require_assigner(actor: Any) -> None:
    if not has_role(actor, *ASSIGNERS):
        raise PermissionRefused()


@transaction.atomic
def enrol_project(*, unit: Unit, actor: Any, agent_id: int | None = None) -> CallbackSchedule:
    """Start the scheduled callbacks of an installed project; its first one is the first
    occurrence from today on. A project already enrolled keeps its schedule."""
    _require_assigner(actor)
    if not unit.is_installed_project:
        raise ValidationFailed("not_a_project", _("Only installed projects get scheduled callbacks."), "unit")
    if unit.commissioning_date is None:
        raise ValidationFailed(
            "commissioning_date_required", _("Record the project's commissioning date first."), "unit"
        )
    existing = CallbackSchedule.objects.filter(unit=unit).first()
    if existing is not None:
        return existing
    agent = _staff_user(agent_id, "agent_id") if agent_id else None
    at = now()
    try:
        with transaction.atomic():
            schedule = CallbackSchedule.objects.create(
                unit=unit,
                agent=agent,
                next_due_on=first_on_or_after(unit.commissioning_date, conf.schedule_rule(), local_date(at)),
                created_at=at,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        return CallbackSchedule.objects.get(unit=unit)
    record_history(
        subject=schedule,
        event="schedule_started",
        actor=actor,
        new="active",
        at=at,
        data={"unit": unit.serial_number, "next_due_on": schedule.next_due_on.isoformat()},  # type: ignore[union-attr]
    )
    return schedule


def unenrolled_project_ids(limit: int = 100) -> list[int]:
    return list(
        Unit.objects.filter(
            is_installed_project=True, commissioning_date__isnull=False, callback_schedule__isnull=True
        )
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def stop_schedule(*, schedule: CallbackSchedule, reason: str, actor: Any) -> CallbackSchedule:
    """No more scheduled callbacks (the service contract ended, the customer asked not to be called)."""
    _require_assigner(actor)
    reason = _text(reason, "reason", _("A reason is required."))
    if CallbackSchedule.objects.filter(pk=schedule.pk, active=True).update(active=False) != 1:
        raise TransitionRefused("schedule_stopped", _("This schedule is already stopped."), "active")
    record_history(
        subject=schedule, event="schedule_stopped", actor=actor, old="active", new="stopped", note=reason
    )
    schedule.refresh_from_db()
    return schedule


@transaction.atomic
def resume_schedule(*, schedule: CallbackSchedule, actor: Any) -> CallbackSchedule:
    """Scheduled callbacks again, from the next occurrence on (the ones missed are not made up)."""
    _require_assigner(actor)
    unit = schedule.unit
    if unit.commissioning_date is None:
        raise ValidationFailed(
            "commissioning_date_required", _("Record the project's commissioning date first."), "unit"
        )
    next_due = first_on_or_after(unit.commissioning_date, conf.schedule_rule(), local_today())
    if (
        CallbackSchedule.objects.filter(pk=schedule.pk, active=False).update(
            active=True, next_due_on=next_due
        )
        != 1
    ):
        raise TransitionRefused("schedule_active", _("This schedule is already active."), "active")
    record_history(
        subject=schedule,
        event="schedule_resumed",
        actor=actor,
        old="stopped",
        new="active",
        data={"next_due_on": next_due.isoformat()},
    )
    schedule.refresh_from_db()
    return schedule


@transaction.atomic
def assign_schedule(*, schedule: CallbackSchedule, agent_id: int, actor: Any) -> CallbackSchedule:
    """The agent who makes this project's scheduled callbacks from now on."""
    _require_assigner(actor)
    agent = _staff_user(agent_id, "agent_id")
    old = schedule.agent_id
    CallbackSchedule.objects.filter(pk=schedule.pk).update(agent=agent)
    record_history(
        subject=schedule, event="schedule_assigned", actor=actor, data={"from": old, "to": agent.pk}
    )
    schedule.refresh_from_db()
    return schedule


def due_schedule_ids(limit: int = 100) -> list[int]:
    return list(
        CallbackSchedule.objects.filter(active=True, next_due_on__lte=local_today())
        .order_by("next_due_on", "id")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def create_scheduled_callback(*, schedule_id: int) -> Callback | None:
    """The callback of the schedule's latest due occurrence. Idempotent: the schedule is claimed
    with a conditional update of ``next_due_on``, and the occurrence is unique per schedule.

    Occurrences missed while nobody ran the worker are not made up one by one: the latest is
    called, the older ones are recorded as skipped. While the schedule's previous callback is
    still open, the new occurrence is skipped too (the customer gets one call).
    """
    today = local_today()
    qs = CallbackSchedule.objects.select_related("unit").filter(
        pk=schedule_id, active=True, next_due_on__lte=today
    )
    if connection.features.has_select_for_update_skip_locked:
        # Another worker holding the row is creating this callback already.
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    schedule = qs.first()
    if schedule is None:
        return None
    unit = schedule.unit
    commissioning = unit.commissioning_date if unit.is_installed_project else None
    rule = conf.schedule_rule()
    occurrence = latest_on_or_before(commissioning, rule, today) if commissioning else None
    next_due = first_on_or_after(commissioning, rule, today + dt.timedelta(days=1)) if commissioning else None
    already = schedule.last_scheduled_for
    fresh = occurrence is not None and (already is None or occurrence > already)
    changed = CallbackSchedule.objects.filter(pk=schedule.pk, next_due_on=schedule.next_due_on).update(
        next_due_on=next_due, last_scheduled_for=occurrence if fresh else already
    )
    if changed != 1 or not fresh:
        return None
    assert occurrence is not None and commissioning is not None
    # The occurrences from the first one not handled yet up to the one called now were missed.
    skipped = [
        d.isoformat()
        for d in _occurrences_between(commissioning, rule, schedule.next_due_on or occurrence, occurrence)
    ]
    if Callback.objects.filter(schedule=schedule, status=CallbackStatus.OPEN).exists():
        skipped.append(occurrence.isoformat())
        record_history(
            subject=schedule,
            event="occurrences_skipped",
            actor=system_user(),
            note=gettext("The previous scheduled callback is still open."),
            data={"skipped": skipped},
        )
        return None
    if skipped:
        record_history(
            subject=schedule, event="occurrences_skipped", actor=system_user(), data={"skipped": skipped}
        )
    return create_callback(
        kind=CallbackKind.SCHEDULED,
        unit=unit,
        schedule=schedule,
        scheduled_for=occurrence,
        due_at=end_of_local_day(occurrence),
        agent=schedule.agent,
        actor=system_user(),
        reason=gettext("Scheduled callback for project %(serial)s (commissioned %(date)s)")
        % {"serial": unit.serial_number, "date": commissioning.isoformat()},
    )


def _occurrences_between(
    commissioning: dt.date, rule: ScheduleRule, start: dt.date, latest: dt.date
) -> list[dt.date]:
    """Occurrences from ``start`` up to, not including, ``latest`` (the ones a late run skips)."""
    found: list[dt.date] = []
    for day in occurrences(commissioning, rule):
        if day >= latest:
            return found
        if day >= start:
            found.append(day)
    return found  # pragma: no cover
