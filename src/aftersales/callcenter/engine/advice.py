"""Likely causes and management actions when a metric leaves its recommended range.

The lists follow the regulation (which adopts Jon Anton's contact-center
metrics): for each metric and direction, what usually causes it and what a
manager does about it. Texts are (Chinese, English) pairs; pages pick the
user's language.
"""

from __future__ import annotations

from dataclasses import dataclass

Text = tuple[str, str]


@dataclass(frozen=True)
class Advice:
    causes: tuple[Text, ...]
    actions: tuple[Text, ...]

    def in_language(self, language: str) -> dict[str, list[str]]:
        i = 0 if language.lower().startswith("zh") else 1
        return {"causes": [t[i] for t in self.causes], "actions": [t[i] for t in self.actions]}


_STAFFING_CAUSES: tuple[Text, ...] = (
    ("话务量预测不准确", "the volume forecast was wrong"),
    ("计划的实际工作率过低，坐席未按排班就绪", "planned adherence too low: agents not ready when scheduled"),
    ("话后处理时间超过目标", "after-call work over target"),
    ("持线时间长于预期", "hold time longer than expected"),
)
_STAFFING_ACTIONS: tuple[Text, ...] = (
    (
        "按历史数据重新预测各半小时话务量，用Erlang模型重算排班",
        "re-forecast each half hour from history and recompute staffing with Erlang",
    ),
    (
        "实时调度：把处理离线工作的坐席调回接听",
        "real-time management: move agents from offline work back to the phones",
    ),
    ("辅导话后处理与持线时间超标的坐席", "coach agents whose wrap-up and hold run over target"),
    (
        "高峰时段安排加班、弹性班次或溢出路由",
        "add overtime, flexible shifts or overflow routing at the peaks",
    ),
)
_OVERSTAFF_CAUSES: tuple[Text, ...] = (
    ("排班人数多于话务需要", "more agents scheduled than the volume needs"),
    ("话务量低于预测", "volume below the forecast"),
)
_OVERSTAFF_ACTIONS: tuple[Text, ...] = (
    ("按预测调整排班，减少在线人数", "align schedules with the forecast and reduce heads on the phones"),
    (
        "在低谷时段安排培训、回访等离线工作",
        "schedule training, callbacks and other offline work in quiet periods",
    ),
)

ADVICE: dict[str, dict[str, Advice]] = {
    "adherence": {
        "below": Advice(
            causes=(
                ("坐席迟登录、早退或休息超时", "agents log in late, leave early or overrun breaks"),
                ("排班与话务规律不匹配", "schedules do not fit the call pattern"),
                ("会议、培训等未列入排班", "meetings and training not in the schedule"),
                ("系统故障导致无法就绪", "system problems keep agents from being ready"),
            ),
            actions=(
                (
                    "提前公布排班，班长每日核对实际工作率",
                    "publish schedules early; team leads review adherence daily",
                ),
                ("对实际工作率低的坐席单独辅导", "coach agents with low adherence one to one"),
                ("把休息、会议安排在话务低谷", "place breaks and meetings in low-volume periods"),
                ("表彰实际工作率高的坐席", "recognise agents with good adherence"),
            ),
        ),
    },
    "after_call_work_time": {
        "above": Advice(
            causes=(
                ("表单与系统操作繁琐", "forms and systems are slow or cumbersome"),
                ("坐席把可在通话中完成的记录留到话后", "agents leave notes they could take during the call"),
                ("培训不足，不熟悉工单录入", "not enough training on recording requests"),
                ("把话后处理当作休息", "wrap-up used as a break"),
            ),
            actions=(
                ("简化工单录入，使用模板和快捷代码", "simplify request entry with templates and quick codes"),
                ("培训边通话边记录", "train agents to record during the call"),
                ("监控话后处理时间异常的坐席并辅导", "watch wrap-up outliers and coach them"),
            ),
        ),
        "below": Advice(
            causes=(("话后记录不完整或被跳过", "wrap-up skipped, records incomplete"),),
            actions=(("抽查工单记录质量", "spot-check the quality of call records"),),
        ),
    },
    "average_abandon_time": {
        "above": Advice(
            causes=(
                ("排队时间长，坐席不足", "long queues, not enough agents"),
                ("话务量预测不准确", "the volume forecast was wrong"),
                ("排队中没有等待时长提示", "no expected-wait announcement in the queue"),
            ),
            actions=(
                ("高峰时段增加在线坐席", "add agents at the peaks"),
                ("播报预计等待时间或排队位置", "announce the expected wait or queue position"),
                ("提供回拨选项", "offer a callback instead of waiting"),
            ),
        ),
        "below": Advice(
            causes=(
                (
                    "误拨或IVR提示不清，来电者很快挂机",
                    "misdials or an unclear IVR greeting: callers hang up quickly",
                ),
                ("来电者不愿等待", "callers unwilling to wait at all"),
            ),
            actions=(
                ("复核IVR欢迎语和菜单", "review the IVR greeting and menu"),
                ("单独分析1–5秒的放弃（误拨）", "analyse the 1-5 s abandons (misdials) separately"),
            ),
        ),
    },
    "cost_per_call": {
        "above": Advice(
            causes=(
                ("固定成本摊到较少的呼叫上", "fixed costs spread over few calls"),
                ("人员过多或平均通话时间过长", "overstaffing or a long average handle time"),
                ("流动率高，招聘培训成本高", "high turnover drives hiring and training costs"),
            ),
            actions=(
                ("把简单咨询引导到IVR和自助服务", "move simple enquiries to IVR and self-service"),
                ("按预测排班", "staff to the forecast"),
                ("用FAQ知识库缩短通话时间", "shorten calls with the FAQ knowledge base"),
            ),
        ),
        "below": Advice(
            causes=(
                ("人员不足，服务质量可能受损", "understaffing may be hurting service"),
                ("成本未完整入账", "costs not fully booked for the period"),
            ),
            actions=(
                ("同时检查服务水平和放弃率", "check service level and abandonment alongside"),
                ("核对本期成本台账", "verify the period's cost ledger"),
            ),
        ),
    },
    "average_handle_time": {
        "above": Advice(
            causes=(
                ("问题复杂或坐席培训不足", "complex calls or insufficient training"),
                ("系统响应慢、信息难找", "slow systems, information hard to find"),
                ("持线和话后处理偏长", "long hold and wrap-up"),
            ),
            actions=(
                ("针对高频问题培训并完善FAQ", "train on frequent issues and improve the FAQ"),
                ("优化通话流程和话术", "streamline the call flow and scripts"),
                ("辅导通话时间异常的坐席", "coach agents with outlying handle times"),
            ),
        ),
        "below": Advice(
            causes=(
                ("坐席赶时间，问题未彻底解决", "agents rush and leave issues unresolved"),
                ("不当转接", "inappropriate transfers"),
            ),
            actions=(
                ("对照一次性解决率和监听评分检查", "check against first-call resolution and QA scores"),
                ("辅导完整解决问题", "coach agents to resolve fully"),
            ),
        ),
    },
    "average_hold_time": {
        "above": Advice(
            causes=(
                ("坐席需查找资料或请示班长", "agents search for information or consult a supervisor"),
                ("系统慢", "slow systems"),
                ("授权不足", "agents lack authority to decide"),
            ),
            actions=(
                ("完善知识库，方便快速查找", "improve the knowledge base for quick lookup"),
                ("扩大坐席授权范围", "widen agents' authority"),
                ("现场设专人支持", "provide floor support"),
            ),
        ),
        "below": Advice(
            causes=(("持线记录不完整", "hold not recorded completely"),),
            actions=(("核对ACD持线数据的采集", "check how the ACD records hold"),),
        ),
    },
    "average_rings": {
        "above": Advice(
            causes=(
                ("坐席接听慢或未设自动应答", "agents slow to pick up, no auto-answer"),
                ("登录坐席不足", "too few agents logged in"),
                ("路由策略导致振铃多个无人接听的坐席", "routing rings agents who do not answer"),
            ),
            actions=(
                ("开启自动应答或缩短振铃超时", "enable auto-answer or shorten the ring timeout"),
                ("检查未接振铃（RINGNOANSWER）多的坐席", "review agents with many ring-no-answers"),
                ("提高实际工作率", "improve adherence"),
            ),
        ),
        "below": Advice(causes=_OVERSTAFF_CAUSES, actions=_OVERSTAFF_ACTIONS),
    },
    "average_queue_time": {
        "above": Advice(causes=_STAFFING_CAUSES, actions=_STAFFING_ACTIONS),
        "below": Advice(causes=_OVERSTAFF_CAUSES, actions=_OVERSTAFF_ACTIONS),
    },
    "average_speed_of_answer": {
        "above": Advice(causes=_STAFFING_CAUSES, actions=_STAFFING_ACTIONS),
    },
    "average_talk_time": {
        "above": Advice(
            causes=(
                ("问题复杂或培训不足", "complex issues or insufficient training"),
                ("闲聊过多，未控制通话节奏", "too much small talk, the call not steered"),
            ),
            actions=(
                ("针对性培训与话术", "targeted training and scripts"),
                ("监听长通话并辅导", "monitor long calls and coach"),
            ),
        ),
        "below": Advice(
            causes=(("坐席匆忙结束通话或过早转接", "agents end calls hastily or transfer early"),),
            actions=(
                (
                    "结合监听评分和一次性解决率检查质量",
                    "check quality with QA scores and first-call resolution",
                ),
            ),
        ),
    },
    "calls_per_agent_hour": {
        "below": Advice(
            causes=(("话务量低或通话时间长", "low volume or long handle time"),) + _OVERSTAFF_CAUSES,
            actions=_OVERSTAFF_ACTIONS,
        ),
        "above": Advice(
            causes=(("人员不足，坐席负荷过重", "understaffed, agents overloaded"),),
            actions=(("增加在线坐席，注意坐席疲劳", "add agents on the phones; watch for burnout"),),
        ),
    },
    "monitoring_score": {
        "below": Advice(
            causes=(
                ("培训不足或标准不清", "insufficient training or unclear standards"),
                ("士气低落", "low morale"),
            ),
            actions=(
                ("组织评分校准会", "hold calibration sessions"),
                ("一对一辅导并复训", "one-to-one coaching and refresher training"),
            ),
        ),
    },
    "occupancy": {
        "below": Advice(
            causes=_OVERSTAFF_CAUSES,
            actions=_OVERSTAFF_ACTIONS
            + (("交叉培训，让坐席服务多个队列", "cross-train agents to serve several queues"),),
        ),
        "above": Advice(
            causes=(("人员不足，坐席没有喘息时间", "understaffed, no breathing time between calls"),),
            actions=(("增加人员，防止疲劳和流失", "add staff to prevent burnout and turnover"),),
        ),
    },
    "abandonment_rate": {
        "above": Advice(
            causes=_STAFFING_CAUSES + (("排队中缺少提示或音乐", "no announcements or music in the queue"),),
            actions=_STAFFING_ACTIONS
            + (("提供回拨和等待时长播报", "offer callbacks and announce the expected wait"),),
        ),
        "below": Advice(causes=_OVERSTAFF_CAUSES, actions=_OVERSTAFF_ACTIONS),
    },
    "attendance": {
        "below": Advice(
            causes=(
                ("缺勤率高、士气低", "absenteeism and low morale"),
                ("排班不照顾员工意愿", "schedules ignore staff preferences"),
            ),
            actions=(
                ("执行考勤制度并分析缺勤原因", "enforce the attendance policy and analyse absence causes"),
                ("提供弹性排班、换班机制", "offer flexible schedules and shift swaps"),
                ("表彰全勤", "recognise full attendance"),
            ),
        ),
    },
    "blocked_call_rate": {
        "above": Advice(
            causes=(
                ("中继线路不足", "not enough trunks or lines"),
                ("队列最大长度设置过小", "queue maximum length too small"),
                ("突发话务高峰", "sudden call peaks"),
            ),
            actions=(
                ("扩容中继线路", "add trunk capacity"),
                ("调大队列容量，高峰引导自助服务", "raise queue capacity; route peaks to self-service"),
            ),
        ),
        "below": Advice(
            causes=(("线路容量大于需要", "more line capacity than needed"),),
            actions=(("复核线路成本", "review line costs"),),
        ),
    },
    "first_call_resolution": {
        "below": Advice(
            causes=(
                ("坐席知识或授权不足", "agents lack knowledge or authority"),
                ("路由错误，来电到了不合适的队列", "wrong routing: calls reach the wrong queue"),
                ("流程要求回电或二次处理", "procedures require a callback or second contact"),
            ),
            actions=(
                ("分析重复来电的原因并修订流程", "analyse repeat calls and fix the procedures"),
                ("完善FAQ知识库并扩大授权", "improve the FAQ and widen authority"),
                ("按技能路由", "route by skill"),
            ),
        ),
    },
    "queue_placement_rate": {
        "above": Advice(causes=_STAFFING_CAUSES, actions=_STAFFING_ACTIONS),
        "below": Advice(causes=_OVERSTAFF_CAUSES, actions=_OVERSTAFF_ACTIONS),
    },
    "transfer_rate": {
        "above": Advice(
            causes=(
                ("IVR菜单或路由设计不当", "IVR menu or routing sends calls to the wrong place"),
                ("坐席技能或授权不足", "agents lack skills or authority"),
            ),
            actions=(
                ("重新设计IVR菜单和路由", "redesign the IVR menu and routing"),
                ("交叉培训并扩大授权", "cross-train and widen authority"),
            ),
        ),
    },
    "answered_call_rate": {
        "below": Advice(
            causes=_STAFFING_CAUSES + (("线路不足导致忙音", "busy signals from too few lines"),),
            actions=_STAFFING_ACTIONS,
        ),
    },
    "service_level": {
        "below": Advice(
            causes=_STAFFING_CAUSES + (("突发话务高峰", "an unexpected peak"),),
            actions=_STAFFING_ACTIONS,
        ),
    },
    "total_calls": {
        "above": Advice(
            causes=(
                ("产品质量问题或营销活动带来来电", "product problems or a campaign drive calls"),
                ("重复来电增多", "more repeat calls"),
            ),
            actions=(("分析来电原因并从源头解决", "analyse call reasons and fix them at the source"),),
        ),
        "below": Advice(
            causes=(("来电被阻塞或渠道迁移", "calls blocked or moved to other channels"),),
            actions=(("核对忙音率和其他渠道的量", "check the blocked-call rate and other channels"),),
        ),
    },
    "agent_turnover": {
        "above": Advice(
            causes=(
                ("薪酬缺乏竞争力、工作压力大", "uncompetitive pay, high stress"),
                ("管理辅导不足、缺少职业发展", "weak supervision and no career path"),
                ("招聘画像与岗位不符", "hiring profile does not fit the job"),
            ),
            actions=(
                ("离职面谈找出原因", "exit interviews to find the causes"),
                ("建立职业通道与激励", "build career paths and incentives"),
                ("改进招聘标准", "improve the hiring profile"),
            ),
        ),
        "below": Advice(
            causes=(("人员稳定，但可能缺少晋升流动", "a stable team, perhaps with little promotion"),),
            actions=(("关注晋升和轮岗机会", "watch promotion and rotation opportunities"),),
        ),
    },
}


def advice_for(code: str, status: str) -> Advice | None:
    """The causes and actions for a metric in a status ("above" / "below"), if the regulation lists any."""
    return ADVICE.get(code, {}).get(status)
