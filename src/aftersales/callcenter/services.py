"""Every write of the call-center module: imports, rollup recomputation, policy and inputs.

An import reads the file with the engine, stores new calls and agent events
in bulk (duplicates skipped by the unique keys), keeps calls still open for
the next file, and recomputes only the rollups of the days it touched: the
half hours, hours and days from the calls and agent states of those days,
then the weeks and months by adding up their day rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from decimal import Decimal
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.core.clock import now
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.history import record_history

from . import store
from .engine.agents import agent_segments, shift_attendance
from .engine.call_csv import MissingColumns, import_call_csv
from .engine.policy import MetricPolicy
from .engine.queue_log import PARTIAL_SCHEMA, QueueLogOptions, import_queue_log
from .engine.records import AGENT_EVENT_SCHEMA, CALL_SCHEMA, SCHEDULE_SCHEMA, UTC_US, ImportResult
from .engine.rollup import COUNTERS, INTEGER_COUNTERS, first_call_resolution, period_start, rollup
from .models import (
    Agent,
    AgentSchedule,
    AgentStateEvent,
    CallCenterPolicy,
    CallRecord,
    CenterCost,
    ImportBatch,
    ImportFormat,
    IntervalRollup,
    MonitoringScore,
    OpenCall,
    Source,
)

HOUR_DAY = ("halfhour", "hour", "day")
MAX_ERRORS_KEPT = 1000


# ---------------------------------------------------------------------------
# Policy
# ---------------------------------------------------------------------------


def get_policy() -> CallCenterPolicy:
    """The policy row, created with the regulation's defaults the first time."""
    policy = CallCenterPolicy.objects.order_by("pk").first()
    if policy is None:
        policy = CallCenterPolicy.objects.create()
    return policy


def engine_policy(policy: CallCenterPolicy | None = None) -> MetricPolicy:
    p = policy or get_policy()
    reasons = tuple(r.strip().lower() for r in p.acw_pause_reasons.split(",") if r.strip())
    return MetricPolicy(
        short_abandon_seconds=float(p.short_abandon_seconds),
        service_level_seconds=float(p.service_level_seconds),
        service_level_target=float(p.service_level_target),
        misdial_min_seconds=float(p.misdial_min_seconds),
        misdial_max_seconds=float(p.misdial_max_seconds),
        queue_placement_min_wait_seconds=float(p.queue_placement_min_wait_seconds),
        fcr_window_days=int(p.fcr_window_days),
        ring_cycle_seconds=float(p.ring_cycle_seconds),
        acw_pause_reasons=reasons,
        time_zone=p.time_zone,
    )


def check_time_zone(name: str, field: str = "time_zone") -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(
            "unknown_time_zone", _("Unknown time zone: %(tz)s"), field=field, tz=name
        ) from exc
    return name


POLICY_FIELDS = {
    f.name
    for f in CallCenterPolicy._meta.get_fields()
    if getattr(f, "editable", False) and f.name not in {"id", "updated_at", "updated_by"}
}
# Fields that change what a metric means; changing one recomputes every stored rollup.
DEFINITION_FIELDS = {
    "short_abandon_seconds",
    "service_level_seconds",
    "misdial_min_seconds",
    "misdial_max_seconds",
    "queue_placement_min_wait_seconds",
    "fcr_window_days",
    "ring_cycle_seconds",
    "acw_pause_reasons",
    "time_zone",
    "agent_state_lookback_hours",
}


@transaction.atomic
def update_policy(*, actor: Any, **changes: Any) -> CallCenterPolicy:
    """Change policy numbers; a change to a definition recomputes the rollups."""
    unknown = set(changes) - POLICY_FIELDS
    if unknown:
        raise ValidationFailed(
            "unknown_setting",
            _("Unknown setting: %(name)s"),
            field=sorted(unknown)[0],
            name=sorted(unknown)[0],
        )
    policy = get_policy()
    if "time_zone" in changes:
        check_time_zone(changes["time_zone"])
    old = {k: str(getattr(policy, k)) for k in changes}
    for key, value in changes.items():
        setattr(policy, key, value)
    try:
        policy.full_clean()
    except Exception as exc:  # django.core.exceptions.ValidationError
        field = next(iter(getattr(exc, "message_dict", {"policy": None})))
        raise ValidationFailed("invalid_setting", _("This value is not allowed."), field=field) from exc
    policy.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    policy.save()
    record_history(
        subject=policy,
        event="policy_changed",
        actor=actor,
        data={"old": old, "new": {k: str(v) for k, v in changes.items()}},
    )
    if DEFINITION_FIELDS & set(changes):
        recompute_all()
    return policy


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


def _digest(stream: BinaryIO) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    while True:
        block = stream.read(8 * 1024 * 1024)
        if not block:
            break
        h.update(block)
        size += len(block)
    stream.seek(0)
    return h.hexdigest(), size


def _source_of(fmt: str) -> str:
    return Source.CSV if fmt == ImportFormat.CSV else Source.ASTERISK


def import_call_file(
    *,
    stream: BinaryIO,
    file_name: str,
    fmt: str,
    actor: Any = None,
    time_zone: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportBatch:
    """Import one file of call records; the same file twice changes nothing.

    Unreadable lines are reported with their line numbers and skipped; the
    rest of the file is imported.
    """
    if fmt not in ImportFormat.values:
        raise ValidationFailed("unknown_format", _("Unknown file format: %(fmt)s"), field="format", fmt=fmt)
    policy = get_policy()
    tz = check_time_zone(time_zone or policy.time_zone)
    sha, size = _digest(stream)
    started = now()
    previous = (
        ImportBatch.objects.filter(sha256=sha, format=fmt, status=ImportBatch.Status.DONE)
        .order_by("pk")
        .first()
    )
    if previous is not None:
        return ImportBatch.objects.create(
            file_name=file_name[:255],
            format=fmt,
            sha256=sha,
            size_bytes=size,
            time_zone=tz,
            status=ImportBatch.Status.DUPLICATE,
            duplicate_of=previous,
            lines=previous.lines,
            started_at=started,
            finished_at=now(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            message=str(_("This file was imported before; nothing changed.")),
        )
    batch = ImportBatch.objects.create(
        file_name=file_name[:255],
        format=fmt,
        sha256=sha,
        size_bytes=size,
        time_zone=tz,
        started_at=started,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    source = _source_of(fmt)
    try:
        if fmt == ImportFormat.CSV:
            result = import_call_csv(stream, time_zone=tz, max_errors_kept=MAX_ERRORS_KEPT, progress=progress)
        else:
            options = QueueLogOptions(
                time_zone=tz,
                max_errors_kept=MAX_ERRORS_KEPT,
                ivr_close_after=dt.timedelta(hours=policy.ivr_close_after_hours),
            )
            result = import_queue_log(
                stream,
                table=fmt == ImportFormat.QUEUE_LOG_TABLE,
                prior_open=load_open_partials(source),
                options=options,
                progress=progress,
            )
    except MissingColumns as exc:
        _fail(batch, str(exc))
        raise ValidationFailed(
            "missing_columns",
            _("The file lacks required columns: %(columns)s"),
            field="file",
            columns=str(exc),
        ) from exc
    except (UnicodeError, pl.exceptions.PolarsError) as exc:
        _fail(batch, str(exc))
        raise ValidationFailed(
            "unreadable_file", _("The file cannot be read: %(error)s"), field="file", error=str(exc)[:200]
        ) from exc
    _store(batch, result, source, actor)
    return batch


def _fail(batch: ImportBatch, message: str) -> None:
    batch.status = ImportBatch.Status.FAILED
    batch.message = message[:2000]
    batch.finished_at = now()
    batch.save(update_fields=["status", "message", "finished_at"])


@transaction.atomic
def _store(batch: ImportBatch, result: ImportResult, source: str, actor: Any) -> None:
    before_calls = CallRecord.objects.filter(import_batch=batch).count()
    store_calls(result.calls, source=source, batch_id=batch.pk)
    calls_new = CallRecord.objects.filter(import_batch=batch).count() - before_calls
    events_before = AgentStateEvent.objects.count()
    store_agent_events(result.agent_events)
    events_new = AgentStateEvent.objects.count() - events_before
    open_count = store_open_calls(
        result.open_calls, completed=result.calls.get_column("call_id"), source=source
    )
    codes = set(result.calls.get_column("agent").drop_nulls().unique().to_list())
    codes |= set(result.agent_events.get_column("agent").drop_nulls().unique().to_list())
    ensure_agents(codes)
    if calls_new or events_new:
        days = touched_days(result, engine_policy().time_zone)
        if days:
            recompute_rollups(first_day=days[0], last_day=days[1])
    batch.status = ImportBatch.Status.DONE
    batch.lines = result.lines
    batch.blank_lines = result.blank_lines
    batch.ignored_events = result.ignored_events
    batch.calls_read = result.calls.height
    batch.calls_new = calls_new
    batch.agent_events_new = events_new
    batch.open_calls = open_count
    batch.error_count = result.error_count
    batch.errors = [{"line": e.line, "reason": e.reason, "text": e.text[:300]} for e in result.errors]
    batch.data_start = result.data_start  # type: ignore[assignment]
    batch.data_end = result.data_end  # type: ignore[assignment]
    batch.finished_at = now()
    batch.save()
    record_history(
        subject=batch,
        event="imported",
        actor=actor,
        new=batch.status,
        data={"calls_new": calls_new, "agent_events_new": events_new, "errors": result.error_count},
    )


def touched_days(result: ImportResult, time_zone: str) -> tuple[dt.date, dt.date] | None:
    """The first and last local day with a call or agent event in the import."""
    spans = []
    if result.calls.height:
        spans.append(
            result.calls.select(pl.col("offered_at").min().alias("a"), pl.col("offered_at").max().alias("b"))
        )
    if result.agent_events.height:
        spans.append(
            result.agent_events.select(
                pl.col("occurred_at").min().alias("a"), pl.col("occurred_at").max().alias("b")
            )
        )
    if not spans:
        return None
    both = pl.concat(spans).select(
        pl.col("a").min().dt.convert_time_zone(time_zone).dt.date(),
        pl.col("b").max().dt.convert_time_zone(time_zone).dt.date(),
    )
    first, last = both.row(0)
    return first, last


_CALL_COLUMNS = [
    "source",
    "call_id",
    "queue",
    "agent_code",
    "call_type",
    "customer_phone",
    "offered_at",
    "queued_at",
    "answered_at",
    "ended_at",
    "wait_seconds",
    "talk_seconds",
    "hold_seconds",
    "wrap_seconds",
    "rings",
    "ring_seconds",
    "rna_count",
    "rna_seconds",
    "result",
    "transferred",
    "exit_event",
    "service_request_number",
    "import_batch_id",
]


def _text(col: str, length: int = 80) -> pl.Expr:
    return pl.col(col).fill_null("").str.slice(0, length)


def store_calls(calls: pl.DataFrame, *, source: str, batch_id: int | None) -> None:
    if calls.height == 0:
        return
    df = calls.select(
        source=pl.lit(source),
        call_id=pl.col("call_id").str.slice(0, 80),
        queue=_text("queue"),
        agent_code=_text("agent"),
        call_type=_text("call_type"),
        customer_phone=_text("customer_phone", 40),
        offered_at="offered_at",
        queued_at="queued_at",
        answered_at="answered_at",
        ended_at="ended_at",
        wait_seconds="wait_seconds",
        talk_seconds="talk_seconds",
        hold_seconds="hold_seconds",
        wrap_seconds="wrap_seconds",
        rings="rings",
        ring_seconds="ring_seconds",
        rna_count="rna_count",
        rna_seconds="rna_seconds",
        result="result",
        transferred=pl.col("transferred").fill_null(False),
        exit_event=_text("exit_event", 32),
        service_request_number=pl.lit(""),
        import_batch_id=pl.lit(batch_id, dtype=pl.Int64),
    )
    store.insert_frame(CallRecord._meta.db_table, df.select(_CALL_COLUMNS), conflict=["source", "call_id"])


_EVENT_COLUMNS = ["agent_code", "queue", "event", "occurred_at", "reason", "seq"]


def store_agent_events(events: pl.DataFrame) -> None:
    if events.height == 0:
        return
    df = events.select(
        agent_code=pl.col("agent").str.slice(0, 80),
        queue=_text("queue"),
        event=pl.col("event").str.slice(0, 32),
        occurred_at="occurred_at",
        reason=_text("reason"),
        seq=pl.col("seq").fill_null(0),
    ).unique(
        subset=["agent_code", "occurred_at", "event", "queue", "reason"], keep="first", maintain_order=True
    )
    store.insert_frame(
        AgentStateEvent._meta.db_table,
        df.select(_EVENT_COLUMNS),
        conflict=["agent_code", "occurred_at", "event", "queue", "reason"],
    )


def load_open_partials(source: str) -> pl.DataFrame:
    rows = list(OpenCall.objects.filter(source=source).values_list("partial", flat=True))
    if not rows:
        return pl.DataFrame(schema=PARTIAL_SCHEMA)
    df = pl.DataFrame(rows)
    exprs = []
    for c, dtype in PARTIAL_SCHEMA.items():
        if c not in df.columns:
            exprs.append(pl.lit(None).cast(dtype).alias(c))
        elif isinstance(dtype, pl.Datetime):
            exprs.append(
                pl.from_epoch(pl.col(c).cast(pl.Int64), time_unit="us").dt.replace_time_zone("UTC").alias(c)
            )
        else:
            exprs.append(pl.col(c).cast(dtype))
    return df.select(exprs)


def store_open_calls(open_calls: pl.DataFrame, *, completed: pl.Series, source: str) -> int:
    """Keep the calls still open for the next import; forget those that ended now or before."""
    # The open calls are few; compare against them rather than sending every completed id to the database.
    waiting = set(OpenCall.objects.filter(source=source).values_list("call_id", flat=True))
    done_ids = list(waiting & set(completed.to_list()))
    for i in range(0, len(done_ids), store.BATCH_ROWS):
        OpenCall.objects.filter(source=source, call_id__in=done_ids[i : i + store.BATCH_ROWS]).delete()
    if open_calls.height == 0:
        return OpenCall.objects.filter(source=source).count()
    ids = open_calls.get_column("callid").to_list()
    # Lines written after a call's ending (a late duplicate) must not reopen a call already stored.
    stored: set[str] = set()
    for i in range(0, len(ids), store.BATCH_ROWS):
        stored |= set(
            CallRecord.objects.filter(source=source, call_id__in=ids[i : i + store.BATCH_ROWS]).values_list(
                "call_id", flat=True
            )
        )
    keep = open_calls.filter(~pl.col("callid").is_in(list(stored)))
    as_json = keep.with_columns(
        [
            pl.col(c).dt.epoch(time_unit="us")
            if isinstance(t, pl.Datetime)
            else (pl.col(c).cast(pl.String) if isinstance(t, pl.Categorical) else pl.col(c))
            for c, t in PARTIAL_SCHEMA.items()
        ]
    )
    for i in range(0, len(ids), store.BATCH_ROWS):
        OpenCall.objects.filter(source=source, call_id__in=ids[i : i + store.BATCH_ROWS]).delete()
    OpenCall.objects.bulk_create(
        [
            OpenCall(
                source=source,
                call_id=row["callid"][:80],
                last_seen_at=dt.datetime.fromtimestamp(row["last_ts"] / 1e6, tz=dt.UTC),
                partial=json.loads(json.dumps(row)),
            )
            for row in as_json.iter_rows(named=True)
        ],
        batch_size=1000,
    )
    return OpenCall.objects.filter(source=source).count()


def ensure_agents(codes: set[str]) -> None:
    existing = set(Agent.objects.filter(code__in=list(codes)).values_list("code", flat=True))
    new = [Agent(code=c[:80]) for c in sorted(codes - existing) if c]
    Agent.objects.bulk_create(new, ignore_conflicts=True)


# ---------------------------------------------------------------------------
# Rollups
# ---------------------------------------------------------------------------


def _local_midnight(day: dt.date, tz: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(tz)).astimezone(dt.UTC)


_CALL_LOAD = {
    "call_id": pl.String(),
    "queue": pl.String(),
    "agent_code": pl.String(),
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
    "service_request_number": pl.String(),
}


def load_calls(
    start: dt.datetime, end: dt.datetime, *, agent: str | None = None, queue: str | None = None
) -> pl.DataFrame:
    """Stored calls offered in [start, end) as engine call records, with the FCR topic."""
    q = "offered_at >= %s AND offered_at < %s"
    params: list[Any] = [store.param(start), store.param(end)]
    if agent is not None:
        q += " AND agent_code = %s"
        params.append(agent)
    if queue is not None:
        q += " AND queue = %s"
        params.append(queue)
    df = store.select_frame(CallRecord._meta.db_table, _CALL_LOAD, q, params, rename={"agent_code": "agent"})
    blank_to_null = [
        pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
        for c in ("queue", "agent", "call_type", "customer_phone", "exit_event")
    ]
    # Calls about the same service request are "the same thing"; without a link, the same caller.
    topic = (
        pl.when(pl.col("service_request_number") != "")
        .then(pl.lit("sr:") + pl.col("service_request_number"))
        .otherwise(pl.when(pl.col("customer_phone") != "").then(pl.lit("tel:") + pl.col("customer_phone")))
    )
    df = df.with_columns(topic=topic).with_columns(blank_to_null)
    return df.with_columns(
        pl.lit(None, dtype=pl.Int64).alias("first_line"),
    ).select([*CALL_SCHEMA.keys(), "topic"])


def load_agent_events(start: dt.datetime, end: dt.datetime) -> pl.DataFrame:
    df = store.select_frame(
        AgentStateEvent._meta.db_table,
        {
            "agent_code": pl.String(),
            "queue": pl.String(),
            "event": pl.String(),
            "occurred_at": UTC_US,
            "reason": pl.String(),
            "seq": pl.Int64(),
            "id": pl.Int64(),
        },
        "occurred_at >= %s AND occurred_at < %s",
        [store.param(start), store.param(end)],
        rename={"agent_code": "agent"},
    )
    # Stored order (id) breaks ties between events of the same second, as the file order did.
    return df.with_columns(seq=pl.col("id")).select(list(AGENT_EVENT_SCHEMA))


def load_schedules(start: dt.datetime, end: dt.datetime) -> pl.DataFrame:
    rows = list(
        AgentSchedule.objects.filter(start__lt=end, end__gt=start).values_list("agent__code", "start", "end")
    )
    if not rows:
        return pl.DataFrame(schema=SCHEDULE_SCHEMA)
    return pl.DataFrame(rows, schema={"agent": pl.String, "start": UTC_US, "end": UTC_US}, orient="row")


def data_horizon() -> dt.datetime | None:
    """The latest moment the stored data knows about; agent states are not extended past it."""
    from django.db.models import Max

    a = CallRecord.objects.aggregate(m=Max("ended_at"))["m"]
    b = CallRecord.objects.aggregate(m=Max("offered_at"))["m"]
    c = AgentStateEvent.objects.aggregate(m=Max("occurred_at"))["m"]
    known = [x for x in (a, b, c) if x is not None]
    return max(known) if known else None


_ROLLUP_COLUMNS = ["granularity", "period_start", "scope", "agent_code", "queue", *COUNTERS]


def _rollup_frame(frame: pl.DataFrame) -> pl.DataFrame:
    df = frame.with_columns(
        scope=pl.when(pl.col("agent").is_not_null())
        .then(pl.lit("agent"))
        .when(pl.col("queue").is_not_null())
        .then(pl.lit("queue"))
        .otherwise(pl.lit("center")),
        agent_code=pl.col("agent").fill_null("").str.slice(0, 80),
        queue=pl.col("queue").fill_null("").str.slice(0, 80),
    )
    df = df.with_columns(
        [
            pl.col(c).round(0).cast(pl.Int64) if c in INTEGER_COUNTERS else pl.col(c).cast(pl.Float64)
            for c in COUNTERS
        ]
    )
    return df.select(_ROLLUP_COLUMNS)


@transaction.atomic
def recompute_rollups(*, first_day: dt.date, last_day: dt.date) -> int:
    """Recompute every rollup the calls and agent states of these local days feed.

    The days before ``first_day`` within the FCR window are included, because
    a new call can turn an earlier one into a repeat; weeks and months are
    the sums of their stored day rows. Returns the number of rows written.
    """
    store.serialize_rollup_writers()
    policy = get_policy()
    ep = engine_policy(policy)
    tz = ep.time_zone
    start_day = first_day - dt.timedelta(days=ep.fcr_window_days)
    start = _local_midnight(start_day, tz)
    end = _local_midnight(last_day + dt.timedelta(days=1), tz)
    lookahead = end + dt.timedelta(days=ep.fcr_window_days)
    calls = load_calls(start, lookahead)
    calls = first_call_resolution(calls, ep.fcr_window_days, key="topic")
    calls = calls.filter(pl.col("offered_at") < end)
    lookback = start - dt.timedelta(hours=policy.agent_state_lookback_hours)
    horizon = data_horizon() or end
    horizon = min(horizon, end)
    events = load_agent_events(lookback, end)
    schedules = load_schedules(lookback, end)
    # Shifts count up to now (a shift later today is not missed yet); logins up to the data's end.
    plan_end = min(end, now())
    segments = agent_segments(
        events, schedules, horizon_end=horizon, acw_reasons=ep.acw_pause_reasons, schedule_end=plan_end
    )
    shifts = shift_attendance(segments, schedules)
    frame = rollup(
        calls, policy=ep, segments=segments, shifts=shifts, granularities=HOUR_DAY, window=(start, end)
    )
    IntervalRollup.objects.filter(
        granularity__in=HOUR_DAY, period_start__gte=start, period_start__lt=end
    ).delete()
    rows = _rollup_frame(frame)
    store.insert_frame(IntervalRollup._meta.db_table, rows)
    written = rows.height
    written += _sum_days_into("week", start, end, tz)
    written += _sum_days_into("month", start, end, tz)
    return written


def _sum_days_into(granularity: str, start: dt.datetime, end: dt.datetime, tz: str) -> int:
    """Rebuild week or month rows touching [start, end) from the stored day rows."""
    bounds = pl.DataFrame({"t": [start, end - dt.timedelta(microseconds=1)]}).with_columns(
        pl.col("t").cast(UTC_US)
    )
    first, last = bounds.select(period_start(pl.col("t"), granularity, tz)).get_column("t").to_list()
    # The end of the last period: the period start of a moment safely inside the next period.
    step = dt.timedelta(days=8 if granularity == "week" else 32)
    after = pl.DataFrame({"t": [last + step]}).with_columns(pl.col("t").cast(UTC_US))
    stop = after.select(period_start(pl.col("t"), granularity, tz)).item()
    days = store.select_frame(
        IntervalRollup._meta.db_table,
        {
            "period_start": UTC_US,
            "scope": pl.String(),
            "agent_code": pl.String(),
            "queue": pl.String(),
            **{c: (pl.Int64() if c in INTEGER_COUNTERS else pl.Float64()) for c in COUNTERS},
        },
        "granularity = %s AND period_start >= %s AND period_start < %s",
        ["day", store.param(first), store.param(stop)],
    )
    IntervalRollup.objects.filter(
        granularity=granularity, period_start__gte=first, period_start__lt=stop
    ).delete()
    if days.height == 0:
        return 0
    summed = (
        days.with_columns(period_start=period_start(pl.col("period_start"), granularity, tz))
        .group_by("period_start", "scope", "agent_code", "queue")
        .agg([pl.col(c).sum() for c in COUNTERS])
        .with_columns(granularity=pl.lit(granularity))
    )
    store.insert_frame(IntervalRollup._meta.db_table, summed.select(_ROLLUP_COLUMNS))
    return summed.height


def recompute_all() -> int:
    """Recompute every rollup from the stored calls and agent states, a month at a time."""
    from django.db.models import Max, Min

    tz = get_policy().time_zone
    span = CallRecord.objects.aggregate(a=Min("offered_at"), b=Max("offered_at"))
    ev = AgentStateEvent.objects.aggregate(a=Min("occurred_at"), b=Max("occurred_at"))
    starts = [x for x in (span["a"], ev["a"]) if x]
    ends = [x for x in (span["b"], ev["b"]) if x]
    if not starts:
        IntervalRollup.objects.all().delete()
        return 0
    first = min(starts).astimezone(ZoneInfo(tz)).date()
    last = max(ends).astimezone(ZoneInfo(tz)).date()
    IntervalRollup.objects.all().delete()
    written = 0
    day = first
    while day <= last:
        chunk_end = min(last, day + dt.timedelta(days=30))
        written += recompute_rollups(first_day=day, last_day=chunk_end)
        day = chunk_end + dt.timedelta(days=1)
    return written


# ---------------------------------------------------------------------------
# The inputs no ACD has, and links to service requests
# ---------------------------------------------------------------------------


def recompute_for_span(start: dt.datetime, end: dt.datetime) -> None:
    tz = get_policy().time_zone
    recompute_rollups(
        first_day=start.astimezone(ZoneInfo(tz)).date(), last_day=end.astimezone(ZoneInfo(tz)).date()
    )


@transaction.atomic
def schedule_agent(
    *, agent: Agent, start: dt.datetime, end: dt.datetime, actor: Any, note: str = ""
) -> AgentSchedule:
    if end <= start:
        raise ValidationFailed("schedule_order", _("A shift must end after it starts."), field="end")
    row = AgentSchedule.objects.create(agent=agent, start=start, end=end, note=note, created_by=_user(actor))
    record_history(subject=row, event="scheduled", actor=actor)
    recompute_for_span(start, end)
    return row


@transaction.atomic
def record_center_cost(
    *, first_day: dt.date, last_day: dt.date, amount: Decimal, actor: Any, note: str = ""
) -> CenterCost:
    if last_day < first_day:
        raise ValidationFailed(
            "cost_order", _("The last day cannot be before the first day."), field="last_day"
        )
    if amount < 0:
        raise ValidationFailed("cost_negative", _("A cost cannot be negative."), field="amount")
    row = CenterCost.objects.create(
        first_day=first_day,
        last_day=last_day,
        amount=amount.quantize(Decimal("0.01")),
        note=note,
        created_by=_user(actor),
    )
    record_history(subject=row, event="cost_recorded", actor=actor, data={"amount": str(row.amount)})
    return row


@transaction.atomic
def record_monitoring_score(
    *, agent: Agent, score: Decimal, scored_at: dt.datetime, actor: Any, call_id: str = "", note: str = ""
) -> MonitoringScore:
    if not Decimal("0") <= score <= Decimal("100"):
        raise ValidationFailed("score_range", _("A monitoring score is between 0 and 100."), field="score")
    row = MonitoringScore.objects.create(
        agent=agent, score=score, scored_at=scored_at, call_id=call_id, note=note, scored_by=_user(actor)
    )
    record_history(subject=row, event="scored", actor=actor, data={"score": str(score)})
    return row


@transaction.atomic
def link_call_to_request(*, call: CallRecord, request_number: str, actor: Any) -> CallRecord:
    """Record which service request a call was about; first-call resolution then follows the request."""
    number = request_number.strip()
    if not number:
        raise ValidationFailed(
            "request_required", _("Give the service request number."), field="request_number"
        )
    old = call.service_request_number
    CallRecord.objects.filter(pk=call.pk).update(service_request_number=number[:40])
    call.service_request_number = number[:40]
    record_history(subject=call, event="linked_to_request", actor=actor, old=old, new=number[:40])
    recompute_for_span(call.offered_at, call.offered_at)
    return call


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def import_path(
    *, path: str, fmt: str, actor: Any = None, time_zone: str | None = None, progress: Any = None
) -> ImportBatch:
    """Import a file from disk (the CLI)."""
    if not os.path.isfile(path):
        raise DomainError("file_not_found", _("No such file: %(path)s"), field="file", path=path)
    with open(path, "rb") as stream:
        return import_call_file(
            stream=stream,
            file_name=os.path.basename(path),
            fmt=fmt,
            actor=actor,
            time_zone=time_zone,
            progress=progress,
        )
