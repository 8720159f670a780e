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
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
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

# Every event the import acts on, as a category: one lookup per line, after which each test
# of the event compares small integers. Events not acted on are null here.
_KIND = pl.Enum(sorted(CALL_EVENTS | AGENT_EVENTS))

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
    # Chunks processed at once; each one in flight holds a chunk's text and frames (~100 MB).
    parallel_chunks: int = 3
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
        df = pl.read_csv(chunk, encoding="utf8", **common, **options)
    except pl.exceptions.ComputeError:
        df = pl.read_csv(chunk, encoding="utf8-lossy", **common, **options)
    # The reader returns each column in a dozen pieces; in one piece, the gathers and filters
    # that follow cost several times less than this copy.
    return df.rechunk()


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
    ``callid``, ``queue``, ``agent``, ``event``, ``_kind`` (the event as a
    :data:`_KIND`) and the five data fields.
    """
    # Lazily, so that the time text is parsed once for the bounds check and the value; by the
    # in-memory engine, which keeps the columns in one piece (the streaming one splits them).
    df = (
        df.lazy()
        .with_columns(
            line=pl.int_range(pl.len(), dtype=pl.Int64) + first_line,
            ts=_whole_epoch(pl.col("time")),
            _kind=pl.col("event").cast(_KIND, strict=False),
        )
        .collect(engine="in-memory")
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
    ("end_event", "_i_end", "_kind"),
    ("end_agent", "_i_end", "agent"),
    ("end_queue", "_i_end", "queue"),
    ("_end_d1", "_i_end", "data1"),
    ("_end_d2", "_i_end", "data2"),
    ("_end_d3", "_i_end", "data3"),
    ("_end_d4", "_i_end", "data4"),
    ("exit_ts", "_i_exit", "ts"),
    ("exit_event", "_i_exit", "_kind"),
    ("exit_queue", "_i_exit", "queue"),
    ("_exit_d3", "_i_exit", "data3"),
    ("_exit_d4", "_i_exit", "data4"),
)


# Row numbers within a chunk stay below 2**21 (a chunk of 16 MB holds about 250,000 lines).
_ROW_BITS = 21


def _with_kind(events: pl.DataFrame) -> pl.DataFrame:
    """``events`` with ``_kind``: the event as a :data:`_KIND`, null for events not acted on."""
    if "_kind" in events.columns:
        return events
    return events.with_columns(_kind=pl.col("event").cast(_KIND, strict=False))


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
    events = _with_kind(_canonical_attended_transfers(events))
    kind = pl.col("_kind")
    k = pl.col("_k")
    m_rna = kind == RINGNOANSWER
    # The key numbers the rows of ``events`` (the gathers below index it), so it is made
    # before only the call events are kept.
    keys = events.select(
        "callid",
        "ts",
        "line",
        "_kind",
        "data1",
        _k=pl.col("ts").dt.epoch("s") * (1 << _ROW_BITS) + pl.int_range(pl.len(), dtype=pl.Int64),
    ).filter(kind.is_in(list(CALL_EVENTS)))
    if keys.height == 0:
        return empty_partials()
    keys = keys.with_columns(_rna_ms=pl.when(m_rna).then(pl.col("data1").cast(pl.Float64, strict=False)))
    if keys.select((m_rna & pl.col("data1").is_not_null() & pl.col("_rna_ms").is_null()).any()).item():
        # Ring times written with blanks around them (the plain parse refuses those).
        keys = keys.with_columns(
            _rna_ms=pl.when(m_rna).then(pl.col("data1").str.strip_chars().cast(pl.Float64, strict=False))
        )
    # Each kind's keys sit in a column of their own (null on other rows), so every aggregate
    # is a plain grouped minimum, maximum or sum.
    part = (
        keys.lazy()
        .select(
            "callid",
            "ts",
            "line",
            _i_enter=pl.when(kind == ENTERQUEUE).then(k),
            _i_conn=pl.when(kind == CONNECT).then(k),
            _i_end=pl.when(kind.is_in(list(ANSWERED_ENDINGS))).then(k),
            _i_exit=pl.when(kind.is_in(list(UNANSWERED_ENDINGS))).then(k),
            _rna=m_rna,
            _rna_ms=pl.col("_rna_ms"),
        )
        .group_by("callid")
        .agg(
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
        .collect()
    )
    mask = (1 << _ROW_BITS) - 1
    picked = [part]
    for idx in ("_i_enter", "_i_conn", "_i_end", "_i_exit"):
        # A gather by indices without nulls is several times faster: calls without a row of
        # this kind take row 0 here, and those values are blanked below.
        rows = (part.get_column(idx) & mask).fill_null(0)
        picked.append(
            events.select([pl.col(src).alias(name) for name, i, src in _PICKS if i == idx]).gather(rows)
        )
    part = pl.concat(picked, how="horizontal").with_columns(
        pl.when(pl.col(i).is_not_null()).then(pl.col(name)).alias(name) for name, i, _ in _PICKS
    )
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
    dup = _hash_repeated(parts.get_column("callid"))
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
    plain_phones: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Turn merged partials into call records; return (calls, still-open partials).

    Pinned definitions: waiting time is ``answered_at - queued_at`` for an
    answered call and ``ended_at - queued_at`` for an unanswered one, measured
    on the PBX clock; Asterisk's own hold/wait fields are used only when the
    ENTERQUEUE or CONNECT line is missing.

    ``rows`` (a boolean mask) limits the work to some of the partials, without
    copying them first. ``plain_phones`` says that no ``callerid`` of ``parts``
    has a character other than digits and ``+``, which spares looking.
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
    cats = _distinct_categories(parts, _CATEGORY_COLUMNS)
    calls_lf = done.select(
        call_id=pl.col("callid"),
        queue=_category_text(
            queue,
            [cats[c] for c in ("end_queue", "enter_queue", "exit_queue")],
            lambda q: pl.when(q.str.to_uppercase() == "NONE").then(None).otherwise(q),
        ),
        agent=_category_text(agent, [cats["end_agent"], cats["conn_agent"]], normalise_agent),
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
            pl.coalesce(pl.col("end_event"), pl.col("exit_event")), [cats["end_event"], cats["exit_event"]]
        ),
        first_line=pl.col("first_line"),
    )
    calls, still_open = pl.collect_all([calls_lf, open_parts])
    if not plain_phones and calls.select(_odd_phone(pl.col("customer_phone")).any()).item():
        calls = calls.with_columns(customer_phone=normalise_phone(pl.col("customer_phone")))
    return calls.select([pl.col(c).cast(t) for c, t in CALL_SCHEMA.items()]), still_open


def _odd_phone(phone: pl.Expr) -> pl.Expr:
    """A caller number with anything but digits and "+": the numbers need cleaning."""
    return phone.str.contains(r"[^0-9+]")


_CATEGORY_COLUMNS = tuple(c for c, t in PARTIAL_SCHEMA.items() if isinstance(t, pl.Categorical))


def _distinct_categories(frame: pl.DataFrame, columns: tuple[str, ...]) -> dict[str, pl.Series]:
    """The distinct categories of each column; the columns are scanned side by side."""
    found = pl.collect_all([frame.lazy().select(pl.col(c).cast(pl.Categorical).unique()) for c in columns])
    return {c: f.to_series() for c, f in zip(columns, found, strict=True)}


def _category_text(
    expr: pl.Expr,
    categories: list[pl.Series],
    fn: Callable[[pl.Expr], pl.Expr] | None = None,
) -> pl.Expr:
    """``fn`` of the text of a categorical ``expr`` whose values are among ``categories``.

    The text (and ``fn`` of it) is worked out once per category and looked up
    by the category's code.
    """
    cats = pl.concat(categories).drop_nulls().unique()
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
    parts: pl.DataFrame,
    *,
    data_end: object = None,
    ivr_close_after: timedelta = timedelta(hours=4),
    plain_phones: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`merge_partials` then :func:`finalize_partials`, copying only the partials that merge.

    Most calls have one partial row (their lines were all in one chunk); only
    the few seen in several chunks or files are merged first.
    """
    if parts.height == 0:
        return empty_calls(), empty_partials()
    dup = _hash_repeated(parts.get_column("callid"))
    kw: dict[str, Any] = {
        "data_end": data_end,
        "ivr_close_after": ivr_close_after,
        "plain_phones": plain_phones,
    }
    if not dup.any():
        return finalize_partials(parts, **kw)
    merged = merge_partials(parts.filter(dup))
    one = finalize_partials(parts, rows=~dup, **kw)
    more = finalize_partials(merged, **kw)
    return pl.concat([one[0], more[0]], how="vertical"), pl.concat([one[1], more[1]], how="vertical")


def _hash_repeated(ids: pl.Series) -> pl.Series:
    """Which rows have an id whose hash occurs more than once (as ``ids.hash().is_duplicated()``).

    A hash collision only sends a row through the exact merge. The sorted hashes
    show the repeated ones, and testing membership in those few costs a fraction
    of ``is_duplicated`` on millions of rows.
    """
    h = ids.hash()
    s = h.sort()
    return h.is_in(s.filter(s == s.shift(1)).implode())


def agent_events_from(events: pl.DataFrame) -> pl.DataFrame:
    """Login, logoff and pause events with the agent's normalised code."""
    kind = pl.col("_kind")
    ae = (
        _with_kind(events)
        .select("agent", "queue", "_kind", "ts", "data1", "line")
        .filter(kind.is_in(list(AGENT_EVENTS)))
    )
    if ae.height == 0:
        return empty_agent_events()
    names = ae.get_column("agent").unique().drop_nulls()
    return (
        ae.lazy()
        .select(
            agent=map_names(pl.col("agent"), names, normalise_agent),
            queue=_own_text(pl.col("queue")),
            # The category's name is the event's text, in a buffer of its own.
            event=kind.cast(pl.String),
            occurred_at=pl.col("ts"),
            reason=_own_text(
                pl.when(kind.is_in(list(PAUSE_EVENTS + UNPAUSE_EVENTS))).then(
                    pl.col("data1").str.strip_chars()
                )
            ),
            seq=pl.col("line"),
        )
        .filter(pl.col("agent").is_not_null())
        .select([pl.col(c).cast(t) for c, t in AGENT_EVENT_SCHEMA.items()])
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


@dataclass
class _ChunkResult:
    """What one block of lines turned into; line numbers count from 0 at the block's first line.

    Blocks are processed side by side, before the lines ahead of them are
    counted, so the numbers are shifted to the file's once the results are
    taken in file order.
    """

    lines: int
    blank: int
    errors: pl.DataFrame
    ignored: int = 0
    span: tuple[Any, Any] | None = None
    partials: pl.DataFrame | None = None
    agent_events: pl.DataFrame | None = None
    # Whether a caller number of the partials has a character other than digits and "+".
    odd_phones: bool = False


def _process_chunk(chunk: bytes, header: list[str] | None, sep: str, time_zone: str) -> _ChunkResult:
    if header is not None:
        n_lines = count_lines(chunk)
        raw = _table_to_raw(_read_table_chunk(chunk, header, sep), header)
    else:
        # Without quoting every line, blank or not, is one row.
        raw = _read_raw_chunk(chunk)
        n_lines = raw.height
    events, errors, blanks = _classify(raw, 0, time_zone)
    del raw
    if events.height == 0:
        return _ChunkResult(n_lines, blanks, errors)
    # Events outside CALL_EVENTS and AGENT_EVENTS have no kind.
    first, last, used = events.select(
        a=pl.col("ts").min(), b=pl.col("ts").max(), used=pl.col("_kind").is_not_null().sum()
    ).row(0)
    partials = partials_from_events(events)
    return _ChunkResult(
        n_lines,
        blanks,
        errors,
        ignored=events.height - int(used),
        span=(first, last),
        partials=partials,
        agent_events=agent_events_from(events),
        odd_phones=bool(partials.select(_odd_phone(pl.col("callerid")).any()).item()),
    )


def _shift_lines(frame: pl.DataFrame, column: str, offset: int) -> pl.DataFrame:
    return frame.with_columns(pl.col(column) + offset) if offset else frame


class _Collected:
    """Chunk results taken in file order: counts, the kept errors, partials and agent events."""

    def __init__(self, line_no: int, done_bytes: int, max_errors_kept: int) -> None:
        self.line_no = line_no  # of the next chunk's first line
        self.done_bytes = done_bytes
        self.max_errors_kept = max_errors_kept
        self.partials: list[pl.DataFrame] = []
        self.agent_events: list[pl.DataFrame] = []
        self.errors: list[pl.DataFrame] = []
        self.error_count = 0
        self.kept = 0
        self.blank = 0
        self.ignored = 0
        self.starts: list[Any] = []
        self.ends: list[Any] = []
        self.odd_phones = False

    def add(self, r: _ChunkResult, size: int) -> None:
        self.done_bytes += size
        self.blank += r.blank
        if r.errors.height:
            self.error_count += r.errors.height
            room = self.max_errors_kept - self.kept
            if room > 0:
                self.errors.append(_shift_lines(r.errors.head(room), "line", self.line_no))
                self.kept += min(room, r.errors.height)
        if r.span is not None:
            assert r.partials is not None and r.agent_events is not None
            self.starts.append(r.span[0])
            self.ends.append(r.span[1])
            self.ignored += r.ignored
            self.odd_phones |= r.odd_phones
            self.partials.append(_shift_lines(r.partials, "first_line", self.line_no))
            self.agent_events.append(_shift_lines(r.agent_events, "seq", self.line_no))
        self.line_no += r.lines


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
    after every chunk, in file order, from the calling thread.

    Up to ``options.parallel_chunks`` chunks are processed at once on worker
    threads (Polars releases the GIL) while this thread reads the next one;
    their results are taken in file order.
    """
    opts = options or QueueLogOptions()
    own = not hasattr(source, "read")
    stream: BinaryIO = open(source, "rb") if own else source  # type: ignore[arg-type,assignment]  # noqa: SIM115
    workers = max(1, opts.parallel_chunks)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="queue_log")
    pending: deque[tuple[int, Future[_ChunkResult]]] = deque()
    try:
        total = stream_size(stream)
        done_bytes = 0
        header: list[str] | None = None
        sep = ","
        if table:
            first = stream.readline()
            done_bytes = len(first)
            header, sep = _table_header(first)
        got = _Collected(2 if table else 1, done_bytes, opts.max_errors_kept)

        def take_oldest() -> None:
            size, future = pending.popleft()
            got.add(future.result(), size)
            if progress is not None:
                progress(got.done_bytes, total)

        for chunk in iter_line_chunks(stream, opts.chunk_bytes):
            pending.append((len(chunk), pool.submit(_process_chunk, chunk, header, sep, opts.time_zone)))
            del chunk
            # One chunk read ahead of those being processed keeps every worker busy, and
            # memory bounded by a few chunks.
            while len(pending) > workers or (pending and pending[0][1].done()):
                take_oldest()
        while pending:
            take_oldest()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if own:
            stream.close()
    if prior_open is not None and prior_open.height:
        prior = prior_open.select([pl.col(c).cast(t) for c, t in PARTIAL_SCHEMA.items()])
        got.partials.append(prior)
        got.odd_phones |= bool(prior.select(_odd_phone(pl.col("callerid")).any()).item())
    parts = pl.concat(got.partials, how="vertical") if got.partials else empty_partials()
    got.partials.clear()
    data_end = max(got.ends) if got.ends else None
    # The calls' numbers are among the partials' caller numbers, already looked at chunk by chunk.
    calls, open_parts = calls_from_partials(
        parts, data_end=data_end, ivr_close_after=opts.ivr_close_after, plain_phones=not got.odd_phones
    )
    del parts
    agent_events = pl.concat(got.agent_events, how="vertical") if got.agent_events else empty_agent_events()
    errors_df = pl.concat(got.errors, how="vertical") if got.errors else None
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
        error_count=got.error_count,
        lines=got.line_no - 1,
        blank_lines=got.blank,
        ignored_events=got.ignored,
        data_start=min(got.starts) if got.starts else None,
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
