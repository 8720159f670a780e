"""A decision: exactly the fields of the spec's interface, each text in both languages.

``Decision.to_dict(language)`` renders the JSON the API and the CLI print, with
every text in the chosen language (Chinese unless English is asked for).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .clauses import Clause
from .money import format_cny
from .text import Text, normalize_language
from .types import Layer, Outcome, Payer


@dataclass(frozen=True)
class Citation:
    """One step of the evaluation: which layer, which clause, and what it found in this case."""

    layer: Layer
    step: str
    clause: Clause
    finding: Text
    #: True for the step that decided the outcome.
    decisive: bool = False

    def to_dict(self, language: str) -> dict[str, Any]:
        return {
            "layer": self.layer.value,
            "step": self.step,
            "code": self.clause.code,
            "source": self.clause.source.name.get(language),
            "article": self.clause.article.get(language),
            "text": self.clause.summary.get(language),
            "finding": self.finding.get(language),
            "decisive": self.decisive,
        }


@dataclass(frozen=True)
class Violation:
    code: str
    clause: Clause
    due_date: date
    actual_date: date
    days_late: int
    message: Text

    def to_dict(self, language: str) -> dict[str, Any]:
        return {
            "code": self.code,
            "due_date": self.due_date.isoformat(),
            "actual_date": self.actual_date.isoformat(),
            "days_late": self.days_late,
            "source": self.clause.source.name.get(language),
            "article": self.clause.article.get(language),
            "message": self.message.get(language),
        }


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    #: What the consumer may choose among, strongest remedy first.
    options: tuple[Outcome, ...]
    #: What a return refunds; set whenever a return is among the options.
    refund_amount: Decimal | None
    depreciation: Decimal | None
    return_shipping_paid_by: Payer | None
    #: Set when the outcome is a return and the deadline can be known from the case.
    refund_due_date: date | None
    violations: tuple[Violation, ...]
    clauses: tuple[Citation, ...]
    explanation: Text

    @property
    def decided_by(self) -> Citation | None:
        return next((c for c in self.clauses if c.decisive), None)

    def to_dict(self, language: str | None = None) -> dict[str, Any]:
        lang = normalize_language(language)
        return {
            "outcome": self.outcome.value,
            "options": [o.value for o in self.options],
            "refund_amount": None if self.refund_amount is None else format_cny(self.refund_amount),
            "depreciation": None if self.depreciation is None else format_cny(self.depreciation),
            "return_shipping_paid_by": None
            if self.return_shipping_paid_by is None
            else self.return_shipping_paid_by.value,
            "refund_due_date": None if self.refund_due_date is None else self.refund_due_date.isoformat(),
            "violations": [v.to_dict(lang) for v in self.violations],
            "clauses": [c.to_dict(lang) for c in self.clauses],
            "explanation": self.explanation.get(lang),
        }
