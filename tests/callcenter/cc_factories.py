"""Hand-built call records and paths of the shared real files, for the call-center tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from aftersales.callcenter.engine.records import CALL_SCHEMA

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "callcenter"
QUEUE_LOG = DATA / "asterisk-queue_log"
TABLE_EXPORT = DATA / "asterisk-queue-log-export.csv"

UTC = dt.UTC
T0 = dt.datetime(2024, 3, 4, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def call(
    call_id: str,
    result: str,
    *,
    offered: float = 0,
    wait: float | None = None,
    talk: float | None = None,
    agent: str | None = None,
    queue: str = "service",
    queued: bool = True,
    hold: float | None = None,
    wrap: float | None = None,
    rings: int | None = None,
    ring_seconds: float | None = None,
    transferred: bool = False,
    phone: str | None = None,
) -> dict[str, Any]:
    """One call record offered ``offered`` seconds after T0."""
    answered = result == "answered"
    queued_at = at(offered) if queued and result not in ("blocked", "ivr") else None
    w = wait if wait is not None else (0.0 if result in ("answered", "abandoned", "timeout") else None)
    answered_at = at(offered + (w or 0)) if answered else None
    return {
        "call_id": call_id,
        "queue": queue,
        "agent": agent if answered else None,
        "call_type": None,
        "customer_phone": phone,
        "offered_at": at(offered),
        "queued_at": queued_at,
        "answered_at": answered_at,
        "ended_at": at(offered + (w or 0) + (talk or 0)),
        "wait_seconds": w,
        "talk_seconds": talk if answered else None,
        "hold_seconds": hold,
        "wrap_seconds": wrap,
        "rings": rings,
        "ring_seconds": ring_seconds,
        "rna_count": 0,
        "rna_seconds": 0.0,
        "result": result,
        "transferred": transferred,
        "exit_event": None,
        "first_line": None,
    }


def calls_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=CALL_SCHEMA)
