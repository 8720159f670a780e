"""Survey results as an Excel workbook: one sheet per grouping, and every answer."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from . import selectors
from .models import Answer

_BAD = PatternFill("solid", fgColor="FEE2E2")
_OK = PatternFill("solid", fgColor="DCFCE7")


def _sheet(wb: Workbook, title: str, rows: list[selectors.ResultRow], first: str) -> None:
    ws = wb.create_sheet(title[:31])
    ws.append(
        [
            first,
            _("Responses"),
            _("Rated answers"),
            _("Satisfied"),
            _("Satisfaction rate"),
            _("Target"),
            _("Meets target"),
        ]
    )
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(
            [
                r.label,
                r.responses,
                r.answers,
                r.satisfied,
                r.rate,
                r.target,
                "" if r.meets_target is None else (_("Yes") if r.meets_target else _("No")),
            ]
        )
        row = ws.max_row
        ws.cell(row, 5).number_format = "0.0%"
        ws.cell(row, 6).number_format = "0.0%"
        if r.meets_target is not None:
            ws.cell(row, 7).fill = _OK if r.meets_target else _BAD
    ws.column_dimensions["A"].width = 40
    for col in "BCDEFG":
        ws.column_dimensions[col].width = 14


def results_workbook(f: selectors.ResultFilters, period: str = "month") -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, _("Overall"), [selectors.overall(f)], _("Scope"))
    _sheet(wb, _("By question"), selectors.by_question(f), _("Question"))
    _sheet(wb, _("By section"), selectors.by_section(f), _("Section"))
    _sheet(wb, _("By technician"), selectors.by_technician(f), _("Technician"))
    _sheet(wb, _("By department"), selectors.by_department(f), _("Department"))
    _sheet(wb, _("By period"), selectors.by_period(f, period), _("Period"))
    _sheet(wb, _("By customer kind"), selectors.by_customer_kind(f), _("Customer kind"))
    ws = wb.create_sheet(_("Answers")[:31])
    ws.append(
        [
            _("Survey"),
            _("Customer"),
            _("Answered at"),
            _("Channel"),
            _("Version"),
            _("Technician"),
            _("Department"),
            _("Question"),
            pgettext("survey", "Answer"),
            _("Satisfied"),
        ]
    )
    for cell in ws[1]:
        cell.font = Font(bold=True)
    responses = selectors.responses_for(f)
    answers = (
        Answer.objects.filter(response__in=responses)
        .select_related(
            "question",
            "response__survey",
            "response__customer",
            "response__technician",
            "response__station",
            "response__version",
        )
        .order_by("response__answered_at", "response_id", "question__section__position", "question__position")
    )
    for a in answers.iterator(chunk_size=2000):
        r = a.response
        ws.append(
            [
                r.survey.name,
                r.customer.name,
                timezone.localtime(r.answered_at).strftime("%Y-%m-%d %H:%M"),
                str(r.get_channel_display()),
                r.version.number,
                (r.technician.get_full_name() or r.technician.username) if r.technician else "",
                r.station.name if r.station else "",
                a.question.text,
                a.display(),
                "" if a.satisfied is None else (_("Yes") if a.satisfied else _("No")),
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
