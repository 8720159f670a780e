"""Outbound pages: campaigns, the call-list builder, the agent's call screen (customer, script,
questionnaire, outcome, and registering what the customer raises), and seat productivity."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.catalog.models import Category
from aftersales.core.clock import local_today, local_tz
from aftersales.core.errors import DomainError, NotFound
from aftersales.core.permissions import Role, has_role
from aftersales.customers.models import CustomerKind, Tier, Zone
from aftersales.service.workflow import RequestType, Status
from aftersales.surveys import selectors as survey_selectors
from aftersales.surveys import services as survey_services
from aftersales.surveys.forms import answers_from_post
from aftersales.surveys.models import Survey, SurveyStatus

from . import selectors, services
from .models import Goal, Outcome, TargetStatus

MANAGERS = (Role.MANAGER, Role.ADMIN)


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


def _local_dt(value: str | None) -> dt.datetime | None:
    """A <input type=datetime-local> value, read in Asia/Shanghai."""
    try:
        return timezone.make_aware(dt.datetime.fromisoformat(value), local_tz()) if value else None
    except ValueError:
        return None


def _day_start(day: dt.date | None) -> dt.datetime | None:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), local_tz()) if day else None


def _day_after(day: dt.date | None) -> dt.datetime | None:
    """The end of a "to" date given inclusively: the start of the next local day."""
    return _day_start(day + dt.timedelta(days=1)) if day else None


def _callers() -> Any:
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[Role.AGENT, Role.MANAGER])
        .distinct()
        .order_by("username")
    )


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = list(selectors.visible_campaigns(request.user))
    if not campaigns and not has_role(request.user, *MANAGERS, Role.AGENT, Role.QUALITY):
        return _not_found(request)
    rows = [{"c": c, "p": selectors.progress(c)} for c in campaigns]
    return render(
        request, "outbound/list.html", {"rows": rows, "can_manage": has_role(request.user, *MANAGERS)}
    )


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, *MANAGERS):
        return _not_found(request)
    error = ""
    p = request.POST
    if request.method == "POST":
        try:
            c = services.create_campaign(
                data=services.CampaignInput(
                    name=p.get("name", ""),
                    goal=p.get("goal", ""),
                    script=p.get("script", ""),
                    survey_id=_int(p.get("survey")),
                    agent_ids=[i for i in (_int(x) for x in p.getlist("agents")) if i],
                    max_attempts=_int(p.get("max_attempts")),
                    retry_minutes=_int(p.get("retry_minutes")),
                ),
                actor=request.user,
            )
        except DomainError as exc:
            error = exc.text()
        else:
            return redirect("outbound:detail", pk=c.pk)
    return render(
        request,
        "outbound/new.html",
        {
            "error": error,
            "form": p,
            "goals": Goal.choices,
            "surveys": Survey.objects.filter(status=SurveyStatus.OPEN),
            "agents": _callers(),
            "default_attempts": services.setting("OUTBOUND_MAX_ATTEMPTS", 3),
            "default_retry": services.setting("OUTBOUND_RETRY_MINUTES", 120),
        },
    )


def _productivity(campaign: Any, request: HttpRequest) -> dict[str, Any]:
    date_to = _date(request.GET.get("to")) or local_today()
    date_from = _date(request.GET.get("from")) or date_to - dt.timedelta(days=6)
    days = selectors.seat_days(date_from=date_from, date_to=date_to, campaign=campaign)
    return {
        "days": days,
        "summary": selectors.campaign_hint(days),
        "norm": selectors.norm(),
        "from": date_from,
        "to": date_to,
    }


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        c = selectors.access_campaign(request.user, pk)
    except NotFound:
        return _not_found(request)
    status = request.GET.get("status") or None
    page = Paginator(selectors.targets(c, status), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "outbound/detail.html",
        {
            "c": c,
            "p": selectors.progress(c),
            "page": page,
            "status": status,
            "statuses": TargetStatus.choices,
            "can_manage": has_role(request.user, *MANAGERS),
            "is_agent": c.agents.filter(pk=request.user.pk).exists() or has_role(request.user, *MANAGERS),
            "agents": c.agents.all(),
            "all_agents": _callers(),
            "prod": _productivity(c, request),
            "kinds": CustomerKind.choices,
            "tiers": Tier.choices,
            "zones": Zone.objects.all(),
            "types": RequestType.choices,
            "request_statuses": Status.choices,
            "categories": Category.objects.all(),
        },
    )


@login_required
@require_POST
def campaign_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    try:
        c = selectors.access_campaign(request.user, pk)
    except NotFound:
        return _not_found(request)
    p = request.POST
    try:
        if action == "start":
            services.start_campaign(campaign=c, actor=request.user)
        elif action == "close":
            services.close_campaign(campaign=c, actor=request.user)
        elif action == "agents":
            services.set_agents(
                campaign=c,
                agent_ids=[i for i in (_int(x) for x in p.getlist("agents")) if i],
                actor=request.user,
            )
        elif action == "call_list":
            result = services.build_call_list(
                campaign=c,
                filters=services.CallListFilter(
                    customer_kind=p.get("customer_kind") or None,
                    tier=p.get("tier") or None,
                    zone_id=_int(p.get("zone")),
                    request_types=[t for t in p.getlist("request_types") if t],
                    request_statuses=[s for s in p.getlist("request_statuses") if s],
                    category_id=_int(p.get("category")),
                    received_from=_day_start(_date(p.get("received_from"))),
                    received_to=_day_after(_date(p.get("received_to"))),
                    resolved_from=_day_start(_date(p.get("resolved_from"))),
                    resolved_to=_day_after(_date(p.get("resolved_to"))),
                    skip_answered_survey=p.get("skip_answered") == "on",
                    limit=_int(p.get("limit")) or 1000,
                ),
                actor=request.user,
            )
            messages.success(
                request,
                _(
                    "%(added)s customers added to the call list (%(already)s already on it, %(nophone)s without a phone)."
                )
                % {"added": result.added, "already": result.already_listed, "nophone": result.without_phone},
            )
        else:
            return _not_found(request)
    except DomainError as exc:
        messages.error(request, exc.text())
    return redirect("outbound:detail", pk=c.pk)


def _work_context(request: HttpRequest, c: Any, dial: Any) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "c": c,
        "dial": dial,
        "outcomes": Outcome.choices,
        "post": request.POST,
        "errors": {},
        "types": [(v, lbl) for v, lbl in RequestType.choices if v != RequestType.SUGGESTION],
    }
    if dial is not None:
        customer = dial.target.customer
        ctx["customer"] = customer
        ctx["units"] = customer.units.select_related("product_model").order_by("-id")
        ctx["previous"] = (
            dial.target.dials.exclude(pk=dial.pk).select_related("agent").order_by("-started_at")[:5]
        )
        ctx["registered"] = [r.request for r in dial.registered.select_related("request")]
        if c.survey_id:
            try:
                version = survey_services.answerable_version(c.survey)
            except DomainError:
                version = None
            if version is not None:
                ctx["v"] = version
                ctx["rows"] = survey_selectors.question_rows(version)
    return ctx


@login_required
def work(request: HttpRequest, pk: int) -> HttpResponse:
    """The agent's call screen: the customer on the line, or the button to take the next one."""
    try:
        c = selectors.access_campaign(request.user, pk)
    except NotFound:
        return _not_found(request)
    dial = services.open_dial(request.user)
    if dial is not None and dial.campaign_id != c.pk:
        messages.error(
            request, _("Finish your call in campaign “%(name)s” first.") % {"name": dial.campaign.name}
        )
        return redirect("outbound:work", pk=dial.campaign_id)
    ctx = _work_context(request, c, dial)
    ctx["p"] = selectors.progress(c)
    return render(request, "outbound/work.html", ctx)


@login_required
@require_POST
def work_next(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        c = selectors.access_campaign(request.user, pk)
        dial = services.next_dial(campaign=c, agent=request.user)
    except NotFound:
        return _not_found(request)
    except DomainError as exc:
        messages.error(request, exc.text())
        return redirect("outbound:work", pk=pk)
    if dial is None:
        messages.info(request, _("Nobody is due for a call now."))
    return redirect("outbound:work", pk=pk)


@login_required
@require_POST
def dial_finish(request: HttpRequest, dial_id: int) -> HttpResponse:
    try:
        dial = selectors.access_dial(request.user, dial_id)
    except NotFound:
        return _not_found(request)
    p = request.POST
    outcome = p.get("outcome", "")
    answers = None
    version_id = _int(p.get("version"))
    if dial.campaign.survey_id and outcome == Outcome.REACHED and version_id:
        from aftersales.surveys.models import QuestionnaireVersion

        version = QuestionnaireVersion.objects.filter(pk=version_id).first()
        if version is not None:
            answers = answers_from_post(p, survey_services.version_questions(version))
    try:
        services.finish_dial(
            dial=dial,
            result=services.DialResult(
                outcome=outcome,
                note=p.get("note", ""),
                callback_at=_local_dt(p.get("callback_at")),
                answers=answers,
                version_id=version_id,
            ),
            actor=request.user,
        )
    except DomainError as exc:
        ctx = _work_context(request, dial.campaign, dial)
        ctx["error"] = exc.text()
        if exc.field:
            ctx["errors"] = {exc.field: exc.text()}
        ctx["p"] = selectors.progress(dial.campaign)
        return render(request, "outbound/work.html", ctx, status=422)
    messages.success(request, _("Outcome recorded: %(outcome)s.") % {"outcome": Outcome(outcome).label})
    return redirect("outbound:work", pk=dial.campaign_id)


@login_required
@require_POST
def dial_register(request: HttpRequest, dial_id: int) -> HttpResponse:
    """A complaint or request the customer raised on this call, registered in one step."""
    try:
        dial = selectors.access_dial(request.user, dial_id)
    except NotFound:
        return _not_found(request)
    p = request.POST
    error = ""
    try:
        reg = services.register_from_dial(
            dial=dial,
            type=p.get("type", ""),
            description=p.get("description", ""),
            unit_id=_int(p.get("unit_id")),
            priority=p.get("priority") or "normal",
            actor=request.user,
        )
    except DomainError as exc:
        error = exc.text()
    else:
        if not request.headers.get("HX-Request"):
            messages.success(
                request,
                _("%(type)s %(number)s registered.")
                % {"type": reg.request.get_type_display(), "number": reg.request.number},
            )
    if request.headers.get("HX-Request"):
        ctx = _work_context(request, dial.campaign, dial)
        ctx["register_error"] = error
        return render(request, "outbound/_register.html", ctx)
    if error:
        messages.error(request, error)
    return redirect("outbound:work", pk=dial.campaign_id)


@login_required
def productivity(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, *MANAGERS, Role.QUALITY):
        return _not_found(request)
    date_to = _date(request.GET.get("to")) or local_today()
    date_from = _date(request.GET.get("from")) or date_to - dt.timedelta(days=6)
    days = selectors.seat_days(date_from=date_from, date_to=date_to)
    return render(
        request,
        "outbound/productivity.html",
        {
            "view_prod": {"days": days, "summary": selectors.campaign_hint(days), "norm": selectors.norm()},
            "from": date_from,
            "to": date_to,
        },
    )
