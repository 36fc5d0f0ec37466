"""Permission matrix of the known error pages and API, and of the problems panel on the incident page.

The policy, as tested here:

- The known error database (list, page, uses, problem picker options) is for agents, who hold
  ``problems.view_all_problems``. Other signed-in users get 403 on pages and in the API.
- Publishing, updating and retiring a known error needs ``problems.manage_problem`` (problem managers and
  administrators). Other agents get 403, except the page's plain "update" button, which reports the refusal
  as a message after the redirect.
- The incident page's problem panel posts (link to a problem, link to a known error, apply a workaround) are
  for agents on any incident; requesters get 403 there, as on every agent workspace URL. Through the API an
  incident the caller cannot see answers 404 first, and a visible one 403 for a non-agent.

Grid columns, in order (see ``sarv.testing.permission_matrix.ROLES``):
anonymous, Sara, Reza, Mina, Parisa, Ali (agent), Hamid (group lead), Neda (incident manager),
Farhad (configuration manager), administrator, Kaveh (deactivated).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from sarv.problems import actions
from sarv.problems.models import KnownError, Problem
from sarv.problems.tests.kedb_fixtures import analysed
from sarv.testing import factories
from sarv.testing.permission_matrix import ROLE_KEYS, Cell, World, build_world, row, run_rows, sign_in

pytestmark = pytest.mark.django_db


# --- States that rows prepare --------------------------------------------------------------------------


def analysed_problem(cell: Cell) -> None:
    """An analysed problem without a known error, raised by the administrator."""
    admin = cell.world.users["administrator"]
    problem = analysed(actions.open_problem(actor=admin, title="چاپگرها در صف چاپ گیر می‌کنند"))
    cell.created.update({"prb": problem.number, "problem_id": problem.pk})


def published(cell: Cell) -> None:
    analysed_problem(cell)
    problem = Problem.objects.get(pk=cell.created["problem_id"])
    known_error = actions.publish_known_error(actor=cell.world.users["administrator"], problem=problem)
    cell.created.update({"ke": known_error.number, "ke_version": known_error.version})


def published_then_changed(cell: Cell) -> None:
    """A known error whose problem got a new workaround since, so updating it changes something."""
    published(cell)
    analysed(Problem.objects.get(pk=cell.created["problem_id"]), workaround="راه‌حل موقت تازه")


def linked_to_record(cell: Cell) -> None:
    published(cell)
    problem = Problem.objects.get(pk=cell.created["problem_id"])
    actions.link_incident_to_problem(actor=cell.world.users["administrator"], incident=cell.record, problem=problem)


# --- Request bodies ----------------------------------------------------------------------------------------


def _publish_data(cell: Cell) -> dict[str, Any]:
    problem = Problem.objects.get(pk=cell.created["problem_id"])
    return {"title": "صف چاپ گیر می‌کند", "symptoms": "", "version": problem.version}


def _retire_data(cell: Cell) -> dict[str, Any]:
    return {"reason": "وصله نصب شد", "version": cell.created["ke_version"]}


def _problem_data(cell: Cell) -> dict[str, Any]:
    return {"problem": cell.created["prb"]}


def _known_error_data(cell: Cell) -> dict[str, Any]:
    return {"known_error": cell.created["ke"]}


def _api_publish_data(cell: Cell) -> dict[str, Any]:
    return {"problem": cell.created["prb"]}


def _nothing(cell: Cell) -> dict[str, Any]:
    return {}


PAGE_ROWS = [
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("known error list", "GET", "/known-errors/", prepare=published,
             grid="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("known error page", "GET", "/known-errors/{ke}/", prepare=published,
             grid="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("problem picker options", "GET", "/known-errors/options/problems/?problem=PRB", prepare=analysed_problem,
             grid="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("publish known error form", "GET", "/known-errors/publish/{prb}/", prepare=analysed_problem,
             grid="login  403    403    403    403    403    403    403    403    ok     login"),
    row("publish known error", "POST", "/known-errors/publish/{prb}/", prepare=analysed_problem,
        data=_publish_data,
             grid="login  403    403    403    403    403    403    403    403    ok     login"),
    row("update known error", "POST", "/known-errors/{ke}/update/", prepare=published_then_changed, data=_nothing,
             grid="login  403    403    403    403    denied denied denied denied ok     login"),
    row("retire known error", "POST", "/known-errors/{ke}/retire/", prepare=published, data=_retire_data,
             grid="login  403    403    403    403    403    403    403    403    ok     login"),
    row("incident link to problem", "POST", "/incidents/{n}/problems/link/", prepare=analysed_problem,
        data=_problem_data,
        both="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("incident link to known error", "POST", "/incidents/{n}/problems/known-error/", prepare=published,
        data=_known_error_data,
        both="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("incident apply workaround", "POST", "/incidents/{n}/problems/{prb}/apply-workaround/",
        prepare=linked_to_record, data=_nothing,
        both="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
]

KNOWN_ERRORS = "/api/v1/known-errors/"
INCIDENT = "/api/v1/incidents/{n}/"

API_ROWS = [
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("API known error list", "GET", KNOWN_ERRORS, prepare=published,
             grid="401    403    403    403    403    ok     ok     ok     ok     ok     401"),
    row("API publish known error", "POST", KNOWN_ERRORS, prepare=analysed_problem, data=_api_publish_data,
             grid="401    403    403    403    403    403    403    403    403    ok     401"),
    row("API known error", "GET", KNOWN_ERRORS + "{ke}/", prepare=published,
             grid="401    403    403    403    403    ok     ok     ok     ok     ok     401"),
    row("API update known error", "POST", KNOWN_ERRORS + "{ke}/update-from-problem/",
        prepare=published_then_changed, data=_nothing,
             grid="401    403    403    403    403    403    403    403    403    ok     401"),
    row("API retire known error", "POST", KNOWN_ERRORS + "{ke}/retire/", prepare=published, data=_retire_data,
             grid="401    403    403    403    403    403    403    403    403    ok     401"),
    row("API known error uses", "GET", KNOWN_ERRORS + "{ke}/uses/", prepare=published,
             grid="401    403    403    403    403    ok     ok     ok     ok     ok     401"),
    row("API known error suggestions", "GET", INCIDENT + "known-error-suggestions/", prepare=published,
        a="401    403    404    403    403    ok     ok     ok     ok     ok     401",
        b="401    404    403    404    404    ok     ok     ok     ok     ok     401"),
    row("API incident problems", "GET", INCIDENT + "problems/", prepare=linked_to_record,
        a="401    403    404    403    403    ok     ok     ok     ok     ok     401",
        b="401    404    403    404    404    ok     ok     ok     ok     ok     401"),
    row("API link incident to problem", "POST", INCIDENT + "problems/", prepare=analysed_problem,
        data=_problem_data,
        a="401    403    404    403    403    ok     ok     ok     ok     ok     401",
        b="401    404    403    404    404    ok     ok     ok     ok     ok     401"),
    row("API link incident to known error", "POST", INCIDENT + "known-errors/", prepare=published,
        data=_known_error_data,
        a="401    403    404    403    403    ok     ok     ok     ok     ok     401",
        b="401    404    403    404    404    ok     ok     ok     ok     ok     401"),
    row("API apply workaround", "POST", INCIDENT + "problems/{prb}/apply-workaround/", prepare=linked_to_record,
        data=_nothing,
        a="401    403    404    403    403    ok     ok     ok     ok     ok     401",
        b="401    404    403    404    404    ok     ok     ok     ok     ok     401"),
]


@pytest.fixture
def world(request: pytest.FixtureRequest) -> World:
    return build_world(request)


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_kedb_pages_follow_policy(world, role):
    # given the cast, records A and B, and a browser signed in as ``role``
    client, _api_client = sign_in(world, role)

    # when every known error page row is requested, each from the same data
    problems = run_rows(world, role, PAGE_ROWS, client)

    # then every response is the grid's, refusals changed nothing, and no hidden text reached the role
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_kedb_api_follows_policy(world, role):
    _page_client, client = sign_in(world, role)

    problems = run_rows(world, role, API_ROWS, client)

    assert not problems, "\n".join(problems)


def test_problem_manager_owns_known_errors(client, agent, service_desk):
    # given a problem manager, an agent, and an analysed problem
    manager = factories.make_user("shirin", "شیرین", "مقدم", roles=["problem_manager"], groups=[service_desk])
    problem = analysed(actions.open_problem(actor=agent, title="چاپگرها در صف چاپ گیر می‌کنند"))
    publish_url = reverse("known-errors:publish", args=[problem.number])
    form = {"title": problem.title, "symptoms": "", "version": problem.version}

    # when the agent and then the problem manager publish it
    client.force_login(agent)
    refused = client.post(publish_url, form)
    client.force_login(manager)
    published_response = client.post(publish_url, form)

    # then only the problem manager's publication exists
    assert refused.status_code == 403
    assert published_response.status_code == 302
    known_error = KnownError.objects.get()

    # and only the problem manager may retire it
    retire_url = reverse("known-errors:retire", args=[known_error.number])
    client.force_login(agent)
    assert client.post(retire_url, {"reason": "منسوخ", "version": known_error.version}).status_code == 403
    client.force_login(manager)
    assert client.post(retire_url, {"reason": "منسوخ", "version": known_error.version}).status_code == 302
    known_error.refresh_from_db()
    assert known_error.retired_by == manager
