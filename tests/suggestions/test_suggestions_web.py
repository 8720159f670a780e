"""Suggestions through the API and the pages: the whole flow, certificates."""

import datetime as dt

import pytest
from django.test import Client

from aftersales.suggestions.models import Certificate, Department, SuggestionContact

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def client_for(db):
    def make(user=None):
        c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        if user:
            c.force_login(user)
        return c

    return make


def post(c, path, body):
    return c.post("/api/v1/suggestions" + path, body, content_type="application/json")


def test_api_walks_the_whole_flow(client_for, agent, manager, make_customer):
    customer = make_customer(name="孙丽")
    a, m = client_for(agent), client_for(manager)
    r = post(
        a,
        "",
        {
            "customer_id": customer.pk,
            "channel": "email",
            "subject": "design",
            "description": "包装盒太大，建议缩小以减少浪费",
        },
    )
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    assert r.json()["status"] == "new" and r.json()["subject_label"]
    rnd = Department.objects.get(code="rnd")
    r = post(a, f"/{number}/forward", {"department_id": rnd.pk})
    assert r.json()["status"] == "forwarded" and r.json()["department"] == "研发部"
    assert set(r.json()["actions"]) == {"forward"}  # an agent may send it elsewhere, not decide
    r = m.get(f"/api/v1/suggestions/{number}")
    assert {"adopt", "reject", "hold"} <= set(r.json()["actions"])
    r = post(m, f"/{number}/adopt", {"implementation_date": "2026-12-01", "measures": "新包装减小30%"})
    assert r.status_code == 200 and r.json()["status"] == "adopted"
    r = post(a, f"/{number}/close", {})
    assert r.status_code == 409 and r.json()["code"] == "customer_not_told"
    r = post(a, f"/{number}/tell", {"channel": "phone", "note": "已电话告知采纳结果"})
    assert r.json()["customer_told_of"] == "adopted" and len(r.json()["contacts"]) == 1
    r = post(m, f"/{number}/grade", {"creativity": 3, "feasibility": 3, "benefit": 2})
    assert r.json()["grade"] == "二等奖" and r.json()["reward"] == "200.00"
    r = post(a, f"/{number}/close", {})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    events = [h["event"] for h in r.json()["history"]]
    assert events.count("customer_told") == 1 and "graded" in events


def test_api_refusals_carry_a_field(client_for, agent, make_customer):
    r = post(
        client_for(agent),
        "",
        {"customer_id": make_customer().pk, "channel": "visit", "subject": "other", "description": "x"},
    )
    assert r.status_code == 422 and r.json()["field"] == "channel"


def test_api_lists_and_certificates(client_for, agent, manager, make_customer, settings):
    settings.AFTERSALES = {**settings.AFTERSALES, "SUGGESTION_CERTIFICATE_MIN": 2}
    customer = make_customer(name="李强")
    a = client_for(agent)
    year = dt.date.today().year
    for text in ("建议一", "建议二"):
        assert (
            post(
                a,
                "",
                {"customer_id": customer.pk, "channel": "phone", "subject": "other", "description": text},
            ).status_code
            == 201
        )
    r = a.get("/api/v1/suggestions", {"customer_id": customer.pk})
    assert r.json()["count"] == 2
    r = a.get("/api/v1/suggestions/certificates/eligible", {"year": year})
    assert [(e["customer"], e["suggestions"], e["certificate"]) for e in r.json()] == [("李强", 2, None)]
    assert post(a, "/certificates/issue", {"year": year}).status_code == 403
    r = post(client_for(manager), "/certificates/issue", {"year": year})
    assert r.status_code == 201 and r.json()[0]["customer"] == "李强"


def test_pages_receive_decide_tell_and_close(client_for, agent, manager, make_customer):
    make_customer(name="周敏", phone="13912345678")
    a, m = client_for(agent), client_for(manager)
    assert a.get("/suggestions/new/").status_code == 200
    r = a.post(
        "/suggestions/new/",
        {
            "customer": "13912345678",
            "channel": "letter",
            "subject": "logistics",
            "description": "建议送货前一小时电话确认",
        },
    )
    assert r.status_code == 302
    number = r["Location"].strip("/").split("/")[-1]
    page = a.get(f"/suggestions/{number}/").content.decode()
    assert "建议送货前一小时电话确认" in page and "forward" in page
    a.post(f"/suggestions/{number}/forward/", {"department_id": Department.objects.get(code="logistics").pk})
    r = m.post(f"/suggestions/{number}/reject/", {"thanks": "感谢您的建议，现有流程已包含提前电话确认。"})
    assert r.status_code == 302
    page = a.get(f"/suggestions/{number}/").content.decode()
    assert "感谢您的建议" in page and "tell" in page
    a.post(f"/suggestions/{number}/tell/", {"channel": "letter", "note": "感谢信已寄出"})
    assert SuggestionContact.objects.get().status == "rejected"
    a.post(f"/suggestions/{number}/close/", {})
    listing = a.get("/suggestions/", {"status": "closed"}).content.decode()
    assert number in listing


def test_page_errors_are_shown_and_change_nothing(client_for, agent, manager, make_customer):
    customer = make_customer(name="吴昊")
    a = client_for(agent)
    r = a.post(
        "/suggestions/new/",
        {"customer_id": customer.pk, "channel": "visit", "subject": "other", "description": "x"},
    )
    assert r.status_code == 200 and "error" in r.content.decode()
    r = a.post(
        "/suggestions/new/",
        {"customer": "没有这个人", "channel": "phone", "subject": "other", "description": "x"},
    )
    assert r.status_code == 200
    assert not Certificate.objects.exists()


def test_certificate_pages(client_for, manager, agent, make_customer, settings):
    settings.AFTERSALES = {**settings.AFTERSALES, "SUGGESTION_CERTIFICATE_MIN": 1}
    customer = make_customer(name="郑爽")
    m = client_for(manager)
    post(m, "", {"customer_id": customer.pk, "channel": "phone", "subject": "other", "description": "建议"})
    year = dt.date.today().year
    assert "郑爽" in m.get("/suggestions/certificates/", {"year": year}).content.decode()
    m.post("/suggestions/certificates/", {"year": year})
    cert = Certificate.objects.get()
    page = m.get(f"/suggestions/certificates/{cert.number}/").content.decode()
    assert "郑爽" in page and cert.number in page
    outsider = client_for()
    assert outsider.get(f"/suggestions/certificates/{cert.number}/").status_code == 302  # login first
