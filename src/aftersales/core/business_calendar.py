"""Business calendar: working hours, China's public holidays and adjusted working days (调休).

SLA targets such as "first contact within 30 business minutes" or "on site within
4 business hours" are counted in business time: only the company's working hours
on working days count. This module answers three questions about a
:class:`BusinessCalendar`, as pure functions without database access:

- ``add_business_time(cal, start, delta)``: when is ``delta`` of business time used up?
- ``business_time_between(cal, a, b)``: how much business time lies between two instants?
- ``next_working_instant(cal, t)``: when does the clock start running again?

Which days are working days, from the strongest rule to the weakest:

1. ``extra_days_off`` — company days off, and holidays an administrator entered
   for a year the holiday package does not cover yet. Always a day off.
2. ``extra_working_days`` — adjusted working days (调休) an administrator entered
   for such a year, or any other day the company declares a working day.
3. the holiday package (``chinese_calendar``), for the years it covers: its
   statutory days off are days off, its adjusted working days are working days.
4. the weekday pattern (``working_hours``): on any other day, including every day
   of a year the package does not cover, the day's weekday decides.

A day that is a working day only because it was declared one (rules 2 and 3, e.g.
a Saturday worked in exchange for a holiday) takes the place of a normal working
day, so it uses ``adjusted_workday_hours`` — by default Monday's hours (or those of
the first weekday that has hours, if Monday has none).

Business time is real elapsed time inside the working intervals, counted with
microsecond precision; the intervals are wall-clock times in the calendar's zone
(Asia/Shanghai by default). Results are timezone-aware in that zone; inputs may
be in any zone but must be timezone-aware.

``add_business_time(cal, a, x)`` returns the *earliest* instant at which ``x`` of
business time has elapsed since ``a``. When the time runs out exactly at the end of
a working interval the result is that end (18:00, not 09:00 the next morning);
adding more time from there continues in the next interval, so
``add(add(a, x), y) == add(a, x + y)`` and ``business_time_between(a, add(a, x)) == x``
hold exactly.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import chinese_calendar

__all__ = [
    "SHANGHAI",
    "BusinessCalendar",
    "HolidayTable",
    "add_business_time",
    "business_time_between",
    "coverage_warning",
    "covered_until",
    "default_working_hours",
    "is_working_day",
    "is_working_instant",
    "next_working_instant",
    "statutory_holidays",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")

#: A working interval as wall-clock times; an end of ``time(0)`` means midnight at
#: the end of the day (24:00), so ``(time(0), time(0))`` is the whole day.
Interval = tuple[time, time]

# Internally every instant is an integer count of microseconds since the Unix
# epoch (UTC) and every day is a proleptic Gregorian ordinal: integer arithmetic
# is exact, which the properties above depend on, and fast.
_Span = tuple[int, int]
_Spans = tuple[_Span, ...]
_MICROSECOND = timedelta(microseconds=1)
_DAY_US = 86_400_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# Memoised days per calendar; a bound keeps a long-lived calendar from growing
# without limit when it is asked about many distant dates.
_CACHE_LIMIT = 50_000


# --------------------------------------------------------------------------- holidays


@dataclass(frozen=True)
class HolidayTable:
    """Statutory days off and adjusted working days for a range of whole years.

    Dates outside ``first_day..last_day`` are ignored: for those years the
    calendar falls back to its weekday pattern and the administrator's days.
    """

    holidays: frozenset[date]
    workdays: frozenset[date]
    first_day: date
    last_day: date

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    @functools.cached_property
    def covered_ordinals(self) -> tuple[frozenset[int], frozenset[int]]:
        """(holidays, workdays) inside the covered range, as day ordinals.

        Computed once per table because calendars are built often (e.g. per
        request, from the administrator's settings) and the package lists
        hundreds of days.
        """
        return (
            frozenset(day.toordinal() for day in self.holidays if self.covers(day)),
            frozenset(day.toordinal() for day in self.workdays if self.covers(day)),
        )


@functools.cache
def statutory_holidays() -> HolidayTable:
    """China's holidays and 调休 working days as published in the ``chinese_calendar`` package.

    The covered years are read from the package's data rather than written down
    here, so upgrading the package extends the range. The package itself treats
    every year that has holiday entries as fully covered, and so does this table.
    """
    holidays = frozenset(chinese_calendar.holidays)
    workdays = frozenset(chinese_calendar.workdays)
    years = [day.year for day in holidays]
    return HolidayTable(
        holidays=holidays,
        workdays=workdays,
        first_day=date(min(years), 1, 1),
        last_day=date(max(years), 12, 31),
    )


def covered_until(table: HolidayTable | None = None) -> date:
    """The last date the holiday data covers (the package's data unless ``table`` is given)."""
    return (table if table is not None else statutory_holidays()).last_day


def coverage_warning(today: date, warn_days: int = 60, table: HolidayTable | None = None) -> date | None:
    """The end of the covered range when ``today`` is within ``warn_days`` of it (or past it), else None.

    The State Council publishes next year's schedule each November; the warning
    tells an administrator to upgrade the package or to enter the coming year's
    holidays and adjusted working days by hand.
    """
    end = covered_until(table)
    if today >= end - timedelta(days=warn_days):
        return end
    return None


# --------------------------------------------------------------------------- calendar


def default_working_hours() -> dict[int, list[Interval]]:
    """Monday to Friday, 09:00–18:00."""
    return {weekday: [(time(9), time(18))] for weekday in range(5)}


@dataclass(frozen=True)
class BusinessCalendar:
    """Working hours per weekday (0 = Monday), holidays, and the company's own days.

    All derived tables are built once, at construction; the calendar never
    changes afterwards (the memo of computed days only saves repeated work).
    """

    working_hours: dict[int, list[Interval]] = field(default_factory=default_working_hours)
    tz: tzinfo = SHANGHAI
    extra_days_off: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()
    #: Hours of a day that is working only because it was declared one; None = Monday's.
    adjusted_workday_hours: list[Interval] | None = None
    #: Source of statutory days; None ignores statutory holidays altogether.
    holiday_table: HolidayTable | None = field(default_factory=statutory_holidays)

    _pattern: tuple[_Spans, ...] = field(init=False, repr=False, compare=False)
    _adjusted: _Spans = field(init=False, repr=False, compare=False)
    _exceptions: dict[int, _Spans] = field(init=False, repr=False, compare=False)
    _exception_weeks: frozenset[int] = field(init=False, repr=False, compare=False)
    _week_us: int = field(init=False, repr=False, compare=False)
    _days: dict[int, tuple[_Spans, int]] = field(init=False, repr=False, compare=False)
    _offsets: dict[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.tz, tzinfo):
            raise TypeError(f"tz must be a tzinfo such as ZoneInfo('Asia/Shanghai'), not {self.tz!r}")
        unknown = set(self.working_hours) - set(range(7))
        if unknown:
            raise ValueError(f"weekdays are 0 (Monday) to 6 (Sunday), got {sorted(unknown)}")
        pattern = tuple(
            _normalise(self.working_hours.get(weekday, ()), f"weekday {weekday}") for weekday in range(7)
        )
        # A week without any working time would make add_business_time run forever.
        if not any(pattern):
            raise ValueError("working_hours must give at least one weekday some working hours")
        if self.adjusted_workday_hours is not None:
            adjusted = _normalise(self.adjusted_workday_hours, "adjusted_workday_hours")
            if not adjusted:
                # A declared working day without hours would silently be a day off.
                raise ValueError("adjusted_workday_hours must not be empty; use None for Monday's hours")
        else:
            adjusted = next(spans for spans in pattern if spans)

        # Days whose hours differ from their weekday's, built from the weakest rule
        # to the strongest so that a stronger rule overwrites a weaker one.
        overrides: dict[int, _Spans] = {}
        table = self.holiday_table
        if table is not None:
            holiday_ordinals, workday_ordinals = table.covered_ordinals
            overrides.update(dict.fromkeys(workday_ordinals, adjusted))
            overrides.update(dict.fromkeys(holiday_ordinals, ()))
        for day in self.extra_working_days:
            overrides[day.toordinal()] = adjusted
        for day in self.extra_days_off:
            overrides[day.toordinal()] = ()
        exceptions = {
            ordinal: spans for ordinal, spans in overrides.items() if spans != pattern[_weekday(ordinal)]
        }

        # Copies, so that a caller mutating its dict cannot desynchronise the fields.
        object.__setattr__(self, "working_hours", {k: list(v) for k, v in self.working_hours.items()})
        if self.adjusted_workday_hours is not None:
            object.__setattr__(self, "adjusted_workday_hours", list(self.adjusted_workday_hours))
        object.__setattr__(self, "extra_days_off", frozenset(self.extra_days_off))
        object.__setattr__(self, "extra_working_days", frozenset(self.extra_working_days))
        object.__setattr__(self, "_pattern", pattern)
        object.__setattr__(self, "_adjusted", adjusted)
        object.__setattr__(self, "_exceptions", exceptions)
        object.__setattr__(self, "_exception_weeks", frozenset(o - _weekday(o) for o in exceptions))
        object.__setattr__(self, "_week_us", sum(_total(spans) for spans in pattern))
        object.__setattr__(self, "_days", {})
        object.__setattr__(self, "_offsets", {})

    # -- days ---------------------------------------------------------------

    def _local_spans(self, ordinal: int) -> _Spans:
        """Working intervals of a local day, as microseconds after local midnight."""
        return self._exceptions.get(ordinal, self._pattern[_weekday(ordinal)])

    def _midnight_offset(self, ordinal: int) -> int:
        """UTC offset (µs) of the zone at the local midnight that starts the day."""
        offset = self._offsets.get(ordinal)
        if offset is None:
            utcoffset = datetime.combine(date.fromordinal(ordinal), time(), tzinfo=self.tz).utcoffset()
            assert utcoffset is not None  # a tzinfo attached to a datetime always answers
            offset = utcoffset // _MICROSECOND
            if len(self._offsets) > _CACHE_LIMIT:
                self._offsets.clear()
            self._offsets[ordinal] = offset
        return offset

    def _day(self, ordinal: int) -> tuple[_Spans, int]:
        """Working intervals of a local day as UTC microseconds, and their total length."""
        cached = self._days.get(ordinal)
        if cached is not None:
            return cached
        local = self._local_spans(ordinal)
        spans: _Spans
        if not local:
            spans = ()
        elif self._midnight_offset(ordinal) == self._midnight_offset(ordinal + 1):
            base = (ordinal - _EPOCH_ORDINAL) * _DAY_US - self._midnight_offset(ordinal)
            spans = tuple((base + start, base + end) for start, end in local)
        else:
            spans = self._spans_across_offset_change(ordinal, local)
        result = (spans, _total(spans))
        if len(self._days) > _CACHE_LIMIT:
            self._days.clear()
        self._days[ordinal] = result
        return result

    def _spans_across_offset_change(self, ordinal: int, local: _Spans) -> _Spans:
        # On a daylight-saving transition day each boundary is converted on its
        # own, so an interval spanning the change has its real length (e.g. 23 h
        # for a whole day in spring). Wall-clock times that do not exist or occur
        # twice resolve as zoneinfo does with fold=0; clipping keeps the
        # intervals ordered and non-empty whatever that gives.
        midnight = datetime.combine(date.fromordinal(ordinal), time())
        spans: list[_Span] = []
        floor = None
        for start, end in local:
            utc_start = _to_us((midnight + start * _MICROSECOND).replace(tzinfo=self.tz))
            utc_end = _to_us((midnight + end * _MICROSECOND).replace(tzinfo=self.tz))
            if floor is not None:
                utc_start = max(utc_start, floor)
            if utc_end > utc_start:
                spans.append((utc_start, utc_end))
                floor = utc_end
        return tuple(spans)

    def _regular_week(self, monday: int) -> bool:
        """True when the week starting at ``monday`` is exactly the weekday pattern."""
        if monday in self._exception_weeks:
            return False
        return self._midnight_offset(monday) == self._midnight_offset(monday + 7)

    def _sum_days(self, first: int, stop: int) -> int:
        """Business microseconds in the whole local days ``first <= day < stop``."""
        total = 0
        ordinal = first
        while ordinal < stop:
            if _weekday(ordinal) == 0 and ordinal + 7 <= stop and self._regular_week(ordinal):
                total += self._week_us
                ordinal += 7
            else:
                total += self._day(ordinal)[1]
                ordinal += 1
        return total

    def _local_ordinal(self, instant: datetime) -> int:
        return instant.astimezone(self.tz).toordinal()

    def _from_us(self, microseconds: int) -> datetime:
        return (_EPOCH + microseconds * _MICROSECOND).astimezone(self.tz)


# --------------------------------------------------------------------------- public functions


def is_working_day(cal: BusinessCalendar, day: date) -> bool:
    """Whether ``day`` has any working hours."""
    if isinstance(day, datetime):
        # A datetime's date depends on its zone; make the caller say which.
        raise TypeError("is_working_day takes a date; use is_working_instant for a datetime")
    return bool(cal._local_spans(day.toordinal()))


def is_working_instant(cal: BusinessCalendar, instant: datetime) -> bool:
    """Whether the business clock runs at ``instant``; intervals include their start, not their end."""
    _require_aware(instant, "instant")
    t = _to_us(instant)
    return any(start <= t < end for start, end in cal._day(cal._local_ordinal(instant))[0])


def next_working_instant(cal: BusinessCalendar, instant: datetime) -> datetime:
    """``instant`` itself if it is working time, otherwise the start of the next working interval."""
    _require_aware(instant, "instant")
    t = _to_us(instant)
    ordinal = cal._local_ordinal(instant)
    # Terminates: the weekday pattern has working hours and exceptions are finite.
    while True:
        for start, end in cal._day(ordinal)[0]:
            if end > t:
                return cal._from_us(max(start, t))
        ordinal += 1


def add_business_time(cal: BusinessCalendar, start: datetime, delta: timedelta) -> datetime:
    """The earliest instant at which ``delta`` of business time has elapsed since ``start``.

    ``delta`` must not be negative. A zero ``delta`` returns ``start`` (in the
    calendar's zone), even outside working hours.
    """
    _require_aware(start, "start")
    if delta < timedelta(0):
        raise ValueError(f"delta must not be negative, got {delta}")
    remaining = delta // _MICROSECOND
    if remaining == 0:
        return start.astimezone(cal.tz)
    t = _to_us(start)
    ordinal = cal._local_ordinal(start)

    for span_start, span_end in cal._day(ordinal)[0]:
        if span_end <= t:
            continue
        span_start = max(span_start, t)
        # "<=" makes an exact fit end at the interval's end: the earliest instant.
        if remaining <= span_end - span_start:
            return cal._from_us(span_start + remaining)
        remaining -= span_end - span_start
    ordinal += 1

    while True:
        # Whole weeks are skipped while more than a week's worth remains ("more
        # than" so that an exact fit is still found inside the last week).
        if _weekday(ordinal) == 0 and remaining > cal._week_us and cal._regular_week(ordinal):
            remaining -= cal._week_us
            ordinal += 7
            continue
        spans, total = cal._day(ordinal)
        if remaining > total:
            remaining -= total
            ordinal += 1
            continue
        for span_start, span_end in spans:
            if remaining <= span_end - span_start:
                return cal._from_us(span_start + remaining)
            remaining -= span_end - span_start
        raise AssertionError("unreachable: the day's total covered the remaining time")


def business_time_between(cal: BusinessCalendar, a: datetime, b: datetime) -> timedelta:
    """Business time from ``a`` to ``b``; negative when ``b`` is before ``a``.

    Signed so that an SLA margin reads directly: positive is time left before the
    due time, negative is how far past it.
    """
    _require_aware(a, "a")
    _require_aware(b, "b")
    ta, tb = _to_us(a), _to_us(b)
    if tb < ta:
        return -business_time_between(cal, b, a)
    first, last = cal._local_ordinal(a), cal._local_ordinal(b)
    # Whole days from a's day up to (not including) b's day, plus what b's day has
    # before b, minus what a's day had before a.
    total = cal._sum_days(first, last) + _before(cal._day(last)[0], tb) - _before(cal._day(first)[0], ta)
    return total * _MICROSECOND


# --------------------------------------------------------------------------- helpers


def _normalise(intervals: Iterable[Interval], what: str) -> _Spans:
    """Validate intervals and turn them into sorted, disjoint microsecond spans."""
    spans: list[_Span] = []
    for start, end in intervals:
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(f"{what}: working hours are wall-clock times without a zone")
        start_us = _time_us(start)
        end_us = _DAY_US if end == time(0) else _time_us(end)
        if end_us <= start_us:
            raise ValueError(f"{what}: interval {start}–{end} ends before it starts")
        spans.append((start_us, end_us))
    spans.sort()
    merged: list[_Span] = []
    for start_us, end_us in spans:
        if merged and start_us < merged[-1][1]:
            raise ValueError(f"{what}: working intervals overlap")
        if merged and start_us == merged[-1][1]:
            # 09:00–12:00 and 12:00–18:00 are one interval; merging keeps the
            # representation canonical.
            merged[-1] = (merged[-1][0], end_us)
        else:
            merged.append((start_us, end_us))
    return tuple(merged)


def _time_us(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _total(spans: Sequence[_Span]) -> int:
    return sum(end - start for start, end in spans)


def _before(spans: Sequence[_Span], t: int) -> int:
    """Business microseconds of a day's spans that lie before ``t``."""
    return sum(min(end, t) - start for start, end in spans if start < t)


def _weekday(ordinal: int) -> int:
    # Ordinal 1 (0001-01-01) is a Monday, as date.weekday() agrees.
    return (ordinal + 6) % 7


def _to_us(instant: datetime) -> int:
    return (instant - _EPOCH) // _MICROSECOND


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
