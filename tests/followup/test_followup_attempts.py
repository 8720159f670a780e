"""Dialling a callback: each dial is a row with its outcome, time, agent and number; the retry rules
(max unanswered dials, their spacing, "call back later" at the customer's time) decide the next dial."""

import datetime as dt

import pytest
from followup_support import START, at, reload

from aftersales.core.errors import PermissionRefused, TransitionRefused, ValidationFailed
from aftersales.followup.models import CallbackAttempt
from aftersales.followup.services import record_attempt

H = dt.timedelta(hours=1)


def dial(callback, outcome, actor, **kw):
    return record_attempt(callback=callback, outcome=outcome, actor=actor, **kw)


def test_each_dial_is_recorded_with_outcome_time_agent_and_number(callback, agent, resolved_repair):
    attempt = dial(callback, "no_answer", agent, note="响铃无人接")
    assert (attempt.number, attempt.outcome, attempt.at, attempt.agent) == (1, "no_answer", START, agent)
    assert attempt.phone == resolved_repair.customer.phones.get().number
    assert attempt.note == "响铃无人接"
    cb = reload(callback)
    assert (cb.attempt_count, cb.unanswered_count, cb.last_outcome) == (1, 1, "no_answer")


def test_an_unanswered_dial_waits_the_default_two_hours_before_the_next(callback, agent, clock):
    dial(callback, "busy", agent)
    assert reload(callback).next_attempt_at == START + 2 * H
    clock.set(START + 2 * H - dt.timedelta(minutes=1))
    with pytest.raises(TransitionRefused) as err:
        dial(callback, "no_answer", agent)
    assert err.value.code == "retry_too_early"
    assert CallbackAttempt.objects.filter(callback=callback).count() == 1
    clock.set(START + 2 * H)
    assert dial(callback, "no_answer", agent).number == 2


def test_the_third_unanswered_dial_closes_the_callback_as_not_reached(callback, agent, clock):
    for n in range(3):
        clock.set(START + n * 2 * H)
        dial(callback, "no_answer", agent)
    cb = reload(callback)
    assert cb.status == "unreached" and cb.done_at == START + 4 * H and cb.done_by == agent
    assert cb.next_attempt_at is None
    with pytest.raises(TransitionRefused) as err:
        dial(callback, "reached", agent)
    assert err.value.code == "callback_done"


def test_max_attempts_and_spacing_are_settings(callback, agent, clock, callback_settings):
    callback_settings(CALLBACK_MAX_ATTEMPTS=2, CALLBACK_RETRY_MINUTES=30)
    dial(callback, "no_answer", agent)
    assert reload(callback).next_attempt_at == START + dt.timedelta(minutes=30)
    clock.set(START + dt.timedelta(minutes=30))
    dial(callback, "busy", agent)
    assert reload(callback).status == "unreached"


def test_call_back_later_waits_for_the_customers_time_without_using_an_attempt(callback, agent, clock):
    later = at(2026, 11, 23, 19, 30)
    attempt = dial(callback, "call_back_later", agent, call_back_at=later, note="客户在开会")
    assert attempt.call_back_at == later
    cb = reload(callback)
    assert cb.next_attempt_at == later and cb.unanswered_count == 0 and cb.status == "open"
    # Two more unanswered dials do not close it: "later" used no attempt.
    clock.set(later)
    dial(callback, "no_answer", agent)
    clock.set(later + 2 * H)
    dial(callback, "no_answer", agent)
    assert reload(callback).status == "open"


def test_call_back_later_needs_a_future_time_with_a_zone(callback, agent):
    with pytest.raises(ValidationFailed) as err:
        dial(callback, "call_back_later", agent)
    assert err.value.code == "call_back_at_required"
    with pytest.raises(ValidationFailed) as err:
        dial(callback, "call_back_later", agent, call_back_at=START - H)
    assert err.value.code == "call_back_at_in_past"
    with pytest.raises(ValidationFailed) as err:
        dial(callback, "call_back_later", agent, call_back_at=dt.datetime(2026, 11, 24, 10))
    assert err.value.code == "naive_time"
    assert reload(callback).attempt_count == 0


def test_reaching_the_customer_is_recorded_even_before_the_retry_time(callback, agent, clock):
    dial(callback, "no_answer", agent)
    clock.set(START + H)  # the customer rings back before the spacing is over
    dial(callback, "reached", agent)
    cb = reload(callback)
    assert cb.last_outcome == "reached" and cb.next_attempt_at is None and cb.status == "open"


def test_refused_closes_the_callback_as_declined(callback, agent):
    dial(callback, "refused", agent, note="客户不愿回访")
    cb = reload(callback)
    assert cb.status == "declined" and cb.done_by == agent


def test_a_wrong_number_moves_to_the_next_number_and_closes_when_all_are_wrong(
    make_customer, make_resolved_repair, agent, dispatcher
):
    from aftersales.customers.models import CustomerPhone
    from aftersales.followup.services import create_callback

    customer = make_customer(phone="13800001111")
    CustomerPhone.objects.create(
        customer=customer, number="021-64001234", digits="02164001234", last4="1234", kind="landline"
    )
    sr = make_resolved_repair(customer)
    cb = create_callback(request=sr, kind="after_job", due_at=at(2026, 11, 26, 9), actor=dispatcher)
    first = dial(cb, "wrong_number", agent)
    assert first.phone == "13800001111"
    assert reload(cb).status == "open" and reload(cb).next_attempt_at is None
    second = dial(cb, "wrong_number", agent)  # no spacing: another number is dialled at once
    assert second.phone == "021-64001234"
    assert reload(cb).status == "unreached"


def test_the_number_dialled_must_be_a_phone_number(callback, agent):
    with pytest.raises(ValidationFailed) as err:
        dial(callback, "no_answer", agent, phone="12345")
    assert err.value.code == "invalid_phone"


def test_an_unknown_outcome_is_refused(callback, agent):
    with pytest.raises(ValidationFailed):
        dial(callback, "voicemail", agent)


def test_a_technician_does_not_dial_callbacks(callback, technician):
    with pytest.raises(PermissionRefused):
        dial(callback, "reached", technician)


def test_a_second_agent_dialling_from_an_old_page_gets_the_next_attempt_number(callback, agent, make_user):
    other = make_user("agent", "agent_b")
    stale = reload(callback)
    dial(callback, "reached", agent)
    # The service re-reads the row under lock: the second dial becomes attempt 2, not a clash.
    assert dial(stale, "reached", other).number == 2
    assert list(CallbackAttempt.objects.filter(callback=callback).values_list("agent", flat=True)) == [
        agent.pk,
        other.pk,
    ]
