"""The money rules: order settlement of a partial return, depreciation, fraud compensation, refund split."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from .case import Order
from .limits import LegalLimits
from .money import CENT, ZERO, clamp, cny
from .types import PromotionType


@dataclass(frozen=True)
class Settlement:
    """How a (partial) return from a multi-item order is settled."""

    #: The returned lines' value before deductions.
    base: Decimal
    #: The order's promotion no longer holds for the kept lines.
    promotion_lost: bool
    #: What the kept lines are settled at.
    kept_value: Decimal
    gifts_deducted: Decimal
    shipping_deducted: Decimal
    refund: Decimal


def settle_order(order: Order) -> Settlement:
    """Settle a return from an order (《网络购买商品七日无理由退货暂行办法》, return procedure).

    A promotion the kept lines no longer qualify for is lost, so they are settled
    at their list prices and the rest of what was paid is refunded.  While the
    promotion still holds, each line carries its share of it, so the returned
    lines refund their share of the amount paid.
    """
    total_list = sum((line.list_price for line in order.lines), ZERO)
    kept_list = sum((line.list_price for line in order.lines if not line.returned), ZERO)
    returned_list = total_list - kept_list
    promotion = order.promotion
    promotion_lost = False
    if promotion is not None and kept_list > ZERO:
        if promotion.type == PromotionType.BUNDLE:
            promotion_lost = True
        elif promotion.type == PromotionType.SPEND_X_SAVE_Y and promotion.threshold is not None:
            promotion_lost = total_list >= promotion.threshold > kept_list
    if kept_list == ZERO:
        base = order.amount_paid
        kept_value = ZERO
    elif promotion_lost:
        kept_value = kept_list
        base = order.amount_paid - kept_list
    else:
        base = cny(order.amount_paid * returned_list / total_list) if total_list > ZERO else ZERO
        kept_value = order.amount_paid - base
    gifts = sum((g.marked_price for g in order.gifts if not g.returned), ZERO)
    shipping = ZERO
    if order.free_shipping is not None and kept_value < order.free_shipping.threshold:
        shipping = order.free_shipping.fee
    refund = clamp(cny(base - gifts - shipping), ZERO, order.amount_paid)
    return Settlement(
        base=cny(base),
        promotion_lost=promotion_lost,
        kept_value=cny(kept_value),
        gifts_deducted=cny(gifts),
        shipping_deducted=cny(shipping),
        refund=refund,
    )


def depreciation_amount(price: Decimal, percent_per_day: Decimal | None, days: int) -> Decimal:
    """Price x daily rate x days, never negative and never more than the price."""
    if percent_per_day is None or days <= 0:
        return ZERO
    return clamp(cny(price * percent_per_day / Decimal(100) * days), ZERO, price)


def punitive_damages(price: Decimal, limits: LegalLimits | None = None) -> Decimal:
    """《消费者权益保护法》第五十五条: for fraud, three times the price, at least 500 CNY."""
    limits = limits or LegalLimits()
    return max(cny(price * limits.fraud_multiplier), cny(limits.fraud_minimum))


def split_refund(amount: Decimal, payments: Sequence[tuple[str, Decimal]]) -> list[tuple[str, Decimal]]:
    """Split a refund across the means of payment in proportion to what each paid.

    Cents lost to rounding go to the means with the largest remainders, so the
    parts always add up to the refund and none exceeds what that means paid.
    """
    paid = sum((p for _, p in payments), ZERO)
    if amount < ZERO or amount > paid:
        raise ValueError(f"refund {amount} outside 0..{paid}")
    if paid == ZERO:
        return [(means, ZERO) for means, _ in payments]
    raw = [amount * p / paid for _, p in payments]
    floors = [r.quantize(CENT, rounding=ROUND_DOWN) for r in raw]
    leftover = int((amount - sum(floors, ZERO)) / CENT)
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - floors[i], reverse=True)
    for i in by_remainder[:leftover]:
        floors[i] += CENT
    return [(means, floors[i]) for i, (means, _) in enumerate(payments)]
