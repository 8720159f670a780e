"""Return pages and API: entering a case from a unit, the decision with its clauses in Chinese,
the flow's actions, and the return list with its clocks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aftersales.core.clock import frozen_at
from aftersales.returns.models import ReturnCase
from aftersales.service.models import ServiceRequest, SlaClock

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + b"\x00\x00\x00\rIHDR"
    + b"\x00\x00\x00\x01\x00\x00\x00\x01"
    + b"\x08\x02\x00\x00\x00"
)


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


def client_for(user, language="zh-hans"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def text(response):
    return response.content.decode()


FORM = {
    "reason": "quality",
    "channel": "store",
    "goods_class": "normal",
    "part": "whole_unit",
    "performance_failure": "on",
    "same_model_available": "on",
    "wants": "return",
    "description": "空调不制冷，要求退货",
    "contact_channel": "phone",
}


def test_pages_need_a_login(client):
    for url in ("/returns/", "/returns/new/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_case_entry_finds_the_unit_by_serial_number_and_fills_it_in(return_unit, agent):
    return_unit(dt.date(2026, 11, 20), serial_number="KFR-0001", store="国美徐汇店")
    with frozen_at(at(2026, 11, 24, 10)):
        page = client_for(agent).get("/returns/new/", {"serial": "kfr-0001"})
    body = text(page)
    assert page.status_code == 200
    assert "KFR-0001" in body and "国美徐汇店" in body and "2026-11-20" in body
    assert "维修记录" in body and "检查权益" in body  # repair history, "check entitlement"
    with frozen_at(at(2026, 11, 24, 10)):
        missing = client_for(agent).get("/returns/new/", {"serial": "NOPE"})
    assert "NOPE" in text(missing) and 'name="reason"' not in text(missing)


def test_preview_shows_the_decision_with_its_clauses_in_chinese_and_registers_nothing(return_unit, agent):
    return_unit(dt.date(2026, 11, 20), serial_number="KFR-0002")
    with frozen_at(at(2026, 11, 24, 10)):
        page = client_for(agent).post("/returns/new/", {**FORM, "serial_number": "KFR-0002", "preview": "1"})
    body = text(page)
    assert page.status_code == 200
    assert "《部分商品修理更换退货责任规定》" in body and "第九条" in body
    assert "退货" in body and "3199.00" in body
    assert not ServiceRequest.objects.filter(type="return").exists()


def test_the_english_reader_sees_the_clauses_in_english(return_unit, agent):
    return_unit(dt.date(2026, 11, 20), serial_number="KFR-0003")
    with frozen_at(at(2026, 11, 24, 10)):
        page = client_for(agent, "en").post(
            "/returns/new/", {**FORM, "serial_number": "KFR-0003", "preview": "1"}
        )
    assert "art. 9" in text(page) and "performance failure within 7 days" in text(page)


def test_a_case_the_engine_cannot_decide_shows_the_field_in_place(return_unit, agent):
    return_unit(dt.date(2026, 11, 20), serial_number="KFR-0004")
    form = {**FORM, "serial_number": "KFR-0004", "reason": "no_reason", "channel": "online", "preview": "1"}
    with frozen_at(at(2026, 11, 24, 10)):
        page = client_for(agent).post("/returns/new/", form)
    assert page.status_code == 200 and "签收日期" in text(page)


def test_starting_the_flow_registers_evaluates_and_shows_the_decision(return_unit, agent):
    return_unit(dt.date(2026, 11, 20), serial_number="KFR-0005")
    client = client_for(agent)
    with frozen_at(at(2026, 11, 24, 10)):
        response = client.post("/returns/new/", {**FORM, "serial_number": "KFR-0005", "start": "1"})
    sr = ServiceRequest.objects.get(type="return")
    assert response.status_code == 302 and response["Location"] == f"/returns/{sr.number}/"
    assert sr.status == "evaluated" and sr.channel == "phone"
    with frozen_at(at(2026, 11, 24, 10, 5)):
        detail = client.get(f"/returns/{sr.number}/")
    body = text(detail)
    assert "已评估" in body and "第九条" in body and "批准" in body  # evaluated; art. 9; approve
    assert "15日期限" in body and "12-09 10:00" in body  # due 15 days after the request


def test_actions_move_the_request_through_the_flow(return_unit, open_return, agent, media):
    unit = return_unit(dt.date(2026, 11, 20))
    sr = open_return(unit, at(2026, 11, 24, 10))
    client = client_for(agent)
    url = f"/returns/{sr.number}"
    with frozen_at(at(2026, 11, 24, 11)):
        client.post(f"{url}/approve/", {"outcome": "return", "refund_amount": "3199.00", "note": ""})
    sr.refresh_from_db()
    assert sr.status == "approved"
    with frozen_at(at(2026, 11, 25, 10)):
        client.post(
            f"{url}/receive/",
            {
                "condition": ["packaging_opened"],
                "cause": "product_defect",
                "responsible_department": "manufacturer",
                "note": "压缩机异响",
                "photos": [SimpleUploadedFile("机身.png", PNG, content_type="image/png")],
            },
        )
        page = client.get(f"{url}/")
    sr.refresh_from_db()
    rc = ReturnCase.objects.get(request=sr)
    assert sr.status == "goods_received" and rc.cause == "product_defect" and rc.photos.count() == 1
    body = text(page)
    assert "产品质量缺陷" in body and "生产厂家" in body and rc.photos.get().file.url in body
    with frozen_at(at(2026, 11, 26, 10)):
        client.post(
            f"{url}/refund/", {"amount": "3199.00", "means_1": "微信支付", "paid_1": "3199.00", "note": ""}
        )
        client.post(f"{url}/close/", {"note": "客户已收到退款"})
    sr.refresh_from_db()
    assert sr.status == "closed"
    assert ReturnCase.objects.get(request=sr).refund_split == [{"means": "微信支付", "amount": "3199.00"}]


def test_a_refused_action_is_shown_on_the_page_and_changes_nothing(return_unit, open_return, agent):
    unit = return_unit(dt.date(2026, 11, 14))  # day 10: no return
    sr = open_return(unit, at(2026, 11, 24, 10))
    client = client_for(agent)
    with frozen_at(at(2026, 11, 24, 11)):
        response = client.post(
            f"/returns/{sr.number}/approve/", {"outcome": "return", "refund_amount": "3199.00"}, follow=True
        )
    assert "只有经理可以" in text(response)
    sr.refresh_from_db()
    assert sr.status == "evaluated"


def test_return_list_colours_the_clocks(return_unit, open_return, agent, manager):
    late = open_return(return_unit(dt.date(2026, 11, 1)), at(2026, 11, 2, 10))
    fresh = open_return(return_unit(dt.date(2026, 11, 20)), at(2026, 11, 24, 10))
    with frozen_at(at(2026, 11, 24, 12)):
        page = client_for(manager).get("/returns/")
        overdue = client_for(manager).get("/returns/", {"overdue": "1"})
    body = text(page)
    assert page.status_code == 200 and "退换货" in body
    late_row = body.split(late.number)[2].split("</tr>")[0]
    fresh_row = body.split(fresh.number)[2].split("</tr>")[0]
    assert "badge-bad" in late_row and "已超时" in late_row
    assert "badge-ok" in fresh_row and "计时中" in fresh_row
    assert late.number in text(overdue) and fresh.number not in text(overdue)
    assert "本月退换货原因" in body  # the cause summary for managers


def test_the_list_shows_the_warning_colour_past_80_percent(return_unit, open_return, agent):
    sr = open_return(return_unit(dt.date(2026, 11, 10)), at(2026, 11, 11, 10))
    with frozen_at(at(2026, 11, 24, 10)):  # day 13 of 15
        body = text(client_for(agent).get("/returns/"))
    row = body.split(sr.number)[2].split("</tr>")[0]
    assert "badge-warn" in row


def test_a_technician_sees_no_return_and_cannot_open_one(return_unit, open_return, technician):
    sr = open_return(return_unit(dt.date(2026, 11, 20)), at(2026, 11, 24, 10))
    client = client_for(technician)
    assert client.get(f"/returns/{sr.number}/").status_code == 404
    assert client.get("/returns/new/").status_code == 403
    assert sr.number not in text(client.get("/returns/"))


# -- the API ----------------------------------------------------------------------------------------


def test_api_opens_a_return_from_a_unit_and_runs_the_flow(return_unit, agent, manager, media):
    unit = return_unit(dt.date(2026, 11, 14), serial_number="KFR-API")
    client = client_for(agent)
    facts = {
        "serial_number": "KFR-API",
        "reason": "quality",
        "channel": "store",
        "performance_failure": True,
        "wants": "return",
    }
    with frozen_at(at(2026, 11, 24, 10)):
        preview = client.post("/api/v1/returns/case-from-unit", facts, content_type="application/json")
        assert preview.status_code == 200
        assert preview.json()["case"]["invoice_date"] == "2026-11-14"
        assert preview.json()["decision"]["outcome"] == "exchange"
        opened = client.post(
            "/api/v1/returns/requests", {**facts, "description": "不制冷"}, content_type="application/json"
        )
    assert opened.status_code == 201
    body = opened.json()
    number = body["number"]
    assert body["status"] == "evaluated" and body["decision"]["options"] == ["exchange", "repair_free"]
    assert body["unit"]["id"] == unit.pk and "approve" in body["actions"]
    assert [c["code"] for c in body["clocks"]] == ["return_deadline"]
    with frozen_at(at(2026, 11, 24, 11)):
        refused = client.post(
            f"/api/v1/returns/requests/{number}/approve",
            {"outcome": "return", "refund_amount": "3199.00", "note": "客户坚持"},
            content_type="application/json",
        )
        assert refused.status_code == 403 and refused.json()["field"] == "outcome"
        approved = client_for(manager).post(
            f"/api/v1/returns/requests/{number}/approve",
            {"outcome": "return", "refund_amount": "3199.00", "note": "安装延误，同意退货"},
            content_type="application/json",
        )
    assert approved.status_code == 200 and approved.json()["override"] is True
    with frozen_at(at(2026, 11, 25, 10)):
        received = client.post(
            f"/api/v1/returns/requests/{number}/receive",
            {
                "cause": "installation_fault",
                "responsible_department": "installation",
                "condition": ["packaging_opened"],
                "photos": [SimpleUploadedFile("箱体.png", PNG, content_type="image/png")],
            },
        )
    assert received.status_code == 200, received.content
    assert received.json()["status"] == "goods_received" and len(received.json()["photos"]) == 1
    assert {c["code"] for c in received.json()["clocks"]} == {"return_deadline", "refund_due"}
    with frozen_at(at(2026, 11, 26, 10)):
        refunded = client.post(
            f"/api/v1/returns/requests/{number}/refund",
            {"payments": [{"means": "alipay", "amount": "1000.00"}, {"means": "cash", "amount": "2199.00"}]},
            content_type="application/json",
        )
    assert refunded.status_code == 200
    assert refunded.json()["refund_split"] == [
        {"means": "alipay", "amount": "1000.00"},
        {"means": "cash", "amount": "2199.00"},
    ]
    listed = client.get("/api/v1/returns/requests", {"status": "refunded"}).json()
    assert [item["number"] for item in listed["items"]] == [number]
    assert SlaClock.objects.get(request__number=number, code="refund_due").state == "met"


def test_api_refuses_a_move_out_of_order_with_409(return_unit, open_return, agent):
    sr = open_return(return_unit(dt.date(2026, 11, 20)), at(2026, 11, 24, 10))
    with frozen_at(at(2026, 11, 24, 11)):
        response = client_for(agent).post(
            f"/api/v1/returns/requests/{sr.number}/refund", {}, content_type="application/json"
        )
    assert response.status_code == 409 and response.json()["code"] == "transition_not_allowed"


def test_api_causes_sum_the_returns_for_the_evaluation(return_unit, open_return, agent, manager):
    sr = open_return(return_unit(dt.date(2026, 11, 20)), at(2026, 11, 24, 10))
    client = client_for(agent)
    with frozen_at(at(2026, 11, 24, 11)):
        client.post(f"/api/v1/returns/requests/{sr.number}/approve", {}, content_type="application/json")
    with frozen_at(at(2026, 11, 25, 10)):
        client.post(
            f"/api/v1/returns/requests/{sr.number}/receive",
            {"cause": "transport_damage", "responsible_department": "warehouse_logistics"},
        )
    assert (
        client.get("/api/v1/returns/causes", {"start": "2026-11-01", "end": "2026-11-30"}).status_code == 403
    )
    rows = (
        client_for(manager).get("/api/v1/returns/causes", {"start": "2026-11-01", "end": "2026-11-30"}).json()
    )
    assert [(r["cause"], r["department"], r["count"]) for r in rows] == [
        ("transport_damage", "warehouse_logistics", 1)
    ]
    assert Decimal(rows[0]["refunded"]) == Decimal("0")
