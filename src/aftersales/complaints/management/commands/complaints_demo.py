"""Demo complaints on top of ``aftersales demo``: complaint registers taken by the agents over the
last weeks and carried through the closed loop to every step — replied, valid or not, assigned,
investigated, plans checked and approved, implemented, told, followed up (satisfied, or not and
back for a second round) and archived.

Everything goes through the services at realistic past times; running it twice does nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from aftersales.catalog.models import Unit
from aftersales.complaints import services as s
from aftersales.complaints.models import Complaint
from aftersales.core.clock import frozen_at, now
from aftersales.suggestions.models import Department

# (what the complaint is about, what happened, what the customer wants, category, severity)
CASES = [
    ("上门维修人员", "维修人员迟到两个小时，未提前通知", "道歉并说明原因", "timeliness", "normal"),
    ("安装人员", "安装空调后墙面损坏，无人处理", "修补墙面并赔偿", "service_attitude", "serious"),
    ("上门收费", "上门收费与电话报价不一致，多收80元", "退还多收的费用", "fees", "normal"),
    ("客服热线", "客服电话多次打不通，等待超过十分钟", "改进接听", "timeliness", "normal"),
    ("冰箱", "新买冰箱一周内两次不制冷，维修后仍故障", "换一台新机", "product_quality", "serious"),
    ("热水器", "热水器漏电跳闸，家中老人险些触电", "上门检测并更换", "product_quality", "critical"),
    ("技术员", "技术员态度恶劣，与客户争吵", "技术员道歉", "service_attitude", "normal"),
    ("保修政策", "认为主板应免费保修，实际已过保修期", "免费更换主板", "misunderstanding", "normal"),
    ("送货人员", "送货上门时划伤木地板", "赔偿修复费用", "staff_dereliction", "normal"),
]
# The step each complaint has reached, by weight; the older a complaint, the further it has got.
TARGETS = [
    ("registered", 2),
    ("replied", 2),
    ("invalid", 1),
    ("assigned", 2),
    ("investigated", 2),
    ("proposed", 1),
    ("checked", 1),
    ("approved", 1),
    ("implemented", 1),
    ("notified", 2),
    ("satisfied", 3),
    ("archived", 4),
    ("second_round", 2),
]
STEPS = [
    "reply",
    "validate",
    "assign",
    "investigate",
    "propose",
    "check",
    "approve",
    "implement",
    "notify",
    "follow_up",
    "archive",
]
PATHS: dict[str, list[str]] = {
    "registered": [],
    "replied": STEPS[:1],
    "invalid": ["reply", "invalidate"],
    "assigned": STEPS[:3],
    "investigated": STEPS[:4],
    "proposed": STEPS[:5],
    "checked": STEPS[:6],
    "approved": STEPS[:7],
    "implemented": STEPS[:8],
    "notified": STEPS[:9],
    "satisfied": STEPS[:10],
    "archived": STEPS,
    "second_round": [*STEPS[:9], "not_satisfied", "investigate", "propose"],
}


class Command(BaseCommand):
    help = "Load demo complaints carried through the closed loop (idempotent)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--count", type=int, default=30)
        parser.add_argument("--seed", type=int, default=20261122)

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        if Complaint.objects.exists():
            self.stdout.write("demo complaints already loaded")
            return
        users = get_user_model().objects.in_bulk(
            ["agent", "agent2", "agent3", "quality", "manager", "dispatcher"], field_name="username"
        )
        departments = Department.objects.in_bulk(["after_sales", "logistics", "quality"], field_name="code")
        if len(users) < 6 or "after_sales" not in departments:
            self.stdout.write("demo complaints need the demo users and departments: skipped")
            return
        rng = random.Random(opts["seed"])
        units = list(Unit.objects.order_by("id")[:400])
        targets, weights = zip(*TARGETS, strict=True)
        end = now()
        made = 0
        for i in range(opts["count"]):
            unit = units[(i * 7) % len(units)]
            about, description, desired, category, severity = CASES[i % len(CASES)]
            target = rng.choices(targets, weights)[0]
            # Far enough back for the steps it has taken (a few hours each).
            days = rng.randint(len(PATHS[target]) // 2 + 1, 40)
            received = end - dt.timedelta(days=days, hours=rng.randint(0, 8))
            agent = users[rng.choice(["agent", "agent2", "agent3"])]
            data = s.ComplaintInput(
                customer_id=unit.customer_id,
                unit_id=unit.pk if category in ("product_quality", "misunderstanding") else None,
                source=rng.choices(["phone", "web", "letter", "visit", "email"], [60, 15, 10, 10, 5])[0],
                complainant_name=unit.customer.name,
                complainant_phone="",
                about=about,
                description=description,
                desired_outcome=desired,
                category=category,
                severity=severity,
                received_at=received,
            )
            with transaction.atomic(), frozen_at(received + dt.timedelta(minutes=3)):
                reg = s.register_complaint(data=data, actor=agent)
            if reg.repeat:
                continue
            made += 1
            self.walk(reg.complaint.request, PATHS[target], received, end, users, departments, agent, rng)
        self.stdout.write(f"demo complaints: {made}")

    def walk(
        self,
        sr: Any,
        path: list[str],
        received: dt.datetime,
        end: dt.datetime,
        users: dict[str, Any],
        departments: dict[str, Any],
        agent: Any,
        rng: random.Random,
    ) -> None:
        quality, manager, responsible = users["quality"], users["manager"], users["dispatcher"]
        at = received
        for step in path:
            at = min(at + dt.timedelta(hours=rng.randint(2, 20)), end - dt.timedelta(minutes=5))
            with transaction.atomic(), frozen_at(at):
                if step == "reply":
                    sr = s.reply_to_customer(
                        request=sr, reply="已向客户致歉，24小时内给出处理方案", actor=agent
                    )
                elif step == "invalidate":
                    sr = s.invalidate_complaint(
                        request=sr,
                        explanation="已向客户解释三包规定：主板保修期为一年，已过期",
                        actor=quality,
                    )
                elif step == "validate":
                    sr = s.validate_complaint(request=sr, actor=quality, note="经核实，投诉属实")
                elif step == "assign":
                    sr = s.assign_complaint(
                        request=sr,
                        department_id=departments["after_sales"].pk,
                        responsible_person_id=responsible.pk,
                        actor=quality,
                    )
                elif step == "investigate":
                    sr = s.record_investigation(
                        request=sr, cause="派工排程冲突，未提前告知客户到达时间", actor=responsible
                    )
                elif step == "propose":
                    sr = s.propose_plan(
                        request=sr, plan="上门致歉，免收本次上门费，并回访确认", actor=responsible
                    )
                elif step == "check":
                    sr = s.check_plan(request=sr, actor=quality)
                elif step == "approve":
                    sr = s.approve_plan(request=sr, actor=manager)
                elif step == "implement":
                    s.start_implementation(request=sr, actor=responsible)
                    sr = s.complete_implementation(
                        request=sr, implementation="已上门致歉并退还上门费", actor=responsible
                    )
                elif step == "notify":
                    sr = s.notify_customer(
                        request=sr, notice="处理结果已电话告知客户", channel="phone", actor=agent
                    )
                elif step in ("follow_up", "not_satisfied"):
                    satisfied = step == "follow_up"
                    sr = s.record_follow_up(
                        request=sr,
                        satisfied=satisfied,
                        note="客户表示满意" if satisfied else "客户认为补偿不够，要求再次处理",
                        actor=agent,
                    )
                elif step == "archive":
                    sr = s.archive_complaint(
                        request=sr,
                        summary="客户满意，结案",
                        lessons="派工需提前告知客户到达时间",
                        corrective_action_ref="",
                        actor=quality,
                    )
