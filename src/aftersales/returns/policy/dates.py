"""Date counting as the rules count it.

Chinese law does not count the day on which a period starts (《民法典》第二百零一条):
a 7-day window opened by signing on the 1st runs from the 2nd to the 8th, which
the engine expresses as "day n" = date minus start date, so the 8th is day 7.
A period of months ends on the same calendar day of the last month, which is
therefore covered (invoice 2023-03-15 + 1 year -> covered through 2024-03-15).
"""

from __future__ import annotations

import calendar
from collections.abc import Hashable, Iterable, Mapping
from datetime import date, timedelta


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later; a day the target month lacks becomes its last day."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def add_years(start: date, years: int) -> date:
    return add_months(start, 12 * years)


def day_number(start: date, on: date) -> int:
    """Which day of a period starting on ``start`` the date ``on`` is (the start day is day 0)."""
    return (on - start).days


def window_end(start: date, days: int) -> date:
    """Last day (inclusive, until 24:00) of a window of ``days`` days opened on ``start``."""
    return start + timedelta(days=days)


def warranty_end(start: date, months: int, repair_days: int = 0) -> date:
    """Last covered day: the anniversary day, pushed back by the days spent in repair or waiting for parts."""
    return add_months(start, months) + timedelta(days=repair_days)


def depreciation_days(invoice_date: date, return_date: date, repair_days: int) -> int:
    """Days of use charged for: return date minus invoice date minus days in repair; never below zero."""
    return max(0, (return_date - invoice_date).days - repair_days)


def days_late(due: date, actual: date) -> int:
    return max(0, (actual - due).days)


def repair_stretches(
    received: Mapping[Hashable, date], moves: Iterable[tuple[Hashable, bool, date]]
) -> list[tuple[date, date]]:
    """(from, to) days of each finished stretch in repair, the days that extend a warranty.

    ``received`` maps each repair to the day it was received; ``moves`` are its later moves in
    time order as (repair, back in repair?, day): True when it was reopened (rework), False
    when it was resolved. A stretch runs from receipt or reopening to the next resolution; one
    still open has no end and is not counted (an open repair is judged by its own delay rules).
    """
    began: dict[Hashable, date | None] = dict(received)
    stretches: list[tuple[date, date]] = []
    for repair, reopened, day in moves:
        first = began.get(repair)
        if reopened:
            began[repair] = day
        elif first is not None:
            stretches.append((first, max(first, day)))
            began[repair] = None
    return stretches
