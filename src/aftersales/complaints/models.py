"""Customer complaints (客户投诉): what a complaint carries beyond its ServiceRequest.

The request (type ``complaint``) holds the number, customer, channel, description
(what happened), owner, state, SLA clocks and history. ``Complaint`` is the
complaint register (申诉和投诉处理登记表) plus the decisions of the closed loop:
validity, the responsible department and person, the date promised to the
customer, the report to the general manager, the summary and lessons.

Each handling round (处理轮次) — investigation, resolution plan with its two
approvals, implementation, notice to the customer and the follow-up call — is a
``ComplaintRound``; an unsatisfied follow-up opens the next round, so every
earlier round stays as it was. A major fault (重大故障) gets a ``FaultReport``.

Departments are the company's departments kept by the suggestions app
(``suggestions.Department``, with its head); ``DepartmentMember`` says which
department a staff member works in and who supervises them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.core.clock import local_date

_USER = settings.AUTH_USER_MODEL


class Source(models.TextChoices):
    PHONE = "phone", pgettext_lazy("complaint", "Phone")
    LETTER = "letter", pgettext_lazy("complaint", "Letter")
    EMAIL = "email", pgettext_lazy("complaint", "E-mail")
    VISIT = "visit", pgettext_lazy("complaint", "Visit")
    WEB = "web", pgettext_lazy("complaint", "Customer portal")
    MEDIA = "media", pgettext_lazy("complaint", "Media")
    STAFF = "staff", pgettext_lazy("complaint", "Reported by staff")


class Category(models.TextChoices):
    PRODUCT_QUALITY = "product_quality", pgettext_lazy("complaint", "Product quality")
    SERVICE_ATTITUDE = "service_attitude", pgettext_lazy("complaint", "Service attitude")
    STAFF_DERELICTION = "staff_dereliction", pgettext_lazy("complaint", "Staff dereliction of duty")
    TIMELINESS = "timeliness", pgettext_lazy("complaint", "Timeliness")
    FEES = "fees", pgettext_lazy("complaint", "Fees")
    MISUNDERSTANDING = "misunderstanding", pgettext_lazy("complaint", "Misunderstanding")
    OTHER = "other", pgettext_lazy("complaint", "Other")


class Severity(models.TextChoices):
    NORMAL = "normal", pgettext_lazy("complaint", "Normal")
    SERIOUS = "serious", pgettext_lazy("complaint", "Serious")
    CRITICAL = "critical", pgettext_lazy("complaint", "Critical")


class NoticeChannel(models.TextChoices):
    """How the customer was told (the result of the handling, a fault analysis report)."""

    PHONE = "phone", pgettext_lazy("complaint", "Phone")
    SMS = "sms", pgettext_lazy("complaint", "Text message")
    EMAIL = "email", pgettext_lazy("complaint", "E-mail")
    LETTER = "letter", pgettext_lazy("complaint", "Letter")
    VISIT = "visit", pgettext_lazy("complaint", "In person")
    PORTAL = "portal", pgettext_lazy("complaint", "Customer portal")


class Validity(models.TextChoices):
    VALID = "valid", pgettext_lazy("complaint", "Valid")
    INVALID = "invalid", pgettext_lazy("complaint", "Invalid")


class DepartmentMember(models.Model):
    """The department a staff member works in and their supervisor (empty: the department head).

    A complaint found to be a staff member's fault notifies this supervisor.
    """

    user = models.OneToOneField(
        _USER, on_delete=models.CASCADE, related_name="complaint_department", verbose_name=_("staff member")
    )
    department = models.ForeignKey(
        "suggestions.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    supervisor = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("supervisor"),
        help_text=_("Empty: the head of the department."),
    )

    class Meta:
        verbose_name = _("department member")
        verbose_name_plural = _("department members")

    def __str__(self) -> str:
        return f"{self.user} · {self.department}"


class Complaint(models.Model):
    request = models.OneToOneField(
        "service.ServiceRequest",
        on_delete=models.PROTECT,
        related_name="complaint",
        verbose_name=_("request"),
    )

    # -- the register (申诉和投诉处理登记表) ------------------------------------------------------
    source = models.CharField(pgettext_lazy("complaint", "source"), max_length=16, choices=Source.choices)
    complainant_name = models.CharField(_("complainant"), max_length=64)
    complainant_phone = models.CharField(_("complainant's phone"), max_length=32, blank=True)
    about = models.CharField(
        _("complaint about"), max_length=200, help_text=_("Whom or what, in the customer's words.")
    )
    about_staff = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member complained about"),
    )
    desired_outcome = models.TextField(_("what the customer wants"))
    category = models.CharField(
        pgettext_lazy("complaint", "category"), max_length=24, choices=Category.choices
    )
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.NORMAL
    )
    major_fault = models.BooleanField(
        _("major fault"), default=False, help_text=_("A major fault needs a fault analysis report.")
    )

    # -- first reply to the customer ----------------------------------------------------------
    replied_at = models.DateTimeField(_("first replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("replied by")
    )
    reply = models.TextField(_("reply"), blank=True)

    # -- validity (成立 / 不成立) -----------------------------------------------------------------
    validity = models.CharField(_("validity"), max_length=8, choices=Validity.choices, blank=True)
    validity_note = models.TextField(_("explanation"), blank=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    validated_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("validated by"),
    )

    # -- responsibility -------------------------------------------------------------------------
    department = models.ForeignKey(
        "suggestions.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible department"),
    )
    other_departments = models.ManyToManyField(
        "suggestions.Department", blank=True, related_name="+", verbose_name=_("other departments involved")
    )
    responsible_person = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_complaints",
        verbose_name=_("responsible person"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    # A complaint spanning departments that cannot be settled the same day: the date the
    # customer was promised, and the day they were told.
    promised_date = models.DateField(_("settlement date promised"), null=True, blank=True)
    promised_on = models.DateField(_("customer told on"), null=True, blank=True)

    # -- the handling rounds ----------------------------------------------------------------------
    round = models.PositiveSmallIntegerField(_("round"), default=1)

    # -- report to the general manager -------------------------------------------------------------
    report = models.TextField(_("report to the general manager"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )

    # -- summary (总结) ------------------------------------------------------------------------------
    summary = models.TextField(_("summary"), blank=True)
    lessons = models.TextField(_("lessons and countermeasures"), blank=True)
    corrective_action_ref = models.CharField(
        _("corrective action"),
        max_length=64,
        blank=True,
        help_text=_("The number of the corrective / preventive action this complaint led to."),
    )
    summarized_at = models.DateTimeField(_("summarized at"), null=True, blank=True)
    summarized_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("summarized by"),
    )

    # -- retention ----------------------------------------------------------------------------------
    important = models.BooleanField(
        _("important"), default=False, help_text=_("An important complaint is kept for good.")
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["category"], name="complaint_category_idx"),
            models.Index(fields=["department"], name="complaint_department_idx"),
        ]

    def __str__(self) -> str:
        return self.request.number if self.request_id else "-"

    def retained_until(self, years: int) -> dt.date | None:
        """The last day the record must be kept; None while open or when kept for good."""
        closed_at = self.request.closed_at
        if self.important or closed_at is None:
            return None
        closed = local_date(closed_at)
        try:
            return closed.replace(year=closed.year + years)
        except ValueError:  # 29 February: a full year later is 1 March
            return closed.replace(year=closed.year + years, month=3, day=1)


class ComplaintRound(models.Model):
    """One pass through investigation -> plan -> implementation -> notice -> follow-up call."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("complaint")
    )
    number = models.PositiveSmallIntegerField(_("round"))
    started_at = models.DateTimeField(_("started at"))

    # Investigation (调查): the cause and the person whose fault it is, for their evaluation.
    cause = models.TextField(pgettext_lazy("complaint", "cause"), blank=True)
    person_at_fault = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaint_faults",
        verbose_name=_("person at fault"),
    )
    investigated_at = models.DateTimeField(_("investigated at"), null=True, blank=True)
    investigated_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("investigated by"),
    )

    # Implementation (实施) of the approved plan.
    implementation_started_at = models.DateTimeField(_("implementation started at"), null=True, blank=True)
    implementation = models.TextField(_("what was done"), blank=True)
    implemented_at = models.DateTimeField(_("implementation completed at"), null=True, blank=True)
    implemented_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("implemented by"),
    )

    # The result sent to the customer (结果告知客户).
    customer_notice = models.TextField(_("result told to the customer"), blank=True)
    notice_channel = models.CharField(
        _("told through"), max_length=16, choices=NoticeChannel.choices, blank=True
    )
    customer_notified_at = models.DateTimeField(_("customer notified at"), null=True, blank=True)
    customer_notified_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("notified by"),
    )

    # The follow-up call (回访) that judges the round.
    satisfied = models.BooleanField(_("customer satisfied"), null=True, blank=True)
    follow_up_note = models.TextField(_("follow-up note"), blank=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    followed_up_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("followed up by"),
    )

    class Meta:
        verbose_name = _("handling round")
        verbose_name_plural = _("handling rounds")
        ordering = ["complaint", "number"]
        constraints = [models.UniqueConstraint(fields=["complaint", "number"], name="complaint_round_once")]

    def __str__(self) -> str:
        return f"{self.complaint} #{self.number}"


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("complaint", "Proposed")
    CHECKED = "checked", pgettext_lazy("complaint", "Approved by the quality lead")
    APPROVED = "approved", pgettext_lazy("complaint", "Approved by the manager")
    REJECTED = "rejected", pgettext_lazy("complaint", "Rejected")


class ResolutionPlan(models.Model):
    """A resolution plan (处理方案) of one round; a rejected plan stays, the next one is a new row."""

    round = models.ForeignKey(
        ComplaintRound, on_delete=models.CASCADE, related_name="plans", verbose_name=_("round")
    )
    version = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("plan"))
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.PROPOSED
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    proposed_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rejected by"),
    )
    rejection_reason = models.TextField(_("reason for rejecting"), blank=True)

    class Meta:
        verbose_name = _("resolution plan")
        verbose_name_plural = _("resolution plans")
        ordering = ["round", "version"]
        constraints = [models.UniqueConstraint(fields=["round", "version"], name="plan_version_once")]

    def __str__(self) -> str:
        return f"{self.round} v{self.version}"


class ApprovalStep(models.TextChoices):
    QUALITY = "quality", pgettext_lazy("complaint", "Quality lead")
    MANAGER = "manager", pgettext_lazy("complaint", "Manager")


class PlanApproval(models.Model):
    """One of the plan's two sign-offs: the quality lead's, then the manager's (never a third)."""

    plan = models.ForeignKey(
        ResolutionPlan, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("plan")
    )
    step = models.CharField(_("step"), max_length=8, choices=ApprovalStep.choices)
    approved_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    approved_at = models.DateTimeField(_("approved at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("plan approval")
        verbose_name_plural = _("plan approvals")
        ordering = ["plan", "approved_at", "id"]
        constraints = [
            # One sign-off per step: with two steps, a plan has at most two approvals.
            models.UniqueConstraint(fields=["plan", "step"], name="plan_approval_once_per_step"),
            models.CheckConstraint(
                condition=Q(step__in=[ApprovalStep.QUALITY, ApprovalStep.MANAGER]),
                name="plan_approval_known_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.step}"


class FaultReport(models.Model):
    """The fault analysis report (故障分析报告) of a major fault, sent to the customer and to sales."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, related_name="fault_report", verbose_name=_("complaint")
    )
    impact = models.TextField(_("impact"))
    handling = models.TextField(_("handling"))
    cause = models.TextField(pgettext_lazy("complaint", "cause"))
    corrective_measures = models.TextField(_("corrective measures"))
    preventive_measures = models.TextField(_("preventive measures"))
    written_at = models.DateTimeField(_("written at"))
    written_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    customer_channel = models.CharField(
        _("sent to the customer through"), max_length=16, choices=NoticeChannel.choices
    )
    sent_to_customer_at = models.DateTimeField(_("sent to the customer at"))
    sent_to_sales_at = models.DateTimeField(_("sent to sales at"), null=True, blank=True)

    class Meta:
        verbose_name = _("fault analysis report")
        verbose_name_plural = _("fault analysis reports")

    def __str__(self) -> str:
        return str(self.complaint)

    def as_dict(self) -> dict[str, Any]:
        return {
            "impact": self.impact,
            "handling": self.handling,
            "cause": self.cause,
            "corrective_measures": self.corrective_measures,
            "preventive_measures": self.preventive_measures,
        }
