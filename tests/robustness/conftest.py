"""Fixtures of the robustness tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path):
    """Store uploads under this test's own folder, so the file checks of ``Snapshot`` see only this test's files
    (other test runs on the machine share the default media folder)."""
    settings.MEDIA_ROOT = tmp_path / "media"
