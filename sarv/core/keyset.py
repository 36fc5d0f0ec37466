"""Keyset pagination: pages of a sorted list found by the sort values of a boundary row, not by OFFSET.

OFFSET makes the database read and throw away every row before the page, so page 500 of a
list costs 500 pages of work. A keyset page instead starts after (or before) one row: the
query ``WHERE (priority, created_at, id) > (2, '2026-01-01 10:00', 4711) ORDER BY ... LIMIT 26``
reads from an index exactly the rows it shows, at any depth. The boundary row's sort values
travel in an opaque ``cursor`` parameter of the next and previous links.

The page number stays as a label carried in the links, and plain ``page=N`` requests still
work with OFFSET for pages within the first ``COUNT_LIMIT`` rows. The total is counted up to
``COUNT_LIMIT`` rows only: a longer list shows "more than 10,000", because an exact count of a
million rows costs more than the page itself.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import BooleanField, Expression, F, Field, Q, QuerySet, Value

# Rows counted before a list is called "more than N". Also the deepest row an OFFSET page may start at.
COUNT_LIMIT = 10_000
# Matches counted before a text search is called "more than N". Each match costs a table read to recheck
# the text, and a user narrows a search this long rather than reading through it.
SEARCH_COUNT_LIMIT = 1_000
# Rows counted before a queue's badge shows "999+". The badge shows roughly how much work waits, not a total.
BADGE_LIMIT = 999
NEXT, PREVIOUS, LAST = "n", "p", "l"


class InvalidCursor(ValueError):
    """The cursor parameter was not written by this module for this sort order."""


@dataclass(frozen=True)
class SortKey:
    name: str
    descending: bool
    field: Field


def sort_keys(queryset: QuerySet[Any]) -> list[SortKey] | None:
    """Return the sort of ``queryset`` as keys, or None when it cannot be paged by keyset.

    Keyset paging needs a total order on non-null columns of the model itself, ending with the
    primary key; any other sort (expressions, related fields, nullable columns) gets None.
    """
    model = queryset.model
    keys: list[SortKey] = []
    for term in queryset.query.order_by:
        if not isinstance(term, str):
            return None
        descending = term.startswith("-")
        name = term.lstrip("-")
        if name == "pk":
            name = model._meta.pk.name
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not model_field.concrete or model_field.null or model_field.is_relation:
            return None
        keys.append(SortKey(model_field.attname, descending, model_field))
    if not keys or keys[-1].name != model._meta.pk.attname:
        return None
    return keys


def ordering_with_tiebreakers(ordering: Sequence[Any], tiebreakers: Sequence[str]) -> list[Any]:
    """Complete a requested sort with ``tiebreakers`` in the direction of its last column.

    A sort whose columns all run one way can be paged with one row comparison, which an index in
    the same order answers directly; "priority" becomes "priority, created_at, id", "-priority"
    becomes "-priority, -created_at, -id".
    """
    terms = list(ordering)
    descending = bool(terms) and isinstance(terms[-1], str) and terms[-1].startswith("-")
    named = {term.lstrip("-") for term in terms if isinstance(term, str)}
    for name in tiebreakers:
        if name not in named:
            terms.append(("-" if descending else "") + name)
    return terms


class RowComparison(Expression):
    """``(a, b, c) > (x, y, z)``: a SQL row-value comparison, which PostgreSQL and SQLite both understand."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, columns: list[Any], values: list[Any], operator: str) -> None:
        super().__init__()
        self.columns = columns
        self.values = values
        self.operator = operator

    def get_source_expressions(self) -> list[Any]:
        return [*self.columns, *self.values]

    def set_source_expressions(self, expressions: Any) -> None:
        self.columns = expressions[:len(self.columns)]
        self.values = expressions[len(self.columns):]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        parts: dict[str, list[str]] = {"lhs": [], "rhs": []}
        params: list[Any] = []
        for side, expressions in (("lhs", self.columns), ("rhs", self.values)):
            for expression in expressions:
                sql, expression_params = compiler.compile(expression)
                parts[side].append(sql)
                params.extend(expression_params)
        return f"({', '.join(parts['lhs'])}) {self.operator} ({', '.join(parts['rhs'])})", params


def after(keys: list[SortKey], values: list[Any]) -> Q | Expression:
    """The condition "comes after the row with ``values``" in the order of ``keys``."""
    if all(key.descending == keys[0].descending for key in keys):
        return RowComparison([F(key.name) for key in keys],
                             [Value(value, output_field=key.field) for key, value in zip(keys, values, strict=True)],
                             "<" if keys[0].descending else ">")
    # Mixed directions: (a > x) OR (a = x AND b < y) OR ...; correct, but an index helps less.
    condition = Q()
    for index, key in enumerate(keys):
        term = Q(**{key.name: value for key, value in zip(keys[:index], values[:index], strict=True)})
        term &= Q(**{f"{key.name}__{'lt' if key.descending else 'gt'}": values[index]})
        condition |= term
    return condition


def reverse(keys: list[SortKey]) -> list[SortKey]:
    return [SortKey(key.name, not key.descending, key.field) for key in keys]


def order_terms(keys: list[SortKey]) -> list[str]:
    return [("-" if key.descending else "") + key.name for key in keys]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def encode_cursor(direction: str, values: Sequence[Any] = ()) -> str:
    payload = json.dumps([direction, [_plain(value) for value in values]], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(token: str, keys: list[SortKey]) -> tuple[str, list[Any]]:
    """Return the direction and the boundary row's values of ``token``; raise InvalidCursor when it is not one."""
    try:
        padded = token + "=" * (-len(token) % 4)
        direction, raw = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, binascii.Error) as error:
        raise InvalidCursor(token) from error
    if direction == LAST and raw == []:
        return LAST, []
    if direction not in (NEXT, PREVIOUS) or not isinstance(raw, list) or len(raw) != len(keys):
        raise InvalidCursor(token)
    try:
        return direction, [key.field.to_python(value) for key, value in zip(keys, raw, strict=True)]
    except (ValidationError, TypeError, ValueError) as error:
        raise InvalidCursor(token) from error


def bounded_count(queryset: QuerySet[Any], limit: int | None = None) -> tuple[int, bool]:
    """Count the rows of ``queryset`` up to ``limit`` (``COUNT_LIMIT``); return the count and whether it is exact."""
    limit = COUNT_LIMIT if limit is None else limit
    counted = queryset.order_by()[:limit + 1].count()
    return min(counted, limit), counted <= limit


@dataclass
class _Counter:
    """What the templates read as ``page.paginator``: the total and the number of pages."""

    count: int
    exact: bool
    per_page: int

    @property
    def num_pages(self) -> int | None:
        if not self.exact:
            return None
        return max(1, -(-self.count // self.per_page))


@dataclass
class KeysetPage:
    """One page of a keyset-paged list, with the links' cursors; shaped like Django's Page for templates."""

    object_list: list[Any]
    number: int | None
    paginator: _Counter
    has_next_page: bool
    has_previous_page: bool
    keys: list[SortKey] = field(repr=False, default_factory=list)

    def has_next(self) -> bool:
        return self.has_next_page

    def has_previous(self) -> bool:
        return self.has_previous_page

    def has_other_pages(self) -> bool:
        return self.has_next_page or self.has_previous_page

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def _values(self, row: Any) -> list[Any]:
        return [getattr(row, key.name) for key in self.keys]

    @property
    def next_cursor(self) -> str | None:
        if not (self.keys and self.has_next_page and self.object_list):
            return None
        return encode_cursor(NEXT, self._values(self.object_list[-1]))

    @property
    def previous_cursor(self) -> str | None:
        if not (self.keys and self.has_previous_page and self.object_list):
            return None
        return encode_cursor(PREVIOUS, self._values(self.object_list[0]))

    @property
    def last_cursor(self) -> str | None:
        """The cursor of the last page, offered only when the total is known."""
        return encode_cursor(LAST) if self.keys and self.has_next_page and self.paginator.exact else None

    @property
    def next_page_number(self) -> int | None:
        return self.number + 1 if self.number is not None else None

    @property
    def previous_page_number(self) -> int | None:
        return self.number - 1 if self.number is not None and self.number > 1 else None


def _page_number(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdecimal() and 0 < int(text) <= 10**6 else None


def paginate(queryset: QuerySet[Any], per_page: int, *, cursor: str | None = None,
             page: Any = None, count_limit: int | None = None) -> KeysetPage:
    """Return one page of ``queryset``, by keyset when its sort allows (see ``sort_keys``), else by OFFSET.

    With a cursor, the page starts after (or ends before) the cursor's row and ``page`` is only
    the number shown. Without one, ``page`` picks a page by OFFSET, clamped to the counted rows.
    The rows are counted up to ``count_limit`` (``COUNT_LIMIT``).
    Raises InvalidCursor for a cursor this list did not write.
    """
    keys = sort_keys(queryset)
    count, exact = bounded_count(queryset, count_limit)
    counter = _Counter(count, exact, per_page)
    number = _page_number(page)
    # A sort on an expression or a nullable column (the SLA due time, empty ones last) has no keyset:
    # it is paged by OFFSET alone, and its pages carry no cursors.
    if cursor and keys is not None:
        direction, values = decode_cursor(cursor, keys)
        if direction == LAST:
            if not exact:
                raise InvalidCursor(cursor)
            pages = counter.num_pages or 1
            size = count - (pages - 1) * per_page if count else per_page
            rows = list(queryset.order_by(*order_terms(reverse(keys)))[:size])[::-1]
            return KeysetPage(rows, pages, counter, False, pages != 1, keys)
        if direction == NEXT:
            rows = list(queryset.filter(after(keys, values))[:per_page + 1])
            more = len(rows) > per_page
            return KeysetPage(rows[:per_page], number, counter, more, True, keys)
        backwards = reverse(keys)
        rows = list(queryset.filter(after(backwards, values)).order_by(*order_terms(backwards))[:per_page + 1])
        more = len(rows) > per_page
        rows = rows[:per_page][::-1]
        if not more:
            number = 1
        return KeysetPage(rows, number, counter, True, more, keys)
    last = counter.num_pages or max(1, COUNT_LIMIT // per_page)
    number = min(number or 1, last)
    start = (number - 1) * per_page
    rows = list(queryset[start:start + per_page + 1])
    return KeysetPage(rows[:per_page], number, counter, len(rows) > per_page, number > 1, keys or [])
