"""Generated bad input (Hypothesis) against the date fields, the pages and the API.

The suite runs a few derandomized examples of each test; ``make fuzz-input`` sets SARV_FUZZ_INPUT=long and runs
many more. Every test asserts the same contract as the table-driven ones: a clear 400 (or success), never a
server error, and nothing changed by rejected input.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from sarv.core.api.fields import JalaliDateField as ApiJalaliDateField
from sarv.core.api.testing import token_client
from sarv.core.forms import JalaliDateField
from tests.robustness.bad_input import Snapshot

LONG = os.environ.get("SARV_FUZZ_INPUT") == "long"
FUZZ = settings(max_examples=300 if LONG else 6, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))

DIGITS = "0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩"
# Date-like text: digits of the three scripts, separators and the odd stray character.
date_text = st.one_of(
    st.builds(lambda y, m, d, sep: f"{y}{sep}{m}{sep}{d}",
              st.integers(-5, 10_000).map(str), st.integers(-1, 14).map(str), st.integers(-1, 33).map(str),
              st.sampled_from(["/", "-", ".", " ", "//"])),
    st.text(alphabet=DIGITS + "/-. \x00\u200c", max_size=20),
    st.text(max_size=30),
).map(lambda text: text.translate(str.maketrans("0123", "۰١۲3")) if len(text) % 3 == 0 else text)

# Text a user might paste: any Unicode, control characters, markup, very long runs.
hostile_text = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50).map(lambda text: f"<script>{text}</script>"),
    st.sampled_from(["\x00", "\x07\x1b[31m", "\u202e\u200f", "x" * 5000, "ي ك", "<img src=x onerror=alert(1)>"]),
)


@pytest.mark.parametrize("language", ["fa", "en"])
@FUZZ
@given(value=date_text)
def test_fuzz_input_jalali_date_fields(language, value):
    # Each field either reads a real date or raises its own validation error, in the active language.
    with translation.override(language):
        for field, error in ((JalaliDateField(required=False), forms.ValidationError),
                             (ApiJalaliDateField(), serializers.ValidationError)):
            try:
                result = field.clean(value) if isinstance(field, forms.Field) else field.to_internal_value(value)
            except error as rejected:
                message = str(rejected.messages[0] if hasattr(rejected, "messages") else rejected.detail[0])
                assert "1405/09/13" in message or "۱۴۰۵/۰۹/۱۳" in message or "2026-12-04" in message
            else:
                assert result is None or isinstance(result, dt.date)


@pytest.mark.django_db
@FUZZ
@given(title=hostile_text, description=hostile_text, letter_date=st.one_of(st.just(""), date_text),
       impact=st.one_of(st.sampled_from(["1", "2", "3"]), st.text(max_size=4)))
def test_fuzz_input_create_page(client, agent, requester, title, description, letter_date, impact):
    client.force_login(agent)
    before = Snapshot.take()

    response = client.post(reverse("incidents:create"), {
        "requester": requester.pk, "title": title, "description": description, "impact": impact, "urgency": "2",
        "channel": "phone", "letter_date": letter_date,
    })

    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert response.context["form"].errors
        assert Snapshot.take() == before
    else:
        shown = client.get(response["Location"]).content.decode()
        assert "<script>" not in shown.split("</head>", 1)[1].replace('<script src="', "")


@pytest.mark.django_db
@FUZZ
@given(body=st.fixed_dictionaries({}, optional={
    "title": st.one_of(hostile_text, st.integers(), st.none(), st.lists(st.text(max_size=3), max_size=2)),
    "description": hostile_text,
    "impact": st.one_of(st.integers(-3, 5), st.text(max_size=3)),
    "urgency": st.one_of(st.integers(-3, 5), st.text(max_size=3)),
    "letter_date": date_text,
    "letter_number": hostile_text,
    "channel": st.text(max_size=8),
    "watchers": st.one_of(st.lists(st.integers(-2, 5), max_size=3), st.text(max_size=3)),
}))
def test_fuzz_input_api_create(agent, body):
    client = token_client(agent, language="fa")
    before = Snapshot.take()

    response = client.post("/api/v1/incidents/", body, format="json")

    assert response.status_code in (201, 400)
    assert response.json()["message" if response.status_code == 400 else "number"]
    if response.status_code == 400:
        assert Snapshot.take() == before


@pytest.mark.django_db
@FUZZ
@given(query=st.dictionaries(
    st.sampled_from(["q", "status", "priority", "assigned_group", "assignee", "category", "subcategory", "page",
                     "per_page", "sort", "queue", "created_from", "created_to", "is_major", "view", "cursor"]),
    st.one_of(st.text(max_size=30), date_text), max_size=5,
))
def test_fuzz_input_list_filters(client, agent, query):
    client.force_login(agent)

    page = client.get(reverse("incidents:list"), query)
    api = token_client(agent).get("/api/v1/incidents/", query)

    assert page.status_code in (200, 400)
    assert api.status_code in (200, 400, 404)
