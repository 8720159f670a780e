"""The suggestion flow (客户提案): received -> sent to a department -> adopted / rejected / held -> closed.

The customer is told of every decision (a recorded contact, ``services.tell_customer``);
a suggestion is closed only once the customer knows its final decision. Holding is
allowed once a suggestion is with a department, and a held one is decided later; the
``suggestion_decided`` clock (started at registration) watches the whole wait.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.service.workflow import (
    Guard,
    MoveContext,
    Refusal,
    RequestType,
    Status,
    reason_required,
    register_flow,
)

SUGGESTION_TRANSITIONS: dict[str, dict[str, str]] = {
    Status.NEW: {"forward": Status.FORWARDED, "cancel": Status.CANCELLED},
    Status.FORWARDED: {
        "adopt": Status.ADOPTED,
        "reject": Status.REJECTED,
        "hold": Status.HELD,
        "forward": Status.FORWARDED,
    },
    Status.HELD: {"adopt": Status.ADOPTED, "reject": Status.REJECTED},
    Status.ADOPTED: {"close": Status.CLOSED},
    Status.REJECTED: {"close": Status.CLOSED},
}

# States in which the suggestion waits on nobody but the customer's being told.
DECIDED_STATES = frozenset({Status.ADOPTED, Status.REJECTED})
# Decisions the customer must hear about (held included: they learn why and until when).
TOLD_STATES = frozenset({Status.ADOPTED, Status.REJECTED, Status.HELD})

_DESK = ("agent", "manager", "admin")
_DECIDERS = ("manager", "admin")

SUGGESTION_ROLES: dict[str, tuple[str, ...]] = {
    "forward": _DESK,
    "adopt": _DECIDERS,
    "reject": _DECIDERS,
    "hold": _DECIDERS,
    "close": _DESK,
    "cancel": _DESK,
}


def customer_told(request: Any, ctx: MoveContext) -> Refusal | None:
    """Closing needs a recorded contact telling the customer the current decision."""
    detail = getattr(request, "suggestion", None)
    if detail is None or detail.told_status != request.status:
        return Refusal(
            "customer_not_told",
            _("Tell the customer the decision (and record the contact) before closing."),
            "told",
        )
    return None


SUGGESTION_GUARDS: dict[str, tuple[Guard, ...]] = {
    "hold": (reason_required,),
    "cancel": (reason_required,),
    "close": (customer_told,),
    "forward": (),
    "adopt": (),
    "reject": (),
}

SUGGESTION_LABELS = {
    "forward": _("Send to department"),
    "adopt": _("Adopt"),
    "reject": _("Reject with thanks"),
    "hold": _("Hold"),
}

register_flow(
    RequestType.SUGGESTION,
    transitions=SUGGESTION_TRANSITIONS,
    roles=SUGGESTION_ROLES,
    guards=SUGGESTION_GUARDS,
    labels=SUGGESTION_LABELS,
)
