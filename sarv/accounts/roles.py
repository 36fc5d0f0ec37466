"""Roles are Django groups with a fixed code and a fixed set of permissions, kept in sync after migrate.

Later process apps add their roles (problem manager, change manager) by
extending ROLES; an administrator gives people roles under Settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

AGENT_PERMISSIONS = (
    "core.access_workspace",
    "incidents.report_incident",
    "incidents.view_all_incidents",
    "incidents.work_incident",
    "cmdb.view_ci",
    "cmdb.edit_ci",
    "problems.view_all_problems",
    "problems.report_problem",
    "problems.work_problem",
)
# Owns the CMDB: edits CIs of every class, manages classes, attributes, relationship types and imports.
CMDB_MANAGER_PERMISSIONS = ("cmdb.edit_any_ci", "cmdb.manage_cmdb")


@dataclass(frozen=True)
class Role:
    code: str
    label: str | Promise
    description: str | Promise
    permissions: tuple[str, ...]


ROLES: dict[str, Role] = {
    role.code: role
    for role in (
        Role("requester", _("Requester"), _("Reports incidents and follows their own records in the portal."),
             ("incidents.report_incident",)),
        Role("agent", _("Agent"), _("Works incidents in the agent workspace."), AGENT_PERMISSIONS),
        Role("group_lead", _("Group lead"), _("An agent who can also assign and update incidents in bulk."),
             (*AGENT_PERMISSIONS, "incidents.bulk_update_incident")),
        Role("incident_manager", _("Incident manager"),
             _("Owns the incident process: major incidents, priority overrides, cancellation, bulk updates."),
             (*AGENT_PERMISSIONS, "incidents.bulk_update_incident", "incidents.manage_incident",
              "sla.view_agreement")),
        Role("sla_manager", _("SLA manager"),
             _("Owns service level management: reads the SLA compliance and breach reports."),
             (*AGENT_PERMISSIONS, "sla.view_agreement")),
        Role("problem_manager", _("Problem manager"),
             _("Owns problem management: resolves and closes problems, publishes and retires known errors, "
               "decides on proposals from recurring incidents."),
             (*AGENT_PERMISSIONS, "problems.manage_problem")),
        Role("configuration_manager", _("Configuration manager"),
             _("Owns the CMDB: configuration items of every class, classes, attributes, relationship types "
               "and imports."),
             (*AGENT_PERMISSIONS, *CMDB_MANAGER_PERMISSIONS)),
        Role("administrator", _("Administrator"),
             _("Manages users, groups, categories, services, the priority matrix and module switches."),
             (*AGENT_PERMISSIONS, "incidents.bulk_update_incident", "incidents.manage_incident",
              "core.manage_settings", "core.view_audit_log", "sla.view_agreement",
              *CMDB_MANAGER_PERMISSIONS, "problems.manage_problem")),
    )
}


def sync_roles(**kwargs: Any) -> None:
    """Create the role groups and give each exactly its permissions (run after every migrate)."""
    for role in ROLES.values():
        group, _created = Group.objects.get_or_create(name=role.code)
        wanted = []
        for dotted in role.permissions:
            app_label, codename = dotted.split(".", 1)
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)


def role_label(code: str) -> str:
    role = ROLES.get(code)
    return str(role.label) if role else code


def user_roles(user: Any) -> list[str]:
    return [name for name in user.groups.values_list("name", flat=True) if name in ROLES]
