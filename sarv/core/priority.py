"""Priority from impact and urgency through the administrator-editable matrix."""

from __future__ import annotations

from sarv.core.choices import DEFAULT_PRIORITY_MATRIX, Impact, Priority, Urgency
from sarv.core.models import PriorityMatrixCell


def matrix() -> dict[tuple[int, int], int]:
    """Return the whole matrix; cells an administrator never saved keep their default."""
    cells = {(int(i), int(u)): int(p) for (i, u), p in DEFAULT_PRIORITY_MATRIX.items()}
    for impact, urgency, priority in PriorityMatrixCell.objects.values_list("impact", "urgency", "priority"):
        cells[(impact, urgency)] = priority
    return cells


def priority_for(impact: int, urgency: int) -> Priority:
    cell = PriorityMatrixCell.objects.filter(impact=impact, urgency=urgency).values_list("priority", flat=True).first()
    if cell is not None:
        return Priority(cell)
    return DEFAULT_PRIORITY_MATRIX[(Impact(impact), Urgency(urgency))]
