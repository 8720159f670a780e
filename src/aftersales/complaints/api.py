"""Complaints API: the register, one endpoint per step of the closed loop, deletion after the
retention period, and the statistics with their rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja.responses import Status

from aftersales.core.api import ErrorOut, LocalDateTime, Page, paginate
from aftersales.core.errors import ValidationFailed
from aftersales.core.permissions import Role, require_role, roles_of
from aftersales.service.api import ClockOut, history_payload, person_payload
from aftersales.service.sla_services import sla_payload
from aftersales.service.workflow import available_actions

from . import selectors, services
from .models import Complaint, FaultReport
from .services import retention_years
from .workflow import REGISTRARS

router = Router(tags=["complaints"])
STATS_ROLES = (Role.QUALITY, Role.MANAGER, Role.ADMIN)


# -- schemas ------------------------------------------------------------------------------------------
class RegisterIn(Schema):
    source: str
    complainant_name: str
    complainant_phone: str = ""
    about: str
    about_staff_id: int | None = None
    description: str
    desired_outcome: str
    category: str
    severity: str = "normal"
    major_fault: bool = False


class ComplaintIn(RegisterIn):
    customer_id: int
    unit_id: int | None = None
    received_at: dt.datetime | None = None


class PersonOut(Schema):
    id: int
    username: str
    name: str


class DepartmentOut(Schema):
    id: int
    code: str
    name: str


class ApprovalOut(Schema):
    step: str
    approved_by: PersonOut
    approved_at: LocalDateTime
    note: str


class PlanOut(Schema):
    version: int
    text: str
    status: str
    proposed_by: PersonOut
    proposed_at: LocalDateTime
    rejected_at: LocalDateTime | None
    rejection_reason: str
    approvals: list[ApprovalOut]


class RoundOut(Schema):
    number: int
    started_at: LocalDateTime
    cause: str
    person_at_fault: PersonOut | None
    investigated_at: LocalDateTime | None
    plans: list[PlanOut]
    implementation: str
    implemented_at: LocalDateTime | None
    customer_notice: str
    notice_channel: str
    customer_notified_at: LocalDateTime | None
    satisfied: bool | None
    follow_up_note: str
    followed_up_at: LocalDateTime | None


class FaultReportOut(Schema):
    impact: str
    handling: str
    cause: str
    corrective_measures: str
    preventive_measures: str
    written_at: LocalDateTime
    written_by: PersonOut
    customer_channel: str
    sent_to_customer_at: LocalDateTime
    sent_to_sales_at: LocalDateTime | None


class RegisterOut(Schema):
    source: str
    complainant_name: str
    complainant_phone: str
    about: str
    about_staff: PersonOut | None
    desired_outcome: str
    category: str
    severity: str
    major_fault: bool
    replied_at: LocalDateTime | None
    reply: str
    validity: str
    validity_note: str
    validated_at: LocalDateTime | None
    department: DepartmentOut | None
    other_departments: list[DepartmentOut]
    responsible_person: PersonOut | None
    promised_date: dt.date | None
    promised_on: dt.date | None
    round: int
    report: str
    reported_at: LocalDateTime | None
    summary: str
    lessons: str
    corrective_action_ref: str
    important: bool
    retained_until: dt.date | None
    rounds: list[RoundOut]
    fault_report: FaultReportOut | None


class HistoryOut(Schema):
    at: LocalDateTime
    event: str
    old_state: str
    new_state: str
    actor: str | None
    note: str
    data: dict[str, Any]


class ComplaintOut(Schema):
    number: str
    status: str
    status_label: str
    is_open: bool
    customer: dict[str, Any]
    description: str
    received_at: LocalDateTime
    closed_at: LocalDateTime | None
    owner: PersonOut
    reopen_count: int
    complaint_register: RegisterOut | None
    sla: dict[str, ClockOut | str]


class ComplaintDetailOut(ComplaintOut):
    actions: list[str]
    history: list[HistoryOut]


class RegistrationOut(ComplaintDetailOut):
    repeat: bool


# -- payloads -----------------------------------------------------------------------------------------
def _department(d: Any) -> dict[str, Any] | None:
    return {"id": d.pk, "code": d.code, "name": d.name} if d is not None else None


def _round(rnd: Any) -> dict[str, Any]:
    return {
        "number": rnd.number,
        "started_at": rnd.started_at,
        "cause": rnd.cause,
        "person_at_fault": person_payload(rnd.person_at_fault),
        "investigated_at": rnd.investigated_at,
        "plans": [
            {
                "version": p.version,
                "text": p.text,
                "status": p.status,
                "proposed_by": person_payload(p.proposed_by),
                "proposed_at": p.proposed_at,
                "rejected_at": p.rejected_at,
                "rejection_reason": p.rejection_reason,
                "approvals": [
                    {
                        "step": a.step,
                        "approved_by": person_payload(a.approved_by),
                        "approved_at": a.approved_at,
                        "note": a.note,
                    }
                    for a in p.approvals.all()
                ],
            }
            for p in rnd.plans.all()
        ],
        "implementation": rnd.implementation,
        "implemented_at": rnd.implemented_at,
        "customer_notice": rnd.customer_notice,
        "notice_channel": rnd.notice_channel,
        "customer_notified_at": rnd.customer_notified_at,
        "satisfied": rnd.satisfied,
        "follow_up_note": rnd.follow_up_note,
        "followed_up_at": rnd.followed_up_at,
    }


def _fault_report(c: Complaint) -> dict[str, Any] | None:
    report = FaultReport.objects.filter(complaint=c).select_related("written_by").first()
    if report is None:
        return None
    return {
        **report.as_dict(),
        "written_at": report.written_at,
        "written_by": person_payload(report.written_by),
        "customer_channel": report.customer_channel,
        "sent_to_customer_at": report.sent_to_customer_at,
        "sent_to_sales_at": report.sent_to_sales_at,
    }


def _register(c: Complaint) -> dict[str, Any]:
    return {
        "source": c.source,
        "complainant_name": c.complainant_name,
        "complainant_phone": c.complainant_phone,
        "about": c.about,
        "about_staff": person_payload(c.about_staff),
        "desired_outcome": c.desired_outcome,
        "category": c.category,
        "severity": c.severity,
        "major_fault": c.major_fault,
        "replied_at": c.replied_at,
        "reply": c.reply,
        "validity": c.validity,
        "validity_note": c.validity_note,
        "validated_at": c.validated_at,
        "department": _department(c.department),
        "other_departments": [_department(d) for d in c.other_departments.order_by("code")],
        "responsible_person": person_payload(c.responsible_person),
        "promised_date": c.promised_date,
        "promised_on": c.promised_on,
        "round": c.round,
        "report": c.report,
        "reported_at": c.reported_at,
        "summary": c.summary,
        "lessons": c.lessons,
        "corrective_action_ref": c.corrective_action_ref,
        "important": c.important,
        "retained_until": c.retained_until(retention_years()),
        "rounds": [_round(r) for r in selectors.rounds_of(c)],
        "fault_report": _fault_report(c),
    }


def complaint_payload(sr: Any) -> dict[str, Any]:
    complaint = selectors.complaint_of(sr)
    return {
        "number": sr.number,
        "status": sr.status,
        "status_label": str(sr.get_status_display()),
        "is_open": sr.is_open,
        "customer": {"id": sr.customer_id, "name": sr.customer.name},
        "description": sr.description,
        "received_at": sr.received_at,
        "closed_at": sr.closed_at,
        "owner": person_payload(sr.owner),
        "reopen_count": sr.reopen_count,
        "complaint_register": _register(complaint) if complaint is not None else None,
        "sla": sla_payload(sr),
    }


def detail_payload(user: Any, sr: Any) -> dict[str, Any]:
    return {
        **complaint_payload(sr),
        "actions": available_actions(sr, roles_of(user)),
        "history": history_payload(selectors.history_rows(sr)),
    }


def _fresh(request: HttpRequest, number: str) -> dict[str, Any]:
    return detail_payload(request.user, selectors.access_complaint(request.user, number))


# -- registration, reading ---------------------------------------------------------------------------
@router.post("", response={201: RegistrationOut, 200: RegistrationOut, 403: ErrorOut, 422: ErrorOut})
def register(request: HttpRequest, payload: ComplaintIn) -> Any:
    """Register a complaint (申诉和投诉处理登记表). The customer's open complaint about the same unit is
    returned instead (HTTP 200, ``repeat: true``)."""
    require_role(request.user, *REGISTRARS)
    reg = services.register_complaint(data=services.ComplaintInput(**payload.dict()), actor=request.user)
    sr = reg.complaint.request
    return Status(200 if reg.repeat else 201, {**detail_payload(request.user, sr), "repeat": reg.repeat})


@router.get("", response=Page[ComplaintOut])
def list_complaints(
    request: HttpRequest,
    scope: str = "all",
    status: str | None = None,
    category: str | None = None,
    severity: str | None = None,
    department_id: int | None = None,
    is_open: bool | None = None,
    q: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Any:
    qs = selectors.filter_complaints(
        request.user,
        selectors.ComplaintFilters(
            scope=scope,
            status=status,
            category=category,
            severity=severity,
            department_id=department_id,
            is_open=is_open,
            q=q,
        ),
    )
    result = paginate(qs, page, page_size, settings.AFTERSALES["PAGE_SIZE_MAX"])
    result["items"] = [complaint_payload(sr) for sr in result["items"]]
    return result


class RatesOut(Schema):
    complaints: int
    valid: int
    invalid: int
    replies_due: int
    replied_on_time: int
    reply_rate: Decimal | None
    reply_target: Decimal
    reply_target_met: bool | None
    jobs: int
    valid_per_100_jobs: Decimal | None
    valid_target: Decimal
    valid_target_met: bool | None
    follow_ups: int
    satisfied: int
    satisfaction_rate: Decimal | None


class BreakdownOut(Schema):
    label: str
    total: int
    valid: int


class MonthRatesOut(RatesOut):
    month: str


class StatisticsOut(Schema):
    start: dt.date
    end: dt.date
    rates: RatesOut
    by_category: list[BreakdownOut]
    by_department: list[BreakdownOut]
    by_person: list[BreakdownOut]
    by_week: list[BreakdownOut]
    by_month: list[BreakdownOut]
    monthly_rates: list[MonthRatesOut]


def rates_payload(r: selectors.Rates) -> dict[str, Any]:
    return {
        **{k: getattr(r, k) for k in ("complaints", "valid", "invalid", "replies_due", "replied_on_time")},
        "reply_rate": r.reply_rate,
        "reply_target": selectors.reply_rate_target(),
        "reply_target_met": r.reply_target_met,
        "jobs": r.jobs,
        "valid_per_100_jobs": r.valid_per_100_jobs,
        "valid_target": selectors.valid_rate_target(),
        "valid_target_met": r.valid_target_met,
        "follow_ups": r.follow_ups,
        "satisfied": r.satisfied,
        "satisfaction_rate": r.satisfaction_rate,
    }


@router.get("/statistics", response={200: StatisticsOut, 403: ErrorOut, 422: ErrorOut})
def statistics(request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None) -> Any:
    """Complaints by category, department, person (at fault), week and month, with the reply rate
    (target 100 %), valid complaints per 100 jobs (target below 1) and the satisfaction rate."""
    require_role(request.user, *STATS_ROLES)
    default_start, default_end = selectors.default_period()
    start, end = start or default_start, end or default_end
    if end < start:
        raise ValidationFailed("bad_period", _("The end of the period is before its start."), field="end")
    st = selectors.statistics(start, end)
    breakdown = lambda rows: [{"label": b.label, "total": b.total, "valid": b.valid} for b in rows]  # noqa: E731
    return {
        "start": st.start,
        "end": st.end,
        "rates": rates_payload(st.rates),
        "by_category": breakdown(st.by_category),
        "by_department": breakdown(st.by_department),
        "by_person": breakdown(st.by_person),
        "by_week": breakdown(st.by_week),
        "by_month": breakdown(st.by_month),
        "monthly_rates": [{"month": m, **rates_payload(r)} for m, r in st.monthly_rates],
    }


@router.get("/{number}", response={200: ComplaintDetailOut, 404: ErrorOut})
def get_complaint(request: HttpRequest, number: str) -> Any:
    return _fresh(request, number)


ACTION_RESPONSES = {200: ComplaintDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.post("/{number}/register", response=ACTION_RESPONSES)
def complete_register(request: HttpRequest, number: str, payload: RegisterIn) -> Any:
    """Fill in the register of a complaint taken at the general intake."""
    sr = selectors.access_complaint(request.user, number)
    services.complete_register(request=sr, data=services.RegisterInput(**payload.dict()), actor=request.user)
    return _fresh(request, number)


# -- one endpoint per step -----------------------------------------------------------------------------
def _act(request: HttpRequest, number: str, action: str, **kwargs: Any) -> Any:
    sr = selectors.access_complaint(request.user, number)
    services.ACTION_SERVICES[action](request=sr, actor=request.user, **kwargs)
    return _fresh(request, number)


class NoteIn(Schema):
    note: str = ""


class ReplyIn(Schema):
    reply: str


class ValidateIn(NoteIn):
    category: str | None = None
    severity: str | None = None
    major_fault: bool | None = None


class InvalidateIn(Schema):
    explanation: str
    category: str | None = None


class AssignIn(NoteIn):
    department_id: int
    responsible_person_id: int
    other_department_ids: list[int] = []
    promised_date: dt.date | None = None


class InvestigateIn(NoteIn):
    cause: str
    person_at_fault_id: int | None = None


class PlanIn(Schema):
    plan: str


class ReasonIn(Schema):
    reason: str


class ImplementationIn(Schema):
    implementation: str


class NoticeIn(Schema):
    notice: str
    channel: str


class FollowUpIn(Schema):
    satisfied: bool
    note: str = ""


class ReportIn(Schema):
    report: str


class ArchiveIn(Schema):
    summary: str
    lessons: str
    corrective_action_ref: str = ""


class FaultReportIn(Schema):
    impact: str
    handling: str
    cause: str
    corrective_measures: str
    preventive_measures: str
    customer_channel: str


class ImportantIn(Schema):
    important: bool
    reason: str


@router.post("/{number}/reply", response=ACTION_RESPONSES)
def reply(request: HttpRequest, number: str, payload: ReplyIn) -> Any:
    """The reply to the customer (due within 24 h of receipt)."""
    return _act(request, number, "reply", reply=payload.reply)


@router.post("/{number}/validate", response=ACTION_RESPONSES)
def validate(request: HttpRequest, number: str, payload: ValidateIn) -> Any:
    """The complaint is valid (成立); category, severity and the major-fault mark may be corrected."""
    return _act(request, number, "validate", **payload.dict())


@router.post("/{number}/invalidate", response=ACTION_RESPONSES)
def invalidate(request: HttpRequest, number: str, payload: InvalidateIn) -> Any:
    """Not valid (不成立): the explanation given to the customer; the complaint closes."""
    return _act(request, number, "invalidate", **payload.dict())


@router.post("/{number}/assign", response=ACTION_RESPONSES)
def assign(request: HttpRequest, number: str, payload: AssignIn) -> Any:
    """The responsible department and person; a complaint spanning departments needs the date
    promised to the customer that day."""
    return _act(request, number, "assign", **payload.dict())


@router.post("/{number}/investigate", response=ACTION_RESPONSES)
def investigate(request: HttpRequest, number: str, payload: InvestigateIn) -> Any:
    """The cause and the person at fault (for their evaluation; their supervisor is told)."""
    return _act(request, number, "investigate", **payload.dict())


@router.post("/{number}/propose-plan", response=ACTION_RESPONSES)
def propose(request: HttpRequest, number: str, payload: PlanIn) -> Any:
    return _act(request, number, "propose_plan", plan=payload.plan)


@router.post("/{number}/check-plan", response=ACTION_RESPONSES)
def check(request: HttpRequest, number: str, payload: NoteIn) -> Any:
    """The first approval: the quality lead's."""
    return _act(request, number, "check_plan", note=payload.note)


@router.post("/{number}/approve-plan", response=ACTION_RESPONSES)
def approve(request: HttpRequest, number: str, payload: NoteIn) -> Any:
    """The second and last approval: the manager's, after the quality lead's."""
    return _act(request, number, "approve_plan", note=payload.note)


@router.post("/{number}/reject-plan", response=ACTION_RESPONSES)
def reject(request: HttpRequest, number: str, payload: ReasonIn) -> Any:
    return _act(request, number, "reject_plan", reason=payload.reason)


@router.post("/{number}/start-implementation", response=ACTION_RESPONSES)
def start_implementation(request: HttpRequest, number: str, payload: NoteIn) -> Any:
    return _act(request, number, "start_implementation", note=payload.note)


@router.post("/{number}/complete-implementation", response=ACTION_RESPONSES)
def complete_implementation(request: HttpRequest, number: str, payload: ImplementationIn) -> Any:
    return _act(request, number, "complete_implementation", implementation=payload.implementation)


@router.post("/{number}/notify-customer", response=ACTION_RESPONSES)
def notify_customer(request: HttpRequest, number: str, payload: NoticeIn) -> Any:
    """The result sent to the customer (due within 24 h of the completed implementation)."""
    return _act(request, number, "notify_customer", notice=payload.notice, channel=payload.channel)


@router.post("/{number}/follow-up", response=ACTION_RESPONSES)
def follow_up(request: HttpRequest, number: str, payload: FollowUpIn) -> Any:
    """The follow-up call: satisfied closes the complaint; not satisfied opens the next round."""
    return _act(request, number, "follow_up", satisfied=payload.satisfied, note=payload.note)


@router.post("/{number}/report", response=ACTION_RESPONSES)
def report(request: HttpRequest, number: str, payload: ReportIn) -> Any:
    """The report to the general manager (due within 3 days after the investigation)."""
    return _act(request, number, "report", report=payload.report)


@router.post("/{number}/archive", response=ACTION_RESPONSES)
def archive(request: HttpRequest, number: str, payload: ArchiveIn) -> Any:
    """The summary with lessons and countermeasures (and the corrective action it led to)."""
    return _act(request, number, "archive", **payload.dict())


@router.post("/{number}/cancel", response=ACTION_RESPONSES)
def cancel(request: HttpRequest, number: str, payload: ReasonIn) -> Any:
    return _act(request, number, "cancel", reason=payload.reason)


@router.post("/{number}/fault-report", response=ACTION_RESPONSES)
def fault_report(request: HttpRequest, number: str, payload: FaultReportIn) -> Any:
    """The fault analysis report of a major fault, sent to the customer and the sales side."""
    sr = selectors.access_complaint(request.user, number)
    services.issue_fault_report(
        request=sr, data=services.FaultReportInput(**payload.dict()), actor=request.user
    )
    return _fresh(request, number)


@router.post("/{number}/important", response=ACTION_RESPONSES)
def important(request: HttpRequest, number: str, payload: ImportantIn) -> Any:
    """Mark the complaint important (kept for good), or lift the mark (managers only)."""
    sr = selectors.access_complaint(request.user, number)
    services.set_important(request=sr, important=payload.important, reason=payload.reason, actor=request.user)
    return _fresh(request, number)


@router.delete("/{number}", response={204: None, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def delete(request: HttpRequest, number: str) -> Any:
    """Delete a closed complaint whose retention period (default 1 year) has passed; an important
    complaint is never deleted."""
    sr = selectors.access_complaint(request.user, number)
    services.delete_complaint(request=sr, actor=request.user)
    return Status(204, None)
