"""Outbound fixtures: the standard questionnaire and a survey for survey campaigns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def questionnaire(manager):
    from aftersales.surveys.standard import create_standard_questionnaire

    return create_standard_questionnaire(actor=manager)


@pytest.fixture
def survey(questionnaire, manager):
    from aftersales.core.clock import frozen_at
    from aftersales.surveys.services import create_survey

    with frozen_at(dt.datetime(2026, 3, 1, 9, tzinfo=SH)):
        return create_survey(
            name="2026年一季度售后满意度调查",
            questionnaire=questionnaire,
            opens_on=dt.date(2026, 3, 1),
            closes_on=dt.date(2026, 12, 31),
            actor=manager,
        )


@pytest.fixture
def by_key():
    """Answers given by question key, turned into {question id: value} for a version."""
    from aftersales.surveys.models import Question

    def convert(version: Any, answers: dict[str, Any]) -> dict[int, Any]:
        ids = dict(Question.objects.filter(section__version=version).values_list("key", "pk"))
        return {ids[k]: v for k, v in answers.items()}

    return convert


GOOD = {
    "install_on_time": "yes",
    "install_quality": 5,
    "running_well": "yes",
    "staff_attitude": 5,
    "timeliness": 4,
    "fixed_first_time": "一次上门解决",
    "training_given": "yes",
}


@pytest.fixture
def good_answers():
    return dict(GOOD)
