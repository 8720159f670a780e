"""One-time codes that let a customer act in the portal with only their phone number."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PhoneCode(models.Model):
    phone = models.CharField(_("phone"), max_length=24, db_index=True)  # digits only
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.phone} {self.created_at:%Y-%m-%d %H:%M}"


class SmsMessage(models.Model):
    """A text message to a customer. Without a gateway it stays here (the development outbox)."""

    phone = models.CharField(_("phone"), max_length=24)
    text = models.CharField(_("text"), max_length=300)
    created_at = models.DateTimeField(_("created at"))
    delivered = models.BooleanField(_("delivered"), default=False)

    class Meta:
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.phone}: {self.text[:30]}"
