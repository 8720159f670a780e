"""Helpers of the complaint tests: local times and a driver through the complaint flow."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aftersales.core.clock import frozen_at

SH = dt.timezone(dt.timedelta(hours=8))


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


class Flow:
    """Takes a complaint through the flow with the right person for each step, at given times."""

    def __init__(self, people: dict[str, Any], departments: dict[str, Any]) -> None:
        self.p = people
        self.d = departments

    def run(self, sr: Any, step: str, when: dt.datetime, **kwargs: Any) -> Any:
        from aftersales.complaints import services as s

        p = self.p
        with frozen_at(when):
            if step == "reply":
                return s.reply_to_customer(
                    request=sr, reply=kwargs.get("reply", "已致歉，24小时内给出方案"), actor=p["agent"]
                )
            if step == "validate":
                return s.validate_complaint(request=sr, actor=p["agent"], note=kwargs.get("note", "核实属实"))
            if step == "assign":
                return s.assign_complaint(
                    request=sr,
                    department_id=kwargs.get("department_id", self.d["after_sales"].pk),
                    responsible_person_id=kwargs.get("responsible_person_id", p["responsible"].pk),
                    other_department_ids=kwargs.get("other_department_ids", ()),
                    promised_date=kwargs.get("promised_date"),
                    actor=p["quality"],
                )
            if step == "investigate":
                return s.record_investigation(
                    request=sr,
                    cause=kwargs.get("cause", "派工排程冲突，技术员未提前告知客户"),
                    person_at_fault_id=kwargs.get("person_at_fault_id"),
                    actor=p["responsible"],
                )
            if step == "propose":
                return s.propose_plan(
                    request=sr, plan=kwargs.get("plan", "上门致歉，免收本次上门费"), actor=p["responsible"]
                )
            if step == "check":
                return s.check_plan(request=sr, actor=kwargs.get("actor", p["quality"]))
            if step == "approve":
                return s.approve_plan(request=sr, actor=kwargs.get("actor", p["manager"]))
            if step == "implement":
                s.start_implementation(request=sr, actor=p["responsible"])
                return s.complete_implementation(
                    request=sr,
                    implementation=kwargs.get("implementation", "已上门致歉并退还上门费"),
                    actor=p["responsible"],
                )
            if step == "notify":
                return s.notify_customer(
                    request=sr,
                    notice=kwargs.get("notice", "处理结果已电话告知"),
                    channel="phone",
                    actor=p["agent"],
                )
            if step == "follow_up":
                return s.record_follow_up(
                    request=sr, satisfied=kwargs["satisfied"], note=kwargs.get("note", ""), actor=p["agent"]
                )
            if step == "report":
                return s.report_to_general_manager(
                    request=sr, report=kwargs.get("report", "调查结论及处理方案"), actor=p["quality"]
                )
            if step == "archive":
                return s.archive_complaint(
                    request=sr,
                    summary=kwargs.get("summary", "客户满意，结案"),
                    lessons=kwargs.get("lessons", "派工需提前告知客户到达时间"),
                    corrective_action_ref=kwargs.get("corrective_action_ref", ""),
                    actor=p["quality"],
                )
        raise ValueError(step)

    def through(
        self, sr: Any, steps: list[str], start: dt.datetime, every: dt.timedelta = dt.timedelta(hours=1)
    ) -> Any:
        when = start
        for step in steps:
            when += every
            sr = self.run(sr, step, when, **({"satisfied": True} if step == "follow_up" else {}))
        return sr


TO_NOTIFIED = [
    "reply",
    "validate",
    "assign",
    "investigate",
    "propose",
    "check",
    "approve",
    "implement",
    "notify",
]
