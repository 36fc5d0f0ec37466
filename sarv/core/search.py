"""Text search over work items through their normalised search key."""

from __future__ import annotations

import re

from django.db.models import QuerySet

from sarv.core.numbering import SEQUENCE_WIDTH
from sarv.core.text import search_terms, to_ascii_digits

_NUMBER = re.compile(r"^\s*([A-Za-z]{2,6})\s*-\s*(\d{4})\s*-\s*(\d{1,9})\s*$")


def normalize_record_number(text: str) -> str | None:
    """Return ``text`` as a canonical record number (INC-1405-000123) if it looks like one, else None.

    Persian digits, lower case and a missing zero padding are accepted: «inc-۱۴۰۵-۱۲۳» gives INC-1405-000123.
    """
    match = _NUMBER.match(to_ascii_digits(text or ""))
    if not match:
        return None
    prefix, year, sequence = match.groups()
    return f"{prefix.upper()}-{year}-{int(sequence):0{SEQUENCE_WIDTH}d}"


def search(queryset: QuerySet, query: str) -> QuerySet:
    """Filter ``queryset`` to records whose number or text matches every term of ``query``.

    Each term must occur in the record's search key, which has the same
    normalisation as the query (Arabic letters, joiners, mi/nemi prefixes,
    digits). A query that is a whole record number matches that number exactly.
    """
    # NUL cannot occur in stored text, and PostgreSQL refuses it in a parameter: drop it from the query.
    query = query.replace("\x00", "")
    number = normalize_record_number(query)
    if number is not None:
        return queryset.filter(number=number)
    for term in search_terms(query):
        # search_key is already case-folded, so a case-sensitive LIKE is enough and can use the trigram index.
        queryset = queryset.filter(search_key__contains=term)
    return queryset
