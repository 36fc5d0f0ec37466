"""Permission matrix of the recurring-incident pages, the detector settings and the problem reports.

The policy, as tested here:

- Proposals and problem reports are for those who see every problem (``problems.view_all_problems``):
  agents, group leads, incident, configuration and problem managers, administrators. Requesters get 403.
- Deciding on a proposal (accept or dismiss), running the detector at once and changing its settings
  need ``problems.manage_problem``: problem managers and administrators. An agent with only
  ``problems.report_problem`` may raise a problem by hand, but accepting a proposal also sets its
  problem manager and closes the proposal for everybody, so it is the problem manager's decision.
  The problem manager role has no column here; ``test_recurring_matrix.py`` covers it apart.
- Anonymous visitors and deactivated users are sent to the sign-in page (401 in the API).

Grid columns, in order (see ``sarv.testing.permission_matrix.ROLES``):
anonymous, Sara (requester of A), Reza (requester of B), Mina (A's department), Parisa (watches A), Ali (agent),
Hamid (group lead), Neda (incident manager), Farhad (configuration manager), administrator, Kaveh (deactivated).
"""

from __future__ import annotations

from typing import Any

from sarv.problems.choices import ClusterBasis
from sarv.problems.models import ProblemProposal
from sarv.testing.permission_matrix import Cell, row


def proposal_of_ab(cell: Cell) -> None:
    """Propose records A and B as a cluster of the same symptom."""
    world = cell.world
    proposal = ProblemProposal.objects.create(basis=ClusterBasis.SYMPTOM, key="چاپگر", label="چاپگر",
                                              incident_count=2)
    proposal.incidents.set([world.records["A"], world.records["B"]])
    cell.created["proposal"] = proposal.pk


def policy_data(cell: Cell) -> dict[str, Any]:
    return {"is_enabled": True, "min_incidents": 7, "window_days": 14, "bases": ["ci", "symptom"]}


def _reason(cell: Cell) -> dict[str, Any]:
    return {"reason": "هر دو از قطعی برق بودند"}


def _nothing(cell: Cell) -> dict[str, Any]:
    return {}


REPORT_PAGES = ("", "incidents/", "workarounds/", "known-errors/")

PAGE_ROWS = [
    # Proposals and reports: every role that sees every problem.
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("proposals", "GET", "/problems/proposals/",
             "login  403    403    403    403    ok     ok     ok     ok     ok     login", prepare=proposal_of_ab),
    row("proposal", "GET", "/problems/proposals/{proposal}/",
             "login  403    403    403    403    ok     ok     ok     ok     ok     login", prepare=proposal_of_ab),
    *[row(f"problem report {page or 'status'}", "GET", "/problems/reports/" + page,
             "login  403    403    403    403    ok     ok     ok     ok     ok     login")
      for page in REPORT_PAGES],
    *[row(f"problem report {page or 'status'} excel", "GET", "/problems/reports/" + page + "?format=xlsx",
             "login  403    403    403    403    ok     ok     ok     ok     ok     login")
      for page in REPORT_PAGES],
    # Decisions, running the detector and its settings: problem managers and administrators.
    row("accept proposal", "POST", "/problems/proposals/{proposal}/accept/",
             "login  403    403    403    403    403    403    403    403    ok     login",
        prepare=proposal_of_ab, data=_nothing),
    row("dismiss proposal", "POST", "/problems/proposals/{proposal}/dismiss/",
             "login  403    403    403    403    403    403    403    403    ok     login",
        prepare=proposal_of_ab, data=_reason),
    # Two incidents are no cluster under the default threshold, so an allowed run writes nothing.
    row("run detector", "POST", "/problems/proposals/run/",
             "login  403    403    403    403    403    403    403    403    ok     login",
        data=_nothing, writes=False),
    row("recurrence settings", "GET", "/problems/proposals/settings/",
             "login  403    403    403    403    403    403    403    403    ok     login"),
    row("save recurrence settings", "POST", "/problems/proposals/settings/",
             "login  403    403    403    403    403    403    403    403    ok     login", data=policy_data),
]

API_REPORTS = ("status/", "incidents/", "workarounds/", "known-errors/")

API_ROWS = [
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("api proposals", "GET", "/api/v1/problems/proposals/",
             "401    403    403    403    403    ok     ok     ok     ok     ok     401", prepare=proposal_of_ab),
    row("api proposal", "GET", "/api/v1/problems/proposals/{proposal}/",
             "401    403    403    403    403    ok     ok     ok     ok     ok     401", prepare=proposal_of_ab),
    row("api accept proposal", "POST", "/api/v1/problems/proposals/{proposal}/accept/",
             "401    403    403    403    403    403    403    403    403    ok     401",
        prepare=proposal_of_ab, data=_nothing),
    row("api dismiss proposal", "POST", "/api/v1/problems/proposals/{proposal}/dismiss/",
             "401    403    403    403    403    403    403    403    403    ok     401",
        prepare=proposal_of_ab, data=_reason),
    row("api run detector", "POST", "/api/v1/problems/proposals/run/",
             "401    403    403    403    403    403    403    403    403    ok     401",
        data=_nothing, writes=False),
    row("api recurrence settings", "GET", "/api/v1/problems/recurrence-policy/",
             "401    403    403    403    403    ok     ok     ok     ok     ok     401"),
    row("api save recurrence settings", "PUT", "/api/v1/problems/recurrence-policy/",
             "401    403    403    403    403    403    403    403    403    ok     401", data=policy_data),
    *[row(f"api problem report {page}", "GET", "/api/v1/problems/reports/" + page,
             "401    403    403    403    403    ok     ok     ok     ok     ok     401")
      for page in API_REPORTS],
]
