"""Writing and reading the append-only history of any record."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .clock import now
from .models import HistoryEntry


def record_history(
    *,
    subject: models.Model,
    event: str,
    actor: Any = None,
    old: str = "",
    new: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    at: Any = None,
) -> HistoryEntry:
    return HistoryEntry.objects.create(
        subject_type=ContentType.objects.get_for_model(subject, for_concrete_model=True),
        subject_id=subject.pk,
        event=event,
        old_state=old or "",
        new_state=new or "",
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note or "",
        data=data or {},
        at=at or now(),
    )


def history_of(subject: models.Model) -> models.QuerySet[HistoryEntry]:
    return (
        HistoryEntry.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject, for_concrete_model=True),
            subject_id=subject.pk,
        )
        .select_related("actor")
        .order_by("at", "id")
    )
