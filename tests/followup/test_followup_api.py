"""The callbacks API: the lists, one endpoint per action, errors as {code, message, field}."""

import datetime as dt

import pytest
from followup_support import START, at, reload

from aftersales.followup.models import Callback, CallbackPromise
from aftersales.followup.services import enrol_project


def test_my_list_and_the_team_list(api, callback, resolved_repair, agent, make_user):
    other = make_user("agent", "agent_b")
    mine = api(agent).get("/callbacks").json()
    assert mine["count"] == 1 and mine["items"][0]["request"] == resolved_repair.number
    assert mine["items"][0]["due_at"] == "2026-11-26T09:00:00+08:00" and mine["items"][0]["overdue"] is False
    assert api(other).get("/callbacks").json()["count"] == 0
    assert api(other).get("/callbacks", scope="team").json()["count"] == 1
    assert api(agent).get("/callbacks", state="processed").json()["count"] == 0
    assert api(agent).get("/callbacks", scope="everyone").status_code == 422


def test_the_list_marks_overdue_callbacks(api, callback, agent, clock):
    clock.set(at(2026, 11, 26, 10))
    listed = api(agent).get("/callbacks", overdue="true").json()
    assert listed["count"] == 1 and listed["items"][0]["overdue"] is True


def test_technicians_see_no_callbacks(api, callback, technician):
    assert api(technician).get("/callbacks").json()["count"] == 0
    assert api(technician).get(f"/callbacks/{callback.pk}").status_code == 404
    assert api(technician).post(f"/callbacks/{callback.pk}/satisfied", {"outcome": "x"}).status_code == 404


def test_a_callback_with_its_phones_and_attempts(api, callback, resolved_repair, agent):
    body = api(agent).get(f"/callbacks/{callback.pk}").json()
    assert body["phones"] == [resolved_repair.customer.phones.get().number]
    assert body["attempts"] == [] and body["customer"] == resolved_repair.customer.name


def test_dialling_through_the_api(api, callback, agent):
    r = api(agent).post(f"/callbacks/{callback.pk}/attempts", {"outcome": "busy", "note": "占线"})
    assert r.status_code == 200
    body = r.json()
    assert body["attempts"][0]["outcome"] == "busy" and body["next_attempt_at"] == "2026-11-23T11:00:00+08:00"
    early = api(agent).post(f"/callbacks/{callback.pk}/attempts", {"outcome": "no_answer"})
    assert early.status_code == 409 and early.json()["code"] == "retry_too_early"
    later = api(agent).post(
        f"/callbacks/{callback.pk}/attempts",
        {"outcome": "call_back_later", "call_back_at": "2026-11-23T19:00:00+08:00"},
    )
    assert later.json()["next_attempt_at"] == "2026-11-23T19:00:00+08:00"
    bad = api(agent).post(f"/callbacks/{callback.pk}/attempts", {"outcome": "call_back_later"})
    assert bad.status_code == 422 and bad.json()["field"] == "call_back_at"


def test_satisfied_closes_the_request(api, callback, resolved_repair, agent):
    r = api(agent).post(f"/callbacks/{callback.pk}/satisfied", {"outcome": "满意"})
    assert r.status_code == 200 and r.json()["status"] == "done" and r.json()["result"] == "close"
    assert reload(resolved_repair).status == "closed"
    again = api(agent).post(f"/callbacks/{callback.pk}/satisfied", {"outcome": "满意"})
    assert again.status_code == 409 and again.json()["code"] == "callback_done"


def test_not_satisfied_reopens_the_request(api, callback, resolved_repair, agent):
    r = api(agent).post(f"/callbacks/{callback.pk}/not-satisfied", {"outcome": "还是不制冷"})
    assert r.status_code == 200 and r.json()["request_status"] == "reopened"


def test_raise_a_complaint_and_a_new_request(api, make_resolved_repair, dispatcher, agent):
    from aftersales.followup.services import create_callback

    first = create_callback(request=make_resolved_repair(), kind="after_job", due_at=START, actor=dispatcher)
    second = create_callback(request=make_resolved_repair(), kind="after_job", due_at=START, actor=dispatcher)
    r = api(agent).post(f"/callbacks/{first.pk}/complaint", {"outcome": "投诉技术员迟到"})
    assert r.status_code == 200 and r.json()["raised_request"].startswith("SR")
    assert reload(first).raised_request.type == "complaint"
    missing = api(agent).post(
        f"/callbacks/{second.pk}/new-request", {"outcome": "要保养", "request_type": ""}
    )
    assert missing.status_code == 422 and missing.json()["code"] == "request_type_required"
    r = api(agent).post(
        f"/callbacks/{second.pk}/new-request", {"outcome": "要保养", "request_type": "maintenance"}
    )
    assert r.status_code == 200 and reload(second).raised_request.type == "maintenance"


def test_record_only(api, callback, resolved_repair, agent):
    r = api(agent).post(f"/callbacks/{callback.pk}/no-change", {"outcome": "再观察"})
    assert r.json()["result"] == "none" and reload(resolved_repair).status == "resolved"


def test_assign_through_the_api(api, callback, manager, make_user, agent):
    other = make_user("agent", "agent_b")
    r = api(manager).post(f"/callbacks/{callback.pk}/assign", {"agent_id": other.pk})
    assert r.status_code == 200 and r.json()["agent"] == "agent_b"
    refused = api(agent).post(f"/callbacks/{callback.pk}/assign", {"agent_id": other.pk})
    assert refused.status_code == 403


def test_promises_through_the_api(api, callback, agent, clock):
    refused = api(agent).post(
        f"/callbacks/{callback.pk}/promises",
        {"question": "延保价格？", "due_at": "2026-11-24T12:00:00+08:00"},
    )
    assert refused.status_code == 409
    api(agent).post(f"/callbacks/{callback.pk}/attempts", {"outcome": "reached"})
    r = api(agent).post(
        f"/callbacks/{callback.pk}/promises",
        {"question": "延保价格？", "due_at": "2026-11-24T12:00:00+08:00"},
    )
    assert r.status_code == 200 and r.json()["status"] == "open" and r.json()["owner"] == "agent_a"
    listed = api(agent).get("/promises").json()
    assert listed["count"] == 1 and listed["items"][0]["question"] == "延保价格？"
    promise_id = r.json()["id"]
    clock.set(at(2026, 11, 24, 11))
    answered = api(agent).post(f"/promises/{promise_id}/answer", {"answer": "延保一年398元"})
    assert answered.json()["answered_on_time"] is True
    assert CallbackPromise.objects.get().status == "answered"
    assert api(agent).get("/promises").json()["count"] == 0


def test_processing_rate_endpoint(api, callback, agent, clock):
    clock.set(at(2026, 11, 27, 9))
    body = api(agent).get("/processing-rate", start="2026-11-01", end="2026-11-30").json()
    assert (
        body["total"]["due"] == 1
        and body["total"]["rate"] == "0.0"
        and body["total"]["meets_target"] is False
    )
    assert body["by_agent"][0]["agent"] == "agent_a"
    api(agent).post(f"/callbacks/{callback.pk}/satisfied", {"outcome": "满意"})
    body = api(agent).get("/processing-rate").json()  # default: this month to today
    assert (
        body["start"] == "2026-11-01"
        and body["total"]["rate"] == "100.0"
        and body["total"]["target"] == "100"
    )
    bad = api(agent).get("/processing-rate", start="2026-11-30", end="2026-11-01")
    assert bad.status_code == 422


def test_processing_rate_is_not_for_technicians(api, technician):
    assert api(technician).get("/processing-rate").status_code == 403


def test_schedules_through_the_api(api, make_project, manager, agent):
    project = make_project(dt.date(2026, 10, 23))
    r = api(manager).post("/schedules", {"unit_id": project.pk, "agent_id": agent.pk})
    assert r.status_code == 200 and r.json()["next_due_on"] == "2026-11-23" and r.json()["agent"] == "agent_a"
    sid = r.json()["id"]
    assert api(agent).post("/schedules", {"unit_id": project.pk}).status_code == 403
    assert api(manager).post(f"/schedules/{sid}/stop", {"reason": "合同到期"}).json()["active"] is False
    assert api(manager).post(f"/schedules/{sid}/resume").json()["active"] is True
    assert (
        api(manager).post(f"/schedules/{sid}/assign", {"agent_id": manager.pk}).json()["agent"] == "manager_a"
    )
    assert api(agent).get("/schedules").json()["count"] == 1
    unknown = api(manager).post("/schedules", {"unit_id": 999999})
    assert unknown.status_code == 422 and unknown.json()["field"] == "unit_id"


@pytest.mark.parametrize("path", ["/callbacks", "/promises", "/schedules", "/processing-rate"])
def test_the_api_needs_a_signed_in_user(path, db):
    from django.test import Client

    assert Client().get("/api/v1/followup" + path).status_code == 401


def test_the_api_lists_scheduled_callbacks_without_a_request(api, make_project, manager, agent):
    from aftersales.followup import tasks

    enrol_project(unit=make_project(dt.date(2026, 10, 23)), agent_id=agent.pk, actor=manager)
    tasks.create_scheduled_callbacks()
    [item] = api(agent).get("/callbacks").json()["items"]
    assert (
        item["request"] is None
        and item["kind"] == "scheduled"
        and item["unit"] == Callback.objects.get().unit.serial_number
    )
