"""Service requests API: intake, read, list, and one endpoint per workflow action."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja.responses import Status

from aftersales.catalog.selectors import warranty_payload
from aftersales.core.api import ErrorOut, LocalDateTime, Page, paginate
from aftersales.core.conf import rule
from aftersales.core.errors import TransitionRefused, ValidationFailed
from aftersales.core.permissions import Role, require_role, roles_of
from aftersales.customers.api import CustomerIn, to_input

from . import selectors, services
from .models import ServiceRequest
from .sla_services import pause_clocks, resume_clocks, sla_payload
from .workflow import FIELD_TYPES, available_actions

router = Router(tags=["service requests"])
REGISTRARS = (Role.AGENT, Role.DISPATCHER, Role.MANAGER, Role.ADMIN, Role.CUSTOMER)


class InlineUnitIn(Schema):
    serial_number: str
    product_model_id: int | None = None
    product_model: str = ""
    purchase_date: dt.date | None = None
    delivery_date: dt.date | None = None
    invoice_number: str = ""
    price_paid: Decimal | None = None
    store: str = ""


class RequestIn(Schema):
    type: str
    channel: str = "api"
    priority: str = "normal"
    description: str
    customer_id: int | None = None
    customer: CustomerIn | None = None
    unit_id: int | None = None
    unit: InlineUnitIn | None = None
    address_id: int | None = None
    received_at: dt.datetime | None = None
    contact_phone: str = ""
    answer: str = ""


class PersonOut(Schema):
    id: int
    username: str
    name: str


class CustomerRef(Schema):
    id: int
    name: str


class UnitRef(Schema):
    id: int
    serial_number: str
    model: str


class WarrantyRef(Schema):
    status: str
    reason: str


class HistoryOut(Schema):
    at: LocalDateTime
    event: str
    old_state: str
    new_state: str
    actor: str | None
    note: str
    data: dict[str, Any]


class ClockOut(Schema):
    label: str
    policy: str
    basis: str
    target_seconds: int
    started_at: LocalDateTime
    due_at: LocalDateTime | None
    state: str
    paused_seconds: int
    met_at: LocalDateTime | None
    margin_seconds: int
    escalation_level: int


class RequestOut(Schema):
    number: str
    type: str
    channel: str
    priority: str
    status: str
    status_label: str
    customer: CustomerRef
    unit: UnitRef | None
    zone: str | None
    description: str
    answer: str
    contact_phone: str
    received_at: LocalDateTime
    registered_at: LocalDateTime
    resolved_at: LocalDateTime | None
    closed_at: LocalDateTime | None
    owner: PersonOut
    assignee: PersonOut | None
    warranty: WarrantyRef | None
    repeat_contacts: int
    first_contact_resolution: bool
    reopen_count: int
    sla: dict[str, ClockOut | str]


class RequestDetailOut(RequestOut):
    actions: list[str]
    history: list[HistoryOut]


class RegistrationOut(RequestOut):
    repeat: bool


def person_payload(user: Any) -> dict[str, Any] | None:
    """A staff member as the API shows them."""
    if user is None:
        return None
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": user.get_full_name() or user.get_username(),
    }


def request_payload(sr: ServiceRequest, clocks: list[Any] | None = None) -> dict[str, Any]:
    return {
        "number": sr.number,
        "type": sr.type,
        "channel": sr.channel,
        "priority": sr.priority,
        "status": sr.status,
        "status_label": str(sr.get_status_display()),
        "customer": {"id": sr.customer_id, "name": sr.customer.name},
        "unit": (
            {"id": sr.unit.pk, "serial_number": sr.unit.serial_number, "model": sr.unit.product_model.code}
            if sr.unit
            else None
        ),
        "zone": sr.zone.code if sr.zone else None,
        "description": sr.description,
        "answer": sr.answer,
        "contact_phone": sr.contact_phone,
        "received_at": sr.received_at,
        "registered_at": sr.registered_at,
        "resolved_at": sr.resolved_at,
        "closed_at": sr.closed_at,
        "owner": person_payload(sr.owner),
        "assignee": person_payload(sr.assignee),
        "warranty": ({"status": sr.warranty_status, "reason": sr.warranty_reason} if sr.unit else None),
        "repeat_contacts": sr.repeat_contacts,
        "first_contact_resolution": sr.first_contact_resolution,
        "reopen_count": sr.reopen_count,
        "sla": sla_payload(sr, clocks=clocks),
    }


def detail_payload(user: Any, sr: ServiceRequest) -> dict[str, Any]:
    payload = request_payload(sr)
    payload["actions"] = available_actions(sr, roles_of(user))
    payload["history"] = history_payload(selectors.timeline(sr))
    return payload


def history_payload(entries: Any) -> list[dict[str, Any]]:
    """History entries as the API shows them."""
    return [
        {
            "at": h.at,
            "event": h.event,
            "old_state": h.old_state,
            "new_state": h.new_state,
            "actor": h.actor.get_username() if h.actor else None,
            "note": h.note,
            "data": h.data,
        }
        for h in entries
    ]


@router.post("", response={201: RegistrationOut, 200: RegistrationOut, 403: ErrorOut, 422: ErrorOut})
def create_request(request: HttpRequest, payload: RequestIn) -> Any:
    """Register a request. An open request of the same type for the same customer and unit is
    returned instead (HTTP 200, ``repeat: true``)."""
    require_role(request.user, *REGISTRARS)
    if payload.customer_id is None and payload.customer is None:
        raise ValidationFailed(
            "customer_required", _("Give the customer: customer_id or an inline customer."), field="customer"
        )
    data = services.RequestInput(
        type=payload.type,
        channel=payload.channel,
        customer_id=payload.customer_id or 0,
        description=payload.description,
        unit_id=payload.unit_id,
        address_id=payload.address_id,
        priority=payload.priority,
        received_at=payload.received_at,
        contact_phone=payload.contact_phone,
        answer=payload.answer,
    )
    unit = None
    if payload.unit is not None:
        u = payload.unit
        unit = services.InlineUnit(
            serial_number=u.serial_number,
            product_model_id=u.product_model_id,
            product_model_code=u.product_model,
            purchase_date=u.purchase_date,
            delivery_date=u.delivery_date,
            invoice_number=u.invoice_number,
            price_paid=u.price_paid,
            store=u.store,
        )
    reg = services.intake_request(
        data=data,
        actor=request.user,
        customer=to_input(payload.customer) if payload.customer is not None else None,
        unit=unit,
    )
    # The registering user may always see what they registered: no second lookup needed.
    sr = reg.request
    return Status(200 if reg.repeat else 201, {**request_payload(sr, reg.clocks), "repeat": reg.repeat})


@router.get("", response=Page[RequestOut])
def list_requests(
    request: HttpRequest,
    type: str | None = None,
    status: str | None = None,
    owner_id: int | None = None,
    assignee_id: int | None = None,
    zone: str | None = None,
    customer_id: int | None = None,
    received_from: dt.datetime | None = None,
    received_to: dt.datetime | None = None,
    is_open: bool | None = None,
    q: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Any:
    qs = selectors.filter_requests(
        request.user,
        selectors.RequestFilters(
            type=type,
            status=status,
            owner_id=owner_id,
            assignee_id=assignee_id,
            customer_id=customer_id,
            received_from=received_from,
            received_to=received_to,
            is_open=is_open,
            q=q,
        ),
    )
    if zone:
        qs = qs.filter(zone__code=zone)
    result = paginate(qs, page, page_size, rule("PAGE_SIZE_MAX"))
    result["items"] = [request_payload(sr) for sr in result["items"]]
    return result


@router.get("/{number}", response={200: RequestDetailOut, 404: ErrorOut})
def get_request(request: HttpRequest, number: str) -> Any:
    return detail_payload(request.user, selectors.access_request(request.user, number))


@router.get("/{number}/warranty", response={200: dict, 404: ErrorOut})
def get_request_warranty(request: HttpRequest, number: str) -> Any:
    """The live warranty decision of the request's unit today (the request keeps the one at intake)."""
    sr = selectors.access_request(request.user, number)
    if sr.unit is None:
        return {}
    return warranty_payload(sr.unit)


class NoteIn(Schema):
    note: str = ""


class AssignIn(NoteIn):
    assignee_id: int


class ScheduleIn(NoteIn):
    appointment_start: dt.datetime
    appointment_end: dt.datetime


class AnswerIn(Schema):
    answer: str


class HandoverIn(Schema):
    to_user_id: int
    reason: str


ACTION_RESPONSES = {200: RequestDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# Field work moves through its work order (certification, appointment, consent, signature):
# the dispatch endpoints make these moves for delivery, installation, repair and maintenance.
FIELD_WORK_ACTIONS = {"assign", "schedule", "start", "wait_parts", "carry_back", "resume", "resolve"}


def _act(request: HttpRequest, number: str, action: str, **kwargs: Any) -> Any:
    sr = selectors.access_request(request.user, number)
    if action in FIELD_WORK_ACTIONS and sr.type in FIELD_TYPES:
        raise TransitionRefused(
            "use_work_order",
            _("Field work moves through its work order: use the dispatch endpoints (/api/v1/dispatch/)."),
            "status",
        )
    services.ACTION_SERVICES[action](request=sr, actor=request.user, **kwargs)
    return detail_payload(request.user, selectors.access_request(request.user, number))


@router.post("/{number}/assign", response=ACTION_RESPONSES)
def assign(request: HttpRequest, number: str, payload: AssignIn) -> Any:
    return _act(request, number, "assign", assignee_id=payload.assignee_id, note=payload.note)


@router.post("/{number}/schedule", response=ACTION_RESPONSES)
def schedule(request: HttpRequest, number: str, payload: ScheduleIn) -> Any:
    return _act(
        request,
        number,
        "schedule",
        appointment_start=payload.appointment_start,
        appointment_end=payload.appointment_end,
        note=payload.note,
    )


@router.post("/{number}/start", response=ACTION_RESPONSES)
def start(request: HttpRequest, number: str, payload: NoteIn) -> Any:
    return _act(request, number, "start", note=payload.note)


@router.post("/{number}/wait-parts", response=ACTION_RESPONSES)
def wait_parts(request: HttpRequest, number: str, payload: NoteIn) -> Any:
    return _act(request, number, "wait_parts", note=payload.note)


@router.post("/{number}/carry-back", response=ACTION_RESPONSES)
def carry_back(request: HttpRequest, number: str, payload: NoteIn) -> Any:
    return _act(request, number, "carry_back", note=payload.note)


@router.post("/{number}/resume", response=ACTION_RESPONSES)
def resume(request: HttpRequest, number: str, payload: NoteIn) -> Any:
    return _act(request, number, "resume", note=payload.note)


@router.post("/{number}/resolve", response=ACTION_RESPONSES)
def resolve(request: HttpRequest, number: str, payload: NoteIn) -> Any:
    return _act(request, number, "resolve", note=payload.note)


@router.post("/{number}/close", response=ACTION_RESPONSES)
def close(request: HttpRequest, number: str, payload: NoteIn) -> Any:
    return _act(request, number, "close", note=payload.note)


@router.post("/{number}/reopen", response=ACTION_RESPONSES)
def reopen(request: HttpRequest, number: str, payload: NoteIn) -> Any:
    return _act(request, number, "reopen", note=payload.note)


@router.post("/{number}/cancel", response=ACTION_RESPONSES)
def cancel(request: HttpRequest, number: str, payload: NoteIn) -> Any:
    return _act(request, number, "cancel", note=payload.note)


@router.post("/{number}/answer", response=ACTION_RESPONSES)
def answer(request: HttpRequest, number: str, payload: AnswerIn) -> Any:
    return _act(request, number, "answer", answer=payload.answer)


@router.post("/{number}/handover", response=ACTION_RESPONSES)
def handover(request: HttpRequest, number: str, payload: HandoverIn) -> Any:
    sr = selectors.access_request(request.user, number)
    services.hand_over_request(
        request=sr, to_user_id=payload.to_user_id, reason=payload.reason, actor=request.user
    )
    return detail_payload(request.user, selectors.access_request(request.user, number))


class ReasonIn(Schema):
    reason: str


@router.post("/{number}/pause-clocks", response=ACTION_RESPONSES)
def pause(request: HttpRequest, number: str, payload: ReasonIn) -> Any:
    """The request waits on the customer (not at home, confirmation pending): its clocks stop."""
    sr = selectors.access_request(request.user, number)
    require_role(request.user, Role.AGENT, Role.DISPATCHER, Role.TECHNICIAN, Role.MANAGER, Role.ADMIN)
    pause_clocks(request=sr, reason=payload.reason, actor=request.user)
    return detail_payload(request.user, selectors.access_request(request.user, number))


@router.post("/{number}/resume-clocks", response=ACTION_RESPONSES)
def resume_sla(request: HttpRequest, number: str) -> Any:
    sr = selectors.access_request(request.user, number)
    require_role(request.user, Role.AGENT, Role.DISPATCHER, Role.TECHNICIAN, Role.MANAGER, Role.ADMIN)
    resume_clocks(request=sr, actor=request.user)
    return detail_payload(request.user, selectors.access_request(request.user, number))


class ReassignIn(Schema):
    assignee_id: int
    reason: str


@router.post("/{number}/reassign", response=ACTION_RESPONSES)
def reassign(request: HttpRequest, number: str, payload: ReassignIn) -> Any:
    sr = selectors.access_request(request.user, number)
    services.reassign_request(
        request=sr, assignee_id=payload.assignee_id, reason=payload.reason, actor=request.user
    )
    return detail_payload(request.user, selectors.access_request(request.user, number))
