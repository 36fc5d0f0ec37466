"""The requests the benchmarks time, shared by the HTTP client and the in-process query counter.

A scenario is one GET request with fixed parameters. The HTTP side sends it to
gunicorn and times it. The in-process side replays it through Django's test client
to count its SQL queries, so both describe exactly the same request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.webclient import Response

# Statuses of incidents still being worked on, as the "open" filter of an agent's list sends them.
OPEN_STATUSES = ("new", "assigned", "in_progress", "on_hold")
# The element id that the list page's HTMX requests swap; the view then renders only the results fragment.
RESULTS_TARGET = "incident-results"
HTMX_HEADERS = {"HX-Request": "true", "HX-Target": RESULTS_TARGET}


@dataclass(frozen=True)
class Scenario:
    """One timed request: where it goes, as whom (``session`` or ``token``), and what a good response holds."""

    name: str
    title: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    auth: str = "session"
    kind: str = "page"  # page, fragment or json

    @property
    def url(self) -> str:
        query = "&".join(f"{key}={value}" for key, value in self.params)
        return f"{self.path}?{query}" if query else self.path


def check_response(scenario: Scenario, status: int, body: bytes) -> str | None:
    """Return what is wrong with a response to ``scenario``, or None when it is the expected content."""
    if status != 200:
        return f"HTTP {status}: {body[:200]!r}"
    if scenario.kind == "json":
        return None if body.startswith(b"{") and b'"results"' in body else f"not a JSON list: {body[:200]!r}"
    has_results = f'id="{RESULTS_TARGET}"'.encode() in body
    is_full_page = b"<html" in body
    if scenario.kind == "fragment" and (is_full_page or not has_results):
        return f"not the results fragment: {body[:200]!r}"
    if scenario.kind == "page" and not (is_full_page and has_results):
        return f"not the list page: {body[:200]!r}"
    return None


def check(scenario: Scenario, response: Response) -> str | None:
    return check_response(scenario, response.status, response.body)


def foundation_scenarios(group_id: int) -> list[Scenario]:
    """Build the agent list page and API list requests, filtered to one support group's open incidents and not.

    ``group_id`` is the support group with the most incidents. "ordering=priority" puts the most
    urgent first (priority 1 is critical), as an agent works a queue.
    """
    filters = (("queue", "all"), ("assigned_group", str(group_id)), *(("status", s) for s in OPEN_STATUSES),
               ("ordering", "priority"))
    return [
        Scenario("list_page_filtered", "List page, one group's open incidents by priority", "/incidents/", filters),
        Scenario("list_fragment_filtered", "The same as an HTMX results fragment", "/incidents/", filters,
                 headers=HTMX_HEADERS, kind="fragment"),
        Scenario("list_page_all_p1", "List page, all incidents, page 1", "/incidents/", (("queue", "all"),)),
        Scenario("list_page_all_p100", "List page, all incidents, page 100", "/incidents/",
                 (("queue", "all"), ("page", "100"))),
        Scenario("api_list_filtered", "API list, same filters as the list page", "/api/v1/incidents/", filters,
                 auth="token", kind="json"),
        Scenario("api_list_all", "API list, no filters, page 1", "/api/v1/incidents/", auth="token", kind="json"),
    ]
