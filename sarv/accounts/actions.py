"""Administration of people and organisation: users, support groups, departments and locations.

Every function takes the acting user, checks that they administer settings,
validates, changes data inside one transaction and writes an audit row with raw
before/after values (ids, codes). Passwords never reach the audit log: a
password change is recorded as the fact that it happened.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sarv.accounts.models import Department, Location, LocationKind, SupportGroup, SupportGroupMembership, User
from sarv.accounts.roles import ROLES, user_roles
from sarv.core import audit
from sarv.core.actions import (
    check_tree_parent,
    check_unique_code,
    check_unique_name,
    clean_code,
    clean_text,
    require_name,
    require_settings_admin,
    save_audited,
)
from sarv.core.errors import ValidationFailed
from sarv.core.permissions import ACCESS_WORKSPACE
from sarv.core.text import normalize_identifier

logger = logging.getLogger(__name__)

USER_FIELDS = (
    "username", "first_name", "last_name", "email", "phone", "employee_number", "job_title",
    "department", "location", "language", "time_zone", "is_active",
)
# Granted per user, on top of the roles: the user sees the incidents of their own department.
DEPARTMENT_INCIDENTS_PERMISSION = "incidents.view_department_incidents"
# Audit keys for what a user form changes besides model fields; the audit viewer labels them.
ROLES_KEY = "roles"
SUPPORT_GROUPS_KEY = "support_groups"
DEPARTMENT_INCIDENTS_KEY = "view_department_incidents"
PASSWORD_KEY = "password"
PASSWORD_SET = "set"  # the only value a password change leaves in the audit log

GROUP_FIELDS = ("name_fa", "name_en", "code", "email", "description", "lead", "is_active")
DEPARTMENT_FIELDS = ("name_fa", "name_en", "code", "parent", "manager", "is_active")
LOCATION_FIELDS = ("kind", "name_fa", "name_en", "code", "parent", "address", "is_active")

# A location lies in the kind one level up: a site in a city, a city in a province.
PARENT_KIND = {LocationKind.CITY: LocationKind.PROVINCE, LocationKind.SITE: LocationKind.CITY}


# --- Users -------------------------------------------------------------------------------------------


def _department_permission() -> Permission:
    app_label, codename = DEPARTMENT_INCIDENTS_PERMISSION.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def has_department_incidents(user: User) -> bool:
    """Return whether ``user`` was granted their department's incidents directly (not through a role)."""
    app_label, codename = DEPARTMENT_INCIDENTS_PERMISSION.split(".", 1)
    return user.user_permissions.filter(content_type__app_label=app_label, codename=codename).exists()


def _clean_user_values(values: Mapping[str, Any], user: User | None) -> dict[str, Any]:
    username = str(values.get("username") or "").strip()
    if not username:
        raise ValidationFailed(_("Enter a username."), field="username")
    try:
        User.username_validator(username)
    except ValidationError:
        raise ValidationFailed(
            _("The username may contain only letters, digits and the characters @ . + - _."), field="username",
        ) from None
    email = str(values.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationFailed(_("Enter a valid e-mail address."), field="email") from None
    language = values.get("language") or settings.LANGUAGE_CODE
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationFailed(_("%(value)s is not a valid choice."), field="language", value=language)
    time_zone = str(values.get("time_zone") or "")
    if time_zone:
        try:
            zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationFailed(_("Unknown time zone."), field="time_zone") from None
    cleaned: dict[str, Any] = {
        "username": username,
        "first_name": clean_text(values.get("first_name")),
        "last_name": clean_text(values.get("last_name")),
        "email": email,
        "phone": normalize_identifier(str(values.get("phone") or "")),
        "employee_number": clean_code(values.get("employee_number")),
        "job_title": clean_text(values.get("job_title")),
        "department": values.get("department"),
        "location": values.get("location"),
        "language": language,
        "time_zone": time_zone,
        "is_active": bool(values.get("is_active", True)),
    }
    others = User.objects.exclude(pk=user.pk) if user is not None else User.objects.all()
    if others.filter(username__iexact=username).exists():
        raise ValidationFailed(_("The username %(username)s is already taken."), field="username", username=username)
    if cleaned["employee_number"] and others.filter(employee_number=cleaned["employee_number"]).exists():
        raise ValidationFailed(_("Another user already has the employee number %(number)s."),
                               field="employee_number", number=cleaned["employee_number"])
    for name in ("department", "location"):
        chosen = cleaned[name]
        current_id = getattr(user, f"{name}_id", None) if user is not None else None
        if chosen is not None and not chosen.is_active and chosen.pk != current_id:
            raise ValidationFailed(_("%(name)s is not active."), field=name, name=chosen)
    return cleaned


def _clean_roles(roles: Iterable[str]) -> list[str]:
    wanted = sorted(set(roles))
    unknown = [code for code in wanted if code not in ROLES]
    if unknown:
        raise ValidationFailed(_("Unknown role: %(role)s."), field="roles", role=", ".join(unknown))
    return wanted


def _clean_support_groups(groups: Iterable[SupportGroup], user: User | None) -> list[SupportGroup]:
    chosen = {group.pk: group for group in groups}
    current = set(user.support_groups.values_list("pk", flat=True)) if user is not None and user.pk else set()
    for group in chosen.values():
        if not group.is_active and group.pk not in current:
            raise ValidationFailed(_("The support group %(group)s is not active."), field="support_groups",
                                   group=group)
    if user is not None and user.pk:
        for group in SupportGroup.objects.filter(lead=user).exclude(pk__in=chosen):
            raise ValidationFailed(
                _("%(user)s leads %(group)s. Choose another lead for that group before removing them."),
                field="support_groups", user=user, group=group,
            )
    return sorted(chosen.values(), key=lambda group: group.pk)


def _active_administrators() -> Any:
    return User.objects.filter(is_active=True, groups__name="administrator").distinct()


def _check_lockout(actor: User, user: User, *, active: bool, roles: Iterable[str]) -> None:
    """Keep at least one active administrator, and keep administrators from locking themselves out."""
    if user.pk == actor.pk and not active:
        raise ValidationFailed(_("You cannot deactivate your own account."), field="is_active")
    if user.pk is None or (active and "administrator" in roles):
        return
    if not _active_administrators().exclude(pk=user.pk).exists() and "administrator" in user_roles(user):
        field = "is_active" if not active else "roles"
        raise ValidationFailed(
            _("%(user)s is the only active administrator. Make someone else an administrator first."),
            field=field, user=user,
        )


def _apply_memberships(
    user: User, roles: list[str], groups: list[SupportGroup], department_incidents: bool,
) -> dict[str, list[Any]]:
    """Set roles, support groups and the department permission of a saved ``user``; return the audit changes."""
    changes: dict[str, list[Any]] = {}

    before_roles = sorted(user_roles(user))
    if before_roles != roles:
        user.groups.remove(*Group.objects.filter(name__in=set(before_roles) - set(roles)))
        user.groups.add(*Group.objects.filter(name__in=set(roles) - set(before_roles)))
        changes[ROLES_KEY] = [before_roles, roles]

    before_groups = sorted(user.support_groups.values_list("pk", flat=True))
    wanted_groups = [group.pk for group in groups]
    if before_groups != wanted_groups:
        SupportGroupMembership.objects.filter(user=user).exclude(group_id__in=wanted_groups).delete()
        for group_id in set(wanted_groups) - set(before_groups):
            SupportGroupMembership.objects.create(user=user, group_id=group_id)
        changes[SUPPORT_GROUPS_KEY] = [before_groups, wanted_groups]

    before_department = has_department_incidents(user)
    if before_department != department_incidents:
        permission = _department_permission()
        if department_incidents:
            user.user_permissions.add(permission)
        else:
            user.user_permissions.remove(permission)
        changes[DEPARTMENT_INCIDENTS_KEY] = [before_department, department_incidents]
    return changes


def create_user(
    *,
    actor: User,
    values: Mapping[str, Any],
    roles: Iterable[str] = ("requester",),
    support_groups: Iterable[SupportGroup] = (),
    view_department_incidents: bool = False,
    password: str = "",
) -> User:
    """Add a user with roles and support groups; without a password the user cannot sign in locally yet."""
    require_settings_admin(actor)
    cleaned = _clean_user_values(values, None)
    wanted_roles = _clean_roles(roles)
    groups = _clean_support_groups(support_groups, None)
    user = User()
    if password:
        _validate_password(password, User(**cleaned))
        user.set_password(password)
    else:
        user.set_unusable_password()

    def after_save(saved: User) -> dict[str, list[Any]]:
        changes = _apply_memberships(saved, wanted_roles, groups, view_department_incidents)
        if password:
            changes[PASSWORD_KEY] = [None, PASSWORD_SET]
        return changes

    user = save_audited(actor, user, cleaned, after_save=after_save)
    logger.info("User %s created by user %s", user.pk, actor.pk)
    return user


# Called inside update_user's transaction as hook(actor=, user=, old_department_id=, new_department_id=)
# when a user's department changes; other apps register here (the CMDB moves the assets the user holds).
DEPARTMENT_CHANGE_HOOKS: list[Callable[..., Any]] = []


def register_department_change_hook(hook: Callable[..., Any]) -> None:
    if hook not in DEPARTMENT_CHANGE_HOOKS:
        DEPARTMENT_CHANGE_HOOKS.append(hook)


def update_user(
    *,
    actor: User,
    user: User,
    values: Mapping[str, Any],
    roles: Iterable[str],
    support_groups: Iterable[SupportGroup],
    view_department_incidents: bool,
) -> User:
    """Change a user's details, roles, support groups and department permission; one audit row for all of it.

    Roles take effect on the user's next request, because Django reads
    permissions from the database once per request.
    """
    require_settings_admin(actor)
    cleaned = _clean_user_values(values, user)
    wanted_roles = _clean_roles(roles)
    groups = _clean_support_groups(support_groups, user)

    def validate(locked: User) -> None:
        _check_lockout(actor, locked, active=cleaned["is_active"], roles=wanted_roles)

    old_department_id = User.objects.filter(pk=user.pk).values_list("department_id", flat=True).first()

    def after_save(saved: User) -> dict[str, list[Any]]:
        changes = _apply_memberships(saved, wanted_roles, groups, view_department_incidents)
        if saved.department_id != old_department_id:
            for hook in DEPARTMENT_CHANGE_HOOKS:
                hook(actor=actor, user=saved, old_department_id=old_department_id,
                     new_department_id=saved.department_id)
        return changes

    user = save_audited(actor, user, cleaned, validate=validate, after_save=after_save)
    logger.info("User %s updated by user %s", user.pk, actor.pk)
    return user


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationFailed(" ".join(error.messages), field="password") from None


def set_user_password(*, actor: User, user: User, password: str) -> None:
    """Give ``user`` a new password; their open sessions end, and the audit row records only that it changed."""
    require_settings_admin(actor)
    if not password:
        raise ValidationFailed(_("Enter a password."), field="password")
    _validate_password(password, user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.log_update(actor, user, {PASSWORD_KEY: ["", PASSWORD_SET]})
    logger.info("Password of user %s set by user %s", user.pk, actor.pk)


def set_user_active(*, actor: User, user: User, active: bool) -> User:
    """Deactivate or reactivate ``user``. Users are never deleted: records and the audit log refer to them."""
    require_settings_admin(actor)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _check_lockout(actor, user, active=active, roles=user_roles(user))
        if user.is_active != active:
            before = user.is_active
            user.is_active = active
            user.save(update_fields=["is_active"])
            audit.log_update(actor, user, {"is_active": [before, active]})
            logger.info("User %s %s by user %s", user.pk, "reactivated" if active else "deactivated", actor.pk)
    return user


# --- Support groups ----------------------------------------------------------------------------------


def _is_workspace_user(user: User) -> bool:
    return user.is_active and user.has_perm(ACCESS_WORKSPACE)


def _clean_group_values(values: Mapping[str, Any]) -> dict[str, Any]:
    email = str(values.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationFailed(_("Enter a valid e-mail address."), field="email") from None
    lead = values.get("lead")
    if lead is not None and not _is_workspace_user(lead):
        raise ValidationFailed(_("%(user)s is not an active agent."), field="lead", user=lead)
    return {
        "name_fa": require_name(values),
        "name_en": clean_text(values.get("name_en")),
        "code": clean_code(values.get("code")),
        "email": email,
        "description": clean_text(values.get("description")),
        "lead": lead,
        "is_active": bool(values.get("is_active", True)),
    }


def _validate_group(group: SupportGroup) -> None:
    check_unique_code(SupportGroup.objects.all(), group.code, exclude_pk=group.pk)
    check_unique_name(SupportGroup.objects.all(), group.name_fa, exclude_pk=group.pk)


def _ensure_lead_is_member(group: SupportGroup) -> dict[str, list[Any]]:
    """Add the group's lead to its members when missing; return the audit change for ``members``."""
    if group.lead_id is None:
        return {}
    _membership, created = SupportGroupMembership.objects.get_or_create(group=group, user_id=group.lead_id)
    return {"members": [None, group.lead_id]} if created else {}


def save_support_group(*, actor: User, group: SupportGroup | None, values: Mapping[str, Any]) -> SupportGroup:
    """Create (``group=None``) or change a support group; a lead who is not a member yet becomes one."""
    require_settings_admin(actor)
    cleaned = _clean_group_values(values)
    saved = save_audited(actor, group or SupportGroup(), cleaned, validate=_validate_group,
                         after_save=_ensure_lead_is_member)
    logger.info("Support group %s saved by user %s", saved.pk, actor.pk)
    return saved


def add_group_member(*, actor: User, group: SupportGroup, user: User) -> bool:
    """Add an active agent to ``group``; return False when they already belong to it."""
    require_settings_admin(actor)
    if not _is_workspace_user(user):
        raise ValidationFailed(_("%(user)s is not an active agent. Give them the agent role first."),
                               field="user", user=user)
    with transaction.atomic():
        _membership, created = SupportGroupMembership.objects.get_or_create(group=group, user=user)
        if created:
            audit.log_update(actor, group, {"members": [None, user.pk]})
    if created:
        logger.info("User %s added to support group %s by user %s", user.pk, group.pk, actor.pk)
    return created


def remove_group_member(*, actor: User, group: SupportGroup, user: User) -> bool:
    """Remove ``user`` from ``group``; the lead stays until another lead is chosen."""
    require_settings_admin(actor)
    with transaction.atomic():
        group = SupportGroup.objects.select_for_update().get(pk=group.pk)
        if group.lead_id == user.pk:
            raise ValidationFailed(
                _("%(user)s leads this group. Choose another lead before removing them."), field="user", user=user,
            )
        deleted, _details = SupportGroupMembership.objects.filter(group=group, user=user).delete()
        if deleted:
            audit.log_update(actor, group, {"members": [user.pk, None]})
    if deleted:
        logger.info("User %s removed from support group %s by user %s", user.pk, group.pk, actor.pk)
    return bool(deleted)


# --- Departments -------------------------------------------------------------------------------------


def _department_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name_fa": require_name(values),
        "name_en": clean_text(values.get("name_en")),
        "code": clean_code(values.get("code")),
        "parent": values.get("parent"),
        "manager": values.get("manager"),
        "is_active": bool(values.get("is_active", True)),
    }


def _validate_department(department: Department) -> None:
    check_tree_parent(
        department, department.parent,
        _("A department cannot be placed under itself or under one of its own sub-departments."),
    )
    check_unique_code(Department.objects.all(), department.code, exclude_pk=department.pk)
    check_unique_name(Department.objects.filter(parent=department.parent), department.name_fa,
                      exclude_pk=department.pk)


def save_department(*, actor: User, department: Department | None, values: Mapping[str, Any]) -> Department:
    """Create (``department=None``) or change a department of the organisation tree."""
    require_settings_admin(actor)
    cleaned = _department_values(values)
    saved = save_audited(actor, department or Department(), cleaned, validate=_validate_department)
    logger.info("Department %s saved by user %s", saved.pk, actor.pk)
    return saved


# --- Locations ---------------------------------------------------------------------------------------


def _location_values(values: Mapping[str, Any]) -> dict[str, Any]:
    kind = values.get("kind") or LocationKind.SITE
    if kind not in LocationKind.values:
        raise ValidationFailed(_("%(value)s is not a valid choice."), field="kind", value=kind)
    return {
        "kind": kind,
        "name_fa": require_name(values),
        "name_en": clean_text(values.get("name_en")),
        "code": clean_code(values.get("code")),
        "parent": values.get("parent"),
        "address": clean_text(values.get("address")),
        "is_active": bool(values.get("is_active", True)),
    }


def _validate_location(location: Location) -> None:
    check_tree_parent(
        location, location.parent, _("A location cannot be placed under itself or under a place inside it."),
    )
    parent = location.parent
    wanted_parent_kind = PARENT_KIND.get(LocationKind(location.kind))
    if parent is not None:
        if wanted_parent_kind is None:
            raise ValidationFailed(_("A province cannot lie inside another location."), field="parent")
        if parent.kind != wanted_parent_kind:
            raise ValidationFailed(
                _("A %(kind)s must lie in a %(parent_kind)s."), field="parent",
                kind=LocationKind(location.kind).label, parent_kind=wanted_parent_kind.label,
            )
    if location.pk is not None:
        for child in location.children.all():
            if PARENT_KIND.get(LocationKind(child.kind)) != location.kind:
                raise ValidationFailed(
                    _("%(child)s lies inside this location, so it cannot become a %(kind)s."), field="kind",
                    child=child, kind=LocationKind(location.kind).label,
                )
    check_unique_code(Location.objects.all(), location.code, exclude_pk=location.pk)
    check_unique_name(Location.objects.filter(parent=parent, kind=location.kind), location.name_fa,
                      exclude_pk=location.pk)


def save_location(*, actor: User, location: Location | None, values: Mapping[str, Any]) -> Location:
    """Create (``location=None``) or change a province, city or site."""
    require_settings_admin(actor)
    cleaned = _location_values(values)
    saved = save_audited(actor, location or Location(), cleaned, validate=_validate_location)
    logger.info("Location %s saved by user %s", saved.pk, actor.pk)
    return saved


# --- API tokens --------------------------------------------------------------------------------------
# Imported here rather than at the top because this section is appended to the account actions as a block.
from rest_framework.authtoken.models import Token  # noqa: E402

from sarv.core.choices import AuditAction  # noqa: E402
from sarv.core.errors import PermissionDenied  # noqa: E402

# The token key is a secret: the audit row records that a token was issued or revoked, never the key.
API_TOKEN_KEY = "api_token"
API_TOKEN_ISSUED = "issued"


def issue_api_token(*, user: User) -> Token:
    """Return ``user``'s API token, creating it when they have none (the API's sign-in)."""
    if not user.is_active:
        raise PermissionDenied(_("This account is not active."))
    with transaction.atomic():
        token, created = Token.objects.get_or_create(user=user)
        if created:
            audit.log(actor=user, action=AuditAction.UPDATE, instance=user,
                      changes={API_TOKEN_KEY: [None, API_TOKEN_ISSUED]})
            logger.info("API token issued to user %s", user.pk)
    return token


def revoke_api_token(*, user: User) -> bool:
    """Delete ``user``'s API token; return whether there was one."""
    with transaction.atomic():
        deleted, _rows = Token.objects.filter(user=user).delete()
        if deleted:
            audit.log(actor=user, action=AuditAction.UPDATE, instance=user,
                      changes={API_TOKEN_KEY: [API_TOKEN_ISSUED, None]})
            logger.info("API token of user %s revoked", user.pk)
    return bool(deleted)
