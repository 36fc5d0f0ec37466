"""Runs the problem rows of the permission matrix (``matrix_problems.py``) for every role."""

import pytest

from sarv.problems.tests.matrix_problems import API_ROWS, PAGE_ROWS
from sarv.testing.permission_matrix import ROLE_KEYS, World, build_world, run_rows, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(request: pytest.FixtureRequest) -> World:
    return build_world(request)


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_problem_pages_follow_policy(world, role):
    # given the cast, records A and B, and a browser signed in as ``role``
    client, _api_client = sign_in(world, role)

    # when every problem page row is requested, each from the same data
    problems = run_rows(world, role, PAGE_ROWS, client)

    # then every response is the grid's, refusals changed nothing, and no hidden text reached the role
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_problem_api_follows_policy(world, role):
    _page_client, client = sign_in(world, role)
    problems = run_rows(world, role, API_ROWS, client)
    assert not problems, "\n".join(problems)
