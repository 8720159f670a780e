"""Reading cases, the shipped 三包 catalog, date counting and the money helpers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.returns.policy import (
    Case,
    CaseError,
    CatalogError,
    Channel,
    Condition,
    LegalLimits,
    NoReasonRule,
    PartKind,
    catalog_from_data,
    default_catalog,
    depreciation_amount,
    evaluate,
    parts_supply_until,
    punitive_damages,
    repair_guarantee_until,
    shipped_catalog_data,
    split_refund,
    warranty_start,
    warranty_status,
)
from aftersales.returns.policy.dates import add_months, depreciation_days, warranty_end

# -- reading a case ----------------------------------------------------------------------------


def test_case_reads_every_field_of_the_interface():
    case = Case.from_dict(
        {
            "category": "mobile_phone",
            "part": "battery",
            "goods_class": "activation_devalued",
            "channel": "online",
            "price_paid": "2999.00",
            "invoice_date": "2024-01-01",
            "signed_date": "2024-01-03",
            "installed_date": None,
            "request_date": "2024-03-01",
            "reason": "quality",
            "performance_failure": True,
            "condition": ["packaging_opened", "activated"],
            "confirmed_not_returnable": True,
            "failed_repairs": 1,
            "repair_days": 4,
            "in_repair_since": "2024-02-20",
            "delay_cause": "repairer",
            "same_model_available": False,
            "wants": "exchange",
            "order": {
                "lines": [{"sku": "P1", "list_price": "2999.00", "returned": True}],
                "amount_paid": "2999.00",
                "promotion": {"type": "spend_x_save_y", "threshold": "300.00", "discount": "50.00"},
                "free_shipping": {"threshold": "99.00", "fee": "10.00"},
                "gifts": [{"name": "壳", "marked_price": "29.00", "returned": False}],
            },
            "goods_received_back_date": "2024-03-05",
            "refund_date": "2024-03-08",
        }
    )
    assert case.channel == Channel.ONLINE
    assert case.price_paid == Decimal("2999.00")
    assert case.condition == {Condition.PACKAGING_OPENED, Condition.ACTIVATED}
    assert case.in_repair_since == dt.date(2024, 2, 20)
    assert case.order is not None and case.order.gifts[0].marked_price == Decimal("29.00")
    assert case.order.promotion is not None and case.order.promotion.threshold == Decimal("300.00")
    assert case.wants is not None and case.wants.value == "exchange"


def test_case_defaults_are_whole_unit_and_normal_goods(case_json):
    case = Case.from_dict(case_json())
    assert case.part == "whole_unit"
    assert case.goods_class == "normal"
    assert case.same_model_available is True
    assert case.failed_repairs == 0


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"price_paid": 12.5}, "price_paid", "invalid_money"),
        ({"price_paid": "12.345"}, "price_paid", "invalid_money"),
        ({"price_paid": "-1.00"}, "price_paid", "invalid_money"),
        ({"price_paid": "abc"}, "price_paid", "invalid_money"),
        ({"price_paid": None}, "price_paid", "required"),
        ({"channel": "shop"}, "channel", "invalid_choice"),
        ({"reason": None}, "reason", "required"),
        ({"request_date": "2024/01/05"}, "request_date", "invalid_date"),
        ({"condition": ["dirty"]}, "condition[0]", "invalid_choice"),
        ({"failed_repairs": -1}, "failed_repairs", "invalid_count"),
        ({"performance_failure": "yes"}, "performance_failure", "invalid_boolean"),
        ({"category": "Mobile Phone"}, "category", "invalid_code"),
        ({"colour": "red"}, "colour", "unknown_field"),
        ({"invoice_date": "2024-02-01"}, "invoice_date", "date_after_request"),
        ({"in_repair_since": "2023-12-01"}, "in_repair_since", "date_before_purchase"),
        ({"delay_cause": "repairer"}, "in_repair_since", "delay_without_repair"),
        ({"reason": "no_reason", "channel": "online"}, "signed_date", "signed_date_required"),
        (
            {
                "order": {
                    "lines": [{"sku": "A", "list_price": "1.00", "returned": False}],
                    "amount_paid": "1.00",
                }
            },
            "order.lines",
            "invalid_order",
        ),
        (
            {
                "order": {
                    "lines": [{"sku": "A", "list_price": "1.00", "returned": True}],
                    "amount_paid": "1.00",
                    "promotion": {"type": "lottery"},
                }
            },
            "order.promotion.type",
            "invalid_choice",
        ),
    ],
)
def test_bad_input_names_the_field_in_both_languages(case_json, overrides, field, code):
    with pytest.raises(CaseError) as error:
        Case.from_dict(case_json(**overrides))
    assert error.value.field == field
    assert error.value.code == code
    assert error.value.message.zh and error.value.message.en
    assert error.value.message.zh != error.value.message.en


def test_unknown_goods_class_is_refused_by_the_engine(case_json):
    with pytest.raises(CaseError) as error:
        evaluate(Case.from_dict(case_json(goods_class="antiques")))
    assert error.value.field == "goods_class"


def test_general_goods_need_a_purchase_date(case_json):
    with pytest.raises(CaseError) as error:
        evaluate(Case.from_dict(case_json(category="general", invoice_date=None)))
    assert error.value.code == "purchase_date_required"


# -- the shipped catalog -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "rate", "parts"),
    [
        ("bicycle", "0.05", {"frame": 24, "derailleur": 24}),
        (
            "color_tv",
            "0.10",
            {"picture_tube": 36, "flyback_transformer": 36, "tuner": 36, "integrated_circuit": 36},
        ),
        (
            "bw_tv",
            "0.05",
            {"picture_tube": 36, "flyback_transformer": 36, "tuner": 36, "integrated_circuit": 36},
        ),
        ("video_recorder", "0.10", {"drum_motor": 12}),
        ("flat_panel_tv", "0.10", {"display_panel": 36, "backlight": 36, "logic_board": 36, "tuner": 36}),
        ("mobile_phone", "0.50", {"battery": 6, "charger": 12, "wired_earphone": 3, "data_card": 12}),
        (
            "laptop",
            None,
            {
                p: 24
                for p in ("mainboard", "cpu", "memory", "display", "hard_disk", "keyboard", "power_adapter")
            },
        ),
        ("refrigerator", None, {"compressor": 36}),
        ("air_conditioner", None, {"compressor": 36}),
        ("washing_machine", None, {}),
    ],
)
def test_shipped_catalog_has_the_spec_values(category, rate, parts):
    policy = default_catalog().category(category)
    assert policy is not None
    assert policy.whole_unit_months == 12
    assert policy.daily_depreciation_percent == (None if rate is None else Decimal(rate))
    assert {p.code: p.months for p in policy.parts} == parts


def test_shipped_catalog_has_the_first_batch_and_the_product_rules():
    first_batch = {
        "bicycle",
        "color_tv",
        "bw_tv",
        "video_recorder",
        "camcorder",
        "radio_cassette_recorder",
        "electronic_keyboard",
        "refrigerator",
        "washing_machine",
        "electric_fan",
        "microwave",
        "vacuum_cleaner",
        "air_conditioner",
        "range_hood",
        "gas_water_heater",
        "sewing_machine",
        "clock_watch",
        "motorcycle",
    }
    product_rules = {"mobile_phone", "fixed_phone", "laptop", "home_audio_video", "flat_panel_tv"}
    assert len(first_batch) == 18
    assert first_batch | product_rules == set(default_catalog().categories)


def test_phone_accessories_are_accessories_and_phones_have_a_60_day_parts_limit():
    phone = default_catalog().category("mobile_phone")
    assert phone is not None
    assert {p.kind for p in phone.parts} == {PartKind.ACCESSORY}
    assert phone.parts_delay_days == 60
    assert default_catalog().category("fixed_phone").loaner_after_days == 3


def test_installed_goods_start_their_period_on_installation():
    catalog = default_catalog()
    assert catalog.category("flat_panel_tv").period_starts_on_installation
    assert catalog.category("air_conditioner").period_starts_on_installation
    assert not catalog.category("mobile_phone").period_starts_on_installation


def test_shipped_goods_classes_carry_the_statutory_rules():
    classes = default_catalog().goods_classes
    assert classes["custom_made"].no_reason_rule == NoReasonRule.EXCLUDED
    assert classes["hygiene_sealed"].no_reason_rule == NoReasonRule.EXCLUDED_IF_CONFIRMED
    assert classes["normal"].no_reason_rule == NoReasonRule.RETURNABLE
    assert len(classes) == 8


def _data():
    data = shipped_catalog_data()
    return data["categories"], data["goods_classes"]


def test_catalog_refuses_a_change_to_a_statutory_goods_class():
    categories, classes = _data()
    for row in classes:
        if row["code"] == "custom_made":
            row["no_reason_rule"] = "returnable"
    with pytest.raises(CatalogError, match="custom_made"):
        catalog_from_data(categories, classes)


def test_catalog_allows_own_classes_only_if_confirmed():
    categories, classes = _data()
    own = {"code": "opened_software", "name_zh": "已拆封软件", "name_en": "Opened software"}
    with pytest.raises(CatalogError):
        catalog_from_data(categories, [*classes, {**own, "no_reason_rule": "excluded"}])
    catalog = catalog_from_data(categories, [*classes, {**own, "no_reason_rule": "excluded_if_confirmed"}])
    assert catalog.goods_classes["opened_software"].no_reason_rule == NoReasonRule.EXCLUDED_IF_CONFIRMED


def test_catalog_refuses_missing_statutory_classes_and_bad_numbers():
    categories, classes = _data()
    with pytest.raises(CatalogError, match="missing"):
        catalog_from_data(categories, classes[1:])
    bad = [{**categories[0], "whole_unit_months": 0}]
    with pytest.raises(CatalogError, match="whole_unit_months"):
        catalog_from_data(bad, classes)
    with pytest.raises(CatalogError, match="product rule"):
        catalog_from_data([{**categories[0], "product_rule": "cars_2021"}], classes)


def test_edited_catalog_changes_the_decision(case_json):
    categories, classes = _data()
    for row in categories:
        if row["code"] == "refrigerator":
            row["daily_depreciation_percent"] = "0.05"
    catalog = catalog_from_data(categories, classes)
    case = Case.from_dict(
        case_json(
            category="refrigerator",
            price_paid="4000.00",
            request_date="2024-03-01",
            failed_repairs=2,
            wants="return",
        )
    )
    # 60 days x 0.05 % x 4000
    assert evaluate(case, catalog=catalog).depreciation == Decimal("120.00")
    assert evaluate(case).depreciation == Decimal("0.00")


# -- warranty of a unit (shared with the intake decision) -----------------------------------------


def test_warranty_status_of_main_part_accessory_and_whole_unit():
    phone = default_catalog().category("mobile_phone")
    tv = default_catalog().category("color_tv")
    start = dt.date(2023, 3, 15)
    assert warranty_status(phone, start=start, on=dt.date(2024, 3, 15)).covered
    assert not warranty_status(phone, start=start, on=dt.date(2024, 3, 16)).covered
    battery = warranty_status(phone, part_code="battery", start=start, on=dt.date(2023, 9, 15))
    assert battery.covered and battery.is_accessory and battery.part_kind == "accessory"
    tube = warranty_status(tv, part_code="picture_tube", start=start, on=dt.date(2026, 3, 15))
    assert tube.covered and tube.months == 36 and tube.end == dt.date(2026, 3, 15)


def test_warranty_start_prefers_installation_then_signing_then_invoice():
    tv = default_catalog().category("flat_panel_tv")
    phone = default_catalog().category("mobile_phone")
    invoice, signed, installed = dt.date(2024, 1, 1), dt.date(2024, 1, 3), dt.date(2024, 1, 6)
    kw = {"invoice_date": invoice, "signed_date": signed, "installed_date": installed}
    assert warranty_start(tv, channel=Channel.ONLINE, **kw).date == installed
    assert warranty_start(phone, channel=Channel.ONLINE, **kw).date == signed
    assert warranty_start(phone, channel=Channel.STORE, **kw).date == invoice
    assert (
        warranty_start(phone, channel=Channel.STORE, invoice_date=None, signed_date=None, installed_date=None)
        is None
    )


# -- dates and money ------------------------------------------------------------------------------


def test_anniversary_of_a_leap_day_is_the_last_day_of_february():
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert warranty_end(dt.date(2023, 3, 15), 12, 10) == dt.date(2024, 3, 25)


def test_depreciation_days_deduct_repair_days_and_never_go_negative():
    assert depreciation_days(dt.date(2024, 1, 1), dt.date(2024, 4, 10), 10) == 90
    assert depreciation_days(dt.date(2024, 1, 1), dt.date(2024, 1, 5), 10) == 0


def test_depreciation_amount_is_capped_at_the_price():
    assert depreciation_amount(Decimal("3000.00"), Decimal("0.5"), 90) == Decimal("1350.00")
    assert depreciation_amount(Decimal("3000.00"), Decimal("0.5"), 400) == Decimal("3000.00")
    assert depreciation_amount(Decimal("3000.00"), None, 90) == Decimal("0.00")
    # 0.05 % of 99.99 for 3 days = 0.149985 -> 0.15 (half up)
    assert depreciation_amount(Decimal("99.99"), Decimal("0.05"), 3) == Decimal("0.15")


def test_fraud_compensation_is_three_times_the_price_at_least_500():
    assert punitive_damages(Decimal("200.00")) == Decimal("600.00")
    assert punitive_damages(Decimal("166.66")) == Decimal("500.00")
    assert punitive_damages(Decimal("166.67")) == Decimal("500.01")
    assert punitive_damages(Decimal("100.00"), LegalLimits(fraud_minimum=Decimal("800.00"))) == Decimal(
        "800.00"
    )


def test_refund_is_split_across_the_means_as_paid():
    parts = split_refund(Decimal("100.00"), [("card", Decimal("200.00")), ("coupon", Decimal("100.00"))])
    assert parts == [("card", Decimal("66.67")), ("coupon", Decimal("33.33"))]
    assert split_refund(Decimal("300.00"), [("card", Decimal("200.00")), ("coupon", Decimal("100.00"))]) == [
        ("card", Decimal("200.00")),
        ("coupon", Decimal("100.00")),
    ]
    with pytest.raises(ValueError):
        split_refund(Decimal("300.01"), [("card", Decimal("300.00"))])


def test_repair_must_hold_30_days_and_parts_last_5_years():
    assert repair_guarantee_until(dt.date(2024, 1, 31)) == dt.date(2024, 3, 1)
    assert parts_supply_until(dt.date(2024, 2, 29)) == dt.date(2029, 2, 28)
    assert parts_supply_until(dt.date(2024, 6, 1), LegalLimits(parts_supply_years=7)) == dt.date(2031, 6, 1)
