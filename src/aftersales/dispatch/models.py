"""Technicians and the stations they belong to (own service department or authorized partner)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StationKind(models.TextChoices):
    OWN = "own", _("Own service department")
    PARTNER = "partner", _("Authorized service station")


class Station(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=StationKind.choices, default=StationKind.OWN)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    zones = models.ManyToManyField(
        "customers.Zone", blank=True, related_name="stations", verbose_name=_("zones")
    )

    class Meta:
        verbose_name = _("service station")
        verbose_name_plural = _("service stations")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Technician(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="technician")
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="technicians", verbose_name=_("station")
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    zones = models.ManyToManyField(
        "customers.Zone", blank=True, related_name="technicians", verbose_name=_("zones")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("technician")
        verbose_name_plural = _("technicians")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()
