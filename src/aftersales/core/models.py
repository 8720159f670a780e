"""Shared kernel tables: the append-only history, daily sequences for numbers, API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AppendOnlyError(Exception):
    pass


class HistoryEntry(models.Model):
    """One event in the life of a record (履历): who, when, what, from which state to which.

    The single history table of the system. Rows are never updated or deleted;
    timelines, SLA clocks and KPI rollups read these rows.
    """

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    subject_id = models.BigIntegerField(_("record id"))
    event = models.CharField(_("event"), max_length=64)
    old_state = models.CharField(pgettext_lazy("state", "from"), max_length=32, blank=True)
    new_state = models.CharField(pgettext_lazy("state", "to"), max_length=32, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), db_index=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "at"], name="history_subject_idx")]

    def __str__(self) -> str:
        return f"{self.event} {self.old_state}->{self.new_state} @ {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise AppendOnlyError("history entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("history entries are append-only")


class DailySequence(models.Model):
    """The last number handed out per scope and day (SR20261122-0007 -> scope SR, day, last 7)."""

    scope = models.CharField(max_length=16)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "day"], name="dailysequence_scope_day_uniq")]

    def __str__(self) -> str:
        return f"{self.scope} {self.day}: {self.last}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for integrations (ERP, e-commerce). Only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def new_raw_key() -> str:
        return secrets.token_urlsafe(32)


class CompanyDayKind(models.TextChoices):
    DAY_OFF = "off", _("Day off")
    WORKING_DAY = "working", _("Working day")


class CompanyDay(models.Model):
    """A day the company declares off or working, beyond China's holiday calendar.

    Also where an administrator enters next year's holidays and 调休 days while
    the holiday package does not cover that year yet.
    """

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=CompanyDayKind.choices)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("company calendar day")
        verbose_name_plural = _("company calendar")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"


class WorkingHours(models.Model):
    """Working hours of one weekday (several rows for a lunch break)."""

    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["weekday", "start"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class NotificationChannel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """One message to one recipient on one channel: the outbox.

    Written in the same transaction as the business change that causes it, delivered
    by the worker. ``dedupe_key`` makes the writing idempotent; the lease
    (``claimed_until``) lets another worker take over a delivery whose worker died.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    channel = models.CharField(_("channel"), max_length=8, choices=NotificationChannel.choices)
    kind = models.CharField(_("kind"), max_length=48)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    dedupe_key = models.CharField(max_length=160, unique=True)
    status = models.CharField(
        _("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_due_idx",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["recipient", "channel", "read_at"], name="notification_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} -> {self.recipient_id}"


class DialOutcome(models.TextChoices):
    """The outcome of one dial of a customer's number, for callbacks and outbound campaigns alike."""

    REACHED = "reached", pgettext_lazy("dial outcome", "Reached")
    NO_ANSWER = "no_answer", pgettext_lazy("dial outcome", "No answer")
    BUSY = "busy", pgettext_lazy("dial outcome", "Busy")
    WRONG_NUMBER = "wrong_number", pgettext_lazy("dial outcome", "Wrong number")
    REFUSED = "refused", pgettext_lazy("dial outcome", "Refused")
    CALL_BACK_LATER = "call_back_later", pgettext_lazy("dial outcome", "Call back later")
