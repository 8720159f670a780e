"""Quality problems outside the 三包 catalog (art. 24), the company's promises and price rules, the decision."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.returns.policy import CompanyPromises, Decision, Layer, Outcome, Payer, Policy, PriceRules

R, X, F, P = Outcome.RETURN, Outcome.EXCHANGE, Outcome.REPAIR_FREE, Outcome.REPAIR_PAID
PROMISES = Policy(promises=CompanyPromises(enabled=True))


def codes(decision: Decision) -> list[str]:
    return [c.clause.code for c in decision.clauses]


def decisive(decision: Decision) -> str:
    assert decision.decided_by is not None
    return decision.decided_by.clause.code


# -- art. 24: goods under no 三包 rule ------------------------------------------------------------


def general(**overrides):
    base = {"category": "general", "price_paid": "480.00", "invoice_date": "2024-05-01"}
    base.update(overrides)
    return base


def test_general_goods_quality_return_on_day_7_of_receipt(decide):
    decision = decide(**general(request_date="2024-05-08", wants="return"))
    assert decision.outcome == R
    assert decision.options == (R, X, F)
    assert decision.refund_amount == Decimal("480.00")
    assert decision.return_shipping_paid_by == Payer.BUSINESS
    assert decisive(decision) == "cpl_24"


def test_general_goods_quality_day_8_is_exchange_or_repair(decide):
    decision = decide(**general(request_date="2024-05-09", wants="return"))
    assert decision.options == (X, F)
    assert "法定解除合同" in decision.explanation.zh


def test_general_goods_receipt_is_the_signing_date_for_distance_sales(decide):
    decision = decide(**general(channel="online", signed_date="2024-05-05", request_date="2024-05-12"))
    assert R in decision.options


def test_general_goods_misuse_is_not_a_quality_problem(decide):
    decision = decide(**general(request_date="2024-05-03", condition=["misuse"]))
    assert decision.outcome == P
    assert "cpl_24" in codes(decision)
    assert decisive(decision) == "pr_customer_damage"


def test_general_goods_force_majeure_is_refused_without_a_repair_offer(decide):
    decision = decide(**general(request_date="2024-05-03", condition=["force_majeure"]))
    assert decision.outcome == Outcome.REJECT
    assert decisive(decision) == "cpl_24"


def test_custom_category_code_is_treated_as_general_goods(decide):
    decision = decide(**general(category="sofa", request_date="2024-05-03"))
    assert "sofa" in decision.explanation.zh
    assert decision.options == (R, X, F)


# -- company promises, off by default ---------------------------------------------------------------


def store_no_reason(**overrides):
    base = {
        "category": "general",
        "channel": "store",
        "price_paid": "259.00",
        "invoice_date": "2024-05-01",
        "request_date": "2024-05-20",
        "reason": "no_reason",
        "performance_failure": None,
    }
    base.update(overrides)
    return base


def test_company_promises_are_off_by_default(decide):
    decision = decide(**store_no_reason())
    assert decision.outcome == Outcome.REJECT
    assert all(c.layer == Layer.LAW for c in decision.clauses)


def test_store_promise_allows_return_of_clean_resalable_goods(decide):
    decision = decide(policy=PROMISES, **store_no_reason(condition=["packaging_opened"]))
    assert decision.outcome == R
    assert decision.options == (R, X)
    assert decision.decided_by.layer == Layer.COMPANY_PROMISE
    assert decisive(decision) == "cp_store_no_reason"
    assert decision.refund_amount == Decimal("259.00")
    # The law's refusal is still on record before the promise.
    assert codes(decision).index("cpl_25_1") < codes(decision).index("cp_store_no_reason")


def test_promised_return_is_not_measured_against_the_statutory_refund_deadline(decide):
    late = store_no_reason(goods_received_back_date="2024-05-21", refund_date="2024-06-30")
    decision = decide(policy=PROMISES, **late)
    assert decision.outcome == R
    assert decision.violations == ()


@pytest.mark.parametrize(
    "category", ["food", "medicine", "cosmetics", "underwear", "gold_jewellery", "battery"]
)
def test_store_promise_excludes_the_listed_goods(decide, category):
    decision = decide(policy=PROMISES, **store_no_reason(category=category))
    assert decision.outcome == Outcome.REJECT
    assert decisive(decision) == "cp_store_no_reason"


def test_store_promise_refuses_soiled_goods(decide):
    decision = decide(policy=PROMISES, **store_no_reason(condition=["label_removed"]))
    assert decision.outcome == Outcome.REJECT


def test_store_promise_needs_a_proof_of_purchase(decide):
    decision = decide(policy=PROMISES, **store_no_reason(invoice_date=None))
    assert decision.outcome == Outcome.REJECT


def test_store_promise_sanbao_goods_day_7_is_like_normal_goods(decide):
    phone = store_no_reason(category="mobile_phone", price_paid="3000.00", request_date="2024-05-08")
    decision = decide(policy=PROMISES, **phone)
    assert decision.outcome == R
    assert "cp_sanbao_as_normal" in codes(decision)


def test_store_promise_sanbao_goods_day_8_needs_an_inspection_report(decide):
    phone = store_no_reason(category="mobile_phone", price_paid="3000.00", request_date="2024-05-09")
    decision = decide(policy=PROMISES, **phone)
    assert decision.outcome == Outcome.REJECT
    assert decisive(decision) == "cp_sanbao_as_normal"


def test_store_promise_time_limit_when_the_company_sets_one(decide):
    policy = Policy(promises=CompanyPromises(enabled=True, store_no_reason_days=15))
    assert decide(policy=policy, **store_no_reason(request_date="2024-05-16")).outcome == R
    assert decide(policy=policy, **store_no_reason(request_date="2024-05-17")).outcome == Outcome.REJECT


def test_promises_never_reduce_a_statutory_right(decide):
    online = store_no_reason(channel="online", signed_date="2024-05-18", category="food")
    assert decide(policy=PROMISES, **online).outcome == R


# -- company price rules ------------------------------------------------------------------------------


def test_price_rule_refunds_discounted_price_for_promised_returns(decide):
    decision = decide(policy=PROMISES, **store_no_reason(price_paid="199.00"))
    assert decision.refund_amount == Decimal("199.00")
    assert "pr_discount" in codes(decision)


def test_price_rule_seasonal_goods_returned_late_get_the_current_price(decide):
    policy = Policy(
        promises=CompanyPromises(enabled=True),
        price_rules=PriceRules(seasonal_current_price=lambda case: Decimal("159.00")),
    )
    decision = decide(policy=policy, **store_no_reason(price_paid="259.00"))
    assert decision.refund_amount == Decimal("159.00")
    assert "pr_seasonal" in codes(decision)


def test_price_rule_seasonal_never_touches_a_statutory_refund(decide):
    policy = Policy(price_rules=PriceRules(seasonal_current_price=lambda case: Decimal("1.00")))
    online = store_no_reason(channel="online", signed_date="2024-05-18")
    assert decide(policy=policy, **online).refund_amount == Decimal("259.00")


def test_price_rule_company_damage_refunds_the_original_price(decide):
    case = {"request_date": "2024-04-10", "failed_repairs": 2, "wants": "return", "condition": ["damaged"]}
    decision = decide(**case)
    assert decision.refund_amount == Decimal("3000.00")
    assert decision.depreciation == Decimal("0.00")
    assert "pr_company_damage" in codes(decision)


def test_price_rule_customer_damage_offers_paid_repair(decide):
    decision = decide(**store_no_reason(channel="online", signed_date="2024-05-18", condition=["soiled"]))
    assert decision.outcome == P
    assert decisive(decision) == "pr_customer_damage"


def test_price_rules_can_be_switched_off(decide):
    policy = Policy(price_rules=PriceRules(enabled=False))
    decision = decide(
        policy=policy, **store_no_reason(channel="online", signed_date="2024-05-18", condition=["soiled"])
    )
    assert decision.outcome == Outcome.REJECT
    assert all(c.layer != Layer.COMPANY_PRICE_RULE for c in decision.clauses)


# -- the decision ---------------------------------------------------------------------------------------


def test_statutory_return_is_decided_by_the_law_layer(decide):
    decision = decide(request_date="2024-01-03")
    assert decision.decided_by.layer == Layer.LAW
    assert sum(c.decisive for c in decision.clauses) == 1


def test_wants_selects_the_outcome_among_the_options(decide):
    assert decide(request_date="2024-01-03", wants="repair").outcome == F
    assert decide(request_date="2024-01-03", wants="exchange").outcome == X


def test_wish_that_is_not_available_falls_back_to_the_strongest_option(decide):
    decision = decide(request_date="2024-01-12", wants="return")
    assert decision.outcome == X
    assert "消费者要求退货" in decision.explanation.zh
    assert "asked for return" in decision.explanation.en


def test_without_a_wish_the_strongest_option_is_the_outcome(decide):
    assert decide(request_date="2024-01-03").outcome == R


def test_every_step_names_its_layer_and_clause(decide):
    decision = decide(request_date="2024-04-10", failed_repairs=2, repair_days=10)
    for step in decision.to_dict()["clauses"]:
        assert step["layer"] in {"law", "company_promise", "company_price_rule"}
        assert step["source"].startswith("《") or step["layer"] != "law"
        assert step["article"] and step["text"] and step["finding"]


def test_decision_json_in_chinese_by_default_and_english_on_request(decide):
    decision = decide(request_date="2024-01-03")
    zh, en = decision.to_dict(), decision.to_dict("en")
    assert zh["explanation"].startswith("结论：退货")
    assert en["explanation"].startswith("Decision: return")
    assert zh["clauses"][0]["source"] != en["clauses"][0]["source"]
    assert zh["refund_amount"] == en["refund_amount"] == "3000.00"
    assert set(zh) == {
        "outcome",
        "options",
        "refund_amount",
        "depreciation",
        "return_shipping_paid_by",
        "refund_due_date",
        "violations",
        "clauses",
        "explanation",
    }
