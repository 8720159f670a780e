"""Demo returns on top of ``aftersales demo``: 退换货 requests the agents opened on customers'
units, each carried through the return flow to a step of its own —
evaluated by the 三包 engine, approved or rejected, goods received back and inspected
(condition, cause, responsible department), refunded (some split over the means the customer
paid with), exchanged for a new unit, repaired, closed, or cancelled.

Each story picks a unit of the 三包 catalog whose dates fit it (a failure on day 3 after the
installation, a no-reason return on day 4 after signing, a request past the 7 days, a unit out
of its period...) and is dated from that unit: the request after the purchase, every later move
a little later, all in the past. Open requests are the recent ones. Everything goes through
the services; running it twice does nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from aftersales.catalog.models import Unit
from aftersales.core.clock import frozen_at, local_date, local_today, local_tz, now
from aftersales.core.errors import DomainError
from aftersales.returns import selectors, services
from aftersales.returns.models import ReturnCase
from aftersales.returns.policy import warranty_start
from aftersales.returns.policy.types import Channel
from aftersales.returns.workflow import RETURN_STATES
from aftersales.service.models import ServiceRequest
from aftersales.service.workflow import RequestType

# The way customers name their goods, and the failure each kind of product comes back with.
PRODUCTS = {
    "air_conditioner": "空调",
    "refrigerator": "冰箱",
    "washing_machine": "洗衣机",
    "flat_panel_tv": "液晶电视",
    "mobile_phone": "手机",
    "laptop": "笔记本电脑",
    "gas_water_heater": "燃气热水器",
    "range_hood": "油烟机",
}
FAULTS = {
    "air_conditioner": "不制冷，外机不启动",
    "refrigerator": "冷藏室不制冷，压缩机频繁启停",
    "washing_machine": "脱水时剧烈震动并报E3故障",
    "flat_panel_tv": "屏幕出现竖向亮线",
    "mobile_phone": "频繁死机重启，无法正常通话",
    "laptop": "开机黑屏，风扇狂转",
    "gas_water_heater": "打不着火，显示E1故障",
    "range_hood": "电机异响，吸力明显下降",
}
REPAIRS = {
    "air_conditioner": "更换室外机启动电容，补充制冷剂，试机制冷正常",
    "refrigerator": "更换温控器并补充制冷剂，试机24小时制冷正常",
    "washing_machine": "更换减震吊杆，校正内筒平衡，试机脱水正常",
    "flat_panel_tv": "更换屏幕驱动板，图像恢复正常",
    "mobile_phone": "更换主板并刷写系统，测试通话、充电正常",
    "laptop": "更换内存条，开机自检通过，系统运行正常",
    "gas_water_heater": "更换点火针和脉冲点火器，试机出热水正常",
    "range_hood": "更换电机及风轮，试机吸力恢复正常",
}
# Where a unit was sold tells how: these shops are distance sales (网购).
ONLINE_SHOPS = ("京东", "天猫", "淘宝", "拼多多", "网店")

ALL = tuple(PRODUCTS)
CARRIED_IN = ("refrigerator", "washing_machine", "flat_panel_tv", "mobile_phone", "laptop")
# Goods people send back without a reason (not the ones fixed to the wall).
PORTABLE = ("mobile_phone", "laptop", "flat_panel_tv", "washing_machine", "refrigerator")
DEFECT = {"cause": "product_defect", "department": "manufacturer"}

# Hours after the previous move, unless the story says otherwise.
PACE = {
    "evaluate": 0.5,
    "approve": 2,
    "reject": 1.5,
    "receive": 24,
    "refund": 28,
    "exchange": 50,
    "repair": 70,
    "close": 26,
    "cancel": 4,
}


@dataclass(frozen=True)
class Step:
    action: str
    hours: float | None = None
    note: str = ""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Story:
    """One return as it happened. ``days``: the request came on one of these days after the
    period started (after signing, for a no-reason return); ``ago``: at least / at most so many
    days before today (open requests are recent ones)."""

    key: str
    reason: str
    categories: tuple[str, ...]
    days: tuple[int, int]
    description: str
    steps: tuple[Step, ...]
    wants: str | None = None
    channel: str | None = None  # None: as the unit was sold
    condition: tuple[str, ...] = ()
    ago: tuple[int, int | None] = (0, None)


QUALITY_RETURN = "{product}{since}第{day}天{fault}，客户要求退货"
NO_REASON = "网购{product}签收后第{day}天申请七天无理由退货：{why}"

# The most demanding stories first: each takes the unit that fits it best.
STORIES = (
    Story(
        "refund_waiting",
        "quality",
        ALL,
        (1, 6),
        QUALITY_RETURN,
        (
            Step("evaluate"),
            Step("approve", note="符合七日内性能故障退货条件，同意退货"),
            Step(
                "receive",
                20,
                "检测确认故障属实，属产品质量问题；外包装已拆，配件齐全，待财务原路退款",
                {"condition": ["packaging_opened"], **DEFECT},
            ),
        ),
        wants="return",
        ago=(1, 6),
    ),
    Story(
        "misuse_found",
        "quality",
        ("mobile_phone", "laptop"),
        (1, 6),
        QUALITY_RETURN,
        (
            Step("evaluate"),
            Step("approve", note="客户称七日内出现性能故障，先同意退货，待验货确认"),
            Step(
                "receive",
                22,
                "验货发现机身进水，主板有腐蚀痕迹，属使用不当造成的损坏",
                {"condition": ["misuse"], "cause": "customer_damage", "department": "none"},
            ),
            Step("reject", 3, "验货发现进水损坏，不属于三包范围，不能退货；已告知客户可收费维修"),
        ),
        wants="return",
        ago=(1, None),
    ),
    Story(
        "refunded",
        "quality",
        ("flat_panel_tv", "refrigerator", "washing_machine"),
        (1, 5),
        QUALITY_RETURN,
        (
            Step("evaluate"),
            Step("approve", note="七日内性能故障，按发票价格全额退货"),
            Step(
                "receive",
                None,
                "检测确认故障属实，属产品质量问题",
                {"condition": ["packaging_opened"], **DEFECT},
            ),
            Step("refund", note="已按原支付方式全额退款"),
        ),
        wants="return",
        ago=(1, None),
    ),
    Story(
        "exchanged",
        "quality",
        ("mobile_phone", "laptop", "flat_panel_tv"),
        (2, 6),
        "{product}{since}第{day}天{fault}，客户要求换一台新的",
        (
            Step("evaluate"),
            Step("approve", note="七日内性能故障，客户选择换货"),
            Step("receive", None, "检测确认故障属实，旧机退回厂家", DEFECT),
            Step("exchange", note="已更换同型号新机，三包有效期自换货之日起重新计算"),
        ),
        wants="exchange",
        ago=(1, None),
    ),
    Story(
        "no_reason_refunded",
        "no_reason",
        ("mobile_phone", "laptop", "flat_panel_tv"),
        (2, 6),
        NO_REASON.replace("{why}", "颜色和预期不符，包装已拆、商品完好"),
        (
            Step("evaluate"),
            Step("approve", note="七日内无理由退货，商品完好，同意退货；退货运费由客户承担"),
            Step(
                "receive",
                48,
                "商品完好，配件、说明书、发票齐全",
                {"condition": ["packaging_opened"], "cause": "change_of_mind", "department": "none"},
            ),
            Step("refund", note="已按原支付方式退款"),
        ),
        channel="online",
        condition=("packaging_opened",),
        ago=(1, None),
    ),
    Story(
        "repaired",
        "quality",
        ("range_hood", "gas_water_heater", "air_conditioner"),
        (8, 15),
        "{product}{since}第{day}天{fault}，客户要求上门修好",
        (
            Step("evaluate"),
            Step("approve", note="十五日内性能故障，客户选择修理，免费维修"),
            Step("receive", None, "上门拆机检测，确认为主要部件质量问题", DEFECT),
            Step("repair", note="{repair}"),
        ),
        wants="repair",
        ago=(1, None),
    ),
    Story(
        "in_repair",
        "quality",
        CARRIED_IN,
        (30, 330),
        "{product}使用约{months}个月后{fault}，申请三包维修",
        (
            Step("evaluate"),
            Step("approve", note="在三包有效期内，免费修理"),
            Step("receive", 22, "已取回检测，故障属实，等待配件到货维修", DEFECT),
        ),
        wants="repair",
        ago=(1, 4),
    ),
    Story(
        "waiting_for_goods",
        "quality",
        ALL,
        (30, 330),
        "{product}使用约{months}个月后{fault}，客户要求换新机",
        (
            Step("evaluate"),
            Step("approve", note="已超过十五日，只能免费修理；已向客户说明，客户同意送修"),
        ),
        wants="exchange",
        ago=(1, 3),
    ),
    Story(
        "evaluated",
        "quality",
        ALL,
        (30, 330),
        "{product}使用约{months}个月后{fault}，客户坚持要求退货",
        (Step("evaluate"),),
        wants="return",
        ago=(0, 2),
    ),
    Story(
        "just_registered",
        "quality",
        ALL,
        (16, 330),
        "{product}{fault}，客户来电要求退换",
        (),
        ago=(0, 1),
    ),
    Story(
        "refunded_and_closed",
        "quality",
        ("refrigerator", "washing_machine"),
        (2, 5),
        "{product}到货第{day}天{fault}，客户要求退货",
        (
            Step("evaluate"),
            Step("approve", note="七日内性能故障，同意退货，按发票价格全额退款"),
            Step("receive", None, "上门取回，检测确认压缩机/电机故障，属产品质量问题", DEFECT),
            Step(
                "refund",
                note="按原支付方式拆分退款：微信部分原路退回，其余退回银行卡",
                params={"split": "wechat"},
            ),
            Step("close", note="已原路退款，客户确认到账"),
        ),
        wants="return",
    ),
    Story(
        "exchanged_and_closed",
        "quality",
        ("air_conditioner", "refrigerator", "flat_panel_tv", "washing_machine"),
        (8, 15),
        "{product}{since}第{day}天{fault}，客户要求换货",
        (
            Step("evaluate"),
            Step("approve", note="十五日内性能故障，客户选择换货"),
            Step("receive", None, "检测确认故障属实，旧机退回厂家", DEFECT),
            Step("exchange", note="新机已送达并安装调试，三包有效期重新计算"),
            Step("close", note="回访：新机运行正常，客户满意"),
        ),
        wants="exchange",
    ),
    Story(
        "override",
        "quality",
        ("air_conditioner", "flat_panel_tv"),
        (8, 14),
        "{product}{since}第{day}天{fault}，安装曾延误一周，客户坚决要求退货",
        (
            Step("evaluate"),
            Step(
                "approve",
                6,
                "安装延误一周且故障影响使用，客户多次投诉；经理特批退货，全额退款",
                {"outcome": "return", "manager": True},
            ),
            Step(
                "receive",
                None,
                "拆机检查：安装时管路弯折导致故障",
                {"cause": "installation_fault", "department": "installation"},
            ),
            Step("refund", note="经理特批全额退款，按原支付方式拆分退回", params={"split": "wechat"}),
            Step("close", note="已退款并回访致歉，客户接受处理结果"),
        ),
        wants="return",
    ),
    Story(
        "no_reason_closed",
        "no_reason",
        ("laptop", "mobile_phone", "flat_panel_tv"),
        (1, 6),
        NO_REASON.replace("{why}", "家人已另购同款，商品未使用"),
        (
            Step("evaluate"),
            Step("approve", note="七日内无理由退货，商品完好，同意退货"),
            Step(
                "receive",
                48,
                "外包装已拆，商品未激活，配件齐全",
                {"condition": ["packaging_opened"], "cause": "change_of_mind", "department": "none"},
            ),
            Step("refund", note="按原支付方式拆分退回支付宝和银行卡", params={"split": "alipay"}),
            Step("close", note="退款已到账，结案"),
        ),
        channel="online",
        condition=("packaging_opened",),
    ),
    Story(
        "no_reason_too_late",
        "no_reason",
        PORTABLE,
        (10, 25),
        NO_REASON.replace("七天无理由退货", "无理由退货").replace("{why}", "客户觉得不太实用"),
        (
            Step("evaluate"),
            Step("reject", note="签收已超过七日，不适用七日无理由退货；如有质量问题可申请检测维修"),
            Step("close", 3, "已电话告知客户，客户表示理解"),
        ),
        channel="online",
    ),
    Story(
        "paid_repair",
        "quality",
        ("air_conditioner", "refrigerator", "washing_machine", "gas_water_heater"),
        (400, 1000),
        "{product}使用约{months}个月后{fault}，客户要求换新机",
        (
            Step("evaluate"),
            Step("approve", note="已过三包有效期，不能换货；客户同意收费维修"),
            Step("receive", None, "检测确认部件老化损坏，已过三包有效期，按收费维修处理", DEFECT),
            Step("repair", note="{repair}；已过三包期，按收费标准收取材料费和工时费"),
            Step("close", note="回访：维修后使用正常"),
        ),
        wants="exchange",
    ),
    Story(
        "withdrawn",
        "no_reason",
        PORTABLE,
        (1, 5),
        NO_REASON.replace("{why}", "客户觉得买贵了"),
        (
            Step("evaluate"),
            Step("cancel", 20, "客户决定保留商品，撤回退货申请"),
        ),
        channel="online",
    ),
    Story(
        "store_no_reason",
        "no_reason",
        PORTABLE,
        (2, 10),
        "在门店购买的{product}，买回第{day}天客户觉得不合适，想无理由退货",
        (
            Step("evaluate"),
            Step("cancel", 2, "已向客户说明门店购买不适用七日无理由退货，客户撤回申请"),
        ),
        channel="store",
    ),
)


@dataclass
class Placed:
    """A story placed on a unit: when the request came and when each move happened."""

    story: Story
    unit: Unit
    channel: str
    signed: dt.date | None
    since: str
    day: int
    times: list[dt.datetime]


def _working_hours(at: dt.datetime) -> dt.datetime:
    """Moves happen in the daytime: a time in the evening or the night moves to 9 o'clock."""
    local = at.astimezone(local_tz())
    if local.hour >= 19:
        local = (local + dt.timedelta(days=1)).replace(hour=9)
    elif local.hour < 8:
        local = local.replace(hour=9)
    return local


def _online(unit: Unit) -> bool:
    return any(shop in unit.store for shop in ONLINE_SHOPS)


class Command(BaseCommand):
    help = "Load demo returns carried through the return flow (idempotent)."

    def handle(self, *args: Any, **opts: Any) -> None:
        if ReturnCase.objects.exists():
            self.stdout.write(_("Demo returns already loaded: skipped."))
            return
        users = get_user_model().objects.in_bulk(
            ["agent", "agent2", "agent3", "manager", "quality"], field_name="username"
        )
        if len(users) < 5:
            self.stdout.write(
                _("Demo returns need the demo users (agent, agent2, agent3, manager, quality): skipped.")
            )
            return
        end = now()
        today = local_today()
        catalog = selectors.load_policy_catalog()
        requests = ServiceRequest.objects.filter(unit__isnull=False)
        # A unit with a return still open would only add a repeat contact to it.
        returning = set(
            requests.filter(type=RequestType.RETURN, is_open=True).values_list("unit_id", flat=True)
        )
        units = [
            u
            for u in Unit.objects.select_related("product_model__category").order_by("id")
            if u.product_model.category.code in PRODUCTS
            and catalog.category(u.product_model.category.code) is not None
            and u.pk not in returning
        ]
        used: set[int] = set()
        # Units with no other request tell the clearest story.
        busy = set(requests.values_list("unit_id", flat=True))
        agents = [users["agent"], users["agent2"], users["agent3"]]
        made: Counter[str] = Counter()
        for i, story in enumerate(STORIES):
            placed = self.place(story, i, units, used, busy, catalog, today, end)
            if placed is None:
                continue
            used.add(placed.unit.pk)
            try:
                with transaction.atomic():
                    status = self.tell(placed, agents[i % len(agents)], users)
            except DomainError as error:
                self.stderr.write(
                    _("Demo return “%(story)s” not loaded: %(error)s [%(code)s]")
                    % {"story": story.key, "error": error.text(), "code": error.code}
                )
                continue
            made[status] += 1
        parts = [
            _("%(state)s %(n)s") % {"state": label, "n": made[code]}
            for code, label in RETURN_STATES
            if made[code]
        ]
        self.stdout.write(
            _("Demo returns: %(n)s (%(states)s)")
            % {"n": sum(made.values()), "states": pgettext("list separator", ", ").join(parts)}
        )

    # -- a unit and dates for each story -------------------------------------------------------------

    def place(
        self,
        story: Story,
        index: int,
        units: list[Unit],
        used: set[int],
        busy: set[int],
        catalog: Any,
        today: dt.date,
        end: dt.datetime,
    ) -> Placed | None:
        """The unit that fits the story best: one with no other requests, then the most recent
        request date the story allows; None when no unit fits."""
        best: tuple[tuple[bool, dt.datetime, int], Placed] | None = None
        hour, minute = 9 + (index * 5) % 9, (index * 23) % 60
        for unit in units:
            code = unit.product_model.category.code
            if unit.pk in used or code not in story.categories:
                continue
            online = _online(unit)
            if story.channel is not None and online != (story.channel == Channel.ONLINE):
                continue
            channel = Channel.ONLINE if online else Channel.STORE
            signed = (unit.delivery_date or unit.purchase_date) if online else None
            start = warranty_start(
                catalog.category(code),
                channel=channel,
                invoice_date=unit.purchase_date,
                signed_date=signed,
                installed_date=unit.commissioning_date,
            )
            if story.reason == "no_reason":
                base, since = signed or unit.purchase_date, "签收后"
            elif start is not None:
                base = start.date
                since = {"installation": "安装后", "signing": "签收后"}.get(start.basis, "购买后")
            else:
                continue
            # The customer has had the goods for a day at least.
            had = max(d for d in (unit.purchase_date, unit.delivery_date, unit.commissioning_date) if d)
            low, high = story.days
            high = min(high, (today - dt.timedelta(days=story.ago[0]) - base).days)
            if story.ago[1] is not None:
                low = max(low, (today - dt.timedelta(days=story.ago[1]) - base).days)
            for day in range(high, low - 1, -1):
                date = base + dt.timedelta(days=day)
                if date <= had:
                    break
                received = dt.datetime.combine(date, dt.time(hour, minute), tzinfo=local_tz())
                times = [received]
                for step in story.steps:
                    hours = step.hours if step.hours is not None else PACE[step.action]
                    times.append(_working_hours(times[-1] + dt.timedelta(hours=hours)))
                if times[-1] > end - dt.timedelta(minutes=10):
                    continue
                score = (unit.pk not in busy, received, -unit.pk)
                if best is None or score > best[0]:
                    best = (score, Placed(story, unit, channel, signed, since, day, times))
                break
        return best[1] if best is not None else None

    # -- the story through the services ----------------------------------------------------------------

    def tell(self, placed: Placed, agent: Any, users: dict[str, Any]) -> str:
        story, unit = placed.story, placed.unit
        code = unit.product_model.category.code
        received = placed.times[0]
        words = {
            "product": PRODUCTS[code],
            "fault": FAULTS[code],
            "since": placed.since,
            "day": placed.day,
            "months": max(1, placed.day // 30),
            "repair": REPAIRS[code],
        }
        facts = selectors.ReturnFacts(
            reason=story.reason,
            channel=placed.channel,
            signed_date=placed.signed,
            performance_failure=story.reason == "quality",
            condition=list(story.condition),
            wants=story.wants,
        )
        with frozen_at(received + dt.timedelta(minutes=3)):
            sr = services.open_return_case(
                unit=unit,
                facts=facts,
                description=story.description.format(**words),
                actor=agent,
                channel="web" if placed.channel == Channel.ONLINE and placed.day % 2 else "phone",
                received_at=received,
            ).request
        for step, at in zip(story.steps, placed.times[1:], strict=True):
            note = step.note.format(**words)
            with frozen_at(at):
                sr = self.move(sr, unit, step, note, agent, users)
        return str(sr.status)

    def move(
        self, sr: ServiceRequest, unit: Unit, step: Step, note: str, agent: Any, users: dict[str, Any]
    ) -> Any:
        quality, params = users["quality"], step.params
        if step.action == "evaluate":
            return services.evaluate_return(request=sr, actor=agent)
        if step.action == "approve":
            if params.get("outcome") == "return":
                # Another remedy than the engine's: the manager decides, with the reason.
                return services.approve_return(
                    request=sr,
                    actor=users["manager"],
                    outcome="return",
                    refund_amount=unit.price_paid,
                    note=note,
                )
            return services.approve_return(request=sr, actor=agent, note=note)
        if step.action == "reject":
            return services.reject_return(request=sr, actor=agent, note=note)
        if step.action == "receive":
            return services.receive_goods(
                request=sr,
                actor=quality,
                condition=params.get("condition", []),
                cause=params["cause"],
                responsible_department=params["department"],
                note=note,
            )
        if step.action == "refund":
            return services.refund_return(
                request=sr, actor=agent, payments=self.payments(unit, params.get("split")), note=note
            )
        if step.action == "exchange":
            serial = f"{unit.product_model.code.split('-')[0]}{local_date(now()):%y%m}H{unit.pk:05d}"
            return services.exchange_return(request=sr, actor=agent, new_serial_number=serial, note=note)
        if step.action == "repair":
            return services.repair_return(request=sr, actor=quality, note=note)
        if step.action == "close":
            return services.close_return(request=sr, actor=agent, note=note)
        return services.cancel_return(request=sr, actor=agent, note=note)

    def payments(self, unit: Unit, first: str | None) -> list[tuple[str, Decimal]] | None:
        """How the customer paid: part by WeChat or Alipay, the rest by bank card (None: one means)."""
        price = unit.price_paid
        if first is None or price <= Decimal("1000"):
            return None
        part = Decimal("500.00") if first == "wechat" else Decimal("1000.00")
        return [(first, part), ("bank_card", price - part)]
