"""The 三包 catalog and the no-reason goods classes as editable reference data.

The rows start as the shipped ``data/sanbao_catalog.json`` (loaded by a data
migration); ``selectors.load_policy_catalog`` turns them into the engine's
``Catalog``.  The statutory goods classes keep the rule the law gives them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .policy.catalog import STATUTORY_GOODS_CLASSES
from .policy.types import NoReasonRule, PartKind

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
