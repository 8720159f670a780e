"""The callback processing rate: callbacks processed (a result, or closed after the attempts allowed or
by the customer's refusal) / callbacks due in the period up to now; target 100 % (a setting)."""

import datetime as dt
from decimal import Decimal

import pytest
from followup_support import START, at

from aftersales.followup import selectors
from aftersales.followup.services import complete_callback, create_callback, record_attempt

H = dt.timedelta(hours=1)


@pytest.fixture
def four_callbacks(make_resolved_repair, agent, dispatcher, technician, make_user):
    """Four callbacks of November, due 20th-23rd 08:00; one more due on the 30th (not due yet)."""
    other = make_user("agent", "agent_b")
    made = []
    for day, owner in [(20, agent), (21, agent), (22, other), (23, other), (30, agent)]:
        sr = make_resolved_repair()
        made.append(
            create_callback(
                request=sr,
                kind="after_job",
                due_at=at(2026, 11, day, 8),
                actor=dispatcher,
                agent=owner,
                staff=technician,
            )
        )
    return made, other


def month():
    return selectors.local_period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def test_the_rate_counts_results_unreached_and_declined_as_processed(four_callbacks, agent, clock):
    (c20, c21, c22, c23, c30), other = four_callbacks
    complete_callback(callback=c20, outcome="满意", result="close", actor=agent)
    for n in range(3):
        clock.set(START + n * 2 * H)
        record_attempt(callback=c21, outcome="no_answer", actor=agent)
    start, end = month()
    rate = selectors.processing_rate(start=start, end=end)
    assert (rate.due, rate.done, rate.unreached, rate.declined, rate.outstanding) == (4, 1, 1, 0, 2)
    assert rate.rate == Decimal("50.0") and rate.target == Decimal("100") and not rate.meets_target
    record_attempt(callback=c22, outcome="refused", actor=other)
    complete_callback(callback=c23, outcome="满意", result="none", actor=other)
    rate = selectors.processing_rate(start=start, end=end)
    assert rate.rate == Decimal("100.0") and rate.meets_target
    assert rate.by_result["close"] == 1 and rate.by_result["none"] == 1


def test_a_callback_not_due_yet_does_not_count(four_callbacks, clock):
    start, end = month()
    assert selectors.processing_rate(start=start, end=end).due == 4
    clock.set(at(2026, 11, 30, 9))
    assert selectors.processing_rate(start=start, end=end).due == 5


def test_a_withdrawn_callback_was_never_due(four_callbacks, agent):
    from aftersales.followup import tasks
    from aftersales.service.services import reopen_request

    (c20, *_), _other = four_callbacks
    reopen_request(request=c20.request, actor=agent, note="客户来电：又坏了")
    tasks.withdraw_overtaken_callbacks()
    start, end = month()
    assert selectors.processing_rate(start=start, end=end).due == 3


def test_the_rate_per_agent(four_callbacks, agent):
    (c20, *_), other = four_callbacks
    complete_callback(callback=c20, outcome="满意", result="close", actor=agent)
    start, end = month()
    rows = {r.agent: r for r in selectors.processing_rate_by_agent(start=start, end=end)}
    assert (rows[agent].due, rows[agent].processed, rows[agent].rate) == (2, 1, Decimal("50.0"))
    assert (rows[other].due, rows[other].processed, rows[other].rate) == (2, 0, Decimal("0.0"))
    assert selectors.processing_rate(start=start, end=end, agent=agent).due == 2


def test_nothing_due_is_no_rate_and_meets_the_target(db):
    start, end = month()
    rate = selectors.processing_rate(start=start, end=end)
    assert rate.due == 0 and rate.rate is None and rate.meets_target


def test_the_target_is_a_setting(four_callbacks, agent, callback_settings):
    callback_settings(CALLBACK_PROCESSING_TARGET=25)
    (c20, *_), _other = four_callbacks
    complete_callback(callback=c20, outcome="满意", result="close", actor=agent)
    start, end = month()
    rate = selectors.processing_rate(start=start, end=end)
    assert rate.rate == Decimal("25.0") and rate.meets_target


def test_the_period_is_local_days_with_the_end_day_included(four_callbacks):
    start, end = selectors.local_period(dt.date(2026, 11, 21), dt.date(2026, 11, 22))
    assert start == at(2026, 11, 21, 0) and end == at(2026, 11, 23, 0)
    assert selectors.processing_rate(start=start, end=end).due == 2


def test_installers_callback_results_are_counted_per_staff_member(four_callbacks, agent, technician):
    (c20, c21, *_), _other = four_callbacks
    complete_callback(callback=c20, outcome="满意", result="close", actor=agent)
    complete_callback(callback=c21, outcome="又坏了", result="reopen", actor=agent)
    start, end = month()
    [row] = selectors.callback_results_by_staff(start=start, end=end)
    assert (row["staff"], row["request__type"]) == (technician.pk, "repair")
    assert (row["done"], row["satisfied"], row["not_satisfied"], row["complaints"]) == (2, 1, 1, 0)
