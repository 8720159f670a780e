"""The complaint register form (申诉和投诉处理登记表) of the registration page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import selectors
from .models import Category, Severity, Source


class RegisterForm(forms.Form):
    unit_id = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.PHONE)
    complainant_name = forms.CharField(label=_("Complainant"), max_length=64)
    complainant_phone = forms.CharField(label=_("Complainant's phone"), max_length=32, required=False)
    about = forms.CharField(label=_("Complaint about (whom or what)"), max_length=200)
    about_staff_id = forms.TypedChoiceField(
        label=_("Staff member complained about"), required=False, coerce=int, empty_value=None
    )
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))
    desired_outcome = forms.CharField(
        label=_("What the customer wants"), widget=forms.Textarea(attrs={"rows": 2})
    )
    category = forms.ChoiceField(label=pgettext_lazy("complaint", "Category"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.NORMAL)
    major_fault = forms.BooleanField(label=_("Major fault (needs a fault analysis report)"), required=False)

    def __init__(self, *args: Any, customer: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = (
            list(customer.units.select_related("product_model").order_by("-id"))
            if customer is not None
            else []
        )
        unit_field: forms.TypedChoiceField = self.fields["unit_id"]  # type: ignore[assignment]
        unit_field.choices = [("", "—")] + [(u.pk, f"{u.product_model} · {u.serial_number}") for u in units]
        staff_field: forms.TypedChoiceField = self.fields["about_staff_id"]  # type: ignore[assignment]
        staff_field.choices = [("", "—")] + [
            (p.pk, p.get_full_name() or p.username) for p in selectors.staff_people()
        ]
        if customer is not None and not self.is_bound:
            self.initial.setdefault("complainant_name", customer.name)
            phone = next(iter(customer.phones.all()), None)
            if phone is not None:
                self.initial.setdefault("complainant_phone", phone.number)
