"""Business actions on stations and technicians."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import ValidationFailed
from aftersales.core.history import record_history
from aftersales.core.permissions import Role
from aftersales.core.phones import InvalidPhone, parse_phone

from .models import Station, Technician


@transaction.atomic
def create_station(
    *, code: str, name: str, kind: str, zones: list[Any], actor: Any, phone: str = ""
) -> Station:
    if not code.strip() or not name.strip():
        raise ValidationFailed("name_required", _("Code and name are required."), field="code")
    station = Station.objects.create(code=code.strip(), name=name.strip(), kind=kind, phone=phone)
    station.zones.set(zones)
    record_history(subject=station, event="station_created", actor=actor)
    return station


@transaction.atomic
def register_technician(
    *, user: Any, station: Station, zones: list[Any], actor: Any, phone: str = ""
) -> Technician:
    if phone:
        try:
            phone = parse_phone(phone).number
        except InvalidPhone:
            raise ValidationFailed(
                "invalid_phone",
                _("“%(phone)s” is not a valid Chinese phone number."),
                field="phone",
                phone=phone,
            ) from None
    technician = Technician.objects.create(user=user, station=station, phone=phone)
    technician.zones.set(zones)
    user.groups.add(Group.objects.get_or_create(name=Role.TECHNICIAN)[0])
    record_history(subject=technician, event="technician_registered", actor=actor)
    return technician
