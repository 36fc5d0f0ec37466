"""The problem manager role: what it may do with a problem that an agent may not."""

import pytest
from django.urls import reverse

from sarv.accounts.roles import ROLES
from sarv.core.errors import PermissionDenied
from sarv.problems import actions, permissions
from sarv.problems.choices import ProblemStatus

pytestmark = pytest.mark.django_db


def test_role_adds_only_manage_problem_to_agent_permissions():
    assert set(ROLES["problem_manager"].permissions) - set(ROLES["agent"].permissions) == {
        "problems.manage_problem"}


def test_manager_may_resolve_and_close_where_agent_may_not(agent, problem_manager, make_problem):
    problem = make_problem(agent)
    assert permissions.can_manage(problem_manager)
    assert not permissions.can_manage(agent)
    with pytest.raises(PermissionDenied):
        actions.resolve_problem(actor=agent, problem=problem, expected_version=1, resolution_notes="رفع شد")
    with pytest.raises(PermissionDenied):
        actions.close_problem(actor=agent, problem=problem, expected_version=1)
    problem = actions.resolve_problem(actor=problem_manager, problem=problem, expected_version=1,
                                      resolution_notes="رفع شد")
    result = actions.close_problem(actor=problem_manager, problem=problem, expected_version=problem.version)
    assert result.problem.status == ProblemStatus.CLOSED


def test_only_managers_may_own_a_problem(agent, other_agent, problem_manager, make_problem):
    problem = make_problem(agent, problem_manager=problem_manager)
    assert problem.problem_manager == problem_manager
    with pytest.raises(Exception) as error:
        make_problem(agent, problem_manager=other_agent)
    assert getattr(error.value, "field", "") == "problem_manager"


def test_manager_is_offered_resolve_and_close_on_the_page(client, agent, problem_manager, make_problem):
    problem = make_problem(agent)
    client.force_login(problem_manager)
    forms = client.get(reverse("problems:detail", args=[problem.number])).context["forms"]
    assert "resolve" in forms
    assert "close" in forms
    client.force_login(agent)
    forms = client.get(reverse("problems:detail", args=[problem.number])).context["forms"]
    assert "resolve" not in forms
    assert "close" not in forms
