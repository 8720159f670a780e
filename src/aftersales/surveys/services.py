"""Business actions on surveys: design questionnaires in versions, run surveys, invite by link,
and record answers given by phone, through the link, or typed in from a paper form."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from aftersales.core.clock import local_date, now
from aftersales.core.errors import PermissionRefused, TransitionRefused, ValidationFailed
from aftersales.core.history import record_history
from aftersales.core.permissions import Role, has_role
from aftersales.customers.models import Customer
from aftersales.service.models import ServiceRequest

from .models import (
    Answer,
    Audience,
    Invitation,
    InvitationChannel,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ResponseChannel,
    Section,
    Survey,
    SurveyStatus,
    Topic,
    VersionStatus,
)

# The outbound manager designs questionnaires and runs surveys; managers and administrators stand in.
DESIGNERS = (Role.MANAGER, Role.ADMIN)
# Who records answers given by phone or on paper.
RECORDERS = (Role.AGENT, Role.MANAGER, Role.ADMIN, Role.QUALITY)
RATING_MIN, RATING_MAX = 1, 5
_KEY_RE = re.compile(r"^[a-z0-9_-]{1,48}$")


def satisfied_min_rating() -> int:
    """A rating counts as satisfied from this value up (4 = 满意, 5 = 非常满意)."""
    conf: dict[str, Any] = settings.AFTERSALES
    return int(conf.get("SURVEY_SATISFIED_MIN_RATING", 4))


def _require(actor: Any, roles: tuple[str, ...]) -> None:
    if not has_role(actor, *roles):
        raise PermissionRefused()


def _editable(version: QuestionnaireVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise TransitionRefused(
            "version_not_draft",
            _("A published version cannot be changed: start a new version from it."),
            "version",
        )


# -- designing ----------------------------------------------------------------------------------------
@transaction.atomic
def create_questionnaire(*, code: str, title: str, actor: Any, description: str = "") -> Questionnaire:
    """A new questionnaire with an empty draft (version 1)."""
    _require(actor, DESIGNERS)
    code = (code or "").strip().lower()
    if not _KEY_RE.match(code):
        raise ValidationFailed(
            "invalid_code", _("Use lower-case letters, digits, - and _ for the code."), field="code"
        )
    if not title.strip():
        raise ValidationFailed("title_required", _("Give the questionnaire a title."), field="title")
    if Questionnaire.objects.filter(code=code).exists():
        raise ValidationFailed("code_taken", _("This code is already used."), field="code")
    at = now()
    questionnaire = Questionnaire.objects.create(
        code=code, title=title.strip(), description=description.strip(), created_at=at, created_by=actor
    )
    QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, created_at=at, created_by=actor
    )
    record_history(subject=questionnaire, event="created", actor=actor, note=title, at=at)
    return questionnaire


def _next_position(qs: Any) -> int:
    return (qs.aggregate(m=Max("position"))["m"] or 0) + 1


@transaction.atomic
def add_section(*, version: QuestionnaireVersion, title: str, topic: str, actor: Any) -> Section:
    _require(actor, DESIGNERS)
    _editable(version)
    if topic not in Topic.values:
        raise ValidationFailed("invalid_topic", _("Unknown section topic."), field="topic")
    if not title.strip():
        raise ValidationFailed("title_required", _("Give the section a title."), field="title")
    return Section.objects.create(
        version=version, title=title.strip(), topic=topic, position=_next_position(version.sections.all())
    )


@transaction.atomic
def update_section(*, section: Section, title: str, topic: str, actor: Any) -> Section:
    _require(actor, DESIGNERS)
    _editable(section.version)
    if topic not in Topic.values:
        raise ValidationFailed("invalid_topic", _("Unknown section topic."), field="topic")
    if not title.strip():
        raise ValidationFailed("title_required", _("Give the section a title."), field="title")
    section.title, section.topic = title.strip(), topic
    section.save(update_fields=["title", "topic"])
    return section


@transaction.atomic
def delete_section(*, section: Section, actor: Any) -> None:
    _require(actor, DESIGNERS)
    _editable(section.version)
    section.delete()


@dataclass
class QuestionInput:
    text: str
    kind: str
    key: str = ""
    required: bool = True
    options: list[str] = field(default_factory=list)
    satisfied_options: list[str] = field(default_factory=list)
    yes_is_satisfied: bool = True


def _clean_question(
    data: QuestionInput, version: QuestionnaireVersion, exclude_pk: int | None
) -> QuestionInput:
    if data.kind not in QuestionKind.values:
        raise ValidationFailed("invalid_kind", _("Unknown question type."), field="kind")
    if not data.text.strip():
        raise ValidationFailed("text_required", _("Write the question."), field="text")
    options = [o.strip() for o in data.options if o and o.strip()]
    if len(set(options)) != len(options):
        raise ValidationFailed("duplicate_option", _("Each option must be different."), field="options")
    choice = data.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
    if choice and len(options) < 2:
        raise ValidationFailed(
            "options_required", _("A choice question needs at least two options."), field="options"
        )
    if not choice:
        options = []
    satisfied = [o.strip() for o in data.satisfied_options if o and o.strip()] if choice else []
    if any(o not in options for o in satisfied):
        raise ValidationFailed(
            "unknown_option",
            _("“Counts as satisfied” must name options of the question."),
            field="satisfied_options",
        )
    key = (data.key or "").strip().lower()
    if not key:
        key = f"q{secrets.token_hex(4)}"
    if not _KEY_RE.match(key):
        raise ValidationFailed(
            "invalid_key", _("Use lower-case letters, digits, - and _ for the key."), field="key"
        )
    clash = Question.objects.filter(section__version=version, key=key)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationFailed("key_taken", _("Another question of this version has this key."), field="key")
    return QuestionInput(
        text=data.text.strip(),
        kind=data.kind,
        key=key,
        required=data.required,
        options=options,
        satisfied_options=satisfied,
        yes_is_satisfied=data.yes_is_satisfied,
    )


@transaction.atomic
def add_question(*, section: Section, data: QuestionInput, actor: Any) -> Question:
    _require(actor, DESIGNERS)
    _editable(section.version)
    clean = _clean_question(data, section.version, None)
    return Question.objects.create(
        section=section,
        position=_next_position(section.questions.all()),
        key=clean.key,
        text=clean.text,
        kind=clean.kind,
        required=clean.required,
        options=clean.options,
        satisfied_options=clean.satisfied_options,
        yes_is_satisfied=clean.yes_is_satisfied,
    )


@transaction.atomic
def update_question(*, question: Question, data: QuestionInput, actor: Any) -> Question:
    _require(actor, DESIGNERS)
    _editable(question.section.version)
    clean = _clean_question(
        data if data.key else QuestionInput(**{**data.__dict__, "key": question.key}),
        question.section.version,
        question.pk,
    )
    for name in ("key", "text", "kind", "required", "options", "satisfied_options", "yes_is_satisfied"):
        setattr(question, name, getattr(clean, name))
    question.save()
    return question


@transaction.atomic
def delete_question(*, question: Question, actor: Any) -> None:
    _require(actor, DESIGNERS)
    _editable(question.section.version)
    question.delete()


@transaction.atomic
def move_question(*, question: Question, up: bool, actor: Any) -> None:
    """Swap the question with its neighbour in the section."""
    _require(actor, DESIGNERS)
    _editable(question.section.version)
    siblings = list(question.section.questions.order_by("position", "id"))
    i = siblings.index(question)
    j = i - 1 if up else i + 1
    if not 0 <= j < len(siblings):
        return
    siblings[i], siblings[j] = siblings[j], siblings[i]
    for pos, q in enumerate(siblings, start=1):
        if q.position != pos:
            Question.objects.filter(pk=q.pk).update(position=pos)


@transaction.atomic
def publish_version(*, version: QuestionnaireVersion, actor: Any, note: str = "") -> QuestionnaireVersion:
    """Put the draft in use; the version in use until now is replaced (its answers keep it)."""
    _require(actor, DESIGNERS)
    _editable(version)
    questions = Question.objects.filter(section__version=version)
    if not questions.exists():
        raise ValidationFailed(
            "no_questions", _("Add at least one question before publishing."), field="version"
        )
    at = now()
    previous = QuestionnaireVersion.objects.filter(
        questionnaire_id=version.questionnaire_id, status=VersionStatus.PUBLISHED
    )
    previous.update(status=VersionStatus.RETIRED)
    changed = QuestionnaireVersion.objects.filter(pk=version.pk, status=VersionStatus.DRAFT).update(
        status=VersionStatus.PUBLISHED, published_at=at, published_by=actor, note=note[:200]
    )
    if changed != 1:
        raise TransitionRefused("version_not_draft", _("This version was published meanwhile."), "version")
    version.refresh_from_db()
    record_history(
        subject=version.questionnaire,
        event="published",
        actor=actor,
        new=f"v{version.number}",
        note=note,
        at=at,
        data={"version": version.number, "questions": questions.count()},
    )
    return version


@transaction.atomic
def start_new_version(*, questionnaire: Questionnaire, actor: Any) -> QuestionnaireVersion:
    """A draft copied from the version in use (question keys kept, so results continue)."""
    _require(actor, DESIGNERS)
    if questionnaire.draft_version() is not None:
        raise TransitionRefused("draft_exists", _("This questionnaire already has a draft."), "version")
    source = questionnaire.published_version()
    if source is None:
        raise TransitionRefused(
            "nothing_published", _("Publish the first version before starting another."), "version"
        )
    at = now()
    number = (questionnaire.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    try:
        with transaction.atomic():
            draft = QuestionnaireVersion.objects.create(
                questionnaire=questionnaire, number=number, created_at=at, created_by=actor
            )
    except IntegrityError:
        raise TransitionRefused(
            "draft_exists", _("This questionnaire already has a draft."), "version"
        ) from None
    for section in source.sections.prefetch_related("questions"):
        copy = Section.objects.create(
            version=draft, position=section.position, topic=section.topic, title=section.title
        )
        Question.objects.bulk_create(
            [
                Question(
                    section=copy,
                    position=q.position,
                    key=q.key,
                    text=q.text,
                    kind=q.kind,
                    required=q.required,
                    options=q.options,
                    satisfied_options=q.satisfied_options,
                    yes_is_satisfied=q.yes_is_satisfied,
                )
                for q in section.questions.all()
            ]
        )
    record_history(subject=questionnaire, event="new_version", actor=actor, new=f"v{number}", at=at)
    return draft


# -- surveys and invitations -------------------------------------------------------------------------
@transaction.atomic
def create_survey(
    *,
    name: str,
    questionnaire: Questionnaire,
    opens_on: dt.date,
    closes_on: dt.date,
    actor: Any,
    audience: str = Audience.ALL,
    intro: str = "",
) -> Survey:
    _require(actor, DESIGNERS)
    if not name.strip():
        raise ValidationFailed("name_required", _("Give the survey a name."), field="name")
    if audience not in Audience.values:
        raise ValidationFailed("invalid_audience", _("Unknown audience."), field="audience")
    if closes_on < opens_on:
        raise ValidationFailed(
            "closes_before_opening", _("The survey must close after it opens."), field="closes_on"
        )
    if questionnaire.published_version() is None:
        raise ValidationFailed(
            "nothing_published", _("Publish a version of the questionnaire first."), field="questionnaire"
        )
    survey = Survey.objects.create(
        name=name.strip(),
        questionnaire=questionnaire,
        audience=audience,
        intro=intro.strip(),
        opens_on=opens_on,
        closes_on=closes_on,
        created_at=now(),
        created_by=actor,
    )
    record_history(subject=survey, event="created", actor=actor, note=survey.name)
    return survey


@transaction.atomic
def close_survey(*, survey: Survey, actor: Any) -> Survey:
    _require(actor, DESIGNERS)
    if Survey.objects.filter(pk=survey.pk, status=SurveyStatus.OPEN).update(status=SurveyStatus.CLOSED) != 1:
        raise TransitionRefused("survey_closed", _("The survey is already closed."), "status")
    survey.status = SurveyStatus.CLOSED
    record_history(subject=survey, event="closed", actor=actor)
    return survey


def is_accepting(survey: Survey, on: dt.date) -> bool:
    return survey.status == SurveyStatus.OPEN and survey.opens_on <= on <= survey.closes_on


def _audience_ok(survey: Survey, customer: Customer) -> bool:
    return survey.audience == Audience.ALL or survey.audience == customer.kind


def new_token() -> str:
    # 32 random bytes: a link nobody can guess or enumerate.
    return secrets.token_urlsafe(32)


@transaction.atomic
def invite_customer(
    *, survey: Survey, customer: Customer, channel: str, actor: Any, request: ServiceRequest | None = None
) -> Invitation:
    """The customer's personal link (one per customer and survey; asking again returns the same one)."""
    _require(actor, RECORDERS)
    if channel not in InvitationChannel.values:
        raise ValidationFailed("invalid_channel", _("Unknown channel."), field="channel")
    if not is_accepting(survey, local_date(now())):
        raise TransitionRefused("survey_not_open", _("The survey is not open."), "survey")
    if not _audience_ok(survey, customer):
        raise ValidationFailed(
            "wrong_audience", _("This survey is not for this kind of customer."), field="customer"
        )
    if request is not None and request.customer_id != customer.pk:
        raise ValidationFailed(
            "request_of_other_customer", _("The request belongs to another customer."), field="request"
        )
    existing = Invitation.objects.filter(survey=survey, customer=customer).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                survey=survey,
                customer=customer,
                request=request,
                token=new_token(),
                channel=channel,
                created_at=now(),
                created_by=actor,
            )
    except IntegrityError:
        return Invitation.objects.get(survey=survey, customer=customer)
    record_history(
        subject=survey, event="invited", actor=actor, data={"customer": customer.pk, "channel": channel}
    )
    return invitation


def mark_opened(invitation: Invitation) -> None:
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=now())


# -- answering ----------------------------------------------------------------------------------------
def _value_error(question: Question, code: str, message: Any) -> ValidationFailed:
    return ValidationFailed(code, message, field=f"q{question.pk}", question=question.text)


def clean_answer(question: Question, raw: Any) -> dict[str, Any] | None:
    """The stored fields of one answer, or None when it was left empty. ``raw`` is what the
    form or API sent: a number, "yes"/"no", an option, a list of options, or text."""
    if isinstance(raw, str):
        raw = raw.strip()
    empty = raw is None or raw == "" or raw == []
    if empty:
        if question.required:
            raise _value_error(question, "answer_required", _("Please answer: %(question)s"))
        return None
    kind = question.kind
    if kind == QuestionKind.RATING:
        try:
            rating = int(raw)
        except (TypeError, ValueError):
            raise _value_error(question, "invalid_rating", _("Rate from 1 to 5: %(question)s")) from None
        if not RATING_MIN <= rating <= RATING_MAX or str(raw).strip() not in {str(rating), f"{rating}.0"}:
            raise _value_error(question, "invalid_rating", _("Rate from 1 to 5: %(question)s"))
        return {"rating": rating, "satisfied": rating >= satisfied_min_rating()}
    if kind == QuestionKind.YES_NO:
        value = {"yes": True, "no": False, "true": True, "false": False, True: True, False: False}.get(
            raw.lower() if isinstance(raw, str) else raw
        )
        if value is None:
            raise _value_error(question, "invalid_yes_no", _("Answer yes or no: %(question)s"))
        return {"yes": value, "satisfied": value == question.yes_is_satisfied}
    if kind == QuestionKind.SINGLE_CHOICE:
        if isinstance(raw, list):
            raw = raw[0] if len(raw) == 1 else None
        if raw not in question.options:
            raise _value_error(question, "invalid_option", _("Choose one of the options: %(question)s"))
        satisfied = (raw in question.satisfied_options) if question.satisfied_options else None
        return {"choices": [raw], "satisfied": satisfied}
    if kind == QuestionKind.MULTIPLE_CHOICE:
        chosen = raw if isinstance(raw, list) else [raw]
        if any(c not in question.options for c in chosen) or len(set(chosen)) != len(chosen):
            raise _value_error(question, "invalid_option", _("Choose among the options: %(question)s"))
        ordered = [o for o in question.options if o in chosen]
        satisfied = (
            all(c in question.satisfied_options for c in chosen) if question.satisfied_options else None
        )
        return {"choices": ordered, "satisfied": satisfied}
    text = str(raw)
    if len(text) > 2000:
        raise _value_error(question, "text_too_long", _("The answer is too long: %(question)s"))
    return {"text": text, "satisfied": None}


def answerable_version(survey: Survey, version_id: int | None = None) -> QuestionnaireVersion:
    """The version to answer: the one the form showed (if it belongs to this survey's
    questionnaire and was ever published), else the version in use now."""
    qs = QuestionnaireVersion.objects.filter(questionnaire_id=survey.questionnaire_id)
    if version_id is not None:
        version = qs.filter(
            pk=version_id, status__in=[VersionStatus.PUBLISHED, VersionStatus.RETIRED]
        ).first()
        if version is None:
            raise ValidationFailed(
                "invalid_version", _("This questionnaire version cannot be answered."), field="version"
            )
        return version
    version = qs.filter(status=VersionStatus.PUBLISHED).first()
    if version is None:
        raise TransitionRefused(
            "nothing_published", _("The questionnaire has no published version."), "survey"
        )
    return version


def version_questions(version: QuestionnaireVersion) -> list[Question]:
    return list(
        Question.objects.filter(section__version=version)
        .select_related("section")
        .order_by("section__position", "section_id", "position", "id")
    )


@dataclass
class ResponseInput:
    survey_id: int
    customer_id: int
    channel: str
    answers: dict[int, Any]  # question id -> raw value
    version_id: int | None = None
    request_id: int | None = None
    answered_at: dt.datetime | None = None
    paper_form_number: str = ""


def _technician_and_station(request: ServiceRequest | None) -> tuple[Any, Any]:
    if request is None or request.assignee_id is None:
        return None, None
    from aftersales.dispatch.models import Technician

    tech = Technician.objects.filter(user_id=request.assignee_id).only("station_id").first()
    return request.assignee, (tech.station if tech else None)


@transaction.atomic
def record_response(
    *, data: ResponseInput, actor: Any = None, invitation: Invitation | None = None
) -> Response:
    """Store one customer's answers. By phone or from paper an agent records them (``actor``);
    through the link the customer does (no login: the invitation identifies them)."""
    if data.channel not in ResponseChannel.values:
        raise ValidationFailed("invalid_channel", _("Unknown channel."), field="channel")
    if data.channel == ResponseChannel.WEB:
        if invitation is None:
            raise PermissionRefused()
    else:
        _require(actor, RECORDERS)
    survey = Survey.objects.select_related("questionnaire").filter(pk=data.survey_id).first()
    if survey is None:
        raise ValidationFailed("unknown_survey", _("Unknown survey."), field="survey_id")
    customer = Customer.objects.filter(pk=data.customer_id).first()
    if customer is None:
        raise ValidationFailed("unknown_customer", _("Unknown customer."), field="customer_id")
    if invitation is not None and (
        invitation.survey_id != survey.pk or invitation.customer_id != customer.pk
    ):
        raise PermissionRefused()
    at = now()
    answered_at = at
    if data.channel == ResponseChannel.PAPER:
        # A paper form is typed in later: it counts on the day the customer filled it in.
        if data.answered_at is None:
            raise ValidationFailed(
                "answered_at_required", _("Give the date the form was filled in."), field="answered_at"
            )
        if data.answered_at > at:
            raise ValidationFailed(
                "answered_in_future", _("The date cannot be in the future."), field="answered_at"
            )
        answered_at = data.answered_at
    if not is_accepting(survey, local_date(answered_at)) and not (
        data.channel == ResponseChannel.PAPER
        and survey.opens_on <= local_date(answered_at) <= survey.closes_on
    ):
        raise TransitionRefused("survey_not_open", _("The survey is not open."), "survey")
    if not _audience_ok(survey, customer):
        raise ValidationFailed(
            "wrong_audience", _("This survey is not for this kind of customer."), field="customer_id"
        )
    if Response.objects.filter(survey=survey, customer=customer).exists():
        raise TransitionRefused(
            "already_answered", _("This customer has already answered this survey."), "customer_id"
        )
    request = None
    if data.request_id is not None:
        request = ServiceRequest.objects.select_related("assignee").filter(pk=data.request_id).first()
        if request is None or request.customer_id != customer.pk:
            raise ValidationFailed(
                "unknown_request", _("Unknown request for this customer."), field="request_id"
            )
    elif invitation is not None and invitation.request_id:
        request = ServiceRequest.objects.select_related("assignee").get(pk=invitation.request_id)
    version = answerable_version(survey, data.version_id)
    questions = version_questions(version)
    known = {q.pk for q in questions}
    stray = [k for k in data.answers if k not in known]
    if stray:
        raise ValidationFailed(
            "unknown_question", _("An answer is for a question not in this questionnaire."), field="answers"
        )
    cleaned = [(q, clean_answer(q, data.answers.get(q.pk))) for q in questions]
    if all(fields is None for _q, fields in cleaned):
        raise ValidationFailed("no_answers", _("Answer at least one question."), field="answers")
    technician, station = _technician_and_station(request)
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                version=version,
                customer=customer,
                customer_kind=customer.kind,
                channel=data.channel,
                invitation=invitation,
                request=request,
                technician=technician,
                station=station,
                paper_form_number=data.paper_form_number.strip()[:32],
                answered_at=answered_at,
                recorded_at=at,
                entered_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        # Two submissions of the same link at once: the first one stands.
        raise TransitionRefused(
            "already_answered", _("This customer has already answered this survey."), "customer_id"
        ) from None
    Answer.objects.bulk_create(
        [Answer(response=response, question=q, **fields) for q, fields in cleaned if fields]
    )
    if invitation is not None:
        Invitation.objects.filter(pk=invitation.pk).update(answered_at=at)
    record_history(
        subject=response,
        event="answered",
        actor=actor,
        at=at,
        data={"channel": data.channel, "version": version.number, "survey": survey.pk},
    )
    return response
