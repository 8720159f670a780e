"""The complaints API: one endpoint per step, refusals as 4xx with code, message and field."""

from __future__ import annotations

import datetime as dt

import pytest
from complaints_support import at
from django.test import Client

from aftersales.complaints.models import Complaint, PlanApproval
from aftersales.core.clock import frozen_at
from aftersales.core.models import Notification

pytestmark = pytest.mark.django_db

BASE = "/api/v1/complaints"


def api(user, language="zh-hans"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def post(client, url, payload, when):
    with frozen_at(when):
        return client.post(url, payload, content_type="application/json")


@pytest.fixture
def registered(agent, customer):
    payload = {
        "customer_id": customer.pk,
        "source": "letter",
        "complainant_name": "陈先生",
        "complainant_phone": "021-64001234",
        "about": "安装人员",
        "description": "安装后漏水，地板泡坏",
        "desired_outcome": "赔偿地板损失",
        "category": "product_quality",
        "severity": "serious",
        "received_at": "2026-11-24T09:00:00+08:00",
    }
    response = post(api(agent), BASE, payload, at(2026, 11, 24, 9, 5))
    assert response.status_code == 201, response.content
    return response.json()


def test_register_returns_the_complaint_with_its_clocks_and_actions(registered):
    assert registered["status"] == "new" and registered["repeat"] is False
    reg = registered["complaint_register"]
    assert reg["category"] == "product_quality" and reg["severity"] == "serious"
    assert reg["complainant_phone"] == "021-64001234"
    assert registered["sla"]["complaint_reply"]["due_at"] == "2026-11-25T09:00:00+08:00"
    assert set(registered["actions"]) >= {"reply", "validate", "invalidate"}
    assert registered["received_at"] == "2026-11-24T09:00:00+08:00"


def test_bad_input_is_a_422_with_the_field_in_chinese(agent, customer):
    payload = {
        "customer_id": customer.pk,
        "source": "phone",
        "complainant_name": "陈先生",
        "about": "客服",
        "description": "态度差",
        "desired_outcome": "道歉",
        "category": "weather",
    }
    response = post(api(agent), BASE, payload, at(2026, 11, 24, 9, 0))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_category" and body["field"] == "category"
    assert body["message"] == "请选择投诉类别。"
    assert not Complaint.objects.exists()


def test_the_whole_loop_through_the_api(registered, agent, quality, manager, responsible, departments):
    number = registered["number"]
    url = f"{BASE}/{number}"
    steps = [
        (agent, "reply", {"reply": "已致歉"}),
        (agent, "validate", {"note": "属实"}),
        (
            quality,
            "assign",
            {
                "department_id": departments["after_sales"].pk,
                "responsible_person_id": responsible.pk,
                "other_department_ids": [departments["logistics"].pk],
                "promised_date": "2026-11-27",
            },
        ),
        (responsible, "investigate", {"cause": "安装时未紧固进水管"}),
        (quality, "report", {"report": "漏水原因已查明"}),
        (responsible, "propose-plan", {"plan": "赔偿地板维修费用并重新安装"}),
        (quality, "check-plan", {}),
        (manager, "approve-plan", {}),
        (responsible, "start-implementation", {}),
        (responsible, "complete-implementation", {"implementation": "已重新安装并赔付"}),
        (agent, "notify-customer", {"notice": "处理结果已告知", "channel": "phone"}),
        (agent, "follow-up", {"satisfied": True, "note": "满意"}),
        (quality, "archive", {"summary": "结案", "lessons": "安装后须试水", "corrective_action_ref": "CA-7"}),
    ]
    when = at(2026, 11, 24, 10, 0)
    body = None
    for user, step, payload in steps:
        when += dt.timedelta(hours=1)
        response = post(api(user), f"{url}/{step}", payload, when)
        assert response.status_code == 200, (step, response.content)
        body = response.json()
    assert body["status"] == "archived"
    reg = body["complaint_register"]
    assert reg["corrective_action_ref"] == "CA-7" and reg["promised_date"] == "2026-11-27"
    assert [d["code"] for d in reg["other_departments"]] == ["logistics"]
    plan = reg["rounds"][0]["plans"][0]
    assert [a["step"] for a in plan["approvals"]] == ["quality", "manager"]
    assert [a["approved_by"]["username"] for a in plan["approvals"]] == ["quality_a", "manager_a"]
    assert reg["retained_until"] == "2027-11-24"


def test_out_of_order_approval_is_a_409(registered, agent, quality, manager, responsible, departments):
    number = registered["number"]
    url = f"{BASE}/{number}"
    post(api(agent), f"{url}/validate", {}, at(2026, 11, 24, 10))
    post(
        api(quality),
        f"{url}/assign",
        {"department_id": departments["after_sales"].pk, "responsible_person_id": responsible.pk},
        at(2026, 11, 24, 11),
    )
    post(api(responsible), f"{url}/investigate", {"cause": "原因"}, at(2026, 11, 24, 12))
    post(api(responsible), f"{url}/propose-plan", {"plan": "方案"}, at(2026, 11, 24, 13))
    response = post(api(manager), f"{url}/approve-plan", {}, at(2026, 11, 24, 14))
    assert response.status_code == 409 and response.json()["code"] == "transition_not_allowed"
    assert not PlanApproval.objects.exists()
    assert post(api(quality), f"{url}/check-plan", {}, at(2026, 11, 24, 15)).status_code == 200
    assert post(api(manager), f"{url}/approve-plan", {}, at(2026, 11, 24, 16)).status_code == 200
    third = post(api(manager), f"{url}/approve-plan", {}, at(2026, 11, 24, 17))
    assert third.status_code == 409
    assert PlanApproval.objects.count() == 2


def test_a_role_without_the_step_gets_403(registered, agent):
    response = post(
        api(agent), f"{BASE}/{registered['number']}/cancel", {"reason": "重复"}, at(2026, 11, 24, 10)
    )
    assert response.status_code == 403


def test_the_complaint_register_is_back_office_only(registered, make_user, customer):
    # Even the complaining customer: the register names the person at fault and the internal report.
    portal_user = make_user("customer")
    customer.portal_user = portal_user
    customer.save(update_fields=["portal_user"])
    assert api(portal_user).get(f"{BASE}/{registered['number']}").status_code == 404
    assert api(portal_user).get(BASE).json()["count"] == 0
    assert api(make_user("customer")).get(f"{BASE}/{registered['number']}").status_code == 404


def test_serious_complaint_notified_the_manager_through_the_api(manager, registered):
    assert Notification.objects.filter(recipient=manager, kind="complaint_severe").count() == 1


def test_list_filters_by_category_and_scope(registered, agent, quality, customer):
    client = api(quality)
    assert client.get(f"{BASE}?category=product_quality").json()["count"] == 1
    assert client.get(f"{BASE}?category=fees").json()["count"] == 0
    assert api(agent).get(f"{BASE}?scope=mine").json()["count"] == 1  # the agent registered it
    assert client.get(f"{BASE}?scope=mine").json()["count"] == 0


def test_statistics_need_quality_or_manager(registered, agent, manager):
    assert api(agent).get(f"{BASE}/statistics").status_code == 403
    with frozen_at(at(2026, 11, 30, 12)):
        body = api(manager).get(f"{BASE}/statistics?start=2026-11-01&end=2026-11-30").json()
    assert body["rates"]["complaints"] == 1
    assert float(body["rates"]["reply_target"]) == 100.0 and float(body["rates"]["valid_target"]) == 1.0
    assert [b["label"] for b in body["by_category"]] == ["产品质量"]


def test_complete_the_register_of_a_complaint_taken_at_the_general_intake(agent, customer, make_request):
    sr = make_request(customer, type="complaint", description="客户来电投诉送货慢").request
    client = api(agent)
    detail = client.get(f"{BASE}/{sr.number}").json()
    assert detail["complaint_register"] is None
    refused = post(client, f"{BASE}/{sr.number}/validate", {}, at(2026, 11, 24, 10))
    assert refused.status_code == 409 and refused.json()["code"] == "register_incomplete"
    payload = {
        "source": "phone",
        "complainant_name": "陈先生",
        "about": "送货",
        "description": "送货慢",
        "desired_outcome": "尽快送达",
        "category": "timeliness",
    }
    done = post(client, f"{BASE}/{sr.number}/register", payload, at(2026, 11, 24, 10))
    assert done.status_code == 200 and done.json()["complaint_register"]["category"] == "timeliness"
    again = post(client, f"{BASE}/{sr.number}/register", payload, at(2026, 11, 24, 11))
    assert again.status_code == 409 and again.json()["code"] == "register_exists"


def test_fault_report_and_important_mark_through_the_api(departments, quality, registered):
    url = f"{BASE}/{registered['number']}"
    report = {
        "impact": "地板泡坏约 20 平方米",
        "handling": "更换进水管并赔偿",
        "cause": "进水管接头未紧固",
        "corrective_measures": "返工检查同批安装",
        "preventive_measures": "安装后试水 10 分钟",
        "customer_channel": "letter",
    }
    body = post(api(quality), f"{url}/fault-report", report, at(2026, 11, 24, 12)).json()
    fault = body["complaint_register"]["fault_report"]
    assert fault["customer_channel"] == "letter" and fault["cause"] == "进水管接头未紧固"
    assert fault["sent_to_sales_at"] == "2026-11-24T12:00:00+08:00"
    assert body["complaint_register"]["major_fault"] is True
    missing = post(api(quality), f"{url}/important", {"important": True, "reason": ""}, at(2026, 11, 24, 13))
    assert missing.status_code == 422 and missing.json()["field"] == "reason"
    marked = post(
        api(quality), f"{url}/important", {"important": True, "reason": "重大故障"}, at(2026, 11, 24, 13)
    )
    assert marked.json()["complaint_register"]["important"] is True
