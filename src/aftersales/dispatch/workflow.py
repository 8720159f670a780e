"""The work order's state machine (派工单): one table of actions per state, with who may ask and the guards.

A work order is one assignment of field work to one technician. Its actions move
the service request along its own workflow too (``aftersales.service.workflow``):
confirming the appointment schedules the request, check-in starts the work, the
finish resolves it. Actions that only add data (a fee line, a part, labor) stay in
the same state but are listed here as well, so this table is the one place that
says what may happen to a work order in each state.

The guards are pure functions of ``Facts``, a snapshot the services take of the
work order, its fees, consent and signature before they act.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WorkOrderStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    SCHEDULED = "scheduled", _("Appointment confirmed")
    CUSTOMER_ABSENT = "customer_absent", _("Customer not at home")
    ON_SITE = "on_site", _("On site")
    WORKING = "working", _("Work in progress")
    WAITING_PARTS = "waiting_parts", _("Waiting for parts")
    CARRIED_BACK = "carried_back", _("Carried back for repair")
    FINISHED = "finished", pgettext_lazy("work order", "Finished")
    DEAD_ON_ARRIVAL = "dead_on_arrival", _("Dead on arrival, taken back")
    REASSIGNED = "reassigned", _("Reassigned")
    CANCELLED = "cancelled", _("Cancelled")


S = WorkOrderStatus

# A technician's open work: these count in the workload and hold the request's one active order.
ACTIVE_STATES = frozenset(
    {S.ASSIGNED, S.SCHEDULED, S.CUSTOMER_ABSENT, S.ON_SITE, S.WORKING, S.WAITING_PARTS, S.CARRIED_BACK}
)

_CANCEL = {"cancel": S.CANCELLED}

TRANSITIONS: dict[str, dict[str, str]] = {
    # from state: {action: to state}
    S.ASSIGNED: {"confirm_appointment": S.SCHEDULED, "reassign": S.REASSIGNED, **_CANCEL},
    S.SCHEDULED: {
        # Confirming again is a new appointment agreed with the customer.
        "confirm_appointment": S.SCHEDULED,
        "announce_delay": S.SCHEDULED,
        "customer_absent": S.CUSTOMER_ABSENT,
        "check_in": S.ON_SITE,
        "reassign": S.REASSIGNED,
        **_CANCEL,
    },
    S.CUSTOMER_ABSENT: {"confirm_appointment": S.SCHEDULED, "reassign": S.REASSIGNED, **_CANCEL},
    S.ON_SITE: {
        "diagnose": S.ON_SITE,
        "add_fee": S.ON_SITE,
        "remove_fee": S.ON_SITE,
        "request_consent": S.ON_SITE,
        "record_consent": S.ON_SITE,
        "begin_work": S.WORKING,
        "dead_on_arrival": S.DEAD_ON_ARRIVAL,
        **_CANCEL,
    },
    S.WORKING: {
        "diagnose": S.WORKING,
        "add_fee": S.WORKING,
        "remove_fee": S.WORKING,
        "request_consent": S.WORKING,
        "record_consent": S.WORKING,
        "add_part": S.WORKING,
        "add_labor": S.WORKING,
        "wait_parts": S.WAITING_PARTS,
        "carry_back": S.CARRIED_BACK,
        "sign": S.WORKING,
        "collect_fees": S.WORKING,
        "issue_invoice": S.WORKING,
        "finish": S.FINISHED,
        **_CANCEL,
    },
    S.WAITING_PARTS: {"add_labor": S.WAITING_PARTS, "resume": S.WORKING, **_CANCEL},
    # Workshop repair of a carried-back unit: parts and labor are recorded while it is away.
    S.CARRIED_BACK: {
        "add_part": S.CARRIED_BACK,
        "add_labor": S.CARRIED_BACK,
        "return_unit": S.WORKING,
        **_CANCEL,
    },
    S.FINISHED: {
        "sign": S.FINISHED,
        "waive_signature": S.FINISHED,
        "collect_fees": S.FINISHED,
        "issue_invoice": S.FINISHED,
    },
    S.DEAD_ON_ARRIVAL: {},
    S.REASSIGNED: {},
    S.CANCELLED: {},
}

ACTION_LABELS = {
    "confirm_appointment": _("Confirm appointment"),
    "announce_delay": _("Announce a delay"),
    "customer_absent": _("Customer not at home"),
    "check_in": _("Check in on site"),
    "diagnose": _("Record diagnosis"),
    "add_fee": _("Add fee item"),
    "remove_fee": _("Remove fee item"),
    "request_consent": _("Show the fees to the customer"),
    "record_consent": _("Record the customer's answer"),
    "begin_work": _("Begin work"),
    "add_part": _("Record a part used"),
    "add_labor": _("Record labor"),
    "wait_parts": _("Wait for parts"),
    "resume": _("Resume"),
    "carry_back": _("Carry back for repair"),
    "return_unit": _("Return the repaired unit"),
    "dead_on_arrival": _("Dead on arrival"),
    "sign": _("Customer signature"),
    "waive_signature": _("Waive the signature"),
    "collect_fees": _("Collect fees"),
    "issue_invoice": _("Issue invoice"),
    "finish": _("Finish"),
    "reassign": _("Reassign"),
    "cancel": _("Cancel"),
}

SUPERVISORS = frozenset({"dispatcher", "manager", "admin"})
_FIELD = ("technician", *SUPERVISORS)

# Who may ask for each action. A technician acts only on their own work orders.
ACTION_ROLES: dict[str, tuple[str, ...]] = {
    **{action: _FIELD for action in ACTION_LABELS},
    "reassign": tuple(SUPERVISORS),
    "waive_signature": tuple(SUPERVISORS),
    # Invoices are issued by the office, not in the field.
    "issue_invoice": ("agent", *SUPERVISORS),
    "cancel": ("agent", *SUPERVISORS),
}


class ConsentState(models.TextChoices):
    PENDING = "pending", _("Waiting for the customer")
    AGREED = "agreed", _("Agreed")
    REFUSED = "refused", _("Refused")


@dataclass(frozen=True)
class Refusal:
    code: str
    message: Any
    field: str | None = None


@dataclass(frozen=True)
class Facts:
    """What the guards may look at: the work order and the money around it, at the moment of the action."""

    status: str
    kind: str  # the request type: delivery, installation, repair, maintenance
    actor_roles: frozenset[str]
    is_own: bool  # the actor is the work order's technician
    diagnosed: bool = False
    charged: bool = False  # the warranty decision says the customer pays
    fee_total: Decimal = Decimal("0")
    consent: str = ""  # the latest consent's state, "" when none was asked
    consent_total: Decimal | None = None
    collected: Decimal = Decimal("0")
    invoiced: bool = False
    signed: bool = False
    waived: bool = False
    bill_later: bool = False

    @property
    def paid_job(self) -> bool:
        return self.charged or self.fee_total > 0

    @property
    def consent_valid(self) -> bool:
        """The customer agreed to exactly the fees on the work order now."""
        return self.consent == ConsentState.AGREED and self.consent_total == self.fee_total


Guard = Callable[[Facts], Refusal | None]


def diagnosed(f: Facts) -> Refusal | None:
    if not f.diagnosed:
        return Refusal("diagnosis_required", _("Record the diagnosis first."), "diagnosis")
    return None


def consent_for_paid_job(f: Facts) -> Refusal | None:
    if not f.paid_job:
        return None
    if f.fee_total <= 0:
        return Refusal(
            "quote_required",
            _("This job is charged: add the fee items and show them to the customer first."),
            "fees",
        )
    if f.consent == ConsentState.PENDING:
        return Refusal("consent_pending", _("The customer has not answered the fee quote yet."), "consent")
    if not f.consent_valid:
        return Refusal(
            "consent_required",
            _("The customer must agree to the fees before the work goes on."),
            "consent",
        )
    return None


def fees_settled(f: Facts) -> Refusal | None:
    if f.fee_total <= 0 or f.collected >= f.fee_total or f.invoiced or f.bill_later:
        return None
    return Refusal(
        "fees_outstanding",
        _("Collect the fees on site, or finish with “invoice and collect later”."),
        "bill_later",
    )


def charged_job(f: Facts) -> Refusal | None:
    if not f.charged:
        return Refusal(
            "free_of_charge", _("This job is free of charge under the warranty: no fees apply."), "item_id"
        )
    return None


def no_pending_consent(f: Facts) -> Refusal | None:
    if f.consent == ConsentState.PENDING:
        return Refusal(
            "consent_pending",
            _("The fee quote is with the customer: record their answer before changing the fees."),
            "consent",
        )
    return None


def has_fees(f: Facts) -> Refusal | None:
    if f.fee_total <= 0:
        return Refusal("no_fees", _("There are no fees to show the customer."), "fees")
    return None


def consent_pending(f: Facts) -> Refusal | None:
    if f.consent != ConsentState.PENDING:
        return Refusal(
            "no_pending_consent", _("No fee quote is waiting for the customer's answer."), "consent"
        )
    return None


def delivery_only(f: Facts) -> Refusal | None:
    if f.kind != "delivery":
        return Refusal("delivery_only", _("Only a delivery can be dead on arrival."), None)
    return None


def repair_only(f: Facts) -> Refusal | None:
    if f.kind not in ("repair", "maintenance"):
        return Refusal("repair_only", _("Only a repair or maintenance unit can be carried back."), None)
    return None


def not_signed(f: Facts) -> Refusal | None:
    if f.signed:
        return Refusal("already_signed", _("The customer has already signed this work order."), "signature")
    return None


def not_waived(f: Facts) -> Refusal | None:
    if f.waived:
        return Refusal("already_waived", _("The signature was already waived."), "signature")
    return None


def agreed_fees(f: Facts) -> Refusal | None:
    if f.fee_total <= 0:
        return Refusal("no_fees", _("There are no fees on this work order."), "fees")
    if not f.consent_valid:
        return Refusal(
            "consent_required", _("The customer must agree to the fees before they are collected."), "consent"
        )
    return None


def not_invoiced(f: Facts) -> Refusal | None:
    if f.fee_total <= 0:
        return Refusal("no_fees", _("There are no fees on this work order."), "fees")
    if f.invoiced:
        return Refusal("already_invoiced", _("The invoice has already been issued."), "number")
    return None


GUARDS: dict[str, tuple[Guard, ...]] = {
    "begin_work": (diagnosed, consent_for_paid_job),
    "add_fee": (charged_job, no_pending_consent),
    "remove_fee": (no_pending_consent,),
    "request_consent": (has_fees, no_pending_consent),
    "record_consent": (consent_pending,),
    "dead_on_arrival": (delivery_only,),
    "carry_back": (repair_only, consent_for_paid_job),
    "finish": (consent_for_paid_job, fees_settled),
    "sign": (not_signed,),
    "waive_signature": (not_signed, not_waived),
    "collect_fees": (agreed_fees,),
    "issue_invoice": (not_invoiced,),
}


def target_of(status: str, action: str) -> str | None:
    return TRANSITIONS.get(status, {}).get(action)


def check_action(action: str, facts: Facts) -> tuple[str | None, Refusal | None]:
    """The state ``action`` leads to, or why it is refused. Pure."""
    target = target_of(facts.status, action)
    if target is None:
        return None, Refusal(
            "transition_not_allowed",
            _("This action is not allowed while the work order is “%(status)s”."),
            "status",
        )
    roles = facts.actor_roles & set(ACTION_ROLES.get(action, ()))
    if not roles:
        return None, Refusal("forbidden", _("You are not allowed to do this."), None)
    if roles <= {"technician"} and not facts.is_own:
        return None, Refusal("not_your_work", _("This work order is not assigned to you."), None)
    for guard in GUARDS.get(action, ()):
        refusal = guard(facts)
        if refusal is not None:
            return None, refusal
    return target, None


def available_actions(status: str, actor_roles: frozenset[str], is_own: bool) -> list[str]:
    """The actions offered now to this person (buttons on the page), before the data guards."""
    result = []
    for action in TRANSITIONS.get(status, {}):
        roles = actor_roles & set(ACTION_ROLES.get(action, ()))
        if roles and (is_own or not roles <= {"technician"}):
            result.append(action)
    return result


def is_active_state(status: str) -> bool:
    return status in ACTIVE_STATES
