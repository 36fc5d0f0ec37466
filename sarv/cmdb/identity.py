"""Normalised identity keys of configuration items, and the placeholder values never used as identity.

Inventory spreadsheets fill unknown cells with "N/A", "-", "0000" or "To be filled". Such a value
names no asset: matching on it would merge unrelated rows into one CI. ``identity_key`` therefore
returns "" for

- every value in ``PLACEHOLDERS`` (compared after normalisation, in any case and with any digits), and
- every value made only of zeros, dashes, dots, slashes, underscores, spaces, "x"/"X" or "?"
  ("000", "--", "0-0", "xxxx", "؟؟").

Normalisation: Persian and Arabic-Indic digits become ASCII, Arabic yeh and kaf become Persian,
joiners, spaces, dashes, dots, slashes and underscores are removed, Latin letters are folded to
lower case (property number «۱۲-۳۴۵» and "12345" are one key). A hostname keeps its dots and dashes
and loses a trailing dot and everything after the first dot only when ``hostname`` is fully
qualified (``srv01.bank.local`` and ``SRV01`` match).
"""

from __future__ import annotations

import functools
import re

from sarv.core.text import normalize_stored, search_key, to_ascii_digits

# Compared after ``_fold``: lower case, no spaces or punctuation.
PLACEHOLDERS = frozenset({
    "", "na", "n/a", "nan", "none", "null", "nil", "unknown", "unk", "tbd", "tba", "tobefilled",
    "tobedefined", "tobeconfirmed", "notapplicable", "notavailable", "notset", "empty", "missing",
    "pending", "various", "dummy", "noserial", "nosn", "notag",
    "serial", "serialnumber", "assettag", "hostname", "propertynumber",
    # Persian: «ندارد», «نامشخص», «نامعلوم», «خالی», «تکمیل شود», «ثبت نشده», «ناموجود», «بدون شماره»
    "ندارد", "نامشخص", "نامعلوم", "خالی", "تکمیلشود", "ثبتنشده", "ناموجود", "بدونشماره", "ندارم",
})
PLACEHOLDER_EXAMPLES = ("N/A", "NA", "-", "0000", "To be filled", "TBD", "unknown", "none", "ندارد", "نامشخص")

_PUNCTUATION = re.compile(r"[\s\-_./\\:#،,;'\"`()\[\]{}]+")
_FILLER_ONLY = re.compile(r"^[0\-_./\\\sxX?؟*]*$")


def _fold(value: str) -> str:
    return _PUNCTUATION.sub("", search_key(value))


def is_placeholder(value: str | None) -> bool:
    """Return whether ``value`` is empty, a known placeholder or made only of filler characters."""
    if value is None:
        return True
    text = to_ascii_digits(normalize_stored(str(value))).strip()
    if _FILLER_ONLY.match(text):
        return True
    folded = _fold(text)
    return folded in PLACEHOLDERS or text.casefold() in PLACEHOLDERS


@functools.lru_cache(maxsize=65536)
def identity_key(field: str, value: str | None) -> str:
    """Return the normalised key of an identity value, or "" when it is empty or a placeholder."""
    if is_placeholder(value):
        return ""
    assert value is not None
    if field == "hostname":
        host = search_key(value).replace(" ", "").rstrip(".")
        return host.split(".", 1)[0] if "." in host and not _looks_like_ip(host) else host
    return _fold(value)[:100]


def _looks_like_ip(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9.]+", value)) or ":" in value
