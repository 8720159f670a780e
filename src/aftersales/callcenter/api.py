"""Call-center API: metrics and their definitions, imports, staffing, links from calls to requests."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, BinaryIO, cast

from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from aftersales.core.errors import NotFound, PermissionRefused, ValidationFailed

from . import selectors, services
from .engine.erlang import StaffingInputError, erlang_a_staffing, erlang_c_staffing
from .models import CallRecord, Granularity, ImportBatch, ImportFormat

router = Router(tags=["call center"])


def _require_all(request: HttpRequest) -> None:
    if not selectors.sees_everything(request.user):
        raise PermissionRefused()


@router.get("/metric-definitions")
def metric_definitions(request: HttpRequest) -> list[dict[str, Any]]:
    """The 23 metrics: code, name, pinned definition, unit and recommended range."""
    return selectors.metric_definitions(get_language())


@router.get("/metrics")
def metrics(
    request: HttpRequest,
    date_from: dt.date = Query(..., alias="from"),  # noqa: B008
    date_to: dt.date = Query(..., alias="to"),  # noqa: B008
    by: str = Granularity.DAY,
    agent: str | None = None,
    queue: str | None = None,
    team: str | None = None,
    periods: bool = True,
) -> dict[str, Any]:
    """The metrics over the range and per period; rates are fractions 0-1, times seconds."""
    if agent and not queue and not team:
        selectors.access_agent(request.user, agent)
    else:
        _require_all(request)
    sel = selectors.Selection(date_from, date_to, by, agent, queue, team)
    return selectors.metrics_report(sel, language=get_language(), with_periods=periods)


class ImportOut(Schema):
    id: int
    file_name: str
    format: str
    status: str
    lines: int
    calls_read: int
    calls_new: int
    agent_events_new: int
    open_calls: int
    blank_lines: int
    ignored_events: int
    error_count: int
    errors: list[dict[str, Any]]
    message: str


@router.post("/imports", response={201: ImportOut, 200: ImportOut})
def create_import(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
    format: str = Form(...),  # noqa: B008
    tz: str | None = Form(None),  # noqa: B008
) -> Any:
    """Import a queue_log, a queue_log table export or a call-record CSV (multipart upload)."""
    _require_all(request)
    batch = services.import_call_file(
        stream=cast(BinaryIO, file.file),
        file_name=file.name or "upload",
        fmt=format,
        actor=request.user,
        time_zone=tz or None,
    )
    return Status(201 if batch.status == ImportBatch.Status.DONE else 200, batch)


@router.get("/imports/{batch_id}", response=ImportOut)
def get_import(request: HttpRequest, batch_id: int) -> Any:
    _require_all(request)
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise NotFound()
    return batch


@router.get("/import-formats")
def import_formats(request: HttpRequest) -> list[dict[str, str]]:
    return [{"code": c, "name": str(n)} for c, n in ImportFormat.choices]


class StaffingIn(Schema):
    calls: float
    interval_minutes: float = 30
    aht_seconds: float
    target_sl: float | None = None
    target_seconds: float | None = None
    shrinkage: float | None = None
    max_occupancy: float | None = None
    agents: int | None = None
    patience_seconds: float | None = None


def _staffing(data: StaffingIn, model: str) -> dict[str, Any]:
    policy = services.get_policy()
    common: dict[str, Any] = dict(
        calls=data.calls,
        interval_seconds=data.interval_minutes * 60,
        aht_seconds=data.aht_seconds,
        target_sl=data.target_sl if data.target_sl is not None else float(policy.service_level_target),
        target_seconds=data.target_seconds
        if data.target_seconds is not None
        else float(policy.service_level_seconds),
        shrinkage=data.shrinkage if data.shrinkage is not None else float(policy.shrinkage),
        max_occupancy=data.max_occupancy if data.max_occupancy is not None else float(policy.max_occupancy),
        agents=data.agents,
    )
    try:
        if model == "erlang_c":
            result = erlang_c_staffing(**common)
        else:
            patience = (
                data.patience_seconds if data.patience_seconds is not None else float(policy.patience_seconds)
            )
            result = erlang_a_staffing(patience_seconds=patience, **common)
    except StaffingInputError as exc:
        raise ValidationFailed(
            "invalid_staffing_input", _("This value is outside its range."), field=exc.field
        ) from exc
    out = result.as_dict()
    return {k: (None if isinstance(v, float) and math.isinf(v) else v) for k, v in out.items()}


@router.post("/staffing/erlang-c")
def staffing_erlang_c(request: HttpRequest, data: StaffingIn) -> dict[str, Any]:
    """Erlang C: agents for X % answered within T s, with service level, ASA, occupancy and shrinkage."""
    return _staffing(data, "erlang_c")


@router.post("/staffing/erlang-a")
def staffing_erlang_a(request: HttpRequest, data: StaffingIn) -> dict[str, Any]:
    """Erlang A: as Erlang C, with callers who abandon after a mean patience."""
    return _staffing(data, "erlang_a")


@router.get("/staffing/forecast")
def staffing_forecast(
    request: HttpRequest,
    date: dt.date,
    model: str = "erlang_c",
    queue: str | None = None,
) -> dict[str, Any]:
    """A day's half-hour forecast from history and the staffing curve it needs."""
    _require_all(request)
    policy = services.get_policy()
    slots = selectors.staffing_forecast(
        date,
        target_sl=float(policy.service_level_target),
        target_seconds=float(policy.service_level_seconds),
        shrinkage=float(policy.shrinkage),
        max_occupancy=float(policy.max_occupancy),
        patience_seconds=float(policy.patience_seconds) if model == "erlang_a" else None,
        queue=queue,
    )
    return {"date": date.isoformat(), "model": model, "slots": slots}


class LinkIn(Schema):
    request_number: str


@router.post("/calls/{source}/{call_id}/link")
def link_call(request: HttpRequest, source: str, call_id: str, data: LinkIn) -> dict[str, Any]:
    """Record the service request a call was about (first-call resolution follows requests)."""
    if not (selectors.sees_everything(request.user) or selectors.own_agent(request.user)):
        raise PermissionRefused()
    call = CallRecord.objects.filter(source=source, call_id=call_id).first()
    if call is None:
        raise NotFound()
    own = selectors.own_agent(request.user)
    if not selectors.sees_everything(request.user) and (own is None or call.agent_code != own.code):
        raise NotFound()
    services.link_call_to_request(call=call, request_number=data.request_number, actor=request.user)
    return {"source": source, "call_id": call_id, "service_request_number": call.service_request_number}
