"""The technician's daily report: built from the day's work orders, submitted by the technician, lateness kept."""

import datetime as dt

import pytest

from aftersales.core.errors import PermissionRefused, TransitionRefused, ValidationFailed
from aftersales.dispatch import selectors, services

SH = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.date(2026, 11, 23)


def work_a_day(flow, clock, tech, requests):
    """Each request: on site, two hours of labor, finished."""
    orders = []
    for request in requests:
        wo = flow.working(request, tech)
        start = clock.at
        clock.advance(hours=2)
        services.record_labor(
            work_order=wo, started_at=start, ended_at=clock.at, description="维修", actor=tech.user
        )
        orders.append(services.finish_work_order(work_order=wo, resolution="修复", actor=tech.user))
    return orders


def test_daily_report_is_built_from_the_days_work_orders(
    repair, delivery, tech, flow, clock, make_technician, make_customer, make_unit, make_request
):
    work_a_day(flow, clock, tech, [repair, delivery])
    # Someone else's job and tomorrow's assignment do not appear.
    c = make_customer()
    flow.working(make_request(c, make_unit(c)).request, make_technician())
    clock.set(dt.datetime(2026, 11, 23, 19, 0, tzinfo=SH))
    report = services.submit_daily_report(day=MONDAY, note="两单均完成", actor=tech.user)
    lines = list(report.lines.order_by("id"))
    assert [(line.request_number, line.kind, line.category, line.minutes) for line in lines] == [
        (repair.number, "repair", "空调", 120),
        (delivery.number, "delivery", "空调", 120),
    ]
    assert report.job_count == 2 and report.total_minutes == 240
    assert report.late is False and report.deadline == dt.datetime(2026, 11, 24, 10, 0, tzinfo=SH)


def test_late_daily_report_is_recorded(repair, tech, flow, clock):
    work_a_day(flow, clock, tech, [repair])
    clock.set(dt.datetime(2026, 11, 24, 10, 1, tzinfo=SH))
    report = services.submit_daily_report(day=MONDAY, actor=tech.user)
    assert report.late is True
    assert selectors.report_timeliness(MONDAY, MONDAY + dt.timedelta(days=1)) == {
        tech.pk: {"on_time": 0, "late": 1}
    }


def test_report_due_exactly_at_the_deadline_is_on_time(repair, tech, flow, clock):
    work_a_day(flow, clock, tech, [repair])
    clock.set(dt.datetime(2026, 11, 24, 10, 0, tzinfo=SH))
    assert services.submit_daily_report(day=MONDAY, actor=tech.user).late is False


def test_deadline_is_the_next_working_day_counting_holidays_and_adjusted_days(db):
    friday = dt.date(2026, 11, 27)
    assert selectors.daily_report_deadline(friday) == dt.datetime(2026, 11, 30, 10, 0, tzinfo=SH)
    # National Day 2026: 1-7 October off; Saturday 10 October is a working day (调休).
    assert selectors.daily_report_deadline(dt.date(2026, 9, 30)) == dt.datetime(2026, 10, 8, 10, 0, tzinfo=SH)
    assert selectors.daily_report_deadline(dt.date(2026, 10, 9)) == dt.datetime(
        2026, 10, 10, 10, 0, tzinfo=SH
    )


def test_deadline_follows_the_settings(db, settings):
    settings.AFTERSALES = {
        **settings.AFTERSALES,
        "DAILY_REPORT_DEADLINE_TIME": "09:00",
        "DAILY_REPORT_DEADLINE_WORKING_DAYS": 2,
    }
    assert selectors.daily_report_deadline(MONDAY) == dt.datetime(2026, 11, 25, 9, 0, tzinfo=SH)


def test_daily_report_is_submitted_once(repair, tech, flow, clock):
    work_a_day(flow, clock, tech, [repair])
    services.submit_daily_report(day=MONDAY, actor=tech.user)
    with pytest.raises(TransitionRefused) as err:
        services.submit_daily_report(day=MONDAY, actor=tech.user)
    assert err.value.code == "report_already_submitted"


def test_only_a_technician_submits_their_own_report(tech, dispatcher):
    with pytest.raises(PermissionRefused):
        services.submit_daily_report(day=MONDAY, actor=dispatcher)


def test_a_day_not_yet_come_cannot_be_reported(tech):
    with pytest.raises(ValidationFailed) as err:
        services.submit_daily_report(day=MONDAY + dt.timedelta(days=1), actor=tech.user)
    assert err.value.code == "report_day_in_future"


def test_day_without_work_gives_an_empty_report(tech, clock):
    report = services.submit_daily_report(day=MONDAY, actor=tech.user)
    assert report.job_count == 0 and report.total_minutes == 0 and not report.lines.exists()
