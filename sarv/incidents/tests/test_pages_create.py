"""Registering an incident from the agent workspace, and the dependent selects that the form reloads."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sarv.core.choices import AuditAction, Impact, ReferenceKind, Urgency
from sarv.core.models import AuditLogEntry, ExternalReference
from sarv.incidents.choices import Channel, IncidentStatus
from sarv.incidents.models import Incident
from sarv.incidents.tests.page_helpers import fa, flashed, page_text, text_file

CREATE_URL = reverse("incidents:create")


def _form_data(requester, **overrides):
    data = {
        "requester": requester.pk, "title": "رايانه روشن نمي‌شود", "description": "از صبح",
        "impact": Impact.HIGH, "urgency": Urgency.MEDIUM, "channel": Channel.PHONE,
    }
    data.update(overrides)
    return data


class TestCreatePage:
    def test_agent_opens_form(self, client, agent):
        client.force_login(agent)

        response = client.get(CREATE_URL)

        assert response.status_code == 200
        assert 'hx-get="/incidents/options/subcategories/"' in page_text(response)

    def test_requester_forbidden(self, client, requester):
        client.force_login(requester)

        assert client.get(CREATE_URL).status_code == 403
        assert client.post(CREATE_URL, _form_data(requester)).status_code == 403
        assert not Incident.objects.exists()

    def test_agent_registers_for_requester(self, client, agent, requester, service_desk, category_tree):
        # given: an agent on the phone with Sara
        hardware, printer = category_tree
        client.force_login(agent)

        # when: the agent registers the incident with a letter and an attachment
        response = client.post(CREATE_URL, _form_data(
            requester, category=hardware.pk, subcategory=printer.pk, assigned_group=service_desk.pk,
            assignee=agent.pk, letter_number="۱۲۳/ص/۱۴۰۵", letter_date="۱۴۰۵/۰۱/۲۰", attachments=[text_file()],
        ))

        # then: the incident page opens with a success message
        incident = Incident.objects.get()
        assert response.status_code == 302
        assert response["Location"] == incident.get_absolute_url()
        assert flashed(response) == [fa("Incident %(number)s was registered.", number=incident.number)]
        assert (incident.requester, incident.created_by, incident.channel) == (requester, agent, Channel.PHONE)
        assert incident.title == "رایانه روشن نمی‌شود"
        assert (incident.category, incident.subcategory) == (hardware, printer)
        assert (incident.assigned_group, incident.assignee, incident.status) == (
            service_desk, agent, IncidentStatus.ASSIGNED)
        letter = ExternalReference.objects.get(object_id=incident.pk, kind=ReferenceKind.LETTER)
        assert (letter.reference, letter.reference_date) == ("123/ص/1405", dt.date(2026, 4, 9))
        assert incident.attachments.get().original_name == "گزارش.txt"
        assert AuditLogEntry.objects.filter(action=AuditAction.CREATE, object_id=str(incident.pk),
                                            actor=agent).exists()

    def test_bad_attachment_keeps_typed_values(self, client, agent, requester):
        client.force_login(agent)
        program = SimpleUploadedFile("setup.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

        response = client.post(CREATE_URL, _form_data(requester, title="عنوان تایپ‌شده", attachments=[program]))

        body = page_text(response)
        assert response.status_code == 400
        assert fa("The content of %(name)s does not match its .%(extension)s extension.", name="setup.pdf",
                  extension="pdf") in body
        assert 'value="عنوان تایپ‌شده"' in body
        assert f'<option value="{requester.pk}" selected>' in body
        assert not Incident.objects.exists()

    def test_agent_outside_group_is_rejected_on_field(self, client, agent, other_agent, requester, service_desk):
        client.force_login(agent)

        response = client.post(CREATE_URL, _form_data(requester, assigned_group=service_desk.pk,
                                                      assignee=other_agent.pk))

        assert response.status_code == 400
        assert response.context["form"].errors["assignee"] == [
            fa("%(user)s is not a member of %(group)s.", user=other_agent, group=service_desk)
        ]

    def test_letter_date_needs_number(self, client, agent, requester):
        client.force_login(agent)

        response = client.post(CREATE_URL, _form_data(requester, letter_date="۱۴۰۵/۰۱/۲۰"))

        assert response.status_code == 400
        assert response.context["form"].errors["letter_number"] == [
            fa("Enter the letter number, or clear the letter date.")
        ]

    def test_prefilled_requester_from_query(self, client, agent, requester):
        client.force_login(agent)

        response = client.get(CREATE_URL, {"requester": requester.pk})

        assert f'<option value="{requester.pk}" selected>' in page_text(response)


class TestDependentOptions:
    def test_subcategories_follow_category(self, client, agent, category_tree):
        hardware, printer = category_tree
        client.force_login(agent)

        response = client.get(reverse("incidents:subcategory_options"), {"category": hardware.pk})

        body = page_text(response)
        assert f'<option value="{printer.pk}"' in body
        assert fa("None") in body

    def test_agents_follow_group(self, client, agent, other_agent, service_desk):
        client.force_login(agent)

        response = client.get(reverse("incidents:agent_options"), {"assigned_group": service_desk.pk})

        body = page_text(response)
        assert f'<option value="{agent.pk}"' in body
        assert f'<option value="{other_agent.pk}"' not in body

    def test_people_search_with_arabic_letters(self, client, agent, requester, other_requester):
        client.force_login(agent)

        response = client.get(reverse("incidents:user_options"), {"q": "رضايي"})

        body = page_text(response)
        assert f'<option value="{requester.pk}" selected>' in body
        assert f'value="{other_requester.pk}"' not in body

    def test_people_search_is_for_agents_only(self, client, requester):
        client.force_login(requester)

        assert client.get(reverse("incidents:user_options"), {"q": "سارا"}).status_code == 403
        assert client.get(reverse("incidents:agent_options")).status_code == 403
