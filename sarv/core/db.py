"""Database-specific pieces: Persian collation on both PostgreSQL and SQLite."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import F
from django.db.models.functions import Collate

from sarv.core.text import persian_sort_key

SQLITE_COLLATION = "persian"
POSTGRES_COLLATION = "fa-x-icu"


def _sqlite_persian_compare(left: str, right: str) -> int:
    a, b = persian_sort_key(left), persian_sort_key(right)
    return (a > b) - (a < b)


def _on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, _sqlite_persian_compare)


def register_connection_hooks() -> None:
    connection_created.connect(_on_connection_created, dispatch_uid="sarv.core.db.persian_collation")


def persian_order(field_name: str) -> Collate | F:
    """Return an order_by expression that sorts ``field_name`` in Persian alphabetical order."""
    if connection.vendor == "postgresql":
        return Collate(F(field_name), POSTGRES_COLLATION)
    if connection.vendor == "sqlite":
        return Collate(F(field_name), SQLITE_COLLATION)
    return F(field_name)
