"""An agent works the callback list in Chromium: the overdue callback is marked, the customer is
reached, and "not satisfied" reopens the repair as rework."""

import datetime as dt

import pytest
from django.utils import translation

from aftersales.core.clock import now
from aftersales.followup import tasks
from aftersales.followup.models import Callback
from aftersales.service import services as s
from aftersales.service.workflow import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def resolved_repair(customer, unit, make_request, dispatcher, technician):
    sr = make_request(customer, unit).request
    sr = s.assign_request(request=sr, assignee_id=technician.pk, actor=dispatcher)
    start = now() + dt.timedelta(hours=1)
    sr = s.schedule_visit(
        request=sr, appointment_start=start, appointment_end=start + dt.timedelta(hours=2), actor=technician
    )
    sr = s.start_work(request=sr, actor=technician)
    return s.resolve_request(request=sr, actor=technician, note="更换启动电容")


def test_agent_reaches_the_customer_and_not_satisfied_reopens_the_repair(
    live_server, new_page, login, agent, dispatcher, technician, make_customer, make_unit, make_request
):
    customer = make_customer(name="周敏", phone="13912340001")
    repair = resolved_repair(customer, make_unit(customer), make_request, dispatcher, technician)
    late_customer = make_customer(name="吴刚", phone="13912340002")
    late = resolved_repair(late_customer, make_unit(late_customer), make_request, dispatcher, technician)
    assert tasks.callbacks_for_resolved_requests() == 2
    # The second callback's due time has passed: it is overdue on the list.
    Callback.objects.filter(request=late).update(due_at=now() - dt.timedelta(hours=2))

    page = login(new_page(), "agent_a")
    page.goto(live_server.url + "/followup/")
    rows = page.get_by_test_id("callback-row")
    assert rows.count() == 2
    # Due first: the overdue callback leads the list, coloured.
    assert "吴刚" in rows.nth(0).inner_text() and "周敏" in rows.nth(1).inner_text()
    assert rows.nth(0).get_by_test_id("overdue").is_visible()
    colour = rows.nth(0).locator("td").first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(254, 242, 242)"

    rows.nth(1).get_by_role("link", name="周敏").click()
    page.wait_for_url("**/followup/*/")
    assert page.locator('a[href="tel:13912340001"]').is_visible()
    assert repair.number in page.get_by_test_id("request-summary").inner_text()
    assert not page.get_by_test_id("result-form").is_visible()

    page.get_by_test_id("outcome-reached").click()
    page.get_by_test_id("result-form").wait_for()
    assert "已接通" in page.get_by_test_id("attempts").inner_text()
    page.get_by_test_id("result-outcome").fill("修好两天又不制冷了")
    page.get_by_test_id("result-not-satisfied").click()
    page.get_by_test_id("result").wait_for()

    repair.refresh_from_db()
    assert repair.status == Status.REOPENED and repair.reopen_count == 1
    callback = Callback.objects.get(request=repair)
    assert callback.status == "done" and callback.result == "reopen" and callback.done_by == agent
    assert "已回访" in page.get_by_test_id("callback-status").inner_text()
    with translation.override("zh-hans"):
        reopened = str(Status.REOPENED.label)
    assert reopened in page.get_by_test_id("request-status").inner_text()
    assert "修好两天又不制冷了" in page.get_by_test_id("result").inner_text()
