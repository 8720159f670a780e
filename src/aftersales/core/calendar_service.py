"""The company's business calendar, built from the admin's settings (working hours,
company days off and working days) on top of China's holiday package.

Built once per process and rebuilt when an administrator changes the calendar
(signals clear it in this process; other processes pick the change up within
``CALENDAR_REFRESH_SECONDS``).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models.signals import post_delete, post_migrate, post_save

from .business_calendar import BusinessCalendar, coverage_warning, default_working_hours
from .clock import local_today
from .conf import rule
from .models import CompanyDay, CompanyDayKind, WorkingHours
from .process_cache import TimedCache

_calendar: TimedCache[BusinessCalendar] = TimedCache(lambda: rule("CALENDAR_REFRESH_SECONDS"))


def build_calendar() -> BusinessCalendar:
    rows = list(WorkingHours.objects.all())
    hours: dict[int, list] = defaultdict(list)
    for row in rows:
        hours[row.weekday].append((row.start, row.end))
    working_hours = {d: hours.get(d, []) for d in range(7)} if rows else default_working_hours()
    days = list(CompanyDay.objects.values_list("day", "kind"))
    return BusinessCalendar(
        working_hours=working_hours,
        extra_days_off=frozenset(d for d, k in days if k == CompanyDayKind.DAY_OFF),
        extra_working_days=frozenset(d for d, k in days if k == CompanyDayKind.WORKING_DAY),
    )


def current_calendar() -> BusinessCalendar:
    cal = _calendar.get(None)
    if cal is None:
        cal = build_calendar()
        _calendar.put(None, cal)
    return cal


def forget_calendar(**kwargs: object) -> None:
    _calendar.clear()


def holiday_coverage_warning():  # type: ignore[no-untyped-def]
    """The last day the holiday data covers, when it is near: the admin must enter next year's days."""
    return coverage_warning(local_today(), rule("HOLIDAY_COVERAGE_WARN_DAYS"))


for model in (CompanyDay, WorkingHours):
    post_save.connect(forget_calendar, sender=model, dispatch_uid=f"calendar-save-{model.__name__}")
    post_delete.connect(forget_calendar, sender=model, dispatch_uid=f"calendar-delete-{model.__name__}")
post_migrate.connect(forget_calendar, dispatch_uid="calendar-migrate")
