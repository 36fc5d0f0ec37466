"""Hooks that run after a record's timeline grows, so other apps follow every record type without new code.

``sarv.core.timeline.append`` calls ``timeline_appended`` inside the action's transaction.
The SLA app registers its clock recompute here in ``AppConfig.ready``; a new record type
that writes its history through ``sarv.core.timeline`` gets clocks with no code of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

TimelineHook = Callable[[models.Model, Any], None]
_timeline_hooks: list[TimelineHook] = []


def on_timeline_append(hook: TimelineHook) -> None:
    """Register ``hook(record, entry)``, called after each entry appended through ``sarv.core.timeline``."""
    if hook not in _timeline_hooks:
        _timeline_hooks.append(hook)


def timeline_appended(record: models.Model, entry: Any) -> None:
    for hook in list(_timeline_hooks):
        hook(record, entry)
