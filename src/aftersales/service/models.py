"""ServiceRequest (服务单 / 工单): one customer need, of one type, with one number and one owner.

Its states and the moves between them live in ``workflow.py``; every move is a
row in the shared history (``core.HistoryEntry``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .workflow import Channel, Priority, RequestType, Status


def _display(field: str, choices: type[models.TextChoices]) -> Callable[[Any], str]:
    """``get_FOO_display()`` translating only the label shown: Django's builds the field's whole
    list of choices, translating every label, on each call (35 statuses for each row of a table)."""

    def display(obj: Any) -> str:
        value = getattr(obj, field)
        try:
            return str(choices(value).label)
        except ValueError:
            return value

    return display


class ServiceRequest(models.Model):
    number = models.CharField(_("number"), max_length=24, unique=True)
    type = models.CharField(_("type"), max_length=16, choices=RequestType.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.NEW)
    # Maintained by every transition; the partial unique constraint below rests on it.
    is_open = models.BooleanField(_("open"), default=True)

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="requests", verbose_name=_("customer")
    )
    unit = models.ForeignKey(
        "catalog.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name=_("unit"),
    )
    address = models.ForeignKey(
        "customers.Address",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("address"),
    )
    zone = models.ForeignKey(
        "customers.Zone",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("zone"),
    )
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    description = models.TextField(_("description"))
    answer = models.TextField(_("answer"), blank=True)

    received_at = models.DateTimeField(_("received at"), db_index=True)
    registered_at = models.DateTimeField(_("registered at"))
    updated_at = models.DateTimeField(_("updated at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_requests",
        verbose_name=_("owner"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_requests",
        verbose_name=_("technician"),
    )

    # The warranty decision at intake (status, charge, dates, reason code); shown in words
    # in the reader's language by ``warranty_reason``.
    warranty = models.JSONField(_("warranty decision"), default=dict, blank=True)
    repeat_contacts = models.PositiveIntegerField(_("repeat contacts"), default=0)
    first_contact_resolution = models.BooleanField(_("resolved on first contact"), default=False)
    reopen_count = models.PositiveIntegerField(_("times reopened"), default=0)

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "type"], name="sr_status_type_idx"),
            models.Index(fields=["owner", "is_open"], name="sr_owner_open_idx"),
            models.Index(fields=["is_open", "received_at"], name="sr_open_received_idx"),
            models.Index(fields=["assignee", "is_open"], name="sr_assignee_open_idx"),
        ]
        constraints = [
            # "The customer never has to call twice": one open request per customer, unit and type,
            # enforced by the database so two agents registering at once cannot create two.
            models.UniqueConstraint(
                fields=["type", "customer", "unit"],
                condition=Q(is_open=True) & Q(unit__isnull=False),
                name="sr_one_open_per_unit_and_type",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    get_type_display = _display("type", RequestType)
    get_channel_display = _display("channel", Channel)
    get_priority_display = _display("priority", Priority)
    get_status_display = _display("status", Status)

    @property
    def warranty_status(self) -> str:
        return str(self.warranty.get("status", ""))

    @property
    def warranty_reason(self) -> str:
        from aftersales.catalog.selectors import snapshot_reason

        return snapshot_reason(self.warranty)


class ClockCode(models.TextChoices):
    FIRST_CONTACT = "first_contact", _("First contact")
    ARRIVAL = "arrival", _("Arrival on site")
    RESOLUTION = "resolution", _("Resolution")
    COMPLAINT_REPLY = "complaint_reply", _("Complaint reply")
    COMPLAINT_PLAN = "complaint_plan", _("Complaint plan agreed")
    COMPLAINT_CLOSE = "complaint_close", _("Complaint closed")
    COMPLAINT_REPORT = "complaint_report", _("Complaint report to the general manager")
    COMPLAINT_FEEDBACK = "complaint_feedback", _("Complaint result fed back")
    SUGGESTION_DECIDED = "suggestion_decided", _("Suggestion decided")
    INVOICE_DUE = "invoice_due", _("Invoice issued")
    REFUND_DUE = "refund_due", _("Refund paid")
    RETURN_DEADLINE = "return_deadline", _("Return / exchange / repair performed")


class ClockBasis(models.TextChoices):
    BUSINESS = "business", _("Business time")
    CALENDAR = "calendar", _("Calendar time")


class ClockStart(models.TextChoices):
    RECEIVED = "received", _("When the request is received")
    ARRIVAL = "arrival", _("When the technician arrives")
    EXPLICIT = "explicit", _("When the step that needs it begins")


class SlaPolicy(models.Model):
    """One target (服务时限) and the requests it applies to; blank criteria match anything.

    For each clock the most specific matching row wins (the most criteria filled in),
    so "security-system contract: arrival 24 calendar hours" beats "urban: 4 business hours".
    """

    name = models.CharField(_("name"), max_length=100)
    clock = models.CharField(_("clock"), max_length=24, choices=ClockCode.choices)
    request_type = models.CharField(_("request type"), max_length=16, choices=RequestType.choices, blank=True)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, blank=True)
    zone_kind = models.CharField(_("zone kind"), max_length=16, blank=True)
    tier = models.CharField(_("customer tier"), max_length=16, blank=True)
    contract = models.CharField(_("service contract"), max_length=32, blank=True)
    target_minutes = models.PositiveIntegerField(_("target (minutes)"))
    basis = models.CharField(
        _("counted in"), max_length=8, choices=ClockBasis.choices, default=ClockBasis.BUSINESS
    )
    starts = models.CharField(
        _("starts"), max_length=8, choices=ClockStart.choices, default=ClockStart.RECEIVED
    )
    warn_ratio = models.DecimalField(
        _("warn owner at"), max_digits=4, decimal_places=2, default=Decimal("0.80")
    )
    breach_ratio = models.DecimalField(
        _("notify supervisor at"), max_digits=4, decimal_places=2, default=Decimal("1.00")
    )
    manager_ratio = models.DecimalField(
        _("notify manager at"), max_digits=4, decimal_places=2, default=Decimal("2.00")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["clock", "request_type", "zone_kind"]

    def __str__(self) -> str:
        return self.name

    def specificity(self) -> int:
        # A service contract's own target (e.g. security-system maintenance) beats every general
        # rule, whatever else those rules name.
        general = sum(bool(v) for v in (self.request_type, self.priority, self.zone_kind, self.tier))
        return general + (10 if self.contract else 0)


class SlaClock(models.Model):
    """One running target of one request: due time, pauses, met time, escalation level."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="clocks")
    code = models.CharField(_("clock"), max_length=24, choices=ClockCode.choices)
    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(max_length=8, choices=ClockBasis.choices)
    target = models.DurationField(_("target"))
    ratios = models.JSONField(default=list)  # escalation thresholds as shares of the target, ascending
    zone_kind = models.CharField(max_length=16, blank=True)  # the zone kind the policy was chosen by
    started_at = models.DateTimeField(_("started at"))
    running_since = models.DateTimeField(null=True, blank=True)
    consumed = models.DurationField(default=dt.timedelta(0))  # clock time of finished running segments
    paused_since = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("paused (seconds)"), default=0)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    margin = models.DurationField(_("margin"), null=True, blank=True)  # at meeting: + early, - late
    state = models.CharField(_("state"), max_length=8, default="running")
    escalation_level = models.PositiveSmallIntegerField(default=0)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [models.UniqueConstraint(fields=["request", "code"], name="slaclock_one_per_code")]
        indexes = [
            # The worker's index: its cost follows the clocks coming due, not the open requests.
            models.Index(
                fields=["next_check_at"], name="slaclock_due_idx", condition=Q(next_check_at__isnull=False)
            ),
            # Queues and breach lists: pending clocks by due time; reports: clocks met in a period.
            models.Index(fields=["due_at"], name="slaclock_pending_idx", condition=Q(met_at__isnull=True)),
            models.Index(fields=["met_at"], name="slaclock_met_idx", condition=Q(met_at__isnull=False)),
            # The dashboard's breach list: clocks met late in the last 30 days. Not a partial index
            # on the state: a prepared statement's generic plan cannot use one for state = %s.
            models.Index(fields=["state", "met_at"], name="slaclock_state_met_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.code}"

    get_code_display = _display("code", ClockCode)


class Escalation(models.Model):
    """An escalation that was raised: one row per clock and level, never two."""

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("level"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [models.UniqueConstraint(fields=["clock", "level"], name="escalation_once_per_level")]

    def __str__(self) -> str:
        return f"{self.clock} level {self.level}"


class Attachment(models.Model):
    """A file kept with a request: a photo of the fault, a scanned letter, an invoice."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class Rating(models.Model):
    """The customer's rating of a completed request (1–5) and comment."""

    request = models.OneToOneField(ServiceRequest, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.score}"
