"""Demo data of the follow-up modules, on top of ``aftersales demo``: FAQ articles (a few overdue
for review), the standard questionnaire with a survey and its answers by phone, link and paper, an
outbound campaign with a few days of dials, and suggestions in every state.

Everything goes through the services, at realistic past times; running it twice does nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from aftersales.catalog.models import Category
from aftersales.core.clock import frozen_at, local_today
from aftersales.core.errors import DomainError
from aftersales.customers.models import Customer
from aftersales.knowledge import services as faq
from aftersales.knowledge.models import Article
from aftersales.outbound import services as outbound
from aftersales.service.models import ServiceRequest
from aftersales.suggestions import services as suggestions
from aftersales.suggestions.models import Department
from aftersales.surveys import services as surveys
from aftersales.surveys.standard import create_standard_questionnaire

FAQ = [
    (
        "空调",
        "空调开机后不制冷是什么原因",
        "确认模式为制冷、设定温度低于室温并清洗滤网；外机不启动或出风仍不凉，可能缺氟或压缩机故障，请预约上门检测。",
        "制冷, 加氟",
    ),
    (
        "空调",
        "空调室内机滴水怎么办",
        "多为排水管堵塞或安装倾斜。请清理排水管出口，仍滴水请预约上门调整。",
        "漏水, 排水管",
    ),
    (
        "空调",
        "空调外机风扇不转",
        "可能是风扇电容失效或电机损坏，请断电后报修，勿用手拨动风扇。",
        "外机, 电容",
    ),
    (
        "空调",
        "空调遥控器没反应",
        "更换两节新电池，对准室内机接收窗；仍无反应可用机身应急按钮开机后报修。",
        "遥控器",
    ),
    (
        "空调",
        "空调显示E1是什么故障",
        "E1 通常为室内温度传感器故障，断电3分钟后重启；反复出现请报修。",
        "故障代码, E1",
    ),
    (
        "冰箱",
        "冰箱冷藏室结冰怎么处理",
        "把温控调到中间档，检查门封是否严密，食物不要贴住后壁；化冰后疏通排水孔。",
        "结冰, 门封",
    ),
    ("冰箱", "冰箱不制冷但灯亮", "压缩机不启动可能是启动器或温控器故障，请断电报修。", "制冷, 压缩机"),
    (
        "冰箱",
        "冰箱里有异味怎么去除",
        "清理变质食物，用小苏打水擦拭内胆，放置活性炭；生熟分开密封存放。",
        "异味, 清洁",
    ),
    (
        "洗衣机",
        "洗衣机底部漏水怎么办",
        "先断电关水，检查排水管卡箍是否拧紧；机内漏水请预约上门更换密封圈。",
        "漏水, 排水管",
    ),
    (
        "洗衣机",
        "洗衣机不脱水是什么原因",
        "衣物放置不均会导致不脱水，请摊开后重试；排水不畅或门锁故障也会导致不脱水。",
        "脱水, 门锁",
    ),
    ("洗衣机", "洗衣机显示UE", "UE 表示衣物偏心，请把衣物抖散摆匀后重新脱水。", "故障代码, UE"),
    ("洗衣机", "洗衣机震动噪音很大", "检查运输螺栓是否已拆除、机器是否放平，四脚要着地。", "噪音, 运输螺栓"),
    (
        "热水器",
        "热水器显示E4是什么意思",
        "E4 表示出水温度过高保护。断电5分钟后重启；反复出现请报修。",
        "故障代码, E4",
    ),
    (
        "热水器",
        "燃气热水器打不着火",
        "检查燃气阀门是否打开、电池是否有电，冬季注意进水温度过低。",
        "点火, 电池",
    ),
    ("热水器", "热水器水温忽冷忽热", "多为水压不稳或比例阀故障，先检查进水压力，仍有问题请报修。", "水温"),
    (
        "电视",
        "电视有声音没有图像",
        "有伴音黑屏多为背光或电源板故障，先检查信号源和亮度，排除后预约维修。",
        "黑屏, 背光",
    ),
    (
        "电视",
        "电视连不上无线网络",
        "重启路由器和电视，确认密码正确；信号弱时靠近路由器或改用网线。",
        "网络, WiFi",
    ),
    (
        "",
        "保修期从哪天开始计算",
        "整机保修期自发票开具之日起计算；需要安装的产品自安装调试完成之日起计算。",
        "保修, 发票",
    ),
    (
        "",
        "上门服务怎么收费",
        "保修期内上门免费；保修期外按价目表收取上门费、人工费和配件费，先报价，客户同意后再收费。",
        "收费, 价目表",
    ),
    (
        "",
        "买了几天发现有质量问题能退吗",
        "购买7日内出现性能故障可选择退货、换货或修理；15日内可选择换货或修理。",
        "退货, 换货, 三包",
    ),
    (
        "",
        "怎么查询维修进度",
        "可凭服务单号拨打热线或在客户门户查询，技术员上门前会电话确认时间。",
        "进度查询",
    ),
]
SUGGESTIONS = [
    ("after_sales", "phone", "建议增加晚间上门服务时段，上班族白天不在家"),
    ("design", "email", "包装箱太大，建议缩小以减少浪费"),
    ("logistics", "letter", "建议送货前一小时电话确认到达时间"),
    ("product_quality", "phone", "空调遥控器按键容易失灵，建议改进"),
    ("new_technology", "web", "建议在手机上就能查看空调耗电量"),
    ("shopping_environment", "letter", "门店体验区太挤，建议扩大"),
    ("after_sales", "email", "建议在公众号上能查维修进度"),
    ("other", "phone", "建议提供旧机回收服务"),
]


class Command(BaseCommand):
    help = "Load demo data of surveys, outbound campaigns, suggestions and the FAQ (after `aftersales demo`)."

    def handle(self, *args: Any, **opts: Any) -> None:
        users = get_user_model().objects
        manager = users.filter(username="manager").first()
        agents = list(users.filter(username__in=["agent", "agent2"]).order_by("username"))
        if manager is None or len(agents) < 2 or not Customer.objects.exists():
            self.stdout.write("run `aftersales demo` first")
            return
        if Article.objects.exists():
            self.stdout.write("follow-up demo data already loaded")
            return
        rng = random.Random(20261122)
        today = local_today()
        with transaction.atomic():
            self.load_faq(manager, today)
            survey = self.load_survey(manager, agents[0], today, rng)
            self.load_campaign(manager, agents, survey, today, rng)
            self.load_suggestions(manager, agents[0], today, rng)
        self.stdout.write("follow-up demo data loaded")

    @staticmethod
    def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        from django.utils import timezone

        from aftersales.core.clock import local_tz

        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)), local_tz())

    def load_faq(self, manager: Any, today: dt.date) -> None:
        categories = {c.name: c for c in Category.objects.all()}
        for i, (category, question, answer, tags) in enumerate(FAQ):
            # A few articles were last reviewed long ago: the knowledge base flags them.
            written = today - dt.timedelta(days=400 if i % 7 == 3 else 20 + i)
            cat = next((c for name, c in categories.items() if category and category in name), None)
            with frozen_at(self._at(written, 10)):
                faq.create_article(
                    data=faq.ArticleInput(
                        question=question, answer=answer, tags=tags, category_id=cat.pk if cat else None
                    ),
                    actor=manager,
                )

    def load_survey(self, manager: Any, agent: Any, today: dt.date, rng: random.Random) -> Any:
        opens = today - dt.timedelta(days=60)
        with frozen_at(self._at(opens, 9)):
            questionnaire = create_standard_questionnaire(actor=manager)
            survey = surveys.create_survey(
                name=f"{opens.year}年售后服务满意度调查",
                questionnaire=questionnaire,
                opens_on=opens,
                closes_on=today + dt.timedelta(days=30),
                actor=manager,
                intro="感谢您抽出一分钟时间，帮助我们改进服务。",
            )
        version = questionnaire.published_version()
        assert version is not None  # published just above
        questions = surveys.version_questions(version)
        jobs = list(
            ServiceRequest.objects.filter(assignee__isnull=False, status__in=["resolved", "closed"])
            .select_related("customer")
            .order_by("id")[:60]
        )
        seen: set[int] = set()
        for i, sr in enumerate(jobs):
            if sr.customer_id in seen:
                continue
            seen.add(sr.customer_id)
            channel = ["phone", "phone", "web", "paper"][i % 4]
            answers: dict[int, Any] = {}
            unhappy = rng.random() < 0.12
            for q in questions:
                if q.kind == "rating":
                    answers[q.pk] = rng.choice([2, 3]) if unhappy else rng.choice([4, 5, 5])
                elif q.kind == "yes_no":
                    answers[q.pk] = "no" if unhappy and rng.random() < 0.5 else "yes"
                elif q.kind == "single_choice":
                    answers[q.pk] = q.options[-1] if unhappy else q.options[0]
                elif q.kind == "multiple_choice":
                    answers[q.pk] = rng.sample(q.options, 2)
            day = opens + dt.timedelta(days=rng.randint(0, 58))
            when = self._at(day, rng.randint(9, 19))
            with frozen_at(when):
                invitation = None
                if channel == "web":
                    invitation = surveys.invite_customer(
                        survey=survey, customer=sr.customer, channel="sms", actor=agent
                    )
                try:
                    surveys.record_response(
                        data=surveys.ResponseInput(
                            survey_id=survey.pk,
                            customer_id=sr.customer_id,
                            channel=channel,
                            answers=answers,
                            request_id=sr.pk,
                            answered_at=when if channel == "paper" else None,
                            paper_form_number=f"P-{i:04d}" if channel == "paper" else "",
                        ),
                        actor=None if channel == "web" else agent,
                        invitation=invitation,
                    )
                except DomainError:
                    continue  # e.g. a customer of the wrong kind for this survey
        return survey

    def load_campaign(
        self, manager: Any, agents: list[Any], survey: Any, today: dt.date, rng: random.Random
    ) -> None:
        start = today - dt.timedelta(days=2)
        with frozen_at(self._at(start, 8)):
            campaign = outbound.create_campaign(
                data=outbound.CampaignInput(
                    name="维修完工关怀回访",
                    goal="care",
                    agent_ids=[a.pk for a in agents],
                    script="您好，我是售后服务中心的回访专员，想了解一下上次维修后机器使用是否正常？",
                ),
                actor=manager,
            )
            outbound.build_call_list(
                campaign=campaign, filters=outbound.CallListFilter(limit=400), actor=manager
            )
            outbound.start_campaign(campaign=campaign, actor=manager)
        # About 85 % of dials get through (reached, refused, call back later), as on a real list.
        outcomes = ["reached"] * 9 + ["refused", "call_back_later", "no_answer", "busy"]
        # Yesterday one seat worked within the norm and one below it; today is under way.
        plan = [
            (today - dt.timedelta(days=1), agents[0], 76),
            (today - dt.timedelta(days=1), agents[1], 40),
            (today, agents[0], 8),
        ]
        for day, agent, count in plan:
            for n in range(count):
                when = self._at(day, 9) + dt.timedelta(minutes=5 * n)
                with frozen_at(when):
                    dial = outbound.next_dial(campaign=campaign, agent=agent)
                    if dial is None:
                        break
                    outcome = rng.choice(outcomes)
                    outbound.finish_dial(
                        dial=dial,
                        result=outbound.DialResult(
                            outcome=outcome,
                            callback_at=when + dt.timedelta(hours=3)
                            if outcome == "call_back_later"
                            else None,
                            note="机器使用正常" if outcome == "reached" else "",
                        ),
                        actor=agent,
                    )

    def load_suggestions(self, manager: Any, agent: Any, today: dt.date, rng: random.Random) -> None:
        customers = list(Customer.objects.order_by("id")[:8])
        departments = list(Department.objects.filter(active=True))
        for i, (subject, channel, text) in enumerate(SUGGESTIONS):
            received = self._at(today - dt.timedelta(days=50 - 5 * i), 10)
            with frozen_at(received):
                sr = suggestions.register_suggestion(
                    data=suggestions.SuggestionInput(
                        customer_id=customers[i % len(customers)].pk,
                        channel=channel,
                        subject=subject,
                        description=text,
                    ),
                    actor=agent,
                ).request
            step = received + dt.timedelta(days=1)
            if i == 7:
                continue  # just received
            with frozen_at(step):
                sr = suggestions.forward_suggestion(
                    request=sr, department_id=rng.choice(departments).pk, actor=agent
                )
            if i == 6:
                continue  # with the department
            with frozen_at(step + dt.timedelta(days=5)):
                if i in (0, 1, 2):
                    sr = suggestions.adopt_suggestion(
                        request=sr,
                        implementation_date=today + dt.timedelta(days=30),
                        measures="已列入下季度改进计划",
                        actor=manager,
                    )
                    suggestions.tell_customer(
                        request=sr, channel="phone", note="您的建议已被采纳，感谢您！", actor=agent
                    )
                    suggestions.grade_suggestion(
                        request=sr, creativity=3 + i % 3, feasibility=4, benefit=3, actor=manager
                    )
                    if i == 0:
                        suggestions.close_suggestion(request=sr, actor=agent)
                elif i in (3, 4):
                    sr = suggestions.reject_suggestion(
                        request=sr, thanks="感谢您的建议，目前暂不具备实施条件。", actor=manager
                    )
                    if i == 3:
                        suggestions.tell_customer(
                            request=sr, channel="letter", note="感谢信已寄出", actor=agent
                        )
                        suggestions.close_suggestion(request=sr, actor=agent)
                else:
                    suggestions.hold_suggestion(
                        request=sr, reason="需结合明年门店改造计划统一考虑", held_until=None, actor=manager
                    )
