"""Read queries on the catalog and units, and the warranty decision shown wherever a unit is shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from aftersales.core.clock import local_today
from aftersales.core.errors import NotFound
from aftersales.core.permissions import Role, has_role, sees_all_requests

from .models import Unit
from .warranty import Charge, FaultCause, WarrantyDecision, WarrantyStatus, decide_warranty, warranty_start


def units_with_details() -> QuerySet[Unit]:
    return Unit.objects.select_related("product_model__category", "customer")


def warranty_decision(
    unit: Unit, on: dt.date | None = None, cause: str = FaultCause.UNKNOWN
) -> WarrantyDecision:
    category = unit.product_model.category
    start = warranty_start(
        starts=category.warranty_starts,
        purchase_date=unit.purchase_date,
        delivery_date=unit.delivery_date,
        commissioning_date=unit.commissioning_date,
    )
    return decide_warranty(
        on=on or local_today(),
        starts_on=start,
        months=category.warranty_months,
        repair_days=unit.repair_days,
        cause=cause,
    )


def warranty_reason(decision: WarrantyDecision, months: int | None = None) -> str:
    """The decision in words, in the active language, as the agent reads it to the customer."""
    params = {
        "start": decision.starts_on.isoformat() if decision.starts_on else "",
        "end": decision.ends_on.isoformat() if decision.ends_on else "",
        "days": decision.days_left,
        "months": months,
    }
    texts = {
        "in_warranty": _(
            "In warranty: covered from %(start)s through %(end)s (%(days)s days left). Repair is free of charge."
        ),
        "expired": _(
            "Out of warranty: the warranty ended on %(end)s. Repair is charged by the fee schedule."
        ),
        "misuse": _(
            "Damage caused by improper use is not covered by the warranty: parts are charged at cost."
        ),
        "force_majeure": _(
            "Damage from force majeure (earthquake, typhoon, lightning) is not covered: parts are charged at cost."
        ),
        "no_proof_of_purchase": _(
            "No purchase date or invoice on file: repair is charged unless the purchase can be proven."
        ),
    }
    return texts[decision.reason_code] % params


def warranty_snapshot(decision: WarrantyDecision, months: int) -> dict[str, Any]:
    """The decision as stored with a request at intake; its words are rendered when shown."""
    return {
        "status": decision.status.value,
        "charge": decision.charge.value,
        "reason_code": decision.reason_code,
        "starts_on": decision.starts_on.isoformat() if decision.starts_on else None,
        "ends_on": decision.ends_on.isoformat() if decision.ends_on else None,
        "days_left": decision.days_left,
        "months": months,
    }


def snapshot_reason(snapshot: dict[str, Any]) -> str:
    if not snapshot:
        return ""
    decision = WarrantyDecision(
        status=WarrantyStatus(snapshot["status"]),
        charge=Charge(snapshot["charge"]),
        starts_on=dt.date.fromisoformat(snapshot["starts_on"]) if snapshot.get("starts_on") else None,
        ends_on=dt.date.fromisoformat(snapshot["ends_on"]) if snapshot.get("ends_on") else None,
        reason_code=snapshot["reason_code"],
        days_left=snapshot.get("days_left"),
    )
    return warranty_reason(decision, snapshot.get("months"))


def warranty_payload(
    unit: Unit, on: dt.date | None = None, cause: str = FaultCause.UNKNOWN
) -> dict[str, Any]:
    decision = warranty_decision(unit, on=on, cause=cause)
    return {
        "status": decision.status.value,
        "charge": decision.charge.value,
        "starts_on": decision.starts_on,
        "ends_on": decision.ends_on,
        "days_left": decision.days_left,
        "reason": warranty_reason(decision, unit.product_model.category.warranty_months),
    }


def access_unit(user: Any, *, unit_id: int | None = None, serial_number: str | None = None) -> Unit:
    qs = units_with_details()
    if unit_id is not None:
        qs = qs.filter(pk=unit_id)
    elif serial_number:
        qs = qs.filter(serial_number__iexact=serial_number.strip())
    else:
        raise NotFound()
    if not sees_all_requests(user):
        if has_role(user, Role.CUSTOMER):
            qs = qs.filter(customer__portal_user=user)
        elif has_role(user, Role.TECHNICIAN):
            qs = qs.filter(service_requests__assignee=user).distinct()
        else:
            qs = qs.none()
    unit = qs.first()
    if unit is None:
        raise NotFound()
    return unit
