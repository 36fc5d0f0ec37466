"""Runs the known error permission matrix of ``matrix_kedb`` (pytest collects only test_*.py files).

The module mark comes along too: without it the tests would run after the transactional browser tests,
whose flush removes the rows that data migrations add.
"""

from sarv.problems.tests.matrix_kedb import (  # noqa: F401
    pytestmark,
    test_kedb_api_follows_policy,
    test_kedb_pages_follow_policy,
    test_problem_manager_owns_known_errors,
    world,
)
