"""Domain errors: a refused business action carries a code, a translatable message and the field at fault.

Views show the message in place; the API maps the error to a 4xx response
``{"code", "message", "field"}`` with the message in the request's language.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule refused the action. Nothing was changed."""

    status_code = 400

    def __init__(self, code: str, message: Any = None, field: str | None = None, **params: Any) -> None:
        self.code = code
        self.message = message if message is not None else _("The action was refused.")
        self.field = field
        self.params = params
        super().__init__(code)

    def text(self) -> str:
        """The message rendered in the active language, with its parameters filled in."""
        text = str(self.message)
        if self.params:
            try:
                text = text % self.params
            except (KeyError, TypeError, ValueError):
                pass
        return text

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.text(), "field": self.field}


class ValidationFailed(DomainError):
    """Input that breaks a rule about one field (bad phone number, date in the future...)."""

    status_code = 422


class NotFound(DomainError):
    """Missing, or not the caller's to see: both answer the same so nobody can probe other data."""

    status_code = 404

    def __init__(self, code: str = "not_found", message: Any = None, field: str | None = None) -> None:
        super().__init__(code, message if message is not None else _("Not found."), field)


class PermissionRefused(DomainError):
    status_code = 403

    def __init__(self, code: str = "forbidden", message: Any = None, field: str | None = None) -> None:
        super().__init__(
            code, message if message is not None else _("You are not allowed to do this."), field
        )


class TransitionRefused(DomainError):
    """The workflow does not allow this move from the current state."""

    status_code = 409


class StaleState(DomainError):
    """Someone else changed the record first; reload and try again."""

    status_code = 409

    def __init__(
        self, code: str = "changed_by_someone_else", message: Any = None, field: str | None = None
    ) -> None:
        super().__init__(
            code,
            message
            if message is not None
            else _("Someone else changed this record at the same moment. Reload it and try again."),
            field,
        )
