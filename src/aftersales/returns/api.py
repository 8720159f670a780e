"""退换货 API: ``POST /api/v1/returns/evaluate`` decides a case with the 三包 policy engine;
``/api/v1/returns/requests`` opens return requests from a unit and runs the return flow, one
endpoint per action."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from aftersales.catalog.selectors import access_unit
from aftersales.core.api import ErrorOut, LocalDateTime, Page, paginate
from aftersales.core.clock import local_today
from aftersales.core.errors import ValidationFailed
from aftersales.core.permissions import Role, require_role, roles_of
from aftersales.service.workflow import available_actions

from . import selectors, services

router = Router(tags=["returns"])

_MONEY = 'amount in CNY as a string with two decimals, e.g. "2999.00"'
_DATE = "ISO 8601 date, YYYY-MM-DD"


class ReturnOrderLineIn(Schema):
    sku: str
    list_price: str = Field(description=_MONEY)
    returned: bool = False


class ReturnPromotionIn(Schema):
    type: str = Field(description="spend_x_save_y or bundle")
    threshold: str | None = Field(None, description=_MONEY)
    discount: str | None = Field(None, description=_MONEY)


class ReturnFreeShippingIn(Schema):
    threshold: str = Field(description=_MONEY)
    fee: str = Field(description=_MONEY)


class ReturnGiftIn(Schema):
    name: str = ""
    marked_price: str = Field(description=_MONEY)
    returned: bool = False


class ReturnOrderIn(Schema):
    lines: list[ReturnOrderLineIn]
    amount_paid: str = Field(description="what the whole order cost after promotions; " + _MONEY)
    promotion: ReturnPromotionIn | None = None
    free_shipping: ReturnFreeShippingIn | None = None
    gifts: list[ReturnGiftIn] = []


class ReturnCaseIn(Schema):
    """A return case, with the fields of the engine's interface (returns.md)."""

    category: str = Field(description="三包 catalog category code, or general / a code of your own")
    part: str = Field("whole_unit", description="whole_unit, or a main part / accessory code")
    goods_class: str = Field("normal", description="no-reason goods class code")
    channel: str = Field(description="online, tv, phone, mail or store")
    price_paid: str = Field(description=_MONEY)
    invoice_date: str | None = Field(None, description=_DATE)
    signed_date: str | None = Field(None, description=_DATE)
    installed_date: str | None = Field(None, description=_DATE)
    request_date: str = Field(description=_DATE)
    reason: str = Field(description="no_reason or quality")
    performance_failure: bool = False
    condition: list[str] = Field(
        [], description="packaging_opened, seal_broken, activated, … (see returns.md)"
    )
    confirmed_not_returnable: bool = False
    failed_repairs: int = 0
    repair_days: int = 0
    in_repair_since: str | None = Field(None, description=_DATE)
    delay_cause: str | None = Field(None, description="parts_not_supplied or repairer")
    same_model_available: bool = True
    wants: str | None = Field(None, description="return, exchange or repair")
    order: ReturnOrderIn | None = None
    goods_received_back_date: str | None = Field(None, description=_DATE)
    refund_date: str | None = Field(None, description=_DATE)


class ReturnCitationOut(Schema):
    layer: str
    step: str
    code: str
    source: str
    article: str
    text: str
    finding: str
    decisive: bool


class ReturnViolationOut(Schema):
    code: str
    due_date: str
    actual_date: str
    days_late: int
    source: str
    article: str
    message: str


class ReturnDecisionOut(Schema):
    outcome: str
    options: list[str]
    refund_amount: str | None
    depreciation: str | None
    return_shipping_paid_by: str | None
    refund_due_date: str | None
    violations: list[ReturnViolationOut]
    clauses: list[ReturnCitationOut]
    explanation: str


@router.post("/evaluate", response={200: ReturnDecisionOut, 422: ErrorOut})
def evaluate_case(request: HttpRequest, payload: ReturnCaseIn, lang: str | None = None) -> Any:
    """Decide what the customer is entitled to; texts in Chinese unless ``lang=en`` (or English is the request language)."""
    language = lang or translation.get_language()
    with translation.override(language):
        decision = selectors.decide_case(payload.dict(exclude_none=True))
    return decision.to_dict(language)


# -- the return / exchange flow ---------------------------------------------------------------------

_REGISTRARS = (Role.AGENT, Role.MANAGER, Role.ADMIN)


class ReturnFactsIn(Schema):
    """What the customer tells; purchase, price, installation and repairs come from the unit."""

    unit_id: int | None = None
    serial_number: str = Field("", description="the unit's serial number, instead of unit_id")
    reason: str = Field(description="no_reason or quality")
    channel: str = Field(description="where it was bought: online, tv, phone, mail or store")
    goods_class: str = "normal"
    signed_date: dt.date | None = None
    part: str = "whole_unit"
    performance_failure: bool = False
    condition: list[str] = []
    confirmed_not_returnable: bool = False
    same_model_available: bool = True
    wants: str | None = Field(None, description="return, exchange or repair")
    delay_cause: str | None = Field(None, description="parts_not_supplied or repairer, for an open repair")
    request_date: dt.date | None = Field(None, description="the day of the request; today by default")


class ReturnOpenIn(ReturnFactsIn):
    description: str
    contact_channel: str = Field("api", description="how the customer reached us (a service-request channel)")
    received_at: dt.datetime | None = None
    contact_phone: str = ""


class RepairHistoryOut(Schema):
    warranty_start: dt.date | None
    warranty_end: dt.date | None
    failed_repairs: int
    repair_days: int
    in_repair_since: dt.date | None
    repair_count: int


class CaseFromUnitOut(Schema):
    case: dict[str, Any]
    history: RepairHistoryOut
    decision: ReturnDecisionOut


class ReturnClockOut(Schema):
    code: str
    name: str
    state: str
    state_label: str
    badge: str
    started_at: LocalDateTime
    due_at: LocalDateTime | None
    met_at: LocalDateTime | None
    margin_seconds: int
    escalation_level: int


class ReturnOut(Schema):
    number: str
    status: str
    status_label: str
    customer: dict[str, Any]
    unit: dict[str, Any] | None
    description: str
    received_at: LocalDateTime
    reason: str | None
    case: dict[str, Any]
    decision: dict[str, Any]
    approved_outcome: str
    approved_refund_amount: str | None
    override: bool
    override_reason: str
    goods_received_at: LocalDateTime | None
    condition: list[str]
    inspection_decision: dict[str, Any]
    cause: str
    responsible_department: str
    responsible_person: str | None
    refund_paid: str | None
    refunded_at: LocalDateTime | None
    refund_split: list[dict[str, Any]]
    violations: list[dict[str, Any]]
    new_unit: dict[str, Any] | None
    exchanged_at: LocalDateTime | None
    repair_note: str
    photos: list[str]
    clocks: list[ReturnClockOut]
    actions: list[str]


class ReturnRegistrationOut(ReturnOut):
    repeat: bool


def _money_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _unit_ref(unit: Any) -> dict[str, Any] | None:
    if unit is None:
        return None
    return {"id": unit.pk, "serial_number": unit.serial_number, "model": unit.product_model.code}


def return_payload(user: Any, sr: Any, language: str) -> dict[str, Any]:
    rc = selectors.return_case_of(sr)
    person = rc.responsible_person if rc else None
    return {
        "number": sr.number,
        "status": sr.status,
        "status_label": str(sr.get_status_display()),
        "customer": {"id": sr.customer_id, "name": sr.customer.name},
        "unit": _unit_ref(sr.unit),
        "description": sr.description,
        "received_at": sr.received_at,
        "reason": rc.reason if rc else None,
        "case": rc.case if rc else {},
        "decision": rc.decision_in(language) if rc else {},
        "approved_outcome": rc.approved_outcome if rc else "",
        "approved_refund_amount": _money_text(rc.approved_refund_amount) if rc else None,
        "override": rc.override if rc else False,
        "override_reason": rc.override_reason if rc else "",
        "goods_received_at": rc.goods_received_at if rc else None,
        "condition": rc.condition if rc else [],
        "inspection_decision": rc.inspection_decision_in(language) if rc else {},
        "cause": rc.cause if rc else "",
        "responsible_department": rc.responsible_department if rc else "",
        "responsible_person": person.get_username() if person else None,
        "refund_paid": _money_text(rc.refund_paid) if rc else None,
        "refunded_at": rc.refunded_at if rc else None,
        "refund_split": rc.refund_split if rc else [],
        "violations": rc.violations_in(language) if rc else [],
        "new_unit": _unit_ref(rc.new_unit) if rc else None,
        "exchanged_at": rc.exchanged_at if rc else None,
        "repair_note": rc.repair_note if rc else "",
        "photos": [p.file.url for p in rc.photos.all()] if rc else [],
        "clocks": list(selectors.return_clocks(sr).values()),
        "actions": available_actions(sr, roles_of(user)),
    }


def _facts(payload: ReturnFactsIn) -> selectors.ReturnFacts:
    return selectors.ReturnFacts(
        reason=payload.reason,
        channel=payload.channel,
        goods_class=payload.goods_class,
        signed_date=payload.signed_date,
        part=payload.part,
        performance_failure=payload.performance_failure,
        condition=list(payload.condition),
        confirmed_not_returnable=payload.confirmed_not_returnable,
        same_model_available=payload.same_model_available,
        wants=payload.wants,
        delay_cause=payload.delay_cause,
    )


def _unit(request: HttpRequest, payload: ReturnFactsIn) -> Any:
    if payload.unit_id is None and not payload.serial_number.strip():
        raise ValidationFailed("unit_required", _("Give the unit: unit_id or serial_number."), "unit_id")
    return access_unit(request.user, unit_id=payload.unit_id, serial_number=payload.serial_number or None)


def _language(lang: str | None) -> str:
    return lang or translation.get_language()


@router.post("/case-from-unit", response={200: CaseFromUnitOut, 404: ErrorOut, 422: ErrorOut})
def case_from_unit(request: HttpRequest, payload: ReturnFactsIn, lang: str | None = None) -> Any:
    """The case pre-filled from the unit and its repair history, and the engine's decision on it;
    nothing is registered."""
    require_role(request.user, *_REGISTRARS)
    unit = _unit(request, payload)
    day = payload.request_date or local_today()
    facts = _facts(payload)
    history = selectors.unit_history(unit, facts, day)
    case = selectors.case_from_unit(unit, day, facts)
    language = _language(lang)
    with translation.override(language):
        decision = selectors.decide_case(case)
    return {"case": case, "history": history.__dict__, "decision": decision.to_dict(language)}


@router.post(
    "/requests",
    response={
        201: ReturnRegistrationOut,
        200: ReturnRegistrationOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
)
def open_return(request: HttpRequest, payload: ReturnOpenIn, lang: str | None = None) -> Any:
    """Register a return request for a unit and evaluate it (HTTP 201); an open return of the
    same unit is returned instead (HTTP 200, ``repeat: true``)."""
    require_role(request.user, *_REGISTRARS)
    unit = _unit(request, payload)
    registration = services.open_return_case(
        unit=unit,
        facts=_facts(payload),
        description=payload.description,
        actor=request.user,
        channel=payload.contact_channel,
        received_at=payload.received_at,
        contact_phone=payload.contact_phone,
    )
    sr = registration.request
    if not registration.repeat:
        sr = services.evaluate_return(request=sr, actor=request.user)
    sr = selectors.access_return(request.user, sr.number)
    body = {**return_payload(request.user, sr, _language(lang)), "repeat": registration.repeat}
    return Status(200 if registration.repeat else 201, body)


@router.get("/requests", response=Page[ReturnOut])
def list_returns(
    request: HttpRequest,
    status: str | None = None,
    q: str | None = None,
    is_open: bool | None = None,
    overdue: bool = False,
    page: int = 1,
    page_size: int = 50,
    lang: str | None = None,
) -> Any:
    """Return requests with their refund and 15-day clocks; ``overdue=true`` keeps the late ones."""
    qs = selectors.filter_returns(
        request.user, selectors.ReturnFilters(status=status, q=q, is_open=is_open, overdue=overdue)
    )
    result = paginate(qs, page, page_size, services.conf("PAGE_SIZE_MAX", 200))
    result["items"] = [return_payload(request.user, sr, _language(lang)) for sr in result["items"]]
    return result


@router.get("/requests/{number}", response={200: ReturnOut, 404: ErrorOut})
def get_return(request: HttpRequest, number: str, lang: str | None = None) -> Any:
    return return_payload(request.user, selectors.access_return(request.user, number), _language(lang))


class ReturnNoteIn(Schema):
    note: str = ""


class ReturnEvaluateIn(ReturnNoteIn):
    case: ReturnCaseIn | None = Field(None, description="corrected facts; the stored case when left out")


class ReturnApproveIn(ReturnNoteIn):
    outcome: str | None = Field(
        None, description="return, exchange, repair_free or repair_paid; the engine's by default"
    )
    refund_amount: str | None = Field(None, description="for a return; the engine's by default. " + _MONEY)


class ReturnReceiveIn(Schema):
    cause: str = Field(description="product_defect, transport_damage, installation_fault, …")
    responsible_department: str = Field(description="manufacturer, warehouse_logistics, installation, …")
    responsible_person_id: int | None = None
    condition: list[str] = []
    note: str = ""
    received_at: dt.datetime | None = None


class ReturnPaymentIn(Schema):
    means: str = Field(description="how the customer paid, e.g. wechat, alipay, bank_card")
    amount: str = Field(description="what was paid with it; " + _MONEY)


class ReturnRefundIn(ReturnNoteIn):
    amount: str | None = Field(None, description="the approved refund by default; " + _MONEY)
    payments: list[ReturnPaymentIn] = []


class ReturnExchangeIn(ReturnNoteIn):
    new_serial_number: str


_ACTION_RESPONSES = {200: ReturnOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _act(request: HttpRequest, number: str, action: str, lang: str | None, **kwargs: Any) -> Any:
    sr = selectors.access_return(request.user, number)
    services.ACTION_SERVICES[action](request=sr, actor=request.user, **kwargs)
    return return_payload(request.user, selectors.access_return(request.user, number), _language(lang))


@router.post("/requests/{number}/evaluate", response=_ACTION_RESPONSES)
def evaluate_return(
    request: HttpRequest, number: str, payload: ReturnEvaluateIn, lang: str | None = None
) -> Any:
    case = payload.case.dict(exclude_none=True) if payload.case is not None else None
    return _act(request, number, "evaluate", lang, case=case, note=payload.note)


@router.post("/requests/{number}/approve", response=_ACTION_RESPONSES)
def approve_return(
    request: HttpRequest, number: str, payload: ReturnApproveIn, lang: str | None = None
) -> Any:
    """Confirm the remedy; deciding differently from the engine needs a manager and a reason (note)."""
    return _act(
        request,
        number,
        "approve",
        lang,
        outcome=payload.outcome,
        refund_amount=payload.refund_amount,
        note=payload.note,
    )


@router.post("/requests/{number}/reject", response=_ACTION_RESPONSES)
def reject_return(request: HttpRequest, number: str, payload: ReturnNoteIn, lang: str | None = None) -> Any:
    return _act(request, number, "reject", lang, note=payload.note)


@router.post("/requests/{number}/receive", response=_ACTION_RESPONSES)
def receive_goods(
    request: HttpRequest,
    number: str,
    payload: Form[ReturnReceiveIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    lang: str | None = None,
) -> Any:
    """The goods are back and inspected (multipart form: the fields and any number of ``photos``)."""
    return _act(
        request,
        number,
        "receive",
        lang,
        cause=payload.cause,
        responsible_department=payload.responsible_department,
        responsible_person_id=payload.responsible_person_id,
        condition=payload.condition,
        note=payload.note,
        received_at=payload.received_at,
        photos=[services.Photo(f.name or "photo", f.read()) for f in photos or []],
    )


@router.post("/requests/{number}/refund", response=_ACTION_RESPONSES)
def refund_return(request: HttpRequest, number: str, payload: ReturnRefundIn, lang: str | None = None) -> Any:
    """Pay the refund, split over the means of payment as they were paid."""
    return _act(
        request,
        number,
        "refund",
        lang,
        amount=payload.amount,
        payments=[(p.means, p.amount) for p in payload.payments],
        note=payload.note,
    )


@router.post("/requests/{number}/exchange", response=_ACTION_RESPONSES)
def exchange_return(
    request: HttpRequest, number: str, payload: ReturnExchangeIn, lang: str | None = None
) -> Any:
    """Hand over a new unit of the same model; its warranty starts today."""
    return _act(
        request, number, "exchange", lang, new_serial_number=payload.new_serial_number, note=payload.note
    )


@router.post("/requests/{number}/repair", response=_ACTION_RESPONSES)
def repair_return(request: HttpRequest, number: str, payload: ReturnNoteIn, lang: str | None = None) -> Any:
    return _act(request, number, "repair", lang, note=payload.note)


@router.post("/requests/{number}/close", response=_ACTION_RESPONSES)
def close_return(request: HttpRequest, number: str, payload: ReturnNoteIn, lang: str | None = None) -> Any:
    return _act(request, number, "close", lang, note=payload.note)


@router.post("/requests/{number}/cancel", response=_ACTION_RESPONSES)
def cancel_return(request: HttpRequest, number: str, payload: ReturnNoteIn, lang: str | None = None) -> Any:
    return _act(request, number, "cancel", lang, note=payload.note)


class ReturnCauseOut(Schema):
    cause: str
    cause_label: str
    department: str
    department_label: str
    person_id: int | None
    person: str
    count: int
    refunded: str


@router.get("/causes", response={200: list[ReturnCauseOut], 403: ErrorOut})
def return_causes(request: HttpRequest, start: dt.date, end: dt.date) -> Any:
    """Returns by cause and responsible department and person, goods received in [start, end]."""
    require_role(request.user, Role.QUALITY, Role.MANAGER, Role.ADMIN)
    rows = selectors.return_cause_summary(start=start, end=end)
    return [{**row, "refunded": f"{row['refunded']:.2f}"} for row in rows]
