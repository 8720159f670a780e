"""Field-type and consultation workflows: allowed moves, guards, refusals, history."""

import datetime as dt

import pytest

from aftersales.core.clock import frozen_at
from aftersales.core.errors import PermissionRefused, StaleState, TransitionRefused
from aftersales.core.history import history_of
from aftersales.core.models import AppendOnlyError
from aftersales.service import services as s
from aftersales.service.models import ServiceRequest
from aftersales.service.workflow import FIELD_TRANSITIONS, TRANSITIONS, RequestType, Status, available_actions

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def repair(make_customer, make_unit, make_request):
    customer = make_customer()
    return make_request(customer, make_unit(customer)).request


def walk_to_in_progress(sr, dispatcher, technician):
    sr = s.assign_request(request=sr, assignee_id=technician.pk, actor=dispatcher)
    start = dt.datetime(2026, 11, 24, 9, tzinfo=SH)
    sr = s.schedule_visit(
        request=sr, appointment_start=start, appointment_end=start + dt.timedelta(hours=2), actor=technician
    )
    return s.start_work(request=sr, actor=technician)


def test_field_types_share_the_spec_transition_table():
    for t in ("delivery", "installation", "repair", "maintenance"):
        assert TRANSITIONS[t] is FIELD_TRANSITIONS
    assert FIELD_TRANSITIONS["in_progress"] == {
        "wait_parts": "waiting_parts",
        "carry_back": "carried_back",
        "resolve": "resolved",
        "cancel": "cancelled",
    }
    assert FIELD_TRANSITIONS["reopened"]["assign"] == "assigned"


def test_full_repair_path_writes_one_history_row_per_move(repair, dispatcher, technician, agent):
    sr = walk_to_in_progress(repair, dispatcher, technician)
    sr = s.wait_for_parts(request=sr, actor=technician, note="压缩机待件")
    sr = s.resume_work(request=sr, actor=technician)
    sr = s.resolve_request(request=sr, actor=technician)
    sr = s.close_request(request=sr, actor=agent)
    moves = [(h.old_state, h.new_state) for h in history_of(sr) if h.event == "transition"]
    assert moves == [
        ("new", "assigned"),
        ("assigned", "scheduled"),
        ("scheduled", "in_progress"),
        ("in_progress", "waiting_parts"),
        ("waiting_parts", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "closed"),
    ]
    assert sr.status == "closed" and sr.closed_at is not None and sr.is_open is False


def test_illegal_move_is_refused_and_changes_nothing(repair, technician):
    with pytest.raises(TransitionRefused) as err:
        s.resolve_request(request=repair, actor=technician)
    assert err.value.code == "transition_not_allowed"
    repair.refresh_from_db()
    assert repair.status == "new"
    assert len(history_of(repair)) == 1


def test_assign_requires_a_technician(repair, dispatcher, agent):
    with pytest.raises(TransitionRefused) as err:
        s.assign_request(request=repair, assignee_id=agent.pk, actor=dispatcher)
    assert err.value.code == "technician_required"


def test_agent_cannot_assign(repair, agent, technician):
    with pytest.raises(PermissionRefused):
        s.assign_request(request=repair, assignee_id=technician.pk, actor=agent)


def test_technician_acts_only_on_own_jobs(repair, dispatcher, technician, make_user):
    s.assign_request(request=repair, assignee_id=technician.pk, actor=dispatcher)
    other = make_user("technician")
    start = dt.datetime(2026, 11, 24, 9, tzinfo=SH)
    with pytest.raises(TransitionRefused) as err:
        s.schedule_visit(
            request=repair,
            appointment_start=start,
            appointment_end=start + dt.timedelta(hours=1),
            actor=other,
        )
    assert err.value.code == "not_your_work"


def test_cancel_needs_a_reason(repair, agent):
    with pytest.raises(TransitionRefused) as err:
        s.cancel_request(request=repair, actor=agent, note="  ")
    assert err.value.code == "reason_required"
    sr = s.cancel_request(request=repair, actor=agent, note="客户已自行修好")
    assert sr.status == "cancelled" and history_of(sr).last().note == "客户已自行修好"


def test_rework_within_30_days_reopens_and_day_31_is_refused(
    make_customer, make_unit, make_request, dispatcher, technician, agent
):
    customer = make_customer()
    resolved_at = dt.datetime(2026, 10, 1, 10, tzinfo=SH)
    for days, allowed in ((30, True), (31, False)):
        sr = make_request(customer, make_unit(customer)).request
        with frozen_at(resolved_at):
            sr = walk_to_in_progress(sr, dispatcher, technician)
            sr = s.resolve_request(request=sr, actor=technician)
        with frozen_at(resolved_at + dt.timedelta(days=days)):
            if allowed:
                sr = s.reopen_request(request=sr, actor=agent, note="同一故障再次出现")
                assert sr.status == "reopened" and sr.reopen_count == 1 and sr.is_open
                sr = s.assign_request(request=sr, assignee_id=technician.pk, actor=dispatcher)
                assert sr.status == "assigned"
            else:
                with pytest.raises(TransitionRefused) as err:
                    s.reopen_request(request=sr, actor=agent, note="同一故障再次出现")
                assert err.value.code == "rework_window_passed"


def test_stale_state_is_refused_when_someone_moved_first(repair, agent):
    stale_copy = ServiceRequest.objects.get(pk=repair.pk)
    s.cancel_request(request=repair, actor=agent, note="客户取消")
    # The other agent's copy still says "new": the workflow allows the move from there,
    # but the conditional update finds the row changed.
    with pytest.raises(StaleState) as err:
        s.cancel_request(request=stale_copy, actor=agent, note="重复取消")
    assert err.value.code == "changed_by_someone_else"
    assert len([h for h in history_of(repair) if h.event == "transition"]) == 1


def test_consultation_flow_answer_then_close(make_customer, make_request, agent):
    sr = make_request(make_customer(), type="consultation", description="如何除湿").request
    assert available_actions(sr, frozenset({"agent"})) == ["answer", "cancel"]
    sr = s.answer_consultation(request=sr, answer="遥控器选择除湿模式", actor=agent)
    sr = s.close_request(request=sr, actor=agent)
    assert sr.status == "closed"


@pytest.mark.parametrize("rtype", ["feedback"])
def test_feedback_can_only_be_created_and_cancelled(make_customer, make_unit, make_request, agent, rtype):
    customer = make_customer()
    sr = make_request(customer, make_unit(customer), type=rtype).request
    assert available_actions(sr, frozenset({"agent", "dispatcher", "manager"})) == ["cancel"]
    assert s.cancel_request(request=sr, actor=agent, note="客户撤回").status == "cancelled"


def test_history_is_append_only(repair):
    entry = history_of(repair).get()
    entry.note = "篡改"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_handover_needs_a_reason_and_is_recorded(repair, agent, make_user):
    colleague = make_user("agent")
    with pytest.raises(Exception) as err:
        s.hand_over_request(request=repair, to_user_id=colleague.pk, reason="", actor=agent)
    assert getattr(err.value, "code", "") == "reason_required"
    sr = s.hand_over_request(request=repair, to_user_id=colleague.pk, reason="下班交接", actor=agent)
    assert sr.owner == colleague
    last = history_of(sr).last()
    assert last.event == "handover" and last.data == {"from": agent.pk, "to": colleague.pk}


def test_only_owner_or_supervisor_hands_over(repair, make_user):
    stranger = make_user("agent")
    with pytest.raises(PermissionRefused):
        s.hand_over_request(request=repair, to_user_id=stranger.pk, reason="接手", actor=stranger)


def test_every_request_type_has_a_workflow():
    assert set(TRANSITIONS) == set(RequestType.values)
    assert all(Status.NEW in table for table in TRANSITIONS.values())
