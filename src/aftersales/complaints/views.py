"""Complaint pages: the handler's and the manager's lists, the register, a complaint with one form
per step it allows now, and the manager's statistics with their trend charts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.core.clock import local_date, local_today
from aftersales.core.errors import DomainError, NotFound, ValidationFailed
from aftersales.core.permissions import Role, has_role, roles_of
from aftersales.customers.selectors import access_customer, search_customers
from aftersales.service.models import ClockCode
from aftersales.service.selectors import EVENT_LABELS as SERVICE_EVENT_LABELS
from aftersales.service.workflow import Status, available_actions, label_for

from . import selectors, services
from .forms import RegisterForm
from .models import Category, NoticeChannel, Severity
from .workflow import COMPLAINT_MANAGERS, COMPLAINT_STATES, MANAGERS, REGISTRARS

PAGE_SIZE = 50
STATS_ROLES = (Role.QUALITY, Role.MANAGER, Role.ADMIN)

EVENT_LABELS = {
    **SERVICE_EVENT_LABELS,
    "complaint_registered": gettext_lazy("Complaint registered"),
    "complaint_round_started": gettext_lazy("New handling round"),
    "fault_report_issued": gettext_lazy("Fault analysis report issued"),
    "complaint_important": gettext_lazy("Marked important"),
    "complaint_not_important": gettext_lazy("Important mark lifted"),
    "clock_started": gettext_lazy("Clock started"),
    "complaint_deleted": gettext_lazy("Complaint deleted"),
}


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "404.html", status=404)


def _int(value: str | None, field: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationFailed("invalid_choice", _("Choose from the list."), field) from None


def _date(value: str | None, field: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed("invalid_date", _("Enter a date (YYYY-MM-DD)."), field) from None


@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    """The handler's list (mine, follow-up calls due) and the complaint manager's (approvals, all)."""
    default_scope = selectors.Scope.MINE
    scope = request.GET.get("scope") or default_scope
    f = selectors.ComplaintFilters(
        scope=scope,
        status=request.GET.get("status") or None,
        category=request.GET.get("category") or None,
        severity=request.GET.get("severity") or None,
        q=request.GET.get("q") or None,
    )
    page = Paginator(selectors.filter_complaints(request.user, f), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    approvals = selectors.approval_states(request.user)
    return render(
        request,
        "complaints/list.html",
        {
            "page": page,
            "rows": selectors.complaint_rows(page.object_list),
            "f": f,
            "scopes": [
                (selectors.Scope.MINE, _("My complaints")),
                (selectors.Scope.FOLLOW_UP, _("Follow-up calls due")),
                *([(selectors.Scope.APPROVALS, _("Plans to approve"))] if approvals else []),
                (selectors.Scope.ALL, _("All complaints")),
            ],
            "statuses": COMPLAINT_STATES,
            "categories": Category.choices,
            "severities": Severity.choices,
            "may_register": has_role(request.user, *REGISTRARS),
            "may_see_stats": has_role(request.user, *STATS_ROLES),
        },
    )


@login_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    """Find the customer (phone, name or serial number), then fill in the register."""
    if not has_role(request.user, *REGISTRARS):
        raise PermissionDenied
    query = (request.GET.get("q") or "").strip()
    customer = None
    customer_id = request.POST.get("customer_id") or request.GET.get("customer")
    if customer_id:
        try:
            customer = access_customer(request.user, int(customer_id))
        except (NotFound, ValueError):
            messages.error(request, _("Choose the customer again."))
    context: dict[str, Any] = {"q": query, "customer": customer}
    if customer is None:
        context["matches"] = list(search_customers(query)) if query else []
        return render(request, "complaints/new.html", context)
    if request.method != "POST":
        context["form"] = RegisterForm(customer=customer)
        return render(request, "complaints/new.html", context)
    form = RegisterForm(request.POST, customer=customer)
    context["form"] = form
    if form.is_valid():
        try:
            reg = services.register_complaint(
                data=services.ComplaintInput(customer_id=customer.pk, **form.cleaned_data), actor=request.user
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.text())
        else:
            number = reg.complaint.request.number
            if reg.repeat:
                messages.info(
                    request,
                    _("This customer already has an open complaint about this unit: %(number)s.")
                    % {"number": number},
                )
            else:
                messages.success(request, _("Complaint %(number)s registered.") % {"number": number})
            return redirect("complaints:detail", number=number)
    return render(request, "complaints/new.html", context)


def _history(sr: Any) -> list[dict[str, Any]]:
    """The history as the page shows it: a move is named by its action, a clock by its name."""
    states = dict(Status.choices)
    rows = []
    for h in selectors.history_rows(sr):
        action = (h.data or {}).get("action") if h.event == "transition" else None
        note = h.note
        if h.event == "clock_started" and note in ClockCode.values:
            note = str(ClockCode(note).label)
        rows.append(
            {
                "at": h.at,
                "actor": h.actor,
                "event": label_for(sr.type, action) if action else EVENT_LABELS.get(h.event, h.event),
                "old": states.get(h.old_state, h.old_state),
                "new": states.get(h.new_state, h.new_state),
                "changed": h.old_state != h.new_state,
                "note": note,
            }
        )
    return rows


@login_required
def complaint_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        sr = selectors.access_complaint(request.user, number)
    except NotFound:
        return _not_found(request)
    complaint = selectors.complaint_of(sr)
    roles = roles_of(request.user)
    actions = [(a, label_for(sr.type, a)) for a in available_actions(sr, roles)] if complaint else []
    codes = {a for a, _label in actions}
    context: dict[str, Any] = {
        "sr": sr,
        "c": complaint,
        "actions": actions,
        "codes": codes,
        "clocks": selectors.complaint_clocks(sr),
        "history": _history(sr),
        "register_form": None,
    }
    if complaint is None:
        if has_role(request.user, *REGISTRARS) and sr.status == "new":
            context["register_form"] = RegisterForm(customer=sr.customer)
        return render(request, "complaints/detail.html", context)
    refusal = services.deletion_refusal(complaint)
    context.update(
        rounds=selectors.rounds_of(complaint),
        fault_report=getattr(complaint, "fault_report", None) if _has_fault_report(complaint) else None,
        retained_until=complaint.retained_until(services.retention_years()),
        deletion_refusal=refusal.text() if refusal else "",
        may_delete=has_role(request.user, *MANAGERS),
        may_mark=has_role(request.user, *COMPLAINT_MANAGERS),
        may_unmark=has_role(request.user, *MANAGERS),
        may_fault_report=has_role(request.user, *COMPLAINT_MANAGERS)
        and sr.status not in ("invalid", "archived", "cancelled")
        and not _has_fault_report(complaint),
        departments=selectors.active_departments(),
        people=selectors.staff_people(),
        categories=Category.choices,
        severities=Severity.choices,
        channels=NoticeChannel.choices,
        today=local_today(),
        follow_up="follow_up_satisfied" in codes,
        facts=services.facts_of(complaint),
        # The regulation wants the customer told on the day the complaint came in.
        promise_late=bool(complaint.promised_on and complaint.promised_on != local_date(sr.received_at)),
    )
    return render(request, "complaints/detail.html", context)


def _has_fault_report(complaint: Any) -> bool:
    return hasattr(complaint, "fault_report")


def _arguments(request: HttpRequest, action: str) -> dict[str, Any]:
    post = request.POST
    note = post.get("note", "")
    if action == "reply":
        return {"reply": post.get("reply", "")}
    if action == "validate":
        return {
            "note": note,
            "category": post.get("category") or None,
            "severity": post.get("severity") or None,
            "major_fault": post.get("major_fault") == "on",
        }
    if action == "invalidate":
        return {"explanation": post.get("explanation", ""), "category": post.get("category") or None}
    if action == "assign":
        return {
            "department_id": _int(post.get("department_id"), "department_id"),
            "responsible_person_id": _int(post.get("responsible_person_id"), "responsible_person_id"),
            "other_department_ids": [
                i
                for i in (_int(v, "other_department_ids") for v in post.getlist("other_department_ids"))
                if i
            ],
            "promised_date": _date(post.get("promised_date"), "promised_date"),
            "note": note,
        }
    if action == "investigate":
        return {
            "cause": post.get("cause", ""),
            "person_at_fault_id": _int(post.get("person_at_fault_id"), "person_at_fault_id"),
            "note": note,
        }
    if action == "propose_plan":
        return {"plan": post.get("plan", "")}
    if action in ("reject_plan", "cancel"):
        return {"reason": post.get("reason", "")}
    if action == "complete_implementation":
        return {"implementation": post.get("implementation", "")}
    if action == "notify_customer":
        return {"notice": post.get("notice", ""), "channel": post.get("channel", "")}
    if action == "follow_up":
        return {"satisfied": post.get("satisfied") == "yes", "note": note}
    if action == "report":
        return {"report": post.get("report", "")}
    if action == "archive":
        return {
            "summary": post.get("summary", ""),
            "lessons": post.get("lessons", ""),
            "corrective_action_ref": post.get("corrective_action_ref", ""),
        }
    return {"note": note}


@login_required
@require_POST
def complaint_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    try:
        sr = selectors.access_complaint(request.user, number)
    except NotFound:
        return _not_found(request)
    if action not in services.ACTION_SERVICES:
        return _not_found(request)
    try:
        services.ACTION_SERVICES[action](request=sr, actor=request.user, **_arguments(request, action))
    except DomainError as exc:
        messages.error(request, exc.text())
    else:
        sr.refresh_from_db()
        messages.success(request, _("Done: %(status)s.") % {"status": sr.get_status_display()})
    return redirect("complaints:detail", number=sr.number)


@login_required
@require_POST
def complaint_register(request: HttpRequest, number: str) -> HttpResponse:
    """Fill in the register of a complaint taken at the general intake."""
    try:
        sr = selectors.access_complaint(request.user, number)
    except NotFound:
        return _not_found(request)
    form = RegisterForm(request.POST, customer=sr.customer)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label} {' '.join(str(e) for e in errors)}")
        return redirect("complaints:detail", number=sr.number)
    data = {k: v for k, v in form.cleaned_data.items() if k != "unit_id"}
    try:
        services.complete_register(request=sr, data=services.RegisterInput(**data), actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, _("Complaint register filled in."))
    return redirect("complaints:detail", number=sr.number)


@login_required
@require_POST
def complaint_fault_report(request: HttpRequest, number: str) -> HttpResponse:
    try:
        sr = selectors.access_complaint(request.user, number)
    except NotFound:
        return _not_found(request)
    post = request.POST
    try:
        services.issue_fault_report(
            request=sr,
            data=services.FaultReportInput(
                impact=post.get("impact", ""),
                handling=post.get("handling", ""),
                cause=post.get("cause", ""),
                corrective_measures=post.get("corrective_measures", ""),
                preventive_measures=post.get("preventive_measures", ""),
                customer_channel=post.get("customer_channel", ""),
            ),
            actor=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, _("Fault analysis report issued."))
    return redirect("complaints:detail", number=sr.number)


@login_required
@require_POST
def complaint_important(request: HttpRequest, number: str) -> HttpResponse:
    try:
        sr = selectors.access_complaint(request.user, number)
    except NotFound:
        return _not_found(request)
    try:
        services.set_important(
            request=sr,
            important=request.POST.get("important") == "yes",
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.text())
    return redirect("complaints:detail", number=sr.number)


@login_required
@require_POST
def complaint_delete(request: HttpRequest, number: str) -> HttpResponse:
    """Delete a complaint after its retention period; refused (with the reason) within it."""
    try:
        sr = selectors.access_complaint(request.user, number)
    except NotFound:
        return _not_found(request)
    try:
        services.delete_complaint(request=sr, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.text())
        return redirect("complaints:detail", number=sr.number)
    messages.success(request, _("Complaint %(number)s deleted.") % {"number": number})
    return redirect("complaints:list")


@login_required
def complaint_statistics(request: HttpRequest) -> HttpResponse:
    """The manager's statistics: rates against their targets, breakdowns and the weekly/monthly trend."""
    if not has_role(request.user, *STATS_ROLES):
        raise PermissionDenied
    start, end = selectors.default_period()
    try:
        start = _date(request.GET.get("start"), "start") or start
        end = _date(request.GET.get("end"), "end") or end
    except ValidationFailed as exc:
        messages.error(request, exc.text())
    if end < start:
        messages.error(request, _("The end of the period is before its start."))
        start, end = selectors.default_period()
    st = selectors.statistics(start, end)

    def series(rows: list[selectors.Breakdown]) -> dict[str, Any]:
        return {
            "labels": [r.label for r in rows],
            "total": [r.total for r in rows],
            "valid": [r.valid for r in rows],
        }

    def rate(value: Any) -> float | None:
        return float(value) if value is not None else None

    charts = {
        "category": series(st.by_category),
        "department": series(st.by_department),
        "person": series(st.by_person),
        "week": series(st.by_week),
        "month": series(st.by_month),
        "rates": {
            "labels": [m for m, _r in st.monthly_rates],
            "reply": [rate(r.reply_rate) for _m, r in st.monthly_rates],
            "satisfaction": [rate(r.satisfaction_rate) for _m, r in st.monthly_rates],
            "valid_per_100": [rate(r.valid_per_100_jobs) for _m, r in st.monthly_rates],
            "reply_target": float(st.reply_target),
            "valid_target": float(st.valid_target),
        },
        "names": {
            "total": _("Complaints"),
            "valid": _("Valid"),
            "reply": _("Reply rate (%)"),
            "satisfaction": _("Satisfaction rate (%)"),
            "valid_per_100": _("Valid per 100 jobs"),
            "reply_target": _("Reply rate target"),
            "valid_target": _("Valid-complaint target"),
        },
    }
    return render(request, "complaints/stats.html", {"st": st, "r": st.rates, "charts": charts})
