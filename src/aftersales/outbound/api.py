"""Outbound API: campaigns, call lists from a filter, the agent's next call, dial outcomes with
survey answers, requests registered from a call, and seat productivity against the norm."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from aftersales.core.api import ErrorOut, LocalDateTime, Page, paginate
from aftersales.core.clock import local_today
from aftersales.core.permissions import Role, require_role

from . import selectors, services
from .models import Dial

router = Router(tags=["outbound campaigns"])


class CampaignIn(Schema):
    name: str
    goal: str
    script: str = ""
    survey_id: int | None = None
    agent_ids: list[int] = []
    max_attempts: int | None = None
    retry_minutes: int | None = None


class CampaignOut(Schema):
    id: int
    name: str
    goal: str
    status: str
    script: str
    survey_id: int | None
    agent_ids: list[int]
    max_attempts: int
    retry_minutes: int
    created_at: LocalDateTime
    progress: dict


class AgentsIn(Schema):
    agent_ids: list[int]


class CallListIn(Schema):
    customer_kind: str | None = None
    tier: str | None = None
    zone_id: int | None = None
    request_types: list[str] = []
    request_statuses: list[str] = []
    category_id: int | None = None
    received_from: dt.datetime | None = None
    received_to: dt.datetime | None = None
    resolved_from: dt.datetime | None = None
    resolved_to: dt.datetime | None = None
    skip_answered_survey: bool = True
    limit: int = 1000


class CallListOut(Schema):
    added: int
    already_listed: int
    without_phone: int


class TargetOut(Schema):
    id: int
    customer_id: int
    customer: str
    phone: str
    request_number: str | None
    status: str
    attempts: int
    unanswered: int
    next_attempt_at: LocalDateTime | None
    last_outcome: str


class DialOut(Schema):
    id: int
    campaign_id: int
    target: TargetOut
    agent: str
    started_at: LocalDateTime
    ended_at: LocalDateTime | None
    outcome: str
    callback_at: LocalDateTime | None
    note: str
    response_id: int | None
    survey_id: int | None
    registered_requests: list[str]


class FinishIn(Schema):
    outcome: str
    note: str = ""
    callback_at: dt.datetime | None = None
    answers: dict[int, Any] | None = None
    version_id: int | None = None


class RegisterIn(Schema):
    type: str
    description: str
    unit_id: int | None = None
    priority: str = "normal"


class ReasonIn(Schema):
    reason: str


class SeatDayOut(Schema):
    agent_id: int
    agent: str
    day: str
    dials: int
    successes: int
    standing: str
    hint: str


class ProductivityOut(Schema):
    norm: dict
    days: list[SeatDayOut]
    summary: dict | None


def _campaign(c: Any) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "goal": c.goal,
        "status": c.status,
        "script": c.script,
        "survey_id": c.survey_id,
        "agent_ids": sorted(c.agents.values_list("pk", flat=True)),
        "max_attempts": c.max_attempts,
        "retry_minutes": c.retry_minutes,
        "created_at": c.created_at,
        "progress": selectors.progress(c),
    }


def _target(t: Any) -> dict[str, Any]:
    return {
        "id": t.pk,
        "customer_id": t.customer_id,
        "customer": t.customer.name,
        "phone": t.phone,
        "request_number": t.request.number if t.request_id else None,
        "status": t.status,
        "attempts": t.attempts,
        "unanswered": t.unanswered,
        "next_attempt_at": t.next_attempt_at,
        "last_outcome": t.last_outcome,
    }


def _dial(d: Dial) -> dict[str, Any]:
    return {
        "id": d.pk,
        "campaign_id": d.campaign_id,
        "target": _target(d.target),
        "agent": d.agent.get_username(),
        "started_at": d.started_at,
        "ended_at": d.ended_at,
        "outcome": d.outcome,
        "callback_at": d.callback_at,
        "note": d.note,
        "response_id": d.response_id,
        "survey_id": d.campaign.survey_id,
        "registered_requests": [r.request.number for r in d.registered.select_related("request")],
    }


@router.get("/campaigns", response=list[CampaignOut])
def list_campaigns(request: HttpRequest) -> Any:
    return [_campaign(c) for c in selectors.visible_campaigns(request.user)]


@router.post("/campaigns", response={201: CampaignOut, 403: ErrorOut, 422: ErrorOut})
def create_campaign(request: HttpRequest, data: CampaignIn) -> Any:
    c = services.create_campaign(data=services.CampaignInput(**data.dict()), actor=request.user)
    return Status(201, _campaign(c))


@router.get("/campaigns/{campaign_id}", response={200: CampaignOut, 404: ErrorOut})
def get_campaign(request: HttpRequest, campaign_id: int) -> Any:
    return _campaign(selectors.access_campaign(request.user, campaign_id))


@router.post(
    "/campaigns/{campaign_id}/agents",
    response={200: CampaignOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def set_agents(request: HttpRequest, campaign_id: int, data: AgentsIn) -> Any:
    c = selectors.access_campaign(request.user, campaign_id)
    return _campaign(services.set_agents(campaign=c, agent_ids=data.agent_ids, actor=request.user))


@router.post(
    "/campaigns/{campaign_id}/call-list",
    response={200: CallListOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def build_call_list(request: HttpRequest, campaign_id: int, data: CallListIn) -> Any:
    """Add the customers a filter over customers and their requests selects."""
    c = selectors.access_campaign(request.user, campaign_id)
    result = services.build_call_list(
        campaign=c, filters=services.CallListFilter(**data.dict()), actor=request.user
    )
    return result.__dict__


@router.get("/campaigns/{campaign_id}/targets", response={200: Page[TargetOut], 404: ErrorOut})
def list_targets(
    request: HttpRequest, campaign_id: int, status: str | None = None, page: int = 1, page_size: int = 50
) -> Any:
    c = selectors.access_campaign(request.user, campaign_id)
    conf: dict[str, Any] = settings.AFTERSALES
    result = paginate(selectors.targets(c, status), page, page_size, conf["PAGE_SIZE_MAX"])
    result["items"] = [_target(t) for t in result["items"]]
    return result


@router.post(
    "/campaigns/{campaign_id}/start",
    response={200: CampaignOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def start(request: HttpRequest, campaign_id: int) -> Any:
    c = selectors.access_campaign(request.user, campaign_id)
    return _campaign(services.start_campaign(campaign=c, actor=request.user))


@router.post(
    "/campaigns/{campaign_id}/close", response={200: CampaignOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
)
def close(request: HttpRequest, campaign_id: int) -> Any:
    c = selectors.access_campaign(request.user, campaign_id)
    return _campaign(services.close_campaign(campaign=c, actor=request.user))


@router.post(
    "/campaigns/{campaign_id}/next",
    response={200: DialOut, 204: None, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def next_call(request: HttpRequest, campaign_id: int) -> Any:
    """The call the agent is on, or the next due customer claimed for them with the dial started;
    204 when nobody is due."""
    c = selectors.access_campaign(request.user, campaign_id)
    dial = services.next_dial(campaign=c, agent=request.user)
    if dial is None:
        return Status(204, None)
    return _dial(dial)


@router.get("/dials/{dial_id}", response={200: DialOut, 404: ErrorOut})
def get_dial(request: HttpRequest, dial_id: int) -> Any:
    return _dial(selectors.access_dial(request.user, dial_id))


@router.post(
    "/dials/{dial_id}/finish",
    response={200: DialOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def finish(request: HttpRequest, dial_id: int, data: FinishIn) -> Any:
    """The outcome (reached, no_answer, busy, wrong_number, refused, call_back_later with callback_at)
    and, when reached on a survey campaign, the answers {question id: value}."""
    d = selectors.access_dial(request.user, dial_id)
    services.finish_dial(dial=d, result=services.DialResult(**data.dict()), actor=request.user)
    return _dial(selectors.access_dial(request.user, dial_id))


@router.post(
    "/dials/{dial_id}/register", response={201: dict, 200: dict, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def register(request: HttpRequest, dial_id: int, data: RegisterIn) -> Any:
    """Register a complaint or request the customer raised on this call, in one step."""
    d = selectors.access_dial(request.user, dial_id)
    reg = services.register_from_dial(
        dial=d,
        type=data.type,
        description=data.description,
        unit_id=data.unit_id,
        priority=data.priority,
        actor=request.user,
    )
    return Status(
        200 if reg.repeat else 201,
        {"number": reg.request.number, "type": reg.request.type, "repeat": reg.repeat},
    )


@router.post(
    "/dials/{dial_id}/release",
    response={200: DialOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def release(request: HttpRequest, dial_id: int, data: ReasonIn) -> Any:
    d = selectors.access_dial(request.user, dial_id)
    services.release_dial(dial=d, reason=data.reason, actor=request.user)
    return _dial(selectors.access_dial(request.user, dial_id))


@router.get("/productivity", response={200: ProductivityOut, 403: ErrorOut})
def productivity(
    request: HttpRequest,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    agent_id: int | None = None,
    campaign_id: int | None = None,
) -> Any:
    """Dials and successful dials per seat and day against the norm, with the hint when outside it."""
    require_role(request.user, Role.MANAGER, Role.ADMIN, Role.QUALITY)
    date_to = date_to or local_today()
    date_from = date_from or date_to - dt.timedelta(days=6)
    campaign = selectors.access_campaign(request.user, campaign_id) if campaign_id else None
    days = selectors.seat_days(
        date_from=date_from, date_to=date_to, agent_ids=[agent_id] if agent_id else None, campaign=campaign
    )
    return {
        "norm": selectors.norm().__dict__,
        "days": [d.as_dict() for d in days],
        "summary": selectors.campaign_hint(days),
    }
