"""Call-center pages: dashboard, metric table, agents, staffing calculator, imports."""

from __future__ import annotations

import datetime as dt
from typing import Any, BinaryIO, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aftersales.core.clock import local_today
from aftersales.core.errors import DomainError, NotFound

from . import exports, selectors, services
from .engine.erlang import StaffingInputError, erlang_a_staffing, erlang_c_staffing
from .models import Granularity, ImportBatch, ImportFormat, Team

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _forbidden(request: HttpRequest) -> HttpResponse:
    own = selectors.own_agent(request.user)
    if own is not None:
        return redirect("callcenter:agent", code=own.code)
    return render(request, "404.html", status=404)


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _selection(request: HttpRequest, default_by: str = Granularity.DAY, days: int = 7) -> selectors.Selection:
    span = selectors.data_span()
    last = span[1] if span else local_today()
    end = _date(request.GET.get("to"), last)
    start = _date(request.GET.get("from"), end - dt.timedelta(days=days - 1))
    by = request.GET.get("by") or default_by
    if by not in Granularity.values:
        by = default_by
    return selectors.Selection(
        start=start,
        end=end,
        granularity=by,
        agent=request.GET.get("agent") or None,
        queue=request.GET.get("queue") or None,
        team=request.GET.get("team") or None,
    )


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not selectors.sees_everything(request.user):
        return _forbidden(request)
    sel = _selection(request)
    error = None
    context: dict[str, Any] = {"sel": sel, "queues": selectors.queues(), "granularities": Granularity.choices}
    try:
        report = selectors.metrics_report(sel, language=get_language(), with_periods=False)
        trend_by = sel.granularity if sel.granularity in ("hour", "day", "month") else "day"
        trend_sel = selectors.Selection(sel.start, sel.end, trend_by, queue=sel.queue)
        # Half-hour charts of a long range are unreadable: the last seven days at most.
        hh_start = max(sel.start, sel.end - dt.timedelta(days=6))
        context.update(
            report=report,
            key_metrics=[m for m in report["metrics"] if m["code"] in KEY_METRICS],
            charts={
                "volume": selectors.volume_series(selectors.check_selection(trend_sel)),
                "service": selectors.half_hour_service(
                    selectors.Selection(hh_start, sel.end, queue=sel.queue)
                ),
                "aht": selectors.aht_per_agent(selectors.Selection(sel.start, sel.end, team=sel.team)),
            },
            trend_by=trend_by,
        )
    except DomainError as exc:
        error = exc.text()
    context["error"] = error
    return render(request, "callcenter/dashboard.html", context)


KEY_METRICS = (
    "total_calls",
    "answered_call_rate",
    "service_level",
    "average_speed_of_answer",
    "abandonment_rate",
    "average_handle_time",
)


@login_required
def metric_table(request: HttpRequest) -> HttpResponse:
    sel = _selection(request)
    if sel.agent and not sel.queue and not sel.team:
        try:
            selectors.access_agent(request.user, sel.agent)
        except NotFound:
            return render(request, "404.html", status=404)
    elif not selectors.sees_everything(request.user):
        return _forbidden(request)
    try:
        report = selectors.metrics_report(sel, language=get_language(), with_periods=True)
    except DomainError as exc:
        return render(
            request,
            "callcenter/metrics.html",
            {
                "sel": sel,
                "error": exc.text(),
                "granularities": Granularity.choices,
                "queues": selectors.queues(),
                "teams": Team.objects.all(),
            },
        )
    if request.GET.get("export") == "xlsx":
        return _xlsx(exports.metrics_workbook(report), f"callcenter-metrics-{sel.start}-{sel.end}.xlsx")
    return render(
        request,
        "callcenter/metrics.html",
        {
            "sel": sel,
            "report": report,
            "granularities": Granularity.choices,
            "queues": selectors.queues(),
            "teams": Team.objects.all(),
            "period_codes": PERIOD_METRICS,
        },
    )


PERIOD_METRICS = (
    "total_calls",
    "answered_call_rate",
    "service_level",
    "average_speed_of_answer",
    "abandonment_rate",
    "average_handle_time",
    "occupancy",
)


@login_required
def agent_list(request: HttpRequest) -> HttpResponse:
    if not selectors.sees_everything(request.user):
        return _forbidden(request)
    sel = _selection(request)
    rows = selectors.agent_summary(sel)
    return render(request, "callcenter/agents.html", {"sel": sel, "rows": rows, "teams": Team.objects.all()})


@login_required
def agent_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        agent = selectors.access_agent(request.user, code)
    except NotFound:
        return render(request, "404.html", status=404)
    base = _selection(request, days=30)
    sel = selectors.Selection(base.start, base.end, Granularity.DAY, agent=agent.code)
    try:
        report = selectors.metrics_report(sel, language=get_language(), with_periods=True)
        error = None
    except DomainError as exc:
        report, error = None, exc.text()
    charts = {"aht": selectors.aht_per_agent(sel, agents=[agent.code])} if report else {}
    return render(
        request,
        "callcenter/agent.html",
        {
            "agent": agent,
            "sel": sel,
            "report": report,
            "error": error,
            "charts": charts,
            "period_codes": PERIOD_METRICS,
            "user_sees_all": selectors.sees_everything(request.user),
        },
    )


def _float(value: str | None, default: float | None) -> float | None:
    if value in (None, ""):
        return default
    try:
        return float(value)  # type: ignore[arg-type]
    except ValueError:
        return default


@login_required
def staffing(request: HttpRequest) -> HttpResponse:
    if not selectors.sees_everything(request.user):
        return _forbidden(request)
    policy = services.get_policy()
    g = request.GET
    model = g.get("model") or "erlang_c"
    form: dict[str, Any] = {
        "calls": _float(g.get("calls"), None),
        "interval_minutes": _float(g.get("interval_minutes"), 30.0),
        "aht_seconds": _float(g.get("aht_seconds"), None),
        "target_sl": _float(g.get("target_sl"), float(policy.service_level_target)),
        "target_seconds": _float(g.get("target_seconds"), float(policy.service_level_seconds)),
        "shrinkage": _float(g.get("shrinkage"), float(policy.shrinkage)),
        "max_occupancy": _float(g.get("max_occupancy"), float(policy.max_occupancy)),
        "patience_seconds": _float(g.get("patience_seconds"), float(policy.patience_seconds)),
        "agents": g.get("agents") or "",
        "model": model,
    }
    result = None
    error = None
    if form["calls"] is not None and form["aht_seconds"] is not None:
        common = dict(
            calls=form["calls"],
            interval_seconds=(form["interval_minutes"] or 0) * 60,
            aht_seconds=form["aht_seconds"],
            target_sl=form["target_sl"],
            target_seconds=form["target_seconds"],
            shrinkage=form["shrinkage"],
            max_occupancy=form["max_occupancy"],
            agents=int(form["agents"]) if str(form["agents"]).isdigit() else None,
        )
        try:
            result = (
                erlang_a_staffing(patience_seconds=form["patience_seconds"], **common)
                if model == "erlang_a"
                else erlang_c_staffing(**common)
            )
        except StaffingInputError as exc:
            error = _("%(field)s: this value is outside its range.") % {"field": exc.field}
    forecast_date = _date(g.get("date"), local_today() + dt.timedelta(days=1))
    slots = selectors.staffing_forecast(
        forecast_date,
        target_sl=form["target_sl"] or float(policy.service_level_target),
        target_seconds=form["target_seconds"] or float(policy.service_level_seconds),
        shrinkage=form["shrinkage"] if form["shrinkage"] is not None else float(policy.shrinkage),
        max_occupancy=form["max_occupancy"] or float(policy.max_occupancy),
        patience_seconds=form["patience_seconds"] if model == "erlang_a" else None,
        queue=g.get("queue") or None,
    )
    if g.get("export") == "xlsx":
        return _xlsx(
            exports.staffing_workbook(forecast_date.isoformat(), model, slots),
            f"staffing-{forecast_date}.xlsx",
        )
    curve = {
        "labels": [s["slot"] for s in slots],
        "calls": [s["calls"] for s in slots],
        "agents": [s["agents"] for s in slots],
        "scheduled": [s["scheduled_agents"] for s in slots],
    }
    return render(
        request,
        "callcenter/staffing.html",
        {
            "form": form,
            "result": result,
            "error": error,
            "forecast_date": forecast_date,
            "slots": slots,
            "curve": curve,
            "has_forecast": any(s["calls"] for s in slots),
            "queues": selectors.queues(),
        },
    )


@login_required
def imports(request: HttpRequest) -> HttpResponse:
    if not selectors.sees_everything(request.user):
        return _forbidden(request)
    if request.method == "POST":
        upload = request.FILES.get("file")
        fmt = request.POST.get("format", "")
        if upload is None:
            messages.error(request, _("Choose a file to import."))
        else:
            try:
                batch = services.import_call_file(
                    stream=cast(BinaryIO, upload.file),
                    file_name=upload.name or "upload",
                    fmt=fmt,
                    actor=request.user,
                    time_zone=request.POST.get("tz") or None,
                )
                return redirect("callcenter:import_detail", batch_id=batch.pk)
            except DomainError as exc:
                messages.error(request, exc.text())
    page = Paginator(ImportBatch.objects.select_related("created_by"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "callcenter/imports.html",
        {"page": page, "formats": ImportFormat.choices, "time_zone": services.get_policy().time_zone},
    )


@login_required
def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    if not selectors.sees_everything(request.user):
        return _forbidden(request)
    batch = ImportBatch.objects.filter(pk=batch_id).select_related("created_by", "duplicate_of").first()
    if batch is None:
        return render(request, "404.html", status=404)
    return render(request, "callcenter/import_detail.html", {"batch": batch})
