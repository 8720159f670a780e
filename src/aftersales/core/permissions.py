"""Roles (岗位) as Django groups, and the checks every view, API handler and selector uses."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import PermissionRefused


class Role(models.TextChoices):
    AGENT = "agent", _("Customer service agent")
    DISPATCHER = "dispatcher", _("Dispatcher")
    TECHNICIAN = "technician", _("Technician")
    PARTS_CLERK = "parts_clerk", _("Parts clerk")
    QUALITY = "quality", _("Quality specialist")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")
    CUSTOMER = "customer", _("Customer")


# Staff roles that see every request (the others see what they own or are assigned).
ALL_REQUESTS_ROLES = frozenset({Role.AGENT, Role.DISPATCHER, Role.QUALITY, Role.MANAGER, Role.ADMIN})


def roles_of(user: Any) -> frozenset[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_aftersales_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            names.add(Role.ADMIN)
        cached = frozenset(names & set(Role.values))
        user._aftersales_roles = cached
    return cached


def has_role(user: Any, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def require_role(user: Any, *roles: str) -> None:
    if not has_role(user, *roles):
        raise PermissionRefused()


def sees_all_requests(user: Any) -> bool:
    return bool(roles_of(user) & ALL_REQUESTS_ROLES)


def users_with_role(*roles: str) -> list[Any]:
    """Active users holding any of these roles (the recipients of a role's notifications)."""
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(is_active=True, groups__name__in=roles).distinct())
