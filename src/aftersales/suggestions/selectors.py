"""Read queries on suggestions: access, lists, the customers due a certificate, overdue decisions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from aftersales.core.clock import local_date, now
from aftersales.core.errors import NotFound
from aftersales.service.models import ServiceRequest
from aftersales.service.selectors import visible_requests
from aftersales.service.workflow import RequestType, Status

from .models import Certificate, Suggestion
from .services import certificate_minimum, suggestion_counts
from .workflow import TOLD_STATES


def suggestion_requests(user: Any) -> QuerySet[ServiceRequest]:
    return (
        visible_requests(user)
        .filter(type=RequestType.SUGGESTION)
        .select_related("suggestion__department", "suggestion__grade")
    )


def access_suggestion(user: Any, number: str) -> ServiceRequest:
    sr = suggestion_requests(user).filter(number=(number or "").strip().upper()).first()
    if sr is None or not Suggestion.objects.filter(request=sr).exists():
        raise NotFound()
    return sr


@dataclass
class SuggestionFilters:
    status: str | None = None
    subject: str | None = None
    department_id: int | None = None
    year: int | None = None
    customer_id: int | None = None
    untold: bool | None = None


def filter_suggestions(user: Any, f: SuggestionFilters) -> QuerySet[ServiceRequest]:
    qs = suggestion_requests(user).filter(suggestion__isnull=False)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.subject:
        qs = qs.filter(suggestion__subject=f.subject)
    if f.department_id:
        qs = qs.filter(suggestion__department_id=f.department_id)
    if f.customer_id:
        qs = qs.filter(customer_id=f.customer_id)
    if f.year:
        qs = qs.filter(received_at__year=f.year)
    if f.untold:
        # Decided (or held) and the customer not yet told of it.
        ids = [
            pk
            for pk, status, told in qs.filter(status__in=list(TOLD_STATES)).values_list(
                "pk", "status", "suggestion__told_status"
            )
            if status != told
        ]
        qs = qs.filter(pk__in=ids)
    return qs.order_by("-received_at", "-id")


def overdue(user: Any) -> QuerySet[ServiceRequest]:
    """Undecided suggestions whose decision clock has run out."""
    return suggestion_requests(user).filter(
        status__in=[Status.NEW, Status.FORWARDED, Status.HELD],
        clocks__code="suggestion_decided",
        clocks__due_at__lt=now(),
        clocks__met_at__isnull=True,
    )


@dataclass
class EligibleCustomer:
    customer_id: int
    name: str
    suggestions: int
    adopted: int
    certificate: Certificate | None


def certificate_candidates(year: int) -> list[EligibleCustomer]:
    """Customers with at least N suggestions in the year, and their certificate if issued."""
    from aftersales.customers.models import Customer

    rows = list(
        suggestion_counts(year).filter(total__gte=certificate_minimum()).order_by("-total", "customer_id")
    )
    names = dict(Customer.objects.filter(pk__in=[r["customer_id"] for r in rows]).values_list("pk", "name"))
    certs = {c.customer_id: c for c in Certificate.objects.filter(year=year)}
    return [
        EligibleCustomer(
            r["customer_id"],
            names.get(r["customer_id"], ""),
            r["total"],
            r["adopted"],
            certs.get(r["customer_id"]),
        )
        for r in rows
    ]


def access_certificate(user: Any, number: str) -> Certificate:
    from aftersales.core.permissions import Role, has_role

    cert = Certificate.objects.select_related("customer", "issued_by").filter(number=number).first()
    if cert is None:
        raise NotFound()
    if has_role(user, Role.CUSTOMER):
        if cert.customer.portal_user_id != user.pk:
            raise NotFound()
    elif not has_role(user, Role.AGENT, Role.MANAGER, Role.ADMIN, Role.QUALITY):
        raise NotFound()
    return cert


def default_year() -> int:
    return local_date(now()).year
