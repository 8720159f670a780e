"""Business actions on service requests: register, hand over, and one function per workflow action.

Each runs in one transaction, checks the workflow, changes the row with a
conditional update (so two people acting at once cannot both win, on SQLite as
on PostgreSQL), and writes its history entry.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Unit
from aftersales.catalog.selectors import warranty_decision, warranty_snapshot
from aftersales.core.clock import local_date, now
from aftersales.core.conf import rule
from aftersales.core.errors import (
    DomainError,
    PermissionRefused,
    StaleState,
    TransitionRefused,
    ValidationFailed,
)
from aftersales.core.history import record_history
from aftersales.core.numbering import number_row
from aftersales.core.permissions import Role, has_role, roles_of
from aftersales.core.phones import InvalidPhone, parse_phone
from aftersales.customers.models import Address, Customer

from .models import Attachment, Rating, ServiceRequest
from .sla_services import on_transition, start_clocks_on_registration
from .workflow import (
    Channel,
    MoveContext,
    Priority,
    RequestType,
    Status,
    check_move,
    is_open_state,
)

NUMBER_SCOPE = "SR"
# A registration may say the request arrived a little in the future when the agent's
# clock is ahead; more than this is a typing error.
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass
class RequestInput:
    type: str
    channel: str
    customer_id: int
    description: str
    unit_id: int | None = None
    address_id: int | None = None
    priority: str = Priority.NORMAL
    received_at: dt.datetime | None = None
    contact_phone: str = ""
    # A consultation answered while the customer is still on the line (first-contact resolution).
    answer: str = ""


@dataclass
class Registration:
    request: ServiceRequest
    repeat: bool  # True: an open request already existed and was returned instead
    clocks: list[Any] | None = None  # the clocks started by this registration, in start order


def _refuse(refusal: Any, **params: Any) -> DomainError:
    if refusal.code == "forbidden":
        return PermissionRefused(refusal.code, refusal.message, refusal.field)
    return TransitionRefused(refusal.code, refusal.message, refusal.field, **params)


def _validate_request(data: RequestInput, at: dt.datetime) -> tuple[Customer, Unit | None, Address | None]:
    if data.type not in RequestType.values:
        raise ValidationFailed("invalid_type", _("Unknown request type."), field="type")
    if data.channel not in Channel.values:
        raise ValidationFailed("invalid_channel", _("Unknown channel."), field="channel")
    if data.priority not in Priority.values:
        raise ValidationFailed("invalid_priority", _("Unknown priority."), field="priority")
    if not data.description.strip():
        raise ValidationFailed(
            "description_required",
            _("Describe the request (for a repair: the fault as the customer tells it)."),
            field="description",
        )
    if data.received_at is not None:
        if data.received_at.tzinfo is None:
            raise ValidationFailed("naive_time", _("The time needs a time zone."), field="received_at")
        if data.received_at > at + CLOCK_SKEW:
            raise ValidationFailed(
                "received_in_future", _("The received time cannot be in the future."), field="received_at"
            )
    if data.contact_phone:
        try:
            parse_phone(data.contact_phone)
        except InvalidPhone:
            raise ValidationFailed(
                "invalid_phone",
                _("“%(phone)s” is not a valid Chinese phone number."),
                field="contact_phone",
                phone=data.contact_phone,
            ) from None
    unit = None
    if data.unit_id is not None:
        # One query brings the unit, its owner and its warranty terms.
        try:
            unit = Unit.objects.select_related("customer", "product_model__category").get(pk=data.unit_id)
        except Unit.DoesNotExist:
            unit = None
    if unit is not None and unit.customer_id == data.customer_id:
        customer = unit.customer
    else:
        found = Customer.objects.filter(pk=data.customer_id).first()
        if found is None:
            raise ValidationFailed("unknown_customer", _("Unknown customer."), field="customer_id")
        customer = found
        if data.unit_id is not None and unit is None:
            raise ValidationFailed("unknown_unit", _("Unknown unit."), field="unit_id")
        if unit is not None:
            raise ValidationFailed(
                "unit_of_other_customer", _("This unit belongs to another customer."), field="unit_id"
            )
    if data.type in (RequestType.REPAIR, RequestType.INSTALLATION, RequestType.MAINTENANCE) and unit is None:
        raise ValidationFailed(
            "unit_required", _("A repair, installation or maintenance needs the unit."), field="unit_id"
        )
    # A customer has a few addresses: the default one (else the first) is picked here.
    addresses = sorted(
        Address.objects.select_related("zone").filter(customer=customer),
        key=lambda a: (not a.is_default, a.pk),
    )
    if data.address_id is not None:
        address = next((a for a in addresses if a.pk == data.address_id), None)
        if address is None:
            raise ValidationFailed(
                "unknown_address", _("Unknown address for this customer."), field="address_id"
            )
    else:
        address = addresses[0] if addresses else None
    return customer, unit, address


def _provisional_number() -> str:
    """A unique placeholder until the day's number is drawn at the end of the transaction."""
    return "~" + uuid.uuid4().hex[:20]


def _open_request_for(data: RequestInput) -> ServiceRequest | None:
    if data.unit_id is None:
        return None
    return ServiceRequest.objects.filter(
        type=data.type, customer_id=data.customer_id, unit_id=data.unit_id, is_open=True
    ).first()


def _mark_repeat(existing: ServiceRequest, actor: Any, data: RequestInput) -> Registration:
    ServiceRequest.objects.filter(pk=existing.pk).update(
        repeat_contacts=F("repeat_contacts") + 1, updated_at=now()
    )
    existing.refresh_from_db()
    record_history(
        subject=existing,
        event="repeat_contact",
        actor=actor,
        old=existing.status,
        new=existing.status,
        note=data.description,
        data={"channel": data.channel},
    )
    return Registration(existing, repeat=True)


def default_owner() -> Any:
    """The least-loaded active agent: owner of a request a customer registered themselves."""
    user_model = get_user_model()
    owner = (
        user_model.objects.filter(is_active=True, groups__name=Role.AGENT)
        .annotate(load=Count("owned_requests", filter=Q(owned_requests__is_open=True)))
        .order_by("load", "id")
        .first()
    )
    if owner is None:
        raise DomainError("no_agent", _("No customer service agent is available to own this request."))
    return owner


@transaction.atomic
def register_request(*, data: RequestInput, actor: Any) -> Registration:
    """Register a request (受理). The registering staff member owns it (首问负责制).

    A second contact about the same customer, unit and type while a request is open
    returns that request, marked as a repeat contact, instead of creating another.
    """
    return _register(data, actor)


def _register(data: RequestInput, actor: Any) -> Registration:
    """``register_request`` inside a transaction the caller holds."""
    at = now()
    customer, unit, address = _validate_request(data, at)
    is_customer = has_role(actor, Role.CUSTOMER)
    if is_customer and getattr(customer, "portal_user_id", None) != actor.pk:
        raise PermissionRefused()

    received_at = data.received_at or at
    warranty: dict[str, Any] = {}
    if unit is not None:
        decision = warranty_decision(unit, on=local_date(received_at))
        warranty = warranty_snapshot(decision, unit.product_model.category.warranty_months)
    owner = default_owner() if is_customer or not getattr(actor, "is_authenticated", False) else actor
    answered = data.type == RequestType.CONSULTATION and bool(data.answer.strip())
    status = Status.ANSWERED if answered else Status.NEW
    try:
        # The partial unique index (one open request per type, customer and unit) decides
        # whether this is a repeat contact, also when two agents register at the same instant.
        with transaction.atomic():
            request = ServiceRequest.objects.create(
                number=_provisional_number(),
                type=data.type,
                channel=data.channel,
                priority=data.priority,
                status=status,
                is_open=is_open_state(status),
                customer=customer,
                unit=unit,
                address=address,
                zone=address.zone if address else None,
                contact_phone=parse_phone(data.contact_phone).number if data.contact_phone else "",
                description=data.description.strip(),
                answer=data.answer.strip(),
                received_at=received_at,
                registered_at=at,
                updated_at=at,
                owner=owner,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                warranty=warranty,
                first_contact_resolution=answered,
            )
    except IntegrityError:
        existing = _open_request_for(data)
        if existing is None:
            raise
        return _mark_repeat(existing, actor, data)
    record_history(
        subject=request,
        event="registered",
        actor=actor,
        new=Status.NEW,
        note=request.description,
        at=at,
        data={"channel": data.channel, "owner": owner.pk},
    )
    if answered:
        record_history(
            subject=request,
            event="transition",
            actor=actor,
            old=Status.NEW,
            new=Status.ANSWERED,
            note=request.answer,
            at=at,
            data={"action": "answer", "first_contact": True},
        )
    clocks = start_clocks_on_registration(request)
    # The day's counter is taken last, so its row lock is held only until the commit that
    # follows: concurrent registrations queue for a moment, not for the whole registration.
    number_row(request, NUMBER_SCOPE, at)
    return Registration(request, repeat=False, clocks=clocks)


def _move(
    request: ServiceRequest,
    action: str,
    *,
    actor: Any,
    note: str = "",
    changes: dict[str, Any] | None = None,
    assignee_is_technician: bool | None = None,
    data: dict[str, Any] | None = None,
) -> ServiceRequest:
    at = now()
    ctx = MoveContext(
        actor_roles=roles_of(actor),
        actor_id=getattr(actor, "pk", None),
        now=at,
        note=note,
        rework_window_days=rule("REWORK_WINDOW_DAYS"),
        assignee_is_technician=assignee_is_technician,
    )
    target, refusal = check_move(request, action, ctx)
    if refusal is not None:
        raise _refuse(refusal, status=request.get_status_display())
    assert target is not None
    fields: dict[str, Any] = {"status": target, "is_open": is_open_state(target), "updated_at": at}
    fields.update(changes or {})
    old = request.status
    try:
        with transaction.atomic():
            changed = ServiceRequest.objects.filter(pk=request.pk, status=old).update(**fields)
    except IntegrityError:
        # Reopening while a newer request for the same unit is open would give two open ones.
        raise TransitionRefused(
            "open_request_exists", _("Another open request of this type exists for this unit."), None
        ) from None
    if changed != 1:
        raise StaleState()
    record_history(
        subject=request,
        event="transition",
        actor=actor,
        old=old,
        new=target,
        note=note,
        at=at,
        data={"action": action, **(data or {})},
    )
    on_transition(request, action, at)
    request.refresh_from_db()
    return request


@transaction.atomic
def move_request(
    *,
    request: ServiceRequest,
    action: str,
    actor: Any,
    note: str = "",
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> ServiceRequest:
    """One move of a flow another app registered (complaint, return, suggestion): the same
    checks, conditional update and history as every other move."""
    return _move(request, action, actor=actor, note=note, changes=changes, data=data)


def _user(user_id: int | None) -> Any:
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


@transaction.atomic
def assign_request(
    *, request: ServiceRequest, assignee_id: int | None, actor: Any, note: str = ""
) -> ServiceRequest:
    assignee = _user(assignee_id)
    is_tech = assignee is not None and has_role(assignee, Role.TECHNICIAN)
    return _move(
        request,
        "assign",
        actor=actor,
        note=note,
        changes={"assignee": assignee},
        assignee_is_technician=is_tech,
        data={"assignee": assignee_id},
    )


@transaction.atomic
def reassign_request(*, request: ServiceRequest, assignee_id: int, reason: str, actor: Any) -> ServiceRequest:
    """Give an assigned or scheduled job to another technician, with the reason."""
    if not reason.strip():
        raise ValidationFailed("reason_required", _("A reason is required."), field="reason")
    if not has_role(actor, Role.DISPATCHER, Role.MANAGER, Role.ADMIN):
        raise PermissionRefused()
    if request.status not in (Status.ASSIGNED, Status.SCHEDULED):
        raise TransitionRefused(
            "transition_not_allowed",
            _("This action is not allowed while the request is “%(status)s”."),
            "status",
            status=request.get_status_display(),
        )
    assignee = _user(assignee_id)
    if assignee is None or not has_role(assignee, Role.TECHNICIAN):
        raise TransitionRefused("technician_required", _("Choose a technician to assign."), "assignee")
    old = request.assignee_id
    changed = ServiceRequest.objects.filter(pk=request.pk, status=request.status, assignee_id=old).update(
        assignee=assignee, updated_at=now()
    )
    if changed != 1:
        raise StaleState()
    record_history(
        subject=request,
        event="reassigned",
        actor=actor,
        old=request.status,
        new=request.status,
        note=reason,
        data={"from": old, "to": assignee.pk},
    )
    request.refresh_from_db()
    return request


@transaction.atomic
def schedule_visit(
    *,
    request: ServiceRequest,
    appointment_start: dt.datetime,
    appointment_end: dt.datetime,
    actor: Any,
    note: str = "",
) -> ServiceRequest:
    if appointment_end <= appointment_start:
        raise ValidationFailed(
            "bad_window", _("The appointment must end after it starts."), field="appointment_end"
        )
    return _move(
        request,
        "schedule",
        actor=actor,
        note=note,
        data={
            "appointment_start": appointment_start.isoformat(),
            "appointment_end": appointment_end.isoformat(),
        },
    )


@transaction.atomic
def start_work(*, request: ServiceRequest, actor: Any, note: str = "") -> ServiceRequest:
    return _move(request, "start", actor=actor, note=note)


@transaction.atomic
def wait_for_parts(*, request: ServiceRequest, actor: Any, note: str = "") -> ServiceRequest:
    return _move(request, "wait_parts", actor=actor, note=note)


@transaction.atomic
def carry_back(*, request: ServiceRequest, actor: Any, note: str = "") -> ServiceRequest:
    return _move(request, "carry_back", actor=actor, note=note)


@transaction.atomic
def resume_work(*, request: ServiceRequest, actor: Any, note: str = "") -> ServiceRequest:
    return _move(request, "resume", actor=actor, note=note)


@transaction.atomic
def resolve_request(*, request: ServiceRequest, actor: Any, note: str = "") -> ServiceRequest:
    return _move(request, "resolve", actor=actor, note=note, changes={"resolved_at": now()})


@transaction.atomic
def close_request(*, request: ServiceRequest, actor: Any, note: str = "") -> ServiceRequest:
    return _move(request, "close", actor=actor, note=note, changes={"closed_at": now()})


@transaction.atomic
def reopen_request(*, request: ServiceRequest, actor: Any, note: str = "") -> ServiceRequest:
    """Rework (返修): the same fault again within the rework window."""
    return _move(
        request,
        "reopen",
        actor=actor,
        note=note,
        changes={"reopen_count": F("reopen_count") + 1, "closed_at": None},
    )


@transaction.atomic
def cancel_request(*, request: ServiceRequest, actor: Any, note: str = "") -> ServiceRequest:
    return _move(request, "cancel", actor=actor, note=note, changes={"closed_at": now()})


@transaction.atomic
def answer_consultation(*, request: ServiceRequest, answer: str, actor: Any) -> ServiceRequest:
    if not answer.strip():
        raise ValidationFailed(
            "answer_required", _("Write the answer given to the customer."), field="answer"
        )
    return _move(request, "answer", actor=actor, note=answer, changes={"answer": answer.strip()})


@transaction.atomic
def hand_over_request(*, request: ServiceRequest, to_user_id: int, reason: str, actor: Any) -> ServiceRequest:
    """An explicit handover of first-contact responsibility, with its reason."""
    if not reason.strip():
        raise ValidationFailed("reason_required", _("A reason is required."), field="reason")
    if request.owner_id != getattr(actor, "pk", None) and not has_role(
        actor, Role.DISPATCHER, Role.MANAGER, Role.ADMIN
    ):
        raise PermissionRefused("not_owner", _("Only the owner or a supervisor can hand this request over."))
    to_user = _user(to_user_id)
    if to_user is None or has_role(to_user, Role.CUSTOMER) or not roles_of(to_user):
        raise ValidationFailed("invalid_owner", _("Hand over to an active staff member."), field="to_user_id")
    if not request.is_open:
        raise TransitionRefused("request_not_open", _("Only an open request can be handed over."), "status")
    old_owner = request.owner_id
    changed = ServiceRequest.objects.filter(pk=request.pk, owner_id=old_owner).update(
        owner=to_user, updated_at=now()
    )
    if changed != 1:
        raise StaleState()
    record_history(
        subject=request,
        event="handover",
        actor=actor,
        old=request.status,
        new=request.status,
        note=reason,
        data={"from": old_owner, "to": to_user.pk},
    )
    request.refresh_from_db()
    return request


# The named action -> service function table used by the API, pages and CLI.
ACTION_SERVICES: dict[str, Callable[..., ServiceRequest]] = {
    "assign": assign_request,
    "schedule": schedule_visit,
    "start": start_work,
    "wait_parts": wait_for_parts,
    "carry_back": carry_back,
    "resume": resume_work,
    "resolve": resolve_request,
    "close": close_request,
    "reopen": reopen_request,
    "cancel": cancel_request,
    "answer": answer_consultation,
}


@dataclass
class InlineUnit:
    serial_number: str
    product_model_id: int | None = None
    product_model_code: str = ""
    purchase_date: dt.date | None = None
    delivery_date: dt.date | None = None
    invoice_number: str = ""
    price_paid: Any = None
    store: str = ""


@transaction.atomic
def intake_request(
    *,
    data: RequestInput,
    actor: Any,
    customer: Any = None,
    unit: InlineUnit | None = None,
) -> Registration:
    """Register a request whose customer and unit may come inline (integrations: ERP, e-commerce).

    An inline customer is matched by their first phone number, an inline unit by its
    serial number; only what is not yet on file is registered.
    """
    from aftersales.catalog.models import ProductModel
    from aftersales.catalog.services import UnitInput, register_unit
    from aftersales.customers.models import CustomerPhone
    from aftersales.customers.services import register_customer

    if customer is not None:
        try:
            digits = parse_phone(customer.phones[0]).digits if customer.phones else ""
        except InvalidPhone:
            digits = ""
        match = (
            CustomerPhone.objects.filter(digits=digits).order_by("customer_id").first() if digits else None
        )
        data.customer_id = match.customer_id if match else register_customer(data=customer, actor=actor).pk
    if unit is not None:
        found = Unit.objects.filter(serial_number__iexact=unit.serial_number.strip()).first()
        if found is None:
            model_id = unit.product_model_id
            if model_id is None and unit.product_model_code:
                model_id = (
                    ProductModel.objects.filter(code=unit.product_model_code)
                    .values_list("pk", flat=True)
                    .first()
                )
            if model_id is None:
                raise ValidationFailed(
                    "unknown_model", _("Unknown product model."), field="unit.product_model"
                )
            if unit.purchase_date is None:
                raise ValidationFailed(
                    "purchase_date_required", _("The purchase date is required."), field="unit.purchase_date"
                )
            found = register_unit(
                data=UnitInput(
                    serial_number=unit.serial_number,
                    product_model_id=model_id,
                    customer_id=data.customer_id,
                    purchase_date=unit.purchase_date,
                    delivery_date=unit.delivery_date,
                    invoice_number=unit.invoice_number,
                    price_paid=unit.price_paid if unit.price_paid is not None else Decimal("0"),
                    store=unit.store,
                ),
                actor=actor,
            )
        data.unit_id = found.pk
    return _register(data, actor)


@transaction.atomic
def add_note(*, request: ServiceRequest, text: str, actor: Any) -> None:
    """A note on the request's timeline (a call with the customer, an internal remark)."""
    if not text.strip():
        raise ValidationFailed("note_required", _("Write the note."), field="note")
    record_history(
        subject=request, event="note", actor=actor, old=request.status, new=request.status, note=text.strip()
    )


@transaction.atomic
def attach_file(*, request: ServiceRequest, upload: Any, actor: Any) -> Attachment:
    limit = rule("ATTACHMENT_MAX_BYTES")
    if upload is None or not getattr(upload, "size", 0):
        raise ValidationFailed("file_required", _("Choose a file."), field="file")
    if upload.size > limit:
        raise ValidationFailed(
            "file_too_large", _("The file is larger than %(mb)s MB."), field="file", mb=limit // (1024 * 1024)
        )
    at = now()
    attachment = Attachment.objects.create(
        request=request,
        file=upload,
        name=str(upload.name)[:200],
        size=upload.size,
        uploaded_by=actor,
        uploaded_at=at,
    )
    record_history(
        subject=request,
        event="attachment",
        actor=actor,
        old=request.status,
        new=request.status,
        note=attachment.name,
        at=at,
        data={"attachment": attachment.pk},
    )
    return attachment


@transaction.atomic
def rate_request(*, request: ServiceRequest, score: int, comment: str, actor: Any) -> Rating:
    """The customer rates a completed request, once."""
    low, high = rule("RATING_SCALE")
    if request.status not in (Status.RESOLVED, Status.CLOSED, Status.ANSWERED):
        raise TransitionRefused("not_completed", _("Only a completed request can be rated."), "status")
    if not low <= score <= high:
        raise ValidationFailed(
            "invalid_score", _("Give a score from %(low)s to %(high)s."), field="score", low=low, high=high
        )
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                request=request, score=score, comment=comment.strip(), rated_at=now()
            )
    except IntegrityError:
        raise TransitionRefused("already_rated", _("This request has already been rated."), None) from None
    record_history(
        subject=request,
        event="rated",
        actor=actor,
        old=request.status,
        new=request.status,
        note=comment.strip(),
        data={"score": score},
    )
    return rating
