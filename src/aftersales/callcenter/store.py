"""Moving Polars frames in and out of the main database in bulk, on SQLite and PostgreSQL.

Millions of call rows do not go through model instances: rows are written with
``INSERT ... ON CONFLICT DO NOTHING`` (PostgreSQL: COPY into a temporary table
first), which is also what makes a repeated import change nothing. Reads
select plain columns and let Polars convert them.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl
from django.db import connection

from .engine.records import UTC_US

BATCH_ROWS = 5000


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _datetime_text(expr: pl.Expr) -> pl.Expr:
    # Django keeps SQLite datetimes as naive UTC text; PostgreSQL reads an explicit offset.
    fmt = "%Y-%m-%d %H:%M:%S%.6f+00:00" if is_postgres() else "%Y-%m-%d %H:%M:%S%.6f"
    return expr.dt.convert_time_zone("UTC").dt.strftime(fmt)


def db_rows(df: pl.DataFrame, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """Rows as tuples of plain values the database drivers accept."""
    exprs = []
    for c in columns:
        dtype = df.schema[c]
        if isinstance(dtype, pl.Datetime):
            exprs.append(_datetime_text(pl.col(c)).alias(c))
        else:
            exprs.append(pl.col(c))
    return df.select(exprs).rows()


def _copy_frame(cursor: Any, table: str, df: pl.DataFrame) -> None:
    """COPY a frame into a PostgreSQL table as CSV written by Polars (nulls unquoted, empty text quoted)."""
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in df.columns)
    exprs = [
        _datetime_text(pl.col(c)).alias(c) if isinstance(t, pl.Datetime) else pl.col(c)
        for c, t in df.schema.items()
    ]
    buf = io.BytesIO()
    df.select(exprs).write_csv(buf, include_header=False)
    with cursor.cursor.copy(f"COPY {q(table)} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
        copy.write(buf.getvalue())


def insert_frame(table: str, df: pl.DataFrame, conflict: Sequence[str] | None = None) -> None:
    """Insert every row of a frame whose columns are the table's; with ``conflict``, skip rows that collide."""
    if df.height == 0:
        return
    q = connection.ops.quote_name
    if is_postgres() and df.height > BATCH_ROWS:
        with connection.cursor() as cursor:
            if conflict is None:
                _copy_frame(cursor, table, df)
                return
            cols = ", ".join(q(c) for c in df.columns)
            tmp = q(f"tmp_{table}")
            cursor.execute(f"DROP TABLE IF EXISTS {tmp}")
            cursor.execute(f"CREATE TEMP TABLE {tmp} AS SELECT {cols} FROM {q(table)} WITH NO DATA")
            _copy_frame(cursor, f"tmp_{table}", df)
            target = ", ".join(q(c) for c in conflict)
            cursor.execute(
                f"INSERT INTO {q(table)} ({cols}) SELECT {cols} FROM {tmp} ON CONFLICT ({target}) DO NOTHING"
            )
            cursor.execute(f"DROP TABLE {tmp}")
        return
    rows = db_rows(df, df.columns)
    if conflict is None:
        insert_rows(table, df.columns, rows)
    else:
        insert_ignoring_conflicts(table, df.columns, rows, conflict)


def insert_ignoring_conflicts(
    table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]], conflict: Sequence[str]
) -> None:
    """Insert rows, skipping any that collide with an existing row on the ``conflict`` columns."""
    rows = list(rows)
    if not rows:
        return
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in columns)
    target = ", ".join(q(c) for c in conflict)
    with connection.cursor() as cursor:
        if is_postgres() and len(rows) > BATCH_ROWS:
            tmp = q(f"tmp_{table}")
            cursor.execute(f"DROP TABLE IF EXISTS {tmp}")
            cursor.execute(f"CREATE TEMP TABLE {tmp} AS SELECT {cols} FROM {q(table)} WITH NO DATA")
            raw = cursor.cursor
            with raw.copy(f"COPY {tmp} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {q(table)} ({cols}) SELECT {cols} FROM {tmp} ON CONFLICT ({target}) DO NOTHING"
            )
            cursor.execute(f"DROP TABLE {tmp}")
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {q(table)} ({cols}) VALUES ({marks}) ON CONFLICT ({target}) DO NOTHING"
        for i in range(0, len(rows), BATCH_ROWS):
            cursor.executemany(sql, rows[i : i + BATCH_ROWS])


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    rows = list(rows)
    if not rows:
        return
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        if is_postgres() and len(rows) > BATCH_ROWS:
            # COPY is an order of magnitude faster than row-by-row inserts for a month of rollups.
            with cursor.cursor.copy(f"COPY {q(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        for i in range(0, len(rows), BATCH_ROWS):
            cursor.executemany(f"INSERT INTO {q(table)} ({cols}) VALUES ({marks})", rows[i : i + BATCH_ROWS])


def param(value: dt.datetime) -> Any:
    """A datetime as a query parameter of a raw statement."""
    return connection.ops.adapt_datetimefield_value(value)


def select_frame(
    table: str,
    columns: dict[str, pl.DataType],
    where: str = "",
    params: Sequence[Any] = (),
    rename: dict[str, str] | None = None,
) -> pl.DataFrame:
    """SELECT the given columns of a table into a frame with the given types.

    Datetime columns travel as epoch microseconds on PostgreSQL and as text on
    SQLite, both far cheaper than building Python datetimes row by row.
    """
    q = connection.ops.quote_name
    exprs = []
    for c, dtype in columns.items():
        if isinstance(dtype, pl.Datetime):
            if is_postgres():
                exprs.append(f"(EXTRACT(EPOCH FROM {q(c)}) * 1000000)::bigint")
            else:
                # An expression has no declared type, so the driver hands back the stored text as is.
                exprs.append(f"CAST({q(c)} AS TEXT)")
        else:
            exprs.append(q(c))
    sql = f"SELECT {', '.join(exprs)} FROM {q(table)}"
    if where:
        sql += f" WHERE {where}"
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        rows = cursor.fetchall()
    raw_schema: dict[str, pl.DataType] = {}
    for c, dtype in columns.items():
        if isinstance(dtype, pl.Datetime):
            raw_schema[c] = pl.Int64() if is_postgres() else pl.String()
        else:
            raw_schema[c] = dtype
    df = pl.DataFrame(rows, schema=raw_schema, orient="row")
    conversions = []
    for c, dtype in columns.items():
        if isinstance(dtype, pl.Datetime):
            if is_postgres():
                conversions.append(
                    pl.from_epoch(pl.col(c), time_unit="us").dt.replace_time_zone("UTC").alias(c)
                )
            else:
                conversions.append(
                    pl.col(c)
                    .str.slice(0, 26)
                    .str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False, time_unit="us")
                    .dt.replace_time_zone("UTC")
                    .alias(c)
                )
    if conversions:
        df = df.with_columns(conversions)
    df = df.with_columns([pl.col(c).cast(UTC_US) for c, t in columns.items() if isinstance(t, pl.Datetime)])
    if rename:
        df = df.rename(rename)
    return df


# Any fixed number shared by every process that rewrites rollups.
_ROLLUP_LOCK = 7_400_001


def serialize_rollup_writers() -> None:
    """Within the current transaction, wait for any other import rewriting rollups.

    Two imports of overlapping days would otherwise delete and insert the same
    rollup rows at once. SQLite already writes one transaction at a time.
    """
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ROLLUP_LOCK])
