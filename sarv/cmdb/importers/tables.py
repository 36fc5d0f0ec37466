"""Reading and writing CSV and Excel (.xlsx) tables of CIs and relationships."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from sarv.core.errors import ValidationFailed

MAX_ROWS = 200_000


def read_table(file_name: str, content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """Return the header and the rows (header → text) of a CSV or .xlsx file.

    CSV may be UTF-8 (with or without BOM) or Windows-1256 (Excel's Persian encoding) and use
    ',', ';' or tabs. Cells are returned as text with surrounding spaces removed.
    """
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(content)
    if file_name.lower().endswith((".csv", ".txt", ".tsv")):
        return _read_csv(content)
    raise ValidationFailed(_("Upload a CSV or Excel (.xlsx) file."), field="file")


def _read_csv(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    for encoding in ("utf-8-sig", "cp1256"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1256 decodes every byte
        raise ValidationFailed(_("The file is not UTF-8 text."), field="file")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = list(reader)
    return _as_dicts(rows)


def _read_xlsx(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:
        raise ValidationFailed(_("The Excel file could not be read: %(error)s"), field="file",
                               error=str(error)[:200]) from None
    sheet = workbook.worksheets[0]
    rows = [["" if cell is None else _cell_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return _as_dicts(rows)


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10] if getattr(value, "hour", 0) == 0 else str(value.isoformat())
    return str(value)


def _as_dicts(rows: list[list[str]]) -> tuple[list[str], list[dict[str, str]]]:
    rows = [row for row in rows if any(str(cell).strip() for cell in row)]
    if not rows:
        raise ValidationFailed(_("The file has no rows."), field="file")
    if len(rows) > MAX_ROWS + 1:
        raise ValidationFailed(_("The file has more than %(max)s rows; split it."), field="file", max=MAX_ROWS)
    header = [str(cell).strip() for cell in rows[0]]
    result = []
    for row in rows[1:]:
        result.append({name: str(row[i]).strip() if i < len(row) else "" for i, name in enumerate(header) if name})
    return header, result


def write_table(file_name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Return a CSV (UTF-8 with BOM, which Excel opens with Persian intact) or .xlsx file."""
    if file_name.lower().endswith(".xlsx"):
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(list(header))
        for row in rows:
            sheet.append(["" if value is None else value for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return ("\ufeff" + text.getvalue()).encode("utf-8")
