"""The customer submits, tracks and rates a request in the portal on a phone; the manager sees
it on the dashboard and exports the list — in Chromium."""

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from aftersales.core.clock import frozen_at
from aftersales.portal.models import SmsMessage
from aftersales.service.models import Rating, ServiceRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_customer_submits_with_a_code_tracks_and_rates_on_a_phone(
    live_server, new_page, zones, product_model, agent, dispatcher, technician
):
    from aftersales.service import services as s

    page = new_page(width=390, height=844, mobile=True)
    page.goto(live_server.url + "/portal/")
    page.get_by_test_id("portal-new").click()
    page.get_by_test_id("portal-phone").fill("13966667777")
    page.get_by_test_id("portal-submit").click()
    page.get_by_test_id("portal-code").wait_for()
    code = re.search(r"\d{6}", SmsMessage.objects.get(phone="13966667777").text).group(0)
    page.get_by_test_id("portal-code").fill(code)
    page.get_by_test_id("portal-submit").click()
    page.get_by_test_id("portal-name").fill("马丽")
    page.get_by_test_id("portal-district").fill("徐汇区")
    page.get_by_test_id("portal-detail").fill("宜山路100号")
    page.get_by_test_id("portal-model").select_option(str(product_model.pk))
    page.get_by_test_id("portal-serial").fill("PHONE-SN-1")
    page.get_by_test_id("portal-purchase").fill("2026-06-01")
    page.get_by_test_id("portal-description").fill("空调开机后不出冷风")
    page.get_by_test_id("portal-send").click()
    page.get_by_test_id("track-result").wait_for()
    sr = ServiceRequest.objects.get()
    assert sr.number in page.get_by_test_id("track-result").inner_text()
    assert sr.channel == "web" and sr.customer.name == "马丽"

    SH = dt.timezone(dt.timedelta(hours=8))
    with frozen_at(dt.datetime(2026, 11, 24, 10, tzinfo=SH)):
        sr = s.assign_request(request=sr, assignee_id=technician.pk, actor=dispatcher)
        start = dt.datetime(2026, 11, 24, 14, tzinfo=SH)
        sr = s.schedule_visit(
            request=sr,
            appointment_start=start,
            appointment_end=start + dt.timedelta(hours=1),
            actor=technician,
        )
        sr = s.start_work(request=sr, actor=technician)
        s.resolve_request(request=sr, actor=technician)
    page.goto(f"{live_server.url}/portal/track/?number={sr.number}&phone=13966667777")
    assert "已完成" in page.get_by_test_id("track-result").inner_text()
    page.get_by_test_id("score-5").check()
    page.get_by_test_id("rate-submit").click()
    page.get_by_test_id("rated").wait_for()
    assert Rating.objects.get(request=sr).score == 5


def test_manager_sees_the_dashboard_and_exports_to_excel(
    live_server, new_page, login, manager, make_customer, make_unit, make_request
):
    customer = make_customer(name="欧阳娜")
    make_request(customer, make_unit(customer))
    page = login(new_page(), "manager_a")
    page.goto(live_server.url + "/service/dashboard/")
    assert page.get_by_test_id("volume").inner_text() == "1"
    page.wait_for_function("document.querySelectorAll('#chart-type canvas').length > 0")
    page.goto(live_server.url + "/service/?q=欧阳娜")
    with page.expect_download() as download:
        page.get_by_test_id("export-requests").click()
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    assert sheet.cell(row=1, column=1).value == "单号"
    assert sheet.cell(row=2, column=6).value == "欧阳娜"
