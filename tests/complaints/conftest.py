"""Complaint fixtures: the people of the closed loop, the company's departments, a complaint
registered at a given time, and a driver that takes it through the flow step by step."""

from __future__ import annotations

import datetime as dt
import importlib
import types
from typing import Any

import pytest
from complaints_support import Flow, at

from aftersales.core.clock import frozen_at


@pytest.fixture(autouse=True)
def complaints_mounted(settings):  # type: ignore[no-untyped-def]
    """Serve the complaint pages and API when the project does not mount them (yet)."""
    from django.urls import Resolver404, include, path, resolve

    try:
        resolve("/api/v1/complaints/statistics")
        resolve("/complaints/")
        return
    except Resolver404:
        pass
    from ninja import NinjaAPI

    from aftersales import urls as project_urls
    from aftersales.core.api import API_AUTH, install_error_handlers

    api = NinjaAPI(auth=API_AUTH, urls_namespace="test-complaints")
    install_error_handlers(api)
    api.add_router("/v1/complaints", importlib.import_module("aftersales.complaints.api").router)
    urlconf = types.ModuleType("test_urls_complaints")
    urlconf.urlpatterns = [  # type: ignore[attr-defined]
        path("api/", api.urls),
        path("complaints/", include("aftersales.complaints.urls")),
        *project_urls.urlpatterns,
    ]
    settings.ROOT_URLCONF = urlconf


@pytest.fixture
def quality(make_user):  # type: ignore[no-untyped-def]
    return make_user("quality", "quality_a", first_name="王质量")


@pytest.fixture
def quality2(make_user):  # type: ignore[no-untyped-def]
    return make_user("quality", "quality_b", first_name="赵质检")


@pytest.fixture
def manager2(make_user):  # type: ignore[no-untyped-def]
    return make_user("manager", "manager_b", first_name="钱经理")


@pytest.fixture
def responsible(make_user):  # type: ignore[no-untyped-def]
    """The after-sales engineer made responsible for the complaint."""
    return make_user("technician", "tech_resp", first_name="孙工程师")


DEPARTMENTS = {"after_sales": "售后服务部", "sales": "销售部", "logistics": "物流部", "quality": "质量管理部"}


@pytest.fixture
def departments(db, make_user):  # type: ignore[no-untyped-def]
    """The company's departments (seeded by the suggestions app's migration, created again when a
    transactional test emptied the table), with heads for after-sales and sales."""
    from aftersales.suggestions.models import Department

    by_code = {
        code: Department.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in DEPARTMENTS.items()
    }
    by_code["after_sales"].head = make_user("manager", "head_aftersales", first_name="周部长")
    by_code["after_sales"].save()
    by_code["sales"].head = make_user("manager", "head_sales", first_name="吴销售")
    by_code["sales"].save()
    return by_code


@pytest.fixture
def customer(make_customer):  # type: ignore[no-untyped-def]
    return make_customer(name="陈先生")


@pytest.fixture
def register(customer, agent):  # type: ignore[no-untyped-def]
    """Register a complaint at ``received`` (frozen time) through the service."""
    from aftersales.complaints.services import ComplaintInput, register_complaint

    def reg(received: dt.datetime | None = None, actor: Any = None, **extra: Any) -> Any:
        received = received or at(2026, 11, 24, 9, 0)
        data = ComplaintInput(
            customer_id=extra.pop("customer_id", customer.pk),
            source=extra.pop("source", "phone"),
            complainant_name=extra.pop("complainant_name", "陈先生"),
            complainant_phone=extra.pop("complainant_phone", "13912345678"),
            about=extra.pop("about", "上门维修人员"),
            description=extra.pop("description", "维修人员迟到两小时且态度恶劣"),
            desired_outcome=extra.pop("desired_outcome", "道歉并重新安排维修"),
            category=extra.pop("category", "service_attitude"),
            severity=extra.pop("severity", "normal"),
            received_at=received,
            **extra,
        )
        with frozen_at(received):
            return register_complaint(data=data, actor=actor or agent)

    return reg


@pytest.fixture
def flow(agent, quality, manager, responsible, departments):  # type: ignore[no-untyped-def]
    return Flow(
        {"agent": agent, "quality": quality, "manager": manager, "responsible": responsible}, departments
    )
