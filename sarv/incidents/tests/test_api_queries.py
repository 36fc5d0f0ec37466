"""Query-count baselines of every API list: a page of 30 rows costs exactly as many queries as a page of 3.

Each row names the endpoint, the exact number of queries one request makes, and
a builder that adds rows. A change to a number is a change to review.
Every request is measured after a first one, so per-process caches (content
types) are warm and the counts do not depend on test order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sarv.accounts.models import Department, Location, LocationKind
from sarv.core.api.testing import token_client
from sarv.core.models import Category
from sarv.incidents import actions
from sarv.incidents.models import ResolutionCode
from sarv.services.models import Service
from sarv.testing.factories import make_group, make_incident, make_user


@dataclass
class Cast:
    requester: Any
    agent: Any
    group: Any
    incident: Any
    counter: int = 0

    def next_name(self) -> str:
        self.counter += 1
        return f"مورد {self.counter}"


def _incidents(cast: Cast, count: int) -> str:
    for _index in range(count):
        incident = make_incident(cast.requester, title=cast.next_name(), actor=cast.agent,
                                 assigned_group=cast.group, assignee=cast.agent)
        actions.add_watcher(actor=cast.agent, incident=incident, user=cast.agent)
    return "/api/v1/incidents/"


def _timeline(cast: Cast, count: int) -> str:
    for _index in range(count):
        actions.add_reply(actor=cast.agent, incident=cast.incident, body=cast.next_name(),
                          files=[SimpleUploadedFile("a.txt", b"text", content_type="text/plain")])
    return f"/api/v1/incidents/{cast.incident.number}/timeline/"


def _attachments(cast: Cast, count: int) -> str:
    for _index in range(count):
        actions.add_attachments(actor=cast.agent, incident=cast.incident, internal=False,
                                files=[SimpleUploadedFile("a.txt", b"text", content_type="text/plain")])
    return f"/api/v1/incidents/{cast.incident.number}/attachments/"


def _watchers(cast: Cast, count: int) -> str:
    for _index in range(count):
        user = make_user(f"watcher{cast.counter}", cast.next_name())
        actions.add_watcher(actor=cast.agent, incident=cast.incident, user=user)
    return f"/api/v1/incidents/{cast.incident.number}/watchers/"


def _references(cast: Cast, count: int) -> str:
    for _index in range(count):
        actions.add_letter_reference(actor=cast.agent, incident=cast.incident, number=f"{cast.counter}/ص",
                                     date=None)
        cast.counter += 1
    return f"/api/v1/incidents/{cast.incident.number}/references/"


def _children(cast: Cast, count: int) -> str:
    for _index in range(count):
        child = make_incident(cast.requester, title=cast.next_name(), actor=cast.agent,
                              assigned_group=cast.group, assignee=cast.agent)
        actions.link_child(actor=cast.agent, parent=cast.incident, child=child)
    return f"/api/v1/incidents/{cast.incident.number}/children/"


def _users(cast: Cast, count: int) -> str:
    department = Department.objects.create(name_fa="واحد")
    for _index in range(count):
        make_user(f"user{cast.counter}", cast.next_name(), department=department)
    return "/api/v1/users/"


def _departments(cast: Cast, count: int) -> str:
    for _index in range(count):
        Department.objects.create(name_fa=cast.next_name())
    return "/api/v1/departments/"


def _locations(cast: Cast, count: int) -> str:
    for _index in range(count):
        Location.objects.create(name_fa=cast.next_name(), kind=LocationKind.SITE)
    return "/api/v1/locations/"


def _support_groups(cast: Cast, count: int) -> str:
    for _index in range(count):
        group = make_group(cast.next_name())
        group.lead = make_user(f"lead{cast.counter}", roles=["agent"], groups=[group])
        group.save()
    return "/api/v1/support-groups/"


def _services(cast: Cast, count: int) -> str:
    for _index in range(count):
        Service.objects.create(name_fa=cast.next_name(), owner_group=cast.group)
    return "/api/v1/services/"


def _resolution_codes(cast: Cast, count: int) -> str:
    for _index in range(count):
        ResolutionCode.objects.create(name_fa=cast.next_name(), code=f"code{cast.counter}")
    return "/api/v1/resolution-codes/"


def _categories(cast: Cast, count: int) -> str:
    for _index in range(count):
        parent = Category.objects.create(name_fa=cast.next_name())
        Category.objects.create(name_fa=cast.next_name(), parent=parent)
    return "/api/v1/categories/"


# (builder, queries of one request). Every request looks up its token. Agents' permission checks add two
# queries (user and group permissions). Incident endpoints read the module switches, and paginated lists count.
BASELINES: dict[str, tuple[Callable[[Cast, int], str], int]] = {
    "incidents": (_incidents, 7),
    "timeline": (_timeline, 8),
    "attachments": (_attachments, 7),
    "watchers": (_watchers, 7),
    "references": (_references, 7),
    "children": (_children, 8),
    "users": (_users, 5),
    "departments": (_departments, 3),
    "locations": (_locations, 3),
    "support_groups": (_support_groups, 6),
    "services": (_services, 3),
    "resolution_codes": (_resolution_codes, 4),
    "categories": (_categories, 3),
}


def _count_queries(client: Any, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    body = response.json()
    rows = len(body["results"]) if isinstance(body, dict) else len(body)
    return len(captured.captured_queries), rows


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(BASELINES))
def test_list_query_count_is_fixed(endpoint, requester, agent, service_desk):
    build, expected = BASELINES[endpoint]
    cast = Cast(requester=requester, agent=agent, group=service_desk,
                incident=make_incident(requester, title="حادثه اصلی"))
    client = token_client(agent)

    # given 3 rows, measured after one request that warms per-process caches
    url = build(cast, 3)
    client.get(url)
    few, few_rows = _count_queries(client, url)

    # when 27 more rows exist
    build(cast, 27)
    many, many_rows = _count_queries(client, url)

    # then the page has grown and the number of queries has not
    assert many_rows > few_rows >= 3
    assert (few, many) == (expected, expected)


def _create_body(requester: Any, group: Any, title: str) -> dict[str, Any]:
    return {"title": title, "description": "چاپگر طبقه دوم کاغذ نمی‌گیرد", "impact": 2, "urgency": 2,
            "channel": "phone", "requester": requester.pk, "assigned_group": group.pk}


# Queries of one API creation with an SLA agreement in force, after a first creation has warmed the caches:
# token, user, groups, two permission checks, module switches, number, department, priority matrix, insert,
# timeline row, the agreements (one digest query on PostgreSQL, six queries elsewhere), the clock's calendar,
# clock rows and the incident's SLA summary, audit row, the group's members, notifications, further CIs.
CREATE_QUERIES = {"postgresql": 21, "sqlite": 26}


@pytest.mark.django_db
def test_api_create_query_count_with_sla_on(requester, agent, service_desk, django_capture_on_commit_callbacks):
    from sarv.core.models import AuditLogEntry, Notification, TimelineEntry
    from sarv.incidents.models import Incident
    from sarv.sla.models import Clock
    from sarv.sla.tests.helpers import make_agreement

    make_agreement("SLA", targets={"first_response": 4, "resolution": 8})
    make_user("colleague", "همکار", roles=["agent"], groups=[service_desk])
    client = token_client(agent)
    client.post("/api/v1/incidents/", _create_body(requester, service_desk, "گرم کردن"), format="json")

    # when an agent reports an incident for a requester, assigned to a group
    with django_capture_on_commit_callbacks(execute=True) as callbacks, \
            CaptureQueriesContext(connection) as captured:
        response = client.post("/api/v1/incidents/", _create_body(requester, service_desk, "چاپگر"), format="json")

    # then it costs the baseline number of queries and none of the bookkeeping was skipped
    assert response.status_code == 201, response.content
    queries = [query["sql"] for query in captured.captured_queries
               if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "INSERT INTO \"django_tasks"))]
    assert len(queries) == CREATE_QUERIES[connection.vendor], "\n".join(queries)
    incident = Incident.objects.get(number=response.json()["number"])
    assert response.json()["sla_state"] == incident.sla_state == "running"
    assert response.json()["sla_due_at"] is not None
    assert Clock.objects.filter(object_id=incident.pk, is_open=True).count() == 2
    assert TimelineEntry.objects.filter(object_id=incident.pk, kind="created").count() == 1
    assert AuditLogEntry.objects.filter(object_id=str(incident.pk), action="create").count() == 1
    assert Notification.objects.filter(object_id=incident.pk, kind="assigned").exists()
    assert len(callbacks) == 1  # the notification e-mails, queued after the commit
