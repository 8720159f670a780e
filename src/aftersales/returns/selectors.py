"""Reads for the returns engine: the 三包 catalog from the database and the configured policy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation

from aftersales.core.errors import ValidationFailed

from .models import NoReasonGoodsClass, SanbaoCategory
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
    warranty_status,
)


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
