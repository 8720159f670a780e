"""退换货 API: ``POST /api/v1/returns/evaluate`` decides a case with the 三包 policy engine."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Router, Schema

from aftersales.core.api import ErrorOut

from . import selectors

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
