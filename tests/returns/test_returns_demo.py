"""The demo's returns: cases opened on units of the 三包 catalog and carried through the return
flow by the services, to every step, at past times that fit each unit; loaded once."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command

from aftersales.catalog.models import Category, ProductModel
from aftersales.catalog.services import UnitInput, register_unit
from aftersales.core.clock import local_date, local_today, now
from aftersales.core.history import history_of
from aftersales.core.models import HistoryEntry
from aftersales.returns.models import ReturnCase
from aftersales.service.models import ServiceRequest, SlaClock

pytestmark = pytest.mark.django_db

# Purchases spread over the last two years, as in the demo: a few days ago up to 600 days.
AGES = (4, 12, 25, 40, 60, 80, 100, 130, 160, 200, 600)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_units(make_user, make_customer, product_model, agent):
    for name in ("agent", "agent2", "agent3"):
        make_user("agent", name)
    make_user("manager", "manager")
    make_user("quality", "quality")
    models = [product_model]
    for code, name, model, price in (
        ("mobile_phone", "移动电话机", "P60-256G", "4988.00"),
        ("refrigerator", "电冰箱", "BCD-215T", "1899.00"),
    ):
        category = Category.objects.create(code=code, name=name, warranty_months=12)
        models.append(
            ProductModel.objects.create(category=category, code=model, name=name, list_price=Decimal(price))
        )
    customer = make_customer()
    today = local_today()
    for model in models:
        installed = model.category.code == "air_conditioner"
        for i, age in enumerate(AGES):
            bought = today - dt.timedelta(days=age)
            register_unit(
                data=UnitInput(
                    serial_number=f"{model.code}-{age:04d}",
                    product_model_id=model.pk,
                    customer_id=customer.pk,
                    purchase_date=bought,
                    delivery_date=bought + dt.timedelta(days=1),
                    commissioning_date=bought + dt.timedelta(days=2) if installed else None,
                    price_paid=model.list_price,
                    store="京东自营" if i % 2 == 0 else "苏宁易购徐汇店",
                ),
                actor=agent,
            )


def test_demo_returns_reach_every_step_of_the_flow_and_load_once(demo_units):
    call_command("returns_demo")

    cases = list(ReturnCase.objects.select_related("request__unit", "new_unit"))
    requests = [c.request for c in cases]
    states = Counter(sr.status for sr in requests)
    for state in (
        "new",
        "evaluated",
        "approved",
        "rejected",
        "goods_received",
        "refunded",
        "exchanged",
        "repaired",
        "closed",
        "cancelled",
    ):
        assert states[state], state
    assert len(cases) >= 15

    # Each request after the unit was bought, every move after the one before, all in the past.
    end = now()
    for sr in requests:
        assert local_date(sr.received_at) > sr.unit.purchase_date and sr.received_at < end
        times = [h.at for h in history_of(sr)]
        assert times == sorted(times) and times[-1] < end

    # A refund from the request to the closing, with its clocks met.
    refunded = [c for c in cases if c.refunded_at and c.request.status == "closed"]
    assert refunded
    sr = refunded[0].request
    moves = [(h.old_state, h.new_state) for h in history_of(sr) if h.event == "transition"]
    assert moves == [
        ("new", "evaluated"),
        ("evaluated", "approved"),
        ("approved", "goods_received"),
        ("goods_received", "refunded"),
        ("refunded", "closed"),
    ]
    for case in (c for c in cases if c.refunded_at):
        clocks = dict(SlaClock.objects.filter(request=case.request).values_list("code", "state"))
        assert clocks["refund_due"] == "met" and clocks["return_deadline"] == "met"
    # A refund waiting to be paid has its 7-day clock running.
    waiting = [c for c in cases if c.request.status == "goods_received" and c.approved_outcome == "return"]
    assert SlaClock.objects.get(request=waiting[0].request, code="refund_due").state == "running"

    # The inspection's findings, a split refund, an override, a new unit, a repair, a cancellation.
    received = [c for c in cases if c.goods_received_at]
    assert all(c.cause and c.responsible_department and c.received_by.username == "quality" for c in received)
    assert any(c.cause == "customer_damage" and "misuse" in c.condition for c in received)
    assert any([p["means"] for p in c.refund_split] == ["wechat", "bank_card"] for c in cases)
    override = [c for c in cases if c.override]
    assert len(override) == 1 and override[0].decided_by.username == "manager"
    assert override[0].override_reason and override[0].approved_outcome == "return"
    assert override[0].outcome != "return"
    exchanged = [c for c in cases if c.new_unit is not None]
    assert exchanged and all(c.new_unit.serial_number != c.request.unit.serial_number for c in exchanged)
    assert all(c.repair_note for c in cases if c.repaired_at)
    assert any(c.outcome == "reject" for c in cases)
    cancelled = [sr for sr in requests if sr.status == "cancelled"]
    assert all([h.note for h in history_of(sr) if h.new_state == "cancelled"][0] for sr in cancelled)

    entries = HistoryEntry.objects.count()
    call_command("returns_demo")
    assert ReturnCase.objects.count() == len(cases)
    assert ServiceRequest.objects.filter(type="return").count() == len(cases)
    assert HistoryEntry.objects.count() == entries
