"""Assigning and reassigning: the work order and the request move together; emergencies need a manager."""

import pytest
from django.utils.translation import gettext

from aftersales.core.errors import PermissionRefused, StaleState, TransitionRefused, ValidationFailed
from aftersales.core.history import history_of
from aftersales.core.models import Notification
from aftersales.dispatch import services
from aftersales.dispatch.models import EmergencyApproval, WorkOrder


def test_assign_creates_work_order_and_moves_request_to_assigned(repair, tech, dispatcher):
    wo = services.assign_work_order(request=repair, technician=tech, actor=dispatcher, note="就近派工")
    repair.refresh_from_db()
    assert repair.status == "assigned" and repair.assignee == tech.user
    assert wo.status == "assigned" and wo.is_active and wo.kind == "repair"
    assert wo.number.startswith("WO20261123-")
    assert wo.assigned_by == dispatcher and wo.dispatch_kind == "regular"
    assert wo.charge == "free"
    assert [h.event for h in history_of(wo)] == ["created"]
    assert Notification.objects.filter(recipient=tech.user, kind="work_order_assigned").exists()


def test_technician_cannot_assign(repair, tech):
    with pytest.raises(PermissionRefused):
        services.assign_work_order(request=repair, technician=tech, actor=tech.user)
    assert not WorkOrder.objects.exists()


def test_only_field_work_is_dispatched(customer, make_request, tech, dispatcher):
    consultation = make_request(customer, type="consultation", description="保修政策咨询").request
    with pytest.raises(ValidationFailed) as err:
        services.assign_work_order(request=consultation, technician=tech, actor=dispatcher)
    assert err.value.code == "not_field_work"


def test_second_assignment_of_the_same_request_is_refused(repair, tech, make_technician, dispatcher):
    services.assign_work_order(request=repair, technician=tech, actor=dispatcher)
    other = make_technician()
    stale = type(repair).objects.get(pk=repair.pk)
    stale.status = "new"  # what a second dispatcher's page still shows
    with pytest.raises((StaleState, TransitionRefused)) as err:
        services.assign_work_order(request=stale, technician=other, actor=dispatcher)
    assert err.value.status_code == 409
    assert WorkOrder.objects.filter(request=repair).count() == 1


def test_emergency_partner_needs_manager_approval(repair, make_technician, dispatcher):
    partner = make_technician(station="partner")
    with pytest.raises(TransitionRefused) as err:
        services.assign_work_order(request=repair, technician=partner, actor=dispatcher, note="本部无人")
    assert err.value.code == "manager_approval_required"
    repair.refresh_from_db()
    assert repair.status == "new"


def test_emergency_other_department_needs_manager_approval(repair, make_technician, dispatcher):
    neighbour = make_technician(station="other", covers=("suburban",))
    with pytest.raises(TransitionRefused) as err:
        services.assign_work_order(request=repair, technician=neighbour, actor=dispatcher)
    assert err.value.code == "manager_approval_required"


def test_manager_approval_is_recorded_and_used_once(repair, make_technician, dispatcher, manager, clock):
    partner = make_technician(station="partner")
    approval = services.request_emergency_dispatch(
        request=repair, technician=partner, reason="本部技术员全部外出", actor=dispatcher
    )
    assert approval.status == "pending" and approval.dispatch_kind == "partner"
    assert Notification.objects.filter(recipient=manager, kind="emergency_dispatch_requested").exists()
    # Not yet approved: still refused.
    with pytest.raises(TransitionRefused):
        services.assign_work_order(request=repair, technician=partner, actor=dispatcher)
    clock.advance(minutes=3)
    services.decide_emergency_dispatch(approval=approval, approve=True, note="同意", actor=manager)
    wo = services.assign_work_order(request=repair, technician=partner, actor=dispatcher)
    approval.refresh_from_db()
    assert approval.status == "used" and approval.decided_by == manager and approval.decided_at is not None
    assert wo.emergency_approval == approval and wo.dispatch_kind == "partner"
    assert [h.event for h in history_of(approval)] == [
        "emergency_requested",
        "emergency_decided",
        "emergency_used",
    ]


def test_dispatcher_cannot_approve_an_emergency(repair, make_technician, dispatcher):
    partner = make_technician(station="partner")
    approval = services.request_emergency_dispatch(
        request=repair, technician=partner, reason="紧急", actor=dispatcher
    )
    with pytest.raises(PermissionRefused):
        services.decide_emergency_dispatch(approval=approval, approve=True, actor=dispatcher)


def test_rejected_approval_does_not_allow_dispatch(repair, make_technician, dispatcher, manager):
    partner = make_technician(station="partner")
    approval = services.request_emergency_dispatch(
        request=repair, technician=partner, reason="紧急", actor=dispatcher
    )
    with pytest.raises(ValidationFailed):
        services.decide_emergency_dispatch(approval=approval, approve=False, actor=manager)
    services.decide_emergency_dispatch(approval=approval, approve=False, note="本部下午有空", actor=manager)
    with pytest.raises(TransitionRefused) as err:
        services.assign_work_order(request=repair, technician=partner, actor=dispatcher)
    assert err.value.code == "manager_approval_required"


def test_approval_for_the_own_department_is_not_needed(repair, tech, dispatcher):
    with pytest.raises(ValidationFailed) as err:
        services.request_emergency_dispatch(request=repair, technician=tech, reason="x", actor=dispatcher)
    assert err.value.code == "approval_not_needed"


def test_emergency_does_not_excuse_a_missing_certificate(repair, make_technician, dispatcher):
    partner = make_technician(station="partner", certify=())
    with pytest.raises(TransitionRefused) as err:
        services.request_emergency_dispatch(
            request=repair, technician=partner, reason="紧急", actor=dispatcher
        )
    assert err.value.code == "not_certified"


def test_manager_assigning_in_person_records_the_approval(repair, make_technician, manager):
    partner = make_technician(station="partner")
    with pytest.raises(ValidationFailed):
        services.assign_work_order(request=repair, technician=partner, actor=manager)
    wo = services.assign_work_order(
        request=repair, technician=partner, actor=manager, note="台风天，本部人手不足"
    )
    approval = EmergencyApproval.objects.get()
    assert wo.emergency_approval == approval
    assert approval.decided_by == manager and approval.status == "used"
    assert approval.reason == "台风天，本部人手不足"


def test_reassign_requires_reason(repair, tech, make_technician, dispatcher):
    services.assign_work_order(request=repair, technician=tech, actor=dispatcher)
    with pytest.raises(ValidationFailed) as err:
        services.reassign_work_order(
            request=repair, technician=make_technician(), reason=" ", actor=dispatcher
        )
    assert err.value.code == "reason_required"


def test_reassign_ends_old_work_order_and_creates_new(repair, tech, make_technician, dispatcher, flow):
    old = flow.confirm(services.assign_work_order(request=repair, technician=tech, actor=dispatcher))
    other = make_technician(name="李师傅")
    new = services.reassign_work_order(
        request=repair, technician=other, reason="王师傅病假", actor=dispatcher
    )
    old.refresh_from_db()
    repair.refresh_from_db()
    assert old.status == "reassigned" and not old.is_active and old.end_reason == "王师傅病假"
    assert new.status == "assigned" and new.replaces == old and new.technician == other
    assert repair.assignee == other.user and repair.status == "scheduled"
    assert Notification.objects.filter(recipient=tech.user, kind="work_order_reassigned").exists()
    # The new technician confirms the appointment again; the request stays scheduled.
    new = flow.confirm(new)
    repair.refresh_from_db()
    assert new.status == "scheduled" and repair.status == "scheduled"


def test_reassign_to_uncertified_technician_is_refused(repair, tech, make_technician, dispatcher):
    wo = services.assign_work_order(request=repair, technician=tech, actor=dispatcher)
    with pytest.raises(TransitionRefused) as err:
        services.reassign_work_order(
            request=repair, technician=make_technician(certify=()), reason="换人", actor=dispatcher
        )
    assert err.value.code == "not_certified"
    wo.refresh_from_db()
    assert wo.status == "assigned" and wo.is_active


def test_reassign_to_partner_needs_manager_approval(repair, tech, make_technician, dispatcher):
    services.assign_work_order(request=repair, technician=tech, actor=dispatcher)
    with pytest.raises(TransitionRefused) as err:
        services.reassign_work_order(
            request=repair, technician=make_technician(station="partner"), reason="换人", actor=dispatcher
        )
    assert err.value.code == "manager_approval_required"


def test_job_on_site_cannot_be_reassigned(repair, tech, make_technician, dispatcher, flow):
    flow.on_site(repair, tech)
    with pytest.raises(TransitionRefused):
        services.reassign_work_order(
            request=repair, technician=make_technician(), reason="换人", actor=dispatcher
        )


def test_automatic_assignment_takes_the_best_ranked_own_technician(
    repair, make_technician, dispatcher, flow, make_customer, make_unit, make_request
):
    make_technician(station="partner")
    busy = make_technician(name="忙")
    idle = make_technician(name="闲")
    other = make_customer()
    flow.assign(make_request(other, make_unit(other)).request, busy)
    wo = services.auto_assign_work_order(request=repair, actor=dispatcher)
    assert wo.technician == idle and wo.dispatch_kind == "regular"
    assert wo.note == gettext("Assigned automatically by the ranking rule.")


def test_automatic_assignment_never_sends_a_partner(repair, make_technician, dispatcher):
    make_technician(station="partner")
    with pytest.raises(TransitionRefused) as err:
        services.auto_assign_work_order(request=repair, actor=dispatcher)
    assert err.value.code == "no_qualified_technician"
