"""Endpoints for what hangs off an incident: replies, work notes, attachments, watchers, letter references,
child incidents and the timeline, with what requesters must never see."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sarv.core.api.testing import token_client
from sarv.core.choices import AuditAction, TimelineKind
from sarv.core.models import Attachment, AuditLogEntry, TimelineEntry, Watcher
from sarv.incidents import actions
from sarv.incidents.choices import HoldReason, IncidentStatus
from sarv.incidents.models import Incident


def url(incident: Incident, name: str) -> str:
    return f"/api/v1/incidents/{incident.number}/{name}/"


def text_file(name: str = "log.txt", content: bytes = b"printer error 42") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


@pytest.fixture
def incident(requester, make_incident):
    return make_incident(requester)


@pytest.mark.django_db
class TestRepliesAndNotes:
    def test_requester_reply_with_file(self, incident, requester):
        response = token_client(requester).post(url(incident, "replies"), {
            "body": "هنوز مشکل دارم", "attachments": [text_file()]}, format="multipart")

        assert response.status_code == 201
        body = response.json()
        assert (body["kind"], body["kind_display"], body["body"]) == ("public_reply", "Reply", "هنوز مشکل دارم")
        assert body["actor"]["username"] == "sara"
        assert "is_internal" not in body
        [attachment] = body["attachments"]
        assert attachment["name"] == "log.txt"
        assert attachment["download_url"].startswith("http://testserver/attachments/")

    def test_reply_as_json(self, incident, agent):
        response = token_client(agent).post(url(incident, "replies"), {"body": "دوباره امتحان کنید"},
                                            format="json")

        assert response.status_code == 201
        assert response.json()["is_internal"] is False

    def test_empty_reply(self, incident, requester):
        response = token_client(requester).post(url(incident, "replies"), {"body": "  "}, format="json")

        assert response.status_code == 400
        assert response.json() == {"code": "invalid", "field": "body", "message": "Write a message or attach a file."}

    def test_requester_reply_ends_waiting(self, incident, agent, service_desk, requester):
        incident = actions.assign_incident(actor=agent, incident=incident, expected_version=incident.version,
                                           group=service_desk, assignee=agent)
        actions.change_status(actor=agent, incident=incident, expected_version=incident.version,
                              status=IncidentStatus.ON_HOLD, hold_reason=HoldReason.AWAITING_REQUESTER)

        token_client(requester).post(url(incident, "replies"), {"body": "فرستادم"}, format="json")

        incident.refresh_from_db()
        assert incident.status == IncidentStatus.IN_PROGRESS

    def test_agent_writes_internal_note(self, incident, agent):
        response = token_client(agent).post(url(incident, "notes"), {"body": "درایور قدیمی است"}, format="json")

        assert response.status_code == 201
        assert (response.json()["kind"], response.json()["is_internal"]) == ("work_note", True)

    def test_requester_cannot_write_notes(self, incident, requester):
        response = token_client(requester).post(url(incident, "notes"), {"body": "x"}, format="json")

        assert response.status_code == 403
        assert response.json() == {"code": "permission_denied", "message": "You do not have permission to do this."}
        assert not TimelineEntry.objects.filter(kind=TimelineKind.WORK_NOTE).exists()


@pytest.mark.django_db
class TestAttachments:
    def test_requester_never_sees_internal_files(self, incident, agent, requester):
        actions.add_attachments(actor=agent, incident=incident, files=[text_file("internal.txt")], internal=True)
        actions.add_attachments(actor=requester, incident=incident, files=[text_file("public.txt")], internal=False)

        as_requester = token_client(requester).get(url(incident, "attachments")).json()
        as_agent = token_client(agent).get(url(incident, "attachments")).json()

        assert [row["name"] for row in as_requester["results"]] == ["public.txt"]
        assert "is_internal" not in as_requester["results"][0]
        assert [(row["name"], row["is_internal"]) for row in as_agent["results"]] == [
            ("internal.txt", True), ("public.txt", False)]
        assert as_agent["results"][0]["uploaded_by"]["username"] == "ali"

    def test_upload_and_download_link(self, client, incident, requester):
        response = token_client(requester).post(url(incident, "attachments"), {
            "attachments": [text_file("شماره اموال.txt", b"12345")]}, format="multipart")

        assert response.status_code == 201
        [row] = response.json()["attachments"]
        assert row["name"] == "شماره اموال.txt"
        assert row["size"] == 5
        # The link is the download page, which checks permission itself.
        client.force_login(requester)
        download = client.get(row["download_url"].removeprefix("http://testserver"))
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == b"12345"

    def test_requester_cannot_upload_internal(self, incident, requester):
        response = token_client(requester).post(url(incident, "attachments"), {
            "attachments": [text_file()], "internal": True}, format="multipart")

        assert response.status_code == 403
        assert not Attachment.objects.exists()

    def test_upload_without_files(self, incident, agent):
        response = token_client(agent).post(url(incident, "attachments"), {"internal": False}, format="multipart")

        assert response.status_code == 400
        assert response.json() == {"code": "invalid", "field": "attachments", "message": "Choose at least one file."}

    def test_executable_is_rejected(self, incident, agent):
        response = token_client(agent).post(url(incident, "attachments"), {
            "attachments": [text_file("tool.txt", b"MZ\x90\x00")]}, format="multipart")

        assert response.status_code == 400
        assert response.json()["message"] == "The content of tool.txt does not match its .txt extension."


@pytest.mark.django_db
class TestWatchers:
    def test_add_list_and_remove(self, incident, agent, other_requester):
        client = token_client(agent)

        added = client.post(url(incident, "watchers"), {"user": other_requester.pk}, format="json")
        again = client.post(url(incident, "watchers"), {"user": other_requester.pk}, format="json")
        listed = client.get(url(incident, "watchers")).json()
        removed = client.delete(f"{url(incident, 'watchers')}{other_requester.pk}/")

        assert added.status_code == 201
        assert added.json()["user"]["username"] == "reza"
        assert added.json()["added_by"]["username"] == "ali"
        assert again.status_code == 200
        assert [row["user"]["username"] for row in listed["results"]] == ["reza"]
        assert removed.status_code == 204
        assert not Watcher.objects.exists()
        assert AuditLogEntry.objects.filter(action=AuditAction.DELETE, object_repr__contains="watches").exists()

    def test_watcher_then_sees_incident(self, incident, requester, other_requester):
        token_client(requester).post(url(incident, "watchers"), {"user": other_requester.pk}, format="json")

        response = token_client(other_requester).get(f"/api/v1/incidents/{incident.number}/")

        assert response.status_code == 200

    def test_watcher_cannot_add_others(self, incident, agent, other_requester, other_agent):
        actions.add_watcher(actor=agent, incident=incident, user=other_requester)

        response = token_client(other_requester).post(url(incident, "watchers"), {"user": other_agent.pk},
                                                      format="json")

        assert response.status_code == 403

    def test_remove_someone_not_watching(self, incident, agent, other_requester):
        response = token_client(agent).delete(f"{url(incident, 'watchers')}{other_requester.pk}/")

        assert response.status_code == 404


@pytest.mark.django_db
class TestReferences:
    def test_add_letter_with_jalali_date(self, incident, requester):
        response = token_client(requester).post(url(incident, "references"), {
            "number": "۴۵۶/ص/۱۴۰۵", "date": "۱۴۰۵/۰۲/۰۱", "note": "نامه معاونت"}, format="json")
        listed = token_client(requester).get(url(incident, "references")).json()

        assert response.status_code == 201
        body = response.json()
        assert (body["kind"], body["kind_display"]) == ("letter", "Official letter")
        assert (body["reference"], body["reference_date"]) == ("456/ص/1405", "2026-04-21")
        assert [row["reference"] for row in listed["results"]] == ["456/ص/1405"]

    def test_other_requester_cannot_add(self, incident, agent, other_requester):
        actions.add_watcher(actor=agent, incident=incident, user=other_requester)

        response = token_client(other_requester).post(url(incident, "references"), {"number": "1"}, format="json")

        assert response.status_code == 403

    def test_number_is_required(self, incident, agent):
        response = token_client(agent).post(url(incident, "references"), {"number": " "}, format="json")

        assert response.status_code == 400
        assert response.json()["field"] == "number"


@pytest.mark.django_db
class TestChildren:
    def test_link_list_and_unlink(self, agent, requester, other_requester, make_incident):
        parent = make_incident(requester, title="قطعی ایمیل")
        child = make_incident(other_requester, title="ایمیل من کار نمی‌کند")
        client = token_client(agent)

        linked = client.post(url(parent, "children"), {"number": child.number.lower()}, format="json")
        listed = client.get(url(parent, "children")).json()
        detail = client.get(f"/api/v1/incidents/{child.number}/").json()
        unlinked = client.delete(f"{url(parent, 'children')}{child.number}/")

        assert linked.status_code == 201
        assert linked.json()["number"] == child.number
        assert [row["number"] for row in listed["results"]] == [child.number]
        assert detail["parent"] == {"number": parent.number, "title": "قطعی ایمیل"}
        assert unlinked.status_code == 204
        child.refresh_from_db()
        assert child.parent_id is None

    def test_requester_sees_only_visible_children(self, agent, requester, other_requester, make_incident):
        parent = make_incident(requester)
        hidden_child = make_incident(other_requester)
        actions.link_child(actor=agent, parent=parent, child=hidden_child)

        listed = token_client(requester).get(url(parent, "children")).json()

        assert listed["results"] == []

    def test_incident_cannot_be_its_own_parent(self, agent, incident):
        response = token_client(agent).post(url(incident, "children"), {"number": incident.number}, format="json")

        assert response.status_code == 400
        assert response.json()["message"] == "An incident cannot be its own parent."

    def test_unlink_a_non_child(self, agent, requester, make_incident):
        parent = make_incident(requester)
        stranger = make_incident(requester, title="دیگری")

        response = token_client(agent).delete(f"{url(parent, 'children')}{stranger.number}/")

        assert response.status_code == 404

    def test_requester_cannot_link(self, requester, make_incident):
        parent = make_incident(requester)
        child = make_incident(requester, title="دوم")

        response = token_client(requester).post(url(parent, "children"), {"number": child.number}, format="json")

        assert response.status_code == 403


@pytest.mark.django_db
class TestTimeline:
    def test_requester_sees_no_work_notes(self, incident, agent, requester, service_desk):
        actions.assign_incident(actor=agent, incident=incident, expected_version=incident.version,
                                group=service_desk, assignee=agent)
        actions.add_work_note(actor=agent, incident=incident, body="رمز مدیر را عوض کردم",
                              files=[text_file("secret.txt")])
        actions.add_reply(actor=agent, incident=incident, body="لطفا امتحان کنید")

        as_requester = token_client(requester).get(url(incident, "timeline")).json()
        as_agent = token_client(agent).get(url(incident, "timeline")).json()

        assert [row["kind"] for row in as_requester["results"]] == ["created", "status_changed", "public_reply"]
        assert "رمز مدیر" not in str(as_requester)
        assert "secret.txt" not in str(as_requester)
        assert [row["kind"] for row in as_agent["results"]] == [
            "created", "assigned", "status_changed", "work_note", "public_reply"]
        assert as_agent["results"][3]["attachments"][0]["is_internal"] is True

    def test_changes_have_keys_raw_values_and_labels(self, incident, agent, service_desk):
        actions.assign_incident(actor=agent, incident=incident, expected_version=incident.version,
                                group=service_desk, assignee=None)

        entries = token_client(agent).get(url(incident, "timeline")).json()["results"]

        status_entry = entries[2]
        assert status_entry["kind"] == "status_changed"
        assert status_entry["created_at"].endswith("Z")
        assert status_entry["changes"] == [{"field": "status", "label": "Status", "old": "new", "new": "assigned",
                                            "old_display": "New", "new_display": "Assigned"}]
        assigned = entries[1]["changes"][0]
        assert (assigned["field"], assigned["new"], assigned["new_display"]) == (
            "assigned_group", service_desk.pk, "IT service desk")

    @pytest.mark.parametrize(("language", "shown"), [("fa", ("۰", "۱")), ("en", ("0", "1"))])
    def test_display_follows_user_language(self, incident, agent, service_desk, resolution_code, language, shown):
        # given an incident that was resolved and reopened once
        incident = actions.assign_incident(actor=agent, incident=incident, expected_version=incident.version,
                                           group=service_desk, assignee=agent)
        incident = actions.resolve_incident(actor=agent, incident=incident, expected_version=incident.version,
                                            resolution_code=resolution_code, resolution_notes="رفع شد")
        actions.reopen_incident(actor=agent, incident=incident, reason="دوباره خراب شد")

        # when an agent reads the timeline in their language
        body = token_client(agent, language=language).get(url(incident, "timeline")).json()

        # then raw values stay numbers and the display values use the language's digits
        reopened = body["results"][-1]
        change = next(c for c in reopened["changes"] if c["field"] == "reopen_count")
        assert (change["old"], change["new"]) == (0, 1)
        assert (change["old_display"], change["new_display"]) == shown
        assert reopened["data"] == {"reopened": True}
