"""The one clock of the system: every service asks here for "now".

``frozen_at`` pins the clock for the current thread: tests use it to freeze time
and the demo loader to write a realistic past.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

_local = threading.local()


def now() -> dt.datetime:
    pinned = getattr(_local, "pinned", None)
    return pinned if pinned is not None else timezone.now()


@contextlib.contextmanager
def frozen_at(instant: dt.datetime) -> Iterator[None]:
    if instant.tzinfo is None:
        raise ValueError("frozen_at needs a timezone-aware datetime")
    previous = getattr(_local, "pinned", None)
    _local.pinned = instant
    try:
        yield
    finally:
        _local.pinned = previous


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_today() -> dt.date:
    return timezone.localtime(now(), local_tz()).date()


def local_date(instant: dt.datetime) -> dt.date:
    return timezone.localtime(instant, local_tz()).date()
