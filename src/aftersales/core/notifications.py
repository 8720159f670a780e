"""Notifications through the outbox: written with the business change, delivered by the worker.

``notify`` creates one in-app row per recipient (read in the app), an e-mail row
when SMTP is configured and the recipient has an address, and one webhook row per
event when a webhook URL is configured. Each row has a dedupe key, so calling
``notify`` twice for the same event creates nothing new.

Delivery (``deliver_due``) claims rows with a lease: a worker that dies mid-send
leaves a row whose lease expires and another worker delivers it. Webhook calls
carry the notification id as an idempotency key and an HMAC-SHA256 signature.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.request
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from .bulk import insert_rows, table
from .clock import now
from .models import DeliveryStatus, Notification, NotificationChannel

log = logging.getLogger("aftersales.notifications")


def _conf(name: str) -> Any:
    return settings.AFTERSALES[name]


def _create(**fields: Any) -> Notification | None:
    try:
        with transaction.atomic():
            return Notification.objects.create(**fields)
    except IntegrityError:
        return None  # already written for this event: exactly once


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    subject: str,
    body: str,
    event_key: str,
    data: dict[str, Any] | None = None,
) -> list[Notification]:
    """Write the notifications of one event (``event_key`` identifies it) to the outbox."""
    at = now()
    data = data or {}
    rows: list[Notification] = []
    base = {"kind": kind, "subject": subject[:200], "body": body, "data": data, "created_at": at}
    for user in {u.pk: u for u in recipients if u is not None}.values():
        row = _create(
            recipient=user,
            channel=NotificationChannel.IN_APP,
            dedupe_key=f"{event_key}:in_app:{user.pk}",
            status=DeliveryStatus.SENT,
            sent_at=at,
            **base,
        )
        if row:
            rows.append(row)
        if settings.EMAIL_HOST and user.email:
            row = _create(
                recipient=user,
                channel=NotificationChannel.EMAIL,
                dedupe_key=f"{event_key}:email:{user.pk}",
                next_attempt_at=at,
                **base,
            )
            if row:
                rows.append(row)
    if _conf("WEBHOOK_URL"):
        row = _create(
            channel=NotificationChannel.WEBHOOK, dedupe_key=f"{event_key}:webhook", next_attempt_at=at, **base
        )
        if row:
            rows.append(row)
    return rows


def notify_many(events: list[dict[str, Any]]) -> int:
    """Write many events' notifications in a few statements (the escalation sweep).

    Each event is a dict with ``recipient_ids`` (user ids), ``kind``, ``subject``, ``body``,
    ``event_key`` and ``data``. Rows already written for an event (same dedupe key) are
    skipped, as in :func:`notify`.
    """
    from django.contrib.auth import get_user_model

    at = now()
    email = bool(settings.EMAIL_HOST)
    webhook = bool(_conf("WEBHOOK_URL"))
    emails: dict[int, str] = {}
    if email:
        ids = {uid for e in events for uid in e["recipient_ids"] if uid}
        emails = dict(
            get_user_model().objects.filter(pk__in=ids).exclude(email="").values_list("pk", "email")
        )
    rows: list[tuple[Any, ...]] = []
    for event in events:
        key = event["event_key"]
        common = (
            event["kind"],
            event["subject"][:200],
            event["body"],
            json.dumps(event.get("data") or {}),
            at,
        )
        for uid in dict.fromkeys(u for u in event["recipient_ids"] if u):
            rows.append(
                (
                    uid,
                    NotificationChannel.IN_APP,
                    f"{key}:in_app:{uid}",
                    DeliveryStatus.SENT,
                    at,
                    None,
                    *common,
                )
            )
            if uid in emails:
                rows.append(
                    (
                        uid,
                        NotificationChannel.EMAIL,
                        f"{key}:email:{uid}",
                        DeliveryStatus.PENDING,
                        None,
                        at,
                        *common,
                    )
                )
        if webhook:
            rows.append(
                (
                    None,
                    NotificationChannel.WEBHOOK,
                    f"{key}:webhook",
                    DeliveryStatus.PENDING,
                    None,
                    at,
                    *common,
                )
            )
    insert_rows(
        table(Notification),
        (
            ("recipient_id", "integer"),
            ("channel", "varchar"),
            ("dedupe_key", "varchar"),
            ("status", "varchar"),
            ("sent_at", "timestamptz"),
            ("next_attempt_at", "timestamptz"),
            ("kind", "varchar"),
            ("subject", "varchar"),
            ("body", "text"),
            ("data", "jsonb"),
            ("created_at", "timestamptz"),
            ("attempts", "smallint"),
            ("last_error", "text"),
        ),
        [(*row, 0, "") for row in rows],
        "ON CONFLICT (dedupe_key) DO NOTHING",
    )
    return len(rows)


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(row: Notification) -> bytes:
    payload = {
        "id": row.pk,
        "kind": row.kind,
        "subject": row.subject,
        "body": row.body,
        "data": row.data,
        "created_at": row.created_at.isoformat(),
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()


def _send(row: Notification) -> None:
    if row.channel == NotificationChannel.EMAIL:
        if row.recipient is None:
            raise ValueError("an e-mail notification needs a recipient")
        send_mail(
            row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.recipient.email], fail_silently=False
        )
    elif row.channel == NotificationChannel.WEBHOOK:
        body = webhook_body(row)
        request = urllib.request.Request(
            _conf("WEBHOOK_URL"),
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Aftersales-Event": row.kind,
                "X-Aftersales-Delivery": str(row.pk),
                "X-Aftersales-Signature": sign(body, _conf("WEBHOOK_SECRET")),
            },
        )
        with urllib.request.urlopen(request, timeout=_conf("WEBHOOK_TIMEOUT_SECONDS")) as response:
            if response.status >= 300:
                raise OSError(f"webhook answered {response.status}")


def claim_due(limit: int = 20) -> list[Notification]:
    """Take up to ``limit`` deliveries that are due or whose lease expired; nobody else gets them."""
    at = now()
    lease = dt.timedelta(seconds=_conf("DELIVERY_LEASE_SECONDS"))
    due = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=at) | Q(
        status=DeliveryStatus.SENDING, claimed_until__lt=at
    )
    with transaction.atomic():
        qs = Notification.objects.filter(due).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        candidates = list(qs.values_list("pk", "status", "claimed_until")[:limit])
        claimed = []
        for pk, status, claimed_until in candidates:
            # A conditional update: on SQLite (no row locks) two workers may see the same
            # row, but only one changes it.
            won = Notification.objects.filter(pk=pk, status=status, claimed_until=claimed_until).update(
                status=DeliveryStatus.SENDING, claimed_until=at + lease
            )
            if won:
                claimed.append(pk)
    return list(Notification.objects.filter(pk__in=claimed).select_related("recipient"))


def deliver(row: Notification) -> bool:
    at = now()
    try:
        _send(row)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
        attempts = row.attempts + 1
        failed = attempts >= _conf("DELIVERY_MAX_ATTEMPTS")
        backoff = dt.timedelta(seconds=_conf("DELIVERY_RETRY_SECONDS") * 2 ** min(attempts - 1, 8))
        Notification.objects.filter(pk=row.pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.FAILED if failed else DeliveryStatus.PENDING,
            attempts=attempts,
            next_attempt_at=None if failed else at + backoff,
            claimed_until=None,
            last_error=str(exc)[:1000],
        )
        log.warning("delivery of notification %s failed (%s): %s", row.pk, attempts, exc)
        return False
    Notification.objects.filter(pk=row.pk).update(
        status=DeliveryStatus.SENT, sent_at=at, attempts=row.attempts + 1, claimed_until=None, last_error=""
    )
    return True


def deliver_due(limit: int = 20) -> int:
    rows = claim_due(limit)
    for row in rows:
        deliver(row)
    return len(rows)


def inbox(user: Any, unread_only: bool = False) -> Any:
    qs = Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def mark_read(*, user: Any, notification_id: int) -> int:
    return Notification.objects.filter(
        pk=notification_id, recipient=user, channel=NotificationChannel.IN_APP, read_at__isnull=True
    ).update(read_at=now())
