"""``evaluate(case) -> Decision``: the three layers applied in order.

1. The law (cannot be switched off): the no-reason return of distance sales, or
   for a quality problem the 三包 rules of the catalog category (art. 24 of the
   consumer law for goods outside the catalog).
2. The company's promises (off by default) may add remedies the law does not give.
3. The company's price rules set the amount of a return the company grants
   beyond the law and turn a refusal for the customer's own damage into an offer
   of paid repair.  The law fixes the amount of a statutory refund, so a price
   rule never lowers it.

Every step appends a citation (layer, clause, finding); the step that granted
the outcome, or refused the request, is marked decisive.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from .case import Case, CaseError
from .catalog import Catalog, CategoryPolicy, GoodsClassPolicy, default_catalog
from .clauses import CLAUSES, PRODUCT_RULES
from .dates import add_months, day_number, depreciation_days, window_end
from .decision import Citation, Decision, Violation
from .limits import Policy
from .money import ZERO, clamp, cny, format_cny
from .settlement import depreciation_amount, settle_order
from .text import CHANNEL_LABELS, CONDITION_LABELS, OUTCOME_LABELS, PAYER_LABELS, Text, join
from .types import (
    DISTANCE_CHANNELS,
    OPTION_ORDER,
    WHOLE_UNIT,
    Channel,
    Condition,
    DelayCause,
    Layer,
    NoReasonRule,
    Outcome,
    Payer,
    Reason,
    Wants,
)
from .warranty import StartBasis, WarrantyStart, WarrantyStatus, warranty_start, warranty_status

T = Text

#: 《网络购买商品七日无理由退货暂行办法》, standard of intact goods: what each condition breaks.
NOT_INTACT_CLAUSE = {
    Condition.SEAL_BROKEN: "nr_not_intact_sealed",
    Condition.ACTIVATED: "nr_not_intact_electronics",
    Condition.PERSONAL_DATA: "nr_not_intact_electronics",
    Condition.UNAUTHORIZED_REPAIR: "nr_not_intact_electronics",
    Condition.MODIFIED: "nr_not_intact_electronics",
    Condition.LABEL_REMOVED: "nr_not_intact_textiles",
    Condition.SOILED: "nr_not_intact_textiles",
    Condition.DAMAGED: "nr_not_intact_textiles",
    Condition.MISUSE: "nr_not_intact_use",
}

#: 《部分商品修理更换退货责任规定》第三十条: conditions that take a product out of 三包.
SANBAO_EXCLUSION_CLAUSE = {
    Condition.MISUSE: "sb_excluded_misuse",
    Condition.UNAUTHORIZED_REPAIR: "sb_excluded_disassembly",
    Condition.MODIFIED: "sb_excluded_altered",
    Condition.FORCE_MAJEURE: "sb_excluded_force_majeure",
}

#: The product rules that shorten the parts delay, and the clause that says so.
PARTS_DELAY_CLAUSE = {"mobile_phone_2001": "mp_parts_delay", "fixed_phone_2001": "fp_parts_delay"}

LAYER_ORDER = (Layer.LAW, Layer.COMPANY_PROMISE, Layer.COMPANY_PRICE_RULE)

LAYER_LABELS = {
    Layer.LAW: T("法律规定", "the law"),
    Layer.COMPANY_PROMISE: T("公司承诺", "company promise"),
    Layer.COMPANY_PRICE_RULE: T("公司价格规则", "company price rule"),
}

START_BASIS_LABELS = {
    StartBasis.INSTALLATION: T("安装调试完成日", "installation finished"),
    StartBasis.SIGNING: T("签收日", "signing date"),
    StartBasis.INVOICE: T("发票日", "invoice date"),
}


def _conditions(conds: frozenset[Condition] | list[Condition]) -> list[Condition]:
    order = list(Condition)
    return sorted(conds, key=order.index)


def _labels(conds: list[Condition]) -> Text:
    return join([CONDITION_LABELS[c] for c in conds], "、", ", ")


@dataclass(frozen=True)
class _Refund:
    amount: Decimal
    depreciation: Decimal
    payer: Payer
    due_date: date | None
    layer: Layer
    #: no_reason refunds run from the goods' receipt back; quality refunds from the request.
    no_reason: bool


def evaluate(case: Case, *, catalog: Catalog | None = None, policy: Policy | None = None) -> Decision:
    """Decide what the consumer is entitled to; raises ``CaseError`` for facts the catalog does not know."""
    return _Evaluation(case, catalog or default_catalog(), policy or Policy()).run()


class _Evaluation:
    def __init__(self, case: Case, catalog: Catalog, policy: Policy):
        self.case = case
        self.catalog = catalog
        self.policy = policy
        self.limits = policy.limits
        self.steps: list[Citation] = []
        self.grants: dict[Outcome, int] = {}
        self.refusal: int | None = None
        #: Conditions a refusal rested on (the customer-damage price rule looks at them).
        self.refused_for: set[Condition] = set()
        self.refund: _Refund | None = None
        self.violations: list[Violation] = []

    # -- bookkeeping -------------------------------------------------------------------------

    def cite(self, step: str, clause_code: str, finding: Text) -> int:
        clause = CLAUSES[clause_code]
        self.steps.append(Citation(clause.layer, step, clause, finding))
        return len(self.steps) - 1

    def grant(self, outcomes: list[Outcome], step: int) -> None:
        for outcome in outcomes:
            self.grants.setdefault(outcome, step)

    def refuse(self, step: int) -> None:
        # Within a layer the first refusal is the reason; a later layer that also refuses
        # (a promise that does not reach the case) is the one that decided.
        if self.refusal is None or LAYER_ORDER.index(self.steps[step].layer) > LAYER_ORDER.index(
            self.steps[self.refusal].layer
        ):
            self.refusal = step

    def grant_return(
        self,
        step: int,
        amount: Decimal,
        *,
        depreciation: Decimal = ZERO,
        payer: Payer,
        due_date: date | None,
        no_reason: bool,
    ) -> None:
        if Outcome.RETURN in self.grants:
            return
        self.grants[Outcome.RETURN] = step
        self.refund = _Refund(
            amount=cny(amount),
            depreciation=cny(depreciation),
            payer=payer,
            due_date=due_date,
            layer=self.steps[step].layer,
            no_reason=no_reason,
        )

    def violation(self, code: str, clause_code: str, due: date, actual: date, message: Text) -> None:
        late = (actual - due).days
        self.violations.append(
            Violation(
                code=code,
                clause=CLAUSES[clause_code],
                due_date=due,
                actual_date=actual,
                days_late=late,
                message=message.format(due=due.isoformat(), actual=actual.isoformat(), late=late),
            )
        )

    def goods_class(self) -> GoodsClassPolicy:
        goods_class = self.catalog.goods_classes.get(self.case.goods_class)
        if goods_class is None:
            raise CaseError(
                "unknown_goods_class",
                T("未知的商品类别：{c}", "unknown goods class: {c}").format(c=self.case.goods_class),
                "goods_class",
            )
        return goods_class

    # -- the run -----------------------------------------------------------------------------

    def run(self) -> Decision:
        self.goods_class()
        if self.case.reason == Reason.NO_REASON:
            self.no_reason_law()
        else:
            category = self.catalog.category(self.case.category)
            if category is None:
                self.quality_general()
            else:
                self.quality_sanbao(category)
        self.company_promises()
        self.price_rules()
        return self.decide()

    # -- layer 1: the law, no-reason return --------------------------------------------------

    def no_reason_law(self) -> None:
        case, limits = self.case, self.limits
        if case.channel not in DISTANCE_CHANNELS:
            self.refuse(
                self.cite(
                    "no_reason_channel",
                    "cpl_25_1",
                    T(
                        "在实体店购买的商品，法律不赋予七日无理由退货权",
                        "bought in a store: the law grants no no-reason return",
                    ),
                )
            )
            return
        self.cite(
            "no_reason_channel",
            "cpl_25_1",
            T(
                "{channel}属于远程购物，适用七日无理由退货",
                "{channel} is a distance sale: the 7-day no-reason return applies",
            ).format(channel=CHANNEL_LABELS[case.channel]),
        )
        assert case.signed_date is not None  # checked when the case was read
        last_day = window_end(case.signed_date, limits.no_reason_days)
        day = day_number(case.signed_date, case.request_date)
        values = dict(
            signed=case.signed_date.isoformat(), day=day, n=limits.no_reason_days, end=last_day.isoformat()
        )
        if case.request_date > last_day:
            self.refuse(
                self.cite(
                    "no_reason_window",
                    "nr_window",
                    T(
                        "{signed}签收，申请日为签收次日起第{day}日，已超过{n}日期限（截至{end} 24时）",
                        "signed on {signed}; the request came on day {day} after signing, past the {n}-day window "
                        "(ended {end} 24:00)",
                    ).format(**values),
                )
            )
            return
        self.cite(
            "no_reason_window",
            "nr_window",
            T(
                "{signed}签收，申请日为签收次日起第{day}日，在{n}日期限内（截至{end} 24时）",
                "signed on {signed}; the request came on day {day} after signing, within the {n}-day window "
                "(ends {end} 24:00)",
            ).format(**values),
        )
        if not self.goods_class_allows_return():
            return
        if not self.intact():
            return
        step = self.cite(
            "no_reason_return",
            "cpl_25_3",
            T("商品完好，可以无理由退货", "the goods are intact: they may be returned without a reason"),
        )
        self.grant_no_reason_return(step)

    def goods_class_allows_return(self) -> bool:
        case = self.case
        goods_class = self.goods_class()
        if goods_class.no_reason_rule == NoReasonRule.EXCLUDED:
            self.refuse(
                self.cite(
                    "goods_class",
                    "nr_6",
                    T(
                        "{name}依法不适用七日无理由退货", "{name}: excluded from no-reason returns by law"
                    ).format(name=goods_class.name),
                )
            )
            return False
        if goods_class.no_reason_rule == NoReasonRule.EXCLUDED_IF_CONFIRMED:
            if case.confirmed_not_returnable:
                self.refuse(
                    self.cite(
                        "goods_class",
                        "nr_7",
                        T(
                            "{name}，消费者购买时已确认不适用无理由退货",
                            "{name}: the consumer confirmed at purchase that it is not returnable",
                        ).format(name=goods_class.name),
                    )
                )
                return False
            self.cite(
                "goods_class",
                "nr_7",
                T(
                    "{name}，但消费者购买时未确认不适用无理由退货，仍可退货",
                    "{name}, but the consumer did not confirm at purchase that it is not returnable, so it may be "
                    "returned",
                ).format(name=goods_class.name),
            )
            self.cite(
                "goods_class",
                "pen_9_2",
                T(
                    "未经消费者确认，不得以商品不适用无理由退货为由拒绝",
                    "without the consumer's confirmation the return cannot be refused on that ground",
                ),
            )
        return True

    def intact(self) -> bool:
        case = self.case
        if Condition.PACKAGING_OPENED in case.condition:
            self.cite(
                "intact",
                "nr_intact",
                T("为查验打开包装不影响商品完好", "opening the package to inspect does not break intactness"),
            )
            self.cite(
                "intact",
                "pen_9_3",
                T(
                    "不得以已拆封查验为由拒绝退货",
                    "the return cannot be refused because the package was opened",
                ),
            )
        breakers = _conditions([c for c in case.condition if c in NOT_INTACT_CLAUSE])
        if not breakers:
            if Condition.PACKAGING_OPENED not in case.condition:
                self.cite("intact", "nr_intact", T("商品完好", "the goods are intact"))
            return True
        self.refused_for.update(breakers)
        for condition in breakers:
            self.refuse(
                self.cite(
                    "intact",
                    NOT_INTACT_CLAUSE[condition],
                    T(
                        "商品{label}，视为不完好，不能无理由退货",
                        "goods {label}: not intact, no no-reason return",
                    ).format(label=CONDITION_LABELS[condition]),
                )
            )
        return False

    def grant_no_reason_return(self, step: int) -> None:
        case, limits, promises = self.case, self.limits, self.policy.promises
        amount = case.price_paid
        if case.order is not None:
            settlement = settle_order(case.order)
            amount = settlement.refund
            if settlement.promotion_lost:
                self.cite(
                    "refund_amount",
                    "nr_promotion",
                    T(
                        "部分退货后不再享受促销，留下的商品按原价{kept}元结算，实付{paid}元，应退{base}元",
                        "the kept items lose the promotion and are settled at their prices, {kept}; of {paid} paid, "
                        "{base} is refunded",
                    ).format(
                        kept=format_cny(settlement.kept_value),
                        paid=format_cny(case.order.amount_paid),
                        base=format_cny(settlement.base),
                    ),
                )
            else:
                self.cite(
                    "refund_amount",
                    "nr_promotion",
                    T(
                        "按实际支付价款退款：退回商品分摊的实付金额为{base}元",
                        "refund of what was actually paid: the returned items' share of the amount paid is {base}",
                    ).format(base=format_cny(settlement.base)),
                )
            if settlement.gifts_deducted > ZERO:
                self.cite(
                    "refund_amount",
                    "nr_gifts",
                    T(
                        "赠品未退回，按标明价格扣除{g}元",
                        "gifts not returned: their marked price {g} is deducted",
                    ).format(g=format_cny(settlement.gifts_deducted)),
                )
            if settlement.shipping_deducted > ZERO:
                self.cite(
                    "refund_amount",
                    "nr_shipping",
                    T(
                        "退货后不再满足包邮条件，扣除运费{f}元",
                        "the return loses free shipping: the shipping fee {f} is deducted",
                    ).format(f=format_cny(settlement.shipping_deducted)),
                )
        payer = Payer.CONSUMER
        if promises.enabled and promises.free_return_shipping:
            payer = Payer.BUSINESS
            self.cite(
                "return_shipping",
                "cp_free_return_shipping",
                T("公司承诺承担退货运费", "the company has promised to pay the return shipping"),
            )
        else:
            self.cite(
                "return_shipping",
                "nr_shipping",
                T("退货运费由消费者承担", "the consumer pays the return shipping"),
            )
        due = None
        if case.goods_received_back_date is not None:
            due = case.goods_received_back_date + timedelta(days=limits.no_reason_refund_days)
            finding = T(
                "{received}收到退货，应于{due}前原路退款{amount}元",
                "goods received back on {received}: refund {amount} to the original means of payment by {due}",
            ).format(
                received=case.goods_received_back_date.isoformat(),
                due=due.isoformat(),
                amount=format_cny(amount),
            )
        else:
            finding = T(
                "收到退货之日起{n}日内原路退款{amount}元",
                "refund {amount} to the original means of payment within {n} days of receiving the goods back",
            ).format(n=limits.no_reason_refund_days, amount=format_cny(amount))
        self.cite("refund_due", "nr_refund", finding)
        self.grant_return(step, amount, payer=payer, due_date=due, no_reason=True)

    # -- layer 1: the law, quality problem of goods outside the 三包 catalog ------------------

    def quality_general(self) -> None:
        case, limits = self.case, self.limits
        receipt = case.signed_date or case.invoice_date
        if receipt is None:
            raise CaseError(
                "purchase_date_required",
                T("需要发票日期或签收日期", "the invoice date or the signing date is needed"),
                "invoice_date",
            )
        self.cite(
            "quality_scope",
            "cpl_24",
            T(
                "类别“{c}”不在三包目录中，按质量问题的一般规定处理",
                "category '{c}' is not in the 三包 catalog: the general quality rule applies",
            ).format(c=case.category),
        )
        fault = _conditions([c for c in case.condition if c in SANBAO_EXCLUSION_CLAUSE])
        if fault:
            self.refused_for.update(fault)
            self.refuse(
                self.cite(
                    "quality_problem",
                    "cpl_24",
                    T(
                        "经检查：{labels}，不属于商品质量问题",
                        "inspection found: {labels}; not a quality problem of the goods",
                    ).format(labels=_labels(fault)),
                )
            )
            return
        day = day_number(receipt, case.request_date)
        n = limits.quality_return_days
        if day <= n:
            step = self.cite(
                "quality_return",
                "cpl_24",
                T(
                    "收货后第{day}日（{n}日内）：可以退货、换货或修理，经营者承担运输等必要费用",
                    "day {day} after receipt (within {n} days): return, exchange or repair; the business pays "
                    "transport",
                ).format(day=day, n=n),
            )
            self.grant([Outcome.EXCHANGE, Outcome.REPAIR_FREE], step)
            self.grant_quality_return(step, case.price_paid)
        else:
            step = self.cite(
                "quality_return",
                "cpl_24",
                T(
                    "收货后第{day}日，已超过{n}日：可要求更换、修理；符合法定解除合同条件的才能退货，须人工审核",
                    "day {day} after receipt, past {n} days: exchange or repair; a return only if the contract may "
                    "legally be cancelled, which a person decides",
                ).format(day=day, n=n),
            )
            self.grant([Outcome.EXCHANGE, Outcome.REPAIR_FREE], step)

    def grant_quality_return(self, step: int, amount: Decimal, depreciation: Decimal = ZERO) -> None:
        due = self.case.request_date + timedelta(days=self.limits.deliberate_delay_days)
        self.grant_return(
            step, amount, depreciation=depreciation, payer=Payer.BUSINESS, due_date=due, no_reason=False
        )

    # -- layer 1: the law, 三包 ------------------------------------------------------------------

    def quality_sanbao(self, category: CategoryPolicy) -> None:
        case = self.case
        start = warranty_start(
            category,
            channel=case.channel,
            invoice_date=case.invoice_date,
            signed_date=case.signed_date,
            installed_date=case.installed_date,
        )
        rule_name = PRODUCT_RULES[category.product_rule].name
        if start is None:
            self.grant(
                [Outcome.REPAIR_PAID],
                self.cite(
                    "exclusion",
                    "sb_excluded_no_proof",
                    T(
                        "无发票、三包凭证或签收记录证明购买，不实行三包，可以收费修理",
                        "no invoice, certificate or signing record proves the purchase: no 三包, paid repair",
                    ),
                ),
            )
            return
        exclusions = _conditions([c for c in case.condition if c in SANBAO_EXCLUSION_CLAUSE])
        self.burden_of_proof(category, claimed_fault=bool(exclusions))
        if exclusions:
            first = None
            for condition in exclusions:
                step = self.cite(
                    "exclusion",
                    SANBAO_EXCLUSION_CLAUSE[condition],
                    T(
                        "经检查：{label}，不实行三包，可以收费修理",
                        "inspection found: {label}; no 三包, paid repair",
                    ).format(label=CONDITION_LABELS[condition]),
                )
                first = step if first is None else first
            assert first is not None
            self.grant([Outcome.REPAIR_PAID], first)
            return
        # An open repair is judged on the day it was handed in, so the period cannot run out
        # while the unit sits in the workshop.
        claim_date = case.in_repair_since or case.request_date
        status = warranty_status(
            category, part_code=case.part, start=start.date, on=claim_date, repair_days=case.repair_days
        )
        self.cite_period(category, start, status, rule_name)
        if status.is_accessory:
            self.accessory(status)
            return
        self.sale_windows(day_number(start.date, case.request_date))
        if not status.covered:
            self.grant(
                [Outcome.REPAIR_PAID],
                self.cite(
                    "warranty",
                    "sb_8",
                    T(
                        "{d}已超过三包有效期（截至{end}），只能收费修理",
                        "{d} is past the 三包 period (ended {end}): paid repair",
                    ).format(d=claim_date.isoformat(), end=status.end.isoformat()),
                ),
            )
            return
        self.grant(
            [Outcome.REPAIR_FREE],
            self.cite(
                "warranty",
                "sb_15",
                T(
                    "在三包有效期内，免费修理（材料费和工时费）",
                    "within the 三包 period: free repair (parts and labour)",
                ),
            ),
        )
        self.cite(
            "repair_guarantee",
            "sb_6",
            T(
                "修理后的产品应能正常使用{n}日以上",
                "the repaired product must work normally for at least {n} days",
            ).format(n=self.limits.repair_guarantee_days),
        )
        self.exchange_triggers(category, start)

    def cite_period(
        self, category: CategoryPolicy, start: WarrantyStart, status: WarrantyStatus, rule_name: Text
    ) -> None:
        case = self.case
        if status.part is not None:
            what = status.part.name
        elif case.part != WHOLE_UNIT:
            what = T(
                "整机（部件“{p}”不在目录中，按整机期限）",
                "whole unit (part '{p}' is not listed, so the whole-unit period)",
            ).format(p=case.part)
        else:
            what = T("整机", "whole unit")
        self.cite(
            "warranty_period",
            "installation_start" if start.basis == StartBasis.INSTALLATION else "sb_8",
            T(
                "{category}（{rule}）：{what}三包有效期{months}个月，自{start}（{basis}）起算，"
                "顺延修理及待修{rd}日，截至{end}",
                "{category} ({rule}): {what}, {months}-month 三包 period from {start} ({basis}), extended by {rd} "
                "days in repair, through {end}",
            ).format(
                category=category.name,
                rule=rule_name,
                what=what,
                months=status.months,
                start=start.date.isoformat(),
                basis=START_BASIS_LABELS[start.basis],
                rd=case.repair_days,
                end=status.end.isoformat(),
            ),
        )

    def burden_of_proof(self, category: CategoryPolicy, *, claimed_fault: bool) -> None:
        case = self.case
        if not category.durable:
            return
        received = case.installed_date or case.signed_date or case.invoice_date
        if received is None or case.request_date > add_months(received, self.limits.burden_of_proof_months):
            return
        finding = T(
            "耐用商品自接受之日（{d}）起{n}个月内发现瑕疵，由经营者承担举证责任",
            "durable goods, defect found within {n} months of receipt ({d}): the business bears the burden of proof",
        )
        if claimed_fault:
            finding = T(
                "耐用商品自接受之日（{d}）起{n}个月内：损坏系消费者原因须由经营者举证",
                "durable goods within {n} months of receipt ({d}): the business must prove the consumer caused "
                "the damage",
            )
        self.cite(
            "burden_of_proof",
            "cpl_23_3",
            finding.format(d=received.isoformat(), n=self.limits.burden_of_proof_months),
        )

    def sale_windows(self, day: int) -> None:
        case, limits = self.case, self.limits
        n7, n15 = limits.sanbao_return_days, limits.sanbao_exchange_days
        if not case.performance_failure:
            if day <= n15:
                self.cite(
                    "sale_window",
                    "sb_10",
                    T(
                        "售出后第{day}日，但不属于性能故障，不适用{n7}日退货、{n15}日换货",
                        "day {day} after sale, but not a performance failure: the {n7}-day return and {n15}-day "
                        "exchange do not apply",
                    ).format(day=day, n7=n7, n15=n15),
                )
            return
        if day <= n7:
            step = self.cite(
                "sale_window",
                "sb_9",
                T(
                    "售出后第{day}日发生性能故障（{n}日内）：可选择退货、换货或修理，退货按发票价格全额退款",
                    "performance failure on day {day} after sale (within {n} days): return, exchange or repair; a "
                    "return refunds the invoice price in full",
                ).format(day=day, n=n7),
            )
            self.grant([Outcome.EXCHANGE, Outcome.REPAIR_FREE], step)
            self.grant_quality_return(step, case.price_paid)
        elif day <= n15:
            step = self.cite(
                "sale_window",
                "sb_10",
                T(
                    "售出后第{day}日发生性能故障（第{a}至{b}日）：可选择换货或修理，不能退货",
                    "performance failure on day {day} after sale (days {a} to {b}): exchange or repair, no return",
                ).format(day=day, a=n7 + 1, b=n15),
            )
            self.grant([Outcome.EXCHANGE, Outcome.REPAIR_FREE], step)
            if not case.same_model_available:
                self.return_without_same_model()
        else:
            self.cite(
                "sale_window",
                "sb_10",
                T(
                    "售出后第{day}日，已超过{n}日，不再可选择退货或换货",
                    "day {day} after sale, past {n} days: no longer a choice of return or exchange",
                ).format(day=day, n=n15),
            )

    def exchange_triggers(self, category: CategoryPolicy, start: WarrantyStart) -> None:
        case, limits = self.case, self.limits
        triggered = False
        if case.failed_repairs >= limits.failed_repairs_for_exchange:
            triggered = True
            self.grant(
                [Outcome.EXCHANGE],
                self.cite(
                    "failed_repairs",
                    "sb_11",
                    T(
                        "三包有效期内已修理{n}次仍不能正常使用：可免费调换同型号同规格产品，或按规定退货",
                        "repaired {n} times within the 三包 period and still not working: free exchange for the "
                        "same model, or a return under the rules",
                    ).format(n=case.failed_repairs),
                ),
            )
        elif case.failed_repairs:
            self.cite(
                "failed_repairs",
                "sb_11",
                T(
                    "已修理{n}次，未达{m}次，继续免费修理",
                    "repaired {n} times, fewer than {m}: free repair continues",
                ).format(n=case.failed_repairs, m=limits.failed_repairs_for_exchange),
            )
        if case.in_repair_since is not None:
            days_open = day_number(case.in_repair_since, case.request_date)
            values = dict(since=case.in_repair_since.isoformat(), d=days_open)
            if case.delay_cause == DelayCause.PARTS_NOT_SUPPLIED:
                limit = category.parts_delay_days or limits.parts_delay_days
                clause_code = "sb_12_parts"
                if category.parts_delay_days is not None:
                    clause_code = PARTS_DELAY_CLAUSE.get(category.product_rule, clause_code)
                if days_open > limit:
                    triggered = True
                    self.grant(
                        [Outcome.EXCHANGE],
                        self.cite(
                            "repair_delay",
                            clause_code,
                            T(
                                "{since}送修，已{d}日（超过{limit}日）因生产者未供应零配件未修好：由销售者免费换货",
                                "handed in on {since}, {d} days (more than {limit}) without repair because the "
                                "producer supplied no parts: free exchange by the seller",
                            ).format(limit=limit, **values),
                        ),
                    )
                else:
                    self.cite(
                        "repair_delay",
                        clause_code,
                        T(
                            "{since}送修，已{d}日，未超过零配件待修期限{limit}日",
                            "handed in on {since}, {d} days, not more than the {limit}-day parts limit",
                        ).format(limit=limit, **values),
                    )
            elif case.delay_cause == DelayCause.REPAIRER:
                limit = limits.repairer_delay_days
                if days_open > limit:
                    triggered = True
                    self.grant(
                        [Outcome.EXCHANGE],
                        self.cite(
                            "repair_delay",
                            "sb_12_repairer",
                            T(
                                "{since}送修，因修理者自身原因已{d}日（超过{limit}日）未修好：由修理者免费换货，费用由修理者承担",
                                "handed in on {since}, {d} days (more than {limit}) through the repairer's own delay: "
                                "exchange by the repairer at its cost",
                            ).format(limit=limit, **values),
                        ),
                    )
                else:
                    self.cite(
                        "repair_delay",
                        "sb_12_repairer",
                        T(
                            "{since}送修，已{d}日，未超过修理者修理期限{limit}日",
                            "handed in on {since}, {d} days, not more than the repairer's {limit}-day limit",
                        ).format(limit=limit, **values),
                    )
            if category.loaner_after_days is not None and days_open > category.loaner_after_days:
                self.cite(
                    "loaner",
                    "fixed_phone_loaner",
                    T(
                        "送修已{d}日（超过{n}日）未修好，应提供备用机",
                        "{d} days in repair (more than {n}): a loaner unit is due",
                    ).format(d=days_open, n=category.loaner_after_days),
                )
        if triggered:
            if case.same_model_available:
                self.return_with_depreciation(category, start)
            else:
                self.return_without_same_model()

    def return_without_same_model(self) -> None:
        if Outcome.RETURN in self.grants:
            return
        step = self.cite(
            "return_instead_of_exchange",
            "sb_13_no_model",
            T(
                "销售者无同型号同规格产品，消费者不愿调换其他型号的，可以退货，全额退款{p}元",
                "the seller has no product of the same model: if the consumer wants no other, a return refunds {p} "
                "in full",
            ).format(p=format_cny(self.case.price_paid)),
        )
        self.grant_quality_return(step, self.case.price_paid)

    def return_with_depreciation(self, category: CategoryPolicy, start: WarrantyStart) -> None:
        case = self.case
        if Outcome.RETURN in self.grants:
            return
        invoice = case.invoice_date or start.date
        returned_on = case.goods_received_back_date or case.request_date
        days = depreciation_days(invoice, returned_on, case.repair_days)
        rate = category.daily_depreciation_percent
        amount = depreciation_amount(case.price_paid, rate, days)
        refund = clamp(case.price_paid - amount, ZERO, case.price_paid)
        values = dict(
            price=format_cny(case.price_paid),
            returned=returned_on.isoformat(),
            invoice=invoice.isoformat(),
            rd=case.repair_days,
            days=days,
            dep=format_cny(amount),
            refund=format_cny(refund),
        )
        if rate is None:
            finding = T(
                "有同型号同规格产品，消费者仍要求退货：该类别未设置日折旧率，不收折旧费，退款{refund}元",
                "the seller has the same model and the consumer still wants a return: no daily depreciation rate "
                "is set for the category, so none is charged; refund {refund}",
            ).format(**values)
        else:
            finding = T(
                "有同型号同规格产品，消费者仍要求退货：折旧费 = {price} × {rate}% × {days}日"
                "（{returned} − {invoice} − 修理{rd}日）= {dep}元，退款{refund}元",
                "the seller has the same model and the consumer still wants a return: depreciation = {price} × "
                "{rate}% × {days} days ({returned} − {invoice} − {rd} repair days) = {dep}; refund {refund}",
            ).format(rate=f"{rate.normalize():f}", **values)
        step = self.cite("return_instead_of_exchange", "sb_13_depreciation", finding)
        self.grant_quality_return(step, refund, amount)

    def accessory(self, status: WarrantyStatus) -> None:
        case, limits = self.case, self.limits
        assert status.part is not None
        values = dict(
            part=status.part.name, months=status.months, end=status.end.isoformat(), n=case.failed_repairs
        )
        if not status.covered:
            self.grant(
                [Outcome.REPAIR_PAID],
                self.cite(
                    "accessory",
                    "mp_accessory",
                    T(
                        "{part}已超过其三包有效期（{months}个月，截至{end}）：收费更换或修理",
                        "{part} is past its own period ({months} months, ended {end}): paid replacement or repair",
                    ).format(**values),
                ),
            )
            return
        if case.failed_repairs >= limits.accessory_replacements_for_return:
            step = self.cite(
                "accessory",
                "mp_accessory",
                T(
                    "{part}已免费更换{n}次仍有故障：予以退货",
                    "{part} has been replaced free {n} times and still fails: it is returned",
                ).format(**values),
            )
            self.grant([Outcome.EXCHANGE], step)
            self.grant_quality_return(step, case.price_paid)
            return
        self.grant(
            [Outcome.EXCHANGE],
            self.cite(
                "accessory",
                "mp_accessory",
                T(
                    "{part}在其三包有效期内（{months}个月，截至{end}）出现故障：免费更换；附件故障不适用主机退货",
                    "{part} fails within its own period ({months} months, through {end}): free replacement; an "
                    "accessory fault does not make the host returnable",
                ).format(**values),
            ),
        )

    # -- layer 2: company promises -------------------------------------------------------------

    def company_promises(self) -> None:
        promises, case = self.policy.promises, self.case
        if not promises.enabled or not promises.store_no_reason:
            return
        if case.reason != Reason.NO_REASON or case.channel != Channel.STORE:
            return

        def refuse(finding: Text, clause_code: str = "cp_store_no_reason") -> None:
            self.refuse(self.cite("store_no_reason", clause_code, finding))

        if case.category in promises.excluded_categories:
            refuse(
                T(
                    "类别“{c}”不在店购无理由退换承诺范围内",
                    "category '{c}' is excluded from the in-store promise",
                ).format(c=case.category)
            )
            return
        goods_class = self.goods_class()
        if goods_class.no_reason_rule == NoReasonRule.EXCLUDED or (
            goods_class.no_reason_rule == NoReasonRule.EXCLUDED_IF_CONFIRMED and case.confirmed_not_returnable
        ):
            refuse(
                T(
                    "{name}不能再次销售，不在承诺范围内",
                    "{name} cannot be resold: not covered by the promise",
                ).format(name=goods_class.name)
            )
            return
        not_resalable = _conditions([c for c in case.condition if c in NOT_INTACT_CLAUSE])
        if not_resalable:
            self.refused_for.update(not_resalable)
            refuse(
                T(
                    "商品{labels}，不符合清洁、无损、可再次销售的条件",
                    "goods {labels}: not clean, undamaged and resalable",
                ).format(labels=_labels(not_resalable))
            )
            return
        bought = case.invoice_date or case.signed_date
        if bought is None:
            refuse(T("没有发票或其他购物凭证", "no invoice or other proof of purchase"))
            return
        day = day_number(bought, case.request_date)
        if self.catalog.category(case.category) is not None:
            n = promises.sanbao_as_normal_days
            if day > n:
                refuse(
                    T(
                        "三包商品售出后第{day}日，超过{n}日，须凭有关部门的质量检测报告按质量问题办理",
                        "三包 goods on day {day} after sale, past {n} days: only with a quality inspection report, "
                        "as a quality claim",
                    ).format(day=day, n=n),
                    "cp_sanbao_as_normal",
                )
                return
            self.cite(
                "store_no_reason",
                "cp_sanbao_as_normal",
                T(
                    "三包商品售出后第{day}日，按普通商品办理",
                    "三包 goods on day {day} after sale: handled as ordinary goods",
                ).format(day=day),
            )
        elif promises.store_no_reason_days is not None and day > promises.store_no_reason_days:
            refuse(
                T(
                    "售出后第{day}日，超过承诺的{n}日", "day {day} after sale, past the promised {n} days"
                ).format(day=day, n=promises.store_no_reason_days)
            )
            return
        step = self.cite(
            "store_no_reason",
            "cp_store_no_reason",
            T(
                "商品清洁、无损、可再次销售，凭购物凭证可以无理由退货或换货",
                "the goods are clean, undamaged and resalable: return or exchange without a reason with the proof "
                "of purchase",
            ),
        )
        self.grant([Outcome.EXCHANGE], step)
        self.grant_no_reason_return(step)

    # -- layer 3: company price rules ----------------------------------------------------------

    def price_rules(self) -> None:
        rules, case = self.policy.price_rules, self.case
        if not rules.enabled:
            return
        refund = self.refund
        if refund is not None and refund.layer == Layer.COMPANY_PROMISE:
            self.cite(
                "refund_basis",
                "pr_discount",
                T(
                    "按实际支付的价格（折扣价）退款",
                    "refunded at the price actually paid (the discounted price)",
                ),
            )
            current = rules.seasonal_current_price(case) if rules.seasonal_current_price else None
            if current is not None and current < case.price_paid:
                markdown = case.price_paid - current
                amount = clamp(refund.amount - markdown, ZERO, refund.amount)
                self.cite(
                    "refund_basis",
                    "pr_seasonal",
                    T(
                        "季节性商品过季退货，按现价{cur}元计，退款减少{m}元",
                        "seasonal goods returned after the season: current price {cur}, the refund is {m} less",
                    ).format(cur=format_cny(current), m=format_cny(markdown)),
                )
                self.refund = replace(refund, amount=cny(amount))
        elif (
            refund is not None
            and case.reason == Reason.QUALITY
            and refund.depreciation > ZERO
            and Condition.DAMAGED in case.condition
            and not (case.condition & rules.customer_damage_conditions)
        ):
            self.cite(
                "refund_basis",
                "pr_company_damage",
                T(
                    "商品损坏系公司原因，按原价{p}元退款，不收折旧费",
                    "the damage is the company's fault: refund of the original price {p}, no depreciation",
                ).format(p=format_cny(case.price_paid)),
            )
            self.refund = replace(refund, amount=case.price_paid, depreciation=ZERO)
        # Only a refusal that rests on the customer's own damage turns into an offer of help.
        customer_damage = _conditions(list(self.refused_for & rules.customer_damage_conditions))
        if not self.grants and customer_damage:
            self.grant(
                [Outcome.REPAIR_PAID],
                self.cite(
                    "customer_damage",
                    "pr_customer_damage",
                    T(
                        "损坏系顾客原因（{labels}）：不予退换，由员工协助修理（收费）或协商解决",
                        "damage caused by the customer ({labels}): no return; staff help with a paid repair or "
                        "negotiate",
                    ).format(labels=_labels(customer_damage)),
                ),
            )

    # -- the decision ----------------------------------------------------------------------------

    def deadlines(self, options: tuple[Outcome, ...]) -> None:
        case, limits, refund = self.case, self.limits, self.refund
        # A return the company grants beyond the law keeps the company's own deadline, so only
        # statutory refunds are measured against the law's.
        statutory_refund = refund is not None and refund.layer == Layer.LAW and Outcome.RETURN in options
        if refund is not None and statutory_refund and case.refund_date is not None:
            if refund.no_reason:
                received = case.goods_received_back_date
                if received is not None:
                    due7 = received + timedelta(days=limits.no_reason_refund_days)
                    if case.refund_date > due7:
                        self.violation(
                            "refund_late",
                            "cpl_25_3",
                            due7,
                            case.refund_date,
                            T(
                                "收到退货后未在{n}日内退款（应于{{due}}前，实际{{actual}}，逾期{{late}}日）",
                                "refund not made within {n} days of receiving the goods back (due {{due}}, made "
                                "{{actual}}, {{late}} days late)",
                            ).format(n=limits.no_reason_refund_days),
                        )
                    due15 = received + timedelta(days=limits.deliberate_delay_days)
                    if case.refund_date > due15:
                        self.violation(
                            "refund_deliberate_delay",
                            "pen_9_4",
                            due15,
                            case.refund_date,
                            T(
                                "收到退货后超过{n}日未退款，视为故意拖延（应于{{due}}前，实际{{actual}}）",
                                "refund more than {n} days after receiving the goods back is deemed a deliberate "
                                "delay (due {{due}}, made {{actual}})",
                            ).format(n=limits.deliberate_delay_days),
                        )
            elif refund.due_date is not None and case.refund_date > refund.due_date:
                self.violation(
                    "refund_deliberate_delay",
                    "pen_8",
                    refund.due_date,
                    case.refund_date,
                    T(
                        "自提出退货要求起超过{n}日未退款，视为故意拖延（应于{{due}}前，实际{{actual}}）",
                        "refund more than {n} days after the request is deemed a deliberate delay (due {{due}}, "
                        "made {{actual}})",
                    ).format(n=limits.deliberate_delay_days),
                )
        if case.in_repair_since is not None and Outcome.REPAIR_FREE in options:
            due = case.in_repair_since + timedelta(days=limits.deliberate_delay_days)
            if case.request_date > due:
                self.violation(
                    "repair_deliberate_delay",
                    "pen_8",
                    due,
                    case.request_date,
                    T(
                        "送修后超过{n}日仍未修好，视为故意拖延（应于{{due}}前，至{{actual}}仍未完成）",
                        "not repaired more than {n} days after being handed in: deemed a deliberate delay (due "
                        "{{due}}, still open on {{actual}})",
                    ).format(n=limits.deliberate_delay_days),
                )

    def decide(self) -> Decision:
        case = self.case
        options = tuple(o for o in OPTION_ORDER if o in self.grants)
        wanted: Outcome | None = None
        if not options:
            outcome = Outcome.REJECT
            decisive = self.refusal if self.refusal is not None else len(self.steps) - 1
        else:
            if case.wants == Wants.RETURN:
                wanted = Outcome.RETURN
            elif case.wants == Wants.EXCHANGE:
                wanted = Outcome.EXCHANGE
            elif case.wants == Wants.REPAIR:
                wanted = Outcome.REPAIR_FREE if Outcome.REPAIR_FREE in options else Outcome.REPAIR_PAID
            outcome = wanted if wanted in options else options[0]
            decisive = self.grants[outcome]
        if Outcome.EXCHANGE in options and case.reason == Reason.QUALITY:
            self.cite(
                "exchange_terms",
                "sb_14",
                T(
                    "换货须提供新品，不得提供修理过的产品；三包有效期自换货之日起重新计算",
                    "an exchange gives a new, never repaired product whose 三包 period starts on the exchange day",
                ),
            )
        self.deadlines(options)
        refund = self.refund if Outcome.RETURN in options else None
        payer: Payer | None
        if outcome == Outcome.RETURN and refund is not None:
            payer = refund.payer
        elif outcome in (Outcome.EXCHANGE, Outcome.REPAIR_FREE):
            payer = (
                Payer.BUSINESS
                if case.reason == Reason.QUALITY
                or (self.policy.promises.enabled and self.policy.promises.free_return_shipping)
                else Payer.CONSUMER
            )
        elif outcome == Outcome.REPAIR_PAID:
            payer = Payer.CONSUMER
        else:
            payer = None
        steps = tuple(replace(s, decisive=(i == decisive)) for i, s in enumerate(self.steps))
        refund_due = refund.due_date if (refund is not None and outcome == Outcome.RETURN) else None
        decision = Decision(
            outcome=outcome,
            options=options,
            refund_amount=None if refund is None else refund.amount,
            depreciation=None if refund is None else refund.depreciation,
            return_shipping_paid_by=payer,
            refund_due_date=refund_due,
            violations=tuple(self.violations),
            clauses=steps,
            explanation=T("", ""),
        )
        unmet = wanted if (options and wanted is not None and wanted != outcome) else None
        if not options and case.wants is not None:
            unmet = {Wants.RETURN: Outcome.RETURN, Wants.EXCHANGE: Outcome.EXCHANGE}.get(
                case.wants, Outcome.REPAIR_FREE
            )
        return replace(decision, explanation=explain(decision, unmet_wish=unmet))


def explain(decision: Decision, *, unmet_wish: Outcome | None = None) -> Text:
    """The decision in a few sentences: conclusion, deciding clause, money, then each step."""
    parts: list[Text] = []
    deciding = decision.decided_by
    conclusion = T("结论：{o}", "Decision: {o}").format(o=OUTCOME_LABELS[decision.outcome])
    if deciding is not None:
        conclusion = T("{c}（{layer}：{source}{article}）", "{c} ({layer}: {source}, {article})").format(
            c=conclusion,
            layer=LAYER_LABELS[deciding.layer],
            source=deciding.clause.source.name,
            article=deciding.clause.article,
        )
    parts.append(conclusion)
    if unmet_wish is not None:
        parts.append(
            T(
                "消费者要求{w}，依据下列规定不能满足",
                "the consumer asked for {w}, which the rules below do not give",
            ).format(w=OUTCOME_LABELS[unmet_wish])
        )
    if decision.options:
        parts.append(
            T("可选择：{o}", "options: {o}").format(
                o=join([OUTCOME_LABELS[o] for o in decision.options], "、", ", ")
            )
        )
    if decision.refund_amount is not None:
        money = T("退货退款{a}元", "a return refunds {a}").format(a=format_cny(decision.refund_amount))
        if decision.depreciation:
            money = T("{m}（已扣折旧费{d}元）", "{m} (after depreciation of {d})").format(
                m=money, d=format_cny(decision.depreciation)
            )
        parts.append(money)
    if decision.return_shipping_paid_by is not None:
        parts.append(
            T("运费由{p}承担", "shipping paid by {p}").format(
                p=PAYER_LABELS[decision.return_shipping_paid_by]
            )
        )
    if decision.refund_due_date is not None:
        parts.append(T("最迟退款日{d}", "refund due by {d}").format(d=decision.refund_due_date.isoformat()))
    head = join(parts, "；", "; ")
    steps = join([c.finding for c in decision.clauses], "；", "; ")
    text = T("{head}。依据：{steps}。", "{head}. Grounds: {steps}.").format(head=head, steps=steps)
    if decision.violations:
        text = T("{t}违规提示：{v}。", "{t} Violations: {v}.").format(
            t=text, v=join([v.message for v in decision.violations], "；", "; ")
        )
    return text
