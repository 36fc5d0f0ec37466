"""Bad input at every entry point: pages, the API, import files and attachments.

Each case sends one bad value with otherwise valid input and checks three things: the response names the
problem in the user's language (Persian and English), nothing changed (rows, incident fields, timeline,
audit, stored files), and no server error. Hostile markup that is valid text is stored as typed and shown
escaped on pages, in notification e-mails and in the API.
"""

from __future__ import annotations

import gzip

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from sarv.core.api.testing import token_client
from sarv.core.models import Attachment, SavedView
from sarv.incidents import actions
from sarv.incidents.models import Incident
from tests.robustness.bad_input import BAD_JALALI_DATES, HOSTILE_TEXT, Snapshot, assert_inert, in_language, page_text

pytestmark = pytest.mark.django_db

LANGUAGES = ["fa", "en"]
DATE_MESSAGE = "Enter a valid date, for example %(example)s."
DATE_EXAMPLE = {"fa": "۱۴۰۵/۰۹/۱۳", "en": "2026-12-04"}
API_DATE_MESSAGE = "Enter a valid date, such as %(jalali)s or %(gregorian)s."
REQUIRED = "This field is required."
NUL = "Null characters are not allowed."
TOO_LONG = ("Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).", "limit_value")
API_TOO_LONG = "Ensure this field has no more than {max_length} characters."
BAD_CHOICE = "Select a valid choice. %(value)s is not one of the available choices."
BAD_MODEL_CHOICE = "Select a valid choice. That choice is not one of the available choices."


def login(client, user, language):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


def pdf(name="report.pdf", content=b"%PDF-1.4\n%%EOF\n"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- pages: the agent's new-incident form --------------------------------------------------------------------

# (field, bad value, message, message parameters)
CREATE_FORM_CASES = [
    ("title", "", REQUIRED, {}),
    ("title", "   ", REQUIRED, {}),
    ("title", "x" * 301, TOO_LONG, {"limit_value": 300, "show_value": 301}),
    ("title", "چاپگر\x00خراب", NUL, {}),
    ("description", "a\x00b", NUL, {}),
    ("impact", "9", BAD_CHOICE, {"value": "9"}),
    ("impact", "۲", BAD_CHOICE, {"value": "۲"}),
    ("channel", "<b>fax</b>", BAD_CHOICE, {"value": "<b>fax</b>"}),
    ("requester", "abc", BAD_MODEL_CHOICE, {}),
    ("requester", "99999", BAD_MODEL_CHOICE, {}),
    ("letter_number", "ن" * 121, TOO_LONG, {"limit_value": 120, "show_value": 121}),
    *[("letter_date", value, DATE_MESSAGE, None) for value in BAD_JALALI_DATES],
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("field", "value", "message", "params"), CREATE_FORM_CASES,
                         ids=[f"{case[0]}-{index}" for index, case in enumerate(CREATE_FORM_CASES)])
def test_create_page_rejects(client, agent, requester, language, field, value, message, params):
    # given valid input for a new incident with one bad value
    login(client, agent, language)
    data = {"requester": requester.pk, "title": "چاپگر کار نمی‌کند", "description": "", "impact": "2",
            "urgency": "2", "channel": "phone", field: value}
    before = Snapshot.take()

    # when the agent submits the form
    response = client.post(reverse("incidents:create"), data)

    # then the form comes back with the message in the agent's language, and nothing was stored
    params = {"example": DATE_EXAMPLE[language]} if params is None else params
    assert response.status_code == 400
    assert in_language(language, message, **params) in response.context["form"].errors[field]
    assert Snapshot.take() == before


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("upload", "message", "params"), [
    (lambda: SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
     "Files of type %(extension)s cannot be attached. Allowed types: %(allowed)s.", "exe"),
    (lambda: pdf(content=b"MZ\x90\x00 not a pdf"), "The content of %(name)s does not match its .%(extension)s "
                                                    "extension.", {"name": "report.pdf", "extension": "pdf"}),
    (lambda: pdf(content=b"<html><script>alert(1)</script></html>"),
     "The content of %(name)s does not match its .%(extension)s extension.", {"name": "report.pdf",
                                                                              "extension": "pdf"}),
    (lambda: SimpleUploadedFile("empty.txt", b"", content_type="text/plain"), "The submitted file is empty.", {}),
    (lambda: SimpleUploadedFile("page.html", b"<script>alert(1)</script>", content_type="text/html"),
     "Files of type %(extension)s cannot be attached. Allowed types: %(allowed)s.", "html"),
    (lambda: SimpleUploadedFile("noextension", b"data", content_type="text/plain"),
     "Files of type %(extension)s cannot be attached. Allowed types: %(allowed)s.", "?"),
], ids=["executable", "mismatched", "html-as-pdf", "empty", "html", "no-extension"])
def test_portal_attachment_rejects(client, requester, settings, language, upload, message, params):
    login(client, requester, language)
    before = Snapshot.take()
    if isinstance(params, str):
        params = {"extension": params, "allowed": ", ".join(settings.SARV_ATTACHMENT_EXTENSIONS)}

    response = client.post(reverse("portal:create"), {"title": "پرینتر", "description": "کار نمی‌کند",
                                                      "urgency": "2", "attachments": [upload()]})

    assert response.status_code == 400
    assert in_language(language, message, **params) in page_text(response)
    assert Snapshot.take() == before


def test_oversized_attachment_is_rejected_in_english(client, requester, settings):
    settings.SARV_ATTACHMENT_MAX_BYTES = 2048
    login(client, requester, "en")
    before = Snapshot.take()

    response = client.post(reverse("portal:create"), {"title": "Printer", "description": "Broken", "urgency": "2",
                                                      "attachments": [pdf(content=b"%PDF-" + b"0" * 4000)]})

    assert response.status_code == 400
    assert "The file report.pdf is 3.9\xa0KB; the largest file allowed is 2.0\xa0KB." in page_text(response)
    assert Snapshot.take() == before


def test_too_many_attachments_are_rejected(client, requester, settings):
    settings.SARV_ATTACHMENT_MAX_FILES = 2
    login(client, requester, "fa")
    before = Snapshot.take()

    response = client.post(reverse("portal:create"), {"title": "پرینتر", "description": "خراب", "urgency": "2",
                                                      "attachments": [pdf(f"{index}.pdf") for index in range(3)]})

    assert response.status_code == 400
    assert in_language("fa", "At most %(count)s files can be attached at once.", count=2) in page_text(response)
    assert Snapshot.take() == before


def test_odd_file_name_is_cleaned(client, requester):
    # given a file name with a path, control characters and a right-to-left override
    login(client, requester, "fa")

    response = client.post(reverse("portal:create"), {
        "title": "پرینتر", "description": "خراب", "urgency": "2",
        "attachments": [pdf("..\\..\\etc/\x07pass\u202ewd<script>.pdf")],
    })

    # then the incident is created and the stored name keeps no path or control character
    assert response.status_code == 302
    incident = Incident.objects.get()
    name = Attachment.objects.get(object_id=incident.pk).original_name
    assert name == "passwd<script>.pdf"
    page = client.get(incident.get_portal_url())
    assert "passwd&lt;script&gt;.pdf" in page.content.decode()


# --- pages: portal, edit, reply, bulk, saved views, list filters ---------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("field", "value", "message", "params"), [
    ("title", "", REQUIRED, {}),
    ("title", "x" * 301, TOO_LONG, {"limit_value": 300, "show_value": 301}),
    ("urgency", "0", BAD_CHOICE, {"value": "0"}),
    ("description", "\x00", NUL, {}),
    ("letter_date", "1404/12/30", DATE_MESSAGE, None),
])
def test_portal_report_rejects(client, requester, language, field, value, message, params):
    login(client, requester, language)
    before = Snapshot.take()
    data = {"title": "VPN وصل نمی‌شود", "description": "از صبح", "urgency": "2", field: value}

    response = client.post(reverse("portal:create"), data)

    params = {"example": DATE_EXAMPLE[language]} if params is None else params
    assert response.status_code == 400
    assert in_language(language, message, **params) in response.context["form"].errors[field]
    assert Snapshot.take() == before


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("field", "value", "message", "params"), [
    ("title", "", REQUIRED, {}),
    ("title", "\x00", NUL, {}),
    ("symptom", "x" * 201, TOO_LONG, {"limit_value": 200, "show_value": 201}),
    ("impact", "abc", BAD_CHOICE, {"value": "abc"}),
    ("version", "۱x", "Enter a whole number.", {}),
])
def test_edit_page_rejects(client, agent, requester, make_incident, language, field, value, message, params):
    incident = make_incident(requester)
    login(client, agent, language)
    opened = client.get(incident.get_absolute_url()).context["forms"]["edit"]
    data = {**{key: item for key, item in opened.initial.items() if item is not None}, field: value}
    before = Snapshot.take()

    response = client.post(reverse("incidents:edit", args=[incident.number]), data)

    assert response.status_code == 400
    assert in_language(language, message, **params) in response.context["forms"]["edit"].errors[field]
    assert Snapshot.take() == before


@pytest.mark.parametrize("language", LANGUAGES)
def test_empty_reply_is_rejected(client, requester, make_incident, language):
    incident = make_incident(requester)
    login(client, requester, language)
    before = Snapshot.take()

    response = client.post(reverse("portal:reply", args=[incident.number]), {"body": "  \n "})

    assert response.status_code == 400
    assert in_language(language, "Write a message or attach a file.") in page_text(response)
    assert Snapshot.take() == before


def test_reply_with_nul_is_rejected(client, requester, make_incident):
    incident = make_incident(requester)
    login(client, requester, "en")
    before = Snapshot.take()

    response = client.post(reverse("portal:reply", args=[incident.number]), {"body": "hi\x00there"})

    assert response.status_code == 400
    assert NUL in page_text(response)
    assert Snapshot.take() == before


@pytest.mark.parametrize("data", [
    {"selected": ["abc"], "status": "in_progress"},
    {"selected": ["999999"], "status": "in_progress"},
    {"selected": [], "status": "in_progress"},
    {"status": "<script>", "assigned_group": "x"},
])
def test_bulk_rejects(client, group_lead, requester, make_incident, data):
    make_incident(requester)
    login(client, group_lead, "fa")
    before = Snapshot.take()

    response = client.post(reverse("incidents:bulk"), {**data, "query": "queue=all"})

    assert response.status_code == 400
    assert Snapshot.take() == before


@pytest.mark.parametrize(("name", "message"), [
    ("", REQUIRED),
    ("ن" * 200, None),
    ("a\x00b", NUL),
])
def test_saved_view_rejects(client, agent, name, message):
    login(client, agent, "en")
    before = Snapshot.take()

    response = client.post(reverse("incidents:save_view"), {"name": name, "query": "queue=all"})

    assert response.status_code == 400
    assert Snapshot.take() == before
    assert SavedView.objects.count() == 0
    if message:
        assert message in page_text(response)


@pytest.mark.parametrize("query", [
    {"created_from": "1404/12/30"}, {"created_to": "1403/13/01"}, {"created_from": "۱۴۰۴/۰۰/۱۰"},
    {"priority": "abc"}, {"status": "<script>"}, {"assigned_group": "-1"}, {"assignee": "1e9"},
    {"page": "۹۹۹۹"}, {"page": "-1"}, {"per_page": "100000"}, {"sort": "password"}, {"q": "\x00"},
    {"q": "x" * 5000}, {"q": HOSTILE_TEXT}, {"queue": "../../"}, {"view": "abc"},
    {"category": "²", "subcategory": "²"}, {"per_page": "²"}, {"page": "²"},
    {"category": "1", "subcategory": "99999999999999999999999"},
])
def test_list_filters_never_fail(client, agent, requester, make_incident, query):
    make_incident(requester)
    login(client, agent, "fa")

    response = client.get(reverse("incidents:list"), query)

    assert response.status_code in (200, 400)
    assert "<script>" not in response.content.decode().split("</head>", 1)[1].replace("<script src", "")


@pytest.mark.parametrize("query", [{"q": "\x00"}, {"status": "bogus"}, {"page": "abc"}, {"q": HOSTILE_TEXT}])
def test_portal_list_filters_never_fail(client, requester, make_incident, query):
    make_incident(requester)
    login(client, requester, "fa")

    response = client.get(reverse("portal:home"), query)

    assert response.status_code in (200, 400)


@pytest.mark.parametrize("path", ["/settings/users/?q=%00", "/settings/audit-log/?date_from=1404/12/30",
                                  "/settings/audit-log/?actor=abc", "/settings/audit-log/?page=-5",
                                  "/settings/categories/?q=" + "x" * 3000])
def test_settings_filters_never_fail(client, admin_user, path):
    login(client, admin_user, "fa")

    response = client.get(path)

    assert response.status_code in (200, 400)


@pytest.mark.parametrize("language", LANGUAGES)
def test_settings_form_rejects_bad_input(client, admin_user, language):
    login(client, admin_user, language)
    before = Snapshot.take()

    response = client.post(reverse("settings:department_create"), {"name_fa": "\x00", "name_en": "x" * 500})

    assert response.status_code in (200, 400)
    assert in_language(language, NUL) in page_text(response)
    assert Snapshot.take() == before


# --- API: every writable endpoint -----------------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("body", "field", "message", "params"), [
    ({"title": ""}, "title", "This field may not be blank.", {}),
    ({"title": "x" * 301}, "title", API_TOO_LONG, {"max_length": 300}),
    ({"title": None}, "title", "This field may not be null.", {}),
    ({"title": ["list"]}, "title", "Not a valid string.", {}),
    ({"impact": "high!"}, "impact", '"{input}" is not a valid choice.', {"input": "high!"}),
    ({"requester": "abc"}, "requester", "Incorrect type. Expected pk value, received {data_type}.",
     {"data_type": "str"}),
    ({"letter_date": "1404/12/30"}, "letter_date", API_DATE_MESSAGE, None),
    ({"letter_date": "۱۴۰۴/۰۷/۳۱"}, "letter_date", API_DATE_MESSAGE, None),
    ({"letter_date": "1404/00/10"}, "letter_date", API_DATE_MESSAGE, None),
    ({"watchers": "1,2"}, "watchers", 'Expected a list of items but got type "{input_type}".',
     {"input_type": "str"}),
])
def test_api_create_rejects(agent, requester, language, body, field, message, params):
    client = token_client(agent, language=language)
    before = Snapshot.take()

    response = client.post("/api/v1/incidents/", {"title": "چاپگر", "requester": requester.pk, **body},
                           format="json")

    if params is None:
        params = {"jalali": "1405/09/13", "gregorian": "2026-12-04"}
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["message"] == in_language(language, message, **params)
    assert Snapshot.take() == before


@pytest.mark.parametrize("language", LANGUAGES)
def test_api_json_with_nul_is_rejected(agent, requester, language):
    # NUL is rejected while the body is parsed, before any field, because PostgreSQL cannot store it
    client = token_client(agent, language=language)
    before = Snapshot.take()

    response = client.post("/api/v1/incidents/", {"title": "a\x00b", "requester": requester.pk}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["message"] == in_language(language, "Text cannot contain the NUL character (\\u0000).")
    assert Snapshot.take() == before


@pytest.mark.parametrize(("suffix", "method", "body", "status"), [
    ("", "patch", {"version": "x", "title": "t"}, 400),
    ("", "patch", {"version": 1, "title": "\x00"}, 400),
    ("", "patch", {"version": 99, "title": "new"}, 409),
    ("", "patch", {"version": 1, "impact": 7}, 400),
    ("assign/", "post", {"version": 1, "assigned_group": "abc"}, 400),
    ("assign/", "post", {"version": -1}, 400),
    ("status/", "post", {"version": 1, "status": "on_hold", "hold_reason": "bogus"}, 400),
    ("resolve/", "post", {"version": 1, "resolution_code": 1, "resolution_notes": ""}, 400),
    ("replies/", "post", {"body": "\x00"}, 400),
    ("notes/", "post", {"body": "x\x00"}, 400),
    ("references/", "post", {"number": "x" * 121, "date": "1404/12/30"}, 400),
    ("references/", "post", {"number": "12", "date": "1403/13/01"}, 400),
    ("children/", "post", {"number": "INC-1405-999999"}, 404),
    ("watchers/", "post", {"user": "me"}, 400),
    ("priority-override/", "post", {"version": 1, "priority": 42}, 400),
    ("cancel/", "post", {"reason": ""}, 400),
])
def test_api_actions_reject(agent, requester, make_incident, suffix, method, body, status):
    incident = make_incident(requester)
    client = token_client(agent, language="fa")
    before = Snapshot.take()

    response = getattr(client, method)(f"/api/v1/incidents/{incident.number}/{suffix}", body, format="json")

    assert response.status_code == status
    assert response.json()["message"]
    assert response["Content-Language"] == "fa"
    assert Snapshot.take() == before


@pytest.mark.parametrize("body", [
    {"numbers": [], "status": "in_progress"},
    {"numbers": ["x" * 41], "status": "in_progress"},
    {"numbers": "INC-1", "status": "in_progress"},
    {"numbers": ["INC-1"] * 201, "status": "in_progress"},
])
def test_api_bulk_rejects(agent, body):
    client = token_client(agent, language="en")
    before = Snapshot.take()

    response = client.post("/api/v1/incidents/bulk/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert Snapshot.take() == before


def test_api_rejects_malformed_json(agent):
    client = token_client(agent, language="en")
    before = Snapshot.take()

    response = client.generic("POST", "/api/v1/incidents/", '{"title": "x",', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert Snapshot.take() == before


def test_api_attachment_upload_rejects_mismatched_content(agent, requester, make_incident):
    incident = make_incident(requester)
    client = token_client(agent, language="en")
    before = Snapshot.take()

    response = client.post(f"/api/v1/incidents/{incident.number}/attachments/",
                           {"attachments": [pdf(content=b"GIF89a fake")]}, format="multipart")

    assert response.status_code == 400
    assert response.json()["message"] == "The content of report.pdf does not match its .pdf extension."
    assert Snapshot.take() == before


@pytest.mark.parametrize("query", [
    {"created_from": "1404/12/30"}, {"page_size": "-1"}, {"priority": "x"}, {"assigned_group": "abc"},
    {"ordering": "password"}, {"q": "\x00"}, {"cursor": "not-a-cursor"},
])
def test_api_list_filters_answer_400_or_200(agent, query):
    response = token_client(agent, language="en").get("/api/v1/incidents/", query)

    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["message"]


# --- import files ------------------------------------------------------------------------------------------

UCI_HEADER = (
    "number,incident_state,active,reassignment_count,reopen_count,sys_mod_count,made_sla,caller_id,opened_by,"
    "opened_at,sys_created_by,sys_created_at,sys_updated_by,sys_updated_at,contact_type,location,category,"
    "subcategory,u_symptom,cmdb_ci,impact,urgency,priority,assignment_group,assigned_to,knowledge,"
    "u_priority_confirmation,notify,problem_id,rfc,vendor,caused_by,closed_code,resolved_by,resolved_at,closed_at"
)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("utf16.csv", UCI_HEADER.encode("utf-16"), "is not UTF-8 text"),
    ("latin1.csv", (UCI_HEADER + "\nINC1,New,caf\xe9\n").encode("latin-1"), "is not UTF-8 text"),
    ("truncated.csv.gz", gzip.compress((UCI_HEADER + "\n").encode() * 50)[:60], "damaged or truncated gzip"),
    ("notgzip.csv.gz", b"plain text, not gzip", "damaged or truncated gzip"),
    ("huge.csv", (UCI_HEADER + "\nINC1," + "x" * 200_000 + "\n").encode(), "not a CSV file this importer can read"),
    ("wrong.csv", b"a,b,c\n1,2,3\n", "missing columns number"),
    ("empty.csv", b"", "missing columns number"),
])
def test_uci_import_rejects_bad_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    before = Snapshot.take()

    with pytest.raises(CommandError, match=message):
        call_command("import_uci", str(path), "--no-progress")

    assert Snapshot.take() == before


@pytest.mark.parametrize(("content", "message"), [
    ("CI_Name_aff,Open_Time_HourOfDay\n".encode("utf-16"), "is not UTF-8 text"),
    (b"\xff\xfe\x00\x00broken", "is not UTF-8 text"),
    (("Incident ID;Open Time\nIM1;" + "9" * 200_000 + "\n").encode(), "not a CSV file this importer can read"),
])
def test_bpic_import_rejects_bad_file(tmp_path, content, message):
    (tmp_path / "Detail_Incident.csv").write_bytes(content)
    before = Snapshot.take()

    with pytest.raises(CommandError, match=message):
        call_command("import_bpic", str(tmp_path), "--no-progress")

    assert Snapshot.take() == before


# --- markup is inert everywhere ----------------------------------------------------------------------------

def test_markup_in_text_is_inert_on_pages_email_and_api(client, agent, requester, service_desk, mailoutbox,
                                                        django_capture_on_commit_callbacks):
    # given an incident whose title, description and reply are hostile markup, assigned to an agent
    requester.email = "sara@example.org"
    requester.save()
    agent.email = "ali@example.org"
    agent.save()
    incident = actions.create_incident(actor=requester, title=HOSTILE_TEXT, description=HOSTILE_TEXT)
    with django_capture_on_commit_callbacks(execute=True):
        actions.assign_incident(actor=agent, incident=incident, expected_version=incident.version,
                                group=service_desk, assignee=agent)
        incident.refresh_from_db()
        actions.add_reply(actor=agent, incident=incident, body=HOSTILE_TEXT)

    # then the text is stored as typed
    incident.refresh_from_db()
    assert incident.title == HOSTILE_TEXT

    # and escaped on the agent's page, the agent list, the portal page and the portal list
    login(client, agent, "fa")
    assert_inert(client.get(incident.get_absolute_url()).content.decode())
    assert_inert(client.get(reverse("incidents:list"), {"queue": "all"}).content.decode())
    login(client, requester, "en")
    assert_inert(client.get(incident.get_portal_url()).content.decode())
    assert_inert(client.get(reverse("portal:home")).content.decode())

    # and in both parts of every notification e-mail: escaped in HTML, as typed in plain text
    assert mailoutbox
    for message in mailoutbox:
        html_part = message.alternatives[0][0]
        assert "<script>" not in html_part
        assert "<img src=x" not in html_part
        assert "&lt;" not in message.body
        assert "<script>alert" not in message.subject

    # and the API returns it as JSON text, never as HTML
    response = token_client(agent).get(f"/api/v1/incidents/{incident.number}/")
    assert response["Content-Type"] == "application/json"
    assert response.json()["title"] == HOSTILE_TEXT



@pytest.mark.parametrize("language", LANGUAGES)
def test_oversized_page_request_gets_translated_400(client, agent, language):
    # given a form post with more fields than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS)
    login(client, agent, language)
    before = Snapshot.take()

    response = client.post(reverse("incidents:create"), {f"field{index}": "x" for index in range(1100)})

    # then the error page explains it in the user's language and nothing was stored
    assert response.status_code == 400
    assert in_language(language, "The request was malformed or too large, and nothing was saved. Go back, check "
                                 "what you entered and try again.") in page_text(response)
    assert Snapshot.take() == before
