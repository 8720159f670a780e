"""Catalog and units API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from aftersales.core.api import ErrorOut, LocalDateTime, Page, paginate
from aftersales.core.conf import rule
from aftersales.core.errors import NotFound
from aftersales.core.permissions import Role, require_role

from . import selectors, services
from .models import Category, ProductModel, Unit

router = Router(tags=["catalog"])
units_router = Router(tags=["units"])
STAFF = (Role.AGENT, Role.DISPATCHER, Role.MANAGER, Role.ADMIN, Role.QUALITY, Role.PARTS_CLERK)
CATALOG_EDITORS = (Role.MANAGER, Role.ADMIN)


class CategoryIn(Schema):
    code: str
    name: str
    warranty_months: int = 12
    warranty_starts: str = "invoice"
    return_policy_class: str = "sanbao"


class CategoryOut(CategoryIn):
    id: int


class ProductModelIn(Schema):
    category_id: int
    code: str
    name: str
    sku: str = ""
    needs_installation: bool = False
    bulky: bool = False
    list_price: Decimal = Decimal("0")


class ProductModelOut(ProductModelIn):
    id: int


class WarrantyOut(Schema):
    status: str
    charge: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    days_left: int | None
    reason: str


class UnitIn(Schema):
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
    contract: str = "standard"


class UnitOut(Schema):
    id: int
    serial_number: str
    product_model_id: int
    model_code: str
    model_name: str
    category: str
    customer_id: int
    purchase_date: dt.date
    delivery_date: dt.date | None
    commissioning_date: dt.date | None
    invoice_number: str
    price_paid: Decimal
    discount: Decimal
    store: str
    is_installed_project: bool
    contract: str
    created_at: LocalDateTime
    warranty: WarrantyOut

    @staticmethod
    def resolve_model_code(obj: Unit) -> str:
        return obj.product_model.code

    @staticmethod
    def resolve_model_name(obj: Unit) -> str:
        return obj.product_model.name

    @staticmethod
    def resolve_category(obj: Unit) -> str:
        return obj.product_model.category.code

    @staticmethod
    def resolve_warranty(obj: Unit) -> dict[str, Any]:
        return selectors.warranty_payload(obj)


@router.get("/categories", response=list[CategoryOut])
def list_categories(request: HttpRequest) -> Any:
    return list(Category.objects.all())


@router.post("/categories", response={201: CategoryOut, 403: ErrorOut, 422: ErrorOut})
def create_category(request: HttpRequest, payload: CategoryIn) -> Any:
    require_role(request.user, *CATALOG_EDITORS)
    return Status(201, services.save_category(actor=request.user, **payload.dict()))


@router.put(
    "/categories/{category_id}", response={200: CategoryOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def update_category(request: HttpRequest, category_id: int, payload: CategoryIn) -> Any:
    require_role(request.user, *CATALOG_EDITORS)
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise NotFound()
    return services.save_category(actor=request.user, category=category, **payload.dict())


@router.get("/models", response=list[ProductModelOut])
def list_models(request: HttpRequest, category_id: int | None = None) -> Any:
    qs = ProductModel.objects.all()
    if category_id:
        qs = qs.filter(category_id=category_id)
    return list(qs)


@router.post("/models", response={201: ProductModelOut, 403: ErrorOut, 422: ErrorOut})
def create_model(request: HttpRequest, payload: ProductModelIn) -> Any:
    require_role(request.user, *CATALOG_EDITORS)
    return Status(201, services.save_product_model(actor=request.user, **payload.dict()))


@router.put(
    "/models/{model_id}", response={200: ProductModelOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def update_model(request: HttpRequest, model_id: int, payload: ProductModelIn) -> Any:
    require_role(request.user, *CATALOG_EDITORS)
    product_model = ProductModel.objects.filter(pk=model_id).first()
    if product_model is None:
        raise NotFound()
    return services.save_product_model(actor=request.user, product_model=product_model, **payload.dict())


@units_router.post("", response={201: UnitOut, 403: ErrorOut, 422: ErrorOut})
def create_unit(request: HttpRequest, payload: UnitIn) -> Any:
    require_role(request.user, *STAFF)
    unit = services.register_unit(data=services.UnitInput(**payload.dict()), actor=request.user)
    return Status(201, selectors.access_unit(request.user, unit_id=unit.pk))


@units_router.get("", response=Page[UnitOut])
def list_units(
    request: HttpRequest,
    customer_id: int | None = None,
    serial_number: str = "",
    page: int = 1,
    page_size: int = 50,
) -> Any:
    require_role(request.user, *STAFF)
    qs = selectors.units_with_details()
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if serial_number:
        qs = qs.filter(serial_number__iexact=serial_number.strip())
    return paginate(qs.order_by("-id"), page, page_size, rule("PAGE_SIZE_MAX"))


@units_router.get("/{unit_id}", response={200: UnitOut, 404: ErrorOut})
def get_unit(request: HttpRequest, unit_id: int) -> Any:
    return selectors.access_unit(request.user, unit_id=unit_id)


@units_router.put("/{unit_id}", response={200: UnitOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def update_unit(request: HttpRequest, unit_id: int, payload: UnitIn) -> Any:
    require_role(request.user, *STAFF)
    unit = selectors.access_unit(request.user, unit_id=unit_id)
    services.update_unit(unit=unit, data=services.UnitInput(**payload.dict()), actor=request.user)
    return selectors.access_unit(request.user, unit_id=unit_id)
