"""Portal actions: send and check a one-time code, register a request as a customer, rate it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.core.clock import now
from aftersales.core.conf import rule
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.phones import InvalidPhone, parse_phone

from .models import PhoneCode, SmsMessage

log = logging.getLogger("aftersales.portal")


def _hash(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _mobile(raw: str) -> str:
    try:
        phone = parse_phone(raw)
    except InvalidPhone:
        raise ValidationFailed("invalid_phone", _("Enter a valid mobile number."), field="phone") from None
    if phone.kind != "mobile":
        raise ValidationFailed(
            "mobile_required", _("A code can only be sent to a mobile number."), field="phone"
        )
    return phone.digits


def send_sms(phone: str, text: str) -> SmsMessage:
    message = SmsMessage.objects.create(phone=phone, text=text, created_at=now())
    gateway = rule("SMS_GATEWAY_URL")
    if gateway:
        body = urllib.parse.urlencode({"phone": phone, "text": text}).encode()
        with urllib.request.urlopen(urllib.request.Request(gateway, data=body, method="POST"), timeout=10):
            pass
        SmsMessage.objects.filter(pk=message.pk).update(delivered=True)
    else:
        log.info("SMS to %s: %s", phone, text)
    return message


@transaction.atomic
def send_code(*, phone: str) -> None:
    digits = _mobile(phone)
    at = now()
    recent = PhoneCode.objects.filter(phone=digits, created_at__gte=at - dt.timedelta(minutes=1)).exists()
    if recent:
        raise DomainError("code_too_soon", _("A code was sent less than a minute ago."), field="phone")
    code = f"{secrets.randbelow(1_000_000):06d}"
    minutes = rule("PORTAL_CODE_MINUTES")
    PhoneCode.objects.create(
        phone=digits,
        code_hash=_hash(digits, code),
        created_at=at,
        expires_at=at + dt.timedelta(minutes=minutes),
    )
    send_sms(
        digits,
        _("Your after-sales service code is %(code)s, valid for %(minutes)s minutes.")
        % {"code": code, "minutes": minutes},
    )


def check_code(*, phone: str, code: str) -> str:
    """The phone's digits when the code is right; each code works once and allows a few tries."""
    digits = _mobile(phone)
    at = now()
    with transaction.atomic():
        row = (
            PhoneCode.objects.select_for_update()
            .filter(phone=digits, used_at__isnull=True, expires_at__gt=at)
            .order_by("-created_at")
            .first()
        )
        ok = (
            row is not None
            and row.attempts < rule("PORTAL_CODE_ATTEMPTS")
            and hmac.compare_digest(row.code_hash, _hash(digits, code.strip()))
        )
        if row is not None:
            # A wrong try is counted (and committed) before the refusal is raised.
            PhoneCode.objects.filter(pk=row.pk).update(
                used_at=at if ok else None, attempts=row.attempts + (0 if ok else 1)
            )
    if not ok:
        raise ValidationFailed("wrong_code", _("The code is wrong or has expired."), field="code")
    return digits


def phone_matches(customer: Any, digits: str) -> bool:
    return customer.phones.filter(digits=digits).exists()
