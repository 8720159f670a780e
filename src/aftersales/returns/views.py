"""Return pages: the case entered from the customer's unit, the decision with its clauses, the
request with one form per flow action, and the return list with its clocks."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.catalog.selectors import access_unit
from aftersales.core.clock import local_today
from aftersales.core.errors import DomainError, NotFound, ValidationFailed
from aftersales.core.permissions import Role, has_role, roles_of
from aftersales.service.selectors import timeline_rows
from aftersales.service.workflow import available_actions, label_for

from . import forms, selectors, services
from .policy import Catalog, Channel, Condition
from .policy.text import CHANNEL_LABELS, CONDITION_LABELS
from .workflow import RETURN_STATES

PAGE_SIZE = 50
# Rows of "means of payment / amount" on the refund form.
PAYMENT_ROWS = 3
CAUSE_VIEWERS = (Role.QUALITY, Role.MANAGER, Role.ADMIN)


# The return flow's own history events, beside the ones the request timeline already names.
EVENT_LABELS = {
    "return_case_opened": gettext_lazy("Return case opened"),
    "clock_started": gettext_lazy("Clock started"),
}


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "404.html", status=404)


def _labelled(decision: dict[str, Any]) -> dict[str, Any]:
    """A rendered decision with its outcome and options named in the reader's language."""
    if not decision:
        return decision
    return {
        **decision,
        "outcome_label": forms.outcome_label(decision["outcome"]),
        "options_label": "、".join(forms.outcome_label(o) for o in decision.get("options", [])),
    }


def _history(sr: Any) -> list[dict[str, Any]]:
    rows = timeline_rows(sr)
    for row in rows:
        row["event"] = EVENT_LABELS.get(row["event"], row["event"])
        # A started clock's note is its code: shown by its name.
        if row["note"] in selectors.CLOCK_LABELS:
            row["note"] = str(selectors.CLOCK_LABELS[row["note"]])
    return rows


@login_required
def return_list(request: HttpRequest) -> HttpResponse:
    f = selectors.ReturnFilters(
        status=request.GET.get("status") or None,
        q=request.GET.get("q") or None,
        overdue=request.GET.get("overdue") == "1",
        is_open=True if request.GET.get("open") == "1" else None,
    )
    page = Paginator(selectors.filter_returns(request.user, f), PAGE_SIZE).get_page(request.GET.get("page"))
    today = local_today()
    causes = (
        selectors.return_cause_summary(start=today.replace(day=1), end=today)
        if has_role(request.user, *CAUSE_VIEWERS)
        else None
    )
    return render(
        request,
        "returns/list.html",
        {
            "page": page,
            "rows": selectors.return_rows(page.object_list),
            "f": f,
            "statuses": RETURN_STATES,
            "causes": causes,
            "may_open": has_role(request.user, *services.RETURN_REGISTRARS),
        },
    )


def _case_rows(case: dict[str, Any], catalog: Catalog) -> list[tuple[str, str]]:
    """The stored case as the page shows it, in the reader's language."""
    lang = get_language()
    category = catalog.category(case.get("category", ""))
    part = category.part(case.get("part", "")) if category is not None else None
    rows = [
        (_("Category"), category.name.get(lang) if category is not None else case.get("category", "")),
        (_("Faulty part"), part.name.get(lang) if part is not None else _("Whole unit")),
        (
            _("Bought through"),
            CHANNEL_LABELS[Channel(case["channel"])].get(lang) if case.get("channel") else "",
        ),
        (_("Price paid"), case.get("price_paid", "")),
        (_("Invoice date"), case.get("invoice_date", "")),
        (_("Signed for on"), case.get("signed_date", "—")),
        (_("Installed on"), case.get("installed_date", "—")),
        (_("Request date"), case.get("request_date", "")),
        (_("Performance failure"), _("Yes") if case.get("performance_failure") else _("No")),
        (
            _("Condition of the goods"),
            "、".join(CONDITION_LABELS[Condition(c)].get(lang) for c in case.get("condition", [])) or "—",
        ),
        (_("Failed repairs in warranty"), str(case.get("failed_repairs", 0))),
        (_("Days in repair"), str(case.get("repair_days", 0))),
        (_("In repair since"), case.get("in_repair_since", "—")),
        (_("Customer asks for"), forms.outcome_label(case["wants"]) if case.get("wants") else "—"),
    ]
    return [(str(label), str(value)) for label, value in rows]


def _unit_or_message(request: HttpRequest, serial: str) -> Any:
    if not serial.strip():
        return None
    try:
        return access_unit(request.user, serial_number=serial)
    except NotFound:
        messages.error(request, _("No unit with serial number “%(serial)s”.") % {"serial": serial.strip()})
        return None


@login_required
def return_new(request: HttpRequest) -> HttpResponse:
    """The agent finds the customer's unit by serial number, completes the case, previews the
    engine's decision and starts the return request."""
    if not has_role(request.user, *services.RETURN_REGISTRARS):
        raise PermissionDenied
    serial = (request.POST.get("serial_number") or request.GET.get("serial") or "").strip()
    unit = _unit_or_message(request, serial)
    context: dict[str, Any] = {"serial": serial, "unit": unit}
    if unit is None:
        return render(request, "returns/new.html", context)
    catalog = selectors.load_policy_catalog()
    today = local_today()
    if request.method != "POST":
        form = forms.ReturnCaseForm(unit=unit, catalog=catalog)
        facts = selectors.ReturnFacts(reason="quality", channel="store", signed_date=unit.delivery_date)
        context.update(form=form, history=selectors.unit_history(unit, facts, today, catalog))
        return render(request, "returns/new.html", context)
    form = forms.ReturnCaseForm(request.POST, unit=unit, catalog=catalog)
    context["form"] = form
    if form.is_valid():
        facts = form.facts()
        try:
            context["history"] = selectors.unit_history(unit, facts, today, catalog)
            if "start" in request.POST:
                return _start(request, unit, form, facts)
            case = selectors.case_from_unit(unit, today, facts, catalog=catalog)
            context["case_rows"] = _case_rows(case, catalog)
            context["decision"] = _labelled(selectors.decide_case(case).to_dict(get_language()))
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.text())
    return render(request, "returns/new.html", context)


def _start(request: HttpRequest, unit: Any, form: forms.ReturnCaseForm, facts: Any) -> HttpResponse:
    registration = services.open_return_case(
        unit=unit,
        facts=facts,
        description=form.cleaned_data["description"],
        actor=request.user,
        channel=form.cleaned_data["contact_channel"],
    )
    sr = registration.request
    if registration.repeat:
        messages.info(
            request, _("This unit already has an open return request: %(number)s.") % {"number": sr.number}
        )
    else:
        services.evaluate_return(request=sr, actor=request.user)
        messages.success(
            request, _("Return request %(number)s registered and evaluated.") % {"number": sr.number}
        )
    return redirect("returns:detail", number=sr.number)


@login_required
def return_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        sr = selectors.access_return(request.user, number)
    except NotFound:
        return _not_found(request)
    rc = selectors.return_case_of(sr)
    lang = get_language()
    actions = [(a, label_for(sr.type, a)) for a in available_actions(sr, roles_of(request.user))]
    outcome_choices = [
        (o, forms.outcome_label(o)) for o in ("return", "exchange", "repair_free", "repair_paid")
    ]
    if rc is not None and rc.options:
        # The engine's options first: choosing one of them is no override.
        outcome_choices.sort(
            key=lambda c: (c[0] not in rc.options, rc.options.index(c[0]) if c[0] in rc.options else 0)
        )
    return render(
        request,
        "returns/detail.html",
        {
            "sr": sr,
            "rc": rc,
            "case_rows": _case_rows(rc.case, selectors.load_policy_catalog()) if rc else [],
            "decision": _labelled(rc.decision_in(lang)) if rc else {},
            "inspection": _labelled(rc.inspection_decision_in(lang)) if rc else {},
            "violations": rc.violations_in(lang) if rc else [],
            "clocks": selectors.return_clocks(sr).values(),
            "history": _history(sr),
            "actions": actions,
            "action_codes": [a for a, _label in actions],
            "outcome_choices": outcome_choices,
            "approved_label": forms.outcome_label(rc.approved_outcome) if rc and rc.approved_outcome else "",
            "engine_label": forms.outcome_label(rc.outcome) if rc and rc.outcome else "",
            "inspection_label": forms.outcome_label(rc.inspection_outcome)
            if rc and rc.inspection_outcome
            else "",
            "conditions": forms.condition_choices(),
            "condition_found": ", ".join(
                label for code, label in forms.condition_choices() if rc and code in rc.condition
            ),
            "causes": forms.CAUSE_CHOICES,
            "departments": forms.DEPARTMENT_CHOICES,
            "people": selectors.staff_people(),
            "payment_rows": range(1, PAYMENT_ROWS + 1),
        },
    )


def _int_or_none(value: str, field: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationFailed("invalid_choice", _("Choose from the list."), field) from None


def _photos(request: HttpRequest) -> list[services.Photo]:
    # Reading one byte past the limit is enough for the service to refuse an oversized photo.
    limit = services.photo_max_bytes() + 1
    return [services.Photo(f.name or "photo", f.read(limit)) for f in request.FILES.getlist("photos")]


def _action_arguments(request: HttpRequest, action: str) -> dict[str, Any]:
    post = request.POST
    note = post.get("note", "")
    if action == "approve":
        return {
            "outcome": post.get("outcome") or None,
            "refund_amount": post.get("refund_amount"),
            "note": note,
        }
    if action == "receive":
        return {
            "condition": post.getlist("condition"),
            "cause": post.get("cause", ""),
            "responsible_department": post.get("responsible_department", ""),
            "responsible_person_id": _int_or_none(
                post.get("responsible_person_id", ""), "responsible_person_id"
            ),
            "received_at": forms.local_instant(post.get("received_at", "")),
            "photos": _photos(request),
            "note": note,
        }
    if action == "refund":
        payments = []
        for i in range(1, PAYMENT_ROWS + 1):
            means, amount = post.get(f"means_{i}", "").strip(), post.get(f"paid_{i}", "").strip()
            if means or amount:
                payments.append((means, amount))
        return {"amount": post.get("amount"), "payments": payments, "note": note}
    if action == "exchange":
        return {"new_serial_number": post.get("new_serial_number", ""), "note": note}
    return {"note": note}


@login_required
@require_POST
def return_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    try:
        sr = selectors.access_return(request.user, number)
    except NotFound:
        return _not_found(request)
    if action not in services.ACTION_SERVICES:
        return _not_found(request)
    try:
        services.ACTION_SERVICES[action](request=sr, actor=request.user, **_action_arguments(request, action))
    except DomainError as exc:
        messages.error(request, exc.text())
    else:
        sr.refresh_from_db()
        messages.success(request, _("Done: %(status)s.") % {"status": sr.get_status_display()})
    return redirect("returns:detail", number=sr.number)
