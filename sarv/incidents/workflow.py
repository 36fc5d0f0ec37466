"""The incident life cycle: which status may follow which."""

from sarv.core.workflow import Workflow
from sarv.incidents.choices import IncidentStatus as S

INCIDENT_WORKFLOW = Workflow(
    statuses=S,
    transitions={
        S.NEW: frozenset({S.ASSIGNED, S.IN_PROGRESS, S.ON_HOLD, S.RESOLVED, S.CANCELLED}),
        S.ASSIGNED: frozenset({S.IN_PROGRESS, S.ON_HOLD, S.RESOLVED, S.CANCELLED}),
        S.IN_PROGRESS: frozenset({S.ASSIGNED, S.ON_HOLD, S.RESOLVED, S.CANCELLED}),
        # On hold to on hold changes the reason (waiting for the requester, then for a supplier).
        S.ON_HOLD: frozenset({S.ASSIGNED, S.IN_PROGRESS, S.ON_HOLD, S.RESOLVED, S.CANCELLED}),
        S.RESOLVED: frozenset({S.CLOSED, S.IN_PROGRESS, S.ASSIGNED}),
        S.CLOSED: frozenset({S.IN_PROGRESS, S.ASSIGNED}),
        S.CANCELLED: frozenset(),
    },
    reason_required=frozenset({S.ON_HOLD}),
)
