"""Callbacks (回访): a follow-up call to the customer after a job or on a schedule.

A callback is about a service request (an installation, repair or complaint that was
resolved) or, for an installed project's scheduled callbacks, about the unit. Each
dial is a ``CallbackAttempt`` row; the retry rules (max attempts, spacing) decide
when the next dial may be made and when the callback is given up. A question the
agent cannot answer on the call becomes a ``CallbackPromise`` with an agreed time,
which the worker escalates when it passes unanswered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.core.models import DialOutcome


class CallbackKind(models.TextChoices):
    AFTER_JOB = "after_job", _("After the job")
    SCHEDULED = "scheduled", pgettext_lazy("callback kind", "Scheduled")


class CallbackStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("callback status", "To do")
    DONE = "done", pgettext_lazy("callback status", "Done")
    UNREACHED = "unreached", pgettext_lazy("callback status", "Not reached")
    DECLINED = "declined", pgettext_lazy("callback status", "Declined by the customer")
    WITHDRAWN = "withdrawn", pgettext_lazy("callback status", "Withdrawn")


# A callback "processed" for the processing rate: a result recorded, or closed by the retry
# rules (not reached after the attempts allowed) or by the customer's refusal. A withdrawn
# callback (its request moved on without it) was never due.
PROCESSED_STATUSES = frozenset({CallbackStatus.DONE, CallbackStatus.UNREACHED, CallbackStatus.DECLINED})


class CallbackResult(models.TextChoices):
    """What the customer's answer does, in one step with recording it."""

    CLOSE = "close", pgettext_lazy("callback result", "Satisfied: close the request")
    REOPEN = "reopen", pgettext_lazy("callback result", "Not satisfied: reopen the request (rework)")
    COMPLAINT = "complaint", pgettext_lazy("callback result", "Raise a complaint")
    NEW_REQUEST = "new_request", pgettext_lazy("callback result", "Register a new request")
    NONE = "none", pgettext_lazy("callback result", "Leave the request as it is")


# The outcome of one dial: the same codes as outbound campaign dials.
AttemptOutcome = DialOutcome

# Dials that did not get through: they count against the max attempts and wait the spacing.
UNANSWERED_OUTCOMES = frozenset({AttemptOutcome.NO_ANSWER, AttemptOutcome.BUSY})


class CallbackSchedule(models.Model):
    """The scheduled callbacks of one installed project (monthly, then quarterly, after commissioning).

    ``next_due_on`` is only where the worker looks next; which day is due is always
    worked out again from the unit's commissioning date, so a corrected date applies.
    """

    unit = models.OneToOneField(
        "catalog.Unit", on_delete=models.PROTECT, related_name="callback_schedule", verbose_name=_("unit")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agent"),
    )
    active = models.BooleanField(_("active"), default=True)
    next_due_on = models.DateField(_("next callback on"), null=True, blank=True, db_index=True)
    last_scheduled_for = models.DateField(_("last callback for"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("callback schedule")
        verbose_name_plural = _("callback schedules")
        ordering = ["next_due_on", "id"]

    def __str__(self) -> str:
        return str(self.unit)


class Callback(models.Model):
    request = models.ForeignKey(
        "service.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks",
        verbose_name=_("request"),
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="callbacks", verbose_name=_("customer")
    )
    unit = models.ForeignKey(
        "catalog.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks",
        verbose_name=_("unit"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CallbackKind.choices)
    schedule = models.ForeignKey(
        CallbackSchedule,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks",
        verbose_name=_("schedule"),
    )
    scheduled_for = models.DateField(_("scheduled for"), null=True, blank=True)
    reason = models.CharField(pgettext_lazy("callback", "reason"), max_length=200, blank=True)
    # Whose work is followed up (the installer's callbacks count in their evaluation).
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followed_up_callbacks",
        verbose_name=_("staff followed up"),
    )
    # The agent whose list the callback is on.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_callbacks",
        verbose_name=_("agent"),
    )
    due_at = models.DateTimeField(_("due at"), db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CallbackStatus.choices, default=CallbackStatus.OPEN
    )
    # Retry state, kept by the attempt service: the next dial is not before ``next_attempt_at``.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    attempt_count = models.PositiveSmallIntegerField(pgettext_lazy("callback", "attempts"), default=0)
    unanswered_count = models.PositiveSmallIntegerField(_("unanswered attempts"), default=0)
    last_outcome = models.CharField(
        _("last outcome"), max_length=16, choices=AttemptOutcome.choices, blank=True
    )
    outcome = models.TextField(_("what the customer said"), blank=True)
    result = models.CharField(
        pgettext_lazy("callback", "result"), max_length=16, choices=CallbackResult.choices, blank=True
    )
    raised_request = models.ForeignKey(
        "service.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="raised_by_callbacks",
        verbose_name=_("request raised"),
    )
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    done_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("processed by"),
    )

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["agent", "status", "due_at"], name="callback_agent_list_idx")]
        constraints = [
            # Resolving the same job twice (e.g. after a reopen) must not give the customer two calls.
            models.UniqueConstraint(
                fields=["request", "kind"], condition=Q(status="open"), name="callback_one_open_per_kind"
            ),
            # Two workers reaching the same occurrence create one callback.
            models.UniqueConstraint(
                fields=["schedule", "scheduled_for"],
                condition=Q(schedule__isnull=False),
                name="callback_one_per_occurrence",
            ),
            models.UniqueConstraint(
                fields=["schedule"],
                condition=Q(status="open") & Q(schedule__isnull=False),
                name="callback_one_open_per_schedule",
            ),
            models.CheckConstraint(
                condition=Q(request__isnull=False) | Q(unit__isnull=False), name="callback_about_something"
            ),
        ]

    def __str__(self) -> str:
        about = self.request or self.unit
        return f"{about} {self.get_kind_display()} {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == CallbackStatus.OPEN


class CallbackAttempt(models.Model):
    """One dial of a callback: who called which number when, and what came of it."""

    callback = models.ForeignKey(
        Callback, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("callback")
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=AttemptOutcome.choices)
    phone = models.CharField(_("phone dialled"), max_length=32, blank=True)
    note = models.TextField(_("note"), blank=True)
    call_back_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    at = models.DateTimeField(_("at"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("agent")
    )

    class Meta:
        verbose_name = _("callback attempt")
        verbose_name_plural = _("callback attempts")
        ordering = ["callback", "number"]
        constraints = [
            # Two agents recording at once cannot both be attempt n.
            models.UniqueConstraint(fields=["callback", "number"], name="callback_attempt_number"),
        ]

    def __str__(self) -> str:
        return f"{self.callback_id}#{self.number} {self.get_outcome_display()}"


class PromiseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("promise status", "Awaiting the answer")
    ANSWERED = "answered", pgettext_lazy("promise status", "Answered")


class CallbackPromise(models.Model):
    """A question the agent could not answer on the call, with the time agreed for the answer."""

    callback = models.ForeignKey(
        Callback, on_delete=models.PROTECT, related_name="promises", verbose_name=_("callback")
    )
    question = models.TextField(_("question"))
    due_at = models.DateTimeField(_("answer due at"), db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible for the answer"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PromiseStatus.choices, default=PromiseStatus.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answered by"),
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        verbose_name = _("promised answer")
        verbose_name_plural = _("promised answers")
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return self.question[:40]

    @property
    def answered_on_time(self) -> bool | None:
        if self.answered_at is None:
            return None
        return self.answered_at <= self.due_at
