"""Customer portal: submit a request with a phone number and a one-time code, track it, rate it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.catalog.models import ProductModel
from aftersales.core.clock import now
from aftersales.core.conf import rule
from aftersales.core.errors import DomainError
from aftersales.core.phones import InvalidPhone, parse_phone
from aftersales.customers.services import AddressInput, CustomerInput
from aftersales.service import services as service_services
from aftersales.service.models import ServiceRequest
from aftersales.service.selectors import timeline_rows
from aftersales.service.workflow import Channel, RequestType

from . import services
from .models import SmsMessage

SESSION_PHONE = "portal_phone"
SESSION_UNTIL = "portal_phone_until"
PORTAL_TYPES = [
    RequestType.REPAIR,
    RequestType.INSTALLATION,
    RequestType.MAINTENANCE,
    RequestType.DELIVERY,
    RequestType.CONSULTATION,
    RequestType.COMPLAINT,
    RequestType.SUGGESTION,
]
# Events a customer sees on their timeline (internal notes and handovers stay internal).
PUBLIC_EVENTS = {"registered", "transition", "repeat_contact", "rated"}


def verified_phone(request: HttpRequest) -> str | None:
    until = request.session.get(SESSION_UNTIL)
    if not until or dt.datetime.fromisoformat(until) < now():
        return None
    return request.session.get(SESSION_PHONE)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"phone": verified_phone(request)})


def login(request: HttpRequest) -> HttpResponse:
    """Step 1: the customer's mobile number; step 2: the code sent to it."""
    phone = request.POST.get("phone", "") or request.GET.get("phone", "")
    if request.method == "POST":
        try:
            if "code" in request.POST:
                digits = services.check_code(phone=phone, code=request.POST["code"])
                request.session[SESSION_PHONE] = digits
                request.session[SESSION_UNTIL] = (now() + dt.timedelta(hours=2)).isoformat()
                return redirect(request.GET.get("next") or "portal:new")
            services.send_code(phone=phone)
            messages.success(request, _("A code was sent to your phone."))
            return render(request, "portal/login.html", {"phone": phone, "code_sent": True})
        except DomainError as exc:
            messages.error(request, exc.text())
            return render(request, "portal/login.html", {"phone": phone, "code_sent": "code" in request.POST})
    return render(request, "portal/login.html", {"phone": phone, "code_sent": False})


def new_request(request: HttpRequest) -> HttpResponse:
    digits = verified_phone(request)
    if not digits:
        return redirect("/portal/login/?next=/portal/new/")
    models = ProductModel.objects.select_related("category").order_by("category__name", "code")
    types = [(t.value, t.label) for t in PORTAL_TYPES]
    if request.method == "POST":
        post = request.POST
        data = service_services.RequestInput(
            type=post.get("type", ""),
            channel=Channel.WEB,
            customer_id=0,
            description=post.get("description", ""),
        )
        customer = CustomerInput(
            name=post.get("name", ""),
            phones=[digits],
            addresses=[
                AddressInput(
                    post.get("province", ""),
                    post.get("city", ""),
                    post.get("district", ""),
                    post.get("detail", ""),
                )
            ],
        )
        unit = None
        if post.get("serial"):
            unit = service_services.InlineUnit(
                serial_number=post["serial"],
                product_model_id=int(post["model_id"]) if post.get("model_id") else None,
                purchase_date=dt.date.fromisoformat(post["purchase_date"])
                if post.get("purchase_date")
                else None,
            )
        try:
            reg = service_services.intake_request(data=data, actor=None, customer=customer, unit=unit)
        except (DomainError, ValueError) as exc:
            messages.error(request, exc.text() if isinstance(exc, DomainError) else _("Check the dates."))
            return render(
                request, "portal/new.html", {"models": models, "types": types, "post": post, "phone": digits}
            )
        messages.success(
            request,
            _("Your request number is %(number)s. Keep it to follow your request.")
            % {"number": reg.request.number},
        )
        return redirect(f"/portal/track/?number={reg.request.number}&phone={digits}")
    return render(request, "portal/new.html", {"models": models, "types": types, "post": {}, "phone": digits})


def _tracked(number: str, phone: str) -> ServiceRequest | None:
    try:
        digits = parse_phone(phone).digits
    except InvalidPhone:
        return None
    sr = (
        ServiceRequest.objects.select_related("customer", "unit__product_model")
        .filter(number=number.strip().upper())
        .first()
    )
    if sr is None or not services.phone_matches(sr.customer, digits):
        return None
    return sr


def track(request: HttpRequest) -> HttpResponse:
    number, phone = request.GET.get("number", ""), request.GET.get("phone", "")
    sr = _tracked(number, phone) if number and phone else None
    context: dict[str, Any] = {"number": number, "phone": phone, "sr": sr}
    if number and phone and sr is None:
        messages.error(request, _("No request matches this number and phone."))
    if sr is not None:
        context["timeline"] = [row for row in timeline_rows(sr) if row["event_code"] in PUBLIC_EVENTS]
        context["can_rate"] = sr.status in ("resolved", "closed", "answered") and not hasattr(sr, "rating")
        context["scale"] = range(rule("RATING_SCALE")[0], rule("RATING_SCALE")[1] + 1)
    return render(request, "portal/track.html", context)


@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    number, phone = request.POST.get("number", ""), request.POST.get("phone", "")
    sr = _tracked(number, phone)
    if sr is None:
        raise Http404
    try:
        service_services.rate_request(
            request=sr,
            score=int(request.POST.get("score") or 0),
            comment=request.POST.get("comment", ""),
            actor=None,
        )
        messages.success(request, _("Thank you for your rating."))
    except DomainError as exc:
        messages.error(request, exc.text())
    return redirect(f"/portal/track/?number={sr.number}&phone={phone}")


def dev_outbox(request: HttpRequest) -> HttpResponse:
    """Without an SMS gateway (the embedded mode) the codes are shown here for trying the portal."""
    if rule("SMS_GATEWAY_URL"):
        raise Http404
    return render(request, "portal/dev_outbox.html", {"messages_sent": SmsMessage.objects.all()[:20]})
