"""The state machines of service requests: one transition table per request type, in one place.

An action (``assign``, ``resolve``, ...) moves a request from one state to another.
The table says which moves each type allows from each state; the guards say what
else must be true; ``ACTION_ROLES`` says who may ask. Nothing else decides a move.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestType(models.TextChoices):
    DELIVERY = "delivery", _("Delivery")
    INSTALLATION = "installation", _("Installation")
    REPAIR = "repair", _("Repair")
    MAINTENANCE = "maintenance", _("Maintenance")
    RETURN = "return", _("Return / exchange")
    COMPLAINT = "complaint", _("Complaint")
    CONSULTATION = "consultation", _("Consultation")
    SUGGESTION = "suggestion", _("Suggestion")
    FEEDBACK = "feedback", _("Feedback")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone hotline")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    VISIT = "visit", _("Walk-in visit")
    WEB = "web", _("Customer portal")
    API = "api", _("API")
    OUTBOUND = "outbound", _("Outbound call")


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class Status(models.TextChoices):
    NEW = "new", _("Received")
    ASSIGNED = "assigned", _("Assigned")
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_PARTS = "waiting_parts", _("Waiting for parts")
    CARRIED_BACK = "carried_back", _("Carried back for repair")
    RESOLVED = "resolved", _("Resolved")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    REOPENED = "reopened", _("Reopened (rework)")
    # Return / exchange (退换货) — flow in aftersales.returns.workflow
    EVALUATED = "evaluated", _("Evaluated")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    GOODS_RECEIVED = "goods_received", _("Goods received and inspected")
    REFUNDED = "refunded", _("Refunded")
    EXCHANGED = "exchanged", _("Exchanged")
    REPAIRED = "repaired", _("Repaired")
    # Complaint (投诉) — flow in aftersales.complaints.workflow
    VALID = "valid", _("Valid complaint")
    INVALID = "invalid", _("Invalid complaint")
    INVESTIGATING = "investigating", _("Investigating")
    PLAN_PROPOSED = "plan_proposed", _("Plan proposed")
    PLAN_CHECKED = "plan_checked", _("Plan approved by quality lead")
    PLAN_APPROVED = "plan_approved", _("Plan approved by manager")
    IMPLEMENTING = "implementing", _("Implementing")
    CUSTOMER_NOTIFIED = "customer_notified", _("Customer notified")
    SATISFIED = "satisfied", _("Customer satisfied")
    ARCHIVED = "archived", _("Archived")
    # Suggestion (客户提案) — flow in aftersales.followup
    FORWARDED = "forwarded", _("Sent to department")
    ADOPTED = "adopted", _("Adopted")
    HELD = "held", _("Held")


FIELD_TYPES = frozenset(
    {RequestType.DELIVERY, RequestType.INSTALLATION, RequestType.REPAIR, RequestType.MAINTENANCE}
)

# A request in one of these states is done with: a new contact about the same unit is a
# new request (or a reopen), not a repeat contact.
NOT_OPEN_STATES: frozenset[str] = frozenset(
    {Status.RESOLVED, Status.ANSWERED, Status.CLOSED, Status.CANCELLED}
)

FIELD_TRANSITIONS: dict[str, dict[str, str]] = {
    # from state: {action: to state}
    Status.NEW: {"assign": Status.ASSIGNED, "cancel": Status.CANCELLED},
    Status.ASSIGNED: {"schedule": Status.SCHEDULED, "cancel": Status.CANCELLED},
    Status.SCHEDULED: {"start": Status.IN_PROGRESS, "cancel": Status.CANCELLED},
    Status.IN_PROGRESS: {
        "wait_parts": Status.WAITING_PARTS,
        "carry_back": Status.CARRIED_BACK,
        "resolve": Status.RESOLVED,
        "cancel": Status.CANCELLED,
    },
    Status.WAITING_PARTS: {"resume": Status.IN_PROGRESS, "cancel": Status.CANCELLED},
    Status.CARRIED_BACK: {"resume": Status.IN_PROGRESS, "cancel": Status.CANCELLED},
    Status.RESOLVED: {"close": Status.CLOSED, "reopen": Status.REOPENED},
    Status.CLOSED: {"reopen": Status.REOPENED},
    Status.REOPENED: {"assign": Status.ASSIGNED, "cancel": Status.CANCELLED},
}

CONSULTATION_TRANSITIONS: dict[str, dict[str, str]] = {
    Status.NEW: {"answer": Status.ANSWERED, "cancel": Status.CANCELLED},
    Status.ANSWERED: {"close": Status.CLOSED},
}

# Complaints, returns, suggestions and feedback get their own flows in their modules;
# until then they can be registered and cancelled.
REGISTER_ONLY_TRANSITIONS: dict[str, dict[str, str]] = {
    Status.NEW: {"cancel": Status.CANCELLED},
}

TRANSITIONS: dict[str, dict[str, dict[str, str]]] = {
    **{t: FIELD_TRANSITIONS for t in FIELD_TYPES},
    RequestType.CONSULTATION: CONSULTATION_TRANSITIONS,
    RequestType.RETURN: REGISTER_ONLY_TRANSITIONS,
    RequestType.COMPLAINT: REGISTER_ONLY_TRANSITIONS,
    RequestType.SUGGESTION: REGISTER_ONLY_TRANSITIONS,
    RequestType.FEEDBACK: REGISTER_ONLY_TRANSITIONS,
}

# Per-type overrides of who may act, what must hold and how an action is labelled, for the
# flows other apps register (their action names may repeat another type's with other rules).
FLOW_ROLES: dict[str, dict[str, tuple[str, ...]]] = {}
FLOW_GUARDS: dict[str, dict[str, tuple[Guard, ...]]] = {}
FLOW_LABELS: dict[str, dict[str, Any]] = {}

ACTION_LABELS = {
    "assign": _("Assign"),
    "schedule": _("Schedule visit"),
    "start": _("Start work"),
    "wait_parts": _("Wait for parts"),
    "carry_back": _("Carry back"),
    "resume": _("Resume"),
    "resolve": _("Resolve"),
    "close": _("Close"),
    "reopen": _("Reopen (rework)"),
    "cancel": _("Cancel"),
    "answer": _("Answer"),
}

_STAFF = ("agent", "dispatcher", "manager", "admin")
_FIELD_WORK = ("technician", "dispatcher", "manager", "admin")

# Who may ask for each action. A technician acts only on requests assigned to them
# (checked in the guard ``own_work``).
ACTION_ROLES: dict[str, tuple[str, ...]] = {
    "assign": ("dispatcher", "manager", "admin"),
    "schedule": _FIELD_WORK,
    "start": _FIELD_WORK,
    "wait_parts": _FIELD_WORK,
    "carry_back": _FIELD_WORK,
    "resume": _FIELD_WORK,
    "resolve": _FIELD_WORK,
    "close": (*_STAFF, "quality"),
    "reopen": (*_STAFF, "quality"),
    "cancel": _STAFF,
    "answer": _STAFF,
}


@dataclass(frozen=True)
class Refusal:
    code: str
    message: Any
    field: str | None = None


@dataclass(frozen=True)
class MoveContext:
    """What a guard may look at besides the request itself."""

    actor_roles: frozenset[str]
    actor_id: int | None
    now: dt.datetime
    note: str = ""
    rework_window_days: int = 30
    assignee_is_technician: bool | None = None


Guard = Callable[[Any, MoveContext], Refusal | None]


def reason_required(request: Any, ctx: MoveContext) -> Refusal | None:
    if not ctx.note.strip():
        return Refusal("reason_required", _("A reason is required."), "note")
    return None


def within_rework_window(request: Any, ctx: MoveContext) -> Refusal | None:
    if request.resolved_at is None or ctx.now - request.resolved_at > dt.timedelta(
        days=ctx.rework_window_days
    ):
        return Refusal(
            "rework_window_passed",
            _("The rework window has passed: register a new request instead."),
            None,
        )
    return reason_required(request, ctx)


def technician_chosen(request: Any, ctx: MoveContext) -> Refusal | None:
    if not ctx.assignee_is_technician:
        return Refusal("technician_required", _("Choose a technician to assign."), "assignee")
    return None


def own_work(request: Any, ctx: MoveContext) -> Refusal | None:
    if ctx.actor_roles & {"dispatcher", "manager", "admin"}:
        return None
    if request.assignee_id is None or request.assignee_id != ctx.actor_id:
        return Refusal("not_your_work", _("This job is not assigned to you."), None)
    return None


GUARDS: dict[str, tuple[Guard, ...]] = {
    "assign": (technician_chosen,),
    "schedule": (own_work,),
    "start": (own_work,),
    "wait_parts": (own_work,),
    "carry_back": (own_work,),
    "resume": (own_work,),
    "resolve": (own_work,),
    "cancel": (reason_required,),
    "reopen": (within_rework_window,),
}


def register_flow(
    request_type: str,
    *,
    transitions: dict[str, dict[str, str]],
    roles: dict[str, tuple[str, ...]],
    guards: dict[str, tuple[Guard, ...]] | None = None,
    labels: dict[str, Any] | None = None,
    closed_states: frozenset[str] = frozenset(),
) -> None:
    """Install the state machine of one request type (the complaint, return and suggestion
    flows live in their apps' ``workflow.py`` and register here from ``AppConfig.ready``)."""
    unknown = {s for table in transitions.values() for s in table.values()} | set(transitions)
    unknown -= set(Status.values)
    if unknown:
        raise ValueError(f"unknown states in the {request_type} flow: {sorted(unknown)}")
    TRANSITIONS[request_type] = transitions
    FLOW_ROLES[request_type] = roles
    FLOW_GUARDS[request_type] = guards or {}
    FLOW_LABELS[request_type] = labels or {}
    global NOT_OPEN_STATES
    NOT_OPEN_STATES = NOT_OPEN_STATES | closed_states


def roles_for(request_type: str, action: str) -> tuple[str, ...]:
    return FLOW_ROLES.get(request_type, {}).get(action) or ACTION_ROLES.get(action, ())


def guards_for(request_type: str, action: str) -> tuple[Guard, ...]:
    flow = FLOW_GUARDS.get(request_type, {})
    return flow[action] if action in flow else GUARDS.get(action, ())


def label_for(request_type: str, action: str) -> Any:
    return FLOW_LABELS.get(request_type, {}).get(action) or ACTION_LABELS.get(action, action)


def target_of(request_type: str, status: str, action: str) -> str | None:
    return TRANSITIONS.get(request_type, {}).get(status, {}).get(action)


def check_move(request: Any, action: str, ctx: MoveContext) -> tuple[str | None, Refusal | None]:
    """The state ``action`` leads to, or why it is refused. Pure."""
    target = target_of(request.type, request.status, action)
    if target is None:
        return None, Refusal(
            "transition_not_allowed",
            _("This action is not allowed while the request is “%(status)s”."),
            "status",
        )
    if not (ctx.actor_roles & set(roles_for(request.type, action))):
        return None, Refusal("forbidden", _("You are not allowed to do this."), None)
    for guard in guards_for(request.type, action):
        refusal = guard(request, ctx)
        if refusal is not None:
            return None, refusal
    return target, None


def available_actions(request: Any, actor_roles: frozenset[str]) -> list[str]:
    """The actions the workflow offers now to someone with these roles (buttons on the page)."""
    moves = TRANSITIONS.get(request.type, {}).get(request.status, {})
    return [a for a in moves if actor_roles & set(roles_for(request.type, a))]


def is_open_state(status: str) -> bool:
    return status not in NOT_OPEN_STATES
