"""The API's shared parts: the category tree, the error format, and the API browser under the CSP."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from sarv.core.api.testing import token_client
from sarv.core.models import Category


class TagCollector(HTMLParser):
    """Collect every start tag with its attributes, and the text inside script and style elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_code: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open and data.strip():
            self.inline_code.append(data)


@pytest.mark.django_db
def test_category_tree_lists_active_nodes(requester, category_tree):
    hardware, printer = category_tree
    Category.objects.create(name_fa="اسکنر", name_en="Scanner", parent=hardware, is_active=False)
    Category.objects.create(name_fa="قدیمی", name_en="Old", is_active=False)

    response = token_client(requester).get("/api/v1/categories/")

    assert response.status_code == 200
    assert response.json() == [{
        "id": hardware.pk, "code": "hardware", "name": "Hardware", "name_fa": "سخت‌افزار", "name_en": "Hardware",
        "children": [{"id": printer.pk, "code": "printer", "name": "Printer", "name_fa": "چاپگر",
                      "name_en": "Printer"}],
    }]


@pytest.mark.django_db
def test_category_names_follow_user_language(requester, category_tree):
    response = token_client(requester, language="fa").get("/api/v1/categories/")

    assert response.json()[0]["name"] == "سخت‌افزار"


@pytest.mark.django_db
def test_api_docs_page_obeys_content_security_policy(client):
    # when anyone opens the API browser
    response = client.get("/api/docs/")

    # then the page is served with the CSP and holds nothing the CSP blocks
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    page = TagCollector()
    page.feed(response.content.decode())
    assert page.inline_code == []
    assert not any(tag == "style" for tag, _attrs in page.tags)
    assert not any("style" in attrs or any(name.startswith("on") for name in attrs) for _tag, attrs in page.tags)

    # and every script and style sheet is a static file of this origin that is actually served
    urls = [attrs["src"] for tag, attrs in page.tags if tag == "script"]
    urls += [attrs["href"] for tag, attrs in page.tags if tag == "link"]
    assert len(urls) == 6
    for url in urls:
        assert url is not None and url.startswith("/static/"), url
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_api_docs_page_points_to_schema(client):
    page = TagCollector()
    page.feed(client.get("/api/docs/").content.decode())

    root = next(attrs for tag, attrs in page.tags if attrs.get("id") == "swagger-ui")
    assert root["data-schema-url"] == "/api/schema/"
    assert root["data-csrf-token"]
    assert client.get("/api/schema/").status_code == 200
