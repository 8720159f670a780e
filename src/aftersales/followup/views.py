"""Callback pages: the agent's callback list (mine / team, due first, overdue marked), one callback
with the customer's phones, the request's summary, the dial form and the result buttons, and the
callback processing rate."""

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

from aftersales.core.clock import local_tz, now
from aftersales.core.errors import DomainError, PermissionRefused, ValidationFailed
from aftersales.core.permissions import has_role
from aftersales.core.phones import digits_of
from aftersales.service.workflow import RequestType

from . import conf, selectors, services
from .models import AttemptOutcome, CallbackResult, CallbackStatus

# The result buttons, in the order the page shows them (URL name -> result).
RESULT_URLS = {
    "satisfied": CallbackResult.CLOSE,
    "not-satisfied": CallbackResult.REOPEN,
    "complaint": CallbackResult.COMPLAINT,
    "new-request": CallbackResult.NEW_REQUEST,
    "no-change": CallbackResult.NONE,
}
# A new request from a callback: complaints have their own button, suggestions their own register.
NEW_REQUEST_TYPES = [
    (v, label) for v, label in RequestType.choices if v not in (RequestType.COMPLAINT, RequestType.SUGGESTION)
]


def _require_reader(user: Any) -> None:
    if not has_role(user, *selectors.READERS):
        raise PermissionRefused()


def parse_local_datetime(value: str, field: str) -> dt.datetime | None:
    """A ``datetime-local`` input: wall-clock time in the company's zone."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed("invalid_time", _("Enter a date and time."), field=field) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=local_tz())


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def callback_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    scope = request.GET.get("scope", "")
    scope = scope if scope in selectors.SCOPES else "mine"
    state = request.GET.get("state", "")
    state = state if state in selectors.STATES else "open"
    start, end = selectors.this_month()
    since, until = selectors.local_period(start, end)
    rate = selectors.processing_rate(start=since, end=until, agent=request.user if scope == "mine" else None)
    page = Paginator(selectors.callback_list(request.user, scope=scope, state=state), 100).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "followup/list.html",
        {
            "scope": scope,
            "state": state,
            "rows": selectors.list_rows(page.object_list),
            "page": page,
            "promises": selectors.open_promises(request.user, scope)[:50],
            "rate": rate,
            "period": (start, end),
            "now": now(),
        },
    )


@login_required
def callback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    callback = selectors.access_callback(request.user, pk)
    is_open = callback.status == CallbackStatus.OPEN
    reached = is_open and callback.last_outcome == AttemptOutcome.REACHED
    wrong = set(selectors.wrong_numbers(callback))
    return render(
        request,
        "followup/detail.html",
        {
            "cb": callback,
            "overdue": selectors.is_overdue(callback),
            "waiting_until": selectors.waiting_until(callback),
            # Numbers found wrong on this callback are struck through and offered last.
            "phones": sorted(
                ((n, digits_of(n) in wrong) for n in selectors.phones_of(callback)), key=lambda p: p[1]
            ),
            "attempts": selectors.attempts_of(callback),
            "promises": selectors.promises_of(callback),
            "outcomes": AttemptOutcome.choices,
            "is_open": is_open,
            "reached": reached,
            "results": RESULT_URLS,
            "request_types": NEW_REQUEST_TYPES,
            "units": callback.customer.units.select_related("product_model").order_by("id"),
            "agents": selectors.callback_agents(),
            "max_attempts": conf.max_attempts(),
            "spacing_minutes": int(conf.retry_spacing().total_seconds() // 60),
        },
    )


def _act(request: HttpRequest, pk: int, fn: Any) -> HttpResponse:
    callback = selectors.access_callback(request.user, pk)
    try:
        fn(callback)
    except DomainError as exc:
        messages.error(request, exc.text())
    return redirect("followup:detail", pk=pk)


@login_required
@require_POST
def record_attempt(request: HttpRequest, pk: int) -> HttpResponse:
    def run(callback: Any) -> None:
        outcome = request.POST.get("outcome", "")
        services.record_attempt(
            callback=callback,
            outcome=outcome,
            phone=request.POST.get("phone", ""),
            note=request.POST.get("note", ""),
            call_back_at=parse_local_datetime(request.POST.get("call_back_at", ""), "call_back_at")
            if outcome == AttemptOutcome.CALL_BACK_LATER
            else None,
            actor=request.user,
        )

    return _act(request, pk, run)


@login_required
@require_POST
def record_result(request: HttpRequest, pk: int, result: str) -> HttpResponse:
    def run(callback: Any) -> None:
        done = services.complete_callback(
            callback=callback,
            outcome=request.POST.get("outcome", ""),
            result=result,
            request_type=request.POST.get("request_type", "") if result == CallbackResult.NEW_REQUEST else "",
            description=request.POST.get("description", ""),
            unit_id=_int_or_none(request.POST.get("unit_id")),
            actor=request.user,
        )
        messages.success(request, _("Callback recorded: %(result)s.") % {"result": done.get_result_display()})

    return _act(request, pk, run)


@login_required
@require_POST
def promise(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda callback: services.promise_answer(
            callback=callback,
            question=request.POST.get("question", ""),
            due_at=parse_local_datetime(request.POST.get("due_at", ""), "due_at"),
            owner_id=_int_or_none(request.POST.get("owner_id")),
            actor=request.user,
        ),
    )


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda callback: services.assign_callback(
            callback=callback, agent_id=_int_or_none(request.POST.get("agent_id")) or 0, actor=request.user
        ),
    )


@login_required
@require_POST
def answer_promise(request: HttpRequest, promise_id: int) -> HttpResponse:
    promise = selectors.access_promise(request.user, promise_id)
    try:
        services.answer_promise(promise=promise, answer=request.POST.get("answer", ""), actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.text())
    if request.POST.get("next") == "list":
        return redirect("followup:list")
    return redirect("followup:detail", pk=promise.callback_id)


@login_required
def processing_rate(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    default_start, default_end = selectors.this_month()
    try:
        start = dt.date.fromisoformat(request.GET.get("start") or default_start.isoformat())
        end = dt.date.fromisoformat(request.GET.get("end") or default_end.isoformat())
    except ValueError:
        messages.error(request, _("Enter the dates as YYYY-MM-DD."))
        start, end = default_start, default_end
    if end < start:
        messages.error(request, _("The end date is before the start date."))
        start, end = default_start, default_end
    since, until = selectors.local_period(start, end)
    return render(
        request,
        "followup/rate.html",
        {
            "start": start,
            "end": end,
            "total": selectors.processing_rate(start=since, end=until),
            "rows": selectors.processing_rate_by_agent(start=since, end=until),
        },
    )
