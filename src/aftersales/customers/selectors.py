"""Read queries on the customer file for pages, API and reports."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from aftersales.core.errors import NotFound
from aftersales.core.permissions import Role, has_role, sees_all_requests
from aftersales.core.phones import digits_of

from .models import Address, Customer, CustomerPhone


def customers_with_details() -> QuerySet[Customer]:
    return Customer.objects.prefetch_related(
        Prefetch("phones", queryset=CustomerPhone.objects.order_by("-is_primary", "id")),
        Prefetch("addresses", queryset=Address.objects.select_related("zone").order_by("-is_default", "id")),
        "contacts",
    )


def search_customers(query: str, limit: int = 20) -> QuerySet[Customer]:
    """Find customers by a full phone number, its last 4 digits, a name, or a unit's serial number."""
    text = (query or "").strip()
    qs = customers_with_details()
    if not text:
        return qs.none()
    digits = digits_of(text)
    cond = Q(name__icontains=text) | Q(units__serial_number__iexact=text)
    if digits and len(digits) == 4 and digits == text:
        cond |= Q(phones__last4=digits)
    elif digits and len(digits) >= 7:
        cond |= Q(phones__digits=digits) | Q(phones__digits__endswith=digits[-8:])
    return qs.filter(cond).distinct().order_by("-id")[:limit]


def access_customer(user: Any, customer_id: int) -> Customer:
    """The customer, if this user may see them; "not found" for both missing and not-yours."""
    qs = customers_with_details().filter(pk=customer_id)
    if not sees_all_requests(user):
        if has_role(user, Role.CUSTOMER):
            qs = qs.filter(portal_user=user)
        elif has_role(user, Role.TECHNICIAN):
            qs = qs.filter(requests__assignee=user).distinct()
        else:
            qs = qs.none()
    customer = qs.first()
    if customer is None:
        raise NotFound()
    return customer


def default_address(customer: Customer) -> Address | None:
    addresses = list(customer.addresses.all())
    return addresses[0] if addresses else None
