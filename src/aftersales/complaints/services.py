"""Business actions on complaints: one function per step of the closed loop.

Each runs in one transaction: it locks the complaint, checks the input, moves the
request through ``aftersales.service.services.move_request`` (the complaint flow of
``workflow.py`` decides whether the move is allowed and by whom), writes the step's
details, meets or starts the step's SLA clocks and writes the notifications of the
step to the outbox.

The time limits are the complaint SLA policies (admin-editable, defaults from the
regulation): ``complaint_reply`` (24 h), ``complaint_plan`` (1 day) and
``complaint_close`` (7 days) start when the complaint is received;
``complaint_report`` (3 days) starts with the investigation and
``complaint_feedback`` (24 h) with the completed implementation.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError, RestrictedError
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from aftersales.core.clock import local_date, local_today, now
from aftersales.core.errors import PermissionRefused, StaleState, TransitionRefused, ValidationFailed
from aftersales.core.history import record_history
from aftersales.core.notifications import notify
from aftersales.core.permissions import Role, has_role, roles_of, users_with_role
from aftersales.core.phones import InvalidPhone, parse_phone
from aftersales.service.models import ClockCode, ServiceRequest
from aftersales.service.services import RequestInput, move_request, register_request
from aftersales.service.sla_services import meet_clock, on_transition, start_clock
from aftersales.service.workflow import Channel, Priority, RequestType, Status, roles_for, target_of
from aftersales.suggestions.models import Department

from .models import (
    ApprovalStep,
    Category,
    Complaint,
    ComplaintRound,
    DepartmentMember,
    FaultReport,
    NoticeChannel,
    PlanApproval,
    PlanStatus,
    ResolutionPlan,
    Severity,
    Source,
    Validity,
)
from .workflow import COMPLAINT_MANAGERS, FINAL_STATES, MANAGERS, REGISTRARS, STAFF, Facts

log = logging.getLogger("aftersales.complaints")


# -- settings ------------------------------------------------------------------------------------
def conf(key: str, default: Any) -> Any:
    return settings.AFTERSALES.get(key, default)


def retention_years() -> int:
    """Complaint records are kept at least this many years after closing (important ones for good)."""
    return int(conf("COMPLAINT_RETENTION_YEARS", 1))


def manager_severities() -> frozenset[str]:
    """Severities the manager hears of at once."""
    return frozenset(conf("COMPLAINT_MANAGER_SEVERITIES", (Severity.SERIOUS, Severity.CRITICAL)))


def sales_department_code() -> str:
    """The department that receives fault analysis reports on the sales side."""
    return str(conf("COMPLAINT_SALES_DEPARTMENT", "sales"))


# The intake channel of the request for each complaint source; a staff member's report reaches the
# after-sales department in person and a media report as a written one.
SOURCE_CHANNEL = {
    Source.PHONE: Channel.PHONE,
    Source.LETTER: Channel.LETTER,
    Source.EMAIL: Channel.EMAIL,
    Source.VISIT: Channel.VISIT,
    Source.WEB: Channel.WEB,
    Source.MEDIA: Channel.LETTER,
    Source.STAFF: Channel.VISIT,
}
# A serious complaint is handled before routine work in every queue.
SEVERITY_PRIORITY = {
    Severity.NORMAL: Priority.NORMAL,
    Severity.SERIOUS: Priority.HIGH,
    Severity.CRITICAL: Priority.URGENT,
}


# -- helpers ---------------------------------------------------------------------------------------
def _text(value: str | None, field: str, message: Any) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(f"{field}_required", message, field=field)
    return value


def _choice(value: str, choices: Any, field: str, message: Any) -> str:
    if value not in choices.values:
        raise ValidationFailed(f"invalid_{field}", message, field=field)
    return value


def _staff_user(user_id: int | None, field: str) -> Any:
    """An active staff member (any staff role), or None when no id is given."""
    if user_id is None:
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not (roles_of(user) & set(STAFF)):
        raise ValidationFailed("invalid_person", _("Choose an active staff member."), field=field)
    return user


def _department(department_id: int | None, field: str) -> Department:
    department = (
        Department.objects.filter(pk=department_id, active=True).first()
        if department_id is not None
        else None
    )
    if department is None:
        raise ValidationFailed("invalid_department", _("Choose an active department."), field=field)
    return department


def supervisor_of(user: Any, fallback_department: Department | None = None) -> Any:
    """The person's supervisor: theirs as recorded, else their department's head, else the head of
    the complaint's responsible department."""
    member = (
        DepartmentMember.objects.select_related("supervisor", "department__head").filter(user=user).first()
    )
    if member is not None:
        supervisor = member.supervisor or member.department.head
        if supervisor is not None and supervisor.is_active:
            return supervisor
    head = fallback_department.head if fallback_department is not None else None
    if head is not None and head.is_active:
        return head
    return None


def _name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _complaint_of(request: ServiceRequest) -> Complaint:
    """The complaint of the request, locked, with the request's current state."""
    if request.type != RequestType.COMPLAINT:
        raise ValidationFailed("not_a_complaint", _("This request is not a complaint."), field="type")
    complaint = (
        Complaint.objects.select_for_update().select_related("request").filter(request_id=request.pk).first()
    )
    if complaint is None:
        raise TransitionRefused(
            "register_incomplete", _("Complete the complaint register first."), "register"
        )
    return complaint


def current_round(complaint: Complaint) -> ComplaintRound | None:
    return ComplaintRound.objects.filter(complaint=complaint, number=complaint.round).first()


def current_plan(rnd: ComplaintRound | None) -> ResolutionPlan | None:
    if rnd is None:
        return None
    return rnd.plans.exclude(status=PlanStatus.REJECTED).order_by("-version").first()


def facts_of(complaint: Complaint) -> Facts:
    rnd = current_round(complaint)
    plan = current_plan(rnd)
    quality = (
        PlanApproval.objects.filter(plan=plan, step=ApprovalStep.QUALITY)
        .values_list("approved_by_id", flat=True)
        .first()
        if plan is not None
        else None
    )
    return Facts(
        responsible_person_id=complaint.responsible_person_id,
        investigated=bool(rnd and rnd.investigated_at),
        implemented=bool(rnd and rnd.implemented_at),
        quality_approver_id=quality,
        reported=complaint.reported_at is not None,
        fault_report_missing=complaint.major_fault
        and not FaultReport.objects.filter(complaint=complaint).exists(),
    )


def _precheck(complaint: Complaint, action: str, actor: Any) -> None:
    """State and role first, so nobody learns about input rules of a step they may not take."""
    sr = complaint.request
    if target_of(sr.type, sr.status, action) is None:
        raise TransitionRefused(
            "transition_not_allowed",
            _("This action is not allowed while the request is “%(status)s”."),
            "status",
            status=sr.get_status_display(),
        )
    if not roles_of(actor) & set(roles_for(sr.type, action)):
        raise PermissionRefused()


def _move(
    complaint: Complaint,
    action: str,
    actor: Any,
    *,
    note: str = "",
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> ServiceRequest:
    sr = complaint.request
    sr.complaint_facts = facts_of(complaint)  # type: ignore[attr-defined]
    sr = move_request(request=sr, action=action, actor=actor, note=note, changes=changes, data=data)
    complaint.request = sr
    return sr


def _meet(sr: ServiceRequest, code: str, actor: Any, at: dt.datetime) -> None:
    meet_clock(request=sr, code=code, actor=actor, at=at)


def _start(sr: ServiceRequest, code: str, actor: Any, at: dt.datetime) -> None:
    try:
        start_clock(request=sr, code=code, actor=actor, at=at)
    except ValidationFailed as exc:
        # An administrator who switched the policy off has switched the time limit off.
        if exc.code != "no_policy":
            raise


def _stop_remaining_clocks(sr: ServiceRequest, at: dt.datetime) -> None:
    # The SLA engine stops every unmet clock when a request closes; a complaint closes under its
    # own action names (invalid, archived), so it asks the engine for that same closing step.
    on_transition(sr, "close", at)


def _notify(
    recipients: Iterable[Any], kind: str, subject: str, body: str, key: str, sr: ServiceRequest
) -> None:
    notify(
        recipients=[u for u in recipients if u is not None],
        kind=kind,
        subject=subject,
        body=body,
        event_key=key,
        data={"request": sr.number, "type": RequestType.COMPLAINT},
    )


def _notify_severity(complaint: Complaint) -> None:
    """A serious or critical complaint goes to the manager at once."""
    if complaint.severity not in manager_severities():
        return
    sr = complaint.request
    _notify(
        users_with_role(Role.MANAGER),
        "complaint_severe",
        gettext("%(severity)s complaint %(number)s: %(about)s")
        % {"severity": complaint.get_severity_display(), "number": sr.number, "about": complaint.about},
        sr.description[:500],
        f"complaint:{complaint.pk}:severity:{complaint.severity}",
        sr,
    )


# -- registration ----------------------------------------------------------------------------------
@dataclass
class RegisterInput:
    """The complaint register (申诉和投诉处理登记表)."""

    source: str
    complainant_name: str
    about: str
    description: str  # what happened
    desired_outcome: str
    category: str
    severity: str = Severity.NORMAL
    complainant_phone: str = ""
    about_staff_id: int | None = None
    major_fault: bool = False


@dataclass
class ComplaintInput(RegisterInput):
    customer_id: int = 0
    unit_id: int | None = None
    received_at: dt.datetime | None = None


@dataclass
class ComplaintRegistration:
    complaint: Complaint
    repeat: bool  # the customer's open complaint about the same unit was returned instead


def _register_fields(data: RegisterInput) -> dict[str, Any]:
    fields = {
        "source": _choice(data.source, Source, "source", _("Choose where the complaint came from.")),
        "complainant_name": _text(data.complainant_name, "complainant_name", _("Who complains?")),
        "about": _text(data.about, "about", _("Whom or what is the complaint about?")),
        "desired_outcome": _text(
            data.desired_outcome, "desired_outcome", _("Record what the customer wants.")
        ),
        "category": _choice(data.category, Category, "category", _("Choose the category.")),
        "severity": _choice(data.severity, Severity, "severity", _("Choose the severity.")),
        "complainant_phone": "",
        "about_staff": _staff_user(data.about_staff_id, "about_staff_id"),
        "major_fault": bool(data.major_fault),
    }
    _text(data.description, "description", _("Record what happened."))
    if data.complainant_phone.strip():
        try:
            fields["complainant_phone"] = parse_phone(data.complainant_phone).number
        except InvalidPhone:
            raise ValidationFailed(
                "invalid_phone",
                _("“%(phone)s” is not a valid Chinese phone number."),
                field="complainant_phone",
                phone=data.complainant_phone,
            ) from None
    return fields


def _create_register(sr: ServiceRequest, fields: dict[str, Any], actor: Any) -> Complaint:
    complaint = Complaint.objects.create(request=sr, **fields)
    record_history(
        subject=sr,
        event="complaint_registered",
        actor=actor,
        new=sr.status,
        note=fields["about"],
        data={
            "source": fields["source"],
            "category": fields["category"],
            "severity": fields["severity"],
            "major_fault": fields["major_fault"],
            "about_staff": fields["about_staff"].pk if fields["about_staff"] else None,
        },
    )
    _notify_severity(complaint)
    return complaint


@transaction.atomic
def register_complaint(*, data: ComplaintInput, actor: Any) -> ComplaintRegistration:
    """Register a complaint: a ServiceRequest of type ``complaint`` (its reply, plan and close
    clocks start with it) and its register."""
    if not has_role(actor, *REGISTRARS):
        raise PermissionRefused()
    fields = _register_fields(data)
    reg = register_request(
        data=RequestInput(
            type=RequestType.COMPLAINT,
            channel=SOURCE_CHANNEL[Source(fields["source"])],
            customer_id=data.customer_id,
            unit_id=data.unit_id,
            description=data.description,
            priority=SEVERITY_PRIORITY[Severity(fields["severity"])],
            received_at=data.received_at,
            contact_phone=fields["complainant_phone"],
        ),
        actor=actor,
    )
    existing = Complaint.objects.filter(request=reg.request).select_related("request").first()
    if existing is not None:
        return ComplaintRegistration(existing, repeat=True)
    return ComplaintRegistration(_create_register(reg.request, fields, actor), repeat=reg.repeat)


@transaction.atomic
def complete_register(*, request: ServiceRequest, data: RegisterInput, actor: Any) -> Complaint:
    """Fill in the register of a complaint taken at the general intake (agent console, API)."""
    if not has_role(actor, *REGISTRARS):
        raise PermissionRefused()
    if request.type != RequestType.COMPLAINT:
        raise ValidationFailed("not_a_complaint", _("This request is not a complaint."), field="type")
    request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    if Complaint.objects.filter(request=request).exists():
        raise TransitionRefused(
            "register_exists", _("The complaint register is already filled in."), "register"
        )
    if request.status != Status.NEW:
        raise TransitionRefused(
            "transition_not_allowed",
            _("This action is not allowed while the request is “%(status)s”."),
            "status",
            status=request.get_status_display(),
        )
    fields = _register_fields(data)
    return _create_register(request, fields, actor)


# -- the steps -------------------------------------------------------------------------------------
@transaction.atomic
def reply_to_customer(*, request: ServiceRequest, reply: str, actor: Any) -> ServiceRequest:
    """The reply to the customer (within 24 h of receipt): what they were told."""
    complaint = _complaint_of(request)
    _precheck(complaint, "reply", actor)
    reply = _text(reply, "reply", _("Write what the customer was told."))
    at = now()
    sr = _move(complaint, "reply", actor, note=reply)
    if complaint.replied_at is None:
        complaint.replied_at, complaint.replied_by, complaint.reply = at, actor, reply
        complaint.save(update_fields=["replied_at", "replied_by", "reply"])
    _meet(sr, ClockCode.COMPLAINT_REPLY, actor, at)
    return sr


@transaction.atomic
def validate_complaint(
    *,
    request: ServiceRequest,
    actor: Any,
    note: str = "",
    category: str | None = None,
    severity: str | None = None,
    major_fault: bool | None = None,
) -> ServiceRequest:
    """The complaint is valid (成立); the category and severity may be corrected at the same time."""
    complaint = _complaint_of(request)
    _precheck(complaint, "validate", actor)
    changes: dict[str, Any] = {}
    if category:
        changes["category"] = _choice(category, Category, "category", _("Choose the category."))
    if severity:
        changes["severity"] = _choice(severity, Severity, "severity", _("Choose the severity."))
    if major_fault is not None:
        changes["major_fault"] = bool(major_fault)
    request_changes = {}
    if "severity" in changes:
        request_changes["priority"] = SEVERITY_PRIORITY[Severity(changes["severity"])]
    at = now()
    sr = _move(complaint, "validate", actor, note=note, changes=request_changes, data={"changes": changes})
    for name, value in changes.items():
        setattr(complaint, name, value)
    complaint.validity, complaint.validity_note = Validity.VALID, note.strip()
    complaint.validated_at, complaint.validated_by = at, actor
    complaint.save()
    _notify_severity(complaint)
    return sr


@transaction.atomic
def invalidate_complaint(
    *, request: ServiceRequest, explanation: str, actor: Any, category: str | None = None
) -> ServiceRequest:
    """Not a valid complaint (不成立, e.g. a misunderstanding of a rule): the explanation given to
    the customer is recorded and the complaint is closed."""
    complaint = _complaint_of(request)
    _precheck(complaint, "invalidate", actor)
    explanation = _text(explanation, "explanation", _("Record the explanation given to the customer."))
    if category:
        complaint.category = _choice(category, Category, "category", _("Choose the category."))
    at = now()
    sr = _move(complaint, "invalidate", actor, note=explanation, changes={"closed_at": at})
    complaint.validity, complaint.validity_note = Validity.INVALID, explanation
    complaint.validated_at, complaint.validated_by = at, actor
    if complaint.replied_at is None:
        # The tactful explanation is the reply the customer gets.
        complaint.replied_at, complaint.replied_by, complaint.reply = at, actor, explanation
    complaint.save()
    _meet(sr, ClockCode.COMPLAINT_REPLY, actor, at)
    _meet(sr, ClockCode.COMPLAINT_CLOSE, actor, at)
    _stop_remaining_clocks(sr, at)
    return sr


@transaction.atomic
def assign_complaint(
    *,
    request: ServiceRequest,
    department_id: int | None,
    responsible_person_id: int | None,
    actor: Any,
    other_department_ids: Iterable[int] = (),
    promised_date: dt.date | None = None,
    note: str = "",
) -> ServiceRequest:
    """The responsible department and person take the complaint. One that spans departments cannot
    be assumed settled the same day: the customer is told that day when it will be settled."""
    complaint = _complaint_of(request)
    _precheck(complaint, "assign", actor)
    department = _department(department_id, "department_id")
    if responsible_person_id is None:
        raise ValidationFailed(
            "responsible_person_required", _("Choose the responsible person."), field="responsible_person_id"
        )
    person = _staff_user(responsible_person_id, "responsible_person_id")
    others = [_department(pk, "other_department_ids") for pk in dict.fromkeys(other_department_ids)]
    others = [d for d in others if d.pk != department.pk]
    today = local_today()
    if promised_date is not None and promised_date < today:
        raise ValidationFailed(
            "promised_date_past", _("The promised date cannot be in the past."), field="promised_date"
        )
    if others and promised_date is None and complaint.promised_date is None:
        raise ValidationFailed(
            "promised_date_required",
            _("A complaint spanning departments needs the settlement date promised to the customer today."),
            field="promised_date",
        )
    at = now()
    sr = _move(
        complaint,
        "assign",
        actor,
        note=note,
        changes={"assignee": person},
        data={
            "department": department.code,
            "responsible_person": person.pk,
            "other_departments": [d.code for d in others],
            "promised_date": promised_date.isoformat() if promised_date else None,
        },
    )
    complaint.department, complaint.responsible_person = department, person
    complaint.assigned_at, complaint.assigned_by = at, actor
    if promised_date is not None and promised_date != complaint.promised_date:
        complaint.promised_date, complaint.promised_on = promised_date, today
    complaint.save()
    complaint.other_departments.set(others)
    if current_round(complaint) is None:
        ComplaintRound.objects.create(complaint=complaint, number=complaint.round, started_at=at)
    _notify(
        [person, department.head, *(d.head for d in others)],
        "complaint_assigned",
        gettext("Complaint %(number)s assigned to %(department)s, %(person)s")
        % {"number": sr.number, "department": department.name, "person": _name(person)},
        f"{complaint.about}\n{sr.description[:500]}",
        f"complaint:{complaint.pk}:assign:{department.pk}:{person.pk}:{at.isoformat()}",
        sr,
    )
    return sr


@transaction.atomic
def record_investigation(
    *, request: ServiceRequest, cause: str, actor: Any, person_at_fault_id: int | None = None, note: str = ""
) -> ServiceRequest:
    """The cause, and the person whose fault it is (this goes to that person's evaluation and their
    supervisor hears of it). The report to the general manager is due within 3 days from here."""
    complaint = _complaint_of(request)
    _precheck(complaint, "investigate", actor)
    cause = _text(cause, "cause", _("Record the cause found."))
    person = _staff_user(person_at_fault_id, "person_at_fault_id")
    at = now()
    sr = _move(
        complaint,
        "investigate",
        actor,
        note=note or cause,
        data={"round": complaint.round, "person_at_fault": person.pk if person else None},
    )
    # The round is opened when the complaint enters the investigation; a complaint moved there by
    # an older version of the flow gets it here.
    rnd = current_round(complaint) or ComplaintRound.objects.create(
        complaint=complaint, number=complaint.round, started_at=at
    )
    rnd.cause, rnd.person_at_fault = cause, person
    rnd.investigated_at, rnd.investigated_by = at, actor
    rnd.save()
    _start(sr, ClockCode.COMPLAINT_REPORT, actor, at)
    if person is not None:
        supervisor = supervisor_of(person, complaint.department)
        recipients = [supervisor] if supervisor is not None else users_with_role(Role.MANAGER)
        _notify(
            recipients,
            "complaint_staff_fault",
            gettext("Complaint %(number)s: found to be the fault of %(person)s")
            % {"number": sr.number, "person": _name(person)},
            cause,
            f"complaint:{complaint.pk}:fault:{rnd.number}:{person.pk}",
            sr,
        )
    return sr


@transaction.atomic
def propose_plan(*, request: ServiceRequest, plan: str, actor: Any) -> ServiceRequest:
    """The resolution plan, for the quality lead's and then the manager's approval."""
    complaint = _complaint_of(request)
    _precheck(complaint, "propose_plan", actor)
    plan = _text(plan, "plan", _("Describe the resolution plan."))
    at = now()
    rnd = current_round(complaint)
    version = (rnd.plans.count() + 1) if rnd is not None else 1
    sr = _move(
        complaint, "propose_plan", actor, note=plan, data={"round": complaint.round, "version": version}
    )
    assert rnd is not None  # the guard ``investigated`` needs the round
    ResolutionPlan.objects.create(round=rnd, version=version, text=plan, proposed_at=at, proposed_by=actor)
    _notify(
        users_with_role(Role.QUALITY),
        "complaint_plan_proposed",
        gettext("Complaint %(number)s: plan to approve") % {"number": sr.number},
        plan,
        f"complaint:{complaint.pk}:plan:{rnd.number}:{version}",
        sr,
    )
    return sr


def _approve(
    request: ServiceRequest, action: str, step: str, actor: Any, note: str
) -> tuple[Complaint, ServiceRequest, ResolutionPlan, dt.datetime]:
    complaint = _complaint_of(request)
    _precheck(complaint, action, actor)
    plan = current_plan(current_round(complaint))
    if plan is None:
        raise TransitionRefused("no_plan", _("There is no plan to approve."), None)
    at = now()
    sr = _move(complaint, action, actor, note=note, data={"round": complaint.round, "version": plan.version})
    try:
        with transaction.atomic():
            PlanApproval.objects.create(
                plan=plan, step=step, approved_by=actor, approved_at=at, note=note.strip()
            )
    except IntegrityError:
        # The unique (plan, step) row: the same sign-off twice is someone else's concurrent click.
        raise StaleState() from None
    plan.status = PlanStatus.CHECKED if step == ApprovalStep.QUALITY else PlanStatus.APPROVED
    plan.save(update_fields=["status"])
    return complaint, sr, plan, at


@transaction.atomic
def check_plan(*, request: ServiceRequest, actor: Any, note: str = "") -> ServiceRequest:
    """The first approval: the quality lead's."""
    complaint, sr, plan, _at = _approve(request, "check_plan", ApprovalStep.QUALITY, actor, note)
    _notify(
        users_with_role(Role.MANAGER),
        "complaint_plan_checked",
        gettext("Complaint %(number)s: plan approved by the quality lead, awaiting yours")
        % {"number": sr.number},
        plan.text,
        f"complaint:{complaint.pk}:plan_checked:{plan.pk}",
        sr,
    )
    return sr


@transaction.atomic
def approve_plan(*, request: ServiceRequest, actor: Any, note: str = "") -> ServiceRequest:
    """The second and last approval: the manager's. The plan is agreed: its 1-day clock is met."""
    complaint, sr, plan, at = _approve(request, "approve_plan", ApprovalStep.MANAGER, actor, note)
    _meet(sr, ClockCode.COMPLAINT_PLAN, actor, at)
    _notify(
        [complaint.responsible_person],
        "complaint_plan_approved",
        gettext("Complaint %(number)s: plan approved, implement it") % {"number": sr.number},
        plan.text,
        f"complaint:{complaint.pk}:plan_approved:{plan.pk}",
        sr,
    )
    return sr


@transaction.atomic
def reject_plan(*, request: ServiceRequest, reason: str, actor: Any) -> ServiceRequest:
    """An approver sends the plan back; a new plan is proposed in the same round."""
    complaint = _complaint_of(request)
    _precheck(complaint, "reject_plan", actor)
    reason = _text(reason, "reason", _("A reason is required."))
    plan = current_plan(current_round(complaint))
    at = now()
    sr = _move(complaint, "reject_plan", actor, note=reason, data={"version": plan.version if plan else None})
    if plan is not None:
        plan.status, plan.rejected_at, plan.rejected_by, plan.rejection_reason = (
            PlanStatus.REJECTED,
            at,
            actor,
            reason,
        )
        plan.save()
    _notify(
        [complaint.responsible_person],
        "complaint_plan_rejected",
        gettext("Complaint %(number)s: plan rejected") % {"number": sr.number},
        reason,
        f"complaint:{complaint.pk}:plan_rejected:{plan.pk if plan else 0}",
        sr,
    )
    return sr


@transaction.atomic
def start_implementation(*, request: ServiceRequest, actor: Any, note: str = "") -> ServiceRequest:
    complaint = _complaint_of(request)
    _precheck(complaint, "start_implementation", actor)
    at = now()
    sr = _move(complaint, "start_implementation", actor, note=note)
    ComplaintRound.objects.filter(complaint=complaint, number=complaint.round).update(
        implementation_started_at=at
    )
    return sr


@transaction.atomic
def complete_implementation(*, request: ServiceRequest, implementation: str, actor: Any) -> ServiceRequest:
    """The plan is carried out; the result is due to the customer within 24 h from here."""
    complaint = _complaint_of(request)
    _precheck(complaint, "complete_implementation", actor)
    implementation = _text(implementation, "implementation", _("Record what was done."))
    rnd = current_round(complaint)
    if rnd is not None and rnd.implemented_at is not None:
        raise TransitionRefused(
            "implementation_already_completed",
            _("The implementation of this round is already recorded."),
            None,
        )
    at = now()
    sr = _move(
        complaint, "complete_implementation", actor, note=implementation, data={"round": complaint.round}
    )
    ComplaintRound.objects.filter(complaint=complaint, number=complaint.round).update(
        implementation=implementation, implemented_at=at, implemented_by=actor
    )
    _start(sr, ClockCode.COMPLAINT_FEEDBACK, actor, at)
    return sr


@transaction.atomic
def notify_customer(*, request: ServiceRequest, notice: str, channel: str, actor: Any) -> ServiceRequest:
    """The result is sent to the customer: the handling is closed until the follow-up call."""
    complaint = _complaint_of(request)
    _precheck(complaint, "notify_customer", actor)
    notice = _text(notice, "notice", _("Write what the customer was told."))
    channel = _choice(channel, NoticeChannel, "channel", _("Choose how the customer was told."))
    at = now()
    sr = _move(
        complaint,
        "notify_customer",
        actor,
        note=notice,
        changes={"resolved_at": at},
        data={"round": complaint.round, "channel": channel},
    )
    ComplaintRound.objects.filter(complaint=complaint, number=complaint.round).update(
        customer_notice=notice, notice_channel=channel, customer_notified_at=at, customer_notified_by=actor
    )
    _meet(sr, ClockCode.COMPLAINT_FEEDBACK, actor, at)
    _meet(sr, ClockCode.COMPLAINT_CLOSE, actor, at)
    return sr


@transaction.atomic
def record_follow_up(*, request: ServiceRequest, satisfied: bool, note: str, actor: Any) -> ServiceRequest:
    """The follow-up call judges the round: satisfied -> closed, awaiting the summary; not
    satisfied -> handled again from the investigation in the next round."""
    complaint = _complaint_of(request)
    action = "follow_up_satisfied" if satisfied else "follow_up_unsatisfied"
    _precheck(complaint, action, actor)
    if not satisfied:
        note = _text(note, "note", _("Record why the customer is not satisfied."))
    at = now()
    number = complaint.round
    changes: dict[str, Any] = (
        {"closed_at": at}
        if satisfied
        else {"reopen_count": F("reopen_count") + 1, "resolved_at": None, "closed_at": None}
    )
    sr = _move(
        complaint, action, actor, note=note, changes=changes, data={"round": number, "satisfied": satisfied}
    )
    ComplaintRound.objects.filter(complaint=complaint, number=number).update(
        satisfied=satisfied, follow_up_note=note.strip(), followed_up_at=at, followed_up_by=actor
    )
    if not satisfied:
        complaint.round = number + 1
        complaint.save(update_fields=["round"])
        ComplaintRound.objects.create(complaint=complaint, number=complaint.round, started_at=at)
        # Written after the move, so the timeline shows the reopening before the new round.
        record_history(
            subject=sr,
            event="complaint_round_started",
            actor=actor,
            old=sr.status,
            new=sr.status,
            note=note,
            data={"round": complaint.round},
        )
        _notify(
            [complaint.responsible_person, complaint.department.head if complaint.department else None],
            "complaint_reopened",
            gettext("Complaint %(number)s: customer not satisfied, round %(round)s")
            % {"number": sr.number, "round": complaint.round},
            note,
            f"complaint:{complaint.pk}:round:{complaint.round}",
            sr,
        )
    return sr


@transaction.atomic
def report_to_general_manager(*, request: ServiceRequest, report: str, actor: Any) -> ServiceRequest:
    """The report to the general manager, due within 3 days after the investigation."""
    complaint = _complaint_of(request)
    _precheck(complaint, "report", actor)
    report = _text(report, "report", _("Write the report."))
    at = now()
    sr = _move(complaint, "report", actor, note=report)
    complaint.report, complaint.reported_at, complaint.reported_by = report, at, actor
    complaint.save(update_fields=["report", "reported_at", "reported_by"])
    _meet(sr, ClockCode.COMPLAINT_REPORT, actor, at)
    _notify(
        users_with_role(Role.MANAGER),
        "complaint_report",
        gettext("Complaint %(number)s: report to the general manager") % {"number": sr.number},
        report,
        f"complaint:{complaint.pk}:report",
        sr,
    )
    return sr


@transaction.atomic
def archive_complaint(
    *, request: ServiceRequest, summary: str, lessons: str, actor: Any, corrective_action_ref: str = ""
) -> ServiceRequest:
    """The summary with the lessons and countermeasures, linked to a corrective action when one was
    raised; the complaint is archived."""
    complaint = _complaint_of(request)
    _precheck(complaint, "archive", actor)
    summary = _text(summary, "summary", _("Write the summary."))
    lessons = _text(lessons, "lessons", _("Write the lessons and countermeasures."))
    at = now()
    sr = _move(
        complaint,
        "archive",
        actor,
        note=summary,
        data={"corrective_action": corrective_action_ref.strip() or None},
    )
    complaint.summary, complaint.lessons = summary, lessons
    complaint.corrective_action_ref = corrective_action_ref.strip()
    complaint.summarized_at, complaint.summarized_by = at, actor
    complaint.save()
    _stop_remaining_clocks(sr, at)
    return sr


@transaction.atomic
def cancel_complaint(*, request: ServiceRequest, reason: str, actor: Any) -> ServiceRequest:
    """A registration made in error (a duplicate): only before it is judged."""
    complaint = _complaint_of(request)
    _precheck(complaint, "cancel", actor)
    reason = _text(reason, "reason", _("A reason is required."))
    return _move(complaint, "cancel", actor, note=reason, changes={"closed_at": now()})


# -- beside the flow ---------------------------------------------------------------------------------
@dataclass
class FaultReportInput:
    impact: str
    handling: str
    cause: str
    corrective_measures: str
    preventive_measures: str
    customer_channel: str


@transaction.atomic
def issue_fault_report(*, request: ServiceRequest, data: FaultReportInput, actor: Any) -> FaultReport:
    """The fault analysis report of a major fault, sent to the customer and to the sales side.
    Issuing it marks the complaint as a major fault."""
    complaint = _complaint_of(request)
    if not has_role(actor, *COMPLAINT_MANAGERS):
        raise PermissionRefused()
    if complaint.request.status in FINAL_STATES or complaint.validity == Validity.INVALID:
        raise TransitionRefused(
            "transition_not_allowed",
            _("This action is not allowed while the request is “%(status)s”."),
            "status",
            status=complaint.request.get_status_display(),
        )
    if FaultReport.objects.filter(complaint=complaint).exists():
        raise TransitionRefused(
            "fault_report_exists", _("The fault analysis report was already issued."), None
        )
    texts = {
        "impact": _text(data.impact, "impact", _("Describe the impact.")),
        "handling": _text(data.handling, "handling", _("Describe the handling.")),
        "cause": _text(data.cause, "cause", _("Describe the cause.")),
        "corrective_measures": _text(
            data.corrective_measures, "corrective_measures", _("Describe the corrective measures.")
        ),
        "preventive_measures": _text(
            data.preventive_measures, "preventive_measures", _("Describe the preventive measures.")
        ),
    }
    channel = _choice(
        data.customer_channel,
        NoticeChannel,
        "customer_channel",
        _("Choose how the customer gets the report."),
    )
    at = now()
    sr = complaint.request
    sales = (
        Department.objects.filter(code=sales_department_code(), active=True).select_related("head").first()
    )
    sales_head = sales.head if sales is not None and sales.head and sales.head.is_active else None
    report = FaultReport.objects.create(
        complaint=complaint,
        **texts,
        written_at=at,
        written_by=actor,
        customer_channel=channel,
        sent_to_customer_at=at,
        sent_to_sales_at=at if sales_head is not None else None,
    )
    if not complaint.major_fault:
        complaint.major_fault = True
        complaint.save(update_fields=["major_fault"])
    record_history(
        subject=sr,
        event="fault_report_issued",
        actor=actor,
        old=sr.status,
        new=sr.status,
        note=texts["cause"],
        at=at,
        data={"customer_channel": channel, "sales": sales_head.pk if sales_head else None},
    )
    body = "\n".join(
        f"{label}: {texts[key]}"
        for key, label in (
            ("impact", gettext("Impact")),
            ("handling", gettext("Handling")),
            ("cause", pgettext("complaint", "Cause")),
            ("corrective_measures", gettext("Corrective measures")),
            ("preventive_measures", gettext("Preventive measures")),
        )
    )
    _notify(
        [sales_head, sr.customer.portal_user],
        "complaint_fault_report",
        gettext("Fault analysis report for complaint %(number)s") % {"number": sr.number},
        body,
        f"complaint:{complaint.pk}:fault_report",
        sr,
    )
    return report


@transaction.atomic
def set_important(*, request: ServiceRequest, important: bool, reason: str, actor: Any) -> Complaint:
    """An important complaint is kept for good; only a manager may lift the mark again."""
    complaint = _complaint_of(request)
    if not has_role(actor, *(COMPLAINT_MANAGERS if important else MANAGERS)):
        raise PermissionRefused()
    reason = _text(reason, "reason", _("A reason is required."))
    if complaint.important == important:
        return complaint
    complaint.important = important
    complaint.save(update_fields=["important"])
    sr = complaint.request
    record_history(
        subject=sr,
        event="complaint_important" if important else "complaint_not_important",
        actor=actor,
        old=sr.status,
        new=sr.status,
        note=reason,
    )
    return complaint


def deletion_refusal(complaint: Complaint, at: dt.datetime | None = None) -> TransitionRefused | None:
    """Why this complaint may not be deleted now (None: it may). Shared by the API, pages and admin."""
    status = complaint.request.status
    if status not in FINAL_STATES:
        return TransitionRefused(
            "complaint_not_closed", _("A complaint is kept at least until it is closed and archived."), None
        )
    if complaint.important:
        return TransitionRefused("kept_for_good", _("An important complaint is kept for good."), None)
    until = complaint.retained_until(retention_years())
    today = local_date(at) if at is not None else local_today()
    if until is None or today <= until:
        return TransitionRefused(
            "within_retention",
            _("The complaint is kept until %(date)s and cannot be deleted before."),
            None,
            date=until.isoformat() if until else "-",
        )
    return None


@transaction.atomic
def delete_complaint(*, request: ServiceRequest, actor: Any) -> None:
    """Delete a complaint whose retention has passed: its register, rounds, plans and request.

    The history stays (it is append-only) and gets the deletion as its last entry.
    """
    if not has_role(actor, *MANAGERS):
        raise PermissionRefused()
    complaint = _complaint_of(request)
    refusal = deletion_refusal(complaint)
    if refusal is not None:
        raise refusal
    sr = complaint.request
    record_history(
        subject=sr,
        event="complaint_deleted",
        actor=actor,
        old=sr.status,
        note=sr.number,
        data={"retention_years": retention_years()},
    )
    try:
        with transaction.atomic():
            complaint.delete()
            ServiceRequest.objects.filter(pk=sr.pk).delete()
    except (ProtectedError, RestrictedError):
        raise TransitionRefused(
            "linked_records",
            _("Other records (callbacks, work orders...) still refer to this complaint."),
            None,
        ) from None
    log.info("complaint %s deleted by %s", sr.number, getattr(actor, "pk", None))


# The named action -> service function table used by the API and the pages.
ACTION_SERVICES: dict[str, Callable[..., Any]] = {
    "reply": reply_to_customer,
    "validate": validate_complaint,
    "invalidate": invalidate_complaint,
    "assign": assign_complaint,
    "investigate": record_investigation,
    "propose_plan": propose_plan,
    "check_plan": check_plan,
    "approve_plan": approve_plan,
    "reject_plan": reject_plan,
    "start_implementation": start_implementation,
    "complete_implementation": complete_implementation,
    "notify_customer": notify_customer,
    "follow_up": record_follow_up,
    "report": report_to_general_manager,
    "archive": archive_complaint,
    "cancel": cancel_complaint,
}
