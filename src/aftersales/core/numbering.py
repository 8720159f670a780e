"""Human-readable numbers, unique and sequential per day: ``SR20261122-0007``.

One upsert statement per number, so two processes asking at the same instant can
never receive the same value (PostgreSQL takes the row lock of ON CONFLICT; SQLite
serialises writers). It runs inside the caller's transaction: a rolled-back
registration gives its number back.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from .clock import local_date
from .models import DailySequence

_UPSERT = (
    "INSERT INTO {table} (scope, day, last) VALUES (%s, %s, 1) "
    "ON CONFLICT (scope, day) DO UPDATE SET last = {table}.last + 1 RETURNING last"
)


def next_in_sequence(scope: str, day: dt.date) -> int:
    sql = _UPSERT.format(table=connection.ops.quote_name(DailySequence._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, [scope, day])
        row = cursor.fetchone()
    return int(row[0])


def next_number(scope: str, at: dt.datetime, width: int = 4) -> str:
    """The next number of ``scope`` for the local (Asia/Shanghai) day of ``at``."""
    day = local_date(at)
    seq = next_in_sequence(scope, day)
    return f"{scope}{day:%Y%m%d}-{seq:0{width}d}"
