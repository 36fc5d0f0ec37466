"""Attachments: validation before anything is stored, Persian names kept, downloads only after a permission check."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sarv.core.errors import ValidationFailed
from sarv.core.models import Attachment
from sarv.incidents import actions

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="گزارش خرابی.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_persian_file_name_is_kept_and_served(client, requester, make_incident):
    # given an incident reported with a Persian-named PDF
    incident = make_incident(requester, files=[pdf()])
    attachment = Attachment.objects.get(object_id=incident.pk)
    assert attachment.original_name == "گزارش خرابی.pdf"
    assert "گزارش" not in attachment.file.name
    # when the requester downloads it
    client.force_login(requester)
    response = client.get(reverse("core:attachment", args=[attachment.public_id]))
    # then the original name comes back in the RFC 5987 form of Content-Disposition
    assert response.status_code == 200
    assert "filename*=utf-8''%DA%AF%D8%B2%D8%A7%D8%B1%D8%B4" in response.headers["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_other_requester_cannot_download(client, requester, other_requester, make_incident):
    incident = make_incident(requester, files=[pdf()])
    attachment = Attachment.objects.get(object_id=incident.pk)
    client.force_login(other_requester)
    assert client.get(reverse("core:attachment", args=[attachment.public_id])).status_code == 404


def test_work_note_attachment_is_hidden_from_requester(client, requester, agent, make_incident):
    incident = make_incident(requester)
    actions.add_work_note(actor=agent, incident=incident, body="لاگ سرور", files=[pdf("server.pdf")])
    attachment = Attachment.objects.get(object_id=incident.pk)
    assert attachment.is_internal
    client.force_login(requester)
    assert client.get(reverse("core:attachment", args=[attachment.public_id])).status_code == 404
    client.force_login(agent)
    assert client.get(reverse("core:attachment", args=[attachment.public_id])).status_code == 200


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
         "Files of type exe cannot be attached."),
        (SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00rest", content_type="application/pdf"),
         "The content of invoice.pdf does not match its .pdf extension."),
        (SimpleUploadedFile("empty.txt", b"", content_type="text/plain"), "The file empty.txt is empty."),
    ],
)
def test_invalid_files_are_rejected_before_anything_is_saved(requester, upload, message, settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationFailed) as error:
        actions.create_incident(actor=requester, title="پیوست نامعتبر", files=[upload])
    assert error.value.message.startswith(message)
    assert error.value.field == "attachments"
    assert Attachment.objects.count() == 0


def test_file_over_the_size_limit_is_rejected(requester, settings):
    settings.LANGUAGE_CODE = "en"
    settings.SARV_ATTACHMENT_MAX_BYTES = 1024
    from django.utils import translation

    big = SimpleUploadedFile("big.txt", b"x" * 2048, content_type="text/plain")
    with translation.override("en"), pytest.raises(ValidationFailed) as error:
        actions.create_incident(actor=requester, title="فایل بزرگ", files=[big])
    assert "the largest file allowed is 1.0\xa0KB" in error.value.message


def test_zero_width_non_joiner_survives_page_upload(client, requester):
    # given a file name with a ZWNJ inside a word, as Persian writes «گزارش‌ها»
    name = "گزارش\u200cها.pdf"
    client.force_login(requester)
    # when it is uploaded through the portal's report form (a real multipart request)
    response = client.post(reverse("portal:create"), {
        "title": "پیوست با نیم‌فاصله", "description": "شرح", "urgency": 2, "attachments": [pdf(name)],
    })
    # then the stored name keeps the joiner
    assert response.status_code == 302
    assert Attachment.objects.get().original_name == name


def test_zero_width_non_joiner_survives_api_upload(requester):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(requester)
    name = "نامه\u200cی اداری.pdf"
    response = api.post("/api/v1/incidents/", {"title": "پیوست از API", "attachments": [pdf(name)]},
                        format="multipart")
    assert response.status_code == 201
    assert Attachment.objects.get().original_name == name


def test_control_characters_and_paths_are_still_removed(client, requester):
    client.force_login(requester)
    client.post(reverse("portal:create"), {
        "title": "مسیر", "description": "شرح", "urgency": 2, "attachments": [pdf("..\\..\\etc\\pass\x07wd.pdf")],
    })
    assert Attachment.objects.get().original_name == "passwd.pdf"
