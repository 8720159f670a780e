"""Read queries on surveys: access checks, the questionnaire to show, and the results
(satisfaction rate per question, section, technician, department, period, customer kind)
against the target."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.clock import local_tz
from aftersales.core.errors import NotFound
from aftersales.core.permissions import Role, has_role

from .models import (
    Answer,
    Invitation,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    Survey,
    Topic,
    VersionStatus,
)

VIEWERS = (Role.AGENT, Role.QUALITY, Role.MANAGER, Role.ADMIN, Role.DISPATCHER)


def can_view(user: Any) -> bool:
    return has_role(user, *VIEWERS)


def access_questionnaire(user: Any, pk: int) -> Questionnaire:
    q = Questionnaire.objects.filter(pk=pk).first()
    if q is None or not can_view(user):
        raise NotFound()
    return q


def access_version(user: Any, pk: int) -> QuestionnaireVersion:
    v = QuestionnaireVersion.objects.select_related("questionnaire").filter(pk=pk).first()
    if v is None or not can_view(user):
        raise NotFound()
    return v


def access_survey(user: Any, pk: int) -> Survey:
    s = Survey.objects.select_related("questionnaire").filter(pk=pk).first()
    if s is None or not can_view(user):
        raise NotFound()
    return s


def invitation_by_token(token: str) -> Invitation:
    """The invitation behind a link; a wrong or unknown token is simply "not found"."""
    token = (token or "").strip()
    inv = (
        Invitation.objects.select_related("survey__questionnaire", "customer").filter(token=token).first()
        if 20 <= len(token) <= 64
        else None
    )
    if inv is None:
        raise NotFound()
    return inv


def version_structure(version: QuestionnaireVersion) -> list[dict[str, Any]]:
    """Sections with their questions, in order: what a form or the API shows."""
    sections = []
    for section in version.sections.prefetch_related("questions").order_by("position", "id"):
        sections.append(
            {
                "id": section.pk,
                "title": section.title,
                "topic": section.topic,
                "topic_label": str(section.get_topic_display()),
                "questions": [
                    {
                        "id": q.pk,
                        "key": q.key,
                        "text": q.text,
                        "kind": q.kind,
                        "required": q.required,
                        "options": list(q.options),
                        "satisfied_options": list(q.satisfied_options),
                        "yes_is_satisfied": q.yes_is_satisfied,
                    }
                    for q in sorted(section.questions.all(), key=lambda x: (x.position, x.pk))
                ],
            }
        )
    return sections


def question_rows(version: QuestionnaireVersion) -> list[dict[str, Any]]:
    """Sections with their question objects, in order, for the shared form template."""
    return [
        {"section": section, "questions": sorted(section.questions.all(), key=lambda x: (x.position, x.pk))}
        for section in version.sections.prefetch_related("questions").order_by("position", "id")
    ]


def surveys_for(user: Any) -> QuerySet[Survey]:
    if not can_view(user):
        return Survey.objects.none()
    return Survey.objects.select_related("questionnaire").annotate(response_count=Count("responses"))


# -- results ------------------------------------------------------------------------------------------
def target_rate(customer_kind: str | None = None) -> float:
    """The satisfaction target: 95 % for individual and for business customers by default."""
    conf: dict[str, Any] = settings.AFTERSALES
    if customer_kind == "person":
        return float(conf.get("SURVEY_TARGET_INDIVIDUAL", 0.95))
    if customer_kind == "company":
        return float(conf.get("SURVEY_TARGET_BUSINESS", 0.95))
    return float(conf.get("SURVEY_TARGET", 0.95))


@dataclass
class ResultFilters:
    survey_id: int | None = None
    questionnaire_id: int | None = None
    date_from: dt.date | None = None  # local dates, inclusive
    date_to: dt.date | None = None
    customer_kind: str | None = None
    technician_id: int | None = None
    station_id: int | None = None


@dataclass
class ResultRow:
    key: Any
    label: str
    answers: int
    satisfied: int
    responses: int
    target: float

    @property
    def rate(self) -> float | None:
        return self.satisfied / self.answers if self.answers else None

    @property
    def meets_target(self) -> bool | None:
        return None if self.rate is None else self.rate >= self.target - 1e-9

    @property
    def gap(self) -> float | None:
        return None if self.rate is None else self.rate - self.target

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key if isinstance(self.key, (int, str)) or self.key is None else str(self.key),
            "label": self.label,
            "answers": self.answers,
            "satisfied": self.satisfied,
            "responses": self.responses,
            "rate": self.rate,
            "target": self.target,
            "meets_target": self.meets_target,
        }


def _local_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), local_tz())


def rated_answers(f: ResultFilters) -> QuerySet[Answer]:
    """The answers that count for the rate (rated questions), within the filters."""
    qs = Answer.objects.filter(satisfied__isnull=False)
    if f.survey_id:
        qs = qs.filter(response__survey_id=f.survey_id)
    if f.questionnaire_id:
        qs = qs.filter(response__survey__questionnaire_id=f.questionnaire_id)
    if f.date_from:
        qs = qs.filter(response__answered_at__gte=_local_start(f.date_from))
    if f.date_to:
        qs = qs.filter(response__answered_at__lt=_local_start(f.date_to + dt.timedelta(days=1)))
    if f.customer_kind:
        qs = qs.filter(response__customer_kind=f.customer_kind)
    if f.technician_id:
        qs = qs.filter(response__technician_id=f.technician_id)
    if f.station_id:
        qs = qs.filter(response__station_id=f.station_id)
    return qs


_AGG = {
    "answers": Count("id"),
    "satisfied_count": Count("id", filter=Q(satisfied=True)),
    "responses": Count("response_id", distinct=True),
}


def overall(f: ResultFilters) -> ResultRow:
    row = rated_answers(f).aggregate(**_AGG)
    return ResultRow(
        "all",
        str(_("All")),
        row["answers"],
        row["satisfied_count"],
        row["responses"],
        target_rate(f.customer_kind),
    )


def by_question(f: ResultFilters) -> list[ResultRow]:
    """One row per question key (the same question across versions adds up), in questionnaire
    order, worded as in the latest version answered."""
    answers = rated_answers(f)
    rows = {r["question__key"]: r for r in answers.values("question__key").annotate(**_AGG)}
    latest: dict[str, tuple[int, int, int, str]] = {}
    for key, number, section_pos, pos, text in (
        Question.objects.filter(pk__in=answers.values("question_id"))
        .values_list("key", "section__version__number", "section__position", "position", "text")
        .distinct()
    ):
        if key not in latest or number > latest[key][0]:
            latest[key] = (number, section_pos, pos, text)
    order = sorted(rows, key=lambda k: (latest[k][1], latest[k][2], k) if k in latest else (999, 999, k))
    return [
        ResultRow(
            key,
            latest[key][3] if key in latest else key,
            rows[key]["answers"],
            rows[key]["satisfied_count"],
            rows[key]["responses"],
            target_rate(f.customer_kind),
        )
        for key in order
    ]


def by_section(f: ResultFilters) -> list[ResultRow]:
    labels = dict(Topic.choices)
    rows = (
        rated_answers(f)
        .values("question__section__topic")
        .annotate(**_AGG)
        .order_by("question__section__topic")
    )
    order = list(Topic.values)
    result = [
        ResultRow(
            r["question__section__topic"],
            str(labels.get(r["question__section__topic"], "")),
            r["answers"],
            r["satisfied_count"],
            r["responses"],
            target_rate(f.customer_kind),
        )
        for r in rows
    ]
    return sorted(result, key=lambda x: order.index(x.key) if x.key in order else 99)


def by_technician(f: ResultFilters) -> list[ResultRow]:
    rows = (
        rated_answers(f)
        .filter(response__technician__isnull=False)
        .values(
            "response__technician_id",
            "response__technician__username",
            "response__technician__first_name",
            "response__technician__last_name",
        )
        .annotate(**_AGG)
        .order_by("response__technician__username")
    )
    return [
        ResultRow(
            r["response__technician_id"],
            (
                f"{r['response__technician__last_name']}{r['response__technician__first_name']}".strip()
                or r["response__technician__username"]
            ),
            r["answers"],
            r["satisfied_count"],
            r["responses"],
            target_rate(f.customer_kind),
        )
        for r in rows
    ]


def by_department(f: ResultFilters) -> list[ResultRow]:
    rows = (
        rated_answers(f)
        .filter(response__station__isnull=False)
        .values("response__station_id", "response__station__name")
        .annotate(**_AGG)
        .order_by("response__station__name")
    )
    return [
        ResultRow(
            r["response__station_id"],
            r["response__station__name"],
            r["answers"],
            r["satisfied_count"],
            r["responses"],
            target_rate(f.customer_kind),
        )
        for r in rows
    ]


def by_customer_kind(f: ResultFilters) -> list[ResultRow]:
    labels = {"person": _("Individual customers"), "company": _("Business customers")}
    rows = (
        rated_answers(f)
        .values("response__customer_kind")
        .annotate(**_AGG)
        .order_by("response__customer_kind")
    )
    return [
        ResultRow(
            r["response__customer_kind"],
            str(labels.get(r["response__customer_kind"], r["response__customer_kind"])),
            r["answers"],
            r["satisfied_count"],
            r["responses"],
            target_rate(r["response__customer_kind"]),
        )
        for r in rows
    ]


PERIODS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def by_period(f: ResultFilters, period: str = "month") -> list[ResultRow]:
    trunc = PERIODS.get(period, TruncMonth)
    rows = (
        rated_answers(f)
        .annotate(period=trunc("response__answered_at", tzinfo=local_tz()))
        .values("period")
        .annotate(**_AGG)
        .order_by("period")
    )
    fmt = "%Y-%m" if trunc is TruncMonth else "%Y-%m-%d"
    out = []
    for r in rows:
        start = r["period"]
        day = start.date() if isinstance(start, dt.datetime) else start
        out.append(
            ResultRow(
                day.isoformat(),
                day.strftime(fmt),
                r["answers"],
                r["satisfied_count"],
                r["responses"],
                target_rate(f.customer_kind),
            )
        )
    return out


GROUPS = {
    "question": by_question,
    "section": by_section,
    "technician": by_technician,
    "department": by_department,
    "customer_kind": by_customer_kind,
    "period": by_period,
}


def responses_for(f: ResultFilters) -> QuerySet[Response]:
    qs = Response.objects.select_related(
        "survey", "customer", "technician", "station", "version", "entered_by"
    )
    if f.survey_id:
        qs = qs.filter(survey_id=f.survey_id)
    if f.questionnaire_id:
        qs = qs.filter(survey__questionnaire_id=f.questionnaire_id)
    if f.date_from:
        qs = qs.filter(answered_at__gte=_local_start(f.date_from))
    if f.date_to:
        qs = qs.filter(answered_at__lt=_local_start(f.date_to + dt.timedelta(days=1)))
    if f.customer_kind:
        qs = qs.filter(customer_kind=f.customer_kind)
    if f.technician_id:
        qs = qs.filter(technician_id=f.technician_id)
    if f.station_id:
        qs = qs.filter(station_id=f.station_id)
    return qs.order_by("answered_at", "id")


def published_versions(questionnaire: Questionnaire) -> QuerySet[QuestionnaireVersion]:
    return questionnaire.versions.exclude(status=VersionStatus.DRAFT)
