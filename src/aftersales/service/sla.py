"""SLA clock arithmetic (服务时限), pure: no database.

A clock has a target counted in business time (working hours on working days)
or calendar time. It runs from its start, may be paused while the request waits
on the customer (paused time does not count), and is met when its event happens
(first phone contact, arrival on site, resolution...). Escalations fire at fixed
shares of the target: by default 80 % warns the owner, 100 % (breach) the
supervisor, 200 % the manager.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from aftersales.core.business_calendar import BusinessCalendar, add_business_time, business_time_between


class Basis(StrEnum):
    BUSINESS = "business"
    CALENDAR = "calendar"


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"  # running past its due time, or met after it
    STOPPED = "stopped"  # the request was cancelled: the clock no longer counts


def measure(cal: BusinessCalendar, basis: str, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    """Time between two instants on the clock's basis (signed)."""
    if basis == Basis.BUSINESS:
        return business_time_between(cal, a, b)
    return b - a


def advance(cal: BusinessCalendar, basis: str, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
    """The instant at which ``amount`` of clock time has run since ``start``."""
    if amount <= dt.timedelta(0):
        return start
    if basis == Basis.BUSINESS:
        return add_business_time(cal, start, amount)
    return start + amount


@dataclass(frozen=True)
class Segment:
    """How much of the target a clock has used, and since when it runs again."""

    consumed: dt.timedelta  # clock time used in the finished running segments
    running_since: dt.datetime | None  # None while paused


def due_at(cal: BusinessCalendar, basis: str, target: dt.timedelta, seg: Segment) -> dt.datetime | None:
    """When the target runs out if nothing pauses the clock again; None while paused."""
    if seg.running_since is None:
        return None
    return advance(cal, basis, seg.running_since, target - seg.consumed)


def used(cal: BusinessCalendar, basis: str, seg: Segment, at: dt.datetime) -> dt.timedelta:
    """Clock time used up to ``at``."""
    if seg.running_since is None or at <= seg.running_since:
        return seg.consumed
    return seg.consumed + measure(cal, basis, seg.running_since, at)


def pause(cal: BusinessCalendar, basis: str, seg: Segment, at: dt.datetime) -> Segment:
    return Segment(consumed=used(cal, basis, seg, at), running_since=None)


def resume(seg: Segment, at: dt.datetime) -> Segment:
    return Segment(consumed=seg.consumed, running_since=at)


def threshold_instant(
    cal: BusinessCalendar, basis: str, target: dt.timedelta, seg: Segment, ratio: float
) -> dt.datetime | None:
    """When the clock reaches ``ratio`` of its target (0.8 -> the warning, 2.0 -> the manager)."""
    if seg.running_since is None:
        return None
    return advance(cal, basis, seg.running_since, target * ratio - seg.consumed)


def margin(
    cal: BusinessCalendar, basis: str, target: dt.timedelta, seg: Segment, at: dt.datetime
) -> dt.timedelta:
    """Time left at ``at`` (positive), or by how much the target is exceeded (negative)."""
    return target - used(cal, basis, seg, at)


def level_reached(
    cal: BusinessCalendar,
    basis: str,
    target: dt.timedelta,
    seg: Segment,
    at: dt.datetime,
    ratios: tuple[float, ...],
) -> int:
    """How many escalation thresholds (ascending ratios) the clock has passed at ``at``."""
    spent = used(cal, basis, seg, at)
    return sum(1 for ratio in ratios if spent >= target * ratio)
