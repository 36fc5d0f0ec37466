"""Excel (.xlsx) export of the SLA reports, in the active language.

Numbers and dates are written as real cells (durations in hours, percentages as
fractions with a percent format, instants as Tehran wall times, since Excel has no
time zones). Persian workbooks are right-to-left and carry the Jalali date as text
beside each date. Text is always a string cell: a value starting with = + - @ (or a
tab or carriage return) is also marked with Excel's quote prefix, so neither Excel nor
a later re-typing turns it into a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sarv.core import jalali
from sarv.sla.breach_reasons import BreachExplanation
from sarv.sla.reports import REPORT_METRICS, ComplianceReport, report_zone

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
HOURS_FORMAT = "0.00"
PERCENT_FORMAT = "0.0%"
HOUR = 3600


def _set(sheet: Worksheet, row: int, column: int, value: Any, number_format: str | None = None) -> Cell:
    """Write one cell; text never becomes a formula, instants become Tehran wall times."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, dt.datetime):
        value = value.astimezone(report_zone()).replace(tzinfo=None)
        number_format = number_format or DATETIME_FORMAT
    if isinstance(value, str):
        cell.value = value
        # openpyxl stores a string starting with "=" as a formula; force a string cell instead.
        cell.data_type = "s"
        if value.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True
    else:
        cell.value = value
    if number_format:
        cell.number_format = number_format
    return cell


def _new_sheet(title: str) -> tuple[Workbook, Worksheet]:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.sheet_view.rightToLeft = jalali.uses_jalali()
    return workbook, sheet


def _header(sheet: Worksheet, row: int, labels: Sequence[str]) -> None:
    for column, label in enumerate(labels, start=1):
        cell = _set(sheet, row, column, label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=row + 1, column=1)


def _widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _filters_line(report_filters: dict[str, str]) -> str:
    return "; ".join(f"{label}: {value}" for label, value in report_filters.items() if value)


def compliance_workbook(report: ComplianceReport, dimension_label: str, filter_labels: dict[str, str]) -> bytes:
    """Return the compliance report as an .xlsx file: one row per value of the dimension, then the total."""
    workbook, sheet = _new_sheet(_("SLA compliance"))
    _set(sheet, 1, 1, _("SLA compliance"))
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    _set(sheet, 2, 1, _("Generated"))
    _set(sheet, 2, 2, report.now)
    if jalali.uses_jalali():
        _set(sheet, 2, 3, jalali.format_datetime(report.now))
    _set(sheet, 3, 1, _filters_line(filter_labels))

    labels = [dimension_label]
    count_labels = (pgettext("SLA clock", "Met"), pgettext("SLA clock", "Breached"), _("In progress"),
                    _("Compliance"))
    for metric_label in (_("First response"), _("Resolution")):
        labels += [f"{metric_label}: {count_label}" for count_label in count_labels]
    _header(sheet, 5, labels)
    row = 6
    for item in [*report.rows, report.total]:
        _set(sheet, row, 1, item.label)
        column = 2
        for metric in REPORT_METRICS:
            counts = item.metrics[metric]
            _set(sheet, row, column, counts.met)
            _set(sheet, row, column + 1, counts.breached)
            _set(sheet, row, column + 2, counts.in_progress)
            share = counts.met / counts.decided if counts.decided else None
            _set(sheet, row, column + 3, share, PERCENT_FORMAT)
            column += 4
        row += 1
    for column in range(1, len(labels) + 1):
        sheet.cell(row=row - 1, column=column).font = Font(bold=True)
    _widths(sheet, [28] + [13] * 8)
    return _save(workbook)


def breaches_workbook(explanations: Sequence[BreachExplanation], filter_labels: dict[str, str],
                      now: dt.datetime) -> bytes:
    """Return the breach list as an .xlsx file: one row per breached clock with its reasons."""
    workbook, sheet = _new_sheet(_("SLA breaches"))
    persian = jalali.uses_jalali()
    _set(sheet, 1, 1, _("SLA breaches"))
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    _set(sheet, 2, 1, _("Generated"))
    _set(sheet, 2, 2, now)
    if persian:
        _set(sheet, 2, 3, jalali.format_datetime(now))
    _set(sheet, 3, 1, _filters_line(filter_labels))

    labels = [_("Record"), _("Title"), _("Agreement"), _("Target"), _("Support group"),
              _("Target (business hours)"), _("Used (business hours)"), _("Overrun (business hours)"),
              _("Paused (business hours)"), _("Breached at")]
    if persian:
        labels.append(_("Breached at (Jalali)"))
    labels += [_("Reassignments"), _("Priority changes"), _("Where the time went")]
    _header(sheet, 5, labels)
    for row, item in enumerate(explanations, start=6):
        record = item.record
        group = getattr(record, "assigned_group", None)
        values: list[Any] = [
            getattr(record, "number", str(record.pk)), getattr(record, "title", ""), str(item.clock.agreement),
            item.clock.get_metric_display(), str(group) if group else "",
            item.target / HOUR, item.elapsed / HOUR, item.overrun / HOUR, item.paused / HOUR, item.breached_at,
        ]
        if persian:
            values.append(jalali.format_datetime(item.breached_at) if item.breached_at else "")
        values += [item.reassignments, item.priority_changes,
                   "; ".join(f"{phase.label}: {phase.seconds / HOUR:.2f}" for phase in item.phases)]
        for column, value in enumerate(values, start=1):
            _set(sheet, row, column, value, HOURS_FORMAT if 6 <= column <= 9 else None)
    _widths(sheet, [18, 36, 24, 14, 22, 11, 11, 11, 11, 17] + ([17] if persian else []) + [11, 11, 60])
    return _save(workbook)
