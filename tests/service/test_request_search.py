"""The request list's search box: number, phone, name, serial number or words of the description,
each matched the same way on SQLite and PostgreSQL."""

import pytest
from django.test import Client

from aftersales.service import selectors
from aftersales.service.selectors import RequestFilters, filter_requests


def found(user, q):
    return {sr.number for sr in filter_requests(user, RequestFilters(q=q))}


# 0: the customers matched by name or phone go to the request query as a subquery, as when a
# common surname matches more customers than are listed by key.
@pytest.mark.parametrize("customers_listed", [selectors.SEARCH_CUSTOMERS_LISTED, 0])
def test_search_finds_requests_by_any_part_of_a_name_or_description_and_by_exact_identifiers(
    agent, make_customer, make_unit, make_request, monkeypatch, customers_listed
):
    monkeypatch.setattr(selectors, "SEARCH_CUSTOMERS_LISTED", customers_listed)
    ouyang = make_customer(name="欧阳娜娜", phone="13912345566")
    li = make_customer(name="李雷", phone="13700001234")
    han = make_customer(name="韩梅梅")
    a = make_request(ouyang, make_unit(ouyang, serial_number="KFR-ABC-9"), description="空调不制冷，外机不转")
    b = make_request(li, description="洗衣机漏水，欧阳先生转告", type="consultation")
    c = make_request(
        han, description="充电到100%后自动断电", contact_phone="13600007788", type="consultation"
    )
    a, b, c = a.request.number, b.request.number, c.request.number

    assert found(agent, "阳娜") == {a}  # the middle of a name
    assert found(agent, "欧阳") == {a, b}  # a name, and the same words in another description
    assert found(agent, "外机不转") == {a}
    assert found(agent, "漏") == {b}  # one character
    assert found(agent, "100%") == {c}  # a wildcard character is just a character
    assert found(agent, "0_") == set()
    assert found(agent, "kfr-abc-9") == {a}  # serial number, any case
    assert found(agent, a.lower()) == {a}  # request number, any case
    assert found(agent, "5566") == {a}  # last four digits of a customer's phone
    assert found(agent, "1234") == {b}
    assert found(agent, "139 1234 5566") == {a}  # a full phone number as typed
    assert found(agent, "13600007788") == {c}  # the contact phone given with the request
    assert found(agent, "无此内容") == set()

    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page.force_login(agent)
    html = page.get("/service/", {"q": "阳娜"}).content.decode()
    assert a in html and b not in html and "欧阳娜娜" in html
