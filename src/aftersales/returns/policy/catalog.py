"""The 三包 catalog and the no-reason goods classes, as the engine sees them.

The shipped reference data is ``aftersales/returns/data/sanbao_catalog.json``;
the Django app loads the same file into editable tables and rebuilds a
``Catalog`` from the rows (``selectors.load_policy_catalog``), both through
``catalog_from_data`` so the two paths cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any

from .clauses import PRODUCT_RULES
from .text import Text
from .types import NoReasonRule, PartKind

#: The statutory goods classes and the rule the law gives each; the catalog may rename
#: them and add classes of its own, but cannot change how the law treats these.
STATUTORY_GOODS_CLASSES: dict[str, NoReasonRule] = {
    "normal": NoReasonRule.RETURNABLE,
    "custom_made": NoReasonRule.EXCLUDED,
    "fresh_perishable": NoReasonRule.EXCLUDED,
    "digital_content": NoReasonRule.EXCLUDED,
    "newspaper_periodical": NoReasonRule.EXCLUDED,
    "hygiene_sealed": NoReasonRule.EXCLUDED_IF_CONFIRMED,
    "activation_devalued": NoReasonRule.EXCLUDED_IF_CONFIRMED,
    "near_expiry_or_defect_disclosed": NoReasonRule.EXCLUDED_IF_CONFIRMED,
}

CATALOG_FILE = "sanbao_catalog.json"


class CatalogError(ValueError):
    """The catalog data breaks a rule of the law or of its own shape."""


@dataclass(frozen=True)
class PartPolicy:
    code: str
    name: Text
    kind: PartKind
    months: int


@dataclass(frozen=True)
class CategoryPolicy:
    code: str
    name: Text
    product_rule: str
    whole_unit_months: int
    #: Percent of the price per day (0.05 means 0.05 %); None until an administrator sets it.
    daily_depreciation_percent: Decimal | None
    period_starts_on_installation: bool
    durable: bool
    #: Overrides ``LegalLimits.parts_delay_days`` (phones: 60).
    parts_delay_days: int | None
    #: A loaner is due when a repair is open longer than this (fixed phones: 3).
    loaner_after_days: int | None
    parts: tuple[PartPolicy, ...] = ()

    def part(self, code: str) -> PartPolicy | None:
        return next((p for p in self.parts if p.code == code), None)


@dataclass(frozen=True)
class GoodsClassPolicy:
    code: str
    name: Text
    no_reason_rule: NoReasonRule
    description: Text


@dataclass(frozen=True)
class Catalog:
    categories: Mapping[str, CategoryPolicy] = field(default_factory=dict)
    goods_classes: Mapping[str, GoodsClassPolicy] = field(default_factory=dict)

    def category(self, code: str) -> CategoryPolicy | None:
        return self.categories.get(code)


def _positive_int(value: Any, where: str, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise CatalogError(f"{where}: expected a positive whole number, got {value!r}")
    return value


def _rate(value: Any, where: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        rate = Decimal(str(value))
    except InvalidOperation as exc:
        raise CatalogError(f"{where}: not a number: {value!r}") from exc
    if not rate.is_finite() or rate < 0 or rate > 100:
        raise CatalogError(f"{where}: a daily rate in percent must be between 0 and 100, got {value!r}")
    return rate


def _text(row: Mapping[str, Any], stem: str) -> Text:
    return Text(str(row.get(f"{stem}_zh") or ""), str(row.get(f"{stem}_en") or ""))


def _category(row: Mapping[str, Any]) -> CategoryPolicy:
    code = row.get("code")
    if not code or not isinstance(code, str):
        raise CatalogError(f"category without a code: {row!r}")
    where = f"category {code}"
    rule = row.get("product_rule") or "sanbao_1995"
    if rule not in PRODUCT_RULES:
        raise CatalogError(f"{where}: unknown product rule {rule!r}")
    parts = []
    seen: set[str] = set()
    for part in row.get("parts") or ():
        part_code = part.get("code")
        if not part_code or part_code in seen:
            raise CatalogError(f"{where}: part code missing or repeated: {part_code!r}")
        seen.add(part_code)
        try:
            kind = PartKind(part.get("kind"))
        except ValueError as exc:
            raise CatalogError(f"{where}, part {part_code}: unknown kind {part.get('kind')!r}") from exc
        months = _positive_int(part.get("months"), f"{where}, part {part_code}")
        assert months is not None
        parts.append(PartPolicy(part_code, _text(part, "name"), kind, months))
    whole_unit_months = _positive_int(row.get("whole_unit_months"), f"{where}: whole_unit_months")
    assert whole_unit_months is not None
    return CategoryPolicy(
        code=code,
        name=_text(row, "name"),
        product_rule=rule,
        whole_unit_months=whole_unit_months,
        daily_depreciation_percent=_rate(row.get("daily_depreciation_percent"), where),
        period_starts_on_installation=bool(row.get("period_starts_on_installation")),
        durable=bool(row.get("durable", True)),
        parts_delay_days=_positive_int(
            row.get("parts_delay_days"), f"{where}: parts_delay_days", allow_none=True
        ),
        loaner_after_days=_positive_int(
            row.get("loaner_after_days"), f"{where}: loaner_after_days", allow_none=True
        ),
        parts=tuple(parts),
    )


def _goods_class(row: Mapping[str, Any]) -> GoodsClassPolicy:
    code = row.get("code")
    if not code or not isinstance(code, str):
        raise CatalogError(f"goods class without a code: {row!r}")
    try:
        rule = NoReasonRule(str(row.get("no_reason_rule")))
    except ValueError as exc:
        raise CatalogError(f"goods class {code}: unknown rule {row.get('no_reason_rule')!r}") from exc
    statutory = STATUTORY_GOODS_CLASSES.get(code)
    if statutory is not None and rule != statutory:
        raise CatalogError(f"goods class {code}: the law sets {statutory.value}, the data says {rule.value}")
    if statutory is None and rule == NoReasonRule.EXCLUDED:
        # Only the law can exclude goods outright; anything else needs the consumer's confirmation.
        raise CatalogError(f"goods class {code}: a class of our own can only be excluded if confirmed")
    return GoodsClassPolicy(code, _text(row, "name"), rule, _text(row, "description"))


def catalog_from_data(
    categories: Iterable[Mapping[str, Any]], goods_classes: Iterable[Mapping[str, Any]]
) -> Catalog:
    """Build and check a catalog from plain rows (the JSON file's or the database's)."""
    built_categories: dict[str, CategoryPolicy] = {}
    for row in categories:
        category = _category(row)
        if category.code in built_categories:
            raise CatalogError(f"category {category.code} appears twice")
        built_categories[category.code] = category
    built_classes: dict[str, GoodsClassPolicy] = {}
    for row in goods_classes:
        goods_class = _goods_class(row)
        if goods_class.code in built_classes:
            raise CatalogError(f"goods class {goods_class.code} appears twice")
        built_classes[goods_class.code] = goods_class
    missing = set(STATUTORY_GOODS_CLASSES) - set(built_classes)
    if missing:
        raise CatalogError(f"statutory goods classes missing: {', '.join(sorted(missing))}")
    return Catalog(categories=built_categories, goods_classes=built_classes)


def shipped_catalog_data() -> dict[str, Any]:
    """The reference data as shipped in the package (read fresh on every call)."""
    path = resources.files("aftersales.returns").joinpath("data", CATALOG_FILE)
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    data = shipped_catalog_data()
    return catalog_from_data(data["categories"], data["goods_classes"])
