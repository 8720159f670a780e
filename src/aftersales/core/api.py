"""The API's shared pieces: token authentication, error mapping, local-time serialisation, paging."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.responses import Status
from ninja.security import HttpBearer, django_auth
from pydantic import PlainSerializer

from .clock import now
from .conf import rule
from .errors import DomainError
from .models import ApiToken, hash_token
from .permissions import roles_of
from .process_cache import TimedCache

# Times leave the API in ISO 8601 with the Asia/Shanghai offset (+08:00), as users read them.
LocalDateTime = Annotated[
    dt.datetime,
    PlainSerializer(lambda v: timezone.localtime(v).isoformat() if v is not None else None, return_type=str),
]

T = TypeVar("T")


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class Page(Schema, Generic[T]):
    items: list[T]
    count: int
    page: int
    page_size: int


# Integrations call the API many times a second with the same token: the token, its user and
# the user's roles are read once per process every API_AUTH_CACHE_SECONDS.
_tokens: TimedCache[ApiToken] = TimedCache(lambda: rule("API_AUTH_CACHE_SECONDS"))


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        key = hash_token(token)
        at = now()
        row = _tokens.get(key)
        if row is None:
            row = ApiToken.objects.select_related("user").filter(key_hash=key, user__is_active=True).first()
            if row is None:
                return None
            roles_of(row.user)  # read the roles now, with the token
            _tokens.put(key, row)
        if row.expires_at <= at:
            return None
        # Recording every use would add a write to every API call; minute precision is enough
        # to see which integrations are alive.
        touch = rule("API_TOKEN_TOUCH_SECONDS")
        if row.last_used_at is None or (at - row.last_used_at).total_seconds() >= touch:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=at)
            row.last_used_at = at
        # Each request gets its own copy of the user: views may change it.
        user = copy.copy(row.user)
        request.user = user
        return user


def forget_tokens(**kwargs: object) -> None:
    _tokens.clear()


post_save.connect(forget_tokens, sender=ApiToken, dispatch_uid="api-token-save")
post_delete.connect(forget_tokens, sender=ApiToken, dispatch_uid="api-token-delete")
post_save.connect(forget_tokens, sender=settings.AUTH_USER_MODEL, dispatch_uid="api-token-user-save")
m2m_changed.connect(forget_tokens, sender=get_user_model().groups.through, dispatch_uid="api-token-roles")


API_AUTH = [TokenAuth(), django_auth]


def paginate(qs: Any, page: int, page_size: int, max_size: int) -> dict[str, Any]:
    page = max(page, 1)
    page_size = min(max(page_size, 1), max_size)
    start = (page - 1) * page_size
    items = list(qs[start : start + page_size])
    return {"items": items, "count": qs.count(), "page": page, "page_size": page_size}


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> Any:
        return api.create_response(request, exc.as_dict(), status=exc.status_code)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> Any:
        first = exc.errors[0] if exc.errors else {}
        loc = [
            str(part)
            for part in first.get("loc", [])
            if part not in ("body", "query", "path", "payload", "data")
        ]
        field = ".".join(loc) or None
        message = _("Invalid input in “%(field)s”: %(detail)s") % {
            "field": field or "-",
            "detail": first.get("msg", ""),
        }
        return api.create_response(
            request,
            {"code": "invalid_input", "message": message, "field": field, "errors": exc.errors},
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> Any:
        return api.create_response(
            request,
            {"code": "unauthorized", "message": _("Sign in or send a valid API token."), "field": None},
            status=401,
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> Any:
        return api.create_response(
            request,
            {"code": f"http_{exc.status_code}", "message": str(exc), "field": None},
            status=exc.status_code,
        )


router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: LocalDateTime
    username: str


@router.post("/token", response={200: TokenOut, 401: ErrorOut}, auth=None)
def issue_token(request: HttpRequest, payload: TokenIn) -> Any:
    from .services import issue_api_token

    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        return Status(
            401, {"code": "bad_credentials", "message": _("Wrong username or password."), "field": None}
        )
    raw, row = issue_api_token(user=user)
    return {"token": raw, "expires_at": row.expires_at, "username": user.get_username()}
