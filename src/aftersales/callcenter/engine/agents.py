"""Agent state timelines from queue_log agent events and schedules.

An agent is *logged in* while a member of at least one queue (ADDMEMBER /
AGENTLOGIN / AGENTCALLBACKLOGIN open a membership, the matching REMOVE / LOGOFF
closes it; memberships are counted per queue so duplicate lines and agents in
several queues do not confuse the count). *Paused* follows the last
PAUSE/UNPAUSE; joining a queue starts unpaused, as Asterisk does. A pause whose
reason is an after-call-work reason is after-call work. *Ready* is logged in
and not paused. *Scheduled* comes from the center's schedules, which no ACD has.

The timeline is a list of segments ``[start, end)`` with those flags; rollups
split them into half hours.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from .grouping import decode, dictionary, encode, timeline_order
from .queue_log import LOGIN_EVENTS, LOGOFF_EVENTS, PAUSE_EVENTS, UNPAUSE_EVENTS
from .records import UTC_US

SEGMENT_SCHEMA: dict[str, pl.DataType] = {
    "agent": pl.String(),
    "start": UTC_US,
    "end": UTC_US,
    "logged_in": pl.Boolean(),
    "ready": pl.Boolean(),
    "paused": pl.Boolean(),
    "acw": pl.Boolean(),
    "scheduled": pl.Boolean(),
}

SHIFT_SCHEMA: dict[str, pl.DataType] = {"agent": pl.String(), "start": UTC_US, "present": pl.Boolean()}

# Kinds of agent events on the timeline (membership kinds first).
_LOGIN, _LOGOFF, _PAUSE, _UNPAUSE = 1, 2, 3, 4


def empty_segments() -> pl.DataFrame:
    return pl.DataFrame(schema=SEGMENT_SCHEMA)


def agent_segments(
    events: pl.DataFrame,
    schedules: pl.DataFrame | None,
    *,
    horizon_end: datetime,
    acw_reasons: tuple[str, ...] = (),
    schedule_end: datetime | None = None,
) -> pl.DataFrame:
    """Segments of constant state per agent.

    Logged-in states end at ``horizon_end``, the last moment the data knows
    about (an agent still logged in when the file ends is not assumed to stay
    so). Scheduled time runs to ``schedule_end`` (default the same), so that a
    shift nobody logged in for still counts against adherence.
    """
    e = pl.col("event")
    kind = (
        pl.when(e.is_in(list(LOGIN_EVENTS)))
        .then(pl.lit(_LOGIN, pl.Int8))
        .when(e.is_in(list(LOGOFF_EVENTS)))
        .then(pl.lit(_LOGOFF, pl.Int8))
        .when(e.is_in(list(PAUSE_EVENTS)))
        .then(pl.lit(_PAUSE, pl.Int8))
        .when(e.is_in(list(UNPAUSE_EVENTS)))
        .then(pl.lit(_UNPAUSE, pl.Int8))
    )
    ev = events.with_columns(_k=kind).filter(pl.col("_k").is_not_null()) if events.height else events
    sched = schedules.filter(pl.col("end") > pl.col("start")) if schedules is not None else None
    if ev.height == 0 and (sched is None or sched.height == 0):
        return empty_segments()
    agents = dictionary(ev.get_column("agent"), *(() if sched is None else (sched.get_column("agent"),)))
    reasons = set(acw_reasons)
    blank_is_acw = "" in reasons
    frames: list[pl.DataFrame] = []
    seqs: list[pl.Series] = []
    if ev.height:
        # After-call work is decided once per distinct pause reason, not per line.
        raw = ev.select(pl.col("reason").fill_null("").unique()).to_series()
        normal = raw.str.strip_chars().str.to_lowercase()
        acw_raw = raw.filter(normal.is_in(list(reasons))) if reasons else raw.clear()
        k = pl.col("_k")
        opens = (k == _LOGIN) | (k == _UNPAUSE)
        frames.append(
            ev.lazy()
            .select(
                _a=pl.Series(encode(ev.get_column("agent"), agents)),
                ts=pl.col("occurred_at"),
                _row=pl.int_range(pl.len(), dtype=pl.UInt32),
                _mem=k <= _LOGOFF,
                _state=(k == _LOGIN).cast(pl.Int8),
                pause_state=pl.when(k == _PAUSE)
                .then(pl.lit(1, pl.Int8))
                .when(opens)
                .then(pl.lit(0, pl.Int8)),
                _acw=pl.when(k == _PAUSE)
                .then(pl.col("reason").fill_null("").is_in(acw_raw.implode()))
                .when(opens)
                .then(pl.lit(blank_is_acw)),
                d_sched=pl.lit(0, pl.Int8),
            )
            .collect()
        )
        seqs.append(ev.get_column("seq").cast(pl.Int64))
    if sched is not None and sched.height:
        codes = pl.Series(encode(sched.get_column("agent"), agents))
        for col, delta, seq in (("start", 1, 1), ("end", -1, 0)):
            frames.append(
                sched.select(
                    _a=codes,
                    ts=pl.col(col).cast(UTC_US),
                    _row=pl.lit(None, pl.UInt32),
                    _mem=pl.lit(False),
                    _state=pl.lit(0, pl.Int8),
                    pause_state=pl.lit(None, pl.Int8),
                    _acw=pl.lit(None, pl.Boolean),
                    d_sched=pl.lit(delta, pl.Int8),
                )
            )
            seqs.append(pl.repeat(seq, sched.height, dtype=pl.Int64, eager=True))
    tl = pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]
    seq_all = pl.concat(seqs) if len(seqs) > 1 else seqs[0]
    # One sort puts each agent's rows together in time order; running values are then computed
    # over the whole column, restarted at each agent's first row, instead of per-group windows.
    order, times = timeline_order(tl.get_column("_a").to_numpy(), tl.get_column("ts"), seq_all)
    tl = tl.drop("ts")[order].with_columns(ts=times)
    # Queue memberships are counted per (agent, queue): a duplicate ADDMEMBER adds nothing.
    mem_rows = tl.select(pl.col("_mem").arg_true()).to_series()
    if mem_rows.len():
        mem = tl[mem_rows].select("_a", "_state", "_row")
        mem = mem.with_columns(
            _q=ev.get_column("queue").fill_null("NONE").gather(mem.get_column("_row"))
        ).select(_d=pl.col("_state") - pl.col("_state").shift(1).over("_a", "_q").fill_null(0))
        d_member = pl.zeros(tl.height, pl.Int64, eager=True).scatter(mem_rows, mem.get_column("_d"))
    else:
        d_member = pl.zeros(tl.height, pl.Int64, eager=True)
    tl = tl.with_columns(d_member=d_member)
    first = (pl.col("_a") != pl.col("_a").shift(1)).fill_null(True)
    last = (pl.col("_a") != pl.col("_a").shift(-1)).fill_null(True)
    data_end = pl.lit(horizon_end).cast(UTC_US)
    plan_end = pl.lit(schedule_end if schedule_end is not None else horizon_end).cast(UTC_US)
    horizon = pl.max_horizontal(data_end, plan_end)

    def running_sum(col: str) -> pl.Expr:
        total = pl.col(col).cast(pl.Int64).cum_sum()
        return total - pl.when(first).then(total - pl.col(col)).otherwise(None).forward_fill()

    # Lazily, so that the first/last-row conditions are evaluated once and the filters fuse.
    seg = tl.lazy().with_columns(
        _members=running_sum("d_member"),
        _sched=running_sum("d_sched"),
        _paused=pl.when(first)
        .then(pl.col("pause_state").fill_null(0))
        .otherwise(pl.col("pause_state"))
        .forward_fill(),
        _acw=pl.when(first)
        .then(pl.col("_acw").fill_null(blank_is_acw))
        .otherwise(pl.col("_acw"))
        .forward_fill(),
        _end=pl.when(last).then(horizon).otherwise(pl.col("ts").shift(-1)),
    )
    logged_in = pl.col("_members") > 0
    paused = logged_in & (pl.col("_paused") == 1)
    seg = seg.select(
        "_a",
        start="ts",
        end=pl.min_horizontal(pl.col("_end"), horizon),
        logged_in=logged_in,
        ready=logged_in & ~paused,
        paused=paused,
        acw=paused & pl.col("_acw"),
        scheduled=pl.col("_sched") > 0,
    )
    if schedule_end is None or schedules is None or schedules.height == 0:
        # No plan: every segment is known data and ends with the data.
        seg = seg.with_columns(end=pl.min_horizontal("end", data_end)).filter(
            (pl.col("end") > pl.col("start")) & (pl.col("logged_in") | pl.col("scheduled"))
        )
        return _named(seg.collect(), agents)
    # Past the end of the data nobody is known to be logged in; only the plan remains, up to its end.
    known = seg.filter(pl.col("start") < data_end).with_columns(end=pl.min_horizontal("end", data_end))
    planned = (
        seg.filter(pl.col("end") > data_end)
        .with_columns(
            start=pl.max_horizontal("start", data_end),
            end=pl.min_horizontal("end", plan_end),
            logged_in=pl.lit(False),
            ready=pl.lit(False),
            paused=pl.lit(False),
            acw=pl.lit(False),
        )
        .filter(pl.col("scheduled"))
    )
    seg = pl.concat([known, planned], how="vertical").filter(
        (pl.col("end") > pl.col("start")) & (pl.col("logged_in") | pl.col("scheduled"))
    )
    return _named(seg.collect(), agents)


def _named(seg: pl.DataFrame, agents: pl.Series) -> pl.DataFrame:
    """Segments keyed by agent code, with the agent's name in place of the code."""
    names = decode(seg.get_column("_a").to_numpy(), agents)
    return seg.with_columns(agent=names).select([pl.col(c).cast(t) for c, t in SEGMENT_SCHEMA.items()])


def shift_attendance(segments: pl.DataFrame, schedules: pl.DataFrame | None) -> pl.DataFrame:
    """Each scheduled shift with ``present``: was the agent logged in at any time during it.

    Segments are cut at every shift start (schedule starts are timeline rows), so
    a segment that overlaps a shift starts inside it and an as-of join finds it.
    """
    if schedules is None or schedules.height == 0:
        return pl.DataFrame(schema=SHIFT_SCHEMA)
    shifts = (
        schedules.filter(pl.col("end") > pl.col("start"))
        .select("agent", "start", "end")
        .unique()
        .sort(["agent", "start"])
        .with_row_index("_shift")
    )
    on_shift = (
        segments.filter(pl.col("logged_in") & pl.col("scheduled"))
        .select("agent", seg_start="start")
        .sort(["agent", "seg_start"])
    )
    if on_shift.height:
        hit = on_shift.join_asof(
            shifts.select("agent", "_shift", "start", "end").sort(["agent", "start"]),
            left_on="seg_start",
            right_on="start",
            by="agent",
            strategy="backward",
            check_sortedness=False,  # both sides are sorted by (agent, start) just above
        ).filter(pl.col("_shift").is_not_null() & (pl.col("seg_start") < pl.col("end")))
        present_ids = hit.select(pl.col("_shift").unique())
    else:
        present_ids = pl.DataFrame(schema={"_shift": pl.UInt32})
    out = shifts.with_columns(present=pl.col("_shift").is_in(present_ids.get_column("_shift").implode()))
    return out.select([pl.col(c).cast(t) for c, t in SHIFT_SCHEMA.items()])


def split_by_half_hour(df: pl.DataFrame, start: str, end: str) -> pl.DataFrame:
    """One row per (row, half hour it overlaps) with ``bucket`` and the overlap ``seconds``.

    Half hours are cut in UTC, which is the same cut as in local time for every
    zone whose offset is a whole number of half hours (Asia/Shanghai is +08:00).
    Most rows (a call, a short pause) fit in one half hour and skip the explode.
    """
    step = timedelta(minutes=30)
    step_us = int(step.total_seconds() * 1_000_000)
    b0 = pl.col(start).dt.truncate("30m")
    df = df.with_columns(_b0=b0)
    inside = pl.col(end) <= pl.col("_b0") + step
    single = df.filter(inside).with_columns(
        bucket=pl.col("_b0"), seconds=(pl.col(end) - pl.col(start)).dt.total_microseconds() / 1_000_000
    )
    multi = df.filter(~inside)
    if multi.height:
        n = ((pl.col(end) - pl.col("_b0")).dt.total_microseconds() + step_us - 1) // step_us
        multi = multi.with_columns(_k=pl.int_ranges(0, n)).explode("_k")
        multi = multi.with_columns(bucket=pl.col("_b0") + pl.duration(microseconds=pl.col("_k") * step_us))
        overlap = pl.min_horizontal(pl.col(end), pl.col("bucket") + step) - pl.max_horizontal(
            pl.col(start), pl.col("bucket")
        )
        multi = multi.with_columns(seconds=overlap.dt.total_microseconds() / 1_000_000).drop("_k")
        single = pl.concat([single, multi], how="vertical")
    return single.drop("_b0")
