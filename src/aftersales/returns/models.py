"""The 三包 catalog and the no-reason goods classes as editable reference data, and the
return cases of the return / exchange flow.

The rows start as the shipped ``data/sanbao_catalog.json`` (loaded by a data
migration); ``selectors.load_policy_catalog`` turns them into the engine's
``Catalog``.  The statutory goods classes keep the rule the law gives them.
A ``ReturnCase`` belongs to one ServiceRequest of type ``return`` and is written
only by ``services``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .policy.catalog import STATUTORY_GOODS_CLASSES
from .policy.text import ZH, normalize_language
from .policy.types import NoReasonRule, Outcome, PartKind, Reason

code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,47}$", _("Use lower-case letters, digits and underscores, starting with a letter.")
)


class ProductRule(models.TextChoices):
    """The product rules the engine cites (``policy.clauses.PRODUCT_RULES``)."""

    SANBAO_1995 = "sanbao_1995", _("General 三包 rules (1995)")
    MOBILE_PHONE_2001 = "mobile_phone_2001", _("Mobile phone rules (2001)")
    FIXED_PHONE_2001 = "fixed_phone_2001", _("Fixed phone rules (2001)")
    MICROCOMPUTER_2002 = "microcomputer_2002", _("Microcomputer rules (2002)")
    HOME_AV_2002 = "home_av_2002", _("Home audio-video rules (2002)")
    FLAT_PANEL_TV_2011 = "flat_panel_tv_2011", _("Flat-panel TV notice (2011)")


class PartKindChoice(models.TextChoices):
    MAIN_PART = PartKind.MAIN_PART.value, _("Main part")
    ACCESSORY = PartKind.ACCESSORY.value, _("Accessory")


class NoReasonRuleChoice(models.TextChoices):
    RETURNABLE = NoReasonRule.RETURNABLE.value, _("Returnable without a reason")
    EXCLUDED = NoReasonRule.EXCLUDED.value, _("Never returnable without a reason")
    EXCLUDED_IF_CONFIRMED = (
        NoReasonRule.EXCLUDED_IF_CONFIRMED.value,
        _("Not returnable if confirmed at purchase"),
    )


class EditedRow(models.Model):
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        abstract = True


class SanbaoCategory(EditedRow):
    """三包商品类别: one product category of the 三包 catalog with its periods and depreciation rate."""

    code = models.CharField(_("code"), max_length=48, unique=True, validators=[code_validator])
    name_zh = models.CharField(_("name (Chinese)"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=64, blank=True)
    product_rule = models.CharField(
        _("product rule"), max_length=32, choices=ProductRule.choices, default=ProductRule.SANBAO_1995
    )
    whole_unit_months = models.PositiveSmallIntegerField(
        _("whole-unit period (months)"), default=12, validators=[MinValueValidator(1)]
    )
    daily_depreciation_percent = models.DecimalField(
        _("daily depreciation (%)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Percent of the price per day, e.g. 0.5 for 0.5 %. Empty: no depreciation is charged."),
    )
    period_starts_on_installation = models.BooleanField(
        _("period starts when installation is finished"), default=False
    )
    durable = models.BooleanField(
        _("durable goods"),
        default=True,
        help_text=_("Within 6 months of receipt the business bears the burden of proof for defects."),
    )
    parts_delay_days = models.PositiveSmallIntegerField(
        _("parts delay before exchange (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: the general limit of the law (90 days)."),
    )
    loaner_after_days = models.PositiveSmallIntegerField(
        _("loaner due after (days in repair)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("三包 category")
        verbose_name_plural = _("三包 categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"


class SanbaoPart(models.Model):
    """主要部件或附件 with its own 三包 period."""

    category = models.ForeignKey(
        SanbaoCategory, on_delete=models.CASCADE, related_name="parts", verbose_name=_("category")
    )
    code = models.CharField(_("code"), max_length=48, validators=[code_validator])
    name_zh = models.CharField(_("name (Chinese)"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=64, blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=PartKindChoice.choices, default=PartKindChoice.MAIN_PART
    )
    months = models.PositiveSmallIntegerField(_("period (months)"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("三包 part")
        verbose_name_plural = _("三包 parts")
        ordering = ["category", "kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="returns_part_code_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"


class NoReasonGoodsClass(EditedRow):
    """无理由退货商品类别: how a class of goods fares under the 7-day no-reason return."""

    code = models.CharField(_("code"), max_length=48, unique=True, validators=[code_validator])
    name_zh = models.CharField(_("name (Chinese)"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=64, blank=True)
    no_reason_rule = models.CharField(_("no-reason rule"), max_length=32, choices=NoReasonRuleChoice.choices)
    description_zh = models.CharField(_("description (Chinese)"), max_length=255, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("no-reason goods class")
        verbose_name_plural = _("no-reason goods classes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"

    @property
    def is_statutory(self) -> bool:
        return self.code in STATUTORY_GOODS_CLASSES

    def clean(self) -> None:
        statutory = STATUTORY_GOODS_CLASSES.get(self.code)
        if statutory is not None and self.no_reason_rule != statutory:
            raise ValidationError(
                {"no_reason_rule": _("The law sets the rule of this class; it cannot be changed.")}
            )
        if statutory is None and self.no_reason_rule == NoReasonRule.EXCLUDED:
            raise ValidationError(
                {
                    "no_reason_rule": _(
                        "Only the law excludes goods outright; a class of our own needs the customer's confirmation."
                    )
                }
            )


# -- the return / exchange flow ------------------------------------------------------------------


class ReturnReason(models.TextChoices):
    NO_REASON = Reason.NO_REASON.value, _("No-reason return")
    QUALITY = Reason.QUALITY.value, _("Quality problem")


class OutcomeChoice(models.TextChoices):
    RETURN = Outcome.RETURN.value, _("Return and refund")
    EXCHANGE = Outcome.EXCHANGE.value, _("Exchange")
    REPAIR_FREE = Outcome.REPAIR_FREE.value, _("Free repair")
    REPAIR_PAID = Outcome.REPAIR_PAID.value, _("Paid repair")
    REJECT = Outcome.REJECT.value, _("Rejected")


#: Remedies the business pays for; rejecting while the engine grants one overrides it.
BUSINESS_REMEDIES = frozenset({Outcome.RETURN.value, Outcome.EXCHANGE.value, Outcome.REPAIR_FREE.value})


class ReturnCause(models.TextChoices):
    """Why the goods came back (退换货原因), traced so the responsible party is held to account."""

    PRODUCT_DEFECT = "product_defect", _("Product quality defect")
    TRANSPORT_DAMAGE = "transport_damage", _("Damaged in transport")
    INSTALLATION_FAULT = "installation_fault", _("Faulty installation")
    WRONG_GOODS = "wrong_goods", _("Wrong or incomplete goods delivered")
    SALES_MISINFORMATION = "sales_misinformation", _("Misleading sales information")
    REPAIR_FAILURE = "repair_failure", _("Repairs did not fix the fault")
    CHANGE_OF_MIND = "change_of_mind", _("Customer changed their mind")
    CUSTOMER_DAMAGE = "customer_damage", _("Damage from the customer's use")
    OTHER = "other", _("Other")


class ResponsibleDepartment(models.TextChoices):
    MANUFACTURER = "manufacturer", _("Manufacturer / supplier")
    WAREHOUSE_LOGISTICS = "warehouse_logistics", _("Warehouse and logistics")
    INSTALLATION = "installation", pgettext_lazy("department", "Installation")
    SALES = "sales", _("Sales")
    SERVICE = "service", _("After-sales service")
    NONE = "none", _("No department (customer's own reason)")


class ReturnCase(models.Model):
    """The return details of one return request (退换货单): the case the engine decided, the
    person's decision, the inspection of the goods that came back, and the remedy performed.

    ``decision`` holds the engine's decision rendered in both languages
    (``{"zh-hans": {...}, "en": {...}}``) as it was when evaluated, so a later change of the
    catalog never rewrites what the customer was told.
    """

    request = models.OneToOneField(
        "service.ServiceRequest",
        on_delete=models.CASCADE,
        related_name="return_case",
        verbose_name=_("service request"),
    )
    reason = models.CharField(pgettext_lazy("return", "reason"), max_length=16, choices=ReturnReason.choices)
    case = models.JSONField(_("case"), default=dict)

    # The engine's decision.
    decision = models.JSONField(_("decision"), default=dict, blank=True)
    outcome = models.CharField(_("engine outcome"), max_length=16, choices=OutcomeChoice.choices, blank=True)
    options = models.JSONField(_("options"), default=list, blank=True)
    refund_amount = models.DecimalField(
        _("refund amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    depreciation = models.DecimalField(
        _("depreciation"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # The person's decision.
    approved_outcome = models.CharField(
        _("decided outcome"), max_length=16, choices=OutcomeChoice.choices, blank=True
    )
    approved_refund_amount = models.DecimalField(
        _("approved refund"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    override = models.BooleanField(_("overrides the engine"), default=False)
    override_reason = models.TextField(_("override reason"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )

    # The goods back and their inspection.
    goods_received_at = models.DateTimeField(_("goods received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    condition = models.JSONField(_("condition found"), default=list, blank=True)
    inspection_note = models.TextField(_("inspection note"), blank=True)
    # The engine's decision on the inspected goods (same shape as ``decision``).
    inspection_decision = models.JSONField(_("decision on the inspected goods"), default=dict, blank=True)
    inspection_outcome = models.CharField(max_length=16, choices=OutcomeChoice.choices, blank=True)
    inspection_options = models.JSONField(default=list, blank=True)
    inspection_refund_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    # Cause and responsibility (退换货原因与责任), for the department and staff evaluation.
    cause = models.CharField(_("cause"), max_length=24, choices=ReturnCause.choices, blank=True)
    responsible_department = models.CharField(
        _("responsible department"), max_length=24, choices=ResponsibleDepartment.choices, blank=True
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="returns_responsible_for",
        verbose_name=_("responsible person"),
    )

    # The remedy.
    refund_paid = models.DecimalField(
        _("refund paid"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    # [{"means": "wechat", "amount": "120.00"}, ...]: back to the original means as paid.
    refund_split = models.JSONField(_("refund by means of payment"), default=list, blank=True)
    # Deadlines the law says were missed, found by the engine when the refund was made.
    violations = models.JSONField(_("violations"), default=dict, blank=True)
    new_unit = models.ForeignKey(
        "catalog.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchanged_from",
        verbose_name=_("new unit"),
    )
    exchanged_at = models.DateTimeField(_("exchanged at"), null=True, blank=True)
    repair_note = models.TextField(_("repair done"), blank=True)
    repaired_at = models.DateTimeField(_("repaired at"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("return case")
        verbose_name_plural = _("return cases")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["cause", "responsible_department"], name="return_cause_idx")]

    def __str__(self) -> str:
        return f"{self.request_id}"

    @property
    def inspected(self) -> bool:
        return bool(self.inspection_decision)

    @property
    def engine_outcome(self) -> str:
        """The engine's latest word: on the inspected goods once they are back, else on the case."""
        return self.inspection_outcome if self.inspected else self.outcome

    @property
    def engine_options(self) -> list[str]:
        return list(self.inspection_options if self.inspected else self.options)

    @property
    def engine_refund_amount(self) -> Decimal | None:
        return self.inspection_refund_amount if self.inspected else self.refund_amount

    @property
    def is_override(self) -> bool:
        """The person's decision leaves what the engine allows."""
        decided = self.approved_outcome
        if not decided:
            return False
        options = self.engine_options
        if decided == Outcome.REJECT:
            # A paid repair is no entitlement: refusing the return then follows the engine.
            return bool(set(options) & BUSINESS_REMEDIES)
        if decided not in options:
            return True
        engine_amount = self.engine_refund_amount
        return (
            decided == Outcome.RETURN
            and self.approved_refund_amount is not None
            and engine_amount is not None
            and self.approved_refund_amount != engine_amount
        )

    def decision_in(self, language: str | None) -> dict[str, Any]:
        return _in_language(self.decision, language)

    def inspection_decision_in(self, language: str | None) -> dict[str, Any]:
        return _in_language(self.inspection_decision, language)

    def violations_in(self, language: str | None) -> list[dict[str, Any]]:
        return list(_in_language(self.violations, language) or [])


def _in_language(stored: dict[str, Any], language: str | None) -> Any:
    if not stored:
        return {}
    return stored.get(normalize_language(language)) or stored.get(ZH) or {}


def photo_path(instance: ReturnPhoto, filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return f"returns/{instance.return_case.request.number}/{uuid.uuid4().hex}{suffix}"


class ReturnPhoto(models.Model):
    """A photo of the goods taken at the inspection (验货照片)."""

    return_case = models.ForeignKey(ReturnCase, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=photo_path)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.file.name
