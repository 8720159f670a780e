"""Excel (.xlsx) exports: a header row in the user's language, one row per record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # Excel has no time zones: write the local (Asia/Shanghai) wall time.
        return timezone.localtime(value).replace(tzinfo=None)
    if value is None:
        return ""
    if isinstance(value, (str, int, float, dt.date)):
        return value
    return str(value)


def xlsx_response(
    filename: str, sheet: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = str(sheet)[:31]
    ws.append([str(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [max(len(str(h)) * 2, 10) for h in headers]
    for row in rows:
        values = [_cell(v) for v in row]
        ws.append(values)
        for i, v in enumerate(values):
            widths[i] = min(max(widths[i], len(str(v)) + 2), 60)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    buffer = BytesIO()
    wb.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response
