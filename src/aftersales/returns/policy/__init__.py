"""退换货与三包政策引擎 — the returns / 三包 policy engine, pure Python (no Django, no database).

Public API::

    from aftersales.returns.policy import Case, evaluate
    decision = evaluate(Case.from_dict(json_case))          # shipped catalog, law-only policy
    decision.to_dict("zh-hans")                              # or "en"

``evaluate(case, *, catalog=None, policy=None) -> Decision`` applies three layers in
order — the law, the company's promises (off by default), the company's price rules —
and every step of the decision names its layer and the clause it applied.

Language: every text the engine produces (clause source, article and summary, the
finding of each step, violation messages, the explanation) is a ``Text`` holding
Simplified Chinese and English.  The ``Decision`` carries both; ``Decision.to_dict``
takes a language and renders one of them, Chinese unless English is asked for.

Numbers: every number the law gives is a field of ``LegalLimits`` with the legal
value as its default; the 三包 catalog (periods, parts, daily depreciation) is
reference data in ``aftersales/returns/data/sanbao_catalog.json``.  Money is
``Decimal`` in CNY with two decimals; dates are ``datetime.date`` and counted as
described in ``dates``.
"""

from .case import Case, CaseError, FreeShipping, Gift, Order, OrderLine, Promotion
from .catalog import (
    Catalog,
    CatalogError,
    CategoryPolicy,
    GoodsClassPolicy,
    PartPolicy,
    catalog_from_data,
    default_catalog,
    shipped_catalog_data,
)
from .decision import Citation, Decision, Violation
from .engine import evaluate
from .limits import CompanyPromises, LegalLimits, Policy, PriceRules
from .settlement import Settlement, depreciation_amount, punitive_damages, settle_order, split_refund
from .text import Text
from .types import (
    Channel,
    Condition,
    DelayCause,
    Layer,
    NoReasonRule,
    Outcome,
    PartKind,
    Payer,
    Reason,
    Wants,
)
from .warranty import (
    StartBasis,
    WarrantyStart,
    WarrantyStatus,
    parts_supply_until,
    repair_guarantee_until,
    warranty_start,
    warranty_status,
)

__all__ = [
    "Case",
    "CaseError",
    "Catalog",
    "CatalogError",
    "CategoryPolicy",
    "Channel",
    "Citation",
    "CompanyPromises",
    "Condition",
    "Decision",
    "DelayCause",
    "FreeShipping",
    "Gift",
    "GoodsClassPolicy",
    "Layer",
    "LegalLimits",
    "NoReasonRule",
    "Order",
    "OrderLine",
    "Outcome",
    "PartKind",
    "PartPolicy",
    "Payer",
    "Policy",
    "PriceRules",
    "Promotion",
    "Reason",
    "Settlement",
    "StartBasis",
    "Text",
    "Violation",
    "Wants",
    "WarrantyStart",
    "WarrantyStatus",
    "catalog_from_data",
    "default_catalog",
    "depreciation_amount",
    "evaluate",
    "parts_supply_until",
    "punitive_damages",
    "repair_guarantee_until",
    "settle_order",
    "shipped_catalog_data",
    "split_refund",
    "warranty_start",
    "warranty_status",
]
