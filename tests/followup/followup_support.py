"""Helpers of the callback tests: local (Asia/Shanghai) times."""

from __future__ import annotations

import datetime as dt

SH = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def reload(obj):  # type: ignore[no-untyped-def]
    obj.refresh_from_db()
    return obj
