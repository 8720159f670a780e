"""When installed projects' scheduled callbacks fall: monthly in the first year after commissioning,
quarterly after it; counted from the commissioning date, clamped to short months. No database."""

import datetime as dt
import itertools

import pytest

from aftersales.followup.schedule import (
    ScheduleRule,
    add_months,
    first_on_or_after,
    latest_on_or_before,
    occurrences,
)

D = dt.date


def test_add_months_keeps_the_day_or_takes_the_last_day_of_a_short_month():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert add_months(D(2026, 1, 31), 3) == D(2026, 4, 30)
    assert add_months(D(2026, 11, 15), 2) == D(2027, 1, 15)


def test_default_rule_is_monthly_for_twelve_months_then_quarterly():
    days = list(itertools.islice(occurrences(D(2026, 1, 15), ScheduleRule()), 15))
    assert days[:12] == [add_months(D(2026, 1, 15), m) for m in range(1, 13)]
    assert days[11] == D(2027, 1, 15)
    assert days[12:] == [D(2027, 4, 15), D(2027, 7, 15), D(2027, 10, 15)]


def test_occurrences_do_not_drift_after_a_short_month():
    days = list(itertools.islice(occurrences(D(2026, 1, 31), ScheduleRule()), 3))
    assert days == [D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30)]


def test_the_intervals_are_configurable():
    rule = ScheduleRule(first_period_months=6, first_interval_months=2, later_interval_months=6)
    days = list(itertools.islice(occurrences(D(2026, 1, 1), rule), 5))
    assert days == [D(2026, 3, 1), D(2026, 5, 1), D(2026, 7, 1), D(2027, 1, 1), D(2027, 7, 1)]


def test_without_a_first_period_callbacks_are_quarterly_from_the_start():
    days = list(itertools.islice(occurrences(D(2026, 1, 1), ScheduleRule(first_period_months=0)), 2))
    assert days == [D(2026, 4, 1), D(2026, 7, 1)]


def test_first_on_or_after_and_latest_on_or_before():
    rule = ScheduleRule()
    commissioned = D(2025, 6, 10)
    assert first_on_or_after(commissioned, rule, D(2026, 6, 10)) == D(2026, 6, 10)
    assert first_on_or_after(commissioned, rule, D(2026, 6, 11)) == D(2026, 9, 10)
    assert latest_on_or_before(commissioned, rule, D(2026, 9, 9)) == D(2026, 6, 10)
    assert latest_on_or_before(commissioned, rule, D(2025, 7, 9)) is None
    assert latest_on_or_before(commissioned, rule, D(2025, 7, 10)) == D(2025, 7, 10)


def test_a_rule_without_a_rhythm_is_refused():
    with pytest.raises(ValueError):
        ScheduleRule(first_interval_months=0)
    with pytest.raises(ValueError):
        ScheduleRule(later_interval_months=0)
