"""Reads for pages, API, CLI and exports: metrics from the rollups, chart series, staffing forecasts.

Rollups hold additive counters; a metric is computed here from the counters
of the periods asked for, plus the inputs no ACD has (center cost for cost per
call, QA scores, headcount for turnover), which are small tables read per request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from django.db.models import Count, Q, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.core.permissions import has_role

from . import services, store
from .engine.advice import advice_for
from .engine.forecast import forecast_day, staffing_curve
from .engine.metrics import ABOVE, BELOW, BY_CODE, METRICS, MetricValue, evaluate
from .engine.records import UTC_US
from .engine.rollup import COUNTERS, INTEGER_COUNTERS, period_start, rollup
from .models import Agent, CenterCost, Granularity, IntervalRollup, MetricRange, MonitoringScore, Team

SEE_ALL_ROLES = ("manager", "admin", "quality")
COUNT_KEYS = (
    "calls_total",
    "calls_received",
    "calls_answered",
    "calls_abandoned",
    "calls_short_abandoned",
    "calls_misdial_abandoned",
    "calls_timeout",
    "calls_blocked",
    "calls_ivr",
    "calls_queued",
    "calls_offered",
)


# ---------------------------------------------------------------------------
# Access
# ---------------------------------------------------------------------------


def sees_everything(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, *SEE_ALL_ROLES)


def access_agent(user: Any, code: str) -> Agent:
    """The agent, if the user may see them (everything, or their own record); else not found."""
    agent = Agent.objects.select_related("team", "user").filter(code=code).first()
    if agent is None or not (
        sees_everything(user) or (agent.user_id is not None and agent.user_id == user.pk)
    ):
        raise NotFound()
    return agent


def own_agent(user: Any) -> Agent | None:
    return Agent.objects.filter(user=user).first() if getattr(user, "is_authenticated", False) else None


# ---------------------------------------------------------------------------
# Scopes and periods
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    start: dt.date
    end: dt.date  # inclusive
    granularity: str = Granularity.DAY
    agent: str | None = None
    queue: str | None = None
    team: str | None = None

    @property
    def scope(self) -> str:
        if self.agent and self.queue:
            return "agent_queue"
        if self.agent:
            return "agent"
        if self.team:
            return "team"
        if self.queue:
            return "queue"
        return "center"


def check_selection(sel: Selection) -> Selection:
    if sel.end < sel.start:
        raise ValidationFailed("range_order", _("The end date is before the start date."), field="to")
    if sel.granularity not in Granularity.values:
        raise ValidationFailed(
            "unknown_interval", _("Unknown interval: %(by)s"), field="by", by=sel.granularity
        )
    if sel.team and not Team.objects.filter(code=sel.team).exists():
        raise ValidationFailed("unknown_team", _("Unknown team: %(team)s"), field="team", team=sel.team)
    days = (sel.end - sel.start).days + 1
    limit = {"halfhour": 93, "hour": 186}.get(sel.granularity)
    if limit and days > limit:
        raise ValidationFailed(
            "range_too_long",
            _("At most %(days)s days per %(by)s."),
            field="from",
            days=limit,
            by=sel.granularity,
        )
    return sel


def time_zone() -> str:
    return services.get_policy().time_zone


def local_midnight(day: dt.date, tz: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(tz)).astimezone(dt.UTC)


def range_bounds(sel: Selection, tz: str) -> tuple[dt.datetime, dt.datetime]:
    """UTC bounds: from the start of the period containing ``start`` to the end of ``end``."""
    start = local_midnight(sel.start, tz)
    if sel.granularity in ("week", "month"):
        frame = pl.DataFrame({"t": [start]}).with_columns(pl.col("t").cast(UTC_US))
        start = frame.select(period_start(pl.col("t"), sel.granularity, tz)).item()
    return start, local_midnight(sel.end + dt.timedelta(days=1), tz)


_COUNTER_SCHEMA: dict[str, pl.DataType] = {
    c: (pl.Int64() if c in INTEGER_COUNTERS else pl.Float64()) for c in COUNTERS
}


def counters_frame(sel: Selection, granularity: str | None = None) -> pl.DataFrame:
    """Counters per period_start for the selection's scope, from the stored rollups."""
    g = granularity or sel.granularity
    tz = time_zone()
    start, end = range_bounds(Selection(sel.start, sel.end, g), tz)
    if sel.scope == "agent_queue":
        calls = services.load_calls(start, end, agent=sel.agent, queue=sel.queue)
        frame = rollup(calls, policy=services.engine_policy(), granularities=(g,), scopes=("center",))
        return frame.select("period_start", *COUNTERS).sort("period_start")
    where = "granularity = %s AND period_start >= %s AND period_start < %s"
    params: list[Any] = [g, store.param(start), store.param(end)]
    if sel.scope == "agent":
        where += " AND scope = 'agent' AND agent_code = %s"
        params.append(sel.agent)
    elif sel.scope == "team":
        codes = list(Agent.objects.filter(team__code=sel.team).values_list("code", flat=True)) or ["\x00"]
        where += f" AND scope = 'agent' AND agent_code IN ({', '.join(['%s'] * len(codes))})"
        params.extend(codes)
    elif sel.scope == "queue":
        where += " AND scope = 'queue' AND queue = %s"
        params.append(sel.queue)
    else:
        where += " AND scope = 'center'"
    rows = store.select_frame(
        IntervalRollup._meta.db_table, {"period_start": UTC_US, **_COUNTER_SCHEMA}, where, params
    )
    return rows.group_by("period_start").agg([pl.col(c).sum() for c in COUNTERS]).sort("period_start")


def _period_end(start: dt.datetime, granularity: str, tz: str) -> dt.datetime:
    if granularity == "halfhour":
        return start + dt.timedelta(minutes=30)
    if granularity == "hour":
        return start + dt.timedelta(hours=1)
    local = start.astimezone(ZoneInfo(tz))
    if granularity == "day":
        nxt = local.date() + dt.timedelta(days=1)
    elif granularity == "week":
        nxt = local.date() + dt.timedelta(days=7)
    else:
        nxt = (local.date().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return local_midnight(nxt, tz)


# ---------------------------------------------------------------------------
# The inputs no ACD has
# ---------------------------------------------------------------------------


def _agent_filter(sel: Selection) -> Q | None:
    if sel.agent:
        return Q(agent__code=sel.agent)
    if sel.team:
        return Q(agent__team__code=sel.team)
    if sel.queue:
        return None
    return Q()


def extras(sel: Selection, start: dt.datetime, end: dt.datetime, tz: str, granularity: str) -> dict[str, Any]:
    """Cost, QA and headcount counters for one period of the selection."""
    out: dict[str, Any] = {
        "cost": None,
        "qa_score_sum": None,
        "qa_count": None,
        "leavers": None,
        "headcount": None,
    }
    if sel.scope == "center":
        total = Decimal("0")
        found = False
        seconds = Decimal((end - start).total_seconds())
        for cost in CenterCost.objects.filter(
            first_day__lte=(end - dt.timedelta(microseconds=1)).astimezone(ZoneInfo(tz)).date(),
            last_day__gte=start.astimezone(ZoneInfo(tz)).date(),
        ):
            c_start = local_midnight(cost.first_day, tz)
            c_end = local_midnight(cost.last_day + dt.timedelta(days=1), tz)
            overlap = (min(end, c_end) - max(start, c_start)).total_seconds()
            if overlap > 0:
                found = True
                total += cost.amount * Decimal(overlap) / Decimal((c_end - c_start).total_seconds())
        if found and seconds > 0:
            out["cost"] = total
    who = _agent_filter(sel)
    if who is not None:
        qa = MonitoringScore.objects.filter(who, scored_at__gte=start, scored_at__lt=end).aggregate(
            s=Sum("score"), n=Count("id")
        )
        if qa["n"]:
            out["qa_score_sum"] = float(qa["s"])
            out["qa_count"] = qa["n"]
    if granularity in ("day", "week", "month", "range") and sel.scope in ("center", "team"):
        # Only agents whose hire date HR entered count: agents the ACD import created carry no HR facts.
        staff = Agent.objects.filter(full_time=True, hired_on__isnull=False)
        if sel.scope == "team":
            staff = staff.filter(team__code=sel.team)
        first = start.astimezone(ZoneInfo(tz)).date()
        last = (end - dt.timedelta(microseconds=1)).astimezone(ZoneInfo(tz)).date()

        # At the start of the period everyone who leaves during it is still employed; at its end they are gone.
        at_start = staff.filter(
            Q(hired_on__isnull=True) | Q(hired_on__lte=first), Q(left_on__isnull=True) | Q(left_on__gte=first)
        ).count()
        at_end = staff.filter(
            Q(hired_on__isnull=True) | Q(hired_on__lte=last), Q(left_on__isnull=True) | Q(left_on__gt=last)
        ).count()
        headcount = (at_start + at_end) / 2
        if headcount > 0:
            out["headcount"] = headcount
            out["leavers"] = staff.filter(left_on__gte=first, left_on__lte=last).count()
    return out


# ---------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------


def range_overrides() -> dict[str, tuple[float | None, float | None]]:
    return {
        r.metric: (float(r.low) if r.low is not None else None, float(r.high) if r.high is not None else None)
        for r in MetricRange.objects.all()
    }


def _clean(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v.quantize(Decimal("0.01")))
    if isinstance(v, float):
        return round(v, 6)
    return v


def metric_dict(m: MetricValue, language: str) -> dict[str, Any]:
    zh = language.lower().startswith("zh")
    d = m.as_dict()
    d["value"] = _clean(m.value)
    d["name"] = m.name_zh if zh else m.name_en
    d["definition"] = m.definition_zh if zh else m.definition_en
    definition = BY_CODE[m.code]
    note = definition.range_note_zh if zh else definition.range_note_en
    if note:
        d["range_note"] = note
    if m.status in (ABOVE, BELOW):
        advice = advice_for(m.code, m.status)
        if advice is not None:
            d["advice"] = advice.in_language(language)
    return d


def evaluate_counters(
    counters: dict[str, Any], *, period_days: float | None, overrides: dict[str, Any] | None = None
) -> list[MetricValue]:
    return evaluate(
        counters,
        policy=services.engine_policy(),
        overrides=overrides if overrides is not None else range_overrides(),
        period_days=period_days,
    )


def metrics_report(
    sel: Selection, *, language: str | None = None, with_periods: bool = True
) -> dict[str, Any]:
    """The 23 metrics over the whole selection and per period, JSON-ready."""
    sel = check_selection(sel)
    language = language or get_language() or "zh-hans"
    tz = time_zone()
    overrides = range_overrides()
    start, end = range_bounds(sel, tz)
    periods_out = []
    frame = counters_frame(sel)
    if with_periods:
        for row in frame.iter_rows(named=True):
            ps = row.pop("period_start")
            pe = _period_end(ps, sel.granularity, tz)
            row.update(extras(sel, ps, pe, tz, sel.granularity))
            days = (pe - ps).total_seconds() / 86400
            values = evaluate_counters(row, period_days=days, overrides=overrides)
            periods_out.append(
                {
                    "period_start": ps.astimezone(ZoneInfo(tz)).isoformat(),
                    "counts": {k: row[k] for k in COUNT_KEYS},
                    "metrics": [metric_dict(v, language) for v in values],
                }
            )
    total_start, total_end = local_midnight(sel.start, tz), local_midnight(sel.end + dt.timedelta(days=1), tz)
    day_frame = counters_frame(sel, "day")
    totals = {c: (day_frame.get_column(c).sum() if day_frame.height else 0) for c in COUNTERS}
    totals.update(extras(sel, total_start, total_end, tz, "range"))
    total_values = evaluate_counters(totals, period_days=(sel.end - sel.start).days + 1, overrides=overrides)
    return {
        "from": sel.start.isoformat(),
        "to": sel.end.isoformat(),
        "by": sel.granularity,
        "time_zone": tz,
        "scope": {"kind": sel.scope, "agent": sel.agent, "queue": sel.queue, "team": sel.team},
        "counts": {k: totals[k] for k in COUNT_KEYS},
        "metrics": [metric_dict(v, language) for v in total_values],
        "periods": periods_out,
        "range_start": start.isoformat(),
        "range_end": end.isoformat(),
    }


def metric_definitions(language: str | None = None) -> list[dict[str, Any]]:
    language = language or get_language() or "zh-hans"
    zh = language.lower().startswith("zh")
    policy = services.engine_policy()
    overrides = range_overrides()
    out = []
    for m in METRICS:
        low, high = overrides.get(m.code, (m.low, m.high))
        if m.code == "service_level" and m.code not in overrides:
            low = policy.service_level_target
        out.append(
            {
                "number": m.number,
                "code": m.code,
                "name": m.name_zh if zh else m.name_en,
                "definition": m.definition_zh if zh else m.definition_en,
                "unit": m.unit,
                "range": {"low": low, "high": high},
                "range_note": m.range_note_zh if zh else m.range_note_en,
                "source": m.source,
            }
        )
    return out


# ---------------------------------------------------------------------------
# Chart series
# ---------------------------------------------------------------------------


def _labels(frame: pl.DataFrame, granularity: str, tz: str) -> list[str]:
    fmt = {
        "halfhour": "%m-%d %H:%M",
        "hour": "%m-%d %H:00",
        "day": "%Y-%m-%d",
        "week": "%Y-%m-%d",
        "month": "%Y-%m",
    }[granularity]
    if frame.height == 0:
        return []
    return (
        frame.select(pl.col("period_start").dt.convert_time_zone(tz).dt.strftime(fmt)).to_series().to_list()
    )


_STEP = {"halfhour": "30m", "hour": "1h", "day": "1d", "week": "1w", "month": "1mo"}


def with_every_period(frame: pl.DataFrame, sel: Selection, granularity: str) -> pl.DataFrame:
    """The frame with a zero row for every period of the range that had no calls (charts need them)."""
    tz = time_zone()
    start, end = range_bounds(Selection(sel.start, sel.end, granularity), tz)
    local = ZoneInfo(tz)
    periods = pl.DataFrame(
        {
            "period_start": pl.datetime_range(
                start.astimezone(local),
                end.astimezone(local),
                _STEP[granularity],
                closed="left",
                time_zone=tz,
                eager=True,
            )
        }
    ).with_columns(pl.col("period_start").dt.convert_time_zone("UTC").cast(UTC_US))
    out = periods.join(frame, on="period_start", how="left")
    return out.with_columns([pl.col(c).fill_null(0) for c in COUNTERS if c in out.columns])


def volume_series(sel: Selection) -> dict[str, Any]:
    """Total / answered / abandoned / blocked calls per period (center or queue scope)."""
    tz = time_zone()
    f = with_every_period(counters_frame(sel), sel, sel.granularity)
    return {
        "labels": _labels(f, sel.granularity, tz),
        "total": f.get_column("calls_total").to_list() if f.height else [],
        "answered": f.get_column("calls_answered").to_list() if f.height else [],
        "abandoned": f.get_column("calls_abandoned").to_list() if f.height else [],
        "blocked": f.get_column("calls_blocked").to_list() if f.height else [],
    }


def half_hour_service(sel: Selection) -> dict[str, Any]:
    """ASA (s) and service level (%) per half hour."""
    tz = time_zone()
    hh = Selection(sel.start, sel.end, "halfhour", sel.agent, sel.queue, sel.team)
    f = counters_frame(check_selection(hh))
    if f.height:
        f = with_every_period(f, hh, "halfhour")
    if f.height == 0:
        return {"labels": [], "asa": [], "service_level": []}
    offered = pl.col("calls_offered") - pl.col("calls_short_abandoned")
    g = f.select(
        asa=pl.when(pl.col("calls_answered") > 0).then(
            pl.col("wait_answered_seconds") / pl.col("calls_answered")
        ),
        sl=pl.when(offered > 0).then(pl.col("calls_answered_in_sl") / offered * 100),
    )
    return {
        "labels": _labels(f, "halfhour", tz),
        "asa": [None if v is None else round(v, 1) for v in g.get_column("asa").to_list()],
        "service_level": [None if v is None else round(v, 1) for v in g.get_column("sl").to_list()],
    }


def aht_per_agent(sel: Selection, *, top: int = 8, agents: list[str] | None = None) -> dict[str, Any]:
    """AHT (s) per agent per day for the agents with the most answered calls (or the ones given)."""
    tz = time_zone()
    start, end = range_bounds(Selection(sel.start, sel.end, "day"), tz)
    where = "granularity = 'day' AND scope = 'agent' AND period_start >= %s AND period_start < %s"
    params: list[Any] = [store.param(start), store.param(end)]
    if agents:
        where += f" AND agent_code IN ({', '.join(['%s'] * len(agents))})"
        params.extend(agents)
    elif sel.team:
        codes = list(Agent.objects.filter(team__code=sel.team).values_list("code", flat=True)) or ["\x00"]
        where += f" AND agent_code IN ({', '.join(['%s'] * len(codes))})"
        params.extend(codes)
    f = store.select_frame(
        IntervalRollup._meta.db_table,
        {
            "period_start": UTC_US,
            "agent_code": pl.String(),
            "calls_answered": pl.Int64(),
            "talk_seconds": pl.Float64(),
            "hold_seconds": pl.Float64(),
            "wrap_seconds": pl.Float64(),
            "acw_seconds": pl.Float64(),
        },
        where,
        params,
    )
    if f.height == 0:
        return {"labels": [], "series": []}
    chosen = (
        (
            f.group_by("agent_code")
            .agg(pl.col("calls_answered").sum())
            .sort("calls_answered", descending=True)
            .head(top)
        )
        .get_column("agent_code")
        .to_list()
    )
    days = f.select(pl.col("period_start").unique().sort())
    labels = _labels(days, "day", tz)
    series = []
    for code in chosen:
        a = days.join(f.filter(pl.col("agent_code") == code), on="period_start", how="left").sort(
            "period_start"
        )
        aht = a.select(
            pl.when(pl.col("calls_answered") > 0).then(
                (
                    pl.col("talk_seconds")
                    + pl.col("hold_seconds")
                    + pl.col("wrap_seconds")
                    + pl.col("acw_seconds")
                )
                / pl.col("calls_answered")
            )
        ).to_series()
        series.append({"agent": code, "aht": [None if v is None else round(v, 1) for v in aht.to_list()]})
    return {"labels": labels, "series": series}


def queues() -> list[str]:
    return list(
        IntervalRollup.objects.filter(scope="queue", granularity="month")
        .values_list("queue", flat=True)
        .distinct()
        .order_by("queue")
    )


def data_span() -> tuple[dt.date, dt.date] | None:
    """First and last local day with rollups."""
    from django.db.models import Max, Min

    agg = IntervalRollup.objects.filter(granularity="day", scope="center").aggregate(
        a=Min("period_start"), b=Max("period_start")
    )
    if agg["a"] is None:
        return None
    tz = ZoneInfo(time_zone())
    return agg["a"].astimezone(tz).date(), agg["b"].astimezone(tz).date()


# ---------------------------------------------------------------------------
# Staffing
# ---------------------------------------------------------------------------


def history_for_forecast(target: dt.date, weeks: int, queue: str | None = None) -> pl.DataFrame:
    tz = time_zone()
    start = local_midnight(target - dt.timedelta(weeks=weeks), tz)
    end = local_midnight(target, tz)
    where = "granularity = 'halfhour' AND period_start >= %s AND period_start < %s"
    params: list[Any] = [store.param(start), store.param(end)]
    if queue:
        where += " AND scope = 'queue' AND queue = %s"
        params.append(queue)
    else:
        where += " AND scope = 'center'"
    f = store.select_frame(
        IntervalRollup._meta.db_table,
        {
            "period_start": UTC_US,
            "calls_offered": pl.Int64(),
            "calls_answered": pl.Int64(),
            "talk_seconds": pl.Float64(),
            "hold_seconds": pl.Float64(),
            "wrap_seconds": pl.Float64(),
            "acw_seconds": pl.Float64(),
        },
        where,
        params,
    )
    return f.select(
        "period_start",
        calls=pl.col("calls_offered").cast(pl.Float64),
        answered=pl.col("calls_answered").cast(pl.Float64),
        handle_seconds=pl.col("talk_seconds")
        + pl.col("hold_seconds")
        + pl.col("wrap_seconds")
        + pl.col("acw_seconds"),
    )


def staffing_forecast(
    target: dt.date,
    *,
    target_sl: float,
    target_seconds: float,
    shrinkage: float,
    max_occupancy: float,
    patience_seconds: float | None = None,
    queue: str | None = None,
) -> list[dict[str, Any]]:
    """Per half hour of ``target``: forecast calls and AHT, and the agents they need."""
    policy = services.get_policy()
    history = history_for_forecast(target, policy.forecast_weeks, queue)
    fc = forecast_day(history, target, time_zone=policy.time_zone, weeks=policy.forecast_weeks)
    curve = staffing_curve(
        fc,
        target_sl=target_sl,
        target_seconds=target_seconds,
        shrinkage=shrinkage,
        max_occupancy=max_occupancy,
        patience_seconds=patience_seconds,
    )
    out = []
    for slot in curve:
        r = slot.result
        out.append(
            {
                "slot": slot.slot,
                "calls": round(slot.calls, 2),
                "aht_seconds": None if slot.aht_seconds is None else round(slot.aht_seconds, 1),
                "agents": r.agents if r else 0,
                "scheduled_agents": r.scheduled_agents if r else 0,
                "service_level": None if r is None else round(r.service_level, 4),
                "asa_seconds": None if r is None else round(r.asa_seconds, 1),
                "occupancy": None if r is None else round(r.occupancy, 4),
                "abandon_probability": None
                if r is None or r.abandon_probability is None
                else round(r.abandon_probability, 4),
            }
        )
    return out


def agent_summary(sel: Selection) -> list[dict[str, Any]]:
    """One row per agent over the range: answered calls and their key metrics."""
    tz = time_zone()
    start, end = local_midnight(sel.start, tz), local_midnight(sel.end + dt.timedelta(days=1), tz)
    where = "granularity = 'day' AND scope = 'agent' AND period_start >= %s AND period_start < %s"
    params: list[Any] = [store.param(start), store.param(end)]
    agents = Agent.objects.select_related("team")
    if sel.team:
        agents = agents.filter(team__code=sel.team)
        codes = list(agents.values_list("code", flat=True)) or ["\x00"]
        where += f" AND agent_code IN ({', '.join(['%s'] * len(codes))})"
        params.extend(codes)
    f = store.select_frame(
        IntervalRollup._meta.db_table, {"agent_code": pl.String(), **_COUNTER_SCHEMA}, where, params
    )
    if f.height == 0:
        return []
    summed = (
        f.group_by("agent_code")
        .agg([pl.col(c).sum() for c in COUNTERS])
        .sort("calls_answered", descending=True)
    )
    known = {a.code: a for a in agents}
    overrides = range_overrides()
    wanted = (
        "average_handle_time",
        "average_speed_of_answer",
        "occupancy",
        "adherence",
        "calls_per_agent_hour",
        "transfer_rate",
    )
    rows = []
    for row in summed.iter_rows(named=True):
        code = row.pop("agent_code")
        values = {
            v.code: metric_dict(v, get_language() or "zh-hans")
            for v in evaluate_counters(row, period_days=None, overrides=overrides)
            if v.code in wanted
        }
        rows.append(
            {
                "code": code,
                "agent": known.get(code),
                "answered": row["calls_answered"],
                "metrics": [values[c] for c in wanted],
            }
        )
    return rows
