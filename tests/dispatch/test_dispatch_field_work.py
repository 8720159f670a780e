"""Field work: appointment by phone, delays, arrival, diagnosis, fees and consent, parts and labor, carry-back,
dead on arrival, signature and waiver, money and invoice, finish."""

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.core.errors import PermissionRefused, TransitionRefused, ValidationFailed
from aftersales.core.history import history_of
from aftersales.core.models import Notification
from aftersales.dispatch import services
from aftersales.dispatch.models import CustomerContact, Visit, WorkOrder
from aftersales.dispatch.workflow import ACTIVE_STATES, TRANSITIONS, WorkOrderStatus

SH = dt.timezone(dt.timedelta(hours=8))
ALL_ITEMS = ["address", "phone", "name", "time", "model"]


def reload(obj):
    obj.refresh_from_db()
    return obj


# -- the table ---------------------------------------------------------------------------------


def test_every_state_is_in_the_table_and_ended_states_allow_nothing():
    assert set(TRANSITIONS) == set(WorkOrderStatus.values)
    for ended in ("dead_on_arrival", "reassigned", "cancelled"):
        assert TRANSITIONS[ended] == {}
    assert "finished" not in ACTIVE_STATES and "customer_absent" in ACTIVE_STATES


# -- before going ------------------------------------------------------------------------------


def test_confirming_appointment_by_phone_meets_first_contact_clock(repair, tech, flow, sla_clocks):
    wo = flow.assign(repair, tech)
    wo = flow.confirm(wo)
    assert wo.status == "scheduled"
    assert reload(repair).status == "scheduled"
    first_contact = sla_clocks(repair)["first_contact"]
    assert first_contact.met_at is not None and first_contact.state == "met"
    visit = Visit.objects.get(work_order=wo)
    assert (visit.window_start, visit.window_end) == (wo.appointment_start, wo.appointment_end)
    assert visit.confirmed_items == sorted(ALL_ITEMS)
    assert CustomerContact.objects.get(work_order=wo).kind == "appointment"


def test_appointment_confirmation_needs_every_item_checked_with_the_customer(repair, tech, flow, clock):
    wo = flow.assign(repair, tech)
    start = clock.at + dt.timedelta(hours=2)
    with pytest.raises(ValidationFailed) as err:
        services.confirm_appointment(
            work_order=wo,
            appointment_start=start,
            appointment_end=start + dt.timedelta(hours=2),
            confirmed_items=["address", "phone", "name"],
            actor=tech.user,
        )
    assert err.value.code == "confirmation_incomplete"
    assert reload(wo).status == "assigned" and reload(repair).status == "assigned"


def test_appointment_window_must_be_a_future_interval(repair, tech, flow, clock):
    wo = flow.assign(repair, tech)
    with pytest.raises(ValidationFailed) as err:
        services.confirm_appointment(
            work_order=wo,
            appointment_start=clock.at + dt.timedelta(hours=2),
            appointment_end=clock.at + dt.timedelta(hours=1),
            confirmed_items=ALL_ITEMS,
            actor=tech.user,
        )
    assert err.value.code == "bad_window"
    with pytest.raises(ValidationFailed) as err:
        services.confirm_appointment(
            work_order=wo,
            appointment_start=clock.at - dt.timedelta(hours=3),
            appointment_end=clock.at - dt.timedelta(hours=1),
            confirmed_items=ALL_ITEMS,
            actor=tech.user,
        )
    assert err.value.code == "window_in_past"


def test_other_technician_cannot_act_on_the_work_order(repair, tech, make_technician, flow):
    wo = flow.assign(repair, tech)
    stranger = make_technician()
    with pytest.raises(TransitionRefused) as err:
        services.confirm_appointment(
            work_order=wo,
            appointment_start=flow.clock.at + dt.timedelta(hours=1),
            appointment_end=flow.clock.at + dt.timedelta(hours=3),
            confirmed_items=ALL_ITEMS,
            actor=stranger.user,
        )
    assert err.value.code == "not_your_work"


def test_announced_delay_is_recorded_as_customer_contact_beforehand(repair, tech, flow, clock):
    wo = flow.confirm(flow.assign(repair, tech))
    old_start, old_end = wo.appointment_start, wo.appointment_end
    clock.advance(minutes=30)
    wo = services.announce_delay(
        work_order=wo,
        appointment_start=old_start + dt.timedelta(hours=1),
        appointment_end=old_end + dt.timedelta(hours=1),
        reason="上一单超时",
        actor=tech.user,
    )
    contact = CustomerContact.objects.get(work_order=wo, kind="delay")
    assert contact.beforehand is True and contact.note == "上一单超时"
    assert contact.data["old_window"][0] == old_start.isoformat()
    assert wo.appointment_end == old_end + dt.timedelta(hours=1) and wo.status == "scheduled"
    visit = Visit.objects.get(work_order=wo)
    assert visit.delay_announced and visit.window_end == wo.appointment_end
    # Arriving inside the announced window is not late.
    wo = flow.check_in(wo)
    assert Visit.objects.get(work_order=wo).arrived_late is False


def test_delay_announced_after_the_window_is_not_beforehand(repair, tech, flow, clock):
    wo = flow.confirm(flow.assign(repair, tech))
    clock.set(wo.appointment_end + dt.timedelta(minutes=10))
    services.announce_delay(
        work_order=wo,
        appointment_start=clock.at + dt.timedelta(minutes=20),
        appointment_end=clock.at + dt.timedelta(hours=1),
        reason="堵车",
        actor=tech.user,
    )
    assert CustomerContact.objects.get(work_order=wo, kind="delay").beforehand is False


def test_delay_needs_a_reason_and_a_later_window(repair, tech, flow):
    wo = flow.confirm(flow.assign(repair, tech))
    with pytest.raises(ValidationFailed):
        services.announce_delay(
            work_order=wo,
            appointment_start=wo.appointment_start,
            appointment_end=wo.appointment_end + dt.timedelta(hours=1),
            reason="",
            actor=tech.user,
        )
    with pytest.raises(ValidationFailed) as err:
        services.announce_delay(
            work_order=wo,
            appointment_start=wo.appointment_start,
            appointment_end=wo.appointment_end,
            reason="x",
            actor=tech.user,
        )
    assert err.value.code == "not_a_delay"


def test_late_arrival_without_announcement_is_flagged(repair, tech, flow, clock):
    wo = flow.confirm(flow.assign(repair, tech))
    clock.set(wo.appointment_end + dt.timedelta(minutes=40))
    services.check_in(work_order=wo, actor=tech.user)
    visit = Visit.objects.get(work_order=wo)
    assert visit.arrived_late is True and visit.delay_announced is False


def test_check_in_meets_arrival_clock_and_starts_resolution_clock(repair, tech, flow, sla_clocks):
    wo = flow.check_in(flow.confirm(flow.assign(repair, tech)))
    assert wo.status == "on_site" and wo.arrived_at is not None
    assert reload(repair).status == "in_progress"
    clocks = sla_clocks(repair)
    assert clocks["arrival"].met_at == wo.arrived_at
    assert clocks["resolution"].started_at == wo.arrived_at and clocks["resolution"].state == "running"


def test_customer_not_at_home_pauses_clocks_until_new_appointment(repair, tech, flow, clock, sla_clocks):
    wo = flow.confirm(flow.assign(repair, tech))
    clock.set(wo.appointment_start + dt.timedelta(minutes=5))
    wo = services.record_customer_absent(work_order=wo, note="敲门无人，已留联系卡", actor=tech.user)
    assert wo.status == "customer_absent"
    assert sla_clocks(repair)["arrival"].state == "paused"
    assert CustomerContact.objects.filter(work_order=wo, kind="absent").exists()
    with pytest.raises(TransitionRefused):
        services.check_in(work_order=wo, actor=tech.user)
    absent_at = clock.at
    clock.advance(hours=2)
    wo = flow.confirm(wo, start=dt.datetime(2026, 11, 24, 14, tzinfo=SH))
    arrival = sla_clocks(repair)["arrival"]
    assert wo.status == "scheduled" and arrival.state == "running"
    assert arrival.paused_seconds == (clock.at - absent_at).total_seconds()
    assert [v.outcome for v in Visit.objects.filter(work_order=wo).order_by("id")] == ["customer_absent", ""]
    wo = flow.check_in(wo)
    assert reload(repair).status == "in_progress"


# -- on site: diagnosis, fees, consent ---------------------------------------------------------


def test_free_repair_begins_work_after_diagnosis_without_consent(repair, tech, flow):
    wo = flow.diagnose(flow.on_site(repair, tech))
    assert wo.charge == "free"
    wo = services.begin_work(work_order=wo, actor=tech.user)
    assert wo.status == "working" and wo.work_started_at is not None


def test_begin_work_requires_diagnosis(repair, tech, flow):
    wo = flow.on_site(repair, tech)
    with pytest.raises(TransitionRefused) as err:
        services.begin_work(work_order=wo, actor=tech.user)
    assert err.value.code == "diagnosis_required"


def test_in_warranty_repair_refuses_fee_lines(repair, tech, flow, fee_items):
    wo = flow.diagnose(flow.on_site(repair, tech))
    with pytest.raises(TransitionRefused) as err:
        services.add_fee_line(work_order=wo, item_id=fee_items["visit"].pk, quantity=1, actor=tech.user)
    assert err.value.code == "free_of_charge"


def test_paid_repair_cannot_start_work_without_consent(paid_repair, tech, flow, fee_items):
    wo = flow.diagnose(flow.on_site(paid_repair, tech))
    assert wo.charge == "paid"
    with pytest.raises(TransitionRefused) as err:
        services.begin_work(work_order=wo, actor=tech.user)
    assert err.value.code == "quote_required"
    services.add_fee_line(work_order=wo, item_id=fee_items["labor"].pk, quantity=1, actor=tech.user)
    with pytest.raises(TransitionRefused) as err:
        services.begin_work(work_order=wo, actor=tech.user)
    assert err.value.code == "consent_required"
    services.request_consent(work_order=wo, actor=tech.user)
    with pytest.raises(TransitionRefused) as err:
        services.begin_work(work_order=wo, actor=tech.user)
    assert err.value.code == "consent_pending"
    services.record_consent(work_order=wo, agreed=True, customer_name="张伟", actor=tech.user)
    assert services.begin_work(work_order=wo, actor=tech.user).status == "working"


def test_paid_repair_fee_lines_come_from_the_fee_schedule(paid_repair, tech, flow, fee_items):
    wo = flow.diagnose(flow.on_site(paid_repair, tech))
    line = services.add_fee_line(work_order=wo, item_id=fee_items["part"].pk, quantity=2, actor=tech.user)
    assert (line.unit_price, line.amount, line.description) == (
        Decimal("800.00"),
        Decimal("1600.00"),
        "压缩机",
    )
    with pytest.raises(ValidationFailed) as err:
        services.add_fee_line(
            work_order=wo, item_id=fee_items["other_category"].pk, quantity=1, actor=tech.user
        )
    assert err.value.code == "fee_item_other_category"
    with pytest.raises(ValidationFailed) as err:
        services.add_fee_line(work_order=wo, item_id=99999, quantity=1, actor=tech.user)
    assert err.value.code == "unknown_fee_item"
    with pytest.raises(ValidationFailed):
        services.add_fee_line(work_order=wo, item_id=fee_items["visit"].pk, quantity=0, actor=tech.user)


def test_misuse_charges_parts_at_cost_only(repair, tech, flow, fee_items):
    wo = flow.diagnose(flow.on_site(repair, tech), cause="misuse")
    assert wo.charge == "parts_at_cost"
    line = services.add_fee_line(work_order=wo, item_id=fee_items["part"].pk, quantity=1, actor=tech.user)
    assert line.unit_price == Decimal("520.00")
    with pytest.raises(ValidationFailed) as err:
        services.add_fee_line(work_order=wo, item_id=fee_items["labor"].pk, quantity=1, actor=tech.user)
    assert err.value.code == "parts_at_cost_only"
    # Changing the cause once fees are on the order would misprice them.
    with pytest.raises(TransitionRefused) as err:
        flow.diagnose(wo, cause="normal")
    assert err.value.code == "fees_exist"


def test_waiting_for_consent_pauses_clocks_and_the_answer_resumes_them(
    paid_repair, tech, flow, fee_items, sla_clocks
):
    wo = flow.diagnose(flow.on_site(paid_repair, tech))
    services.add_fee_line(work_order=wo, item_id=fee_items["visit"].pk, quantity=1, actor=tech.user)
    consent = services.request_consent(work_order=wo, actor=tech.user)
    assert consent.state == "pending" and consent.total == Decimal("50.00") and len(consent.lines) == 1
    assert sla_clocks(paid_repair)["resolution"].state == "paused"
    with pytest.raises(TransitionRefused) as err:
        services.add_fee_line(work_order=wo, item_id=fee_items["labor"].pk, quantity=1, actor=tech.user)
    assert err.value.code == "consent_pending"
    flow.clock.advance(minutes=20)
    consent = services.record_consent(work_order=wo, agreed=True, customer_name="张伟", actor=tech.user)
    resolution = sla_clocks(paid_repair)["resolution"]
    assert (
        consent.state == "agreed" and resolution.state == "running" and resolution.paused_seconds == 20 * 60
    )


def test_changing_fees_after_consent_needs_new_consent(paid_repair, tech, flow, fee_items):
    wo = flow.quote_and_agree(flow.diagnose(flow.on_site(paid_repair, tech)), fee_items["visit"])
    wo = services.begin_work(work_order=wo, actor=tech.user)
    services.add_fee_line(work_order=wo, item_id=fee_items["part"].pk, quantity=1, actor=tech.user)
    with pytest.raises(TransitionRefused) as err:
        services.finish_work_order(work_order=wo, resolution="更换压缩机", actor=tech.user)
    assert err.value.code == "consent_required"
    with pytest.raises(TransitionRefused):
        services.collect_fees(work_order=wo, amount="850.00", method="wechat", actor=tech.user)
    wo = flow.quote_and_agree(wo)
    services.collect_fees(work_order=wo, amount="850.00", method="wechat", actor=tech.user)
    assert (
        services.finish_work_order(work_order=wo, resolution="更换压缩机", actor=tech.user).status
        == "finished"
    )


def test_refused_quote_blocks_work_until_the_job_is_cancelled(paid_repair, tech, flow, fee_items, dispatcher):
    wo = flow.diagnose(flow.on_site(paid_repair, tech))
    services.add_fee_line(work_order=wo, item_id=fee_items["part"].pk, quantity=1, actor=tech.user)
    services.request_consent(work_order=wo, actor=tech.user)
    consent = services.record_consent(
        work_order=wo, agreed=False, customer_name="张伟", note="价格太高", actor=tech.user
    )
    assert consent.state == "refused"
    with pytest.raises(TransitionRefused) as err:
        services.begin_work(work_order=wo, actor=tech.user)
    assert err.value.code == "consent_required"
    wo = services.cancel_work_order(work_order=wo, reason="客户不同意维修费用", actor=dispatcher)
    assert wo.status == "cancelled" and not wo.is_active
    assert reload(paid_repair).status == "cancelled"


def test_consent_names_who_agreed(paid_repair, tech, flow, fee_items):
    wo = flow.diagnose(flow.on_site(paid_repair, tech))
    services.add_fee_line(work_order=wo, item_id=fee_items["visit"].pk, quantity=1, actor=tech.user)
    services.request_consent(work_order=wo, actor=tech.user)
    with pytest.raises(ValidationFailed):
        services.record_consent(work_order=wo, agreed=True, customer_name="", actor=tech.user)


# -- the work ----------------------------------------------------------------------------------


def test_parts_and_labor_are_recorded_on_the_work_order(repair, tech, flow, clock):
    wo = flow.working(repair, tech)
    part = services.add_part_line(
        work_order=wo,
        part_number="P-COMP-35",
        name="压缩机",
        quantity=1,
        old_serial="C1",
        new_serial="C2",
        actor=tech.user,
    )
    start = clock.at
    clock.advance(minutes=95)
    labor = services.record_labor(
        work_order=wo, started_at=start, ended_at=clock.at, description="更换压缩机并加氟", actor=tech.user
    )
    assert part.part_number == "P-COMP-35" and wo.part_lines.count() == 1
    assert labor.minutes == 95 and labor.technician == tech
    events = [h.event for h in history_of(wo)]
    assert events[-2:] == ["add_part", "add_labor"]


def test_parts_cannot_be_recorded_before_work_begins(repair, tech, flow):
    wo = flow.diagnose(flow.on_site(repair, tech))
    with pytest.raises(TransitionRefused):
        services.add_part_line(work_order=wo, part_number="P1", name="x", quantity=1, actor=tech.user)


def test_overlapping_labor_is_refused(repair, tech, flow, clock):
    wo = flow.working(repair, tech)
    start = clock.at
    clock.advance(hours=2)
    services.record_labor(
        work_order=wo,
        started_at=start,
        ended_at=start + dt.timedelta(hours=1),
        description="a",
        actor=tech.user,
    )
    with pytest.raises(ValidationFailed) as err:
        services.record_labor(
            work_order=wo,
            started_at=start + dt.timedelta(minutes=30),
            ended_at=start + dt.timedelta(minutes=90),
            description="b",
            actor=tech.user,
        )
    assert err.value.code == "labor_overlaps"
    with pytest.raises(ValidationFailed) as err:
        services.record_labor(
            work_order=wo,
            started_at=clock.at,
            ended_at=clock.at + dt.timedelta(hours=1),
            description="c",
            actor=tech.user,
        )
    assert err.value.code == "labor_in_future"


def test_wait_for_parts_and_resume_move_the_request(repair, tech, flow):
    wo = services.wait_for_parts(work_order=flow.working(repair, tech), note="压缩机缺货", actor=tech.user)
    assert wo.status == "waiting_parts" and reload(repair).status == "waiting_parts"
    wo = services.resume_work(work_order=wo, actor=tech.user)
    assert wo.status == "working" and reload(repair).status == "in_progress"


# -- carry-back --------------------------------------------------------------------------------


def test_carry_back_gives_a_receipt_and_moves_the_request(repair, tech, flow):
    wo = flow.working(repair, tech)
    receipt = services.carry_back_unit(
        work_order=wo, unit_condition="外壳有划痕", accessories="遥控器", actor=tech.user
    )
    assert receipt.receipt_number.startswith("RC20261123-")
    assert reload(wo).status == "carried_back" and reload(repair).status == "carried_back"
    with pytest.raises(TransitionRefused) as err:
        services.carry_back_unit(work_order=wo, actor=tech.user)
    assert err.value.code == "transition_not_allowed"


def test_carry_back_return_needs_the_receipt_back(repair, tech, flow):
    wo = flow.working(repair, tech)
    receipt = services.carry_back_unit(work_order=wo, receipt_number="SJ-000123", actor=tech.user)
    with pytest.raises(ValidationFailed) as err:
        services.return_carried_back_unit(work_order=wo, receipt_number="SJ-999", actor=tech.user)
    assert err.value.code == "receipt_mismatch"
    receipt = services.return_carried_back_unit(work_order=wo, receipt_number="sj-000123", actor=tech.user)
    assert receipt.receipt_taken_back and receipt.returned_at is not None
    assert reload(wo).status == "working" and reload(repair).status == "in_progress"


def test_receipt_numbers_are_unique(
    repair, tech, flow, make_customer, make_unit, make_request, make_technician
):
    services.carry_back_unit(work_order=flow.working(repair, tech), receipt_number="SJ-1", actor=tech.user)
    c = make_customer()
    other_tech = make_technician()
    wo2 = flow.working(make_request(c, make_unit(c)).request, other_tech)
    with pytest.raises(ValidationFailed) as err:
        services.carry_back_unit(work_order=wo2, receipt_number="SJ-1", actor=other_tech.user)
    assert err.value.code == "receipt_number_taken"


def test_loaner_must_come_back_when_the_unit_is_returned(repair, tech, flow):
    wo = flow.working(repair, tech)
    services.carry_back_unit(
        work_order=wo, receipt_number="SJ-7", loaner_serial="LN-01", loaner_model="KFR-26GW", actor=tech.user
    )
    with pytest.raises(ValidationFailed) as err:
        services.return_carried_back_unit(work_order=wo, receipt_number="SJ-7", actor=tech.user)
    assert err.value.code == "loaner_not_returned"
    receipt = services.return_carried_back_unit(
        work_order=wo, receipt_number="SJ-7", loaner_returned=True, actor=tech.user
    )
    assert receipt.loaner_returned_at is not None


def test_a_loaner_out_cannot_be_lent_again(
    repair, tech, flow, make_customer, make_unit, make_request, make_technician
):
    services.carry_back_unit(work_order=flow.working(repair, tech), loaner_serial="LN-01", actor=tech.user)
    c = make_customer()
    other_tech = make_technician()
    wo2 = flow.working(make_request(c, make_unit(c)).request, other_tech)
    with pytest.raises(ValidationFailed) as err:
        services.carry_back_unit(work_order=wo2, loaner_serial="ln-01", actor=other_tech.user)
    assert err.value.code == "loaner_out"


def test_only_repairs_are_carried_back(delivery, tech, flow):
    with pytest.raises(TransitionRefused) as err:
        services.carry_back_unit(work_order=flow.working(delivery, tech), actor=tech.user)
    assert err.value.code == "repair_only"


# -- dead on arrival ---------------------------------------------------------------------------


def test_dead_on_arrival_takes_the_unit_back_and_schedules_a_new_delivery(delivery, tech, flow, clock):
    wo = flow.diagnose(flow.on_site(delivery, tech))
    tomorrow = dt.datetime(2026, 11, 24, 10, tzinfo=SH)
    new = services.report_dead_on_arrival(
        work_order=wo,
        defect="开箱发现面板碎裂",
        appointment_start=tomorrow,
        appointment_end=tomorrow + dt.timedelta(hours=2),
        actor=tech.user,
    )
    old = reload(wo)
    assert old.status == "dead_on_arrival" and not old.is_active and old.end_reason == "开箱发现面板碎裂"
    assert new.status == "scheduled" and new.is_active and new.replaces == old
    assert (new.appointment_start, new.technician) == (tomorrow, tech)
    assert reload(delivery).status == "in_progress"
    # The new delivery: arrival without another request move, then finished normally.
    clock.set(tomorrow + dt.timedelta(minutes=10))
    new = services.check_in(work_order=new, actor=tech.user)
    new = flow.diagnose(new)
    new = services.begin_work(work_order=new, actor=tech.user)
    new = services.finish_work_order(work_order=new, resolution="新机送达，客户验货签收", actor=tech.user)
    assert new.status == "finished" and reload(delivery).status == "resolved"


def test_dead_on_arrival_only_for_delivery(repair, tech, flow, clock):
    wo = flow.on_site(repair, tech)
    with pytest.raises(TransitionRefused) as err:
        services.report_dead_on_arrival(
            work_order=wo,
            defect="x",
            appointment_start=clock.at + dt.timedelta(days=1),
            appointment_end=clock.at + dt.timedelta(days=1, hours=2),
            actor=tech.user,
        )
    assert err.value.code == "delivery_only"


# -- signature, waiver -------------------------------------------------------------------------


def test_signature_png_is_stored_under_media_root(repair, tech, flow, png, media_root):
    wo = services.record_signature(
        work_order=flow.working(repair, tech), image=png, signer_name="张伟", actor=tech.user
    )
    assert wo.signed_at is not None and wo.signer_name == "张伟"
    assert (media_root / wo.signature.name).read_bytes() == png
    with pytest.raises(TransitionRefused) as err:
        services.record_signature(work_order=wo, image=png, signer_name="张伟", actor=tech.user)
    assert err.value.code == "already_signed"


def test_signature_must_be_a_png_image(repair, tech, flow, png, settings):
    wo = flow.working(repair, tech)
    for data in (b"", b"GIF89a" + b"\0" * 40, png[:20]):
        with pytest.raises(ValidationFailed):
            services.record_signature(work_order=wo, image=data, signer_name="张伟", actor=tech.user)
    settings.AFTERSALES = {**settings.AFTERSALES, "SIGNATURE_MAX_BYTES": 50}
    with pytest.raises(ValidationFailed) as err:
        services.record_signature(work_order=wo, image=png + b"\0" * 100, signer_name="张伟", actor=tech.user)
    assert err.value.code == "signature_too_large"
    assert reload(wo).signed_at is None


def test_finish_without_signature_is_flagged_and_the_supervisor_told(repair, tech, flow, dispatcher):
    wo = services.finish_work_order(
        work_order=flow.working(repair, tech), resolution="清洗过滤网", actor=tech.user
    )
    assert wo.signature_missing is True
    assert Notification.objects.filter(recipient=dispatcher, kind="work_order_unsigned").exists()


def test_signed_work_order_is_not_flagged(repair, tech, flow, png):
    wo = flow.working(repair, tech)
    services.record_signature(work_order=wo, image=png, signer_name="张伟", actor=tech.user)
    wo = services.finish_work_order(work_order=wo, resolution="清洗过滤网", actor=tech.user)
    assert wo.signature_missing is False


def test_supervisor_waiver_clears_the_flag(repair, tech, flow, dispatcher):
    wo = services.finish_work_order(work_order=flow.working(repair, tech), resolution="修复", actor=tech.user)
    with pytest.raises(ValidationFailed):
        services.waive_signature(work_order=wo, reason="", actor=dispatcher)
    wo = services.waive_signature(
        work_order=wo, reason="客户为独居老人，手部不便，已电话确认", actor=dispatcher
    )
    assert wo.signature_missing is False and wo.signature_waived_by == dispatcher


def test_technician_cannot_waive_the_signature(repair, tech, flow):
    wo = services.finish_work_order(work_order=flow.working(repair, tech), resolution="修复", actor=tech.user)
    with pytest.raises(PermissionRefused):
        services.waive_signature(work_order=wo, reason="客户不在", actor=tech.user)


# -- money ---------------------------------------------------------------------------------------


def test_fees_collected_on_site_start_a_3_day_invoice_clock(
    paid_repair, tech, flow, fee_items, sla_clocks, clock
):
    wo = flow.quote_and_agree(
        flow.diagnose(flow.on_site(paid_repair, tech)), fee_items["visit"], fee_items["labor"]
    )
    wo = services.begin_work(work_order=wo, actor=tech.user)
    payment = services.collect_fees(work_order=wo, amount="250.00", method="cash", actor=tech.user)
    assert payment.work_order == wo and payment.amount == Decimal("250.00")
    invoice_clock = sla_clocks(paid_repair)["invoice_due"]
    assert invoice_clock.started_at == clock.at
    assert invoice_clock.due_at == clock.at + dt.timedelta(days=3)


def test_issuing_the_invoice_meets_the_invoice_clock(paid_repair, tech, flow, fee_items, sla_clocks, agent):
    wo = flow.quote_and_agree(flow.diagnose(flow.on_site(paid_repair, tech)), fee_items["labor"])
    wo = services.begin_work(work_order=wo, actor=tech.user)
    services.collect_fees(
        work_order=wo, amount="200.00", method="alipay", reference="2026112322001", actor=tech.user
    )
    wo = services.finish_work_order(work_order=wo, resolution="更换压缩机", actor=tech.user)
    flow.clock.advance(days=1)
    with pytest.raises(PermissionRefused):
        services.issue_invoice(work_order=wo, number="No.00012345", actor=tech.user)
    invoice = services.issue_invoice(work_order=wo, number="No.00012345", actor=agent)
    assert invoice.amount == Decimal("200.00")
    clock = sla_clocks(paid_repair)["invoice_due"]
    assert clock.met_at is not None and clock.state == "met"
    with pytest.raises(TransitionRefused) as err:
        services.issue_invoice(work_order=wo, number="No.2", actor=agent)
    assert err.value.code == "already_invoiced"


def test_paid_job_cannot_finish_with_fees_outstanding(paid_repair, tech, flow, fee_items):
    wo = flow.quote_and_agree(flow.diagnose(flow.on_site(paid_repair, tech)), fee_items["labor"])
    wo = services.begin_work(work_order=wo, actor=tech.user)
    services.collect_fees(work_order=wo, amount="100.00", method="cash", actor=tech.user)
    with pytest.raises(TransitionRefused) as err:
        services.finish_work_order(work_order=wo, resolution="修复", actor=tech.user)
    assert err.value.code == "fees_outstanding"


def test_finish_with_bill_later_starts_the_invoice_clock(paid_repair, tech, flow, fee_items, sla_clocks):
    wo = flow.quote_and_agree(flow.diagnose(flow.on_site(paid_repair, tech)), fee_items["labor"])
    wo = services.begin_work(work_order=wo, actor=tech.user)
    wo = services.finish_work_order(work_order=wo, resolution="修复", bill_later=True, actor=tech.user)
    assert wo.bill_later is True and wo.status == "finished"
    assert sla_clocks(paid_repair)["invoice_due"].state == "running"


def test_collecting_more_than_is_due_is_refused(paid_repair, tech, flow, fee_items):
    wo = flow.quote_and_agree(flow.diagnose(flow.on_site(paid_repair, tech)), fee_items["visit"])
    wo = services.begin_work(work_order=wo, actor=tech.user)
    with pytest.raises(ValidationFailed) as err:
        services.collect_fees(work_order=wo, amount="60.00", method="cash", actor=tech.user)
    assert err.value.code == "amount_exceeds_fees"
    for bad in ("-5", "0", "1.234", "abc"):
        with pytest.raises(ValidationFailed):
            services.collect_fees(work_order=wo, amount=bad, method="cash", actor=tech.user)
    with pytest.raises(ValidationFailed):
        services.collect_fees(work_order=wo, amount="50.00", method="bitcoin", actor=tech.user)


# -- finish --------------------------------------------------------------------------------------


def test_resolve_creates_a_callback_task(repair, tech, flow, clock):
    from aftersales.followup.models import Callback

    wo = services.finish_work_order(work_order=flow.working(repair, tech), resolution="修复", actor=tech.user)
    assert reload(repair).status == "resolved"
    callback = Callback.objects.get(request=repair)
    assert callback.kind == "after_job" and callback.status == "open" and callback.staff == tech.user
    assert callback.due_at == wo.finished_at + dt.timedelta(days=3)


def test_delivery_resolve_creates_no_callback_by_default(delivery, tech, flow):
    from aftersales.followup.models import Callback

    services.finish_work_order(work_order=flow.working(delivery, tech), resolution="送达", actor=tech.user)
    assert not Callback.objects.filter(request=delivery).exists()


def test_finish_needs_a_description_of_the_work(repair, tech, flow):
    with pytest.raises(ValidationFailed):
        services.finish_work_order(work_order=flow.working(repair, tech), resolution=" ", actor=tech.user)


def test_technician_cannot_cancel_a_job(repair, tech, flow):
    wo = flow.assign(repair, tech)
    with pytest.raises(PermissionRefused):
        services.cancel_work_order(work_order=wo, reason="不想去", actor=tech.user)


def test_work_order_of_a_request_cancelled_elsewhere_cannot_go_on(repair, tech, flow, agent):
    from aftersales.service.services import cancel_request

    wo = flow.confirm(flow.assign(repair, tech))
    cancel_request(request=reload(repair), actor=agent, note="客户撤销")
    with pytest.raises(TransitionRefused) as err:
        services.check_in(work_order=wo, actor=tech.user)
    assert err.value.code == "request_not_open"


def test_every_action_writes_one_history_row(repair, tech, flow, png):
    wo = flow.working(repair, tech)
    services.record_signature(work_order=wo, image=png, signer_name="张伟", actor=tech.user)
    wo = services.finish_work_order(work_order=wo, resolution="修复", actor=tech.user)
    moves = [(h.event, h.old_state, h.new_state) for h in history_of(wo)]
    assert moves == [
        ("created", "", "assigned"),
        ("confirm_appointment", "assigned", "scheduled"),
        ("check_in", "scheduled", "on_site"),
        ("diagnose", "on_site", "on_site"),
        ("begin_work", "on_site", "working"),
        ("sign", "working", "working"),
        ("finish", "working", "finished"),
    ]
    assert WorkOrder.objects.get(pk=wo.pk).finished_by == tech.user
