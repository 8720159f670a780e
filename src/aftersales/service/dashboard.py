"""The manager's dashboard and the Excel exports of its lists."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from aftersales.core.clock import now
from aftersales.core.errors import PermissionRefused
from aftersales.core.excel import xlsx_response
from aftersales.core.permissions import Role, has_role

from . import reports, selectors

DASHBOARD_ROLES = (Role.MANAGER, Role.ADMIN, Role.QUALITY, Role.DISPATCHER)


def _require(user: Any) -> None:
    if not has_role(user, *DASHBOARD_ROLES):
        raise PermissionRefused()


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _require(request.user)
    p = reports.period(request.GET.get("period", "today"))
    vols = reports.volumes(p)
    rates = reports.sla_met_rates(p)
    status = reports.open_by_status()
    charts = {
        "type": {"labels": [x[0] for x in vols["type"]], "values": [x[1] for x in vols["type"]]},
        "channel": {"labels": [x[0] for x in vols["channel"]], "values": [x[1] for x in vols["channel"]]},
        "sla": {
            "labels": [r["label"] for r in rates],
            "values": [round(r["rate"] * 100, 1) if r["rate"] is not None else None for r in rates],
        },
        "status": {"labels": [x[0] for x in status], "values": [x[1] for x in status]},
    }
    return render(
        request,
        "service/dashboard.html",
        {
            "period": p,
            "total": sum(x[1] for x in vols["type"]),
            "open_total": sum(x[1] for x in status),
            "rates": rates,
            "breaches": reports.breaches(50),
            "charts": charts,
            "now": now(),
        },
    )


@login_required
def export_breaches(request: HttpRequest) -> HttpResponse:
    _require(request.user)
    headers = [
        _("Number"),
        _("Type"),
        _("Customer"),
        _("Deadline"),
        _("Due at"),
        _("Met at"),
        _("Owner"),
        _("Technician"),
        _("Status"),
    ]
    rows = (
        [
            c.request.number,
            c.request.get_type_display(),
            c.request.customer.name,
            c.get_code_display(),
            c.due_at,
            c.met_at,
            c.request.owner.get_full_name() or c.request.owner.get_username(),
            (c.request.assignee.get_full_name() or c.request.assignee.get_username())
            if c.request.assignee
            else "",
            c.request.get_status_display(),
        ]
        for c in reports.breaches(limit=None)
    )
    return xlsx_response("breaches.xlsx", _("Breaches"), headers, rows)


@login_required
def export_requests(request: HttpRequest) -> HttpResponse:
    """The request list as filtered on the page, as an Excel file with Chinese headers."""
    f = selectors.RequestFilters(
        type=request.GET.get("type") or None,
        status=request.GET.get("status") or None,
        q=request.GET.get("q") or None,
    )
    qs = selectors.filter_requests(request.user, f)
    headers = [
        _("Number"),
        _("Type"),
        _("Channel"),
        _("Priority"),
        _("Status"),
        _("Customer"),
        _("Unit"),
        _("Description"),
        _("Received at"),
        _("Owner"),
        _("Technician"),
        _("Zone"),
    ]
    rows = (
        [
            sr.number,
            sr.get_type_display(),
            sr.get_channel_display(),
            sr.get_priority_display(),
            sr.get_status_display(),
            sr.customer.name,
            sr.unit.serial_number if sr.unit else "",
            sr.description,
            sr.received_at,
            sr.owner.get_full_name() or sr.owner.get_username(),
            (sr.assignee.get_full_name() or sr.assignee.get_username()) if sr.assignee else "",
            sr.zone.name if sr.zone else "",
        ]
        for sr in qs.iterator(chunk_size=2000)
    )
    return xlsx_response("service-requests.xlsx", _("Service requests"), headers, rows)
