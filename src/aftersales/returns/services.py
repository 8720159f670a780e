"""Business actions of the return / exchange flow (退换货), one function per action.

Each runs in one transaction, moves the request through ``service.services.move_request``
(workflow check, conditional update, history entry) and keeps the two SLA clocks of a return:

- ``return_deadline`` (15 days, deliberate delay beyond it): from the request for a quality
  claim, from the goods' receipt back for a no-reason return (the engine's rule); met when the
  refund, exchange or repair is done, or the request is rejected.
- ``refund_due`` (7 days): from the goods' receipt back when a refund was approved; met when the
  refund is paid.

A clock that runs out is escalated by the SLA worker (``handle_due_clocks``) and shows as
breached in ``sla_payload``; the law's own deadlines are also checked by the engine when the
refund is paid and kept with the case as violations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Unit
from aftersales.catalog.services import UnitInput, register_unit
from aftersales.core.clock import local_date, local_today, now
from aftersales.core.errors import PermissionRefused, TransitionRefused, ValidationFailed
from aftersales.core.history import record_history
from aftersales.core.permissions import Role, require_role, roles_of
from aftersales.service.models import ServiceRequest
from aftersales.service.services import Registration, RequestInput, move_request, register_request
from aftersales.service.sla_services import choose_policy, meet_clock, on_transition, start_clock
from aftersales.service.workflow import Channel as ContactChannel
from aftersales.service.workflow import MoveContext, RequestType, check_move

from . import selectors
from .models import ResponsibleDepartment, ReturnCase, ReturnCause, ReturnPhoto
from .policy import Condition, Decision, Outcome, split_refund
from .policy.money import cny, format_cny
from .policy.text import EN, ZH
from .policy.types import Reason

RETURN_REGISTRARS = (Role.AGENT, Role.MANAGER, Role.ADMIN)
REMEDIES = (Outcome.RETURN, Outcome.EXCHANGE, Outcome.REPAIR_FREE, Outcome.REPAIR_PAID)
# The means code of a refund that goes back the way it was paid when the payments are not itemised.
ORIGINAL_MEANS = "original"
# A time typed by someone whose clock runs a little ahead is not "in the future".
CLOCK_SKEW = dt.timedelta(minutes=5)

# Inspection photos: formats recognised by their first bytes, so no image library is needed.
PHOTO_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, ".jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, ".png"),
    (b"WEBP", 8, ".webp"),
)


def conf(name: str, default: Any) -> Any:
    return settings.AFTERSALES.get(name, default)


def photo_max_bytes() -> int:
    return int(conf("RETURN_PHOTO_MAX_BYTES", 8_000_000))


def photos_max_count() -> int:
    return int(conf("RETURN_PHOTOS_MAX", 12))


@dataclass(frozen=True)
class Photo:
    name: str
    content: bytes


# -- helpers -----------------------------------------------------------------------------------------


def _rendered(decision: Decision) -> dict[str, Any]:
    return {ZH: decision.to_dict(ZH), EN: decision.to_dict(EN)}


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed("invalid_money", _("Enter an amount such as 2999.00."), field) from None
    if not amount.is_finite() or amount < 0 or amount != cny(amount):
        raise ValidationFailed("invalid_money", _("Enter an amount such as 2999.00."), field)
    return cny(amount)


def _locked_case(request: ServiceRequest) -> ReturnCase:
    case = ReturnCase.objects.select_for_update().filter(request=request).first()
    if case is None:
        raise TransitionRefused(
            "no_return_case", _("This request has no return case yet: evaluate it first."), "case"
        )
    # The workflow's guards read the pending decision from the request.
    request.return_case = case
    return case


def _precheck(request: ServiceRequest, action: str, actor: Any, note: str = "") -> None:
    """The workflow's answer before the input is judged: a move that cannot happen now is
    refused as such, not for a missing amount. ``move_request`` checks again in its update."""
    ctx = MoveContext(
        actor_roles=roles_of(actor),
        actor_id=getattr(actor, "pk", None),
        now=now(),
        note=note,
        rework_window_days=conf("REWORK_WINDOW_DAYS", 30),
    )
    _, refusal = check_move(request, action, ctx)
    if refusal is None:
        return
    if refusal.code == "forbidden":
        raise PermissionRefused(refusal.code, refusal.message, refusal.field)
    raise TransitionRefused(refusal.code, refusal.message, refusal.field, status=request.get_status_display())


def _start(request: ServiceRequest, code: str, actor: Any, at: dt.datetime) -> None:
    # An administrator may switch a target off (no active policy): the flow goes on without it.
    if choose_policy(request, code) is not None:
        start_clock(request=request, code=code, actor=actor, at=at)


def _meet(request: ServiceRequest, *codes: str, actor: Any, at: dt.datetime) -> None:
    for code in codes:
        meet_clock(request=request, code=code, actor=actor, at=at)


def _past_instant(value: dt.datetime | None, field: str, *, not_before: dt.datetime) -> dt.datetime:
    at = now()
    if value is None:
        return at
    if value.tzinfo is None:
        raise ValidationFailed("naive_time", _("The time needs a time zone."), field)
    if value > at + CLOCK_SKEW:
        raise ValidationFailed("time_in_future", _("This time cannot be in the future."), field)
    if value < not_before:
        raise ValidationFailed("time_before_request", _("This time cannot be before the request."), field)
    return value


def _create_case(request: ServiceRequest, case: dict[str, Any], actor: Any) -> ReturnCase:
    at = now()
    return_case = ReturnCase.objects.create(
        request=request, reason=case["reason"], case=case, created_at=at, updated_at=at
    )
    record_history(subject=request, event="return_case_opened", actor=actor, at=at, data={"case": case})
    if case["reason"] == Reason.QUALITY:
        # A quality claim must be performed within 15 days of the request (deemed deliberate delay).
        _start(request, "return_deadline", actor, request.received_at)
    return return_case


# -- opening and evaluating ----------------------------------------------------------------------------


@transaction.atomic
def open_return_case(
    *,
    unit: Unit,
    facts: selectors.ReturnFacts,
    description: str,
    actor: Any,
    channel: str = ContactChannel.PHONE,
    received_at: dt.datetime | None = None,
    contact_phone: str = "",
) -> Registration:
    """Register a return request for the customer's unit with its case filled from the unit.

    A second contact while a return of the unit is open returns that request (``repeat``).
    """
    require_role(actor, *RETURN_REGISTRARS)
    request_day = local_date(received_at or now())
    case = selectors.case_from_unit(unit, request_day, facts)
    # The whole case is checked (and decided once) before anything is registered.
    selectors.decide_case(case)
    registration = register_request(
        data=RequestInput(
            type=RequestType.RETURN,
            channel=channel,
            customer_id=unit.customer_id,
            unit_id=unit.pk,
            description=description,
            received_at=received_at,
            contact_phone=contact_phone,
        ),
        actor=actor,
    )
    existing = registration.request
    if not ReturnCase.objects.filter(request=existing).exists():
        if registration.repeat and local_date(existing.received_at) != request_day:
            # A return registered earlier without its facts (general intake): the case is that
            # request's, counted from the day it was received, not from this contact.
            case = selectors.case_from_unit(unit, local_date(existing.received_at), facts)
            selectors.decide_case(case)
        _create_case(existing, case, actor)
    return registration


@transaction.atomic
def evaluate_return(
    *, request: ServiceRequest, actor: Any, case: dict[str, Any] | None = None, note: str = ""
) -> ServiceRequest:
    """Decide the case with the policy engine and store the decision with the request.

    ``case`` replaces the stored facts (a correction); a request registered without a case
    (through the general intake) gets its case here.
    """
    return_case = ReturnCase.objects.select_for_update().filter(request=request).first()
    _precheck(request, "evaluate", actor, note)
    data = dict(case) if case is not None else (return_case.case if return_case is not None else None)
    if not data:
        raise ValidationFailed("case_required", _("Give the facts of the case."), "case")
    if return_case is not None and data.get("reason") != return_case.reason:
        raise ValidationFailed(
            "reason_changed",
            _("The reason of a return cannot change: cancel this request and register a new one."),
            "reason",
        )
    decision = selectors.decide_case(data)
    request = move_request(
        request=request,
        action="evaluate",
        actor=actor,
        note=note,
        data={
            "outcome": decision.outcome.value,
            "options": [o.value for o in decision.options],
            "decided_by": decision.decided_by.clause.code if decision.decided_by else "",
        },
    )
    if return_case is None:
        return_case = _create_case(request, data, actor)
    at = now()
    return_case.case = data
    return_case.decision = _rendered(decision)
    return_case.outcome = decision.outcome.value
    return_case.options = [o.value for o in decision.options]
    return_case.refund_amount = decision.refund_amount
    return_case.depreciation = decision.depreciation
    return_case.evaluated_at = at
    return_case.evaluated_by = actor
    return_case.updated_at = at
    return_case.save()
    return request


# -- the person's decision ---------------------------------------------------------------------------


@transaction.atomic
def approve_return(
    *,
    request: ServiceRequest,
    actor: Any,
    outcome: str | None = None,
    refund_amount: Any = None,
    note: str = "",
) -> ServiceRequest:
    """A person confirms the remedy. Another remedy than the engine's options, or another
    refund amount, overrides the engine: a manager and a reason are required (workflow guard)."""
    return_case = _locked_case(request)
    _precheck(request, "approve", actor, note)
    chosen = outcome or return_case.outcome
    if chosen not in REMEDIES:
        raise ValidationFailed(
            "invalid_outcome", _("Choose return, exchange, free repair or paid repair."), "outcome"
        )
    amount: Decimal | None = None
    if chosen == Outcome.RETURN:
        raw = refund_amount if refund_amount not in (None, "") else return_case.refund_amount
        if raw is None:
            raise ValidationFailed(
                "refund_amount_required", _("Enter the amount to refund."), "refund_amount"
            )
        amount = _money(raw, "refund_amount")
        price = _money(return_case.case.get("price_paid", "0"), "refund_amount")
        if amount <= 0 or amount > price:
            raise ValidationFailed(
                "refund_out_of_range",
                _("The refund must be more than 0 and at most the price paid (%(price)s)."),
                "refund_amount",
                price=format_cny(price),
            )
    return_case.approved_outcome = chosen
    return_case.approved_refund_amount = amount
    override = return_case.is_override
    request = move_request(
        request=request,
        action="approve",
        actor=actor,
        note=note,
        data={
            "outcome": chosen,
            "refund_amount": format_cny(amount) if amount is not None else None,
            "engine_outcome": return_case.outcome,
            "override": override,
        },
    )
    _decided(return_case, actor, override, note)
    return request


@transaction.atomic
def reject_return(*, request: ServiceRequest, actor: Any, note: str) -> ServiceRequest:
    """Refuse the return, with the reason told to the customer; against the engine only by a manager."""
    return_case = _locked_case(request)
    return_case.approved_outcome = Outcome.REJECT
    return_case.approved_refund_amount = None
    override = return_case.is_override
    request = move_request(
        request=request,
        action="reject",
        actor=actor,
        note=note,
        data={"engine_outcome": return_case.engine_outcome, "override": override},
    )
    _decided(return_case, actor, override, note)
    at = now()
    # The request has been dealt with: the 15-day clock is met. What the refund clock waited
    # for will not happen, so it stops as it would at closing.
    _meet(request, "return_deadline", actor=actor, at=at)
    on_transition(request, "close", at)
    return request


def _decided(return_case: ReturnCase, actor: Any, override: bool, note: str) -> None:
    at = now()
    return_case.override = override
    return_case.override_reason = note.strip() if override else ""
    return_case.decided_at = at
    return_case.decided_by = actor
    return_case.updated_at = at
    return_case.save()


# -- the goods back ----------------------------------------------------------------------------------


def _photo_suffix(photo: Photo) -> str:
    for magic, offset, suffix in PHOTO_SIGNATURES:
        if photo.content[offset : offset + len(magic)] == magic:
            return suffix
    raise ValidationFailed(
        "photo_not_an_image", _("“%(name)s” is not a JPEG, PNG or WebP photo."), "photos", name=photo.name
    )


def _check_photos(photos: Sequence[Photo]) -> list[str]:
    if len(photos) > photos_max_count():
        raise ValidationFailed("too_many_photos", _("At most %(n)s photos."), "photos", n=photos_max_count())
    suffixes = []
    for photo in photos:
        if not photo.content:
            raise ValidationFailed("photo_empty", _("“%(name)s” is empty."), "photos", name=photo.name)
        if len(photo.content) > photo_max_bytes():
            raise ValidationFailed(
                "photo_too_large",
                _("“%(name)s” is larger than %(limit)s bytes."),
                "photos",
                name=photo.name,
                limit=photo_max_bytes(),
            )
        suffixes.append(_photo_suffix(photo))
    return suffixes


def _responsible_person(person_id: int | None) -> Any:
    if person_id is None:
        return None
    person = get_user_model().objects.filter(pk=person_id, is_active=True).first()
    if person is None or not (roles_of(person) - {Role.CUSTOMER}):
        raise ValidationFailed("invalid_person", _("Choose an active staff member."), "responsible_person_id")
    return person


@transaction.atomic
def receive_goods(
    *,
    request: ServiceRequest,
    actor: Any,
    cause: str,
    responsible_department: str,
    condition: Sequence[str] = (),
    responsible_person_id: int | None = None,
    photos: Sequence[Photo] = (),
    note: str = "",
    received_at: dt.datetime | None = None,
) -> ServiceRequest:
    """The goods are back and inspected: the condition found, photos, and the cause of the
    return with the department (and person) responsible for it.

    The engine decides again on the inspected goods; a rejection after the inspection is judged
    against that decision.
    """
    return_case = _locked_case(request)
    _precheck(request, "receive", actor, note)
    found = sorted(set(condition))
    unknown = [c for c in found if c not in {m.value for m in Condition}]
    if unknown:
        raise ValidationFailed("invalid_condition", _("Unknown condition: %(c)s."), "condition", c=unknown[0])
    if cause not in ReturnCause.values:
        raise ValidationFailed("cause_required", _("Choose the cause of the return."), "cause")
    if responsible_department not in ResponsibleDepartment.values:
        raise ValidationFailed(
            "department_required", _("Choose the department responsible."), "responsible_department"
        )
    person = _responsible_person(responsible_person_id)
    suffixes = _check_photos(photos)
    got = _past_instant(received_at, "received_at", not_before=request.received_at)
    inspected = {
        **return_case.case,
        "condition": sorted(set(return_case.case.get("condition", [])) | set(found)),
        "goods_received_back_date": local_date(got).isoformat(),
    }
    decision = selectors.decide_case(inspected)
    request = move_request(
        request=request,
        action="receive",
        actor=actor,
        note=note,
        data={
            "received_at": got.isoformat(),
            "condition": found,
            "cause": cause,
            "responsible_department": responsible_department,
            "responsible_person": person.pk if person else None,
            "photos": len(photos),
            "engine_outcome": decision.outcome.value,
        },
    )
    at = now()
    return_case.goods_received_at = got
    return_case.received_by = actor
    return_case.condition = found
    return_case.inspection_note = note.strip()
    return_case.inspection_decision = _rendered(decision)
    return_case.inspection_outcome = decision.outcome.value
    return_case.inspection_options = [o.value for o in decision.options]
    return_case.inspection_refund_amount = decision.refund_amount
    return_case.cause = cause
    return_case.responsible_department = responsible_department
    return_case.responsible_person = person
    return_case.updated_at = at
    return_case.save()
    if return_case.reason == Reason.NO_REASON:
        _start(request, "return_deadline", actor, got)
    if return_case.approved_outcome == Outcome.RETURN:
        _start(request, "refund_due", actor, got)
    # Files last: a refused inspection leaves none behind.
    for photo, suffix in zip(photos, suffixes, strict=True):
        row = ReturnPhoto(return_case=return_case, uploaded_at=at, uploaded_by=actor)
        row.file.save(
            f"{Path(photo.name).stem[:40] or 'photo'}{suffix}", ContentFile(photo.content), save=True
        )
    return request


# -- the remedy ------------------------------------------------------------------------------------------


def _payments(payments: Sequence[tuple[str, Any]] | None, amount: Decimal) -> list[tuple[str, Decimal]]:
    if not payments:
        return [(ORIGINAL_MEANS, amount)]
    rows = []
    for i, (means, paid) in enumerate(payments):
        if not str(means).strip():
            raise ValidationFailed("means_required", _("Name each means of payment."), f"payments[{i}]")
        rows.append((str(means).strip(), _money(paid, f"payments[{i}]")))
    try:
        return split_refund(amount, rows)
    except ValueError:
        raise ValidationFailed(
            "refund_above_payments", _("The refund is more than the customer paid."), "payments"
        ) from None


def _violations(return_case: ReturnCase, refunded_on: dt.date) -> dict[str, Any]:
    """The law's deadlines, checked by the engine against the actual dates."""
    data = {**return_case.case, "refund_date": refunded_on.isoformat()}
    if return_case.goods_received_at is not None:
        data["goods_received_back_date"] = local_date(return_case.goods_received_at).isoformat()
    try:
        decision = selectors.decide_case(data)
    except ValidationFailed:
        # The reference data changed since the case was decided (a category removed): the
        # refund is not held up by it; the SLA clocks still show any delay.
        return {}
    return {ZH: decision.to_dict(ZH)["violations"], EN: decision.to_dict(EN)["violations"]}


@transaction.atomic
def refund_return(
    *,
    request: ServiceRequest,
    actor: Any,
    amount: Any = None,
    payments: Sequence[tuple[str, Any]] | None = None,
    note: str = "",
) -> ServiceRequest:
    """Pay the approved refund back to the original means of payment, split as they were paid.

    Less than approved needs a reason (gifts not returned, for example); more is refused.
    """
    return_case = _locked_case(request)
    _precheck(request, "refund", actor, note)
    approved = return_case.approved_refund_amount
    paid = _money(amount, "amount") if amount not in (None, "") else approved
    if paid is None or approved is None or paid <= 0 or paid > approved:
        raise ValidationFailed(
            "refund_out_of_range",
            _("The refund must be more than 0 and at most the approved %(approved)s."),
            "amount",
            approved=format_cny(approved) if approved is not None else "—",
        )
    if paid < approved and not note.strip():
        raise ValidationFailed(
            "reason_required", _("Give the reason for refunding less than approved."), "note"
        )
    split = _payments(payments, paid)
    request = move_request(
        request=request,
        action="refund",
        actor=actor,
        note=note,
        data={"amount": format_cny(paid), "split": [[m, format_cny(a)] for m, a in split]},
    )
    at = now()
    return_case.refund_paid = paid
    return_case.refunded_at = at
    return_case.refund_split = [{"means": m, "amount": format_cny(a)} for m, a in split]
    return_case.violations = _violations(return_case, local_date(at))
    return_case.updated_at = at
    return_case.save()
    _meet(request, "refund_due", "return_deadline", actor=actor, at=at)
    return request


@transaction.atomic
def exchange_return(
    *, request: ServiceRequest, actor: Any, new_serial_number: str, note: str = ""
) -> ServiceRequest:
    """Hand over a new unit of the same model; its warranty (三包) period starts today."""
    return_case = _locked_case(request)
    _precheck(request, "exchange", actor, note)
    old = request.unit
    if old is None:
        raise ValidationFailed("unit_required", _("This request has no unit to exchange."), "unit")
    if not new_serial_number.strip():
        raise ValidationFailed(
            "serial_required", _("Enter the serial number of the new unit."), "new_serial_number"
        )
    request = move_request(
        request=request,
        action="exchange",
        actor=actor,
        note=note,
        data={"old_unit": old.pk, "new_serial_number": new_serial_number.strip()},
    )
    today = local_today()
    # Every date the warranty could start from is the exchange day: a new period, whatever
    # the category's rule (invoice, delivery or installation).
    new_unit = register_unit(
        data=UnitInput(
            serial_number=new_serial_number,
            product_model_id=old.product_model_id,
            customer_id=old.customer_id,
            purchase_date=today,
            delivery_date=today,
            commissioning_date=today,
            invoice_number=old.invoice_number,
            price_paid=old.price_paid,
            discount=old.discount,
            store=old.store,
            is_installed_project=old.is_installed_project,
            contract=old.contract,
        ),
        actor=actor,
    )
    at = now()
    record_history(
        subject=old,
        event="unit_exchanged",
        actor=actor,
        at=at,
        data={"request": request.number, "new_unit": new_unit.pk},
    )
    return_case.new_unit = new_unit
    return_case.exchanged_at = at
    return_case.updated_at = at
    return_case.save()
    _meet(request, "return_deadline", actor=actor, at=at)
    return request


@transaction.atomic
def repair_return(*, request: ServiceRequest, actor: Any, note: str) -> ServiceRequest:
    """The approved repair is done; the note says what was repaired."""
    return_case = _locked_case(request)
    _precheck(request, "repair", actor, note)
    if not note.strip():
        raise ValidationFailed("repair_note_required", _("Write down what was repaired."), "note")
    request = move_request(request=request, action="repair", actor=actor, note=note)
    at = now()
    return_case.repair_note = note.strip()
    return_case.repaired_at = at
    return_case.updated_at = at
    return_case.save()
    _meet(request, "return_deadline", actor=actor, at=at)
    return request


@transaction.atomic
def close_return(*, request: ServiceRequest, actor: Any, note: str = "") -> ServiceRequest:
    return move_request(request=request, action="close", actor=actor, note=note, changes={"closed_at": now()})


@transaction.atomic
def cancel_return(*, request: ServiceRequest, actor: Any, note: str) -> ServiceRequest:
    """Withdrawn by the customer or registered by mistake; the reason is required."""
    return move_request(
        request=request, action="cancel", actor=actor, note=note, changes={"closed_at": now()}
    )


ACTION_SERVICES: dict[str, Callable[..., ServiceRequest]] = {
    "evaluate": evaluate_return,
    "approve": approve_return,
    "reject": reject_return,
    "receive": receive_goods,
    "refund": refund_return,
    "exchange": exchange_return,
    "repair": repair_return,
    "close": close_return,
    "cancel": cancel_return,
}
