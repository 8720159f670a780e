"""Reads for the returns engine and the return flow: the 三包 catalog from the database, the
configured policy, a case pre-filled from a unit and its repair history, the return list with
its clocks, and the causes of returns for the evaluation of departments and staff."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Unit
from aftersales.catalog.selectors import warranty_decision
from aftersales.core.clock import local_date, local_tz, now
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.core.models import HistoryEntry
from aftersales.core.permissions import Role
from aftersales.service.models import ServiceRequest, SlaClock
from aftersales.service.selectors import visible_requests
from aftersales.service.sla_services import clock_payload
from aftersales.service.workflow import RequestType, Status

from .models import NoReasonGoodsClass, ResponsibleDepartment, ReturnCase, ReturnCause, SanbaoCategory
from .policy import (
    Case,
    CaseError,
    Catalog,
    CompanyPromises,
    Condition,
    Decision,
    LegalLimits,
    Policy,
    PriceRules,
    WarrantyStatus,
    catalog_from_data,
    default_catalog,
    evaluate,
    warranty_start,
    warranty_status,
)
from .policy.dates import repair_stretches
from .policy.money import format_cny
from .policy.types import WHOLE_UNIT, Channel


def catalog_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The catalog tables as plain rows in the shape of the shipped JSON file."""
    categories: list[dict[str, Any]] = []
    for category in SanbaoCategory.objects.prefetch_related("parts").order_by("code"):
        categories.append(
            {
                "code": category.code,
                "name_zh": category.name_zh,
                "name_en": category.name_en,
                "product_rule": category.product_rule,
                "whole_unit_months": category.whole_unit_months,
                "daily_depreciation_percent": category.daily_depreciation_percent,
                "period_starts_on_installation": category.period_starts_on_installation,
                "durable": category.durable,
                "parts_delay_days": category.parts_delay_days,
                "loaner_after_days": category.loaner_after_days,
                "parts": [
                    {
                        "code": p.code,
                        "name_zh": p.name_zh,
                        "name_en": p.name_en,
                        "kind": p.kind,
                        "months": p.months,
                    }
                    for p in category.parts.all()
                ],
            }
        )
    goods_classes: list[dict[str, Any]] = [
        {
            "code": row.code,
            "name_zh": row.name_zh,
            "name_en": row.name_en,
            "no_reason_rule": row.no_reason_rule,
            "description_zh": row.description_zh,
            "description_en": row.description_en,
        }
        for row in NoReasonGoodsClass.objects.order_by("code")
    ]
    return categories, goods_classes


def load_policy_catalog() -> Catalog:
    """The engine's catalog built from the database rows an administrator maintains.

    Empty tables (the reference data not loaded yet) fall back to the shipped
    catalog, which is the legal baseline the data migration would have loaded.
    """
    categories, goods_classes = catalog_rows()
    if not categories and not goods_classes:
        return default_catalog()
    return catalog_from_data(categories, goods_classes)


def warranty_for(
    category_code: str, *, part_code: str = "whole_unit", start: date, on: date, repair_days: int = 0
) -> WarrantyStatus | None:
    """The 三包 period of a unit's category (or one of its parts) on a day; None outside the catalog.

    The intake warranty decision and the return engine read the same rows, so the
    two never disagree about a unit.
    """
    category = load_policy_catalog().category(category_code)
    if category is None:
        return None
    return warranty_status(category, part_code=part_code, start=start, on=on, repair_days=repair_days)


def _override(obj: Any, values: Mapping[str, Any]) -> Any:
    known = {f.name: f for f in fields(obj)}
    unknown = set(values) - set(known)
    if unknown:
        raise ValueError(f"unknown returns policy setting(s): {', '.join(sorted(unknown))}")
    converted: dict[str, Any] = {
        name: Decimal(str(value)) if isinstance(getattr(obj, name), Decimal) else value
        for name, value in values.items()
    }
    if "excluded_categories" in converted:
        converted["excluded_categories"] = tuple(converted["excluded_categories"])
    if "customer_damage_conditions" in converted:
        converted["customer_damage_conditions"] = frozenset(
            Condition(c) for c in converted["customer_damage_conditions"]
        )
    return replace(obj, **converted)


def policy_from_settings(config: Mapping[str, Any] | None) -> Policy:
    """Build the policy from ``{"limits": {...}, "promises": {...}, "price_rules": {...}}`` overrides.

    Anything not given keeps the legal default; the company promises stay off
    unless ``promises.enabled`` is set.
    """
    config = config or {}
    return Policy(
        limits=_override(LegalLimits(), config.get("limits", {})),
        promises=_override(CompanyPromises(), config.get("promises", {})),
        price_rules=_override(PriceRules(), config.get("price_rules", {})),
    )


def current_policy() -> Policy:
    """The policy in force: ``settings.AFTERSALES["RETURNS_POLICY"]`` over the legal defaults."""
    return policy_from_settings(getattr(settings, "AFTERSALES", {}).get("RETURNS_POLICY"))


def decide_case(data: Mapping[str, Any]) -> Decision:
    """Decide a case given in its JSON form with the catalog and policy in force.

    Bad input raises ``ValidationFailed`` with the engine's code, the field at
    fault and the message in the active language.
    """
    try:
        case = Case.from_dict(data)
        return evaluate(case, catalog=load_policy_catalog(), policy=current_policy())
    except CaseError as error:
        raise ValidationFailed(
            error.code, error.message.get(translation.get_language()), error.field
        ) from error


# -- a case from the customer's unit --------------------------------------------------------------

#: The case category of goods outside the 三包 catalog: the general quality rule applies.
OUTSIDE_CATALOG = "general"


@dataclass
class ReturnFacts:
    """What the agent learns from the customer; the rest of the case comes from the unit's records."""

    reason: str
    channel: str
    goods_class: str = "normal"
    signed_date: date | None = None
    part: str = WHOLE_UNIT
    performance_failure: bool = False
    condition: list[str] = field(default_factory=list)
    confirmed_not_returnable: bool = False
    same_model_available: bool = True
    wants: str | None = None
    delay_cause: str | None = None


@dataclass(frozen=True)
class RepairHistory:
    """The unit's repairs as the 三包 rules count them, up to the day of the request."""

    warranty_start: date | None
    warranty_end: date | None
    #: Reworks (a repair reopened for the same fault) within the warranty period.
    failed_repairs: int
    repair_days: int
    #: Received date of a repair request of the unit still open.
    in_repair_since: date | None
    repair_count: int


def case_category(unit: Unit, catalog: Catalog) -> str:
    code = unit.product_model.category.code
    return code if catalog.category(code) is not None else OUTSIDE_CATALOG


def _warranty_window(
    unit: Unit,
    catalog: Catalog,
    *,
    channel: str,
    signed_date: date | None,
    part: str,
    on: date,
    repair_days: int,
) -> tuple[date | None, date | None]:
    category = catalog.category(unit.product_model.category.code)
    if category is None:
        # Outside the 三包 catalog the unit's own warranty terms give the period.
        decision = warranty_decision(unit, on=on)
        return decision.starts_on, decision.ends_on
    start = warranty_start(
        category,
        channel=Channel(channel),
        invoice_date=unit.purchase_date,
        signed_date=signed_date,
        installed_date=unit.commissioning_date,
    )
    if start is None:
        return None, None
    # The period is extended by the days the unit spent in repair.
    status = warranty_status(category, part_code=part, start=start.date, on=on, repair_days=repair_days)
    return status.start, status.end


@dataclass(frozen=True)
class _Repairs:
    """A unit's repair requests with their reopen and resolve moves (day, in time order)."""

    unit: Unit
    requests: list[ServiceRequest]
    moves: list[tuple[int, str, date]]

    @classmethod
    def of(cls, unit: Unit) -> _Repairs:
        requests = list(
            ServiceRequest.objects.filter(unit=unit, type=RequestType.REPAIR).order_by("received_at", "pk")
        )
        moves = HistoryEntry.objects.filter(
            subject_type=ContentType.objects.get_for_model(ServiceRequest),
            subject_id__in=[r.pk for r in requests],
            event="transition",
            new_state__in=(Status.REOPENED, Status.RESOLVED),
        ).order_by("at", "pk")
        return cls(unit, requests, [(m.subject_id, m.new_state, local_date(m.at)) for m in moves])

    def days_in_repair(self, on: date) -> int:
        """Days recorded on the unit plus the finished stretches of its repairs up to ``on``."""
        stretches = repair_stretches(
            {r.pk: local_date(r.received_at) for r in self.requests},
            [(pk, state == Status.REOPENED, day) for pk, state, day in self.moves],
        )
        return self.unit.repair_days + sum((b - a).days for a, b in stretches if b <= on)


def repair_history(
    unit: Unit, *, start: date | None, end: date | None, on: date, repairs: _Repairs | None = None
) -> RepairHistory:
    """The unit's repairs up to ``on`` as the 三包 rules count them.

    Failed repairs are the reopen events of the unit's repair requests (返修) dated within the
    warranty period. Days in repair come from the requests' history: from the day a repair was
    received (or reopened) to the day it was resolved, for every finished stretch, plus the
    days recorded on the unit for repairs before this system (``Unit.repair_days``).
    """
    repairs = repairs or _Repairs.of(unit)
    failed = 0
    if start is not None and end is not None:
        last = min(end, on)
        failed = sum(
            1 for _id, state, day in repairs.moves if state == Status.REOPENED and start <= day <= last
        )
    open_repair = next((r for r in repairs.requests if r.is_open), None)
    since = local_date(open_repair.received_at) if open_repair is not None else None
    return RepairHistory(
        warranty_start=start,
        warranty_end=end,
        failed_repairs=failed,
        repair_days=repairs.days_in_repair(on),
        in_repair_since=since if since is not None and since <= on else None,
        repair_count=len(repairs.requests),
    )


def _check_facts(facts: ReturnFacts) -> None:
    if facts.channel not in {c.value for c in Channel}:
        raise ValidationFailed("invalid_channel", _("Choose where the goods were bought."), "channel")
    if facts.reason not in ("no_reason", "quality"):
        raise ValidationFailed("invalid_reason", _("Choose the reason of the return."), "reason")


def unit_history(
    unit: Unit, facts: ReturnFacts, request_date: date, catalog: Catalog | None = None
) -> RepairHistory:
    _check_facts(facts)
    catalog = catalog or load_policy_catalog()
    repairs = _Repairs.of(unit)
    start, end = _warranty_window(
        unit,
        catalog,
        channel=facts.channel,
        signed_date=facts.signed_date,
        part=facts.part,
        on=request_date,
        repair_days=repairs.days_in_repair(request_date),
    )
    return repair_history(unit, start=start, end=end, on=request_date, repairs=repairs)


def case_from_unit(
    unit: Unit, request_date: date, facts: ReturnFacts, *, catalog: Catalog | None = None
) -> dict[str, Any]:
    """The case in the engine's JSON form: purchase, price, installation and repair history from
    the unit; channel, goods class, signing date and the customer's account from ``facts``."""
    catalog = catalog or load_policy_catalog()
    history = unit_history(unit, facts, request_date, catalog)
    data: dict[str, Any] = {
        "category": case_category(unit, catalog),
        "part": facts.part or WHOLE_UNIT,
        "goods_class": facts.goods_class or "normal",
        "channel": facts.channel,
        "price_paid": format_cny(unit.price_paid),
        "invoice_date": unit.purchase_date.isoformat(),
        "signed_date": facts.signed_date.isoformat() if facts.signed_date else None,
        "installed_date": unit.commissioning_date.isoformat() if unit.commissioning_date else None,
        "request_date": request_date.isoformat(),
        "reason": facts.reason,
        "performance_failure": facts.performance_failure,
        "condition": sorted(set(facts.condition)),
        "confirmed_not_returnable": facts.confirmed_not_returnable,
        "failed_repairs": history.failed_repairs,
        "repair_days": history.repair_days,
        "in_repair_since": history.in_repair_since.isoformat() if history.in_repair_since else None,
        "delay_cause": (facts.delay_cause or None) if history.in_repair_since else None,
        "same_model_available": facts.same_model_available,
        "wants": facts.wants or None,
    }
    return {k: v for k, v in data.items() if v is not None}


def check_case(data: Mapping[str, Any]) -> Case:
    """The case read and checked, or ``ValidationFailed`` naming the field (in the active language)."""
    try:
        return Case.from_dict(data)
    except CaseError as error:
        raise ValidationFailed(
            error.code, error.message.get(translation.get_language()), error.field
        ) from error


# -- the return list and its clocks ---------------------------------------------------------------

RETURN_CLOCKS = ("return_deadline", "refund_due")

CLOCK_STATE_LABELS = {
    "running": _("Running"),
    "paused": _("Paused"),
    "met": _("Met"),
    "breached": _("Overdue"),
    "stopped": _("Stopped"),
}

CLOCK_LABELS = {
    "return_deadline": _("15-day deadline"),
    "refund_due": _("Refund within 7 days"),
}


def return_requests(user: Any) -> QuerySet[ServiceRequest]:
    """The return requests this user may see, with their case and clocks."""
    return (
        visible_requests(user)
        .filter(type=RequestType.RETURN)
        .select_related("return_case", "unit__product_model__category")
        .prefetch_related(
            Prefetch("clocks", queryset=SlaClock.objects.select_related("policy").order_by("id"))
        )
    )


def access_return(user: Any, number: str) -> ServiceRequest:
    """A return request by number, or "not found" for both missing and not-yours."""
    sr = return_requests(user).filter(number=number.strip().upper()).first()
    if sr is None:
        raise NotFound()
    return sr


def return_case_of(sr: ServiceRequest) -> ReturnCase | None:
    try:
        return sr.return_case
    except ReturnCase.DoesNotExist:
        return None


def clock_view(clock: SlaClock, at: dt.datetime | None = None) -> dict[str, Any]:
    """A clock as a badge: green while comfortably in time or met in time, amber once past its
    warning share (or paused), red when overdue or met late."""
    payload = clock_payload(clock, at)
    state = payload["state"]
    warn_share = clock.ratios[0] if clock.ratios else 1.0
    if state == "breached":
        badge = "badge-bad"
    elif state == "met":
        badge = "badge-ok"
    elif state == "stopped":
        badge = ""
    elif state == "paused" or payload["margin_seconds"] <= payload["target_seconds"] * (1 - warn_share):
        badge = "badge-warn"
    else:
        badge = "badge-ok"
    return {
        **payload,
        "code": clock.code,
        "name": str(CLOCK_LABELS.get(clock.code, payload["label"])),
        "badge": badge,
        "state_label": str(CLOCK_STATE_LABELS.get(state, state)),
    }


def return_clocks(sr: ServiceRequest, at: dt.datetime | None = None) -> dict[str, dict[str, Any]]:
    at = at or now()
    return {c.code: clock_view(c, at) for c in sr.clocks.all() if c.code in RETURN_CLOCKS}


@dataclass
class ReturnFilters:
    status: str | None = None
    q: str | None = None
    is_open: bool | None = None
    overdue: bool = False


def filter_returns(user: Any, f: ReturnFilters) -> QuerySet[ServiceRequest]:
    qs = return_requests(user)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.is_open is not None:
        qs = qs.filter(is_open=f.is_open)
    if f.q and f.q.strip():
        text = f.q.strip()
        qs = qs.filter(
            Q(number__iexact=text) | Q(unit__serial_number__iexact=text) | Q(customer__name__icontains=text)
        )
    if f.overdue:
        late = SlaClock.objects.filter(code__in=RETURN_CLOCKS).filter(
            Q(state="breached") | Q(met_at__isnull=True, running_since__isnull=False, due_at__lt=now())
        )
        qs = qs.filter(pk__in=late.values("request_id"))
    return qs.order_by("-received_at", "-id")


def return_rows(requests: Any, at: dt.datetime | None = None) -> list[dict[str, Any]]:
    at = at or now()
    return [{"sr": sr, "case": return_case_of(sr), "clocks": return_clocks(sr, at)} for sr in requests]


# -- causes and responsibility, for the evaluation of departments and staff ----------------------


def return_cause_summary(*, start: date, end: date) -> list[dict[str, Any]]:
    """Returns, exchanges and repairs whose goods came back in ``[start, end]`` (local days), by
    cause, responsible department and person: how many, and how much was refunded."""
    tz = local_tz()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = (
        ReturnCase.objects.filter(goods_received_at__gte=since, goods_received_at__lt=until)
        .exclude(cause="")
        .values("cause", "responsible_department", "responsible_person", "responsible_person__username")
        .annotate(count=Count("id"), refunded=Sum("refund_paid"))
        .order_by("-count", "cause", "responsible_department")
    )
    causes, departments = dict(ReturnCause.choices), dict(ResponsibleDepartment.choices)
    return [
        {
            "cause": row["cause"],
            "cause_label": str(causes.get(row["cause"], row["cause"])),
            "department": row["responsible_department"],
            "department_label": str(departments.get(row["responsible_department"], "")),
            "person_id": row["responsible_person"],
            "person": row["responsible_person__username"] or "",
            "count": row["count"],
            "refunded": row["refunded"] or Decimal("0.00"),
        }
        for row in rows
    ]


def staff_people() -> QuerySet[Any]:
    """Active staff who may be named responsible for a return (customers excluded)."""
    from django.contrib.auth import get_user_model

    staff_roles = [r for r in Role.values if r != Role.CUSTOMER]
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=staff_roles)
        .distinct()
        .order_by("username")
    )
