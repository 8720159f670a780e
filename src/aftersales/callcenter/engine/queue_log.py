"""Asterisk ``queue_log`` into call records and agent state events.

Two layouts are read:

- the raw file as Asterisk writes it: ``epoch|callid|queue|agent|event|data1|...``,
  a variable number of fields, no quoting;
- the realtime queue_log *table* exported as CSV with a header: the standard
  ``time, callid, queuename, agent, event, data1..data5`` (or one ``data`` column
  holding ``data1|data2|...``), and the common export layout
  ``date_time, callid, queue_name, type, event, param1..3, entpos, expos, htime, ttime``
  where the numbers Asterisk writes into data fields live in named columns.

The file is read in chunks of whole lines, so memory stays bounded and progress
can be reported. Each chunk is reduced to one *partial* row per call id holding
the decisive events (first ENTERQUEUE, first CONNECT, first answered ending,
last unanswered ending); partials of the same call from different chunks, or
from an earlier file (calls still open when that file ended), merge into one.
That makes the import insensitive to duplicate lines, lines out of time order
and calls that span files.

Event meanings (Asterisk's documented data fields):

==================  =====================================================
ENTERQUEUE          url | callerid | position
CONNECT             holdtime (s) | bridged uniqueid | ringtime (s)
RINGNOANSWER        ringtime (ms)
COMPLETECALLER/     holdtime | calltime | origposition
COMPLETEAGENT
TRANSFER,           extension | context | holdtime | calltime | origposition
BLINDTRANSFER
ATTENDEDTRANSFER    method | method data... | holdtime | calltime | origposition
ABANDON,            position | origposition | waittime
EXITWITHTIMEOUT,
EXITEMPTY
EXITWITHKEY         key | position | origposition | waittime
==================  =====================================================
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, BinaryIO

import polars as pl

from .records import (
    AGENT_EVENT_SCHEMA,
    CALL_SCHEMA,
    UTC_US,
    CallResult,
    ImportResult,
    LineError,
    empty_agent_events,
    empty_calls,
    map_names,
    normalise_agent,
    normalise_phone,
)

RAW_COLUMNS = ["time", "callid", "queue", "agent", "event", "data1", "data2", "data3", "data4", "data5"]
DATA_COLUMNS = RAW_COLUMNS[5:]

ENTERQUEUE = "ENTERQUEUE"
CONNECT = "CONNECT"
RINGNOANSWER = "RINGNOANSWER"
COMPLETES = ("COMPLETECALLER", "COMPLETEAGENT")
TRANSFERS = ("TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER")
ANSWERED_ENDINGS = COMPLETES + TRANSFERS
UNANSWERED_ENDINGS = ("ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY")
CALL_EVENTS = frozenset(
    ("DID", ENTERQUEUE, CONNECT, RINGNOANSWER, "RINGCANCELED") + ANSWERED_ENDINGS + UNANSWERED_ENDINGS
)
LOGIN_EVENTS = ("ADDMEMBER", "AGENTLOGIN", "AGENTCALLBACKLOGIN")
LOGOFF_EVENTS = ("REMOVEMEMBER", "AGENTLOGOFF", "AGENTCALLBACKLOGOFF")
PAUSE_EVENTS = ("PAUSE", "PAUSEALL")
UNPAUSE_EVENTS = ("UNPAUSE", "UNPAUSEALL")
AGENT_EVENTS = frozenset(LOGIN_EVENTS + LOGOFF_EVENTS + PAUSE_EVENTS + UNPAUSE_EVENTS)

# Epochs outside these bounds are typos or a broken clock, not call-center history.
_MIN_EPOCH = 946_684_800  # 2000-01-01
_MAX_EPOCH = 4_102_444_800  # 2100-01-01

# About 250,000 lines: large enough for Polars to use every core, small enough to keep memory flat.
DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024

PARTIAL_SCHEMA: dict[str, pl.DataType] = {
    "callid": pl.String(),
    "first_ts": UTC_US,
    "last_ts": UTC_US,
    "first_line": pl.Int64(),
    "enter_ts": UTC_US,
    "enter_queue": pl.Categorical(),
    "callerid": pl.String(),
    "conn_ts": UTC_US,
    "conn_agent": pl.Categorical(),
    "conn_hold": pl.Float64(),
    "conn_ring": pl.Float64(),
    "end_ts": UTC_US,
    "end_event": pl.Categorical(),
    "end_agent": pl.Categorical(),
    "end_queue": pl.Categorical(),
    "end_hold": pl.Float64(),
    "end_talk": pl.Float64(),
    "exit_ts": UTC_US,
    "exit_event": pl.Categorical(),
    "exit_queue": pl.Categorical(),
    "exit_wait": pl.Float64(),
    "rna_count": pl.Int32(),
    "rna_ms": pl.Float64(),
}

# Which partial columns travel with which event's timestamp when partials merge.
_FIRST_GROUPS = {
    "enter_ts": ("enter_queue", "callerid"),
    "conn_ts": ("conn_agent", "conn_hold", "conn_ring"),
    "end_ts": ("end_event", "end_agent", "end_queue", "end_hold", "end_talk"),
}
_LAST_GROUPS = {"exit_ts": ("exit_event", "exit_queue", "exit_wait")}


def empty_partials() -> pl.DataFrame:
    return pl.DataFrame(schema=PARTIAL_SCHEMA)


@dataclass(frozen=True)
class QueueLogOptions:
    """Import knobs; the Django side fills them from the call-center policy."""

    time_zone: str = "Asia/Shanghai"  # for naive datetimes in the table layout only
    chunk_bytes: int = DEFAULT_CHUNK_BYTES
    max_errors_kept: int = 1000
    # A call id seen only outside any queue (no ENTERQUEUE, CONNECT or ending) whose
    # last event is this much older than the end of the data ended in self-service.
    ivr_close_after: timedelta = timedelta(hours=4)


# ---------------------------------------------------------------------------
# Reading chunks of whole lines
# ---------------------------------------------------------------------------


def iter_line_chunks(stream: BinaryIO, chunk_bytes: int) -> Iterator[bytes]:
    """Blocks of the stream cut after a newline, so no line is split between two blocks.

    The stream is read into one reusable buffer; each block is a single copy
    out of it, and only the partial line after the cut is carried over.
    """
    buf = bytearray(max(1, chunk_bytes))
    filled = 0
    while True:
        if filled == len(buf):
            # One line longer than the buffer: make room for more of it.
            buf.extend(bytes(len(buf)))
        with memoryview(buf) as view:
            n = _read_into(stream, view[filled:])
        if not n:
            if filled:
                yield bytes(buf[:filled])
            return
        end = filled + n
        cut = buf.rfind(b"\n", filled, end)
        filled = end
        if cut < 0:
            continue
        with memoryview(buf) as view:
            block = bytes(view[: cut + 1])
        rest = end - cut - 1
        buf[:rest] = buf[cut + 1 : end]
        filled = rest
        yield block


def _read_into(stream: BinaryIO, view: memoryview) -> int:
    readinto = getattr(stream, "readinto", None)
    if readinto is not None:
        return int(readinto(view) or 0)
    data = stream.read(len(view))
    view[: len(data)] = data
    return len(data)


def count_lines(chunk: bytes) -> int:
    return chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)


RAW_SCHEMA: dict[str, pl.DataType] = {c: pl.String() for c in RAW_COLUMNS}


def _read_raw_chunk(chunk: bytes) -> pl.DataFrame:
    if b"\r" in chunk:
        chunk = chunk.replace(b"\r\n", b"\n")
    # Fields past data5 are dropped on every line, the first one included.
    return _read_csv_text(chunk, separator="|", schema=RAW_SCHEMA, quote_char=None, extra_columns="ignore")


def _read_csv_text(chunk: bytes, **options: Any) -> pl.DataFrame:
    """Read a block of CSV lines; invalid UTF-8 is replaced rather than refused.

    Checking the encoding while parsing is much cheaper than repairing the whole
    block up front, so the repairing read only runs for a block that needs it.
    """
    common: dict[str, Any] = {
        "has_header": False,
        "truncate_ragged_lines": True,
        "missing_columns": "insert",
        "raise_if_empty": False,
    }
    try:
        return pl.read_csv(chunk, encoding="utf8", **common, **options)
    except pl.exceptions.ComputeError:
        return pl.read_csv(chunk, encoding="utf8-lossy", **common, **options)


def _epoch(text: pl.Expr) -> pl.Expr:
    """Epoch seconds (as Asterisk writes them) to a UTC datetime; null when not a plausible epoch."""
    epoch = text.cast(pl.Float64, strict=False)
    epoch = pl.when((epoch >= _MIN_EPOCH) & (epoch < _MAX_EPOCH)).then(epoch).otherwise(None)
    return pl.from_epoch((epoch * 1_000_000).round().cast(pl.Int64), time_unit="us").dt.replace_time_zone(
        "UTC"
    )


def _whole_epoch(text: pl.Expr) -> pl.Expr:
    """:func:`_epoch` for whole seconds, the way Asterisk writes them; null for anything else.

    Parsing an integer is several times cheaper than parsing a float, and gives
    the same instant for every text both accept.
    """
    epoch = text.cast(pl.Int64, strict=False)
    epoch = pl.when((epoch >= _MIN_EPOCH) & (epoch < _MAX_EPOCH)).then(epoch * 1_000_000)
    return epoch.cast(UTC_US)


def _datetime_text(text: pl.Expr, time_zone: str) -> pl.Expr:
    """A datetime text as the realtime table stores it, in the PBX's zone, to UTC."""
    iso = text.str.strip_chars().str.replace("T", " ", literal=True)
    local = pl.coalesce(
        iso.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False, time_unit="us"),
        iso.str.to_datetime("%Y-%m-%d %H:%M", strict=False, time_unit="us"),
    )
    return local.dt.replace_time_zone(
        time_zone, ambiguous="earliest", non_existent="null"
    ).dt.convert_time_zone("UTC")


def _classify(df: pl.DataFrame, first_line: int, time_zone: str) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Split a chunk into readable events, unreadable lines and blank lines.

    Returns (events, errors, blank_count). ``events`` has ``line``, ``ts`` (UTC),
    ``callid``, ``queue``, ``agent``, ``event`` and the five data fields.
    """
    # Lazily, so that the time text is parsed once for the bounds check and the value.
    df = (
        df.lazy()
        .with_columns(
            line=pl.int_range(pl.len(), dtype=pl.Int64) + first_line, ts=_whole_epoch(pl.col("time"))
        )
        .collect()
    )
    # Only lines whose time is not a whole epoch pay for the slower text parsing (fractions,
    # realtime tables, typos).
    if df.select((pl.col("ts").is_null() & pl.col("time").is_not_null()).any()).item():
        df = df.with_columns(
            ts=pl.coalesce(
                pl.col("ts"),
                _epoch(pl.col("time")),
                _epoch(pl.col("time").str.strip_chars()),
                _datetime_text(pl.col("time"), time_zone),
            )
        )
    blank = pl.col("time").is_null() & pl.col("callid").is_null() & pl.col("event").is_null()
    ok = pl.col("ts").is_not_null() & pl.col("event").is_not_null() & pl.col("callid").is_not_null()
    counts = df.select(blank=blank.sum(), ok=ok.sum()).row(0)
    blank_count = int(counts[0])
    errors = pl.DataFrame(schema={"line": pl.Int64, "reason": pl.String, "text": pl.String})
    events = [c for c in df.columns if c != "time"]
    if counts[1] == df.height:
        return df[events], errors, blank_count
    bad = df.filter(~ok & ~blank)
    if bad.height:
        errors = bad.select(
            "line",
            reason=pl.when(pl.col("ts").is_null())
            .then(pl.lit("time"))
            .when(pl.col("callid").is_null())
            .then(pl.lit("callid"))
            .otherwise(pl.lit("event")),
            text=pl.concat_str(
                [pl.col(c).cast(pl.String) for c in RAW_COLUMNS], separator="|", ignore_nulls=True
            ),
        )
    return df.filter(ok)[events], errors, blank_count


# ---------------------------------------------------------------------------
# Per-chunk reduction to partial call rows
# ---------------------------------------------------------------------------


def _canonical_attended_transfers(ce: pl.DataFrame) -> pl.DataFrame:
    """Move ATTENDEDTRANSFER's trailing holdtime|calltime|origposition to data3..data5.

    Its leading fields vary by method (BRIDGE, APP, LINK), so the numbers are
    found from the end.
    """
    is_att = pl.col("event") == "ATTENDEDTRANSFER"
    if not ce.select(is_att.any()).item():
        return ce
    att = ce.filter(is_att)
    rest = ce.filter(~is_att)
    fields = pl.concat_list([pl.col(c).fill_null("") for c in DATA_COLUMNS]).list.eval(
        pl.element().filter(pl.element() != "")
    )
    att = att.with_columns(_f=fields).with_columns(
        data3=pl.col("_f").list.get(-3, null_on_oob=True),
        data4=pl.col("_f").list.get(-2, null_on_oob=True),
        data5=pl.col("_f").list.get(-1, null_on_oob=True),
    )
    return pl.concat([rest, att.drop("_f")], how="vertical").sort("line")


def _num(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars().cast(pl.Float64, strict=False)


def _numbers(frame: pl.DataFrame, **texts: pl.Expr) -> pl.DataFrame:
    """``frame`` with number columns read from text; blanks around a number are allowed.

    The plain parse refuses blanks, so only a column where it failed on some
    text is read again with the blanks stripped.
    """
    out = frame.with_columns(**{name: text.cast(pl.Float64, strict=False) for name, text in texts.items()})
    failed = out.select(
        **{name: (pl.col(name).is_null() & text.is_not_null()).any() for name, text in texts.items()}
    ).row(0, named=True)
    again = {name: _num(texts[name]) for name, bad in failed.items() if bad}
    return out.with_columns(**again) if again else out


# Partial columns taken from the decisive row of each kind: (column, which row, source column).
_PICKS = (
    ("enter_ts", "_i_enter", "ts"),
    ("enter_queue", "_i_enter", "queue"),
    ("callerid", "_i_enter", "data2"),
    ("conn_ts", "_i_conn", "ts"),
    ("conn_agent", "_i_conn", "agent"),
    ("_conn_d1", "_i_conn", "data1"),
    ("_conn_d3", "_i_conn", "data3"),
    ("end_ts", "_i_end", "ts"),
    ("end_event", "_i_end", "event"),
    ("end_agent", "_i_end", "agent"),
    ("end_queue", "_i_end", "queue"),
    ("_end_d1", "_i_end", "data1"),
    ("_end_d2", "_i_end", "data2"),
    ("_end_d3", "_i_end", "data3"),
    ("_end_d4", "_i_end", "data4"),
    ("exit_ts", "_i_exit", "ts"),
    ("exit_event", "_i_exit", "event"),
    ("exit_queue", "_i_exit", "queue"),
    ("_exit_d3", "_i_exit", "data3"),
    ("_exit_d4", "_i_exit", "data4"),
)


# Row numbers within a chunk stay below 2**21 (a chunk of 16 MB holds about 250,000 lines).
_ROW_BITS = 21


def partials_from_events(events: pl.DataFrame) -> pl.DataFrame:
    """One partial row per call id from a set of call events (any subset of a call's lines).

    Each row gets a key ``epoch second * 2**21 + row number``, so the smallest
    key of a kind is its earliest line (file order breaking ties) and the key
    itself says which row that was: the grouping is a few integer minima, and
    the fields of the decisive rows are then gathered by row number. Data
    fields stay text until only one row per call is left to convert.
    """
    if events.height >= 1 << _ROW_BITS:
        # A chunk larger than the key allows is reduced in slices; merging partials joins them.
        half = events.height // 2
        return pl.concat(
            [partials_from_events(events.slice(0, half)), partials_from_events(events.slice(half))]
        )
    events = _canonical_attended_transfers(events)
    e = pl.col("event")
    k = pl.col("_k")
    m_rna = e == RINGNOANSWER
    events = events.with_columns(
        _k=pl.col("ts").dt.epoch("s") * (1 << _ROW_BITS) + pl.int_range(pl.len(), dtype=pl.Int64)
    )
    # Each kind's keys sit in a column of their own (null on other rows), so every aggregate
    # is a plain grouped minimum, maximum or sum; only these few columns are filtered.
    is_call = e.is_in(list(CALL_EVENTS))
    keys = events.select(
        "callid",
        "ts",
        "line",
        _call=is_call,
        _i_enter=pl.when(e == ENTERQUEUE).then(k),
        _i_conn=pl.when(e == CONNECT).then(k),
        _i_end=pl.when(e.is_in(list(ANSWERED_ENDINGS))).then(k),
        _i_exit=pl.when(e.is_in(list(UNANSWERED_ENDINGS))).then(k),
        _rna=m_rna,
        _rna_ms=pl.when(m_rna).then(pl.col("data1").cast(pl.Float64, strict=False)),
        _rna_text=m_rna & pl.col("data1").is_not_null(),
    ).filter(pl.col("_call"))
    if keys.height == 0:
        return empty_partials()
    if keys.select((pl.col("_rna_text") & pl.col("_rna_ms").is_null()).any()).item():
        # Ring times written with blanks around them (the plain parse refuses those).
        keys = keys.with_columns(
            _rna_ms=pl.when(pl.col("_rna")).then(
                events.filter(is_call).get_column("data1").str.strip_chars().cast(pl.Float64, strict=False)
            )
        )
    part = keys.group_by("callid").agg(
        first_ts=pl.col("ts").min(),
        last_ts=pl.col("ts").max(),
        first_line=pl.col("line").min(),
        _i_enter=pl.col("_i_enter").min(),
        _i_conn=pl.col("_i_conn").min(),
        _i_end=pl.col("_i_end").min(),
        _i_exit=pl.col("_i_exit").max(),
        rna_count=pl.col("_rna").sum().cast(pl.Int32),
        rna_ms=pl.col("_rna_ms").sum(),
    )
    mask = (1 << _ROW_BITS) - 1
    picked = [part]
    for idx in ("_i_enter", "_i_conn", "_i_end", "_i_exit"):
        rows = part.get_column(idx) & mask
        picked.append(
            events.select([pl.col(src).alias(name) for name, i, src in _PICKS if i == idx]).gather(rows)
        )
    part = pl.concat(picked, how="horizontal")
    is_xfer = pl.col("end_event").is_in(list(TRANSFERS))
    by_key = pl.col("exit_event") == "EXITWITHKEY"
    part = _numbers(
        part,
        conn_hold=pl.col("_conn_d1"),
        conn_ring=pl.col("_conn_d3"),
        end_hold=pl.when(is_xfer).then(pl.col("_end_d3")).otherwise(pl.col("_end_d1")),
        end_talk=pl.when(is_xfer).then(pl.col("_end_d4")).otherwise(pl.col("_end_d2")),
        exit_wait=pl.when(by_key).then(pl.col("_exit_d4")).otherwise(pl.col("_exit_d3")),
    )
    return part.select(
        [(_own_text(pl.col(c)) if c in _TEXT else pl.col(c)).cast(t) for c, t in PARTIAL_SCHEMA.items()]
    )


# Text columns of the partials (the rest are numbers, times and categories).
_TEXT = ("callid", "callerid")


def _own_text(text: pl.Expr) -> pl.Expr:
    """The same text in buffers of its own.

    Values picked out of a chunk (by a gather, a filter or as group keys) keep
    pointing into the chunk's text buffers, which would keep every chunk read
    alive; rows kept across chunks copy their text.
    """
    return text + ""


def merge_partials(parts: pl.DataFrame) -> pl.DataFrame:
    """Merge partial rows of the same call id into one; merging is idempotent.

    Identical rows (the same lines imported twice) collapse first, so counts
    such as RINGNOANSWER are not doubled.
    """
    if parts.height == 0:
        return parts
    # Hashes are cheaper to compare than text; a collision only sends a row through the exact merge below.
    dup = pl.col("callid").hash().is_duplicated()
    single = parts.filter(~dup)
    multi = parts.filter(dup)
    if multi.height == 0:
        return single
    multi = multi.unique(maintain_order=True)
    aggs: list[pl.Expr] = [
        pl.col("first_ts").min(),
        pl.col("last_ts").max(),
        pl.col("first_line").min(),
        pl.col("rna_count").sum().cast(pl.Int32),
        pl.col("rna_ms").sum(),
    ]
    for ts_col, cols in _FIRST_GROUPS.items():
        pick = pl.col(ts_col).arg_min()
        aggs.append(pl.col(ts_col).min())
        aggs.extend(pl.col(c).get(pick) for c in cols)
    for ts_col, cols in _LAST_GROUPS.items():
        pick = pl.col(ts_col).arg_max()
        aggs.append(pl.col(ts_col).max())
        aggs.extend(pl.col(c).get(pick) for c in cols)
    merged = multi.group_by("callid").agg(aggs).select(list(PARTIAL_SCHEMA))
    return pl.concat([single, merged], how="vertical")


def _seconds(delta: pl.Expr) -> pl.Expr:
    return delta.dt.total_microseconds() / 1_000_000


def finalize_partials(
    parts: pl.DataFrame,
    *,
    data_end: object = None,
    ivr_close_after: timedelta = timedelta(hours=4),
    rows: pl.Series | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Turn merged partials into call records; return (calls, still-open partials).

    Pinned definitions: waiting time is ``answered_at - queued_at`` for an
    answered call and ``ended_at - queued_at`` for an unanswered one, measured
    on the PBX clock; Asterisk's own hold/wait fields are used only when the
    ENTERQUEUE or CONNECT line is missing.

    ``rows`` (a boolean mask) limits the work to some of the partials, without
    copying them first.
    """
    if parts.height == 0:
        return empty_calls(), empty_partials()
    has_end = pl.col("end_ts").is_not_null()
    has_exit = pl.col("exit_ts").is_not_null()
    complete = has_end | has_exit
    if data_end is not None:
        cutoff = pl.lit(data_end).cast(UTC_US) - pl.lit(ivr_close_after)
        ivr_only = (
            ~complete
            & pl.col("enter_ts").is_null()
            & pl.col("conn_ts").is_null()
            & (pl.col("last_ts") < cutoff)
        )
    else:
        ivr_only = pl.lit(False)
    base = parts.lazy().with_columns(_ivr=ivr_only, _complete=complete)
    wanted = pl.lit(True)
    if rows is not None:
        base = base.with_columns(_rows=rows)
        wanted = pl.col("_rows")
    open_parts = base.filter(~pl.col("_complete") & ~pl.col("_ivr") & wanted).select(list(PARTIAL_SCHEMA))
    done = base.filter((pl.col("_complete") | pl.col("_ivr")) & wanted)

    answered = pl.col("end_ts").is_not_null()
    talk = pl.coalesce(pl.col("end_talk"), _seconds(pl.col("end_ts") - pl.col("conn_ts")))
    answered_at = pl.when(answered).then(
        pl.coalesce(
            pl.col("conn_ts"), pl.col("end_ts") - pl.duration(microseconds=(talk * 1e6).cast(pl.Int64))
        )
    )
    hold_logged = pl.coalesce(pl.col("conn_hold"), pl.col("end_hold"))
    done = done.with_columns(_answered=answered, _talk=talk, answered_at=answered_at)
    queued_at = pl.coalesce(
        pl.col("enter_ts"),
        pl.when(pl.col("_answered")).then(
            pl.col("answered_at") - pl.duration(microseconds=(hold_logged * 1e6).cast(pl.Int64))
        ),
        pl.when(~pl.col("_answered") & ~pl.col("_ivr")).then(
            pl.col("exit_ts") - pl.duration(microseconds=(pl.col("exit_wait") * 1e6).cast(pl.Int64))
        ),
    )
    done = done.with_columns(queued_at=queued_at)
    ended_at = pl.when(pl.col("_answered")).then(pl.col("end_ts")).otherwise(pl.col("exit_ts"))
    wait = (
        pl.when(pl.col("_answered"))
        .then(_seconds(pl.col("answered_at") - pl.col("queued_at")))
        .when(~pl.col("_ivr"))
        .then(_seconds(pl.col("exit_ts") - pl.col("queued_at")))
    )
    result = (
        pl.when(pl.col("_ivr"))
        .then(pl.lit(CallResult.IVR))
        .when(pl.col("_answered"))
        .then(pl.lit(CallResult.ANSWERED))
        .when(pl.col("exit_event") == "ABANDON")
        .then(pl.lit(CallResult.ABANDONED))
        .otherwise(pl.lit(CallResult.TIMEOUT))
    )
    # Queue, agent and event names are categories: they are chosen and merged as such, and
    # turned into (normalised) text once per distinct name.
    queue = (
        pl.when(pl.col("_answered"))
        .then(pl.coalesce(pl.col("end_queue"), pl.col("enter_queue"), pl.col("exit_queue")))
        .otherwise(pl.coalesce(pl.col("exit_queue"), pl.col("enter_queue"), pl.col("end_queue")))
    )
    agent = pl.when(pl.col("_answered")).then(pl.coalesce(pl.col("end_agent"), pl.col("conn_agent")))
    calls_lf = done.select(
        call_id=pl.col("callid"),
        queue=_category_text(
            queue,
            parts,
            ("end_queue", "enter_queue", "exit_queue"),
            lambda q: pl.when(q.str.to_uppercase() == "NONE").then(None).otherwise(q),
        ),
        agent=_category_text(agent, parts, ("end_agent", "conn_agent"), normalise_agent),
        call_type=pl.lit(None, dtype=pl.String),
        customer_phone=pl.col("callerid"),
        offered_at=pl.min_horizontal("first_ts", "queued_at"),
        queued_at=pl.col("queued_at"),
        answered_at=pl.col("answered_at"),
        ended_at=pl.when(pl.col("_ivr")).then(pl.col("last_ts")).otherwise(ended_at),
        wait_seconds=wait.clip(lower_bound=0.0),
        talk_seconds=pl.when(pl.col("_answered")).then(pl.col("_talk").clip(lower_bound=0.0)),
        hold_seconds=pl.lit(None, dtype=pl.Float64),
        wrap_seconds=pl.lit(None, dtype=pl.Float64),
        rings=pl.lit(None, dtype=pl.Int32),
        ring_seconds=pl.when(pl.col("_answered")).then(pl.col("conn_ring")),
        rna_count=pl.col("rna_count"),
        rna_seconds=pl.col("rna_ms") / 1000.0,
        result=result,
        transferred=pl.col("_answered") & pl.col("end_event").is_in(list(TRANSFERS)),
        exit_event=_category_text(
            pl.coalesce(pl.col("end_event"), pl.col("exit_event")), parts, ("end_event", "exit_event")
        ),
        first_line=pl.col("first_line"),
    )
    calls, still_open = pl.collect_all([calls_lf, open_parts])
    if calls.select(pl.col("customer_phone").str.contains(r"[^0-9+]").any()).item():
        calls = calls.with_columns(customer_phone=normalise_phone(pl.col("customer_phone")))
    return calls.select([pl.col(c).cast(t) for c, t in CALL_SCHEMA.items()]), still_open


def _category_text(
    expr: pl.Expr,
    frame: pl.DataFrame,
    columns: tuple[str, ...],
    fn: Callable[[pl.Expr], pl.Expr] | None = None,
) -> pl.Expr:
    """``fn`` of the text of a categorical ``expr`` whose values come from ``columns`` of ``frame``.

    The text (and ``fn`` of it) is worked out once per category and looked up
    by the category's code.
    """
    cats = (
        pl.concat([frame.get_column(c).cast(pl.Categorical).unique() for c in columns]).drop_nulls().unique()
    )
    if cats.len() == 0:
        return pl.lit(None, dtype=pl.String)
    names = cats.cast(pl.String)
    table = (
        pl.DataFrame({"name": names})
        .select(fn(pl.col("name")) if fn is not None else pl.col("name"))
        .to_series()
    )
    codes = cats.to_physical()
    top = int(codes.max())  # type: ignore[arg-type]
    if top < max(1 << 16, 4 * cats.len()):
        lookup = pl.Series(values=[None] * (top + 1), dtype=pl.String).scatter(codes, table)
        return pl.lit(lookup).gather(expr.cast(pl.Categorical).to_physical())
    return (
        expr.cast(pl.Categorical)
        .to_physical()
        .replace_strict(codes, table, default=None, return_dtype=pl.String)
    )


def calls_from_partials(
    parts: pl.DataFrame, *, data_end: object = None, ivr_close_after: timedelta = timedelta(hours=4)
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`merge_partials` then :func:`finalize_partials`, copying only the partials that merge.

    Most calls have one partial row (their lines were all in one chunk); only
    the few seen in several chunks or files are merged first.
    """
    if parts.height == 0:
        return empty_calls(), empty_partials()
    dup = parts.select(pl.col("callid").hash().is_duplicated()).to_series()
    if not dup.any():
        return finalize_partials(parts, data_end=data_end, ivr_close_after=ivr_close_after)
    merged = merge_partials(parts.filter(dup))
    one = finalize_partials(parts, data_end=data_end, ivr_close_after=ivr_close_after, rows=~dup)
    more = finalize_partials(merged, data_end=data_end, ivr_close_after=ivr_close_after)
    return pl.concat([one[0], more[0]], how="vertical"), pl.concat([one[1], more[1]], how="vertical")


def agent_events_from(events: pl.DataFrame) -> pl.DataFrame:
    """Login, logoff and pause events with the agent's normalised code."""
    ae = events.select("agent", "queue", "event", "ts", "data1", "line").filter(
        pl.col("event").is_in(list(AGENT_EVENTS))
    )
    if ae.height == 0:
        return empty_agent_events()
    names = ae.get_column("agent").unique().drop_nulls()
    return (
        ae.lazy()
        .select(
            agent=map_names(pl.col("agent"), names, normalise_agent),
            queue=pl.col("queue"),
            event=pl.col("event"),
            occurred_at=pl.col("ts"),
            reason=pl.when(pl.col("event").is_in(list(PAUSE_EVENTS + UNPAUSE_EVENTS))).then(
                pl.col("data1").str.strip_chars()
            ),
            seq=pl.col("line"),
        )
        .filter(pl.col("agent").is_not_null())
        .select(
            [
                (_own_text(pl.col(c)) if c in ("queue", "event", "reason") else pl.col(c)).cast(t)
                for c, t in AGENT_EVENT_SCHEMA.items()
            ]
        )
        .collect()
    )


# ---------------------------------------------------------------------------
# The realtime table layout
# ---------------------------------------------------------------------------

_EXPORT_MARKERS = {"date_time", "type", "htime", "ttime"}


def _table_header(first_line: bytes) -> tuple[list[str], str]:
    text = first_line.decode("utf-8-sig", errors="replace").strip()
    sep = "\t" if text.count("\t") > text.count(",") else ","
    names = [n.strip().strip('"').lower() for n in text.split(sep)]
    return names, sep


def _table_to_raw(df: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Map a table export's columns onto the raw queue_log fields."""
    return _table_columns(df, set(names)).with_columns(
        event=pl.col("event").str.strip_chars().str.to_uppercase(),
        callid=pl.col("callid").str.strip_chars(),
    )


def _table_columns(df: pl.DataFrame, cols: set[str]) -> pl.DataFrame:
    def col(*candidates: str) -> pl.Expr:
        for c in candidates:
            if c in cols:
                return pl.col(c)
        return pl.lit(None, dtype=pl.String)

    if _EXPORT_MARKERS <= cols:
        e = col("event").str.strip_chars().str.to_uppercase()
        p1, p2, p3 = col("param1"), col("param2"), col("param3")
        entpos, expos, htime, ttime = col("entpos"), col("expos"), col("htime"), col("ttime")
        none = pl.lit(None, dtype=pl.String)
        is_end = e.is_in(list(COMPLETES))
        is_xfer = e.is_in(list(TRANSFERS))
        is_exit = e.is_in(["ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY"])
        d1 = (
            pl.when(e == ENTERQUEUE)
            .then(none)
            .when(e.is_in([RINGNOANSWER, CONNECT]) | is_end)
            .then(htime)
            .when(is_exit)
            .then(expos)
            .when(is_xfer)
            .then(p1)
            .otherwise(p1)
        )
        d2 = (
            pl.when(e == ENTERQUEUE)
            .then(p1)
            .when(is_end)
            .then(ttime)
            .when(is_exit)
            .then(entpos)
            .when(e == RINGNOANSWER)
            .then(none)
            .otherwise(p2)
        )
        d3 = (
            pl.when(e == ENTERQUEUE)
            .then(entpos)
            .when(is_end)
            .then(entpos)
            .when(is_exit)
            .then(htime)
            .when(is_xfer)
            .then(htime)
            .when(e == RINGNOANSWER)
            .then(none)
            .otherwise(p3)
        )
        d4 = pl.when(is_xfer).then(ttime).otherwise(none)
        d5 = pl.when(is_xfer).then(entpos).otherwise(none)
        return df.select(
            time=col("date_time", "time"),
            callid=col("callid"),
            queue=col("queue_name", "queuename", "queue"),
            agent=col("type", "agent"),
            event=col("event"),
            data1=d1,
            data2=d2,
            data3=d3,
            data4=d4,
            data5=d5,
        )
    if "data1" in cols or "data" not in cols:
        data = [col(f"data{i}") for i in range(1, 6)]
    else:
        parts = col("data").str.split("|")
        data = [parts.list.get(i, null_on_oob=True) for i in range(5)]
    return df.select(
        time=col("time", "date_time", "created"),
        callid=col("callid", "call_id", "uniqueid"),
        queue=col("queuename", "queue_name", "queue"),
        agent=col("agent"),
        event=col("event"),
        **{f"data{i + 1}": d for i, d in enumerate(data)},
    )


# ---------------------------------------------------------------------------
# The import
# ---------------------------------------------------------------------------


def import_queue_log(
    source: str | os.PathLike[str] | BinaryIO,
    *,
    table: bool = False,
    prior_open: pl.DataFrame | None = None,
    options: QueueLogOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Read a queue_log file (raw, or the table layout when ``table``) into an ImportResult.

    ``prior_open`` are partial rows of calls left open by earlier imports; they
    merge with this file's lines. ``progress(bytes_done, bytes_total)`` is called
    after every chunk.
    """
    opts = options or QueueLogOptions()
    own = not hasattr(source, "read")
    stream: BinaryIO = open(source, "rb") if own else source  # type: ignore[arg-type,assignment]  # noqa: SIM115
    try:
        total = stream_size(stream)
        done_bytes = 0
        line_no = 1
        header: list[str] | None = None
        sep = ","
        if table:
            first = stream.readline()
            done_bytes += len(first)
            header, sep = _table_header(first)
            line_no = 2
        partial_frames: list[pl.DataFrame] = []
        agent_frames: list[pl.DataFrame] = []
        error_frames: list[pl.DataFrame] = []
        error_count = 0
        kept = 0
        blank = 0
        ignored = 0
        starts: list[Any] = []
        ends: list[Any] = []
        for chunk in iter_line_chunks(stream, opts.chunk_bytes):
            if table:
                assert header is not None
                n_lines = count_lines(chunk)
                raw = _table_to_raw(_read_table_chunk(chunk, header, sep), header)
            else:
                # Without quoting every line, blank or not, is one row.
                raw = _read_raw_chunk(chunk)
                n_lines = raw.height
            events, errors, blanks = _classify(raw, line_no, opts.time_zone)
            blank += blanks
            if errors.height:
                error_count += errors.height
                room = opts.max_errors_kept - kept
                if room > 0:
                    error_frames.append(errors.head(room))
                    kept += min(room, errors.height)
            if events.height:
                span = events.select(pl.col("ts").min().alias("a"), pl.col("ts").max().alias("b")).row(0)
                starts.append(span[0])
                ends.append(span[1])
                used = pl.col("event").is_in(list(CALL_EVENTS | AGENT_EVENTS))
                ignored += events.height - int(events.select(used.sum()).item())
                partial_frames.append(partials_from_events(events))
                agent_frames.append(agent_events_from(events))
            line_no += n_lines
            done_bytes += len(chunk)
            if progress is not None:
                progress(done_bytes, total)
    finally:
        if own:
            stream.close()
    if prior_open is not None and prior_open.height:
        partial_frames.append(prior_open.select([pl.col(c).cast(t) for c, t in PARTIAL_SCHEMA.items()]))
    parts = pl.concat(partial_frames, how="vertical") if partial_frames else empty_partials()
    del partial_frames
    data_end = max(ends) if ends else None
    calls, open_parts = calls_from_partials(parts, data_end=data_end, ivr_close_after=opts.ivr_close_after)
    del parts
    agent_events = pl.concat(agent_frames, how="vertical") if agent_frames else empty_agent_events()
    errors_df = pl.concat(error_frames, how="vertical") if error_frames else None
    error_list = (
        [LineError(line=r[0], reason=r[1], text=r[2] or "") for r in errors_df.iter_rows()]
        if errors_df is not None
        else []
    )
    return ImportResult(
        calls=calls,
        agent_events=agent_events,
        open_calls=open_parts,
        errors=error_list,
        error_count=error_count,
        lines=line_no - 1,
        blank_lines=blank,
        ignored_events=ignored,
        data_start=min(starts) if starts else None,
        data_end=data_end,
    )


def _read_table_chunk(chunk: bytes, header: list[str], sep: str) -> pl.DataFrame:
    if b"\r" in chunk:
        chunk = chunk.replace(b"\r\n", b"\n")
    return _read_csv_text(chunk, separator=sep, schema={c: pl.String for c in header})


def stream_size(stream: BinaryIO) -> int:
    try:
        pos = stream.tell()
        stream.seek(0, os.SEEK_END)
        size = stream.tell()
        stream.seek(pos)
        return size - pos
    except (OSError, AttributeError, io.UnsupportedOperation):
        return 0
