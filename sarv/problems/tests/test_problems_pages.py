"""Problem pages: the list, raising a problem, the problem page's quick actions, closing, and "my work"."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sarv.incidents.choices import IncidentStatus
from sarv.incidents.tests.page_helpers import flashed, page_text
from sarv.problems import actions
from sarv.problems.choices import ProblemStatus, RcaMethod
from sarv.problems.models import FiveWhyStep, Problem

pytestmark = pytest.mark.django_db

LIST_URL = reverse("problems:list")


def _action_url(problem, action):
    return reverse(f"problems:{action}", args=[problem.number])


def test_requester_gets_403_on_problem_pages(client, requester, agent, make_problem):
    problem = make_problem(agent)
    client.force_login(requester)
    assert client.get(LIST_URL).status_code == 403
    assert client.get(problem.get_absolute_url()).status_code == 403


def test_list_filters_and_searches_with_persian_normalisation(client, agent, make_problem):
    printer = make_problem(agent, title="خرابی مكرر چاپگر")  # Arabic kaf, stored as Persian
    make_problem(agent, title="کندی شبکه", urgency=1, impact=1)
    client.force_login(agent)
    response = client.get(LIST_URL, {"queue": "all", "q": "مکرر"})
    assert [row.number for row in response.context["rows"]] == [printer.number]
    response = client.get(LIST_URL, {"queue": "all", "priority": "1"})
    assert [row.title for row in response.context["rows"]] == ["کندی شبکه"]


def test_list_age_filter(client, agent, make_problem):
    import datetime as dt

    from django.utils import timezone

    old = make_problem(agent, title="مسئله قدیمی")
    Problem.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    make_problem(agent, title="مسئله تازه")
    client.force_login(agent)
    response = client.get(LIST_URL, {"queue": "all", "age": "30"})
    assert [row.title for row in response.context["rows"]] == ["مسئله قدیمی"]


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_is_fixed(client, agent, requester, service_desk, make_incident, make_problem, count):
    incident = make_incident(requester)
    for index in range(count):
        make_problem(agent, title=f"مسئله {index}", assigned_group=service_desk, assignee=agent,
                     incidents=[incident])
    client.force_login(agent)
    client.get(LIST_URL, {"queue": "all", "per_page": "50"})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL, {"queue": "all", "per_page": "50"})
    assert len(response.context["rows"]) == count
    assert response.context["rows"][0].incident_count == 1
    assert len(queries) <= 24


def test_create_from_incident_prefills_and_links(client, agent, requester, make_incident):
    incident = make_incident(requester, title="چاپگر طبقه سوم خاموش می‌شود")
    client.force_login(agent)
    response = client.get(reverse("problems:create"), {"incident": incident.number})
    form = response.context["form"]
    assert form.initial["title"] == incident.title
    assert form.initial["incident_numbers"] == incident.number

    response = client.post(reverse("problems:create"), {
        "title": "خاموش شدن مکرر چاپگرها", "impact": "2", "urgency": "2",
        "incident_numbers": incident.number.replace("INC", "inc"),
    })
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert response.url == problem.get_absolute_url()
    assert list(problem.incidents.all()) == [incident]


def test_create_reports_unknown_incident_and_keeps_input(client, agent):
    client.force_login(agent)
    response = client.post(reverse("problems:create"), {
        "title": "مسئله با شماره اشتباه", "impact": "2", "urgency": "2", "incident_numbers": "INC-1405-999999 abc",
    })
    assert response.status_code == 400
    assert "abc" in page_text(response)
    assert Problem.objects.count() == 0
    response = client.post(reverse("problems:create"), {
        "title": "مسئله با شماره اشتباه", "impact": "2", "urgency": "2", "incident_numbers": "INC-1405-999999",
    })
    assert response.status_code == 400
    assert "INC-1405-999999" in page_text(response)
    assert response.context["form"]["title"].value() == "مسئله با شماره اشتباه"


def test_detail_shows_sections_in_persian(client, agent, requester, make_incident, make_problem):
    incident = make_incident(requester)
    problem = make_problem(agent, incidents=[incident])
    actions.add_five_why(actor=agent, problem=problem, question="چرا چاپگر خاموش شد؟", answer="دمای زیاد")
    client.force_login(agent)
    response = client.get(problem.get_absolute_url())
    text = page_text(response)
    assert response.status_code == 200
    assert incident.number in text
    assert "چرا چاپگر خاموش شد؟" in text
    assert 'id="panel-rca"' in text
    assert 'id="panel-workaround"' in text


def test_detail_redirects_persian_digit_number(client, agent, make_problem):
    problem = make_problem(agent)
    persian = problem.number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    client.force_login(agent)
    response = client.get(reverse("problems:detail", args=[persian]))
    assert response.status_code == 302
    assert response.url == problem.get_absolute_url()


def test_rca_and_workaround_forms_save(client, agent, make_problem):
    problem = make_problem(agent)
    client.force_login(agent)
    response = client.post(_action_url(problem, "rca"), {
        "version": problem.version, "rca_method": RcaMethod.FIVE_WHYS, "root_cause": "سرویس چاپ حافظه کم می‌آورد",
        "contributing_factors": "",
    })
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.ROOT_CAUSE_KNOWN
    response = client.post(_action_url(problem, "workaround"), {"version": problem.version,
                                                               "workaround": "سرویس چاپ را دوباره راه بیندازید"})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.workaround == "سرویس چاپ را دوباره راه بیندازید"


def test_stale_rca_form_shows_conflict_and_keeps_text(client, agent, make_problem):
    problem = make_problem(agent)
    actions.update_problem(actor=agent, problem=problem, expected_version=1, title="عنوان تازه")
    client.force_login(agent)
    response = client.post(_action_url(problem, "rca"), {"version": 1, "rca_method": "",
                                                         "root_cause": "علت نوشته‌شده"})
    assert response.status_code == 409
    assert "علت نوشته‌شده" in page_text(response)
    assert response.context["forms"]["rca"]["version"].value() == "2"


def test_five_whys_editor_through_htmx(client, agent, make_problem):
    problem = make_problem(agent)
    client.force_login(agent)
    headers = {"HX-Request": "true", "HX-Target": "panel-rca"}
    client.post(_action_url(problem, "why"), {"question": "چرا اول؟", "answer": "الف"}, headers=headers)
    client.post(_action_url(problem, "why"), {"question": "چرا دوم؟", "answer": "ب"}, headers=headers)
    second = FiveWhyStep.objects.get(question="چرا دوم؟")
    client.post(_action_url(problem, "why_move"), {"step": second.pk, "offset": "-1"}, headers=headers)
    client.post(_action_url(problem, "why"), {"step": second.pk, "question": "چرا دوم؟", "answer": "ب تازه"},
                headers=headers)
    assert list(FiveWhyStep.objects.filter(problem=problem).values_list("question", "answer")) == [
        ("چرا دوم؟", "ب تازه"), ("چرا اول؟", "الف")]
    response = client.post(_action_url(problem, "why"), {"question": "", "answer": "بی‌سؤال"}, headers=headers)
    assert response.status_code == 200
    assert response.context["forms"]["why"].errors


def test_step_of_another_problem_is_rejected(client, agent, make_problem):
    first, second = make_problem(agent), make_problem(agent)
    step = actions.add_five_why(actor=agent, problem=second, question="چرا؟")
    client.force_login(agent)
    response = client.post(_action_url(first, "why_remove"), {"step": step.pk})
    assert response.status_code == 302
    assert FiveWhyStep.objects.filter(pk=step.pk).exists()
    assert flashed(response)


def test_link_and_unlink_incident_from_problem_page(client, agent, requester, make_incident, make_problem):
    incident = make_incident(requester)
    problem = make_problem(agent)
    client.force_login(agent)
    client.post(_action_url(problem, "link"), {"numbers": incident.number})
    assert list(problem.incidents.all()) == [incident]
    response = client.post(_action_url(problem, "link"), {"numbers": incident.number})
    assert response.status_code == 400
    client.post(_action_url(problem, "unlink"), {"incident": incident.pk})
    assert not problem.incidents.exists()


def test_agent_is_not_offered_close_or_resolve(client, agent, make_problem):
    problem = make_problem(agent)
    client.force_login(agent)
    response = client.get(problem.get_absolute_url())
    assert "close" not in response.context["forms"]
    assert "resolve" not in response.context["forms"]
    response = client.post(_action_url(problem, "resolve"), {"version": 1, "resolution_notes": "رفع شد"})
    assert response.status_code == 403
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.NEW


def test_close_dialog_resolves_chosen_incidents_and_shows_results(client, agent, requester, problem_manager,
                                                                  resolution_code, make_incident, make_problem):
    chosen = make_incident(requester, title="چاپگر یک")
    left = make_incident(requester, title="چاپگر دو")
    problem = make_problem(agent, incidents=[chosen, left])
    client.force_login(problem_manager)
    response = client.get(problem.get_absolute_url())
    close_form = response.context["forms"]["close"]
    assert set(close_form.fields["incidents"].queryset) == {chosen, left}

    response = client.post(_action_url(problem, "close"), {
        "version": problem.version, "incidents": [chosen.pk], "resolution_code": resolution_code.pk,
        "message": "علت برطرف شد، لطفا دوباره امتحان کنید", "note": "",
    })
    assert response.status_code == 302
    chosen.refresh_from_db()
    left.refresh_from_db()
    assert chosen.status == IncidentStatus.RESOLVED
    assert left.status == IncidentStatus.NEW
    response = client.get(problem.get_absolute_url())
    assert [row["number"] for row in response.context["close_results"]] == [chosen.number]
    # the results show once
    response = client.get(problem.get_absolute_url())
    assert response.context["close_results"] is None


def test_my_work_lists_incidents_and_problems_by_priority(client, agent, requester, service_desk, make_incident,
                                                          make_problem):
    make_incident(requester, title="حادثه کم‌اهمیت", actor=agent, assigned_group=service_desk, assignee=agent,
                  impact=3, urgency=3)
    make_problem(agent, title="مسئله بحرانی", assigned_group=service_desk, assignee=agent, impact=1, urgency=1)
    make_problem(agent, title="مسئله دیگران")
    client.force_login(agent)
    response = client.get(reverse("my-work:queue"))
    rows = response.context["rows"]
    assert [(row.kind, row.record.title) for row in rows] == [("problem", "مسئله بحرانی"),
                                                              ("incident", "حادثه کم‌اهمیت")]


@pytest.mark.parametrize("count", [2, 20])
def test_my_work_query_count_is_fixed(client, agent, requester, service_desk, make_incident, make_problem, count):
    for index in range(count):
        make_incident(requester, title=f"حادثه {index}", actor=agent, assigned_group=service_desk, assignee=agent)
        make_problem(agent, title=f"مسئله {index}", assigned_group=service_desk, assignee=agent)
    client.force_login(agent)
    client.get(reverse("my-work:queue"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("my-work:queue"))
    assert len(response.context["rows"]) == 2 * count
    assert len(queries) <= 20


def test_incident_page_offers_raising_a_problem(client, agent, requester, make_incident):
    incident = make_incident(requester)
    client.force_login(agent)
    text = page_text(client.get(incident.get_absolute_url()))
    assert f"{reverse('problems:create')}?incident={incident.number}" in text


def test_timeline_names_changed_services(client, agent, make_problem):
    from django.utils import translation

    from sarv.core.timeline import entries_for
    from sarv.core.timeline_display import describe
    from sarv.services.models import Service

    problem = make_problem(agent)
    mail = Service.objects.create(name_fa="ایمیل", name_en="E-mail")
    actions.update_problem(actor=agent, problem=problem, expected_version=1, services=[mail])
    with translation.override("en"):
        rows = describe(Problem, entries_for(problem, agent))
    lines = [line for row in rows for line in row.lines if line.field == "services"]
    assert [(line.old, line.new) for line in lines] == [("—", "E-mail")]
