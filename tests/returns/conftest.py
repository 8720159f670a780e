"""Fixtures for the returns engine (a case built from its JSON form with a few defaults) and
for the return flow (a unit of the 三包 catalog, a return opened and evaluated at a given time)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from aftersales.core.clock import frozen_at
from aftersales.returns.policy import Case, Decision, Policy, evaluate


def case_data(**overrides: Any) -> dict[str, Any]:
    """A phone bought in a store on 2024-01-01 with a performance failure on day 4."""
    data: dict[str, Any] = {
        "category": "mobile_phone",
        "channel": "store",
        "price_paid": "3000.00",
        "invoice_date": "2024-01-01",
        "request_date": "2024-01-05",
        "reason": "quality",
        "performance_failure": True,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def case_json():
    """The JSON form of the default case with overrides (``None`` drops a field)."""
    return case_data


@pytest.fixture
def make_case():
    def make(**overrides: Any) -> Case:
        return Case.from_dict(case_data(**overrides))

    return make


@pytest.fixture
def decide(make_case):
    """Evaluate a case given as JSON fields; ``policy=`` passes a non-default policy."""

    def run(policy: Policy | None = None, **overrides: Any) -> Decision:
        return evaluate(make_case(**overrides), policy=policy)

    return run


# -- the return flow ---------------------------------------------------------------------------

SH = dt.timezone(dt.timedelta(hours=8))


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def return_unit(make_customer, make_unit):  # type: ignore[no-untyped-def]
    """An air conditioner (三包 catalog) bought in store for 3199.00 on the given day."""

    def make(purchase_date: dt.date, **extra: Any) -> Any:
        with frozen_at(at(purchase_date.year, purchase_date.month, purchase_date.day, 12)):
            return make_unit(make_customer(), purchase_date=purchase_date, **extra)

    return make


@pytest.fixture
def open_return(agent):  # type: ignore[no-untyped-def]
    """Open and evaluate a return of ``unit`` at ``when``; facts default to a quality claim in store."""
    from aftersales.returns import services
    from aftersales.returns.selectors import ReturnFacts

    def open_(unit: Any, when: dt.datetime, *, evaluate: bool = True, actor: Any = None, **facts: Any) -> Any:
        values = {"reason": "quality", "channel": "store", "performance_failure": True, "wants": "return"}
        values.update(facts)
        with frozen_at(when):
            sr = services.open_return_case(
                unit=unit,
                facts=ReturnFacts(**values),
                description="空调不制冷，要求退货",
                actor=actor or agent,
            ).request
            if evaluate:
                sr = services.evaluate_return(request=sr, actor=actor or agent)
        return sr

    return open_
