"""Holiday lists as CSV: Jalali dates, Persian or Latin digits, one error per bad row.

Columns (header required, any order): ``jalali_date``, ``name_fa``, ``name_en``, ``kind``, and optionally
``estimated`` and ``note``. Other columns (``gregorian_date``, ``source``) are ignored on import.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import jdatetime
from django.utils.translation import gettext as _

from sarv.calendars.choices import HolidayKind
from sarv.core.text import normalize_stored, to_ascii_digits

EXPORT_COLUMNS = ["jalali_date", "gregorian_date", "name_fa", "name_en", "kind", "estimated", "note"]
REQUIRED_COLUMNS = ("jalali_date", "name_fa", "kind")
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*$")
_KINDS = {
    "solar": HolidayKind.SOLAR, "خورشیدی": HolidayKind.SOLAR, "شمسی": HolidayKind.SOLAR,
    "lunar": HolidayKind.LUNAR, "قمری": HolidayKind.LUNAR,
    "special": HolidayKind.SPECIAL, "ویژه": HolidayKind.SPECIAL,
}
_YES = {"yes", "y", "true", "1", "بله", "آری"}
_NO = {"no", "n", "false", "0", "خیر", "نه", ""}
MAX_ROWS = 5000


class JalaliDateError(ValueError):
    """A Jalali date that cannot be read or does not exist; the message says why, in the active language."""


def parse_jalali(text: str) -> dt.date:
    """Parse a Jalali date such as ۱۴۰۳/۱۲/۳۰ or 1404-01-01 into a Gregorian date, explaining a bad one."""
    match = _DATE.match(to_ascii_digits(text or ""))
    if not match:
        raise JalaliDateError(
            _("“%(text)s” is not a Jalali date; write it as 1404/01/01.") % {"text": text}
        )
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise JalaliDateError(_("%(text)s: there is no month %(month)s.") % {"text": text, "month": month})
    if month == 12 and day == 30 and not jdatetime.date(year, 1, 1).isleap():
        raise JalaliDateError(
            _("%(text)s does not exist: %(year)s is not a leap year, so Esfand %(year)s has 29 days.")
            % {"text": text, "year": year}
        )
    try:
        return jdatetime.date(year, month, day).togregorian()
    except ValueError:
        raise JalaliDateError(_("%(text)s does not exist in the Jalali calendar.") % {"text": text}) from None


def format_jalali(value: dt.date) -> str:
    j = jdatetime.date.fromgregorian(date=value)
    return f"{j.year:04d}-{j.month:02d}-{j.day:02d}"


@dataclass
class HolidayRow:
    line: int
    date: dt.date
    name_fa: str
    name_en: str
    kind: str
    is_estimated: bool
    note: str


@dataclass
class ParseResult:
    rows: list[HolidayRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse(text: str) -> ParseResult:
    """Read holiday rows from CSV text; every bad row gets one message and no row is dropped silently."""
    result = ParseResult()
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    header = [normalize_stored(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        result.errors.append((1, _("The header row lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)}))
        return result
    reader.fieldnames = header
    seen: dict[tuple[dt.date, str], int] = {}
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            result.errors.append((number, _("A file may hold at most %(count)s rows.") % {"count": MAX_ROWS}))
            break
        row = {key: normalize_stored(value or "").strip() for key, value in raw.items() if key}
        if not any(row.values()):
            continue
        problems = []
        date = None
        try:
            date = parse_jalali(row.get("jalali_date", ""))
        except JalaliDateError as error:
            problems.append(str(error))
        name_fa = row.get("name_fa", "")
        if not name_fa:
            problems.append(_("the Persian name is empty"))
        kind = _KINDS.get(row.get("kind", "").lower())
        if kind is None:
            problems.append(_("kind “%(kind)s” is not solar, lunar or special") % {"kind": row.get("kind", "")})
        estimated_text = to_ascii_digits(row.get("estimated", "")).lower()
        if estimated_text not in _YES | _NO:
            problems.append(_("estimated must be yes or no, not “%(value)s”") % {"value": row.get("estimated", "")})
        if date is not None and name_fa:
            earlier = seen.get((date, name_fa))
            if earlier is not None:
                problems.append(_("the same holiday is already on line %(line)s") % {"line": earlier})
            seen[(date, name_fa)] = number
        if problems:
            result.errors.append((number, "; ".join(problems)))
            continue
        assert date is not None and kind is not None
        result.rows.append(HolidayRow(
            line=number, date=date, name_fa=name_fa, name_en=row.get("name_en", ""), kind=str(kind),
            is_estimated=estimated_text in _YES, note=row.get("note", "")[:500],
        ))
    return result


def render(holidays: Iterable[object]) -> str:
    """Write holidays as CSV with Jalali dates (Latin digits, so spreadsheets read them)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for holiday in holidays:
        date: dt.date = holiday.date  # type: ignore[attr-defined]
        writer.writerow([
            format_jalali(date), date.isoformat(), holiday.name_fa, holiday.name_en,  # type: ignore[attr-defined]
            holiday.kind, "yes" if holiday.is_estimated else "no", holiday.note,  # type: ignore[attr-defined]
        ])
    return out.getvalue()
