"""pytest fixtures: named users in every role, reference data, and a factory for incidents.

Tests across apps use these so a reader meets the same cast everywhere:
``requester`` (Sara), ``other_requester`` (Reza), ``agent`` (Ali, in the
service desk group), ``other_agent`` (Maryam, network group), ``group_lead``,
``incident_manager`` and ``admin_user``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sarv.testing import factories


@pytest.fixture
def department(db: Any) -> Any:
    return factories.make_department("امور مالی", "Finance")


@pytest.fixture
def other_department(db: Any) -> Any:
    return factories.make_department("منابع انسانی", "Human resources")


@pytest.fixture
def service_desk(db: Any) -> Any:
    return factories.make_group("میز خدمت فاوا", "IT service desk")


@pytest.fixture
def network_group(db: Any) -> Any:
    return factories.make_group("شبکه و زیرساخت", "Network and infrastructure")


@pytest.fixture
def requester(department: Any) -> Any:
    return factories.make_user("sara", "سارا", "رضایی", roles=["requester"], department=department)


@pytest.fixture
def other_requester(other_department: Any) -> Any:
    return factories.make_user("reza", "رضا", "احمدی", roles=["requester"], department=other_department)


@pytest.fixture
def agent(service_desk: Any) -> Any:
    return factories.make_user("ali", "علی", "کریمی", roles=["agent"], groups=[service_desk])


@pytest.fixture
def other_agent(network_group: Any) -> Any:
    return factories.make_user("maryam", "مریم", "حسینی", roles=["agent"], groups=[network_group])


@pytest.fixture
def group_lead(service_desk: Any) -> Any:
    user = factories.make_user("hamid", "حمید", "نوری", roles=["group_lead"], groups=[service_desk])
    service_desk.lead = user
    service_desk.save()
    return user


@pytest.fixture
def incident_manager(service_desk: Any) -> Any:
    return factories.make_user("neda", "ندا", "صالحی", roles=["incident_manager"], groups=[service_desk])


@pytest.fixture
def admin_user(db: Any) -> Any:
    return factories.make_user("admin", "مدیر", "سامانه", roles=["administrator"])


@pytest.fixture
def category_tree(db: Any) -> tuple[Any, Any]:
    return factories.make_category_tree()


@pytest.fixture
def resolution_code(db: Any) -> Any:
    from sarv.incidents.models import ResolutionCode

    return ResolutionCode.objects.get(code="solved_permanently")


@pytest.fixture
def make_incident(db: Any) -> Callable[..., Any]:
    return factories.make_incident


@pytest.fixture(autouse=True)
def _fresh_calendar_engines() -> None:
    """Forget cached calendar engines: a rolled-back test may leave one keyed like the next test's data."""
    from sarv.calendars import selectors

    selectors.clear_cache()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Return to the default language and time zone after each test.

    A request activates its user's language in the test's own thread and leaves it active, so a request
    as an English-speaking user would otherwise change what the next test reads from lazy labels.
    """
    yield
    from django.utils import timezone, translation

    translation.deactivate()
    timezone.deactivate()


@pytest.fixture(autouse=True)
def _skip_unless_postgres(request: pytest.FixtureRequest) -> None:
    """Skip tests marked ``postgres`` when the suite runs on SQLite."""
    if request.node.get_closest_marker("postgres") is None:
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://... (.ci/run does)")
