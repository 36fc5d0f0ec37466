"""Trees of reference data (departments, locations, categories) shown as indented lists and select options."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator

from sarv.core.text import persian_sort_key

# Put before an option's label once per level, because browsers collapse leading spaces in <option>.
INDENT = "— "


@dataclass(frozen=True)
class TreeRow:
    node: Any
    depth: int
    has_children: bool


def by_name(node: Any) -> Any:
    return persian_sort_key(node.name)


def tree_rows(nodes: Iterable[Any], key: Callable[[Any], Any] = by_name) -> list[TreeRow]:
    """Return ``nodes`` depth first, children under their parent, siblings ordered by ``key``.

    A node whose parent is not among ``nodes`` (an inactive parent left out by
    the caller, or a stored cycle) is listed at the top level, so no row is lost.
    """
    nodes = list(nodes)
    present = {node.pk for node in nodes}
    children: dict[Any, list[Any]] = defaultdict(list)
    for node in nodes:
        parent_id = node.parent_id if node.parent_id in present else None
        children[parent_id].append(node)
    rows: list[TreeRow] = []
    visited: set[Any] = set()

    def walk(parent_id: Any, depth: int) -> None:
        for node in sorted(children.get(parent_id, []), key=key):
            if node.pk in visited:
                continue
            visited.add(node.pk)
            rows.append(TreeRow(node, depth, bool(children.get(node.pk))))
            walk(node.pk, depth + 1)

    walk(None, 0)
    for node in nodes:
        if node.pk not in visited:
            visited.add(node.pk)
            rows.append(TreeRow(node, 0, bool(children.get(node.pk))))
            walk(node.pk, 1)
    return rows


class TreeChoiceIterator(ModelChoiceIterator):
    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in tree_rows(self.queryset, getattr(self.field, "sort_key", by_name)):
            value, label = self.choice(row.node)
            yield value, INDENT * row.depth + str(label)


class TreeChoiceField(forms.ModelChoiceField):
    """A select whose options follow the tree, each indented by its depth."""

    iterator = TreeChoiceIterator

    def __init__(self, *args: Any, sort_key: Callable[[Any], Any] = by_name, **kwargs: Any) -> None:
        self.sort_key = sort_key
        super().__init__(*args, **kwargs)


def descendant_ids(nodes: Iterable[Any], root_id: Any) -> set[Any]:
    """Return the primary keys of ``root_id`` and everything below it among ``nodes``."""
    children: dict[Any, list[Any]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node.pk)
    found: set[Any] = set()
    pending = [root_id]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.add(current)
        pending.extend(children.get(current, []))
    return found
