"""A demo clock, so incidents written through the actions get believable times in the past."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock


@contextmanager
def at(moment: dt.datetime) -> Iterator[None]:
    """Make ``django.utils.timezone.now()`` return ``moment`` inside the block.

    The actions read the time through ``timezone.now()``, so a demo story's
    reply written "three hours after the report" gets that time in its
    timeline entry. Model fields whose default is ``timezone.now`` captured the
    real function when Django loaded them, so audit rows, notifications and
    attachments' upload times keep the real time of the demo load.
    """
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield
