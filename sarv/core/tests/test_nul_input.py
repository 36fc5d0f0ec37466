"""A NUL character in a query string, a URL-encoded form or a JSON body is rejected with 400 before any query."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import pytest
from django.test import Client

from sarv.core.api.testing import token_client
from sarv.incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_api_query_with_nul_is_bad_request(agent):
    response = token_client(agent).get("/api/v1/cmdb/cis/", {"q": "sw\x00itch"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_api_json_with_nul_is_rejected(requester):
    response = token_client(requester).post("/api/v1/incidents/", {"title": "چاپگر\x00", "description": ""},
                                            format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert not Incident.objects.exists()


def test_page_query_with_nul_is_bad_request(agent):
    client = Client()
    client.force_login(agent)

    response = client.get("/incidents/", {"q": "a\x00b"})

    assert response.status_code == 400


def test_form_post_with_nul_changes_nothing(requester):
    client = Client()
    client.force_login(requester)

    response = client.post("/portal/new/", {"title": "x\x00y", "description": "z"})

    assert response.status_code == 400
    assert not Incident.objects.exists()


@pytest.mark.parametrize("encode", ["urlencoded", "multipart"])
def test_api_patch_form_with_nul_is_rejected(agent, requester, make_incident, encode):
    # DRF parses the body of PATCH and PUT itself, so Django's middleware does not parse these forms.
    incident = make_incident(requester)
    client = token_client(agent)
    url = f"/api/v1/incidents/{incident.number}/"
    body = {"title": "x\x00y", "version": str(incident.version)}
    if encode == "urlencoded":
        response = client.patch(url, urlencode(body), content_type="application/x-www-form-urlencoded")
    else:
        response = client.patch(url, body, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    incident.refresh_from_db()
    assert incident.title != "x\x00y"


def test_rejection_is_one_warning_without_a_trace(agent, caplog):
    # a NUL from a client is bad input, not a server fault, so the server log shows no error or traceback
    with caplog.at_level(logging.INFO):
        response = token_client(agent).get("/api/v1/incidents/", {"q": "a\x00b"})

    assert response.status_code == 400
    assert [record.levelname for record in caplog.records if record.name.startswith("django.security")] == []
    warnings = [record for record in caplog.records if record.name == "sarv.core.middleware"]
    assert [record.levelname for record in warnings] == ["WARNING"]
    assert "/api/v1/incidents/" in warnings[0].getMessage()
    assert warnings[0].exc_info is None
