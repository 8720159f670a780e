"""三包 period of a unit or one of its parts: when it starts, when it ends, whether a date is covered.

The return engine and the unit's warranty decision at intake both use these
functions, so a unit is never "in warranty" on one screen and out on another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .catalog import CategoryPolicy, PartPolicy
from .dates import add_years, warranty_end, window_end
from .limits import LegalLimits
from .types import DISTANCE_CHANNELS, WHOLE_UNIT, Channel, PartKind


class StartBasis(StrEnum):
    INSTALLATION = "installation"
    SIGNING = "signing"
    INVOICE = "invoice"


@dataclass(frozen=True)
class WarrantyStart:
    date: date
    basis: StartBasis


def warranty_start(
    category: CategoryPolicy,
    *,
    channel: Channel,
    invoice_date: date | None,
    signed_date: date | None,
    installed_date: date | None,
) -> WarrantyStart | None:
    """The day the period starts; None without any proof of the purchase.

    Installed goods start when delivery, installation and commissioning were all
    finished; distance sales on the signing date; everything else on the invoice
    date.  Without an invoice a signing record still proves the purchase.
    """
    if category.period_starts_on_installation and installed_date is not None:
        return WarrantyStart(installed_date, StartBasis.INSTALLATION)
    if channel in DISTANCE_CHANNELS and signed_date is not None:
        return WarrantyStart(signed_date, StartBasis.SIGNING)
    if invoice_date is not None:
        return WarrantyStart(invoice_date, StartBasis.INVOICE)
    if signed_date is not None:
        return WarrantyStart(signed_date, StartBasis.SIGNING)
    return None


@dataclass(frozen=True)
class WarrantyStatus:
    start: date
    months: int
    #: Last covered day, already extended by the repair days.
    end: date
    covered: bool
    #: The catalog part the period is for; None for the whole unit (or a part not listed,
    #: which the whole-unit period covers).
    part: PartPolicy | None

    @property
    def part_kind(self) -> str:
        return self.part.kind.value if self.part is not None else WHOLE_UNIT

    @property
    def is_accessory(self) -> bool:
        return self.part is not None and self.part.kind == PartKind.ACCESSORY


def warranty_status(
    category: CategoryPolicy, *, part_code: str = WHOLE_UNIT, start: date, on: date, repair_days: int = 0
) -> WarrantyStatus:
    """Whether ``on`` is within the period of ``part_code`` (main parts and accessories have their own)."""
    part = category.part(part_code) if part_code != WHOLE_UNIT else None
    months = part.months if part is not None else category.whole_unit_months
    end = warranty_end(start, months, repair_days)
    return WarrantyStatus(start=start, months=months, end=end, covered=on <= end, part=part)


def repair_guarantee_until(repaired_on: date, limits: LegalLimits | None = None) -> date:
    """Last day a repair must hold (《部分商品修理更换退货责任规定》第六条: at least 30 days)."""
    return window_end(repaired_on, (limits or LegalLimits()).repair_guarantee_days)


def parts_supply_until(discontinued_on: date, limits: LegalLimits | None = None) -> date:
    """Last day the producer must still supply parts (第七条: five years after discontinuation)."""
    return add_years(discontinued_on, (limits or LegalLimits()).parts_supply_years)
