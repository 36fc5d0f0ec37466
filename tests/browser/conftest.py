"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Every page load is watched: a request to any origin other than the live server
fails the test, because Sarv must work on intranets with no internet access.
A console error (a script or style blocked by the Content-Security-Policy, a
script error, a failed request) fails the test too. Screenshots of the main
pages go to docs/screenshots/; the session fails when a browser test ran but an
expected screenshot was not written in this run.

The live server needs a transactional database, which is emptied after each
test, so a fixture puts back the rows that data migrations add.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
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
VIEWPORT = {"width": 1366, "height": 900}
SESSION_START = time.time()
_written: set[str] = set()
_browser_tests_ran = False

# A date and time as Persian pages show them (۱۴۰۵/۰۱/۲۰ ۱۴:۰۵) and as English pages show them (2026-04-09 14:05).
JALALI_DATETIME = re.compile(r"[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2} [۰-۹]{2}:[۰-۹]{2}")
ISO_DATETIME = re.compile(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b")


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


class ConsoleErrors:
    """Collects console errors and uncaught script errors of every page in a browser context."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def on_console(self, message: Any) -> None:
        if message.type == "error":
            page = message.page
            self.errors.append(f"{page.url if page else '?'}: {message.text}")

    def on_page_error(self, error: Any) -> None:
        self.errors.append(f"uncaught: {error.error}")


@pytest.fixture(autouse=True)
def migration_data(transactional_db: None) -> None:
    """Put back the rows of data migrations (resolution codes, shipped calendars and holidays, CMDB classes),
    which the flush after a transactional test removes.

    Roles come back by themselves, because a post_migrate handler recreates them
    after the flush. Serialized rollback does not help here: once Playwright's
    sync API runs, test code gets new connection objects from Django (it keeps
    connections in context variables), and they lack the serialized copy.
    """
    from django.apps import apps

    importlib.import_module("sarv.incidents.migrations.0002_resolution_codes").add_codes(apps, None)
    importlib.import_module("sarv.calendars.shipped").install(apps)
    # The CMDB's shipped classes, relationship types and rules.
    importlib.import_module("sarv.cmdb.migrations.0002_shipped_classes").ship(apps, None)


@pytest.fixture
def browser_contexts(chromium_browser: Any, live_server: Any) -> Iterator[Callable[[], Any]]:
    """Return a maker of fresh browser profiles (no cookies), one per person in a scenario.

    Each profile's requests are checked against the live server's origin and its
    console errors are collected. The test fails at teardown if there were any.
    """
    global _browser_tests_ran
    _browser_tests_ran = True
    opened: list[Any] = []

    def make() -> Any:
        context = chromium_browser.new_context(viewport=VIEWPORT, locale="fa-IR", timezone_id="Asia/Tehran")
        guard = ForeignRequestGuard(live_server.url)
        console = ConsoleErrors()
        context.on("request", guard.check)
        context.on("console", console.on_console)
        context.on("weberror", console.on_page_error)
        context.set_default_timeout(15_000)
        context.guard = guard
        context.console = console
        opened.append(context)
        return context

    yield make
    violations = [url for context in opened for url in context.guard.violations]
    errors = [error for context in opened for error in context.console.errors]
    for context in opened:
        context.close()
    assert (violations, errors) == ([], []), (
        f"pages requested other origins: {violations}; pages reported console errors: {errors}"
    )


@pytest.fixture
def browser_context(browser_contexts: Callable[[], Any]) -> Any:
    """A fresh browser profile (no cookies) whose requests are checked against the live server's origin."""
    return browser_contexts()


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


# --- Steps that many scenarios share -----------------------------------------------------------------


def sign_in(page: Any, base_url: str, username: str, *, next_path: str = "") -> None:
    """Sign in through the login form, as a person would, and wait for the page it leads to."""
    from sarv.testing.factories import TEST_PASSWORD

    if "/accounts/login/" not in page.url:
        page.goto(f"{base_url}/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/accounts/login/" not in page.url, f"{username} could not sign in: {body_text(page)[:300]}"


def switch_language(page: Any, language: str) -> None:
    """Use the language switch of the navigation bar (in the user menu once signed in)."""
    button = page.locator(f"nav button[name=language][value={language}]")
    if not button.is_visible():
        page.locator("nav .dropdown-toggle").last.click()
    with page.expect_navigation():
        button.click()


def wait_until_shown(page: Any, selector: str) -> Any:
    """Wait until the Bootstrap modal at ``selector`` has finished opening, and return its locator.

    Bootstrap ignores Escape and the close button while the dialog fades in. It moves the focus into
    the dialog when the fade ends, so focus inside the dialog means it now reacts to keys and clicks.
    """
    modal = page.locator(selector)
    modal.wait_for(state="visible")
    page.wait_for_function("(selector) => document.querySelector(selector).contains(document.activeElement)",
                           arg=selector)
    return modal


def body_text(page: Any) -> str:
    """Return the text a person sees on the page (hidden panels and modals left out)."""
    return str(page.locator("body").inner_text())


def flash_messages(page: Any) -> list[str]:
    return [text.strip() for text in page.locator(".messages .alert").all_inner_texts()]


# Latin letters outside isolates are English left on a Persian page.
_LATIN_TEXT_SCRIPT = """(allowed) => {
  const skip = "script, style, noscript, template, bdi, [dir=ltr], [lang=en]";
  const hasLatin = (text) => {
    let rest = text;
    for (const value of allowed) {
      rest = rest.split(value).join("");
    }
    // Acronyms (API, IVR, PDF) stay in Latin letters in Persian text, and so do hexadecimal digests.
    rest = rest.replace(/\\b[A-Z][A-Z0-9]{1,5}\\b/g, "").replace(/\\b[0-9a-f]{16,}\\b/g, "");
    return /[A-Za-z]/.test(rest);
  };
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (hasLatin(text) && !node.parentElement.closest(skip)) {
      found.push(text);
    }
  }
  for (const element of document.querySelectorAll("[placeholder], [aria-label], [title], [data-confirm]")) {
    if (element.closest(skip)) {
      continue;
    }
    for (const name of ["placeholder", "aria-label", "title", "data-confirm"]) {
      const value = element.getAttribute(name);
      if (value && hasLatin(value)) {
        found.push(name + "=" + value);
      }
    }
  }
  if (hasLatin(document.title)) {
    found.push("title=" + document.title);
  }
  return found;
}"""


def latin_text(page: Any, allowed: Iterable[str] = ()) -> list[str]:
    """Return the texts and labels with Latin letters on the page, outside isolates.

    Record numbers and e-mail addresses sit in ``dir="ltr"`` isolates, names,
    titles and file names in ``<bdi>``, and the English language button carries
    ``lang="en"``. Acronyms (API, IVR), hexadecimal digests and the ``allowed``
    values (usernames in a picker, for example) are ignored, so on a Persian
    page anything this returns is text left untranslated.
    """
    return list(page.evaluate(_LATIN_TEXT_SCRIPT, list(allowed)))


def write_pdf(path: Path, text: str = "Sarv test report") -> Path:
    """Write a small, valid one-page PDF (with a correct cross-reference table) to ``path``."""
    stream = zlib.compress(f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("ascii"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    content = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(content))
        content += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(content)
    content += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    content += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    content += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    path.write_bytes(bytes(content))
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
    "calendar-editor-fa", "calendar-editor-en",
    "calendar-holidays-fa", "calendar-holidays-en",
    "closure-form-fa", "closure-form-en",
    "calendar-preview-fa", "calendar-preview-en",
    "incident-clocks-fa", "incident-clocks-en",
    "sla-agreements-fa", "sla-agreements-en",
    "sla-agreement-form-fa", "sla-agreement-form-en",
    "sla-compliance-fa", "sla-compliance-en",
    "sla-breaches-fa", "sla-breaches-en",
    "cmdb-list-fa", "cmdb-list-en",
    "cmdb-ci-fa", "cmdb-ci-en",
    "cmdb-form-fa", "cmdb-form-en",
    "cmdb-import-fa", "cmdb-import-en",
    "cmdb-relationship-type-fa", "cmdb-relationship-type-en",
    "problem-proposals-fa", "problem-proposals-en",
    "problem-proposal-fa", "problem-proposal-en",
    "problem-reports-fa", "problem-reports-en",
    "problem-recurrence-settings-fa", "problem-recurrence-settings-en",
    "problem-list-fa", "problem-list-en",
    "problem-detail-fa", "problem-detail-en",
    "problem-create-fa", "problem-create-en",
    "problem-close-fa", "problem-close-en",
    "my-work-fa", "my-work-en",
    "known-errors-list-fa", "known-errors-list-en", "known-error-fa", "known-error-en",
    "incident-problem-panel-fa", "incident-problem-panel-en",
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
