"""Distributions of the generated service desk, shared by Sarv's generator and the django-helpdesk loader.

Modelled on the UCI ServiceNow incident event log (../shared/data/uci-incident-management-event-log):
impact and urgency mostly "medium", more than half of the incidents never reassigned, one support
group taking about 38% of the work. Unlike that closed historical log, about 15% of the incidents
are still open, as on a live service desk. Pure Python, so both products' loaders can import it.
"""

from __future__ import annotations

import random

STATUS_WEIGHTS = {"new": 3, "assigned": 3, "in_progress": 5, "on_hold": 3, "resolved": 4, "closed": 80,
                  "cancelled": 2}
OPEN = ("new", "assigned", "in_progress", "on_hold")
LEVEL_WEIGHTS = {1: 2, 2: 95, 3: 3}  # impact and urgency: high, medium, low (UCI: 1.7%, 95.3%, 3%)
REASSIGNMENT_WEIGHTS = {0: 54, 1: 25, 2: 9, 3: 5, 4: 3, 5: 4}
# Replies and work notes after the first assignment: 0 to 3, about 1.5 on average.
REPLY_COUNTS = (0, 1, 1, 2, 2, 3)
GROUPS, AGENTS, REQUESTERS, DEPARTMENTS = 20, 50, 2000, 15
SPAN_DAYS = 730
# Requesters bench-user-1 and bench-user-2 can sign in; the load run checks each sees only their own records.
SIGN_IN_REQUESTERS = 2


def weighted(rng: random.Random, weights: dict) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def pick_group_index(rng: random.Random, groups: int) -> int:
    """Index of a support group: the first takes about 38% of the work, as "Group 70" does in the UCI log."""
    if rng.random() < 0.38:
        return 0
    return min(int(rng.paretovariate(1.2)), groups - 1)
