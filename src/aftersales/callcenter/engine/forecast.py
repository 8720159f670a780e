"""A day's half-hour volume forecast from history, and the staffing curve it needs.

The forecast for a date is, per local half hour, the mean volume of the same
weekday over the last ``weeks`` weeks that have data (call volume follows the
weekly pattern far more than any trend within a month); AHT is the handle time
of those same half hours divided by their answered calls, falling back to the
history's overall AHT where a half hour had no answered calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from .erlang import StaffingResult, erlang_a_staffing, erlang_c_staffing

FORECAST_SCHEMA = {
    "slot_start": pl.Datetime("us", "UTC"),
    "slot": pl.String,
    "calls": pl.Float64,
    "aht_seconds": pl.Float64,
}


def forecast_day(
    history: pl.DataFrame,
    target: date,
    *,
    time_zone: str = "Asia/Shanghai",
    weeks: int = 4,
) -> pl.DataFrame:
    """Per half hour of ``target``: expected calls offered to agents and AHT.

    ``history`` has one row per half hour: ``period_start`` (UTC), ``calls``
    (offered to agents), ``answered`` and ``handle_seconds``.
    """
    tz = ZoneInfo(time_zone)
    local_midnight = datetime.combine(target, time(0), tzinfo=tz)
    slots = pl.DataFrame(
        {"slot_start": [local_midnight + timedelta(minutes=30 * i) for i in range(48)]}
    ).with_columns(pl.col("slot_start").dt.convert_time_zone("UTC"))
    slots = slots.with_columns(slot=pl.col("slot_start").dt.convert_time_zone(time_zone).dt.strftime("%H:%M"))
    if history.height == 0:
        return slots.with_columns(calls=pl.lit(0.0), aht_seconds=pl.lit(None, dtype=pl.Float64))
    first = target - timedelta(weeks=weeks)
    h = history.with_columns(_local=pl.col("period_start").dt.convert_time_zone(time_zone)).with_columns(
        _date=pl.col("_local").dt.date(), slot=pl.col("_local").dt.strftime("%H:%M")
    )
    same_day = h.filter(
        (pl.col("_date") >= first)
        & (pl.col("_date") < target)
        & (pl.col("_date").dt.weekday() == target.isoweekday())
    )
    basis = same_day if same_day.height else h.filter(pl.col("_date") < target)
    days = basis.select(pl.col("_date").n_unique()).item() or 0
    if days == 0:
        return slots.with_columns(calls=pl.lit(0.0), aht_seconds=pl.lit(None, dtype=pl.Float64))
    overall_aht = basis.select((pl.col("handle_seconds").sum() / pl.col("answered").sum()).alias("a")).item()
    per_slot = basis.group_by("slot").agg(
        calls=pl.col("calls").sum() / days,
        aht_seconds=pl.when(pl.col("answered").sum() > 0)
        .then(pl.col("handle_seconds").sum() / pl.col("answered").sum())
        .otherwise(None),
    )
    out = slots.join(per_slot, on="slot", how="left").with_columns(
        calls=pl.col("calls").fill_null(0.0),
        aht_seconds=pl.col("aht_seconds").fill_null(overall_aht),
    )
    return out.select(list(FORECAST_SCHEMA))


@dataclass(frozen=True)
class StaffingSlot:
    slot: str
    slot_start: datetime
    calls: float
    aht_seconds: float | None
    result: StaffingResult | None


def staffing_curve(
    forecast: pl.DataFrame,
    *,
    target_sl: float,
    target_seconds: float,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
    patience_seconds: float | None = None,
    interval_seconds: float = 1800.0,
) -> list[StaffingSlot]:
    """Agents (on the phones and scheduled) per forecast half hour; Erlang A when patience is given."""
    out: list[StaffingSlot] = []
    for row in forecast.iter_rows(named=True):
        calls = float(row["calls"] or 0.0)
        aht = row["aht_seconds"]
        result = None
        if aht:
            common: dict[str, Any] = dict(
                calls=calls,
                interval_seconds=interval_seconds,
                aht_seconds=float(aht),
                target_sl=target_sl,
                target_seconds=target_seconds,
                shrinkage=shrinkage,
                max_occupancy=max_occupancy,
            )
            result = (
                erlang_a_staffing(patience_seconds=patience_seconds, **common)
                if patience_seconds
                else erlang_c_staffing(**common)
            )
        out.append(StaffingSlot(row["slot"], row["slot_start"], calls, aht, result))
    return out
