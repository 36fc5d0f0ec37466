"""Assignment of work items to a support group and an agent, shared by every process app's actions.

The process app checks permission and its own status rules; these helpers check the
group and agent, fill in the agent's group, compute the values to save (the
reassignment count grows when the group changes), and name who works the record.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from sarv.accounts.models import SupportGroup, User
from sarv.core.errors import ValidationFailed
from sarv.core.models import WorkItem
from sarv.core.permissions import is_agent


def group_for(group: SupportGroup | None, assignee: User | None) -> SupportGroup | None:
    """Return ``group``, or the agent's first active support group when only an agent is given."""
    if assignee is not None and group is None:
        return assignee.support_groups.filter(is_active=True).first()
    return group


def check_assignment(group: SupportGroup | None, assignee: User | None) -> None:
    """Raise ValidationFailed unless the group is active and the agent is an active agent in it."""
    if group is not None and not group.is_active:
        raise ValidationFailed(_("The support group %(group)s is not active."), field="assigned_group", group=group)
    if assignee is not None:
        if not assignee.is_active or not is_agent(assignee):
            raise ValidationFailed(_("%(user)s is not an active agent."), field="assignee", user=assignee)
        if group is not None and not group.members.filter(pk=assignee.pk).exists():
            raise ValidationFailed(
                _("%(user)s is not a member of %(group)s."), field="assignee", user=assignee, group=group
            )


def assignment_values(record: WorkItem, group: SupportGroup | None, assignee: User | None) -> dict[str, Any]:
    """Return the field values that assign ``record``; moving it to another group counts a reassignment."""
    values: dict[str, Any] = {"assigned_group": group, "assignee": assignee}
    if record.assigned_group_id is not None and group is not None and record.assigned_group_id != group.pk:
        values["reassignment_count"] = record.reassignment_count + 1
    return values


def group_members(group: SupportGroup | None) -> list[User]:
    if group is None:
        return []
    return list(group.members.filter(is_active=True))


def workers(record: WorkItem) -> list[User]:
    """Return who works the record: its agent, or every active member of its group while it has none."""
    if record.assignee is not None:
        return [record.assignee]
    return group_members(record.assigned_group)
