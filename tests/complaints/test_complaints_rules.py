"""Escalation of the complaint time limits, the fault analysis report of a major fault, and two
approvers acting at the same moment."""

from __future__ import annotations

import threading

import pytest
from complaints_support import TO_NOTIFIED, at
from django.conf import settings
from django.db import connection

from aftersales.complaints import services as s
from aftersales.complaints.models import Complaint, FaultReport, PlanApproval
from aftersales.core.clock import frozen_at
from aftersales.core.errors import PermissionRefused, StaleState, TransitionRefused, ValidationFailed
from aftersales.core.models import Notification
from aftersales.service.models import ClockCode, Escalation, ServiceRequest, SlaClock
from aftersales.service.sla_services import handle_due_clocks


def report_input(**overrides):
    data = {
        "impact": "客户生产线停机 6 小时",
        "handling": "更换主控板并现场调试",
        "cause": "主控板批次焊接缺陷",
        "corrective_measures": "同批次主控板全部召回检测",
        "preventive_measures": "增加来料焊点抽检",
        "customer_channel": "email",
    }
    data.update(overrides)
    return s.FaultReportInput(**data)


# -- escalation ------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_an_unanswered_complaint_escalates_like_every_other_clock(register, agent, dispatcher, manager):
    sr = register(at(2026, 11, 24, 9, 0)).complaint.request
    reply = SlaClock.objects.get(request=sr, code="complaint_reply")
    with frozen_at(at(2026, 11, 25, 4, 13)):  # 80 % of 24 h
        assert handle_due_clocks() >= 1
    assert Notification.objects.filter(recipient=agent, kind="sla_warning").exists()
    with frozen_at(at(2026, 11, 25, 9, 1)):  # breached: the supervisor hears of it
        handle_due_clocks()
    assert Notification.objects.filter(recipient=dispatcher, kind="sla_breach").exists()
    with frozen_at(at(2026, 11, 26, 9, 1)):  # twice the target: the manager
        handle_due_clocks()
    assert Notification.objects.filter(recipient=manager, kind="sla_manager").exists()
    assert sorted(Escalation.objects.filter(clock=reply).values_list("level", flat=True)) == [1, 2, 3]


@pytest.mark.django_db
def test_the_responsible_person_is_warned_before_the_report_deadline(register, flow, responsible):
    sr = flow.through(
        register().complaint.request, ["validate", "assign", "investigate"], at(2026, 11, 24, 9)
    )
    report = SlaClock.objects.get(request=sr, code="complaint_report")
    with frozen_at(report.started_at + (report.target * 0.81)):
        handle_due_clocks()
    warned = Notification.objects.filter(kind="sla_warning", recipient=responsible)
    label = str(ClockCode("complaint_report").label)
    assert any(label in n.subject for n in warned)


@pytest.mark.django_db
def test_clocks_of_an_archived_complaint_no_longer_escalate(register, flow):
    sr = flow.through(
        register().complaint.request, [*TO_NOTIFIED, "follow_up", "archive"], at(2026, 11, 24, 9)
    )
    assert not SlaClock.objects.filter(request=sr, next_check_at__isnull=False).exists()


# -- fault analysis report ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_fault_report_goes_to_the_sales_side_and_records_how_the_customer_got_it(
    register, flow, quality, departments
):
    sr = register(severity="critical", major_fault=True, category="product_quality").complaint.request
    with frozen_at(at(2026, 11, 24, 12, 0)):
        report = s.issue_fault_report(request=sr, data=report_input(), actor=quality)
    assert report.sent_to_customer_at == at(2026, 11, 24, 12, 0) and report.customer_channel == "email"
    assert report.sent_to_sales_at == at(2026, 11, 24, 12, 0)
    note = Notification.objects.get(kind="complaint_fault_report")
    assert note.recipient == departments["sales"].head
    assert "主控板批次焊接缺陷" in note.body and "同批次主控板全部召回检测" in note.body
    with frozen_at(at(2026, 11, 24, 13, 0)), pytest.raises(TransitionRefused) as exc:
        s.issue_fault_report(request=sr, data=report_input(), actor=quality)
    assert exc.value.code == "fault_report_exists"


@pytest.mark.django_db
def test_fault_report_needs_every_section(register, quality):
    sr = register(major_fault=True).complaint.request
    with frozen_at(at(2026, 11, 24, 12, 0)), pytest.raises(ValidationFailed) as exc:
        s.issue_fault_report(request=sr, data=report_input(preventive_measures=""), actor=quality)
    assert exc.value.field == "preventive_measures"
    assert not FaultReport.objects.exists()


@pytest.mark.django_db
def test_an_agent_does_not_issue_fault_reports(register, agent):
    sr = register(major_fault=True).complaint.request
    with frozen_at(at(2026, 11, 24, 12, 0)), pytest.raises(PermissionRefused):
        s.issue_fault_report(request=sr, data=report_input(), actor=agent)


@pytest.mark.django_db
def test_a_major_fault_is_archived_only_with_its_fault_report(register, flow, quality):
    sr = register(major_fault=True).complaint.request
    sr = flow.through(sr, [*TO_NOTIFIED, "follow_up"], at(2026, 11, 24, 9))
    with pytest.raises(TransitionRefused) as exc:
        flow.run(sr, "archive", at(2026, 11, 26, 9))
    assert exc.value.code == "fault_report_required"
    with frozen_at(at(2026, 11, 26, 10)):
        s.issue_fault_report(request=sr, data=report_input(), actor=quality)
    assert flow.run(sr, "archive", at(2026, 11, 26, 11)).status == "archived"


@pytest.mark.django_db
def test_validation_may_mark_a_major_fault_and_raise_the_severity(register, agent, manager):
    sr = register(severity="normal").complaint.request
    assert not Notification.objects.filter(kind="complaint_severe").exists()
    with frozen_at(at(2026, 11, 24, 10, 0)):
        sr = s.validate_complaint(
            request=sr, actor=agent, severity="critical", major_fault=True, note="批量故障"
        )
    c = Complaint.objects.get(request=sr)
    assert c.severity == "critical" and c.major_fault and sr.priority == "urgent"
    assert Notification.objects.filter(kind="complaint_severe", recipient=manager).exists()


# -- two approvers at once ------------------------------------------------------------------------------
def run_at_once(n, fn):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def worker(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.mark.skipif(not settings.IS_POSTGRES, reason="row-level concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_quality_leads_approving_at_once_give_one_approval(register, flow, quality, quality2):
    sr = flow.through(
        register().complaint.request, ["validate", "assign", "investigate", "propose"], at(2026, 11, 24, 9)
    )
    leads = [quality, quality2]
    _results, errors = run_at_once(
        2, lambda i: s.check_plan(request=ServiceRequest.objects.get(pk=sr.pk), actor=leads[i])
    )
    assert len(errors) == 1 and isinstance(errors[0], StaleState | TransitionRefused)
    assert PlanApproval.objects.count() == 1
    assert ServiceRequest.objects.get(pk=sr.pk).status == "plan_checked"
