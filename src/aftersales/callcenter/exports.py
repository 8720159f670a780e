"""Excel (.xlsx) exports of the metric table and the staffing curve, with Chinese headers."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .templatetags.callcenter_tags import format_value

STATUS_ZH = {
    "within": "正常",
    "above": "高于范围",
    "below": "低于范围",
    "no_data": "无数据",
    "no_range": "无推荐范围",
}
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
    ws.title = "指标汇总"
    scope = report["scope"]
    ws.append(
        [
            "期间",
            f"{report['from']} 至 {report['to']}",
            "范围",
            scope["agent"] or scope["team"] or scope["queue"] or "全中心",
        ]
    )
    ws.append([])
    titles = [
        "序号",
        "指标",
        "代码",
        "数值",
        "显示值",
        "单位",
        "推荐下限",
        "推荐上限",
        "状态",
        "定义",
        "可能原因",
        "改进措施",
    ]
    ws.append(titles)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A4"
    for m in report["metrics"]:
        advice = m.get("advice") or {}
        ws.append(
            [
                m["number"],
                m["name_zh"],
                m["code"],
                m["value"],
                format_value(m["value"], m["unit"]),
                m["unit"],
                m["range"]["low"],
                m["range"]["high"],
                STATUS_ZH.get(m["status"], m["status"]),
                m["definition_zh"],
                "；".join(advice.get("causes", [])),
                "；".join(advice.get("actions", [])),
            ]
        )
        fill = _OK if m["status"] == "within" else _BAD if m["status"] in ("above", "below") else None
        if fill is not None:
            ws.cell(row=ws.max_row, column=9).fill = fill
    _widths(ws, [6, 22, 26, 12, 14, 10, 10, 10, 12, 60, 50, 50])

    if report.get("periods"):
        per = wb.create_sheet("分期明细")
        codes = [m["code"] for m in report["metrics"]]
        names = [m["name_zh"] for m in report["metrics"]]
        _header(
            per,
            ["期间开始", "总呼叫数", "接通", "放弃", "短时放弃", "误拨放弃(1-5秒)", "超时", "忙音", *names],
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
    ws.title = "排班测算"
    ws.append(["日期", date, "模型", "Erlang A" if model == "erlang_a" else "Erlang C"])
    ws.append([])
    ws.append(
        [
            "时段",
            "预测呼叫数",
            "平均处理时长(秒)",
            "在线坐席",
            "排班人数(含缺勤率)",
            "服务水平",
            "平均应答速度(秒)",
            "占线率",
            "放弃概率",
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
