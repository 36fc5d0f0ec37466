"""Role checks shared by every app. Roles are Django groups; these functions test their permissions."""

from __future__ import annotations

from typing import Any

ACCESS_WORKSPACE = "core.access_workspace"
MANAGE_SETTINGS = "core.manage_settings"
VIEW_AUDIT_LOG = "core.view_audit_log"


def is_active_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_agent(user: Any) -> bool:
    """Return whether ``user`` works records (agent, group lead, process manager or administrator)."""
    return is_active_user(user) and user.has_perm(ACCESS_WORKSPACE)


def is_settings_admin(user: Any) -> bool:
    return is_active_user(user) and user.has_perm(MANAGE_SETTINGS)


def can_view_audit_log(user: Any) -> bool:
    return is_active_user(user) and user.has_perm(VIEW_AUDIT_LOG)
