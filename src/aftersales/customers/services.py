"""Business actions on the customer file. Views, API and CLI call these; nothing else writes customers."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.core.clock import now
from aftersales.core.errors import ValidationFailed
from aftersales.core.history import record_history
from aftersales.core.phones import InvalidPhone, parse_phone

from .completeness import CustomerFacts, file_completeness
from .models import Address, Contact, Customer, CustomerKind, CustomerPhone, District, Tier


@dataclass
class AddressInput:
    province: str
    city: str
    district: str
    detail: str


@dataclass
class ContactInput:
    name: str
    title: str = ""
    phone: str = ""


@dataclass
class CustomerInput:
    name: str
    kind: str = CustomerKind.PERSON
    tier: str = Tier.NORMAL
    phones: list[str] = field(default_factory=list)
    addresses: list[AddressInput] = field(default_factory=list)
    contacts: list[ContactInput] = field(default_factory=list)
    email: str = ""
    notes: str = ""


def zone_for(province: str, city: str, district: str) -> Any:
    row = (
        District.objects.filter(province=province.strip(), city=city.strip(), district=district.strip())
        .select_related("zone")
        .first()
    )
    return row.zone if row else None


def _validate(data: CustomerInput) -> None:
    if not data.name.strip():
        raise ValidationFailed("name_required", _("The customer's name is required."), field="name")
    if data.kind not in CustomerKind.values:
        raise ValidationFailed("invalid_kind", _("Unknown customer kind."), field="kind")
    if data.tier not in Tier.values:
        raise ValidationFailed("invalid_tier", _("Unknown customer tier."), field="tier")
    if not data.phones:
        raise ValidationFailed("phone_required", _("At least one phone number is required."), field="phones")
    for i, raw in enumerate(data.phones):
        try:
            parse_phone(raw)
        except InvalidPhone:
            raise ValidationFailed(
                "invalid_phone",
                _(
                    "“%(phone)s” is not a valid Chinese phone number: a mobile has 11 digits starting "
                    "with 13–19, a landline needs its area code (e.g. 010-12345678)."
                ),
                field=f"phones[{i}]",
                phone=raw,
            ) from None
    for i, addr in enumerate(data.addresses):
        for part in ("province", "city", "district", "detail"):
            if not getattr(addr, part).strip():
                raise ValidationFailed(
                    "address_incomplete",
                    _("An address needs province, city, district and street address."),
                    field=f"addresses[{i}].{part}",
                )
    for i, contact in enumerate(data.contacts):
        if contact.phone:
            try:
                parse_phone(contact.phone)
            except InvalidPhone:
                raise ValidationFailed(
                    "invalid_phone",
                    _("“%(phone)s” is not a valid Chinese phone number."),
                    field=f"contacts[{i}].phone",
                    phone=contact.phone,
                ) from None


def refresh_completeness(customer: Customer) -> Decimal:
    addresses = list(customer.addresses.all())
    facts = CustomerFacts(
        kind=customer.kind,
        name=customer.name,
        phone_kinds=tuple(customer.phones.values_list("kind", flat=True)),
        full_address=any(a.province and a.city and a.district and a.detail for a in addresses),
        zone_known=any(a.zone_id for a in addresses),
        email=customer.email,
        contacts=customer.contacts.count(),
    )
    score = Decimal(str(file_completeness(facts).score))
    Customer.objects.filter(pk=customer.pk).update(completeness=score)
    customer.completeness = score
    return score


def _write_children(customer: Customer, data: CustomerInput) -> None:
    for i, raw in enumerate(data.phones):
        phone = parse_phone(raw)
        CustomerPhone.objects.create(
            customer=customer,
            number=phone.number,
            digits=phone.digits,
            last4=phone.last4,
            kind=phone.kind,
            is_primary=i == 0,
        )
    for i, addr in enumerate(data.addresses):
        Address.objects.create(
            customer=customer,
            province=addr.province.strip(),
            city=addr.city.strip(),
            district=addr.district.strip(),
            detail=addr.detail.strip(),
            zone=zone_for(addr.province, addr.city, addr.district),
            is_default=i == 0,
        )
    for contact in data.contacts:
        Contact.objects.create(
            customer=customer,
            name=contact.name.strip(),
            title=contact.title.strip(),
            phone=parse_phone(contact.phone).number if contact.phone else "",
        )


@transaction.atomic
def register_customer(*, data: CustomerInput, actor: Any) -> Customer:
    _validate(data)
    at = now()
    customer = Customer.objects.create(
        kind=data.kind,
        name=data.name.strip(),
        tier=data.tier,
        email=data.email.strip(),
        notes=data.notes,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=at,
        updated_at=at,
    )
    _write_children(customer, data)
    refresh_completeness(customer)
    record_history(subject=customer, event="customer_registered", actor=actor, at=at)
    return customer


@transaction.atomic
def update_customer(*, customer: Customer, data: CustomerInput, actor: Any) -> Customer:
    """Replace the customer's file with ``data`` (phones, addresses and contacts included)."""
    _validate(data)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = {"name": customer.name, "tier": customer.tier, "email": customer.email}
    customer.kind = data.kind
    customer.name = data.name.strip()
    customer.tier = data.tier
    customer.email = data.email.strip()
    customer.notes = data.notes
    customer.updated_at = now()
    customer.save()
    customer.phones.all().delete()
    customer.contacts.all().delete()
    # Addresses are referenced by requests: keep the rows that still match, add new ones.
    kept_ids = []
    for i, addr in enumerate(data.addresses):
        row, _created = Address.objects.get_or_create(
            customer=customer,
            province=addr.province.strip(),
            city=addr.city.strip(),
            district=addr.district.strip(),
            detail=addr.detail.strip(),
            defaults={"zone": zone_for(addr.province, addr.city, addr.district)},
        )
        Address.objects.filter(pk=row.pk).update(is_default=i == 0)
        kept_ids.append(row.pk)
    customer.addresses.exclude(pk__in=kept_ids).update(is_default=False)
    _write_children(customer, CustomerInput(name=data.name, phones=data.phones, contacts=data.contacts))
    refresh_completeness(customer)
    record_history(
        subject=customer,
        event="customer_updated",
        actor=actor,
        data={"before": before},
        at=customer.updated_at,
    )
    return customer
