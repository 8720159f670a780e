"""Field work in Chromium: the dispatcher assigns a repair on the board in one click; the technician,
on a phone-sized screen, confirms the appointment, checks in, records the diagnosis, has the customer
sign on the pad with a finger, and finishes."""

import datetime as dt
import struct
import zlib

import pytest

from aftersales.dispatch.models import WorkOrder
from aftersales.service.models import ServiceRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def certified_technician(technician, zones, product_model, manager):
    """The conftest's technician, in the urban service department, certified for repairs."""
    from aftersales.dispatch.models import Skill
    from aftersales.dispatch.services import create_station, grant_certification, register_technician

    station = create_station(code="XH", name="徐汇服务部", kind="own", zones=[zones["urban"]], actor=manager)
    tech = register_technician(user=technician, station=station, zones=[zones["urban"]], actor=manager)
    skill = Skill.objects.create(code="repair-ac", name="空调维修", request_type="repair")
    today = dt.date.today()
    grant_certification(
        technician=tech,
        skill=skill,
        category=product_model.category,
        issued_on=today - dt.timedelta(days=365),
        expires_on=today + dt.timedelta(days=365),
        actor=manager,
    )
    return tech


def dark_pixels(png: bytes) -> int:
    """Pixels darker than mid-grey in an 8-bit RGBA PNG (what a canvas exports), decoded by hand."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", data[:10])
            assert (depth, color) == (8, 6)
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    raw, bpp, stride = zlib.decompress(idat), 4, width * 4
    previous, dark = bytearray(stride), 0
    for row in range(height):
        kind, line = (
            raw[row * (stride + 1)],
            bytearray(raw[row * (stride + 1) + 1 : (row + 1) * (stride + 1)]),
        )
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, up_left = previous[i], previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        dark += sum(
            1 for i in range(0, stride, 4) if line[i + 3] > 0 and line[i] + line[i + 1] + line[i + 2] < 384
        )
        previous = line
    return dark


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_dispatcher_assigns_and_technician_finishes_with_a_signature_on_a_phone(
    live_server,
    new_page,
    login,
    dispatcher,
    certified_technician,
    make_customer,
    make_unit,
    make_request,
    media,
):
    customer = make_customer(name="宋佳", phone="13955556666")
    repair = make_request(customer, make_unit(customer), description="空调漏水").request

    # The dispatcher: select the repair on the board, then one click on the best technician.
    board = login(new_page(), "dispatcher_a")
    board.goto(live_server.url + "/dispatch/board/")
    board.locator(f"[data-number='{repair.number}']").click()
    candidate = board.get_by_test_id("candidate").first
    candidate.wait_for()
    assert "tech_a" in candidate.inner_text()
    candidate.get_by_test_id("assign").click()
    board.wait_for_url(live_server.url + "/dispatch/board/")
    assert "已派给" in board.inner_text(".messages")
    wo = WorkOrder.objects.get(request=repair)
    assert wo.technician == certified_technician and wo.status == "assigned"

    # The technician, on a phone.
    phone = login(new_page(width=390, height=844, mobile=True), "tech_a")
    phone.goto(live_server.url + "/dispatch/tech/")
    job = phone.get_by_test_id("job").filter(has_text="宋佳")
    assert "尚未预约" in job.inner_text()
    job.click()
    phone.wait_for_url(f"**/dispatch/tech/work-orders/{wo.pk}/")
    assert phone.get_by_test_id("call").get_attribute("href") == "tel:13955556666"
    # Nothing wider than the screen: the page is one column on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    confirm = phone.get_by_test_id("form-confirm_appointment")
    for box in confirm.locator("input[name=confirmed_items]").all():
        box.check()
    confirm.get_by_test_id("confirm").click()
    phone.get_by_test_id("form-check_in").wait_for()
    assert "已预约" in phone.get_by_test_id("wo-status").inner_text()

    phone.get_by_test_id("check-in").click()
    phone.get_by_test_id("form-diagnose").wait_for()
    phone.locator("textarea[name=diagnosis]").fill("排水管堵塞")
    phone.get_by_test_id("diagnose").click()
    phone.get_by_test_id("begin-work").click()
    phone.get_by_test_id("form-sign").wait_for()

    # The customer signs with a finger: a stroke across the pad.
    pad = phone.get_by_test_id("signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None and box["width"] > 300
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    phone.mouse.move(x, y)
    phone.mouse.down()
    for i in range(1, 13):
        phone.mouse.move(x + i * 20, y + (25 if i % 2 else -25), steps=4)
    phone.mouse.up()
    phone.get_by_test_id("save-signature").click()
    phone.get_by_test_id("signature").wait_for()

    phone.locator("textarea[name=resolution]").fill("疏通排水管，试机无漏水")
    phone.get_by_test_id("finish").click()
    phone.get_by_test_id("form-finish").wait_for(state="detached")
    assert "已完工" in phone.get_by_test_id("wo-status").inner_text()

    wo.refresh_from_db()
    assert wo.status == "finished" and wo.signer_name == "宋佳" and wo.diagnosis == "排水管堵塞"
    with wo.signature.open("rb") as fh:
        image = fh.read()
    assert dark_pixels(image) > 200  # the stroke drawn on the pad, not an empty white image
    assert ServiceRequest.objects.get(pk=repair.pk).status == "resolved"
