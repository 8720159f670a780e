"""Customer suggestions (客户提案): the details a suggestion carries beyond its ServiceRequest.

The request (type ``suggestion``) holds the number, customer, channel, description, owner,
state and history; ``Suggestion`` adds the subject, the department it was sent to, the
decision, the contacts that told the customer, and the review committee's grade and reward.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

_USER = settings.AUTH_USER_MODEL
# The committee scores each criterion from 1 to this many points.
SCORE_MAX = 5


class Subject(models.TextChoices):
    SHOPPING_ENVIRONMENT = "shopping_environment", _("Shopping environment")
    PRODUCT_QUALITY = "product_quality", _("Product quality")
    DESIGN = "design", _("Product and package design")
    NEW_TECHNOLOGY = "new_technology", _("New technology")
    NEW_MATERIALS = "new_materials", _("New materials and parts")
    LOGISTICS = "logistics", _("Logistics and sales channels")
    AFTER_SALES = "after_sales", _("After-sales service")
    OTHER = "other", _("Other")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")
    VISIT = "visit", _("In person")
    PORTAL = "portal", _("Customer portal")


class Department(models.Model):
    """A department of the company that decides on suggestions (研发部, 物流部, 售后服务部...)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    head = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("head"),
        help_text=_("Notified when a suggestion is sent to the department."),
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RewardGrade(models.Model):
    """A grade the review committee gives an adopted suggestion, by its total score, and its reward."""

    code = models.SlugField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=32)
    min_score = models.PositiveSmallIntegerField(_("from total score"))
    reward = models.DecimalField(_("reward (CNY)"), max_digits=10, decimal_places=2)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("reward grade")
        verbose_name_plural = _("reward grades")
        ordering = ["-min_score"]

    def __str__(self) -> str:
        return f"{self.name} (≥{self.min_score}, ¥{self.reward})"


def _score_field(label: Any) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(SCORE_MAX)]
    )


class Suggestion(models.Model):
    request = models.OneToOneField(
        "service.ServiceRequest",
        on_delete=models.PROTECT,
        related_name="suggestion",
        verbose_name=_("request"),
    )
    subject = models.CharField(pgettext_lazy("suggestion", "subject"), max_length=24, choices=Subject.choices)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suggestions",
        verbose_name=_("department"),
    )
    forwarded_at = models.DateTimeField(_("sent to department at"), null=True, blank=True)
    forwarded_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    # The decision: adopted (implementation date, measures), rejected (thanks), held (reason, until).
    implementation_date = models.DateField(_("implementation date"), null=True, blank=True)
    measures = models.TextField(_("measures"), blank=True)
    thanks = models.TextField(_("thanks to the customer"), blank=True)
    hold_reason = models.TextField(_("reason for holding"), blank=True)
    held_until = models.DateField(_("held until"), null=True, blank=True)
    decided_at = models.DateTimeField(pgettext_lazy("suggestion", "decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("suggestion", "decided by"),
    )
    # The state the customer was last told about; closing needs it to be the current one.
    told_status = models.CharField(_("customer told of"), max_length=24, blank=True)
    told_at = models.DateTimeField(_("customer told at"), null=True, blank=True)
    # The review committee (评审委员会) on adopted suggestions.
    creativity = _score_field(_("creativity"))
    feasibility = _score_field(_("feasibility"))
    benefit = _score_field(_("benefit"))
    score = models.PositiveSmallIntegerField(_("total score"), null=True, blank=True)
    grade = models.ForeignKey(
        RewardGrade,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("grade"),
    )
    reward = models.DecimalField(_("reward (CNY)"), max_digits=10, decimal_places=2, null=True, blank=True)
    committee_note = models.TextField(_("committee note"), blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    graded_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("graded by")
    )

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reward__isnull=True) | Q(reward__gte=Decimal("0")),
                name="suggestion_reward_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request.number} {self.get_subject_display()}"


class SuggestionContact(models.Model):
    """The customer was told where their suggestion stands (a decision, or that it is held)."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="contacts")
    status = models.CharField(_("told of"), max_length=24)
    channel = models.CharField(_("contact channel"), max_length=16, choices=ContactChannel.choices)
    note = models.TextField(_("what the customer was told"))
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))

    class Meta:
        verbose_name = _("customer contact")
        verbose_name_plural = _("customer contacts")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.suggestion} {self.status} {self.at:%Y-%m-%d}"

    @property
    def status_label(self) -> str:
        from aftersales.service.workflow import Status

        return str(Status(self.status).label) if self.status in Status.values else self.status


class Certificate(models.Model):
    """The yearly certificate of thanks (感谢状) for a customer who made enough suggestions."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="suggestion_certificates",
        verbose_name=_("customer"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    suggestion_count = models.PositiveSmallIntegerField(_("suggestions in the year"))
    adopted_count = models.PositiveSmallIntegerField(_("adopted"), default=0)
    issued_at = models.DateTimeField(_("certificate issued at"))
    issued_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("certificate issued by")
    )

    class Meta:
        verbose_name = _("certificate of thanks")
        verbose_name_plural = _("certificates of thanks")
        ordering = ["-year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "year"], name="certificate_one_per_customer_year")
        ]

    def __str__(self) -> str:
        return self.number
