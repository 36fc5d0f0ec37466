"""A demo clock, so incidents written through the actions get believable times in the past."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from unittest import mock

from sarv.core.models import Attachment, Notification, Watcher

# Fields whose default is ``timezone.now``: they captured the real function when Django loaded the model.
_TIMESTAMP_DEFAULTS = ((Attachment, "uploaded_at"), (Watcher, "created_at"), (Notification, "created_at"))


@contextmanager
def at(moment: dt.datetime) -> Iterator[None]:
    """Make the actions see ``moment`` as the current time inside the block.

    The actions read the time through ``timezone.now()``, so a story's reply
    written "three hours after the report" gets that time in its timeline
    entry. Attachments, watchers and notifications take their time from a
    field default, which Django caches per field as ``_get_default``, so those
    are replaced too. Audit rows keep the real time of the demo load.
    """
    with ExitStack() as stack:
        stack.enter_context(mock.patch("django.utils.timezone.now", return_value=moment))
        for model, name in _TIMESTAMP_DEFAULTS:
            stack.enter_context(mock.patch.object(model._meta.get_field(name), "_get_default", lambda: moment))
        yield
