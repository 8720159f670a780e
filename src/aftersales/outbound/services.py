"""Business actions of outbound campaigns: set up, build the call list, work through it dial by
dial, record outcomes (and survey answers), and register what the customer raises on the call."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.clock import now
from aftersales.core.errors import PermissionRefused, StaleState, TransitionRefused, ValidationFailed
from aftersales.core.history import record_history
from aftersales.core.permissions import Role, has_role
from aftersales.customers.models import Customer, CustomerPhone
from aftersales.service.models import ServiceRequest
from aftersales.service.services import Registration, RequestInput, register_request
from aftersales.service.workflow import Channel, RequestType
from aftersales.surveys.models import Response, Survey
from aftersales.surveys.services import ResponseChannel, ResponseInput, record_response

from .models import (
    UNANSWERED_OUTCOMES,
    CallTarget,
    Campaign,
    CampaignStatus,
    Dial,
    DialRequest,
    Goal,
    Outcome,
    TargetStatus,
)

# The outbound manager runs campaigns; managers and administrators stand in.
MANAGERS = (Role.MANAGER, Role.ADMIN)
CALLERS = (Role.AGENT, Role.MANAGER, Role.ADMIN)
CALL_LIST_MAX = 20_000


def setting(key: str, default: int) -> int:
    conf: dict[str, Any] = settings.AFTERSALES
    return int(conf.get(key, default))


def _require(actor: Any, roles: tuple[str, ...]) -> None:
    if not has_role(actor, *roles):
        raise PermissionRefused()


# -- setting up ---------------------------------------------------------------------------------------
@dataclass
class CampaignInput:
    name: str
    goal: str
    script: str = ""
    survey_id: int | None = None
    agent_ids: list[int] = field(default_factory=list)
    max_attempts: int | None = None
    retry_minutes: int | None = None


def _agents(ids: list[int]) -> list[Any]:
    users = list(get_user_model().objects.filter(pk__in=ids, is_active=True))
    if len(users) != len(set(ids)) or any(not has_role(u, *CALLERS) for u in users):
        raise ValidationFailed(
            "invalid_agent",
            _("Every agent must be an active staff member who makes calls."),
            field="agent_ids",
        )
    return users


@transaction.atomic
def create_campaign(*, data: CampaignInput, actor: Any) -> Campaign:
    _require(actor, MANAGERS)
    if not data.name.strip():
        raise ValidationFailed("name_required", _("Give the campaign a name."), field="name")
    if data.goal not in Goal.values:
        raise ValidationFailed("invalid_goal", _("Unknown campaign goal."), field="goal")
    survey = None
    if data.survey_id is not None:
        survey = Survey.objects.filter(pk=data.survey_id).first()
        if survey is None:
            raise ValidationFailed("unknown_survey", _("Unknown survey."), field="survey_id")
    if data.goal == Goal.SURVEY and survey is None:
        raise ValidationFailed("survey_required", _("A survey campaign needs its survey."), field="survey_id")
    max_attempts = data.max_attempts if data.max_attempts is not None else setting("OUTBOUND_MAX_ATTEMPTS", 3)
    retry_minutes = (
        data.retry_minutes if data.retry_minutes is not None else setting("OUTBOUND_RETRY_MINUTES", 120)
    )
    if max_attempts < 1:
        raise ValidationFailed("invalid_attempts", _("Allow at least one attempt."), field="max_attempts")
    if retry_minutes < 1:
        raise ValidationFailed(
            "invalid_spacing", _("Leave at least a minute between attempts."), field="retry_minutes"
        )
    agents = _agents(data.agent_ids)
    campaign = Campaign.objects.create(
        name=data.name.strip(),
        goal=data.goal,
        script=data.script.strip(),
        survey=survey,
        max_attempts=max_attempts,
        retry_minutes=retry_minutes,
        created_at=now(),
        created_by=actor,
    )
    campaign.agents.set(agents)
    record_history(
        subject=campaign, event="created", actor=actor, note=campaign.name, data={"goal": data.goal}
    )
    return campaign


@transaction.atomic
def set_agents(*, campaign: Campaign, agent_ids: list[int], actor: Any) -> Campaign:
    _require(actor, MANAGERS)
    if campaign.status == CampaignStatus.CLOSED:
        raise TransitionRefused("campaign_closed", _("The campaign is closed."), "status")
    old = sorted(campaign.agents.values_list("pk", flat=True))
    campaign.agents.set(_agents(agent_ids))
    record_history(
        subject=campaign, event="agents", actor=actor, data={"old": old, "new": sorted(set(agent_ids))}
    )
    return campaign


def _move_campaign(campaign: Campaign, frm: str, to: str, actor: Any, **fields: Any) -> Campaign:
    changed = Campaign.objects.filter(pk=campaign.pk, status=frm).update(status=to, **fields)
    if changed != 1:
        raise TransitionRefused(
            "transition_not_allowed",
            _("This action is not allowed while the campaign is “%(status)s”."),
            "status",
            status=campaign.get_status_display(),
        )
    record_history(subject=campaign, event="transition", actor=actor, old=frm, new=to)
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def start_campaign(*, campaign: Campaign, actor: Any) -> Campaign:
    _require(actor, MANAGERS)
    if not campaign.agents.exists():
        raise ValidationFailed("agents_required", _("Give the campaign its agents first."), field="agent_ids")
    if not campaign.targets.exists():
        raise ValidationFailed("list_required", _("Build the call list first."), field="list")
    return _move_campaign(campaign, CampaignStatus.DRAFT, CampaignStatus.ACTIVE, actor, started_at=now())


@transaction.atomic
def close_campaign(*, campaign: Campaign, actor: Any) -> Campaign:
    _require(actor, MANAGERS)
    if Dial.objects.filter(campaign=campaign, ended_at__isnull=True).exists():
        raise TransitionRefused(
            "calls_in_progress", _("Calls are in progress: close after they end."), "status"
        )
    return _move_campaign(campaign, CampaignStatus.ACTIVE, CampaignStatus.CLOSED, actor, closed_at=now())


# -- the call list ------------------------------------------------------------------------------------
@dataclass
class CallListFilter:
    """Who to call: customers by kind, tier and zone, and/or their requests by type, state,
    product category and dates. Request criteria make it a list of requests (one call per
    customer, about their latest matching request)."""

    customer_kind: str | None = None
    tier: str | None = None
    zone_id: int | None = None
    request_types: list[str] = field(default_factory=list)
    request_statuses: list[str] = field(default_factory=list)
    category_id: int | None = None
    received_from: dt.datetime | None = None
    received_to: dt.datetime | None = None
    resolved_from: dt.datetime | None = None
    resolved_to: dt.datetime | None = None
    skip_answered_survey: bool = True
    limit: int = 1000

    @property
    def about_requests(self) -> bool:
        return bool(
            self.request_types
            or self.request_statuses
            or self.category_id
            or self.received_from
            or self.received_to
            or self.resolved_from
            or self.resolved_to
        )


@dataclass
class CallListResult:
    added: int
    already_listed: int
    without_phone: int


def call_list_candidates(campaign: Campaign, f: CallListFilter) -> list[tuple[int, int | None, str]]:
    """(customer id, request id, request contact phone) of everyone the filter selects, in
    calling order, one row per customer."""
    customers = Customer.objects.all()
    if f.customer_kind:
        customers = customers.filter(kind=f.customer_kind)
    if f.tier:
        customers = customers.filter(tier=f.tier)
    if f.zone_id:
        customers = customers.filter(addresses__zone_id=f.zone_id)
    if f.skip_answered_survey and campaign.survey_id:
        customers = customers.exclude(
            pk__in=Response.objects.filter(survey_id=campaign.survey_id).values("customer_id")
        )
    limit = max(1, min(f.limit, CALL_LIST_MAX))
    rows: list[tuple[int, int | None, str]] = []
    seen: set[int] = set()
    if f.about_requests:
        qs = ServiceRequest.objects.filter(customer__in=customers.values("pk"))
        if f.request_types:
            qs = qs.filter(type__in=f.request_types)
        if f.request_statuses:
            qs = qs.filter(status__in=f.request_statuses)
        if f.category_id:
            qs = qs.filter(unit__product_model__category_id=f.category_id)
        if f.received_from:
            qs = qs.filter(received_at__gte=f.received_from)
        if f.received_to:
            qs = qs.filter(received_at__lt=f.received_to)
        if f.resolved_from:
            qs = qs.filter(
                Q(resolved_at__gte=f.resolved_from)
                | Q(resolved_at__isnull=True, closed_at__gte=f.resolved_from)
            )
        if f.resolved_to:
            qs = qs.filter(
                Q(resolved_at__lt=f.resolved_to) | Q(resolved_at__isnull=True, closed_at__lt=f.resolved_to)
            )
        for cid, rid, phone in (
            qs.order_by("-received_at", "-id").values_list("customer_id", "pk", "contact_phone").iterator()
        ):
            if cid not in seen:
                seen.add(cid)
                rows.append((cid, rid, phone))
                if len(rows) >= limit:
                    break
    else:
        for cid in customers.distinct().order_by("pk").values_list("pk", flat=True)[:limit]:
            rows.append((cid, None, ""))
    return rows


def _primary_phones(customer_ids: list[int]) -> dict[int, str]:
    phones: dict[int, str] = {}
    for i in range(0, len(customer_ids), 1000):
        for cid, number in (
            CustomerPhone.objects.filter(customer_id__in=customer_ids[i : i + 1000])
            .order_by("customer_id", "-is_primary", "id")
            .values_list("customer_id", "number")
        ):
            phones.setdefault(cid, number)
    return phones


@transaction.atomic
def build_call_list(*, campaign: Campaign, filters: CallListFilter, actor: Any) -> CallListResult:
    """Add the customers the filter selects to the campaign's list (those already on it stay as they are)."""
    _require(actor, MANAGERS)
    if campaign.status == CampaignStatus.CLOSED:
        raise TransitionRefused("campaign_closed", _("The campaign is closed."), "status")
    rows = call_list_candidates(campaign, filters)
    listed = set(campaign.targets.values_list("customer_id", flat=True))
    phones = _primary_phones([cid for cid, _r, _p in rows])
    at = now()
    new, without_phone, already = [], 0, 0
    for cid, rid, contact_phone in rows:
        if cid in listed:
            already += 1
            continue
        phone = contact_phone or phones.get(cid, "")
        if not phone:
            without_phone += 1
            continue
        new.append(CallTarget(campaign=campaign, customer_id=cid, request_id=rid, phone=phone, added_at=at))
    CallTarget.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    record = {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in asdict(filters).items()}
    # Read under the row lock: two lists built at once must both be recorded.
    recorded = Campaign.objects.select_for_update().values_list("list_filters", flat=True).get(pk=campaign.pk)
    Campaign.objects.filter(pk=campaign.pk).update(list_filters=[*recorded, record])
    campaign.list_filters = [*recorded, record]
    record_history(
        subject=campaign,
        event="call_list",
        actor=actor,
        at=at,
        data={"filters": record, "added": len(new), "already": already, "without_phone": without_phone},
    )
    return CallListResult(added=len(new), already_listed=already, without_phone=without_phone)


# -- calling ------------------------------------------------------------------------------------------
def _may_call(campaign: Campaign, agent: Any) -> None:
    if not has_role(agent, *CALLERS):
        raise PermissionRefused()
    if not has_role(agent, *MANAGERS) and not campaign.agents.filter(pk=agent.pk).exists():
        raise PermissionRefused("not_campaign_agent", _("You are not an agent of this campaign."))


def open_dial(agent: Any) -> Dial | None:
    return (
        Dial.objects.select_related("target__customer", "target__request", "campaign")
        .filter(agent=agent, ended_at__isnull=True)
        .first()
    )


@transaction.atomic
def next_dial(*, campaign: Campaign, agent: Any) -> Dial | None:
    """The agent's call now: the one they are on, else the next due target of this campaign,
    claimed for them (nobody else gets it) with its dial started. None when nothing is due."""
    _may_call(campaign, agent)
    current = open_dial(agent)
    if current is not None:
        if current.campaign_id != campaign.pk:
            raise TransitionRefused(
                "call_in_progress",
                _("Finish your call in campaign “%(name)s” first."),
                None,
                name=current.campaign.name,
            )
        return current
    if campaign.status != CampaignStatus.ACTIVE:
        raise TransitionRefused("campaign_not_active", _("The campaign is not calling."), "status")
    at = now()
    due = (
        CallTarget.objects.filter(campaign=campaign, status__in=[TargetStatus.PENDING, TargetStatus.RETRY])
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=at))
        # Customers who asked for a call at a time come first, then the list in order.
        .order_by(F("next_attempt_at").asc(nulls_last=True), "id")
    )
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True)
    for target_id, status in due.values_list("pk", "status")[:20]:
        # A conditional update: on SQLite (no row locks) two agents may see the same target,
        # but only one of them changes it.
        won = CallTarget.objects.filter(pk=target_id, status=status).update(
            status=TargetStatus.CALLING, claimed_by=agent, claimed_until=at
        )
        if not won:
            continue
        try:
            with transaction.atomic():
                dial = Dial.objects.create(target_id=target_id, campaign=campaign, agent=agent, started_at=at)
        except IntegrityError:
            # The same agent asked twice at once: the other request holds the open call.
            raise StaleState() from None
        return Dial.objects.select_related("target__customer", "target__request", "campaign").get(pk=dial.pk)
    return None


@dataclass
class DialResult:
    outcome: str
    note: str = ""
    callback_at: dt.datetime | None = None
    answers: dict[int, Any] | None = None
    version_id: int | None = None


@transaction.atomic
def finish_dial(*, dial: Dial, result: DialResult, actor: Any) -> Dial:
    """Record the dial's outcome (and the survey answers given on it); the target is done,
    scheduled again, or given up on by the campaign's retry rules."""
    if dial.agent_id != getattr(actor, "pk", None) and not has_role(actor, *MANAGERS):
        raise PermissionRefused()
    if result.outcome not in Outcome.values:
        raise ValidationFailed("invalid_outcome", _("Choose the outcome of the call."), field="outcome")
    at = now()
    if result.outcome == Outcome.CALL_BACK_LATER:
        if result.callback_at is None:
            raise ValidationFailed(
                "callback_time_required", _("When should we call back?"), field="callback_at"
            )
        if result.callback_at <= at:
            raise ValidationFailed(
                "callback_in_past", _("The call-back time must be in the future."), field="callback_at"
            )
    campaign = dial.campaign
    response = None
    if result.answers:
        if result.outcome != Outcome.REACHED:
            raise ValidationFailed(
                "answers_need_reached", _("Answers can only come from a reached customer."), field="outcome"
            )
        if campaign.survey_id is None:
            raise ValidationFailed("no_survey", _("This campaign has no questionnaire."), field="answers")
        response = record_response(
            data=ResponseInput(
                survey_id=campaign.survey_id,
                customer_id=dial.target.customer_id,
                channel=ResponseChannel.PHONE,
                answers=result.answers,
                version_id=result.version_id,
                request_id=dial.target.request_id,
            ),
            actor=actor,
        )
    elif campaign.goal == Goal.SURVEY and result.outcome == Outcome.REACHED:
        raise ValidationFailed(
            "answers_required", _("Record the customer's answers (or choose “Refused”)."), field="answers"
        )
    changed = Dial.objects.filter(pk=dial.pk, ended_at__isnull=True).update(
        ended_at=at,
        outcome=result.outcome,
        note=result.note.strip(),
        callback_at=result.callback_at if result.outcome == Outcome.CALL_BACK_LATER else None,
        response=response,
    )
    if changed != 1:
        raise StaleState()
    target = CallTarget.objects.select_for_update().get(pk=dial.target_id)
    target.attempts += 1
    target.last_outcome = result.outcome
    target.claimed_by = None
    target.claimed_until = None
    if result.outcome in UNANSWERED_OUTCOMES:
        target.unanswered += 1
        if target.unanswered >= campaign.max_attempts:
            target.status, target.done_at, target.next_attempt_at = TargetStatus.FAILED, at, None
        else:
            target.status = TargetStatus.RETRY
            target.next_attempt_at = at + dt.timedelta(minutes=campaign.retry_minutes)
    elif result.outcome == Outcome.CALL_BACK_LATER:
        target.status, target.next_attempt_at = TargetStatus.RETRY, result.callback_at
    elif result.outcome == Outcome.WRONG_NUMBER:
        target.status, target.done_at, target.next_attempt_at = TargetStatus.FAILED, at, None
    else:  # reached or refused: the customer has been spoken to
        target.status, target.done_at, target.next_attempt_at = TargetStatus.DONE, at, None
    target.save()
    record_history(
        subject=target,
        event="dial",
        actor=actor,
        new=target.status,
        note=result.note,
        at=at,
        data={
            "dial": dial.pk,
            "outcome": result.outcome,
            "callback_at": result.callback_at.isoformat() if result.callback_at else None,
            "response": response.pk if response else None,
        },
    )
    dial.refresh_from_db()
    return dial


@transaction.atomic
def release_dial(*, dial: Dial, actor: Any, reason: str) -> Dial:
    """A supervisor frees a call left open (the agent went away): no outcome, the target goes back to the list."""
    _require(actor, MANAGERS)
    if not reason.strip():
        raise ValidationFailed("reason_required", _("A reason is required."), field="reason")
    at = now()
    if Dial.objects.filter(pk=dial.pk, ended_at__isnull=True).update(ended_at=at, note=reason.strip()) != 1:
        raise StaleState()
    target = CallTarget.objects.select_for_update().get(pk=dial.target_id)
    target.status = TargetStatus.RETRY if target.attempts else TargetStatus.PENDING
    target.claimed_by = None
    target.claimed_until = None
    target.save(update_fields=["status", "claimed_by", "claimed_until"])
    record_history(
        subject=target, event="dial_released", actor=actor, note=reason, at=at, data={"dial": dial.pk}
    )
    dial.refresh_from_db()
    return dial


@transaction.atomic
def register_from_dial(
    *,
    dial: Dial,
    type: str,
    description: str,
    actor: Any,
    unit_id: int | None = None,
    priority: str = "normal",
) -> Registration:
    """A complaint or another request heard on the call, registered in one step: the customer,
    phone and channel come from the call, and the request is linked to the dial."""
    if dial.agent_id != getattr(actor, "pk", None) and not has_role(actor, *MANAGERS):
        raise PermissionRefused()
    if type == RequestType.SUGGESTION:
        raise ValidationFailed(
            "use_suggestions", _("Register a suggestion in the suggestion register."), field="type"
        )
    target = dial.target
    reg = register_request(
        data=RequestInput(
            type=type,
            channel=Channel.OUTBOUND,
            customer_id=target.customer_id,
            description=description,
            unit_id=unit_id,
            priority=priority,
            contact_phone=target.phone,
        ),
        actor=actor,
    )
    if not reg.repeat:
        DialRequest.objects.create(dial=dial, request=reg.request)
    record_history(
        subject=target,
        event="request_registered",
        actor=actor,
        note=description,
        data={"dial": dial.pk, "request": reg.request.number, "type": type, "repeat": reg.repeat},
    )
    return reg
