"""Dispatch and field-work API: candidates and assignment per request, one endpoint per work-order action,
the fee schedule, certifications and the technician's daily report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from aftersales.catalog.models import Category
from aftersales.core.api import ErrorOut, LocalDateTime, Page, paginate
from aftersales.core.clock import local_today
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.core.history import history_of
from aftersales.core.permissions import Role, require_role, roles_of, sees_all_requests
from aftersales.service.selectors import access_request

from . import selectors, services
from .models import (
    Certification,
    DailyReport,
    EmergencyApproval,
    Invoice,
    Skill,
    Technician,
    WorkOrder,
)
from .workflow import available_actions

router = Router(tags=["dispatch and field work"])
SUPERVISORS = (Role.DISPATCHER, Role.MANAGER, Role.ADMIN)
ACTION_RESPONSES: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# -- schemas -------------------------------------------------------------------------------------


class CandidateOut(Schema):
    technician_id: int
    user_id: int
    username: str
    name: str
    station: str
    station_kind: str
    dispatch_kind: str
    needs_approval: bool
    covers_zone: bool
    open_workload: int
    next_free_slot: LocalDateTime
    certificate_expires_on: dt.date


class CertificationOut(Schema):
    id: int
    skill: str
    category: str | None
    certificate_number: str
    issued_on: dt.date
    expires_on: dt.date


class TechnicianOut(Schema):
    id: int
    user_id: int
    username: str
    name: str
    station: str
    station_kind: str
    zones: list[str]
    active: bool
    certifications: list[CertificationOut]


class CertificationIn(Schema):
    skill: str
    category: str | None = None
    certificate_number: str = ""
    issued_on: dt.date
    expires_on: dt.date


class SkillOut(Schema):
    code: str
    name: str
    request_type: str


class FeeItemOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    category: str | None
    unit: str
    price: Decimal
    cost_price: Decimal | None


class AssignIn(Schema):
    technician_id: int
    note: str = ""


class ReassignIn(Schema):
    technician_id: int
    reason: str


class EmergencyIn(Schema):
    technician_id: int
    reason: str


class DecisionIn(Schema):
    note: str = ""


class ApprovalOut(Schema):
    id: int
    request: str
    technician_id: int
    technician: str
    dispatch_kind: str
    reason: str
    status: str
    requested_by: str
    requested_at: LocalDateTime
    decided_by: str | None
    decided_at: LocalDateTime | None
    decision_note: str


class WorkOrderOut(Schema):
    id: int
    number: str
    request: str
    kind: str
    status: str
    status_label: str
    technician_id: int
    technician: str
    dispatch_kind: str
    emergency_approval_id: int | None
    replaces: str | None
    assigned_at: LocalDateTime
    appointment_start: LocalDateTime | None
    appointment_end: LocalDateTime | None
    arrived_at: LocalDateTime | None
    charge: str
    fee_total: Decimal
    collected: Decimal
    finished_at: LocalDateTime | None
    signed: bool
    signature_waived: bool
    signature_missing: bool


class VisitOut(Schema):
    window_start: LocalDateTime
    window_end: LocalDateTime
    confirmed_at: LocalDateTime
    arrived_at: LocalDateTime | None
    arrived_late: bool
    delay_announced: bool
    outcome: str


class ContactOut(Schema):
    kind: str
    at: LocalDateTime
    by: str
    note: str
    beforehand: bool
    data: dict[str, Any]


class FeeLineOut(Schema):
    id: int
    item: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


class ConsentOut(Schema):
    id: int
    state: str
    total: Decimal
    requested_at: LocalDateTime
    decided_at: LocalDateTime | None
    customer_name: str


class PartLineOut(Schema):
    id: int
    part_number: str
    name: str
    quantity: int
    old_serial: str
    new_serial: str


class LaborOut(Schema):
    id: int
    started_at: LocalDateTime
    ended_at: LocalDateTime
    minutes: int
    description: str


class CarryBackOut(Schema):
    receipt_number: str
    taken_at: LocalDateTime
    unit_condition: str
    accessories: str
    loaner_serial: str
    loaner_model: str
    loaner_returned_at: LocalDateTime | None
    returned_at: LocalDateTime | None
    receipt_taken_back: bool


class PaymentOut(Schema):
    id: int
    amount: Decimal
    method: str
    reference: str
    collected_at: LocalDateTime
    collected_by: str


class InvoiceOut(Schema):
    number: str
    amount: Decimal
    issued_at: LocalDateTime


class HistoryOut(Schema):
    at: LocalDateTime
    event: str
    old_state: str
    new_state: str
    actor: str | None
    note: str
    data: dict[str, Any]


class WorkOrderDetailOut(WorkOrderOut):
    note: str
    diagnosis: str
    fault_cause: str
    resolution: str
    bill_later: bool
    signer_name: str
    signed_at: LocalDateTime | None
    signature_waiver_reason: str
    end_reason: str
    visits: list[VisitOut]
    contacts: list[ContactOut]
    fee_lines: list[FeeLineOut]
    consents: list[ConsentOut]
    part_lines: list[PartLineOut]
    labor: list[LaborOut]
    carry_backs: list[CarryBackOut]
    payments: list[PaymentOut]
    invoice: InvoiceOut | None
    actions: list[str]
    history: list[HistoryOut]


class AppointmentIn(Schema):
    appointment_start: dt.datetime
    appointment_end: dt.datetime
    confirmed_items: list[str]
    note: str = ""


class DelayIn(Schema):
    appointment_start: dt.datetime
    appointment_end: dt.datetime
    reason: str


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str


class DiagnosisIn(Schema):
    diagnosis: str
    fault_cause: str = "normal"


class FeeLineIn(Schema):
    item_id: int
    quantity: Decimal = Decimal("1")


class ConsentIn(Schema):
    agreed: bool
    customer_name: str
    note: str = ""


class PartLineIn(Schema):
    part_number: str
    name: str
    quantity: int = 1
    old_serial: str = ""
    new_serial: str = ""


class LaborIn(Schema):
    started_at: dt.datetime
    ended_at: dt.datetime
    description: str


class CarryBackIn(Schema):
    receipt_number: str = ""
    unit_condition: str = ""
    accessories: str = ""
    loaner_serial: str = ""
    loaner_model: str = ""


class ReturnUnitIn(Schema):
    receipt_number: str
    loaner_returned: bool = False
    note: str = ""


class DeadOnArrivalIn(Schema):
    defect: str
    appointment_start: dt.datetime
    appointment_end: dt.datetime


class PaymentIn(Schema):
    amount: Decimal
    method: str
    reference: str = ""


class InvoiceIn(Schema):
    number: str


class FinishIn(Schema):
    resolution: str
    bill_later: bool = False


class ReportLineOut(Schema):
    work_order: str
    request: str
    kind: str
    category: str
    status: str
    minutes: int


class DraftReportOut(Schema):
    technician_id: int
    day: dt.date
    deadline: LocalDateTime
    lines: list[ReportLineOut]
    total_minutes: int


class DailyReportOut(Schema):
    id: int
    technician_id: int
    technician: str
    day: dt.date
    submitted_at: LocalDateTime
    deadline: LocalDateTime
    late: bool
    job_count: int
    total_minutes: int
    note: str
    lines: list[ReportLineOut]


class DailyReportIn(Schema):
    day: dt.date
    note: str = ""


# -- payloads ------------------------------------------------------------------------------------


def _name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def _cert(c: Certification) -> dict[str, Any]:
    return {
        "id": c.pk,
        "skill": c.skill.code,
        "category": c.category.code if c.category else None,
        "certificate_number": c.certificate_number,
        "issued_on": c.issued_on,
        "expires_on": c.expires_on,
    }


def technician_payload(t: Technician) -> dict[str, Any]:
    return {
        "id": t.pk,
        "user_id": t.user_id,
        "username": t.user.get_username(),
        "name": _name(t.user),
        "station": t.station.name,
        "station_kind": t.station.kind,
        "zones": [z.code for z in t.zones.all()],
        "active": t.active,
        "certifications": [_cert(c) for c in t.certifications.all()],
    }


def approval_payload(a: EmergencyApproval) -> dict[str, Any]:
    return {
        "id": a.pk,
        "request": a.request.number,
        "technician_id": a.technician_id,
        "technician": str(a.technician),
        "dispatch_kind": a.dispatch_kind,
        "reason": a.reason,
        "status": a.status,
        "requested_by": a.requested_by.get_username(),
        "requested_at": a.requested_at,
        "decided_by": a.decided_by.get_username() if a.decided_by else None,
        "decided_at": a.decided_at,
        "decision_note": a.decision_note,
    }


def work_order_payload(wo: WorkOrder) -> dict[str, Any]:
    return {
        "id": wo.pk,
        "number": wo.number,
        "request": wo.request.number,
        "kind": wo.kind,
        "status": wo.status,
        "status_label": str(wo.get_status_display()),
        "technician_id": wo.technician_id,
        "technician": str(wo.technician),
        "dispatch_kind": wo.dispatch_kind,
        "emergency_approval_id": wo.emergency_approval_id,
        "replaces": wo.replaces.number if wo.replaces_id and wo.replaces else None,
        "assigned_at": wo.assigned_at,
        "appointment_start": wo.appointment_start,
        "appointment_end": wo.appointment_end,
        "arrived_at": wo.arrived_at,
        "charge": wo.charge,
        "fee_total": selectors.fee_total(wo),
        "collected": selectors.collected_total(wo),
        "finished_at": wo.finished_at,
        "signed": wo.signed_at is not None,
        "signature_waived": wo.signature_waived_at is not None,
        "signature_missing": wo.signature_missing,
    }


def work_order_detail(user: Any, wo: WorkOrder) -> dict[str, Any]:
    payload = work_order_payload(wo)
    invoice = Invoice.objects.filter(work_order=wo).first()
    payload.update(
        {
            "note": wo.note,
            "diagnosis": wo.diagnosis,
            "fault_cause": wo.fault_cause,
            "resolution": wo.resolution,
            "bill_later": wo.bill_later,
            "signer_name": wo.signer_name,
            "signed_at": wo.signed_at,
            "signature_waiver_reason": wo.signature_waiver_reason,
            "end_reason": wo.end_reason,
            "visits": list(wo.visits.values()),
            "contacts": [
                {
                    "kind": c.kind,
                    "at": c.at,
                    "by": c.by.get_username(),
                    "note": c.note,
                    "beforehand": c.beforehand,
                    "data": c.data,
                }
                for c in wo.contacts.select_related("by")
            ],
            "fee_lines": [
                {
                    "id": f.pk,
                    "item": f.item.code,
                    "description": f.description,
                    "quantity": f.quantity,
                    "unit_price": f.unit_price,
                    "amount": f.amount,
                }
                for f in wo.fee_lines.select_related("item")
            ],
            "consents": list(wo.consents.values()),
            "part_lines": list(wo.part_lines.values()),
            "labor": list(wo.labor.values()),
            "carry_backs": list(wo.carry_backs.values()),
            "payments": [
                {
                    "id": p.pk,
                    "amount": p.amount,
                    "method": p.method,
                    "reference": p.reference,
                    "collected_at": p.collected_at,
                    "collected_by": p.collected_by.get_username(),
                }
                for p in wo.payments.select_related("collected_by")
            ],
            "invoice": (
                {"number": invoice.number, "amount": invoice.amount, "issued_at": invoice.issued_at}
                if invoice
                else None
            ),
            "actions": available_actions(
                wo.status, roles_of(user), wo.technician.user_id == getattr(user, "pk", None)
            ),
            "history": [
                {
                    "at": h.at,
                    "event": h.event,
                    "old_state": h.old_state,
                    "new_state": h.new_state,
                    "actor": h.actor.get_username() if h.actor else None,
                    "note": h.note,
                    "data": h.data,
                }
                for h in history_of(wo)
            ],
        }
    )
    return payload


def _report_line(line: selectors.ReportLine) -> dict[str, Any]:
    wo = line.work_order
    return {
        "work_order": wo.number,
        "request": wo.request.number,
        "kind": wo.kind,
        "category": line.category,
        "status": wo.status,
        "minutes": line.minutes,
    }


def report_payload(report: DailyReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "technician_id": report.technician_id,
        "technician": str(report.technician),
        "day": report.day,
        "submitted_at": report.submitted_at,
        "deadline": report.deadline,
        "late": report.late,
        "job_count": report.job_count,
        "total_minutes": report.total_minutes,
        "note": report.note,
        "lines": [
            {
                "work_order": line.work_order.number,
                "request": line.request_number,
                "kind": line.kind,
                "category": line.category,
                "status": line.status,
                "minutes": line.minutes,
            }
            for line in report.lines.select_related("work_order")
        ],
    }


# -- helpers -------------------------------------------------------------------------------------


def _technician(technician_id: int) -> Technician:
    technician = Technician.objects.select_related("user", "station").filter(pk=technician_id).first()
    if technician is None:
        raise ValidationFailed("unknown_technician", _("Unknown technician."), field="technician_id")
    return technician


def _detail(request: HttpRequest, work_order_id: int) -> dict[str, Any]:
    return work_order_detail(request.user, selectors.access_work_order(request.user, work_order_id))


def _wo(request: HttpRequest, work_order_id: int) -> WorkOrder:
    return selectors.access_work_order(request.user, work_order_id)


# -- reference data ------------------------------------------------------------------------------


@router.get("/skills", response=list[SkillOut])
def list_skills(request: HttpRequest) -> Any:
    return [
        {"code": s.code, "name": s.name, "request_type": s.request_type}
        for s in Skill.objects.filter(active=True).order_by("code")
    ]


@router.get("/fee-schedule", response=list[FeeItemOut])
def fee_schedule(request: HttpRequest, category_id: int | None = None) -> Any:
    return [
        {
            "id": i.pk,
            "code": i.code,
            "name": i.name,
            "kind": i.kind,
            "category": i.category.code if i.category else None,
            "unit": i.unit,
            "price": i.price,
            "cost_price": i.cost_price,
        }
        for i in selectors.fee_schedule(category_id)
    ]


@router.get("/technicians", response=list[TechnicianOut])
def list_technicians(request: HttpRequest) -> Any:
    if not sees_all_requests(request.user):
        raise NotFound()
    qs = (
        Technician.objects.select_related("user", "station")
        .prefetch_related("zones", "certifications__skill", "certifications__category")
        .order_by("station__code", "user__username")
    )
    return [technician_payload(t) for t in qs]


@router.post("/technicians/{technician_id}/certifications", response={201: TechnicianOut, **ACTION_RESPONSES})
def grant_certification(request: HttpRequest, technician_id: int, payload: CertificationIn) -> Any:
    require_role(request.user, Role.MANAGER, Role.ADMIN)
    technician = _technician(technician_id)
    skill = Skill.objects.filter(code=payload.skill, active=True).first()
    if skill is None:
        raise ValidationFailed("unknown_skill", _("Unknown skill."), field="skill")
    category = None
    if payload.category:
        category = Category.objects.filter(code=payload.category).first()
        if category is None:
            raise ValidationFailed("unknown_category", _("Unknown product category."), field="category")
    services.grant_certification(
        technician=technician,
        skill=skill,
        category=category,
        issued_on=payload.issued_on,
        expires_on=payload.expires_on,
        certificate_number=payload.certificate_number,
        actor=request.user,
    )
    return Status(201, technician_payload(Technician.objects.get(pk=technician.pk)))


# -- dispatch per request ------------------------------------------------------------------------


@router.get("/requests/{number}/candidates", response={200: list[CandidateOut], 403: ErrorOut, 404: ErrorOut})
def candidates(request: HttpRequest, number: str) -> Any:
    """The technicians certified for this request, best first: own department, zone, workload, free slot."""
    require_role(request.user, *SUPERVISORS)
    sr = access_request(request.user, number)
    return [
        {
            "technician_id": c.technician.pk,
            "user_id": c.technician.user_id,
            "username": c.technician.user.get_username(),
            "name": _name(c.technician.user),
            "station": c.technician.station.name,
            "station_kind": c.technician.station.kind,
            "dispatch_kind": c.dispatch_kind,
            "needs_approval": c.needs_approval,
            "covers_zone": c.covers_zone,
            "open_workload": c.open_workload,
            "next_free_slot": c.next_free_slot,
            "certificate_expires_on": c.certificate_expires_on,
        }
        for c in selectors.qualified_technicians(sr)
    ]


@router.get("/requests/{number}/work-orders", response={200: list[WorkOrderOut], 404: ErrorOut})
def request_work_orders(request: HttpRequest, number: str) -> Any:
    sr = access_request(request.user, number)
    qs = selectors.visible_work_orders(request.user).filter(request=sr).order_by("id")
    return [work_order_payload(wo) for wo in qs]


@router.post("/requests/{number}/assign", response={201: WorkOrderDetailOut, **ACTION_RESPONSES})
def assign(request: HttpRequest, number: str, payload: AssignIn) -> Any:
    sr = access_request(request.user, number)
    wo = services.assign_work_order(
        request=sr, technician=_technician(payload.technician_id), actor=request.user, note=payload.note
    )
    return Status(201, _detail(request, wo.pk))


@router.post("/requests/{number}/auto-assign", response={201: WorkOrderDetailOut, **ACTION_RESPONSES})
def auto_assign(request: HttpRequest, number: str) -> Any:
    """Assign the best-ranked technician of the responsible department."""
    wo = services.auto_assign_work_order(request=access_request(request.user, number), actor=request.user)
    return Status(201, _detail(request, wo.pk))


@router.post("/requests/{number}/reassign", response={201: WorkOrderDetailOut, **ACTION_RESPONSES})
def reassign(request: HttpRequest, number: str, payload: ReassignIn) -> Any:
    sr = access_request(request.user, number)
    wo = services.reassign_work_order(
        request=sr, technician=_technician(payload.technician_id), reason=payload.reason, actor=request.user
    )
    return Status(201, _detail(request, wo.pk))


@router.post("/requests/{number}/emergency-approvals", response={201: ApprovalOut, **ACTION_RESPONSES})
def request_emergency(request: HttpRequest, number: str, payload: EmergencyIn) -> Any:
    sr = access_request(request.user, number)
    approval = services.request_emergency_dispatch(
        request=sr, technician=_technician(payload.technician_id), reason=payload.reason, actor=request.user
    )
    return Status(201, approval_payload(approval))


def _approval(request: HttpRequest, approval_id: int) -> EmergencyApproval:
    approval = (
        EmergencyApproval.objects.select_related("request", "technician__user", "requested_by", "decided_by")
        .filter(pk=approval_id)
        .first()
    )
    if approval is None or not sees_all_requests(request.user):
        raise NotFound()
    return approval


@router.get("/emergency-approvals/{approval_id}", response={200: ApprovalOut, 404: ErrorOut})
def get_approval(request: HttpRequest, approval_id: int) -> Any:
    return approval_payload(_approval(request, approval_id))


@router.post("/emergency-approvals/{approval_id}/approve", response={200: ApprovalOut, **ACTION_RESPONSES})
def approve_emergency(request: HttpRequest, approval_id: int, payload: DecisionIn) -> Any:
    approval = services.decide_emergency_dispatch(
        approval=_approval(request, approval_id), approve=True, note=payload.note, actor=request.user
    )
    return approval_payload(approval)


@router.post("/emergency-approvals/{approval_id}/reject", response={200: ApprovalOut, **ACTION_RESPONSES})
def reject_emergency(request: HttpRequest, approval_id: int, payload: DecisionIn) -> Any:
    approval = services.decide_emergency_dispatch(
        approval=_approval(request, approval_id), approve=False, note=payload.note, actor=request.user
    )
    return approval_payload(approval)


# -- work orders -----------------------------------------------------------------------------------


@router.get("/work-orders", response=Page[WorkOrderOut])
def list_work_orders(
    request: HttpRequest,
    status: str | None = None,
    technician_id: int | None = None,
    active: bool | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Any:
    qs = selectors.visible_work_orders(request.user)
    if status:
        qs = qs.filter(status=status)
    if technician_id is not None:
        qs = qs.filter(technician_id=technician_id)
    if active is not None:
        qs = qs.filter(is_active=active)
    result = paginate(
        qs.order_by("-assigned_at", "-id"), page, page_size, selectors.conf("PAGE_SIZE_MAX", 200)
    )
    result["items"] = [work_order_payload(wo) for wo in result["items"]]
    return result


@router.get("/work-orders/{work_order_id}", response={200: WorkOrderDetailOut, 404: ErrorOut})
def get_work_order(request: HttpRequest, work_order_id: int) -> Any:
    return _detail(request, work_order_id)


@router.post(
    "/work-orders/{work_order_id}/confirm-appointment", response={200: WorkOrderDetailOut, **ACTION_RESPONSES}
)
def confirm_appointment(request: HttpRequest, work_order_id: int, payload: AppointmentIn) -> Any:
    services.confirm_appointment(
        work_order=_wo(request, work_order_id),
        appointment_start=payload.appointment_start,
        appointment_end=payload.appointment_end,
        confirmed_items=payload.confirmed_items,
        note=payload.note,
        actor=request.user,
    )
    return _detail(request, work_order_id)


@router.post(
    "/work-orders/{work_order_id}/announce-delay", response={200: WorkOrderDetailOut, **ACTION_RESPONSES}
)
def announce_delay(request: HttpRequest, work_order_id: int, payload: DelayIn) -> Any:
    services.announce_delay(
        work_order=_wo(request, work_order_id),
        appointment_start=payload.appointment_start,
        appointment_end=payload.appointment_end,
        reason=payload.reason,
        actor=request.user,
    )
    return _detail(request, work_order_id)


@router.post(
    "/work-orders/{work_order_id}/customer-absent", response={200: WorkOrderDetailOut, **ACTION_RESPONSES}
)
def customer_absent(request: HttpRequest, work_order_id: int, payload: NoteIn) -> Any:
    services.record_customer_absent(
        work_order=_wo(request, work_order_id), note=payload.note, actor=request.user
    )
    return _detail(request, work_order_id)


@router.post("/work-orders/{work_order_id}/check-in", response={200: WorkOrderDetailOut, **ACTION_RESPONSES})
def check_in(request: HttpRequest, work_order_id: int, payload: NoteIn) -> Any:
    services.check_in(work_order=_wo(request, work_order_id), note=payload.note, actor=request.user)
    return _detail(request, work_order_id)


@router.post("/work-orders/{work_order_id}/diagnosis", response={200: WorkOrderDetailOut, **ACTION_RESPONSES})
def diagnosis(request: HttpRequest, work_order_id: int, payload: DiagnosisIn) -> Any:
    services.record_diagnosis(
        work_order=_wo(request, work_order_id),
        diagnosis=payload.diagnosis,
        fault_cause=payload.fault_cause,
        actor=request.user,
    )
    return _detail(request, work_order_id)


@router.post("/work-orders/{work_order_id}/fee-lines", response={201: WorkOrderDetailOut, **ACTION_RESPONSES})
def add_fee_line(request: HttpRequest, work_order_id: int, payload: FeeLineIn) -> Any:
    services.add_fee_line(
        work_order=_wo(request, work_order_id),
        item_id=payload.item_id,
        quantity=payload.quantity,
        actor=request.user,
    )
    return Status(201, _detail(request, work_order_id))


@router.delete(
    "/work-orders/{work_order_id}/fee-lines/{line_id}", response={200: WorkOrderDetailOut, **ACTION_RESPONSES}
)
def remove_fee_line(request: HttpRequest, work_order_id: int, line_id: int) -> Any:
    services.remove_fee_line(work_order=_wo(request, work_order_id), line_id=line_id, actor=request.user)
    return _detail(request, work_order_id)


@router.post(
    "/work-orders/{work_order_id}/request-consent", response={200: WorkOrderDetailOut, **ACTION_RESPONSES}
)
def request_consent(request: HttpRequest, work_order_id: int) -> Any:
    services.request_consent(work_order=_wo(request, work_order_id), actor=request.user)
    return _detail(request, work_order_id)


@router.post("/work-orders/{work_order_id}/consent", response={200: WorkOrderDetailOut, **ACTION_RESPONSES})
def record_consent(request: HttpRequest, work_order_id: int, payload: ConsentIn) -> Any:
    services.record_consent(
        work_order=_wo(request, work_order_id),
        agreed=payload.agreed,
        customer_name=payload.customer_name,
        note=payload.note,
        actor=request.user,
    )
    return _detail(request, work_order_id)


@router.post(
    "/work-orders/{work_order_id}/begin-work", response={200: WorkOrderDetailOut, **ACTION_RESPONSES}
)
def begin_work(request: HttpRequest, work_order_id: int, payload: NoteIn) -> Any:
    services.begin_work(work_order=_wo(request, work_order_id), note=payload.note, actor=request.user)
    return _detail(request, work_order_id)


@router.post(
    "/work-orders/{work_order_id}/part-lines", response={201: WorkOrderDetailOut, **ACTION_RESPONSES}
)
def add_part_line(request: HttpRequest, work_order_id: int, payload: PartLineIn) -> Any:
    services.add_part_line(
        work_order=_wo(request, work_order_id),
        part_number=payload.part_number,
        name=payload.name,
        quantity=payload.quantity,
        old_serial=payload.old_serial,
        new_serial=payload.new_serial,
        actor=request.user,
    )
    return Status(201, _detail(request, work_order_id))


@router.post("/work-orders/{work_order_id}/labor", response={201: WorkOrderDetailOut, **ACTION_RESPONSES})
def record_labor(request: HttpRequest, work_order_id: int, payload: LaborIn) -> Any:
    services.record_labor(
        work_order=_wo(request, work_order_id),
        started_at=payload.started_at,
        ended_at=payload.ended_at,
        description=payload.description,
        actor=request.user,
    )
    return Status(201, _detail(request, work_order_id))


@router.post(
    "/work-orders/{work_order_id}/wait-parts", response={200: WorkOrderDetailOut, **ACTION_RESPONSES}
)
def wait_parts(request: HttpRequest, work_order_id: int, payload: NoteIn) -> Any:
    services.wait_for_parts(work_order=_wo(request, work_order_id), note=payload.note, actor=request.user)
    return _detail(request, work_order_id)


@router.post("/work-orders/{work_order_id}/resume", response={200: WorkOrderDetailOut, **ACTION_RESPONSES})
def resume(request: HttpRequest, work_order_id: int, payload: NoteIn) -> Any:
    services.resume_work(work_order=_wo(request, work_order_id), note=payload.note, actor=request.user)
    return _detail(request, work_order_id)


@router.post(
    "/work-orders/{work_order_id}/carry-back", response={200: WorkOrderDetailOut, **ACTION_RESPONSES}
)
def carry_back(request: HttpRequest, work_order_id: int, payload: CarryBackIn) -> Any:
    services.carry_back_unit(
        work_order=_wo(request, work_order_id),
        receipt_number=payload.receipt_number,
        unit_condition=payload.unit_condition,
        accessories=payload.accessories,
        loaner_serial=payload.loaner_serial,
        loaner_model=payload.loaner_model,
        actor=request.user,
    )
    return _detail(request, work_order_id)


@router.post(
    "/work-orders/{work_order_id}/return-unit", response={200: WorkOrderDetailOut, **ACTION_RESPONSES}
)
def return_unit(request: HttpRequest, work_order_id: int, payload: ReturnUnitIn) -> Any:
    services.return_carried_back_unit(
        work_order=_wo(request, work_order_id),
        receipt_number=payload.receipt_number,
        loaner_returned=payload.loaner_returned,
        note=payload.note,
        actor=request.user,
    )
    return _detail(request, work_order_id)


@router.post(
    "/work-orders/{work_order_id}/dead-on-arrival", response={201: WorkOrderDetailOut, **ACTION_RESPONSES}
)
def dead_on_arrival(request: HttpRequest, work_order_id: int, payload: DeadOnArrivalIn) -> Any:
    """The delivered unit is defective out of the box: returns the new delivery's work order."""
    new = services.report_dead_on_arrival(
        work_order=_wo(request, work_order_id),
        defect=payload.defect,
        appointment_start=payload.appointment_start,
        appointment_end=payload.appointment_end,
        actor=request.user,
    )
    return Status(201, _detail(request, new.pk))


@router.post("/work-orders/{work_order_id}/signature", response={200: WorkOrderDetailOut, **ACTION_RESPONSES})
def sign(request: HttpRequest, work_order_id: int, image: File[UploadedFile], signer_name: Form[str]) -> Any:
    """The customer's signature as a PNG image (multipart form: ``image`` and ``signer_name``)."""
    limit = selectors.conf("SIGNATURE_MAX_BYTES", 1_000_000)
    # One byte past the limit is enough to refuse an oversized upload without reading all of it.
    data = image.read(limit + 1)
    services.record_signature(
        work_order=_wo(request, work_order_id), image=data, signer_name=signer_name, actor=request.user
    )
    return _detail(request, work_order_id)


@router.get("/work-orders/{work_order_id}/signature", response={200: None, 404: ErrorOut})
def signature_image(request: HttpRequest, work_order_id: int) -> Any:
    wo = _wo(request, work_order_id)
    if not wo.signature:
        raise NotFound()
    with wo.signature.open("rb") as fh:
        return HttpResponse(fh.read(), content_type="image/png")


@router.post(
    "/work-orders/{work_order_id}/waive-signature", response={200: WorkOrderDetailOut, **ACTION_RESPONSES}
)
def waive_signature(request: HttpRequest, work_order_id: int, payload: ReasonIn) -> Any:
    services.waive_signature(
        work_order=_wo(request, work_order_id), reason=payload.reason, actor=request.user
    )
    return _detail(request, work_order_id)


@router.post("/work-orders/{work_order_id}/payments", response={201: WorkOrderDetailOut, **ACTION_RESPONSES})
def collect_fees(request: HttpRequest, work_order_id: int, payload: PaymentIn) -> Any:
    services.collect_fees(
        work_order=_wo(request, work_order_id),
        amount=payload.amount,
        method=payload.method,
        reference=payload.reference,
        actor=request.user,
    )
    return Status(201, _detail(request, work_order_id))


@router.post("/work-orders/{work_order_id}/invoice", response={201: WorkOrderDetailOut, **ACTION_RESPONSES})
def issue_invoice(request: HttpRequest, work_order_id: int, payload: InvoiceIn) -> Any:
    services.issue_invoice(work_order=_wo(request, work_order_id), number=payload.number, actor=request.user)
    return Status(201, _detail(request, work_order_id))


@router.post("/work-orders/{work_order_id}/finish", response={200: WorkOrderDetailOut, **ACTION_RESPONSES})
def finish(request: HttpRequest, work_order_id: int, payload: FinishIn) -> Any:
    services.finish_work_order(
        work_order=_wo(request, work_order_id),
        resolution=payload.resolution,
        bill_later=payload.bill_later,
        actor=request.user,
    )
    return _detail(request, work_order_id)


@router.post("/work-orders/{work_order_id}/cancel", response={200: WorkOrderDetailOut, **ACTION_RESPONSES})
def cancel(request: HttpRequest, work_order_id: int, payload: ReasonIn) -> Any:
    services.cancel_work_order(
        work_order=_wo(request, work_order_id), reason=payload.reason, actor=request.user
    )
    return _detail(request, work_order_id)


# -- daily reports ---------------------------------------------------------------------------------


def _report_technician(request: HttpRequest, technician_id: int | None) -> Technician:
    """A technician reads their own; office staff may name any technician."""
    if technician_id is not None and sees_all_requests(request.user):
        return _technician(technician_id)
    technician = selectors.technician_of(request.user)
    if technician is None:
        raise NotFound()
    return technician


@router.get("/daily-reports/draft", response={200: DraftReportOut, 404: ErrorOut})
def draft_daily_report(
    request: HttpRequest, day: dt.date | None = None, technician_id: int | None = None
) -> Any:
    """The report as it would be submitted now, built from the day's work orders."""
    technician = _report_technician(request, technician_id)
    day = day or local_today()
    lines = selectors.daily_report_lines(technician, day)
    return {
        "technician_id": technician.pk,
        "day": day,
        "deadline": selectors.daily_report_deadline(day),
        "lines": [_report_line(line) for line in lines],
        "total_minutes": sum(line.minutes for line in lines),
    }


@router.post("/daily-reports", response={201: DailyReportOut, **ACTION_RESPONSES})
def submit_daily_report(request: HttpRequest, payload: DailyReportIn) -> Any:
    report = services.submit_daily_report(day=payload.day, note=payload.note, actor=request.user)
    return Status(201, report_payload(report))


@router.get("/daily-reports", response=Page[DailyReportOut])
def list_daily_reports(
    request: HttpRequest,
    technician_id: int | None = None,
    day_from: dt.date | None = None,
    day_to: dt.date | None = None,
    late: bool | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Any:
    qs = selectors.visible_daily_reports(request.user)
    if technician_id is not None:
        qs = qs.filter(technician_id=technician_id)
    if day_from:
        qs = qs.filter(day__gte=day_from)
    if day_to:
        qs = qs.filter(day__lte=day_to)
    if late is not None:
        qs = qs.filter(late=late)
    result = paginate(qs.order_by("-day", "id"), page, page_size, selectors.conf("PAGE_SIZE_MAX", 200))
    result["items"] = [report_payload(r) for r in result["items"]]
    return result
