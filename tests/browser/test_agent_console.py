"""An agent registers a repair for a calling customer in the console, in Chromium."""

import pytest

from aftersales.service.models import ServiceRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_agent_finds_the_caller_sees_the_warranty_and_registers_a_repair(
    live_server, new_page, login, agent, make_customer, make_unit
):
    customer = make_customer(name="杨帆", phone="13712348899")
    make_unit(customer, serial_number="KFR-BROWSER-1")
    page = login(new_page(), "agent_a")
    page.goto(live_server.url + "/service/console/")
    assert "您好" in page.get_by_test_id("greeting").inner_text()
    page.get_by_test_id("lookup").fill("8899")
    page.get_by_test_id("lookup-customer").wait_for()
    assert "杨帆" in page.get_by_test_id("lookup-customer").inner_text()
    assert "保修期内" in page.get_by_test_id("lookup-customer").inner_text()
    page.get_by_test_id("pick-unit").first.click()
    assert "KFR-BROWSER-1" in page.get_by_test_id("chosen").inner_text()
    page.get_by_test_id("description").fill("空调制热效果差，有异响")
    page.get_by_test_id("register").click()
    page.wait_for_url("**/service/SR*/")
    sr = ServiceRequest.objects.get()
    assert sr.customer == customer and sr.unit.serial_number == "KFR-BROWSER-1" and sr.owner == agent
    body = page.inner_text("body")
    assert sr.number in body and "已受理" in body and "到达现场" in body
    # Registering the same again: the duplicate warning appears before submitting.
    page.goto(live_server.url + "/service/console/")
    page.get_by_test_id("lookup").fill("杨帆")
    page.get_by_test_id("pick-unit").first.click()
    page.get_by_test_id("duplicate-warning").wait_for()
    assert sr.number in page.get_by_test_id("duplicate-warning").inner_text()
