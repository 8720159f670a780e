"""Erlang C and Erlang A staffing against published worked examples and a simulation."""

from __future__ import annotations

import heapq
import math
import random

import pytest

from aftersales.callcenter.engine.erlang import (
    StaffingInputError,
    erlang_a,
    erlang_a_staffing,
    erlang_b,
    erlang_c,
    erlang_c_staffing,
    scheduled_heads,
)

# The worked example most call-center texts use (e.g. Call Centre Helper's "Erlang C formula
# made simple"): 100 calls in 30 minutes, AHT 180 s -> 10 Erlangs; 80 % answered in 20 s.
EXAMPLE = dict(calls=100, interval_seconds=1800, aht_seconds=180, target_sl=0.8, target_seconds=20)


@pytest.mark.parametrize(("agents", "pw"), [(11, 0.6821), (12, 0.4494), (13, 0.2853), (14, 0.1741)])
def test_erlang_c_waiting_probability_of_the_worked_example(agents, pw):
    assert erlang_c(agents, 10.0) == pytest.approx(pw, abs=5e-5)


def test_erlang_c_staffing_of_the_worked_example_needs_14_agents_and_20_scheduled_with_30_percent_shrinkage():
    r = erlang_c_staffing(**EXAMPLE, shrinkage=0.3)
    assert r.agents == 14
    assert r.scheduled_agents == 20
    assert r.service_level == pytest.approx(0.8884, abs=5e-4)
    assert r.asa_seconds == pytest.approx(7.8, abs=0.05)
    assert r.occupancy == pytest.approx(10 / 14)
    assert r.waiting_probability == pytest.approx(0.1741, abs=5e-5)
    assert r.target_met and r.limited_by == "service_level"


def test_erlang_c_evaluates_a_given_number_of_agents():
    r = erlang_c_staffing(**EXAMPLE, agents=11)
    assert r.agents == 11
    assert r.service_level == pytest.approx(1 - 0.6821 * math.exp(-20 / 180), abs=5e-4)  # 39.0 %
    assert r.asa_seconds == pytest.approx(122.8, abs=0.1)
    assert not r.target_met and r.limited_by == "given"
    assert erlang_c_staffing(**EXAMPLE, agents=10).service_level == 0.0  # unstable: the queue grows forever


def test_erlang_b_matches_the_classic_table():
    # Erlang B tables: 10 Erlangs on 15 lines block 3.65 %; 1 Erlang on 2 lines blocks 20 %.
    assert erlang_b(15, 10.0) == pytest.approx(0.0365, abs=5e-5)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)


def test_maximum_occupancy_caps_the_agents_when_the_service_level_alone_needs_fewer():
    big = dict(calls=2000, interval_seconds=1800, aht_seconds=300, target_sl=0.8, target_seconds=20)
    free = erlang_c_staffing(**big)
    capped = erlang_c_staffing(**big, max_occupancy=0.85)
    assert free.occupancy > 0.85
    assert capped.occupancy <= 0.85 and capped.agents > free.agents
    assert capped.agents == math.ceil(free.traffic_erlangs / 0.85)
    assert capped.limited_by == "occupancy"


def test_large_centers_do_not_overflow():
    # 2,000 Erlangs needs more than 2,000 agents: factorials of that size overflow any float.
    r = erlang_c_staffing(
        calls=12000, interval_seconds=1800, aht_seconds=300, target_sl=0.9, target_seconds=15
    )
    assert 2000 < r.agents < 2100
    assert 0.9 <= r.service_level < 0.93
    assert math.isfinite(r.asa_seconds)
    # More agents never lower the service level.
    levels = [
        erlang_c_staffing(
            calls=1200, interval_seconds=1800, aht_seconds=300, target_sl=0.8, target_seconds=20, agents=n
        ).service_level
        for n in range(201, 260)
    ]
    assert levels == sorted(levels)
    a = erlang_a_staffing(
        calls=1200,
        interval_seconds=1800,
        aht_seconds=300,
        patience_seconds=90,
        target_sl=0.8,
        target_seconds=20,
    )
    assert 150 < a.agents < 230 and math.isfinite(a.asa_seconds)


def test_shrinkage_turns_agents_on_the_phones_into_agents_scheduled():
    assert scheduled_heads(14, 0.3) == 20
    assert scheduled_heads(7, 0.3) == 10
    assert scheduled_heads(10, 0.0) == 10
    assert scheduled_heads(0, 0.5) == 0


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("aht_seconds", {"aht_seconds": 0}),
        ("target_sl", {"target_sl": 1.2}),
        ("shrinkage", {"shrinkage": 1.0}),
        ("max_occupancy", {"max_occupancy": 0}),
        ("interval_minutes", {"interval_seconds": 0}),
        ("calls", {"calls": -1}),
    ],
)
def test_inputs_outside_their_range_are_refused_with_the_field(field, kwargs):
    with pytest.raises(StaffingInputError) as exc:
        erlang_c_staffing(**{**EXAMPLE, **kwargs})
    assert exc.value.field == field


def test_erlang_a_with_endless_patience_is_erlang_c():
    a = erlang_a(14, 100 / 1800, 180, 1e12, 20)
    assert a.service_level == pytest.approx(0.88835, abs=1e-4)
    assert a.waiting_probability == pytest.approx(0.17413, abs=1e-4)
    assert a.asa_seconds == pytest.approx(7.836, abs=0.01)
    assert a.abandon_probability == pytest.approx(0, abs=1e-6)


def test_erlang_a_needs_fewer_agents_than_erlang_c_and_reports_abandonment():
    a = erlang_a_staffing(**EXAMPLE, patience_seconds=120, shrinkage=0.3)
    c = erlang_c_staffing(**EXAMPLE)
    assert a.agents <= c.agents
    assert a.service_level >= 0.8
    assert 0 < a.abandon_probability < 0.1
    assert a.scheduled_agents == scheduled_heads(a.agents, 0.3)
    fewer = erlang_a_staffing(**EXAMPLE, patience_seconds=120, agents=a.agents - 1)
    assert fewer.service_level < 0.8


def _simulate(agents, lam, aht, patience, t, n=200_000, seed=11):
    """FCFS M/M/N+M by simulation: an arrival takes the first free agent unless its patience runs out first."""
    rng = random.Random(seed)
    free = [0.0] * agents
    clock = 0.0
    abandoned = within = 0
    waits_served = []
    for _ in range(n):
        clock += rng.expovariate(lam)
        p = rng.expovariate(1 / patience)
        start = max(clock, free[0])
        wait = start - clock
        if wait > p:
            abandoned += 1
            continue
        heapq.heapreplace(free, start + rng.expovariate(1 / aht))
        waits_served.append(wait)
        if wait <= t:
            within += 1
    return abandoned / n, within / n, sum(waits_served) / len(waits_served)


@pytest.mark.parametrize(("agents", "patience"), [(11, 120), (9, 60), (12, 300)])
def test_erlang_a_agrees_with_a_simulation_of_impatient_callers(agents, patience):
    lam, aht, t = 100 / 1800, 180, 20
    model = erlang_a(agents, lam, aht, patience, t)
    p_ab, sl, asa = _simulate(agents, lam, aht, patience, t)
    assert model.abandon_probability == pytest.approx(p_ab, abs=0.01)
    assert model.service_level == pytest.approx(sl, abs=0.01)
    assert model.asa_seconds == pytest.approx(asa, rel=0.06)
