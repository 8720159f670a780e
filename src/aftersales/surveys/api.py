"""Surveys API: questionnaire design in versions, surveys, invitation links, answers (phone, paper,
and the customer's link without login), results against the target and their Excel export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja.responses import Status

from aftersales.core.api import ErrorOut, LocalDateTime, Page, paginate
from aftersales.core.errors import NotFound, PermissionRefused, ValidationFailed
from aftersales.service.models import ServiceRequest

from . import exports, selectors, services
from .models import Question, ResponseChannel, Section

router = Router(tags=["satisfaction surveys"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _viewer(request: HttpRequest) -> None:
    if not selectors.can_view(request.user):
        raise PermissionRefused()


# -- design ------------------------------------------------------------------------------------------
class QuestionnaireIn(Schema):
    code: str
    title: str
    description: str = ""


class VersionRef(Schema):
    id: int
    number: int
    status: str
    published_at: LocalDateTime | None


class QuestionnaireOut(Schema):
    id: int
    code: str
    title: str
    description: str
    versions: list[VersionRef]


class QuestionIn(Schema):
    text: str
    kind: str
    key: str = ""
    required: bool = True
    options: list[str] = []
    satisfied_options: list[str] = []
    yes_is_satisfied: bool = True


class SectionIn(Schema):
    title: str
    topic: str = "after_sales"


class VersionOut(Schema):
    id: int
    questionnaire_id: int
    number: int
    status: str
    sections: list[dict]


class PublishIn(Schema):
    note: str = ""


def _q_payload(q: Any) -> dict[str, Any]:
    return {
        "id": q.pk,
        "code": q.code,
        "title": q.title,
        "description": q.description,
        "versions": [
            {"id": v.pk, "number": v.number, "status": v.status, "published_at": v.published_at}
            for v in q.versions.order_by("-number")
        ],
    }


def _v_payload(v: Any) -> dict[str, Any]:
    return {
        "id": v.pk,
        "questionnaire_id": v.questionnaire_id,
        "number": v.number,
        "status": v.status,
        "sections": selectors.version_structure(v),
    }


def _section(request: HttpRequest, section_id: int) -> Section:
    _viewer(request)
    section = Section.objects.select_related("version").filter(pk=section_id).first()
    if section is None:
        raise NotFound()
    return section


def _question(request: HttpRequest, question_id: int) -> Question:
    _viewer(request)
    question = Question.objects.select_related("section__version").filter(pk=question_id).first()
    if question is None:
        raise NotFound()
    return question


@router.get("/questionnaires", response=list[QuestionnaireOut])
def list_questionnaires(request: HttpRequest) -> Any:
    _viewer(request)
    from .models import Questionnaire

    return [_q_payload(q) for q in Questionnaire.objects.prefetch_related("versions")]


@router.post("/questionnaires", response={201: QuestionnaireOut, 403: ErrorOut, 422: ErrorOut})
def create_questionnaire(request: HttpRequest, data: QuestionnaireIn) -> Any:
    q = services.create_questionnaire(
        code=data.code, title=data.title, description=data.description, actor=request.user
    )
    return Status(201, _q_payload(q))


@router.get("/questionnaires/{questionnaire_id}", response={200: QuestionnaireOut, 404: ErrorOut})
def get_questionnaire(request: HttpRequest, questionnaire_id: int) -> Any:
    return _q_payload(selectors.access_questionnaire(request.user, questionnaire_id))


@router.post(
    "/questionnaires/{questionnaire_id}/versions",
    response={201: VersionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def new_version(request: HttpRequest, questionnaire_id: int) -> Any:
    """A new draft copied from the version in use."""
    q = selectors.access_questionnaire(request.user, questionnaire_id)
    return Status(201, _v_payload(services.start_new_version(questionnaire=q, actor=request.user)))


@router.get("/versions/{version_id}", response={200: VersionOut, 404: ErrorOut})
def get_version(request: HttpRequest, version_id: int) -> Any:
    return _v_payload(selectors.access_version(request.user, version_id))


@router.post(
    "/versions/{version_id}/sections",
    response={201: VersionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def add_section(request: HttpRequest, version_id: int, data: SectionIn) -> Any:
    v = selectors.access_version(request.user, version_id)
    services.add_section(version=v, title=data.title, topic=data.topic, actor=request.user)
    return Status(201, _v_payload(v))


@router.put(
    "/sections/{section_id}",
    response={200: VersionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def update_section(request: HttpRequest, section_id: int, data: SectionIn) -> Any:
    s = _section(request, section_id)
    services.update_section(section=s, title=data.title, topic=data.topic, actor=request.user)
    return _v_payload(s.version)


@router.delete(
    "/sections/{section_id}", response={200: VersionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
)
def delete_section(request: HttpRequest, section_id: int) -> Any:
    s = _section(request, section_id)
    services.delete_section(section=s, actor=request.user)
    return _v_payload(s.version)


@router.post(
    "/sections/{section_id}/questions",
    response={201: VersionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def add_question(request: HttpRequest, section_id: int, data: QuestionIn) -> Any:
    s = _section(request, section_id)
    services.add_question(section=s, data=services.QuestionInput(**data.dict()), actor=request.user)
    return Status(201, _v_payload(s.version))


@router.put(
    "/questions/{question_id}",
    response={200: VersionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def update_question(request: HttpRequest, question_id: int, data: QuestionIn) -> Any:
    q = _question(request, question_id)
    services.update_question(question=q, data=services.QuestionInput(**data.dict()), actor=request.user)
    return _v_payload(q.section.version)


@router.delete(
    "/questions/{question_id}", response={200: VersionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
)
def delete_question(request: HttpRequest, question_id: int) -> Any:
    q = _question(request, question_id)
    version = q.section.version
    services.delete_question(question=q, actor=request.user)
    return _v_payload(version)


@router.post(
    "/versions/{version_id}/publish",
    response={200: VersionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def publish(request: HttpRequest, version_id: int, data: PublishIn) -> Any:
    v = selectors.access_version(request.user, version_id)
    return _v_payload(services.publish_version(version=v, note=data.note, actor=request.user))


# -- surveys, links, answers -------------------------------------------------------------------------
class SurveyIn(Schema):
    name: str
    questionnaire_id: int
    opens_on: dt.date
    closes_on: dt.date
    audience: str = "all"
    intro: str = ""


class SurveyOut(Schema):
    id: int
    name: str
    questionnaire_id: int
    questionnaire: str
    audience: str
    opens_on: dt.date
    closes_on: dt.date
    status: str
    responses: int


class InviteIn(Schema):
    customer_id: int
    channel: str = "sms"
    request_number: str | None = None


class InvitationOut(Schema):
    id: int
    customer_id: int
    customer: str
    channel: str
    url: str
    created_at: LocalDateTime
    opened_at: LocalDateTime | None
    answered_at: LocalDateTime | None


class ResponseIn(Schema):
    customer_id: int
    channel: str
    answers: dict[int, Any]
    version_id: int | None = None
    request_number: str | None = None
    answered_at: dt.datetime | None = None
    paper_form_number: str = ""


class ResponseOut(Schema):
    id: int
    survey_id: int
    customer_id: int
    customer: str
    channel: str
    version: int
    answered_at: LocalDateTime
    technician: str | None
    department: str | None
    answers: list[dict]


def _s_payload(s: Any) -> dict[str, Any]:
    return {
        "id": s.pk,
        "name": s.name,
        "questionnaire_id": s.questionnaire_id,
        "questionnaire": s.questionnaire.title,
        "audience": s.audience,
        "opens_on": s.opens_on,
        "closes_on": s.closes_on,
        "status": s.status,
        "responses": s.responses.count(),
    }


def link_path(token: str) -> str:
    return reverse("surveys:public", args=[token])


def _inv_payload(request: HttpRequest, inv: Any) -> dict[str, Any]:
    return {
        "id": inv.pk,
        "customer_id": inv.customer_id,
        "customer": inv.customer.name,
        "channel": inv.channel,
        "url": request.build_absolute_uri(link_path(inv.token)),
        "created_at": inv.created_at,
        "opened_at": inv.opened_at,
        "answered_at": inv.answered_at,
    }


def _r_payload(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "survey_id": r.survey_id,
        "customer_id": r.customer_id,
        "customer": r.customer.name,
        "channel": r.channel,
        "version": r.version.number,
        "answered_at": r.answered_at,
        "technician": (r.technician.get_full_name() or r.technician.username) if r.technician else None,
        "department": r.station.name if r.station else None,
        "answers": [
            {
                "question_id": a.question_id,
                "key": a.question.key,
                "question": a.question.text,
                "answer": a.display(),
                "satisfied": a.satisfied,
            }
            for a in r.answers.select_related("question").order_by(
                "question__section__position", "question__position"
            )
        ],
    }


def _request_id(user: Any, number: str | None) -> int | None:
    if not number:
        return None
    from aftersales.service.selectors import access_request

    return access_request(user, number).pk


@router.get("/surveys", response=list[SurveyOut])
def list_surveys(request: HttpRequest) -> Any:
    return [_s_payload(s) for s in selectors.surveys_for(request.user)]


@router.post("/surveys", response={201: SurveyOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def create_survey(request: HttpRequest, data: SurveyIn) -> Any:
    q = selectors.access_questionnaire(request.user, data.questionnaire_id)
    s = services.create_survey(
        name=data.name,
        questionnaire=q,
        opens_on=data.opens_on,
        closes_on=data.closes_on,
        audience=data.audience,
        intro=data.intro,
        actor=request.user,
    )
    return Status(201, _s_payload(s))


@router.get("/surveys/{survey_id}", response={200: SurveyOut, 404: ErrorOut})
def get_survey(request: HttpRequest, survey_id: int) -> Any:
    return _s_payload(selectors.access_survey(request.user, survey_id))


@router.post(
    "/surveys/{survey_id}/close", response={200: SurveyOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
)
def close_survey(request: HttpRequest, survey_id: int) -> Any:
    s = selectors.access_survey(request.user, survey_id)
    return _s_payload(services.close_survey(survey=s, actor=request.user))


@router.post(
    "/surveys/{survey_id}/invitations",
    response={201: InvitationOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def invite(request: HttpRequest, survey_id: int, data: InviteIn) -> Any:
    """The customer's personal link (the same link if they were invited before)."""
    from aftersales.customers.selectors import access_customer

    s = selectors.access_survey(request.user, survey_id)
    customer = access_customer(request.user, data.customer_id)
    rid = _request_id(request.user, data.request_number)
    sr = ServiceRequest.objects.get(pk=rid) if rid else None
    inv = services.invite_customer(
        survey=s, customer=customer, channel=data.channel, request=sr, actor=request.user
    )
    return Status(201, _inv_payload(request, inv))


@router.get("/surveys/{survey_id}/invitations", response={200: Page[InvitationOut], 404: ErrorOut})
def invitations(request: HttpRequest, survey_id: int, page: int = 1, page_size: int = 50) -> Any:
    s = selectors.access_survey(request.user, survey_id)
    conf: dict[str, Any] = settings.AFTERSALES
    result = paginate(s.invitations.select_related("customer"), page, page_size, conf["PAGE_SIZE_MAX"])
    result["items"] = [_inv_payload(request, i) for i in result["items"]]
    return result


@router.post(
    "/surveys/{survey_id}/responses",
    response={201: ResponseOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def record_response(request: HttpRequest, survey_id: int, data: ResponseIn) -> Any:
    """Answers recorded by an agent: read out on the phone, or typed in from a paper form."""
    s = selectors.access_survey(request.user, survey_id)
    if data.channel == ResponseChannel.WEB:
        raise ValidationFailed(
            "invalid_channel", _("Web answers come through the customer's link."), field="channel"
        )
    r = services.record_response(
        data=services.ResponseInput(
            survey_id=s.pk,
            customer_id=data.customer_id,
            channel=data.channel,
            answers=data.answers,
            version_id=data.version_id,
            request_id=_request_id(request.user, data.request_number),
            answered_at=data.answered_at,
            paper_form_number=data.paper_form_number,
        ),
        actor=request.user,
    )
    return Status(201, _r_payload(r))


@router.get("/surveys/{survey_id}/responses", response={200: Page[ResponseOut], 404: ErrorOut})
def responses(request: HttpRequest, survey_id: int, page: int = 1, page_size: int = 50) -> Any:
    s = selectors.access_survey(request.user, survey_id)
    qs = selectors.responses_for(selectors.ResultFilters(survey_id=s.pk))
    conf: dict[str, Any] = settings.AFTERSALES
    result = paginate(qs, page, page_size, conf["PAGE_SIZE_MAX"])
    result["items"] = [_r_payload(r) for r in result["items"]]
    return result


# -- results -----------------------------------------------------------------------------------------
class ResultRowOut(Schema):
    key: Any
    label: str
    answers: int
    satisfied: int
    responses: int
    rate: float | None
    target: float
    meets_target: bool | None


class ResultsOut(Schema):
    overall: ResultRowOut
    group: str
    rows: list[ResultRowOut]


def _filters(
    survey_id: int | None,
    questionnaire_id: int | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    customer_kind: str | None,
    technician_id: int | None,
    station_id: int | None,
) -> selectors.ResultFilters:
    return selectors.ResultFilters(
        survey_id=survey_id,
        questionnaire_id=questionnaire_id,
        date_from=date_from,
        date_to=date_to,
        customer_kind=customer_kind,
        technician_id=technician_id,
        station_id=station_id,
    )


@router.get("/results", response={200: ResultsOut, 403: ErrorOut, 422: ErrorOut})
def results(
    request: HttpRequest,
    group: str = "question",
    period: str = "month",
    survey_id: int | None = None,
    questionnaire_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    customer_kind: str | None = None,
    technician_id: int | None = None,
    station_id: int | None = None,
) -> Any:
    """Satisfaction rate (satisfied / rated answers) per question, section, technician, department
    (station), period or customer kind, against the target (95 % by default)."""
    _viewer(request)
    if group not in selectors.GROUPS:
        raise ValidationFailed(
            "invalid_group",
            _("Group by question, section, technician, department, period or customer_kind."),
            field="group",
        )
    f = _filters(survey_id, questionnaire_id, date_from, date_to, customer_kind, technician_id, station_id)
    rows = selectors.by_period(f, period) if group == "period" else selectors.GROUPS[group](f)
    return {"overall": selectors.overall(f).as_dict(), "group": group, "rows": [r.as_dict() for r in rows]}


@router.get("/results/export", response={200: None, 403: ErrorOut})
def export(
    request: HttpRequest,
    period: str = "month",
    survey_id: int | None = None,
    questionnaire_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    customer_kind: str | None = None,
    technician_id: int | None = None,
    station_id: int | None = None,
) -> Any:
    """The results as an Excel workbook."""
    _viewer(request)
    f = _filters(survey_id, questionnaire_id, date_from, date_to, customer_kind, technician_id, station_id)
    response = HttpResponse(exports.results_workbook(f, period), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="survey-results.xlsx"'
    return response


# -- the customer's link (no login) -------------------------------------------------------------------
class PublicSurveyOut(Schema):
    survey: str
    intro: str
    customer: str
    version_id: int
    answered: bool
    accepting: bool
    sections: list[dict]


class PublicAnswersIn(Schema):
    answers: dict[int, Any]
    version_id: int | None = None


@router.get("/public/{token}", response={200: PublicSurveyOut, 404: ErrorOut}, auth=None)
def public_survey(request: HttpRequest, token: str) -> Any:
    from aftersales.core.clock import local_today

    inv = selectors.invitation_by_token(token)
    services.mark_opened(inv)
    version = services.answerable_version(inv.survey)
    return {
        "survey": inv.survey.name,
        "intro": inv.survey.intro,
        "customer": inv.customer.name,
        "version_id": version.pk,
        "answered": inv.answered_at is not None,
        "accepting": services.is_accepting(inv.survey, local_today()),
        "sections": selectors.version_structure(version),
    }


@router.post("/public/{token}", response={201: dict, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}, auth=None)
def public_answer(request: HttpRequest, token: str, data: PublicAnswersIn) -> Any:
    inv = selectors.invitation_by_token(token)
    services.record_response(
        data=services.ResponseInput(
            survey_id=inv.survey_id,
            customer_id=inv.customer_id,
            channel=ResponseChannel.WEB,
            answers=data.answers,
            version_id=data.version_id,
        ),
        invitation=inv,
    )
    return Status(201, {"ok": True})
