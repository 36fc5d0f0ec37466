"""Who may see and change what in the CMDB. Actions call these before any side effect; pages use them for buttons.

- Seeing CIs: ``cmdb.view_ci`` (agents and every CMDB role); without it, only the assets one holds.
- Editing a CI of a class (create, change, relate, retire): ``cmdb.edit_any_ci`` (configuration
  manager, administrator), or ``cmdb.edit_ci`` plus membership of the class's owning support group.
  The owning group is the class's own ``owner_group`` or, when empty, that of its nearest ancestor.
  A class with no owning group anywhere up the tree is edited by configuration managers only.
- Classes, attributes, relationship types and rules, imports: ``cmdb.manage_cmdb``.
"""

from __future__ import annotations

from typing import Any

from sarv.cmdb.models import CI, VIEW_CI_PERMISSION, CIClass
from sarv.core.permissions import is_active_user

VIEW = VIEW_CI_PERMISSION
EDIT = "cmdb.edit_ci"
EDIT_ANY = "cmdb.edit_any_ci"
MANAGE = "cmdb.manage_cmdb"


def can_view_cmdb(user: Any) -> bool:
    return is_active_user(user) and user.has_perm(VIEW)


def can_manage(user: Any) -> bool:
    return is_active_user(user) and user.has_perm(MANAGE)


def can_edit_any(user: Any) -> bool:
    return is_active_user(user) and user.has_perm(EDIT_ANY)


def owning_group_id(ci_class: CIClass) -> int | None:
    """The owning support group of the class or of its nearest ancestor that has one."""
    if ci_class.owner_group_id:
        return ci_class.owner_group_id
    codes = ci_class.ancestor_codes()[:-1]
    owners = dict(CIClass.objects.filter(code__in=codes, owner_group__isnull=False).values_list("code", "owner_group"))
    for code in reversed(codes):
        if code in owners:
            return owners[code]
    return None


def can_edit_class(user: Any, ci_class: CIClass) -> bool:
    """Whether ``user`` may create and change CIs of ``ci_class``."""
    if not is_active_user(user):
        return False
    if user.has_perm(EDIT_ANY):
        return True
    if not user.has_perm(EDIT):
        return False
    group_id = owning_group_id(ci_class)
    return group_id is not None and user.group_memberships.filter(group_id=group_id).exists()


def can_edit(user: Any, ci: CI) -> bool:
    return can_edit_class(user, ci.ci_class)


def can_view(user: Any, ci: CI) -> bool:
    return CI.objects.visible_to(user).filter(pk=ci.pk).exists()
