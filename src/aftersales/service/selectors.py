"""Read queries on service requests: access checks, filtered lists, timelines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Func,
    Q,
    QuerySet,
    TextField,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Unit
from aftersales.core.errors import NotFound
from aftersales.core.history import history_of
from aftersales.core.models import HistoryEntry
from aftersales.core.permissions import Role, has_role, sees_all_requests
from aftersales.core.phones import digits_of
from aftersales.customers.models import Customer, CustomerPhone

from .models import ServiceRequest
from .workflow import Status


def requests_with_details() -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.select_related(
        "customer", "unit__product_model__category", "address", "zone", "owner", "assignee"
    )


# The request table (list and home page) shows the customer's name and the owner only.
TABLE_RELATED = ("customer", "owner")


def for_table(qs: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    """The requests of a page on their own, their customers and owners then fetched by key.

    Joined to the unit, its model and category, the address, zone and people, a sorted page
    takes PostgreSQL ten times longer to plan than to read; and a join would follow the row
    estimate of the search, which is far too low (see ``_search``), into nested loops.
    """
    return qs.select_related(None).prefetch_related(*TABLE_RELATED)


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
        qs = qs.filter(*_search(f.q.strip()))
    return qs.order_by("-received_at", "-id")


class _Bigrams(Func):
    """The two-character pieces of a text (PostgreSQL function of migration 0007)."""

    function = "aftersales_bigrams"
    output_field = TextField()


class _Covers(Func):
    """``a @> b``: array ``a`` holds every element of ``b``."""

    arg_joiner = " @> "
    template = "(%(expressions)s)"
    output_field = BooleanField()


# Customers matched by the search text that are passed to the request query by key.
SEARCH_CUSTOMERS_LISTED = 1000


def _search(text: str) -> list[Q]:
    """The conditions of the search box: the request number or a unit's serial number in any
    case, a customer's phone (last 4 digits or in full), or a part of the customer's name, of
    the description or of the contact phone.

    Customers and units are looked up first, so each alternative is a condition on one indexed
    column of the request and no join multiplies the rows. On PostgreSQL a second, looser
    condition comes with the exact one: the same alternatives with "has every two-character
    piece of the text" in place of "contains the text", which the bigram indexes answer, so
    only the candidate rows are read and checked (migration 0007). PostgreSQL takes the two
    conditions for independent and expects far fewer rows than match.
    """
    customers = Q(name__icontains=text)
    digits = digits_of(text)
    phone: str | None = None
    if digits and digits == text and len(digits) == 4:
        customers |= Q(pk__in=CustomerPhone.objects.filter(last4=digits).values("customer_id"))
    elif len(digits) >= 7:
        customers |= Q(pk__in=CustomerPhone.objects.filter(digits=digits).values("customer_id"))
        phone = digits[-8:]
    matched = Customer.objects.filter(customers).order_by().values_list("pk", flat=True)
    customer_ids = list(matched[: SEARCH_CUSTOMERS_LISTED + 1])
    # A common surname typed alone can match a good part of the customers: then a subquery.
    of_customers = Q(
        customer_id__in=customer_ids if len(customer_ids) <= SEARCH_CUSTOMERS_LISTED else matched
    )
    unit_ids = list(Unit.objects.filter(serial_number__iexact=text).order_by().values_list("pk", flat=True))

    identified = Q(number__iexact=text) | of_customers | Q(unit_id__in=unit_ids)
    exact = identified | Q(description__icontains=text)
    if phone:
        exact |= Q(contact_phone__contains=phone)
    if connection.vendor != "postgresql" or len(text) < 2:
        return [exact]
    loose = identified | Q(_Covers(_Bigrams(Upper("description")), _Bigrams(Upper(Value(text)))))
    if phone:
        loose |= Q(_Covers(_Bigrams("contact_phone"), _Bigrams(Value(phone))))
    return [loose, exact]


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
    visible = visible_requests(user).select_related(None)
    mine = Q(owner=user) | Q(assignee=user)
    counts = visible.filter(is_open=True).aggregate(mine=Count("pk", filter=mine), all=Count("pk"))
    my_open = list(visible.filter(mine, is_open=True).order_by("received_at")[:20])
    latest = list(visible.order_by("-received_at", "-id")[:20])
    prefetch_related_objects(my_open + latest, *TABLE_RELATED)  # see for_table()
    return {
        "my_open": my_open,
        "my_open_count": counts["mine"],
        "open_count": counts["all"],
        "latest": latest,
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
