"""Typed access to the business rules in ``settings.AFTERSALES`` (every number of the regulations)."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def rule(name: str) -> Any:
    return settings.AFTERSALES[name]
