"""The REST API as an integrator and the pages' users see it."""

import re

import pytest
from django.test import Client

from aftersales.service.models import ServiceRequest

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$")


@pytest.fixture
def api(db):
    def make(user=None, token=None, lang="zh-hans"):
        client = Client(HTTP_ACCEPT_LANGUAGE=lang)
        headers = {}
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        elif user:
            client.force_login(user)

        class Api:
            def get(self, path, **params):
                return client.get("/api/v1" + path, params, **headers)

            def post(self, path, body=None):
                return client.post("/api/v1" + path, body or {}, content_type="application/json", **headers)

            def put(self, path, body):
                return client.put("/api/v1" + path, body, content_type="application/json", **headers)

        return Api()

    return make


@pytest.fixture
def token(api, agent):
    response = api().post("/auth/token", {"username": agent.username, "password": "pw-123456"})
    assert response.status_code == 200
    return response.json()["token"]


def test_token_with_wrong_password_is_refused(api, agent):
    response = api().post("/auth/token", {"username": agent.username, "password": "nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "bad_credentials"


def test_deleted_token_deactivated_user_and_removed_role_take_effect_at_once(api, agent, make_customer):
    """Tokens are cached per process; a change made in the admin clears the cache."""
    from django.contrib.auth.models import Group

    from aftersales.core.models import ApiToken

    customer = make_customer()
    tok = api().post("/auth/token", {"username": agent.username, "password": "pw-123456"}).json()["token"]
    assert api(token=tok).get(f"/customers/{customer.pk}").status_code == 200
    agent.groups.remove(Group.objects.get(name="agent"))
    body = {"type": "consultation", "channel": "api", "customer_id": customer.pk, "description": "咨询"}
    assert api(token=tok).post("/service-requests", body).status_code == 403
    agent.groups.add(Group.objects.get(name="agent"))
    assert api(token=tok).post("/service-requests", body).status_code == 201
    agent.is_active = False
    agent.save()
    assert api(token=tok).get(f"/customers/{customer.pk}").status_code == 401
    agent.is_active = True
    agent.save()
    assert api(token=tok).get(f"/customers/{customer.pk}").status_code == 200
    ApiToken.objects.filter(user=agent).delete()
    assert api(token=tok).get(f"/customers/{customer.pk}").status_code == 401


def test_no_credentials_gives_401_in_chinese(api):
    response = api().get("/service-requests")
    assert response.status_code == 401
    assert "登录" in response.json()["message"]


def test_integrator_creates_request_with_inline_customer_and_unit(api, token, zones, product_model):
    body = {
        "type": "repair",
        "channel": "api",
        "description": "洗衣机脱水时噪音很大",
        "customer": {
            "name": "刘洋",
            "phones": ["139 1234 5678"],
            "addresses": [
                {"province": "上海市", "city": "上海市", "district": "闵行区", "detail": "莘松路100号"}
            ],
        },
        "unit": {
            "serial_number": "XQG-0001",
            "product_model": product_model.code,
            "purchase_date": "2026-05-01",
        },
    }
    response = api(token=token).post("/service-requests", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert re.match(r"^SR\d{8}-\d{4}$", data["number"])
    assert data["status"] == "new"
    assert data["owner"]["username"] == "agent_a"
    assert data["warranty"]["status"] in ("in_warranty", "out_of_warranty")
    assert data["warranty"]["reason"]
    assert data["zone"] == "SUB"
    assert ISO_WITH_OFFSET.match(data["received_at"])
    # The same call again finds the customer by phone and the unit by serial: a repeat contact.
    again = api(token=token).post("/service-requests", body)
    assert again.status_code == 200 and again.json()["repeat"] is True
    assert again.json()["number"] == data["number"]


def test_get_by_number_carries_history_and_actions(api, agent, make_customer, make_unit, make_request):
    customer = make_customer()
    sr = make_request(customer, make_unit(customer)).request
    data = api(user=agent).get(f"/service-requests/{sr.number}").json()
    assert data["number"] == sr.number
    assert [h["event"] for h in data["history"]] == ["registered"]
    assert ISO_WITH_OFFSET.match(data["history"][0]["at"])
    assert data["actions"] == ["cancel"]  # an agent cannot assign


def test_refused_transition_is_409_with_message_in_the_callers_language(
    api, agent, make_customer, make_unit, make_request
):
    customer = make_customer()
    sr = make_request(customer, make_unit(customer)).request
    zh = api(user=agent).post(f"/service-requests/{sr.number}/close", {"note": ""})
    assert zh.status_code == 409
    assert zh.json()["code"] == "transition_not_allowed"
    assert zh.json()["field"] == "status"
    assert "已受理" in zh.json()["message"]
    en = api(user=agent, lang="en").post(f"/service-requests/{sr.number}/close", {"note": ""})
    assert en.status_code == 409 and "not allowed" in en.json()["message"]


def test_invalid_input_is_422_and_saves_nothing(api, agent, make_customer):
    customer = make_customer()
    response = api(user=agent).post(
        "/service-requests", {"type": "repair", "customer_id": customer.pk, "description": ""}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "description_required"
    assert ServiceRequest.objects.count() == 0
    bad_phone = api(user=agent).post("/customers", {"name": "张三", "phones": ["12345"]})
    assert bad_phone.status_code == 422 and bad_phone.json()["field"] == "phones[0]"


def test_field_moves_go_through_the_work_order_not_the_request_endpoints(
    api, dispatcher, technician, make_customer, make_unit, make_request
):
    customer = make_customer()
    number = make_request(customer, make_unit(customer)).request.number
    refused = api(user=dispatcher).post(f"/service-requests/{number}/assign", {"assignee_id": technician.pk})
    assert refused.status_code == 409 and refused.json()["code"] == "use_work_order"
    assert "派工" in refused.json()["message"] or "dispatch" in refused.json()["message"]


def test_consultation_endpoints_answer_then_close(api, agent, make_customer, make_request):
    number = make_request(make_customer(), type="consultation", description="如何设置除湿").request.number
    answered = api(user=agent).post(f"/service-requests/{number}/answer", {"answer": "遥控器选择除湿模式"})
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    closed = api(user=agent).post(f"/service-requests/{number}/close")
    assert closed.json()["status"] == "closed"
    assert [h["new_state"] for h in closed.json()["history"]] == ["new", "answered", "closed"]


def test_list_filters_and_pagination(api, agent, make_customer, make_unit, make_request):
    customer = make_customer(name="赵敏")
    for _ in range(3):
        make_request(customer, make_unit(customer))
    make_request(customer, type="consultation", description="咨询以旧换新")
    client = api(user=agent)
    assert client.get("/service-requests", type="repair").json()["count"] == 3
    page = client.get("/service-requests", page_size=2, page=2).json()
    assert page["count"] == 4 and len(page["items"]) == 2
    assert client.get("/service-requests", q="以旧换新").json()["count"] == 1
    assert client.get("/service-requests", q="赵敏").json()["count"] == 4
    assert client.get("/service-requests", zone="URB").json()["count"] == 4
    assert client.get("/service-requests", zone="RUR").json()["count"] == 0
    assert client.get("/service-requests", received_from="2000-01-01T00:00:00+08:00").json()["count"] == 4


def test_technician_sees_only_own_work(
    api, dispatcher, technician, make_user, make_customer, make_unit, make_request
):
    from aftersales.service.services import assign_request

    customer = make_customer()
    mine = make_request(customer, make_unit(customer)).request
    other = make_request(customer, make_unit(customer)).request
    assign_request(request=mine, assignee_id=technician.pk, actor=dispatcher)
    client = api(user=technician)
    assert [r["number"] for r in client.get("/service-requests").json()["items"]] == [mine.number]
    assert client.get(f"/service-requests/{other.number}").status_code == 404


def test_customer_sees_only_own_requests(api, make_user, make_customer, make_unit, make_request):
    portal_user = make_user("customer")
    mine = make_customer(name="自己")
    mine.portal_user = portal_user
    mine.save()
    someone = make_customer(name="别人")
    own = make_request(mine, make_unit(mine)).request
    foreign = make_request(someone, make_unit(someone)).request
    client = api(user=portal_user)
    assert client.get(f"/service-requests/{own.number}").status_code == 200
    assert client.get(f"/service-requests/{foreign.number}").status_code == 404
    assert client.get(f"/customers/{someone.pk}").status_code == 404


def test_customer_units_and_catalog_crud(api, manager, agent, zones):
    m = api(user=manager)
    cat = m.post("/catalog/categories", {"code": "refrigerator", "name": "电冰箱", "warranty_months": 12})
    assert cat.status_code == 201
    model = m.post(
        "/catalog/models", {"category_id": cat.json()["id"], "code": "BCD-520", "name": "对开门冰箱"}
    )
    assert model.status_code == 201
    assert api(user=agent).post("/catalog/categories", {"code": "x", "name": "x"}).status_code == 403
    cust = api(user=agent).post("/customers", {"name": "孙丽", "phones": ["13600001234"]})
    assert cust.status_code == 201
    unit = api(user=agent).post(
        "/units",
        {
            "serial_number": "BCD-1",
            "product_model_id": model.json()["id"],
            "customer_id": cust.json()["id"],
            "purchase_date": "2026-01-10",
            "price_paid": "4599.00",
        },
    )
    assert unit.status_code == 201, unit.content
    assert unit.json()["warranty"]["reason"]
    updated = m.put(
        f"/catalog/categories/{cat.json()['id']}",
        {"code": "refrigerator", "name": "电冰箱", "warranty_months": 36},
    )
    assert updated.json()["warranty_months"] == 36
    found = api(user=agent).get("/customers", q="1234").json()
    assert [c["name"] for c in found["items"]] == ["孙丽"]


def test_openapi_docs_are_served(db, agent):
    client = Client()
    assert client.get("/api/openapi.json").status_code == 200
    client.force_login(agent)
    assert client.get("/api/docs").status_code == 200
