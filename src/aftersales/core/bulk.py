"""Many-row writes in a constant number of statements, for the worker's sweeps.

Django's ``bulk_update`` builds one CASE expression per field and row, which costs
milliseconds per hundred rows. Here PostgreSQL gets one statement per call with one
array parameter per column (``unnest``), and SQLite a prepared statement run by
``executemany`` — microseconds per row on both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection

Column = tuple[str, str]  # (name, PostgreSQL type)


def _adapt(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.timedelta) and connection.vendor == "sqlite":
        # Django keeps durations in SQLite as integer microseconds.
        return (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds
    return value


def _arrays(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    return [[row[i] for row in rows] for i in range(len(columns))]


def _unnest(columns: Sequence[Column]) -> str:
    # %b: binary parameters, which dump arrays of text without per-element escaping.
    return "unnest(" + ", ".join(f"%b::{sql_type}[]" for _name, sql_type in columns) + ")"


def insert_rows(
    table_name: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]], suffix: str = ""
) -> None:
    """INSERT many rows (``suffix`` e.g. ``ON CONFLICT (key) DO NOTHING``)."""
    if not rows:
        return
    names = ", ".join(name for name, _type in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table_name} ({names}) SELECT * FROM {_unnest(columns)} {suffix}",
                _arrays(columns, rows),
            )
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table_name} ({names}) VALUES ({marks}) {suffix}",
                [tuple(_adapt(v) for v in row) for row in rows],
            )


def update_rows(table_name: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> None:
    """UPDATE many rows by id; each row is (id, value, value, ...) in the order of ``columns``."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            all_columns = [("id", "bigint"), *columns]
            names = ", ".join(name for name, _type in all_columns)
            sets = ", ".join(f"{name} = v.{name}" for name, _type in columns)
            cursor.execute(
                f"UPDATE {table_name} SET {sets} FROM {_unnest(all_columns)} AS v({names}) WHERE {table_name}.id = v.id",
                _arrays(all_columns, rows),
            )
        else:
            sets = ", ".join(f"{name} = %s" for name, _type in columns)
            cursor.executemany(
                f"UPDATE {table_name} SET {sets} WHERE id = %s",
                [tuple(_adapt(v) for v in (*row[1:], row[0])) for row in rows],
            )


def table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)
