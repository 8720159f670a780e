"""Who may take a request: certified for its skill and category on the day, ranked by zone, workload, free slot."""

import datetime as dt

import pytest

from aftersales.core.business_calendar import BusinessCalendar, default_working_hours
from aftersales.core.errors import TransitionRefused
from aftersales.dispatch import selectors, services
from aftersales.dispatch.models import WorkOrder

SH = dt.timezone(dt.timedelta(hours=8))


def test_candidates_are_only_technicians_certified_for_the_skill_and_category(repair, make_technician):
    certified = make_technician(name="王师傅")
    make_technician(name="送货员", certify=("delivery",))
    make_technician(name="无证", certify=())
    names = [c.technician.user.first_name for c in selectors.qualified_technicians(repair)]
    assert names == ["王师傅"]
    assert selectors.qualified_technicians(repair)[0].technician == certified


def test_candidates_ranked_by_zone_then_open_workload_then_next_free_slot(
    repair, make_technician, make_customer, make_unit, make_request, flow, clock
):
    far = make_technician(name="不覆盖本区", covers=("suburban",))
    busy = make_technician(name="忙")
    free = make_technician(name="闲")
    booked = make_technician(name="已约")
    # "busy" has two open jobs, "booked" one job with an appointment right now.
    for _ in range(2):
        c = make_customer()
        flow.assign(make_request(c, make_unit(c)).request, busy)
    c = make_customer()
    wo = flow.assign(make_request(c, make_unit(c)).request, booked)
    flow.confirm(wo, start=clock.at.replace(minute=0), hours=3)
    c = make_customer()
    flow.assign(make_request(c, make_unit(c)).request, free)
    flow.confirm(WorkOrder.objects.get(technician=free), start=clock.at + dt.timedelta(days=2))

    ranked = selectors.qualified_technicians(repair)
    assert [c.technician for c in ranked] == [free, booked, busy, far]
    by_tech = {c.technician: c for c in ranked}
    assert by_tech[busy].open_workload == 2
    assert by_tech[far].covers_zone is False and by_tech[free].covers_zone is True
    # The booked technician is free once the current appointment window is over.
    assert by_tech[booked].next_free_slot > by_tech[free].next_free_slot


def test_emergency_candidates_come_last_and_are_flagged_for_approval(repair, make_technician):
    partner = make_technician(station="partner", name="特约")
    other_department = make_technician(station="other", name="闵行")
    own = make_technician(name="本部")
    ranked = selectors.qualified_technicians(repair)
    assert [c.technician for c in ranked][0] == own
    kinds = {c.technician: (c.dispatch_kind, c.needs_approval) for c in ranked}
    assert kinds[own] == ("regular", False)
    assert kinds[partner] == ("partner", True)
    assert kinds[other_department] == ("other_department", True)


def test_uncertified_technician_cannot_be_assigned(repair, make_technician, dispatcher):
    uncertified = make_technician(certify=("delivery",))
    with pytest.raises(TransitionRefused) as err:
        services.assign_work_order(request=repair, technician=uncertified, actor=dispatcher)
    assert err.value.code == "not_certified"
    repair.refresh_from_db()
    assert repair.status == "new" and repair.assignee_id is None
    assert not WorkOrder.objects.exists()


def test_expired_certification_cannot_be_assigned(repair, make_technician, dispatcher):
    expired = make_technician(expires_on=dt.date(2026, 11, 22))
    with pytest.raises(TransitionRefused) as err:
        services.assign_work_order(request=repair, technician=expired, actor=dispatcher)
    assert err.value.code == "certification_expired"
    assert expired not in [c.technician for c in selectors.qualified_technicians(repair)]
    assert not WorkOrder.objects.exists()


def test_certificate_valid_through_its_expiry_day(repair, make_technician, dispatcher):
    last_day = make_technician(expires_on=dt.date(2026, 11, 23))
    wo = services.assign_work_order(request=repair, technician=last_day, actor=dispatcher)
    assert wo.technician == last_day


def test_certificate_not_yet_issued_does_not_qualify(repair, make_technician, dispatcher):
    future = make_technician(issued_on=dt.date(2026, 12, 1))
    with pytest.raises(TransitionRefused) as err:
        services.assign_work_order(request=repair, technician=future, actor=dispatcher)
    assert err.value.code == "not_certified"


def test_certification_for_another_category_does_not_qualify(repair, make_technician, dispatcher):
    from aftersales.catalog.models import Category

    tv = Category.objects.create(code="flat_panel_tv", name="平板电视")
    tv_only = make_technician(category=tv)
    with pytest.raises(TransitionRefused) as err:
        services.assign_work_order(request=repair, technician=tv_only, actor=dispatcher)
    assert err.value.code == "not_certified"


def test_certification_without_category_covers_every_category(repair, make_technician, dispatcher):
    general = make_technician(category=None)
    assert [c.technician for c in selectors.qualified_technicians(repair)] == [general]
    assert (
        services.assign_work_order(request=repair, technician=general, actor=dispatcher).technician == general
    )


def test_appointment_after_the_certificate_expires_is_refused(repair, make_technician, flow, clock):
    expiring = make_technician(expires_on=dt.date(2026, 11, 24))
    wo = flow.assign(repair, expiring)
    with pytest.raises(TransitionRefused) as err:
        flow.confirm(wo, start=dt.datetime(2026, 11, 25, 10, tzinfo=SH))
    assert err.value.code == "certification_expires_before_visit"


def test_next_free_slot_skips_booked_windows_and_non_working_time(settings):
    cal = BusinessCalendar(working_hours=default_working_hours())
    settings.AFTERSALES = {**settings.AFTERSALES, "APPOINTMENT_SLOT_MINUTES": 120}
    friday_evening = dt.datetime(2026, 11, 27, 17, 30, tzinfo=SH)
    monday_9 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=SH)
    # Nothing booked: the next working instant (Friday 17:30 is still working time).
    assert selectors.next_free_slot([], friday_evening, cal) == friday_evening
    # Half an hour of Friday is not a two-hour slot before a Monday 9-11 booking: free after it.
    windows = [(monday_9, monday_9 + dt.timedelta(hours=2))]
    assert selectors.next_free_slot(windows, friday_evening, cal) == monday_9 + dt.timedelta(hours=2)
    # Booked right now until 19:00, then the Monday booking: free on Monday at 11:00.
    now_window = (
        friday_evening - dt.timedelta(minutes=30),
        friday_evening + dt.timedelta(hours=1, minutes=30),
    )
    assert selectors.next_free_slot([now_window, *windows], friday_evening, cal) == monday_9 + dt.timedelta(
        hours=2
    )
    # A one-hour gap between two bookings is skipped.
    tuesday_9 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=SH)
    short_gap = [
        (tuesday_9, tuesday_9 + dt.timedelta(hours=1)),
        (tuesday_9 + dt.timedelta(hours=2), tuesday_9 + dt.timedelta(hours=3)),
    ]
    assert selectors.next_free_slot(short_gap, tuesday_9, cal) == tuesday_9 + dt.timedelta(hours=3)
    # A three-hour gap holds a slot.
    roomy = [
        (tuesday_9, tuesday_9 + dt.timedelta(hours=1)),
        (tuesday_9 + dt.timedelta(hours=4), tuesday_9 + dt.timedelta(hours=5)),
    ]
    assert selectors.next_free_slot(roomy, tuesday_9, cal) == tuesday_9 + dt.timedelta(hours=1)
