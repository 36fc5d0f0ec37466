"""First-visit transfer size of a page, as Chromium fetches it: every request, its encoded bytes, its origin.

A signed-in session is made with the login form (bench/webclient.py); its cookie goes
into a fresh browser context with an empty cache, which then opens the page and waits
until the network is idle. Bytes are those on the wire as Chromium reports them
(response headers plus the encoded, i.e. compressed, body), summed over every request.
Any request to an origin other than the server's is listed.
"""

from __future__ import annotations

import logging
import shutil
from typing import Any
from urllib.parse import urlsplit

from bench.webclient import Client, check_loopback, sign_in

logger = logging.getLogger(__name__)

CHROMIUM = "/usr/bin/chromium"


def measure(host: str, port: int, username: str, password: str, path: str) -> dict[str, Any]:
    check_loopback(host)
    if not shutil.which(CHROMIUM):
        return {"skipped": f"{CHROMIUM} is not installed (apt-get install chromium)"}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright is not installed in .venv (make pytest installs the dev lock)"}
    client = Client(host, port)
    sign_in(client, username, password)
    origin = f"http://{host}:{port}"
    requests: list[dict[str, Any]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context = browser.new_context(locale="fa-IR")
            context.add_cookies([{"name": name, "value": value, "url": origin}
                                 for name, value in client.cookies.items()])
            page = context.new_page()
            seen: list[Any] = []
            page.on("requestfinished", lambda request: seen.append(request))
            page.on("requestfailed", lambda request: seen.append(request))
            response = page.goto(origin + path, wait_until="networkidle")
            status = response.status if response else None
            for request in seen:
                sizes = request.sizes()
                answer = request.response()
                requests.append({
                    "url": request.url.replace(origin, ""),
                    "origin": f"{urlsplit(request.url).scheme}://{urlsplit(request.url).netloc}",
                    "type": request.resource_type,
                    "status": answer.status if answer else None,
                    "encoding": (answer.headers.get("content-encoding") if answer else None) or "identity",
                    "body_bytes": max(0, sizes["responseBodySize"]),
                    "header_bytes": max(0, sizes["responseHeadersSize"]),
                })
            accept_encoding = page.evaluate("() => navigator.userAgent")
        finally:
            browser.close()
    total = sum(r["body_bytes"] + r["header_bytes"] for r in requests)
    others = sorted({r["origin"] for r in requests if r["origin"] != origin and not r["url"].startswith("data:")})
    result = {"path": path, "status": status, "requests": requests, "total_bytes": total,
              "total_kb": round(total / 1024, 1), "other_origins": others, "user_agent": accept_encoding}
    logger.info("First visit of %s: %s requests, %.1f KB on the wire, other origins: %s", path, len(requests),
                total / 1024, others or "none")
    return result
