"""State-machine helper: which status may follow which, and what each transition needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import TextChoices

from sarv.core.errors import InvalidTransition


@dataclass(frozen=True)
class Workflow:
    """Allowed transitions of one record type.

    ``transitions`` maps each status to the statuses that may follow it.
    ``reason_required`` lists the target statuses that need a reason (on hold,
    for example), which the caller passes along with the change.
    """

    statuses: type[TextChoices]
    transitions: Mapping[str, frozenset[str]]
    reason_required: frozenset[str] = field(default_factory=frozenset)

    def allowed_targets(self, current: str) -> frozenset[str]:
        return self.transitions.get(current, frozenset())

    def can_move(self, current: str, target: str) -> bool:
        return target in self.allowed_targets(current)

    def check(self, current: str, target: str) -> None:
        """Raise InvalidTransition, naming both statuses in the user's language, unless the move is allowed."""
        if not self.can_move(current, target):
            raise InvalidTransition(
                current=self.label(current), target=self.label(target), field="status"
            )

    def label(self, status: str) -> str:
        try:
            return str(self.statuses(status).label)
        except ValueError:
            return status
