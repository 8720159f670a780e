"""Template helpers for questionnaire forms: what was posted for a question, and its error."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def posted(post: Any, question: Any) -> Any:
    """The value posted for the question (a list for multiple choice), to fill the form again."""
    if not post:
        return [] if question.kind == "multiple_choice" else ""
    name = f"q{question.pk}"
    return post.getlist(name) if question.kind == "multiple_choice" else post.get(name, "")


@register.filter
def error_for(errors: dict[str, str], question: Any) -> str:
    return (errors or {}).get(f"q{question.pk}", "")


@register.filter
def as_str(value: Any) -> str:
    return str(value)


@register.filter
def pct(value: Any) -> str:
    """0.9643 -> "96.4%" (— when there is nothing to rate)."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"
