"""SLA clocks on China's business calendar: targets chosen by policy, met by the workflow,
paused while waiting on the customer, escalated exactly once at 80 % / 100 % / 200 %."""

import datetime as dt

import pytest

from aftersales.core.clock import frozen_at
from aftersales.core.models import Notification
from aftersales.service import services as s
from aftersales.service.models import Escalation, SlaClock
from aftersales.service.sla_services import handle_due_clocks, pause_clocks, resume_clocks, sla_payload

SH = dt.timezone(dt.timedelta(hours=8))


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def register(make_customer, make_unit, make_request):
    def reg(received, district="徐汇区", type="repair", **unit_extra):
        customer = make_customer(district=district)
        unit = make_unit(customer, **unit_extra)
        with frozen_at(received):
            return make_request(customer, unit, type=type, received_at=received).request

    return reg


def clock(sr, code):
    return SlaClock.objects.get(request=sr, code=code)


def test_friday_1730_urban_repair_first_contact_due_1800_arrival_due_monday_1230(register):
    sr = register(at(2026, 11, 20, 17, 30))  # a Friday
    assert clock(sr, "first_contact").due_at == at(2026, 11, 20, 18, 0)
    assert clock(sr, "arrival").due_at == at(2026, 11, 23, 12, 30)
    assert not SlaClock.objects.filter(request=sr, code="resolution").exists()  # starts on arrival


@pytest.mark.parametrize(
    ("district", "hours", "due"),
    [
        ("徐汇区", 4, at(2026, 11, 24, 13, 0)),
        ("闵行区", 8, at(2026, 11, 24, 17, 0)),
        ("崇明区", 24, at(2026, 11, 26, 15, 0)),
    ],
)
def test_arrival_target_follows_the_zone(register, district, hours, due):
    sr = register(at(2026, 11, 24, 9, 0), district=district)
    c = clock(sr, "arrival")
    assert c.target == dt.timedelta(hours=hours)
    assert c.due_at == due
    assert sla_payload(sr)["zone"] == {"徐汇区": "urban", "闵行区": "suburban", "崇明区": "rural"}[district]


def test_unmapped_zone_gets_the_suburban_arrival_target(register):
    sr = register(at(2026, 11, 24, 9, 0), district="浦东新区")
    assert clock(sr, "arrival").target == dt.timedelta(hours=8)


def test_security_system_contract_arrival_is_24_calendar_hours(register):
    sr = register(at(2026, 11, 21, 20, 0), contract="security_system")  # Saturday evening
    c = clock(sr, "arrival")
    assert c.basis == "calendar" and c.due_at == at(2026, 11, 22, 20, 0)


def test_national_day_holidays_do_not_count_and_adjusted_saturday_does(register):
    # 2026-09-30 17:00: one business hour left that day, then 10-01..07 are off; 10-08 counts.
    sr = register(at(2026, 9, 30, 17, 0))
    assert clock(sr, "arrival").due_at == at(2026, 10, 8, 12, 0)
    # 2026-10-09 (Friday) 16:00: 2 hours that day, then Saturday 10-10 is an adjusted working day.
    sr2 = register(at(2026, 10, 9, 16, 0))
    assert clock(sr2, "arrival").due_at == at(2026, 10, 10, 11, 0)


def test_clocks_start_from_received_at_not_registration(register):
    sr = register(at(2026, 11, 24, 9, 0))
    assert clock(sr, "first_contact").started_at == at(2026, 11, 24, 9, 0)


def test_workflow_meets_first_contact_arrival_and_resolution(register, dispatcher, technician):
    sr = register(at(2026, 11, 24, 9, 0))
    with frozen_at(at(2026, 11, 24, 9, 10)):
        sr = s.assign_request(request=sr, assignee_id=technician.pk, actor=dispatcher)
    with frozen_at(at(2026, 11, 24, 9, 20)):
        sr = s.schedule_visit(
            request=sr,
            appointment_start=at(2026, 11, 24, 11),
            appointment_end=at(2026, 11, 24, 12),
            actor=technician,
        )
    fc = clock(sr, "first_contact")
    assert fc.state == "met" and fc.margin == dt.timedelta(minutes=10)
    with frozen_at(at(2026, 11, 24, 14, 0)):  # one hour late for an urban 4-hour target
        sr = s.start_work(request=sr, actor=technician)
    arrival = clock(sr, "arrival")
    assert arrival.state == "breached" and arrival.margin == -dt.timedelta(hours=1)
    resolution = clock(sr, "resolution")
    assert resolution.started_at == at(2026, 11, 24, 14, 0) and resolution.due_at == at(2026, 11, 25, 14, 0)
    with frozen_at(at(2026, 11, 24, 16, 0)):
        sr = s.resolve_request(request=sr, actor=technician)
    assert clock(sr, "resolution").state == "met"


def test_pause_while_waiting_on_the_customer_moves_the_due_time(register, agent):
    sr = register(at(2026, 11, 24, 9, 0))
    with frozen_at(at(2026, 11, 24, 10, 0)):
        pause_clocks(request=sr, reason="客户不在家", actor=agent)
    assert clock(sr, "arrival").state == "paused" and clock(sr, "arrival").due_at is None
    with frozen_at(at(2026, 11, 24, 12, 0)):
        payload = sla_payload(sr)["arrival"]
        assert payload["state"] == "paused" and payload["paused_seconds"] == 7200
        resume_clocks(request=sr, actor=agent)
    c = clock(sr, "arrival")
    assert c.paused_seconds == 7200
    assert c.due_at == at(2026, 11, 24, 15, 0)  # 13:00 plus the two paused hours


def test_cancel_stops_the_clocks(register, agent):
    sr = register(at(2026, 11, 24, 9, 0))
    with frozen_at(at(2026, 11, 24, 9, 5)):
        s.cancel_request(request=sr, actor=agent, note="客户取消")
    assert set(SlaClock.objects.filter(request=sr).values_list("state", flat=True)) == {"stopped"}
    with frozen_at(at(2026, 11, 30, 9, 0)):
        assert handle_due_clocks() == 0


def test_escalation_levels_warn_owner_then_supervisor_then_manager(register, agent, dispatcher, manager):
    sr = register(at(2026, 11, 24, 9, 0))  # first contact: 30 business minutes
    with frozen_at(at(2026, 11, 24, 9, 23)):
        assert handle_due_clocks() == 0
    with frozen_at(at(2026, 11, 24, 9, 24)):  # 80 %
        handle_due_clocks()
    assert list(Escalation.objects.filter(clock__code="first_contact").values_list("level", flat=True)) == [1]
    warned = Notification.objects.filter(kind="sla_warning", channel="in_app")
    assert {n.recipient for n in warned} == {agent}
    with frozen_at(at(2026, 11, 24, 9, 30)):  # 100 %
        handle_due_clocks()
    breach = Notification.objects.filter(kind="sla_breach", channel="in_app")
    assert {n.recipient for n in breach} == {agent, dispatcher}
    assert clock(sr, "first_contact").state == "breached"
    with frozen_at(at(2026, 11, 24, 10, 0)):  # 200 %
        handle_due_clocks()
    assert {n.recipient for n in Notification.objects.filter(kind="sla_manager")} == {agent, manager}
    assert clock(sr, "first_contact").next_check_at is None


def test_each_escalation_is_sent_once_however_often_the_worker_runs(register, agent, dispatcher):
    register(at(2026, 11, 24, 9, 0))
    with frozen_at(at(2026, 11, 24, 9, 31)):
        for _ in range(3):
            handle_due_clocks()
    assert Escalation.objects.filter(clock__code="first_contact").count() == 2  # warning and breach together
    assert Notification.objects.filter(kind="sla_breach", recipient=dispatcher).count() == 1


def test_a_worker_dying_halfway_loses_and_repeats_nothing(register, agent, monkeypatch):
    from aftersales.service import sla_services

    register(at(2026, 11, 24, 9, 0))
    real_notify = sla_services.notify_many

    def die(events):
        real_notify(events)
        raise SystemExit("worker killed after writing the escalation, before its commit")

    monkeypatch.setattr(sla_services, "notify_many", die)
    with frozen_at(at(2026, 11, 24, 9, 25)), pytest.raises(SystemExit):
        handle_due_clocks()
    # Nothing of the half-done escalation survived the rollback...
    assert Escalation.objects.count() == 0 and Notification.objects.count() == 0
    monkeypatch.setattr(sla_services, "notify_many", real_notify)
    # ...and the next worker run raises it exactly once.
    with frozen_at(at(2026, 11, 24, 9, 26)):
        handle_due_clocks()
        handle_due_clocks()
    assert Escalation.objects.filter(clock__code="first_contact", level=1).count() == 1
    assert Notification.objects.filter(kind="sla_warning", recipient=agent).count() == 1


def test_backdated_request_escalates_at_once(register, agent):
    register(at(2026, 11, 24, 9, 0))
    with frozen_at(at(2026, 11, 25, 9, 0)):
        handle_due_clocks()
    levels = sorted(Escalation.objects.filter(clock__code="first_contact").values_list("level", flat=True))
    assert levels == [1, 2, 3]


def test_api_carries_the_sla_object(register, agent):
    from django.test import Client

    sr = register(at(2026, 11, 24, 9, 0))
    client = Client()
    client.force_login(agent)
    with frozen_at(at(2026, 11, 24, 10, 0)):
        response = client.get(f"/api/v1/service-requests/{sr.number}")
        data = response.json()
        assert response.status_code == 200, data
    assert data["sla"]["zone"] == "urban"
    fc = data["sla"]["first_contact"]
    assert fc["state"] == "breached" and fc["margin_seconds"] == -1800 and fc["met_at"] is None
    assert fc["due_at"] == "2026-11-24T09:30:00+08:00" and fc["paused_seconds"] == 0
    assert data["sla"]["arrival"]["margin_seconds"] == 3 * 3600
