"""ServiceRequest (服务单 / 工单): one customer need, of one type, with one number and one owner.

Its states and the moves between them live in ``workflow.py``; every move is a
row in the shared history (``core.HistoryEntry``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .workflow import Channel, Priority, RequestType, Status


class ServiceRequest(models.Model):
    number = models.CharField(_("number"), max_length=24, unique=True)
    type = models.CharField(_("type"), max_length=16, choices=RequestType.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
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

    @property
    def warranty_status(self) -> str:
        return str(self.warranty.get("status", ""))

    @property
    def warranty_reason(self) -> str:
        from aftersales.catalog.selectors import snapshot_reason

        return snapshot_reason(self.warranty)
