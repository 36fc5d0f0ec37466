"""Regression tests for the API defects the Schemathesis runs found: HTML error pages under /api/, lenient
page sizes, response bodies and statuses the schema did not document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
import yaml
from django.core.handlers.wsgi import WSGIHandler
from rest_framework.authtoken.models import Token
from werkzeug.test import Client, TestResponse

from sarv.core.api.errors import server_error
from sarv.core.api.testing import token_client
from sarv.core.models import ModuleSwitch
from sarv.testing.assertions import in_persian
from sarv.testing.factories import make_group, make_problem

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml"
SCHEMA = schemathesis.openapi.from_path(SCHEMA_PATH)
NOT_FOUND = "The record was not found or you do not have access to it."
PAGE_SIZE_MESSAGE = "The page size must be a whole number from 1 to %(max)s."


def wsgi_get(user, path: str) -> TestResponse:
    """GET ``path`` through the WSGI handler, in the form Schemathesis validates against the schema."""
    token, _created = Token.objects.get_or_create(user=user)
    return Client(WSGIHandler()).get(path, headers={"Authorization": f"Token {token.key}"})


@pytest.mark.django_db
class TestErrorsOutsideDRF:
    @pytest.mark.parametrize("path", ["/api/v1/users/0.5/", "/api/v1/departments/abc/", "/api/v1/no-such-thing/",
                                      "/api/v1/incidents/INC-1/watchers/%C2%84/"])
    def test_unrouted_api_path_is_json_404(self, agent, path):
        # when a URL under /api/ matches no route
        response = token_client(agent, language="fa").get(path)

        # then the API's error body comes back in the token user's language, not the HTML page
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"code": "not_found", "message": in_persian(NOT_FOUND)}

    def test_unrouted_api_path_in_english(self, agent):
        response = token_client(agent, language="en").get("/api/v1/users/0.5/")

        assert response.json() == {"code": "not_found", "message": NOT_FOUND}
        assert response["Content-Language"] == "en"

    def test_switched_off_module_api_is_json_404(self, agent):
        ModuleSwitch.objects.create(code="incidents", enabled=False)

        response = token_client(agent).get("/api/v1/incidents/")

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    def test_unrouted_page_stays_html(self, client, agent):
        client.force_login(agent)

        response = client.get("/incidents/no-such-page/")

        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")

    def test_too_many_query_fields_is_json_400(self, agent):
        # given a query string with more fields than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS)
        query = "&".join(f"f{index}=1" for index in range(1100))

        response = token_client(agent, language="en").get(f"/api/v1/incidents/?{query}")

        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"code": "invalid", "message": "The request is malformed and was not processed."}

    def test_server_error_under_api_is_json(self, rf):
        response = server_error(rf.get("/api/v1/me/"))

        assert response.status_code == 500
        assert response["Content-Type"] == "application/json"
        assert json.loads(response.content)["code"] == "server_error"


@pytest.mark.django_db
class TestPageSize:
    @pytest.mark.parametrize("value", ["null", "0", "-3", "abc", "1.5", "۲x"])
    def test_invalid_page_size_is_rejected(self, agent, value):
        response = token_client(agent).get("/api/v1/departments/", {"page_size": value})

        assert response.status_code == 400
        assert response.json() == {"code": "invalid", "message": PAGE_SIZE_MESSAGE % {"max": 200},
                                   "field": "page_size", "params": {"max": "200"}}

    def test_invalid_page_size_message_in_persian(self, agent):
        response = token_client(agent, language="fa").get("/api/v1/services/", {"page_size": "null"})

        assert response.status_code == 400
        assert response.json()["message"] == in_persian(PAGE_SIZE_MESSAGE, max=200)

    @pytest.mark.parametrize(("value", "size"), [("۳", 3), ("5", 5), ("100000", 200)])
    def test_valid_page_size_is_read(self, agent, value, size):
        # given the agent's group and six more
        for index in range(6):
            make_group(f"گروه {index}", f"Group {index}")

        response = token_client(agent).get("/api/v1/support-groups/", {"page_size": value})

        assert response.status_code == 200
        assert len(response.json()["results"]) == min(size, 7)

    def test_page_past_the_end_is_documented_404(self, agent):
        response = wsgi_get(agent, "/api/v1/departments/?page=999")

        assert response.status_code == 404
        SCHEMA["/api/v1/departments/"]["GET"].validate_response(response)


@pytest.mark.django_db
class TestResponsesMatchSchema:
    def test_incident_without_hold_reason_matches_schema(self, agent, requester, make_incident):
        # given an incident that is not on hold, so its hold_reason is ""
        incident = make_incident(requester)

        # then list and detail responses validate against the committed schema
        listing = wsgi_get(agent, "/api/v1/incidents/")
        detail = wsgi_get(agent, f"/api/v1/incidents/{incident.number}/")

        assert listing.json["results"][0]["hold_reason"] == ""
        SCHEMA["/api/v1/incidents/"]["GET"].validate_response(listing)
        SCHEMA["/api/v1/incidents/{number}/"]["GET"].validate_response(detail)

    def test_group_without_email_matches_schema(self, agent, service_desk):
        service_desk.email = ""
        service_desk.save()

        response = wsgi_get(agent, "/api/v1/support-groups/")

        assert response.json["results"][0]["email"] == ""
        SCHEMA["/api/v1/support-groups/"]["GET"].validate_response(response)


@pytest.mark.django_db
def test_sign_in_with_stale_token_header_is_documented_401(agent):
    # given a client that still sends a malformed token header with its username and password
    agent.set_password("correct horse")
    agent.save()

    # when it signs in
    response = Client(WSGIHandler()).post("/api/v1/auth/token/", json={"username": agent.username,
                                                                        "password": "correct horse"},
                                          headers={"Authorization": "Token two words"})

    # then the header is refused before the password is read, with a 401 the schema documents
    assert response.status_code == 401
    assert response.json["code"] == "authentication_failed"
    SCHEMA["/api/v1/auth/token/"]["POST"].validate_response(response)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/incidents/0/problems/", "/api/v1/incidents/0/known-errors/",
                                  "/api/v1/incidents/0/problems/0/apply-workaround/",
                                  "/api/v1/incidents/INC-1405-000001/problems/"])
def test_options_on_views_without_a_serializer_class(agent, path):
    # these view sets parse each action's body with its own serializer and have no serializer_class
    response = token_client(agent).options(path)

    assert response.status_code == 200
    assert response.json()["name"]


@pytest.mark.django_db
def test_five_whys_list_is_documented_unpaged(agent):
    # the steps come as one unpaged list, on GET and after a move, and the schema documents that
    problem = make_problem(agent)
    client = token_client(agent)
    for question in ("چرا چاپ نمی‌شود؟", "چرا صف پر است؟"):
        client.post(f"/api/v1/problems/{problem.number}/five-whys/", {"question": question, "answer": ""},
                    format="json")

    listing = client.get(f"/api/v1/problems/{problem.number}/five-whys/")

    assert [step["position"] for step in listing.json()] == [1, 2]
    paths = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))["paths"]
    for path, method in (("/api/v1/problems/{number}/five-whys/", "get"),
                         ("/api/v1/problems/{number}/five-whys/{step_id}/move/", "post")):
        schema = paths[path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema["type"] == "array"
        assert schema["items"] == {"$ref": "#/components/schemas/FiveWhyStep"}


@pytest.mark.django_db
class TestErrorBodiesMatchSchema:
    """Error responses that the API fuzz run found undocumented."""

    def test_holiday_import_without_csv_is_documented_400(self, admin_user):
        token, _created = Token.objects.get_or_create(user=admin_user)
        response = Client(WSGIHandler()).post("/api/v1/calendars/holidays/import/", json={},
                                              headers={"Authorization": f"Token {token.key}"})

        assert response.status_code == 400
        assert response.json["code"] == "invalid"
        SCHEMA["/api/v1/calendars/holidays/import/"]["POST"].validate_response(response)

    def test_holiday_import_report_is_documented_400(self, admin_user):
        token, _created = Token.objects.get_or_create(user=admin_user)
        response = Client(WSGIHandler()).post(
            "/api/v1/calendars/holidays/import/", json={"csv": "jalali_date,name_fa,kind\n1407/13/01,بد,solar\n"},
            headers={"Authorization": f"Token {token.key}"})

        assert response.status_code == 400
        assert response.json["errors"][0]["line"] == 2
        SCHEMA["/api/v1/calendars/holidays/import/"]["POST"].validate_response(response)

    def test_suggestions_for_another_requester_is_documented_404(self, requester, other_requester):
        response = wsgi_get(requester, f"/api/v1/cmdb/cis/suggestions/?requester={other_requester.pk}")

        assert response.status_code == 404
        SCHEMA["/api/v1/cmdb/cis/suggestions/"]["GET"].validate_response(response)
