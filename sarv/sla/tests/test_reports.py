"""SLA reports: compliance counts, Jalali month boundaries in Tehran time, breach reasons, Excel and permissions."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from sarv.sla import reports
from sarv.sla.breach_reasons import PhaseKind, explain
from sarv.sla.reports import Dimension, ReportFilters
from sarv.sla.tests.helpers import HOUR, at, jalali
from sarv.sla.tests.report_data import NOW, build_world
from sarv.testing import factories


@pytest.fixture
def world(requester: Any, agent: Any, service_desk: Any, network_group: Any, resolution_code: Any) -> dict[str, Any]:
    return build_world(requester, agent, service_desk, network_group, resolution_code)


def _rows(report: reports.ComplianceReport) -> dict[Any, tuple[tuple[int, int, int], ...]]:
    return {row.key: tuple((c.met, c.breached, c.in_progress) for c in (row.first_response, row.resolution))
            for row in report.rows}


def test_months_between_use_tehran_midnights() -> None:
    months = reports.months_between(jalali(1403, 12, 30, 23, 30), jalali(1404, 1, 1, 0, 30))
    assert [(month.year, month.month) for month in months] == [(1403, 12), (1404, 1)]
    # Farvardin 1404 starts at 00:00 Tehran time on 2025-03-21, which is 20:30 UTC the day before.
    assert months[1].start == dt.datetime(2025, 3, 20, 20, 30, tzinfo=dt.UTC)
    assert months[0].end == months[1].start
    # 1403 is a leap year, so Esfand 1403 has 30 days.
    assert (months[0].end - months[0].start).days == 30


def test_months_between_across_daylight_saving() -> None:
    # Tehran used daylight saving until 1401/06/30 (2022-09-21): Shahrivar 1401 starts at +04:30.
    months = reports.months_between(jalali(1401, 6, 10), jalali(1401, 7, 10))
    assert months[0].start == dt.datetime(2022, 8, 22, 19, 30, tzinfo=dt.UTC)
    assert months[1].start == dt.datetime(2022, 9, 22, 20, 30, tzinfo=dt.UTC)


def test_compliance_by_month(world: dict[str, Any]) -> None:
    with translation.override("fa"):
        report = reports.compliance(None, ReportFilters(), Dimension.MONTH, now=NOW)
    assert _rows(report) == {
        140312: ((0, 1, 0), (0, 1, 0)),
        140401: ((1, 2, 0), (1, 2, 0)),
        140402: ((0, 0, 1), (0, 0, 1)),
    }
    assert [row.label for row in report.rows] == ["اسفند ۱۴۰۳", "فروردین ۱۴۰۴", "اردیبهشت ۱۴۰۴"]
    assert report.rows[1].first_response.percent == pytest.approx(33.3)
    assert report.total.resolution.met == 1
    assert report.total.resolution.breached == 3
    assert report.total.resolution.in_progress == 1
    assert report.total.resolution.percent == 25.0


def test_compliance_by_agreement_group_and_service(world: dict[str, Any], service_desk: Any,
                                                   network_group: Any) -> None:
    by_agreement = _rows(reports.compliance(None, ReportFilters(), Dimension.AGREEMENT, now=NOW))
    assert by_agreement == {
        world["standard"].pk: ((1, 2, 1), (1, 2, 1)),
        world["critical"].pk: ((0, 1, 0), (0, 1, 0)),
    }
    # The record's current group counts: B ended with the network group.
    by_group = _rows(reports.compliance(None, ReportFilters(), Dimension.GROUP, now=NOW))
    assert by_group == {
        service_desk.pk: ((1, 0, 0), (1, 0, 0)),
        network_group.pk: ((0, 1, 1), (0, 1, 1)),
        None: ((0, 2, 0), (0, 2, 0)),
    }
    by_service = _rows(reports.compliance(None, ReportFilters(), Dimension.SERVICE, now=NOW))
    assert by_service == {
        world["mail"].pk: ((1, 1, 0), (1, 1, 0)),
        world["payroll"].pk: ((0, 0, 1), (0, 0, 1)),
        None: ((0, 2, 0), (0, 2, 0)),
    }


def test_running_clock_counts_as_breached_after_due(world: dict[str, Any]) -> None:
    later = jalali(1404, 2, 5, 11, 30)
    rows = _rows(reports.compliance(None, ReportFilters(), Dimension.MONTH, now=later))
    # C's first response (2 h target, opened at 09:00) is past due at 11:30; its 8 h resolution is not.
    assert rows[140402] == ((0, 1, 0), (0, 0, 1))


def test_date_range_is_tehran_days(world: dict[str, Any]) -> None:
    farvardin = ReportFilters(date_from=jalali(1404, 1, 1).date(), date_to=jalali(1404, 1, 31).date())
    report = reports.compliance(None, farvardin, Dimension.MONTH, now=NOW)
    # D (00:30 Tehran on 1404/01/01) is in; E (23:30 on 1403/12/30) is out, though both share a UTC date.
    assert _rows(report) == {140401: ((1, 2, 0), (1, 2, 0))}
    leap_day_only = ReportFilters(date_from=jalali(1403, 12, 30).date(), date_to=jalali(1403, 12, 30).date())
    assert _rows(reports.compliance(None, leap_day_only, Dimension.MONTH, now=NOW)) == {
        140312: ((0, 1, 0), (0, 1, 0))}


def test_filters_by_agreement_group_and_service(world: dict[str, Any], network_group: Any) -> None:
    critical = ReportFilters(agreement_id=world["critical"].pk)
    assert reports.compliance(None, critical, now=NOW).total.resolution.breached == 1
    network = reports.compliance(None, ReportFilters(group_id=network_group.pk), now=NOW).total
    assert (network.resolution.breached, network.resolution.in_progress) == (1, 1)
    mail = reports.compliance(None, ReportFilters(service_id=world["mail"].pk), now=NOW).total
    assert (mail.first_response.met, mail.first_response.breached) == (1, 1)


def test_breach_list_and_reasons(world: dict[str, Any], service_desk: Any, network_group: Any) -> None:
    clocks = list(reports.breached_clocks(None, ReportFilters(), now=NOW))
    found = {(clock.object_id, clock.metric) for clock in clocks}
    assert found == {(world[name].pk, metric) for name in ("late", "new_year", "leap_day")
                     for metric in ("first_response", "resolution")}

    late_clocks = [clock for clock in clocks if clock.object_id == world["late"].pk]
    with translation.override("en"):
        explanations = {item.clock.metric: item for item in explain(late_clocks, NOW)}
        desk, network = str(service_desk), str(network_group)
    resolution = explanations["resolution"]
    assert (resolution.target, resolution.elapsed, resolution.overrun) == (8 * HOUR, 20 * HOUR, 12 * HOUR)
    assert resolution.paused == 4 * HOUR
    assert resolution.reassignments == 1
    phases = {(phase.kind, phase.label): phase.seconds for phase in resolution.phases}
    assert phases == {
        (PhaseKind.COUNTED, f"Held by {desk}"): 5 * HOUR,
        (PhaseKind.COUNTED, f"Held by {network}"): 15 * HOUR,
        (PhaseKind.PAUSED, "On hold: Waiting for the requester"): 4 * HOUR,
    }
    assert resolution.phases[0].seconds == 15 * HOUR
    first_response = explanations["first_response"]
    assert (first_response.elapsed, first_response.overrun) == (3 * HOUR, 1 * HOUR)


def test_breach_still_running_overrun_grows(world: dict[str, Any]) -> None:
    clocks = [clock for clock in reports.breached_clocks(None, ReportFilters(), now=NOW)
              if clock.object_id == world["new_year"].pk and clock.metric == "resolution"]
    (item,) = explain(clocks, NOW)
    # Opened 1404/01/01 00:30, never answered: every hour until NOW counts on the round-the-clock calendar.
    assert item.elapsed == int((NOW - jalali(1404, 1, 1, 0, 30)).total_seconds())
    assert item.overrun == item.elapsed - 8 * HOUR
    assert item.breached_at == jalali(1404, 1, 1, 8, 30)


# --- Pages, API, Excel, permissions ----------------------------------------------------------------------------


@pytest.fixture
def sla_manager(service_desk: Any) -> Any:
    return factories.make_user("parisa", "پریسا", "کاظمی", roles=["sla_manager"], groups=[service_desk])


@pytest.mark.parametrize(("who", "allowed"), [
    ("requester", False), ("agent", False), ("group_lead", False), ("incident_manager", True),
    ("sla_manager", True), ("admin_user", True),
])
def test_who_may_see_reports(client: Any, request: Any, who: str, allowed: bool) -> None:
    user = request.getfixturevalue(who)
    client.force_login(user)
    for name in ("sla-reports:compliance", "sla-reports:breaches", "sla-api:report-compliance",
                 "sla-api:report-breaches"):
        response = client.get(reverse(name))
        assert response.status_code == (200 if allowed else 403), name


def test_anonymous_is_sent_to_sign_in(client: Any) -> None:
    response = client.get(reverse("sla-reports:compliance"))
    assert response.status_code == 302
    assert reverse("sla-api:report-compliance")
    assert client.get(reverse("sla-api:report-compliance")).status_code in (401, 403)


def test_compliance_page_in_persian(client: Any, world: dict[str, Any], incident_manager: Any) -> None:
    client.force_login(incident_manager)
    with at(NOW):
        response = client.get(reverse("sla-reports:compliance"), {"by": "month"})
    page = response.content.decode()
    assert "فروردین ۱۴۰۴" in page
    assert "۳۳٫۳٪" in page


def test_compliance_page_rejects_bad_date(client: Any, world: dict[str, Any], incident_manager: Any) -> None:
    client.force_login(incident_manager)
    response = client.get(reverse("sla-reports:compliance"), {"date_from": "1404/13/40"})
    assert response.status_code == 200
    assert "1404/13/40" in response.content.decode()
    assert "is-invalid" in response.content.decode()
    api = client.get(reverse("sla-api:report-compliance"), {"date_from": "1404/13/40"})
    assert api.status_code == 400


def test_breach_page_in_english(client: Any, world: dict[str, Any], incident_manager: Any) -> None:
    incident_manager.language = "en"
    incident_manager.save(update_fields=["language"])
    client.force_login(incident_manager)
    with at(NOW):
        response = client.get(reverse("sla-reports:breaches"))
    page = response.content.decode()
    assert world["late"].number in page
    assert "On hold: Waiting for the requester" in page
    assert "12 h" in page


def test_api_compliance_and_breaches(client: Any, world: dict[str, Any], incident_manager: Any) -> None:
    client.force_login(incident_manager)
    with at(NOW):
        data = client.get(reverse("sla-api:report-compliance"), {"by": "month"}).json()
        breaches = client.get(reverse("sla-api:report-breaches"), {"page_size": 2}).json()
    assert [row["key"] for row in data["rows"]] == [140312, 140401, 140402]
    assert data["total"]["resolution"] == {"met": 1, "breached": 3, "in_progress": 1, "total": 5, "percent": 25.0}
    assert breaches["count"] == 6
    assert breaches["pages"] == 3
    assert len(breaches["results"]) == 2


def _workbook(response: Any) -> Any:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def test_excel_compliance_persian(client: Any, world: dict[str, Any], incident_manager: Any) -> None:
    client.force_login(incident_manager)
    with at(NOW):
        response = client.get(reverse("sla-reports:compliance"), {"by": "month", "format": "xlsx"})
    sheet = _workbook(response).active
    assert sheet.sheet_view.rightToLeft is True
    headers = [cell.value for cell in sheet[5]]
    assert headers[0] == "ماه"
    assert headers[1] == "اولین پاسخ: محقق‌شده"
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=6)}
    farvardin = rows["فروردین ۱۴۰۴"]
    assert [cell.value for cell in farvardin[1:4]] == [1, 2, 0]
    assert farvardin[4].value == pytest.approx(1 / 3)
    assert farvardin[4].number_format == "0.0%"
    assert isinstance(sheet["B2"].value, dt.datetime)


def test_excel_breaches_english_escapes_formulas(client: Any, world: dict[str, Any], incident_manager: Any) -> None:
    incident_manager.language = "en"
    incident_manager.save(update_fields=["language"])
    client.force_login(incident_manager)
    with at(NOW):
        response = client.get(reverse("sla-reports:breaches"), {"format": "xlsx"})
    sheet = _workbook(response).active
    assert sheet.sheet_view.rightToLeft in (None, False)
    headers = [cell.value for cell in sheet[5]]
    assert headers[:3] == ["Record", "Title", "Agreement"]
    titles = {row[1].value: row[1] for row in sheet.iter_rows(min_row=6)}
    for title in ('=HYPERLINK("http://example.ir")', "+98 21 1234: تماس برقرار نمی‌شود",
                  "@SUM(A1) سامانه از دسترس خارج شد"):
        cell = titles[title]
        assert cell.data_type == "s", title
        assert cell.quotePrefix is True, title
    late = next(row for row in sheet.iter_rows(min_row=6) if row[0].value == world["late"].number
                and row[3].value == "Resolution")
    assert [late[column].value for column in (5, 6, 7, 8)] == [8, 20, 12, 4]
    assert isinstance(late[9].value, dt.datetime)
    # Tehran wall time of the breach: 4 h counted from 09:00, paused 13:00-17:00, 4 h more: 21:00 on 1404/01/20.
    assert late[9].value == dt.datetime(2025, 4, 9, 21, 0)
