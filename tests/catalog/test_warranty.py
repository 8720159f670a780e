"""Warranty decision rules (pure): anniversary inclusive, repair days, misuse, force majeure."""

import datetime as dt

from aftersales.catalog.warranty import (
    Charge,
    FaultCause,
    WarrantyStatus,
    add_months,
    decide_warranty,
    warranty_start,
)

D = dt.date


def test_warranty_runs_through_the_anniversary_day_inclusive():
    on_anniversary = decide_warranty(on=D(2024, 3, 15), starts_on=D(2023, 3, 15), months=12)
    assert on_anniversary.status == WarrantyStatus.IN_WARRANTY and on_anniversary.charge == Charge.FREE
    day_after = decide_warranty(on=D(2024, 3, 16), starts_on=D(2023, 3, 15), months=12)
    assert day_after.status == WarrantyStatus.OUT_OF_WARRANTY and day_after.charge == Charge.PAID


def test_days_in_repair_extend_the_warranty():
    decision = decide_warranty(on=D(2024, 3, 20), starts_on=D(2023, 3, 15), months=12, repair_days=5)
    assert decision.status == WarrantyStatus.IN_WARRANTY
    assert decision.ends_on == D(2024, 3, 20)


def test_misuse_is_charged_parts_at_cost_even_in_warranty():
    decision = decide_warranty(on=D(2023, 5, 1), starts_on=D(2023, 3, 15), months=12, cause=FaultCause.MISUSE)
    assert decision.status == WarrantyStatus.MISUSE and decision.charge == Charge.PARTS_AT_COST


def test_force_majeure_is_charged_parts_at_cost():
    decision = decide_warranty(
        on=D(2023, 5, 1), starts_on=D(2023, 3, 15), months=12, cause=FaultCause.FORCE_MAJEURE
    )
    assert decision.status == WarrantyStatus.FORCE_MAJEURE and decision.charge == Charge.PARTS_AT_COST


def test_no_proof_of_purchase_means_paid_repair():
    decision = decide_warranty(on=D(2023, 5, 1), starts_on=None, months=12)
    assert decision.charge == Charge.PAID and decision.reason_code == "no_proof_of_purchase"


def test_leap_day_anniversary_falls_back_to_february_28():
    assert add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)


def test_installed_goods_start_on_commissioning():
    start = warranty_start(
        starts="installation",
        purchase_date=D(2026, 1, 1),
        delivery_date=D(2026, 1, 3),
        commissioning_date=D(2026, 1, 5),
    )
    assert start == D(2026, 1, 5)
    assert warranty_start(starts="invoice", purchase_date=D(2026, 1, 1), delivery_date=D(2026, 1, 3)) == D(
        2026, 1, 1
    )
