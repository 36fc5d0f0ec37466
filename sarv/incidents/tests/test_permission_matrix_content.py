"""What each side reads inside an incident it may see, and records that stay hidden in less common places.

The matrix tests check that hidden texts never reach a role. These tests check
the other half: a requester does read the public reply and the public file, and
an agent does read the work note, so the absence that the matrix checks means
something.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from sarv.core.models import Notification
from sarv.incidents import actions
from sarv.testing.permission_matrix import (
    A_INTERNAL_FILE,
    A_PUBLIC_FILE,
    A_TITLE,
    B_TITLE,
    NOTE_TEXT,
    REPLY_TEXT,
    World,
    body_text,
    build_world,
    sign_in,
)

pytestmark = pytest.mark.django_db

REQUESTER_SIDE = ("requester", "department_viewer", "watcher")
AGENTS = ("agent", "group_lead", "incident_manager", "administrator")
PUBLIC_KINDS = {"created", "public_reply", "status_changed", "attachment_added"}


@pytest.fixture
def world(request: pytest.FixtureRequest) -> World:
    return build_world(request)


def _results(client: APIClient, path: str) -> list[dict]:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.json()["results"]


@pytest.mark.parametrize("role", REQUESTER_SIDE)
def test_requester_side_reads_public_part(world, role):
    # given a user who may see A without being an agent
    client, api = sign_in(world, role)
    number = world.records["A"].number
    internal_id = str(world.files["a_internal"].public_id)

    # when they read A in the portal and through the API
    portal = body_text(client.get(f"/portal/{number}/"))
    timeline = _results(api, f"/api/v1/incidents/{number}/timeline/")
    files = _results(api, f"/api/v1/incidents/{number}/attachments/")
    references = _results(api, f"/api/v1/incidents/{number}/references/")

    # then the public reply and file are there, and the work note, internal file and old ticket are not
    assert REPLY_TEXT in portal
    assert A_PUBLIC_FILE in portal
    assert NOTE_TEXT not in portal
    assert A_INTERNAL_FILE not in portal
    assert internal_id not in portal
    assert REPLY_TEXT in [entry["body"] for entry in timeline]
    assert NOTE_TEXT not in [entry["body"] for entry in timeline]
    assert {entry["kind"] for entry in timeline} <= PUBLIC_KINDS
    assert [item["name"] for item in files] == [A_PUBLIC_FILE]
    assert references == []


@pytest.mark.parametrize("role", AGENTS)
def test_agents_read_internal_entries(world, role):
    # given an agent
    client, api = sign_in(world, role)
    number = world.records["A"].number

    # when they read A on the agent's incident page, in the portal and through the API
    page = body_text(client.get(f"/incidents/{number}/"))
    portal = body_text(client.get(f"/portal/{number}/"))
    timeline = _results(api, f"/api/v1/incidents/{number}/timeline/")
    files = _results(api, f"/api/v1/incidents/{number}/attachments/")
    references = _results(api, f"/api/v1/incidents/{number}/references/")

    # then the agent's views hold the work note, the internal file and the old ticket
    assert NOTE_TEXT in page
    assert A_INTERNAL_FILE in page
    assert NOTE_TEXT in [entry["body"] for entry in timeline]
    assert [item["name"] for item in files] == [A_PUBLIC_FILE, A_INTERNAL_FILE]
    assert [item["reference"] for item in references] == [world.old_ticket.reference]
    # and the portal shows agents what the requester reads
    assert REPLY_TEXT in portal
    assert NOTE_TEXT not in portal
    assert A_INTERNAL_FILE not in portal


def test_removed_watcher_notification_stops_naming_record(world):
    # given Parisa, who was notified of a reply on A while she watched it
    agent, parisa = world.users["agent"], world.users["watcher"]
    record = world.fresh("A")
    actions.add_reply(actor=agent, incident=record, body="چاپگر را خاموش و روشن کنید")
    client, _api = sign_in(world, "watcher")
    assert A_TITLE in body_text(client.get("/notifications/"))

    # when she stops watching A
    actions.remove_watcher(actor=agent, incident=record, user=parisa)
    page = body_text(client.get("/notifications/"))

    # then her notification stays, but it no longer names A
    assert Notification.objects.filter(recipient=parisa).count() == 1
    assert A_TITLE not in page
    assert record.number not in page


def test_child_detail_hides_invisible_parent(world):
    # given A linked as a child of B, which Sara may not see
    actions.link_child(actor=world.users["incident_manager"], parent=world.fresh("B"), child=world.fresh("A"))
    _client, api = sign_in(world, "requester")

    # when Sara reads A through the API
    response = api.get(f"/api/v1/incidents/{world.records['A'].number}/")

    # then nothing of B is in the response
    assert response.status_code == 200
    assert response.json()["parent"] is None
    assert B_TITLE not in body_text(response)


def test_api_schema_is_public(world):
    # given a visitor who has not signed in
    client = APIClient()

    # when they fetch the OpenAPI schema
    response = client.get("/api/schema/")

    # then it describes the API and contains no record
    assert response.status_code == 200
    text = body_text(response)
    assert "/api/v1/incidents/" in text
    assert world.records["A"].number not in text
    assert A_TITLE not in text
