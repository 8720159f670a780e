"""The complaint closed loop: registration with its clocks, valid / invalid, responsibility,
investigation, the plan's two approvals in order, implementation, notice, follow-up rounds,
the report to the general manager and the summary."""

from __future__ import annotations

import datetime as dt

import pytest
from complaints_support import TO_NOTIFIED, at

from aftersales.complaints import services as s
from aftersales.complaints.models import Complaint, ComplaintRound, PlanApproval, ResolutionPlan
from aftersales.core.clock import frozen_at
from aftersales.core.errors import PermissionRefused, TransitionRefused, ValidationFailed
from aftersales.core.history import history_of
from aftersales.core.models import Notification
from aftersales.service.models import ServiceRequest, SlaClock

pytestmark = pytest.mark.django_db


def clock(sr, code):
    return SlaClock.objects.get(request=sr, code=code)


def status(sr):
    return ServiceRequest.objects.get(pk=sr.pk).status


# -- registration ------------------------------------------------------------------------------------
def test_registration_fills_the_register_and_starts_reply_plan_and_close_clocks(register):
    reg = register(at(2026, 11, 24, 9, 0))
    c = reg.complaint
    sr = c.request
    assert not reg.repeat
    assert sr.type == "complaint" and sr.status == "new" and sr.channel == "phone"
    assert (c.complainant_name, c.complainant_phone, c.about, c.desired_outcome) == (
        "陈先生",
        "13912345678",
        "上门维修人员",
        "道歉并重新安排维修",
    )
    assert sr.contact_phone == "13912345678" and sr.description == "维修人员迟到两小时且态度恶劣"
    assert c.category == "service_attitude" and c.severity == "normal" and c.round == 1
    assert clock(sr, "complaint_reply").due_at == at(2026, 11, 25, 9, 0)
    assert clock(sr, "complaint_plan").due_at == at(2026, 11, 25, 9, 0)
    assert clock(sr, "complaint_close").due_at == at(2026, 12, 1, 9, 0)
    assert not SlaClock.objects.filter(
        request=sr, code__in=["complaint_report", "complaint_feedback"]
    ).exists()
    assert [h.event for h in history_of(sr)] == ["registered", "complaint_registered"]


@pytest.mark.parametrize(
    ("severity", "priority", "managers_told"),
    [
        ("normal", "normal", False),
        ("serious", "high", True),
        ("critical", "urgent", True),
    ],
)
def test_serious_and_critical_complaints_reach_the_manager_at_once(
    register, manager, severity, priority, managers_told
):
    c = register(severity=severity).complaint
    assert c.request.priority == priority
    told = Notification.objects.filter(recipient=manager, kind="complaint_severe").exists()
    assert told is managers_told


def test_a_register_without_what_the_customer_wants_is_refused_and_nothing_is_written(register):
    with pytest.raises(ValidationFailed) as exc:
        register(desired_outcome="  ")
    assert exc.value.field == "desired_outcome"
    assert not ServiceRequest.objects.filter(type="complaint").exists()
    assert not Complaint.objects.exists()


def test_unknown_category_is_refused(register):
    with pytest.raises(ValidationFailed) as exc:
        register(category="weather")
    assert exc.value.field == "category"


def test_a_technician_who_notices_a_complaint_may_register_it(register, technician):
    reg = register(actor=technician, source="staff")
    assert reg.complaint.source == "staff" and reg.complaint.request.created_by == technician


def test_a_customer_cannot_use_the_staff_register(register, make_user):
    with pytest.raises(PermissionRefused):
        register(actor=make_user("customer"))


# -- valid / invalid ----------------------------------------------------------------------------------
def test_invalid_complaint_needs_the_explanation_and_closes_with_it(register, agent):
    sr = register(at(2026, 11, 24, 9, 0)).complaint.request
    with frozen_at(at(2026, 11, 24, 10, 0)):
        with pytest.raises(ValidationFailed) as exc:
            s.invalidate_complaint(request=sr, explanation=" ", actor=agent)
        assert exc.value.field == "explanation"
        assert status(sr) == "new"
        s.invalidate_complaint(
            request=sr,
            explanation="保修条款规定人为损坏不在免费范围，已耐心解释",
            actor=agent,
            category="misunderstanding",
        )
    sr.refresh_from_db()
    c = Complaint.objects.get(request=sr)
    assert sr.status == "invalid" and not sr.is_open and sr.closed_at == at(2026, 11, 24, 10, 0)
    assert (
        c.validity == "invalid"
        and c.validity_note.startswith("保修条款")
        and c.category == "misunderstanding"
    )
    assert c.validated_by == agent
    assert clock(sr, "complaint_reply").state == "met"
    assert clock(sr, "complaint_close").state == "met"
    assert clock(sr, "complaint_plan").state == "stopped"


def test_an_invalid_complaint_takes_no_further_step(register, agent, flow):
    sr = register().complaint.request
    with frozen_at(at(2026, 11, 24, 10, 0)):
        s.invalidate_complaint(request=sr, explanation="客户误解了收费标准", actor=agent)
    with pytest.raises(TransitionRefused) as exc:
        flow.run(sr, "validate", at(2026, 11, 24, 11, 0))
    assert exc.value.code == "transition_not_allowed"


# -- the reply -----------------------------------------------------------------------------------------
def test_reply_within_24_hours_meets_the_reply_clock(register, flow):
    sr = register(at(2026, 11, 24, 9, 0)).complaint.request
    flow.run(sr, "reply", at(2026, 11, 24, 15, 0))
    c = clock(sr, "complaint_reply")
    assert c.state == "met" and c.margin == dt.timedelta(hours=18)
    complaint = Complaint.objects.get(request=sr)
    assert complaint.replied_at == at(2026, 11, 24, 15, 0) and complaint.reply.startswith("已致歉")


def test_a_late_reply_is_recorded_as_breached(register, flow):
    sr = register(at(2026, 11, 24, 9, 0)).complaint.request
    flow.run(sr, "reply", at(2026, 11, 25, 10, 0))
    c = clock(sr, "complaint_reply")
    assert c.state == "breached" and c.margin == -dt.timedelta(hours=1)


# -- responsibility ---------------------------------------------------------------------------------------
def test_assignment_records_department_and_person_and_makes_them_the_assignee(
    register, flow, responsible, departments
):
    sr = register().complaint.request
    sr = flow.through(sr, ["validate", "assign"], at(2026, 11, 24, 9, 0))
    c = Complaint.objects.get(request=sr)
    assert sr.status == "investigating" and sr.assignee == responsible
    assert c.department == departments["after_sales"] and c.responsible_person == responsible
    assert ComplaintRound.objects.filter(complaint=c, number=1).exists()
    told = set(
        Notification.objects.filter(kind="complaint_assigned").values_list("recipient__username", flat=True)
    )
    assert {"tech_resp", "head_aftersales"} <= told


def test_a_complaint_spanning_departments_needs_the_date_promised_that_day(register, flow, departments):
    sr = register(at(2026, 11, 24, 9, 0)).complaint.request
    flow.run(sr, "validate", at(2026, 11, 24, 10, 0))
    with pytest.raises(ValidationFailed) as exc:
        flow.run(sr, "assign", at(2026, 11, 24, 11, 0), other_department_ids=[departments["logistics"].pk])
    assert exc.value.field == "promised_date"
    assert status(sr) == "valid"
    flow.run(
        sr,
        "assign",
        at(2026, 11, 24, 11, 0),
        other_department_ids=[departments["logistics"].pk],
        promised_date=dt.date(2026, 11, 27),
    )
    c = Complaint.objects.get(request=sr)
    assert c.promised_date == dt.date(2026, 11, 27) and c.promised_on == dt.date(2026, 11, 24)
    assert list(c.other_departments.values_list("code", flat=True)) == ["logistics"]


def test_a_promised_date_in_the_past_is_refused(register, flow, departments):
    sr = register(at(2026, 11, 24, 9, 0)).complaint.request
    flow.run(sr, "validate", at(2026, 11, 24, 10, 0))
    with pytest.raises(ValidationFailed) as exc:
        flow.run(sr, "assign", at(2026, 11, 24, 11, 0), promised_date=dt.date(2026, 11, 23))
    assert exc.value.code == "promised_date_past"


def test_only_a_complaint_manager_assigns(register, flow, agent, departments, responsible):
    sr = register().complaint.request
    flow.run(sr, "validate", at(2026, 11, 24, 10, 0))
    with frozen_at(at(2026, 11, 24, 11, 0)), pytest.raises(PermissionRefused):
        s.assign_complaint(
            request=sr,
            department_id=departments["after_sales"].pk,
            responsible_person_id=responsible.pk,
            actor=agent,
        )


# -- investigation -----------------------------------------------------------------------------------------
def test_only_the_responsible_person_or_a_complaint_manager_investigates(register, flow, make_user):
    sr = flow.through(register().complaint.request, ["validate", "assign"], at(2026, 11, 24, 9, 0))
    other = make_user("technician", "tech_other")
    with frozen_at(at(2026, 11, 24, 12, 0)), pytest.raises(TransitionRefused) as exc:
        s.record_investigation(request=sr, cause="原因", actor=other)
    assert exc.value.code == "not_responsible"


def test_investigation_starts_the_3_day_report_clock(register, flow):
    sr = flow.through(register().complaint.request, ["validate", "assign"], at(2026, 11, 24, 9, 0))
    flow.run(sr, "investigate", at(2026, 11, 24, 14, 0))
    report = clock(sr, "complaint_report")
    assert report.started_at == at(2026, 11, 24, 14, 0) and report.due_at == at(2026, 11, 27, 14, 0)
    flow.run(sr, "report", at(2026, 11, 25, 9, 0))
    assert clock(sr, "complaint_report").state == "met"
    c = Complaint.objects.get(request=sr)
    assert c.reported_at == at(2026, 11, 25, 9, 0) and c.report
    assert Notification.objects.filter(kind="complaint_report", recipient__username="manager_a").exists()


def test_the_report_is_made_once(register, flow):
    sr = flow.through(
        register().complaint.request, ["validate", "assign", "investigate", "report"], at(2026, 11, 24, 9)
    )
    with pytest.raises(TransitionRefused) as exc:
        flow.run(sr, "report", at(2026, 11, 25, 9, 0))
    assert exc.value.code == "already_reported"


def test_no_report_before_the_investigation(register, flow):
    sr = flow.through(register().complaint.request, ["validate", "assign"], at(2026, 11, 24, 9, 0))
    with pytest.raises(TransitionRefused) as exc:
        flow.run(sr, "report", at(2026, 11, 24, 12, 0))
    assert exc.value.code == "investigation_required"


def test_a_plan_needs_the_investigation_first(register, flow):
    sr = flow.through(register().complaint.request, ["validate", "assign"], at(2026, 11, 24, 9, 0))
    with pytest.raises(TransitionRefused) as exc:
        flow.run(sr, "propose", at(2026, 11, 24, 12, 0))
    assert exc.value.code == "investigation_required"
    assert status(sr) == "investigating"


def test_a_staff_fault_notifies_the_persons_supervisor_and_feeds_the_evaluation(
    register, flow, technician, make_user, departments
):
    from aftersales.complaints.models import DepartmentMember
    from aftersales.complaints.selectors import fault_attributions

    supervisor = make_user("dispatcher", "dispatch_lead", first_name="郑主管")
    DepartmentMember.objects.create(
        user=technician, department=departments["after_sales"], supervisor=supervisor
    )
    sr = flow.through(register().complaint.request, ["validate", "assign"], at(2026, 11, 24, 9, 0))
    flow.run(sr, "investigate", at(2026, 11, 24, 14, 0), person_at_fault_id=technician.pk)
    note = Notification.objects.get(kind="complaint_staff_fault")
    assert note.recipient == supervisor and sr.number in note.subject
    rows = fault_attributions(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert [(r.number, r.person_id, r.round) for r in rows] == [(sr.number, technician.pk, 1)]
    assert fault_attributions(dt.date(2026, 12, 1), dt.date(2026, 12, 31)) == []


def test_without_a_recorded_supervisor_the_department_head_hears_of_the_fault(register, flow, technician):
    sr = flow.through(register().complaint.request, ["validate", "assign"], at(2026, 11, 24, 9, 0))
    flow.run(sr, "investigate", at(2026, 11, 24, 14, 0), person_at_fault_id=technician.pk)
    assert Notification.objects.get(kind="complaint_staff_fault").recipient.username == "head_aftersales"


# -- the plan and its two approvals ----------------------------------------------------------------------------
PLAN_READY = ["validate", "assign", "investigate", "propose"]


def test_plan_approved_by_quality_lead_then_manager_meets_the_plan_clock(register, flow, quality, manager):
    sr = flow.through(register(at(2026, 11, 24, 9, 0)).complaint.request, PLAN_READY, at(2026, 11, 24, 9, 0))
    assert sr.status == "plan_proposed"
    sr = flow.run(sr, "check", at(2026, 11, 24, 15, 0))
    assert sr.status == "plan_checked" and clock(sr, "complaint_plan").state == "running"
    sr = flow.run(sr, "approve", at(2026, 11, 24, 16, 0))
    assert sr.status == "plan_approved"
    approvals = list(
        PlanApproval.objects.order_by("approved_at").values_list("step", "approved_by", "approved_at")
    )
    assert approvals == [
        ("quality", quality.pk, at(2026, 11, 24, 15, 0)),
        ("manager", manager.pk, at(2026, 11, 24, 16, 0)),
    ]
    plan_clock = clock(sr, "complaint_plan")
    assert plan_clock.state == "met" and plan_clock.met_at == at(2026, 11, 24, 16, 0)
    assert ResolutionPlan.objects.get().status == "approved"


def test_manager_approval_before_the_quality_lead_is_refused(register, flow):
    sr = flow.through(register().complaint.request, PLAN_READY, at(2026, 11, 24, 9, 0))
    with pytest.raises(TransitionRefused) as exc:
        flow.run(sr, "approve", at(2026, 11, 24, 15, 0))
    assert exc.value.code == "transition_not_allowed"
    assert status(sr) == "plan_proposed" and not PlanApproval.objects.exists()


def test_a_third_approval_is_refused(register, flow, quality2, manager2):
    sr = flow.through(register().complaint.request, [*PLAN_READY, "check", "approve"], at(2026, 11, 24, 9, 0))
    for step, actor in (("check", quality2), ("approve", manager2)):
        with pytest.raises(TransitionRefused) as exc:
            flow.run(sr, step, at(2026, 11, 24, 18, 0), actor=actor)
        assert exc.value.code == "transition_not_allowed"
    assert PlanApproval.objects.count() == 2 and status(sr) == "plan_approved"


def test_the_quality_lead_cannot_give_the_second_approval(register, flow, quality2):
    sr = flow.through(register().complaint.request, [*PLAN_READY, "check"], at(2026, 11, 24, 9, 0))
    with pytest.raises(PermissionRefused):
        flow.run(sr, "approve", at(2026, 11, 24, 18, 0), actor=quality2)
    assert PlanApproval.objects.count() == 1


def test_an_agent_cannot_approve_a_plan(register, flow, agent):
    sr = flow.through(register().complaint.request, PLAN_READY, at(2026, 11, 24, 9, 0))
    with pytest.raises(PermissionRefused):
        flow.run(sr, "check", at(2026, 11, 24, 18, 0), actor=agent)


def test_the_two_approvals_are_two_people(register, flow, make_user):
    admin = make_user("admin", "admin_a")
    sr = flow.through(register().complaint.request, PLAN_READY, at(2026, 11, 24, 9, 0))
    flow.run(sr, "check", at(2026, 11, 24, 15, 0), actor=admin)
    with pytest.raises(TransitionRefused) as exc:
        flow.run(sr, "approve", at(2026, 11, 24, 16, 0), actor=admin)
    assert exc.value.code == "same_approver"
    assert status(sr) == "plan_checked" and PlanApproval.objects.count() == 1


def test_a_rejected_plan_is_kept_and_the_next_one_needs_both_approvals_again(register, flow, manager):
    sr = flow.through(register().complaint.request, [*PLAN_READY, "check"], at(2026, 11, 24, 9, 0))
    with frozen_at(at(2026, 11, 24, 16, 0)):
        with pytest.raises(ValidationFailed):
            s.reject_plan(request=sr, reason="", actor=manager)
        sr = s.reject_plan(request=sr, reason="补偿方案不足", actor=manager)
    assert sr.status == "investigating"
    sr = flow.run(sr, "propose", at(2026, 11, 24, 17, 0), plan="上门致歉，免费更换压缩机")
    with pytest.raises(TransitionRefused):
        flow.run(sr, "approve", at(2026, 11, 24, 18, 0))
    flow.run(sr, "check", at(2026, 11, 24, 18, 0))
    flow.run(sr, "approve", at(2026, 11, 24, 19, 0))
    plans = list(
        ResolutionPlan.objects.order_by("version").values_list("version", "status", "rejection_reason")
    )
    assert plans == [(1, "rejected", "补偿方案不足"), (2, "approved", "")]
    assert PlanApproval.objects.filter(plan__version=2).count() == 2
    assert PlanApproval.objects.filter(plan__version=1).count() == 1


# -- implementation, notice, follow-up ---------------------------------------------------------------------------
def test_result_fed_back_within_24_hours_of_completion(register, flow):
    sr = flow.through(register().complaint.request, [*PLAN_READY, "check", "approve"], at(2026, 11, 24, 9, 0))
    sr = flow.run(sr, "implement", at(2026, 11, 25, 10, 0))
    feedback = clock(sr, "complaint_feedback")
    assert feedback.started_at == at(2026, 11, 25, 10, 0) and feedback.due_at == at(2026, 11, 26, 10, 0)
    sr = flow.run(sr, "notify", at(2026, 11, 25, 16, 0))
    assert sr.status == "customer_notified" and not sr.is_open
    assert clock(sr, "complaint_feedback").state == "met"
    assert clock(sr, "complaint_close").state == "met"


def test_the_customer_is_told_only_after_the_implementation_is_completed(register, flow, responsible):
    sr = flow.through(register().complaint.request, [*PLAN_READY, "check", "approve"], at(2026, 11, 24, 9, 0))
    with frozen_at(at(2026, 11, 25, 9, 0)):
        s.start_implementation(request=sr, actor=responsible)
    with pytest.raises(TransitionRefused) as exc:
        flow.run(sr, "notify", at(2026, 11, 25, 10, 0))
    assert exc.value.code == "implementation_not_completed"


def test_satisfied_follow_up_closes_and_the_summary_archives(register, flow):
    sr = flow.through(register().complaint.request, TO_NOTIFIED, at(2026, 11, 24, 9, 0))
    sr = flow.run(sr, "follow_up", at(2026, 11, 25, 17, 0), satisfied=True, note="客户表示满意")
    assert sr.status == "satisfied" and sr.closed_at == at(2026, 11, 25, 17, 0)
    with pytest.raises(ValidationFailed) as exc:
        flow.run(sr, "archive", at(2026, 11, 26, 9, 0), lessons="")
    assert exc.value.field == "lessons"
    sr = flow.run(sr, "archive", at(2026, 11, 26, 9, 0), corrective_action_ref="CA-2026-014")
    c = Complaint.objects.get(request=sr)
    assert sr.status == "archived" and c.summary and c.lessons and c.corrective_action_ref == "CA-2026-014"
    rnd = ComplaintRound.objects.get(complaint=c)
    assert rnd.satisfied is True and rnd.follow_up_note == "客户表示满意"
    # The report never made: its clock stops with the archive rather than escalating for ever.
    assert clock(sr, "complaint_report").state == "stopped"


def test_unsatisfied_follow_up_reopens_the_closed_complaint_in_round_2_keeping_its_history(
    register, flow, agent
):
    sr = flow.through(register().complaint.request, TO_NOTIFIED, at(2026, 11, 24, 9, 0))
    assert not sr.is_open
    before = [(h.event, h.old_state, h.new_state) for h in history_of(sr)]
    with pytest.raises(ValidationFailed):
        flow.run(sr, "follow_up", at(2026, 11, 25, 17, 0), satisfied=False, note="")
    sr = flow.run(sr, "follow_up", at(2026, 11, 25, 17, 0), satisfied=False, note="补偿未到账")
    c = Complaint.objects.get(request=sr)
    assert sr.status == "investigating" and sr.is_open and sr.reopen_count == 1
    assert c.round == 2
    after = [(h.event, h.old_state, h.new_state) for h in history_of(sr)]
    assert after[: len(before)] == before  # nothing of round 1 is lost
    assert ("transition", "customer_notified", "investigating") in after
    rounds = list(
        ComplaintRound.objects.filter(complaint=c).values_list("number", "satisfied", "follow_up_note")
    )
    assert rounds == [(1, False, "补偿未到账"), (2, None, "")]
    # Round 2 runs the whole loop again: investigation, a new plan with two new approvals, ...
    sr = flow.through(
        sr, ["investigate", "propose", "check", "approve", "implement", "notify"], at(2026, 11, 26, 9, 0)
    )
    sr = flow.run(sr, "follow_up", at(2026, 11, 27, 9, 0), satisfied=True)
    assert sr.status == "satisfied"
    assert PlanApproval.objects.filter(plan__round__complaint=c).count() == 4
    assert list(ComplaintRound.objects.filter(complaint=c).values_list("number", "satisfied")) == [
        (1, False),
        (2, True),
    ]
    assert Complaint.objects.get(pk=c.pk).round == 2


def test_cancel_only_for_a_registration_in_error_with_a_reason(register, quality, flow):
    sr = register().complaint.request
    with frozen_at(at(2026, 11, 24, 10, 0)):
        with pytest.raises(ValidationFailed):
            s.cancel_complaint(request=sr, reason="", actor=quality)
        sr = s.cancel_complaint(request=sr, reason="重复登记", actor=quality)
    assert sr.status == "cancelled"
    assert set(SlaClock.objects.filter(request=sr).values_list("state", flat=True)) == {"stopped"}


def test_every_action_of_the_table_has_roles_guards_a_label_and_a_service():
    from aftersales.complaints.workflow import (
        COMPLAINT_GUARDS,
        COMPLAINT_LABELS,
        COMPLAINT_ROLES,
        COMPLAINT_TRANSITIONS,
    )
    from aftersales.service.workflow import TRANSITIONS, is_open_state

    actions = {a for moves in COMPLAINT_TRANSITIONS.values() for a in moves}
    assert actions == set(COMPLAINT_ROLES) == set(COMPLAINT_GUARDS) == set(COMPLAINT_LABELS)
    follow_ups = {"follow_up_satisfied", "follow_up_unsatisfied"}
    assert actions - follow_ups | {"follow_up"} == set(s.ACTION_SERVICES)
    assert TRANSITIONS["complaint"] is COMPLAINT_TRANSITIONS
    assert not COMPLAINT_TRANSITIONS.get("archived") and not COMPLAINT_TRANSITIONS.get("invalid")
    assert not is_open_state("customer_notified") and is_open_state("investigating")
