"""Short Schemathesis run inside the test suite: every API operation as an agent, a requester and anonymously.

The schema is the committed docs/api/openapi.yaml (``make schema-check`` keeps it equal to the code), called
in process through Django's WSGI handler on the test database. Each generated request is sent three times:
with the agent's token (Persian), the requester's token (English) and no credentials. The checks are those of
``make fuzz-api`` (tests/robustness/api_fuzz.py); the long run there explores far more inputs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from tests.robustness import api_fuzz

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml"
# Sized so the whole module stays near a minute on two cores.
MAX_EXAMPLES = 6


# Loaded at collection time (the lazy ``from_fixture`` loader does not support pytest 9). Revoking the token is
# left out because it would turn the agent's remaining calls into 401s; its own tests cover it.
# The coverage phase (boundary values of every field) is left to the long run: here it would take minutes.
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_path(SCHEMA_FILE, config=CONFIG).exclude(operation_id="auth_token_destroy")
schema.app = WSGIHandler()


@pytest.fixture
def callers(agent, requester, make_incident, category_tree):
    """The agent reads Persian, the requester English; anonymous clients get the default, Persian."""
    requester.language = "en"
    requester.save(update_fields=["language"])
    incidents = [make_incident(requester), make_incident(requester, title="<script>alert(1)</script> VPN")]
    api_fuzz.expected["numbers"] = [incident.number for incident in incidents]
    return [
        ({"Authorization": f"Token {Token.objects.create(user=agent).key}"}, "fa"),
        ({"Authorization": f"Token {Token.objects.create(user=requester).key}"}, "en"),
        ({}, "fa"),
    ]


def selected_checks() -> list:
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    return CHECKS.get_by_names(api_fuzz.CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_matches_schema(case, callers):
    checks = selected_checks()
    for headers, language in callers:
        api_fuzz.expected["language"] = language
        case.call_and_validate(headers=headers, checks=checks)
