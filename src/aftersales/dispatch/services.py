"""Business actions of dispatch and field work: one function per action, each in one transaction.

A work-order action locks the work order, checks the state table and guards of
``workflow.py`` against a fresh snapshot (``selectors.facts``), writes its rows,
moves the service request through ``aftersales.service.services`` where the
action is also a request move (assign, schedule, start, resolve...), and ends with
a conditional update of the work order plus its history entry. A refusal raises a
domain error and the transaction rolls back, so nothing half-done remains.
"""

from __future__ import annotations

import datetime as dt
import struct
import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.selectors import warranty_decision
from aftersales.core.clock import local_date, now
from aftersales.core.errors import (
    DomainError,
    PermissionRefused,
    StaleState,
    TransitionRefused,
    ValidationFailed,
)
from aftersales.core.history import record_history
from aftersales.core.notifications import notify
from aftersales.core.numbering import next_number, number_row
from aftersales.core.permissions import Role, has_role, require_role, roles_of, users_with_role
from aftersales.core.phones import InvalidPhone, parse_phone
from aftersales.core.system import system_user
from aftersales.service import services as request_services
from aftersales.service import sla_services
from aftersales.service.models import ServiceRequest
from aftersales.service.workflow import FIELD_TYPES, Status

from . import selectors
from .models import (
    CarryBack,
    Certification,
    Charge,
    ContactKind,
    CustomerContact,
    DailyReport,
    DailyReportLine,
    EmergencyApproval,
    EmergencyApprovalStatus,
    FaultCause,
    FeeConsent,
    FeeItemKind,
    FeeLine,
    FeeScheduleItem,
    Invoice,
    LaborEntry,
    PartLine,
    Payment,
    PaymentMethod,
    Skill,
    Station,
    Technician,
    Visit,
    WorkOrder,
)
from .selectors import conf
from .workflow import ConsentState, Refusal, WorkOrderStatus, check_action, is_active_state

WORK_ORDER_SCOPE = "WO"
RECEIPT_SCOPE = "RC"
SUPERVISOR_ROLES = (Role.DISPATCHER, Role.MANAGER, Role.ADMIN)
APPROVER_ROLES = (Role.MANAGER, Role.ADMIN)
# What the technician confirms with the customer by phone before going (delivery and repair rules).
# What the technician confirms on the phone before going (delivery and repair regulations).
CONFIRMATION_ITEMS = {
    "address": pgettext_lazy("confirmed by phone", "address"),
    "phone": pgettext_lazy("confirmed by phone", "phone number"),
    "name": pgettext_lazy("confirmed by phone", "customer's name"),
    "time": pgettext_lazy("confirmed by phone", "appointment time"),
    "model": pgettext_lazy("confirmed by phone", "product model"),
}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CENT = Decimal("0.01")


# -- helpers -------------------------------------------------------------------------------------


def _refuse(refusal: Refusal, **params: Any) -> DomainError:
    if refusal.code == "forbidden":
        return PermissionRefused(refusal.code, refusal.message, refusal.field)
    return TransitionRefused(refusal.code, refusal.message, refusal.field, **params)


def _required(value: str, field: str, message: Any = None) -> str:
    if not (value or "").strip():
        raise ValidationFailed(f"{field}_required", message or _("This field is required."), field=field)
    return value.strip()


def _aware(value: dt.datetime, field: str) -> dt.datetime:
    if value.tzinfo is None:
        raise ValidationFailed("naive_time", _("The time needs a time zone."), field=field)
    return value


def _window(start: dt.datetime, end: dt.datetime, at: dt.datetime) -> None:
    _aware(start, "appointment_start")
    _aware(end, "appointment_end")
    if end <= start:
        raise ValidationFailed(
            "bad_window", _("The appointment must end after it starts."), field="appointment_end"
        )
    if end <= at:
        raise ValidationFailed(
            "window_in_past", _("The appointment window is already over."), field="appointment_end"
        )


def _locked(work_order: WorkOrder) -> WorkOrder:
    qs = WorkOrder.objects.select_related("technician__user", "technician__station")
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(of=("self",))
    return qs.get(pk=work_order.pk)


def _request_of(work_order: WorkOrder) -> ServiceRequest:
    return ServiceRequest.objects.select_related("unit__product_model__category", "zone", "customer").get(
        pk=work_order.request_id
    )


def _begin(work_order: WorkOrder, action: str, actor: Any, **extra: Any) -> tuple[WorkOrder, str]:
    """Lock the work order and check ``action`` against the state table and guards."""
    wo = _locked(work_order)
    f = selectors.facts(wo, roles_of(actor), getattr(actor, "pk", None), **extra)
    target, refusal = check_action(action, f)
    if refusal is not None:
        raise _refuse(refusal, status=wo.get_status_display())
    if wo.is_active and not ServiceRequest.objects.filter(pk=wo.request_id, is_open=True).exists():
        raise TransitionRefused(
            "request_not_open",
            _("The service request is no longer open: this work order cannot go on."),
            None,
        )
    assert target is not None
    return wo, target


def _commit(
    wo: WorkOrder,
    action: str,
    target: str,
    actor: Any,
    *,
    at: dt.datetime,
    changes: dict[str, Any] | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> WorkOrder:
    fields: dict[str, Any] = {"status": target, "is_active": is_active_state(target), "updated_at": at}
    if wo.is_active and not is_active_state(target):
        fields["ended_at"] = at
    fields.update(changes or {})
    changed = WorkOrder.objects.filter(pk=wo.pk, status=wo.status).update(**fields)
    if changed != 1:
        raise StaleState()
    record_history(
        subject=wo, event=action, actor=actor, old=wo.status, new=target, note=note, at=at, data=data or {}
    )
    wo.refresh_from_db()
    return wo


def _charge_for(request: ServiceRequest, cause: str) -> str:
    """Who pays, from the warranty decision on the day the request came in and the diagnosed cause."""
    unit = request.unit
    if unit is None:
        return Charge.FREE
    return warranty_decision(unit, on=local_date(request.received_at), cause=cause).charge.value


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed("invalid_amount", _("Enter an amount in yuan."), field=field) from None
    if amount <= 0 or amount != amount.quantize(CENT):
        raise ValidationFailed(
            "invalid_amount", _("Enter a positive amount with at most two decimals."), field=field
        )
    return amount


# -- stations, technicians, certifications ----------------------------------------------------------


@transaction.atomic
def create_station(
    *, code: str, name: str, kind: str, zones: list[Any], actor: Any, phone: str = ""
) -> Station:
    if not code.strip() or not name.strip():
        raise ValidationFailed("name_required", _("Code and name are required."), field="code")
    station = Station.objects.create(code=code.strip(), name=name.strip(), kind=kind, phone=phone)
    station.zones.set(zones)
    record_history(subject=station, event="station_created", actor=actor)
    return station


@transaction.atomic
def register_technician(
    *, user: Any, station: Station, zones: list[Any], actor: Any, phone: str = ""
) -> Technician:
    if phone:
        try:
            phone = parse_phone(phone).number
        except InvalidPhone:
            raise ValidationFailed(
                "invalid_phone",
                _("“%(phone)s” is not a valid Chinese phone number."),
                field="phone",
                phone=phone,
            ) from None
    technician = Technician.objects.create(user=user, station=station, phone=phone)
    technician.zones.set(zones)
    user.groups.add(Group.objects.get_or_create(name=Role.TECHNICIAN)[0])
    record_history(subject=technician, event="technician_registered", actor=actor)
    return technician


@transaction.atomic
def grant_certification(
    *,
    technician: Technician,
    skill: Skill,
    category: Any,
    issued_on: dt.date,
    expires_on: dt.date,
    actor: Any,
    certificate_number: str = "",
) -> Certification:
    """Record a certificate after the technician passed training (no one works before holding one)."""
    require_role(actor, *APPROVER_ROLES)
    if expires_on < issued_on:
        raise ValidationFailed(
            "expiry_before_issue", _("The certificate cannot expire before it is issued."), field="expires_on"
        )
    cert = Certification.objects.create(
        technician=technician,
        skill=skill,
        category=category,
        certificate_number=certificate_number.strip(),
        issued_on=issued_on,
        expires_on=expires_on,
        granted_by=actor,
        granted_at=now(),
    )
    record_history(
        subject=technician,
        event="certification_granted",
        actor=actor,
        data={
            "skill": skill.code,
            "category": category.code if category else None,
            "expires_on": expires_on.isoformat(),
        },
    )
    return cert


# -- dispatch ------------------------------------------------------------------------------------


def _check_assignable(request: ServiceRequest, technician: Technician, actor: Any) -> selectors.Assessment:
    require_role(actor, *SUPERVISOR_ROLES)
    if request.type not in FIELD_TYPES:
        raise ValidationFailed(
            "not_field_work",
            _("Only delivery, installation, repair and maintenance go to technicians."),
            "type",
        )
    if not technician.active or not technician.user.is_active:
        raise ValidationFailed(
            "technician_inactive", _("This technician is not active."), field="technician_id"
        )
    assessment = selectors.assess(technician, request)
    if assessment.refusal == "certification_expired":
        raise TransitionRefused(
            "certification_expired",
            _("The technician's certificate for this work has expired."),
            "technician_id",
        )
    if assessment.refusal:
        raise TransitionRefused(
            "not_certified",
            _("The technician holds no certificate for this kind of work on this product category."),
            "technician_id",
        )
    return assessment


def _emergency_clearance(
    request: ServiceRequest, technician: Technician, assessment: selectors.Assessment, actor: Any, reason: str
) -> EmergencyApproval | None:
    """The manager's approval that lets a partner or another department take the job, used up here."""
    if not assessment.needs_approval:
        return None
    at = now()
    approval = (
        EmergencyApproval.objects.filter(
            request=request, technician=technician, status=EmergencyApprovalStatus.APPROVED
        )
        .order_by("-decided_at")
        .first()
    )
    if approval is None and has_role(actor, *APPROVER_ROLES):
        # A manager dispatching in person approves by doing it; the record says so.
        if not reason.strip():
            raise ValidationFailed(
                "reason_required", _("Give the reason for the emergency dispatch."), field="note"
            )
        approval = EmergencyApproval.objects.create(
            request=request,
            technician=technician,
            dispatch_kind=assessment.dispatch_kind,
            reason=reason.strip(),
            status=EmergencyApprovalStatus.APPROVED,
            requested_by=actor,
            requested_at=at,
            decided_by=actor,
            decided_at=at,
        )
        record_history(
            subject=approval, event="emergency_approved", actor=actor, new=approval.status, note=reason, at=at
        )
    if approval is None:
        raise TransitionRefused(
            "manager_approval_required",
            _("A partner station or another department may only be sent with a manager's approval."),
            "technician_id",
        )
    used = EmergencyApproval.objects.filter(pk=approval.pk, status=EmergencyApprovalStatus.APPROVED).update(
        status=EmergencyApprovalStatus.USED
    )
    if used != 1:
        raise StaleState()
    record_history(subject=approval, event="emergency_used", actor=actor, old="approved", new="used", at=at)
    return approval


def _create_work_order(
    *,
    request: ServiceRequest,
    technician: Technician,
    actor: Any,
    dispatch_kind: str,
    approval: EmergencyApproval | None = None,
    replaces: WorkOrder | None = None,
    note: str = "",
    status: str = WorkOrderStatus.ASSIGNED,
    window: tuple[dt.datetime, dt.datetime] | None = None,
    charge: str | None = None,
) -> WorkOrder:
    at = now()
    try:
        with transaction.atomic():
            wo = WorkOrder.objects.create(
                # A unique placeholder until the day's number is drawn at the end.
                number="~" + uuid.uuid4().hex[:20],
                request=request,
                kind=request.type,
                technician=technician,
                status=status,
                is_active=True,
                dispatch_kind=dispatch_kind,
                emergency_approval=approval,
                replaces=replaces,
                assigned_by=actor,
                assigned_at=at,
                note=note.strip(),
                appointment_start=window[0] if window else None,
                appointment_end=window[1] if window else None,
                charge=charge or request.warranty.get("charge") or Charge.FREE,
                updated_at=at,
            )
    except IntegrityError:
        # The request already has an active work order: someone else dispatched it first.
        raise StaleState() from None
    record_history(
        subject=wo,
        event="created",
        actor=actor,
        new=status,
        note=note,
        at=at,
        data={
            "request": request.number,
            "technician": technician.user_id,
            "dispatch_kind": dispatch_kind,
            "replaces": replaces.number if replaces else None,
        },
    )
    # Drawn last so the day's counter row is locked only until the commit that follows.
    number_row(wo, WORK_ORDER_SCOPE, at)
    notify(
        recipients=[technician.user],
        kind="work_order_assigned",
        subject=gettext("New work order %(number)s for request %(request)s")
        % {"number": wo.number, "request": request.number},
        body=f"{request.customer.name}: {request.description[:200]}",
        event_key=f"work_order:{wo.pk}:assigned",
        data={"work_order": wo.number, "request": request.number},
    )
    return wo


@transaction.atomic
def request_emergency_dispatch(
    *, request: ServiceRequest, technician: Technician, reason: str, actor: Any
) -> EmergencyApproval:
    """Ask a manager to let a partner station or another department take this request."""
    reason = _required(reason, "reason", _("Give the reason for the emergency dispatch."))
    assessment = _check_assignable(request, technician, actor)
    if not assessment.needs_approval:
        raise ValidationFailed(
            "approval_not_needed",
            _("This technician belongs to the responsible department."),
            "technician_id",
        )
    approval = EmergencyApproval.objects.create(
        request=request,
        technician=technician,
        dispatch_kind=assessment.dispatch_kind,
        reason=reason,
        requested_by=actor,
        requested_at=now(),
    )
    record_history(
        subject=approval, event="emergency_requested", actor=actor, new=approval.status, note=reason
    )
    notify(
        recipients=users_with_role(Role.MANAGER),
        kind="emergency_dispatch_requested",
        subject=gettext("Emergency dispatch for %(request)s needs your approval")
        % {"request": request.number},
        body=f"{technician}: {reason}",
        event_key=f"emergency:{approval.pk}:requested",
        data={"approval": approval.pk, "request": request.number},
    )
    return approval


@transaction.atomic
def decide_emergency_dispatch(
    *, approval: EmergencyApproval, approve: bool, actor: Any, note: str = ""
) -> EmergencyApproval:
    require_role(actor, *APPROVER_ROLES)
    if not approve:
        note = _required(note, "note", _("Give the reason for the rejection."))
    status = EmergencyApprovalStatus.APPROVED if approve else EmergencyApprovalStatus.REJECTED
    at = now()
    changed = EmergencyApproval.objects.filter(pk=approval.pk, status=EmergencyApprovalStatus.PENDING).update(
        status=status, decided_by=actor, decided_at=at, decision_note=note.strip()
    )
    if changed != 1:
        raise TransitionRefused("already_decided", _("This approval has already been decided."), "status")
    record_history(
        subject=approval, event="emergency_decided", actor=actor, old="pending", new=status, note=note, at=at
    )
    approval.refresh_from_db()
    notify(
        recipients=[approval.requested_by],
        kind="emergency_dispatch_decided",
        subject=gettext("Emergency dispatch for %(request)s: %(decision)s")
        % {"request": approval.request.number, "decision": approval.get_status_display()},
        body=note,
        event_key=f"emergency:{approval.pk}:decided",
        data={"approval": approval.pk, "status": status},
    )
    return approval


@transaction.atomic
def assign_work_order(
    *, request: ServiceRequest, technician: Technician, actor: Any, note: str = ""
) -> WorkOrder:
    """Dispatch (派工): give the request to a certified technician; the request moves to assigned.

    Two dispatchers at once: the request's conditional update lets one through and
    refuses the other (409); the partial unique index on active work orders backs it up.
    """
    assessment = _check_assignable(request, technician, actor)
    approval = _emergency_clearance(request, technician, assessment, actor, note)
    request = request_services.assign_request(
        request=request, assignee_id=technician.user_id, actor=actor, note=note
    )
    return _create_work_order(
        request=request,
        technician=technician,
        actor=actor,
        dispatch_kind=assessment.dispatch_kind,
        approval=approval,
        note=note,
    )


@transaction.atomic
def auto_assign_work_order(*, request: ServiceRequest, actor: Any) -> WorkOrder:
    """The automatic assignment rule: the best-ranked technician of the responsible department.

    An emergency dispatch is never automatic: it needs a manager's decision.
    """
    best = next((c for c in selectors.qualified_technicians(request) if not c.needs_approval), None)
    if best is None:
        raise TransitionRefused(
            "no_qualified_technician",
            _("No certified technician of the responsible department is available: dispatch by hand."),
            "technician_id",
        )
    return assign_work_order(
        request=request,
        technician=best.technician,
        actor=actor,
        note=gettext("Assigned automatically by the ranking rule."),
    )


@transaction.atomic
def reassign_work_order(
    *, request: ServiceRequest, technician: Technician, reason: str, actor: Any
) -> WorkOrder:
    """Give an assigned or scheduled job to another technician, with the reason (改派)."""
    reason = _required(reason, "reason", _("A reason is required."))
    # The work order's own steps move the request (schedule), so read its state now.
    request = ServiceRequest.objects.select_related("unit__product_model", "zone").get(pk=request.pk)
    assessment = _check_assignable(request, technician, actor)
    current = selectors.active_work_order(request)
    at = now()
    if current is not None:
        if current.technician_id == technician.pk:
            raise ValidationFailed(
                "same_technician", _("The job is already with this technician."), field="technician_id"
            )
        current, target = _begin(current, "reassign", actor)
    approval = _emergency_clearance(request, technician, assessment, actor, reason)
    request = request_services.reassign_request(
        request=request, assignee_id=technician.user_id, reason=reason, actor=actor
    )
    if current is not None:
        _commit(
            current,
            "reassign",
            target,
            actor,
            at=at,
            changes={"end_reason": reason},
            note=reason,
            data={"to": technician.user_id},
        )
        notify(
            recipients=[current.technician.user],
            kind="work_order_reassigned",
            subject=gettext("Work order %(number)s was given to another technician")
            % {"number": current.number},
            body=reason,
            event_key=f"work_order:{current.pk}:reassigned",
            data={"work_order": current.number},
        )
    return _create_work_order(
        request=request,
        technician=technician,
        actor=actor,
        dispatch_kind=assessment.dispatch_kind,
        approval=approval,
        replaces=current,
        note=reason,
    )


# -- before going: the appointment ----------------------------------------------------------------


def _open_visit(wo: WorkOrder) -> Visit | None:
    return wo.visits.filter(arrived_at__isnull=True, outcome="").order_by("-id").first()


@transaction.atomic
def confirm_appointment(
    *,
    work_order: WorkOrder,
    appointment_start: dt.datetime,
    appointment_end: dt.datetime,
    confirmed_items: list[str],
    actor: Any,
    note: str = "",
) -> WorkOrder:
    """The technician phoned the customer and agreed the appointment window (meets the first-contact clock)."""
    at = now()
    _window(appointment_start, appointment_end, at)
    missing = [key for key in CONFIRMATION_ITEMS if key not in set(confirmed_items)]
    if missing:
        raise ValidationFailed(
            "confirmation_incomplete",
            _("Confirm with the customer by phone: %(items)s."),
            field="confirmed_items",
            items="、".join(str(CONFIRMATION_ITEMS[key]) for key in missing),
        )
    wo, target = _begin(work_order, "confirm_appointment", actor)
    request = _request_of(wo)
    visit_day = local_date(appointment_start)
    if not selectors.assess(wo.technician, request, on=visit_day).certified:
        raise TransitionRefused(
            "certification_expires_before_visit",
            _("The technician's certificate is not valid on the day of the visit: reassign the job."),
            "appointment_start",
        )
    if request.status == Status.ASSIGNED:
        request_services.schedule_visit(
            request=request,
            appointment_start=appointment_start,
            appointment_end=appointment_end,
            actor=actor,
            note=note,
        )
    elif wo.status == WorkOrderStatus.CUSTOMER_ABSENT:
        sla_services.resume_clocks(request=request, actor=actor)
    previous = _open_visit(wo)
    if previous is not None:
        Visit.objects.filter(pk=previous.pk).update(outcome="rescheduled")
    visit = Visit.objects.create(
        work_order=wo,
        window_start=appointment_start,
        window_end=appointment_end,
        confirmed_at=at,
        confirmed_by=actor,
        confirmed_items=sorted(CONFIRMATION_ITEMS),
    )
    CustomerContact.objects.create(
        work_order=wo,
        visit=visit,
        kind=ContactKind.APPOINTMENT,
        at=at,
        by=actor,
        note=note,
        data={"window": [appointment_start.isoformat(), appointment_end.isoformat()]},
    )
    return _commit(
        wo,
        "confirm_appointment",
        target,
        actor,
        at=at,
        changes={"appointment_start": appointment_start, "appointment_end": appointment_end},
        note=note,
        data={"window": [appointment_start.isoformat(), appointment_end.isoformat()]},
    )


@transaction.atomic
def announce_delay(
    *,
    work_order: WorkOrder,
    appointment_start: dt.datetime,
    appointment_end: dt.datetime,
    reason: str,
    actor: Any,
) -> WorkOrder:
    """Tell the customer the technician will be late, with the new window (recorded as a customer contact)."""
    reason = _required(reason, "reason", _("Say why the technician will be late."))
    at = now()
    _window(appointment_start, appointment_end, at)
    wo, target = _begin(work_order, "announce_delay", actor)
    visit = _open_visit(wo)
    assert visit is not None  # a scheduled work order always has its open visit
    if appointment_end <= visit.window_end:
        raise ValidationFailed(
            "not_a_delay", _("The new window must end later than the one agreed."), field="appointment_end"
        )
    # "Beforehand": the call is made before the promised window runs out.
    beforehand = at <= visit.window_end
    old_window = [visit.window_start.isoformat(), visit.window_end.isoformat()]
    new_window = [appointment_start.isoformat(), appointment_end.isoformat()]
    CustomerContact.objects.create(
        work_order=wo,
        visit=visit,
        kind=ContactKind.DELAY,
        at=at,
        by=actor,
        note=reason,
        beforehand=beforehand,
        data={"old_window": old_window, "new_window": new_window},
    )
    Visit.objects.filter(pk=visit.pk).update(
        window_start=appointment_start, window_end=appointment_end, delay_announced=True
    )
    return _commit(
        wo,
        "announce_delay",
        target,
        actor,
        at=at,
        changes={"appointment_start": appointment_start, "appointment_end": appointment_end},
        note=reason,
        data={"old_window": old_window, "new_window": new_window, "beforehand": beforehand},
    )


@transaction.atomic
def record_customer_absent(*, work_order: WorkOrder, actor: Any, note: str = "") -> WorkOrder:
    """Nobody at home: the clocks pause until a new appointment is agreed."""
    at = now()
    wo, target = _begin(work_order, "customer_absent", actor)
    visit = _open_visit(wo)
    if visit is not None:
        Visit.objects.filter(pk=visit.pk).update(
            arrived_at=at, arrived_late=at > visit.window_end, outcome="customer_absent"
        )
    CustomerContact.objects.create(
        work_order=wo, visit=visit, kind=ContactKind.ABSENT, at=at, by=actor, note=note
    )
    reason = gettext("Customer not at home")
    sla_services.pause_clocks(request=_request_of(wo), reason=f"{reason} {note}".strip(), actor=actor)
    return _commit(wo, "customer_absent", target, actor, at=at, note=note)


# -- on site ---------------------------------------------------------------------------------------


@transaction.atomic
def check_in(*, work_order: WorkOrder, actor: Any, note: str = "") -> WorkOrder:
    """Arrival on site (到场签到): meets the arrival clock and starts the resolution clock."""
    at = now()
    wo, target = _begin(work_order, "check_in", actor)
    visit = _open_visit(wo)
    late = False
    if visit is not None:
        late = at > visit.window_end
        Visit.objects.filter(pk=visit.pk).update(arrived_at=at, arrived_late=late, outcome="arrived")
    request = _request_of(wo)
    if request.status == Status.SCHEDULED:
        request_services.start_work(request=request, actor=actor, note=note)
    return _commit(
        wo, "check_in", target, actor, at=at, changes={"arrived_at": at}, note=note, data={"late": late}
    )


@transaction.atomic
def record_diagnosis(
    *, work_order: WorkOrder, diagnosis: str, actor: Any, fault_cause: str = "normal"
) -> WorkOrder:
    """The fault found on site and its cause; the cause may change who pays (misuse: parts at cost)."""
    diagnosis = _required(diagnosis, "diagnosis", _("Describe the fault found."))
    if fault_cause not in FaultCause.values:
        raise ValidationFailed("invalid_fault_cause", _("Unknown fault cause."), field="fault_cause")
    at = now()
    wo, target = _begin(work_order, "diagnose", actor)
    charge = _charge_for(_request_of(wo), fault_cause)
    if charge != wo.charge and wo.fee_lines.exists():
        raise TransitionRefused(
            "fees_exist",
            _("This cause changes who pays: remove the fee items first, then record it."),
            "fault_cause",
        )
    return _commit(
        wo,
        "diagnose",
        target,
        actor,
        at=at,
        changes={"diagnosis": diagnosis, "fault_cause": fault_cause, "charge": charge, "diagnosed_at": at},
        note=diagnosis,
        data={"fault_cause": fault_cause, "charge": charge},
    )


@transaction.atomic
def add_fee_line(*, work_order: WorkOrder, item_id: int, quantity: Any, actor: Any) -> FeeLine:
    """A fee item from the fee schedule, at the schedule's price (at cost for misuse or force majeure)."""
    try:
        qty = Decimal(str(quantity))
    except (InvalidOperation, ValueError):
        qty = Decimal("0")
    if qty <= 0 or qty != qty.quantize(CENT):
        raise ValidationFailed("invalid_quantity", _("Enter a positive quantity."), field="quantity")
    item = FeeScheduleItem.objects.filter(pk=item_id, active=True).first()
    if item is None:
        raise ValidationFailed("unknown_fee_item", _("Unknown fee schedule item."), field="item_id")
    at = now()
    wo, target = _begin(work_order, "add_fee", actor)
    category_id = selectors.request_category_id(_request_of(wo))
    if item.category_id is not None and item.category_id != category_id:
        raise ValidationFailed(
            "fee_item_other_category", _("This fee item is for another product category."), field="item_id"
        )
    unit_price = item.price
    if wo.charge == Charge.PARTS_AT_COST:
        if item.kind != FeeItemKind.PART:
            raise ValidationFailed(
                "parts_at_cost_only",
                _("Damage from misuse or force majeure is charged for parts at cost only."),
                field="item_id",
            )
        if item.cost_price is None:
            raise ValidationFailed(
                "no_cost_price", _("This part has no cost price in the fee schedule."), field="item_id"
            )
        unit_price = item.cost_price
    amount = (unit_price * qty).quantize(CENT, rounding=ROUND_HALF_UP)
    line = FeeLine.objects.create(
        work_order=wo,
        item=item,
        description=item.name,
        quantity=qty,
        unit_price=unit_price,
        amount=amount,
        added_by=actor,
        added_at=at,
    )
    _commit(
        wo,
        "add_fee",
        target,
        actor,
        at=at,
        data={"line": line.pk, "item": item.code, "quantity": str(qty), "amount": str(amount)},
    )
    return line


@transaction.atomic
def remove_fee_line(*, work_order: WorkOrder, line_id: int, actor: Any) -> WorkOrder:
    at = now()
    wo, target = _begin(work_order, "remove_fee", actor)
    line = wo.fee_lines.filter(pk=line_id).first()
    if line is None:
        raise ValidationFailed("unknown_fee_line", _("Unknown fee line."), field="line_id")
    data = {"line": line.pk, "item": line.item.code, "amount": str(line.amount)}
    line.delete()
    return _commit(wo, "remove_fee", target, actor, at=at, data=data)


@transaction.atomic
def request_consent(*, work_order: WorkOrder, actor: Any) -> FeeConsent:
    """Show the fee items to the customer; the clocks wait for the customer's answer."""
    at = now()
    wo, target = _begin(work_order, "request_consent", actor)
    lines = [
        {
            "item": line.item.code,
            "description": line.description,
            "quantity": str(line.quantity),
            "unit_price": str(line.unit_price),
            "amount": str(line.amount),
        }
        for line in wo.fee_lines.select_related("item").order_by("id")
    ]
    total = selectors.fee_total(wo)
    consent = FeeConsent.objects.create(
        work_order=wo, total=total, lines=lines, requested_at=at, requested_by=actor
    )
    sla_services.pause_clocks(
        request=_request_of(wo),
        reason=gettext("Waiting for the customer's confirmation of the fees"),
        actor=actor,
    )
    _commit(wo, "request_consent", target, actor, at=at, data={"consent": consent.pk, "total": str(total)})
    return consent


@transaction.atomic
def record_consent(
    *, work_order: WorkOrder, agreed: bool, customer_name: str, actor: Any, note: str = ""
) -> FeeConsent:
    """The customer's answer to the fee quote; the clocks run again."""
    customer_name = _required(customer_name, "customer_name", _("Write down who answered for the customer."))
    at = now()
    wo, target = _begin(work_order, "record_consent", actor)
    consent = selectors.latest_consent(wo)
    assert consent is not None  # the guard found it pending
    state = ConsentState.AGREED if agreed else ConsentState.REFUSED
    changed = FeeConsent.objects.filter(pk=consent.pk, state=ConsentState.PENDING).update(
        state=state, decided_at=at, customer_name=customer_name, recorded_by=actor, note=note.strip()
    )
    if changed != 1:
        raise StaleState()
    sla_services.resume_clocks(request=_request_of(wo), actor=actor)
    _commit(
        wo,
        "record_consent",
        target,
        actor,
        at=at,
        note=note,
        data={"consent": consent.pk, "state": state, "total": str(consent.total), "customer": customer_name},
    )
    consent.refresh_from_db()
    return consent


@transaction.atomic
def begin_work(*, work_order: WorkOrder, actor: Any, note: str = "") -> WorkOrder:
    """Start the repair, installation or delivery hand-over: for a paid job only after the customer agreed."""
    at = now()
    wo, target = _begin(work_order, "begin_work", actor)
    return _commit(wo, "begin_work", target, actor, at=at, changes={"work_started_at": at}, note=note)


@transaction.atomic
def add_part_line(
    *,
    work_order: WorkOrder,
    part_number: str,
    name: str,
    quantity: int,
    actor: Any,
    old_serial: str = "",
    new_serial: str = "",
) -> PartLine:
    part_number = _required(part_number, "part_number", _("The part number is required."))
    name = _required(name, "name", _("The part name is required."))
    if quantity < 1:
        raise ValidationFailed("invalid_quantity", _("Enter a positive quantity."), field="quantity")
    at = now()
    wo, target = _begin(work_order, "add_part", actor)
    line = PartLine.objects.create(
        work_order=wo,
        part_number=part_number,
        name=name,
        quantity=quantity,
        old_serial=old_serial.strip(),
        new_serial=new_serial.strip(),
        added_by=actor,
        added_at=at,
    )
    _commit(
        wo,
        "add_part",
        target,
        actor,
        at=at,
        data={"line": line.pk, "part": part_number, "quantity": quantity},
    )
    return line


@transaction.atomic
def record_labor(
    *, work_order: WorkOrder, started_at: dt.datetime, ended_at: dt.datetime, description: str, actor: Any
) -> LaborEntry:
    """Time worked on the job; one technician cannot work two stretches at the same time."""
    description = _required(description, "description", _("Describe the work done."))
    _aware(started_at, "started_at")
    _aware(ended_at, "ended_at")
    at = now()
    if ended_at <= started_at:
        raise ValidationFailed("bad_interval", _("The work must end after it starts."), field="ended_at")
    if ended_at > at + request_services.CLOCK_SKEW:
        raise ValidationFailed(
            "labor_in_future", _("Labor cannot be recorded ahead of time."), field="ended_at"
        )
    wo, target = _begin(work_order, "add_labor", actor)
    if LaborEntry.objects.filter(
        technician=wo.technician, started_at__lt=ended_at, ended_at__gt=started_at
    ).exists():
        raise ValidationFailed(
            "labor_overlaps",
            _("This time overlaps labor already recorded for the technician."),
            field="started_at",
        )
    minutes = int((ended_at - started_at).total_seconds() // 60)
    entry = LaborEntry.objects.create(
        work_order=wo,
        technician=wo.technician,
        started_at=started_at,
        ended_at=ended_at,
        minutes=minutes,
        description=description,
        added_by=actor,
        added_at=at,
    )
    _commit(wo, "add_labor", target, actor, at=at, data={"labor": entry.pk, "minutes": minutes})
    return entry


@transaction.atomic
def wait_for_parts(*, work_order: WorkOrder, actor: Any, note: str = "") -> WorkOrder:
    at = now()
    wo, target = _begin(work_order, "wait_parts", actor)
    request_services.wait_for_parts(request=_request_of(wo), actor=actor, note=note)
    return _commit(wo, "wait_parts", target, actor, at=at, note=note)


@transaction.atomic
def resume_work(*, work_order: WorkOrder, actor: Any, note: str = "") -> WorkOrder:
    at = now()
    wo, target = _begin(work_order, "resume", actor)
    request_services.resume_work(request=_request_of(wo), actor=actor, note=note)
    return _commit(wo, "resume", target, actor, at=at, note=note)


@transaction.atomic
def carry_back_unit(
    *,
    work_order: WorkOrder,
    actor: Any,
    receipt_number: str = "",
    unit_condition: str = "",
    accessories: str = "",
    loaner_serial: str = "",
    loaner_model: str = "",
) -> CarryBack:
    """Take the unit back for repair: the customer gets a receipt (收据), and may get a loaner (替补品)."""
    at = now()
    wo, target = _begin(work_order, "carry_back", actor)
    number = receipt_number.strip().upper() or next_number(RECEIPT_SCOPE, at)
    if CarryBack.objects.filter(receipt_number=number).exists():
        raise ValidationFailed(
            "receipt_number_taken", _("This receipt number has already been used."), field="receipt_number"
        )
    loaner_serial = loaner_serial.strip().upper()
    if (
        loaner_serial
        and CarryBack.objects.filter(loaner_serial=loaner_serial, loaner_returned_at__isnull=True).exists()
    ):
        raise ValidationFailed(
            "loaner_out", _("This loaner unit is already lent to another customer."), field="loaner_serial"
        )
    receipt = CarryBack.objects.create(
        work_order=wo,
        receipt_number=number,
        taken_at=at,
        taken_by=actor,
        unit_condition=unit_condition.strip(),
        accessories=accessories.strip(),
        loaner_serial=loaner_serial,
        loaner_model=loaner_model.strip(),
    )
    request_services.carry_back(
        request=_request_of(wo), actor=actor, note=gettext("Receipt %(number)s") % {"number": number}
    )
    _commit(
        wo,
        "carry_back",
        target,
        actor,
        at=at,
        note=unit_condition,
        data={"receipt": number, "loaner": loaner_serial or None},
    )
    return receipt


@transaction.atomic
def return_carried_back_unit(
    *, work_order: WorkOrder, receipt_number: str, actor: Any, loaner_returned: bool = False, note: str = ""
) -> CarryBack:
    """The repaired unit goes back to the customer: the receipt is taken back and the loaner returned."""
    at = now()
    wo, target = _begin(work_order, "return_unit", actor)
    receipt = wo.carry_backs.filter(returned_at__isnull=True).order_by("-id").first()
    assert receipt is not None  # a carried-back work order always has its open receipt
    if receipt_number.strip().upper() != receipt.receipt_number:
        raise ValidationFailed(
            "receipt_mismatch",
            _("Take back the customer's receipt: its number does not match this repair."),
            field="receipt_number",
        )
    if receipt.loaner_serial and not loaner_returned:
        raise ValidationFailed(
            "loaner_not_returned",
            _("The loaner unit %(serial)s must come back when the repaired unit is returned."),
            field="loaner_returned",
            serial=receipt.loaner_serial,
        )
    CarryBack.objects.filter(pk=receipt.pk).update(
        returned_at=at,
        returned_by=actor,
        receipt_taken_back=True,
        loaner_returned_at=at if receipt.loaner_serial else None,
    )
    request_services.resume_work(request=_request_of(wo), actor=actor, note=note)
    _commit(wo, "return_unit", target, actor, at=at, note=note, data={"receipt": receipt.receipt_number})
    receipt.refresh_from_db()
    return receipt


@transaction.atomic
def report_dead_on_arrival(
    *,
    work_order: WorkOrder,
    defect: str,
    appointment_start: dt.datetime,
    appointment_end: dt.datetime,
    actor: Any,
) -> WorkOrder:
    """开箱残次: the delivered unit is taken back and a new delivery is scheduled at once.

    Returns the new delivery's work order, already scheduled with the customer (who is present).
    """
    defect = _required(defect, "defect", _("Describe the defect found when unboxing."))
    at = now()
    _window(appointment_start, appointment_end, at)
    wo, target = _begin(work_order, "dead_on_arrival", actor)
    _commit(
        wo,
        "dead_on_arrival",
        target,
        actor,
        at=at,
        changes={"end_reason": defect},
        note=defect,
        data={"new_window": [appointment_start.isoformat(), appointment_end.isoformat()]},
    )
    request = _request_of(wo)
    new = _create_work_order(
        request=request,
        technician=wo.technician,
        actor=actor,
        dispatch_kind=wo.dispatch_kind,
        replaces=wo,
        note=defect,
        status=WorkOrderStatus.SCHEDULED,
        window=(appointment_start, appointment_end),
        charge=wo.charge,
    )
    visit = Visit.objects.create(
        work_order=new,
        window_start=appointment_start,
        window_end=appointment_end,
        confirmed_at=at,
        confirmed_by=actor,
        confirmed_items=sorted(CONFIRMATION_ITEMS),
    )
    CustomerContact.objects.create(
        work_order=new, visit=visit, kind=ContactKind.APPOINTMENT, at=at, by=actor, note=defect
    )
    return new


# -- finishing: signature, money, resolve ---------------------------------------------------------


def _validate_png(image: bytes) -> None:
    limit = conf("SIGNATURE_MAX_BYTES", 1_000_000)
    if not image:
        raise ValidationFailed("signature_required", _("The signature image is empty."), field="image")
    if len(image) > limit:
        raise ValidationFailed(
            "signature_too_large",
            _("The signature image is larger than %(limit)s bytes."),
            field="image",
            limit=limit,
        )
    # A PNG opens with its 8-byte magic and then the IHDR chunk holding width and height.
    if len(image) < 24 or image[:8] != PNG_MAGIC or image[12:16] != b"IHDR":
        raise ValidationFailed("signature_not_png", _("The signature must be a PNG image."), field="image")
    width, height = struct.unpack(">II", image[16:24])
    if width == 0 or height == 0:
        raise ValidationFailed("signature_not_png", _("The signature must be a PNG image."), field="image")


@transaction.atomic
def record_signature(*, work_order: WorkOrder, image: bytes, signer_name: str, actor: Any) -> WorkOrder:
    """The customer signs the service record (服务记录单) on the technician's device."""
    signer_name = _required(signer_name, "signer_name", _("Write down who signed."))
    _validate_png(image)
    at = now()
    wo, target = _begin(work_order, "sign", actor)
    wo.signature.save(f"{wo.number}.png", ContentFile(image), save=False)
    return _commit(
        wo,
        "sign",
        target,
        actor,
        at=at,
        changes={"signature": wo.signature.name, "signer_name": signer_name, "signed_at": at},
        data={"signer": signer_name, "bytes": len(image)},
    )


@transaction.atomic
def waive_signature(*, work_order: WorkOrder, reason: str, actor: Any) -> WorkOrder:
    """A supervisor excuses a missing signature, so the penalty does not apply."""
    reason = _required(reason, "reason", _("Give the reason for the waiver."))
    at = now()
    wo, target = _begin(work_order, "waive_signature", actor)
    return _commit(
        wo,
        "waive_signature",
        target,
        actor,
        at=at,
        changes={"signature_waived_by": actor, "signature_waived_at": at, "signature_waiver_reason": reason},
        note=reason,
    )


@transaction.atomic
def collect_fees(
    *, work_order: WorkOrder, amount: Any, method: str, actor: Any, reference: str = ""
) -> Payment:
    """Money collected on site; the invoice is then due within the invoice clock's target (3 days)."""
    value = _money(amount, "amount")
    if method not in PaymentMethod.values:
        raise ValidationFailed("invalid_method", _("Unknown payment method."), field="method")
    at = now()
    wo, target = _begin(work_order, "collect_fees", actor)
    outstanding = selectors.fee_total(wo) - selectors.collected_total(wo)
    if value > outstanding:
        raise ValidationFailed(
            "amount_exceeds_fees",
            _("The amount is more than the %(outstanding)s yuan still due."),
            field="amount",
            outstanding=outstanding,
        )
    payment = Payment.objects.create(
        work_order=wo,
        amount=value,
        method=method,
        reference=reference.strip(),
        collected_at=at,
        collected_by=actor,
    )
    if not Invoice.objects.filter(work_order=wo).exists():
        sla_services.start_clock(request=_request_of(wo), code="invoice_due", actor=actor, at=at)
    _commit(
        wo,
        "collect_fees",
        target,
        actor,
        at=at,
        data={"payment": payment.pk, "amount": str(value), "method": method},
    )
    return payment


@transaction.atomic
def issue_invoice(*, work_order: WorkOrder, number: str, actor: Any) -> Invoice:
    number = _required(number, "number", _("The invoice number is required."))
    at = now()
    wo, target = _begin(work_order, "issue_invoice", actor)
    if Invoice.objects.filter(number=number).exists():
        raise ValidationFailed(
            "invoice_number_taken", _("This invoice number has already been used."), "number"
        )
    invoice = Invoice.objects.create(
        work_order=wo, number=number, amount=selectors.fee_total(wo), issued_at=at, issued_by=actor
    )
    sla_services.meet_clock(request=_request_of(wo), code="invoice_due", actor=actor, at=at)
    _commit(
        wo, "issue_invoice", target, actor, at=at, data={"invoice": number, "amount": str(invoice.amount)}
    )
    return invoice


@transaction.atomic
def finish_work_order(
    *, work_order: WorkOrder, resolution: str, actor: Any, bill_later: bool = False
) -> WorkOrder:
    """The job is done: the request is resolved and, for installations and repairs, a callback is due."""
    from aftersales.followup.models import CallbackKind
    from aftersales.followup.services import create_callback

    resolution = _required(resolution, "resolution", _("Describe the work done."))
    at = now()
    wo, target = _begin(work_order, "finish", actor, bill_later=bill_later)
    request = request_services.resolve_request(request=_request_of(wo), actor=actor, note=resolution)
    outstanding = selectors.fee_total(wo) - selectors.collected_total(wo)
    invoiced = Invoice.objects.filter(work_order=wo).exists()
    if bill_later and outstanding > 0 and not invoiced:
        sla_services.start_clock(request=request, code="invoice_due", actor=actor, at=at)
    wo = _commit(
        wo,
        "finish",
        target,
        actor,
        at=at,
        changes={
            "resolution": resolution,
            "finished_at": at,
            "finished_by": actor,
            "bill_later": bill_later and outstanding > 0,
        },
        note=resolution,
        data={"signed": wo.signed_at is not None},
    )
    if request.type in conf("CALLBACK_REQUEST_TYPES", ("installation", "repair", "complaint")):
        create_callback(
            request=request,
            kind=CallbackKind.AFTER_JOB,
            due_at=at + dt.timedelta(days=conf("CALLBACK_DUE_DAYS", 3)),
            actor=actor,
            reason=gettext("Callback after %(kind)s %(number)s")
            % {"kind": request.get_type_display(), "number": wo.number},
            staff=wo.technician.user,
        )
    if wo.signed_at is None and wo.signature_waived_at is None:
        notify(
            recipients=users_with_role(Role.DISPATCHER),
            kind="work_order_unsigned",
            subject=gettext("Work order %(number)s was finished without the customer's signature")
            % {"number": wo.number},
            body=resolution[:200],
            event_key=f"work_order:{wo.pk}:unsigned",
            data={"work_order": wo.number, "request": request.number},
        )
    return wo


@transaction.atomic
def cancel_work_order(*, work_order: WorkOrder, reason: str, actor: Any) -> WorkOrder:
    """The job will not be done (the customer withdrew it, refused the fees...): the request is cancelled."""
    reason = _required(reason, "reason", _("A reason is required."))
    at = now()
    wo, target = _begin(work_order, "cancel", actor)
    request_services.cancel_request(request=_request_of(wo), actor=actor, note=reason)
    return _commit(wo, "cancel", target, actor, at=at, changes={"end_reason": reason}, note=reason)


# -- after the job: automatic work ---------------------------------------------------------------


def auto_close_due_ids(limit: int = 100) -> list[int]:
    cutoff = now() - dt.timedelta(days=conf("AUTO_CLOSE_DAYS", 7))
    return list(
        ServiceRequest.objects.filter(status=Status.RESOLVED, type__in=FIELD_TYPES, resolved_at__lte=cutoff)
        .order_by("resolved_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def auto_close_request(*, request_id: int) -> bool:
    """Close a resolved field job that no callback closed within the configured days. Idempotent."""
    days = conf("AUTO_CLOSE_DAYS", 7)
    cutoff = now() - dt.timedelta(days=days)
    qs = ServiceRequest.objects.filter(pk=request_id, status=Status.RESOLVED, resolved_at__lte=cutoff)
    if connection.features.has_select_for_update_skip_locked:
        # Another worker holding the row is closing it already.
        qs = qs.select_for_update(skip_locked=True)
    request = qs.first()
    if request is None:
        return False
    request_services.close_request(
        request=request,
        actor=system_user(),
        note=gettext("Closed automatically: no callback closed it within %(days)s days.") % {"days": days},
    )
    return True


@transaction.atomic
def end_work_order_of_closed_request(*, work_order_id: int) -> bool:
    """A request cancelled elsewhere leaves its active work order behind: end it so workloads stay true."""
    wo = WorkOrder.objects.filter(pk=work_order_id, is_active=True, request__is_open=False).first()
    if wo is None:
        return False
    at = now()
    changed = WorkOrder.objects.filter(pk=wo.pk, status=wo.status).update(
        status=WorkOrderStatus.CANCELLED,
        is_active=False,
        ended_at=at,
        end_reason=gettext("The service request was cancelled."),
        updated_at=at,
    )
    if changed == 1:
        record_history(
            subject=wo,
            event="cancel",
            actor=system_user(),
            old=wo.status,
            new=WorkOrderStatus.CANCELLED,
            at=at,
        )
    return changed == 1


# -- daily report ---------------------------------------------------------------------------------


@transaction.atomic
def submit_daily_report(*, day: dt.date, actor: Any, note: str = "") -> DailyReport:
    """The technician submits the day's report, built from their work orders; lateness is recorded."""
    technician = selectors.technician_of(actor)
    if technician is None:
        raise PermissionRefused(
            "not_a_technician", _("Only a technician submits a daily report, for their own work.")
        )
    at = now()
    if day > local_date(at):
        raise ValidationFailed("report_day_in_future", _("The day has not come yet."), field="day")
    lines = selectors.daily_report_lines(technician, day)
    deadline = selectors.daily_report_deadline(day)
    try:
        with transaction.atomic():
            report = DailyReport.objects.create(
                technician=technician,
                day=day,
                submitted_at=at,
                submitted_by=actor,
                deadline=deadline,
                late=at > deadline,
                job_count=len(lines),
                total_minutes=sum(line.minutes for line in lines),
                note=note.strip(),
            )
    except IntegrityError:
        raise TransitionRefused(
            "report_already_submitted", _("The report for this day has already been submitted."), "day"
        ) from None
    DailyReportLine.objects.bulk_create(
        DailyReportLine(
            report=report,
            work_order=line.work_order,
            request_number=line.work_order.request.number,
            kind=line.work_order.kind,
            category=line.category,
            status=line.work_order.status,
            minutes=line.minutes,
        )
        for line in lines
    )
    record_history(
        subject=report,
        event="daily_report_submitted",
        actor=actor,
        at=at,
        data={"day": day.isoformat(), "late": report.late, "deadline": deadline.isoformat()},
    )
    return report
