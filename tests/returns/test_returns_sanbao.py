"""三包: the 1995 rules and the product rules (phones, microcomputers, flat-panel TVs)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.returns.policy import Decision, Outcome, Payer
from aftersales.returns.policy.dates import repair_stretches

R, X, F, P = Outcome.RETURN, Outcome.EXCHANGE, Outcome.REPAIR_FREE, Outcome.REPAIR_PAID


def codes(decision: Decision) -> list[str]:
    return [c.clause.code for c in decision.clauses]


def decisive(decision: Decision) -> str:
    assert decision.decided_by is not None
    return decision.decided_by.clause.code


def on_day(day: int) -> str:
    """The request date ``day`` days after the 2024-01-01 invoice of the default case."""
    return (dt.date(2024, 1, 1) + dt.timedelta(days=day)).isoformat()


# -- 7 and 15 days after sale -----------------------------------------------------------------


def test_sanbao_day_7_performance_failure_allows_return_in_full(decide):
    decision = decide(request_date=on_day(7), wants="return")
    assert decision.outcome == R
    assert decision.options == (R, X, F)
    assert decision.refund_amount == Decimal("3000.00")
    assert decision.depreciation == Decimal("0.00")
    assert decisive(decision) == "sb_9"


def test_sanbao_day_8_allows_exchange_or_repair_but_no_return(decide):
    decision = decide(request_date=on_day(8), wants="return")
    assert decision.options == (X, F)
    assert decision.outcome == X
    assert decision.refund_amount is None
    assert decisive(decision) == "sb_10"


def test_sanbao_day_15_still_allows_exchange(decide):
    decision = decide(request_date=on_day(15), wants="exchange")
    assert decision.outcome == X
    assert decision.options == (X, F)


def test_sanbao_day_16_allows_only_free_repair(decide):
    decision = decide(request_date=on_day(16), wants="exchange")
    assert decision.options == (F,)
    assert decision.outcome == F
    assert decisive(decision) == "sb_15"


def test_sanbao_windows_need_a_performance_failure(decide):
    decision = decide(request_date=on_day(3), performance_failure=False, wants="return")
    assert decision.options == (F,)
    assert "sb_10" in codes(decision)


def test_sanbao_days_8_to_15_without_same_model_allow_a_full_refund(decide):
    decision = decide(request_date=on_day(10), same_model_available=False, wants="return")
    assert decision.outcome == R
    assert decision.refund_amount == Decimal("3000.00")
    assert decisive(decision) == "sb_13_no_model"


def test_sale_days_count_from_signing_for_distance_sales(decide):
    # Invoiced on the 1st, delivered and signed for on the 5th: day 7 is the 12th.
    base = {"channel": "online", "signed_date": "2024-01-05"}
    assert R in decide(request_date="2024-01-12", **base).options
    assert R not in decide(request_date="2024-01-13", **base).options


def test_flat_panel_tv_period_starts_when_installation_finished(decide):
    base = {
        "category": "flat_panel_tv",
        "price_paid": "4999.00",
        "invoice_date": "2024-01-01",
        "installed_date": "2024-01-10",
    }
    decision = decide(request_date="2024-01-17", **base)
    assert R in decision.options
    assert "installation_start" in codes(decision)
    assert R not in decide(request_date="2024-01-18", **base).options


def test_installation_start_falls_back_to_invoice_date_without_installation(decide):
    decision = decide(category="flat_panel_tv", price_paid="4999.00", request_date=on_day(8))
    assert R not in decision.options
    assert "sb_8" in codes(decision)


# -- the warranty period ------------------------------------------------------------------------


def anniversary(**overrides):
    base = {"invoice_date": "2023-03-15", "performance_failure": True}
    base.update(overrides)
    return base


def test_warranty_covers_the_anniversary_day(decide):
    decision = decide(**anniversary(request_date="2024-03-15"))
    assert decision.options == (F,)


def test_warranty_ends_after_the_anniversary_day(decide):
    decision = decide(**anniversary(request_date="2024-03-16"))
    assert decision.options == (P,)
    assert decision.outcome == P
    assert decisive(decision) == "sb_8"
    assert decision.return_shipping_paid_by == Payer.CONSUMER


def test_warranty_is_extended_by_days_in_repair(decide):
    assert decide(**anniversary(request_date="2024-03-18", repair_days=3)).options == (F,)
    assert decide(**anniversary(request_date="2024-03-19", repair_days=3)).options == (P,)


def test_days_in_repair_run_from_received_or_reopened_to_resolved():
    d = dt.date
    # (repair, reopened?, day): False is a resolution, True a reopening (rework).
    moves = [
        (1, False, d(2026, 5, 11)),
        (2, False, d(2026, 5, 3)),
        (1, True, d(2026, 6, 5)),
        (1, False, d(2026, 6, 6)),
        (1, False, d(2026, 6, 7)),  # resolved twice without a reopen: no new stretch
        (3, True, d(2026, 6, 1)),  # reopened, never resolved: still in repair, not counted
    ]
    received = {1: d(2026, 5, 1), 2: d(2026, 5, 3), 3: d(2026, 5, 20)}
    assert repair_stretches(received, moves) == [
        (d(2026, 5, 1), d(2026, 5, 11)),
        (d(2026, 5, 3), d(2026, 5, 3)),
        (d(2026, 6, 5), d(2026, 6, 6)),
    ]


def test_main_part_has_its_own_longer_period(decide):
    tv = {"category": "color_tv", "price_paid": "2600.00", "request_date": "2025-09-01"}
    assert decide(part="picture_tube", **tv).options == (F,)
    assert decide(part="whole_unit", **tv).options == (P,)
    assert decide(part="picture_tube", **{**tv, "request_date": "2027-01-02"}).options == (P,)


def test_laptop_main_parts_are_covered_two_years(decide):
    laptop = {"category": "laptop", "price_paid": "6999.00", "request_date": "2025-06-30"}
    assert decide(part="hard_disk", **laptop).options == (F,)
    assert decide(part="mainboard", **{**laptop, "request_date": "2026-01-02"}).options == (P,)


def test_flat_panel_display_panel_is_covered_three_years(decide):
    tv = {"category": "flat_panel_tv", "price_paid": "4999.00", "request_date": "2026-12-31"}
    assert decide(part="display_panel", **tv).options == (F,)


def test_unlisted_part_uses_the_whole_unit_period(decide):
    tv = {"category": "flat_panel_tv", "price_paid": "4999.00", "request_date": "2025-06-01"}
    decision = decide(part="power_board", **tv)
    assert decision.options == (P,)
    assert "power_board" in decision.explanation.zh


def test_bicycle_frame_is_covered_two_years(decide):
    bike = {"category": "bicycle", "price_paid": "899.00", "request_date": "2025-12-01"}
    assert decide(part="frame", **bike).options == (F,)
    assert decide(**bike).options == (P,)


# -- repaired twice; return instead of exchange --------------------------------------------------


def test_one_failed_repair_means_another_free_repair(decide):
    decision = decide(request_date="2024-06-01", failed_repairs=1, wants="exchange")
    assert decision.options == (F,)
    assert decision.outcome == F


def test_two_failed_repairs_allow_exchange_or_return(decide):
    decision = decide(request_date="2024-06-01", failed_repairs=2, wants="exchange")
    assert decision.options == (R, X, F)
    assert decision.outcome == X
    assert decisive(decision) == "sb_11"


def test_two_failed_repairs_outside_warranty_give_nothing_free(decide):
    decision = decide(request_date="2025-02-01", failed_repairs=2)
    assert decision.options == (P,)


def test_return_with_same_model_available_deducts_depreciation_after_repair_days(decide):
    # Phone, 3000.00, invoice 2024-01-01, returned 2024-04-10: 100 days, 10 of them in repair,
    # so 90 days x 0.5 % x 3000 = 1350.00 of depreciation.
    decision = decide(request_date="2024-04-10", failed_repairs=2, repair_days=10, wants="return")
    assert decision.outcome == R
    assert decision.depreciation == Decimal("1350.00")
    assert decision.refund_amount == Decimal("1650.00")
    assert decisive(decision) == "sb_13_depreciation"
    assert "1350.00" in decision.explanation.zh


def test_depreciation_counts_to_the_day_the_goods_come_back(decide):
    decision = decide(
        request_date="2024-04-10", goods_received_back_date="2024-04-20", failed_repairs=2, wants="return"
    )
    # 110 days x 0.5 % x 3000
    assert decision.depreciation == Decimal("1650.00")


def test_depreciation_uses_the_category_rate(decide):
    tv = {"category": "flat_panel_tv", "price_paid": "5000.00", "invoice_date": "2024-01-01"}
    decision = decide(request_date="2024-03-01", failed_repairs=2, wants="return", **tv)
    # 60 days x 0.10 % x 5000
    assert decision.depreciation == Decimal("300.00")
    assert decision.refund_amount == Decimal("4700.00")


def test_return_without_same_model_is_a_full_refund(decide):
    decision = decide(request_date="2024-04-10", failed_repairs=2, same_model_available=False, wants="return")
    assert decision.refund_amount == Decimal("3000.00")
    assert decision.depreciation == Decimal("0.00")
    assert decisive(decision) == "sb_13_no_model"


def test_depreciation_is_not_charged_while_no_rate_is_set(decide):
    fridge = {"category": "refrigerator", "price_paid": "3999.00"}
    decision = decide(request_date="2024-05-01", failed_repairs=2, wants="return", **fridge)
    assert decision.depreciation == Decimal("0.00")
    assert decision.refund_amount == Decimal("3999.00")
    assert "未设置日折旧率" in decision.explanation.zh


def test_seven_day_full_refund_wins_over_depreciation(decide):
    decision = decide(request_date=on_day(5), failed_repairs=2, wants="return")
    assert decision.refund_amount == Decimal("3000.00")
    assert decisive(decision) == "sb_9"


# -- repair delays ---------------------------------------------------------------------------------


def open_repair(days: int, cause: str, **overrides):
    since = dt.date(2024, 2, 1)
    base = {
        "category": "refrigerator",
        "price_paid": "3999.00",
        "in_repair_since": since.isoformat(),
        "request_date": (since + dt.timedelta(days=days)).isoformat(),
        "delay_cause": cause,
        "repair_days": days,
        "wants": "exchange",
    }
    base.update(overrides)
    return base


def test_parts_delay_day_90_is_not_yet_an_exchange(decide):
    decision = decide(**open_repair(90, "parts_not_supplied"))
    assert X not in decision.options
    assert "sb_12_parts" in codes(decision)


def test_parts_delay_day_91_is_a_free_exchange_by_the_seller(decide):
    decision = decide(**open_repair(91, "parts_not_supplied"))
    assert decision.outcome == X
    assert decisive(decision) == "sb_12_parts"
    assert R in decision.options


def test_phone_parts_delay_day_60_is_not_yet_an_exchange(decide):
    decision = decide(**open_repair(60, "parts_not_supplied", category="mobile_phone", price_paid="3000.00"))
    assert X not in decision.options


def test_phone_parts_delay_day_61_is_a_free_exchange(decide):
    decision = decide(**open_repair(61, "parts_not_supplied", category="mobile_phone", price_paid="3000.00"))
    assert decision.outcome == X
    assert decisive(decision) == "mp_parts_delay"


def test_repairer_delay_day_30_is_not_yet_an_exchange(decide):
    assert X not in decide(**open_repair(30, "repairer")).options


def test_repairer_delay_day_31_is_an_exchange_at_the_repairers_cost(decide):
    decision = decide(**open_repair(31, "repairer"))
    assert decision.outcome == X
    assert decisive(decision) == "sb_12_repairer"


def test_repairer_limit_applies_to_phones_too(decide):
    decision = decide(**open_repair(31, "repairer", category="mobile_phone", price_paid="3000.00"))
    assert decision.outcome == X


def test_open_repair_is_judged_on_the_day_it_was_handed_in(decide):
    # Handed in on the last covered day; the request months later is still a 三包 matter.
    decision = decide(
        invoice_date="2023-02-01",
        in_repair_since="2024-02-01",
        request_date="2024-05-15",
        delay_cause="parts_not_supplied",
        category="refrigerator",
        price_paid="3999.00",
        wants="exchange",
    )
    assert decision.outcome == X


def test_fixed_phone_loaner_is_due_after_3_days(decide):
    phone = {"category": "fixed_phone", "price_paid": "199.00", "invoice_date": "2024-01-01"}
    day3 = decide(in_repair_since="2024-02-01", request_date="2024-02-04", **phone)
    day4 = decide(in_repair_since="2024-02-01", request_date="2024-02-05", **phone)
    assert "fixed_phone_loaner" not in codes(day3)
    assert "fixed_phone_loaner" in codes(day4)


def test_open_repair_day_15_is_not_a_deliberate_delay(decide):
    assert decide(**open_repair(15, "repairer")).violations == ()


def test_open_repair_day_16_is_a_deliberate_delay(decide):
    decision = decide(**open_repair(16, "repairer"))
    assert [v.code for v in decision.violations] == ["repair_deliberate_delay"]
    assert decision.violations[0].clause.code == "pen_8"


# -- accessories vs host ---------------------------------------------------------------------------


def test_accessory_fault_gets_a_replacement_not_a_host_return(decide):
    battery = decide(part="battery", request_date=on_day(5), wants="return")
    host = decide(part="whole_unit", request_date=on_day(5), wants="return")
    assert battery.options == (X,)
    assert battery.outcome == X
    assert decisive(battery) == "mp_accessory"
    assert host.outcome == R


def test_accessory_has_its_own_shorter_period(decide):
    # Seven months after sale: the 6-month battery is out, the 12-month host is in.
    assert decide(part="battery", request_date="2024-08-01").options == (P,)
    assert decide(part="whole_unit", request_date="2024-08-01").options == (F,)


def test_battery_covered_through_its_six_month_anniversary(decide):
    assert decide(part="battery", request_date="2024-07-01").options == (X,)
    assert decide(part="battery", request_date="2024-07-02").options == (P,)


def test_wired_earphone_is_covered_three_months(decide):
    assert decide(part="wired_earphone", request_date="2024-04-01").options == (X,)
    assert decide(part="wired_earphone", request_date="2024-04-02").options == (P,)


def test_accessory_failing_after_two_replacements_is_returned(decide):
    decision = decide(part="charger", request_date="2024-05-01", failed_repairs=2, price_paid="99.00")
    assert decision.outcome == R
    assert decision.refund_amount == Decimal("99.00")
    assert decisive(decision) == "mp_accessory"


def test_accessory_after_one_replacement_is_replaced_again(decide):
    decision = decide(part="charger", request_date="2024-05-01", failed_repairs=1, price_paid="99.00")
    assert decision.options == (X,)


# -- exclusions --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "clause"),
    [
        ("misuse", "sb_excluded_misuse"),
        ("unauthorized_repair", "sb_excluded_disassembly"),
        ("modified", "sb_excluded_altered"),
        ("force_majeure", "sb_excluded_force_majeure"),
    ],
)
def test_sanbao_exclusion_means_paid_repair(decide, condition, clause):
    decision = decide(request_date=on_day(3), condition=[condition], wants="return")
    assert decision.options == (P,)
    assert decision.outcome == P
    assert decisive(decision) == clause


def test_no_invoice_and_no_proof_of_purchase_means_paid_repair(decide):
    decision = decide(invoice_date=None, request_date="2024-03-01")
    assert decision.options == (P,)
    assert decisive(decision) == "sb_excluded_no_proof"


def test_signing_record_proves_the_purchase_without_an_invoice(decide):
    decision = decide(
        invoice_date=None, channel="online", signed_date="2024-01-03", request_date="2024-03-01"
    )
    assert decision.options == (F,)


def test_damage_that_is_not_misuse_does_not_exclude_sanbao(decide):
    assert decide(request_date=on_day(3), condition=["damaged", "packaging_opened"]).options == (R, X, F)


def test_burden_of_proof_lies_with_the_business_within_six_months(decide):
    within = decide(request_date="2024-07-01", condition=["misuse"])
    after = decide(request_date="2024-07-02", condition=["misuse"])
    assert "cpl_23_3" in codes(within)
    assert "举证" in within.explanation.zh
    assert "cpl_23_3" not in codes(after)


# -- exchange terms, money and deadlines of quality returns -----------------------------------------


def test_exchange_must_be_new_and_starts_a_new_period(decide):
    decision = decide(request_date=on_day(10))
    assert "sb_14" in codes(decision)
    assert "sb_14" not in codes(decide(request_date=on_day(20)))


def test_quality_return_shipping_is_paid_by_the_business(decide):
    decision = decide(request_date=on_day(2), wants="return")
    assert decision.return_shipping_paid_by == Payer.BUSINESS


def test_quality_refund_is_due_15_days_after_the_request(decide):
    decision = decide(request_date="2024-01-05", wants="return")
    assert decision.refund_due_date == dt.date(2024, 1, 20)


def test_quality_refund_on_day_15_is_on_time(decide):
    assert decide(request_date="2024-01-05", refund_date="2024-01-20", wants="return").violations == ()


def test_quality_refund_on_day_16_is_a_deliberate_delay(decide):
    decision = decide(request_date="2024-01-05", refund_date="2024-01-21", wants="return")
    assert [v.code for v in decision.violations] == ["refund_deliberate_delay"]
    assert decision.violations[0].clause.code == "pen_8"


def test_repaired_product_must_work_30_days(decide):
    decision = decide(request_date="2024-03-01")
    guarantee = next(c for c in decision.clauses if c.step == "repair_guarantee")
    assert guarantee.clause.code == "sb_6"
    assert "30" in guarantee.finding.zh
