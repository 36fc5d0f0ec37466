"""The user a CMDB command acts as: ``--user``, else the first active configuration manager or administrator."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.db.models import Q

from sarv.accounts.models import User
from sarv.cmdb import permissions


def command_actor(username: str | None) -> Any:
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}")
    else:
        candidates = User.objects.filter(is_active=True).filter(
            Q(is_superuser=True) | Q(groups__name__in=["configuration_manager", "administrator"])).order_by("pk")
        user = next((u for u in candidates if permissions.can_manage(u)), None)
        if user is None:
            raise CommandError("No configuration manager or administrator exists; give --user USERNAME.")
    if not permissions.can_manage(user):
        raise CommandError(f"User {user.username!r} may not manage the CMDB (needs cmdb.manage_cmdb).")
    return user
