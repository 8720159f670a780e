from __future__ import annotations

from typing import Any

from .permissions import roles_of


def roles(request: Any) -> dict[str, Any]:
    return {"user_roles": roles_of(getattr(request, "user", None))}
