"""Survey pages: questionnaires and their designer, surveys with invitation links, answers recorded
by an agent (phone or paper), the customer's page behind the link (no login, phone-sized), and
the results with charts and the Excel export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.core.clock import local_today, local_tz
from aftersales.core.errors import DomainError, NotFound
from aftersales.core.permissions import has_role
from aftersales.customers.models import Customer
from aftersales.customers.selectors import search_customers

from . import exports, selectors, services
from .forms import answers_from_post, options_from_text
from .models import (
    Audience,
    InvitationChannel,
    Question,
    QuestionKind,
    Questionnaire,
    ResponseChannel,
    Section,
    Topic,
    VersionStatus,
)
from .standard import create_standard_questionnaire

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "404.html", status=404)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if not selectors.can_view(request.user):
        return _not_found(request)
    return render(
        request,
        "surveys/index.html",
        {
            "questionnaires": Questionnaire.objects.prefetch_related("versions"),
            "surveys": selectors.surveys_for(request.user),
            "can_design": has_role(request.user, *services.DESIGNERS),
        },
    )


@login_required
def questionnaire_new(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, *services.DESIGNERS):
        return _not_found(request)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("standard"):
                q = create_standard_questionnaire(
                    actor=request.user,
                    code=request.POST.get("code") or "after-sales-standard",
                    title=request.POST.get("title") or "售后服务满意度调查",
                    publish=False,
                )
            else:
                q = services.create_questionnaire(
                    code=request.POST.get("code", ""),
                    title=request.POST.get("title", ""),
                    description=request.POST.get("description", ""),
                    actor=request.user,
                )
        except DomainError as exc:
            error = exc.text()
        else:
            return redirect("surveys:questionnaire", pk=q.pk)
    return render(request, "surveys/questionnaire_new.html", {"error": error, "form": request.POST})


@login_required
def questionnaire(request: HttpRequest, pk: int) -> HttpResponse:
    """The designer: the versions, and the chosen one's sections and questions (editable in a draft)."""
    try:
        q = selectors.access_questionnaire(request.user, pk)
    except NotFound:
        return _not_found(request)
    versions = list(q.versions.order_by("-number"))
    chosen = next((v for v in versions if v.pk == _int(request.GET.get("version"))), None)
    chosen = chosen or q.draft_version() or q.published_version() or (versions[0] if versions else None)
    return render(
        request,
        "surveys/questionnaire.html",
        {
            "q": q,
            "versions": versions,
            "v": chosen,
            "sections": chosen.sections.prefetch_related("questions").order_by("position", "id")
            if chosen
            else [],
            "editable": bool(chosen and chosen.editable and has_role(request.user, *services.DESIGNERS)),
            "can_design": has_role(request.user, *services.DESIGNERS),
            "topics": Topic.choices,
            "kinds": QuestionKind.choices,
            "has_draft": q.draft_version() is not None,
        },
    )


def _question_input(post: Any) -> services.QuestionInput:
    return services.QuestionInput(
        text=post.get("text", ""),
        kind=post.get("kind", ""),
        key=post.get("key", ""),
        required=post.get("required") == "on",
        options=options_from_text(post.get("options", "")),
        satisfied_options=options_from_text(post.get("satisfied_options", "")),
        yes_is_satisfied=post.get("yes_is_satisfied", "on") == "on",
    )


@login_required
@require_POST
def design_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One designer step: add/edit/delete/move a section or question, publish, start a new version."""
    try:
        q = selectors.access_questionnaire(request.user, pk)
    except NotFound:
        return _not_found(request)
    p = request.POST
    version = q.versions.filter(pk=_int(p.get("version")) or 0).first()
    section = Section.objects.filter(pk=_int(p.get("section")) or 0, version__questionnaire=q).first()
    question = Question.objects.filter(
        pk=_int(p.get("question")) or 0, section__version__questionnaire=q
    ).first()
    target = (
        version or (section.version if section else None) or (question.section.version if question else None)
    )
    try:
        if action == "add_section" and version:
            services.add_section(
                version=version, title=p.get("title", ""), topic=p.get("topic", ""), actor=request.user
            )
        elif action == "edit_section" and section:
            services.update_section(
                section=section, title=p.get("title", ""), topic=p.get("topic", ""), actor=request.user
            )
        elif action == "delete_section" and section:
            services.delete_section(section=section, actor=request.user)
        elif action == "add_question" and section:
            services.add_question(section=section, data=_question_input(p), actor=request.user)
        elif action == "edit_question" and question:
            services.update_question(question=question, data=_question_input(p), actor=request.user)
        elif action == "delete_question" and question:
            services.delete_question(question=question, actor=request.user)
        elif action in ("up", "down") and question:
            services.move_question(question=question, up=action == "up", actor=request.user)
        elif action == "publish" and version:
            services.publish_version(version=version, note=p.get("note", ""), actor=request.user)
            messages.success(request, _("Version %(n)s is now in use.") % {"n": version.number})
        elif action == "new_version":
            target = services.start_new_version(questionnaire=q, actor=request.user)
        else:
            return _not_found(request)
    except DomainError as exc:
        messages.error(request, exc.text())
    url = reverse("surveys:questionnaire", args=[q.pk])
    return redirect(f"{url}?version={target.pk}" if target else url)


@login_required
def survey_new(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, *services.DESIGNERS):
        return _not_found(request)
    error = ""
    if request.method == "POST":
        q = Questionnaire.objects.filter(pk=_int(request.POST.get("questionnaire")) or 0).first()
        opens, closes = _date(request.POST.get("opens_on")), _date(request.POST.get("closes_on"))
        if q is None or opens is None or closes is None:
            error = _("Choose the questionnaire and the dates.")
        else:
            try:
                s = services.create_survey(
                    name=request.POST.get("name", ""),
                    questionnaire=q,
                    opens_on=opens,
                    closes_on=closes,
                    audience=request.POST.get("audience", Audience.ALL),
                    intro=request.POST.get("intro", ""),
                    actor=request.user,
                )
            except DomainError as exc:
                error = exc.text()
            else:
                return redirect("surveys:survey", pk=s.pk)
    return render(
        request,
        "surveys/survey_new.html",
        {
            "error": error,
            "form": request.POST,
            "questionnaires": Questionnaire.objects.filter(
                active=True, versions__status=VersionStatus.PUBLISHED
            ),
            "audiences": Audience.choices,
            "today": local_today(),
        },
    )


@login_required
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        s = selectors.access_survey(request.user, pk)
    except NotFound:
        return _not_found(request)
    invitation = None
    error = ""
    if request.method == "POST":
        customer = Customer.objects.filter(pk=_int(request.POST.get("customer_id")) or 0).first()
        if customer is None:
            matches = list(search_customers(request.POST.get("customer", ""), limit=2))
            customer = matches[0] if len(matches) == 1 else None
        if customer is None:
            error = _("Choose one customer (full phone number or exact name).")
        else:
            try:
                invitation = services.invite_customer(
                    survey=s, customer=customer, channel=request.POST.get("channel", ""), actor=request.user
                )
            except DomainError as exc:
                error = exc.text()
    overall = selectors.overall(selectors.ResultFilters(survey_id=s.pk))
    return render(
        request,
        "surveys/survey.html",
        {
            "s": s,
            "overall": overall,
            "invitation": invitation,
            "error": error,
            "channels": InvitationChannel.choices,
            "invitations": s.invitations.select_related("customer").order_by("-created_at")[:50],
            "responses": s.responses.select_related("customer", "entered_by").order_by("-answered_at")[:50],
            "accepting": services.is_accepting(s, local_today()),
            "can_design": has_role(request.user, *services.DESIGNERS),
        },
    )


@login_required
@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        s = selectors.access_survey(request.user, pk)
        services.close_survey(survey=s, actor=request.user)
    except NotFound:
        return _not_found(request)
    except DomainError as exc:
        messages.error(request, exc.text())
    return redirect("surveys:survey", pk=pk)


@login_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """An agent records a customer's answers: read out on the phone, or typed in from a paper form."""
    try:
        s = selectors.access_survey(request.user, pk)
    except NotFound:
        return _not_found(request)
    if not has_role(request.user, *services.RECORDERS):
        return _not_found(request)
    try:
        version = services.answerable_version(
            s, _int(request.POST.get("version")) if request.method == "POST" else None
        )
    except DomainError as exc:
        messages.error(request, exc.text())
        return redirect("surveys:survey", pk=s.pk)
    error, errors, matches = "", {}, []
    if request.method == "POST":
        p = request.POST
        customer = Customer.objects.filter(pk=_int(p.get("customer_id")) or 0).first()
        if customer is None:
            matches = list(search_customers(p.get("customer", ""), limit=10))
            customer = matches[0] if len(matches) == 1 else None
        if customer is None:
            error = _("Choose the customer.") if matches else _("No customer found.")
        else:
            # A paper form counts on the day it was filled in (noon, local time).
            filled_on = _date(p.get("answered_on"))
            answered_at = (
                timezone.make_aware(dt.datetime.combine(filled_on, dt.time(12)), local_tz())
                if p.get("channel") == ResponseChannel.PAPER and filled_on
                else None
            )
            try:
                services.record_response(
                    data=services.ResponseInput(
                        survey_id=s.pk,
                        customer_id=customer.pk,
                        channel=p.get("channel", ""),
                        answers=answers_from_post(p, services.version_questions(version)),
                        version_id=version.pk,
                        answered_at=answered_at,
                        paper_form_number=p.get("paper_form_number", ""),
                    ),
                    actor=request.user,
                )
            except DomainError as exc:
                error = exc.text()
                if exc.field:
                    errors[exc.field] = exc.text()
            else:
                messages.success(request, _("Answers of %(name)s recorded.") % {"name": customer.name})
                return redirect("surveys:answer", pk=s.pk)
    return render(
        request,
        "surveys/answer.html",
        {
            "s": s,
            "v": version,
            "rows": selectors.question_rows(version),
            "post": request.POST,
            "error": error,
            "errors": errors,
            "matches": matches,
            "channels": [(c, lbl) for c, lbl in ResponseChannel.choices if c != ResponseChannel.WEB],
        },
    )


def public(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's page behind their link: no login, one answer, readable on a phone."""
    try:
        inv = selectors.invitation_by_token(token)
    except NotFound:
        return render(request, "surveys/public_missing.html", status=404)
    services.mark_opened(inv)
    s = inv.survey
    state = "open"
    if inv.answered_at is not None or s.responses.filter(customer_id=inv.customer_id).exists():
        state = "answered"
    elif not services.is_accepting(s, local_today()):
        state = "closed"
    version, error, errors = None, "", {}
    if state == "open":
        version = services.answerable_version(
            s, _int(request.POST.get("version")) if request.method == "POST" else None
        )
        if request.method == "POST":
            try:
                services.record_response(
                    data=services.ResponseInput(
                        survey_id=s.pk,
                        customer_id=inv.customer_id,
                        channel=ResponseChannel.WEB,
                        answers=answers_from_post(request.POST, services.version_questions(version)),
                        version_id=version.pk,
                    ),
                    invitation=inv,
                )
            except DomainError as exc:
                if exc.code == "already_answered":
                    state = "answered"
                else:
                    error = exc.text()
                    if exc.field:
                        errors[exc.field] = exc.text()
            else:
                state = "thanks"
    return render(
        request,
        "surveys/public.html",
        {
            "inv": inv,
            "s": s,
            "state": state,
            "v": version,
            "rows": selectors.question_rows(version) if version else [],
            "post": request.POST,
            "error": error,
            "errors": errors,
        },
    )


def _period(request: HttpRequest) -> str:
    period = request.GET.get("period") or "month"
    return period if period in selectors.PERIODS else "month"


def _result_filters(request: HttpRequest) -> selectors.ResultFilters:
    g = request.GET
    return selectors.ResultFilters(
        survey_id=_int(g.get("survey")),
        questionnaire_id=_int(g.get("questionnaire")),
        date_from=_date(g.get("from")),
        date_to=_date(g.get("to")),
        customer_kind=g.get("kind") or None,
        technician_id=_int(g.get("technician")),
        station_id=_int(g.get("station")),
    )


@login_required
def results(request: HttpRequest) -> HttpResponse:
    if not selectors.can_view(request.user):
        return _not_found(request)
    f = _result_filters(request)
    period = _period(request)
    groups = {
        "question": selectors.by_question(f),
        "section": selectors.by_section(f),
        "technician": selectors.by_technician(f),
        "department": selectors.by_department(f),
        "period": selectors.by_period(f, period),
        "customer_kind": selectors.by_customer_kind(f),
    }
    chart = {
        name: {
            "labels": [r.label for r in rows],
            "rates": [round(r.rate * 100, 1) if r.rate is not None else None for r in rows],
        }
        for name, rows in groups.items()
    }
    return render(
        request,
        "surveys/results.html",
        {
            "f": f,
            "period": period,
            "overall": selectors.overall(f),
            "groups": groups,
            "chart": chart,
            "target_pct": round(selectors.target_rate(f.customer_kind) * 100, 1),
            "surveys": selectors.surveys_for(request.user),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def results_export(request: HttpRequest) -> HttpResponse:
    if not selectors.can_view(request.user):
        return _not_found(request)
    period = _period(request)
    response = HttpResponse(exports.results_workbook(_result_filters(request), period), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="survey-results-{local_today():%Y%m%d}.xlsx"'
    return response
