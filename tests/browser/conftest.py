"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Every page load is watched: a request to any origin other than the live server
fails the test, because Sarv must work on intranets with no internet access.
Screenshots of the main pages go to docs/screenshots/; the session fails when a
browser test ran but an expected screenshot was not written in this run.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make there are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = ROOT / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
]
SESSION_START = time.time()
_written: set[str] = set()
_browser_tests_ran = False


_collected_modules: set[str] = set()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.fspath))
        if path.parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)
            _collected_modules.add(path.name)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    if CHROMIUM is None:
        message = "browser tests need Debian's chromium package (apt-get install chromium)"
        if os.environ.get("SARV_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class ForeignRequestGuard:
    """Collects every request a page makes to an origin other than the live server."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.violations: list[str] = []

    def check(self, request: Any) -> None:
        url = request.url
        scheme = urlsplit(url).scheme
        if scheme in ("data", "blob", "about"):
            return
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.violations.append(url)


@pytest.fixture
def browser_context(chromium_browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser profile (no cookies) whose requests are checked against the live server's origin."""
    global _browser_tests_ran
    _browser_tests_ran = True
    context = chromium_browser.new_context(viewport={"width": 1366, "height": 900}, locale="fa-IR",
                                           timezone_id="Asia/Tehran")
    guard = ForeignRequestGuard(live_server.url)
    context.on("request", guard.check)
    context.set_default_timeout(15_000)
    context.guard = guard
    yield context
    context.close()
    assert guard.violations == [], f"pages requested other origins: {guard.violations}"


@pytest.fixture
def new_page(browser_context: Any) -> Any:
    """Open a new tab in the shared context (same cookies), as a second window of one user."""
    return browser_context.new_page


def save_screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as docs/screenshots/<name>.png and remember it was written in this run."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    _written.add(name)
    return path


# The screenshots the README and docs refer to; a browser run that does not write all of them fails.
EXPECTED_SCREENSHOTS = (
    "login-fa", "login-en",
    "agent-list-fa", "agent-list-en",
    "incident-detail-fa", "incident-detail-en",
    "incident-create-fa", "incident-create-en",
    "portal-list-fa", "portal-list-en",
    "portal-incident-fa", "portal-incident-en",
    "portal-report-fa", "portal-report-en",
    "settings-fa", "settings-en",
)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _browser_tests_ran or session.config.option.collectonly:
        return
    # Only a run of the whole browser suite must write them all; a single selected test need not.
    all_modules = {path.name for path in Path(__file__).parent.glob("test_*.py")}
    if session.config.getoption("keyword") or _collected_modules != all_modules:
        return
    missing = [name for name in EXPECTED_SCREENSHOTS if name not in _written]
    stale = [name for name in EXPECTED_SCREENSHOTS
             if (SCREENSHOT_DIR / f"{name}.png").exists()
             and (SCREENSHOT_DIR / f"{name}.png").stat().st_mtime < SESSION_START and name not in _written]
    if missing:
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            f"browser tests did not write these screenshots: {', '.join(missing)} (stale: {', '.join(stale)})",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
