"""Product catalog and the units customers bought (机器 / 序列号)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReturnPolicyClass(models.TextChoices):
    """Which body of return rules applies (see the returns policy engine)."""

    SANBAO = "sanbao", _("三包 catalog goods")
    GENERAL = "general", _("General goods (consumer law only)")
    NON_RETURNABLE = "non_returnable", _("Not returnable without a quality problem")


class WarrantyStart(models.TextChoices):
    INVOICE = "invoice", _("Invoice date")
    DELIVERY = "delivery", _("Delivery date")
    INSTALLATION = "installation", _("Installation and commissioning finished")


class Category(models.Model):
    """A product category with its warranty terms (保修) and return-policy class.

    For 三包 goods ``code`` is the code of the 三包 catalog (e.g. ``flat_panel_tv``).
    """

    code = models.SlugField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("name"), max_length=64)
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months)"), default=12)
    warranty_starts = models.CharField(
        _("warranty starts on"), max_length=16, choices=WarrantyStart.choices, default=WarrantyStart.INVOICE
    )
    return_policy_class = models.CharField(
        _("return policy class"),
        max_length=16,
        choices=ReturnPolicyClass.choices,
        default=ReturnPolicyClass.SANBAO,
    )

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ProductModel(models.Model):
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="models", verbose_name=_("category")
    )
    code = models.CharField(_("model"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=128)
    sku = models.CharField(_("SKU"), max_length=64, blank=True, db_index=True)
    needs_installation = models.BooleanField(_("needs installation"), default=False)
    bulky = models.BooleanField(_("bulky goods"), default=False)
    list_price = models.DecimalField(_("list price"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("product model")
        verbose_name_plural = _("product models")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ContractKind(models.TextChoices):
    STANDARD = "standard", _("Standard")
    SECURITY_SYSTEM = "security_system", _("Security-system maintenance contract")


class Unit(models.Model):
    """One sold item, or one installed project (e.g. a security system), identified by serial number."""

    serial_number = models.CharField(_("serial number"), max_length=64, unique=True)
    product_model = models.ForeignKey(
        ProductModel, on_delete=models.PROTECT, related_name="units", verbose_name=_("model")
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="units", verbose_name=_("customer")
    )
    purchase_date = models.DateField(_("purchase date"))
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    commissioning_date = models.DateField(_("commissioning date"), null=True, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=64, blank=True)
    price_paid = models.DecimalField(_("price paid"), max_digits=12, decimal_places=2, default=0)
    discount = models.DecimalField(_("discount"), max_digits=12, decimal_places=2, default=0)
    store = models.CharField(_("seller / store"), max_length=128, blank=True)
    is_installed_project = models.BooleanField(_("installed project"), default=False)
    contract = models.CharField(
        _("service contract"), max_length=32, choices=ContractKind.choices, default=ContractKind.STANDARD
    )
    # Days spent in repair before this system (entered by hand): they extend the warranty (三包
    # rule). The returns case adds the days of the repairs recorded here, from their history.
    repair_days = models.PositiveIntegerField(_("days in repair"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("registered at"))

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.serial_number
