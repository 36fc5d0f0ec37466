"""Excel (.xlsx) export of the problem reports, with the SLA reports' cell rules.

The SLA export's helpers write every cell: text never becomes a formula, instants become Tehran
wall times and Persian workbooks run right to left. Each report here is one table: a header row
and its rows, below the title, the time it was generated and the filters applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.styles import Font

from sarv.core import jalali
from sarv.sla.report_excel import _header, _new_sheet, _save, _set, _widths

FIRST_COLUMN_WIDTH = 40
COLUMN_WIDTH = 14


def table_workbook(title: str, filters: str, header: Sequence[str], rows: Sequence[Sequence[Any]],
                   now: dt.datetime) -> bytes:
    """Return one report table as an .xlsx file."""
    workbook, sheet = _new_sheet(title)
    _set(sheet, 1, 1, title)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    _set(sheet, 2, 1, _("Generated"))
    _set(sheet, 2, 2, now)
    if jalali.uses_jalali():
        _set(sheet, 2, 3, jalali.format_datetime(now))
    _set(sheet, 3, 1, filters)
    _header(sheet, 5, header)
    for row_number, values in enumerate(rows, start=6):
        for column, value in enumerate(values, start=1):
            _set(sheet, row_number, column, value)
    _widths(sheet, [FIRST_COLUMN_WIDTH] + [COLUMN_WIDTH] * (len(header) - 1))
    return _save(workbook)
