"""Fixtures of the problem tests: a problem manager and a factory that raises problems through the actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sarv.testing import factories


@pytest.fixture
def problem_manager(service_desk: Any) -> Any:
    return factories.make_user("shirin", "شیرین", "مقدم", roles=["problem_manager"], groups=[service_desk])


@pytest.fixture
def make_problem(db: Any) -> Callable[..., Any]:
    return factories.make_problem
