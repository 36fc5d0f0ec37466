"""Fixtures of the robustness tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path):
    """Store uploads under this test's own folder, so the file checks of ``Snapshot`` see only this test's files
    (other test runs on the machine share the default media folder)."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Keep the test's database connection open across requests sent straight to the WSGI handler.

    Django's test client stops ``close_old_connections`` from running around its requests; a bare
    WSGIHandler (as Schemathesis and ``wsgi_get`` use) does not, and at the end of each request it
    closes a PostgreSQL connection that is inside the test's transaction.
    """
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
