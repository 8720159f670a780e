"""The return / exchange flow: each move and each refusal, overrides, the new unit of an
exchange, and the refund and 15-day clocks on the SLA engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.catalog.models import Unit
from aftersales.catalog.selectors import warranty_decision
from aftersales.core.clock import frozen_at
from aftersales.core.errors import PermissionRefused, TransitionRefused, ValidationFailed
from aftersales.core.history import history_of
from aftersales.core.models import Notification
from aftersales.returns import selectors, services
from aftersales.returns.models import ReturnCase
from aftersales.returns.selectors import ReturnFacts
from aftersales.returns.workflow import RETURN_TRANSITIONS
from aftersales.service import services as sr_services
from aftersales.service.models import Escalation, ServiceRequest, SlaClock
from aftersales.service.sla_services import handle_due_clocks, sla_payload
from aftersales.service.workflow import TRANSITIONS, is_open_state

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


PNG = (
    b"\x89PNG\r\n\x1a\n"
    + b"\x00\x00\x00\rIHDR"
    + b"\x00\x00\x00\x01\x00\x00\x00\x01"
    + b"\x08\x02\x00\x00\x00"
)


def clock(sr, code):
    return SlaClock.objects.get(request=sr, code=code)


def case_of(sr) -> ReturnCase:
    return ReturnCase.objects.get(request=sr)


def receive(sr, actor, when, **extra):
    values = {"cause": "product_defect", "responsible_department": "manufacturer"}
    values.update(extra)
    with frozen_at(when):
        return services.receive_goods(request=sr, actor=actor, **values)


def approve(sr, actor, when, **extra):
    with frozen_at(when):
        return services.approve_return(request=sr, actor=actor, **extra)


# -- the table ------------------------------------------------------------------------------------


def test_return_flow_is_registered_with_the_service_workflow():
    assert TRANSITIONS["return"] is RETURN_TRANSITIONS
    assert TRANSITIONS["return"]["new"] == {"evaluate": "evaluated", "cancel": "cancelled"}
    assert TRANSITIONS["return"]["goods_received"]["exchange"] == "exchanged"
    # A performed remedy no longer blocks a new request for the unit; a rejection waits for closing.
    assert not is_open_state("refunded") and not is_open_state("exchanged")
    assert is_open_state("rejected") and is_open_state("goods_received")


# -- a case from the unit --------------------------------------------------------------------------


def _visit_and_resolve(sr, day: dt.datetime, dispatcher, technician):
    """The technician is sent, visits an hour later and resolves the repair, all at ``day``."""
    with frozen_at(day):
        sr = sr_services.assign_request(request=sr, assignee_id=technician.pk, actor=dispatcher)
        sr = sr_services.schedule_visit(
            request=sr,
            appointment_start=day + dt.timedelta(hours=1),
            appointment_end=day + dt.timedelta(hours=2),
            actor=technician,
        )
        sr = sr_services.start_work(request=sr, actor=technician)
        return sr_services.resolve_request(request=sr, actor=technician)


def _repair_reworked(make_request, unit, agent, dispatcher, technician, start: dt.datetime, times: int):
    """A repair of the unit that came back ``times`` times (reopened for the same fault)."""
    with frozen_at(start):
        sr = make_request(unit.customer, unit, type="repair", received_at=start).request
    day = start
    for _ in range(times + 1):
        day += dt.timedelta(days=1)
        sr = _visit_and_resolve(sr, day, dispatcher, technician)
        if _ < times:
            day += dt.timedelta(days=2)
            with frozen_at(day):
                sr = sr_services.reopen_request(request=sr, actor=agent, note="同一故障再次出现")
    return sr


def test_case_from_unit_counts_reworks_within_the_warranty_as_failed_repairs(
    return_unit, make_request, agent, dispatcher, technician
):
    unit = return_unit(dt.date(2026, 3, 1))
    Unit.objects.filter(pk=unit.pk).update(repair_days=12)  # kept by the repair flow
    unit.refresh_from_db()
    _repair_reworked(make_request, unit, agent, dispatcher, technician, at(2026, 9, 1, 9), times=2)
    facts = ReturnFacts(reason="quality", channel="store", performance_failure=True)
    with frozen_at(at(2026, 10, 10, 9)):
        case = selectors.case_from_unit(unit, dt.date(2026, 10, 10), facts)
    assert case["category"] == "air_conditioner"
    assert case["price_paid"] == "3199.00" and case["invoice_date"] == "2026-03-01"
    # 12 days recorded before this system, plus three one-day stretches of this repair.
    assert case["failed_repairs"] == 2 and case["repair_days"] == 12 + 3
    assert "in_repair_since" not in case  # the repair was resolved, nothing is open
    decision = selectors.decide_case(case)
    assert "exchange" in [o.value for o in decision.options]


def test_reworks_after_the_warranty_ended_do_not_count(
    return_unit, make_request, agent, dispatcher, technician
):
    unit = return_unit(dt.date(2025, 6, 1))  # 12 months: covered through 2026-06-01
    _repair_reworked(make_request, unit, agent, dispatcher, technician, at(2026, 9, 1, 9), times=2)
    facts = ReturnFacts(reason="quality", channel="store", performance_failure=True)
    with frozen_at(at(2026, 10, 10, 9)):
        case = selectors.case_from_unit(unit, dt.date(2026, 10, 10), facts)
    assert case["failed_repairs"] == 0


def _repair_from_to(
    make_request, unit, agent, dispatcher, technician, received: dt.datetime, done: dt.datetime
):
    with frozen_at(received):
        sr = make_request(unit.customer, unit, type="repair", received_at=received).request
    return _visit_and_resolve(sr, done, dispatcher, technician)


def test_days_in_repair_come_from_the_repair_history_and_extend_the_warranty(
    return_unit, make_request, agent, dispatcher, technician
):
    """三包: the time a unit spends in repair is not counted in its warranty period."""
    unit = return_unit(dt.date(2025, 6, 1))  # 12 months: through 2026-06-01 without repairs
    sr = _repair_from_to(
        make_request, unit, agent, dispatcher, technician, at(2026, 5, 1, 9), at(2026, 5, 11, 9)
    )
    # Back on 2026-06-05: after the nominal end, inside the end extended by the 10 days in repair.
    with frozen_at(at(2026, 6, 5, 9)):
        sr = sr_services.reopen_request(request=sr, actor=agent, note="同一故障再次出现")
    facts = ReturnFacts(reason="quality", channel="store", performance_failure=True)
    with frozen_at(at(2026, 6, 5, 12)):
        case = selectors.case_from_unit(unit, dt.date(2026, 6, 5), facts)
    assert case["repair_days"] == 10
    assert case["failed_repairs"] == 1  # counted: the warranty now runs through 2026-06-11
    assert case["in_repair_since"] == "2026-05-01"  # the reopened repair is open again


def test_an_open_repair_of_the_unit_gives_the_date_it_was_handed_in(return_unit, make_request):
    unit = return_unit(dt.date(2026, 3, 1))
    with frozen_at(at(2026, 9, 1, 9)):
        make_request(unit.customer, unit, type="repair", received_at=at(2026, 9, 1, 9))
    facts = ReturnFacts(reason="quality", channel="store", delay_cause="parts_not_supplied")
    with frozen_at(at(2026, 10, 10, 9)):
        case = selectors.case_from_unit(unit, dt.date(2026, 10, 10), facts)
    assert case["in_repair_since"] == "2026-09-01" and case["delay_cause"] == "parts_not_supplied"


def test_a_unit_outside_the_sanbao_catalog_is_a_general_case(make_customer, agent):
    from aftersales.catalog.models import Category, ProductModel
    from aftersales.catalog.services import UnitInput, register_unit

    category = Category.objects.create(code="water-purifier", name="净水器", return_policy_class="general")
    model = ProductModel.objects.create(category=category, code="RO-1", name="净水器")
    with frozen_at(at(2026, 11, 20, 12)):
        unit = register_unit(
            data=UnitInput(
                "WP001", model.pk, make_customer().pk, dt.date(2026, 11, 20), price_paid=Decimal("999")
            ),
            actor=agent,
        )
        case = selectors.case_from_unit(
            unit, dt.date(2026, 11, 22), ReturnFacts(reason="quality", channel="store")
        )
    assert case["category"] == "general"


# -- the whole flow ----------------------------------------------------------------------------------


def test_quality_return_within_7_days_runs_to_refund_and_close(return_unit, open_return, agent):
    unit = return_unit(dt.date(2026, 11, 20))
    sr = open_return(unit, at(2026, 11, 24, 10))
    rc = case_of(sr)
    assert sr.status == "evaluated" and rc.outcome == "return"
    assert rc.options == ["return", "exchange", "repair_free"] and rc.refund_amount == Decimal("3199.00")
    assert rc.decision["zh-hans"]["explanation"] and rc.decision["en"]["outcome"] == "return"
    decisive = [c for c in rc.decision["zh-hans"]["clauses"] if c["decisive"]]
    assert [(c["code"], c["article"]) for c in decisive] == [("sb_9", "第九条")]
    # A quality claim: 15 days from the request.
    deadline = clock(sr, "return_deadline")
    assert deadline.started_at == at(2026, 11, 24, 10) and deadline.due_at == at(2026, 12, 9, 10)

    sr = approve(sr, agent, at(2026, 11, 24, 11))
    assert sr.status == "approved" and case_of(sr).approved_outcome == "return"
    assert not case_of(sr).override

    sr = receive(sr, agent, at(2026, 11, 25, 9), condition=["packaging_opened"], note="外观完好")
    assert sr.status == "goods_received"
    refund_clock = clock(sr, "refund_due")
    assert refund_clock.started_at == at(2026, 11, 25, 9) and refund_clock.due_at == at(2026, 12, 2, 9)

    with frozen_at(at(2026, 11, 27, 15)):
        sr = services.refund_return(
            request=sr, actor=agent, payments=[("wechat", "1000.00"), ("bank_card", "2199.00")]
        )
    rc = case_of(sr)
    assert sr.status == "refunded" and rc.refund_paid == Decimal("3199.00")
    assert rc.refund_split == [
        {"means": "wechat", "amount": "1000.00"},
        {"means": "bank_card", "amount": "2199.00"},
    ]
    assert rc.violations == {"zh-hans": [], "en": []}
    assert clock(sr, "refund_due").state == "met" and clock(sr, "return_deadline").state == "met"

    with frozen_at(at(2026, 11, 27, 16)):
        sr = services.close_return(request=sr, actor=agent)
    assert sr.status == "closed" and sr.closed_at == at(2026, 11, 27, 16)
    moves = [(h.old_state, h.new_state) for h in history_of(sr) if h.event == "transition"]
    assert moves == [
        ("new", "evaluated"),
        ("evaluated", "approved"),
        ("approved", "goods_received"),
        ("goods_received", "refunded"),
        ("refunded", "closed"),
    ]


def test_no_reason_return_starts_the_15_day_clock_when_the_goods_come_back(return_unit, open_return, agent):
    unit = return_unit(dt.date(2026, 11, 18))
    sr = open_return(
        unit,
        at(2026, 11, 22, 10),
        reason="no_reason",
        channel="online",
        signed_date=dt.date(2026, 11, 20),
        performance_failure=False,
    )
    assert case_of(sr).outcome == "return"
    assert not SlaClock.objects.filter(request=sr, code="return_deadline").exists()
    sr = approve(sr, agent, at(2026, 11, 22, 11))
    sr = receive(sr, agent, at(2026, 11, 25, 14), cause="change_of_mind", responsible_department="none")
    assert clock(sr, "return_deadline").started_at == at(2026, 11, 25, 14)
    assert clock(sr, "return_deadline").due_at == at(2026, 12, 10, 14)
    assert clock(sr, "refund_due").due_at == at(2026, 12, 2, 14)


def test_refund_after_7_days_breaches_the_clock_and_records_the_violation(return_unit, open_return, agent):
    unit = return_unit(dt.date(2026, 11, 18))
    sr = open_return(
        unit,
        at(2026, 11, 22, 10),
        reason="no_reason",
        channel="online",
        signed_date=dt.date(2026, 11, 20),
        performance_failure=False,
    )
    sr = approve(sr, agent, at(2026, 11, 22, 11))
    sr = receive(sr, agent, at(2026, 11, 25, 10), cause="change_of_mind", responsible_department="none")
    with frozen_at(at(2026, 12, 3, 10)):
        assert sla_payload(sr)["refund_due"]["state"] == "breached"
        sr = services.refund_return(request=sr, actor=agent)
    late = clock(sr, "refund_due")
    assert late.state == "breached" and late.margin == -dt.timedelta(days=1)
    violations = case_of(sr).violations_in("zh-hans")
    assert [v["code"] for v in violations] == ["refund_late"]
    assert violations[0]["days_late"] == 1 and "7" in violations[0]["message"]
    assert sla_payload(sr)["refund_due"]["state"] == "breached"


def test_refund_within_7_days_meets_the_clock(return_unit, open_return, agent):
    unit = return_unit(dt.date(2026, 11, 20))
    sr = open_return(unit, at(2026, 11, 24, 10))
    sr = approve(sr, agent, at(2026, 11, 24, 11))
    sr = receive(sr, agent, at(2026, 11, 25, 10))
    with frozen_at(at(2026, 12, 2, 9)):
        sr = services.refund_return(request=sr, actor=agent)
    met = clock(sr, "refund_due")
    assert met.state == "met" and met.margin == dt.timedelta(hours=1)


def test_15_day_clock_is_breached_and_escalated_by_the_worker(
    return_unit, open_return, agent, manager, dispatcher
):
    unit = return_unit(dt.date(2026, 11, 20))
    sr = open_return(unit, at(2026, 11, 24, 10))
    with frozen_at(at(2026, 12, 6, 10)):  # day 12: past the 80 % warning
        assert handle_due_clocks() == 1
    assert clock(sr, "return_deadline").escalation_level == 1
    with frozen_at(at(2026, 12, 9, 10, 1)):  # past day 15
        assert sla_payload(sr)["return_deadline"]["state"] == "breached"
        assert handle_due_clocks() == 1
        assert handle_due_clocks() == 0  # exactly once
    deadline = clock(sr, "return_deadline")
    assert deadline.state == "breached" and deadline.escalation_level == 2
    assert list(
        Escalation.objects.filter(clock=deadline).values_list("level", flat=True).order_by("level")
    ) == [1, 2]
    supervisors = Notification.objects.filter(kind="sla_breach", data__request=sr.number)
    assert supervisors.filter(recipient=dispatcher).exists()
    # Performing the remedy late leaves it breached, not met.
    sr = approve(sr, agent, at(2026, 12, 10, 9))
    sr = receive(sr, agent, at(2026, 12, 10, 10))
    with frozen_at(at(2026, 12, 10, 11)):
        sr = services.refund_return(request=sr, actor=agent)
    assert clock(sr, "return_deadline").state == "breached"
    assert [v["code"] for v in case_of(sr).violations_in("en")] == ["refund_deliberate_delay"]


# -- the person's decision and overrides ----------------------------------------------------------------


def test_choosing_another_option_the_engine_offers_is_no_override(return_unit, open_return, agent):
    unit = return_unit(dt.date(2026, 11, 20))
    sr = open_return(unit, at(2026, 11, 24, 10))
    sr = approve(sr, agent, at(2026, 11, 24, 11), outcome="exchange")
    assert sr.status == "approved" and not case_of(sr).override


def test_override_needs_a_manager_and_a_reason(return_unit, open_return, agent, manager):
    unit = return_unit(dt.date(2026, 11, 14))  # day 10: exchange or repair, no return
    sr = open_return(unit, at(2026, 11, 24, 10))
    assert case_of(sr).options == ["exchange", "repair_free"]
    with pytest.raises(PermissionRefused) as refused:
        approve(sr, agent, at(2026, 11, 24, 11), outcome="return", refund_amount="3199.00", note="老客户")
    assert refused.value.status_code == 403 and refused.value.field == "outcome"
    with pytest.raises(TransitionRefused) as no_reason:
        approve(sr, manager, at(2026, 11, 24, 11), outcome="return", refund_amount="3199.00")
    assert no_reason.value.code == "override_reason_required"
    sr.refresh_from_db()
    assert sr.status == "evaluated" and case_of(sr).approved_outcome == ""
    sr = approve(
        sr,
        manager,
        at(2026, 11, 24, 11),
        outcome="return",
        refund_amount="3199.00",
        note="安装延误，客户损失",
    )
    rc = case_of(sr)
    assert sr.status == "approved" and rc.override and rc.override_reason == "安装延误，客户损失"
    assert rc.approved_outcome == "return" and rc.decided_by == manager


def test_another_refund_amount_than_the_engine_is_an_override(return_unit, open_return, agent, manager):
    unit = return_unit(dt.date(2026, 11, 20))
    sr = open_return(unit, at(2026, 11, 24, 10))
    with pytest.raises(PermissionRefused):
        approve(sr, agent, at(2026, 11, 24, 11), refund_amount="3000.00", note="扣除赠品")
    with pytest.raises(ValidationFailed) as too_much:
        approve(sr, manager, at(2026, 11, 24, 11), refund_amount="3500.00", note="多退")
    assert too_much.value.code == "refund_out_of_range"
    sr = approve(sr, manager, at(2026, 11, 24, 11), refund_amount="3000.00", note="扣除赠品")
    assert case_of(sr).override and case_of(sr).approved_refund_amount == Decimal("3000.00")


def test_rejecting_against_the_engine_needs_a_manager(return_unit, open_return, agent, manager):
    unit = return_unit(dt.date(2026, 11, 20))
    sr = open_return(unit, at(2026, 11, 24, 10))
    with frozen_at(at(2026, 11, 24, 11)):
        with pytest.raises(PermissionRefused):
            services.reject_return(request=sr, actor=agent, note="不同意")
        sr = services.reject_return(request=sr, actor=manager, note="经检测为人为损坏")
    assert sr.status == "rejected" and case_of(sr).override
    assert clock(sr, "return_deadline").state == "met"


def test_rejecting_as_the_engine_decided_needs_only_a_reason(return_unit, open_return, agent):
    unit = return_unit(dt.date(2026, 11, 20))
    sr = open_return(unit, at(2026, 11, 24, 10), condition=["misuse"])
    assert case_of(sr).outcome == "repair_paid"
    with frozen_at(at(2026, 11, 24, 11)):
        with pytest.raises(TransitionRefused) as refused:
            services.reject_return(request=sr, actor=agent, note=" ")
        assert refused.value.code == "reason_required"
        sr = services.reject_return(request=sr, actor=agent, note="使用不当造成损坏，可收费维修")
    assert sr.status == "rejected" and not case_of(sr).override
    with frozen_at(at(2026, 11, 24, 12)):
        sr = services.close_return(request=sr, actor=agent)
    assert sr.status == "closed" and not sr.is_open


def test_inspection_finding_misuse_lets_the_agent_reject_the_approved_return(
    return_unit, open_return, agent, media
):
    unit = return_unit(dt.date(2026, 11, 20))
    sr = open_return(unit, at(2026, 11, 24, 10))
    sr = approve(sr, agent, at(2026, 11, 24, 11))
    sr = receive(
        sr,
        agent,
        at(2026, 11, 25, 10),
        condition=["misuse"],
        cause="customer_damage",
        responsible_department="none",
        photos=[services.Photo("外壳.png", PNG)],
    )
    rc = case_of(sr)
    assert rc.inspection_outcome == "repair_paid" and rc.engine_options == ["repair_paid"]
    assert rc.photos.count() == 1 and (media / rc.photos.get().file.name).read_bytes() == PNG
    with frozen_at(at(2026, 11, 25, 11)):
        sr = services.reject_return(request=sr, actor=agent, note="验货发现人为损坏")
    assert sr.status == "rejected" and not case_of(sr).override
    # No refund is coming: its clock stops rather than running into an escalation.
    assert clock(sr, "refund_due").state == "stopped"
    assert clock(sr, "return_deadline").state == "met"


# -- the remedies ------------------------------------------------------------------------------------


def test_exchange_registers_a_new_unit_whose_warranty_starts_that_day(return_unit, open_return, agent):
    unit = return_unit(dt.date(2026, 11, 14))
    sr = open_return(unit, at(2026, 11, 24, 10), wants="exchange")
    sr = approve(sr, agent, at(2026, 11, 24, 11))
    sr = receive(sr, agent, at(2026, 11, 26, 10))
    with frozen_at(at(2026, 12, 1, 10)):
        sr = services.exchange_return(request=sr, actor=agent, new_serial_number="SN-NEW-001")
    rc = case_of(sr)
    new = rc.new_unit
    assert sr.status == "exchanged" and new.serial_number == "SN-NEW-001"
    assert new.customer_id == unit.customer_id and new.product_model_id == unit.product_model_id
    assert new.purchase_date == dt.date(2026, 12, 1) and new.price_paid == unit.price_paid
    warranty = warranty_decision(new, on=dt.date(2027, 12, 1))
    assert warranty.starts_on == dt.date(2026, 12, 1) and warranty.status == "in_warranty"
    assert warranty_decision(new, on=dt.date(2027, 12, 2)).status == "out_of_warranty"
    assert clock(sr, "return_deadline").state == "met"
    assert any(h.event == "unit_exchanged" for h in history_of(unit))


def test_exchange_to_a_serial_number_already_registered_changes_nothing(return_unit, open_return, agent):
    unit = return_unit(dt.date(2026, 11, 14))
    other = return_unit(dt.date(2026, 11, 1))
    sr = open_return(unit, at(2026, 11, 24, 10), wants="exchange")
    sr = approve(sr, agent, at(2026, 11, 24, 11))
    sr = receive(sr, agent, at(2026, 11, 26, 10))
    with frozen_at(at(2026, 12, 1, 10)), pytest.raises(ValidationFailed) as taken:
        services.exchange_return(request=sr, actor=agent, new_serial_number=other.serial_number)
    assert taken.value.code == "serial_taken"
    sr.refresh_from_db()
    assert sr.status == "goods_received" and case_of(sr).new_unit is None
    assert Unit.objects.count() == 2


def test_repair_needs_the_approved_repair_and_a_note(return_unit, open_return, agent):
    unit = return_unit(dt.date(2026, 11, 14))
    sr = open_return(unit, at(2026, 11, 24, 10), wants="repair")
    assert case_of(sr).outcome == "repair_free"
    sr = approve(sr, agent, at(2026, 11, 24, 11))
    sr = receive(sr, agent, at(2026, 11, 25, 10))
    with frozen_at(at(2026, 11, 26, 10)):
        with pytest.raises(TransitionRefused) as wrong:
            services.refund_return(request=sr, actor=agent)
        assert wrong.value.code == "not_the_approved_remedy"
        with pytest.raises(ValidationFailed):
            services.repair_return(request=sr, actor=agent, note="")
        sr = services.repair_return(request=sr, actor=agent, note="更换压缩机启动电容")
    assert sr.status == "repaired" and case_of(sr).repair_note == "更换压缩机启动电容"


def test_refund_less_than_approved_needs_a_reason_and_more_is_refused(return_unit, open_return, agent):
    unit = return_unit(dt.date(2026, 11, 20))
    sr = open_return(unit, at(2026, 11, 24, 10))
    sr = approve(sr, agent, at(2026, 11, 24, 11))
    sr = receive(sr, agent, at(2026, 11, 25, 10))
    with frozen_at(at(2026, 11, 26, 10)):
        with pytest.raises(ValidationFailed) as more:
            services.refund_return(request=sr, actor=agent, amount="3199.01")
        assert more.value.code == "refund_out_of_range"
        with pytest.raises(ValidationFailed) as why:
            services.refund_return(request=sr, actor=agent, amount="3000.00")
        assert why.value.code == "reason_required"
        sr = services.refund_return(request=sr, actor=agent, amount="3000.00", note="赠品未退回，扣除标价")
    assert case_of(sr).refund_paid == Decimal("3000.00")


# -- refusals ------------------------------------------------------------------------------------------


def test_moves_out_of_order_and_by_the_wrong_role_are_refused(return_unit, open_return, agent, technician):
    unit = return_unit(dt.date(2026, 11, 20))
    sr = open_return(unit, at(2026, 11, 24, 10))
    with frozen_at(at(2026, 11, 24, 11)):
        with pytest.raises(TransitionRefused) as early:
            services.refund_return(request=sr, actor=agent)
        assert early.value.code == "transition_not_allowed"
        with pytest.raises(PermissionRefused):
            services.approve_return(request=sr, actor=technician)
    sr = approve(sr, agent, at(2026, 11, 24, 11))
    with pytest.raises(PermissionRefused):
        receive(sr, technician, at(2026, 11, 25, 10))
    with pytest.raises(ValidationFailed) as no_cause:
        receive(sr, agent, at(2026, 11, 25, 10), cause="")
    assert no_cause.value.code == "cause_required"
    sr.refresh_from_db()
    assert sr.status == "approved"


def test_receipt_in_the_future_or_a_file_that_is_no_photo_is_refused(return_unit, open_return, agent, media):
    unit = return_unit(dt.date(2026, 11, 20))
    sr = open_return(unit, at(2026, 11, 24, 10))
    sr = approve(sr, agent, at(2026, 11, 24, 11))
    with pytest.raises(ValidationFailed) as future:
        receive(sr, agent, at(2026, 11, 25, 10), received_at=at(2026, 11, 26, 10))
    assert future.value.code == "time_in_future"
    with pytest.raises(ValidationFailed) as not_photo:
        receive(sr, agent, at(2026, 11, 25, 10), photos=[services.Photo("a.pdf", b"%PDF-1.7")])
    assert not_photo.value.code == "photo_not_an_image"
    sr.refresh_from_db()
    assert sr.status == "approved" and not case_of(sr).photos.exists()


def test_cancel_needs_a_reason_and_stops_the_clocks(return_unit, open_return, agent):
    unit = return_unit(dt.date(2026, 11, 20))
    sr = open_return(unit, at(2026, 11, 24, 10))
    with frozen_at(at(2026, 11, 24, 11)):
        with pytest.raises(TransitionRefused) as refused:
            services.cancel_return(request=sr, actor=agent, note="")
        assert refused.value.code == "reason_required"
        sr = services.cancel_return(request=sr, actor=agent, note="客户撤回申请")
    assert sr.status == "cancelled" and not sr.is_open
    assert clock(sr, "return_deadline").state == "stopped"


def test_reevaluation_takes_corrected_facts_but_not_another_reason(return_unit, open_return, agent):
    unit = return_unit(dt.date(2026, 11, 20))
    sr = open_return(unit, at(2026, 11, 24, 10))
    corrected = {**case_of(sr).case, "condition": ["misuse"]}
    with frozen_at(at(2026, 11, 24, 10, 30)):
        sr = services.evaluate_return(request=sr, actor=agent, case=corrected, note="客户补充：曾自行拆机")
        assert sr.status == "evaluated" and case_of(sr).outcome == "repair_paid"
        with pytest.raises(ValidationFailed) as changed:
            services.evaluate_return(request=sr, actor=agent, case={**corrected, "reason": "no_reason"})
    assert changed.value.code == "reason_changed"


def test_a_second_return_of_the_same_unit_is_a_repeat_contact(return_unit, open_return, agent):
    unit = return_unit(dt.date(2026, 11, 20))
    first = open_return(unit, at(2026, 11, 24, 10))
    with frozen_at(at(2026, 11, 24, 15)):
        again = services.open_return_case(
            unit=unit,
            facts=ReturnFacts(reason="quality", channel="store"),
            description="再次来电",
            actor=agent,
        )
    assert again.repeat and again.request.pk == first.pk
    assert ServiceRequest.objects.filter(type="return").count() == 1 and ReturnCase.objects.count() == 1


def test_opening_a_case_on_a_return_left_without_one_counts_from_that_request(
    return_unit, make_request, agent
):
    """The case belongs to the request already open: its days count from the day it was received."""
    unit = return_unit(dt.date(2026, 11, 20))
    with frozen_at(at(2026, 11, 24, 10)):
        first = make_request(unit.customer, unit, type="return", received_at=at(2026, 11, 24, 10)).request
    with frozen_at(at(2026, 12, 2, 10)):  # day 12 after the purchase; the request was on day 4
        again = services.open_return_case(
            unit=unit,
            facts=ReturnFacts(reason="quality", channel="store", performance_failure=True),
            description="补录退货事实",
            actor=agent,
        )
    assert again.repeat and again.request.pk == first.pk
    rc = case_of(first)
    assert rc.case["request_date"] == "2026-11-24"
    assert clock(first, "return_deadline").started_at == at(2026, 11, 24, 10)
    with frozen_at(at(2026, 12, 2, 11)):
        sr = services.evaluate_return(request=first, actor=agent)
    assert case_of(sr).outcome == "return"  # within 7 days of the purchase, as on the request day


def test_a_return_registered_through_the_general_intake_gets_its_case_at_evaluation(
    return_unit, make_request, agent
):
    unit = return_unit(dt.date(2026, 11, 20))
    with frozen_at(at(2026, 11, 24, 10)):
        sr = make_request(unit.customer, unit, type="return", received_at=at(2026, 11, 24, 10)).request
        with pytest.raises(ValidationFailed):
            services.evaluate_return(request=sr, actor=agent)
        case = selectors.case_from_unit(
            unit,
            dt.date(2026, 11, 24),
            ReturnFacts(reason="quality", channel="store", performance_failure=True),
        )
        sr = services.evaluate_return(request=sr, actor=agent, case=case)
    assert sr.status == "evaluated" and case_of(sr).outcome == "return"
    assert clock(sr, "return_deadline").started_at == at(2026, 11, 24, 10)


def test_causes_are_summed_by_department_and_person(return_unit, open_return, agent, make_user):
    installer = make_user("technician", "installer_wang")
    for day in (20, 21):
        unit = return_unit(dt.date(2026, 11, day))
        sr = open_return(unit, at(2026, 11, 24, 10))
        sr = approve(sr, agent, at(2026, 11, 24, 11))
        sr = receive(
            sr,
            agent,
            at(2026, 11, 25, 10),
            cause="installation_fault",
            responsible_department="installation",
            responsible_person_id=installer.pk,
        )
        with frozen_at(at(2026, 11, 26, 10)):
            services.refund_return(request=sr, actor=agent)
    rows = selectors.return_cause_summary(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))
    assert len(rows) == 1
    row = rows[0]
    assert (row["cause"], row["department"], row["person"], row["count"]) == (
        "installation_fault",
        "installation",
        "installer_wang",
        2,
    )
    assert row["refunded"] == Decimal("6398.00")
    assert selectors.return_cause_summary(start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 31)) == []
