"""The standard after-sales satisfaction questionnaire: the sections the regulations name, ready to
publish or to copy and adapt. The outbound manager creates it with one click (and the demo data uses it)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from . import services
from .models import QuestionKind, Questionnaire, Topic

STANDARD: list[tuple[str, str, list[tuple[str, str, str, dict[str, Any]]]]] = [
    (
        Topic.TECHNICAL_INSTALLATION,
        "技术安装",
        [
            ("install_on_time", "安装人员是否按约定时间到达？", QuestionKind.YES_NO, {}),
            ("install_quality", "您对安装质量的评价", QuestionKind.RATING, {}),
        ],
    ),
    (
        Topic.SYSTEM_OPERATION,
        "系统运行",
        [
            ("running_well", "设备目前运行是否正常？", QuestionKind.YES_NO, {}),
        ],
    ),
    (
        Topic.PROJECT_IMPLEMENTATION,
        "项目实施",
        [
            ("project_schedule", "您对项目实施进度的评价", QuestionKind.RATING, {"required": False}),
        ],
    ),
    (
        Topic.AFTER_SALES,
        "售后服务",
        [
            ("staff_attitude", "服务人员的服务态度", QuestionKind.RATING, {}),
            ("timeliness", "服务的及时性", QuestionKind.RATING, {}),
            (
                "fixed_first_time",
                "问题是否得到解决？",
                QuestionKind.SINGLE_CHOICE,
                {
                    "options": ["一次上门解决", "多次上门后解决", "尚未解决"],
                    "satisfied_options": ["一次上门解决", "多次上门后解决"],
                },
            ),
            (
                "valued_aspects",
                "您最看重服务的哪些方面？（可多选）",
                QuestionKind.MULTIPLE_CHOICE,
                {
                    "options": ["响应速度", "技术水平", "服务态度", "收费透明"],
                    "required": False,
                },
            ),
        ],
    ),
    (
        Topic.TRAINING,
        "培训",
        [
            ("training_given", "是否向您讲解了产品的使用和保养方法？", QuestionKind.YES_NO, {}),
        ],
    ),
    (
        Topic.OTHER,
        "意见和建议",
        [
            ("comments", "您对我们的服务还有什么意见或建议？", QuestionKind.TEXT, {"required": False}),
        ],
    ),
]


@transaction.atomic
def create_standard_questionnaire(
    *, actor: Any, code: str = "after-sales-standard", title: str = "售后服务满意度调查", publish: bool = True
) -> Questionnaire:
    questionnaire = services.create_questionnaire(code=code, title=title, actor=actor)
    version = questionnaire.draft_version()
    assert version is not None
    for topic, section_title, questions in STANDARD:
        section = services.add_section(version=version, title=section_title, topic=topic, actor=actor)
        for key, text, kind, extra in questions:
            services.add_question(
                section=section,
                data=services.QuestionInput(
                    key=key,
                    text=text,
                    kind=kind,
                    required=extra.get("required", True),
                    options=list(extra.get("options", [])),
                    satisfied_options=list(extra.get("satisfied_options", [])),
                ),
                actor=actor,
            )
    if publish:
        services.publish_version(version=version, actor=actor, note="标准问卷")
    return questionnaire
