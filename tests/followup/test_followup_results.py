"""The callback's result, in one step with what the customer said: satisfied closes the request, not
satisfied reopens it (rework; a complaint is handled again), or a complaint or another request is
registered from the call and linked to the callback."""

import datetime as dt

import pytest
from followup_support import START, at, reload

from aftersales.core.errors import PermissionRefused, TransitionRefused, ValidationFailed
from aftersales.core.history import history_of
from aftersales.followup.models import CallbackAttempt
from aftersales.followup.services import complete_callback, create_callback, enrol_project, record_attempt
from aftersales.service.models import ServiceRequest


def test_satisfied_closes_the_resolved_request(callback, resolved_repair, agent):
    done = complete_callback(callback=callback, outcome="客户对维修满意", result="close", actor=agent)
    assert (
        done.status == "done" and done.result == "close" and done.done_by == agent and done.done_at == START
    )
    assert done.outcome == "客户对维修满意"
    request = reload(resolved_repair)
    assert request.status == "closed" and request.closed_at == START
    assert [h.event for h in history_of(callback)][-1] == "callback_done"


def test_a_result_without_a_reached_dial_records_one(callback, agent):
    complete_callback(callback=callback, outcome="满意", result="close", actor=agent)
    attempts = list(CallbackAttempt.objects.filter(callback=callback))
    assert [(a.number, a.outcome, a.agent) for a in attempts] == [(1, "reached", agent)]


def test_reached_then_not_satisfied_reopens_the_repair_as_rework(callback, resolved_repair, agent):
    record_attempt(callback=callback, outcome="reached", actor=agent)
    complete_callback(callback=callback, outcome="同一故障又出现", result="reopen", actor=agent)
    request = reload(resolved_repair)
    assert request.status == "reopened" and request.reopen_count == 1
    assert CallbackAttempt.objects.filter(callback=callback).count() == 1  # no second "reached"
    move = history_of(request).filter(event="transition").last()
    assert move.new_state == "reopened" and move.note == "同一故障又出现"


def test_not_satisfied_after_the_rework_window_is_refused_and_nothing_changes(
    callback, resolved_repair, agent, clock
):
    clock.set(START + dt.timedelta(days=31))
    with pytest.raises(TransitionRefused) as err:
        complete_callback(callback=callback, outcome="又坏了", result="reopen", actor=agent)
    assert err.value.code == "rework_window_passed"
    assert reload(callback).status == "open" and reload(callback).attempt_count == 0
    assert reload(resolved_repair).status == "resolved"


def test_leave_as_it_is_records_the_answer_only(callback, resolved_repair, agent):
    complete_callback(callback=callback, outcome="客户说还在观察", result="none", actor=agent)
    assert reload(callback).status == "done"
    assert reload(resolved_repair).status == "resolved"


def test_raise_a_complaint_registers_it_linked_to_the_callback(callback, resolved_repair, agent):
    done = complete_callback(
        callback=callback,
        outcome="维修满意，但技术员态度差",
        result="complaint",
        description="技术员服务态度差，抽烟",
        actor=agent,
    )
    complaint = done.raised_request
    assert complaint is not None and complaint.type == "complaint" and complaint.channel == "outbound"
    assert complaint.customer == resolved_repair.customer and complaint.unit == resolved_repair.unit
    assert complaint.description == "技术员服务态度差，抽烟" and complaint.owner == agent
    assert reload(resolved_repair).status == "resolved"  # the job itself is not judged by this result


def test_a_complaint_without_its_own_description_takes_what_the_customer_said(callback, agent):
    done = complete_callback(callback=callback, outcome="要投诉上门迟到", result="complaint", actor=agent)
    assert done.raised_request.description == "要投诉上门迟到"


def test_a_new_request_of_another_type_is_registered_for_the_customers_unit(
    callback, resolved_repair, agent, make_unit
):
    other_unit = make_unit(resolved_repair.customer)
    done = complete_callback(
        callback=callback,
        outcome="客户想给卧室空调做保养",
        result="new_request",
        request_type="maintenance",
        unit_id=other_unit.pk,
        actor=agent,
    )
    raised = done.raised_request
    assert raised.type == "maintenance" and raised.unit == other_unit and raised.status == "new"
    assert ServiceRequest.objects.filter(type="maintenance").count() == 1


@pytest.mark.parametrize(
    ("request_type", "code"),
    [("", "request_type_required"), ("complaint", "use_complaint_result"), ("suggestion", "use_suggestions")],
)
def test_a_new_request_needs_a_type_other_than_complaint_or_suggestion(callback, agent, request_type, code):
    with pytest.raises(ValidationFailed) as err:
        complete_callback(
            callback=callback,
            outcome="客户有新需求",
            result="new_request",
            request_type=request_type,
            actor=agent,
        )
    assert err.value.code == code
    assert reload(callback).status == "open"


def test_a_refused_registration_leaves_the_callback_open(callback, agent, make_customer, make_unit):
    strangers_unit = make_unit(make_customer(name="别人"))
    with pytest.raises(ValidationFailed) as err:
        complete_callback(
            callback=callback,
            outcome="报修",
            result="new_request",
            request_type="repair",
            unit_id=strangers_unit.pk,
            actor=agent,
        )
    assert err.value.code == "unit_of_other_customer"
    assert reload(callback).status == "open" and reload(callback).raised_request is None


def test_the_answer_is_required_and_the_result_must_be_known(callback, agent):
    with pytest.raises(ValidationFailed):
        complete_callback(callback=callback, outcome=" ", result="close", actor=agent)
    with pytest.raises(ValidationFailed):
        complete_callback(callback=callback, outcome="满意", result="archive", actor=agent)
    assert reload(callback).status == "open"


def test_a_callback_is_processed_once(callback, agent):
    complete_callback(callback=callback, outcome="满意", result="close", actor=agent)
    with pytest.raises(TransitionRefused) as err:
        complete_callback(callback=callback, outcome="满意", result="close", actor=agent)
    assert err.value.code == "callback_done"


def test_technician_cannot_record_a_callback(callback, technician):
    with pytest.raises(PermissionRefused):
        complete_callback(callback=callback, outcome="满意", result="close", actor=technician)
    assert reload(callback).status == "open"


def test_satisfied_on_a_request_that_moved_on_is_refused(callback, resolved_repair, agent):
    from aftersales.service.services import reopen_request

    reopen_request(request=resolved_repair, actor=agent, note="客户来电：又坏了")
    with pytest.raises(TransitionRefused):
        complete_callback(callback=callback, outcome="满意", result="close", actor=agent)
    assert reload(callback).status == "open"


# -- complaints ----------------------------------------------------------------------------------
def complaint_callback(sr, actor):
    return create_callback(request=sr, kind="after_job", due_at=at(2026, 11, 23, 23, 59), actor=actor)


def test_satisfied_follows_up_a_complaint_as_satisfied(notified_complaint, agent, clock):
    cb = complaint_callback(notified_complaint, agent)
    clock.set(at(2026, 11, 23, 21))
    complete_callback(callback=cb, outcome="客户对处理结果满意", result="close", actor=agent)
    sr = reload(notified_complaint)
    assert sr.status == "satisfied" and sr.complaint.rounds.get(number=1).satisfied is True


def test_not_satisfied_sends_a_complaint_back_to_investigation(notified_complaint, agent, clock):
    cb = complaint_callback(notified_complaint, agent)
    clock.set(at(2026, 11, 23, 21))
    complete_callback(callback=cb, outcome="客户仍不满意：未上门致歉", result="reopen", actor=agent)
    sr = reload(notified_complaint)
    assert sr.status == "investigating" and sr.reopen_count == 1
    assert sr.complaint.round == 2


# -- scheduled callbacks of installed projects -----------------------------------------------------
@pytest.fixture
def scheduled_callback(make_project, manager, agent, clock):
    from aftersales.followup.services import create_scheduled_callback

    project = make_project(dt.date(2026, 10, 23))
    schedule = enrol_project(unit=project, agent_id=agent.pk, actor=manager)
    return create_scheduled_callback(schedule_id=schedule.pk)


def test_a_scheduled_callback_satisfied_is_recorded_with_no_request_to_close(scheduled_callback, agent):
    done = complete_callback(callback=scheduled_callback, outcome="系统运行正常", result="close", actor=agent)
    assert done.status == "done" and done.request is None
    assert ServiceRequest.objects.count() == 0


def test_a_scheduled_callback_has_nothing_to_reopen(scheduled_callback, agent):
    with pytest.raises(ValidationFailed) as err:
        complete_callback(callback=scheduled_callback, outcome="摄像头故障", result="reopen", actor=agent)
    assert err.value.code == "nothing_to_reopen"


def test_a_fault_heard_on_a_scheduled_callback_becomes_a_repair_of_the_project(scheduled_callback, agent):
    done = complete_callback(
        callback=scheduled_callback,
        outcome="三号楼摄像头无画面",
        result="new_request",
        request_type="repair",
        actor=agent,
    )
    assert done.raised_request.type == "repair" and done.raised_request.unit == scheduled_callback.unit
