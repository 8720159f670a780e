"""Dispatch fixtures: stations, certified technicians, a fee schedule, a movable clock, and a walk
through the work-order steps that goes through the services like a user would."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from aftersales.core.clock import frozen_at

SH = dt.timezone(dt.timedelta(hours=8))
# A Monday, 09:00 in Shanghai: a working day with the whole working day ahead.
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # Each role's user gets a password; the production hasher's deliberate slowness only costs test time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class Clock:
    """The system clock pinned for this thread; ``advance`` moves it forward."""

    def __init__(self, at: dt.datetime) -> None:
        self.stack = contextlib.ExitStack()
        self.at = at
        self.set(at)

    def set(self, at: dt.datetime) -> dt.datetime:
        self.at = at
        self.stack.enter_context(frozen_at(at))
        return at

    def advance(self, **delta: float) -> dt.datetime:
        return self.set(self.at + dt.timedelta(**delta))


@pytest.fixture(autouse=True)
def clock():  # type: ignore[no-untyped-def]
    c = Clock(START)
    yield c
    c.stack.close()


@pytest.fixture
def skills(db):  # type: ignore[no-untyped-def]
    from aftersales.dispatch.models import Skill

    names = {"delivery": "送货", "installation": "安装调试", "repair": "维修", "maintenance": "保养巡检"}
    return {
        t: Skill.objects.create(code=f"{t}-ac", name=f"空调{n}", request_type=t) for t, n in names.items()
    }


@pytest.fixture
def stations(db, zones, manager):  # type: ignore[no-untyped-def]
    from aftersales.dispatch.services import create_station

    return {
        "own": create_station(
            code="XH", name="徐汇服务部", kind="own", zones=[zones["urban"]], actor=manager
        ),
        "other": create_station(
            code="MH", name="闵行服务部", kind="own", zones=[zones["suburban"]], actor=manager
        ),
        "partner": create_station(
            code="P01", name="特约维修站", kind="partner", zones=[zones["urban"]], actor=manager
        ),
    }


@pytest.fixture
def make_technician(db, make_user, stations, skills, zones, product_model, manager):  # type: ignore[no-untyped-def]
    from aftersales.dispatch.services import grant_certification, register_technician

    def make(
        station: str = "own",
        covers: tuple[str, ...] = ("urban",),
        certify: tuple[str, ...] = ("repair", "delivery", "installation", "maintenance"),
        category: Any = "product",
        issued_on: dt.date = dt.date(2025, 1, 1),
        expires_on: dt.date = dt.date(2027, 12, 31),
        user: Any = None,
        name: str = "",
    ) -> Any:
        user = user or make_user("technician", first_name=name)
        tech = register_technician(
            user=user, station=stations[station], zones=[zones[z] for z in covers], actor=manager
        )
        for request_type in certify:
            grant_certification(
                technician=tech,
                skill=skills[request_type],
                category=product_model.category if category == "product" else category,
                issued_on=issued_on,
                expires_on=expires_on,
                actor=manager,
            )
        return tech

    return make


@pytest.fixture
def tech(make_technician, technician):  # type: ignore[no-untyped-def]
    """The conftest's technician user, in the urban department, certified for every kind of work."""
    return make_technician(user=technician)


@pytest.fixture
def customer(make_customer):  # type: ignore[no-untyped-def]
    return make_customer()


@pytest.fixture
def repair(customer, make_unit, make_request):  # type: ignore[no-untyped-def]
    """A repair in warranty (bought 2026-06-01, 12 months), urban zone: free of charge."""
    return make_request(customer, make_unit(customer)).request


@pytest.fixture
def paid_repair(customer, make_unit, make_request):  # type: ignore[no-untyped-def]
    """A repair out of warranty (bought 2024-01-01): charged by the fee schedule."""
    unit = make_unit(customer, purchase_date=dt.date(2024, 1, 1))
    return make_request(customer, unit).request


@pytest.fixture
def delivery(customer, make_unit, make_request):  # type: ignore[no-untyped-def]
    return make_request(customer, make_unit(customer), type="delivery", description="送货上门").request


@pytest.fixture
def fee_items(db, product_model):  # type: ignore[no-untyped-def]
    from aftersales.dispatch.models import FeeScheduleItem

    return {
        "visit": FeeScheduleItem.objects.create(
            code="visit", name="上门费", kind="visit", price=Decimal("50.00")
        ),
        "labor": FeeScheduleItem.objects.create(
            code="ac-compressor-labor",
            name="更换压缩机工时费",
            kind="labor",
            category=product_model.category,
            price=Decimal("200.00"),
        ),
        "part": FeeScheduleItem.objects.create(
            code="ac-compressor",
            name="压缩机",
            kind="part",
            category=product_model.category,
            unit="个",
            price=Decimal("800.00"),
            cost_price=Decimal("520.00"),
        ),
        "other_category": FeeScheduleItem.objects.create(
            code="tv-panel",
            name="电视屏幕",
            kind="part",
            category=_tv_category(),
            price=Decimal("1500.00"),
            cost_price=Decimal("1100.00"),
        ),
    }


def _tv_category() -> Any:
    from aftersales.catalog.models import Category

    return Category.objects.create(code="flat_panel_tv", name="平板电视")


ALL_ITEMS = ["address", "phone", "name", "time", "model"]


class Flow:
    """The steps of a job, each through its service, with the clock moving like a real day."""

    def __init__(self, clock: Clock, dispatcher: Any) -> None:
        self.clock = clock
        self.dispatcher = dispatcher

    def assign(self, request: Any, tech: Any, **kw: Any) -> Any:
        from aftersales.dispatch import services

        self.clock.advance(minutes=5)
        return services.assign_work_order(
            request=request, technician=tech, actor=kw.pop("actor", self.dispatcher), **kw
        )

    def confirm(self, wo: Any, start: dt.datetime | None = None, hours: int = 2) -> Any:
        from aftersales.dispatch import services

        self.clock.advance(minutes=10)
        start = start or self.clock.at.replace(minute=0) + dt.timedelta(hours=2)
        return services.confirm_appointment(
            work_order=wo,
            appointment_start=start,
            appointment_end=start + dt.timedelta(hours=hours),
            confirmed_items=ALL_ITEMS,
            actor=wo.technician.user,
        )

    def check_in(self, wo: Any) -> Any:
        from aftersales.dispatch import services

        self.clock.set(max(self.clock.at, wo.appointment_start) + dt.timedelta(minutes=15))
        return services.check_in(work_order=wo, actor=wo.technician.user)

    def diagnose(self, wo: Any, cause: str = "normal") -> Any:
        from aftersales.dispatch import services

        self.clock.advance(minutes=10)
        return services.record_diagnosis(
            work_order=wo, diagnosis="压缩机损坏，不制冷", fault_cause=cause, actor=wo.technician.user
        )

    def on_site(self, request: Any, tech: Any) -> Any:
        wo = self.assign(request, tech)
        wo = self.confirm(wo)
        return self.check_in(wo)

    def working(self, request: Any, tech: Any) -> Any:
        from aftersales.dispatch import services

        wo = self.diagnose(self.on_site(request, tech))
        return services.begin_work(work_order=wo, actor=wo.technician.user)

    def quote_and_agree(self, wo: Any, *items: Any) -> Any:
        from aftersales.dispatch import services

        for item in items:
            services.add_fee_line(work_order=wo, item_id=item.pk, quantity=1, actor=wo.technician.user)
        services.request_consent(work_order=wo, actor=wo.technician.user)
        self.clock.advance(minutes=5)
        services.record_consent(work_order=wo, agreed=True, customer_name="张伟", actor=wo.technician.user)
        wo.refresh_from_db()
        return wo


@pytest.fixture
def flow(clock, dispatcher):  # type: ignore[no-untyped-def]
    return Flow(clock, dispatcher)


@pytest.fixture
def api(db):  # type: ignore[no-untyped-def]
    from django.test import Client

    def make(user: Any, lang: str = "zh-hans") -> Any:
        client = Client(HTTP_ACCEPT_LANGUAGE=lang)
        client.force_login(user)

        class Api:
            def get(self, path: str, **params: Any) -> Any:
                return client.get("/api/v1/dispatch" + path, params)

            def post(self, path: str, body: Any = None) -> Any:
                return client.post("/api/v1/dispatch" + path, body or {}, content_type="application/json")

            def upload(self, path: str, data: dict[str, Any]) -> Any:
                return client.post("/api/v1/dispatch" + path, data)

            def delete(self, path: str) -> Any:
                return client.delete("/api/v1/dispatch" + path)

        return Api()

    return make


@pytest.fixture
def png():  # type: ignore[no-untyped-def]
    return PNG


@pytest.fixture
def sla_clocks(db):  # type: ignore[no-untyped-def]
    """The request's SLA clocks by code, fresh from the database."""
    from aftersales.service.models import SlaClock

    def read(request: Any) -> dict[str, Any]:
        return {c.code: c for c in SlaClock.objects.filter(request=request)}

    return read
