"""Customers API: register, read, update, search."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from aftersales.core.api import ErrorOut, LocalDateTime, Page, paginate
from aftersales.core.conf import rule
from aftersales.core.permissions import Role, require_role

from . import selectors, services
from .models import Customer

router = Router(tags=["customers"])
STAFF = (Role.AGENT, Role.DISPATCHER, Role.MANAGER, Role.ADMIN, Role.QUALITY)


class AddressIn(Schema):
    province: str
    city: str
    district: str
    detail: str


class ContactIn(Schema):
    name: str
    title: str = ""
    phone: str = ""


class CustomerIn(Schema):
    name: str
    kind: str = "person"
    tier: str = "normal"
    phones: list[str]
    addresses: list[AddressIn] = []
    contacts: list[ContactIn] = []
    email: str = ""
    notes: str = ""


class ZoneOut(Schema):
    code: str
    name: str
    kind: str


class AddressOut(Schema):
    id: int
    province: str
    city: str
    district: str
    detail: str
    zone: ZoneOut | None = None


class PhoneOut(Schema):
    number: str
    kind: str
    is_primary: bool


class ContactOut(Schema):
    name: str
    title: str
    phone: str


class CustomerOut(Schema):
    id: int
    kind: str
    name: str
    tier: str
    email: str
    notes: str
    completeness: Decimal
    phones: list[PhoneOut]
    addresses: list[AddressOut]
    contacts: list[ContactOut]
    created_at: LocalDateTime

    @staticmethod
    def resolve_phones(obj: Customer) -> list[Any]:
        return list(obj.phones.all())

    @staticmethod
    def resolve_addresses(obj: Customer) -> list[Any]:
        return list(obj.addresses.all())

    @staticmethod
    def resolve_contacts(obj: Customer) -> list[Any]:
        return list(obj.contacts.all())


def to_input(payload: CustomerIn) -> services.CustomerInput:
    return services.CustomerInput(
        name=payload.name,
        kind=payload.kind,
        tier=payload.tier,
        phones=payload.phones,
        addresses=[services.AddressInput(**a.dict()) for a in payload.addresses],
        contacts=[services.ContactInput(**c.dict()) for c in payload.contacts],
        email=payload.email,
        notes=payload.notes,
    )


@router.post("", response={201: CustomerOut, 422: ErrorOut})
def create_customer(request: HttpRequest, payload: CustomerIn) -> Any:
    require_role(request.user, *STAFF)
    customer = services.register_customer(data=to_input(payload), actor=request.user)
    return Status(201, selectors.access_customer(request.user, customer.pk))


@router.get("", response=Page[CustomerOut])
def list_customers(request: HttpRequest, q: str = "", page: int = 1, page_size: int = 50) -> Any:
    require_role(request.user, *STAFF)
    qs = selectors.search_customers(q, limit=500) if q else selectors.customers_with_details().order_by("-id")
    return paginate(qs, page, page_size, rule("PAGE_SIZE_MAX"))


@router.get("/{customer_id}", response={200: CustomerOut, 404: ErrorOut})
def get_customer(request: HttpRequest, customer_id: int) -> Any:
    return selectors.access_customer(request.user, customer_id)


@router.put("/{customer_id}", response={200: CustomerOut, 404: ErrorOut, 422: ErrorOut})
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerIn) -> Any:
    require_role(request.user, *STAFF)
    customer = selectors.access_customer(request.user, customer_id)
    services.update_customer(customer=customer, data=to_input(payload), actor=request.user)
    return selectors.access_customer(request.user, customer_id)
