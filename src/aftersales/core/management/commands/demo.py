"""Load a realistic Chinese demo data set: zones, stations, technicians, users for every role,
customers, units, and service requests of every type in every state, each written through the
same services the pages and the API use (so every request has its full history)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from aftersales.catalog import services as catalog_services
from aftersales.catalog.models import Category, ProductModel
from aftersales.core.clock import frozen_at, local_tz, now
from aftersales.customers import services as customer_services
from aftersales.customers.models import District, Zone
from aftersales.dispatch import services as dispatch_services
from aftersales.service import services as sr
from aftersales.service.models import ServiceRequest

DEMO_PASSWORD = "aftersales"

ZONES = [
    ("SH-URBAN", "上海市区", "urban", ["黄浦区", "徐汇区", "静安区", "长宁区", "普陀区", "虹口区", "杨浦区"]),
    ("SH-SUBURBAN", "上海近郊", "suburban", ["闵行区", "宝山区", "嘉定区", "浦东新区", "松江区", "青浦区"]),
    ("SH-RURAL", "上海远郊", "rural", ["崇明区", "金山区", "奉贤区"]),
]
STREETS = [
    "漕溪北路",
    "南京西路",
    "淮海中路",
    "虹桥路",
    "四平路",
    "莘庄镇莘松路",
    "宝杨路",
    "嘉定镇城中路",
    "张江高科碧波路",
    "松江新城人民北路",
    "城桥镇八一路",
    "朱泾镇人民路",
    "南桥镇解放东路",
    "曹杨路",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
)
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "志强",
    "海燕",
    "晓东",
    "玉兰",
    "文博",
    "思远",
    "雨桐",
    "子涵",
]
COMPANIES = [
    "上海宏达物业管理有限公司",
    "上海申城餐饮有限公司",
    "浦东新区第三中学",
    "上海锦江之星酒店",
    "徐汇区社区卫生服务中心",
    "上海安居置业有限公司",
    "闵行区图书馆",
    "上海银河物流有限公司",
    "嘉定区人民医院",
    "上海新纪元商贸有限公司",
]

CATEGORIES = [
    # code, name, months, starts, policy class, models: (code, name, install, bulky, price)
    (
        "air_conditioner",
        "空调",
        12,
        "installation",
        "sanbao",
        [
            ("KFR-35GW/A1", "壁挂式空调 1.5匹", True, True, "3299.00"),
            ("KFR-72LW/B3", "立柜式空调 3匹", True, True, "7999.00"),
        ],
    ),
    (
        "refrigerator",
        "电冰箱",
        12,
        "delivery",
        "sanbao",
        [
            ("BCD-520WK", "对开门冰箱 520升", False, True, "4599.00"),
            ("BCD-215T", "双门冰箱 215升", False, True, "1899.00"),
        ],
    ),
    (
        "washing_machine",
        "洗衣机",
        12,
        "delivery",
        "sanbao",
        [
            ("XQG100-D14", "滚筒洗衣机 10公斤", True, True, "2999.00"),
            ("XQB80-M21", "波轮洗衣机 8公斤", False, True, "1299.00"),
        ],
    ),
    (
        "flat_panel_tv",
        "平板电视",
        12,
        "installation",
        "sanbao",
        [
            ("TV65-Q8", "65英寸液晶电视", True, True, "5499.00"),
            ("TV55-E5", "55英寸液晶电视", True, True, "2999.00"),
        ],
    ),
    (
        "mobile_phone",
        "移动电话机",
        12,
        "invoice",
        "sanbao",
        [("P60-256G", "智能手机 256G", False, False, "4988.00")],
    ),
    (
        "laptop",
        "微型计算机",
        12,
        "invoice",
        "sanbao",
        [("NB14-R7", "14英寸笔记本电脑", False, False, "5999.00")],
    ),
    (
        "gas_water_heater",
        "燃气热水器",
        12,
        "installation",
        "sanbao",
        [("JSQ25-13", "燃气热水器 13升", True, True, "2399.00")],
    ),
    (
        "range_hood",
        "吸油烟机",
        12,
        "installation",
        "sanbao",
        [("CXW-200", "侧吸式油烟机", True, True, "2199.00")],
    ),
    (
        "security_system",
        "安防监控系统",
        24,
        "installation",
        "general",
        [("SEC-NVR16", "16路监控系统工程", True, True, "28000.00")],
    ),
]

FAULTS = {
    "repair": [
        "空调不制冷，外机不转",
        "洗衣机底部漏水",
        "冰箱冷藏室不凉，有异响",
        "电视有声音无图像",
        "热水器打不着火，显示E1",
        "油烟机吸力变小，噪音大",
        "手机充不进电",
        "笔记本开机黑屏",
        "监控有两路画面无信号",
        "空调室内机滴水",
    ],
    "installation": ["新购空调预约安装", "电视挂墙安装", "热水器安装调试", "油烟机安装", "滚筒洗衣机安装"],
    "delivery": ["冰箱送货上门", "洗衣机送货", "电视送货", "空调送货"],
    "maintenance": ["空调季前清洗保养", "监控系统季度巡检", "热水器年度安全检查"],
    "consultation": [
        "咨询空调遥控器怎么设置除湿",
        "询问冰箱保修期多久",
        "咨询洗衣机筒自洁方法",
        "问电视如何投屏",
        "咨询以旧换新政策",
    ],
    "complaint": [
        "维修人员迟到两个小时未提前通知",
        "安装后墙面损坏无人处理",
        "上门收费与报价不一致",
        "客服电话多次打不通",
    ],
    "return": ["新买的电视屏幕有坏点要求退货", "网购的手机七天内无理由退货", "冰箱到货三天制冷故障要求换货"],
    "suggestion": ["建议增加晚间上门服务时段", "建议在公众号上能查维修进度", "建议提供旧机回收服务"],
    "feedback": ["表扬技术员服务态度好", "反映配件价格偏高", "反映预约时间不够灵活"],
}
ANSWERS = ["已告知客户操作步骤，客户表示明白", "已告知保修政策：整机一年，主要部件三年", "已发送使用说明链接"]

TYPE_WEIGHTS = [
    ("repair", 40),
    ("installation", 12),
    ("delivery", 10),
    ("maintenance", 8),
    ("consultation", 12),
    ("complaint", 2),  # taken at the general intake, register still to fill in; more come below
    ("return", 5),
    ("suggestion", 3),
    ("feedback", 4),
]
FIELD_TARGETS = [
    "new",
    "assigned",
    "scheduled",
    "in_progress",
    "waiting_parts",
    "carried_back",
    "resolved",
    "closed",
    "cancelled",
    "reopened",
]
FIELD_PATH = {
    "new": [],
    "assigned": ["assign"],
    "scheduled": ["assign", "schedule"],
    "in_progress": ["assign", "schedule", "start"],
    "waiting_parts": ["assign", "schedule", "start", "wait_parts"],
    "carried_back": ["assign", "schedule", "start", "carry_back"],
    "resolved": ["assign", "schedule", "start", "resolve"],
    "closed": ["assign", "schedule", "start", "resolve", "close"],
    "cancelled": ["cancel"],
    "reopened": ["assign", "schedule", "start", "resolve", "reopen"],
}


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}"


class Command(BaseCommand):
    help = "Load the demo data set (idempotent with --if-empty)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when requests already exist.")
        parser.add_argument("--customers", type=int, default=200)
        parser.add_argument("--units", type=int, default=300)
        parser.add_argument("--requests", type=int, default=500)
        parser.add_argument("--seed", type=int, default=20261122)

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        if opts["if_empty"] and ServiceRequest.objects.exists():
            self.stdout.write("demo data already loaded")
            return
        rng = random.Random(opts["seed"])
        users = self.make_users()
        zones = self.make_zones()
        self.make_stations(users, zones, rng)
        models = self.make_catalog(users["admin"])
        customers = self.make_customers(opts["customers"], users, rng)
        units = self.make_units(opts["units"], customers, models, users, rng)
        created = self.make_requests(opts["requests"], customers, units, users, rng)
        # FAQ articles, surveys, an outbound campaign, suggestions and complaints on top.
        from django.core.management import call_command

        call_command("followup_demo")
        call_command("complaints_demo")
        call_command("returns_demo")
        self.stdout.write(
            f"demo data: {len(customers)} customers, {len(units)} units, {created} requests, "
            f"{len(users['technicians'])} technicians"
        )

    # -- people -----------------------------------------------------------------------------------
    def make_users(self) -> dict[str, Any]:
        user_model = get_user_model()

        def user(username: str, name: str, role: str, **extra: Any) -> Any:
            u, _ = user_model.objects.get_or_create(username=username, defaults={"first_name": name, **extra})
            u.set_password(DEMO_PASSWORD)
            u.save()
            u.groups.add(Group.objects.get(name=role))
            return u

        users: dict[str, Any] = {
            "admin": user("admin", "系统管理员", "admin", is_staff=True, is_superuser=True),
            "manager": user("manager", "周经理", "manager", is_staff=True),
            "dispatcher": user("dispatcher", "孙主管", "dispatcher"),
            "agents": [
                user("agent", "李客服", "agent"),
                user("agent2", "王话务", "agent"),
                user("agent3", "赵客服", "agent"),
            ],
            "parts": user("parts", "钱库管", "parts_clerk"),
            "quality": user("quality", "吴质检", "quality"),
            "customer_user": user("customer", "陈先生", "customer"),
        }
        users["technicians"] = []
        for i in range(1, 21):
            users["technicians"].append(user(f"tech{i:02d}", f"{SURNAMES[i]}师傅", "technician"))
        return users

    def make_zones(self) -> list[Zone]:
        zones = []
        for code, name, kind, districts in ZONES:
            zone, _ = Zone.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
            zones.append(zone)
            for district in districts:
                District.objects.get_or_create(
                    province="上海市", city="上海市", district=district, defaults={"zone": zone}
                )
        return zones

    def make_stations(self, users: dict[str, Any], zones: list[Zone], rng: random.Random) -> None:
        from aftersales.dispatch.models import Technician

        if Technician.objects.exists():
            return
        stations = [
            dispatch_services.create_station(
                code="ST-XH",
                name="徐汇服务部",
                kind="own",
                zones=[zones[0]],
                actor=users["admin"],
                phone="021-64001234",
            ),
            dispatch_services.create_station(
                code="ST-MH",
                name="闵行服务部",
                kind="own",
                zones=[zones[1], zones[2]],
                actor=users["admin"],
                phone="021-54001234",
            ),
            dispatch_services.create_station(
                code="ST-JS",
                name="金山特约维修站",
                kind="partner",
                zones=[zones[2], zones[1]],
                actor=users["admin"],
                phone="021-57001234",
            ),
        ]
        technicians = []
        for i, tech in enumerate(users["technicians"]):
            station = stations[i % 3]
            technicians.append(
                dispatch_services.register_technician(
                    user=tech,
                    station=station,
                    zones=list(station.zones.all()),
                    actor=users["admin"],
                    phone=mobile(rng),
                )
            )
        self.make_skills(technicians, users, rng)

    def make_skills(self, technicians: list[Any], users: dict[str, Any], rng: random.Random) -> None:
        """Skills per field type; every technician certified for them, two with an expired repair
        certificate (so the dispatch board has someone to refuse); the fee schedule."""
        from aftersales.dispatch.models import FeeItemKind, FeeScheduleItem, Skill

        skills = [
            Skill.objects.get_or_create(code=code, defaults={"name": name, "request_type": code})[0]
            for code, name in (
                ("delivery", "送货"),
                ("installation", "安装调试"),
                ("repair", "维修"),
                ("maintenance", "保养巡检"),
            )
        ]
        today = now().astimezone(local_tz()).date()
        for i, tech in enumerate(technicians):
            for skill in skills:
                expired = i % 10 == 9 and skill.code == "repair"
                dispatch_services.grant_certification(
                    technician=tech,
                    skill=skill,
                    category=None,
                    issued_on=today - dt.timedelta(days=400 if expired else 200),
                    expires_on=today - dt.timedelta(days=10) if expired else today + dt.timedelta(days=500),
                    actor=users["manager"],
                    certificate_number=f"CERT-{i:02d}-{skill.code}",
                )
        for code, name, kind, price, cost in (
            ("visit", "上门服务费", FeeItemKind.VISIT, "50.00", None),
            ("labor-basic", "基础维修工时", FeeItemKind.LABOR, "80.00", None),
            ("labor-complex", "复杂维修工时", FeeItemKind.LABOR, "150.00", None),
            ("part-capacitor", "启动电容", FeeItemKind.PART, "45.00", "28.00"),
            ("part-board", "主控板", FeeItemKind.PART, "380.00", "260.00"),
            ("part-pump", "排水泵", FeeItemKind.PART, "120.00", "75.00"),
        ):
            FeeScheduleItem.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "kind": kind,
                    "price": Decimal(price),
                    "cost_price": Decimal(cost) if cost else None,
                },
            )

    # -- catalog and customers -----------------------------------------------------------------------
    def make_catalog(self, actor: Any) -> list[ProductModel]:
        for code, name, months, starts, policy, models in CATEGORIES:
            category = Category.objects.filter(code=code).first() or catalog_services.save_category(
                actor=actor,
                code=code,
                name=name,
                warranty_months=months,
                warranty_starts=starts,
                return_policy_class=policy,
            )
            for mcode, mname, install, bulky, price in models:
                if not ProductModel.objects.filter(code=mcode).exists():
                    catalog_services.save_product_model(
                        actor=actor,
                        category_id=category.pk,
                        code=mcode,
                        name=mname,
                        needs_installation=install,
                        bulky=bulky,
                        list_price=Decimal(price),
                    )
        return list(ProductModel.objects.select_related("category"))

    def make_customers(self, count: int, users: dict[str, Any], rng: random.Random) -> list[Any]:
        customers = []
        districts = [(d, zone) for _, _, _, ds in ZONES for d in ds for zone in [None]]
        for i in range(count):
            company = i % 12 == 5
            name = COMPANIES[i % len(COMPANIES)] if company else rng.choice(SURNAMES) + rng.choice(GIVEN)
            district = rng.choice(districts)[0]
            phones = [mobile(rng)]
            if company or rng.random() < 0.2:
                phones.append(f"021-{rng.randint(50000000, 69999999)}")
            data = customer_services.CustomerInput(
                name=name,
                kind="company" if company else "person",
                tier=rng.choices(["normal", "vip", "key_account"], [85, 12, 3])[0]
                if not company
                else "key_account",
                phones=phones,
                addresses=[
                    customer_services.AddressInput(
                        "上海市",
                        "上海市",
                        district,
                        f"{rng.choice(STREETS)}{rng.randint(1, 999)}号"
                        f"{rng.randint(1, 30)}0{rng.randint(1, 4)}室",
                    )
                ],
                contacts=[
                    customer_services.ContactInput(
                        rng.choice(SURNAMES) + rng.choice(GIVEN), "行政主管", mobile(rng)
                    )
                ]
                if company
                else [],
                email=f"c{i:04d}@example.cn" if rng.random() < 0.6 else "",
            )
            with frozen_at(now() - dt.timedelta(days=rng.randint(90, 900))):
                customer = customer_services.register_customer(data=data, actor=rng.choice(users["agents"]))
            customers.append(customer)
        from aftersales.customers.models import Customer

        Customer.objects.filter(pk=customers[0].pk).update(portal_user=users["customer_user"])
        return customers

    def make_units(
        self,
        count: int,
        customers: list[Any],
        models: list[ProductModel],
        users: dict[str, Any],
        rng: random.Random,
    ) -> list[Any]:
        units = []
        today = now().astimezone(local_tz()).date()
        for i in range(count):
            customer = customers[i] if i < len(customers) else rng.choice(customers)
            model = rng.choice(models)
            purchase = today - dt.timedelta(days=rng.randint(3, 1100))
            delivery = purchase + dt.timedelta(days=rng.randint(0, 4))
            commissioning = (
                delivery + dt.timedelta(days=rng.randint(0, 3)) if model.needs_installation else None
            )
            unit = catalog_services.register_unit(
                data=catalog_services.UnitInput(
                    serial_number=f"{model.code.split('-')[0]}{purchase:%y%m}{i:05d}",
                    product_model_id=model.pk,
                    customer_id=customer.pk,
                    purchase_date=purchase,
                    delivery_date=min(delivery, today),
                    commissioning_date=min(commissioning, today) if commissioning else None,
                    invoice_number=f"0310{rng.randint(10000000, 99999999)}",
                    price_paid=model.list_price - Decimal(rng.choice([0, 0, 100, 200, 300])),
                    discount=Decimal(rng.choice([0, 0, 100, 200, 300])),
                    store=rng.choice(
                        ["苏宁易购徐汇店", "国美电器闵行店", "京东自营", "天猫旗舰店", "品牌直营店"]
                    ),
                    is_installed_project=model.category.code == "security_system",
                    contract="security_system" if model.category.code == "security_system" else "standard",
                ),
                actor=users["admin"],
            )
            units.append(unit)
        return units

    # -- requests -------------------------------------------------------------------------------------
    def make_requests(
        self, count: int, customers: list[Any], units: list[Any], users: dict[str, Any], rng: random.Random
    ) -> int:
        types, weights = zip(*TYPE_WEIGHTS, strict=True)
        created = 0
        attempts = 0
        start = now()
        while created < count and attempts < count * 3:
            attempts += 1
            rtype = rng.choices(types, weights)[0]
            unit = rng.choice(units)
            needs_unit = rtype in ("repair", "installation", "delivery", "maintenance", "return")
            customer_id = unit.customer_id if needs_unit or rng.random() < 0.5 else rng.choice(customers).pk
            # Spread over the last 45 days, inside a working day, with some today.
            received = start - dt.timedelta(days=rng.choice([0, 0, 1, 2] + list(range(3, 45))))
            received = received.astimezone(local_tz()).replace(
                hour=rng.randint(8, 19), minute=rng.randint(0, 59)
            )
            received = min(received, start - dt.timedelta(minutes=5))
            agent = rng.choice(users["agents"])
            data = sr.RequestInput(
                type=rtype,
                channel=rng.choices(
                    ["phone", "web", "email", "visit", "letter", "api", "outbound"], [60, 12, 6, 6, 2, 10, 4]
                )[0],
                customer_id=customer_id,
                unit_id=unit.pk
                if needs_unit or (customer_id == unit.customer_id and rng.random() < 0.5)
                else None,
                priority=rng.choices(["urgent", "high", "normal", "low"], [5, 15, 70, 10])[0],
                description=rng.choice(FAULTS[rtype]),
                received_at=received,
            )
            with transaction.atomic(), frozen_at(received + dt.timedelta(minutes=rng.randint(1, 4))):
                reg = sr.register_request(data=data, actor=agent)
            if reg.repeat:
                continue
            created += 1
            self.walk(reg.request, rtype, users, rng, received, start)
        return created

    def walk(
        self,
        request: ServiceRequest,
        rtype: str,
        users: dict[str, Any],
        rng: random.Random,
        received: dt.datetime,
        limit: dt.datetime,
    ) -> None:
        if rtype == "consultation":
            target = rng.choice(["new", "answered", "answered", "closed", "cancelled"])
            path = {
                "new": [],
                "answered": ["answer"],
                "closed": ["answer", "close"],
                "cancelled": ["cancel"],
            }[target]
        elif rtype in ("delivery", "installation", "repair", "maintenance"):
            age_days = (limit - received).days
            # Old requests have moved on; only recent ones wait at the start of the flow.
            if age_days >= 5:
                candidates = [
                    "waiting_parts",
                    "carried_back",
                    "resolved",
                    "closed",
                    "closed",
                    "cancelled",
                    "reopened",
                ]
            elif age_days >= 2:
                candidates = FIELD_TARGETS
            else:
                candidates = ["new", "assigned", "scheduled", "in_progress"]
            target = rng.choice(candidates)
            if target == "carried_back" and rtype != "repair":
                target = "waiting_parts"
            path = FIELD_PATH[target]
        else:
            path = ["cancel"] if rng.random() < 0.15 else []
        at = received + dt.timedelta(minutes=10)
        work_order = None
        for action in path:
            at = min(at + dt.timedelta(minutes=rng.randint(20, 600)), limit - dt.timedelta(minutes=1))
            if action == "start" and work_order is not None and work_order.appointment_start:
                # The technician arrives around the agreed time; a visit still ahead stops the story here.
                at = work_order.appointment_start + dt.timedelta(minutes=rng.randint(-20, 40))
                if at >= limit:
                    return
            request.refresh_from_db()
            with transaction.atomic(), frozen_at(at):
                if action == "assign":
                    work_order = self.assign(request, users)
                    if work_order is None:
                        return  # nobody certified in the zone: the request waits on the dispatch board
                elif work_order is not None and action in FIELD_STEPS:
                    work_order = FIELD_STEPS[action](self, work_order, rng, at)
                elif action == "answer":
                    sr.answer_consultation(request=request, answer=rng.choice(ANSWERS), actor=request.owner)
                elif action == "cancel":
                    sr.cancel_request(request=request, actor=users["manager"], note="客户来电取消")
                elif action == "reopen":
                    sr.reopen_request(request=request, actor=request.owner, note="同一故障再次出现，返修")
                elif action == "close":
                    sr.close_request(request=request, actor=request.owner, note="回访满意，关闭")

    def assign(self, request: ServiceRequest, users: dict[str, Any]) -> Any:
        from aftersales.dispatch import selectors as dispatch_selectors

        candidates = [c for c in dispatch_selectors.qualified_technicians(request) if not c.needs_approval]
        if not candidates:
            return None
        return dispatch_services.assign_work_order(
            request=request, technician=candidates[0].technician, actor=users["dispatcher"]
        )

    def confirm(self, wo: Any, rng: random.Random, at: dt.datetime) -> Any:
        from aftersales.dispatch.services import CONFIRMATION_ITEMS

        # An appointment inside working hours, today or in the next days.
        local = at.astimezone(local_tz())
        start = dt.datetime.combine(
            local.date() + dt.timedelta(days=rng.choice([0, 1, 1, 2])),
            dt.time(rng.choice([9, 10, 11, 13, 14, 15, 16])),
            tzinfo=local_tz(),
        )
        if start <= at:
            start += dt.timedelta(days=1)
        return dispatch_services.confirm_appointment(
            work_order=wo,
            appointment_start=start,
            appointment_end=start + dt.timedelta(hours=2),
            confirmed_items=list(CONFIRMATION_ITEMS),
            actor=wo.technician.user,
            note="已电话确认地址、时间和机型",
        )

    def check_in(self, wo: Any, rng: random.Random, at: dt.datetime) -> Any:
        from aftersales.dispatch.models import FeeScheduleItem

        tech = wo.technician.user
        wo = dispatch_services.check_in(work_order=wo, actor=tech)
        wo = dispatch_services.record_diagnosis(work_order=wo, diagnosis=rng.choice(DIAGNOSES), actor=tech)
        if wo.charge != "free":
            # A paid repair: the fee lines are shown and the customer agrees before work starts.
            kinds = ["part"] if wo.charge == "parts_at_cost" else ["visit", "labor", "part"]
            for item in FeeScheduleItem.objects.filter(kind__in=kinds).order_by("?")[:2]:
                dispatch_services.add_fee_line(work_order=wo, item_id=item.pk, quantity=1, actor=tech)
            dispatch_services.request_consent(work_order=wo, actor=tech)
            dispatch_services.record_consent(
                work_order=wo, agreed=True, customer_name=wo.request.customer.name, actor=tech
            )
        return dispatch_services.begin_work(work_order=wo, actor=tech)

    def wait_parts(self, wo: Any, rng: random.Random, at: dt.datetime) -> Any:
        return dispatch_services.wait_for_parts(work_order=wo, actor=wo.technician.user, note="压缩机待件")

    def carry_back(self, wo: Any, rng: random.Random, at: dt.datetime) -> Any:
        dispatch_services.carry_back_unit(
            work_order=wo,
            actor=wo.technician.user,
            receipt_number=f"SJ{wo.pk:06d}",
            unit_condition="外观完好",
            accessories="遥控器一个",
        )
        return wo

    def finish(self, wo: Any, rng: random.Random, at: dt.datetime) -> Any:
        tech = wo.technician.user
        dispatch_services.record_signature(
            work_order=wo, image=SIGNATURE_PNG, signer_name=wo.request.customer.name, actor=tech
        )
        bill_later = False
        if wo.charge != "free":
            from aftersales.dispatch import selectors as dispatch_selectors

            total = dispatch_selectors.fee_total(wo)
            if rng.random() < 0.6:
                dispatch_services.collect_fees(work_order=wo, amount=total, method="wechat", actor=tech)
            else:
                bill_later = True  # invoiced within 3 days and collected later
        return dispatch_services.finish_work_order(
            work_order=wo, resolution=rng.choice(RESOLUTIONS), actor=tech, bill_later=bill_later
        )


DIAGNOSES = [
    "电容老化导致压缩机无法启动",
    "排水泵堵塞",
    "主控板电源模块损坏",
    "制冷剂泄漏，焊接补漏后加注",
    "线路接触不良",
]
RESOLUTIONS = ["更换配件后试机正常", "清理堵塞，试机正常", "调试完成，客户验收签字", "安装完毕，讲解使用方法"]


def _signature_png() -> bytes:
    """A small real PNG (a pen stroke) standing for a customer's signature in the demo."""
    import struct
    import zlib

    width, height = 120, 40
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            on = abs(y - (20 + int(10 * __import__("math").sin(x / 8)))) < 2
            row += bytes([0, 0, 0, 255]) if on else bytes([255, 255, 255, 0])
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


SIGNATURE_PNG = _signature_png()
FIELD_STEPS = {
    "schedule": Command.confirm,
    "start": Command.check_in,
    "wait_parts": Command.wait_parts,
    "carry_back": Command.carry_back,
    "resolve": Command.finish,
}
