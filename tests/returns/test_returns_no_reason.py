"""7-day no-reason return of distance sales: 《消费者权益保护法》第二十五条 and the 2017 measures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.returns.policy import CompanyPromises, Decision, Outcome, Payer, Policy


def codes(decision: Decision) -> list[str]:
    return [c.clause.code for c in decision.clauses]


def decisive(decision: Decision) -> str:
    assert decision.decided_by is not None
    return decision.decided_by.clause.code


def online(**overrides):
    """An online purchase signed for on 2024-03-01, returned without a reason."""
    base = {
        "category": "general",
        "channel": "online",
        "price_paid": "199.00",
        "invoice_date": "2024-02-28",
        "signed_date": "2024-03-01",
        "request_date": "2024-03-05",
        "reason": "no_reason",
        "performance_failure": None,
    }
    base.update(overrides)
    return base


def test_no_reason_day_7_is_returnable(decide):
    decision = decide(**online(request_date="2024-03-08"))
    assert decision.outcome == Outcome.RETURN
    assert decision.options == (Outcome.RETURN,)
    assert decision.refund_amount == Decimal("199.00")
    assert "第7日" in decision.explanation.zh


def test_no_reason_day_8_is_refused(decide):
    decision = decide(**online(request_date="2024-03-09"))
    assert decision.outcome == Outcome.REJECT
    assert decision.options == ()
    assert decision.refund_amount is None
    assert decisive(decision) == "nr_window"


def test_no_reason_window_starts_the_day_after_signing(decide):
    # Signed late on the 1st: the 1st itself does not count, so the 8th is still day 7.
    signing_day = decide(**online(request_date="2024-03-01"))
    assert signing_day.outcome == Outcome.RETURN
    window = next(
        c for c in decide(**online(request_date="2024-03-08")).clauses if c.step == "no_reason_window"
    )
    assert "2024-03-08" in window.finding.zh


def test_no_reason_window_crosses_month_end(decide):
    assert decide(**online(signed_date="2024-02-26", request_date="2024-03-04")).outcome == Outcome.RETURN
    assert decide(**online(signed_date="2024-02-26", request_date="2024-03-05")).outcome == Outcome.REJECT


@pytest.mark.parametrize("channel", ["online", "tv", "phone", "mail"])
def test_every_distance_channel_has_the_no_reason_right(decide, channel):
    decision = decide(**online(channel=channel))
    assert decision.outcome == Outcome.RETURN
    assert "cpl_25_1" in codes(decision)


def test_store_purchase_has_no_statutory_no_reason_return(decide):
    decision = decide(**online(channel="store", signed_date=None))
    assert decision.outcome == Outcome.REJECT
    assert decisive(decision) == "cpl_25_1"
    assert decision.decided_by.layer.value == "law"


@pytest.mark.parametrize(
    "goods_class", ["custom_made", "fresh_perishable", "digital_content", "newspaper_periodical"]
)
def test_never_returnable_goods_classes_are_refused(decide, goods_class):
    decision = decide(**online(goods_class=goods_class))
    assert decision.outcome == Outcome.REJECT
    assert decisive(decision) == "nr_6"


@pytest.mark.parametrize(
    "goods_class", ["custom_made", "fresh_perishable", "digital_content", "newspaper_periodical"]
)
def test_never_returnable_classes_need_no_confirmation(decide, goods_class):
    decision = decide(**online(goods_class=goods_class, confirmed_not_returnable=False))
    assert decision.outcome == Outcome.REJECT


@pytest.mark.parametrize(
    "goods_class", ["hygiene_sealed", "activation_devalued", "near_expiry_or_defect_disclosed"]
)
def test_confirmed_exclusion_class_is_refused(decide, goods_class):
    decision = decide(**online(goods_class=goods_class, confirmed_not_returnable=True))
    assert decision.outcome == Outcome.REJECT
    assert decisive(decision) == "nr_7"


@pytest.mark.parametrize(
    "goods_class", ["hygiene_sealed", "activation_devalued", "near_expiry_or_defect_disclosed"]
)
def test_unconfirmed_exclusion_class_cannot_be_refused(decide, goods_class):
    decision = decide(**online(goods_class=goods_class, confirmed_not_returnable=False))
    assert decision.outcome == Outcome.RETURN
    assert "pen_9_2" in codes(decision)


def test_confirmation_does_not_matter_for_normal_goods(decide):
    assert decide(**online(confirmed_not_returnable=True)).outcome == Outcome.RETURN


def test_opening_the_package_keeps_goods_intact(decide):
    decision = decide(**online(condition=["packaging_opened"]))
    assert decision.outcome == Outcome.RETURN
    assert {"nr_intact", "pen_9_3"} <= set(codes(decision))


@pytest.mark.parametrize(
    ("condition", "clause"),
    [
        ("seal_broken", "nr_not_intact_sealed"),
        ("activated", "nr_not_intact_electronics"),
        ("personal_data", "nr_not_intact_electronics"),
        ("unauthorized_repair", "nr_not_intact_electronics"),
        ("modified", "nr_not_intact_electronics"),
        ("label_removed", "nr_not_intact_textiles"),
        ("soiled", "nr_not_intact_textiles"),
        ("damaged", "nr_not_intact_textiles"),
        ("misuse", "nr_not_intact_use"),
    ],
)
def test_goods_not_intact_cannot_be_returned_without_reason(decide, condition, clause):
    decision = decide(**online(condition=["packaging_opened", condition]))
    assert Outcome.RETURN not in decision.options
    assert decision.outcome != Outcome.RETURN
    assert clause in codes(decision)
    refusal = next(c for c in decision.clauses if c.clause.code == clause)
    assert refusal.layer.value == "law"


@pytest.mark.parametrize("condition", ["seal_broken", "activated", "label_removed", "damaged", "modified"])
def test_not_intact_for_other_reasons_is_a_plain_refusal(decide, condition):
    decision = decide(**online(condition=[condition]))
    assert decision.outcome == Outcome.REJECT
    assert decision.options == ()


@pytest.mark.parametrize("condition", ["soiled", "misuse"])
def test_customer_damage_refusal_offers_help_with_paid_repair(decide, condition):
    decision = decide(**online(condition=[condition]))
    assert decision.outcome == Outcome.REPAIR_PAID
    assert decision.options == (Outcome.REPAIR_PAID,)
    assert decisive(decision) == "pr_customer_damage"
    assert decision.decided_by.layer.value == "company_price_rule"


def test_intact_check_is_not_reached_outside_the_window(decide):
    decision = decide(**online(request_date="2024-03-20", condition=["soiled"]))
    assert decisive(decision) == "nr_window"


def test_no_reason_return_shipping_is_paid_by_the_consumer(decide):
    decision = decide(**online())
    assert decision.return_shipping_paid_by == Payer.CONSUMER
    assert "nr_shipping" in codes(decision)


def test_company_promise_can_take_over_return_shipping(decide):
    policy = Policy(promises=CompanyPromises(enabled=True, free_return_shipping=True))
    decision = decide(policy=policy, **online())
    assert decision.return_shipping_paid_by == Payer.BUSINESS
    assert "cp_free_return_shipping" in codes(decision)


def test_no_reason_refund_is_the_price_actually_paid(decide):
    # Bought at a discount: the refund is what was paid, not the list price.
    assert decide(**online(price_paid="149.50")).refund_amount == Decimal("149.50")


def test_refund_due_seven_days_after_goods_received_back(decide):
    decision = decide(**online(goods_received_back_date="2024-03-10"))
    assert decision.refund_due_date == dt.date(2024, 3, 17)


def test_refund_due_date_unknown_until_goods_received_back(decide):
    decision = decide(**online())
    assert decision.refund_due_date is None
    assert decision.outcome == Outcome.RETURN


def test_refund_on_day_7_after_receipt_is_on_time(decide):
    decision = decide(**online(goods_received_back_date="2024-03-10", refund_date="2024-03-17"))
    assert decision.violations == ()


def test_refund_on_day_8_after_receipt_is_late(decide):
    decision = decide(**online(goods_received_back_date="2024-03-10", refund_date="2024-03-18"))
    assert [v.code for v in decision.violations] == ["refund_late"]
    assert decision.violations[0].days_late == 1
    assert decision.violations[0].due_date == dt.date(2024, 3, 17)


def test_refund_on_day_15_after_receipt_is_late_but_not_deliberate(decide):
    decision = decide(**online(goods_received_back_date="2024-03-10", refund_date="2024-03-25"))
    assert [v.code for v in decision.violations] == ["refund_late"]


def test_refund_on_day_16_after_receipt_is_a_deliberate_delay(decide):
    decision = decide(**online(goods_received_back_date="2024-03-10", refund_date="2024-03-26"))
    assert [v.code for v in decision.violations] == ["refund_late", "refund_deliberate_delay"]
    deliberate = decision.violations[1]
    assert deliberate.clause.code == "pen_9_4"
    assert deliberate.days_late == 1
    assert "故意拖延" in decision.explanation.zh


def order(**overrides):
    data = {
        "lines": [
            {"sku": "SHIRT", "list_price": "200.00", "returned": True},
            {"sku": "TROUSERS", "list_price": "150.00", "returned": False},
        ],
        "amount_paid": "350.00",
    }
    data.update(overrides)
    return data


def test_partial_return_without_promotion_refunds_the_returned_item(decide):
    assert decide(**online(order=order())).refund_amount == Decimal("200.00")


def test_spend_x_save_y_lost_settles_kept_items_at_their_price(decide):
    # 350 - 50 = 300 paid; keeping only the 150 trousers loses the 300-50 promotion.
    promo = {"type": "spend_x_save_y", "threshold": "300.00", "discount": "50.00"}
    decision = decide(**online(order=order(amount_paid="300.00", promotion=promo)))
    assert decision.refund_amount == Decimal("150.00")
    assert "nr_promotion" in codes(decision)


def test_spend_x_save_y_still_met_refunds_the_returned_share(decide):
    promo = {"type": "spend_x_save_y", "threshold": "300.00", "discount": "50.00"}
    lines = [
        {"sku": "A", "list_price": "300.00", "returned": False},
        {"sku": "B", "list_price": "100.00", "returned": True},
    ]
    decision = decide(**online(order=order(lines=lines, amount_paid="350.00", promotion=promo)))
    # B's share of the 350 paid for 400 of goods: 100 x 350 / 400.
    assert decision.refund_amount == Decimal("87.50")


def test_bundle_partial_return_loses_the_bundle_price(decide):
    lines = [
        {"sku": "CONSOLE", "list_price": "2000.00", "returned": False},
        {"sku": "CONTROLLER", "list_price": "400.00", "returned": True},
    ]
    decision = decide(**online(order=order(lines=lines, amount_paid="2199.00", promotion={"type": "bundle"})))
    assert decision.refund_amount == Decimal("199.00")


def test_gift_not_returned_is_deducted_at_its_marked_price(decide):
    gifts = [{"name": "保温杯", "marked_price": "39.00", "returned": False}]
    decision = decide(**online(order=order(gifts=gifts)))
    assert decision.refund_amount == Decimal("161.00")
    assert "nr_gifts" in codes(decision)


def test_gift_returned_is_not_deducted(decide):
    gifts = [{"name": "保温杯", "marked_price": "39.00", "returned": True}]
    decision = decide(**online(order=order(gifts=gifts)))
    assert decision.refund_amount == Decimal("200.00")
    assert "nr_gifts" not in codes(decision)


def test_return_that_loses_free_shipping_deducts_the_fee(decide):
    # Kept trousers (150) fall below the 199 free-shipping threshold.
    shipping = {"threshold": "199.00", "fee": "10.00"}
    decision = decide(**online(order=order(free_shipping=shipping)))
    assert decision.refund_amount == Decimal("190.00")
    assert "nr_shipping" in [c.clause.code for c in decision.clauses if c.step == "refund_amount"]


def test_return_that_keeps_free_shipping_deducts_nothing(decide):
    shipping = {"threshold": "99.00", "fee": "10.00"}
    assert decide(**online(order=order(free_shipping=shipping))).refund_amount == Decimal("200.00")


def test_whole_order_return_loses_free_shipping_too(decide):
    lines = [{"sku": "A", "list_price": "120.00", "returned": True}]
    decision = decide(
        **online(
            order=order(
                lines=lines, amount_paid="120.00", free_shipping={"threshold": "99.00", "fee": "8.00"}
            )
        )
    )
    assert decision.refund_amount == Decimal("112.00")


def test_refund_is_never_negative_when_deductions_exceed_it(decide):
    gifts = [{"name": "耳机", "marked_price": "500.00", "returned": False}]
    decision = decide(**online(order=order(gifts=gifts)))
    assert decision.refund_amount == Decimal("0.00")
