"""Dispatch and field work (派工、上门服务).

Stations (own service department or authorized partner station) and their
technicians, who cover zones and hold certifications per skill and product
category; work orders (派工单) with their visits, customer contacts, fees and the
customer's consent, parts and labor, carry-back receipts, signature, payments and
invoices; the technician's daily report (技术员工作日报表).

Every change goes through ``services.py``; the work order's states are in ``workflow.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.service.workflow import RequestType

from .workflow import ConsentState, WorkOrderStatus

FIELD_REQUEST_TYPES = [
    (RequestType.DELIVERY.value, RequestType.DELIVERY.label),
    (RequestType.INSTALLATION.value, RequestType.INSTALLATION.label),
    (RequestType.REPAIR.value, RequestType.REPAIR.label),
    (RequestType.MAINTENANCE.value, RequestType.MAINTENANCE.label),
]

_USER = settings.AUTH_USER_MODEL


class StationKind(models.TextChoices):
    OWN = "own", _("Own service department")
    PARTNER = "partner", _("Authorized service station")


class Station(models.Model):
    """A service department of the company, or an authorized partner station (特约维修服务站).

    An own station is responsible for the zones it lists; sending one of its
    technicians to another zone, or a partner's technician anywhere, is an
    emergency dispatch that needs a manager's approval.
    """

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
    active = models.BooleanField(pgettext_lazy("technician", "active"), default=True)

    class Meta:
        verbose_name = _("technician")
        verbose_name_plural = _("technicians")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class Skill(models.Model):
    """A kind of field work a technician is trained for (e.g. air-conditioner repair); certified per category."""

    code = models.SlugField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("name"), max_length=64)
    request_type = models.CharField(_("work of type"), max_length=16, choices=FIELD_REQUEST_TYPES)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Certification(models.Model):
    """A technician's certificate (上岗证) for a skill on a product category, valid until its expiry date.

    No category means the certificate covers the skill on every category.
    """

    technician = models.ForeignKey(
        Technician, on_delete=models.CASCADE, related_name="certifications", verbose_name=_("technician")
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="certifications", verbose_name=_("skill")
    )
    category = models.ForeignKey(
        "catalog.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certifications",
        verbose_name=_("product category"),
    )
    certificate_number = models.CharField(_("certificate number"), max_length=64, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    granted_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    granted_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["technician", "skill", "-expires_on"]
        indexes = [models.Index(fields=["technician", "skill", "expires_on"], name="cert_tech_skill_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("issued_on")), name="cert_expiry_after_issue"
            )
        ]

    def __str__(self) -> str:
        return f"{self.technician} {self.skill} → {self.expires_on}"


class FeeItemKind(models.TextChoices):
    VISIT = "visit", _("Visit fee")
    LABOR = "labor", _("Labor")
    PART = "part", _("Part")
    TRANSPORT = "transport", _("Transport")
    OTHER = "other", _("Other")


class FeeScheduleItem(models.Model):
    """One line of the fee schedule (收费标准) shown to the customer before a paid repair.

    A part item may carry its cost price: damage from misuse or force majeure is
    charged parts at cost.
    """

    code = models.SlugField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=FeeItemKind.choices)
    category = models.ForeignKey(
        "catalog.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fee_items",
        verbose_name=_("product category"),
        help_text=_("Empty: the item applies to every category."),
    )
    unit = models.CharField(pgettext_lazy("unit of measure", "unit"), max_length=16, default="次")
    price = models.DecimalField(_("price (CNY)"), max_digits=10, decimal_places=2)
    cost_price = models.DecimalField(
        _("cost price (CNY)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("fee schedule item")
        verbose_name_plural = _("fee schedule")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="fee_item_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ¥{self.price}/{self.unit}"


class EmergencyApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the manager")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    USED = "used", _("Used")


class EmergencyApproval(models.Model):
    """A manager's approval to send a partner station or another department to a request (紧急调派)."""

    request = models.ForeignKey(
        "service.ServiceRequest", on_delete=models.PROTECT, related_name="emergency_approvals"
    )
    technician = models.ForeignKey(
        Technician, on_delete=models.PROTECT, related_name="emergency_approvals", verbose_name=_("technician")
    )
    dispatch_kind = models.CharField(_("dispatch kind"), max_length=24)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EmergencyApprovalStatus.choices,
        default=EmergencyApprovalStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("emergency dispatch approval")
        verbose_name_plural = _("emergency dispatch approvals")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.request} → {self.technician} ({self.get_status_display()})"


class FaultCause(models.TextChoices):
    NORMAL = "normal", _("Normal failure")
    MISUSE = "misuse", _("Improper use")
    FORCE_MAJEURE = "force_majeure", _("Force majeure")


class Charge(models.TextChoices):
    FREE = "free", _("Free of charge")
    PAID = "paid", _("Charged by the fee schedule")
    PARTS_AT_COST = "parts_at_cost", _("Parts at cost")


def signature_path(instance: WorkOrder, filename: str) -> str:
    return f"signatures/{instance.number}.png"


class WorkOrder(models.Model):
    """One assignment of field work to one technician (派工单), from assignment to finish."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    request = models.ForeignKey(
        "service.ServiceRequest",
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("service request"),
    )
    kind = models.CharField(_("kind of work"), max_length=16, choices=FIELD_REQUEST_TYPES)
    technician = models.ForeignKey(
        Technician, on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("technician")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=WorkOrderStatus.choices, default=WorkOrderStatus.ASSIGNED
    )
    # Maintained by every transition; the partial unique constraint below rests on it.
    is_active = models.BooleanField(pgettext_lazy("work order", "active"), default=True)
    dispatch_kind = models.CharField(_("dispatch kind"), max_length=24, default="regular")
    emergency_approval = models.OneToOneField(
        EmergencyApproval,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_order",
        verbose_name=_("emergency approval"),
    )
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    assigned_by = models.ForeignKey(
        _USER,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("work order", "assigned by"),
    )
    assigned_at = models.DateTimeField(pgettext_lazy("work order", "assigned at"))
    note = models.TextField(_("dispatch note"), blank=True)

    appointment_start = models.DateTimeField(_("appointment from"), null=True, blank=True)
    appointment_end = models.DateTimeField(_("appointment until"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)

    diagnosis = models.TextField(_("diagnosis"), blank=True)
    fault_cause = models.CharField(_("fault cause"), max_length=16, choices=FaultCause.choices, blank=True)
    charge = models.CharField(_("charge"), max_length=16, choices=Charge.choices, default=Charge.FREE)
    diagnosed_at = models.DateTimeField(_("diagnosed at"), null=True, blank=True)
    work_started_at = models.DateTimeField(_("work started at"), null=True, blank=True)

    resolution = models.TextField(_("work done"), blank=True)
    finished_at = models.DateTimeField(pgettext_lazy("work order", "finished at"), null=True, blank=True)
    finished_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("finished by"),
    )
    bill_later = models.BooleanField(_("invoice and collect later"), default=False)

    signature = models.FileField(_("customer signature"), upload_to=signature_path, blank=True)
    signer_name = models.CharField(_("signed by"), max_length=64, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signature_waived_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signature waived by"),
    )
    signature_waived_at = models.DateTimeField(_("signature waived at"), null=True, blank=True)
    signature_waiver_reason = models.TextField(_("waiver reason"), blank=True)

    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.TextField(_("end reason"), blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-assigned_at", "-id"]
        indexes = [
            models.Index(fields=["technician", "is_active"], name="wo_tech_active_idx"),
            models.Index(fields=["status"], name="wo_status_idx"),
        ]
        constraints = [
            # One technician at a time on a request: two dispatchers assigning at once cannot
            # both leave an active work order behind.
            models.UniqueConstraint(
                fields=["request"], condition=Q(is_active=True), name="wo_one_active_per_request"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def signature_missing(self) -> bool:
        """Finished without the customer's signature and not waived: the penalty applies."""
        return self.status == WorkOrderStatus.FINISHED and not self.signed_at and not self.signature_waived_at


class Visit(models.Model):
    """One appointment at the customer's (上门), from its confirmation by phone to the arrival."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="visits")
    window_start = models.DateTimeField(_("appointment from"))
    window_end = models.DateTimeField(_("appointment until"))
    confirmed_at = models.DateTimeField(_("confirmed at"))
    confirmed_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("confirmed by")
    )
    confirmed_items = models.JSONField(_("confirmed with the customer"), default=list)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    arrived_late = models.BooleanField(_("arrived after the window"), default=False)
    delay_announced = models.BooleanField(_("delay announced"), default=False)
    outcome = models.CharField(_("outcome"), max_length=24, blank=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["work_order", "id"]

    def __str__(self) -> str:
        return f"{self.work_order} {self.window_start:%Y-%m-%d %H:%M}"


class ContactKind(models.TextChoices):
    APPOINTMENT = "appointment", _("Appointment confirmed by phone")
    DELAY = "delay", _("Delay announced")
    ABSENT = "absent", _("Customer not at home")


class CustomerContact(models.Model):
    """A contact with the customer about a work order (phone confirmation, announced delay...)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="contacts")
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=16, choices=ContactKind.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    note = models.TextField(_("note"), blank=True)
    beforehand = models.BooleanField(_("announced before the appointment"), default=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("customer contact")
        verbose_name_plural = _("customer contacts")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.work_order} {self.get_kind_display()}"


class FeeLine(models.Model):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="fee_lines")
    item = models.ForeignKey(
        FeeScheduleItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("fee item")
    )
    description = models.CharField(_("description"), max_length=128)
    quantity = models.DecimalField(_("quantity"), max_digits=8, decimal_places=2)
    unit_price = models.DecimalField(_("unit price (CNY)"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    added_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("fee line")
        verbose_name_plural = _("fee lines")
        ordering = ["work_order", "id"]

    def __str__(self) -> str:
        return f"{self.description} ¥{self.amount}"


class FeeConsent(models.Model):
    """The fee quote shown to the customer and their answer (客户确认), for the total at that moment."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="consents")
    state = models.CharField(
        _("state"), max_length=16, choices=ConsentState.choices, default=ConsentState.PENDING
    )
    total = models.DecimalField(_("total (CNY)"), max_digits=12, decimal_places=2)
    lines = models.JSONField(_("fee items shown"), default=list)
    requested_at = models.DateTimeField(_("shown at"))
    requested_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("shown by")
    )
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    customer_name = models.CharField(_("customer's name"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("fee consent")
        verbose_name_plural = _("fee consents")
        ordering = ["work_order", "id"]

    def __str__(self) -> str:
        return f"{self.work_order} ¥{self.total} {self.get_state_display()}"


class PartLine(models.Model):
    """A part used on the job; the stock movement itself belongs to the parts module."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="part_lines")
    part_number = models.CharField(_("part number"), max_length=64)
    name = models.CharField(_("name"), max_length=128)
    quantity = models.PositiveIntegerField(_("quantity"))
    old_serial = models.CharField(_("serial of the replaced part"), max_length=64, blank=True)
    new_serial = models.CharField(_("serial of the new part"), max_length=64, blank=True)
    added_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")
        ordering = ["work_order", "id"]

    def __str__(self) -> str:
        return f"{self.part_number} × {self.quantity}"


class LaborEntry(models.Model):
    """Time worked on a job (工时): the daily report sums these per day."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="labor")
    technician = models.ForeignKey(
        Technician, on_delete=models.PROTECT, related_name="labor", verbose_name=_("technician")
    )
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"))
    minutes = models.PositiveIntegerField(_("minutes"))
    description = models.CharField(_("work done"), max_length=200)
    added_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    added_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("labor")
        verbose_name_plural = _("labor")
        ordering = ["work_order", "started_at"]
        indexes = [models.Index(fields=["technician", "started_at"], name="labor_tech_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gt=models.F("started_at")), name="labor_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.work_order} {self.minutes} min"


class CarryBack(models.Model):
    """A unit carried back for repair (带回维修): the customer's receipt, an optional loaner, the return."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="carry_backs")
    receipt_number = models.CharField(_("receipt number"), max_length=32, unique=True)
    taken_at = models.DateTimeField(_("taken at"))
    taken_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("taken by")
    )
    unit_condition = models.TextField(_("condition of the unit"), blank=True)
    accessories = models.CharField(_("accessories taken"), max_length=200, blank=True)
    loaner_serial = models.CharField(_("loaner serial number"), max_length=64, blank=True)
    loaner_model = models.CharField(_("loaner model"), max_length=128, blank=True)
    loaner_returned_at = models.DateTimeField(_("loaner returned at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("unit returned at"), null=True, blank=True)
    returned_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("returned by"),
    )
    receipt_taken_back = models.BooleanField(_("receipt taken back"), default=False)

    class Meta:
        verbose_name = _("carry-back receipt")
        verbose_name_plural = _("carry-back receipts")
        ordering = ["-taken_at", "-id"]
        constraints = [
            # A loaner serial is out with one customer at a time.
            models.UniqueConstraint(
                fields=["loaner_serial"],
                condition=Q(loaner_returned_at__isnull=True) & ~Q(loaner_serial=""),
                name="carryback_loaner_out_once",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_number


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    CARD = "card", _("Bank card")


class Payment(models.Model):
    """Money collected on site, traceable to its work order."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    reference = models.CharField(_("transaction reference"), max_length=64, blank=True)
    collected_at = models.DateTimeField(_("collected at"))
    collected_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("collected by")
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["work_order", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.work_order} ¥{self.amount}"


class Invoice(models.Model):
    work_order = models.OneToOneField(WorkOrder, on_delete=models.PROTECT, related_name="invoice")
    number = models.CharField(_("invoice number"), max_length=64, unique=True)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.number


class DailyReport(models.Model):
    """A technician's daily report (技术员工作日报表), built from the day's work orders."""

    technician = models.ForeignKey(
        Technician, on_delete=models.PROTECT, related_name="daily_reports", verbose_name=_("technician")
    )
    day = models.DateField(_("day"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    deadline = models.DateTimeField(_("due by"))
    # Fed to the report-timeliness indicator (报表上交及时率) of the evaluation.
    late = models.BooleanField(_("submitted late"), default=False)
    job_count = models.PositiveIntegerField(_("jobs"), default=0)
    total_minutes = models.PositiveIntegerField(_("minutes worked"), default=0)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        ordering = ["-day", "technician"]
        constraints = [
            models.UniqueConstraint(fields=["technician", "day"], name="daily_report_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.technician} {self.day}"


class DailyReportLine(models.Model):
    report = models.ForeignKey(DailyReport, on_delete=models.CASCADE, related_name="lines")
    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.PROTECT, related_name="+", verbose_name=_("work order")
    )
    request_number = models.CharField(_("request"), max_length=24)
    kind = models.CharField(_("kind of work"), max_length=16, choices=FIELD_REQUEST_TYPES)
    category = models.CharField(_("product category"), max_length=64, blank=True)
    status = models.CharField(
        _("status at the end of the day"), max_length=16, choices=WorkOrderStatus.choices
    )
    minutes = models.PositiveIntegerField(_("minutes"), default=0)

    class Meta:
        verbose_name = _("daily report line")
        verbose_name_plural = _("daily report lines")
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return f"{self.report} {self.request_number}"
