"""Known error pages and the problems panel of the incident page, through the test client."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from sarv.core import modules
from sarv.core.choices import TimelineKind
from sarv.core.models import ModuleSwitch, TimelineEntry
from sarv.core.text import to_persian_digits
from sarv.incidents.tests.page_helpers import fa, flashed, page_text
from sarv.problems import actions
from sarv.problems.choices import KnownErrorStatus, LinkSource, ProblemStatus
from sarv.problems.models import KnownError, KnownErrorUse, Problem, ProblemIncident
from sarv.problems.tests.kedb_fixtures import (
    WORKAROUND,
    analysed,
    incident,
    known_error,
    problem,
    problem_manager,
)

pytestmark = pytest.mark.django_db
__all__ = ["incident", "known_error", "problem", "problem_manager"]


class TestList:
    def test_agent_searches_with_arabic_letters(self, client, agent, known_error):
        client.force_login(agent)

        response = client.get(reverse("known-errors:list"), {"q": "چاپگرهاي"})

        body = page_text(response)
        assert response.status_code == 200
        assert to_persian_digits(known_error.number) in body
        assert known_error.title in body

    def test_filters_by_status(self, client, agent, known_error, problem_manager):
        actions.retire_known_error(actor=problem_manager, known_error=known_error, reason="منسوخ")
        client.force_login(agent)

        published = client.get(reverse("known-errors:list"), {"status": "published"})
        retired = client.get(reverse("known-errors:list"), {"status": "retired"})

        assert list(published.context["page"].object_list) == []
        assert list(retired.context["page"].object_list) == [KnownError.objects.get()]
        assert fa("No known errors match these filters.") in page_text(published)

    def test_htmx_gets_results_only(self, client, agent, known_error):
        client.force_login(agent)

        response = client.get(reverse("known-errors:list"), HTTP_HX_REQUEST="true",
                              HTTP_HX_TARGET="known-error-results")

        body = page_text(response)
        assert body.lstrip().startswith('<div id="known-error-results">')
        assert known_error.title in body

    def test_requester_gets_403(self, client, requester, known_error):
        client.force_login(requester)

        assert client.get(reverse("known-errors:list")).status_code == 403
        assert client.get(known_error.get_absolute_url()).status_code == 403

    def test_module_switch_hides_pages(self, client, agent, known_error):
        ModuleSwitch.objects.create(code="problems", enabled=False)
        client.force_login(agent)

        assert client.get(reverse("known-errors:list")).status_code == 404
        assert modules.is_enabled("problems") is False


class TestDetail:
    def test_shows_known_error(self, client, agent, known_error):
        client.force_login(agent)

        response = client.get(known_error.get_absolute_url())

        body = page_text(response)
        assert response.status_code == 200
        assert WORKAROUND in body
        assert known_error.problem.number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in body
        # agents may not retire
        assert reverse("known-errors:retire", args=[known_error.number]) not in body

    def test_persian_digit_number_redirects(self, client, agent, known_error):
        client.force_login(agent)

        response = client.get(reverse("known-errors:detail", args=[to_persian_digits(known_error.number)]))

        assert response.status_code == 302
        assert response["Location"] == known_error.get_absolute_url()

    def test_retire_without_reason_keeps_page(self, client, problem_manager, known_error):
        client.force_login(problem_manager)

        response = client.post(reverse("known-errors:retire", args=[known_error.number]),
                               {"reason": "", "version": known_error.version})

        assert response.status_code == 400
        assert response.context["retire_form"].errors["reason"]
        assert KnownError.objects.get().status == KnownErrorStatus.PUBLISHED

    def test_retire(self, client, problem_manager, known_error):
        client.force_login(problem_manager)

        response = client.post(reverse("known-errors:retire", args=[known_error.number]),
                               {"reason": "وصله نصب شد", "version": known_error.version})

        assert response.status_code == 302
        assert KnownError.objects.get().status == KnownErrorStatus.RETIRED
        assert flashed(response) == [fa("%(number)s was retired.", number=known_error.number)]

    def test_update_button_reports_nothing_changed(self, client, problem_manager, known_error):
        client.force_login(problem_manager)

        response = client.post(reverse("known-errors:update", args=[known_error.number]))

        assert response.status_code == 302
        assert flashed(response) == [fa("%(number)s already matches its problem; nothing changed.",
                                        number=known_error.number)]


class TestPublish:
    def test_form_prefills_from_problem(self, client, problem_manager, problem):
        client.force_login(problem_manager)

        response = client.get(reverse("known-errors:publish", args=[problem.number]))

        assert response.status_code == 200
        assert response.context["form"]["title"].value() == problem.title
        assert response.context["form"]["symptoms"].value() == problem.description

    def test_publish(self, client, problem_manager, problem):
        client.force_login(problem_manager)

        response = client.post(reverse("known-errors:publish", args=[problem.number]),
                               {"title": "چاپ در صف می‌ماند", "symptoms": "پیام Spooler", "version": problem.version})

        known_error = KnownError.objects.get()
        assert response.status_code == 302
        assert response["Location"] == known_error.get_absolute_url()
        assert known_error.title == "چاپ در صف می‌ماند"
        assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.KNOWN_ERROR

    def test_missing_workaround_keeps_input(self, client, problem_manager, problem):
        analysed(problem, workaround="")
        client.force_login(problem_manager)

        response = client.post(reverse("known-errors:publish", args=[problem.number]),
                               {"title": "عنوان تازه", "symptoms": "", "version": problem.version})

        body = page_text(response)
        assert response.status_code == 400
        assert "عنوان تازه" in body
        assert fa("Write a workaround on %(number)s before publishing a known error.", number=problem.number) in body
        assert not KnownError.objects.exists()

    def test_agent_gets_403(self, client, agent, problem):
        client.force_login(agent)

        assert client.get(reverse("known-errors:publish", args=[problem.number])).status_code == 403


class TestIncidentPanel:
    def test_agent_sees_suggestion(self, client, agent, incident, known_error):
        client.force_login(agent)

        response = client.get(incident.get_absolute_url())

        body = page_text(response)
        assert 'id="problem-panel"' in body
        assert f'data-known-error="{known_error.number}"' in body
        assert fa("Link to this known error") in body

    def test_link_known_error_then_apply(self, client, agent, incident, known_error):
        client.force_login(agent)

        linked = client.post(reverse("known-errors:incident_link_known_error", args=[incident.number]),
                             {"known_error": known_error.number})
        page = page_text(client.get(incident.get_absolute_url()))
        applied = client.post(reverse("known-errors:incident_apply_workaround",
                                      args=[incident.number, known_error.problem.number]))

        assert linked.status_code == 302
        assert ProblemIncident.objects.get(incident=incident).source == LinkSource.KNOWN_ERROR
        assert f'data-problem="{known_error.problem.number}"' in page
        assert WORKAROUND in page
        assert applied.status_code == 302
        assert flashed(applied) == [fa("The workaround was sent to the requester of %(number)s.",
                                       number=incident.number)]
        assert KnownErrorUse.objects.filter(kind="applied_workaround").count() == 1

    def test_requester_sees_workaround_reply_not_panel(self, client, agent, requester, incident, known_error):
        actions.link_incident_to_known_error(actor=agent, incident=incident, known_error=known_error)
        actions.apply_workaround(actor=agent, incident=incident, problem=known_error.problem)
        client.force_login(requester)

        response = client.get(incident.get_portal_url())

        body = page_text(response)
        assert response.status_code == 200
        assert WORKAROUND in body
        assert 'id="problem-panel"' not in body
        assert known_error.number not in body
        assert to_persian_digits(known_error.number) not in body

    def test_requester_cannot_post_panel_forms(self, client, requester, incident, known_error):
        client.force_login(requester)

        response = client.post(reverse("known-errors:incident_link_known_error", args=[incident.number]),
                               {"known_error": known_error.number})

        assert response.status_code == 403
        assert not ProblemIncident.objects.exists()

    def test_unknown_problem_number_keeps_input(self, client, agent, incident):
        client.force_login(agent)

        response = client.post(reverse("known-errors:incident_link_problem", args=[incident.number]),
                               {"problem": "PRB-1405-999999"})

        body = page_text(response)
        assert response.status_code == 400
        assert 'value="PRB-1405-999999"' in body
        assert fa("No problem with the number %(number)s was found.", number="PRB-1405-999999") in body

    def test_bad_problem_number_format(self, client, agent, incident):
        client.force_login(agent)

        response = client.post(reverse("known-errors:incident_link_problem", args=[incident.number]),
                               {"problem": "چاپگر"})

        assert response.status_code == 400
        assert fa("Enter a problem number such as PRB-1405-000123.") in page_text(response)

    def test_link_problem_with_persian_digits(self, client, agent, incident, problem):
        client.force_login(agent)

        response = client.post(reverse("known-errors:incident_link_problem", args=[incident.number]),
                               {"problem": to_persian_digits(problem.number.lower())})

        assert response.status_code == 302
        assert ProblemIncident.objects.filter(problem=problem, incident=incident).exists()
        entry = TimelineEntry.objects.filter(kind=TimelineKind.LINKED, object_id=incident.pk).latest("pk")
        assert entry.data["number"] == problem.number

    def test_problem_options(self, client, agent, problem):
        client.force_login(agent)

        response = client.get(reverse("known-errors:problem_options"), {"problem": "چاپگر"})

        assert f'<option value="{problem.number}">' in page_text(response)

    def test_panel_hidden_when_module_off(self, client, agent, incident, known_error):
        ModuleSwitch.objects.create(code="problems", enabled=False)
        client.force_login(agent)

        body = page_text(client.get(incident.get_absolute_url()))

        assert 'id="problem-panel"' not in body


def test_problem_panel_offers_publish(problem_manager, agent, problem):
    # given the problem page's include rendered for a problem manager and for an agent
    template = Template('{% include "known_errors/problem_panel.html" %}')
    request = RequestFactory().get("/")

    request.user = problem_manager
    for_manager = template.render(Context({"problem": problem, "request": request}))
    request.user = agent
    for_agent = template.render(Context({"problem": problem, "request": request}))

    # then only the problem manager gets the publish link
    link = reverse("known-errors:publish", args=[problem.number])
    assert link in for_manager
    assert link not in for_agent
