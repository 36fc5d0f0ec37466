"""Schemathesis settings shared by the short API fuzz run in the test suite and ``make fuzz-api``.

The command line run loads this module through ``SCHEMATHESIS_HOOKS=tests.robustness.api_fuzz``; the pytest
module imports it. It registers one custom check and one hook:

- ``auth_error_is_clear``: a 401 or 403 carries Sarv's JSON error body with a message in the user's language.
- a path-parameter hook that swaps most generated incident numbers for real ones, so the fuzzer reaches the
  actions instead of stopping at 404.
"""

from __future__ import annotations

import os
import re
import zlib
from typing import Any

import schemathesis

# The checks both runs apply. Left out on purpose: ``positive_data_acceptance``, because a schema-valid id such
# as ``requester: 0`` names no row and is rightly rejected, and ``negative_data_rejection``, because DRF reads
# JSON numbers as text and numeric strings as numbers (``"body": 5``) by design.
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "ignored_auth",
    "auth_error_is_clear",
]

PERSIAN_LETTERS = re.compile("[\u0600-\u06ff]")
LATIN_LETTERS = re.compile("[A-Za-z]")

# Set by the runner: the language the signed-in user (or an anonymous client) must get messages in, and
# real incident numbers for the path-parameter hook.
LANGUAGE_VARIABLE = "SARV_FUZZ_LANGUAGE"
NUMBERS_VARIABLE = "SARV_FUZZ_INCIDENTS"
expected = {"language": os.environ.get(LANGUAGE_VARIABLE, "fa"),
            "numbers": [n for n in os.environ.get(NUMBERS_VARIABLE, "").split(",") if n]}


def message_language(message: str) -> str | None:
    """Return "fa" for text with Persian letters, "en" for Latin text without them, None for neither."""
    if PERSIAN_LETTERS.search(message):
        return "fa"
    if LATIN_LETTERS.search(message):
        return "en"
    return None


def check_auth_error(status_code: int, body: Any, content_language: str | None, language: str) -> None:
    """Raise AssertionError unless a 401 or 403 response is Sarv's error body in ``language``."""
    if status_code not in (401, 403):
        return
    assert isinstance(body, dict), f"{status_code} body is not a JSON object: {body!r}"
    code, message = body.get("code"), body.get("message")
    assert isinstance(code, str) and code, f"{status_code} body has no error code: {body!r}"
    assert isinstance(message, str) and message.strip(), f"{status_code} body has no message: {body!r}"
    assert message_language(message) == language, f"{status_code} message is not in {language}: {message!r}"
    assert content_language == language, f"{status_code} Content-Language is {content_language!r}, not {language}"


@schemathesis.check
def auth_error_is_clear(ctx: Any, response: Any, case: Any) -> bool | None:
    try:
        body = response.json()
    except ValueError:
        body = response.text
    check_auth_error(response.status_code, body, _header(response.headers, "Content-Language"), expected["language"])
    return None


def _header(headers: Any, name: str) -> str | None:
    # Schemathesis keeps every header as a list of values, under its lower-case name.
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value[0] if isinstance(value, list) else value
    return None


def real_number(generated: Any) -> str | None:
    """Return a real incident number for two generated values in three; the rest stay random (404 paths)."""
    numbers = expected["numbers"]
    if not numbers:
        return None
    digest = zlib.crc32(str(generated).encode("utf-8", "surrogatepass"))
    if digest % 3 == 0:
        return None
    return numbers[digest % len(numbers)]


@schemathesis.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> dict[str, Any] | None:
    if not path_parameters:
        return path_parameters
    for name in ("number", "child_number"):
        if name in path_parameters:
            number = real_number(path_parameters[name])
            if number is not None:
                path_parameters[name] = number
    return path_parameters
