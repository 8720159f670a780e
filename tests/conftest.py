"""Shared fixtures: users per role, a zone map, and factories that go through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest

_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


@pytest.fixture
def make_user(db):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    def make(role: str, username: str | None = None, **extra: Any) -> Any:
        user = get_user_model().objects.create_user(
            username=username or f"{role}{_n()}",
            password="pw-123456",
            first_name=extra.pop("first_name", ""),
            **extra,
        )
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        return user

    return make


@pytest.fixture
def agent(make_user):  # type: ignore[no-untyped-def]
    return make_user("agent", "agent_a", first_name="李客服")


@pytest.fixture
def dispatcher(make_user):  # type: ignore[no-untyped-def]
    return make_user("dispatcher", "dispatcher_a")


@pytest.fixture
def manager(make_user):  # type: ignore[no-untyped-def]
    return make_user("manager", "manager_a")


@pytest.fixture
def technician(make_user):  # type: ignore[no-untyped-def]
    return make_user("technician", "tech_a")


@pytest.fixture
def zones(db):  # type: ignore[no-untyped-def]
    from aftersales.customers.models import District, Zone

    urban = Zone.objects.create(code="URB", name="市区", kind="urban")
    suburban = Zone.objects.create(code="SUB", name="近郊", kind="suburban")
    rural = Zone.objects.create(code="RUR", name="远郊", kind="rural")
    District.objects.create(province="上海市", city="上海市", district="徐汇区", zone=urban)
    District.objects.create(province="上海市", city="上海市", district="闵行区", zone=suburban)
    District.objects.create(province="上海市", city="上海市", district="崇明区", zone=rural)
    return {"urban": urban, "suburban": suburban, "rural": rural}


@pytest.fixture
def make_customer(db, zones, agent):  # type: ignore[no-untyped-def]
    from aftersales.customers.services import AddressInput, CustomerInput, register_customer

    def make(name: str = "张伟", phone: str | None = None, district: str = "徐汇区", **extra: Any) -> Any:
        data = CustomerInput(
            name=name,
            phones=[phone or f"138{_n():08d}"],
            addresses=[AddressInput("上海市", "上海市", district, "漕溪北路1号")],
            **extra,
        )
        return register_customer(data=data, actor=agent)

    return make


@pytest.fixture
def product_model(db):  # type: ignore[no-untyped-def]
    from aftersales.catalog.models import Category, ProductModel

    category = Category.objects.create(code="air_conditioner", name="空调", warranty_months=12)
    return ProductModel.objects.create(
        category=category, code="KFR-35GW", name="壁挂式空调", list_price=Decimal("3299")
    )


@pytest.fixture
def make_unit(db, product_model, agent):  # type: ignore[no-untyped-def]
    from aftersales.catalog.services import UnitInput, register_unit

    def make(customer: Any, purchase_date: dt.date | None = None, **extra: Any) -> Any:
        return register_unit(
            data=UnitInput(
                serial_number=extra.pop("serial_number", f"SN{_n():06d}"),
                product_model_id=product_model.pk,
                customer_id=customer.pk,
                purchase_date=purchase_date or dt.date(2026, 6, 1),
                price_paid=Decimal("3199.00"),
                **extra,
            ),
            actor=agent,
        )

    return make


@pytest.fixture
def make_request(db, agent):  # type: ignore[no-untyped-def]
    from aftersales.service.services import RequestInput, register_request

    def make(customer: Any, unit: Any = None, type: str = "repair", actor: Any = None, **extra: Any) -> Any:
        data = RequestInput(
            type=type,
            channel=extra.pop("channel", "phone"),
            customer_id=customer.pk,
            unit_id=unit.pk if unit else None,
            description=extra.pop("description", "空调不制冷"),
            **extra,
        )
        return register_request(data=data, actor=actor or agent)

    return make


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """The calendar, the SLA policies and API tokens are cached per process and cleared by signals on save;
    a test's rollback sends no signal, so every test starts from the database as it is."""
    from aftersales.core.process_cache import clear_all

    clear_all()
    yield
    clear_all()


# -- surveys (used by the survey and the outbound tests) --------------------------------------------


@pytest.fixture
def questionnaire(manager):
    from aftersales.surveys.standard import create_standard_questionnaire

    return create_standard_questionnaire(actor=manager)


@pytest.fixture
def survey(questionnaire, manager):
    from aftersales.core.clock import frozen_at
    from aftersales.surveys.services import create_survey

    with frozen_at(dt.datetime(2026, 3, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))):
        return create_survey(
            name="2026年一季度售后满意度调查",
            questionnaire=questionnaire,
            opens_on=dt.date(2026, 3, 1),
            closes_on=dt.date(2026, 12, 31),
            actor=manager,
        )


@pytest.fixture
def by_key():
    """Answers given by question key, turned into {question id: value} for a version."""
    from aftersales.surveys.models import Question

    def convert(version: Any, answers: dict[str, Any]) -> dict[int, Any]:
        ids = dict(Question.objects.filter(section__version=version).values_list("key", "pk"))
        return {ids[k]: v for k, v in answers.items()}

    return convert


GOOD_ANSWERS = {
    "install_on_time": "yes",
    "install_quality": 5,
    "running_well": "yes",
    "staff_attitude": 5,
    "timeliness": 4,
    "fixed_first_time": "一次上门解决",
    "training_given": "yes",
}


@pytest.fixture
def good_answers():
    return dict(GOOD_ANSWERS)
