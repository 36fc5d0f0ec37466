"""Helpers for API tests: a client signed in with a token, as real API clients are."""

from __future__ import annotations

from typing import Any

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def token_client(user: Any, language: str = "en") -> APIClient:
    """Return a client that sends ``user``'s API token; the user's language is set to ``language`` first.

    Tests assert Sarv's messages in English by default, so they keep passing once
    the Persian translations exist; pass ``language="fa"`` to test Persian responses.
    """
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    token, _created = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
