"""Outbound campaigns (外呼): a goal, a call list built from a filter, a questionnaire, the agents,
and every dial with its outcome.

A call target is one customer to reach in one campaign; each attempt is a ``Dial``. The
retry rules (maximum unanswered attempts, spacing) live on the campaign; a customer who
asks to be called back later is called back at the time they gave.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.core.models import DialOutcome

_USER = settings.AUTH_USER_MODEL


class Goal(models.TextChoices):
    CALLBACK = "callback", _("Callback")
    CARE = "care", _("Customer care")
    SURVEY = "survey", _("Satisfaction survey")
    MARKETING = "marketing", _("Marketing")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    ACTIVE = "active", _("Calling")
    CLOSED = "closed", pgettext_lazy("campaign", "Closed")


class TargetStatus(models.TextChoices):
    PENDING = "pending", _("To call")
    CALLING = "calling", _("On a call")
    RETRY = "retry", _("To call again")
    DONE = "done", _("Completed")
    FAILED = "failed", _("Not reachable")


# The outcome of one dial: the same codes as callback dials.
Outcome = DialOutcome

# A successful dial (接通) is one where the customer picked up and spoke with the agent.
SUCCESSFUL_OUTCOMES = frozenset({Outcome.REACHED, Outcome.REFUSED, Outcome.CALL_BACK_LATER})
# Outcomes that count against the campaign's maximum attempts: nobody was reached.
UNANSWERED_OUTCOMES = frozenset({Outcome.NO_ANSWER, Outcome.BUSY})


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=200)
    goal = models.CharField(_("goal"), max_length=12, choices=Goal.choices)
    script = models.TextField(_("call script"), blank=True)
    survey = models.ForeignKey(
        "surveys.Survey",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("survey (questionnaire)"),
    )
    agents: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        _USER, blank=True, related_name="outbound_campaigns", verbose_name=pgettext_lazy("outbound", "agents")
    )
    max_attempts = models.PositiveSmallIntegerField(_("maximum unanswered attempts"))
    retry_minutes = models.PositiveIntegerField(_("minutes between attempts"))
    status = models.CharField(
        _("status"), max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    # The filters the call list was built with, for the record.
    list_filters = models.JSONField(_("call list filters"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("campaign", "closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound campaign")
        verbose_name_plural = _("outbound campaigns")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(max_attempts__gte=1), name="campaign_at_least_one_attempt"),
            models.CheckConstraint(
                condition=~Q(goal="survey") | Q(survey__isnull=False), name="campaign_survey_goal_has_survey"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CallTarget(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="call_targets",
        verbose_name=_("customer"),
    )
    request = models.ForeignKey(
        "service.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="call_targets",
        verbose_name=_("about request"),
    )
    phone = models.CharField(_("phone"), max_length=32)
    status = models.CharField(
        _("status"), max_length=8, choices=TargetStatus.choices, default=TargetStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("dials"), default=0)
    unanswered = models.PositiveSmallIntegerField(_("unanswered dials"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("on the line with"),
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(_("last outcome"), max_length=16, choices=Outcome.choices, blank=True)
    added_at = models.DateTimeField(_("added at"))
    done_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("call target")
        verbose_name_plural = _("call targets")
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="calltarget_once_per_campaign")
        ]
        indexes = [models.Index(fields=["campaign", "status", "next_attempt_at"], name="calltarget_due_idx")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.customer}"


class Dial(models.Model):
    """One attempt to reach a call target, from the moment the agent dials to the outcome."""

    target = models.ForeignKey(CallTarget, on_delete=models.CASCADE, related_name="dials")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="dials")
    agent = models.ForeignKey(
        _USER,
        on_delete=models.PROTECT,
        related_name="outbound_dials",
        verbose_name=pgettext_lazy("outbound", "agent"),
    )
    started_at = models.DateTimeField(_("dialled at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    response = models.OneToOneField(
        "surveys.Response",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dial",
        verbose_name=_("survey answers"),
    )

    class Meta:
        verbose_name = _("dial")
        verbose_name_plural = _("dials")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["agent", "started_at"], name="dial_agent_day_idx")]
        constraints = [
            # An agent is on one call at a time.
            models.UniqueConstraint(
                fields=["agent"], condition=Q(ended_at__isnull=True), name="dial_one_open_per_agent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def successful(self) -> bool:
        return self.outcome in SUCCESSFUL_OUTCOMES


class DialRequest(models.Model):
    """A complaint or request registered from an outbound call."""

    dial = models.ForeignKey(Dial, on_delete=models.CASCADE, related_name="registered")
    request = models.OneToOneField(
        "service.ServiceRequest", on_delete=models.CASCADE, related_name="registered_from_dial"
    )

    class Meta:
        verbose_name = _("request registered from a call")
        verbose_name_plural = _("requests registered from calls")

    def __str__(self) -> str:
        return f"{self.dial_id} → {self.request_id}"
