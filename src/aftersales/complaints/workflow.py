"""The complaint flow (客户投诉闭环): a ServiceRequest of type ``complaint``.

registered (``new``) -> valid | invalid (closed, with the explanation given) -> the
responsible department and person take it (``investigating``) -> investigation (cause,
person at fault) -> plan proposed -> approved by the quality lead (``plan_checked``) ->
approved by the manager (``plan_approved``) -> implementing -> customer notified (the
handling is closed) -> follow-up call: satisfied -> archived with the summary and
lessons; not satisfied -> investigating again in the next round.

Who acts (the roles of ``aftersales.core.permissions``):

* complaint handler (投诉处理员): the customer service agent — registers, replies,
  validates, tells the customer the result and makes the follow-up call;
* complaint manager (投诉管理员): the quality specialist — assigns the responsible
  department and person, approves plans as quality lead, reports to the general
  manager, writes the summary and archives; the manager may do all of this too;
* the responsible person, whatever their role, investigates, proposes the plan and
  implements it (guard ``responsible_or_lead``);
* the manager gives the plan's second approval.

Actions that record a step without leaving the state (``reply``, ``investigate``,
``complete_implementation``, ``report``) are moves to the same state, so they pass the
same checks and leave the same history as every other move.

The guards read ``request.complaint_facts`` (a ``Facts`` the service computes before it
asks the workflow), so they stay pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.service.workflow import (
    MoveContext,
    Refusal,
    RequestType,
    Status,
    reason_required,
    register_flow,
)

# Role groups.
HANDLERS = ("agent", "quality", "manager", "admin")
COMPLAINT_MANAGERS = ("quality", "manager", "admin")
QUALITY_LEADS = ("quality", "admin")
MANAGERS = ("manager", "admin")
# Anyone on the staff may be made responsible for a complaint; the guard narrows it to that person.
STAFF = ("agent", "dispatcher", "technician", "parts_clerk", "quality", "manager", "admin")
# Anyone on the staff who notices a complaint must report it to the after-sales department.
REGISTRARS = STAFF

# Actions a responsible person takes on their own complaint; complaint managers may act for them.
LEADS = frozenset(COMPLAINT_MANAGERS)

COMPLAINT_TRANSITIONS: dict[str, dict[str, str]] = {
    Status.NEW: {
        "reply": Status.NEW,
        "validate": Status.VALID,
        "invalidate": Status.INVALID,
        "cancel": Status.CANCELLED,
    },
    Status.VALID: {"reply": Status.VALID, "assign": Status.INVESTIGATING},
    Status.INVESTIGATING: {
        "reply": Status.INVESTIGATING,
        "assign": Status.INVESTIGATING,
        "investigate": Status.INVESTIGATING,
        "propose_plan": Status.PLAN_PROPOSED,
        "report": Status.INVESTIGATING,
    },
    Status.PLAN_PROPOSED: {
        "check_plan": Status.PLAN_CHECKED,
        "reject_plan": Status.INVESTIGATING,
        "report": Status.PLAN_PROPOSED,
    },
    Status.PLAN_CHECKED: {
        "approve_plan": Status.PLAN_APPROVED,
        "reject_plan": Status.INVESTIGATING,
        "report": Status.PLAN_CHECKED,
    },
    Status.PLAN_APPROVED: {"start_implementation": Status.IMPLEMENTING, "report": Status.PLAN_APPROVED},
    Status.IMPLEMENTING: {
        "complete_implementation": Status.IMPLEMENTING,
        "notify_customer": Status.CUSTOMER_NOTIFIED,
        "report": Status.IMPLEMENTING,
    },
    Status.CUSTOMER_NOTIFIED: {
        "follow_up_satisfied": Status.SATISFIED,
        "follow_up_unsatisfied": Status.INVESTIGATING,
        "report": Status.CUSTOMER_NOTIFIED,
    },
    Status.SATISFIED: {"archive": Status.ARCHIVED, "report": Status.SATISFIED},
}

# Not open: the invalid complaint is closed; "customer notified" is the handling closed (like a
# resolved job) until the follow-up call confirms it or reopens it; satisfied and archived are done.
CLOSED_STATES = frozenset({Status.INVALID, Status.CUSTOMER_NOTIFIED, Status.SATISFIED, Status.ARCHIVED})
# States in which the complaint register may no longer be deleted or changed by the flow.
FINAL_STATES = frozenset({Status.INVALID, Status.ARCHIVED, Status.CANCELLED})

COMPLAINT_ROLES: dict[str, tuple[str, ...]] = {
    "reply": HANDLERS,
    "validate": HANDLERS,
    "invalidate": HANDLERS,
    "cancel": COMPLAINT_MANAGERS,
    "assign": COMPLAINT_MANAGERS,
    "investigate": STAFF,
    "propose_plan": STAFF,
    "check_plan": QUALITY_LEADS,
    "approve_plan": MANAGERS,
    "reject_plan": (*QUALITY_LEADS, *MANAGERS),
    "start_implementation": STAFF,
    "complete_implementation": STAFF,
    "notify_customer": STAFF,
    "follow_up_satisfied": HANDLERS,
    "follow_up_unsatisfied": HANDLERS,
    "report": COMPLAINT_MANAGERS,
    "archive": COMPLAINT_MANAGERS,
}


@dataclass(frozen=True)
class Facts:
    """What the guards need to know about the complaint, read by the service before the move."""

    responsible_person_id: int | None = None
    investigated: bool = False  # the current round has its cause recorded
    implemented: bool = False  # the current round's implementation is completed
    quality_approver_id: int | None = None  # who gave the current plan's first approval
    reported: bool = False
    fault_report_missing: bool = False  # a major fault without its fault analysis report


def _facts(request: Any) -> Facts:
    return getattr(request, "complaint_facts", None) or Facts()


def responsible_or_lead(request: Any, ctx: MoveContext) -> Refusal | None:
    """The responsible person acts on their complaint; complaint managers may act for them."""
    if ctx.actor_roles & LEADS:
        return None
    facts = _facts(request)
    if facts.responsible_person_id is None or facts.responsible_person_id != ctx.actor_id:
        return Refusal("not_responsible", _("You are not the person responsible for this complaint."), None)
    return None


def responsible_or_handler(request: Any, ctx: MoveContext) -> Refusal | None:
    if ctx.actor_roles & set(HANDLERS):
        return None
    return responsible_or_lead(request, ctx)


def explanation_required(request: Any, ctx: MoveContext) -> Refusal | None:
    if not ctx.note.strip():
        return Refusal(
            "explanation_required", _("Record the explanation given to the customer."), "explanation"
        )
    return None


def investigated(request: Any, ctx: MoveContext) -> Refusal | None:
    if not _facts(request).investigated:
        return Refusal(
            "investigation_required",
            _("Record the investigation (the cause) of this round first."),
            "cause",
        )
    return None


def implemented(request: Any, ctx: MoveContext) -> Refusal | None:
    if not _facts(request).implemented:
        return Refusal(
            "implementation_not_completed",
            _("Record the completed implementation before telling the customer the result."),
            None,
        )
    return None


def second_approver(request: Any, ctx: MoveContext) -> Refusal | None:
    """Two approvals are two people: the manager's cannot come from the quality lead who signed."""
    if _facts(request).quality_approver_id == ctx.actor_id:
        return Refusal(
            "same_approver",
            _("The second approval must come from another person than the first."),
            None,
        )
    return None


def not_reported(request: Any, ctx: MoveContext) -> Refusal | None:
    if _facts(request).reported:
        return Refusal(
            "already_reported", _("This complaint has already been reported to the general manager."), None
        )
    return investigated(request, ctx)


def fault_report_issued(request: Any, ctx: MoveContext) -> Refusal | None:
    if _facts(request).fault_report_missing:
        return Refusal(
            "fault_report_required",
            _("A major fault needs its fault analysis report before the complaint is archived."),
            None,
        )
    return None


COMPLAINT_GUARDS: dict[str, tuple[Any, ...]] = {
    "reply": (),
    "validate": (),
    "invalidate": (explanation_required,),
    "cancel": (reason_required,),
    "assign": (),
    "investigate": (responsible_or_lead,),
    "propose_plan": (responsible_or_lead, investigated),
    "check_plan": (),
    "approve_plan": (second_approver,),
    "reject_plan": (reason_required,),
    "start_implementation": (responsible_or_lead,),
    "complete_implementation": (responsible_or_lead,),
    "notify_customer": (responsible_or_handler, implemented),
    "follow_up_satisfied": (),
    "follow_up_unsatisfied": (reason_required,),
    "report": (not_reported,),
    "archive": (fault_report_issued,),
}

COMPLAINT_LABELS = {
    "reply": _("Reply to the customer"),
    "validate": pgettext_lazy("complaint action", "Valid complaint"),
    "invalidate": pgettext_lazy("complaint action", "Invalid complaint"),
    "cancel": _("Cancel"),
    "assign": _("Assign department and person"),
    "investigate": _("Record the investigation"),
    "propose_plan": _("Propose a plan"),
    "check_plan": _("Approve the plan (quality lead)"),
    "approve_plan": _("Approve the plan (manager)"),
    "reject_plan": _("Reject the plan"),
    "start_implementation": _("Start implementing"),
    "complete_implementation": _("Implementation completed"),
    "notify_customer": _("Tell the customer the result"),
    "follow_up_satisfied": _("Follow-up: satisfied"),
    "follow_up_unsatisfied": _("Follow-up: not satisfied"),
    "report": _("Report to the general manager"),
    "archive": _("Summarize and archive"),
}

# The complaint flow's states in the order it passes them (the list page's status filter).
COMPLAINT_STATES = (
    (Status.NEW, _("Registered")),
    (Status.VALID, _("Valid complaint")),
    (Status.INVALID, _("Invalid complaint")),
    (Status.INVESTIGATING, _("Investigating")),
    (Status.PLAN_PROPOSED, _("Plan proposed")),
    (Status.PLAN_CHECKED, _("Plan approved by quality lead")),
    (Status.PLAN_APPROVED, _("Plan approved by manager")),
    (Status.IMPLEMENTING, _("Implementing")),
    (Status.CUSTOMER_NOTIFIED, _("Customer notified")),
    (Status.SATISFIED, _("Customer satisfied")),
    (Status.ARCHIVED, _("Archived")),
    (Status.CANCELLED, _("Cancelled")),
)


def install() -> None:
    register_flow(
        RequestType.COMPLAINT,
        transitions=COMPLAINT_TRANSITIONS,
        roles=COMPLAINT_ROLES,
        guards=COMPLAINT_GUARDS,
        labels=COMPLAINT_LABELS,
        closed_states=CLOSED_STATES,
    )
