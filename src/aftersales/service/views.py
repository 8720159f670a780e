"""Service request pages: the list with filters, and a request with its timeline and actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from aftersales.core.errors import DomainError, NotFound
from aftersales.core.permissions import roles_of

from . import selectors, services
from .sla_services import sla_payload
from .workflow import RequestType, Status, available_actions, label_for

# Actions the request page runs with just a note. Field work (assign, appointment, check-in,
# resolve...) moves through the work order on the dispatch and technician pages.
NOTE_ACTIONS = {"close", "reopen", "cancel"}


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    f = selectors.RequestFilters(
        type=request.GET.get("type") or None,
        status=request.GET.get("status") or None,
        q=request.GET.get("q") or None,
    )
    requests = selectors.for_table(selectors.filter_requests(request.user, f))
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "service/list.html",
        {
            "page": page,
            "requests": page.object_list,
            "types": RequestType.choices,
            "statuses": Status.choices,
            "f": f,
        },
    )


@login_required
def request_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        sr = selectors.access_request(request.user, number)
    except NotFound:
        return render(request, "404.html", status=404)
    actions = [
        (a, label_for(sr.type, a)) for a in available_actions(sr, roles_of(request.user)) if a in NOTE_ACTIONS
    ]
    sla = sla_payload(sr)
    clocks = [(code, c) for code, c in sla.items() if code != "zone"]
    staff = (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=["agent", "dispatcher", "manager"])
        .exclude(pk=sr.owner_id)
        .distinct()
        .order_by("username")
    )
    return render(
        request,
        "service/detail.html",
        {
            "sr": sr,
            "history": selectors.timeline_rows(sr),
            "actions": actions,
            "clocks": clocks,
            "attachments": sr.attachments.all(),
            "staff": staff,
            "can_dispatch": "assign" in available_actions(sr, roles_of(request.user)),
        },
    )


@login_required
@require_POST
def request_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    try:
        sr = selectors.access_request(request.user, number)
    except NotFound:
        return render(request, "404.html", status=404)
    if action not in NOTE_ACTIONS:
        return render(request, "404.html", status=404)
    try:
        services.ACTION_SERVICES[action](request=sr, actor=request.user, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.text())
    return redirect("service:detail", number=sr.number)


def _act_and_return(request: HttpRequest, number: str, fn: Any) -> HttpResponse:
    try:
        sr = selectors.access_request(request.user, number)
    except NotFound:
        return render(request, "404.html", status=404)
    try:
        fn(sr)
    except DomainError as exc:
        messages.error(request, exc.text())
    return redirect("service:detail", number=sr.number)


@login_required
@require_POST
def add_note(request: HttpRequest, number: str) -> HttpResponse:
    return _act_and_return(
        request,
        number,
        lambda sr: services.add_note(request=sr, text=request.POST.get("text", ""), actor=request.user),
    )


@login_required
@require_POST
def attach(request: HttpRequest, number: str) -> HttpResponse:
    return _act_and_return(
        request,
        number,
        lambda sr: services.attach_file(request=sr, upload=request.FILES.get("file"), actor=request.user),
    )


@login_required
@require_POST
def handover(request: HttpRequest, number: str) -> HttpResponse:
    def act(sr: Any) -> None:
        try:
            to_user_id = int(request.POST.get("to_user_id", ""))
        except ValueError:
            to_user_id = 0
        services.hand_over_request(
            request=sr, to_user_id=to_user_id, reason=request.POST.get("reason", ""), actor=request.user
        )

    return _act_and_return(request, number, act)
