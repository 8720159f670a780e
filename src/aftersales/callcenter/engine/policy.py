"""The numbers that pin the metric definitions.

Each default comes from the regulation (short abandons <= 20 s, 80 % in 20 s,
misdials 1-5 s, a repeat call within 7 days means the first was not resolved)
or, where the regulation is silent, from common practice stated here. The
Django side keeps them in an editable policy row with these defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_ACW_REASONS = (
    "acw",
    "wrapup",
    "wrap-up",
    "wrap up",
    "after call work",
    "后处理",
    "话后处理",
    "事后处理",
)


@dataclass(frozen=True)
class MetricPolicy:
    # An abandon that waited this long or less is "short": removed from both sides of the abandonment rate.
    short_abandon_seconds: float = 20.0
    # Service level counts calls answered within T seconds.
    service_level_seconds: float = 20.0
    service_level_target: float = 0.80
    # Abandons after 1-5 s point to misdials, not to the queue; counted apart.
    misdial_min_seconds: float = 1.0
    misdial_max_seconds: float = 5.0
    # A queued call counts as "placed in queue" when it waited longer than this (0: any wait).
    queue_placement_min_wait_seconds: float = 0.0
    # A call is not resolved when the same caller (or the same service request) calls again within N days.
    fcr_window_days: int = 7
    # China's ringback tone: 1 s on, 4 s off; Asterisk logs ring *seconds*, the metric counts rings.
    ring_cycle_seconds: float = 5.0
    # Pause reasons that mean after-call work (wrap-up) rather than a break.
    acw_pause_reasons: tuple[str, ...] = DEFAULT_ACW_REASONS
    # Local time decides which half hour, day, week and month a call belongs to.
    time_zone: str = "Asia/Shanghai"
