"""Staffing: Erlang C (callers wait forever) and Erlang A (callers abandon).

Numerics: nothing uses factorials or powers of the traffic. Erlang B comes from
its recursion ``B(n) = A·B(n-1) / (n + A·B(n-1))``, which stays in [0, 1] for
any size of center, and Erlang C from B. Erlang A (M/M/N+M) works with the
birth-death chain's stationary distribution in log space, truncated where the
remaining probability is negligible; the probability of being served within T
comes from uniformising the waiting caller's position in the queue.

Inputs are one interval's volume, the average handle time and a target
"X % answered within T seconds". Results are for agents on the phones;
shrinkage (breaks, training, absence) turns them into agents scheduled.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

ERLANG_C = "erlang_c"
ERLANG_A = "erlang_a"


class StaffingInputError(ValueError):
    """An input outside its meaningful range; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class StaffingResult:
    model: str
    agents: int
    scheduled_agents: int
    traffic_erlangs: float
    service_level: float
    asa_seconds: float
    occupancy: float
    waiting_probability: float
    abandon_probability: float | None
    target_met: bool
    limited_by: str  # "service_level", "occupancy" or "given"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------------------
# Erlang B and C
# ---------------------------------------------------------------------------


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability of ``agents`` servers offered ``traffic`` Erlangs."""
    b = 1.0
    for k in range(1, agents + 1):
        b = traffic * b / (k + traffic * b)
    return b


def erlang_c_from_b(agents: int, traffic: float, b: float) -> float:
    """Probability of waiting, from Erlang B of the same size; 1 when the queue is unstable."""
    if agents <= traffic:
        return 1.0
    return agents * b / (agents - traffic * (1.0 - b))


def erlang_c(agents: int, traffic: float) -> float:
    return erlang_c_from_b(agents, traffic, erlang_b(agents, traffic))


def _c_measures(agents: int, traffic: float, pw: float, aht: float, t: float) -> tuple[float, float, float]:
    """(service level, ASA seconds, occupancy) for Erlang C."""
    if agents <= traffic:
        return 0.0, math.inf, 1.0
    sl = 1.0 - pw * math.exp(-(agents - traffic) * t / aht)
    asa = pw * aht / (agents - traffic)
    return max(0.0, min(1.0, sl)), asa, traffic / agents


# ---------------------------------------------------------------------------
# Erlang A
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ErlangAMeasures:
    service_level: float
    asa_seconds: float
    occupancy: float
    waiting_probability: float
    abandon_probability: float


def erlang_a(agents: int, arrival_rate: float, aht: float, patience: float, t: float) -> ErlangAMeasures:
    """M/M/N+M measures; rates per second, times in seconds.

    Service level is the probability that a caller is answered within ``t``
    seconds (callers who abandon count as not answered); ASA is the mean wait
    of the callers who are answered.
    """
    lam = arrival_rate
    mu = 1.0 / aht
    theta = 1.0 / patience
    if lam <= 0:
        return ErlangAMeasures(1.0, 0.0, 0.0, 0.0, 0.0)
    if agents <= 0:
        return ErlangAMeasures(0.0, math.inf, 0.0, 1.0, 1.0)
    # Stationary distribution in log space: log pi_n = sum_k log(lam / death_k).
    logs = [0.0]
    best = 0.0
    n = 0
    limit = agents + 1_000_000
    while n < limit:
        n += 1
        death = min(n, agents) * mu + max(n - agents, 0) * theta
        nxt = logs[-1] + math.log(lam / death)
        logs.append(nxt)
        best = max(best, nxt)
        if n > agents and nxt < best - 40.0 and nxt < logs[-2]:
            break
    log_pi = np.array(logs)
    log_pi -= log_pi.max()
    pi = np.exp(log_pi)
    pi /= pi.sum()
    busy_all = pi[agents:]  # arrivals that find every agent busy (PASTA)
    pw = float(busy_all.sum())
    ahead = np.arange(busy_all.size, dtype=float)  # callers ahead of an arrival finding n = N + j
    lq = float((ahead * busy_all).sum())  # mean queue length seen by a random arrival = time average
    p_ab = min(1.0, theta * lq / lam)
    occupancy = min(1.0, lam * (1.0 - p_ab) / (agents * mu))

    # A caller with j ahead moves up at rate N*mu + j*theta and abandons at rate theta.
    j = np.arange(busy_all.size, dtype=float)
    forward = agents * mu + j * theta
    total = forward + theta
    # Probability of being served and mean wait among the served, by recursion on j.
    served = np.empty_like(j)
    wait_served = np.empty_like(j)
    s_prev, m_prev = 1.0, 0.0
    for k in range(j.size):
        p = forward[k] / total[k]
        served[k] = p * s_prev
        wait_served[k] = p * (s_prev / total[k] + m_prev)
        s_prev, m_prev = served[k], wait_served[k]
    p_served = float(pi[:agents].sum() + (busy_all * served).sum())
    asa = float((busy_all * wait_served).sum()) / p_served if p_served > 0 else math.inf

    sl = float(pi[:agents].sum()) + _served_within(busy_all, forward, theta, t)
    return ErlangAMeasures(
        service_level=float(max(0.0, min(1.0, sl))),
        asa_seconds=float(asa),
        occupancy=occupancy,
        waiting_probability=pw,
        abandon_probability=p_ab,
    )


def _served_within(start: np.ndarray, forward: np.ndarray, theta: float, t: float) -> float:
    """Mass that reaches service within ``t`` from the queue positions ``start`` (uniformisation)."""
    if t <= 0 or start.sum() <= 0:
        return 0.0
    rate = float(forward.max() + theta)
    lt = rate * t
    steps = int(lt + 12.0 * math.sqrt(lt) + 30)
    stay = 1.0 - (forward + theta) / rate
    move = forward / rate
    v = start.astype(float).copy()
    served = 0.0
    result = 0.0
    log_lt = math.log(lt)
    # P(served by t) = sum_k Poisson(k; rate*t) * served mass after k uniformised steps.
    for k in range(steps + 1):
        w = math.exp(-lt + k * log_lt - math.lgamma(k + 1))
        result += w * served
        served += v[0] * move[0]
        shifted = np.empty_like(v)
        shifted[:-1] = v[1:] * move[1:]
        shifted[-1] = 0.0
        v = v * stay + shifted
    return float(result)


# ---------------------------------------------------------------------------
# Staffing searches
# ---------------------------------------------------------------------------


def _validate(
    calls: float,
    interval_seconds: float,
    aht_seconds: float,
    target_sl: float,
    target_seconds: float,
    shrinkage: float,
    max_occupancy: float,
    patience_seconds: float | None = None,
) -> None:
    if calls < 0:
        raise StaffingInputError("calls", "calls must be >= 0")
    if interval_seconds <= 0:
        raise StaffingInputError("interval_minutes", "the interval must be longer than 0")
    if aht_seconds <= 0:
        raise StaffingInputError("aht_seconds", "the average handle time must be longer than 0")
    if not 0 < target_sl < 1:
        raise StaffingInputError("target_sl", "the service-level target must be between 0 and 1")
    if target_seconds < 0:
        raise StaffingInputError("target_seconds", "the answer time must be >= 0")
    if not 0 <= shrinkage < 1:
        raise StaffingInputError("shrinkage", "shrinkage must be between 0 and 1")
    if not 0 < max_occupancy <= 1:
        raise StaffingInputError("max_occupancy", "the maximum occupancy must be between 0 and 1")
    if patience_seconds is not None and patience_seconds <= 0:
        raise StaffingInputError("patience_seconds", "the mean patience must be longer than 0")


def scheduled_heads(agents: int, shrinkage: float) -> int:
    """Agents to schedule so that ``agents`` are on the phones after shrinkage."""
    if agents <= 0:
        return 0
    return math.ceil(agents / (1.0 - shrinkage) - 1e-9)


def erlang_c_staffing(
    *,
    calls: float,
    interval_seconds: float,
    aht_seconds: float,
    target_sl: float,
    target_seconds: float,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
    agents: int | None = None,
) -> StaffingResult:
    """Agents needed for the target (or, with ``agents``, the result of that many)."""
    _validate(calls, interval_seconds, aht_seconds, target_sl, target_seconds, shrinkage, max_occupancy)
    traffic = calls * aht_seconds / interval_seconds
    if agents is not None:
        if agents < 0:
            raise StaffingInputError("agents", "agents must be >= 0")
        return _c_result(
            agents, traffic, aht_seconds, target_sl, target_seconds, shrinkage, max_occupancy, "given"
        )
    if traffic == 0:
        return _c_result(
            0, 0.0, aht_seconds, target_sl, target_seconds, shrinkage, max_occupancy, "service_level"
        )
    n = 0
    b = 1.0
    start = max(1, math.floor(traffic) + 1)
    while n < start:
        n += 1
        b = traffic * b / (n + traffic * b)
    while True:
        pw = erlang_c_from_b(n, traffic, b)
        sl, _, occ = _c_measures(n, traffic, pw, aht_seconds, target_seconds)
        if sl >= target_sl - 1e-12 and occ <= max_occupancy + 1e-12:
            # The cap binds when one agent fewer would already meet the service level.
            met_with_fewer = _c_sl_only(n - 1, traffic, aht_seconds, target_seconds, target_sl)
            limited = "occupancy" if met_with_fewer else "service_level"
            return _c_result(
                n, traffic, aht_seconds, target_sl, target_seconds, shrinkage, max_occupancy, limited
            )
        n += 1
        b = traffic * b / (n + traffic * b)


def _c_sl_only(n: int, traffic: float, aht: float, t: float, target: float) -> bool:
    """Would n agents meet the service level alone (ignoring the occupancy cap)?"""
    if n <= traffic:
        return False
    sl, _, _ = _c_measures(n, traffic, erlang_c(n, traffic), aht, t)
    return sl >= target - 1e-12


def _c_result(
    n: int,
    traffic: float,
    aht: float,
    target_sl: float,
    t: float,
    shrinkage: float,
    max_occ: float,
    limited: str,
) -> StaffingResult:
    if traffic == 0:
        return StaffingResult(
            ERLANG_C, n, scheduled_heads(n, shrinkage), 0.0, 1.0, 0.0, 0.0, 0.0, None, True, limited
        )
    pw = erlang_c(n, traffic) if n > 0 else 1.0
    sl, asa, occ = _c_measures(n, traffic, pw, aht, t)
    return StaffingResult(
        model=ERLANG_C,
        agents=n,
        scheduled_agents=scheduled_heads(n, shrinkage),
        traffic_erlangs=traffic,
        service_level=sl,
        asa_seconds=asa,
        occupancy=occ,
        waiting_probability=pw,
        abandon_probability=None,
        target_met=sl >= target_sl - 1e-12 and occ <= max_occ + 1e-12,
        limited_by=limited,
    )


def erlang_a_staffing(
    *,
    calls: float,
    interval_seconds: float,
    aht_seconds: float,
    patience_seconds: float,
    target_sl: float,
    target_seconds: float,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
    agents: int | None = None,
) -> StaffingResult:
    """Erlang A staffing: fewest agents whose service level meets the target (abandons count as missed)."""
    _validate(
        calls,
        interval_seconds,
        aht_seconds,
        target_sl,
        target_seconds,
        shrinkage,
        max_occupancy,
        patience_seconds,
    )
    lam = calls / interval_seconds
    traffic = calls * aht_seconds / interval_seconds

    def measure(n: int) -> ErlangAMeasures:
        return erlang_a(n, lam, aht_seconds, patience_seconds, target_seconds)

    def result(n: int, limited: str) -> StaffingResult:
        m = measure(n)
        return StaffingResult(
            model=ERLANG_A,
            agents=n,
            scheduled_agents=scheduled_heads(n, shrinkage),
            traffic_erlangs=traffic,
            service_level=m.service_level,
            asa_seconds=m.asa_seconds,
            occupancy=m.occupancy,
            waiting_probability=m.waiting_probability,
            abandon_probability=m.abandon_probability,
            target_met=m.service_level >= target_sl - 1e-12 and m.occupancy <= max_occupancy + 1e-12,
            limited_by=limited,
        )

    if agents is not None:
        if agents < 0:
            raise StaffingInputError("agents", "agents must be >= 0")
        return result(agents, "given")
    if lam == 0:
        return result(0, "service_level")

    def ok_sl(n: int) -> bool:
        return measure(n).service_level >= target_sl - 1e-12

    def ok(n: int) -> bool:
        m = measure(n)
        return m.service_level >= target_sl - 1e-12 and m.occupancy <= max_occupancy + 1e-12

    # Erlang A never needs more agents than Erlang C for the same service level, and both
    # measures improve with every added agent, so a bisection below Erlang C's answer finds it.
    hi = erlang_c_staffing(
        calls=calls,
        interval_seconds=interval_seconds,
        aht_seconds=aht_seconds,
        target_sl=target_sl,
        target_seconds=target_seconds,
        max_occupancy=max_occupancy,
    ).agents
    while not ok(hi):
        hi += 1
    lo = 0  # ok(lo) is False for lo = 0 because no one answers
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    limited = "service_level" if ok_sl(hi) and not ok_sl(hi - 1) else "occupancy"
    return result(hi, limited)
