"""Customer file (客户档案): people and companies, their contacts, phones and addresses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ZoneKind(models.TextChoices):
    URBAN = "urban", _("Urban")
    SUBURBAN = "suburban", _("Suburban")
    RURAL = "rural", _("Rural")


class Zone(models.Model):
    """A service zone (服务区域); its kind decides the arrival targets."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=ZoneKind.choices, default=ZoneKind.URBAN)

    class Meta:
        verbose_name = _("service zone")
        verbose_name_plural = _("service zones")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class District(models.Model):
    """A district (区/县) and the service zone it belongs to; an administrator maps each one."""

    province = models.CharField(_("province"), max_length=32)
    city = models.CharField(_("city"), max_length=32)
    district = models.CharField(_("district"), max_length=32)
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="districts", verbose_name=_("zone"))

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["province", "city", "district"]
        constraints = [
            models.UniqueConstraint(fields=["province", "city", "district"], name="district_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.province}{self.city}{self.district}"


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class Tier(models.TextChoices):
    NORMAL = "normal", _("Normal")
    VIP = "vip", _("VIP")
    KEY_ACCOUNT = "key_account", _("Key account")


class Customer(models.Model):
    kind = models.CharField(
        _("kind"), max_length=16, choices=CustomerKind.choices, default=CustomerKind.PERSON
    )
    name = models.CharField(_("name"), max_length=128, db_index=True)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.NORMAL)
    email = models.EmailField(_("e-mail"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    portal_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer",
        verbose_name=_("portal login"),
    )
    completeness = models.DecimalField(_("file completeness"), max_digits=4, decimal_places=3, default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=64)
    title = models.CharField(_("title"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    LANDLINE = "landline", _("Landline")


class CustomerPhone(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("phone"), max_length=32)
    digits = models.CharField(max_length=24, db_index=True)
    last4 = models.CharField(max_length=4, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PhoneKind.choices)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return self.number


class Address(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    province = models.CharField(_("province"), max_length=32)
    city = models.CharField(_("city"), max_length=32)
    district = models.CharField(_("district"), max_length=32)
    detail = models.CharField(_("street address"), max_length=200)
    zone = models.ForeignKey(
        Zone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("zone")
    )
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default", "id"]

    def __str__(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.detail}"
