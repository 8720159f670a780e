"""Read queries on outbound campaigns: access, progress, the agent's call, and seat productivity
per day against the norm (70–100 dials, 60–80 successful, by default)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.clock import local_today, local_tz
from aftersales.core.errors import NotFound
from aftersales.core.permissions import Role, has_role

from .models import SUCCESSFUL_OUTCOMES, CallTarget, Campaign, Dial, TargetStatus

MANAGERS = (Role.MANAGER, Role.ADMIN)


def visible_campaigns(user: Any) -> QuerySet[Campaign]:
    qs = Campaign.objects.select_related("survey", "created_by")
    if has_role(user, *MANAGERS, Role.QUALITY):
        return qs
    if has_role(user, Role.AGENT):
        return qs.filter(agents=user)
    return qs.none()


def access_campaign(user: Any, pk: int) -> Campaign:
    campaign = visible_campaigns(user).filter(pk=pk).first()
    if campaign is None:
        raise NotFound()
    return campaign


def access_dial(user: Any, pk: int) -> Dial:
    dial = (
        Dial.objects.select_related("target__customer", "target__request", "campaign__survey")
        .filter(pk=pk)
        .first()
    )
    if dial is None or not (dial.agent_id == getattr(user, "pk", None) or has_role(user, *MANAGERS)):
        raise NotFound()
    return dial


def progress(campaign: Campaign) -> dict[str, Any]:
    counts = dict(campaign.targets.values_list("status").annotate(n=Count("id")).order_by())
    dials = campaign.dials.filter(ended_at__isnull=False).exclude(outcome="")
    by_outcome = dict(dials.values_list("outcome").annotate(n=Count("id")).order_by())
    total = sum(counts.values())
    finished = counts.get(TargetStatus.DONE, 0) + counts.get(TargetStatus.FAILED, 0)
    return {
        "targets": total,
        "by_status": {s: counts.get(s, 0) for s in TargetStatus.values},
        "finished": finished,
        "finished_ratio": finished / total if total else None,
        "dials": sum(by_outcome.values()),
        "by_outcome": by_outcome,
        "successful": sum(n for o, n in by_outcome.items() if o in SUCCESSFUL_OUTCOMES),
        "responses": dials.filter(response__isnull=False).count(),
        "registered_requests": campaign.dials.filter(registered__isnull=False).count(),
    }


def targets(campaign: Campaign, status: str | None = None) -> QuerySet[CallTarget]:
    qs = campaign.targets.select_related("customer", "request", "claimed_by").order_by("id")
    if status:
        qs = qs.filter(status=status)
    return qs


# -- seat productivity --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Norm:
    dials_min: int
    dials_max: int
    success_min: int
    success_max: int


def norm() -> Norm:
    conf: dict[str, Any] = settings.AFTERSALES
    return Norm(
        dials_min=int(conf.get("OUTBOUND_DIALS_MIN", 70)),
        dials_max=int(conf.get("OUTBOUND_DIALS_MAX", 100)),
        success_min=int(conf.get("OUTBOUND_SUCCESS_MIN", 60)),
        success_max=int(conf.get("OUTBOUND_SUCCESS_MAX", 80)),
    )


BELOW, WITHIN, ABOVE = "below", "within", "above"
HINTS = {
    BELOW: _("Below the norm: give this seat more calls."),
    ABOVE: _("Above the norm: more seats are needed."),
    WITHIN: _("Within the norm."),
}


def judge(dials: int, successes: int, n: Norm) -> str:
    """Where a seat-day stands against the norm. Either count below its range means the seat
    could take more work; either above means the load needs more seats."""
    if dials > n.dials_max or successes > n.success_max:
        return ABOVE
    if dials < n.dials_min or successes < n.success_min:
        return BELOW
    return WITHIN


@dataclass
class SeatDay:
    agent_id: int
    agent: str
    day: dt.date
    dials: int
    successes: int
    standing: str
    complete: bool  # False for today: the day is not over, no verdict yet

    @property
    def hint(self) -> str:
        return str(HINTS[self.standing]) if self.complete else str(_("Today, so far."))

    def as_dict(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "agent": self.agent,
            "day": self.day.isoformat(),
            "dials": self.dials,
            "successes": self.successes,
            "standing": self.standing if self.complete else "in_progress",
            "hint": self.hint,
        }


def _name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def seat_days(
    *,
    date_from: dt.date,
    date_to: dt.date,
    agent_ids: list[int] | None = None,
    campaign: Campaign | None = None,
) -> list[SeatDay]:
    """Dials and successful dials per agent and local day. Productivity is a seat's whole day,
    so a campaign's page counts its agents' dials in every campaign."""
    tz = local_tz()
    start = timezone.make_aware(dt.datetime.combine(date_from, dt.time()), tz)
    end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()), tz)
    qs = Dial.objects.filter(started_at__gte=start, started_at__lt=end, ended_at__isnull=False).exclude(
        outcome=""
    )
    if campaign is not None:
        agent_ids = list(campaign.agents.values_list("pk", flat=True))
    if agent_ids is not None:
        qs = qs.filter(agent_id__in=agent_ids)
    rows = (
        qs.annotate(day=TruncDate("started_at", tzinfo=tz))
        .values("agent_id", "day")
        .annotate(dials=Count("id"), successes=Count("id", filter=Q(outcome__in=list(SUCCESSFUL_OUTCOMES))))
        .order_by("day", "agent_id")
    )
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in={r["agent_id"] for r in rows})}
    n = norm()
    today = local_today()
    return [
        SeatDay(
            agent_id=r["agent_id"],
            agent=_name(users[r["agent_id"]]),
            day=r["day"],
            dials=r["dials"],
            successes=r["successes"],
            standing=judge(r["dials"], r["successes"], n),
            complete=r["day"] < today,
        )
        for r in rows
    ]


def campaign_hint(days: list[SeatDay]) -> dict[str, Any] | None:
    """The campaign page's verdict over the finished seat-days shown: the average seat-day
    against the norm, and what to do about it."""
    finished = [d for d in days if d.complete]
    if not finished:
        return None
    avg_dials = sum(d.dials for d in finished) / len(finished)
    avg_success = sum(d.successes for d in finished) / len(finished)
    standing = judge(round(avg_dials), round(avg_success), norm())
    return {
        "seat_days": len(finished),
        "avg_dials": avg_dials,
        "avg_successes": avg_success,
        "standing": standing,
        "hint": str(HINTS[standing]),
    }
