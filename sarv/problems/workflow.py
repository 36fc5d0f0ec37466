"""The problem life cycle: which status may follow which."""

from sarv.core.workflow import Workflow
from sarv.problems.choices import ProblemStatus as S

PROBLEM_WORKFLOW = Workflow(
    statuses=S,
    transitions={
        S.NEW: frozenset({S.UNDER_INVESTIGATION, S.ROOT_CAUSE_KNOWN, S.KNOWN_ERROR, S.RESOLVED, S.CLOSED}),
        S.UNDER_INVESTIGATION: frozenset({S.NEW, S.ROOT_CAUSE_KNOWN, S.KNOWN_ERROR, S.RESOLVED, S.CLOSED}),
        S.ROOT_CAUSE_KNOWN: frozenset({S.UNDER_INVESTIGATION, S.KNOWN_ERROR, S.RESOLVED, S.CLOSED}),
        S.KNOWN_ERROR: frozenset({S.UNDER_INVESTIGATION, S.ROOT_CAUSE_KNOWN, S.RESOLVED, S.CLOSED}),
        # A resolved problem reopens when its incidents come back, or closes once the fix holds.
        S.RESOLVED: frozenset({S.UNDER_INVESTIGATION, S.CLOSED}),
        S.CLOSED: frozenset({S.UNDER_INVESTIGATION}),
    },
)
