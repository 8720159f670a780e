"""Fixtures for the returns engine: a case built from its JSON form with a few defaults."""

from __future__ import annotations

from typing import Any

import pytest

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
