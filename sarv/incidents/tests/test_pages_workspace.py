"""The agent workspace list: access, queues, filters, search, sorting, HTMX fragments, saved views and bulk updates."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sarv.core.choices import AuditAction, Urgency
from sarv.core.models import AuditLogEntry, SavedView
from sarv.core.text import to_persian_digits
from sarv.incidents import actions
from sarv.incidents.choices import IncidentStatus
from sarv.incidents.models import Incident
from sarv.incidents.tests.page_helpers import fa, flashed, page_text

LIST_URL = reverse("incidents:list")
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "incident-results"}


def _numbers(response) -> list[str]:
    """Return the incident numbers of the list rows, in page order."""
    return [incident.number for incident in response.context["page"].object_list]


class TestAccess:
    def test_agent_sees_list(self, client, agent):
        client.force_login(agent)

        response = client.get(LIST_URL)

        assert response.status_code == 200
        assert "incidents/list.html" in [t.name for t in response.templates]

    def test_requester_forbidden(self, client, requester):
        client.force_login(requester)

        response = client.get(LIST_URL)

        assert response.status_code == 403

    def test_anonymous_sent_to_sign_in(self, client, db):
        response = client.get(LIST_URL)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


class TestQueues:
    def test_queues_split_work(self, client, requester, agent, other_agent, service_desk, network_group,
                               make_incident):
        # given: one incident per queue situation
        mine = make_incident(requester, title="مال من", actor=agent, assigned_group=service_desk, assignee=agent)
        group_only = make_incident(requester, title="صف گروه", actor=agent, assigned_group=service_desk)
        unassigned = make_incident(requester, title="بی‌صاحب")
        elsewhere = make_incident(requester, title="گروه دیگر", actor=agent, assigned_group=network_group,
                                  assignee=other_agent)
        client.force_login(agent)

        # when / then: each queue lists its own incidents
        assert _numbers(client.get(LIST_URL)) == [mine.number]
        assert set(_numbers(client.get(LIST_URL, {"queue": "my_groups"}))) == {mine.number, group_only.number}
        assert set(_numbers(client.get(LIST_URL, {"queue": "unassigned"}))) == {group_only.number, unassigned.number}
        assert set(_numbers(client.get(LIST_URL, {"queue": "all"}))) == {
            mine.number, group_only.number, unassigned.number, elsewhere.number,
        }

    def test_queue_tabs_show_counts(self, client, requester, agent, service_desk, make_incident):
        make_incident(requester, actor=agent, assigned_group=service_desk, assignee=agent)
        make_incident(requester)
        client.force_login(agent)

        response = client.get(LIST_URL)

        counts = {queue["code"]: queue["count"] for queue in response.context["queues"]}
        assert counts == {"mine": 1, "my_groups": 1, "unassigned": 1, "all": None}

    def test_search_without_queue_looks_everywhere(self, client, requester, agent, make_incident):
        incident = make_incident(requester, title="سرور ایمیل پاسخ نمی‌دهد")
        client.force_login(agent)

        response = client.get(LIST_URL, {"q": "سرور ایمیل"})

        assert response.context["queue_code"] == "all"
        assert _numbers(response) == [incident.number]


class TestFiltersAndSearch:
    def test_status_filter_and_bookmarkable_state(self, client, requester, agent, service_desk, make_incident):
        # given: a new and an assigned incident
        new = make_incident(requester, title="جدید")
        make_incident(requester, title="ارجاع‌شده", actor=agent, assigned_group=service_desk)
        client.force_login(agent)

        # when: the agent opens a bookmarked URL with a status filter
        response = client.get(LIST_URL, {"queue": "all", "status": "new"})

        # then: only the new incident is listed and the filter shows as chosen
        assert _numbers(response) == [new.number]
        assert 'name="status" value="new" id="f_status_0" checked' in page_text(response)

    def test_filters_by_category_priority_and_major(self, client, requester, agent, incident_manager, category_tree,
                                                    make_incident):
        hardware, printer = category_tree
        printer_incident = make_incident(requester, title="چاپگر", category=hardware, subcategory=printer,
                                         urgency=Urgency.HIGH)
        other = make_incident(requester, title="دیگر", urgency=Urgency.LOW)
        major = actions.set_major(actor=incident_manager, incident=other, expected_version=other.version,
                                  is_major=True)
        client.force_login(agent)

        by_category = client.get(LIST_URL, {"queue": "all", "category": hardware.pk, "subcategory": printer.pk})
        by_priority = client.get(LIST_URL, {"queue": "all", "priority": printer_incident.priority})
        by_major = client.get(LIST_URL, {"queue": "all", "is_major": "true"})

        assert _numbers(by_category) == [printer_incident.number]
        assert _numbers(by_priority) == [printer_incident.number]
        assert _numbers(by_major) == [major.number]

    def test_stray_subcategory_is_ignored(self, client, requester, agent, category_tree, make_incident):
        # given: a subcategory left in the URL after the category changed to another one
        _hardware, printer = category_tree
        from sarv.core.models import Category

        network = Category.objects.create(name_fa="شبکه", name_en="Network")
        incident = make_incident(requester, title="شبکه", category=network)
        client.force_login(agent)

        response = client.get(LIST_URL, {"queue": "all", "category": network.pk, "subcategory": printer.pk})

        assert _numbers(response) == [incident.number]

    def test_created_date_range_in_jalali(self, client, requester, agent, make_incident):
        incident = make_incident(requester)
        client.force_login(agent)
        from sarv.core.jalali import format_date

        today = format_date(incident.created_at, "fa")

        inside = client.get(LIST_URL, {"queue": "all", "created_from": today, "created_to": today})
        before = client.get(LIST_URL, {"queue": "all", "created_to": "۱۳۹۹/۰۱/۰۱"})

        assert _numbers(inside) == [incident.number]
        assert _numbers(before) == []

    def test_invalid_date_shows_error_and_keeps_other_filters(self, client, requester, agent, make_incident):
        incident = make_incident(requester, title="فیلتر تاریخ")
        client.force_login(agent)

        response = client.get(LIST_URL, {"queue": "all", "created_from": "دیروز", "q": "فیلتر"})

        assert _numbers(response) == [incident.number]
        assert fa("Enter a valid date, for example %(example)s.", example="۱۴۰۵/۰۹/۱۳") in page_text(response)

    @pytest.mark.parametrize("query", ["كارت شبكه", "کارت شبکه"])
    def test_search_with_arabic_letters(self, client, requester, agent, make_incident, query):
        incident = make_incident(requester, title="کارت شبکه رایانه خراب است")
        make_incident(requester, title="چاپگر")
        client.force_login(agent)

        response = client.get(LIST_URL, {"queue": "all", "q": query})

        assert _numbers(response) == [incident.number]

    @pytest.mark.parametrize("query", ["می‌خواهم", "میخواهم", "می خواهم", "مي‌خواهم"])
    def test_search_zwnj_and_space_variants(self, client, requester, agent, make_incident, query):
        incident = make_incident(requester, title="می‌خواهم رمز عبور را عوض کنم")
        make_incident(requester, title="خواهش برای نصب نرم‌افزار")
        client.force_login(agent)

        response = client.get(LIST_URL, {"queue": "all", "q": query})

        assert _numbers(response) == [incident.number]

    def test_search_number_with_persian_digits(self, client, requester, agent, make_incident):
        make_incident(requester, title="اول")
        incident = make_incident(requester, title="دوم")
        client.force_login(agent)

        response = client.get(LIST_URL, {"q": to_persian_digits(incident.number).lower()})

        assert _numbers(response) == [incident.number]


class TestSortingAndPages:
    def test_sort_by_priority_both_ways(self, client, requester, agent, make_incident):
        low = make_incident(requester, title="کم", urgency=Urgency.LOW)
        high = make_incident(requester, title="زیاد", urgency=Urgency.HIGH)
        client.force_login(agent)

        ascending = client.get(LIST_URL, {"queue": "all", "ordering": "priority"})
        descending = client.get(LIST_URL, {"queue": "all", "ordering": "-priority"})

        assert _numbers(ascending) == [high.number, low.number]
        assert _numbers(descending) == [low.number, high.number]
        assert ascending.context["sort_links"]["priority"] == {"next": "-priority", "state": "asc"}

    def test_page_size_choice(self, client, requester, agent, make_incident):
        for index in range(27):
            make_incident(requester, title=f"حادثه {index}")
        client.force_login(agent)

        default = client.get(LIST_URL, {"queue": "all"})
        fifty = client.get(LIST_URL, {"queue": "all", "per_page": "50"})
        unknown = client.get(LIST_URL, {"queue": "all", "per_page": "1000"})

        assert len(default.context["page"].object_list) == 25
        assert len(fifty.context["page"].object_list) == 27
        assert len(unknown.context["page"].object_list) == 25
        assert default.context["page"].paginator.num_pages == 2

    def test_htmx_request_gets_results_fragment(self, client, requester, agent, make_incident):
        incident = make_incident(requester)
        client.force_login(agent)

        response = client.get(LIST_URL, {"queue": "all"}, **HTMX)

        body = page_text(response)
        assert response.status_code == 200
        assert next(t.name for t in response.templates) == "incidents/_results.html"
        assert "<html" not in body
        assert body.lstrip().startswith('<div id="incident-results">')
        assert incident.get_absolute_url() in body


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_is_fixed(client, requester, group_lead, service_desk, category_tree, make_incident,
                                   django_assert_num_queries, count):
    # given: incidents with every related row the list shows
    hardware, printer = category_tree
    for index in range(count):
        make_incident(requester, title=f"حادثه {index}", actor=group_lead, category=hardware, subcategory=printer,
                      assigned_group=service_desk, assignee=group_lead)
    client.force_login(group_lead)
    client.get(LIST_URL, {"queue": "all", "per_page": "50"})

    # when / then: the same number of queries for 3 and for 30 rows
    with django_assert_num_queries(22):
        response = client.get(LIST_URL, {"queue": "all", "per_page": "50"})
    assert len(response.context["page"].object_list) == count


class TestSavedViews:
    def test_save_apply_and_delete_own_view(self, client, agent, requester, make_incident):
        client.force_login(agent)

        # when: the agent saves the current filters
        response = client.post(reverse("incidents:save_view"), {
            "name": "جدیدهای من", "is_shared": "", "query": "queue=all&status=new&page=3&csrfmiddlewaretoken=x",
        })

        # then: the view is stored without the page number and listed on the page
        view = SavedView.objects.get(owner=agent, list_name="incidents")
        assert response.status_code == 302
        assert flashed(response) == [fa("The view «%(name)s» was saved.", name="جدیدهای من")]
        assert view.query == "status=new&queue=all"
        assert not view.is_shared
        assert AuditLogEntry.objects.filter(action=AuditAction.CREATE, object_id=str(view.pk)).exists()
        listing = client.get(LIST_URL)
        assert f"{LIST_URL}?status=new&queue=all" in page_text(listing)

        # when: the agent deletes it
        deleted = client.post(reverse("incidents:delete_view", args=[view.pk]))

        assert flashed(deleted) == [fa("The saved view was deleted.")]
        assert not SavedView.objects.filter(pk=view.pk).exists()

    def test_same_name_replaces_filters(self, client, agent):
        client.force_login(agent)
        url = reverse("incidents:save_view")
        client.post(url, {"name": "نما", "query": "queue=all"})

        client.post(url, {"name": "نما", "query": "queue=mine&priority=1", "is_shared": "on"})

        view = SavedView.objects.get(owner=agent)
        assert view.query == "priority=1&queue=mine"
        assert view.is_shared

    def test_shared_view_visible_not_deletable_by_others(self, client, agent, other_agent):
        view = SavedView.objects.create(owner=agent, list_name="incidents", name="مشترک", query="queue=all",
                                        is_shared=True)
        private = SavedView.objects.create(owner=agent, list_name="incidents", name="خصوصی", query="queue=all")
        client.force_login(other_agent)

        listing = client.get(LIST_URL)
        response = client.post(reverse("incidents:delete_view", args=[view.pk]))

        assert view in listing.context["saved_views"]
        assert private not in listing.context["saved_views"]
        assert flashed(response) == [fa("The saved view was not found.")]
        assert SavedView.objects.filter(pk=view.pk).exists()

    def test_empty_name_keeps_page_with_error(self, client, agent):
        client.force_login(agent)

        response = client.post(reverse("incidents:save_view"), {"name": "  ", "query": "queue=all&status=new"})

        assert response.status_code == 400
        assert fa("This field is required.") in page_text(response)
        assert response.context["params"].getlist("status") == ["new"]


class TestBulkUpdate:
    def test_lead_assigns_and_sees_result_per_item(self, client, requester, group_lead, agent, service_desk,
                                                   incident_manager, make_incident):
        # given: two open incidents and a cancelled one
        first = make_incident(requester, title="اول")
        second = make_incident(requester, title="دوم")
        cancelled = make_incident(requester, title="لغو")
        actions.cancel_incident(actor=incident_manager, incident=cancelled, expected_version=cancelled.version,
                                reason="تکراری")
        client.force_login(group_lead)

        # when: the lead assigns all three to the service desk and Ali
        response = client.post(reverse("incidents:bulk"), {
            "selected": [first.pk, second.pk, cancelled.pk], "assigned_group": service_desk.pk,
            "assignee": agent.pk, "status": "", "query": "queue=all&status=new",
        })

        # then: a result per incident after the redirect back to the same filters
        assert response.status_code == 302
        assert response["Location"] == f"{LIST_URL}?status=new&queue=all"
        page = client.get(response["Location"])
        results = {row["number"]: row for row in page.context["bulk_results"]}
        assert results[first.number]["ok"] and results[second.number]["ok"]
        assert results[first.number]["message"] == fa("Updated")
        assert results[cancelled.number] == {
            "number": cancelled.number, "ok": False,
            "message": fa("A closed or cancelled incident cannot be assigned."),
        }
        first.refresh_from_db()
        assert (first.assignee, first.status) == (agent, IncidentStatus.ASSIGNED)
        assert client.get(LIST_URL).context["bulk_results"] is None

    def test_htmx_bulk_status_change_returns_fragment(self, client, requester, group_lead, service_desk,
                                                      make_incident):
        incident = make_incident(requester, actor=group_lead, assigned_group=service_desk)
        client.force_login(group_lead)

        response = client.post(reverse("incidents:bulk"), {
            "selected": [incident.pk], "status": "on_hold", "hold_reason": "awaiting_supplier",
            "query": "queue=all",
        }, **HTMX)

        assert response.status_code == 200
        assert next(t.name for t in response.templates) == "incidents/_results.html"
        assert response.context["bulk_results"] == [{"number": incident.number, "ok": True, "message": fa("Updated")}]
        incident.refresh_from_db()
        assert (incident.status, incident.hold_reason) == (IncidentStatus.ON_HOLD, "awaiting_supplier")

    def test_nothing_chosen_keeps_selection(self, client, requester, group_lead, make_incident):
        incident = make_incident(requester)
        client.force_login(group_lead)

        response = client.post(reverse("incidents:bulk"), {"selected": [incident.pk], "query": "queue=all"})

        assert response.status_code == 400
        assert fa("Choose a support group, an agent or a new status.") in page_text(response)
        assert re.search(rf'name="selected" value="{incident.pk}" aria-label="[^"]*" checked', page_text(response))

    def test_agent_without_permission_gets_action_error(self, client, requester, agent, service_desk,
                                                        make_incident):
        # given: a plain agent, who is not offered the bulk bar
        incident = make_incident(requester)
        client.force_login(agent)
        assert "bulk_form" not in client.get(LIST_URL).context

        # when: the agent posts a bulk update anyway
        response = client.post(reverse("incidents:bulk"), {
            "selected": [incident.pk], "assigned_group": service_desk.pk, "query": "queue=all",
        })

        # then: the action refuses and nothing changes
        assert response.status_code == 403
        assert fa("You do not have permission to do this.") in page_text(response)
        assert Incident.objects.get(pk=incident.pk).assigned_group is None


def test_requester_filter_is_shown_and_kept(client, requester, other_requester, agent, make_incident):
    # given: the "their other incidents" link of Sara's incident
    own = make_incident(requester, title="سارا")
    make_incident(other_requester, title="رضا")
    client.force_login(agent)

    response = client.get(LIST_URL, {"queue": "all", "requester": requester.pk})

    body = page_text(response)
    assert _numbers(response) == [own.number]
    assert f'<input type="hidden" name="requester" value="{requester.pk}">' in body
    assert f"{fa('Requester')}: {requester.display_name}" in body
