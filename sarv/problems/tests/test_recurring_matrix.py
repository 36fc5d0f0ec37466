"""Runs the permission matrix rows of ``matrix_recurring`` (their policy is in that module's docstring)."""

from __future__ import annotations

import pytest

from sarv.problems.models import Problem
from sarv.problems.tests.matrix_recurring import API_ROWS, PAGE_ROWS, policy_data, proposal_of_ab
from sarv.problems.tests.recurring_helpers import problem_manager
from sarv.testing.factories import TEST_PASSWORD
from sarv.testing.permission_matrix import ROLE_KEYS, ROLES_BY_KEY, Cell, World, build_world, run_rows, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(request: pytest.FixtureRequest) -> World:
    return build_world(request)


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_recurring_pages_follow_policy(world, role):
    # given the cast, records A and B, and a browser signed in as ``role``
    client, _api_client = sign_in(world, role)

    # when every page row is requested, each from the same data
    problems = run_rows(world, role, PAGE_ROWS, client)

    # then every response is the grid's, refusals changed nothing, and no hidden text reached the role
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_recurring_api_follows_policy(world, role):
    _page_client, api_client = sign_in(world, role)
    problems = run_rows(world, role, API_ROWS, api_client)
    assert not problems, "\n".join(problems)


def test_problem_manager_decides(world, client):
    # given a problem manager with no other role, and a proposal of A and B
    manager = problem_manager()
    cell = Cell(world, ROLES_BY_KEY["agent"], "")
    proposal_of_ab(cell)
    assert client.login(username=manager.username, password=TEST_PASSWORD)

    # when they open the settings, save them and accept the proposal, then each is allowed
    assert client.get("/problems/proposals/settings/").status_code == 200
    assert client.post("/problems/proposals/settings/", policy_data(cell)).status_code == 302
    response = client.post(f"/problems/proposals/{cell.created['proposal']}/accept/", {})
    assert response.status_code == 302
    problem = Problem.objects.get()
    assert problem.problem_manager == manager
    assert problem.incident_links.count() == 2

    # and the agent Ali, who may raise problems by hand, may not accept one
    world.users["agent"].refresh_from_db()
    assert world.users["agent"].has_perm("problems.report_problem")
    assert not world.users["agent"].has_perm("problems.manage_problem")

