"""The API browser at /api/docs/ in Chromium: Swagger UI starts under the Content-Security-Policy."""

from __future__ import annotations

from typing import Any


def test_api_docs_render_without_csp_violations(browser_context: Any, live_server: Any) -> None:
    # given a fresh browser that records console errors (the CSP reports blocked scripts and styles there)
    page = browser_context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    # when the API browser is opened
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock")

    # then Swagger UI lists the operations of the schema and nothing was blocked
    assert page.locator("#operations-incidents-incidents_list").count() == 1
    assert page.locator(".opblock").count() > 40
    assert problems == []
