"""Class attributes: the effective definitions of a class and the validation of values against them.

Pages, the API and imports all call ``clean_attributes`` (through the actions), so a value is
accepted or rejected the same way everywhere. Input may be typed by a person (Persian digits,
Jalali dates, "۱۹۲.۱۶۸.۰.۱"); the result holds raw JSON values:

| type     | accepted input                                   | stored value            |
|----------|--------------------------------------------------|-------------------------|
| text     | any string up to 1000 characters                 | the string (yeh/kaf fixed) |
| number   | int, float, "۱۲٫۵", "1,200"                      | int or float            |
| date     | date, "1403/02/15" (Jalali), "2024-05-04" (ISO)  | "YYYY-MM-DD" (Gregorian)|
| choice   | a choice's value, or its Persian/English label   | the choice's value      |
| ip       | IPv4 or IPv6, any digits, «٫» or «۔» for "."     | canonical (compressed)  |
| ci       | a CI id (of the reference class, if one is set)  | the id                  |
| person   | a user id or username                            | the user id             |
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from sarv.cmdb.choices import AttributeType
from sarv.cmdb.models import CI, AttributeDefinition, CIClass
from sarv.core import jalali
from sarv.core.errors import ValidationFailed
from sarv.core.text import normalize_stored, search_key, to_ascii_digits

MAX_TEXT = 1000


def ancestors(ci_class: CIClass) -> list[CIClass]:
    """The class's ancestors from the root down, the class itself last."""
    codes = ci_class.ancestor_codes()
    by_code = {c.code: c for c in CIClass.objects.filter(code__in=codes)}
    return [by_code[code] for code in codes if code in by_code]


def effective_definitions(ci_class: CIClass) -> list[AttributeDefinition]:
    """Active attribute definitions of the class and its ancestors, the root's first."""
    codes = ci_class.ancestor_codes()
    rows = list(
        AttributeDefinition.objects.filter(ci_class__code__in=codes, is_active=True).select_related("ci_class")
    )
    depth = {code: index for index, code in enumerate(codes)}
    rows.sort(key=lambda d: (depth[d.ci_class.code], d.sort_order, d.pk))
    return rows


def _clean_number(definition: AttributeDefinition, value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        number = value
    else:
        text = to_ascii_digits(str(value)).strip().replace("٫", ".").replace("٬", "").replace(",", "")
        number = float(text)
        if number.is_integer() and "." not in text and "e" not in text.lower():
            number = int(number)
    if isinstance(number, float) and not math.isfinite(number):
        raise ValueError
    return number


def _clean_date(definition: AttributeDefinition, value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    parsed = jalali.parse_date(str(value))
    if parsed is None:
        raise ValueError
    return parsed.isoformat()


def _clean_choice(definition: AttributeDefinition, value: Any) -> str:
    text = str(value).strip()
    wanted = search_key(text)
    for choice in definition.choices or []:
        options = (choice.get("value", ""), choice.get("label_fa", ""), choice.get("label_en", ""))
        if text == choice.get("value") or any(search_key(str(o)) == wanted for o in options if o):
            return str(choice["value"])
    raise ValueError


# Characters that people type or paste for "." and ":" in an address. NFKC already folds the full-width
# and small forms (U+FF0E, U+FE52, U+2024, U+FF1A, U+FE55, U+FE13); these it leaves alone.
_IP_SEPARATORS = str.maketrans({
    "\u066b": ".",  # ٫ Arabic decimal separator: the "." of Persian keyboards
    "\u066c": ".",  # ٬ Arabic thousands separator, its neighbour on some layouts
    "\u06d4": ".",  # ۔ Arabic full stop
    "\u3002": ".",  # 。 ideographic full stop
    "\u2236": ":",  # ∶ ratio
    "\ua789": ":",  # ꞉ modifier letter colon
})
# Direction marks and joiners that text copied from a right-to-left page carries, and spaces.
_IP_INVISIBLE = re.compile("[\\s\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def normalize_ip(value: Any) -> str:
    """Return typed or pasted IP text in ASCII: Persian/Arabic digits, separator look-alikes, no marks."""
    text = unicodedata.normalize("NFKC", str(value))
    return _IP_INVISIBLE.sub("", to_ascii_digits(text).translate(_IP_SEPARATORS))


def _clean_ip(definition: AttributeDefinition, value: Any) -> str:
    # Stored in the canonical form: dotted decimal for IPv4, compressed lower case for IPv6.
    return str(ipaddress.ip_address(normalize_ip(value)))


def _clean_ci(definition: AttributeDefinition, value: Any) -> int:
    pk = value.pk if isinstance(value, CI) else int(to_ascii_digits(str(value)).strip())
    queryset = CI.objects.filter(pk=pk)
    if definition.reference_class_id:
        queryset = queryset.filter(ci_class__path__startswith=definition.reference_class.path)  # type: ignore[union-attr]
    if not queryset.exists():
        raise ValueError
    return pk


def _clean_person(definition: AttributeDefinition, value: Any) -> int:
    from sarv.accounts.models import User

    if isinstance(value, User):
        return value.pk
    text = to_ascii_digits(str(value)).strip()
    user = User.objects.filter(pk=int(text)).first() if text.isdigit() else User.objects.filter(username=text).first()
    if user is None:
        raise ValueError
    return user.pk


def _clean_text(definition: AttributeDefinition, value: Any) -> str:
    text = normalize_stored(str(value)).strip()
    if len(text) > MAX_TEXT:
        raise ValueError
    return text


CLEANERS = {
    AttributeType.TEXT: _clean_text,
    AttributeType.NUMBER: _clean_number,
    AttributeType.DATE: _clean_date,
    AttributeType.CHOICE: _clean_choice,
    AttributeType.IP_ADDRESS: _clean_ip,
    AttributeType.CI: _clean_ci,
    AttributeType.PERSON: _clean_person,
}

MESSAGES = {
    AttributeType.TEXT: lambda: _("%(attribute)s: the text is longer than %(max)s characters."),
    AttributeType.NUMBER: lambda: _("%(attribute)s: «%(value)s» is not a number."),
    AttributeType.DATE: lambda: _("%(attribute)s: «%(value)s» is not a date (for example 1403/02/15)."),
    AttributeType.CHOICE: lambda: _("%(attribute)s: «%(value)s» is not one of the choices (%(choices)s)."),
    AttributeType.IP_ADDRESS: lambda: _("%(attribute)s: «%(value)s» is not an IP address."),
    AttributeType.CI: lambda: _("%(attribute)s: configuration item «%(value)s» does not exist or has the wrong class."),
    AttributeType.PERSON: lambda: _("%(attribute)s: there is no user «%(value)s»."),
}


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_attributes(
    ci_class: CIClass, values: Mapping[str, Any], *, definitions: list[AttributeDefinition] | None = None,
) -> dict[str, Any]:
    """Validate ``values`` (attribute code → input) against the class; return the raw values to store.

    Unknown codes, missing required values and malformed values raise ``ValidationFailed`` whose
    ``field`` is ``attributes.<code>``. Blank values are dropped.
    """
    definitions = definitions if definitions is not None else effective_definitions(ci_class)
    by_code = {d.code: d for d in definitions}
    unknown = sorted(set(values) - set(by_code))
    if unknown:
        raise ValidationFailed(
            _("The class %(ci_class)s has no attribute %(code)s."), field=f"attributes.{unknown[0]}",
            ci_class=ci_class.name, code=unknown[0],
        )
    cleaned: dict[str, Any] = {}
    for definition in definitions:
        value = values.get(definition.code)
        if is_blank(value):
            if definition.required:
                raise ValidationFailed(
                    _("%(attribute)s is required for %(ci_class)s."), field=f"attributes.{definition.code}",
                    attribute=definition.name, ci_class=ci_class.name,
                )
            continue
        try:
            cleaned[definition.code] = CLEANERS[AttributeType(definition.type)](definition, value)
        except (ValueError, TypeError, OverflowError):
            choices = "، ".join(definition.choice_label(c.get("value")) for c in definition.choices or [])
            raise ValidationFailed(
                MESSAGES[AttributeType(definition.type)](), field=f"attributes.{definition.code}",
                attribute=definition.name, value=str(value)[:100], max=MAX_TEXT, choices=choices,
            ) from None
    return cleaned
