"""Outbound through the API and the pages: campaigns, call lists, the agent's call screen, answers
recorded during the call, a complaint registered from the call, productivity against the norm."""

import datetime as dt

import pytest
from django.test import Client

from aftersales.core.clock import frozen_at
from aftersales.outbound.models import CallTarget, Campaign, Dial
from aftersales.service.models import ServiceRequest
from aftersales.surveys.models import Question, Response

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def client_for(db):
    def make(user=None):
        c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        if user:
            c.force_login(user)
        return c

    return make


def api_post(c, path, body=None):
    return c.post("/api/v1/outbound" + path, body or {}, content_type="application/json")


def test_api_campaign_from_list_to_answers(
    client_for, manager, agent, survey, make_customer, by_key, good_answers
):
    for i in range(2):
        make_customer(name=f"客户{i}")
    m, a = client_for(manager), client_for(agent)
    r = api_post(
        m,
        "/campaigns",
        {"name": "电话调查", "goal": "survey", "survey_id": survey.pk, "agent_ids": [agent.pk]},
    )
    assert r.status_code == 201 and r.json()["max_attempts"] == 3 and r.json()["retry_minutes"] == 120
    cid = r.json()["id"]
    assert api_post(a, "/campaigns", {"name": "x", "goal": "care"}).status_code == 403
    r = api_post(m, f"/campaigns/{cid}/call-list", {"customer_kind": "person"})
    assert r.json() == {"added": 2, "already_listed": 0, "without_phone": 0}
    assert api_post(m, f"/campaigns/{cid}/start").json()["status"] == "active"
    with frozen_at(dt.datetime(2026, 3, 10, 9, tzinfo=SH)):
        r = api_post(a, f"/campaigns/{cid}/next")
        assert r.status_code == 200
        dial = r.json()
        assert dial["target"]["status"] == "calling" and dial["survey_id"] == survey.pk
        version = survey.questionnaire.published_version()
        answers = {str(k): v for k, v in by_key(version, good_answers).items()}
        r = api_post(a, f"/dials/{dial['id']}/finish", {"outcome": "reached", "answers": answers})
        assert r.status_code == 200 and r.json()["response_id"] and r.json()["target"]["status"] == "done"
        r = api_post(a, f"/campaigns/{cid}/next")
        r = api_post(
            a,
            f"/dials/{r.json()['id']}/finish",
            {"outcome": "call_back_later", "callback_at": "2026-03-10T18:00:00+08:00"},
        )
        assert r.json()["target"]["next_attempt_at"].startswith("2026-03-10T18:00:00")
        assert api_post(a, f"/campaigns/{cid}/next").status_code == 204
    assert Response.objects.get().channel == "phone"


def test_api_register_from_the_call_and_productivity(client_for, manager, agent, make_customer):
    make_customer(name="投诉客户")
    m, a = client_for(manager), client_for(agent)
    cid = api_post(m, "/campaigns", {"name": "关怀", "goal": "care", "agent_ids": [agent.pk]}).json()["id"]
    api_post(m, f"/campaigns/{cid}/call-list", {})
    api_post(m, f"/campaigns/{cid}/start")
    dial = api_post(a, f"/campaigns/{cid}/next").json()
    r = api_post(a, f"/dials/{dial['id']}/register", {"type": "complaint", "description": "师傅迟到两小时"})
    assert r.status_code == 201 and r.json()["type"] == "complaint"
    sr = ServiceRequest.objects.get(number=r.json()["number"])
    assert sr.channel == "outbound" and sr.customer.name == "投诉客户"
    assert api_post(a, f"/dials/{dial['id']}/finish", {"outcome": "reached"}).status_code == 200
    r = m.get("/api/v1/outbound/productivity")
    assert r.status_code == 200 and r.json()["norm"] == {
        "dials_min": 70,
        "dials_max": 100,
        "success_min": 60,
        "success_max": 80,
    }
    assert r.json()["days"][0]["dials"] == 1 and r.json()["days"][0]["standing"] == "in_progress"
    assert client_for(agent).get("/api/v1/outbound/productivity").status_code == 403


# -- pages -------------------------------------------------------------------------------------------
def test_manager_sets_up_a_campaign_on_the_pages(
    client_for, manager, agent, make_customer, make_unit, make_request
):
    customer = make_customer(name="报修客户")
    make_request(customer, make_unit(customer))
    make_customer(name="无报修客户")
    m = client_for(manager)
    assert m.get("/outbound/new/").status_code == 200
    r = m.post(
        "/outbound/new/",
        {
            "name": "维修回访",
            "goal": "callback",
            "agents": [agent.pk],
            "max_attempts": "2",
            "retry_minutes": "30",
            "script": "您好，这里是售后服务中心",
        },
    )
    c = Campaign.objects.get(name="维修回访")
    assert r.status_code == 302 and c.max_attempts == 2
    m.post(f"/outbound/{c.pk}/call_list/", {"request_types": ["repair"], "limit": "100"})
    assert list(CallTarget.objects.filter(campaign=c).values_list("customer__name", flat=True)) == [
        "报修客户"
    ]
    m.post(f"/outbound/{c.pk}/start/")
    c.refresh_from_db()
    assert c.status == "active"
    page = m.get(f"/outbound/{c.pk}/").content.decode()
    assert "报修客户" in page and "70" in page and "100" in page


def test_agent_works_the_list_on_the_call_screen(client_for, manager, agent, survey, make_customer):
    make_customer(name="被调查客户", phone="13600001234")
    m, a = client_for(manager), client_for(agent)
    cid = api_post(
        m, "/campaigns", {"name": "调查", "goal": "survey", "survey_id": survey.pk, "agent_ids": [agent.pk]}
    ).json()["id"]
    api_post(m, f"/campaigns/{cid}/call-list", {})
    api_post(m, f"/campaigns/{cid}/start")
    assert 'data-testid="next-call"' in a.get(f"/outbound/{cid}/work/").content.decode()
    with frozen_at(dt.datetime(2026, 3, 10, 9, tzinfo=SH)):
        a.post(f"/outbound/{cid}/work/next/")
        page = a.get(f"/outbound/{cid}/work/").content.decode()
        assert "13600001234" in page and "服务人员的服务态度" in page
        dial = Dial.objects.get(ended_at__isnull=True)
        version = survey.questionnaire.published_version()
        qs = {q.key: q.pk for q in Question.objects.filter(section__version=version)}
        r = a.post(
            f"/outbound/dials/{dial.pk}/finish/",
            {"outcome": "reached", "version": version.pk, f"q{qs['staff_attitude']}": "5"},
        )
        assert r.status_code == 422 and 'role="alert"' in r.content.decode()  # the other answers are required
        answers = {
            "install_on_time": "yes",
            "install_quality": "4",
            "running_well": "yes",
            "staff_attitude": "5",
            "timeliness": "5",
            "fixed_first_time": "一次上门解决",
            "training_given": "yes",
        }
        a.post(f"/outbound/dials/{dial.pk}/register/", {"type": "complaint", "description": "上次维修不彻底"})
        r = a.post(
            f"/outbound/dials/{dial.pk}/finish/",
            {"outcome": "reached", "version": version.pk, **{f"q{qs[k]}": v for k, v in answers.items()}},
        )
        assert r.status_code == 302
    dial.refresh_from_db()
    assert dial.outcome == "reached" and dial.response.channel == "phone"
    assert dial.registered.get().request.type == "complaint"
    assert 'data-testid="next-call"' in a.get(f"/outbound/{cid}/work/").content.decode()


def test_call_back_later_from_the_page_reads_local_time(client_for, manager, agent, make_customer):
    make_customer(name="稍后回电")
    m, a = client_for(manager), client_for(agent)
    cid = api_post(m, "/campaigns", {"name": "关怀", "goal": "care", "agent_ids": [agent.pk]}).json()["id"]
    api_post(m, f"/campaigns/{cid}/call-list", {})
    api_post(m, f"/campaigns/{cid}/start")
    with frozen_at(dt.datetime(2026, 3, 10, 9, tzinfo=SH)):
        a.post(f"/outbound/{cid}/work/next/")
        dial = Dial.objects.get()
        a.post(
            f"/outbound/dials/{dial.pk}/finish/",
            {"outcome": "call_back_later", "callback_at": "2026-03-10T19:30"},
        )
    assert CallTarget.objects.get().next_attempt_at == dt.datetime(2026, 3, 10, 19, 30, tzinfo=SH)


def test_productivity_page_shows_the_hint(client_for, manager, agent, make_customer):
    make_customer()
    m = client_for(manager)
    cid = api_post(m, "/campaigns", {"name": "关怀", "goal": "care", "agent_ids": [agent.pk]}).json()["id"]
    api_post(m, f"/campaigns/{cid}/call-list", {})
    target = CallTarget.objects.get()
    day = dt.datetime(2026, 3, 2, 9, tzinfo=SH)
    Dial.objects.bulk_create(
        [
            Dial(
                target=target,
                campaign_id=cid,
                agent=agent,
                started_at=day + dt.timedelta(minutes=i),
                ended_at=day + dt.timedelta(minutes=i),
                outcome="reached",
            )
            for i in range(40)
        ]
    )
    with frozen_at(dt.datetime(2026, 3, 5, 9, tzinfo=SH)):
        page = m.get("/outbound/productivity/", {"from": "2026-03-01", "to": "2026-03-05"}).content.decode()
        detail = m.get(f"/outbound/{cid}/", {"from": "2026-03-01", "to": "2026-03-05"}).content.decode()
    assert "norm-below" in page and "40" in page
    assert 'data-testid="norm-summary"' in detail
