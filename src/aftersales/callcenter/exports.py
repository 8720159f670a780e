"""Excel (.xlsx) exports of the metric table and the staffing curve, in the user's language."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .templatetags.callcenter_tags import format_value, status_label

_BAD = PatternFill("solid", fgColor="FEE2E2")
_OK = PatternFill("solid", fgColor="DCFCE7")


def _header(ws: Any, titles: list[str]) -> None:
    ws.append(titles)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"


def _widths(ws: Any, widths: list[int]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def metrics_workbook(report: dict[str, Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Metrics")
    scope = report["scope"]
    ws.append(
        [
            _("Period"),
            _("%(start)s to %(end)s") % {"start": report["from"], "end": report["to"]},
            _("Scope"),
            scope["agent"] or scope["team"] or scope["queue"] or _("Whole center"),
        ]
    )
    ws.append([])
    titles = [
        _("No."),
        _("Metric"),
        _("Metric code"),
        _("Value"),
        _("Shown as"),
        _("Unit of measure"),
        _("Range low"),
        _("Range high"),
        _("Status"),
        _("Definition"),
        _("Likely causes"),
        _("Improvement actions"),
    ]
    # Causes and actions are joined the way each language lists items.
    joiner = "；" if (get_language() or "zh-hans").lower().startswith("zh") else "; "
    ws.append(titles)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A4"
    for m in report["metrics"]:
        advice = m.get("advice") or {}
        ws.append(
            [
                m["number"],
                m["name"],
                m["code"],
                m["value"],
                format_value(m["value"], m["unit"]),
                m["unit"],
                m["range"]["low"],
                m["range"]["high"],
                status_label(m["status"]),
                m["definition"],
                joiner.join(advice.get("causes", [])),
                joiner.join(advice.get("actions", [])),
            ]
        )
        fill = _OK if m["status"] == "within" else _BAD if m["status"] in ("above", "below") else None
        if fill is not None:
            ws.cell(row=ws.max_row, column=9).fill = fill
    _widths(ws, [6, 22, 26, 12, 14, 10, 10, 10, 12, 60, 50, 50])

    if report.get("periods"):
        per = wb.create_sheet(_("Metrics by period"))
        codes = [m["code"] for m in report["metrics"]]
        names = [m["name"] for m in report["metrics"]]
        _header(
            per,
            [
                _("Period start"),
                _("Calls offered"),
                _("Calls answered"),
                _("Calls abandoned"),
                _("Short abandons"),
                _("Misdial abandons (1-5 s)"),
                _("Timed out"),
                _("Blocked"),
                *names,
            ],
        )
        for p in report["periods"]:
            values = {m["code"]: m["value"] for m in p["metrics"]}
            c = p["counts"]
            per.append(
                [
                    p["period_start"],
                    c["calls_total"],
                    c["calls_answered"],
                    c["calls_abandoned"],
                    c["calls_short_abandoned"],
                    c["calls_misdial_abandoned"],
                    c["calls_timeout"],
                    c["calls_blocked"],
                    *[values[code] for code in codes],
                ]
            )
        _widths(per, [28] + [12] * (7 + len(codes)))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def staffing_workbook(date: str, model: str, slots: list[dict[str, Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Staffing")
    ws.append([_("Date"), date, _("Staffing model"), "Erlang A" if model == "erlang_a" else "Erlang C"])
    ws.append([])
    ws.append(
        [
            _("Time slot"),
            _("Forecast calls"),
            _("Average handle time (s)"),
            _("Agents on the phones"),
            _("Scheduled agents (with shrinkage)"),
            _("Service level"),
            _("Average speed of answer (s)"),
            _("Occupancy"),
            _("Abandon probability"),
        ]
    )
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for s in slots:
        ws.append(
            [
                s["slot"],
                s["calls"],
                s["aht_seconds"],
                s["agents"],
                s["scheduled_agents"],
                s["service_level"],
                s["asa_seconds"],
                s["occupancy"],
                s["abandon_probability"],
            ]
        )
    _widths(ws, [10, 12, 16, 10, 18, 10, 16, 10, 10])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
