"""Interval rollups: additive counters per period and per agent, queue or the whole center.

Every counter is a sum, so a day is the sum of its half hours and a team is the
sum of its agents; metrics are ratios of counters computed when read. Calls
belong to the interval in which they were offered (the ACD convention); agent
time (logged in, ready, on calls) is split across the half hours it spans.

Scopes: ``agent`` rows have an agent and no queue, ``queue`` rows a queue and
no agent, ``center`` rows neither. Agent time is not per queue (an agent serves
several queues at once), so queue rows carry call counters only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from .grouping import Cells, decode, dictionary, encode, slot_codes
from .policy import MetricPolicy
from .records import UTC_US, CallResult

GRANULARITIES = ("halfhour", "hour", "day", "week", "month")
SCOPES = ("center", "queue", "agent")

CALL_COUNTERS = (
    "calls_total",
    "calls_blocked",
    "calls_ivr",
    "calls_received",
    "calls_queued",
    "calls_offered",
    "calls_answered",
    "calls_abandoned",
    "calls_short_abandoned",
    "calls_misdial_abandoned",
    "calls_timeout",
    "calls_placed_in_queue",
    "calls_answered_in_sl",
    "calls_answered_queued",
    "calls_transferred",
    "calls_fcr_eligible",
    "calls_fcr_resolved",
    "wait_answered_seconds",
    "wait_answered_queued_seconds",
    "abandon_wait_seconds",
    "talk_seconds",
    "hold_seconds",
    "hold_calls",
    "wrap_seconds",
    "wrap_calls",
    "rings_total",
    "rings_calls",
    "rna_count",
    "rna_seconds",
)
AGENT_COUNTERS = (
    "busy_seconds",
    "logged_in_seconds",
    "ready_seconds",
    "paused_seconds",
    "acw_seconds",
    "scheduled_seconds",
    "ready_in_schedule_seconds",
    "shifts_scheduled",
    "shifts_present",
)
COUNTERS = CALL_COUNTERS + AGENT_COUNTERS
INTEGER_COUNTERS = frozenset(
    c
    for c in COUNTERS
    if c.startswith(("calls_", "shifts_")) or c.endswith(("_calls", "_count")) or c == "rings_total"
)

_EVERY = {"hour": "1h", "day": "1d", "week": "1w", "month": "1mo"}
HALF_HOUR_US = 1_800_000_000


def period_start(expr: pl.Expr, granularity: str, time_zone: str) -> pl.Expr:
    """The UTC start of the local period containing a half-hour bucket."""
    if granularity == "halfhour":
        return expr
    if granularity not in _EVERY:
        raise ValueError(f"unknown granularity {granularity!r}")
    return expr.dt.convert_time_zone(time_zone).dt.truncate(_EVERY[granularity]).dt.convert_time_zone("UTC")


def first_call_resolution(calls: pl.DataFrame, window_days: int, key: str = "topic") -> pl.DataFrame:
    """Add ``fcr_eligible`` and ``fcr_resolved`` to the calls.

    An answered call with a key (the service request it was about, else the
    caller's number) is resolved unless another call with the same key was
    offered within ``window_days`` after it. Calls without a key cannot be
    judged and are left out of the rate.
    """
    key_expr = pl.col(key) if key in calls.columns else pl.col("customer_phone")
    window = timedelta(days=window_days)
    n = calls.height
    keyed = calls.select(
        _i=pl.int_range(pl.len(), dtype=pl.UInt32),
        _key=key_expr,
        _t=pl.col("offered_at"),
        _r=pl.col("result"),
    ).filter(pl.col("_key").is_not_null() & (pl.col("_r") != CallResult.BLOCKED))
    has_key = pl.repeat(False, n, eager=True, dtype=pl.Boolean).scatter(keyed.get_column("_i"), True)
    # Sorted by key then time, the next call of the same key is simply the next row. Only keys
    # seen more than once can repeat, so only their calls are sorted, and by a 64-bit hash of
    # the key, which sorts much faster than the text. The hash serves unless two different keys
    # share one, which shows as neighbours with the same hash and different text.
    text = keyed.get_column("_key")
    several = (
        keyed.select("_i", "_t", _key=text.hash(), _p=pl.int_range(pl.len(), dtype=pl.UInt32))
        .filter(pl.col("_key").is_duplicated())
        .sort(["_key", "_t"], maintain_order=True)
    )
    same = several.select((pl.col("_key") == pl.col("_key").shift(-1)).arg_true()).to_series()
    p = several.get_column("_p")
    if not (text.gather(p.gather(same)) == text.gather(p.gather(same + 1))).all():
        several = keyed.select("_i", "_key", "_t").sort(["_key", "_t"], maintain_order=True)
    repeat = several.select(
        "_i",
        _repeat=(pl.col("_key").shift(-1) == pl.col("_key")).fill_null(False)
        & ((pl.col("_t").shift(-1) - pl.col("_t")) <= window).fill_null(False),
    )
    repeated = pl.repeat(False, n, eager=True, dtype=pl.Boolean).scatter(
        repeat.get_column("_i"), repeat.get_column("_repeat")
    )
    eligible = (pl.col("result") == CallResult.ANSWERED) & pl.lit(has_key)
    return calls.with_columns(fcr_eligible=eligible, fcr_resolved=eligible & ~pl.lit(repeated))


def call_indicators(calls: pl.DataFrame, policy: MetricPolicy) -> pl.DataFrame:
    """Per-call flags and seconds whose sums are the call counters, with the half-hour bucket.

    Flags are booleans (a sum counts them); missing values are zeros, as they
    add nothing to a sum.
    """
    if "fcr_eligible" not in calls.columns:
        calls = first_call_resolution(calls, policy.fcr_window_days)
    r = pl.col("result")
    wait = pl.col("wait_seconds")
    answered = (r == CallResult.ANSWERED).fill_null(False)
    abandoned = (r == CallResult.ABANDONED).fill_null(False)
    queued = pl.col("queued_at").is_not_null()
    rings = pl.coalesce(
        pl.col("rings").cast(pl.Float64),
        (pl.col("ring_seconds") / policy.ring_cycle_seconds).ceil(),
    )
    i = pl.Int64
    # Lazily, so that the conditions shared by several counters are evaluated once.
    return (
        calls.lazy()
        .select(
            bucket=pl.col("offered_at").dt.truncate("30m"),
            agent=pl.col("agent"),
            queue=pl.col("queue"),
            calls_total=pl.lit(True),
            calls_blocked=(r == CallResult.BLOCKED).fill_null(False),
            calls_ivr=(r == CallResult.IVR).fill_null(False),
            calls_received=(r != CallResult.BLOCKED).fill_null(False),
            calls_queued=queued,
            calls_offered=r.is_in([CallResult.ANSWERED, CallResult.ABANDONED, CallResult.TIMEOUT]).fill_null(
                False
            ),
            calls_answered=answered,
            calls_abandoned=abandoned,
            calls_short_abandoned=(abandoned & (wait <= policy.short_abandon_seconds)).fill_null(False),
            calls_misdial_abandoned=(
                abandoned & (wait >= policy.misdial_min_seconds) & (wait <= policy.misdial_max_seconds)
            ).fill_null(False),
            calls_timeout=(r == CallResult.TIMEOUT).fill_null(False),
            calls_placed_in_queue=(queued & (wait > policy.queue_placement_min_wait_seconds)).fill_null(
                False
            ),
            calls_answered_in_sl=(answered & (wait.fill_null(0) <= policy.service_level_seconds)).fill_null(
                False
            ),
            calls_answered_queued=answered & queued,
            calls_transferred=answered & pl.col("transferred").fill_null(False),
            calls_fcr_eligible=pl.col("fcr_eligible").fill_null(False),
            calls_fcr_resolved=pl.col("fcr_resolved").fill_null(False),
            wait_answered_seconds=pl.when(answered).then(wait.fill_null(0)).otherwise(0.0),
            wait_answered_queued_seconds=pl.when(answered & queued).then(wait.fill_null(0)).otherwise(0.0),
            abandon_wait_seconds=pl.when(abandoned).then(wait.fill_null(0)).otherwise(0.0),
            talk_seconds=pl.when(answered).then(pl.col("talk_seconds").fill_null(0)).otherwise(0.0),
            hold_seconds=pl.when(answered).then(pl.col("hold_seconds").fill_null(0)).otherwise(0.0),
            hold_calls=answered & pl.col("hold_seconds").is_not_null(),
            wrap_seconds=pl.when(answered).then(pl.col("wrap_seconds").fill_null(0)).otherwise(0.0),
            wrap_calls=answered & pl.col("wrap_seconds").is_not_null(),
            rings_total=pl.when(rings.is_not_null()).then(rings).otherwise(0.0).cast(i),
            rings_calls=rings.is_not_null(),
            rna_count=pl.col("rna_count").fill_null(0).cast(i),
            rna_seconds=pl.col("rna_seconds").fill_null(0.0),
        )
        .collect()
    )


def _half_hours(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split ``[start, end)`` spans (UTC microseconds, end > start) at half-hour boundaries.

    Returns the half hour (counted from the epoch) and the length in seconds of
    every piece: first the piece each row starts with, in row order, then the
    further pieces of rows that cross a boundary; and the rows those further
    pieces come from. Half hours are cut in UTC, which is the same cut as in
    local time for every zone whose offset is a whole number of half hours
    (Asia/Shanghai is +08:00).
    """
    step = HALF_HOUR_US
    slot = start // step
    first = slot + 1
    first *= step
    crossing = np.flatnonzero(end > first)
    np.minimum(first, end, out=first)
    first -= start
    seconds = first / 1_000_000
    del first
    if len(crossing) == 0:
        return np.zeros(0, dtype=np.int64), slot, seconds
    more = (end[crossing] - 1) // step - slot[crossing]
    rows = np.repeat(crossing, more)
    k = np.arange(1, len(rows) + 1, dtype=np.int64) - np.repeat(np.cumsum(more) - more, more)
    extra = slot[rows] + k
    bucket = extra * step
    extra_seconds = (np.minimum(end[rows], bucket + step) - bucket) / 1_000_000
    return rows, np.concatenate([slot, extra]), np.concatenate([seconds, extra_seconds])


def _pieces(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Per-row values for every piece made by :func:`_half_hours`."""
    return np.concatenate([values, values[rows]]) if len(rows) else values


def _us(column: pl.Series) -> np.ndarray:
    return column.cast(UTC_US).to_physical().to_numpy()


class _Part:
    """Rows of agent time: half hour (counted from the epoch), agent code and the counters they feed.

    Each counter is a value per row and the rows it counts on (``None``: all of them).
    """

    def __init__(
        self, slot: np.ndarray, agent: np.ndarray, counters: dict[str, tuple[np.ndarray, np.ndarray | None]]
    ) -> None:
        self.slot = slot
        self.agent = agent
        self.counters = counters

    def within(self, window: tuple[datetime, datetime] | None) -> _Part:
        if window is None:
            return self
        lo, hi = (int(_us(pl.Series([w]))[0]) for w in window)
        start = self.slot * HALF_HOUR_US
        keep = (start >= lo) & (start < hi)
        return _Part(
            self.slot[keep],
            self.agent[keep],
            {k: (v[keep], None if on is None else on[keep]) for k, (v, on) in self.counters.items()},
        )


_SEGMENT_FLAGS = {
    "logged_in_seconds": ("logged_in",),
    "ready_seconds": ("ready",),
    "paused_seconds": ("paused",),
    "acw_seconds": ("acw",),
    "scheduled_seconds": ("scheduled",),
    "ready_in_schedule_seconds": ("scheduled", "ready"),
}


def _agent_time_parts(
    calls: pl.DataFrame,
    call_agent: np.ndarray,
    segments: pl.DataFrame | None,
    shifts: pl.DataFrame | None,
    agents: pl.Series,
) -> list[_Part]:
    """Agent time per half hour: time on answered calls, state segments and scheduled shifts."""
    parts: list[_Part] = []
    talk_hold = (pl.col("talk_seconds").fill_null(0) + pl.col("hold_seconds").fill_null(0)) * 1e6
    busy = (
        calls.lazy()
        .select(
            row=pl.int_range(pl.len(), dtype=pl.Int64),
            start=pl.col("answered_at"),
            end=pl.col("answered_at") + pl.duration(microseconds=talk_hold.cast(pl.Int64)),
            ok=(pl.col("result") == CallResult.ANSWERED)
            & pl.col("agent").is_not_null()
            & pl.col("answered_at").is_not_null(),
        )
        .filter(pl.col("ok") & (pl.col("end") > pl.col("start")))
        .collect()
    )
    if busy.height:
        agent = call_agent[busy.get_column("row").to_numpy()]
        rows, slot, seconds = _half_hours(_us(busy.get_column("start")), _us(busy.get_column("end")))
        parts.append(_Part(slot, _pieces(agent, rows), {"busy_seconds": (seconds, None)}))
    if segments is not None and segments.height:
        rows, slot, seconds = _half_hours(_us(segments.get_column("start")), _us(segments.get_column("end")))
        flags = {c: _pieces(segments.get_column(c).fill_null(False).to_numpy(), rows) for c in _FLAG_COLUMNS}
        counters: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
        for counter, needs in _SEGMENT_FLAGS.items():
            on = flags[needs[0]]
            for extra in needs[1:]:
                on = on & flags[extra]
            if on.all():
                counters[counter] = (seconds, None)
            elif on.any():
                counters[counter] = (seconds, on)
        agent = encode(segments.get_column("agent"), agents)
        parts.append(_Part(slot, _pieces(agent, rows), counters))
    if shifts is not None and shifts.height:
        parts.append(
            _Part(
                _us(shifts.get_column("start")) // HALF_HOUR_US,
                encode(shifts.get_column("agent"), agents),
                {
                    "shifts_scheduled": (np.ones(shifts.height, dtype=np.float64), None),
                    "shifts_present": (shifts.get_column("present").fill_null(False).to_numpy(), None),
                },
            )
        )
    return parts


_FLAG_COLUMNS = ("logged_in", "ready", "paused", "acw", "scheduled")


class _Base:
    """Counters per half-hour cell, for calls (bucket, agent, queue) and agent time (bucket, agent).

    Keys are codes: ``bucket`` indexes ``bucket_us``; agent and queue codes are
    0 for none and ``i + 1`` for the i-th name of ``agents`` / ``queues``.
    """

    def __init__(
        self,
        calls: pl.DataFrame,
        policy: MetricPolicy,
        segments: pl.DataFrame | None,
        shifts: pl.DataFrame | None,
        window: tuple[datetime, datetime] | None,
        by_queue: bool,
    ) -> None:
        ind = call_indicators(calls, policy)
        names = [calls.get_column("agent")]
        names += [f.get_column("agent") for f in (segments, shifts) if f is not None and f.height]
        self.agents = dictionary(*names)
        self.queues = (
            dictionary(calls.get_column("queue")) if by_queue else pl.Series(values=[], dtype=pl.String)
        )
        self.n_agents = self.agents.len() + 1
        self.n_queues = self.queues.len() + 1
        call_agent = encode(calls.get_column("agent"), self.agents)
        parts = [
            p.within(window) for p in _agent_time_parts(calls, call_agent, segments, shifts, self.agents)
        ]
        codes, self.n_buckets, slots = slot_codes(
            [_us(ind.get_column("bucket")) // HALF_HOUR_US, *(p.slot for p in parts)]
        )
        self.bucket_us = slots * HALF_HOUR_US
        call_keys = [codes[0], call_agent]
        sizes = [self.n_buckets, self.n_agents]
        if by_queue:
            call_keys.append(encode(calls.get_column("queue"), self.queues))
            sizes.append(self.n_queues)
        cells = Cells([call_keys], sizes, reuse=True)
        self.call_bucket, self.call_agent = cells.keys[0], cells.keys[1]
        self.call_queue = cells.keys[2] if by_queue else np.zeros(cells.n, dtype=np.int64)
        rows = cells.count(0)
        self.calls: dict[str, np.ndarray] = {}
        for c in CALL_COUNTERS:
            col = ind.get_column(c)
            if c == "calls_total":
                total = rows
            elif col.dtype == pl.Boolean:
                total = cells.count_where(0, col.to_numpy(), rows)
            else:
                total = cells.sum(0, col.to_numpy())
            self.calls[c] = total.astype(np.float64, copy=False)
        del ind, cells
        agent_cells = Cells(
            [[codes[i + 1], p.agent] for i, p in enumerate(parts)],
            [self.n_buckets, self.n_agents],
            reuse=True,
        )
        self.agent_bucket, self.agent_agent = agent_cells.keys[0], agent_cells.keys[1]
        self.agent_time = {c: np.zeros(agent_cells.n, dtype=np.float64) for c in AGENT_COUNTERS}
        for i, p in enumerate(parts):
            scratch: np.ndarray | None = None
            for c, (values, on) in p.counters.items():
                if on is not None:
                    if scratch is None:
                        scratch = np.empty(len(values), dtype=np.float64)
                    values = np.multiply(values, on, out=scratch)
                self.agent_time[c] = agent_cells.sum(i, values)

    def periods(self, granularity: str, time_zone: str) -> tuple[np.ndarray, np.ndarray]:
        """The period code of each bucket code, and the UTC start (microseconds) of each period code."""
        if granularity == "halfhour":
            return np.arange(self.n_buckets, dtype=np.int64), self.bucket_us
        used = np.unique(np.concatenate([self.call_bucket, self.agent_bucket]))
        starts = pl.DataFrame({"t": pl.Series(self.bucket_us[used], dtype=pl.Int64).cast(UTC_US)}).select(
            period_start(pl.col("t"), granularity, time_zone)
        )
        values, inverse = np.unique(_us(starts.get_column("t")), return_inverse=True)
        of_bucket = np.zeros(self.n_buckets, dtype=np.int64)
        of_bucket[used] = inverse.reshape(-1)
        return of_bucket, values


def _scope_frame(base: _Base, granularity: str, scope: str, time_zone: str) -> pl.DataFrame:
    """Counters of one granularity and scope from the half-hour cells."""
    of_bucket, starts = base.periods(granularity, time_zone)
    n_periods = len(starts)
    call_period = of_bucket[base.call_bucket]
    agent_period = of_bucket[base.agent_bucket]
    call_rows: np.ndarray | slice = slice(None)
    with_agents = True
    if scope == "agent":
        call_rows = base.call_agent != 0
        cells = Cells(
            [[call_period[call_rows], base.call_agent[call_rows]], [agent_period, base.agent_agent]],
            [n_periods, base.n_agents],
        )
        agent = decode(cells.keys[1], base.agents)
        queue = pl.repeat(None, cells.n, dtype=pl.String, eager=True)
    elif scope == "queue":
        cells = Cells([[call_period, base.call_queue]], [n_periods, base.n_queues])
        with_agents = False
        agent = pl.repeat(None, cells.n, dtype=pl.String, eager=True)
        queue = decode(cells.keys[1], base.queues)
    elif scope == "center":
        cells = Cells([[call_period], [agent_period]], [n_periods])
        agent = pl.repeat(None, cells.n, dtype=pl.String, eager=True)
        queue = pl.repeat(None, cells.n, dtype=pl.String, eager=True)
    else:
        raise ValueError(f"unknown scope {scope!r}")
    n = cells.n
    columns: dict[str, pl.Series] = {
        "granularity": pl.repeat(granularity, n, dtype=pl.String, eager=True),
        "period_start": pl.Series(starts[cells.keys[0]], dtype=pl.Int64).cast(UTC_US),
        "agent": agent,
        "queue": queue,
    }
    for c in CALL_COUNTERS:
        columns[c] = _counter(c, cells.sum(0, base.calls[c][call_rows]))
    for c in AGENT_COUNTERS:
        v = cells.sum(1, base.agent_time[c]) if with_agents else np.zeros(n, dtype=np.float64)
        columns[c] = _counter(c, v)
    return pl.DataFrame(columns)


def _counter(name: str, values: np.ndarray) -> pl.Series:
    if name in INTEGER_COUNTERS:
        return pl.Series(name, values.astype(np.int64), dtype=pl.Int64)
    return pl.Series(name, values, dtype=pl.Float64)


def rollup(
    calls: pl.DataFrame,
    *,
    policy: MetricPolicy,
    segments: pl.DataFrame | None = None,
    shifts: pl.DataFrame | None = None,
    granularities: Iterable[str] = GRANULARITIES,
    scopes: Iterable[str] = SCOPES,
    window: tuple[datetime, datetime] | None = None,
) -> pl.DataFrame:
    """Counters per (granularity, period_start, agent, queue); null agent/queue means all of them.

    ``window`` limits agent time to half hours inside it (agent states are read
    from before the window so that its first half hour starts in the right state).
    """
    granularities = tuple(granularities)
    scopes = tuple(scopes)
    for g in granularities:
        if g != "halfhour" and g not in _EVERY:
            raise ValueError(f"unknown granularity {g!r}")
    if not granularities or not scopes:
        return empty_rollup()
    for scope in scopes:
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}")
    if calls.get_column("offered_at").null_count():
        # A call belongs to the half hour it was offered in; without that time it belongs to none.
        calls = calls.filter(pl.col("offered_at").is_not_null())
    base = _Base(calls, policy, segments, shifts, window, by_queue="queue" in scopes)
    frames = [_scope_frame(base, g, scope, policy.time_zone) for g in granularities for scope in scopes]
    out = pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]
    if len(frames) > 1:
        # Each frame is already in (period, agent, queue) order.
        out = out.sort(
            ["granularity", "period_start", "agent", "queue"], nulls_last=False, maintain_order=True
        )
    return out


def empty_rollup() -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {
        "granularity": pl.String(),
        "period_start": UTC_US,
        "agent": pl.String(),
        "queue": pl.String(),
    }
    for x in COUNTERS:
        schema[x] = pl.Int64() if x in INTEGER_COUNTERS else pl.Float64()
    return pl.DataFrame(schema=schema)


def sum_counters(rows: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Add rollup rows together (a team from its agents, a range from its periods)."""
    return rows.group_by(by).agg([pl.col(x).sum() for x in COUNTERS if x in rows.columns])
