"""Column layouts shared by the parsers, the rollups and the Django storage.

A *call record* is one call as the center received it, whatever the source ACD.
An *agent event* is one change of an agent's state (joined or left a queue,
paused, unpaused). Everything is UTC inside; local time only decides which
half hour, day or month a call belongs to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

UTC_US = pl.Datetime("us", "UTC")


class CallResult:
    """``result`` values of the call-record CSV (and of every imported call)."""

    ANSWERED = "answered"
    ABANDONED = "abandoned"  # caller hung up while queued
    TIMEOUT = "timeout"  # left the queue without an answer and without hanging up
    IVR = "ivr"  # ended in self-service, never queued
    BLOCKED = "blocked"  # busy signal, never reached the ACD

    ALL = (ANSWERED, ABANDONED, TIMEOUT, IVR, BLOCKED)


CALL_SCHEMA: dict[str, pl.DataType] = {
    "call_id": pl.String(),
    "queue": pl.String(),
    "agent": pl.String(),
    "call_type": pl.String(),
    "customer_phone": pl.String(),
    "offered_at": UTC_US,
    "queued_at": UTC_US,
    "answered_at": UTC_US,
    "ended_at": UTC_US,
    "wait_seconds": pl.Float64(),
    "talk_seconds": pl.Float64(),
    "hold_seconds": pl.Float64(),
    "wrap_seconds": pl.Float64(),
    "rings": pl.Int32(),
    "ring_seconds": pl.Float64(),
    "rna_count": pl.Int32(),
    "rna_seconds": pl.Float64(),
    "result": pl.String(),
    "transferred": pl.Boolean(),
    "exit_event": pl.String(),
    "first_line": pl.Int64(),
}

AGENT_EVENT_SCHEMA: dict[str, pl.DataType] = {
    "agent": pl.String(),
    "queue": pl.String(),
    "event": pl.String(),
    "occurred_at": UTC_US,
    "reason": pl.String(),
    "seq": pl.Int64(),
}

SCHEDULE_SCHEMA: dict[str, pl.DataType] = {
    "agent": pl.String(),
    "start": UTC_US,
    "end": UTC_US,
}


def empty_calls() -> pl.DataFrame:
    return pl.DataFrame(schema=CALL_SCHEMA)


def empty_agent_events() -> pl.DataFrame:
    return pl.DataFrame(schema=AGENT_EVENT_SCHEMA)


def empty_schedules() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEDULE_SCHEMA)


@dataclass(frozen=True)
class LineError:
    """A line the importer could not read: its number in the file, why, and its text."""

    line: int
    reason: str
    text: str


@dataclass
class ImportResult:
    """What one file turned into.

    ``open_calls`` are calls without an ending event yet (still in progress when
    the file was cut, or ended in a later file); they are kept as mergeable
    partial rows and fed back into the next import.
    """

    calls: pl.DataFrame
    agent_events: pl.DataFrame
    open_calls: pl.DataFrame
    errors: list[LineError] = field(default_factory=list)
    error_count: int = 0
    lines: int = 0
    blank_lines: int = 0
    ignored_events: int = 0
    data_start: object = None
    data_end: object = None

    @property
    def call_count(self) -> int:
        return self.calls.height


def normalise_phone(expr: pl.Expr) -> pl.Expr:
    """Caller numbers as digits with an optional leading +; anything else is dropped."""
    cleaned = expr.str.replace_all(r"[^0-9+]", "")
    return pl.when(cleaned.str.len_chars() > 0).then(cleaned).otherwise(None)


# Channel technologies an Asterisk agent field may start with. "Local/1127@callback-agent",
# "Agent/1127", "SIP/1127-0000a1b2" and "PJSIP/1127" are the same agent 1127.
_CHANNEL_PREFIX = r"^(?:Agent|SIP|PJSIP|IAX2|Local|DAHDI|Zap|Skype|Motif|WebRTC|Console)/"


def normalise_agent(expr: pl.Expr) -> pl.Expr:
    """The agent's stable code from an Asterisk agent field (name or channel).

    Member names such as "Agent 04" are kept; channels lose their technology
    prefix, dial context and the per-call channel suffix. "NONE" and empty mean
    no agent.
    """
    s = expr.str.strip_chars()
    s = s.str.replace(_CHANNEL_PREFIX, "")
    s = s.str.replace(r"@.*$", "")
    s = s.str.replace(r"-[0-9a-fA-F]{8}(?:;[12])?$", "")
    return pl.when(s.is_null() | (s == "") | (s.str.to_uppercase() == "NONE")).then(None).otherwise(s)


def map_distinct(frame: pl.DataFrame, column: str, fn: Callable[[pl.Expr], pl.Expr]) -> pl.DataFrame:
    """Apply a string function once per distinct value of a column.

    Agent and queue names repeat on millions of rows but take a few hundred
    values; regular expressions run on those few and the result is mapped back.
    """
    col = pl.col(column).cast(pl.String)
    keys = frame.select(col.unique().drop_nulls()).to_series()
    return frame.with_columns(map_names(col, keys, fn).alias(column))


def map_names(expr: pl.Expr, names: pl.Series, fn: Callable[[pl.Expr], pl.Expr]) -> pl.Expr:
    """``fn(expr)`` computed on the distinct ``names`` only; every non-null value of ``expr`` is one."""
    if names.len() == 0:
        return expr.cast(pl.String)
    table = pl.DataFrame({"k": names.cast(pl.String)}).select("k", v=fn(pl.col("k")))
    return expr.replace_strict(
        table.get_column("k"), table.get_column("v"), default=None, return_dtype=pl.String
    )
