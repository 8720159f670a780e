"""Business actions on suggestions: register, send to a department, decide, tell the customer,
close, grade, and issue the yearly certificates of thanks.

The state moves go through ``aftersales.service.services.move_request`` (the suggestion flow
in ``workflow.py``); the details are written here in the same transaction, with a history row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.clock import local_date, local_tz, now
from aftersales.core.errors import PermissionRefused, StaleState, TransitionRefused, ValidationFailed
from aftersales.core.history import record_history
from aftersales.core.notifications import notify
from aftersales.core.numbering import next_in_sequence
from aftersales.core.permissions import Role, has_role
from aftersales.customers.models import Customer
from aftersales.service.models import ClockCode, ServiceRequest, SlaClock
from aftersales.service.services import Registration, RequestInput, move_request, register_request
from aftersales.service.workflow import Channel, RequestType, Status

from .models import (
    SCORE_MAX,
    Certificate,
    ContactChannel,
    Department,
    RewardGrade,
    Subject,
    Suggestion,
    SuggestionContact,
)
from .workflow import TOLD_STATES

# Suggestions arrive by e-mail, letter, phone or the customer portal (spec).
RECEIVING_CHANNELS = (Channel.EMAIL, Channel.LETTER, Channel.PHONE, Channel.WEB)
DESK = (Role.AGENT, Role.MANAGER, Role.ADMIN)
COMMITTEE = (Role.MANAGER, Role.ADMIN)


def decision_days() -> int:
    conf: dict[str, Any] = settings.AFTERSALES
    return int(conf.get("SUGGESTION_DECISION_DAYS", 60))


def certificate_minimum() -> int:
    conf: dict[str, Any] = settings.AFTERSALES
    return int(conf.get("SUGGESTION_CERTIFICATE_MIN", 3))


@dataclass
class SuggestionInput:
    customer_id: int
    channel: str
    subject: str
    description: str
    received_at: dt.datetime | None = None
    contact_phone: str = ""


@transaction.atomic
def register_suggestion(*, data: SuggestionInput, actor: Any) -> Registration:
    """Receive a suggestion: a ServiceRequest of type ``suggestion`` (its decision clock starts
    with it) and its details."""
    if data.channel not in RECEIVING_CHANNELS:
        raise ValidationFailed(
            "invalid_channel",
            _("A suggestion arrives by e-mail, letter, phone or the portal."),
            field="channel",
        )
    if data.subject not in Subject.values:
        raise ValidationFailed("invalid_subject", _("Choose the suggestion's subject."), field="subject")
    if has_role(actor, Role.CUSTOMER) and data.channel != Channel.WEB:
        raise ValidationFailed(
            "invalid_channel", _("Customers send suggestions through the portal."), field="channel"
        )
    if not has_role(actor, *DESK, Role.CUSTOMER):
        raise PermissionRefused()
    reg = register_request(
        data=RequestInput(
            type=RequestType.SUGGESTION,
            channel=data.channel,
            customer_id=data.customer_id,
            description=data.description,
            received_at=data.received_at,
            contact_phone=data.contact_phone,
        ),
        actor=actor,
    )
    Suggestion.objects.create(request=reg.request, subject=data.subject)
    record_history(
        subject=reg.request,
        event="suggestion_subject",
        actor=actor,
        note=data.subject,
        data={"subject": data.subject},
    )
    return reg


def _detail(request: ServiceRequest) -> Suggestion:
    if request.type != RequestType.SUGGESTION:
        raise ValidationFailed("not_a_suggestion", _("This request is not a suggestion."), field="type")
    detail = Suggestion.objects.select_for_update().filter(request=request).first()
    if detail is None:
        raise ValidationFailed("not_a_suggestion", _("This request is not a suggestion."), field="type")
    return detail


def decision_deadline(request: ServiceRequest) -> dt.datetime:
    """When the decision is due: the ``suggestion_decided`` clock's due time, or the received
    time plus the configured days when no clock runs (no policy, or it was paused)."""
    clock = SlaClock.objects.filter(request=request, code=ClockCode.SUGGESTION_DECIDED).first()
    if clock is not None and clock.due_at is not None:
        return clock.due_at
    return request.received_at + dt.timedelta(days=decision_days())


@transaction.atomic
def forward_suggestion(
    *, request: ServiceRequest, department_id: int, actor: Any, note: str = ""
) -> ServiceRequest:
    """Send the suggestion to the responsible department (again, to another one, if it was wrong)."""
    detail = _detail(request)
    department = Department.objects.filter(pk=department_id, active=True).first()
    if department is None:
        raise ValidationFailed("unknown_department", _("Choose an active department."), field="department_id")
    if detail.department_id == department.pk and request.status == Status.FORWARDED:
        raise ValidationFailed(
            "same_department", _("The suggestion is already with this department."), field="department_id"
        )
    request = move_request(
        request=request,
        action="forward",
        actor=actor,
        note=note,
        data={
            "department": department.code,
            "from_department": detail.department.code if detail.department else None,
        },
    )
    detail.department = department
    detail.forwarded_at = now()
    detail.forwarded_by = actor
    detail.save(update_fields=["department", "forwarded_at", "forwarded_by"])
    if department.head_id:
        notify(
            recipients=[department.head],
            kind="suggestion_forwarded",
            subject=str(_("Suggestion %(number)s sent to %(department)s"))
            % {"number": request.number, "department": department.name},
            body=request.description,
            event_key=f"suggestion:{request.pk}:forward:{department.pk}:{detail.forwarded_at.isoformat()}",
            data={"request": request.number, "department": department.code},
        )
    return request


def _decide(detail: Suggestion, actor: Any, at: dt.datetime, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(detail, name, value)
    detail.decided_at = at
    detail.decided_by = actor
    detail.save()


def _meet_decision_clock(request: ServiceRequest, actor: Any, at: dt.datetime) -> None:
    from aftersales.service.sla_services import meet_clock

    meet_clock(request=request, code=ClockCode.SUGGESTION_DECIDED, actor=actor, at=at)


@transaction.atomic
def adopt_suggestion(
    *, request: ServiceRequest, implementation_date: dt.date | None, measures: str, actor: Any, note: str = ""
) -> ServiceRequest:
    detail = _detail(request)
    if implementation_date is None:
        raise ValidationFailed(
            "implementation_date_required", _("Give the implementation date."), field="implementation_date"
        )
    if implementation_date < local_date(request.received_at):
        raise ValidationFailed(
            "implementation_before_receipt",
            _("The implementation date cannot be before the suggestion was received."),
            field="implementation_date",
        )
    if not measures.strip():
        raise ValidationFailed(
            "measures_required", _("Describe the measures that implement it."), field="measures"
        )
    request = move_request(
        request=request,
        action="adopt",
        actor=actor,
        note=note or measures,
        data={"implementation_date": implementation_date.isoformat()},
    )
    at = now()
    _decide(
        detail, actor, at, implementation_date=implementation_date, measures=measures.strip(), held_until=None
    )
    _meet_decision_clock(request, actor, at)
    return request


@transaction.atomic
def reject_suggestion(*, request: ServiceRequest, thanks: str, actor: Any, note: str = "") -> ServiceRequest:
    """Not adopted: the customer is thanked all the same (the thanks are what they will be told)."""
    detail = _detail(request)
    if not thanks.strip():
        raise ValidationFailed(
            "thanks_required", _("Write the thanks and explanation for the customer."), field="thanks"
        )
    request = move_request(request=request, action="reject", actor=actor, note=note or thanks)
    at = now()
    _decide(detail, actor, at, thanks=thanks.strip(), held_until=None)
    _meet_decision_clock(request, actor, at)
    return request


@transaction.atomic
def hold_suggestion(
    *, request: ServiceRequest, reason: str, held_until: dt.date | None, actor: Any
) -> ServiceRequest:
    """Keep the suggestion for later, with the reason; never past the decision deadline."""
    detail = _detail(request)
    deadline = local_date(decision_deadline(request))
    today = local_date(now())
    if deadline < today:
        raise TransitionRefused(
            "decision_overdue",
            _("The %(days)s days to decide have passed: adopt or reject the suggestion now."),
            "status",
            days=decision_days(),
        )
    if held_until is None:
        held_until = deadline
    if held_until < today:
        raise ValidationFailed("held_until_past", _("The hold must end today or later."), field="held_until")
    if held_until > deadline:
        raise ValidationFailed(
            "hold_too_long",
            _(
                "A suggestion is decided within %(days)s days of receipt: hold it until %(deadline)s at the latest."
            ),
            field="held_until",
            days=decision_days(),
            deadline=deadline.isoformat(),
        )
    request = move_request(
        request=request, action="hold", actor=actor, note=reason, data={"held_until": held_until.isoformat()}
    )
    detail.hold_reason = reason.strip()
    detail.held_until = held_until
    detail.decided_by = actor
    detail.save(update_fields=["hold_reason", "held_until", "decided_by"])
    return request


@transaction.atomic
def tell_customer(*, request: ServiceRequest, channel: str, note: str, actor: Any) -> SuggestionContact:
    """Record the contact that told the customer the current decision (adopted, rejected, held)."""
    detail = _detail(request)
    if not has_role(actor, *DESK):
        raise PermissionRefused()
    if channel not in ContactChannel.values:
        raise ValidationFailed("invalid_channel", _("Unknown contact channel."), field="channel")
    if not note.strip():
        raise ValidationFailed("note_required", _("Write what the customer was told."), field="note")
    current = ServiceRequest.objects.filter(pk=request.pk).values_list("status", flat=True).first()
    if current != request.status:
        raise StaleState()
    if request.status not in TOLD_STATES:
        raise TransitionRefused(
            "nothing_to_tell", _("There is no decision to tell the customer yet."), "status"
        )
    at = now()
    contact = SuggestionContact.objects.create(
        suggestion=detail, status=request.status, channel=channel, note=note.strip(), at=at, by=actor
    )
    Suggestion.objects.filter(pk=detail.pk).update(told_status=request.status, told_at=at)
    record_history(
        subject=request,
        event="customer_told",
        actor=actor,
        old=request.status,
        new=request.status,
        note=note.strip(),
        at=at,
        data={"channel": channel, "told_of": request.status, "contact": contact.pk},
    )
    return contact


@transaction.atomic
def close_suggestion(*, request: ServiceRequest, actor: Any, note: str = "") -> ServiceRequest:
    _detail(request)
    # The guard reads the told state from the request's detail row: fetch it fresh.
    request = ServiceRequest.objects.select_related("suggestion").get(pk=request.pk)
    return move_request(request=request, action="close", actor=actor, note=note, changes={"closed_at": now()})


@transaction.atomic
def grade_suggestion(
    *, request: ServiceRequest, creativity: int, feasibility: int, benefit: int, actor: Any, note: str = ""
) -> Suggestion:
    """The review committee scores an adopted suggestion; the total picks the grade and its reward."""
    detail = _detail(request)
    if not has_role(actor, *COMMITTEE):
        raise PermissionRefused()
    adopted = ServiceRequest.objects.filter(pk=request.pk, status=Status.ADOPTED).exists() or (
        request.status == Status.CLOSED and detail.implementation_date is not None
    )
    if not adopted:
        raise TransitionRefused("not_adopted", _("Only adopted suggestions are graded."), "status")
    for name, value in (("creativity", creativity), ("feasibility", feasibility), ("benefit", benefit)):
        if not isinstance(value, int) or not 1 <= value <= SCORE_MAX:
            raise ValidationFailed(
                "invalid_score", _("Score each criterion from 1 to %(max)s."), field=name, max=SCORE_MAX
            )
    score = creativity + feasibility + benefit
    grade = RewardGrade.objects.filter(active=True, min_score__lte=score).order_by("-min_score").first()
    if grade is None:
        raise ValidationFailed(
            "no_grade", _("No reward grade covers this score; check the grade table."), field="score"
        )
    old = {
        "score": detail.score,
        "grade": detail.grade.code if detail.grade else None,
        "reward": str(detail.reward or ""),
    }
    at = now()
    detail.creativity, detail.feasibility, detail.benefit = creativity, feasibility, benefit
    detail.score, detail.grade, detail.reward = score, grade, grade.reward
    detail.committee_note = note.strip()
    detail.graded_at, detail.graded_by = at, actor
    detail.save()
    record_history(
        subject=request,
        event="graded",
        actor=actor,
        old=request.status,
        new=request.status,
        note=note,
        at=at,
        data={"score": score, "grade": grade.code, "reward": str(grade.reward), "old": old},
    )
    return detail


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = local_tz()
    return (
        timezone.make_aware(dt.datetime(year, 1, 1), tz),
        timezone.make_aware(dt.datetime(year + 1, 1, 1), tz),
    )


def suggestion_counts(year: int) -> Any:
    """Per customer: suggestions received in the (local) year, not cancelled, and how many adopted."""
    start, end = _year_bounds(year)
    return (
        ServiceRequest.objects.filter(
            type=RequestType.SUGGESTION, received_at__gte=start, received_at__lt=end
        )
        .exclude(status=Status.CANCELLED)
        .values("customer_id")
        .annotate(
            total=Count("id"),
            adopted=Count("id", filter=Q(suggestion__implementation_date__isnull=False)),
        )
    )


@transaction.atomic
def issue_certificates(*, year: int, actor: Any) -> list[Certificate]:
    """Certificates of thanks for the year's customers with at least N suggestions, adopted or not.
    Customers who already have this year's certificate are skipped, so running it twice is harmless."""
    if not has_role(actor, *COMMITTEE):
        raise PermissionRefused()
    if year > local_date(now()).year:
        raise ValidationFailed("future_year", _("The year has not begun."), field="year")
    minimum = certificate_minimum()
    have = set(Certificate.objects.filter(year=year).values_list("customer_id", flat=True))
    at = now()
    issued = []
    for row in suggestion_counts(year).filter(total__gte=minimum).order_by("customer_id"):
        if row["customer_id"] in have:
            continue
        seq = next_in_sequence("CT", dt.date(year, 1, 1))
        cert = Certificate.objects.create(
            number=f"CT{year}-{seq:04d}",
            customer=Customer.objects.get(pk=row["customer_id"]),
            year=year,
            suggestion_count=row["total"],
            adopted_count=row["adopted"],
            issued_at=at,
            issued_by=actor,
        )
        record_history(
            subject=cert.customer,
            event="suggestion_certificate",
            actor=actor,
            note=cert.number,
            at=at,
            data={"year": year, "suggestions": row["total"], "adopted": row["adopted"]},
        )
        issued.append(cert)
    return issued


@transaction.atomic
def cancel_suggestion(*, request: ServiceRequest, actor: Any, note: str) -> ServiceRequest:
    _detail(request)
    return move_request(
        request=request, action="cancel", actor=actor, note=note, changes={"closed_at": now()}
    )
