"""The API browser at /api/docs/ in Chromium: Swagger UI starts under the Content-Security-Policy."""

from __future__ import annotations

from typing import Any


def test_api_docs_render_without_csp_violations(browser_context: Any, live_server: Any) -> None:
    # given a fresh browser that records console errors (the CSP reports blocked scripts and styles there)
    page = browser_context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    # when the API browser is opened and the incidents tag unfolded
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-tag")
    tags = page.locator(".opblock-tag").count()
    page.click("#operations-tag-incidents")
    page.wait_for_selector("#operations-incidents-incidents_list")

    # then Swagger UI lists every tag and the tag's operations, and nothing was blocked
    assert tags >= 10
    assert page.locator(".opblock").count() > 20
    assert problems == []
