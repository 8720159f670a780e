"""The policy object: every number the rules use, with the legal value as its default.

The three layers are configured here.  ``LegalLimits`` holds the law's numbers
(an administrator may raise them to match a stricter local rule, but the law
layer itself cannot be switched off); ``CompanyPromises`` are the company's
stronger-than-law promises and are off by default; ``PriceRules`` set the amount
of a return the company accepts beyond what the law requires.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from .types import Condition

if TYPE_CHECKING:
    from .case import Case


@dataclass(frozen=True)
class LegalLimits:
    # 《消费者权益保护法》第二十五条 and the 2017 measures: 7 days from the day after signing.
    no_reason_days: int = 7
    # 第二十五条第三款: refund within 7 days of receiving the goods back.
    no_reason_refund_days: int = 7
    # 第二十四条: goods under no 三包 rule may be returned within 7 days of receipt.
    quality_return_days: int = 7
    # 《部分商品修理更换退货责任规定》第九条 / 第十条.
    sanbao_return_days: int = 7
    sanbao_exchange_days: int = 15
    # 第十一条: repaired twice and still failing.
    failed_repairs_for_exchange: int = 2
    # Mobile-phone rule: an accessory that fails after two free replacements is returned.
    accessory_replacements_for_return: int = 2
    # 第十二条: parts not supplied (a category may shorten it, phones: 60) / the repairer's own delay.
    parts_delay_days: int = 90
    repairer_delay_days: int = 30
    # 第六条: a repaired product must work for at least 30 days; 第七条: parts for 5 years.
    repair_guarantee_days: int = 30
    parts_supply_years: int = 5
    # 《侵害消费者权益行为处罚办法》第八条、第九条: beyond 15 days a delay is deemed deliberate.
    deliberate_delay_days: int = 15
    # 第二十三条第三款: burden of proof on the business for durable goods within 6 months.
    burden_of_proof_months: int = 6
    # 第五十五条: fraud -> 3 times the price, at least 500 CNY.
    fraud_multiplier: int = 3
    fraud_minimum: Decimal = Decimal("500.00")


#: Goods the in-store promise excludes, as the regulation lists them (category codes).
DEFAULT_PROMISE_EXCLUDED_CATEGORIES = (
    "food",
    "medicine",
    "cosmetics",
    "underwear",
    "gold_jewellery",
    "photosensitive_material",
    "tobacco",
    "alcohol",
    "wind_instrument",
    "battery",
)


@dataclass(frozen=True)
class CompanyPromises:
    enabled: bool = False
    # In-store no-reason return or exchange of clean, undamaged, resalable goods with proof of purchase.
    store_no_reason: bool = True
    # None: the regulation sets no time limit for ordinary goods.
    store_no_reason_days: int | None = None
    excluded_categories: tuple[str, ...] = DEFAULT_PROMISE_EXCLUDED_CATEGORIES
    # 三包 goods are treated as ordinary goods within 7 days of sale; later only with an inspection report.
    sanbao_as_normal_days: int = 7
    # "unless agreed otherwise": the company may take over the no-reason return shipping.
    free_return_shipping: bool = False


@dataclass(frozen=True)
class PriceRules:
    enabled: bool = True
    # Conditions that mean the customer's use, washing or upkeep caused the damage.
    customer_damage_conditions: frozenset[Condition] = frozenset({Condition.MISUSE, Condition.SOILED})
    # Returns the current price of seasonal goods returned after their season (None otherwise);
    # the price lives with the product data, outside the engine.
    seasonal_current_price: Callable[[Case], Decimal | None] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Policy:
    limits: LegalLimits = field(default_factory=LegalLimits)
    promises: CompanyPromises = field(default_factory=CompanyPromises)
    price_rules: PriceRules = field(default_factory=PriceRules)
