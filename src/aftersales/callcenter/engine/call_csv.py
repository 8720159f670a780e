"""The documented call-record CSV (one row per call, UTF-8, header row) into call records.

Columns (spec): ``call_id`` and ``offered_at`` and ``result`` are required;
``queue, agent, call_type, queued_at, answered_at, ended_at, talk_seconds,
hold_seconds, wrap_seconds, rings, transferred, customer_phone`` are optional;
unknown columns are ignored. Times are ISO 8601; without an offset the
import's time zone applies. A row that breaks a rule is reported with its line
number and skipped; the other rows are imported.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import BinaryIO

import polars as pl

from .queue_log import count_lines, empty_partials, iter_line_chunks, stream_size
from .records import CALL_SCHEMA, CallResult, ImportResult, LineError, empty_agent_events, normalise_phone

REQUIRED = ("call_id", "offered_at", "result")
OPTIONAL = (
    "queue",
    "agent",
    "call_type",
    "queued_at",
    "answered_at",
    "ended_at",
    "talk_seconds",
    "hold_seconds",
    "wrap_seconds",
    "rings",
    "transferred",
    "customer_phone",
)
TIME_COLUMNS = ("offered_at", "queued_at", "answered_at", "ended_at")
NUMBER_COLUMNS = ("talk_seconds", "hold_seconds", "wrap_seconds", "rings")

_ISO = r"^(\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2})[T ](\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?$"


class MissingColumns(ValueError):
    """The header lacks a required column; nothing can be imported."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(", ".join(missing))


def parse_timestamp(expr: pl.Expr, time_zone: str) -> pl.Expr:
    """ISO 8601 text to a UTC datetime; a missing offset means ``time_zone``.

    Accepts ``T`` or a space between date and time, optional seconds and
    fraction, and ``Z``, ``+08:00``, ``+0800`` or ``+08``. Anything else is null.
    """
    parts = expr.str.strip_chars().str.extract_groups(_ISO)
    date = parts.struct.field("1").str.replace_all("/", "-", literal=True)
    clock = parts.struct.field("2").str.replace(",", ".", literal=True)
    clock = pl.when(clock.str.count_matches(":") == 1).then(clock + ":00").otherwise(clock)
    naive = (date + " " + clock).str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False, time_unit="us")
    offset = parts.struct.field("3")
    digits = offset.str.replace_all(r"[^0-9]", "")
    minutes = digits.str.slice(0, 2).cast(pl.Int64, strict=False) * 60 + pl.when(
        digits.str.len_chars() >= 4
    ).then(digits.str.slice(2, 2).cast(pl.Int64, strict=False)).otherwise(0)
    signed = (
        pl.when(offset == "Z").then(0).when(offset.str.starts_with("-")).then(-minutes).otherwise(minutes)
    )
    with_offset = (naive - pl.duration(minutes=signed)).dt.replace_time_zone("UTC")
    local = naive.dt.replace_time_zone(
        time_zone, ambiguous="earliest", non_existent="null"
    ).dt.convert_time_zone("UTC")
    return pl.when(offset.is_not_null()).then(with_offset).otherwise(local)


def _flag(expr: pl.Expr) -> pl.Expr:
    v = expr.str.strip_chars().str.to_lowercase()
    return v.is_in(["1", "true", "yes", "y", "t", "是"])


def _blank_to_null(expr: pl.Expr) -> pl.Expr:
    s = expr.str.strip_chars()
    return pl.when(s == "").then(None).otherwise(s)


def _rows_to_calls(
    df: pl.DataFrame, first_line: int, time_zone: str
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Validate and convert one chunk. Returns (calls, errors, blank_count)."""
    cols = [c for c in df.columns]
    blank = pl.all_horizontal([pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in cols])
    df = (
        df.with_row_index("_row")
        .with_columns(_line=pl.col("_row").cast(pl.Int64) + first_line, _blank=blank)
        .with_columns([_blank_to_null(pl.col(c)).alias(c) for c in cols])
    )
    blank_count = int(df.select(pl.col("_blank").sum()).item())
    df = df.filter(~pl.col("_blank"))
    for c in OPTIONAL:
        if c not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.String).alias(c))
    parsed = df.with_columns(
        *[parse_timestamp(pl.col(c), time_zone).alias(f"_{c}") for c in TIME_COLUMNS],
        *[pl.col(c).cast(pl.Float64, strict=False).alias(f"_{c}") for c in NUMBER_COLUMNS],
        _result=pl.col("result").str.to_lowercase(),
    )
    checks: list[tuple[pl.Expr, str]] = [
        (pl.col("call_id").is_null(), "call_id: required"),
        (pl.col("offered_at").is_null(), "offered_at: required"),
        (pl.col("_offered_at").is_null(), "offered_at: not an ISO 8601 time"),
        (~pl.col("_result").is_in(list(CallResult.ALL)), "result: not one of " + ", ".join(CallResult.ALL)),
    ]
    for c in TIME_COLUMNS[1:]:
        checks.append((pl.col(c).is_not_null() & pl.col(f"_{c}").is_null(), f"{c}: not an ISO 8601 time"))
    for c in NUMBER_COLUMNS:
        checks.append(
            (
                pl.col(c).is_not_null() & (pl.col(f"_{c}").is_null() | (pl.col(f"_{c}") < 0)),
                f"{c}: not a number >= 0",
            )
        )
    checks.append(
        (
            (pl.col("_result") == CallResult.ANSWERED) & pl.col("_answered_at").is_null(),
            "answered_at: required when result is answered",
        )
    )
    reason = pl.lit(None, dtype=pl.String)
    for cond, text in reversed(checks):
        reason = pl.when(cond).then(pl.lit(text)).otherwise(reason)
    parsed = parsed.with_columns(_reason=reason)
    bad = parsed.filter(pl.col("_reason").is_not_null())
    errors = bad.select(
        line=pl.col("_line"),
        reason=pl.col("_reason"),
        text=pl.concat_str([pl.col(c) for c in cols], separator=",", ignore_nulls=True),
    )
    good = parsed.filter(pl.col("_reason").is_null())
    answered = pl.col("_result") == CallResult.ANSWERED
    queued = pl.col("_queued_at")

    def secs(a: pl.Expr, b: pl.Expr) -> pl.Expr:
        return (a - b).dt.total_microseconds() / 1_000_000

    wait = (
        pl.when(answered)
        .then(pl.when(queued.is_null()).then(0.0).otherwise(secs(pl.col("_answered_at"), queued)))
        .when(pl.col("_result").is_in([CallResult.ABANDONED, CallResult.TIMEOUT]))
        .then(pl.when(queued.is_null()).then(0.0).otherwise(secs(pl.col("_ended_at"), queued)))
    )
    talk = pl.coalesce(
        pl.col("_talk_seconds"),
        pl.when(answered).then(
            secs(pl.col("_ended_at"), pl.col("_answered_at")) - pl.col("_hold_seconds").fill_null(0)
        ),
    )
    calls = good.select(
        call_id=pl.col("call_id"),
        queue=pl.col("queue"),
        agent=pl.when(answered).then(pl.col("agent")),
        call_type=pl.col("call_type"),
        customer_phone=normalise_phone(pl.col("customer_phone")),
        offered_at=pl.col("_offered_at"),
        queued_at=queued,
        answered_at=pl.col("_answered_at"),
        ended_at=pl.col("_ended_at"),
        wait_seconds=wait.clip(lower_bound=0.0),
        talk_seconds=pl.when(answered).then(talk.clip(lower_bound=0.0)),
        hold_seconds=pl.col("_hold_seconds"),
        wrap_seconds=pl.col("_wrap_seconds"),
        rings=pl.col("_rings").round().cast(pl.Int32),
        ring_seconds=pl.lit(None, dtype=pl.Float64),
        rna_count=pl.lit(None, dtype=pl.Int32),
        rna_seconds=pl.lit(None, dtype=pl.Float64),
        result=pl.col("_result"),
        transferred=answered & _flag(pl.col("transferred").fill_null("0")),
        exit_event=pl.lit(None, dtype=pl.String),
        first_line=pl.col("_line"),
    )
    return calls.select([pl.col(c).cast(t) for c, t in CALL_SCHEMA.items()]), errors, blank_count


def import_call_csv(
    source: str | os.PathLike[str] | BinaryIO,
    *,
    time_zone: str = "Asia/Shanghai",
    chunk_bytes: int = 16 * 1024 * 1024,
    max_errors_kept: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Read a call-record CSV. Raises MissingColumns when a required column is absent."""
    own = not hasattr(source, "read")
    stream: BinaryIO = open(source, "rb") if own else source  # type: ignore[arg-type,assignment]  # noqa: SIM115
    try:
        total = stream_size(stream)
        header_line = stream.readline()
        done = len(header_line)
        header = [
            h.strip().strip('"').lower()
            for h in header_line.decode("utf-8-sig", errors="replace").strip().split(",")
        ]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise MissingColumns(missing)
        line_no = 2
        frames: list[pl.DataFrame] = []
        error_frames: list[pl.DataFrame] = []
        error_count = kept = blank = 0
        for chunk in iter_line_chunks(stream, chunk_bytes):
            n_lines = count_lines(chunk)
            if b"\r" in chunk:
                chunk = chunk.replace(b"\r\n", b"\n")
            df = pl.read_csv(
                io.BytesIO(chunk),
                has_header=False,
                schema={c: pl.String for c in header},
                truncate_ragged_lines=True,
                missing_columns="insert",
                encoding="utf8-lossy",
                raise_if_empty=False,
            )
            keep = [c for c in header if c in REQUIRED or c in OPTIONAL]
            calls, errors, blanks = _rows_to_calls(df.select(keep), line_no, time_zone)
            blank += blanks
            frames.append(calls)
            if errors.height:
                error_count += errors.height
                room = max_errors_kept - kept
                if room > 0:
                    error_frames.append(errors.head(room))
                    kept += min(room, errors.height)
            line_no += n_lines
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    finally:
        if own:
            stream.close()
    calls = pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=CALL_SCHEMA)
    calls = calls.unique(subset="call_id", keep="first", maintain_order=True)
    errs = pl.concat(error_frames, how="vertical") if error_frames else None
    span = (
        calls.select(pl.col("offered_at").min().alias("a"), pl.col("offered_at").max().alias("b")).row(0)
        if calls.height
        else (None, None)
    )
    return ImportResult(
        calls=calls,
        agent_events=empty_agent_events(),
        open_calls=empty_partials(),
        errors=[LineError(line=r[0], reason=r[1], text=r[2] or "") for r in errs.iter_rows()]
        if errs is not None
        else [],
        error_count=error_count,
        lines=line_no - 1,
        blank_lines=blank,
        data_start=span[0],
        data_end=span[1],
    )
