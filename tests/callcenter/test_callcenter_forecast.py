"""A day's half-hour forecast from history and its staffing curve, without a database."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from aftersales.callcenter.engine.erlang import erlang_c_staffing
from aftersales.callcenter.engine.forecast import forecast_day, staffing_curve

TZ = "Asia/Shanghai"


def _history(weeks: int, calls_at_nine: list[int]) -> pl.DataFrame:
    """Half hours at 09:00 local on the Mondays before 2024-03-25, plus noise on Tuesdays."""
    rows = []
    for w in range(weeks):
        monday = dt.date(2024, 3, 25) - dt.timedelta(weeks=w + 1)
        nine = dt.datetime.combine(monday, dt.time(9), tzinfo=dt.timezone(dt.timedelta(hours=8)))
        rows.append(
            {
                "period_start": nine,
                "calls": float(calls_at_nine[w]),
                "answered": float(calls_at_nine[w]),
                "handle_seconds": 200.0 * calls_at_nine[w],
            }
        )
        rows.append(
            {
                "period_start": nine + dt.timedelta(days=1),
                "calls": 999.0,
                "answered": 999.0,
                "handle_seconds": 999.0 * 60,
            }
        )
    return pl.DataFrame(rows).with_columns(pl.col("period_start").dt.convert_time_zone("UTC"))


def test_forecast_is_the_mean_of_the_same_weekday_and_half_hour():
    fc = forecast_day(_history(4, [100, 120, 80, 100]), dt.date(2024, 3, 25), time_zone=TZ, weeks=4)
    assert fc.height == 48
    nine = fc.filter(pl.col("slot") == "09:00").row(0, named=True)
    assert nine["calls"] == pytest.approx(100)
    assert nine["aht_seconds"] == pytest.approx(200)
    assert fc.filter(pl.col("slot") == "10:00").item(0, "calls") == 0
    # Tuesdays' volume does not leak into a Monday.
    assert fc.get_column("calls").sum() == pytest.approx(100)


def test_only_the_given_number_of_weeks_is_used():
    fc = forecast_day(_history(4, [100, 120, 80, 1000]), dt.date(2024, 3, 25), time_zone=TZ, weeks=3)
    assert fc.filter(pl.col("slot") == "09:00").item(0, "calls") == pytest.approx(100)


def test_staffing_curve_gives_erlang_agents_per_half_hour():
    fc = forecast_day(_history(2, [100, 100]), dt.date(2024, 3, 25), time_zone=TZ, weeks=2)
    curve = staffing_curve(fc, target_sl=0.8, target_seconds=20, shrinkage=0.3)
    nine = next(s for s in curve if s.slot == "09:00")
    expected = erlang_c_staffing(
        calls=100, interval_seconds=1800, aht_seconds=200, target_sl=0.8, target_seconds=20, shrinkage=0.3
    )
    assert nine.result.agents == expected.agents and nine.result.scheduled_agents == expected.scheduled_agents
    quiet = next(s for s in curve if s.slot == "03:00")
    assert quiet.result.agents == 0
    with_patience = staffing_curve(fc, target_sl=0.8, target_seconds=20, patience_seconds=90)
    assert next(s for s in with_patience if s.slot == "09:00").result.abandon_probability is not None


def test_no_history_means_an_empty_forecast():
    empty = pl.DataFrame(
        schema={
            "period_start": pl.Datetime("us", "UTC"),
            "calls": pl.Float64,
            "answered": pl.Float64,
            "handle_seconds": pl.Float64,
        }
    )
    fc = forecast_day(empty, dt.date(2024, 3, 25), time_zone=TZ)
    assert fc.get_column("calls").sum() == 0
