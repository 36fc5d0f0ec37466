"""The agent's incident page: who may open it, what it shows, and every quick action through the page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from sarv.core.choices import AuditAction, Priority, ReferenceKind, TimelineKind
from sarv.core.errors import InvalidTransition
from sarv.core.models import AuditLogEntry, ExternalReference, TimelineEntry, Watcher
from sarv.core.text import to_persian_digits
from sarv.incidents import actions
from sarv.incidents.choices import HoldReason, IncidentStatus
from sarv.incidents.models import Incident
from sarv.incidents.tests.page_helpers import fa, flashed, page_text, text_file


def _url(incident, action: str | None = None) -> str:
    return reverse(f"incidents:{action}", args=[incident.number]) if action else incident.get_absolute_url()


def _fresh(incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


@pytest.fixture
def incident(requester, make_incident):
    return make_incident(requester, description="از صبح چاپ نمی‌کند")


@pytest.fixture
def assigned(incident, agent, service_desk):
    return actions.assign_incident(actor=agent, incident=incident, expected_version=incident.version,
                                   group=service_desk, assignee=agent)


class TestAccess:
    def test_agent_sees_page(self, client, agent, incident):
        client.force_login(agent)

        response = client.get(_url(incident))

        body = page_text(response)
        assert response.status_code == 200
        assert f'<bdi dir="ltr">{to_persian_digits(incident.number)}</bdi>' in body
        assert incident.title in body
        assert 'class="badge badge-status status-new"' in body

    def test_requester_is_sent_to_portal(self, client, requester, incident):
        client.force_login(requester)

        response = client.get(_url(incident))

        assert response.status_code == 302
        assert response["Location"] == incident.get_portal_url()

    def test_other_requester_gets_404(self, client, other_requester, incident):
        client.force_login(other_requester)

        assert client.get(_url(incident)).status_code == 404
        assert client.post(_url(incident, "reply"), {"body": "سلام"}).status_code == 403

    def test_unknown_number_gets_404(self, client, agent, db):
        client.force_login(agent)

        assert client.get(reverse("incidents:detail", args=["INC-1405-999999"])).status_code == 404

    def test_persian_digits_in_url_redirect(self, client, agent, incident):
        client.force_login(agent)

        response = client.get(f"/incidents/{to_persian_digits(incident.number)}/")

        assert response.status_code == 302
        assert response["Location"] == _url(incident)

    def test_offered_actions_follow_role(self, client, agent, incident_manager, assigned):
        client.force_login(agent)
        agent_forms = client.get(_url(assigned)).context["forms"]
        client.force_login(incident_manager)
        manager_forms = client.get(_url(assigned)).context["forms"]

        assert {"assign", "status", "resolve", "edit", "reply", "note"} <= set(agent_forms)
        assert not {"take", "priority", "major", "close", "reopen", "cancel"} & set(agent_forms)
        assert {"take", "priority", "major", "cancel"} <= set(manager_forms)


class TestTimeline:
    def test_notes_and_replies_styled_apart(self, client, agent, assigned):
        actions.add_work_note(actor=agent, incident=assigned, body="یادداشت محرمانه", files=[text_file("log.txt")])
        actions.add_reply(actor=agent, incident=assigned, body="پاسخ عمومی")
        client.force_login(agent)

        body = page_text(client.get(_url(assigned)))

        assert 'class="timeline-card rounded p-2 work-note"' in body
        assert 'class="timeline-card rounded p-2 public-reply"' in body
        assert "یادداشت محرمانه" in body
        assert "پاسخ عمومی" in body
        attachment = assigned.attachments.get(original_name="log.txt")
        assert reverse("core:attachment", args=[attachment.public_id]) in body

    def test_watcher_entry_names_the_person(self, client, agent, other_requester, incident):
        actions.add_watcher(actor=agent, incident=incident, user=other_requester)
        client.force_login(agent)

        response = client.get(_url(incident))

        row = next(row for row in response.context["rows"] if row.kind == TimelineKind.WATCHER_ADDED)
        assert row.extra == [other_requester.display_name]


class TestWorkFlows:
    def test_take_assigns_to_me(self, client, agent, service_desk, incident):
        client.force_login(agent)

        response = client.post(_url(incident, "take"), {"version": incident.version})

        assert response.status_code == 302
        assert flashed(response) == [fa("You took %(number)s.", number=incident.number)]
        fresh = _fresh(incident)
        assert (fresh.assignee, fresh.assigned_group, fresh.status) == (agent, service_desk, IncidentStatus.ASSIGNED)
        assert AuditLogEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(incident.pk),
                                            actor=agent).exists()

    def test_stale_take_reports_conflict(self, client, agent, incident):
        client.force_login(agent)

        response = client.post(_url(incident, "take"), {"version": incident.version + 5})

        assert response.status_code == 302
        assert flashed(response) == [fa(
            "Someone else changed this record after you opened it. Your changes were not saved; "
            "reload the page, check the new values and apply your changes again."
        )]
        assert _fresh(incident).assignee is None

    def test_assign_to_group_and_agent(self, client, agent, other_agent, network_group, incident):
        client.force_login(agent)

        response = client.post(_url(incident, "assign"), {
            "version": incident.version, "assigned_group": network_group.pk, "assignee": other_agent.pk,
        })

        assert flashed(response) == [fa("%(number)s was assigned.", number=incident.number)]
        assert (_fresh(incident).assigned_group, _fresh(incident).assignee) == (network_group, other_agent)

    def test_assign_wrong_member_reopens_modal(self, client, agent, other_agent, service_desk, incident):
        client.force_login(agent)

        response = client.post(_url(incident, "assign"), {
            "version": incident.version, "assigned_group": service_desk.pk, "assignee": other_agent.pk,
        })

        assert response.status_code == 400
        assert response.context["open_panel"] == "assign"
        assert 'id="modal-assign" tabindex="-1" aria-labelledby="modal-assign-title" aria-hidden="true" ' \
               'data-sarv-show' in page_text(response)
        assert fa("%(user)s is not a member of %(group)s.", user=other_agent, group=service_desk) \
            in page_text(response)

    def test_on_hold_needs_reason(self, client, agent, assigned):
        client.force_login(agent)

        missing = client.post(_url(assigned, "status"), {"version": assigned.version, "status": "on_hold"})
        done = client.post(_url(assigned, "status"), {
            "version": assigned.version, "status": "on_hold", "hold_reason": HoldReason.AWAITING_REQUESTER,
            "note": "لطفاً مدل چاپگر را بفرستید",
        })

        assert missing.status_code == 400
        assert missing.context["forms"]["status"].errors["hold_reason"] == [fa("Choose why the incident is on hold.")]
        assert flashed(done) == [fa("The status of %(number)s was changed.", number=assigned.number)]
        fresh = _fresh(assigned)
        assert (fresh.status, fresh.hold_reason) == (IncidentStatus.ON_HOLD, HoldReason.AWAITING_REQUESTER)
        entry = TimelineEntry.objects.filter(object_id=assigned.pk, kind=TimelineKind.STATUS_CHANGED) \
            .order_by("id").last()
        assert entry is not None
        assert (entry.body, entry.is_internal) == ("لطفاً مدل چاپگر را بفرستید", False)

    def test_resolve_close_reopen(self, client, agent, assigned, resolution_code):
        client.force_login(agent)

        # when: the agent resolves
        missing_notes = client.post(_url(assigned, "resolve"), {
            "version": assigned.version, "resolution_code": resolution_code.pk, "resolution_notes": "",
        })
        resolved = client.post(_url(assigned, "resolve"), {
            "version": assigned.version, "resolution_code": resolution_code.pk, "resolution_notes": "درایور نصب شد",
        })

        # then: the notes were required, then the incident is resolved
        assert missing_notes.status_code == 400
        assert flashed(resolved) == [fa("%(number)s was resolved.", number=assigned.number)]
        fresh = _fresh(assigned)
        assert (fresh.status, fresh.resolution_code, fresh.resolved_by) == (
            IncidentStatus.RESOLVED, resolution_code, agent)

        # when: the agent reopens with a reason, resolves again and closes
        reopened = client.post(_url(assigned, "reopen"), {"reason": "دوباره خراب شد"})
        fresh = _fresh(assigned)
        assert flashed(reopened) == [fa("%(number)s was reopened.", number=assigned.number)]
        assert (fresh.status, fresh.reopen_count) == (IncidentStatus.ASSIGNED, 1)
        client.post(_url(assigned, "resolve"), {
            "version": fresh.version, "resolution_code": resolution_code.pk, "resolution_notes": "کابل عوض شد",
        })
        closed = client.post(_url(assigned, "close"))

        assert flashed(closed) == [fa("%(number)s was closed.", number=assigned.number)]
        assert _fresh(assigned).status == IncidentStatus.CLOSED

    def test_close_of_open_incident_reports_error(self, client, agent, assigned):
        client.force_login(agent)

        response = client.post(_url(assigned, "close"))

        with translation.override("fa"):
            expected = InvalidTransition(current=IncidentStatus.ASSIGNED.label,
                                         target=IncidentStatus.CLOSED.label).message
        assert response.status_code == 302
        assert flashed(response) == [expected]
        assert _fresh(assigned).status == IncidentStatus.ASSIGNED

    def test_cancel_needs_manager_and_reason(self, client, agent, incident_manager, assigned):
        client.force_login(agent)
        refused = client.post(_url(assigned, "cancel"), {"version": assigned.version, "reason": "تکراری"})
        client.force_login(incident_manager)
        no_reason = client.post(_url(assigned, "cancel"), {"version": assigned.version, "reason": ""})
        done = client.post(_url(assigned, "cancel"), {"version": assigned.version, "reason": "تکراری"})

        assert refused.status_code == 403
        assert fa("You do not have permission to do this.") in page_text(refused)
        assert no_reason.status_code == 400
        assert flashed(done) == [fa("%(number)s was cancelled.", number=assigned.number)]
        assert _fresh(assigned).status == IncidentStatus.CANCELLED


class TestReplyAndNote:
    def test_reply_and_note_with_attachments(self, client, agent, assigned):
        client.force_login(agent)

        reply = client.post(_url(assigned, "reply"), {"body": "لطفاً دوباره امتحان کنید",
                                                      "attachments": [text_file("راهنما.txt")]})
        note = client.post(_url(assigned, "note"), {"body": "مشکل از درایور است",
                                                    "attachments": [text_file("log.txt")]})

        assert flashed(reply) == [fa("Your reply was sent.")]
        assert flashed(note) == [fa("Your work note was added.")]
        public = TimelineEntry.objects.get(object_id=assigned.pk, kind=TimelineKind.PUBLIC_REPLY)
        internal = TimelineEntry.objects.get(object_id=assigned.pk, kind=TimelineKind.WORK_NOTE)
        assert (public.is_internal, internal.is_internal) == (False, True)
        assert public.attachments.get().is_internal is False
        assert internal.attachments.get().is_internal is True

    def test_empty_note_keeps_note_tab(self, client, agent, assigned):
        client.force_login(agent)

        response = client.post(_url(assigned, "note"), {"body": "  "})

        assert response.status_code == 400
        assert response.context["reply_tab"] == "note"
        assert response.context["forms"]["note"].errors["body"] == [fa("Write a message or attach a file.")]


class TestEdit:
    def test_edit_fields(self, client, agent, assigned, category_tree):
        hardware, printer = category_tree
        client.force_login(agent)

        response = client.post(_url(assigned, "edit"), {
            "version": assigned.version, "title": "چاپگر طبقه سوم خاموش است", "description": "شرح تازه",
            "category": hardware.pk, "subcategory": printer.pk, "impact": 1, "urgency": 1, "channel": "email",
            "symptom": "چراغ قرمز",
        })

        assert flashed(response) == [fa("The changes to %(number)s were saved.", number=assigned.number)]
        fresh = _fresh(assigned)
        assert (fresh.title, fresh.subcategory, fresh.priority, fresh.symptom) == (
            "چاپگر طبقه سوم خاموش است", printer, Priority.CRITICAL, "چراغ قرمز")

    def test_concurrent_edit_shows_conflict_and_keeps_input(self, client, agent, other_agent, assigned):
        # given: Ali opened the edit form at this version
        client.force_login(agent)
        opened = client.get(_url(assigned)).context["forms"]["edit"]
        seen_version = opened.initial["version"]
        # and Maryam changed the incident in the meantime
        actions.update_incident(actor=other_agent, incident=assigned, expected_version=assigned.version,
                                title="عنوان مریم")

        # when: Ali saves his edit based on the old version
        data = {**{k: v for k, v in opened.initial.items() if v is not None}, "title": "عنوان علی",
                "symptom": "علامت تایپ‌شده", "version": seen_version}
        response = client.post(_url(assigned, "edit"), data)

        # then: a conflict, nothing of Ali's saved, his typed values kept in the open form
        body = page_text(response)
        assert response.status_code == 409
        assert fa("Someone else changed this record after you opened it. Your changes were not saved; "
                  "reload the page, check the new values and apply your changes again.") in body
        assert response.context["open_panel"] == "edit"
        assert 'value="عنوان علی"' in body
        assert 'value="علامت تایپ‌شده"' in body
        assert _fresh(assigned).title == "عنوان مریم"
        form = response.context["forms"]["edit"]
        assert form.data["version"] == str(_fresh(assigned).version)

        # when: Ali, having seen the new values, saves again from the same form
        again = client.post(_url(assigned, "edit"), dict(form.data.items()))

        assert again.status_code == 302
        assert _fresh(assigned).title == "عنوان علی"

    def test_resave_after_conflict_keeps_the_other_change(self, client, agent, other_agent, assigned):
        # given: Ali opened the edit form, then Maryam changed only the symptom
        client.force_login(agent)
        opened = client.get(_url(assigned)).context["forms"]["edit"]
        actions.update_incident(actor=other_agent, incident=assigned, expected_version=assigned.version,
                                symptom="علامت مریم")

        # when: Ali changes only the title, gets the conflict, and saves the re-shown form again
        data = {**{k: v for k, v in opened.initial.items() if v is not None}, "title": "عنوان علی"}
        conflict = client.post(_url(assigned, "edit"), data)
        form = conflict.context["forms"]["edit"]
        again = client.post(_url(assigned, "edit"), dict(form.data.items()))

        # then: the re-shown form had Maryam's symptom, and both changes are saved
        assert conflict.status_code == 409
        assert form.data["symptom"] == "علامت مریم"
        assert form.data["title"] == "عنوان علی"
        assert again.status_code == 302
        fresh = _fresh(assigned)
        assert (fresh.title, fresh.symptom) == ("عنوان علی", "علامت مریم")


class TestManagerActions:
    def test_priority_override_and_clear(self, client, incident_manager, agent, assigned):
        client.force_login(agent)
        refused = client.post(_url(assigned, "priority"), {"version": assigned.version, "priority": 1,
                                                           "reason": "مدیرعامل"})
        client.force_login(incident_manager)
        no_reason = client.post(_url(assigned, "priority"), {"version": assigned.version, "priority": 1})
        done = client.post(_url(assigned, "priority"), {"version": assigned.version, "priority": 1,
                                                        "reason": "مدیرعامل منتظر است"})

        assert refused.status_code == 403
        assert fa("Only incident managers can set the priority by hand.") in page_text(refused)
        assert no_reason.context["forms"]["priority"].errors["reason"] == [
            fa("Give a reason for setting the priority by hand.")]
        assert flashed(done) == [fa("The priority of %(number)s was changed.", number=assigned.number)]
        fresh = _fresh(assigned)
        assert (fresh.priority, fresh.priority_overridden, fresh.priority_override_reason) == (
            Priority.CRITICAL, True, "مدیرعامل منتظر است")

        cleared = client.post(_url(assigned, "priority"), {"version": fresh.version, "clear": "1"})

        assert cleared.status_code == 302
        assert (_fresh(assigned).priority, _fresh(assigned).priority_overridden) == (Priority.MODERATE, False)

    def test_major_flag(self, client, incident_manager, assigned):
        client.force_login(incident_manager)

        response = client.post(_url(assigned, "major"), {"version": assigned.version, "is_major": "True"})

        assert flashed(response) == [fa("The major incident flag of %(number)s was changed.",
                                        number=assigned.number)]
        assert _fresh(assigned).is_major is True


class TestRelatedRecords:
    def test_link_and_unlink_child(self, client, agent, requester, assigned, make_incident):
        child = make_incident(requester, title="فرزند")
        client.force_login(agent)

        unknown = client.post(_url(assigned, "link"), {"number": "INC-1300-000001"})
        linked = client.post(_url(assigned, "link"), {"number": to_persian_digits(child.number)})

        assert unknown.status_code == 400
        assert unknown.context["forms"]["link"].errors["number"] == [
            fa("No incident with the number %(number)s was found.", number="INC-1300-000001")]
        assert flashed(linked) == [fa("The child incident was linked.")]
        assert _fresh(child).parent_id == assigned.pk
        assert child.number in page_text(client.get(_url(assigned)))

        unlinked = client.post(_url(assigned, "unlink"), {"child": child.pk})

        assert flashed(unlinked) == [fa("The child incident was unlinked.")]
        assert _fresh(child).parent_id is None

    def test_watchers_through_htmx_panel(self, client, agent, other_requester, incident):
        client.force_login(agent)

        added = client.post(_url(incident, "watch"), {"user": other_requester.pk}, HTTP_HX_REQUEST="true")
        again = client.post(_url(incident, "watch"), {"user": other_requester.pk}, HTTP_HX_REQUEST="true")

        assert added.status_code == 302
        assert Watcher.objects.filter(user=other_requester, object_id=incident.pk).exists()
        # HTMX swaps only 2xx responses, so the error comes back with 200 for the panel to show.
        assert again.status_code == 200
        assert again.context["forms"]["watch"].errors["user"] == [
            fa("%(user)s already watches this incident.", user=other_requester)]

        removed = client.post(_url(incident, "unwatch"), {"user": other_requester.pk})

        assert flashed(removed) == [fa("The watcher was removed.")]
        assert not Watcher.objects.filter(user=other_requester, object_id=incident.pk).exists()

    def test_letter_reference(self, client, agent, incident):
        client.force_login(agent)

        response = client.post(_url(incident, "letter"), {"letter_number": "۴۵۶/د", "letter_date": "۱۴۰۵/۰۲/۰۱",
                                                          "note": "نامه معاونت"})

        assert flashed(response) == [fa("The letter reference was added.")]
        letter = ExternalReference.objects.get(object_id=incident.pk, kind=ReferenceKind.LETTER)
        assert (letter.reference, letter.note) == ("456/د", "نامه معاونت")
        assert "۴۵۶/د" in page_text(client.get(_url(incident)))

    def test_unknown_action_is_404(self, client, agent, incident):
        client.force_login(agent)

        assert client.post(f"{_url(incident)}explode/").status_code == 404
