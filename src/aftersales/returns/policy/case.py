"""A case: the facts the engine decides on, with exactly the fields of the spec's interface.

``Case.from_dict`` reads the JSON form (dates ISO 8601, money as strings with two
decimals) and refuses bad input with a ``CaseError`` naming the field, in both
languages, so the API and the CLI can report it without further translation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from .money import cny
from .text import Text
from .types import WHOLE_UNIT, Channel, Condition, DelayCause, PromotionType, Reason, Wants

E = TypeVar("E", bound=StrEnum)

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class CaseError(ValueError):
    def __init__(self, code: str, message: Text, field: str | None = None):
        super().__init__(f"{field or '-'}: {message.en}")
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class OrderLine:
    sku: str
    list_price: Decimal
    returned: bool


@dataclass(frozen=True)
class Promotion:
    type: PromotionType
    #: spend_x_save_y: spend at least ``threshold`` to save ``discount``.
    threshold: Decimal | None = None
    discount: Decimal | None = None


@dataclass(frozen=True)
class FreeShipping:
    threshold: Decimal
    fee: Decimal


@dataclass(frozen=True)
class Gift:
    name: str
    marked_price: Decimal
    returned: bool


@dataclass(frozen=True)
class Order:
    lines: tuple[OrderLine, ...]
    amount_paid: Decimal
    promotion: Promotion | None = None
    free_shipping: FreeShipping | None = None
    gifts: tuple[Gift, ...] = ()


@dataclass(frozen=True)
class Case:
    category: str
    channel: Channel
    price_paid: Decimal
    request_date: date
    reason: Reason
    part: str = WHOLE_UNIT
    goods_class: str = "normal"
    invoice_date: date | None = None
    signed_date: date | None = None
    installed_date: date | None = None
    performance_failure: bool = False
    condition: frozenset[Condition] = field(default_factory=frozenset)
    confirmed_not_returnable: bool = False
    #: Repairs of this fault within the warranty period that did not fix it; for an
    #: accessory, the free replacements that still failed.
    failed_repairs: int = 0
    #: Days in repair and waiting for parts so far, including an open repair.
    repair_days: int = 0
    in_repair_since: date | None = None
    delay_cause: DelayCause | None = None
    #: Unknown counts as available, which is the reading least favourable to a full refund.
    same_model_available: bool = True
    wants: Wants | None = None
    order: Order | None = None
    goods_received_back_date: date | None = None
    refund_date: date | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Case:
        return _CaseReader(data).read()


FIELDS = (
    "category",
    "part",
    "goods_class",
    "channel",
    "price_paid",
    "invoice_date",
    "signed_date",
    "installed_date",
    "request_date",
    "reason",
    "performance_failure",
    "condition",
    "confirmed_not_returnable",
    "failed_repairs",
    "repair_days",
    "in_repair_since",
    "delay_cause",
    "same_model_available",
    "wants",
    "order",
    "goods_received_back_date",
    "refund_date",
)

_REQUIRED = Text("必填项", "this field is required")


class _CaseReader:
    def __init__(self, data: Mapping[str, Any]):
        if not isinstance(data, Mapping):
            raise CaseError("invalid_case", Text("案件必须是 JSON 对象", "the case must be a JSON object"))
        unknown = sorted(set(data) - set(FIELDS))
        if unknown:
            raise CaseError(
                "unknown_field",
                Text("未知字段：{f}", "unknown field: {f}").format(f=", ".join(unknown)),
                unknown[0],
            )
        self.data = data

    def _present(self, name: str) -> bool:
        return self.data.get(name) is not None and self.data.get(name) != ""

    def code(self, name: str, default: str | None = None) -> str:
        if not self._present(name):
            if default is None:
                raise CaseError("required", _REQUIRED, name)
            return default
        value = self.data[name]
        if not isinstance(value, str) or not _CODE.match(value):
            raise CaseError(
                "invalid_code",
                Text(
                    "应为小写字母、数字和下划线组成的代码", "expected a code of lower-case letters, digits, _"
                ),
                name,
            )
        return value

    def choice(self, name: str, enum: type[E]) -> E | None:
        return _enum(self.data.get(name), enum, name)

    def required_choice(self, name: str, enum: type[E]) -> E:
        return _required_enum(self.data.get(name), enum, name)

    def required_day(self, name: str) -> date:
        value = self.day(name)
        if value is None:
            raise CaseError("required", _REQUIRED, name)
        return value

    def day(self, name: str) -> date | None:
        if not self._present(name):
            return None
        value = self.data[name]
        try:
            if not isinstance(value, str):
                raise TypeError
            return date.fromisoformat(value)
        except (TypeError, ValueError) as exc:
            raise CaseError(
                "invalid_date", Text("日期格式应为 YYYY-MM-DD", "expected a date as YYYY-MM-DD"), name
            ) from exc

    def flag(self, name: str, default: bool) -> bool:
        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise CaseError("invalid_boolean", Text("应为 true 或 false", "expected true or false"), name)
        return value

    def count(self, name: str) -> int:
        value = self.data.get(name)
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise CaseError(
                "invalid_count", Text("应为不小于 0 的整数", "expected a whole number of at least 0"), name
            )
        return value

    def read(self) -> Case:
        channel = self.required_choice("channel", Channel)
        reason = self.required_choice("reason", Reason)
        condition = self.data.get("condition") or []
        if not isinstance(condition, list):
            raise CaseError("invalid_condition", Text("应为列表", "expected a list"), "condition")
        conditions = frozenset(
            _required_enum(item, Condition, f"condition[{i}]") for i, item in enumerate(condition)
        )
        case = Case(
            category=self.code("category"),
            part=self.code("part", WHOLE_UNIT),
            goods_class=self.code("goods_class", "normal"),
            channel=channel,
            price_paid=money(self.data.get("price_paid"), "price_paid"),
            invoice_date=self.day("invoice_date"),
            signed_date=self.day("signed_date"),
            installed_date=self.day("installed_date"),
            request_date=self.required_day("request_date"),
            reason=reason,
            performance_failure=self.flag("performance_failure", False),
            condition=conditions,
            confirmed_not_returnable=self.flag("confirmed_not_returnable", False),
            failed_repairs=self.count("failed_repairs"),
            repair_days=self.count("repair_days"),
            in_repair_since=self.day("in_repair_since"),
            delay_cause=self.choice("delay_cause", DelayCause),
            same_model_available=self.flag("same_model_available", True),
            wants=self.choice("wants", Wants),
            order=_order(self.data.get("order")),
            goods_received_back_date=self.day("goods_received_back_date"),
            refund_date=self.day("refund_date"),
        )
        check_case(case)
        return case


def _enum(value: Any, enum: type[E], where: str) -> E | None:
    if value is None or value == "":
        return None
    return _required_enum(value, enum, where)


def _required_enum(value: Any, enum: type[E], where: str) -> E:
    if value is None or value == "":
        raise CaseError("required", _REQUIRED, where)
    try:
        return enum(value)
    except ValueError as exc:
        allowed = ", ".join(m.value for m in enum)
        raise CaseError(
            "invalid_choice",
            Text("取值无效，可选：{a}", "invalid value, expected one of: {a}").format(a=allowed),
            where,
        ) from exc


def money(value: Any, where: str) -> Decimal:
    """Read an amount: a string (or whole number) with at most two decimals, not negative."""
    if value is None or value == "":
        raise CaseError("required", _REQUIRED, where)
    if isinstance(value, bool) or isinstance(value, float):
        # Binary floats cannot hold cents exactly; the wire format is a string.
        raise CaseError(
            "invalid_money",
            Text('金额应为字符串，如 "99.00"', 'money must be a string such as "99.00"'),
            where,
        )
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise CaseError("invalid_money", Text("金额格式无效", "not a valid amount"), where) from exc
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise CaseError(
            "invalid_money",
            Text(
                "金额应为不小于 0、最多两位小数的数",
                "expected an amount of at least 0 with at most two decimals",
            ),
            where,
        )
    return cny(amount)


def _order(raw: Any) -> Order | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise CaseError(
            "invalid_order", Text("订单应为 JSON 对象", "the order must be a JSON object"), "order"
        )
    lines_raw = raw.get("lines")
    if not isinstance(lines_raw, list) or not lines_raw:
        raise CaseError(
            "invalid_order", Text("订单至少要有一行商品", "the order needs at least one line"), "order.lines"
        )
    lines = []
    for i, line in enumerate(lines_raw):
        where = f"order.lines[{i}]"
        if not isinstance(line, Mapping) or not line.get("sku"):
            raise CaseError("invalid_order", Text("每行需要 sku", "each line needs a sku"), where)
        returned = line.get("returned", False)
        if not isinstance(returned, bool):
            raise CaseError(
                "invalid_boolean", Text("应为 true 或 false", "expected true or false"), f"{where}.returned"
            )
        lines.append(
            OrderLine(str(line["sku"]), money(line.get("list_price"), f"{where}.list_price"), returned)
        )
    if not any(line.returned for line in lines):
        raise CaseError(
            "invalid_order",
            Text("订单中没有标记为退回的商品", "no line of the order is marked as returned"),
            "order.lines",
        )
    promotion = None
    promo_raw = raw.get("promotion")
    if promo_raw is not None:
        if not isinstance(promo_raw, Mapping):
            raise CaseError(
                "invalid_order",
                Text("促销应为 JSON 对象", "the promotion must be an object"),
                "order.promotion",
            )
        try:
            promo_type = PromotionType(str(promo_raw.get("type")))
        except ValueError as exc:
            allowed = ", ".join(m.value for m in PromotionType)
            raise CaseError(
                "invalid_choice",
                Text("促销类型无效，可选：{a}", "unknown promotion type, expected one of: {a}").format(
                    a=allowed
                ),
                "order.promotion.type",
            ) from exc
        if promo_type == PromotionType.SPEND_X_SAVE_Y:
            promotion = Promotion(
                promo_type,
                money(promo_raw.get("threshold"), "order.promotion.threshold"),
                money(promo_raw.get("discount"), "order.promotion.discount"),
            )
        else:
            promotion = Promotion(promo_type)
    shipping = None
    ship_raw = raw.get("free_shipping")
    if ship_raw is not None:
        if not isinstance(ship_raw, Mapping):
            raise CaseError(
                "invalid_order",
                Text("包邮条件应为 JSON 对象", "free_shipping must be an object"),
                "order.free_shipping",
            )
        shipping = FreeShipping(
            money(ship_raw.get("threshold"), "order.free_shipping.threshold"),
            money(ship_raw.get("fee"), "order.free_shipping.fee"),
        )
    gifts = []
    for i, gift in enumerate(raw.get("gifts") or []):
        where = f"order.gifts[{i}]"
        if not isinstance(gift, Mapping):
            raise CaseError("invalid_order", Text("赠品应为 JSON 对象", "a gift must be an object"), where)
        returned = gift.get("returned", False)
        if not isinstance(returned, bool):
            raise CaseError(
                "invalid_boolean", Text("应为 true 或 false", "expected true or false"), f"{where}.returned"
            )
        gifts.append(
            Gift(
                str(gift.get("name") or ""),
                money(gift.get("marked_price"), f"{where}.marked_price"),
                returned,
            )
        )
    return Order(
        lines=tuple(lines),
        amount_paid=money(raw.get("amount_paid"), "order.amount_paid"),
        promotion=promotion,
        free_shipping=shipping,
        gifts=tuple(gifts),
    )


def check_case(case: Case) -> None:
    """Cross-field rules: dates in an order that can happen, and what each reason needs."""
    request = case.request_date
    for name in ("invoice_date", "signed_date"):
        value = getattr(case, name)
        if value is not None and value > request:
            raise CaseError(
                "date_after_request",
                Text("不能晚于申请日期", "cannot be later than the request date"),
                name,
            )
    earliest = min((d for d in (case.invoice_date, case.signed_date) if d is not None), default=None)
    if case.in_repair_since is not None:
        if case.in_repair_since > request:
            raise CaseError(
                "date_after_request",
                Text("不能晚于申请日期", "cannot be later than the request date"),
                "in_repair_since",
            )
        if earliest is not None and case.in_repair_since < earliest:
            raise CaseError(
                "date_before_purchase",
                Text("不能早于购买或签收日期", "cannot be earlier than the purchase or signing date"),
                "in_repair_since",
            )
    if case.delay_cause is not None and case.in_repair_since is None:
        raise CaseError(
            "delay_without_repair",
            Text("填写了延误原因，但没有送修日期", "a delay cause needs the date the repair started"),
            "in_repair_since",
        )
    if (
        case.goods_received_back_date is not None
        and earliest is not None
        and case.goods_received_back_date < earliest
    ):
        raise CaseError(
            "date_before_purchase",
            Text("不能早于购买或签收日期", "cannot be earlier than the purchase or signing date"),
            "goods_received_back_date",
        )
    if case.reason == Reason.NO_REASON and case.channel != Channel.STORE and case.signed_date is None:
        raise CaseError(
            "signed_date_required",
            Text(
                "远程购物的无理由退货需要签收日期",
                "a no-reason return of a distance sale needs the signing date",
            ),
            "signed_date",
        )
