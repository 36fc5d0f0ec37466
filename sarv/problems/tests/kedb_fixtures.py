"""Builders shared by the known error tests: a problem manager, analysed problems and CIs.

The root cause and workaround are written straight to the row, because writing the
analysis is the problem records' own action and these tests are about what follows it.
"""

from __future__ import annotations

from typing import Any

import pytest

from sarv.cmdb import actions as cmdb_actions
from sarv.cmdb.models import CI, CIClass
from sarv.problems import actions
from sarv.problems.models import Problem
from sarv.testing import factories

ROOT_CAUSE = "درایور چاپگرهای HP پس از به‌روزرسانی ویندوز با صف چاپ ناسازگار است"
WORKAROUND = "صف چاپ را پاک کنید و سرویس Print Spooler را دوباره راه‌اندازی کنید"


@pytest.fixture
def problem_manager(service_desk: Any) -> Any:
    return factories.make_user("shirin", "شیرین", "مقدم", roles=["problem_manager"], groups=[service_desk])


@pytest.fixture
def problem(problem_manager: Any) -> Problem:
    return make_problem(problem_manager, description="کار چاپ در صف می‌ماند")


@pytest.fixture
def known_error(problem_manager: Any, problem: Problem) -> Any:
    return actions.publish_known_error(actor=problem_manager, problem=problem)


@pytest.fixture
def incident(requester: Any) -> Any:
    return factories.make_incident(requester, title="چاپگر طبقه سوم چاپ نمی‌کند")


def analysed(problem: Problem, root_cause: str = ROOT_CAUSE, workaround: str = WORKAROUND) -> Problem:
    """Give ``problem`` a root cause and a workaround, and return it read again."""
    Problem.objects.filter(pk=problem.pk).update(root_cause=root_cause, workaround=workaround)
    return Problem.objects.get(pk=problem.pk)


def make_problem(actor: Any, title: str = "چاپگرهای طبقه سوم چاپ نمی‌کنند", **kwargs: Any) -> Problem:
    root_cause = kwargs.pop("root_cause", ROOT_CAUSE)
    workaround = kwargs.pop("workaround", WORKAROUND)
    problem = actions.open_problem(actor=actor, title=title, **kwargs)
    return analysed(problem, root_cause, workaround)


def make_ci(admin: Any, name: str, class_code: str = "server") -> CI:
    return cmdb_actions.create_ci(actor=admin, values={"name_fa": name,
                                                       "ci_class": CIClass.objects.get(code=class_code)})
