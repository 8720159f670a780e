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

import polars as pl

from .agents import split_by_half_hour
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
    keyed = (
        calls.select(
            _i=pl.int_range(pl.len(), dtype=pl.UInt32),
            _key=key_expr,
            _t=pl.col("offered_at"),
            _r=pl.col("result"),
        )
        .filter(pl.col("_key").is_not_null() & (pl.col("_r") != CallResult.BLOCKED))
        .sort(["_key", "_t"])
    )
    # Sorted by key then time, the next call of the same key is simply the next row.
    repeat = keyed.select(
        "_i",
        _repeat=(pl.col("_key").shift(-1) == pl.col("_key")).fill_null(False)
        & ((pl.col("_t").shift(-1) - pl.col("_t")) <= window).fill_null(False),
    )
    has_key = pl.repeat(False, n, eager=True, dtype=pl.Boolean).scatter(repeat.get_column("_i"), True)
    repeated = pl.repeat(False, n, eager=True, dtype=pl.Boolean).scatter(
        repeat.get_column("_i"), repeat.get_column("_repeat")
    )
    eligible = (pl.col("result") == CallResult.ANSWERED) & pl.lit(has_key)
    return calls.with_columns(fcr_eligible=eligible, fcr_resolved=eligible & ~pl.lit(repeated))


def call_indicators(calls: pl.DataFrame, policy: MetricPolicy) -> pl.DataFrame:
    """Per-call 0/1 and seconds columns whose sums are the call counters, with the half-hour bucket."""
    if "fcr_eligible" not in calls.columns:
        calls = first_call_resolution(calls, policy.fcr_window_days)
    r = pl.col("result")
    wait = pl.col("wait_seconds")
    answered = r == CallResult.ANSWERED
    abandoned = r == CallResult.ABANDONED
    queued = pl.col("queued_at").is_not_null()
    rings = pl.coalesce(
        pl.col("rings").cast(pl.Float64),
        (pl.col("ring_seconds") / policy.ring_cycle_seconds).ceil(),
    )
    i = pl.Int64
    return calls.select(
        bucket=pl.col("offered_at").dt.truncate("30m"),
        # Categorical keys group much faster than text; the rollup turns them back into text.
        agent=pl.col("agent").cast(pl.Categorical),
        queue=pl.col("queue").cast(pl.Categorical),
        calls_total=pl.lit(1, i),
        calls_blocked=(r == CallResult.BLOCKED).cast(i),
        calls_ivr=(r == CallResult.IVR).cast(i),
        calls_received=(r != CallResult.BLOCKED).cast(i),
        calls_queued=queued.cast(i),
        calls_offered=r.is_in([CallResult.ANSWERED, CallResult.ABANDONED, CallResult.TIMEOUT]).cast(i),
        calls_answered=answered.cast(i),
        calls_abandoned=abandoned.cast(i),
        calls_short_abandoned=(abandoned & (wait <= policy.short_abandon_seconds)).fill_null(False).cast(i),
        calls_misdial_abandoned=(
            abandoned & (wait >= policy.misdial_min_seconds) & (wait <= policy.misdial_max_seconds)
        )
        .fill_null(False)
        .cast(i),
        calls_timeout=(r == CallResult.TIMEOUT).cast(i),
        calls_placed_in_queue=(queued & (wait > policy.queue_placement_min_wait_seconds))
        .fill_null(False)
        .cast(i),
        calls_answered_in_sl=(answered & (wait.fill_null(0) <= policy.service_level_seconds)).cast(i),
        calls_answered_queued=(answered & queued).cast(i),
        calls_transferred=(answered & pl.col("transferred").fill_null(False)).cast(i),
        calls_fcr_eligible=pl.col("fcr_eligible").cast(i),
        calls_fcr_resolved=pl.col("fcr_resolved").cast(i),
        wait_answered_seconds=pl.when(answered).then(wait.fill_null(0)).otherwise(0.0),
        wait_answered_queued_seconds=pl.when(answered & queued).then(wait.fill_null(0)).otherwise(0.0),
        abandon_wait_seconds=pl.when(abandoned).then(wait.fill_null(0)).otherwise(0.0),
        talk_seconds=pl.when(answered).then(pl.col("talk_seconds").fill_null(0)).otherwise(0.0),
        hold_seconds=pl.when(answered).then(pl.col("hold_seconds").fill_null(0)).otherwise(0.0),
        hold_calls=(answered & pl.col("hold_seconds").is_not_null()).cast(i),
        wrap_seconds=pl.when(answered).then(pl.col("wrap_seconds").fill_null(0)).otherwise(0.0),
        wrap_calls=(answered & pl.col("wrap_seconds").is_not_null()).cast(i),
        rings_total=pl.when(rings.is_not_null()).then(rings).otherwise(0.0).cast(i),
        rings_calls=rings.is_not_null().cast(i),
        rna_count=pl.col("rna_count").fill_null(0).cast(i),
        rna_seconds=pl.col("rna_seconds").fill_null(0.0),
    )


def agent_time_by_half_hour(
    calls: pl.DataFrame,
    segments: pl.DataFrame | None,
    shifts: pl.DataFrame | None,
    window: tuple[datetime, datetime] | None = None,
) -> pl.DataFrame:
    """Agent counters per (half-hour bucket, agent); with ``window``, only buckets inside it."""
    parts: list[pl.DataFrame] = []
    busy = calls.filter(
        (pl.col("result") == CallResult.ANSWERED)
        & pl.col("agent").is_not_null()
        & pl.col("answered_at").is_not_null()
    ).select(
        "agent",
        start=pl.col("answered_at"),
        end=pl.col("answered_at")
        + pl.duration(
            microseconds=(
                (pl.col("talk_seconds").fill_null(0) + pl.col("hold_seconds").fill_null(0)) * 1e6
            ).cast(pl.Int64)
        ),
    )
    busy = busy.filter(pl.col("end") > pl.col("start"))
    if busy.height:
        b = split_by_half_hour(busy, "start", "end")
        parts.append(b.group_by("bucket", "agent").agg(busy_seconds=pl.col("seconds").sum()))
    if segments is not None and segments.height:
        s = split_by_half_hour(segments, "start", "end")
        sec = pl.col("seconds")
        s = s.select(
            "bucket",
            "agent",
            logged_in_seconds=pl.when(pl.col("logged_in")).then(sec).otherwise(0.0),
            ready_seconds=pl.when(pl.col("ready")).then(sec).otherwise(0.0),
            paused_seconds=pl.when(pl.col("paused")).then(sec).otherwise(0.0),
            acw_seconds=pl.when(pl.col("acw")).then(sec).otherwise(0.0),
            scheduled_seconds=pl.when(pl.col("scheduled")).then(sec).otherwise(0.0),
            ready_in_schedule_seconds=pl.when(pl.col("scheduled") & pl.col("ready")).then(sec).otherwise(0.0),
        )
        parts.append(s.group_by("bucket", "agent").agg(pl.all().sum()))
    if shifts is not None and shifts.height:
        parts.append(
            shifts.group_by(bucket=pl.col("start").dt.truncate("30m"), agent=pl.col("agent")).agg(
                shifts_scheduled=pl.len().cast(pl.Int64),
                shifts_present=pl.col("present").sum().cast(pl.Int64),
            )
        )
    base = pl.DataFrame(schema={"bucket": UTC_US, "agent": pl.String})
    if not parts:
        return base.with_columns([pl.lit(0.0).alias(c) for c in AGENT_COUNTERS])
    if window is not None:
        lo = pl.lit(window[0]).cast(UTC_US)
        hi = pl.lit(window[1]).cast(UTC_US)
        parts = [p.filter((pl.col("bucket") >= lo) & (pl.col("bucket") < hi)) for p in parts]
    out = parts[0]
    for p in parts[1:]:
        out = out.join(p, on=["bucket", "agent"], how="full", coalesce=True)
    for c in AGENT_COUNTERS:
        if c not in out.columns:
            out = out.with_columns(pl.lit(0.0).alias(c))
    return out.with_columns([pl.col(c).fill_null(0) for c in AGENT_COUNTERS]).select(
        "bucket", "agent", *AGENT_COUNTERS
    )


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
    ind = call_indicators(calls, policy)
    base_calls = (
        ind.group_by("bucket", "agent", "queue")
        .agg([pl.col(c).sum() for c in CALL_COUNTERS])
        .with_columns(pl.col("agent").cast(pl.String), pl.col("queue").cast(pl.String))
    )
    base_agents = agent_time_by_half_hour(calls, segments, shifts, window)
    frames: list[pl.DataFrame] = []
    scopes = tuple(scopes)
    for g in granularities:
        pc = base_calls.with_columns(period_start=period_start(pl.col("bucket"), g, policy.time_zone))
        pa = base_agents.with_columns(period_start=period_start(pl.col("bucket"), g, policy.time_zone))
        for scope in scopes:
            if scope == "agent":
                keys = ["period_start", "agent"]
                c = pc.filter(pl.col("agent").is_not_null())
                a = pa
            elif scope == "queue":
                keys = ["period_start", "queue"]
                c = pc
                a = None
            elif scope == "center":
                keys = ["period_start"]
                c = pc
                a = pa
            else:
                raise ValueError(f"unknown scope {scope!r}")
            cg = c.group_by(keys).agg([pl.col(x).sum() for x in CALL_COUNTERS])
            if a is not None and a.height:
                ag = a.group_by(keys).agg([pl.col(x).sum() for x in AGENT_COUNTERS])
                cg = cg.join(ag, on=keys, how="full", coalesce=True)
            for x in COUNTERS:
                if x not in cg.columns:
                    cg = cg.with_columns(pl.lit(0).alias(x))
            cg = cg.with_columns([pl.col(x).fill_null(0) for x in COUNTERS])
            frames.append(
                cg.select(
                    [
                        pl.lit(g).alias("granularity"),
                        pl.col("period_start"),
                        (pl.col("agent") if "agent" in keys else pl.lit(None, dtype=pl.String)).alias(
                            "agent"
                        ),
                        (pl.col("queue") if "queue" in keys else pl.lit(None, dtype=pl.String)).alias(
                            "queue"
                        ),
                        *[
                            pl.col(x).cast(pl.Int64) if x in INTEGER_COUNTERS else pl.col(x).cast(pl.Float64)
                            for x in COUNTERS
                        ],
                    ]
                )
            )
    if not frames:
        return empty_rollup()
    return pl.concat(frames, how="vertical").sort(
        ["granularity", "period_start", "agent", "queue"], nulls_last=False
    )


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
