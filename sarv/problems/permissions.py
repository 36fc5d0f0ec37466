"""Who may do what with a problem or a known error. Actions call these before any side effect; pages use them."""

from __future__ import annotations

from typing import Any

from sarv.core.permissions import is_active_user
from sarv.problems.models import Problem

VIEW_ALL = "problems.view_all_problems"
REPORT = "problems.report_problem"
WORK = "problems.work_problem"
MANAGE = "problems.manage_problem"


def can_view_any(user: Any) -> bool:
    return is_active_user(user) and (user.has_perm(VIEW_ALL) or user.has_perm(Problem.VIEW_DEPARTMENT_PERMISSION))


def can_report(user: Any) -> bool:
    """Raise a problem and link incidents to problems (agents)."""
    return is_active_user(user) and user.has_perm(REPORT)


def can_work(user: Any) -> bool:
    """Write the analysis, workaround and notes of a problem (agents of problem teams, problem managers)."""
    return is_active_user(user) and user.has_perm(WORK)


def can_manage(user: Any) -> bool:
    """Resolve and close problems, publish and retire known errors, and decide on proposals (problem managers)."""
    return is_active_user(user) and user.has_perm(MANAGE)


def can_view(user: Any, problem: Problem) -> bool:
    return Problem.objects.visible_to(user).filter(pk=problem.pk).exists()
