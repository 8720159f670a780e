"""The pages people work in, through Django's test client: console, request page, dashboard,
exports and the customer portal."""

import datetime as dt
import io
import re

from django.test import Client
from openpyxl import load_workbook

from aftersales.core.clock import frozen_at
from aftersales.portal.models import SmsMessage
from aftersales.service.models import Rating, ServiceRequest

SH = dt.timezone(dt.timedelta(hours=8))


def client_for(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user)
    return c


def test_console_shows_the_greeting_and_my_queue_in_chinese(agent, make_customer, make_unit, make_request):
    customer = make_customer(name="周杰")
    sr = make_request(customer, make_unit(customer)).request
    page = client_for(agent).get("/service/console/").content.decode()
    assert "您好" in page and "3" in page  # the greeting script and the 3-ring rule
    assert sr.number in page and "周杰" in page
    assert "客服工作台" in page


def test_lookup_by_last_four_digits_shows_units_with_warranty_and_open_requests(
    agent, make_customer, make_unit, make_request
):
    customer = make_customer(name="吴敏", phone="13912345566")
    unit = make_unit(customer, serial_number="KFR-LOOK-1")
    sr = make_request(customer, unit).request
    html = client_for(agent).get("/service/console/lookup/", {"q": "5566"}).content.decode()
    assert "吴敏" in html and "KFR-LOOK-1" in html and sr.number in html
    assert "保修" in html  # the warranty decision in words


def test_duplicate_warning_before_registering(agent, make_customer, make_unit, make_request):
    customer = make_customer()
    unit = make_unit(customer)
    sr = make_request(customer, unit).request
    html = (
        client_for(agent)
        .get(
            "/service/console/duplicate/", {"customer_id": customer.pk, "unit_id": unit.pk, "type": "repair"}
        )
        .content.decode()
    )
    assert sr.number in html
    none = (
        client_for(agent)
        .get(
            "/service/console/duplicate/",
            {"customer_id": customer.pk, "unit_id": unit.pk, "type": "maintenance"},
        )
        .content.decode()
    )
    assert sr.number not in none


def test_a_new_callers_repair_is_registered_from_one_form(agent, zones, product_model):
    response = client_for(agent).post(
        "/service/console/register/",
        {
            "type": "repair",
            "channel": "phone",
            "priority": "normal",
            "description": "空调外机噪音大",
            "new_name": "韩梅",
            "new_phone": "13811112222",
            "new_province": "上海市",
            "new_city": "上海市",
            "new_district": "徐汇区",
            "new_detail": "天钥桥路1号",
            "new_serial": "NEW-SN-1",
            "new_model_id": product_model.pk,
            "new_purchase_date": "2026-03-01",
        },
    )
    sr = ServiceRequest.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/service/{sr.number}/")
    assert sr.customer.name == "韩梅" and sr.unit.serial_number == "NEW-SN-1" and sr.owner == agent


def test_console_refuses_bad_input_with_a_message_and_saves_nothing(agent, zones):
    c = client_for(agent)
    response = c.post(
        "/service/console/register/",
        {"type": "repair", "description": "x", "new_name": "韩梅", "new_phone": "12345"},
        follow=True,
    )
    assert ServiceRequest.objects.count() == 0
    assert "不是有效的中国电话号码" in response.content.decode()


def test_request_page_shows_clocks_actions_notes_and_attachments(
    agent, make_customer, make_unit, make_request, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    customer = make_customer()
    sr = make_request(customer, make_unit(customer)).request
    c = client_for(agent)
    c.post(f"/service/{sr.number}/note/", {"text": "已致电客户，约明天上门"})
    from django.core.files.uploadedfile import SimpleUploadedFile

    c.post(
        f"/service/{sr.number}/attach/",
        {"file": SimpleUploadedFile("故障照片.jpg", b"\xff\xd8\xff fake jpeg")},
    )
    html = c.get(f"/service/{sr.number}/").content.decode()
    assert "首次联系" in html or "到达现场" in html  # the clocks
    assert "已致电客户，约明天上门" in html and "故障照片.jpg" in html
    assert "取消" in html  # the cancel action an agent may take
    assert "派工" not in re.sub(
        r"已派工", "", html.split("操作")[-1].split("历史记录")[0]
    )  # no assign button for an agent


def test_dashboard_and_excel_exports_have_chinese_headers(
    manager, agent, make_customer, make_unit, make_request
):
    customer = make_customer(name="钱进")
    make_request(customer, make_unit(customer))
    c = client_for(manager)
    html = c.get("/service/dashboard/").content.decode()
    assert "按类型" in html and "echarts" in html
    response = c.get("/service/export/requests.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]][:3] == ["单号", "类型", "渠道"]
    assert sheet.cell(row=2, column=6).value == "钱进"
    refused = client_for(agent).get("/service/dashboard/")
    assert refused.status_code == 403 and "无权" in refused.content.decode()


def test_portal_code_submit_track_and_rate(db, zones, product_model, agent, dispatcher, technician):
    from aftersales.service import services as s

    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.post("/portal/login/", {"phone": "13955556666"})
    code = re.search(r"(\d{6})", SmsMessage.objects.get(phone="13955556666").text).group(1)
    assert (
        c.post(
            "/portal/login/", {"phone": "13955556666", "code": "000000" if code != "000000" else "111111"}
        ).status_code
        == 200
    )  # wrong code: stays on the page
    response = c.post("/portal/login/", {"phone": "13955556666", "code": code})
    assert response.status_code == 302
    response = c.post(
        "/portal/new/",
        {
            "type": "repair",
            "name": "林芳",
            "province": "上海市",
            "city": "上海市",
            "district": "徐汇区",
            "detail": "龙华路9号",
            "model_id": product_model.pk,
            "serial": "PORTAL-1",
            "purchase_date": "2026-05-01",
            "description": "空调不制冷",
        },
    )
    sr = ServiceRequest.objects.get()
    assert sr.channel == "web" and sr.owner == agent and sr.customer.name == "林芳"
    page = c.get("/portal/track/", {"number": sr.number, "phone": "139-5555-6666"}).content.decode()
    assert sr.number in page and "已受理" in page
    wrong_phone = c.get("/portal/track/", {"number": sr.number, "phone": "13900000000"}).content.decode()
    assert 'data-testid="track-result"' not in wrong_phone and "没有与此单号和电话匹配的服务单" in wrong_phone
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
        sr = s.resolve_request(request=sr, actor=technician)
    c.post(
        "/portal/rate/", {"number": sr.number, "phone": "13955556666", "score": "5", "comment": "师傅很专业"}
    )
    assert Rating.objects.get(request=sr).score == 5
    again = c.post("/portal/rate/", {"number": sr.number, "phone": "13955556666", "score": "1"}, follow=True)
    assert Rating.objects.get(request=sr).score == 5 and "已评价" in again.content.decode()
