"""Callback fixtures: a resolved repair and its callback, an installed project, a complaint walked to
"customer notified", a movable frozen clock, and the API client."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from followup_support import SH, START, at

from aftersales.core.clock import frozen_at


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Clock:
    """The frozen clock of a test; ``set`` moves it (forwards or backwards)."""

    def __init__(self) -> None:
        self._stack: list[Any] = []

    def set(self, instant: dt.datetime) -> dt.datetime:
        self._stop()
        cm = frozen_at(instant)
        cm.__enter__()
        self._stack.append(cm)
        return instant

    def _stop(self) -> None:
        while self._stack:
            self._stack.pop().__exit__(None, None, None)


@pytest.fixture(autouse=True)
def clock():  # type: ignore[no-untyped-def]
    c = Clock()
    c.set(START)
    yield c
    c._stop()


@pytest.fixture
def callback_settings(settings):  # type: ignore[no-untyped-def]
    """Override callback settings for one test: ``callback_settings(CALLBACK_MAX_ATTEMPTS=2)``."""

    def apply(**values: Any) -> None:
        settings.AFTERSALES = {**settings.AFTERSALES, **values}

    return apply


@pytest.fixture
def make_resolved_repair(make_customer, make_unit, make_request, dispatcher, technician):  # type: ignore[no-untyped-def]
    """A repair walked to resolved through the request workflow (no work order needed for callbacks)."""

    def make(customer: Any = None, **customer_fields: Any) -> Any:
        from aftersales.service import services as s

        customer = customer or make_customer(**customer_fields)
        sr = make_request(customer, make_unit(customer)).request
        sr = s.assign_request(request=sr, assignee_id=technician.pk, actor=dispatcher)
        start = dt.datetime(2026, 11, 23, 10, tzinfo=SH)
        sr = s.schedule_visit(
            request=sr,
            appointment_start=start,
            appointment_end=start + dt.timedelta(hours=2),
            actor=technician,
        )
        sr = s.start_work(request=sr, actor=technician)
        return s.resolve_request(request=sr, actor=technician, note="更换压缩机电容")

    return make


@pytest.fixture
def resolved_repair(make_resolved_repair):  # type: ignore[no-untyped-def]
    return make_resolved_repair()


@pytest.fixture
def callback(resolved_repair, dispatcher, technician):  # type: ignore[no-untyped-def]
    """The after-job callback of the resolved repair, due three days later, on agent_a's list."""
    from aftersales.followup.services import create_callback

    return create_callback(
        request=resolved_repair,
        kind="after_job",
        due_at=at(2026, 11, 26, 9),
        actor=dispatcher,
        reason="维修回访",
        staff=technician,
    )


@pytest.fixture
def make_project(make_customer, make_unit):  # type: ignore[no-untyped-def]
    """An installed project (e.g. a building's security system) commissioned on a given day."""

    def make(commissioning: dt.date, **extra: Any) -> Any:
        customer = extra.pop("customer", None) or make_customer(name="华东置业有限公司")
        return make_unit(
            customer,
            purchase_date=extra.pop("purchase_date", commissioning - dt.timedelta(days=30)),
            commissioning_date=commissioning,
            is_installed_project=True,
            **extra,
        )

    return make


@pytest.fixture
def quality(make_user):  # type: ignore[no-untyped-def]
    return make_user("quality", "quality_a", first_name="王质量")


@pytest.fixture
def notified_complaint(make_customer, make_user, agent, quality, manager, clock):  # type: ignore[no-untyped-def]
    """A complaint taken through the closed loop up to "customer notified" (its handling finished),
    one step an hour from 2026-11-23 09:00."""
    from aftersales.complaints import services as c
    from aftersales.suggestions.models import Department

    responsible = make_user("technician", "tech_resp", first_name="孙工程师")
    customer = make_customer(name="陈先生")
    department = Department.objects.get(code="after_sales")
    sr = c.register_complaint(
        data=c.ComplaintInput(
            customer_id=customer.pk,
            source="phone",
            complainant_name="陈先生",
            complainant_phone="13912345678",
            about="上门维修人员",
            description="维修人员迟到两小时",
            desired_outcome="道歉",
            category="service_attitude",
        ),
        actor=agent,
    ).complaint.request
    steps = [
        lambda sr: c.reply_to_customer(request=sr, reply="已致歉", actor=agent),
        lambda sr: c.validate_complaint(request=sr, actor=agent, note="核实属实"),
        lambda sr: c.assign_complaint(
            request=sr, department_id=department.pk, responsible_person_id=responsible.pk, actor=quality
        ),
        lambda sr: c.record_investigation(request=sr, cause="排程冲突", actor=responsible),
        lambda sr: c.propose_plan(request=sr, plan="上门致歉", actor=responsible),
        lambda sr: c.check_plan(request=sr, actor=quality),
        lambda sr: c.approve_plan(request=sr, actor=manager),
        lambda sr: c.start_implementation(request=sr, actor=responsible),
        lambda sr: c.complete_implementation(request=sr, implementation="已致歉", actor=responsible),
        lambda sr: c.notify_customer(request=sr, notice="已电话告知", channel="phone", actor=agent),
    ]
    for hour, step in enumerate(steps, start=1):
        clock.set(START + dt.timedelta(hours=hour))
        sr = step(sr)
    return sr


@pytest.fixture
def api(db):  # type: ignore[no-untyped-def]
    from django.test import Client

    def make(user: Any) -> Any:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user)

        class Api:
            def get(self, p: str, **params: Any) -> Any:
                return client.get("/api/v1/followup" + p, params)

            def post(self, p: str, body: Any = None) -> Any:
                return client.post("/api/v1/followup" + p, body or {}, content_type="application/json")

        return Api()

    return make
