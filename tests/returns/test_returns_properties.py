"""Properties that hold for every case: money bounds and the monotony of the windows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import event, given, reject, settings
from hypothesis import strategies as st

from aftersales.returns.policy import (
    Case,
    CaseError,
    Channel,
    CompanyPromises,
    Condition,
    Policy,
    PriceRules,
    default_catalog,
    evaluate,
    settle_order,
    split_refund,
)

CATALOG = default_catalog()
CATEGORIES = [*CATALOG.categories, "general", "sofa"]
GOODS_CLASSES = list(CATALOG.goods_classes)

cents = st.integers(min_value=0, max_value=2_000_000).map(lambda c: Decimal(c).scaleb(-2))


def money(value: Decimal) -> str:
    return f"{value:.2f}"


@st.composite
def orders(draw: Any) -> dict[str, Any]:
    prices = draw(st.lists(cents, min_size=1, max_size=4))
    returned = draw(st.lists(st.booleans(), min_size=len(prices), max_size=len(prices)))
    returned[draw(st.integers(0, len(prices) - 1))] = True
    total = sum(prices, Decimal(0))
    discount = draw(st.integers(0, int(total * 100))) / Decimal(100)
    order: dict[str, Any] = {
        "lines": [
            {"sku": f"S{i}", "list_price": money(p), "returned": r}
            for i, (p, r) in enumerate(zip(prices, returned, strict=True))
        ],
        "amount_paid": money(total - discount),
    }
    promotion = draw(st.sampled_from(["none", "spend", "bundle"]))
    if promotion == "spend":
        order["promotion"] = {
            "type": "spend_x_save_y",
            "threshold": money(draw(cents)),
            "discount": money(discount),
        }
    elif promotion == "bundle":
        order["promotion"] = {"type": "bundle"}
    if draw(st.booleans()):
        order["free_shipping"] = {"threshold": money(draw(cents)), "fee": money(draw(cents))}
    order["gifts"] = [
        {"name": f"G{i}", "marked_price": money(p), "returned": r}
        for i, (p, r) in enumerate(draw(st.lists(st.tuples(cents, st.booleans()), max_size=3)))
    ]
    return order


@st.composite
def cases(draw: Any) -> tuple[dict[str, Any], dt.date]:
    """A case without its request date, and the latest of its purchase dates."""
    category = draw(st.sampled_from(CATEGORIES))
    policy = CATALOG.category(category)
    parts = ["whole_unit", "unlisted_part", *(p.code for p in (policy.parts if policy else ()))]
    channel = draw(st.sampled_from([c.value for c in Channel]))
    base = dt.date(2023, 1, 1) + dt.timedelta(days=draw(st.integers(0, 900)))
    invoice = base - dt.timedelta(days=draw(st.integers(0, 5))) if draw(st.booleans()) else None
    signed = base if (channel != "store" or draw(st.booleans())) else None
    installed = base if draw(st.booleans()) else None
    data: dict[str, Any] = {
        "category": category,
        "part": draw(st.sampled_from(parts)),
        "goods_class": draw(st.sampled_from(GOODS_CLASSES)),
        "channel": channel,
        "price_paid": money(draw(cents)),
        "invoice_date": invoice.isoformat() if invoice else None,
        "signed_date": signed.isoformat() if signed else None,
        "installed_date": installed.isoformat() if installed else None,
        "reason": draw(st.sampled_from(["no_reason", "quality"])),
        "performance_failure": draw(st.booleans()),
        "condition": draw(st.lists(st.sampled_from([c.value for c in Condition]), unique=True, max_size=3)),
        "confirmed_not_returnable": draw(st.booleans()),
        "failed_repairs": draw(st.integers(0, 3)),
        "repair_days": draw(st.integers(0, 60)),
        "same_model_available": draw(st.booleans()),
        "wants": draw(st.sampled_from([None, "return", "exchange", "repair"])),
    }
    if draw(st.booleans()):
        # Handed in for repair no later than day 3, so both request days below can follow it.
        data["in_repair_since"] = (base + dt.timedelta(days=draw(st.integers(0, 3)))).isoformat()
        data["delay_cause"] = draw(st.sampled_from([None, "parts_not_supplied", "repairer"]))
    if draw(st.booleans()):
        data["order"] = draw(orders())
    return data, base


policies = st.builds(
    Policy,
    promises=st.builds(
        CompanyPromises,
        enabled=st.booleans(),
        free_return_shipping=st.booleans(),
        store_no_reason_days=st.one_of(st.none(), st.integers(1, 30)),
    ),
    price_rules=st.builds(
        PriceRules,
        enabled=st.booleans(),
        seasonal_current_price=st.one_of(st.none(), cents.map(lambda p: lambda case: p)),
    ),
)


def decide(data: dict[str, Any], policy: Policy) -> Any:
    try:
        case = Case.from_dict({k: v for k, v in data.items() if v is not None})
        return case, evaluate(case, policy=policy)
    except CaseError:
        # Generated facts the rules cannot take (e.g. general goods with no purchase date).
        reject()


@settings(max_examples=400, deadline=None)
@given(cases(), st.integers(0, 400), st.integers(0, 40), st.integers(0, 40), policies)
def test_refund_never_exceeds_what_was_paid(generated, day, back, refunded, policy):
    data, base = generated
    request = base + dt.timedelta(days=day)
    data = {
        **data,
        "request_date": request.isoformat(),
        "goods_received_back_date": (request + dt.timedelta(days=back)).isoformat(),
        "refund_date": (request + dt.timedelta(days=back + refunded)).isoformat(),
    }
    case, decision = decide(data, policy)
    event(f"outcome {decision.outcome.value}")
    if decision.refund_amount is None:
        return
    assert decision.refund_amount >= 0
    if case.order is not None and case.reason.value == "no_reason":
        assert decision.refund_amount <= case.order.amount_paid
    else:
        assert decision.refund_amount <= case.price_paid
    assert decision.refund_amount == decision.refund_amount.quantize(Decimal("0.01"))


@settings(max_examples=400, deadline=None)
@given(cases(), st.integers(0, 800), policies)
def test_depreciation_is_never_negative(generated, day, policy):
    data, base = generated
    case, decision = decide({**data, "request_date": (base + dt.timedelta(days=day)).isoformat()}, policy)
    if decision.depreciation is None:
        return
    assert Decimal("0.00") <= decision.depreciation <= case.price_paid
    assert decision.refund_amount is not None


@settings(max_examples=600, deadline=None)
@given(cases(), policies)
def test_same_case_on_day_3_never_has_fewer_options_than_on_day_10(generated, policy):
    data, base = generated
    _, day3 = decide({**data, "request_date": (base + dt.timedelta(days=3)).isoformat()}, policy)
    _, day10 = decide({**data, "request_date": (base + dt.timedelta(days=10)).isoformat()}, policy)
    event(f"day 3 {len(day3.options)} options, day 10 {len(day10.options)}")
    assert set(day10.options) <= set(day3.options)


@settings(max_examples=300, deadline=None)
@given(orders())
def test_order_settlement_stays_within_what_the_order_cost(order):
    case = Case.from_dict(
        {
            "category": "general",
            "channel": "online",
            "price_paid": "0.00",
            "signed_date": "2024-01-01",
            "request_date": "2024-01-02",
            "reason": "no_reason",
            "order": order,
        }
    )
    assert case.order is not None
    settlement = settle_order(case.order)
    assert Decimal("0.00") <= settlement.refund <= case.order.amount_paid


@settings(max_examples=300, deadline=None)
@given(st.lists(cents, min_size=1, max_size=4), st.data())
def test_refund_split_adds_up_and_never_exceeds_a_means(paid, data):
    total = sum(paid, Decimal(0))
    amount = data.draw(st.integers(0, int(total * 100))) / Decimal(100)
    parts = split_refund(amount, [(f"m{i}", p) for i, p in enumerate(paid)])
    assert sum((p for _, p in parts), Decimal(0)) == amount
    assert all(Decimal(0) <= part <= p for (_, part), p in zip(parts, paid, strict=True))
