"""The callback rules' numbers, from ``settings.AFTERSALES`` with the regulation's defaults.

| key | default | meaning |
|---|---|---|
| ``CALLBACK_REQUEST_TYPES`` | installation, repair, complaint | resolved requests of these types get a callback |
| ``CALLBACK_DUE_DAYS`` | 3 | an installation or repair callback is due this many days after resolution |
| ``CALLBACK_COMPLAINT_DUE_DAYS`` | 0 | a complaint callback is due by the end of the day its handling finished, plus this |
| ``CALLBACK_MAX_ATTEMPTS`` | 3 | unanswered dials (no answer, busy) before the callback is closed as not reached |
| ``CALLBACK_RETRY_MINUTES`` | 120 | spacing between unanswered dials |
| ``CALLBACK_SCHEDULE_FIRST_PERIOD_MONTHS`` | 12 | the first period after commissioning ... |
| ``CALLBACK_SCHEDULE_FIRST_INTERVAL_MONTHS`` | 1 | ... with a callback every month |
| ``CALLBACK_SCHEDULE_LATER_INTERVAL_MONTHS`` | 3 | after it, every quarter |
| ``CALLBACK_PROCESSING_TARGET`` | 100 | target of the callback processing rate, in percent |
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings

from .schedule import ScheduleRule


def conf(key: str, default: Any) -> Any:
    return settings.AFTERSALES.get(key, default)


def callback_request_types() -> tuple[str, ...]:
    return tuple(conf("CALLBACK_REQUEST_TYPES", ("installation", "repair", "complaint")))


def due_days() -> int:
    return int(conf("CALLBACK_DUE_DAYS", 3))


def complaint_due_days() -> int:
    return int(conf("CALLBACK_COMPLAINT_DUE_DAYS", 0))


def max_attempts() -> int:
    return int(conf("CALLBACK_MAX_ATTEMPTS", 3))


def retry_spacing() -> dt.timedelta:
    return dt.timedelta(minutes=int(conf("CALLBACK_RETRY_MINUTES", 120)))


def schedule_rule() -> ScheduleRule:
    return ScheduleRule(
        first_period_months=int(conf("CALLBACK_SCHEDULE_FIRST_PERIOD_MONTHS", 12)),
        first_interval_months=int(conf("CALLBACK_SCHEDULE_FIRST_INTERVAL_MONTHS", 1)),
        later_interval_months=int(conf("CALLBACK_SCHEDULE_LATER_INTERVAL_MONTHS", 3)),
    )


def processing_target() -> Decimal:
    return Decimal(str(conf("CALLBACK_PROCESSING_TARGET", 100)))
