"""API of accounts: token sign-in and revocation, 401 responses in the request's language, the profile and
the people and organisation lists."""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sarv.accounts.models import Department, Location, LocationKind
from sarv.core.api.testing import token_client
from sarv.core.choices import AuditAction
from sarv.core.models import AuditLogEntry
from sarv.testing.factories import TEST_PASSWORD, make_user

TOKEN_URL = "/api/v1/auth/token/"
NOT_AUTHENTICATED_FA = "اطلاعات برای اعتبارسنجی ارسال نشده است."


def english_client() -> APIClient:
    """A client without credentials whose language cookie selects English."""
    client = APIClient()
    client.cookies["sarv_language"] = "en"
    return client


@pytest.mark.django_db
class TestToken:
    def test_obtain_returns_token_and_audits(self, requester):
        # given Sara's username and password
        # when she requests a token
        response = APIClient().post(TOKEN_URL, {"username": "sara", "password": TEST_PASSWORD}, format="json")

        # then she gets her token, and the audit log records that one was issued without storing the key
        assert response.status_code == 200
        token = Token.objects.get(user=requester)
        assert response.json()["token"] == token.key
        assert response.json()["created"].endswith("Z")
        row = AuditLogEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(requester.pk)).get()
        assert row.changes == {"api_token": [None, "issued"]}
        assert token.key not in str(row.changes) + row.object_repr

    def test_second_request_returns_same_token(self, requester):
        # given a token already issued
        first = APIClient().post(TOKEN_URL, {"username": "sara", "password": TEST_PASSWORD}, format="json")

        # when she signs in again
        second = APIClient().post(TOKEN_URL, {"username": "sara", "password": TEST_PASSWORD}, format="json")

        # then the same token comes back and no second audit row is written
        assert second.json()["token"] == first.json()["token"]
        assert AuditLogEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(requester.pk)).count() == 1

    def test_wrong_password_is_rejected(self, requester):
        # when the password is wrong
        response = english_client().post(TOKEN_URL, {"username": "sara", "password": "wrong"}, format="json")

        # then 400 with a clear message, no token, and a failed sign-in in the audit log
        assert response.status_code == 400
        assert response.json() == {
            "code": "invalid_credentials",
            "message": "The username or password is incorrect, or the account is not active.",
        }
        assert not Token.objects.exists()
        assert AuditLogEntry.objects.filter(action=AuditAction.LOGIN_FAILED, object_repr="sara").exists()

    def test_inactive_user_is_rejected(self, requester):
        # given Sara's account was deactivated
        requester.is_active = False
        requester.save()

        # when she requests a token with the right password
        response = english_client().post(TOKEN_URL, {"username": "sara", "password": TEST_PASSWORD}, format="json")

        # then she gets no token
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_credentials"
        assert not Token.objects.exists()

    def test_missing_password_names_the_field(self, requester):
        response = english_client().post(TOKEN_URL, {"username": "sara"}, format="json")

        assert response.status_code == 400
        assert response.json() == {
            "code": "invalid",
            "message": "This field is required.",
            "field": "password",
            "errors": {"password": ["This field is required."]},
        }

    def test_token_authenticates_requests(self, requester):
        token = APIClient().post(TOKEN_URL, {"username": "sara", "password": TEST_PASSWORD}, format="json")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token " + token.json()["token"])

        response = client.get("/api/v1/me/")

        assert response.status_code == 200
        assert response.json()["username"] == "sara"

    def test_revoke_deletes_token_and_later_calls_fail(self, requester):
        # given Sara's client has a token
        client = token_client(requester, language="fa")

        # when she revokes it
        response = client.delete(TOKEN_URL)

        # then the token is gone, the revocation is audited, and the old token gets 401 in her language
        assert response.status_code == 204
        assert not Token.objects.filter(user=requester).exists()
        assert AuditLogEntry.objects.filter(
            action=AuditAction.UPDATE, object_id=str(requester.pk), changes={"api_token": ["issued", None]}
        ).exists()
        after = client.get("/api/v1/me/")
        assert after.status_code == 401
        with translation.override("fa"):
            expected = translation.gettext("Invalid token.")
        assert after.json() == {"code": "authentication_failed", "message": expected}
        assert expected != "Invalid token."

    def test_token_of_deactivated_user_is_refused(self, requester):
        client = token_client(requester)
        requester.is_active = False
        requester.save()

        response = client.get("/api/v1/me/")

        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"


@pytest.mark.django_db
class TestLanguageOfErrors:
    def test_no_credentials_answers_401_in_persian(self):
        response = APIClient().get("/api/v1/incidents/")

        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Token"
        assert response.headers["Content-Language"] == "fa"
        assert response.json() == {"code": "not_authenticated", "message": NOT_AUTHENTICATED_FA}

    def test_no_credentials_follows_language_cookie(self):
        response = english_client().get("/api/v1/incidents/")

        assert response.status_code == 401
        assert response.json() == {"code": "not_authenticated",
                                   "message": "Authentication credentials were not provided."}

    @pytest.mark.parametrize(("language", "message"), [("fa", "این مقدار لازم است."),
                                                       ("en", "This field is required.")])
    def test_token_user_gets_their_language(self, requester, language, message):
        # given a token user whose language is set on their account (no session, no cookie)
        client = token_client(requester, language=language)

        # when the request is invalid
        response = client.post("/api/v1/incidents/", {}, format="json")

        # then the message and Content-Language follow the user's language
        assert response.status_code == 400
        assert response.json()["message"] == message
        assert response.json()["field"] == "title"
        assert response.headers["Content-Language"] == language

    def test_session_user_is_accepted(self, client, requester):
        client.force_login(requester)

        response = client.get("/api/v1/me/")

        assert response.status_code == 200
        assert response.json()["id"] == requester.pk


@pytest.mark.django_db
class TestMe:
    def test_agent_profile_and_permissions(self, agent, service_desk):
        response = token_client(agent).get("/api/v1/me/")

        body = response.json()
        assert body["roles"] == [{"code": "agent", "label": "Agent"}]
        assert body["support_groups"] == [{"id": service_desk.pk, "name": "IT service desk"}]
        assert body["language"] == "en"
        assert body["time_zone"] == "Asia/Tehran"
        assert body["permissions"] == {"is_agent": True, "report": True, "view_all": True, "view_department": False,
                                       "work": True, "bulk_update": False, "manage": False}

    def test_requester_permissions(self, requester, department):
        requester.time_zone = "Europe/London"
        requester.save()

        body = token_client(requester).get("/api/v1/me/").json()

        assert body["department"] == {"id": department.pk, "name": "Finance"}
        assert body["time_zone"] == "Europe/London"
        assert body["roles"] == [{"code": "requester", "label": "Requester"}]
        assert body["permissions"] == {"is_agent": False, "report": True, "view_all": False, "view_department": False,
                                       "work": False, "bulk_update": False, "manage": False}

    def test_manager_may_manage(self, incident_manager):
        permissions = token_client(incident_manager).get("/api/v1/me/").json()["permissions"]

        assert permissions["manage"] is True
        assert permissions["bulk_update"] is True


@pytest.mark.django_db
class TestUsers:
    def test_agent_sees_active_users_and_searches(self, agent, requester, other_requester):
        inactive = make_user("gone", "رفته", "قدیمی")
        inactive.is_active = False
        inactive.save()
        client = token_client(agent)

        everyone = client.get("/api/v1/users/").json()
        found = client.get("/api/v1/users/", {"q": "رضا"}).json()

        assert {row["username"] for row in everyone["results"]} == {"ali", "sara", "reza"}
        # «رضا» matches Reza's first name and Sara's last name «رضایی».
        assert {row["username"] for row in found["results"]} == {"reza", "sara"}

    def test_agent_filters_by_role(self, agent, requester, other_agent):
        found = token_client(agent).get("/api/v1/users/", {"role": "agent"}).json()

        assert {row["username"] for row in found["results"]} == {"ali", "maryam"}

    def test_requester_sees_only_themselves(self, requester, other_requester):
        client = token_client(requester)

        listed = client.get("/api/v1/users/").json()
        other = client.get(f"/api/v1/users/{other_requester.pk}/")

        assert [row["username"] for row in listed["results"]] == ["sara"]
        assert other.status_code == 404
        assert other.json() == {"code": "not_found",
                                "message": "The record was not found or you do not have access to it."}


@pytest.mark.django_db
class TestOrganisation:
    def test_departments_list_active_ones(self, requester, department, other_department):
        other_department.is_active = False
        other_department.save()

        body = token_client(requester).get("/api/v1/departments/").json()

        assert [row["name"] for row in body["results"]] == ["Finance"]
        assert body["results"][0]["name_fa"] == "امور مالی"

    def test_locations_show_kind_labels(self, requester):
        tehran = Location.objects.create(name_fa="تهران", name_en="Tehran", kind=LocationKind.PROVINCE)
        Location.objects.create(name_fa="ساختمان مرکزی", name_en="Head office", kind=LocationKind.SITE, parent=tehran)

        body = token_client(requester).get("/api/v1/locations/").json()

        assert [(row["kind"], row["kind_display"], row["name"]) for row in body["results"]] == [
            ("province", "Province", "Tehran"), ("site", "Site", "Head office"),
        ]

    def test_agents_see_group_members(self, agent, group_lead, service_desk):
        body = token_client(agent).get(f"/api/v1/support-groups/{service_desk.pk}/").json()

        assert body["lead"]["username"] == "hamid"
        assert [member["username"] for member in body["members"]] == ["hamid", "ali"]

    def test_requesters_see_groups_without_members(self, requester, agent, service_desk):
        body = token_client(requester).get("/api/v1/support-groups/").json()

        assert body["results"][0]["name"] == "IT service desk"
        assert "members" not in body["results"][0]

    def test_inactive_department_is_not_found(self, requester):
        closed = Department.objects.create(name_fa="بسته", is_active=False)

        response = token_client(requester).get(f"/api/v1/departments/{closed.pk}/")

        assert response.status_code == 404
