"""Problem reports on a constructed data set: status and age, incidents per problem, workaround use, KE use."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sarv.core.api.testing import token_client
from sarv.core.text import to_persian_digits
from sarv.incidents.choices import IncidentStatus
from sarv.incidents.models import Incident
from sarv.incidents.tests.page_helpers import page_text
from sarv.problems import actions, reports
from sarv.problems.choices import KnownErrorUseKind, ProblemStatus
from sarv.problems.models import KnownError, KnownErrorUse, Problem
from sarv.problems.tests.recurring_helpers import incidents, problem_manager
from sarv.sla.reports import month_of
from sarv.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def month_key(moment: dt.datetime) -> int:
    year, month = month_of(moment)
    return year * 100 + month


@pytest.fixture
def data(requester, agent):
    """Four problems of known ages, a known error on the first and four uses of it.

    - old: opened 100 days ago, new, 3 incidents (resolved 10 and 30 days ago, one open), a known error
      published 20 days ago;
    - young: opened 10 days ago, under investigation, 1 incident;
    - quick: opened 50 days ago, resolved 5 days later;
    - closed: opened 2 days ago, closed a day later.
    An unlinked incident resolved 5 days ago had the workaround sent by the agent.
    """
    manager = problem_manager()
    made = incidents(requester, 5, days_ago=120)
    resolved = {0: ago(10), 1: ago(30), 3: ago(5), 4: ago(1)}
    for index, moment in resolved.items():
        Incident.objects.filter(pk=made[index].pk).update(status=IncidentStatus.RESOLVED, resolved_at=moment)
    problems = {}
    for name, linked in (("old", made[:3]), ("young", [made[4]]), ("quick", []), ("closed", [])):
        problems[name] = actions.open_problem(actor=manager, title=f"مسئله {name}", incidents=linked)
    Problem.objects.filter(pk=problems["old"].pk).update(created_at=ago(100))
    Problem.objects.filter(pk=problems["young"].pk).update(created_at=ago(10),
                                                            status=ProblemStatus.UNDER_INVESTIGATION)
    Problem.objects.filter(pk=problems["quick"].pk).update(created_at=ago(50), resolved_at=ago(45),
                                                            status=ProblemStatus.RESOLVED)
    Problem.objects.filter(pk=problems["closed"].pk).update(created_at=ago(2), closed_at=ago(1),
                                                             status=ProblemStatus.CLOSED)
    known_error = KnownError.objects.create(number="KE-1405-000001", problem=problems["old"],
                                            title="کاغذ گیر می‌کند", root_cause="غلتک فرسوده",
                                            workaround="سینی دوم", published_at=ago(20))
    KnownErrorUse.objects.create(known_error=known_error, incident=made[0], kind=KnownErrorUseKind.LINKED,
                                 used_by=agent, used_at=ago(12))
    KnownErrorUse.objects.create(known_error=known_error, incident=made[3],
                                 kind=KnownErrorUseKind.APPLIED_WORKAROUND, used_by=agent, used_at=ago(6))
    KnownErrorUse.objects.create(known_error=known_error, incident=made[2],
                                 kind=KnownErrorUseKind.APPLIED_WORKAROUND, used_by=manager, used_at=ago(3))
    return {"manager": manager, "problems": problems, "incidents": made, "known_error": known_error}


def test_status_and_age(data):
    report = reports.problems_by_status(data["manager"], reports.ReportFilters(), now=NOW)
    rows = {row.status: row.buckets for row in report.rows}
    assert rows[ProblemStatus.NEW] == [0, 0, 0, 1, 0]  # 100 days old, still open
    assert rows[ProblemStatus.UNDER_INVESTIGATION] == [0, 1, 0, 0, 0]
    assert rows[ProblemStatus.RESOLVED] == [1, 0, 0, 0, 0]  # resolved after 5 days
    assert rows[ProblemStatus.CLOSED] == [1, 0, 0, 0, 0]
    assert report.totals == [2, 1, 0, 1, 0]
    opened = {row.period.key: row.counts for row in report.periods}
    assert sum(counts["opened"] for counts in opened.values()) == 4
    assert opened[month_key(ago(100))]["open"] >= 1
    assert sum(counts["resolved"] for counts in opened.values()) == 1


def test_status_by_year_and_date_range(data):
    filters = reports.ReportFilters(date_from=ago(60).date(), granularity=reports.Granularity.YEAR)
    report = reports.problems_by_status(data["manager"], filters, now=NOW)
    assert report.total == 3  # the 100-day-old problem is before the range
    assert all(row.period.granularity == "year" for row in report.periods)


def test_incidents_per_problem(data):
    rows = reports.incidents_per_problem(data["manager"], reports.ReportFilters())
    assert [(row.problem.title, row.incidents, row.open_incidents) for row in rows] == [
        ("مسئله old", 3, 1), ("مسئله young", 0 + 1, 0)]


def test_workaround_resolutions(data):
    # The linked incident resolved after publishing counts, and so does the unlinked one whose requester
    # got the workaround. The one resolved before publishing and the open one do not.
    report = reports.workaround_resolutions(data["manager"], reports.ReportFilters())
    assert report.total == 2
    [row] = report.rows
    assert row.known_error == data["known_error"]
    assert row.counts[month_key(ago(5))] >= 1
    assert sum(row.counts.values()) == 2

    # a range that starts 7 days ago leaves only the one resolved 5 days ago
    recent = reports.workaround_resolutions(data["manager"], reports.ReportFilters(date_from=ago(7).date()))
    assert recent.total == 1


def test_known_error_usage(data, agent):
    report = reports.known_error_usage(data["manager"], reports.ReportFilters())
    [by_error] = report.by_known_error
    assert (by_error.linked, by_error.applied) == (1, 2)
    by_agent = {row.obj: (row.linked, row.applied) for row in report.by_agent}
    assert by_agent == {agent: (1, 1), data["manager"]: (0, 1)}
    recent = reports.known_error_usage(data["manager"], reports.ReportFilters(date_from=ago(4).date()))
    assert [(row.linked, row.applied) for row in recent.by_known_error] == [(0, 1)]


def test_periods_in_quarters_and_months():
    start, end = dt.datetime(2025, 3, 21, tzinfo=dt.UTC), dt.datetime(2025, 9, 30, tzinfo=dt.UTC)
    quarters = reports.periods_between(start, end, reports.Granularity.QUARTER)
    assert [period.key for period in quarters] == [140401, 140402, 140403]
    months = reports.periods_between(start, end, reports.Granularity.MONTH)
    assert months[0].key == 140401
    assert len(months) == 7
    assert quarters[0].start == months[0].start
    assert quarters[0].end == months[2].end


def test_report_pages(client, data, requester):
    assert client.login(username=data["manager"].username, password=TEST_PASSWORD)
    for name in ("status", "incidents", "workarounds", "usage"):
        response = client.get(reverse(f"problem-reports:{name}") + "?period=quarter")
        assert response.status_code == 200, name
    text = page_text(client.get(reverse("problem-reports:workarounds")))
    assert to_persian_digits("KE-1405-000001") in text
    bad = client.get(reverse("problem-reports:status") + "?date_from=1404/05/10&date_to=1404/05/01")
    assert bad.status_code == 400
    client.logout()
    assert client.login(username=requester.username, password=TEST_PASSWORD)
    assert client.get(reverse("problem-reports:status")).status_code == 403


def test_report_api(data):
    api = token_client(data["manager"])
    status = api.get("/api/v1/problems/reports/status/?period=year").json()
    assert status["totals"] == [2, 1, 0, 1, 0]
    loads = api.get("/api/v1/problems/reports/incidents/").json()
    assert loads[0]["incidents"] == 3
    workarounds = api.get("/api/v1/problems/reports/workarounds/").json()
    assert workarounds["rows"][0]["known_error"] == "KE-1405-000001"
    assert sum(workarounds["totals"]) == 2
    usage = api.get("/api/v1/problems/reports/known-errors/").json()
    assert usage["by_known_error"][0]["total"] == 3
    assert api.get("/api/v1/problems/reports/status/?period=week").status_code == 400


def test_report_excel_export(client, data):
    import io

    from openpyxl import load_workbook

    assert client.login(username=data["manager"].username, password=TEST_PASSWORD)
    response = client.get(reverse("problem-reports:incidents") + "?period=year&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.sheet_view.rightToLeft
    assert sheet.cell(row=5, column=1).value == "مسئله"
    assert sheet.cell(row=6, column=2).value == "مسئله old"
    assert sheet.cell(row=6, column=5).value == 3
    for name in ("status", "workarounds", "usage"):
        export = client.get(reverse(f"problem-reports:{name}") + "?format=xlsx")
        assert export.status_code == 200, name
        assert load_workbook(io.BytesIO(export.content)).active.max_row > 5
