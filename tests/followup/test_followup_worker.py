"""The callback worker steps: callbacks for resolved jobs (every path, complaints included), withdrawn
callbacks whose request moved on, and installed projects' scheduled callbacks — each idempotent."""

import datetime as dt

import pytest
from followup_support import at, reload

from aftersales.core.errors import PermissionRefused, TransitionRefused, ValidationFailed
from aftersales.core.history import history_of
from aftersales.core.worker import steps
from aftersales.followup import tasks
from aftersales.followup.models import Callback, CallbackSchedule
from aftersales.followup.services import (
    complete_callback,
    create_scheduled_callback,
    enrol_project,
    resume_schedule,
    stop_schedule,
)

D = dt.date


def test_the_steps_are_registered_with_the_worker():
    names = set(steps())
    assert {
        "callbacks_for_resolved_requests",
        "withdraw_overtaken_callbacks",
        "enrol_installed_projects",
        "create_scheduled_callbacks",
        "escalate_overdue_promises",
    } <= names


# -- after the job -------------------------------------------------------------------------------
def test_a_repair_resolved_without_a_work_order_gets_its_callback_once(resolved_repair, agent, technician):
    assert tasks.callbacks_for_resolved_requests() == 1
    assert tasks.callbacks_for_resolved_requests() == 0
    cb = Callback.objects.get(request=resolved_repair)
    assert cb.kind == "after_job" and cb.agent == agent and cb.staff == technician
    assert cb.due_at == resolved_repair.resolved_at + dt.timedelta(days=3)


def test_the_due_days_are_a_setting(resolved_repair, callback_settings):
    callback_settings(CALLBACK_DUE_DAYS=1)
    tasks.callbacks_for_resolved_requests()
    cb = Callback.objects.get(request=resolved_repair)
    assert cb.due_at == resolved_repair.resolved_at + dt.timedelta(days=1)


def test_only_the_configured_request_types_get_callbacks(resolved_repair, callback_settings):
    callback_settings(CALLBACK_REQUEST_TYPES=("installation",))
    assert tasks.callbacks_for_resolved_requests() == 0
    assert not Callback.objects.exists()


def test_a_notified_complaint_gets_its_callback_due_the_same_day(notified_complaint, agent):
    assert tasks.callbacks_for_resolved_requests() == 1
    cb = Callback.objects.get(request=notified_complaint)
    assert cb.due_at == at(2026, 11, 23, 23, 59, 59) and cb.staff is None and cb.agent == agent


def test_a_job_resolved_again_after_rework_gets_a_new_callback(
    resolved_repair, agent, technician, dispatcher, clock
):
    from aftersales.service import services as s

    tasks.callbacks_for_resolved_requests()
    first = Callback.objects.get(request=resolved_repair)
    complete_callback(callback=first, outcome="又坏了", result="reopen", actor=agent)
    clock.set(at(2026, 11, 24, 9))
    sr = s.assign_request(request=reload(resolved_repair), assignee_id=technician.pk, actor=dispatcher)
    sr = s.schedule_visit(
        request=sr,
        appointment_start=at(2026, 11, 24, 10),
        appointment_end=at(2026, 11, 24, 12),
        actor=technician,
    )
    sr = s.start_work(request=sr, actor=technician)
    s.resolve_request(request=sr, actor=technician)
    assert tasks.callbacks_for_resolved_requests() == 1
    assert Callback.objects.filter(request=resolved_repair).count() == 2
    assert Callback.objects.filter(request=resolved_repair, status="open").get().created_at == at(
        2026, 11, 24, 9
    )


def test_a_processed_callback_that_left_the_job_resolved_is_not_repeated(resolved_repair, agent):
    tasks.callbacks_for_resolved_requests()
    complete_callback(callback=Callback.objects.get(), outcome="再观察几天", result="none", actor=agent)
    assert tasks.callbacks_for_resolved_requests() == 0


def test_a_callback_whose_request_was_reopened_elsewhere_is_withdrawn(callback, resolved_repair, agent):
    from aftersales.service.services import reopen_request

    reopen_request(request=resolved_repair, actor=agent, note="客户来电：又坏了")
    assert tasks.withdraw_overtaken_callbacks() == 1
    assert tasks.withdraw_overtaken_callbacks() == 0
    cb = reload(callback)
    assert cb.status == "withdrawn"
    assert history_of(cb).filter(event="callback_withdrawn").count() == 1


def test_a_callback_of_a_request_closed_automatically_is_kept(callback, resolved_repair, agent):
    from aftersales.service.services import close_request

    close_request(request=resolved_repair, actor=agent)
    assert tasks.withdraw_overtaken_callbacks() == 0
    assert reload(callback).status == "open"


# -- installed projects ---------------------------------------------------------------------------
def test_installed_projects_with_a_commissioning_date_are_enrolled_once(
    make_project, make_customer, make_unit
):
    project = make_project(D(2026, 10, 23))
    make_unit(make_customer())  # a plain appliance: no schedule
    assert tasks.enrol_installed_projects() == 1
    assert tasks.enrol_installed_projects() == 0
    schedule = CallbackSchedule.objects.get()
    assert schedule.unit == project and schedule.active and schedule.next_due_on == D(2026, 11, 23)


def test_the_worker_creates_the_monthly_callback_on_its_day_once(make_project, agent, manager, clock):
    project = make_project(D(2026, 10, 23))
    schedule = enrol_project(unit=project, agent_id=agent.pk, actor=manager)
    assert tasks.create_scheduled_callbacks() == 1
    assert tasks.create_scheduled_callbacks() == 0
    cb = Callback.objects.get()
    assert (cb.kind, cb.unit, cb.customer, cb.request, cb.agent) == (
        "scheduled",
        project,
        project.customer,
        None,
        agent,
    )
    assert cb.scheduled_for == D(2026, 11, 23) and cb.due_at == at(2026, 11, 23, 23, 59, 59)
    assert reload(schedule).next_due_on == D(2026, 12, 23)
    clock.set(at(2026, 12, 22, 9))
    assert tasks.create_scheduled_callbacks() == 0


def test_after_the_first_year_the_callbacks_are_quarterly(make_project, manager, clock):
    project = make_project(D(2025, 11, 10))
    schedule = enrol_project(unit=project, actor=manager)
    # Today (2026-11-23) is past month 12 (2026-11-10): the next is month 15.
    assert schedule.next_due_on == D(2027, 2, 10)


def test_the_schedule_intervals_are_settings(make_project, manager, callback_settings):
    callback_settings(CALLBACK_SCHEDULE_FIRST_PERIOD_MONTHS=0, CALLBACK_SCHEDULE_LATER_INTERVAL_MONTHS=6)
    schedule = enrol_project(unit=make_project(D(2026, 6, 1)), actor=manager)
    assert schedule.next_due_on == D(2026, 12, 1)


def test_occurrences_missed_while_the_worker_was_down_give_one_overdue_callback(make_project, manager, clock):
    clock.set(at(2026, 7, 1, 9))
    schedule = enrol_project(unit=make_project(D(2026, 6, 10)), actor=manager)
    assert schedule.next_due_on == D(2026, 7, 10)
    clock.set(at(2026, 9, 20, 9))
    assert tasks.create_scheduled_callbacks() == 1
    cb = Callback.objects.get()
    assert cb.scheduled_for == D(2026, 9, 10)
    skipped = history_of(schedule).get(event="occurrences_skipped")
    assert skipped.data["skipped"] == ["2026-07-10", "2026-08-10"]
    assert reload(schedule).next_due_on == D(2026, 10, 10)


def test_while_the_previous_scheduled_callback_is_open_the_next_is_skipped(
    make_project, manager, agent, clock
):
    schedule = enrol_project(unit=make_project(D(2026, 10, 23)), actor=manager)
    tasks.create_scheduled_callbacks()
    clock.set(at(2026, 12, 23, 9))
    assert tasks.create_scheduled_callbacks() == 0
    assert Callback.objects.filter(schedule=schedule).count() == 1
    assert history_of(schedule).get(event="occurrences_skipped").data["skipped"] == ["2026-12-23"]
    complete_callback(callback=Callback.objects.get(), outcome="正常", result="close", actor=agent)
    clock.set(at(2027, 1, 23, 9))
    assert tasks.create_scheduled_callbacks() == 1
    assert Callback.objects.filter(schedule=schedule, status="open").get().scheduled_for == D(2027, 1, 23)


def test_a_schedule_is_claimed_once_even_by_two_workers(make_project, manager):
    schedule = enrol_project(unit=make_project(D(2026, 10, 23)), actor=manager)
    first = create_scheduled_callback(schedule_id=schedule.pk)
    second = create_scheduled_callback(schedule_id=schedule.pk)
    assert first is not None and second is None
    assert Callback.objects.count() == 1


def test_a_stopped_schedule_makes_no_callbacks_and_resumes_from_today(make_project, manager, clock):
    schedule = enrol_project(unit=make_project(D(2026, 10, 23)), actor=manager)
    stop_schedule(schedule=schedule, reason="维保合同到期", actor=manager)
    assert tasks.create_scheduled_callbacks() == 0
    with pytest.raises(TransitionRefused):
        stop_schedule(schedule=schedule, reason="再次", actor=manager)
    clock.set(at(2027, 2, 1, 9))
    resumed = resume_schedule(schedule=schedule, actor=manager)
    assert resumed.active and resumed.next_due_on == D(2027, 2, 23)
    assert not Callback.objects.exists()


def test_only_installed_projects_with_a_commissioning_date_are_enrolled(make_customer, make_unit, manager):
    with pytest.raises(ValidationFailed) as err:
        enrol_project(unit=make_unit(make_customer()), actor=manager)
    assert err.value.code == "not_a_project"
    unit = make_unit(make_customer(), is_installed_project=True)
    with pytest.raises(ValidationFailed) as err:
        enrol_project(unit=unit, actor=manager)
    assert err.value.code == "commissioning_date_required"


def test_an_agent_does_not_manage_schedules(make_project, agent):
    with pytest.raises(PermissionRefused):
        enrol_project(unit=make_project(D(2026, 10, 23)), actor=agent)


def test_the_day_of_each_occurrence_is_worked_out_again_from_the_commissioning_date(
    make_project, manager, clock
):
    project = make_project(D(2026, 10, 23))
    schedule = enrol_project(unit=project, actor=manager)
    # The commissioning date was entered wrong and corrected: the next occurrence follows it.
    type(project).objects.filter(pk=project.pk).update(commissioning_date=D(2026, 10, 20))
    assert tasks.create_scheduled_callbacks() == 1
    assert Callback.objects.get(schedule=schedule).scheduled_for == D(2026, 11, 20)
    assert reload(schedule).next_due_on == D(2026, 12, 20)
