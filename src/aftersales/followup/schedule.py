"""When an installed project's scheduled callbacks fall: pure date arithmetic, no database.

The rule (defaults from the regulation, all settings): a callback every month in the
first year after commissioning, every quarter after that. Every occurrence is counted
from the commissioning date itself, not from the previous occurrence, so a project
commissioned on 31 January is called on 28/29 February, 31 March, 30 April ... and
the day never drifts to the 28th for good.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class ScheduleRule:
    first_period_months: int = 12  # the "first year"
    first_interval_months: int = 1  # monthly in the first period
    later_interval_months: int = 3  # quarterly after it

    def __post_init__(self) -> None:
        if self.first_interval_months < 1 or self.later_interval_months < 1:
            raise ValueError("callback intervals must be at least one month")
        if self.first_period_months < 0:
            raise ValueError("the first period cannot be negative")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the last day of that month when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_offsets(rule: ScheduleRule) -> Iterator[int]:
    """Months after commissioning at which a callback falls: 1, 2, ... 12, 15, 18, ... (defaults)."""
    offset = rule.first_interval_months
    while offset <= rule.first_period_months:
        yield offset
        offset += rule.first_interval_months
    # The later rhythm continues from the end of the first period (month 12 -> 15, 18...).
    offset = max(rule.first_period_months, offset - rule.first_interval_months) + rule.later_interval_months
    while True:
        yield offset
        offset += rule.later_interval_months


def occurrences(commissioning: dt.date, rule: ScheduleRule) -> Iterator[dt.date]:
    for offset in month_offsets(rule):
        yield add_months(commissioning, offset)


def first_on_or_after(commissioning: dt.date, rule: ScheduleRule, day: dt.date) -> dt.date:
    """The first occurrence falling on ``day`` or later."""
    for occurrence in occurrences(commissioning, rule):
        if occurrence >= day:
            return occurrence
    raise AssertionError("occurrences() is endless")  # pragma: no cover


def latest_on_or_before(commissioning: dt.date, rule: ScheduleRule, day: dt.date) -> dt.date | None:
    """The last occurrence falling on ``day`` or earlier; None before the first one."""
    latest = None
    for occurrence in occurrences(commissioning, rule):
        if occurrence > day:
            return latest
        latest = occurrence
    raise AssertionError("occurrences() is endless")  # pragma: no cover
