"""Signing in: case-insensitive usernames, audit rows, clear messages."""

import pytest
from django.contrib.auth import authenticate
from django.urls import reverse

from sarv.core.choices import AuditAction
from sarv.core.models import AuditLogEntry
from sarv.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["sara", "Sara", "SARA", " sara "])
def test_username_case_is_ignored(requester, typed):
    assert authenticate(username=typed, password=TEST_PASSWORD) == requester


def test_wrong_password_and_inactive_user_fail(requester):
    assert authenticate(username="sara", password="wrong") is None
    requester.is_active = False
    requester.save()
    assert authenticate(username="sara", password=TEST_PASSWORD) is None


def test_sign_in_page_logs_success_and_failure(client, requester):
    failed = client.post(reverse("accounts:login"), {"username": "sara", "password": "wrong"})
    signed_in = client.post(reverse("accounts:login"), {"username": "Sara", "password": TEST_PASSWORD})

    assert failed.status_code == 200
    assert "گذرواژه درست نیست" in failed.content.decode()
    assert signed_in.status_code == 302
    actions = list(AuditLogEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [AuditAction.LOGIN_FAILED, AuditAction.LOGIN]
