"""Read queries on service requests: access checks, filtered lists, timelines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import NotFound
from aftersales.core.history import history_of
from aftersales.core.models import HistoryEntry
from aftersales.core.permissions import Role, has_role, sees_all_requests
from aftersales.core.phones import digits_of

from .models import ServiceRequest
from .workflow import Status


def requests_with_details() -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.select_related(
        "customer", "unit__product_model__category", "address", "zone", "owner", "assignee"
    )


def visible_requests(user: Any) -> QuerySet[ServiceRequest]:
    """What this user may see: staff everything, a technician their own jobs, a customer their own requests."""
    qs = requests_with_details()
    if sees_all_requests(user):
        return qs
    if has_role(user, Role.TECHNICIAN):
        return qs.filter(assignee=user)
    if has_role(user, Role.CUSTOMER):
        return qs.filter(customer__portal_user=user)
    if has_role(user, Role.PARTS_CLERK):
        return qs.filter(type__in=["repair", "maintenance", "installation"])
    return qs.none()


def access_request(user: Any, number: str) -> ServiceRequest:
    request = visible_requests(user).filter(number=number.strip().upper()).first()
    if request is None:
        raise NotFound()
    return request


@dataclass
class RequestFilters:
    type: str | None = None
    status: str | None = None
    owner_id: int | None = None
    assignee_id: int | None = None
    zone_id: int | None = None
    customer_id: int | None = None
    received_from: dt.datetime | None = None
    received_to: dt.datetime | None = None
    is_open: bool | None = None
    q: str | None = None


def filter_requests(user: Any, f: RequestFilters) -> QuerySet[ServiceRequest]:
    qs = visible_requests(user)
    for field, value in (
        ("type", f.type),
        ("status", f.status),
        ("owner_id", f.owner_id),
        ("assignee_id", f.assignee_id),
        ("zone_id", f.zone_id),
        ("customer_id", f.customer_id),
        ("is_open", f.is_open),
    ):
        if value is not None and value != "":
            qs = qs.filter(**{field: value})
    if f.received_from:
        qs = qs.filter(received_at__gte=f.received_from)
    if f.received_to:
        qs = qs.filter(received_at__lt=f.received_to)
    if f.q and f.q.strip():
        text = f.q.strip()
        cond = (
            Q(number__iexact=text)
            | Q(description__icontains=text)
            | Q(customer__name__icontains=text)
            | Q(unit__serial_number__iexact=text)
        )
        digits = digits_of(text)
        if digits and digits == text and len(digits) == 4:
            cond |= Q(customer__phones__last4=digits)
        elif len(digits) >= 7:
            cond |= Q(customer__phones__digits=digits) | Q(contact_phone__contains=digits[-8:])
        qs = qs.filter(cond).distinct()
    return qs.order_by("-received_at", "-id")


EVENT_LABELS = {
    "registered": _("Registered"),
    "transition": _("Status changed"),
    "repeat_contact": _("Customer contacted again"),
    "handover": _("Handed over"),
    "reassigned": _("Reassigned"),
    "note": _("Note"),
    "attachment": _("File attached"),
    "rated": _("Rated by the customer"),
    "clocks_paused": _("Deadlines paused (waiting on the customer)"),
    "clocks_resumed": _("Deadlines resumed"),
    "clock_started": _("Deadline started"),
}


def timeline(request: ServiceRequest) -> QuerySet[HistoryEntry]:
    return history_of(request)


def timeline_rows(request: ServiceRequest) -> list[dict[str, Any]]:
    """The history as the page shows it: labels in the user's language."""
    labels = dict(Status.choices)
    return [
        {
            "at": h.at,
            "actor": h.actor,
            "event": EVENT_LABELS.get(h.event, h.event),
            "event_code": h.event,
            "old": labels.get(h.old_state, h.old_state),
            "new": labels.get(h.new_state, h.new_state),
            "changed": h.old_state != h.new_state,
            "note": h.note,
        }
        for h in history_of(request)
    ]


def home_summary(user: Any) -> dict[str, Any]:
    """What the start page shows a signed-in user: their open work and the latest requests."""
    visible = visible_requests(user)
    mine = visible.filter(is_open=True).filter(Q(owner=user) | Q(assignee=user)).order_by("received_at")
    return {
        "my_open": list(mine[:20]),
        "my_open_count": mine.count(),
        "open_count": visible.filter(is_open=True).count(),
        "latest": list(visible.order_by("-received_at", "-id")[:20]),
    }


@dataclass
class QueueRow:
    request: ServiceRequest
    clock_code: str | None
    clock_label: str
    due_at: dt.datetime | None
    state: str


def queue(user: Any, scope: str = "mine", limit: int = 100) -> list[QueueRow]:
    """Open requests with their most urgent pending deadline, most urgent first (the agent's queue).

    Read from the clocks' side (index on ``due_at`` of the pending clocks), so the cost follows
    the size of the queue shown, not the number of open requests.
    """
    from .models import ClockCode, SlaClock

    visible = visible_requests(user).filter(is_open=True)
    if scope == "mine":
        visible = visible.filter(Q(owner=user) | Q(assignee=user))
    pending = (
        SlaClock.objects.filter(met_at__isnull=True, state__in=["running", "paused", "breached"])
        .filter(request__in=visible.values("pk"))
        .order_by("due_at")
        .values_list("request_id", "code", "due_at", "state")
    )
    first: dict[int, tuple[str, Any, str]] = {}
    for request_id, code, due_at, state in pending[: limit * 4]:
        if request_id not in first:
            first[request_id] = (code, due_at, state)
        if len(first) >= limit:
            break
    requests = {r.pk: r for r in visible.filter(pk__in=list(first))}
    rows = [
        QueueRow(
            request=requests[pk],
            clock_code=code,
            clock_label=str(ClockCode(code).label),
            due_at=due_at,
            state=state,
        )
        for pk, (code, due_at, state) in first.items()
        if pk in requests
    ]
    if len(rows) < limit:
        # Open requests without a pending deadline (consultations, met clocks), oldest first.
        rest = visible.exclude(pk__in=list(first)).order_by("received_at")[: limit - len(rows)]
        rows += [QueueRow(request=r, clock_code=None, clock_label="", due_at=None, state="") for r in rest]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda row: (row.state == "paused", row.due_at or far, row.request.received_at))
    return rows


def open_request_for(customer_id: int, unit_id: int | None, request_type: str) -> ServiceRequest | None:
    """The open request a new registration would repeat (shown to the agent before registering)."""
    if unit_id is None:
        return None
    return (
        ServiceRequest.objects.filter(
            customer_id=customer_id, unit_id=unit_id, type=request_type, is_open=True
        )
        .only("number", "status", "received_at")
        .first()
    )
