"""Known error API: the database under /api/v1/known-errors/ and the incident-side endpoints."""

from __future__ import annotations

import pytest

from sarv.core.api.testing import token_client
from sarv.problems import actions
from sarv.problems.choices import KnownErrorStatus, LinkSource
from sarv.problems.models import KnownError, KnownErrorUse, ProblemIncident
from sarv.problems.tests.kedb_fixtures import (
    ROOT_CAUSE,
    WORKAROUND,
    analysed,
    incident,
    known_error,
    problem,
    problem_manager,
)

pytestmark = pytest.mark.django_db
__all__ = ["incident", "known_error", "problem", "problem_manager"]

BASE = "/api/v1/known-errors/"


class TestDatabase:
    def test_list_and_search(self, agent, known_error):
        client = token_client(agent)

        found = client.get(BASE, {"q": "چاپگرهاي"})
        missed = client.get(BASE, {"q": "ایمیل"})

        assert found.status_code == 200
        assert [row["number"] for row in found.json()["results"]] == [known_error.number]
        assert found.json()["results"][0]["problem"] == known_error.problem.number
        assert missed.json()["results"] == []

    def test_retrieve(self, agent, known_error):
        response = token_client(agent).get(f"{BASE}{known_error.number}/")

        body = response.json()
        assert response.status_code == 200
        assert (body["root_cause"], body["workaround"], body["status"]) == (ROOT_CAUSE, WORKAROUND, "published")
        assert body["use_count"] == 0

    def test_requester_gets_403(self, requester, known_error):
        response = token_client(requester).get(BASE)

        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"

    def test_publish(self, problem_manager, problem):
        response = token_client(problem_manager).post(BASE, {"problem": problem.number.lower(),
                                                            "title": "صف چاپ گیر می‌کند"}, format="json")

        assert response.status_code == 201
        assert response.json()["title"] == "صف چاپ گیر می‌کند"
        assert response.json()["number"] == KnownError.objects.get().number

    def test_publish_by_agent_is_403(self, agent, problem):
        response = token_client(agent).post(BASE, {"problem": problem.number}, format="json")

        assert response.status_code == 403
        assert not KnownError.objects.exists()

    def test_publish_unknown_problem(self, problem_manager):
        response = token_client(problem_manager).post(BASE, {"problem": "PRB-1405-999999"}, format="json")

        assert response.status_code == 400
        assert response.json()["field"] == "problem"

    def test_publish_without_workaround(self, problem_manager, problem):
        analysed(problem, workaround="")

        response = token_client(problem_manager).post(BASE, {"problem": problem.number}, format="json")

        assert response.status_code == 400
        assert response.json()["field"] == "workaround"

    def test_update_from_problem_and_conflict(self, problem_manager, problem, known_error):
        analysed(problem, workaround="نسخه تازه راه‌حل")
        client = token_client(problem_manager)

        stale = client.post(f"{BASE}{known_error.number}/update-from-problem/", {"version": 5}, format="json")
        updated = client.post(f"{BASE}{known_error.number}/update-from-problem/", {"version": 1}, format="json")

        assert stale.status_code == 409
        assert updated.status_code == 200
        assert (updated.json()["workaround"], updated.json()["version"]) == ("نسخه تازه راه‌حل", 2)

    def test_retire(self, problem_manager, known_error):
        client = token_client(problem_manager)

        empty = client.post(f"{BASE}{known_error.number}/retire/", {"reason": ""}, format="json")
        retired = client.post(f"{BASE}{known_error.number}/retire/", {"reason": "وصله نصب شد"}, format="json")

        assert empty.status_code == 400
        assert retired.status_code == 200
        assert retired.json()["status"] == KnownErrorStatus.RETIRED
        assert retired.json()["retire_reason"] == "وصله نصب شد"

    def test_uses(self, agent, incident, known_error):
        actions.link_incident_to_known_error(actor=agent, incident=incident, known_error=known_error)

        response = token_client(agent).get(f"{BASE}{known_error.number}/uses/")

        assert response.status_code == 200
        assert [(row["incident"], row["kind"]) for row in response.json()["results"]] == [
            (incident.number, "linked")]


class TestIncidentSide:
    def test_suggestions(self, agent, incident, known_error):
        response = token_client(agent).get(f"/api/v1/incidents/{incident.number}/known-error-suggestions/")

        assert response.status_code == 200
        [row] = response.json()
        assert row["known_error"]["number"] == known_error.number
        assert row["reasons"] == ["Similar description"]
        assert row["similarity"] > 0

    def test_link_known_error_then_apply(self, agent, requester, incident, known_error):
        client = token_client(agent)

        linked = client.post(f"/api/v1/incidents/{incident.number}/known-errors/",
                             {"known_error": known_error.number}, format="json")
        applied = client.post(f"/api/v1/incidents/{incident.number}/problems/{known_error.problem.number}"
                              "/apply-workaround/")

        assert linked.status_code == 201
        assert linked.json()[0]["known_error"] == known_error.number
        assert linked.json()[0]["linked_through"] == LinkSource.KNOWN_ERROR
        assert applied.status_code == 201
        assert applied.json()["kind"] == "public_reply"
        assert WORKAROUND in applied.json()["body"]
        assert KnownErrorUse.objects.count() == 2

    def test_link_problem_and_list(self, agent, incident, problem):
        client = token_client(agent)

        created = client.post(f"/api/v1/incidents/{incident.number}/problems/", {"problem": problem.number},
                              format="json")
        listed = client.get(f"/api/v1/incidents/{incident.number}/problems/")

        assert created.status_code == 201
        assert [row["number"] for row in listed.json()] == [problem.number]
        assert listed.json()[0]["workaround"] == WORKAROUND
        assert listed.json()[0]["known_error"] is None

    def test_requester_gets_403_and_stranger_404(self, requester, other_requester, incident, problem):
        own = token_client(requester).post(f"/api/v1/incidents/{incident.number}/problems/",
                                           {"problem": problem.number}, format="json")
        other = token_client(other_requester).get(f"/api/v1/incidents/{incident.number}/problems/")

        assert own.status_code == 403
        assert other.status_code == 404
        assert not ProblemIncident.objects.exists()

    def test_apply_unlinked_is_400(self, agent, incident, problem):
        response = token_client(agent).post(f"/api/v1/incidents/{incident.number}/problems/{problem.number}"
                                            "/apply-workaround/")

        assert response.status_code == 400
        assert response.json()["message"] == f"{incident.number} is not linked to {problem.number}."
