"""Suggestions API: register, one endpoint per step of the flow, grades, certificates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from aftersales.core.api import ErrorOut, LocalDateTime, Page, paginate
from aftersales.core.history import history_of
from aftersales.core.permissions import roles_of
from aftersales.service.workflow import available_actions

from . import selectors, services
from .models import Certificate, Department, RewardGrade

router = Router(tags=["suggestions"])


class SuggestionIn(Schema):
    customer_id: int
    channel: str
    subject: str
    description: str
    received_at: dt.datetime | None = None
    contact_phone: str = ""


class ContactOut(Schema):
    status: str
    channel: str
    note: str
    at: LocalDateTime
    by: str


class HistoryOut(Schema):
    at: LocalDateTime
    event: str
    old_state: str
    new_state: str
    actor: str | None
    note: str


class SuggestionOut(Schema):
    number: str
    status: str
    status_label: str
    channel: str
    customer_id: int
    customer: str
    description: str
    received_at: LocalDateTime
    subject: str
    subject_label: str
    department: str | None
    implementation_date: dt.date | None
    measures: str
    thanks: str
    hold_reason: str
    held_until: dt.date | None
    decision_due_at: LocalDateTime
    customer_told_of: str
    scores: dict[str, int | None]
    grade: str | None
    reward: Decimal | None


class SuggestionDetailOut(SuggestionOut):
    actions: list[str]
    contacts: list[ContactOut]
    history: list[HistoryOut]


class RegistrationOut(SuggestionOut):
    repeat: bool


class NoteIn(Schema):
    note: str = ""


class ForwardIn(NoteIn):
    department_id: int


class AdoptIn(NoteIn):
    implementation_date: dt.date
    measures: str


class RejectIn(NoteIn):
    thanks: str


class HoldIn(Schema):
    reason: str
    held_until: dt.date | None = None


class TellIn(Schema):
    channel: str
    note: str


class GradeIn(Schema):
    creativity: int
    feasibility: int
    benefit: int
    note: str = ""


class YearIn(Schema):
    year: int


class CertificateOut(Schema):
    number: str
    customer_id: int
    customer: str
    year: int
    suggestion_count: int
    adopted_count: int
    issued_at: LocalDateTime


class EligibleOut(Schema):
    customer_id: int
    customer: str
    suggestions: int
    adopted: int
    certificate: str | None


def payload(sr: Any) -> dict[str, Any]:
    s = sr.suggestion
    return {
        "number": sr.number,
        "status": sr.status,
        "status_label": str(sr.get_status_display()),
        "channel": sr.channel,
        "customer_id": sr.customer_id,
        "customer": sr.customer.name,
        "description": sr.description,
        "received_at": sr.received_at,
        "subject": s.subject,
        "subject_label": str(s.get_subject_display()),
        "department": s.department.name if s.department_id else None,
        "implementation_date": s.implementation_date,
        "measures": s.measures,
        "thanks": s.thanks,
        "hold_reason": s.hold_reason,
        "held_until": s.held_until,
        "decision_due_at": services.decision_deadline(sr),
        "customer_told_of": s.told_status,
        "scores": {
            "creativity": s.creativity,
            "feasibility": s.feasibility,
            "benefit": s.benefit,
            "total": s.score,
        },
        "grade": s.grade.name if s.grade_id else None,
        "reward": s.reward,
    }


def detail(user: Any, number: str) -> dict[str, Any]:
    sr = selectors.access_suggestion(user, number)
    data = payload(sr)
    data["actions"] = available_actions(sr, roles_of(user))
    data["contacts"] = [
        {"status": c.status, "channel": c.channel, "note": c.note, "at": c.at, "by": c.by.get_username()}
        for c in sr.suggestion.contacts.select_related("by")
    ]
    data["history"] = [
        {
            "at": h.at,
            "event": h.event,
            "old_state": h.old_state,
            "new_state": h.new_state,
            "actor": h.actor.get_username() if h.actor else None,
            "note": h.note,
        }
        for h in history_of(sr)
    ]
    return data


ACTION = {200: SuggestionDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.post("", response={201: RegistrationOut, 200: RegistrationOut, 403: ErrorOut, 422: ErrorOut})
def register(request: HttpRequest, data: SuggestionIn) -> Any:
    reg = services.register_suggestion(data=services.SuggestionInput(**data.dict()), actor=request.user)
    sr = selectors.access_suggestion(request.user, reg.request.number)
    return Status(200 if reg.repeat else 201, {**payload(sr), "repeat": reg.repeat})


@router.get("", response=Page[SuggestionOut])
def list_suggestions(
    request: HttpRequest,
    status: str | None = None,
    subject: str | None = None,
    department_id: int | None = None,
    year: int | None = None,
    customer_id: int | None = None,
    untold: bool | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Any:
    qs = selectors.filter_suggestions(
        request.user,
        selectors.SuggestionFilters(
            status=status,
            subject=subject,
            department_id=department_id,
            year=year,
            customer_id=customer_id,
            untold=untold,
        ),
    )
    conf: dict[str, Any] = settings.AFTERSALES
    result = paginate(qs, page, page_size, conf["PAGE_SIZE_MAX"])
    result["items"] = [payload(sr) for sr in result["items"]]
    return result


@router.get("/departments", response=list[dict])
def departments(request: HttpRequest) -> Any:
    return [{"id": d.pk, "code": d.code, "name": d.name} for d in Department.objects.filter(active=True)]


@router.get("/grades", response=list[dict])
def grades(request: HttpRequest) -> Any:
    return [
        {"code": g.code, "name": g.name, "min_score": g.min_score, "reward": str(g.reward)}
        for g in RewardGrade.objects.filter(active=True)
    ]


@router.get("/certificates", response=list[CertificateOut])
def certificates(request: HttpRequest, year: int | None = None) -> Any:
    from aftersales.core.permissions import Role, require_role

    require_role(request.user, Role.AGENT, Role.MANAGER, Role.ADMIN, Role.QUALITY)
    qs = Certificate.objects.select_related("customer").filter(year=year or selectors.default_year())
    return [_cert(c) for c in qs]


def _cert(c: Certificate) -> dict[str, Any]:
    return {
        "number": c.number,
        "customer_id": c.customer_id,
        "customer": c.customer.name,
        "year": c.year,
        "suggestion_count": c.suggestion_count,
        "adopted_count": c.adopted_count,
        "issued_at": c.issued_at,
    }


@router.get("/certificates/eligible", response=list[EligibleOut])
def eligible(request: HttpRequest, year: int | None = None) -> Any:
    from aftersales.core.permissions import Role, require_role

    require_role(request.user, Role.AGENT, Role.MANAGER, Role.ADMIN, Role.QUALITY)
    return [
        {
            "customer_id": e.customer_id,
            "customer": e.name,
            "suggestions": e.suggestions,
            "adopted": e.adopted,
            "certificate": e.certificate.number if e.certificate else None,
        }
        for e in selectors.certificate_candidates(year or selectors.default_year())
    ]


@router.post("/certificates/issue", response={201: list[CertificateOut], 403: ErrorOut, 422: ErrorOut})
def issue(request: HttpRequest, data: YearIn) -> Any:
    certs = services.issue_certificates(year=data.year, actor=request.user)
    return Status(201, [_cert(Certificate.objects.select_related("customer").get(pk=c.pk)) for c in certs])


@router.get("/{number}", response={200: SuggestionDetailOut, 404: ErrorOut})
def get_suggestion(request: HttpRequest, number: str) -> Any:
    return detail(request.user, number)


@router.post("/{number}/forward", response=ACTION)
def forward(request: HttpRequest, number: str, data: ForwardIn) -> Any:
    sr = selectors.access_suggestion(request.user, number)
    services.forward_suggestion(
        request=sr, department_id=data.department_id, note=data.note, actor=request.user
    )
    return detail(request.user, number)


@router.post("/{number}/adopt", response=ACTION)
def adopt(request: HttpRequest, number: str, data: AdoptIn) -> Any:
    sr = selectors.access_suggestion(request.user, number)
    services.adopt_suggestion(
        request=sr,
        implementation_date=data.implementation_date,
        measures=data.measures,
        note=data.note,
        actor=request.user,
    )
    return detail(request.user, number)


@router.post("/{number}/reject", response=ACTION)
def reject(request: HttpRequest, number: str, data: RejectIn) -> Any:
    sr = selectors.access_suggestion(request.user, number)
    services.reject_suggestion(request=sr, thanks=data.thanks, note=data.note, actor=request.user)
    return detail(request.user, number)


@router.post("/{number}/hold", response=ACTION)
def hold(request: HttpRequest, number: str, data: HoldIn) -> Any:
    sr = selectors.access_suggestion(request.user, number)
    services.hold_suggestion(request=sr, reason=data.reason, held_until=data.held_until, actor=request.user)
    return detail(request.user, number)


@router.post("/{number}/tell", response=ACTION)
def tell(request: HttpRequest, number: str, data: TellIn) -> Any:
    """Record the contact that told the customer the current decision."""
    sr = selectors.access_suggestion(request.user, number)
    services.tell_customer(request=sr, channel=data.channel, note=data.note, actor=request.user)
    return detail(request.user, number)


@router.post("/{number}/close", response=ACTION)
def close(request: HttpRequest, number: str, data: NoteIn) -> Any:
    sr = selectors.access_suggestion(request.user, number)
    services.close_suggestion(request=sr, note=data.note, actor=request.user)
    return detail(request.user, number)


@router.post("/{number}/cancel", response=ACTION)
def cancel(request: HttpRequest, number: str, data: NoteIn) -> Any:
    sr = selectors.access_suggestion(request.user, number)
    services.cancel_suggestion(request=sr, note=data.note, actor=request.user)
    return detail(request.user, number)


@router.post("/{number}/grade", response=ACTION)
def grade(request: HttpRequest, number: str, data: GradeIn) -> Any:
    """The review committee's scores (1–5 each for creativity, feasibility, benefit) set grade and reward."""
    sr = selectors.access_suggestion(request.user, number)
    services.grade_suggestion(
        request=sr,
        creativity=data.creativity,
        feasibility=data.feasibility,
        benefit=data.benefit,
        note=data.note,
        actor=request.user,
    )
    return detail(request.user, number)
