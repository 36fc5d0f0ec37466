"""The recurring-incident pages and API: listing, deciding, running the detector and its settings."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sarv.core.api.testing import token_client
from sarv.incidents.tests.page_helpers import fa, flashed, page_text
from sarv.problems import actions
from sarv.problems.choices import ClusterBasis, LinkSource, ProposalStatus
from sarv.problems.models import Problem, ProblemProposal, RecurrencePolicy
from sarv.problems.tests.recurring_helpers import incidents, problem_manager
from sarv.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return problem_manager()


@pytest.fixture
def proposal(requester, category_tree):
    _hardware, printer = category_tree
    RecurrencePolicy.objects.update_or_create(pk=1, defaults={"min_incidents": 3, "bases": [ClusterBasis.CATEGORY]})
    incidents(requester, 4, category=printer, title="چاپگر کاغذ را گیر می‌اندازد")
    actions.run_recurrence_detection(actor=None)
    return ProblemProposal.objects.get()


def signed_in(client, user):
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def test_list_shows_open_proposals_in_persian(client, agent, proposal):
    # when an agent opens the proposals page
    response = signed_in(client, agent).get(reverse("problem-proposals:list"))

    # then the open proposal is listed with its trait, count and Jalali period, and no decision buttons
    text = page_text(response)
    assert response.status_code == 200
    assert "سخت‌افزار › چاپگر" in text
    assert "۴" in text
    assert "۱۴۰" in text  # a Jalali year in Persian digits
    assert proposal.incidents.order_by("-created_at").first().number in text
    assert reverse("problem-proposals:run") not in text


def test_list_tabs_filter_by_status(client, manager, proposal):
    actions.dismiss_proposal(actor=manager, proposal=proposal, reason="کاغذ بد")
    client = signed_in(client, manager)
    assert "سخت‌افزار › چاپگر" not in page_text(client.get(reverse("problem-proposals:list")))
    dismissed = page_text(client.get(reverse("problem-proposals:list") + "?status=dismissed"))
    assert "سخت‌افزار › چاپگر" in dismissed
    assert "کاغذ بد" in dismissed


def test_accepting_on_the_page_raises_the_problem(client, manager, proposal):
    # when a problem manager accepts the proposal from its page
    client = signed_in(client, manager)
    page = client.get(reverse("problem-proposals:detail", args=[proposal.pk]))
    assert 'id="accept-form"' in page_text(page)
    response = client.post(reverse("problem-proposals:accept", args=[proposal.pk]), {"title": ""})

    # then a problem has the four incidents linked and the page names it
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert problem.incident_links.filter(source=LinkSource.PROPOSAL).count() == 4
    assert flashed(response) == [fa("%(number)s was raised with %(count)s incidents linked.",
                                    number=problem.number, count="۴")]


def test_dismissing_without_a_reason_keeps_the_proposal_open(client, manager, proposal):
    response = signed_in(client, manager).post(reverse("problem-proposals:dismiss", args=[proposal.pk]),
                                               {"reason": ""})
    assert response.status_code == 400
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN

    response = client.post(reverse("problem-proposals:dismiss", args=[proposal.pk]), {"reason": "کاغذ بد بود"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.dismiss_reason) == (ProposalStatus.DISMISSED, "کاغذ بد بود")


def test_agents_see_proposals_but_cannot_decide(client, agent, proposal):
    client = signed_in(client, agent)
    page = page_text(client.get(reverse("problem-proposals:detail", args=[proposal.pk])))
    assert 'id="accept-form"' not in page
    assert client.post(reverse("problem-proposals:accept", args=[proposal.pk])).status_code == 403
    assert client.post(reverse("problem-proposals:run")).status_code == 403
    assert client.get(reverse("problem-proposals:settings")).status_code == 403
    assert not Problem.objects.exists()


def test_requesters_get_403(client, requester, proposal):
    client = signed_in(client, requester)
    assert client.get(reverse("problem-proposals:list")).status_code == 403
    assert client.get(reverse("problem-proposals:detail", args=[proposal.pk])).status_code == 403


def test_running_over_a_jalali_period(client, manager, requester, category_tree):
    # given 3 printer incidents opened 400 days ago, far outside the 30-day window
    _hardware, printer = category_tree
    RecurrencePolicy.objects.update_or_create(pk=1, defaults={"min_incidents": 3, "bases": [ClusterBasis.CATEGORY]})
    made = incidents(requester, 3, category=printer, days_ago=400)
    from sarv.core import jalali

    day = jalali.format_date(made[0].created_at, "fa")

    # when a problem manager searches that day, typed in Jalali with Persian digits
    response = signed_in(client, manager).post(reverse("problem-proposals:run"),
                                               {"date_from": day, "date_to": day, "min_incidents": "3"})

    # then the cluster is proposed and the message counts it
    assert response.status_code == 302
    assert ProblemProposal.objects.filter(basis=ClusterBasis.CATEGORY).count() == 1
    assert "۱" in flashed(response)[0]


def test_run_with_reversed_dates_changes_nothing(client, manager):
    response = signed_in(client, manager).post(reverse("problem-proposals:run"),
                                               {"date_from": "1404/05/10", "date_to": "1404/05/01"})
    assert response.status_code == 302
    assert flashed(response) == [fa("The end date is before the start date.")]
    assert not ProblemProposal.objects.exists()


def test_settings_page_saves_policy(client, manager):
    client = signed_in(client, manager)
    assert client.get(reverse("problem-proposals:settings")).status_code == 200
    response = client.post(reverse("problem-proposals:settings"), {
        "is_enabled": "on", "min_incidents": "۶", "window_days": "14", "bases": ["ci", "service"]})
    assert response.status_code == 302
    policy = RecurrencePolicy.current()
    assert (policy.min_incidents, policy.window_days, policy.bases) == (6, 14, ["ci", "service"])

    # a threshold of 1 is refused on the field, and what was typed stays
    response = client.post(reverse("problem-proposals:settings"), {
        "min_incidents": "1", "window_days": "14", "bases": ["ci"]})
    assert response.status_code == 400
    assert response.context["form"].errors["min_incidents"]
    assert RecurrencePolicy.current().min_incidents == 6


def test_english_pages(client, manager, proposal):
    manager.language = "en"
    manager.save()
    client = signed_in(client, manager)
    client.cookies["django_language"] = "en"
    text = page_text(client.get(reverse("problem-proposals:list"), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Recurring incidents" in text
    assert "Hardware › Printer" in text


# --- API ---


def test_api_lists_and_reads_proposals(agent, proposal):
    api = token_client(agent)
    listed = api.get("/api/v1/problems/proposals/?status=open").json()
    assert [item["id"] for item in listed["results"]] == [proposal.pk]
    assert listed["results"][0]["trait"] == "Hardware › Printer"
    one = api.get(f"/api/v1/problems/proposals/{proposal.pk}/").json()
    assert one["incident_count"] == 4
    assert sorted(one["incidents"]) == sorted(proposal.incidents.values_list("number", flat=True))


def test_api_accept_and_dismiss(manager, agent, proposal):
    assert token_client(agent).post(f"/api/v1/problems/proposals/{proposal.pk}/accept/", {}).status_code == 403

    api = token_client(manager)
    response = api.post(f"/api/v1/problems/proposals/{proposal.pk}/accept/", {"title": "گیر کاغذ"}, format="json")
    assert response.status_code == 201
    assert response.json()["linked_incidents"] == 4
    assert Problem.objects.get(number=response.json()["problem"]).title == "گیر کاغذ"

    again = api.post(f"/api/v1/problems/proposals/{proposal.pk}/dismiss/", {"reason": "x"}, format="json")
    assert again.status_code == 400
    assert again.json()["field"] == "status"


def test_api_run_and_policy(manager, agent, requester, category_tree):
    _hardware, printer = category_tree
    incidents(requester, 5, category=printer)
    api = token_client(manager)

    policy = api.put("/api/v1/problems/recurrence-policy/", {
        "is_enabled": True, "min_incidents": 5, "window_days": 10, "bases": ["category"]}, format="json")
    assert policy.status_code == 200
    assert policy.json() == {"is_enabled": True, "min_incidents": 5, "window_days": 10, "bases": ["category"]}

    run = api.post("/api/v1/problems/proposals/run/", {}, format="json")
    assert run.status_code == 200
    assert run.json()["created"] == 1

    bad = api.put("/api/v1/problems/recurrence-policy/", {
        "is_enabled": True, "min_incidents": 0, "window_days": 10, "bases": ["category"]}, format="json")
    assert bad.status_code == 400
    assert token_client(agent).get("/api/v1/problems/recurrence-policy/").status_code == 200
    assert token_client(agent).post("/api/v1/problems/proposals/run/", {}).status_code == 403
