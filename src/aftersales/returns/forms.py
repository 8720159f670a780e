"""Forms of the return pages: the case the agent enters from a unit, and the flow's action forms.

The engine's vocabularies (channels, conditions, outcomes, goods classes, parts) are labelled
with the engine's own bilingual names, so the page and the decision use the same words.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Unit
from aftersales.core.clock import local_tz
from aftersales.core.errors import ValidationFailed
from aftersales.service.workflow import Channel as ContactChannel

from .models import ResponsibleDepartment, ReturnCause, ReturnReason
from .policy import Catalog, Channel, Condition, DelayCause, Outcome
from .policy.text import CHANNEL_LABELS, CONDITION_LABELS, OUTCOME_LABELS
from .policy.types import WHOLE_UNIT
from .selectors import ReturnFacts

WANTS_CHOICES = [
    ("", _("No preference")),
    ("return", _("Return and refund")),
    ("exchange", _("Exchange")),
    ("repair", _("Repair")),
]
DELAY_CHOICES = [
    ("", _("No delay")),
    (DelayCause.PARTS_NOT_SUPPLIED.value, _("Parts not supplied by the producer")),
    (DelayCause.REPAIRER.value, _("The repairer's own delay")),
]


def _language() -> str:
    return get_language() or "zh-hans"


def condition_choices() -> list[tuple[str, str]]:
    lang = _language()
    return [(c.value, CONDITION_LABELS[c].get(lang)) for c in Condition]


def outcome_label(code: str) -> str:
    try:
        return OUTCOME_LABELS[Outcome(code)].get(_language())
    except ValueError:
        return code


class ReturnCaseForm(forms.Form):
    """The facts the customer tells; the rest of the case comes from the unit's records."""

    reason = forms.ChoiceField(
        label=pgettext_lazy("return", "Reason"), choices=ReturnReason.choices, initial=ReturnReason.QUALITY
    )
    channel = forms.ChoiceField(label=_("Bought through"))
    signed_date = forms.DateField(
        label=_("Signed for on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For distance sales: the day the customer signed for the goods."),
    )
    goods_class = forms.ChoiceField(label=_("Goods class (no-reason returns)"))
    part = forms.ChoiceField(label=_("Faulty part"))
    performance_failure = forms.BooleanField(label=_("Performance failure"), required=False)
    condition = forms.MultipleChoiceField(
        label=_("Condition of the goods"), required=False, widget=forms.CheckboxSelectMultiple
    )
    confirmed_not_returnable = forms.BooleanField(
        label=_("Customer confirmed at purchase that it is not returnable"), required=False
    )
    same_model_available = forms.BooleanField(
        label=_("Same model and specification in stock"), required=False, initial=True
    )
    wants = forms.ChoiceField(label=_("Customer asks for"), choices=WANTS_CHOICES, required=False)
    delay_cause = forms.ChoiceField(label=_("Delay of an open repair"), choices=DELAY_CHOICES, required=False)
    description = forms.CharField(
        label=_("What the customer says"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    contact_channel = forms.ChoiceField(
        label=_("Customer contacted us by"), choices=ContactChannel.choices, initial=ContactChannel.PHONE
    )

    def __init__(self, *args: Any, unit: Unit, catalog: Catalog, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lang = _language()
        category = catalog.category(unit.product_model.category.code)
        parts = [(p.code, p.name.get(lang)) for p in category.parts] if category is not None else []
        choices: dict[str, list[tuple[str, Any]]] = {
            "channel": [(c.value, CHANNEL_LABELS[c].get(lang)) for c in Channel],
            "goods_class": [
                (code, goods.name.get(lang)) for code, goods in sorted(catalog.goods_classes.items())
            ],
            "part": [(WHOLE_UNIT, _("Whole unit")), *parts],
            "condition": condition_choices(),
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = options
        if not self.is_bound:
            self.initial.setdefault("channel", Channel.STORE.value)
            self.initial.setdefault("goods_class", "normal")
            self.initial.setdefault("part", WHOLE_UNIT)
            # The delivery is the best guess of the signing day; the agent confirms it.
            self.initial.setdefault("signed_date", unit.delivery_date)

    def facts(self) -> ReturnFacts:
        data = self.cleaned_data
        return ReturnFacts(
            reason=data["reason"],
            channel=data["channel"],
            goods_class=data["goods_class"],
            signed_date=data["signed_date"],
            part=data["part"],
            performance_failure=data["performance_failure"],
            condition=list(data["condition"]),
            confirmed_not_returnable=data["confirmed_not_returnable"],
            same_model_available=data["same_model_available"],
            wants=data["wants"] or None,
            delay_cause=data["delay_cause"] or None,
        )


def local_instant(value: str) -> dt.datetime | None:
    """A ``datetime-local`` input (no zone) read as Asia/Shanghai time; empty means now."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        naive = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed("invalid_time", _("Enter a date and time."), "received_at") from None
    return naive if timezone.is_aware(naive) else naive.replace(tzinfo=local_tz())


CAUSE_CHOICES = [("", "—"), *ReturnCause.choices]
DEPARTMENT_CHOICES = [("", "—"), *ResponsibleDepartment.choices]
