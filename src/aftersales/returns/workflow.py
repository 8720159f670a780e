"""The return / exchange flow (退换货): a ServiceRequest of type ``return``.

requested (``new``) -> evaluated (the engine's decision stored) -> approved | rejected by a
person -> goods received back and inspected -> refunded | exchanged | repaired -> closed.
A request may be cancelled, with a reason, while it is still open.

A person's decision that leaves the engine's options (approving what the engine refused,
rejecting what it granted, another refund amount) is an override: it needs a manager and a
reason. The guards read the pending decision from ``request.return_case``, which the service
sets on the request before it asks the workflow.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.service.workflow import (
    MoveContext,
    Refusal,
    RequestType,
    Status,
    reason_required,
    register_flow,
)

from .policy import Outcome

RETURN_TRANSITIONS: dict[str, dict[str, str]] = {
    Status.NEW: {"evaluate": Status.EVALUATED, "cancel": Status.CANCELLED},
    # Corrected facts are evaluated again before anyone decides.
    Status.EVALUATED: {
        "evaluate": Status.EVALUATED,
        "approve": Status.APPROVED,
        "reject": Status.REJECTED,
        "cancel": Status.CANCELLED,
    },
    Status.APPROVED: {"receive": Status.GOODS_RECEIVED, "cancel": Status.CANCELLED},
    # The inspection may find what the customer did not tell (misuse, a broken seal): the
    # approval can still turn into a rejection, judged against the engine's decision on the
    # inspected goods.
    Status.GOODS_RECEIVED: {
        "refund": Status.REFUNDED,
        "exchange": Status.EXCHANGED,
        "repair": Status.REPAIRED,
        "reject": Status.REJECTED,
        "cancel": Status.CANCELLED,
    },
    Status.REJECTED: {"close": Status.CLOSED},
    Status.REFUNDED: {"close": Status.CLOSED},
    Status.EXCHANGED: {"close": Status.CLOSED},
    Status.REPAIRED: {"close": Status.CLOSED},
}

# The remedy was performed: like a resolved repair, the request no longer blocks a new one
# for the same unit. A rejection stays open until the customer has been told and it is closed.
DONE_STATES = frozenset({Status.REFUNDED, Status.EXCHANGED, Status.REPAIRED})

_DESK = ("agent", "manager", "admin")
_INSPECTORS = ("agent", "quality", "manager", "admin")
# Who may decide against the engine.
OVERRIDE_ROLES = frozenset({"manager", "admin"})

RETURN_ROLES: dict[str, tuple[str, ...]] = {
    "evaluate": _DESK,
    "approve": _DESK,
    "reject": _DESK,
    "receive": _INSPECTORS,
    "refund": _DESK,
    "exchange": _DESK,
    "repair": _INSPECTORS,
    "close": _INSPECTORS,
    "cancel": _DESK,
}


def _case(request: Any) -> Any:
    return getattr(request, "return_case", None)


def override_allowed(request: Any, ctx: MoveContext) -> Refusal | None:
    """Deciding against the engine needs a manager and a written reason."""
    case = _case(request)
    if case is None or not case.is_override:
        return None
    if not ctx.actor_roles & OVERRIDE_ROLES:
        # The "forbidden" code makes the refusal a permission error (HTTP 403).
        return Refusal(
            "forbidden", _("Only a manager may decide differently from the policy engine."), "outcome"
        )
    if not ctx.note.strip():
        return Refusal(
            "override_reason_required",
            _("Give the reason for deciding differently from the policy engine."),
            "note",
        )
    return None


def approved_as(*outcomes: Outcome) -> Any:
    """The remedy performed must be the one that was approved."""

    def guard(request: Any, ctx: MoveContext) -> Refusal | None:
        case = _case(request)
        if case is None or case.approved_outcome not in outcomes:
            return Refusal(
                "not_the_approved_remedy",
                _("This is not the remedy that was approved for this request."),
                "outcome",
            )
        return None

    guard.__name__ = f"approved_as_{'_or_'.join(outcomes)}"
    return guard


RETURN_GUARDS: dict[str, tuple[Any, ...]] = {
    "evaluate": (),
    "approve": (override_allowed,),
    "reject": (override_allowed, reason_required),
    "receive": (),
    "refund": (approved_as(Outcome.RETURN),),
    "exchange": (approved_as(Outcome.EXCHANGE),),
    "repair": (approved_as(Outcome.REPAIR_FREE, Outcome.REPAIR_PAID),),
    "close": (),
    "cancel": (reason_required,),
}

RETURN_LABELS = {
    "evaluate": _("Evaluate"),
    "approve": _("Approve"),
    "reject": _("Reject"),
    "receive": _("Receive and inspect the goods"),
    "refund": _("Refund"),
    "exchange": _("Exchange"),
    "repair": _("Repair"),
}

# The return flow's states in the order the flow passes them (the list page's status filter).
RETURN_STATES = (
    (Status.NEW, _("Received")),
    (Status.EVALUATED, _("Evaluated")),
    (Status.APPROVED, _("Approved")),
    (Status.REJECTED, _("Rejected")),
    (Status.GOODS_RECEIVED, _("Goods received and inspected")),
    (Status.REFUNDED, _("Refunded")),
    (Status.EXCHANGED, _("Exchanged")),
    (Status.REPAIRED, _("Repaired")),
    (Status.CLOSED, _("Closed")),
    (Status.CANCELLED, _("Cancelled")),
)


def install() -> None:
    register_flow(
        RequestType.RETURN,
        transitions=RETURN_TRANSITIONS,
        roles=RETURN_ROLES,
        guards=RETURN_GUARDS,
        labels=RETURN_LABELS,
        closed_states=DONE_STATES,
    )
