"""The 23 hotline metrics: code, names, pinned definition, unit, recommended range, formula.

A formula is written once over counters and works both on plain numbers (a
page showing one period) and on Polars columns (a chart or a benchmark over
thousands of periods): ``c["calls_answered"]`` is a number in the first case
and ``pl.col("calls_answered")`` in the second.

Values: rates are fractions 0-1, times are seconds, cost is CNY.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import polars as pl

from .policy import MetricPolicy

RATIO = "ratio"
SECONDS = "seconds"
COUNT = "count"
CNY = "CNY"
SCORE = "score"
RINGS = "rings"
PER_HOUR = "calls/hour"

WITHIN = "within"
BELOW = "below"
ABOVE = "above"
NO_DATA = "no_data"
NO_RANGE = "no_range"

# Counters that come from the system rather than the ACD; the Django side adds them per period.
EXTRA_COUNTERS = ("cost", "qa_score_sum", "qa_count", "leavers", "headcount")


def _is_expr(*xs: Any) -> bool:
    return any(isinstance(x, pl.Expr) for x in xs)


def ratio(num: Any, den: Any) -> Any:
    """num / den, or nothing when the denominator is zero or unknown."""
    if _is_expr(num, den):
        return pl.when(den > 0).then(num / den).otherwise(None)
    if num is None or den is None or den == 0:
        return None
    if isinstance(num, Decimal) and not isinstance(den, Decimal):
        den = Decimal(den)
    return num / den


def only_if(flag: Any, value: Any) -> Any:
    """``value`` when ``flag`` > 0 (some data exists), else nothing."""
    if _is_expr(flag, value):
        return pl.when(flag > 0).then(value).otherwise(None)
    if flag is None or flag <= 0:
        return None
    return value


class Counters:
    """Read counters from a mapping; a missing counter reads as 0 (or None for extras)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._v = values

    def __getitem__(self, name: str) -> Any:
        v = self._v.get(name)
        if v is None:
            return None if name in EXTRA_COUNTERS else 0
        return v


class Columns:
    def __init__(self, available: set[str]) -> None:
        self._available = available

    def __getitem__(self, name: str) -> pl.Expr:
        if name in self._available:
            return pl.col(name)
        if name in EXTRA_COUNTERS:
            return pl.lit(None, dtype=pl.Float64)
        return pl.lit(0.0)


@dataclass(frozen=True)
class MetricDefinition:
    number: int
    code: str
    name_zh: str
    name_en: str
    definition_zh: str
    definition_en: str
    unit: str
    low: float | None
    high: float | None
    source: str  # acd, schedule, cost, qa, hr, requests
    formula: Callable[[Any], Any] = field(repr=False)
    # Per-year ranges (turnover) are scaled to the period's length.
    annual_range: bool = False
    range_note_zh: str = ""
    range_note_en: str = ""


def _acw(c: Any) -> Any:
    return only_if(
        c["wrap_calls"] + c["acw_seconds"], ratio(c["wrap_seconds"] + c["acw_seconds"], c["calls_answered"])
    )


def _aht(c: Any) -> Any:
    return ratio(
        c["talk_seconds"] + c["hold_seconds"] + c["wrap_seconds"] + c["acw_seconds"], c["calls_answered"]
    )


def _per_hour(c: Any) -> Any:
    return ratio(c["calls_answered"] * 3600, c["logged_in_seconds"])


def _abandonment(c: Any) -> Any:
    return ratio(
        c["calls_abandoned"] - c["calls_short_abandoned"], c["calls_queued"] - c["calls_short_abandoned"]
    )


def _service_level(c: Any) -> Any:
    return ratio(c["calls_answered_in_sl"], c["calls_offered"] - c["calls_short_abandoned"])


def _turnover(c: Any) -> Any:
    return ratio(c["leavers"], c["headcount"])


METRICS: tuple[MetricDefinition, ...] = (
    MetricDefinition(
        1,
        "adherence",
        "实际工作率",
        "Adherence",
        "排班时段内登录且处于就绪（未暂停）状态的时间 ÷ 排班时间",
        "time logged in and ready (not paused) within the schedule / time scheduled to take calls",
        RATIO,
        0.92,
        None,
        "schedule",
        lambda c: ratio(c["ready_in_schedule_seconds"], c["scheduled_seconds"]),
    ),
    MetricDefinition(
        2,
        "after_call_work_time",
        "事后处理时间",
        "After-call work time",
        "话后处理总时间（呼叫记录的话后时间，或原因为话后处理的暂停时间）÷ 接通呼叫数",
        "wrap-up time (the call record's wrap time, or pauses with an after-call-work reason) / calls answered",
        SECONDS,
        30,
        60,
        "acd",
        _acw,
    ),
    MetricDefinition(
        3,
        "average_abandon_time",
        "平均放弃时间",
        "Average abandon time",
        "放弃呼叫（排队中挂机）的等待时间之和 ÷ 放弃呼叫数",
        "total wait of calls abandoned while queued / abandoned calls",
        SECONDS,
        20,
        60,
        "acd",
        lambda c: ratio(c["abandon_wait_seconds"], c["calls_abandoned"]),
    ),
    MetricDefinition(
        4,
        "cost_per_call",
        "平均单呼成本",
        "Cost per call",
        "本期中心总成本 ÷ 本期接入的全部呼叫（人工或IVR，不含忙音）",
        "total center cost in the period / all calls received (agent or IVR, busy signals excluded)",
        CNY,
        2,
        5,
        "cost",
        lambda c: ratio(c["cost"], c["calls_received"]),
    ),
    MetricDefinition(
        5,
        "average_handle_time",
        "平均通话时间",
        "Average handle time",
        "（交谈时间 + 保持时间 + 话后处理时间）÷ 接通呼叫数",
        "(talk + hold + after-call work) / calls answered",
        SECONDS,
        180,
        600,
        "acd",
        _aht,
        range_note_zh="按呼叫类型设定目标，允许±15%",
        range_note_en="set per call type, ±15% tolerance",
    ),
    MetricDefinition(
        6,
        "average_hold_time",
        "平均持线时间",
        "Average hold time",
        "坐席将客户置于保持状态的时间之和 ÷ 有保持数据的接通呼叫数",
        "time callers were put on hold by the agent / answered calls with hold data",
        SECONDS,
        20,
        60,
        "acd",
        lambda c: ratio(c["hold_seconds"], c["hold_calls"]),
    ),
    MetricDefinition(
        7,
        "average_rings",
        "平均振铃次数",
        "Average rings",
        "应答前听到的振铃次数之和 ÷ 有振铃数据的呼叫数（振铃秒数按振铃周期折算）",
        "rings heard before the answer / calls with ring data (ring seconds divided by the ring cycle)",
        RINGS,
        2,
        4,
        "acd",
        lambda c: ratio(c["rings_total"], c["rings_calls"]),
    ),
    MetricDefinition(
        8,
        "average_queue_time",
        "平均排队时间",
        "Average queue time",
        "经过排队的接通呼叫，从进入队列到应答的时间之和 ÷ 这些呼叫数",
        "time from entering the queue to the answer, over answered calls that were queued",
        SECONDS,
        30,
        90,
        "acd",
        lambda c: ratio(c["wait_answered_queued_seconds"], c["calls_answered_queued"]),
    ),
    MetricDefinition(
        9,
        "average_speed_of_answer",
        "平均应答速度",
        "Average speed of answer (ASA)",
        "接通呼叫的排队时间之和（未排队按0计）÷ 接通呼叫数；按半小时报告",
        "total queue time of answered calls (0 if never queued) / calls answered; reported per half hour",
        SECONDS,
        None,
        20,
        "acd",
        lambda c: ratio(c["wait_answered_seconds"], c["calls_answered"]),
    ),
    MetricDefinition(
        10,
        "average_talk_time",
        "平均交谈时间",
        "Average talk time",
        "交谈时间之和 ÷ 接通呼叫数",
        "total conversation time / calls answered",
        SECONDS,
        270,
        360,
        "acd",
        lambda c: ratio(c["talk_seconds"], c["calls_answered"]),
    ),
    MetricDefinition(
        11,
        "calls_per_agent_hour",
        "每小时呼叫次数",
        "Calls per agent hour",
        "坐席接通呼叫数 ÷ 登录小时数",
        "calls answered / hours logged in",
        PER_HOUR,
        None,
        None,
        "acd",
        _per_hour,
        range_note_zh="视中心而定",
        range_note_en="depends on the center",
    ),
    MetricDefinition(
        12,
        "monitoring_score",
        "监听分值",
        "Monitoring score",
        "质检监听评分（0–100）的平均值；每名坐席每月监听4–5通",
        "mean QA score (0-100) of monitored calls; 4-5 monitored calls per agent per month",
        SCORE,
        None,
        None,
        "qa",
        lambda c: ratio(c["qa_score_sum"], c["qa_count"]),
    ),
    MetricDefinition(
        13,
        "occupancy",
        "占线率",
        "Occupancy",
        "（交谈 + 保持）÷（交谈 + 保持 + 空闲），即通话时间 ÷ 就绪时间",
        "(talk + hold) / (talk + hold + idle), i.e. time on calls / time ready",
        RATIO,
        0.90,
        None,
        "acd",
        lambda c: ratio(c["busy_seconds"], c["ready_seconds"]),
    ),
    MetricDefinition(
        14,
        "abandonment_rate",
        "呼叫放弃率",
        "Abandonment rate",
        "（放弃数 − 短时放弃数）÷（排队呼叫数 − 短时放弃数）；短时放弃为等待不超过阈值（默认20秒）",
        "(abandons - short abandons) / (queued calls - short abandons); a short abandon waited <= the threshold (default 20 s)",
        RATIO,
        0.03,
        0.05,
        "acd",
        _abandonment,
    ),
    MetricDefinition(
        15,
        "attendance",
        "出勤率",
        "Attendance",
        "排班班次中坐席实际登录的班次数 ÷ 排班班次数",
        "scheduled shifts in which the agent logged in / scheduled shifts",
        RATIO,
        0.95,
        None,
        "schedule",
        lambda c: ratio(c["shifts_present"], c["shifts_scheduled"]),
    ),
    MetricDefinition(
        16,
        "blocked_call_rate",
        "忙音率",
        "Blocked-call rate",
        "听到忙音、未进入ACD的呼叫数 ÷ 全部呼叫尝试",
        "calls that got a busy signal and never reached the ACD / all call attempts",
        RATIO,
        0.01,
        0.03,
        "acd",
        lambda c: ratio(c["calls_blocked"], c["calls_total"]),
    ),
    MetricDefinition(
        17,
        "first_call_resolution",
        "一次性解决问题的呼叫率",
        "First-call resolution",
        "接通后N天内（默认7天）同一事项（同一服务单，否则同一来电号码）没有再次来电的呼叫 ÷ 可判断的接通呼叫",
        "answered calls with no further call about the same thing (same service request, else same caller) within N days (default 7) / answered calls that can be judged",
        RATIO,
        0.85,
        1.0,
        "requests",
        lambda c: ratio(c["calls_fcr_resolved"], c["calls_fcr_eligible"]),
    ),
    MetricDefinition(
        18,
        "queue_placement_rate",
        "队列放置率",
        "Queue placement rate",
        "进入队列并等待的呼叫数 ÷ 接入呼叫数",
        "calls placed in queue (queued and waited) / calls received",
        RATIO,
        0.10,
        0.20,
        "acd",
        lambda c: ratio(c["calls_placed_in_queue"], c["calls_received"]),
    ),
    MetricDefinition(
        19,
        "transfer_rate",
        "转接呼叫率",
        "Transfer rate",
        "坐席转接的呼叫数 ÷ 接通呼叫数",
        "calls transferred by the agent / calls answered",
        RATIO,
        None,
        0.01,
        "acd",
        lambda c: ratio(c["calls_transferred"], c["calls_answered"]),
        range_note_zh="约1%",
        range_note_en="about 1%",
    ),
    MetricDefinition(
        20,
        "answered_call_rate",
        "已复电话百分比",
        "Answered-call rate",
        "接通呼叫数 ÷ 接入呼叫数",
        "calls answered / calls received",
        RATIO,
        0.98,
        None,
        "acd",
        lambda c: ratio(c["calls_answered"], c["calls_received"]),
    ),
    MetricDefinition(
        21,
        "service_level",
        "服务水平",
        "Service level",
        "T秒内（默认20秒）接通的呼叫数 ÷（分配给坐席的呼叫数 − 短时放弃数）",
        "calls answered within T s (default 20) / (calls offered to agents - short abandons)",
        RATIO,
        0.80,
        None,
        "acd",
        _service_level,
    ),
    MetricDefinition(
        22,
        "total_calls",
        "总呼叫数",
        "Total calls",
        "全部呼叫：忙音、放弃、超时、IVR与接通",
        "every call: blocked, abandoned, timed out, IVR and answered",
        COUNT,
        None,
        None,
        "acd",
        lambda c: c["calls_total"],
        range_note_zh="看趋势",
        range_note_en="watch the trend",
    ),
    MetricDefinition(
        23,
        "agent_turnover",
        "值机员流动率",
        "Agent turnover",
        "本期离职坐席数 ÷ 全职在编人数（期初与期末的平均）；推荐范围为年度值，按期长折算",
        "agents who left in the period / full-time headcount (mean of start and end); the range is per year, scaled to the period",
        RATIO,
        0.15,
        0.30,
        "hr",
        _turnover,
        annual_range=True,
    ),
)

BY_CODE: dict[str, MetricDefinition] = {m.code: m for m in METRICS}
CODES: tuple[str, ...] = tuple(m.code for m in METRICS)


@dataclass(frozen=True)
class MetricValue:
    code: str
    number: int
    name_zh: str
    name_en: str
    value: Any
    unit: str
    low: float | None
    high: float | None
    status: str
    definition_zh: str
    definition_en: str

    def as_dict(self) -> dict[str, Any]:
        v = self.value
        if isinstance(v, Decimal):
            v = float(v)
        return {
            "code": self.code,
            "number": self.number,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "value": v,
            "unit": self.unit,
            "range": {"low": self.low, "high": self.high},
            "status": self.status,
            "definition_zh": self.definition_zh,
            "definition_en": self.definition_en,
        }


def status_of(value: Any, low: float | None, high: float | None) -> str:
    if value is None:
        return NO_DATA
    if low is None and high is None:
        return NO_RANGE
    v = float(value)
    if low is not None and v < low - 1e-12:
        return BELOW
    if high is not None and v > high + 1e-12:
        return ABOVE
    return WITHIN


def effective_definitions(
    policy: MetricPolicy, overrides: Mapping[str, tuple[float | None, float | None]] | None = None
) -> dict[str, MetricDefinition]:
    """Definitions with the ranges the center set (service level's low end is its target)."""
    defs = dict(BY_CODE)
    defs["service_level"] = replace(defs["service_level"], low=policy.service_level_target)
    for code, (low, high) in (overrides or {}).items():
        if code in defs:
            defs[code] = replace(defs[code], low=low, high=high)
    return defs


def scaled_range(d: MetricDefinition, period_days: float | None) -> tuple[float | None, float | None]:
    if not d.annual_range or not period_days:
        return d.low, d.high
    f = period_days / 365.0
    return (d.low * f if d.low is not None else None, d.high * f if d.high is not None else None)


def evaluate(
    counters: Mapping[str, Any],
    *,
    policy: MetricPolicy | None = None,
    overrides: Mapping[str, tuple[float | None, float | None]] | None = None,
    period_days: float | None = None,
    codes: tuple[str, ...] = CODES,
) -> list[MetricValue]:
    """All metrics for one set of counters (one period, one scope)."""
    defs = effective_definitions(policy or MetricPolicy(), overrides)
    c = Counters(counters)
    out = []
    for code in codes:
        d = defs[code]
        value = d.formula(c)
        if isinstance(value, float) and value != value:  # NaN never leaves the engine
            value = None
        low, high = scaled_range(d, period_days)
        out.append(
            MetricValue(
                code=d.code,
                number=d.number,
                name_zh=d.name_zh,
                name_en=d.name_en,
                value=value,
                unit=d.unit,
                low=low,
                high=high,
                status=status_of(value, low, high),
                definition_zh=d.definition_zh,
                definition_en=d.definition_en,
            )
        )
    return out


def metric_columns(codes: tuple[str, ...] = CODES, available: set[str] | None = None) -> list[pl.Expr]:
    """Polars expressions computing each metric from counter columns, named by code."""
    from .rollup import COUNTERS

    cols = Columns(available if available is not None else set(COUNTERS))
    out = []
    for code in codes:
        value = BY_CODE[code].formula(cols)
        expr = value if isinstance(value, pl.Expr) else pl.lit(value)
        out.append(expr.cast(pl.Float64).alias(code))
    return out


def with_metrics(rollups: pl.DataFrame, codes: tuple[str, ...] = CODES) -> pl.DataFrame:
    """Append one column per metric to a frame of counters."""
    return rollups.with_columns(metric_columns(codes, set(rollups.columns)))
