"""Reading a questionnaire form back: the answers posted by the shared question template
(``surveys/_questions.html``), as {question id: value} for ``services.record_response``."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from .models import Question, QuestionKind


def answers_from_post(post: QueryDict, questions: list[Question]) -> dict[int, Any]:
    answers: dict[int, Any] = {}
    for q in questions:
        name = f"q{q.pk}"
        if q.kind == QuestionKind.MULTIPLE_CHOICE:
            value: Any = post.getlist(name)
        else:
            value = post.get(name, "")
        answers[q.pk] = value
    return answers


def options_from_text(text: str) -> list[str]:
    """Options typed one per line (or separated by commas) in the designer."""
    pieces = (text or "").replace("，", "\n").replace(",", "\n").splitlines()
    return [p.strip() for p in pieces if p.strip()]
