"""Warranty decision (保修判定) for a unit at a given day. Pure: no database, no Django.

In warranty -> free; out of warranty -> paid by the fee schedule; damage from
misuse, or from force majeure (earthquake, typhoon, lightning) -> parts at cost.
The period runs through the anniversary day inclusive (invoice 2023-03-15 and
12 months -> covered through 2024-03-15) and is extended by days in repair.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class WarrantyStatus(StrEnum):
    IN_WARRANTY = "in_warranty"
    OUT_OF_WARRANTY = "out_of_warranty"
    MISUSE = "misuse"
    FORCE_MAJEURE = "force_majeure"


class Charge(StrEnum):
    FREE = "free"
    PAID = "paid"  # by the fee schedule
    PARTS_AT_COST = "parts_at_cost"


class FaultCause(StrEnum):
    UNKNOWN = "unknown"  # at intake, before anyone has looked at it
    NORMAL = "normal"
    MISUSE = "misuse"
    FORCE_MAJEURE = "force_majeure"


@dataclass(frozen=True)
class WarrantyDecision:
    status: WarrantyStatus
    charge: Charge
    starts_on: dt.date | None
    ends_on: dt.date | None
    reason_code: str
    days_left: int | None


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later; the 29th-31st fall back to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def warranty_start(
    *,
    starts: str,
    purchase_date: dt.date | None,
    delivery_date: dt.date | None = None,
    commissioning_date: dt.date | None = None,
) -> dt.date | None:
    """The day the period starts: the invoice date, or when delivery / installation finished.

    A unit still waiting for delivery or commissioning falls back to the invoice
    date, which never disadvantages the customer (it is the earlier date only if
    the later step never happened).
    """
    if starts == "installation" and commissioning_date:
        return commissioning_date
    if starts in ("installation", "delivery") and delivery_date:
        return delivery_date
    return purchase_date


def decide_warranty(
    *,
    on: dt.date,
    starts_on: dt.date | None,
    months: int,
    repair_days: int = 0,
    cause: str = FaultCause.UNKNOWN,
) -> WarrantyDecision:
    if cause == FaultCause.MISUSE:
        end = add_months(starts_on, months) + dt.timedelta(days=repair_days) if starts_on else None
        return WarrantyDecision(WarrantyStatus.MISUSE, Charge.PARTS_AT_COST, starts_on, end, "misuse", None)
    if cause == FaultCause.FORCE_MAJEURE:
        end = add_months(starts_on, months) + dt.timedelta(days=repair_days) if starts_on else None
        return WarrantyDecision(
            WarrantyStatus.FORCE_MAJEURE, Charge.PARTS_AT_COST, starts_on, end, "force_majeure", None
        )
    if starts_on is None:
        # No proof of purchase: no free repair unless the purchase is proven otherwise.
        return WarrantyDecision(
            WarrantyStatus.OUT_OF_WARRANTY, Charge.PAID, None, None, "no_proof_of_purchase", None
        )
    end = add_months(starts_on, months) + dt.timedelta(days=repair_days)
    if on < starts_on:
        # A purchase date in the future is a data error; treat it as just bought.
        return WarrantyDecision(
            WarrantyStatus.IN_WARRANTY, Charge.FREE, starts_on, end, "in_warranty", (end - starts_on).days
        )
    if on <= end:
        return WarrantyDecision(
            WarrantyStatus.IN_WARRANTY, Charge.FREE, starts_on, end, "in_warranty", (end - on).days
        )
    return WarrantyDecision(WarrantyStatus.OUT_OF_WARRANTY, Charge.PAID, starts_on, end, "expired", 0)
