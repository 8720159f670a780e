"""Shared kernel tables: the append-only history, daily sequences for numbers, API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    old_state = models.CharField(_("from"), max_length=32, blank=True)
    new_state = models.CharField(_("to"), max_length=32, blank=True)
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
