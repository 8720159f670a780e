"""Human-readable numbers, unique and sequential per day: ``SR20261122-0007``.

One upsert statement per number, so two processes asking at the same instant can
never receive the same value (PostgreSQL takes the row lock of ON CONFLICT; SQLite
serialises writers). It runs inside the caller's transaction: a rolled-back
registration gives its number back.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, models

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


def number_row(obj: models.Model, scope: str, at: dt.datetime, field: str = "number", width: int = 4) -> str:
    """Draw the next number of ``scope`` and write it into ``obj``'s row (saved, in this transaction).

    Done as the transaction's last statement: the day's counter row stays locked only until the
    commit that follows. On PostgreSQL counter and row are written by one statement, so that
    lock is held for a single round trip.
    """
    if connection.vendor != "postgresql":
        number = next_number(scope, at, width)
        type(obj)._default_manager.filter(pk=obj.pk).update(**{field: number})
    else:
        day = local_date(at)
        prefix = f"{scope}{day:%Y%m%d}-"
        qn = connection.ops.quote_name
        target = obj._meta.get_field(field)
        assert isinstance(target, models.Field) and target.column
        table, column = qn(obj._meta.db_table), qn(target.column)
        sql = (
            f"WITH n AS ({_UPSERT.format(table=qn(DailySequence._meta.db_table))}) "
            f"UPDATE {table} SET {column} = %s || lpad(n.last::text, greatest(%s, length(n.last::text)), '0') "
            f"FROM n WHERE {table}.{qn(obj._meta.pk.column)} = %s RETURNING {table}.{column}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [scope, day, prefix, width, obj.pk])
            row = cursor.fetchone()
        if row is None:
            raise ValueError(f"{obj!r} is not saved")
        number = row[0]
    setattr(obj, field, number)
    return number
