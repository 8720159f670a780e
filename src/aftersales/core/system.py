"""The system's own account: the actor of work nobody clicked (auto-close, escalations)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .permissions import Role

SYSTEM_USERNAME = "system"


def system_user() -> Any:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"first_name": "系统", "is_active": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=Role.ADMIN)[0])
    return user
