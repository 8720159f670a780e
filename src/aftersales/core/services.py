"""Kernel actions: API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from .clock import now
from .conf import rule
from .history import record_history
from .models import ApiToken, hash_token


@transaction.atomic
def issue_api_token(*, user: Any) -> tuple[str, ApiToken]:
    raw = ApiToken.new_raw_key()
    at = now()
    row = ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        prefix=raw[:8],
        created_at=at,
        expires_at=at + dt.timedelta(days=rule("API_TOKEN_DAYS")),
    )
    record_history(subject=row, event="token_issued", actor=user, at=at)
    return raw, row
