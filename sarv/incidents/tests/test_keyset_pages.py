"""Keyset pages of the incident lists: next, previous and last links on the workspace page and in the API.

Walking the links must visit every incident exactly once, in the order of the numbered
pages, whatever the sort. A long list, a text search and a queue's badge are each counted only up
to their own limit. A cursor adds no query.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sarv.core import keyset
from sarv.core.api.testing import token_client
from sarv.core.choices import Urgency
from sarv.incidents.tests.page_helpers import fa, page_text

LIST_URL = reverse("incidents:list")
API_URL = "/api/v1/incidents/"
URGENCIES = (Urgency.LOW, Urgency.MEDIUM, Urgency.HIGH)


@pytest.fixture
def thirty(requester, make_incident) -> list[str]:
    """Thirty incidents, with priorities repeating so that sorts by priority have ties to break."""
    return [make_incident(requester, title=f"حادثه {index}", urgency=URGENCIES[index % 3]).number
            for index in range(30)]


def _numbers(response) -> list[str]:
    return [incident.number for incident in response.context["page"].object_list]


def _link_params(href: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(href).query))


@pytest.mark.django_db
class TestWorkspaceLinks:
    @pytest.mark.parametrize("ordering", ["", "priority", "-priority", "status", "-updated_at"])
    def test_next_and_previous_walk_every_incident_once(self, client, agent, thirty, ordering):
        client.force_login(agent)
        base = {"queue": "all", "ordering": ordering} if ordering else {"queue": "all"}
        everything = client.get(LIST_URL, {**base, "per_page": "100"})
        expected = _numbers(everything)

        first = client.get(LIST_URL, base)
        page = first.context["page"]
        assert (page.number, page.paginator.num_pages, page.has_previous()) == (1, 2, False)
        second = client.get(LIST_URL, {**base, "page": page.next_page_number, "cursor": page.next_cursor})
        back = second.context["page"]
        assert back.number == 2 and not back.has_next()
        assert _numbers(first) + _numbers(second) == expected

        again = client.get(LIST_URL, {**base, "page": back.previous_page_number, "cursor": back.previous_cursor})
        assert _numbers(again) == _numbers(first)
        assert again.context["page"].number == 1 and not again.context["page"].has_previous()

    def test_links_in_the_page_carry_the_cursor_and_the_filters(self, client, agent, thirty):
        client.force_login(agent)
        response = client.get(LIST_URL, {"queue": "all", "ordering": "priority"})
        page = response.context["page"]
        body = page_text(response)

        assert f"cursor={page.next_cursor}" in body
        assert fa("Page %(number)s of %(total)s", number="۱", total="۲") in body
        last = client.get(LIST_URL, {"queue": "all", "ordering": "priority", "page": "2",
                                     "cursor": page.last_cursor})
        assert last.context["page"].number == 2
        assert len(last.context["page"].object_list) == 5

    def test_numbered_page_still_works(self, client, agent, thirty):
        client.force_login(agent)
        by_number = client.get(LIST_URL, {"queue": "all", "page": "2"})
        everything = client.get(LIST_URL, {"queue": "all", "per_page": "100"})

        assert _numbers(by_number) == _numbers(everything)[25:]

    def test_edited_cursor_shows_the_first_page(self, client, agent, thirty):
        client.force_login(agent)
        response = client.get(LIST_URL, {"queue": "all", "cursor": "not-a-cursor", "page": "7"})

        assert response.status_code == 200
        assert response.context["page"].number == 1
        assert len(response.context["page"].object_list) == 25

    def test_long_list_is_counted_up_to_the_limit(self, client, agent, thirty, monkeypatch):
        monkeypatch.setattr(keyset, "COUNT_LIMIT", 10)
        client.force_login(agent)
        response = client.get(LIST_URL, {"queue": "all"})
        page = response.context["page"]

        assert (page.paginator.count, page.paginator.exact, page.paginator.num_pages) == (10, False, None)
        assert page.last_cursor is None
        assert fa("More than %(total)s incidents", total="۱۰") in page_text(response)
        following = client.get(LIST_URL, {"queue": "all", "page": "2", "cursor": page.next_cursor})
        assert len(following.context["page"].object_list) == 5
        assert fa("Page %(number)s", number="۲") in page_text(following)

    def test_search_count_stops_at_search_limit(self, client, agent, thirty, monkeypatch):
        monkeypatch.setattr(keyset, "SEARCH_COUNT_LIMIT", 10)
        client.force_login(agent)

        searched = client.get(LIST_URL, {"queue": "all", "q": "حادثه"}).context["page"]
        listed = client.get(LIST_URL, {"queue": "all"}).context["page"]

        assert (searched.paginator.count, searched.paginator.exact) == (10, False)
        assert len(searched.object_list) == 25
        assert (listed.paginator.count, listed.paginator.exact) == (30, True)

    def test_queue_badges_stop_at_their_limit(self, client, agent, thirty, monkeypatch):
        monkeypatch.setattr(keyset, "BADGE_LIMIT", 10)
        client.force_login(agent)
        response = client.get(LIST_URL, {"queue": "all"})

        badges = {queue["code"]: (queue["count"], queue["count_exact"]) for queue in response.context["queues"]}
        assert badges["unassigned"] == (10, False)
        assert badges["mine"] == (0, True)
        assert "۱۰+" in page_text(response)


@pytest.mark.django_db
class TestApiLinks:
    @pytest.mark.parametrize("ordering", ["", "priority", "-number", "priority,-created_at"])
    def test_next_links_walk_every_incident_once(self, agent, thirty, ordering):
        client = token_client(agent)
        params = {"page_size": "7", **({"ordering": ordering} if ordering else {})}
        expected = [row["number"] for row in client.get(API_URL, {**params, "page_size": "100"}).json()["results"]]

        seen, previous_links = [], []
        body = client.get(API_URL, params).json()
        while True:
            seen += [row["number"] for row in body["results"]]
            assert body["count"] == 30
            if not body["next"]:
                break
            assert "page=" not in body["next"]
            previous_links.append(body["next"])
            body = client.get(API_URL, _link_params(body["next"])).json()
        assert seen == expected
        assert sorted(seen) == sorted(thirty)

        back = client.get(API_URL, _link_params(body["previous"])).json()
        assert [row["number"] for row in back["results"]] == expected[21:28]

    def test_invalid_cursor_answers_400(self, agent, thirty):
        response = token_client(agent).get(API_URL, {"cursor": "e30"})

        assert response.status_code == 400
        assert response.json()["field"] == "cursor"

    def test_count_is_null_above_the_limit(self, agent, thirty, monkeypatch):
        monkeypatch.setattr(keyset, "COUNT_LIMIT", 10)
        body = token_client(agent).get(API_URL).json()

        assert body["count"] is None
        assert len(body["results"]) == 25


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
def test_a_cursor_page_costs_the_same_queries(client, agent, requester, make_incident, django_assert_num_queries,
                                              count):
    for index in range(count + 25):
        make_incident(requester, title=f"حادثه {index}")
    client.force_login(agent)
    first = client.get(LIST_URL, {"queue": "all"})
    cursor = first.context["page"].next_cursor
    with CaptureQueriesContext(connection) as plain:
        client.get(LIST_URL, {"queue": "all"})
    with django_assert_num_queries(len(plain)):
        response = client.get(LIST_URL, {"queue": "all", "page": "2", "cursor": cursor})
    assert len(response.context["page"].object_list) == min(count, 25)


def test_tiebreakers_follow_the_last_direction():
    assert keyset.ordering_with_tiebreakers(["priority"], ("created_at", "pk")) == ["priority", "created_at", "pk"]
    assert keyset.ordering_with_tiebreakers(["-priority"], ("created_at", "pk")) == ["-priority", "-created_at",
                                                                                     "-pk"]
    assert keyset.ordering_with_tiebreakers(["-created_at", "-pk"], ("created_at", "pk")) == ["-created_at", "-pk"]


@pytest.mark.django_db
def test_sla_due_sort_is_paged_by_number(client, agent, thirty):
    # The SLA due time is nullable and sorted with empty ones last: no keyset, so pages go by number alone.
    client.force_login(agent)
    base = {"queue": "all", "ordering": "sla_due_at"}
    expected = _numbers(client.get(LIST_URL, {**base, "per_page": "100"}))

    first = client.get(LIST_URL, base)
    page = first.context["page"]
    assert first.status_code == 200
    assert page.next_cursor is None and page.last_cursor is None
    second = client.get(LIST_URL, {**base, "page": page.next_page_number})
    assert _numbers(first) + _numbers(second) == expected
