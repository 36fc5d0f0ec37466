"""Problem API: list and filters, raising, editing with versions, the life cycle, five whys, links and closing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sarv.core.api.testing import token_client
from sarv.core.models import Attachment, ModuleSwitch
from sarv.core.text import to_persian_digits
from sarv.incidents.choices import IncidentStatus
from sarv.problems import actions
from sarv.problems.choices import ProblemStatus
from sarv.problems.models import FiveWhyStep, Problem

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/problems/"


def url(problem, suffix=""):
    return f"{LIST_URL}{problem.number}/{suffix}"


def numbers(response):
    return [row["number"] for row in response.json()["results"]]


def test_list_search_and_queue(agent, service_desk, make_problem):
    printer = make_problem(agent, title="چاپگرها مکرر خاموش می‌شوند", assigned_group=service_desk, assignee=agent)
    network = make_problem(agent, title="شبکه کند است")
    client = token_client(agent)
    assert numbers(client.get(LIST_URL)) == [network.number, printer.number]
    assert numbers(client.get(LIST_URL, {"q": "مكرر"})) == [printer.number]
    assert numbers(client.get(LIST_URL, {"queue": "mine"})) == [printer.number]
    assert client.get(LIST_URL, {"queue": "nonsense"}).status_code == 400


def test_requester_sees_no_problems_and_cannot_raise(requester, agent, make_problem):
    problem = make_problem(agent)
    client = token_client(requester)
    assert numbers(client.get(LIST_URL)) == []
    assert client.get(url(problem)).status_code == 404
    assert client.post(LIST_URL, {"title": "مسئله"}, format="json").status_code == 403


def test_create_with_incidents_and_persian_digit_numbers(agent, requester, make_incident):
    incident = make_incident(requester)
    response = token_client(agent).post(LIST_URL, {
        "title": "قطع مکرر VPN", "impact": 1, "urgency": 2, "incidents": [to_persian_digits(incident.number)],
    }, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["priority"] == 2
    assert body["incident_count"] == 1
    assert response.headers["Location"].endswith(f"/api/v1/problems/{body['number']}/")


def test_create_with_unknown_incident_is_rejected(agent):
    response = token_client(agent).post(LIST_URL, {"title": "x", "incidents": ["INC-1405-999999"]}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "incidents"
    assert Problem.objects.count() == 0


def test_patch_with_stale_version_answers_409(agent, make_problem):
    problem = make_problem(agent)
    client = token_client(agent)
    assert client.patch(url(problem), {"version": 1, "title": "تازه"}, format="json").status_code == 200
    response = client.patch(url(problem), {"version": 1, "title": "کهنه"}, format="json")
    assert response.status_code == 409
    assert Problem.objects.get(pk=problem.pk).title == "تازه"


def test_root_cause_with_evidence_then_workaround_then_known_error(agent, make_problem, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    problem = make_problem(agent)
    client = token_client(agent)
    evidence = SimpleUploadedFile("dump.txt", b"stack trace", content_type="text/plain")
    response = client.post(url(problem, "root-cause/"), {
        "version": 1, "rca_method": "fault_tree", "root_cause": "نشت حافظه در سرویس چاپ", "attachments": [evidence],
    }, format="multipart")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == ProblemStatus.ROOT_CAUSE_KNOWN
    assert Attachment.objects.filter(original_name="dump.txt", is_internal=True).exists()
    response = client.post(url(problem, "workaround/"), {"version": body["version"],
                                                         "workaround": "هر شب سرویس را راه‌اندازی کنید"},
                           format="json")
    body = response.json()
    response = client.post(url(problem, "status/"), {"version": body["version"], "status": "known_error"},
                           format="json")
    assert response.json()["status"] == "known_error"


def test_five_whys_endpoints(agent, make_problem):
    problem = make_problem(agent)
    client = token_client(agent)
    first = client.post(url(problem, "five-whys/"), {"question": "چرا ۱؟", "answer": "الف"}, format="json").json()
    second = client.post(url(problem, "five-whys/"), {"question": "چرا ۲؟"}, format="json").json()
    assert second["position"] == 2
    response = client.patch(url(problem, f"five-whys/{second['id']}/"), {"question": "چرا ۲؟", "answer": "ب"},
                            format="json")
    assert response.json()["answer"] == "ب"
    response = client.post(url(problem, f"five-whys/{second['id']}/move/"), {"offset": -1}, format="json")
    assert [step["id"] for step in response.json()] == [second["id"], first["id"]]
    assert client.delete(url(problem, f"five-whys/{first['id']}/")).status_code == 204
    assert [step["question"] for step in client.get(url(problem, "five-whys/")).json()] == ["چرا ۲؟"]
    assert client.delete(url(problem, "five-whys/999999/")).status_code == 404
    assert FiveWhyStep.objects.count() == 1


def test_link_list_and_unlink_incidents(agent, requester, make_incident, make_problem):
    incident = make_incident(requester)
    problem = make_problem(agent)
    client = token_client(agent)
    response = client.post(url(problem, "incidents/"), {"incidents": [incident.number]}, format="json")
    assert [row["number"] for row in response.json()["results"]] == [incident.number]
    assert client.delete(url(problem, f"incidents/{incident.number}/")).status_code == 204
    assert client.delete(url(problem, f"incidents/{incident.number}/")).status_code == 404


def test_close_resolves_listed_incidents_and_reports_each(agent, requester, problem_manager, resolution_code,
                                                          make_incident, make_problem):
    incident = make_incident(requester)
    problem = make_problem(agent, incidents=[incident])
    assert token_client(agent).post(url(problem, "close/"), {"version": problem.version},
                                    format="json").status_code == 403
    response = token_client(problem_manager).post(url(problem, "close/"), {
        "version": problem.version, "incidents": [incident.number], "resolution_code": resolution_code.pk,
        "message": "وصله نصب شد",
    }, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["problem"]["status"] == "closed"
    assert body["incidents"] == [{"number": incident.number, "ok": True, "message": "Resolved"}]
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED


def test_resolve_and_reopen(agent, problem_manager, make_problem):
    problem = make_problem(agent)
    response = token_client(problem_manager).post(url(problem, "resolve/"), {
        "version": 1, "resolution_notes": "پیکربندی اصلاح شد", "fix_change_reference": "CHG-1405-000007"},
        format="json")
    assert response.json()["fix_change_reference"] == "CHG-1405-000007"
    response = token_client(agent).post(url(problem, "reopen/"), {"reason": "دوباره رخ داد"}, format="json")
    assert response.json()["status"] == "under_investigation"


def test_module_switch_off_hides_the_api(agent, make_problem):
    make_problem(agent)
    ModuleSwitch.objects.create(code="problems", enabled=False)
    assert token_client(agent).get(LIST_URL).status_code == 404


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_is_fixed(agent, service_desk, make_problem, count):
    for index in range(count):
        make_problem(agent, title=f"مسئله {index}", assigned_group=service_desk, assignee=agent)
    client = token_client(agent)
    client.get(LIST_URL)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL, {"page_size": 50})
    assert len(response.json()["results"]) == count
    assert len(queries) <= 12


def test_actions_reuse_the_problem_actions(agent, make_problem):
    # The detail's abilities follow the permissions the actions check.
    problem = make_problem(agent)
    abilities = token_client(agent).get(url(problem)).json()["abilities"]
    assert abilities == {"work": True, "link": True, "resolve": False, "close": False}
    assert actions.WORKING_STATUSES[0] == ProblemStatus.NEW
