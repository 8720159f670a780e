"""Dispatch pages: the dispatcher's board, and the technician's pages built for a phone.

The board lists the field requests waiting for a technician or at risk of missing a deadline,
by zone; selecting one (htmx) shows the qualified technicians, best first, each with a one-click
assignment and their day as a timeline. The technician's pages: today's jobs in order, one work
order with one small form per action the work-order workflow allows now, and the daily report.

Each view parses its form, finds the record through an ``access_*`` selector (not yours and
missing both answer 404), calls one service and redirects; a refused action comes back as a
message in place.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.core.clock import local_date, local_today, local_tz, now
from aftersales.core.errors import DomainError, NotFound, PermissionRefused, ValidationFailed
from aftersales.core.history import history_of
from aftersales.core.permissions import Role, has_role, roles_of, sees_all_requests
from aftersales.service.selectors import access_request
from aftersales.service.services import attach_file
from aftersales.service.sla_services import sla_payload

from . import board, selectors, services
from .models import (
    DailyReport,
    EmergencyApproval,
    EmergencyApprovalStatus,
    FaultCause,
    Invoice,
    PaymentMethod,
    Technician,
    WorkOrder,
)
from .workflow import ACTION_LABELS as WORK_ORDER_ACTIONS
from .workflow import ConsentState, Facts, WorkOrderStatus, available_actions, check_action

SUPERVISORS = (Role.DISPATCHER, Role.MANAGER, Role.ADMIN)
APPROVERS = (Role.MANAGER, Role.ADMIN)
# Actions whose refusal is worth explaining next to their button (the next step of the job);
# other refused actions are simply not offered.
EXPLAINED = ("begin_work", "carry_back", "finish")
# The steps of the usual job, shown open; the other actions are folded until needed.
NEXT_STEPS = frozenset(
    {
        "confirm_appointment",
        "check_in",
        "request_consent",
        "record_consent",
        "begin_work",
        "resume",
        "return_unit",
        "sign",
        "finish",
    }
)
# What is checked with the customer on the phone, named as the technician asks it.
CONFIRMATION_LABELS = {
    "address": gettext_lazy("Address"),
    "phone": gettext_lazy("Phone number"),
    "name": gettext_lazy("Customer's name"),
    "time": gettext_lazy("Time"),
    "model": gettext_lazy("Model"),
}
REASSIGNABLE = (WorkOrderStatus.ASSIGNED, WorkOrderStatus.SCHEDULED, WorkOrderStatus.CUSTOMER_ABSENT)
IMAGE_TYPES = ("image/",)
ACTION_LABELS = {**WORK_ORDER_ACTIONS, "photo": gettext_lazy("Add a photo")}
EVENT_LABELS = {"created": gettext_lazy("Work order created"), **ACTION_LABELS}


# -- helpers --------------------------------------------------------------------------------------


def _require_supervisor(user: Any) -> None:
    if not has_role(user, *SUPERVISORS):
        raise PermissionRefused()


def _technician_or_404(user: Any) -> Technician:
    technician = selectors.technician_of(user)
    if technician is None:
        raise NotFound()
    return technician


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _technician(value: Any) -> Technician:
    technician = Technician.objects.select_related("user", "station").filter(pk=_int(value)).first()
    if technician is None:
        raise ValidationFailed(
            "unknown_technician", gettext_lazy("Unknown technician."), field="technician_id"
        )
    return technician


def _day(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else local_today()
    except ValueError:
        return local_today()


def _local(day: str, time: str, field: str) -> dt.datetime:
    """A date and a time typed on the page, in the company's time zone."""
    try:
        return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(time), local_tz())
    except ValueError:
        raise ValidationFailed(
            "invalid_time", gettext_lazy("Enter a valid date and time."), field=field
        ) from None


def _window(post: Any) -> tuple[dt.datetime, dt.datetime]:
    day = post.get("day", "")
    return _local(day, post.get("start", ""), "appointment_start"), _local(
        day, post.get("end", ""), "appointment_end"
    )


def _png(data_url: str) -> bytes:
    """The signature pad's ``toDataURL("image/png")``, decoded; the service checks what is inside."""
    if not data_url:
        return b""
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix):
        raise ValidationFailed(
            "signature_not_png", gettext_lazy("The signature must be a PNG image."), "image"
        )
    try:
        return base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            "signature_not_png", gettext_lazy("The signature must be a PNG image."), "image"
        ) from None


def _default_window(at: dt.datetime) -> dict[str, str]:
    """A proposal for the appointment form: the next whole hour after the coming one, one slot long."""
    local = at.astimezone(local_tz())
    start = local.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=2)
    end = start + dt.timedelta(minutes=selectors.conf("APPOINTMENT_SLOT_MINUTES", 120))
    if end.date() != start.date():
        end = start.replace(hour=23, minute=59)
    return {"day": start.date().isoformat(), "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}


# -- the dispatch board ---------------------------------------------------------------------------


def _board_context(request: HttpRequest) -> dict[str, Any]:
    at = now()
    day = _day(request.GET.get("day"))
    scale = board.day_scale(day, at)
    context: dict[str, Any] = {
        "groups": board.board_groups(at),
        "scale": scale,
        "days": board.technician_days(scale),
        "selected": request.GET.get("request", "").strip().upper(),
        "is_approver": has_role(request.user, *APPROVERS),
    }
    if context["is_approver"]:
        context["approvals"] = list(
            EmergencyApproval.objects.filter(status=EmergencyApprovalStatus.PENDING, request__is_open=True)
            .select_related("request", "technician__user", "technician__station", "requested_by")
            .order_by("requested_at", "id")
        )
    return context


@dataclasses.dataclass
class CandidateRow:
    """One qualified technician on the board, with their day and how one click would dispatch them."""

    rank: int
    c: selectors.Candidate
    day: board.TechnicianDay
    approval: str  # "", or the status of the emergency approval asked for this technician
    is_current: bool


def _panel_context(request: HttpRequest, number: str) -> dict[str, Any]:
    """The selected request and its candidates, each with how one click would dispatch them."""
    sr = access_request(request.user, number)
    at = now()
    candidates = selectors.qualified_technicians(sr, at)
    current = selectors.active_work_order(sr)
    mode = ""
    if sr.status in board.WAITING_FOR_TECHNICIAN:
        mode = "assign"
    elif current is not None and current.status in REASSIGNABLE:
        mode = "reassign"
    approvals: dict[int, str] = {}
    for tech_id, status in EmergencyApproval.objects.filter(
        request=sr, status__in=[EmergencyApprovalStatus.PENDING, EmergencyApprovalStatus.APPROVED]
    ).values_list("technician_id", "status"):
        # An approval beats a request still waiting, whatever their order.
        if approvals.get(tech_id) != EmergencyApprovalStatus.APPROVED:
            approvals[tech_id] = status
    scale = board.day_scale(local_date(at), at)
    days = {d.technician.pk: d for d in board.technician_days(scale, [c.technician for c in candidates])}
    rows = [
        CandidateRow(
            rank=rank,
            c=c,
            day=days[c.technician.pk],
            approval=approvals.get(c.technician.pk, ""),
            is_current=current is not None and current.technician_id == c.technician.pk,
        )
        for rank, c in enumerate(candidates, start=1)
    ]
    return {
        "sr": sr,
        "sla": [(code, c) for code, c in sla_payload(sr, at).items() if code != "zone" and not c["met_at"]],
        "mode": mode,
        "current": current,
        "candidates": rows,
        # Own-department technicians first; the emergency ones (a manager must approve) folded below them.
        "regular": [row for row in rows if not row.c.needs_approval],
        "emergency": [row for row in rows if row.c.needs_approval],
        "panel_scale": scale,
        "is_approver": has_role(request.user, *APPROVERS),
        "address": board.request_address(sr),
    }


@login_required
def board_page(request: HttpRequest) -> HttpResponse:
    _require_supervisor(request.user)
    context = _board_context(request)
    if context["selected"]:
        try:
            context.update(_panel_context(request, context["selected"]))
        except NotFound:
            messages.error(request, _("Request %(number)s was not found.") % {"number": context["selected"]})
    return render(request, "dispatch/board.html", context)


@login_required
def board_lists(request: HttpRequest) -> HttpResponse:
    """The board's request lists again (htmx, every minute), so new and late requests appear."""
    _require_supervisor(request.user)
    at = now()
    context = {"groups": board.board_groups(at), "selected": request.GET.get("request", "").strip().upper()}
    return render(request, "dispatch/board.html#lists", context)


@login_required
def board_panel(request: HttpRequest, number: str) -> HttpResponse:
    """The selected request's candidates (htmx fragment; a full board page without htmx)."""
    _require_supervisor(request.user)
    if not request.headers.get("HX-Request"):
        return redirect(_board_url(number))
    return render(request, "dispatch/board.html#panel", _panel_context(request, number))


def _board_url(number: str) -> str:
    return f"{reverse('dispatch:board')}?{urlencode({'request': number})}"


def _board_action(request: HttpRequest, number: str, act: Callable[[Any], str]) -> HttpResponse:
    _require_supervisor(request.user)
    sr = access_request(request.user, number)
    try:
        messages.success(request, act(sr))
    except DomainError as exc:
        messages.error(request, exc.text())
        return redirect(_board_url(sr.number))
    return redirect("dispatch:board")


@login_required
@require_POST
def assign(request: HttpRequest, number: str) -> HttpResponse:
    def act(sr: Any) -> str:
        wo = services.assign_work_order(
            request=sr,
            technician=_technician(request.POST.get("technician_id")),
            note=request.POST.get("note", ""),
            actor=request.user,
        )
        return _("%(request)s assigned to %(technician)s: work order %(number)s.") % {
            "request": sr.number,
            "technician": wo.technician,
            "number": wo.number,
        }

    return _board_action(request, number, act)


@login_required
@require_POST
def reassign(request: HttpRequest, number: str) -> HttpResponse:
    def act(sr: Any) -> str:
        wo = services.reassign_work_order(
            request=sr,
            technician=_technician(request.POST.get("technician_id")),
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
        return _("%(request)s reassigned to %(technician)s: work order %(number)s.") % {
            "request": sr.number,
            "technician": wo.technician,
            "number": wo.number,
        }

    return _board_action(request, number, act)


@login_required
@require_POST
def request_emergency(request: HttpRequest, number: str) -> HttpResponse:
    _require_supervisor(request.user)
    sr = access_request(request.user, number)
    try:
        services.request_emergency_dispatch(
            request=sr,
            technician=_technician(request.POST.get("technician_id")),
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
        messages.success(request, _("The manager was asked to approve the emergency dispatch."))
    except DomainError as exc:
        messages.error(request, exc.text())
    return redirect(_board_url(sr.number))


def _decide(request: HttpRequest, approval_id: int, approve: bool) -> HttpResponse:
    _require_supervisor(request.user)
    approval = EmergencyApproval.objects.select_related("request").filter(pk=approval_id).first()
    if approval is None:
        raise NotFound()
    try:
        services.decide_emergency_dispatch(
            approval=approval, approve=approve, note=request.POST.get("note", ""), actor=request.user
        )
        messages.success(
            request,
            _("Emergency dispatch approved.") if approve else _("Emergency dispatch rejected."),
        )
    except DomainError as exc:
        messages.error(request, exc.text())
    return redirect(_board_url(approval.request.number))


@login_required
@require_POST
def approve_emergency(request: HttpRequest, approval_id: int) -> HttpResponse:
    return _decide(request, approval_id, approve=True)


@login_required
@require_POST
def reject_emergency(request: HttpRequest, approval_id: int) -> HttpResponse:
    return _decide(request, approval_id, approve=False)


# -- the technician's day -------------------------------------------------------------------------


@login_required
def today(request: HttpRequest) -> HttpResponse:
    technician = _technician_or_404(request.user)
    at = now()
    return render(
        request,
        "dispatch/today.html",
        {
            "technician": technician,
            "jobs": board.technician_jobs(technician, at),
            "day": local_date(at),
            "report_submitted": DailyReport.objects.filter(
                technician=technician, day=local_date(at)
            ).exists(),
        },
    )


def _offered_forms(
    wo: WorkOrder, user: Any
) -> tuple[list[tuple[str, Any, bool]], list[tuple[str, Any, str]]]:
    """The actions to show as forms now (with whether they are the job's next step), and why the next
    steps cannot be taken yet."""
    roles = roles_of(user)
    is_own = wo.technician.user_id == user.pk
    facts = selectors.facts(wo, roles, user.pk)
    forms: list[tuple[str, Any, bool]] = []
    blocked: list[tuple[str, Any, str]] = []
    for action in available_actions(wo.status, roles, is_own):
        # "Invoice and collect later" is a box on the finish form, so finishing is judged with it ticked.
        judged = dataclasses.replace(facts, bill_later=True) if action == "finish" else facts
        _target, refusal = check_action(action, judged)
        if refusal is not None:
            if action in EXPLAINED:
                blocked.append((action, ACTION_LABELS[action], str(refusal.message)))
            continue
        if action == "request_consent" and facts.consent_valid:
            continue  # the customer already agreed to exactly these fees
        forms.append((action, ACTION_LABELS[action], _is_next_step(action, facts)))
    # The next steps open at the top; the rest folded below, in the workflow's order.
    forms.sort(key=lambda form: not form[2])
    return forms, blocked


def _is_next_step(action: str, facts: Facts) -> bool:
    if action in NEXT_STEPS:
        return True
    if action == "diagnose":
        return not facts.diagnosed
    if action == "add_fee":
        return facts.charged and not facts.consent_valid
    if action == "collect_fees":
        return facts.collected < facts.fee_total
    return False


def _work_order_context(
    request: HttpRequest, wo: WorkOrder, failed: str = "", error: str = "", post: Any = None
) -> dict[str, Any]:
    sr = wo.request
    at = now()
    forms, blocked = _offered_forms(wo, request.user)
    offered = [form[0] for form in forms]
    consent = selectors.latest_consent(wo)
    fee_total = selectors.fee_total(wo)
    collected = selectors.collected_total(wo)
    local_now = at.astimezone(local_tz())
    started = (wo.work_started_at or wo.arrived_at or at).astimezone(local_tz())
    if started.date() != local_now.date() or started >= local_now:
        # Work begun on an earlier day: propose the last hour rather than a stretch across midnight.
        started = max(local_now - dt.timedelta(hours=1), local_now.replace(hour=0, minute=0))
    return {
        "wo": wo,
        "sr": sr,
        "phone": board.customer_phone(sr),
        "address": board.request_address(sr),
        "clocks": [(code, c) for code, c in sla_payload(sr, at).items() if code != "zone"],
        "offered": offered,
        # Fee lines are removed from the fee list itself, one button per line.
        "forms": [form for form in forms if form[0] != "remove_fee"],
        "can_remove_fee": "remove_fee" in offered,
        "blocked": blocked,
        "reassign_hint": has_role(request.user, *SUPERVISORS) and wo.status in REASSIGNABLE,
        "is_own": wo.technician.user_id == request.user.pk,
        "window": _default_window(at),
        "confirmation_items": [
            (key, CONFIRMATION_LABELS.get(key, label)) for key, label in services.CONFIRMATION_ITEMS.items()
        ],
        "fault_causes": FaultCause.choices,
        "fee_items": selectors.fee_schedule(selectors.request_category_id(sr)),
        "fee_lines": wo.fee_lines.select_related("item").order_by("id"),
        "fee_total": fee_total,
        "collected": collected,
        "outstanding": fee_total - collected,
        "consent": consent,
        "consent_pending": consent is not None and consent.state == ConsentState.PENDING,
        "parts": wo.part_lines.order_by("id"),
        "labor": wo.labor.order_by("started_at"),
        "payments": wo.payments.order_by("id"),
        "payment_methods": PaymentMethod.choices,
        "invoice": Invoice.objects.filter(work_order=wo).first(),
        "receipts": wo.carry_backs.order_by("-id"),
        "contacts": wo.contacts.select_related("by").order_by("at", "id"),
        "photos": [a for a in sr.attachments.all() if _is_image_name(a.name)],
        "may_add_photos": wo.is_active or wo.status == WorkOrderStatus.FINISHED,
        "history": [
            {"at": h.at, "actor": h.actor, "event": EVENT_LABELS.get(h.event, h.event), "note": h.note}
            for h in history_of(wo)
        ],
        "labor_defaults": {
            "day": local_now.date().isoformat(),
            "start": f"{started:%H:%M}",
            "end": f"{local_now:%H:%M}",
        },
        "failed": failed,
        "error": error,
        "post": post if post is not None else {},
        "checked": post.getlist("confirmed_items") if post is not None else [],
    }


@login_required
def work_order_page(request: HttpRequest, pk: int) -> HttpResponse:
    wo = selectors.access_work_order(request.user, pk)
    return render(request, "dispatch/work_order.html", _work_order_context(request, wo))


def _is_image_name(name: str) -> bool:
    return name.lower().rsplit(".", 1)[-1] in {"jpg", "jpeg", "png", "gif", "webp", "heic", "heif", "bmp"}


@login_required
def signature_image(request: HttpRequest, pk: int) -> HttpResponse:
    wo = selectors.access_work_order(request.user, pk)
    if not wo.signature:
        raise NotFound()
    with wo.signature.open("rb") as fh:
        return HttpResponse(fh.read(), content_type="image/png")


def _act(request: HttpRequest, pk: int, action: str, run: Callable[[WorkOrder, Any], Any]) -> HttpResponse:
    """Run one work-order action from its form and go back to the work order.

    A refusal shows the page again with the message in the form that was sent, and what was typed.
    """
    wo = selectors.access_work_order(request.user, pk)
    try:
        result = run(wo, request.POST)
    except DomainError as exc:
        wo = selectors.access_work_order(request.user, pk)
        context = _work_order_context(request, wo, failed=action, error=exc.text(), post=request.POST)
        return render(request, "dispatch/work_order.html", context, status=exc.status_code)
    messages.success(request, _("Done: %(action)s.") % {"action": ACTION_LABELS.get(action, action)})
    # Dead on arrival hands back the new delivery's work order: that is where the job goes on.
    target = result.pk if isinstance(result, WorkOrder) and result.pk != wo.pk else wo.pk
    return redirect("dispatch:work_order", pk=target)


def _action_view(
    action: str, run: Callable[[HttpRequest, WorkOrder, Any], Any]
) -> Callable[..., HttpResponse]:
    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _act(request, pk, action, lambda wo, post: run(request, wo, post))

    view.__name__ = action
    return view


def _confirm(request: HttpRequest, wo: WorkOrder, post: Any) -> Any:
    start, end = _window(post)
    return services.confirm_appointment(
        work_order=wo,
        appointment_start=start,
        appointment_end=end,
        confirmed_items=post.getlist("confirmed_items"),
        note=post.get("note", ""),
        actor=request.user,
    )


def _delay(request: HttpRequest, wo: WorkOrder, post: Any) -> Any:
    start, end = _window(post)
    return services.announce_delay(
        work_order=wo,
        appointment_start=start,
        appointment_end=end,
        reason=post.get("reason", ""),
        actor=request.user,
    )


def _add_fee(request: HttpRequest, wo: WorkOrder, post: Any) -> Any:
    return services.add_fee_line(
        work_order=wo,
        item_id=_int(post.get("item_id")),
        quantity=post.get("quantity", "1"),
        actor=request.user,
    )


def _consent(request: HttpRequest, wo: WorkOrder, post: Any) -> Any:
    return services.record_consent(
        work_order=wo,
        agreed=post.get("agreed") == "yes",
        customer_name=post.get("customer_name", ""),
        note=post.get("note", ""),
        actor=request.user,
    )


def _add_part(request: HttpRequest, wo: WorkOrder, post: Any) -> Any:
    return services.add_part_line(
        work_order=wo,
        part_number=post.get("part_number", ""),
        name=post.get("name", ""),
        quantity=_int(post.get("quantity")),
        old_serial=post.get("old_serial", ""),
        new_serial=post.get("new_serial", ""),
        actor=request.user,
    )


def _labor(request: HttpRequest, wo: WorkOrder, post: Any) -> Any:
    day = post.get("day", "")
    return services.record_labor(
        work_order=wo,
        started_at=_local(day, post.get("start", ""), "started_at"),
        ended_at=_local(day, post.get("end", ""), "ended_at"),
        description=post.get("description", ""),
        actor=request.user,
    )


def _carry_back(request: HttpRequest, wo: WorkOrder, post: Any) -> Any:
    return services.carry_back_unit(
        work_order=wo,
        receipt_number=post.get("receipt_number", ""),
        unit_condition=post.get("unit_condition", ""),
        accessories=post.get("accessories", ""),
        loaner_serial=post.get("loaner_serial", ""),
        loaner_model=post.get("loaner_model", ""),
        actor=request.user,
    )


def _return_unit(request: HttpRequest, wo: WorkOrder, post: Any) -> Any:
    return services.return_carried_back_unit(
        work_order=wo,
        receipt_number=post.get("receipt_number", ""),
        loaner_returned=post.get("loaner_returned") == "on",
        note=post.get("note", ""),
        actor=request.user,
    )


def _dead_on_arrival(request: HttpRequest, wo: WorkOrder, post: Any) -> Any:
    start, end = _window(post)
    return services.report_dead_on_arrival(
        work_order=wo,
        defect=post.get("defect", ""),
        appointment_start=start,
        appointment_end=end,
        actor=request.user,
    )


def _sign(request: HttpRequest, wo: WorkOrder, post: Any) -> Any:
    return services.record_signature(
        work_order=wo,
        image=_png(post.get("image", "")),
        signer_name=post.get("signer_name", ""),
        actor=request.user,
    )


def _collect(request: HttpRequest, wo: WorkOrder, post: Any) -> Any:
    return services.collect_fees(
        work_order=wo,
        amount=post.get("amount", ""),
        method=post.get("method", ""),
        reference=post.get("reference", ""),
        actor=request.user,
    )


def _finish(request: HttpRequest, wo: WorkOrder, post: Any) -> Any:
    return services.finish_work_order(
        work_order=wo,
        resolution=post.get("resolution", ""),
        bill_later=post.get("bill_later") == "on",
        actor=request.user,
    )


def _note(service: Callable[..., Any]) -> Callable[[HttpRequest, WorkOrder, Any], Any]:
    return lambda request, wo, post: service(work_order=wo, note=post.get("note", ""), actor=request.user)


def _reason(service: Callable[..., Any]) -> Callable[[HttpRequest, WorkOrder, Any], Any]:
    return lambda request, wo, post: service(work_order=wo, reason=post.get("reason", ""), actor=request.user)


confirm_appointment = _action_view("confirm_appointment", _confirm)
announce_delay = _action_view("announce_delay", _delay)
customer_absent = _action_view("customer_absent", _note(services.record_customer_absent))
check_in = _action_view("check_in", _note(services.check_in))
diagnose = _action_view(
    "diagnose",
    lambda request, wo, post: services.record_diagnosis(
        work_order=wo,
        diagnosis=post.get("diagnosis", ""),
        fault_cause=post.get("fault_cause", "normal"),
        actor=request.user,
    ),
)
add_fee = _action_view("add_fee", _add_fee)
remove_fee = _action_view(
    "remove_fee",
    lambda request, wo, post: services.remove_fee_line(
        work_order=wo, line_id=_int(post.get("line_id")), actor=request.user
    ),
)
request_consent = _action_view(
    "request_consent", lambda request, wo, post: services.request_consent(work_order=wo, actor=request.user)
)
record_consent = _action_view("record_consent", _consent)
begin_work = _action_view("begin_work", _note(services.begin_work))
add_part = _action_view("add_part", _add_part)
add_labor = _action_view("add_labor", _labor)
wait_parts = _action_view("wait_parts", _note(services.wait_for_parts))
resume = _action_view("resume", _note(services.resume_work))
carry_back = _action_view("carry_back", _carry_back)
return_unit = _action_view("return_unit", _return_unit)
dead_on_arrival = _action_view("dead_on_arrival", _dead_on_arrival)
sign = _action_view("sign", _sign)
waive_signature = _action_view("waive_signature", _reason(services.waive_signature))
collect_fees = _action_view("collect_fees", _collect)
issue_invoice = _action_view(
    "issue_invoice",
    lambda request, wo, post: services.issue_invoice(
        work_order=wo, number=post.get("number", ""), actor=request.user
    ),
)
finish = _action_view("finish", _finish)
cancel = _action_view("cancel", _reason(services.cancel_work_order))


@login_required
@require_POST
def add_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo taken on site, kept with the service request's attachments."""

    def run(wo: WorkOrder, post: Any) -> Any:
        upload = request.FILES.get("photo")
        if upload is not None and not (upload.content_type or "").startswith(IMAGE_TYPES):
            raise ValidationFailed("not_an_image", gettext_lazy("Choose a photo."), field="photo")
        return attach_file(
            request=access_request(request.user, wo.request.number), upload=upload, actor=request.user
        )

    return _act(request, pk, "photo", run)


# -- the daily report -----------------------------------------------------------------------------


def _report_technician(request: HttpRequest) -> Technician:
    """A technician sees their own report; office staff may open any technician's."""
    if sees_all_requests(request.user) and request.GET.get("technician"):
        technician = (
            Technician.objects.select_related("user").filter(pk=_int(request.GET["technician"])).first()
        )
        if technician is None:
            raise NotFound()
        return technician
    return _technician_or_404(request.user)


@login_required
def daily_report(request: HttpRequest) -> HttpResponse:
    technician = _report_technician(request)
    day = _day(request.GET.get("day"))
    submitted = (
        DailyReport.objects.filter(technician=technician, day=day)
        .prefetch_related("lines__work_order")
        .first()
    )
    lines = [] if submitted else selectors.daily_report_lines(technician, day)
    recent = DailyReport.objects.filter(technician=technician).order_by("-day")[:14]
    return render(
        request,
        "dispatch/daily_report.html",
        {
            "technician": technician,
            "day": day,
            "today": local_today(),
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "deadline": selectors.daily_report_deadline(day),
            "submitted": submitted,
            "lines": lines,
            "total_minutes": sum(line.minutes for line in lines),
            "recent": recent,
            "may_submit": submitted is None
            and technician.user_id == request.user.pk
            and day <= local_today(),
        },
    )


@login_required
@require_POST
def submit_daily_report(request: HttpRequest) -> HttpResponse:
    _technician_or_404(request.user)
    day = _day(request.POST.get("day"))
    try:
        report = services.submit_daily_report(day=day, note=request.POST.get("note", ""), actor=request.user)
        if report.late:
            messages.warning(request, _("Report submitted after its deadline."))
        else:
            messages.success(request, _("Report submitted."))
    except DomainError as exc:
        messages.error(request, exc.text())
    return redirect(f"{reverse('dispatch:daily_report')}?day={day.isoformat()}")
