"""Reference data that imports create on demand: people, support groups, categories, locations, resolution codes.

Source systems name these by codes or pseudonyms («Group 56», «TEAM0002»).
Each helper takes the wanted objects keyed by a stable code (or username),
creates the ones that are missing and returns ``{code: pk}``, so a second
import finds the objects of the first. Counts are small (thousands of people at
most), so objects are saved one by one: their ``save`` normalises names and
builds search keys.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from django.contrib.auth.models import Group
from django.db import transaction

from sarv.accounts.models import Location, LocationKind, SupportGroup, SupportGroupMembership, User
from sarv.core.models import Category
from sarv.incidents.models import ResolutionCode

logger = logging.getLogger(__name__)


def ensure_users(names: Mapping[str, str], role: str | None = None) -> dict[str, int]:
    """Return ``{username: pk}`` for ``names`` (username to display name), creating missing users.

    Imported people cannot sign in (unusable password) until an administrator
    gives them one. ``role`` is added to every user in ``names``, old or new.
    """
    found = dict(User.objects.filter(username__in=list(names)).values_list("username", "pk"))
    with transaction.atomic():
        for username, display in names.items():
            if username in found:
                continue
            user = User(username=username, first_name=display[:150], is_active=True)
            user.set_unusable_password()
            user.save()
            found[username] = user.pk
        if role and names:
            group = Group.objects.get(name=role)
            through = User.groups.through
            through.objects.bulk_create(
                [through(user_id=found[username], group_id=group.pk) for username in names],
                ignore_conflicts=True,
            )
    return found


def ensure_groups(names: Mapping[str, str]) -> dict[str, int]:
    """Return ``{code: pk}`` of support groups for ``names`` (code to name), creating missing ones."""
    found = dict(SupportGroup.objects.filter(code__in=list(names)).values_list("code", "pk"))
    for code, name in names.items():
        if code not in found:
            found[code] = SupportGroup.objects.create(code=code, name_fa=name, name_en=name).pk
    return found


def ensure_memberships(pairs: Iterable[tuple[int, int]]) -> None:
    """Make each ``(user_id, group_id)`` a member of that group, keeping existing memberships."""
    SupportGroupMembership.objects.bulk_create(
        [SupportGroupMembership(user_id=user_id, group_id=group_id) for user_id, group_id in set(pairs)],
        ignore_conflicts=True,
    )


def ensure_categories(names: Mapping[str, str]) -> dict[str, int]:
    """Return ``{code: pk}`` of top-level categories for ``names`` (code to name), creating missing ones."""
    found = dict(
        Category.objects.filter(parent__isnull=True, code__in=list(names)).values_list("code", "pk")
    )
    for code, name in names.items():
        if code not in found:
            found[code] = Category.objects.create(code=code, name_fa=name, name_en=name).pk
    return found


def ensure_subcategories(names: Mapping[tuple[int, str], str]) -> dict[tuple[int, str], int]:
    """Return ``{(parent_pk, code): pk}`` for ``names`` ((parent pk, code) to name), creating missing ones.

    A subcategory code may appear under several categories; each pair is its own node.
    """
    parents = {parent for parent, _code in names}
    found = {
        (parent, code): pk
        for parent, code, pk in Category.objects.filter(parent_id__in=parents).values_list("parent_id", "code", "pk")
    }
    for (parent, code), name in names.items():
        if (parent, code) not in found:
            found[(parent, code)] = Category.objects.create(parent_id=parent, code=code, name_fa=name, name_en=name).pk
    return found


def ensure_locations(names: Mapping[str, str]) -> dict[str, int]:
    """Return ``{code: pk}`` of sites for ``names`` (code to name), creating missing ones."""
    found = dict(Location.objects.filter(code__in=list(names)).values_list("code", "pk"))
    for code, name in names.items():
        if code not in found:
            found[code] = Location.objects.create(code=code, name_fa=name, name_en=name, kind=LocationKind.SITE).pk
    return found


def ensure_resolution_codes(names: Mapping[str, str]) -> dict[str, int]:
    """Return ``{code: pk}`` of resolution codes for ``names`` (code to name), creating missing ones."""
    found = dict(ResolutionCode.objects.filter(code__in=list(names)).values_list("code", "pk"))
    last = ResolutionCode.objects.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0
    for code, name in names.items():
        if code not in found:
            last += 1
            found[code] = ResolutionCode.objects.create(code=code, name_fa=name, name_en=name, sort_order=last).pk
    return found
