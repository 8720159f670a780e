"""Suggestion pages: the register, receiving a suggestion, its page with one form per step,
and the yearly certificates of thanks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.core.errors import DomainError, NotFound
from aftersales.core.history import history_of
from aftersales.core.permissions import Role, has_role, roles_of
from aftersales.customers.selectors import search_customers
from aftersales.service.workflow import Status, available_actions

from . import selectors, services
from .models import SCORE_MAX, ContactChannel, Department, RewardGrade, Subject
from .workflow import TOLD_STATES

STAFF = (Role.AGENT, Role.MANAGER, Role.ADMIN, Role.QUALITY, Role.DISPATCHER)
RECEIVE_CHANNELS = [(c.value, c.label) for c in services.RECEIVING_CHANNELS]


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "404.html", status=404)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@login_required
def suggestion_list(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, *STAFF):
        return _not_found(request)
    f = selectors.SuggestionFilters(
        status=request.GET.get("status") or None,
        subject=request.GET.get("subject") or None,
        department_id=_int(request.GET.get("department")),
        year=_int(request.GET.get("year")),
        untold=request.GET.get("untold") == "1" or None,
    )
    page = Paginator(selectors.filter_suggestions(request.user, f), 50).get_page(request.GET.get("page"))
    statuses = [
        (s.value, s.label)
        for s in (
            Status.NEW,
            Status.FORWARDED,
            Status.HELD,
            Status.ADOPTED,
            Status.REJECTED,
            Status.CLOSED,
            Status.CANCELLED,
        )
    ]
    return render(
        request,
        "suggestions/list.html",
        {
            "page": page,
            "f": f,
            "subjects": Subject.choices,
            "statuses": statuses,
            "departments": Department.objects.filter(active=True),
            "overdue": selectors.overdue(request.user).count(),
        },
    )


@login_required
def suggestion_new(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, *services.DESK):
        return _not_found(request)
    data = request.POST if request.method == "POST" else None
    ctx: dict[str, Any] = {"subjects": Subject.choices, "channels": RECEIVE_CHANNELS, "form": data or {}}
    if data is not None:
        customer_id = _int(data.get("customer_id"))
        if customer_id is None:
            matches = list(search_customers(data.get("customer", ""), limit=10))
            if len(matches) == 1:
                customer_id = matches[0].pk
            else:
                ctx["matches"] = matches
                ctx["error"] = _("Choose the customer.") if matches else _("No customer found.")
        if customer_id is not None:
            try:
                reg = services.register_suggestion(
                    data=services.SuggestionInput(
                        customer_id=customer_id,
                        channel=data.get("channel", ""),
                        subject=data.get("subject", ""),
                        description=data.get("description", ""),
                    ),
                    actor=request.user,
                )
            except DomainError as exc:
                ctx["error"] = exc.text()
            else:
                messages.success(
                    request, _("Suggestion %(number)s received.") % {"number": reg.request.number}
                )
                return redirect("suggestions:detail", number=reg.request.number)
    return render(request, "suggestions/new.html", ctx)


@login_required
def suggestion_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        sr = selectors.access_suggestion(request.user, number)
    except NotFound:
        return _not_found(request)
    detail = sr.suggestion
    actions = available_actions(sr, roles_of(request.user))
    can_tell = sr.status in TOLD_STATES and has_role(request.user, *services.DESK)
    messages_by_status: dict[str, str] = {
        Status.ADOPTED: _(
            "Your suggestion has been adopted and will be implemented from %(date)s: %(measures)s"
        )
        % {"date": detail.implementation_date, "measures": detail.measures},
        Status.REJECTED: detail.thanks,
        Status.HELD: _("Your suggestion is being considered (%(reason)s); we will answer by %(date)s.")
        % {"reason": detail.hold_reason, "date": detail.held_until},
    }
    default_message = messages_by_status.get(sr.status, "")
    return render(
        request,
        "suggestions/detail.html",
        {
            "sr": sr,
            "s": detail,
            "actions": actions,
            "departments": Department.objects.filter(active=True),
            "contact_channels": ContactChannel.choices,
            "can_tell": can_tell,
            "told": detail.told_status == sr.status,
            "default_message": default_message,
            "deadline": services.decision_deadline(sr),
            "contacts": detail.contacts.select_related("by"),
            "history": history_of(sr),
            "can_grade": has_role(request.user, *services.COMMITTEE)
            and (sr.status == Status.ADOPTED or (sr.status == Status.CLOSED and detail.implementation_date)),
            "scores": range(1, SCORE_MAX + 1),
            "grades": RewardGrade.objects.filter(active=True),
        },
    )


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@require_POST
def suggestion_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    try:
        sr = selectors.access_suggestion(request.user, number)
    except NotFound:
        return _not_found(request)
    p = request.POST
    try:
        if action == "forward":
            services.forward_suggestion(
                request=sr,
                department_id=_int(p.get("department_id")) or 0,
                note=p.get("note", ""),
                actor=request.user,
            )
        elif action == "adopt":
            services.adopt_suggestion(
                request=sr,
                implementation_date=_date(p.get("implementation_date")),
                measures=p.get("measures", ""),
                note=p.get("note", ""),
                actor=request.user,
            )
        elif action == "reject":
            services.reject_suggestion(request=sr, thanks=p.get("thanks", ""), actor=request.user)
        elif action == "hold":
            services.hold_suggestion(
                request=sr,
                reason=p.get("reason", ""),
                held_until=_date(p.get("held_until")),
                actor=request.user,
            )
        elif action == "tell":
            services.tell_customer(
                request=sr, channel=p.get("channel", ""), note=p.get("note", ""), actor=request.user
            )
        elif action == "close":
            services.close_suggestion(request=sr, note=p.get("note", ""), actor=request.user)
        elif action == "cancel":
            services.cancel_suggestion(request=sr, note=p.get("note", ""), actor=request.user)
        elif action == "grade":
            services.grade_suggestion(
                request=sr,
                creativity=_int(p.get("creativity")) or 0,
                feasibility=_int(p.get("feasibility")) or 0,
                benefit=_int(p.get("benefit")) or 0,
                note=p.get("note", ""),
                actor=request.user,
            )
        else:
            return _not_found(request)
    except DomainError as exc:
        messages.error(request, exc.text())
    return redirect("suggestions:detail", number=sr.number)


@login_required
def certificates(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, *STAFF):
        return _not_found(request)
    year = _int(request.GET.get("year") or request.POST.get("year")) or selectors.default_year()
    if request.method == "POST":
        try:
            issued = services.issue_certificates(year=year, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.text())
        else:
            messages.success(request, _("%(n)s certificates issued.") % {"n": len(issued)})
        return redirect(f"{request.path}?year={year}")
    return render(
        request,
        "suggestions/certificates.html",
        {
            "year": year,
            "years": range(selectors.default_year(), selectors.default_year() - 6, -1),
            "rows": selectors.certificate_candidates(year),
            "minimum": services.certificate_minimum(),
            "can_issue": has_role(request.user, *services.COMMITTEE),
        },
    )


@login_required
def certificate(request: HttpRequest, number: str) -> HttpResponse:
    try:
        cert = selectors.access_certificate(request.user, number)
    except NotFound:
        return _not_found(request)
    return render(request, "suggestions/certificate.html", {"c": cert})
