"""The agent console (客服工作台): greeting script, intake in three steps, live queues.

1. Type a phone number, name or serial number: the customer, their units (with the
   warranty decision in words) and open requests appear.
2. Pick the unit, or register a new customer and unit in the same form.
3. Choose the type and describe the need: the open request it would repeat is shown
   before registering.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.catalog.models import ProductModel
from aftersales.catalog.selectors import units_with_details, warranty_payload
from aftersales.core.conf import rule
from aftersales.core.errors import DomainError, PermissionRefused
from aftersales.core.permissions import Role, has_role
from aftersales.customers.selectors import search_customers
from aftersales.customers.services import AddressInput, CustomerInput

from . import selectors, services
from .workflow import Channel, Priority, RequestType

CONSOLE_ROLES = (Role.AGENT, Role.DISPATCHER, Role.MANAGER, Role.ADMIN)


def _require_console(user: Any) -> None:
    if not has_role(user, *CONSOLE_ROLES):
        raise PermissionRefused()


def greeting(user: Any) -> str:
    return rule("GREETING_SCRIPT").format(
        agent=user.get_full_name() or user.get_username(), badge=f"{user.pk:04d}"
    )


@login_required
def console(request: HttpRequest) -> HttpResponse:
    _require_console(request.user)
    scope = request.GET.get("scope", "mine")
    return render(
        request,
        "service/console.html",
        {
            "greeting": greeting(request.user),
            "rings": rule("HOTLINE_ANSWER_RINGS"),
            "scope": scope,
            "rows": selectors.queue(request.user, scope=scope),
            "types": RequestType.choices,
            "channels": Channel.choices,
            "priorities": Priority.choices,
            "models": ProductModel.objects.select_related("category").order_by("category__name", "code"),
        },
    )


@login_required
def queue_partial(request: HttpRequest) -> HttpResponse:
    _require_console(request.user)
    scope = request.GET.get("scope", "mine")
    return render(
        request, "service/_queue.html", {"rows": selectors.queue(request.user, scope=scope), "scope": scope}
    )


@login_required
def lookup(request: HttpRequest) -> HttpResponse:
    """Step 1 (htmx): who is calling, what do they own, what is open."""
    _require_console(request.user)
    text = request.GET.get("q", "").strip()
    customers = list(search_customers(text, limit=5)) if len(text) >= 2 else []
    found = []
    for customer in customers:
        units = list(units_with_details().filter(customer=customer).order_by("-purchase_date"))
        found.append(
            {
                "customer": customer,
                "units": [(u, warranty_payload(u)) for u in units],
                "open": list(
                    selectors.visible_requests(request.user)
                    .filter(customer=customer, is_open=True)
                    .order_by("-received_at")[:10]
                ),
            }
        )
    return render(request, "service/_lookup.html", {"found": found, "q": text, "searched": len(text) >= 2})


@login_required
def duplicate_check(request: HttpRequest) -> HttpResponse:
    """Step 3 (htmx): the open request this registration would repeat, shown before submitting."""
    _require_console(request.user)
    try:
        customer_id = int(request.GET.get("customer_id") or 0)
        unit_id = int(request.GET["unit_id"]) if request.GET.get("unit_id") else None
    except ValueError:
        customer_id, unit_id = 0, None
    existing = selectors.open_request_for(customer_id, unit_id, request.GET.get("type", ""))
    return render(request, "service/_duplicate.html", {"existing": existing})


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@require_POST
def register(request: HttpRequest) -> HttpResponse:
    """Step 3: register, with a new customer and unit inline when the caller is new."""
    _require_console(request.user)
    post = request.POST
    data = services.RequestInput(
        type=post.get("type", ""),
        channel=post.get("channel", Channel.PHONE),
        customer_id=int(post.get("customer_id") or 0),
        unit_id=int(post["unit_id"]) if post.get("unit_id") else None,
        description=post.get("description", ""),
        priority=post.get("priority", Priority.NORMAL),
        contact_phone=post.get("contact_phone", ""),
        answer=post.get("answer", ""),
    )
    customer = None
    if not data.customer_id:
        customer = CustomerInput(
            name=post.get("new_name", ""),
            phones=[p for p in [post.get("new_phone", "")] if p],
            addresses=[
                AddressInput(
                    post.get("new_province", ""),
                    post.get("new_city", ""),
                    post.get("new_district", ""),
                    post.get("new_detail", ""),
                )
            ]
            if post.get("new_detail")
            else [],
        )
    unit = None
    if not data.unit_id and post.get("new_serial"):
        try:
            price = Decimal(post.get("new_price") or "0")
        except InvalidOperation:
            price = Decimal("-1")
        unit = services.InlineUnit(
            serial_number=post.get("new_serial", ""),
            product_model_id=int(post["new_model_id"]) if post.get("new_model_id") else None,
            purchase_date=_date(post.get("new_purchase_date", "")),
            invoice_number=post.get("new_invoice", ""),
            price_paid=price,
        )
    try:
        with transaction.atomic():
            reg = services.intake_request(data=data, actor=request.user, customer=customer, unit=unit)
    except DomainError as exc:
        messages.error(request, exc.text())
        return redirect("service:console")
    if reg.repeat:
        messages.warning(
            request,
            _("The customer already has an open request: the call was recorded on %(number)s.")
            % {"number": reg.request.number},
        )
    else:
        messages.success(request, _("Registered as %(number)s.") % {"number": reg.request.number})
    return redirect("service:detail", number=reg.request.number)
