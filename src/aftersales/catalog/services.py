"""Business actions on the catalog and units."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from aftersales.core.clock import local_today, now
from aftersales.core.errors import ValidationFailed
from aftersales.core.history import record_history

from .models import Category, ContractKind, ProductModel, Unit


@dataclass
class UnitInput:
    serial_number: str
    product_model_id: int
    customer_id: int
    purchase_date: dt.date
    delivery_date: dt.date | None = None
    commissioning_date: dt.date | None = None
    invoice_number: str = ""
    price_paid: Decimal = Decimal("0")
    discount: Decimal = Decimal("0")
    store: str = ""
    is_installed_project: bool = False
    contract: str = ContractKind.STANDARD


def _validate_unit(data: UnitInput) -> None:
    if not data.serial_number.strip():
        raise ValidationFailed("serial_required", _("The serial number is required."), field="serial_number")
    if not ProductModel.objects.filter(pk=data.product_model_id).exists():
        raise ValidationFailed("unknown_model", _("Unknown product model."), field="product_model_id")
    today = local_today()
    for name in ("purchase_date", "delivery_date", "commissioning_date"):
        value = getattr(data, name)
        if value and value > today:
            raise ValidationFailed("date_in_future", _("A date cannot be in the future."), field=name)
    if data.delivery_date and data.delivery_date < data.purchase_date:
        raise ValidationFailed(
            "delivery_before_purchase",
            _("The delivery date cannot be before the purchase date."),
            field="delivery_date",
        )
    if data.price_paid < 0 or data.discount < 0:
        raise ValidationFailed("negative_amount", _("Amounts cannot be negative."), field="price_paid")
    if data.contract not in ContractKind.values:
        raise ValidationFailed("invalid_contract", _("Unknown service contract."), field="contract")


@transaction.atomic
def register_unit(*, data: UnitInput, actor: Any) -> Unit:
    from aftersales.customers.models import Customer

    _validate_unit(data)
    if not Customer.objects.filter(pk=data.customer_id).exists():
        raise ValidationFailed("unknown_customer", _("Unknown customer."), field="customer_id")
    try:
        with transaction.atomic():
            unit = Unit.objects.create(
                serial_number=data.serial_number.strip(),
                product_model_id=data.product_model_id,
                customer_id=data.customer_id,
                purchase_date=data.purchase_date,
                delivery_date=data.delivery_date,
                commissioning_date=data.commissioning_date,
                invoice_number=data.invoice_number.strip(),
                price_paid=data.price_paid,
                discount=data.discount,
                store=data.store.strip(),
                is_installed_project=data.is_installed_project,
                contract=data.contract,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                created_at=now(),
            )
    except IntegrityError:
        raise ValidationFailed(
            "serial_taken", _("A unit with this serial number is already registered."), field="serial_number"
        ) from None
    record_history(subject=unit, event="unit_registered", actor=actor)
    return unit


@transaction.atomic
def update_unit(*, unit: Unit, data: UnitInput, actor: Any) -> Unit:
    _validate_unit(data)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = {"purchase_date": str(unit.purchase_date), "customer_id": unit.customer_id}
    for name in (
        "product_model_id",
        "customer_id",
        "purchase_date",
        "delivery_date",
        "commissioning_date",
        "invoice_number",
        "price_paid",
        "discount",
        "store",
        "is_installed_project",
        "contract",
    ):
        setattr(unit, name, getattr(data, name))
    unit.save()
    record_history(subject=unit, event="unit_updated", actor=actor, data={"before": before})
    return unit


@transaction.atomic
def save_category(*, actor: Any, category: Category | None = None, **fields: Any) -> Category:
    if not str(fields.get("name", "")).strip() or not str(fields.get("code", "")).strip():
        raise ValidationFailed("name_required", _("Code and name are required."), field="name")
    if int(fields.get("warranty_months", 12)) < 0:
        raise ValidationFailed(
            "invalid_months", _("Warranty months cannot be negative."), field="warranty_months"
        )
    category = category or Category()
    for key, value in fields.items():
        setattr(category, key, value)
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:
        raise ValidationFailed("code_taken", _("This code is already used."), field="code") from None
    record_history(subject=category, event="category_saved", actor=actor, data={"fields": list(fields)})
    return category


@transaction.atomic
def save_product_model(
    *, actor: Any, product_model: ProductModel | None = None, **fields: Any
) -> ProductModel:
    if not str(fields.get("code", "")).strip() or not str(fields.get("name", "")).strip():
        raise ValidationFailed("name_required", _("Model code and name are required."), field="code")
    if "category_id" in fields and not Category.objects.filter(pk=fields["category_id"]).exists():
        raise ValidationFailed("unknown_category", _("Unknown category."), field="category_id")
    product_model = product_model or ProductModel()
    for key, value in fields.items():
        setattr(product_model, key, value)
    try:
        with transaction.atomic():
            product_model.save()
    except IntegrityError:
        raise ValidationFailed("code_taken", _("This model code is already used."), field="code") from None
    record_history(subject=product_model, event="model_saved", actor=actor, data={"fields": list(fields)})
    return product_model
