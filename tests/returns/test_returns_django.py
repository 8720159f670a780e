"""The engine inside the product: catalog tables, admin, API, CLI and the configured policy."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from aftersales.returns import selectors
from aftersales.returns.models import NoReasonGoodsClass, ProductRule, SanbaoCategory, SanbaoPart
from aftersales.returns.policy import Condition, Outcome, default_catalog
from aftersales.returns.policy.clauses import PRODUCT_RULES

pytestmark = pytest.mark.django_db

PHONE_CASE = {
    "category": "mobile_phone",
    "channel": "online",
    "price_paid": "3000.00",
    "invoice_date": "2024-01-01",
    "signed_date": "2024-01-01",
    "request_date": "2024-04-10",
    "reason": "quality",
    "performance_failure": True,
    "failed_repairs": 2,
    "repair_days": 10,
    "wants": "return",
}


# -- reference data ----------------------------------------------------------------------------


def test_data_migration_loads_the_shipped_catalog():
    shipped = default_catalog()
    loaded = selectors.load_policy_catalog()
    assert set(loaded.categories) == set(shipped.categories)
    assert set(loaded.goods_classes) == set(shipped.goods_classes)
    for code, category in shipped.categories.items():
        row = loaded.categories[code]
        assert row.whole_unit_months == category.whole_unit_months
        assert row.daily_depreciation_percent == category.daily_depreciation_percent
        assert set(row.parts) == set(category.parts)
        assert (row.parts_delay_days, row.loaner_after_days) == (
            category.parts_delay_days,
            category.loaner_after_days,
        )
    for code, goods_class in shipped.goods_classes.items():
        assert loaded.goods_classes[code] == goods_class


def test_product_rule_choices_are_the_rules_the_engine_cites():
    assert set(ProductRule.values) == set(PRODUCT_RULES)


def test_edited_depreciation_rate_changes_the_decision():
    fridge = {**PHONE_CASE, "category": "refrigerator", "price_paid": "4000.00"}
    assert selectors.decide_case(fridge).depreciation == Decimal("0.00")
    SanbaoCategory.objects.filter(code="refrigerator").update(daily_depreciation_percent=Decimal("0.05"))
    # 100 days - 10 in repair = 90 days x 0.05 % x 4000
    assert selectors.decide_case(fridge).depreciation == Decimal("180.00")


def test_edited_part_period_changes_the_decision():
    battery = {
        **PHONE_CASE,
        "part": "battery",
        "request_date": "2024-08-01",
        "failed_repairs": 0,
        "repair_days": 0,
    }
    assert selectors.decide_case(battery).outcome == Outcome.REPAIR_PAID
    SanbaoPart.objects.filter(category__code="mobile_phone", code="battery").update(months=12)
    assert selectors.decide_case(battery).outcome == Outcome.EXCHANGE


def test_statutory_goods_class_keeps_its_rule():
    custom = NoReasonGoodsClass.objects.get(code="custom_made")
    custom.no_reason_rule = "returnable"
    with pytest.raises(ValidationError) as error:
        custom.full_clean()
    assert "no_reason_rule" in error.value.message_dict


def test_own_goods_class_needs_the_customers_confirmation_to_exclude():
    own = NoReasonGoodsClass(code="opened_software", name_zh="已拆封软件", no_reason_rule="excluded")
    with pytest.raises(ValidationError):
        own.full_clean()
    own.no_reason_rule = "excluded_if_confirmed"
    own.full_clean()
    own.save()
    case = {
        "category": "general",
        "goods_class": "opened_software",
        "channel": "online",
        "price_paid": "99.00",
        "signed_date": "2024-01-01",
        "request_date": "2024-01-03",
        "reason": "no_reason",
    }
    assert selectors.decide_case(case).outcome == Outcome.RETURN
    assert selectors.decide_case({**case, "confirmed_not_returnable": True}).outcome == Outcome.REJECT


def test_empty_tables_fall_back_to_the_shipped_catalog():
    SanbaoCategory.objects.all().delete()
    NoReasonGoodsClass.objects.all().delete()
    assert selectors.load_policy_catalog() == default_catalog()


def test_warranty_for_a_unit_reads_the_same_catalog():
    start = dt.date(2023, 3, 15)
    assert selectors.warranty_for("mobile_phone", start=start, on=dt.date(2024, 3, 15)).covered
    assert not selectors.warranty_for(
        "mobile_phone", part_code="battery", start=start, on=dt.date(2023, 9, 16)
    ).covered
    SanbaoPart.objects.filter(category__code="mobile_phone", code="battery").update(months=12)
    assert selectors.warranty_for(
        "mobile_phone", part_code="battery", start=start, on=dt.date(2023, 9, 16)
    ).covered
    assert selectors.warranty_for("sofa", start=start, on=dt.date(2023, 9, 16)) is None


# -- the configured policy -----------------------------------------------------------------------


def test_policy_from_settings_overrides_only_what_is_given():
    policy = selectors.policy_from_settings(
        {
            "limits": {"fraud_minimum": "800.00", "deliberate_delay_days": 10},
            "promises": {"enabled": True, "excluded_categories": ["food"]},
            "price_rules": {"customer_damage_conditions": ["misuse"]},
        }
    )
    assert policy.limits.fraud_minimum == Decimal("800.00")
    assert policy.limits.deliberate_delay_days == 10
    assert policy.limits.no_reason_days == 7
    assert policy.promises.enabled and policy.promises.excluded_categories == ("food",)
    assert policy.price_rules.customer_damage_conditions == frozenset({Condition.MISUSE})


def test_policy_from_settings_refuses_unknown_settings():
    with pytest.raises(ValueError, match="no_reason_dayz"):
        selectors.policy_from_settings({"limits": {"no_reason_dayz": 10}})


def test_company_promises_follow_the_settings(settings):
    store = {
        "category": "general",
        "channel": "store",
        "price_paid": "259.00",
        "invoice_date": "2024-05-01",
        "request_date": "2024-05-03",
        "reason": "no_reason",
    }
    assert selectors.decide_case(store).outcome == Outcome.REJECT
    settings.AFTERSALES = {**settings.AFTERSALES, "RETURNS_POLICY": {"promises": {"enabled": True}}}
    assert selectors.decide_case(store).outcome == Outcome.RETURN


# -- API --------------------------------------------------------------------------------------------


@pytest.fixture
def client_for():
    def make(user=None, lang="zh-hans"):
        client = Client(HTTP_ACCEPT_LANGUAGE=lang)
        if user is not None:
            client.force_login(user)
        return client

    return make


def post(client, body, query=""):
    return client.post("/api/v1/returns/evaluate" + query, body, content_type="application/json")


def test_api_evaluates_a_case_in_chinese(client_for, agent):
    response = post(client_for(agent), PHONE_CASE)
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "return"
    assert body["options"] == ["return", "exchange", "repair_free"]
    assert body["refund_amount"] == "1650.00"
    assert body["depreciation"] == "1350.00"
    assert body["refund_due_date"] == "2024-04-25"
    assert body["explanation"].startswith("结论：退货")
    decisive = [c for c in body["clauses"] if c["decisive"]]
    assert [c["article"] for c in decisive] == ["第十三条"]


def test_api_answers_in_english_on_request(client_for, agent):
    by_query = post(client_for(agent), PHONE_CASE, "?lang=en").json()
    by_header = post(client_for(agent, lang="en"), PHONE_CASE).json()
    assert by_query["explanation"].startswith("Decision: return")
    assert by_header["explanation"] == by_query["explanation"]


def test_api_refuses_bad_input_naming_the_field(client_for, agent):
    response = post(client_for(agent), {**PHONE_CASE, "price_paid": "12.345"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_money"
    assert response.json()["field"] == "price_paid"
    assert "两位小数" in response.json()["message"]
    english = post(client_for(agent, lang="en"), {**PHONE_CASE, "channel": "shop"}).json()
    assert english["field"] == "channel" and "expected one of" in english["message"]
    by_query = post(client_for(agent), {**PHONE_CASE, "channel": "shop"}, "?lang=en").json()
    assert by_query["message"] == english["message"]


def test_api_refuses_an_unknown_goods_class(client_for, agent):
    response = post(client_for(agent), {**PHONE_CASE, "goods_class": "antiques"})
    assert response.status_code == 422
    assert response.json()["field"] == "goods_class"


def test_api_needs_a_login(client_for):
    assert post(client_for(), PHONE_CASE).status_code == 401


# -- CLI --------------------------------------------------------------------------------------------


def test_cli_prints_the_decision_as_json(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(PHONE_CASE), encoding="utf-8")
    out = io.StringIO()
    call_command("returns", "evaluate", str(path), stdout=out)
    decision = json.loads(out.getvalue())
    assert decision["outcome"] == "return"
    assert decision["refund_amount"] == "1650.00"
    assert "折旧费" in decision["explanation"]


def test_cli_speaks_english_on_request(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(PHONE_CASE), encoding="utf-8")
    out = io.StringIO()
    call_command("returns", "evaluate", str(path), "--lang", "en", stdout=out)
    assert json.loads(out.getvalue())["explanation"].startswith("Decision: return")


def test_cli_reports_bad_input(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps({**PHONE_CASE, "request_date": "10/04/2024"}), encoding="utf-8")
    with pytest.raises(CommandError, match="request_date"):
        call_command("returns", "evaluate", str(path), stdout=io.StringIO())
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("returns", "evaluate", str(broken), stdout=io.StringIO())
    with pytest.raises(CommandError, match="cannot read"):
        call_command("returns", "evaluate", str(tmp_path / "missing.json"), stdout=io.StringIO())


# -- admin ------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client_zh(admin_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(admin_user)
    return client


def test_admin_lists_the_catalog(admin_client_zh):
    listing = admin_client_zh.get("/admin/returns/sanbaocategory/")
    assert listing.status_code == 200
    assert "三包商品类别" in listing.content.decode()
    assert "移动电话机" in listing.content.decode()
    assert admin_client_zh.get("/admin/returns/noreasongoodsclass/").status_code == 200
    phone = SanbaoCategory.objects.get(code="mobile_phone")
    page = admin_client_zh.get(f"/admin/returns/sanbaocategory/{phone.pk}/change/")
    assert page.status_code == 200
    assert "wired_earphone" in page.content.decode()


def test_admin_edit_records_the_editor(admin_client_zh, admin_user):
    fridge = SanbaoCategory.objects.get(code="refrigerator")
    parts = list(fridge.parts.all())
    form = {
        "code": "refrigerator",
        "name_zh": "电冰箱",
        "name_en": "Refrigerator",
        "product_rule": "sanbao_1995",
        "whole_unit_months": "12",
        "daily_depreciation_percent": "0.05",
        "durable": "on",
        "parts_delay_days": "",
        "loaner_after_days": "",
        "parts-TOTAL_FORMS": str(len(parts)),
        "parts-INITIAL_FORMS": str(len(parts)),
        "parts-MIN_NUM_FORMS": "0",
        "parts-MAX_NUM_FORMS": "1000",
    }
    for i, part in enumerate(parts):
        form.update(
            {
                f"parts-{i}-id": str(part.pk),
                f"parts-{i}-category": str(fridge.pk),
                f"parts-{i}-code": part.code,
                f"parts-{i}-name_zh": part.name_zh,
                f"parts-{i}-name_en": part.name_en,
                f"parts-{i}-kind": part.kind,
                f"parts-{i}-months": str(part.months),
            }
        )
    response = admin_client_zh.post(f"/admin/returns/sanbaocategory/{fridge.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    fridge.refresh_from_db()
    assert fridge.daily_depreciation_percent == Decimal("0.050")
    assert fridge.updated_by == admin_user


def test_admin_keeps_statutory_classes(admin_client_zh):
    custom = NoReasonGoodsClass.objects.get(code="custom_made")
    page = admin_client_zh.get(f"/admin/returns/noreasongoodsclass/{custom.pk}/change/").content.decode()
    assert 'name="no_reason_rule"' not in page
    assert admin_client_zh.get(f"/admin/returns/noreasongoodsclass/{custom.pk}/delete/").status_code == 403
