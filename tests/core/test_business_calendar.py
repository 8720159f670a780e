"""Business calendar: holiday seasons, company days, business-time arithmetic and its properties.

Expected dates come from the State Council's published schedules (the same
data the package carries), worked out by hand, not from the implementation.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core.business_calendar import (
    SHANGHAI,
    BusinessCalendar,
    add_business_time,
    business_time_between,
    coverage_warning,
    covered_until,
    is_working_day,
    is_working_instant,
    next_working_instant,
)

STANDARD = BusinessCalendar()
LUNCH_BREAK = BusinessCalendar(
    working_hours={weekday: [(time(13, 30), time(17, 30)), (time(8, 30), time(12))] for weekday in range(5)}
)
# A workshop open on Saturday mornings with its own days off and a declared working Sunday.
WORKSHOP = BusinessCalendar(
    working_hours={**{weekday: [(time(8), time(17))] for weekday in range(5)}, 5: [(time(9), time(12))]},
    extra_days_off=frozenset({date(2025, 6, 10), date(2026, 3, 10), date(2026, 12, 24)}),
    extra_working_days=frozenset({date(2025, 6, 15), date(2026, 10, 4)}),
)
# Round the clock in a zone with daylight saving time, to exercise the transition days.
BERLIN_ROUND_THE_CLOCK = BusinessCalendar(
    working_hours={weekday: [(time(0), time(0))] for weekday in range(7)},
    tz=ZoneInfo("Europe/Berlin"),
    holiday_table=None,
)
CALENDARS = [STANDARD, LUNCH_BREAK, WORKSHOP, BERLIN_ROUND_THE_CLOCK]

H = timedelta(hours=1)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


# --------------------------------------------------------------------------- holiday seasons


def test_national_day_2026_week_is_off_and_adjusted_weekend_days_are_worked():
    for day in range(1, 8):
        assert not is_working_day(STANDARD, date(2026, 10, day))
    assert is_working_day(STANDARD, date(2026, 9, 20))  # Sunday, worked in exchange
    assert is_working_day(STANDARD, date(2026, 10, 10))  # Saturday, worked in exchange
    assert is_working_day(STANDARD, date(2026, 10, 8))
    assert not is_working_day(STANDARD, date(2026, 10, 11))  # an ordinary Sunday


def test_national_day_2026_clock_skips_the_golden_week():
    # Wednesday 30 September 17:00: one hour that day, the next working day is Thursday 8 October.
    assert add_business_time(STANDARD, sh(2026, 9, 30, 17), 2 * H) == sh(2026, 10, 8, 10)
    # 30 Sep, 8 Oct and 9 Oct are the only working days in between: 3 x 9 hours.
    assert business_time_between(STANDARD, sh(2026, 9, 30, 9), sh(2026, 10, 9, 18)) == 27 * H


def test_adjusted_sunday_before_national_day_uses_normal_weekday_hours():
    assert is_working_instant(STANDARD, sh(2026, 9, 20, 9))
    assert is_working_instant(STANDARD, sh(2026, 9, 20, 17, 59))
    assert not is_working_instant(STANDARD, sh(2026, 9, 20, 8, 59))
    assert not is_working_instant(STANDARD, sh(2026, 9, 20, 18))
    # Friday 18 September 17:00 plus two hours lands on that Sunday, not on Monday.
    assert add_business_time(STANDARD, sh(2026, 9, 18, 17), 2 * H) == sh(2026, 9, 20, 10)


def test_spring_festival_2025_holidays_and_adjusted_working_days():
    for day in [date(2025, 1, 28) + timedelta(days=i) for i in range(8)]:  # 28 Jan .. 4 Feb
        assert not is_working_day(STANDARD, day), day
    assert is_working_day(STANDARD, date(2025, 1, 26))  # Sunday before, worked
    assert is_working_day(STANDARD, date(2025, 2, 8))  # Saturday after, worked
    assert is_working_day(STANDARD, date(2025, 2, 5))
    # Monday 27 January 17:00 plus 4 hours: one hour that day, three on Wednesday 5 February.
    assert add_business_time(STANDARD, sh(2025, 1, 27, 17), 4 * H) == sh(2025, 2, 5, 12)


def test_spring_festival_2026_holidays_and_adjusted_working_days():
    for day in [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]:  # 15 .. 23 Feb
        assert not is_working_day(STANDARD, day), day
    assert is_working_day(STANDARD, date(2026, 2, 14))  # Saturday before, worked
    assert is_working_day(STANDARD, date(2026, 2, 28))  # Saturday after, worked
    # Friday 13 February 17:00 plus 4 hours finishes on the worked Saturday.
    assert add_business_time(STANDARD, sh(2026, 2, 13, 17), 4 * H) == sh(2026, 2, 14, 12)
    # 13 Feb, 14 Feb and 24 Feb: 3 x 9 hours.
    assert business_time_between(STANDARD, sh(2026, 2, 13, 9), sh(2026, 2, 24, 18)) == 27 * H


# --------------------------------------------------------------------------- everyday rules


def test_request_received_friday_1730_with_four_business_hours_is_due_monday_1230():
    assert add_business_time(STANDARD, sh(2026, 3, 6, 17, 30), 4 * H) == sh(2026, 3, 9, 12, 30)


def test_request_received_on_a_holiday_starts_counting_next_working_morning():
    received = sh(2026, 10, 3, 10)
    assert not is_working_instant(STANDARD, received)
    assert next_working_instant(STANDARD, received) == sh(2026, 10, 8, 9)
    assert add_business_time(STANDARD, received, timedelta(minutes=30)) == sh(2026, 10, 8, 9, 30)
    assert business_time_between(STANDARD, received, sh(2026, 10, 8, 9)) == timedelta(0)


def test_next_working_instant_is_the_instant_itself_during_working_hours():
    assert next_working_instant(STANDARD, sh(2026, 3, 9, 10, 15)) == sh(2026, 3, 9, 10, 15)
    # The end of the working day is not working time: the clock restarts next morning.
    assert next_working_instant(STANDARD, sh(2026, 3, 9, 18)) == sh(2026, 3, 10, 9)


def test_time_running_out_at_close_of_day_is_due_that_evening_and_more_time_continues_next_morning():
    due = add_business_time(STANDARD, sh(2026, 3, 9, 9), 9 * H)
    assert due == sh(2026, 3, 9, 18)
    assert add_business_time(STANDARD, due, H) == sh(2026, 3, 10, 10)
    assert add_business_time(STANDARD, sh(2026, 3, 9, 9), 10 * H) == sh(2026, 3, 10, 10)


def test_time_running_out_at_close_of_a_later_day_is_due_that_evening():
    # Friday 17:00: one hour on Friday, then exactly Monday's nine hours.
    assert add_business_time(STANDARD, sh(2026, 3, 6, 17), 10 * H) == sh(2026, 3, 9, 18)
    # Exactly the morning of the next working day ends at the lunch break.
    assert add_business_time(LUNCH_BREAK, sh(2026, 3, 6, 17), 4 * H) == sh(2026, 3, 9, 12)


def test_time_running_out_exactly_at_the_end_of_whole_weeks_is_due_on_friday_evening():
    sunday = sh(2026, 3, 8, 12)
    assert add_business_time(STANDARD, sunday, 45 * H) == sh(2026, 3, 13, 18)
    assert add_business_time(STANDARD, sunday, 90 * H) == sh(2026, 3, 20, 18)
    assert add_business_time(STANDARD, sunday, 90 * H + timedelta(microseconds=1)) == sh(
        2026, 3, 23, 9, 0, 0, 1
    )


def test_results_are_in_the_calendar_zone_whatever_the_input_zone():
    received_utc = datetime(2026, 3, 6, 9, 30, tzinfo=UTC)  # 17:30 in Shanghai
    due = add_business_time(STANDARD, received_utc, 4 * H)
    assert due.tzinfo is SHANGHAI
    assert due == sh(2026, 3, 9, 12, 30)
    assert next_working_instant(STANDARD, received_utc).tzinfo is SHANGHAI


def test_elapsed_business_time_is_negative_when_the_end_is_before_the_start():
    due = sh(2026, 3, 9, 12, 30)
    now = sh(2026, 3, 9, 13, 30)
    assert business_time_between(STANDARD, now, due) == -H
    assert business_time_between(STANDARD, due, now) == H


def test_adding_negative_business_time_is_refused():
    with pytest.raises(ValueError):
        add_business_time(STANDARD, sh(2026, 3, 9, 10), -H)


def test_adding_zero_business_time_returns_the_start():
    saturday = sh(2026, 3, 7, 11)
    assert add_business_time(STANDARD, saturday, timedelta(0)) == saturday


def test_microseconds_are_kept():
    start = sh(2026, 3, 9, 17, 59, 59, 999_999)
    assert add_business_time(STANDARD, start, timedelta(microseconds=2)) == sh(2026, 3, 10, 9, 0, 0, 1)


# --------------------------------------------------------------------------- company and admin days


def test_company_day_off_is_honoured():
    company = BusinessCalendar(extra_days_off=frozenset({date(2026, 3, 10)}))  # a Tuesday
    assert is_working_day(STANDARD, date(2026, 3, 10))
    assert not is_working_day(company, date(2026, 3, 10))
    assert add_business_time(STANDARD, sh(2026, 3, 9, 17), 2 * H) == sh(2026, 3, 10, 10)
    assert add_business_time(company, sh(2026, 3, 9, 17), 2 * H) == sh(2026, 3, 11, 10)


def test_extra_working_day_is_honoured_with_normal_weekday_hours():
    company = BusinessCalendar(extra_working_days=frozenset({date(2026, 3, 14)}))  # a Saturday
    assert not is_working_day(STANDARD, date(2026, 3, 14))
    assert is_working_day(company, date(2026, 3, 14))
    assert add_business_time(company, sh(2026, 3, 13, 17), 2 * H) == sh(2026, 3, 14, 10)
    assert next_working_instant(company, sh(2026, 3, 14, 7)) == sh(2026, 3, 14, 9)


def test_extra_working_day_overrides_a_statutory_holiday():
    company = BusinessCalendar(extra_working_days=frozenset({date(2026, 10, 5)}))
    assert is_working_day(company, date(2026, 10, 5))
    assert not is_working_day(company, date(2026, 10, 6))


def test_company_day_off_beats_a_declared_working_day_and_an_adjusted_working_day():
    company = BusinessCalendar(
        extra_days_off=frozenset({date(2026, 3, 14), date(2026, 10, 10)}),
        extra_working_days=frozenset({date(2026, 3, 14)}),
    )
    assert not is_working_day(company, date(2026, 3, 14))
    assert not is_working_day(company, date(2026, 10, 10))  # the package's 调休 Saturday


def test_adjusted_workday_hours_setting_applies_to_adjusted_working_days():
    company = BusinessCalendar(adjusted_workday_hours=[(time(10), time(15))])
    assert next_working_instant(company, sh(2026, 9, 20, 8)) == sh(2026, 9, 20, 10)
    assert business_time_between(company, sh(2026, 9, 20), sh(2026, 9, 21)) == 5 * H
    # Ordinary weekdays keep their own hours.
    assert business_time_between(company, sh(2026, 9, 21), sh(2026, 9, 22)) == 9 * H


def test_company_working_ordinary_saturdays_still_rests_on_statutory_holiday_saturdays():
    assert is_working_day(WORKSHOP, date(2026, 3, 7))  # ordinary Saturday: its own morning hours
    assert business_time_between(WORKSHOP, sh(2026, 3, 7), sh(2026, 3, 8)) == 3 * H
    assert not is_working_day(WORKSHOP, date(2026, 10, 3))  # Saturday inside National Day


def test_calendar_without_holiday_table_uses_only_weekdays_and_company_days():
    plain = BusinessCalendar(holiday_table=None)
    assert is_working_day(plain, date(2026, 10, 1))
    assert not is_working_day(plain, date(2026, 10, 10))


def test_year_beyond_package_coverage_uses_weekdays_and_admin_entered_days():
    year = covered_until().year + 1
    # Find a week in May of that year without computing anything from the package.
    monday = date(year, 5, 4) + timedelta(days=-date(year, 5, 4).weekday() + 7)
    saturday = monday + timedelta(days=5)
    admin = BusinessCalendar(
        extra_days_off=frozenset({monday}),  # an entered statutory holiday
        extra_working_days=frozenset({saturday}),  # an entered 调休 Saturday
    )
    assert is_working_day(STANDARD, monday)
    assert is_working_day(STANDARD, monday + timedelta(days=1))
    assert not is_working_day(STANDARD, saturday)
    assert not is_working_day(STANDARD, saturday + timedelta(days=7))

    assert not is_working_day(admin, monday)
    assert is_working_day(admin, saturday)
    friday_before = datetime.combine(monday - timedelta(days=3), time(17), tzinfo=SHANGHAI)
    assert add_business_time(admin, friday_before, 2 * H) == datetime.combine(
        monday + timedelta(days=1), time(10), tzinfo=SHANGHAI
    )
    week = business_time_between(
        admin,
        datetime.combine(monday, time(), tzinfo=SHANGHAI),
        datetime.combine(monday + timedelta(days=7), time(), tzinfo=SHANGHAI),
    )
    assert week == 5 * 9 * H  # Tuesday to Saturday


# --------------------------------------------------------------------------- coverage warning


def test_covered_until_is_the_last_day_the_package_answers_for():
    end = covered_until()
    assert end.month == 12 and end.day == 31
    chinese_calendar.is_workday(end)  # raises when the package has no data for the date
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(end + timedelta(days=1))


def test_coverage_warning_starts_60_days_before_the_end_of_coverage():
    end = covered_until()
    assert coverage_warning(end - timedelta(days=60)) == end
    assert coverage_warning(end - timedelta(days=61)) is None
    assert coverage_warning(end + timedelta(days=10)) == end  # already past: still warn
    assert coverage_warning(end - timedelta(days=90), warn_days=90) == end


# --------------------------------------------------------------------------- input checks


def test_naive_datetimes_are_rejected():
    naive = datetime(2026, 3, 9, 10)
    aware = sh(2026, 3, 9, 10)
    with pytest.raises(ValueError):
        add_business_time(STANDARD, naive, H)
    with pytest.raises(ValueError):
        business_time_between(STANDARD, naive, aware)
    with pytest.raises(ValueError):
        business_time_between(STANDARD, aware, naive)
    with pytest.raises(ValueError):
        next_working_instant(STANDARD, naive)
    with pytest.raises(ValueError):
        is_working_instant(STANDARD, naive)


def test_is_working_day_refuses_a_datetime_whose_date_depends_on_its_zone():
    with pytest.raises(TypeError):
        is_working_day(STANDARD, sh(2026, 3, 9, 10))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "hours",
    [
        {},  # no working time at all: adding time could never finish
        {0: [(time(18), time(9))]},  # reversed
        {0: [(time(9), time(13)), (time(12), time(18))]},  # overlapping
        {7: [(time(9), time(18))]},  # no such weekday
    ],
)
def test_invalid_working_hours_are_refused(hours):
    with pytest.raises(ValueError):
        BusinessCalendar(working_hours=hours)


def test_empty_adjusted_workday_hours_are_refused():
    with pytest.raises(ValueError):
        BusinessCalendar(adjusted_workday_hours=[])


# --------------------------------------------------------------------------- several intervals a day


def test_lunch_break_is_not_counted():
    monday = (2026, 3, 9)
    assert add_business_time(LUNCH_BREAK, sh(*monday, 11, 30), H) == sh(*monday, 14)
    assert business_time_between(LUNCH_BREAK, sh(*monday, 11), sh(*monday, 14)) == timedelta(hours=1.5)
    assert not is_working_instant(LUNCH_BREAK, sh(*monday, 12, 30))
    assert not is_working_instant(LUNCH_BREAK, sh(*monday, 12))
    assert is_working_instant(LUNCH_BREAK, sh(*monday, 11, 59, 59, 999_999))
    assert is_working_instant(LUNCH_BREAK, sh(*monday, 13, 30))
    assert next_working_instant(LUNCH_BREAK, sh(*monday, 12, 30)) == sh(*monday, 13, 30)
    # Exactly the morning's remaining hour ends at noon, the start of the break.
    assert add_business_time(LUNCH_BREAK, sh(*monday, 11), H) == sh(*monday, 12)


def test_adjusted_saturday_of_a_lunch_break_calendar_has_the_lunch_break_too():
    saturday = (2026, 10, 10)
    assert business_time_between(LUNCH_BREAK, sh(*saturday), sh(2026, 10, 11)) == timedelta(hours=7.5)
    assert not is_working_instant(LUNCH_BREAK, sh(*saturday, 12, 30))


def test_touching_intervals_are_one_interval():
    split = BusinessCalendar(working_hours={0: [(time(9), time(12)), (time(12), time(18))]})
    assert is_working_instant(split, sh(2026, 3, 9, 12))
    assert add_business_time(split, sh(2026, 3, 9, 11), 2 * H) == sh(2026, 3, 9, 13)


# --------------------------------------------------------------------------- daylight saving time


def test_daylight_saving_days_count_their_real_length():
    berlin = BERLIN_ROUND_THE_CLOCK.tz
    spring = business_time_between(
        BERLIN_ROUND_THE_CLOCK, datetime(2026, 3, 29, tzinfo=berlin), datetime(2026, 3, 30, tzinfo=berlin)
    )
    autumn = business_time_between(
        BERLIN_ROUND_THE_CLOCK, datetime(2026, 10, 25, tzinfo=berlin), datetime(2026, 10, 26, tzinfo=berlin)
    )
    assert spring == 23 * H
    assert autumn == 25 * H
    # A round-the-clock calendar is plain elapsed time, across the change too.
    start = datetime(2026, 3, 28, 12, tzinfo=berlin)
    assert add_business_time(BERLIN_ROUND_THE_CLOCK, start, 48 * H) == start.astimezone(UTC) + 48 * H


# --------------------------------------------------------------------------- properties

ZONES = [SHANGHAI, UTC, ZoneInfo("America/New_York")]
# Whole half hours make exact fits (time running out exactly at a close of day,
# a lunch break or the end of a week) common, where random microseconds almost
# never produce them.
instants = st.one_of(
    st.datetimes(
        min_value=datetime(2025, 1, 1),
        max_value=datetime(2026, 12, 31, 23, 59, 59, 999_999),
        timezones=st.sampled_from(ZONES),
    ),
    st.integers(min_value=0, max_value=2 * 365 * 48 - 1).map(
        lambda n: datetime(2025, 1, 1, tzinfo=SHANGHAI) + n * timedelta(minutes=30)
    ),
)
durations = st.one_of(
    st.integers(min_value=0, max_value=200 * 3600).map(lambda s: timedelta(seconds=s)),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=200)),
    st.integers(min_value=0, max_value=400).map(lambda n: n * timedelta(minutes=30)),
)
positive_durations = durations.filter(lambda d: d > timedelta(0))
calendars = st.sampled_from(CALENDARS)


@settings(max_examples=300, deadline=None)
@given(cal=calendars, start=instants, x=positive_durations, y=positive_durations)
def test_adding_x_then_y_equals_adding_x_plus_y(cal, start, x, y):
    assert add_business_time(cal, add_business_time(cal, start, x), y) == add_business_time(cal, start, x + y)


@settings(max_examples=300, deadline=None)
@given(cal=calendars, start=instants, x=durations)
def test_elapsed_from_start_to_start_plus_x_is_x(cal, start, x):
    assert business_time_between(cal, start, add_business_time(cal, start, x)) == x


@settings(max_examples=300, deadline=None)
@given(cal=calendars, start=instants, x=positive_durations)
def test_added_time_ends_at_the_earliest_possible_instant(cal, start, x):
    due = add_business_time(cal, start, x)
    assert business_time_between(cal, start, due - timedelta(microseconds=1)) < x


@settings(max_examples=300, deadline=None)
@given(cal=calendars, a=instants, b=instants, c=instants)
def test_elapsed_is_additive_and_antisymmetric(cal, a, b, c):
    ab = business_time_between(cal, a, b)
    assert business_time_between(cal, b, a) == -ab
    assert ab + business_time_between(cal, b, c) == business_time_between(cal, a, c)


@settings(max_examples=200, deadline=None)
@given(cal=calendars, instant=instants)
def test_next_working_instant_is_working_and_nothing_is_skipped(cal, instant):
    nxt = next_working_instant(cal, instant)
    assert nxt >= instant
    assert is_working_instant(cal, nxt)
    assert business_time_between(cal, instant, nxt) == timedelta(0)


# An independent, deliberately naive model of the standard calendar: ask the
# package about every day and take the overlap with 09:00–18:00.


def _reference_elapsed(a: datetime, b: datetime) -> timedelta:
    a, b = a.astimezone(SHANGHAI), b.astimezone(SHANGHAI)
    total = timedelta(0)
    day = a.date()
    while day <= b.date():
        if chinese_calendar.is_workday(day):
            opens = datetime.combine(day, time(9), tzinfo=SHANGHAI)
            closes = datetime.combine(day, time(18), tzinfo=SHANGHAI)
            total += max(timedelta(0), min(b, closes) - max(a, opens))
        day += timedelta(days=1)
    return total


def _reference_add(start: datetime, delta: timedelta) -> datetime:
    start = start.astimezone(SHANGHAI)
    day = start.date()
    while True:
        if chinese_calendar.is_workday(day):
            opens = max(start, datetime.combine(day, time(9), tzinfo=SHANGHAI))
            closes = datetime.combine(day, time(18), tzinfo=SHANGHAI)
            if opens < closes:
                if delta <= closes - opens:
                    return opens + delta
                delta -= closes - opens
        day += timedelta(days=1)


# Shanghai only and ending by October 2026, so that 200 business hours stay inside the package's data.
covered_instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 10, 31), timezones=st.just(SHANGHAI)
)


@settings(max_examples=300, deadline=None)
@given(a=covered_instants, b=covered_instants)
def test_standard_calendar_elapsed_matches_a_day_by_day_reference(a, b):
    a, b = min(a, b), max(a, b)
    assert business_time_between(STANDARD, a, b) == _reference_elapsed(a, b)


@settings(max_examples=300, deadline=None)
@given(start=covered_instants, x=positive_durations)
def test_standard_calendar_due_time_matches_a_day_by_day_reference(start, x):
    assert add_business_time(STANDARD, start, x) == _reference_add(start, x)
