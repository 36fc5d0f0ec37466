from typing import Any

import pytest

from sarv.calendars import selectors as calendar_selectors


@pytest.fixture(autouse=True)
def _fresh_calendar_cache(db: Any) -> None:
    """Each test builds its own calendars: engines cached by another test's data version must not leak."""
    calendar_selectors.clear_cache()
