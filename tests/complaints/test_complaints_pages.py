"""Complaint pages: the handler's and manager's lists, the register, one form per allowed step,
refusals shown in place in Chinese, and the pages in English."""

from __future__ import annotations

import datetime as dt

import pytest
from complaints_support import at
from django.test import Client

from aftersales.complaints.models import Complaint
from aftersales.core.clock import frozen_at
from aftersales.service.models import ServiceRequest

pytestmark = pytest.mark.django_db


def client_for(user, language="zh-hans"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def text(response):
    return response.content.decode()


def test_pages_need_a_login(client):
    for url in ("/complaints/", "/complaints/new/", "/complaints/statistics/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_register_through_the_page_find_customer_then_fill_in_the_register(agent, customer):
    client = client_for(agent)
    found = text(client.get("/complaints/new/?q=陈先生"))
    assert "陈先生" in found and f"?customer={customer.pk}" in found
    form = text(client.get(f"/complaints/new/?customer={customer.pk}"))
    assert "申诉和投诉处理登记表" in form and "客户要求" in form
    payload = {
        "customer_id": customer.pk,
        "source": "visit",
        "complainant_name": "陈先生",
        "complainant_phone": "13912345678",
        "about": "门店导购",
        "description": "导购承诺的赠品未兑现",
        "desired_outcome": "兑现赠品",
        "category": "other",
        "severity": "normal",
    }
    with frozen_at(at(2026, 11, 24, 9, 0)):
        response = client.post("/complaints/new/", payload)
    c = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/complaints/{c.request.number}/"
    assert c.source == "visit" and c.request.channel == "visit" and c.about == "门店导购"


def test_an_incomplete_register_is_shown_again_with_the_message_in_place(agent, customer):
    client = client_for(agent)
    payload = {
        "customer_id": customer.pk,
        "source": "phone",
        "complainant_name": "陈先生",
        "complainant_phone": "12345",
        "about": "客服",
        "description": "电话无人接听",
        "desired_outcome": "回电",
        "category": "timeliness",
        "severity": "normal",
    }
    response = client.post("/complaints/new/", payload)
    assert response.status_code == 200
    assert "“12345”不是有效的中国电话号码。" in text(response)
    assert not ServiceRequest.objects.filter(type="complaint").exists()


def test_detail_offers_each_person_only_their_steps(register, flow, agent, quality, manager, responsible):
    sr = register().complaint.request
    agent_page = text(client_for(agent).get(f"/complaints/{sr.number}/"))
    assert 'data-testid="do-validate"' in agent_page and 'data-testid="do-reply"' in agent_page
    assert 'data-testid="do-assign"' not in agent_page
    sr = flow.through(sr, ["validate", "assign", "investigate", "propose"], at(2026, 11, 24, 9))
    quality_page = text(client_for(quality).get(f"/complaints/{sr.number}/"))
    manager_page = text(client_for(manager).get(f"/complaints/{sr.number}/"))
    assert (
        'data-testid="do-check_plan"' in quality_page and 'data-testid="do-approve_plan"' not in quality_page
    )
    assert (
        'data-testid="do-check_plan"' not in manager_page
        and 'data-testid="do-approve_plan"' not in manager_page
    )


def test_a_refused_step_is_explained_on_the_page_and_changes_nothing(register, flow, manager):
    sr = flow.through(
        register().complaint.request, ["validate", "assign", "investigate", "propose"], at(2026, 11, 24, 9)
    )
    response = client_for(manager).post(f"/complaints/{sr.number}/approve_plan/", {"note": ""}, follow=True)
    assert "状态时不能执行此操作。" in text(response)
    assert ServiceRequest.objects.get(pk=sr.pk).status == "plan_proposed"


def test_assign_through_the_page_with_the_promised_date(register, flow, quality, responsible, departments):
    sr = flow.through(register(at(2026, 11, 24, 9)).complaint.request, ["validate"], at(2026, 11, 24, 9))
    client = client_for(quality)
    with frozen_at(at(2026, 11, 24, 11)):
        refused = client.post(
            f"/complaints/{sr.number}/assign/",
            {
                "department_id": departments["after_sales"].pk,
                "responsible_person_id": responsible.pk,
                "other_department_ids": [departments["sales"].pk],
            },
            follow=True,
        )
        assert "跨部门的投诉须当天告知客户解决日期" in text(refused)
        client.post(
            f"/complaints/{sr.number}/assign/",
            {
                "department_id": departments["after_sales"].pk,
                "responsible_person_id": responsible.pk,
                "other_department_ids": [departments["sales"].pk],
                "promised_date": "2026-11-26",
            },
        )
    c = Complaint.objects.get(request=sr)
    assert c.promised_date.isoformat() == "2026-11-26" and c.request.status == "investigating"
    page = text(client.get(f"/complaints/{sr.number}/"))
    assert "2026-11-26" in page and "销售部" in page
    assert 'data-testid="promise-late"' not in page  # told on the day the complaint came in


def test_a_promise_made_after_the_day_of_the_complaint_is_flagged(register, flow, quality, departments):
    sr = flow.through(register(at(2026, 11, 24, 9)).complaint.request, ["validate"], at(2026, 11, 24, 9))
    flow.run(
        sr,
        "assign",
        at(2026, 11, 25, 10),
        other_department_ids=[departments["sales"].pk],
        promised_date=dt.date(2026, 11, 27),
    )
    page = text(client_for(quality).get(f"/complaints/{sr.number}/"))
    assert 'data-testid="promise-late"' in page and "未在投诉当天告知" in page


def test_lists_mine_follow_up_and_approvals(register, flow, agent, quality, manager):
    first = register().complaint.request
    second = flow.through(
        register(about="送货司机").complaint.request,
        ["validate", "assign", "investigate", "propose"],
        at(2026, 11, 24, 9),
    )
    mine = text(client_for(agent).get("/complaints/?scope=mine"))
    assert first.number in mine and second.number in mine
    approvals = text(client_for(quality).get("/complaints/?scope=approvals"))
    assert second.number in approvals and first.number not in approvals
    assert second.number not in text(client_for(manager).get("/complaints/?scope=approvals"))
    assert "待回访" in mine


def test_a_complaint_from_the_general_intake_gets_its_register_on_the_page(agent, customer, make_request):
    sr = make_request(customer, type="complaint", description="客户来电投诉").request
    client = client_for(agent)
    assert "登记表未填写" in text(client.get("/complaints/?scope=all"))
    page = text(client.get(f"/complaints/{sr.number}/"))
    assert "填写登记表" in page
    client.post(
        f"/complaints/{sr.number}/register/",
        {
            "source": "phone",
            "complainant_name": "陈先生",
            "about": "客服热线",
            "description": "客户来电投诉",
            "desired_outcome": "尽快处理",
            "category": "timeliness",
            "severity": "serious",
        },
    )
    assert Complaint.objects.get(request=sr).severity == "serious"


def test_the_pages_speak_english_too(register, agent):
    sr = register().complaint.request
    page = text(client_for(agent, "en").get(f"/complaints/{sr.number}/"))
    assert "Complaint register" in page and "What the customer wants" in page


def test_admin_lists_complaints_read_only_and_department_members(register, make_user):
    from aftersales.complaints.models import DepartmentMember

    sr = register().complaint.request
    root = make_user("admin", "root", is_staff=True, is_superuser=True)
    client = client_for(root)
    listing = client.get("/admin/complaints/complaint/")
    assert listing.status_code == 200 and sr.number in text(listing)
    c = Complaint.objects.get(request=sr)
    page = client.get(f"/admin/complaints/complaint/{c.pk}/change/")
    assert page.status_code == 200 and 'name="about"' not in text(page)  # shown, not editable
    assert client.get("/admin/complaints/complaint/add/").status_code == 403
    assert client.get("/admin/complaints/departmentmember/").status_code == 200
    assert DepartmentMember.objects.count() == 0
