"""Complaint statistics: by category, department, person, week and month; the reply rate (target
100 %), valid complaints per 100 jobs (target below 1) and the complaint satisfaction rate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from complaints_support import at

from aftersales.complaints import selectors
from aftersales.complaints import services as s
from aftersales.core.clock import frozen_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved_jobs(make_customer, make_unit, make_request, dispatcher, technician):
    """Three repair jobs resolved in November 2026 through the field workflow."""
    from aftersales.service import services as svc

    def job(day):
        customer = make_customer()
        with frozen_at(at(2026, 11, day, 8, 0)):
            sr = make_request(customer, make_unit(customer), received_at=at(2026, 11, day, 8, 0)).request
            sr = svc.assign_request(request=sr, assignee_id=technician.pk, actor=dispatcher)
            sr = svc.schedule_visit(
                request=sr,
                appointment_start=at(2026, 11, day, 10),
                appointment_end=at(2026, 11, day, 11),
                actor=technician,
            )
            sr = svc.start_work(request=sr, actor=technician)
            return svc.resolve_request(request=sr, actor=technician)

    return [job(3), job(12), job(25)]


@pytest.fixture
def november(register, flow, technician, agent, resolved_jobs):
    # A: replied on time, valid, a technician at fault, satisfied at the first follow-up.
    a = register(at(2026, 11, 2, 9, 0)).complaint.request
    flow.through(a, ["reply", "validate", "assign"], at(2026, 11, 2, 9, 0))
    flow.run(a, "investigate", at(2026, 11, 2, 14, 0), person_at_fault_id=technician.pk)
    flow.through(a, ["propose", "check", "approve", "implement", "notify"], at(2026, 11, 2, 14, 0))
    flow.run(a, "follow_up", at(2026, 11, 4, 9, 0), satisfied=True)
    # B: replied late, valid, not satisfied in round 1, satisfied in round 2.
    b = register(at(2026, 11, 10, 9, 0)).complaint.request
    flow.run(b, "reply", at(2026, 11, 11, 10, 0))
    flow.through(
        b,
        ["validate", "assign", "investigate", "propose", "check", "approve", "implement", "notify"],
        at(2026, 11, 11, 10, 0),
    )
    flow.run(b, "follow_up", at(2026, 11, 12, 9, 0), satisfied=False, note="未解决")
    flow.through(
        b, ["investigate", "propose", "check", "approve", "implement", "notify"], at(2026, 11, 12, 9, 0)
    )
    flow.run(b, "follow_up", at(2026, 11, 13, 9, 0), satisfied=True)
    # C: invalid, explained (and so replied) within the hour.
    c = register(at(2026, 11, 20, 9, 0), category="misunderstanding").complaint.request
    with frozen_at(at(2026, 11, 20, 10, 0)):
        s.invalidate_complaint(request=c, explanation="客户误解了保修条款", actor=agent)
    # D: received two hours before the statistics are read; its reply is not due yet.
    register(at(2026, 11, 30, 10, 0), category="fees")
    # E: December, outside the period.
    register(at(2026, 12, 1, 9, 0))


def test_rates_of_november(november):
    r = selectors.rates(dt.date(2026, 11, 1), dt.date(2026, 11, 30), at=at(2026, 11, 30, 12, 0))
    assert (r.complaints, r.valid, r.invalid) == (4, 2, 1)
    # A and C replied on time, B late; D's reply is not due yet and does not count.
    assert (r.replied_on_time, r.replies_due, r.reply_rate) == (2, 3, Decimal("66.67"))
    assert r.reply_target_met is False
    assert (r.valid, r.jobs, r.valid_per_100_jobs) == (2, 3, Decimal("66.67"))
    assert r.valid_target_met is False
    # Three follow-up calls: A satisfied, B not satisfied then satisfied.
    assert (r.satisfied, r.follow_ups, r.satisfaction_rate) == (2, 3, Decimal("66.67"))


def test_an_overdue_unanswered_complaint_lowers_the_reply_rate(november):
    r = selectors.rates(dt.date(2026, 11, 1), dt.date(2026, 11, 30), at=at(2026, 12, 2, 12, 0))
    assert (r.replied_on_time, r.replies_due) == (2, 4)


def test_breakdowns_by_category_department_person_week_and_month(november, technician):
    st = selectors.statistics(dt.date(2026, 11, 1), dt.date(2026, 11, 30), at=at(2026, 11, 30, 12, 0))
    assert [(b.label, b.total, b.valid) for b in st.by_category] == [
        ("服务态度", 2, 2),
        ("收费", 1, 0),
        ("误解", 1, 0),
    ]
    assert [(b.label, b.total, b.valid) for b in st.by_department] == [("售后服务部", 2, 2)]
    assert [(b.label, b.total) for b in st.by_person] == [("tech_a", 1)]
    weeks = {b.label: (b.total, b.valid) for b in st.by_week}
    assert weeks["2026-10-26"] == (0, 0)
    assert weeks["2026-11-02"] == (1, 1)
    assert weeks["2026-11-09"] == (1, 1)
    assert weeks["2026-11-16"] == (1, 0)
    assert weeks["2026-11-30"] == (1, 0)
    assert [(b.label, b.total, b.valid) for b in st.by_month] == [("2026-11", 4, 2)]
    assert [m for m, _r in st.monthly_rates] == ["2026-11"]


def test_monthly_trend_spans_the_months_of_the_period(november):
    st = selectors.statistics(dt.date(2026, 10, 15), dt.date(2026, 12, 31), at=at(2027, 1, 5, 12, 0))
    assert [(b.label, b.total) for b in st.by_month] == [("2026-10", 0), ("2026-11", 4), ("2026-12", 1)]
    rates = dict(st.monthly_rates)
    assert rates["2026-11"].complaints == 4 and rates["2026-12"].complaints == 1
    assert rates["2026-10"].reply_rate is None  # nothing due: no rate rather than a made-up one


def test_targets_are_settings(november, settings):
    settings.AFTERSALES = {
        **settings.AFTERSALES,
        "COMPLAINT_REPLY_RATE_TARGET": 60,
        "COMPLAINT_VALID_RATE_TARGET": 70,
    }
    r = selectors.rates(dt.date(2026, 11, 1), dt.date(2026, 11, 30), at=at(2026, 11, 30, 12, 0))
    assert r.reply_target_met is True and r.valid_target_met is True


def test_satisfaction_per_responsible_person_for_the_evaluation(november, responsible):
    rows = selectors.satisfaction_by(dt.date(2026, 11, 1), dt.date(2026, 11, 30), by="person")
    assert [(row.key, row.follow_ups, row.satisfied, row.rate) for row in rows] == [
        (responsible.pk, 3, 2, Decimal("66.67"))
    ]


def test_statistics_page_shows_the_rates_and_the_chart_data(november, manager, client):
    client.force_login(manager)
    with frozen_at(at(2026, 11, 30, 12, 0)):
        response = client.get(
            "/complaints/statistics/?start=2026-11-01&end=2026-11-30", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    page = response.content.decode()
    assert response.status_code == 200
    assert "投诉回复率" in page and "66.67%" in page and "有效投诉率（每百单）" in page
    assert 'id="charts-data"' in page and "echarts.min.js" in page
    assert "服务态度" in page


def test_statistics_page_is_for_quality_and_managers(agent, client):
    client.force_login(agent)
    assert client.get("/complaints/statistics/").status_code == 403
