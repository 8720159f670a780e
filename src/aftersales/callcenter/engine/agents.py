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

_TIMELINE = {
    "agent": pl.String(),
    "ts": UTC_US,
    "seq": pl.Int64(),
    "d_member": pl.Int64(),
    "pause_state": pl.Int8(),
    "reason": pl.String(),
    "d_sched": pl.Int64(),
}


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
    frames: list[pl.DataFrame] = []
    e = pl.col("event")
    if events.height:
        ev = events
        mem = (
            ev.filter(e.is_in(list(LOGIN_EVENTS + LOGOFF_EVENTS)))
            .sort(["agent", "occurred_at", "seq"])
            .with_columns(
                _state=pl.when(e.is_in(list(LOGIN_EVENTS))).then(1).otherwise(0),
                _key=pl.concat_str([pl.col("agent"), pl.col("queue").fill_null("NONE")], separator="\x1f"),
            )
        )
        mem = mem.with_columns(_prev=pl.col("_state").shift(1).over("_key").fill_null(0))
        frames.append(
            mem.select(
                agent="agent",
                ts="occurred_at",
                seq="seq",
                d_member=(pl.col("_state") - pl.col("_prev")).cast(pl.Int64),
                pause_state=pl.when(e.is_in(list(LOGIN_EVENTS))).then(pl.lit(0, pl.Int8)),
                reason=pl.when(e.is_in(list(LOGIN_EVENTS))).then(pl.lit("")),
                d_sched=pl.lit(0, pl.Int64),
            )
        )
        pauses = ev.filter(e.is_in(list(PAUSE_EVENTS + UNPAUSE_EVENTS)))
        frames.append(
            pauses.select(
                agent="agent",
                ts="occurred_at",
                seq="seq",
                d_member=pl.lit(0, pl.Int64),
                pause_state=pl.when(e.is_in(list(PAUSE_EVENTS)))
                .then(pl.lit(1, pl.Int8))
                .otherwise(pl.lit(0, pl.Int8)),
                reason=pl.when(e.is_in(list(PAUSE_EVENTS)))
                .then(pl.col("reason").fill_null("").str.strip_chars().str.to_lowercase())
                .otherwise(pl.lit("")),
                d_sched=pl.lit(0, pl.Int64),
            )
        )
    if schedules is not None and schedules.height:
        sched = schedules.filter(pl.col("end") > pl.col("start"))
        for col, delta, seq in (("start", 1, 1), ("end", -1, 0)):
            frames.append(
                sched.select(
                    agent="agent",
                    ts=pl.col(col),
                    seq=pl.lit(seq, pl.Int64),
                    d_member=pl.lit(0, pl.Int64),
                    pause_state=pl.lit(None, pl.Int8),
                    reason=pl.lit(None, pl.String),
                    d_sched=pl.lit(delta, pl.Int64),
                )
            )
    if not frames:
        return empty_segments()
    tl = pl.concat(
        [f.select([pl.col(c).cast(t) for c, t in _TIMELINE.items()]) for f in frames], how="vertical"
    )
    # Sorting by an integer code per agent is much cheaper than by text; the rows of one
    # agent are then contiguous and running values can be computed over the whole column,
    # restarted at each agent's first row, instead of with per-group windows.
    tl = tl.with_columns(_a=pl.col("agent").cast(pl.Categorical).to_physical()).sort(["_a", "ts", "seq"])
    first = (pl.col("_a") != pl.col("_a").shift(1)).fill_null(True)
    last = (pl.col("_a") != pl.col("_a").shift(-1)).fill_null(True)
    data_end = pl.lit(horizon_end).cast(UTC_US)
    plan_end = pl.lit(schedule_end if schedule_end is not None else horizon_end).cast(UTC_US)
    horizon = pl.max_horizontal(data_end, plan_end)

    def running_sum(col: str) -> pl.Expr:
        total = pl.col(col).cum_sum()
        return total - pl.when(first).then(total - pl.col(col)).otherwise(None).forward_fill()

    tl = tl.with_columns(
        _members=running_sum("d_member"),
        _sched=running_sum("d_sched"),
        _paused=pl.when(first)
        .then(pl.col("pause_state").fill_null(0))
        .otherwise(pl.col("pause_state"))
        .forward_fill(),
        _reason=pl.when(first)
        .then(pl.col("reason").fill_null(""))
        .otherwise(pl.col("reason"))
        .forward_fill(),
        _end=pl.when(last).then(horizon).otherwise(pl.col("ts").shift(-1)),
    )
    logged_in = pl.col("_members") > 0
    paused = logged_in & (pl.col("_paused") == 1)
    seg = tl.select(
        agent="agent",
        start="ts",
        end=pl.min_horizontal(pl.col("_end"), horizon),
        logged_in=logged_in,
        ready=logged_in & ~paused,
        paused=paused,
        acw=paused & pl.col("_reason").is_in(list(acw_reasons)),
        scheduled=pl.col("_sched") > 0,
    )
    if schedule_end is None or schedules is None or schedules.height == 0:
        # No plan: every segment is known data and ends with the data.
        seg = seg.with_columns(end=pl.min_horizontal("end", data_end)).filter(
            (pl.col("end") > pl.col("start")) & (pl.col("logged_in") | pl.col("scheduled"))
        )
        return seg.select([pl.col(c).cast(t) for c, t in SEGMENT_SCHEMA.items()])
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
    return seg.select([pl.col(c).cast(t) for c, t in SEGMENT_SCHEMA.items()])


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
