"""Builders for test and demo objects that go through the same actions as real users."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group

from sarv.accounts.models import Department, SupportGroup, SupportGroupMembership, User
from sarv.core.models import Category

TEST_PASSWORD = "Sarv-test-password-1404"


def make_department(name_fa: str, name_en: str = "", parent: Department | None = None) -> Department:
    return Department.objects.create(name_fa=name_fa, name_en=name_en, parent=parent)


def make_group(name_fa: str, name_en: str = "") -> SupportGroup:
    return SupportGroup.objects.create(name_fa=name_fa, name_en=name_en)


def make_user(
    username: str,
    first_name: str = "",
    last_name: str = "",
    *,
    roles: Iterable[str] = ("requester",),
    groups: Iterable[SupportGroup] = (),
    department: Department | None = None,
    language: str = "fa",
    email: str | None = None,
    password: str = TEST_PASSWORD,
) -> User:
    user = User.objects.create_user(
        username=username, password=password, first_name=first_name, last_name=last_name,
        email=email if email is not None else f"{username}@example.ir", department=department, language=language,
    )
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    for group in groups:
        SupportGroupMembership.objects.create(group=group, user=user)
    return user


def make_category_tree() -> tuple[Category, Category]:
    hardware = Category.objects.create(name_fa="سخت‌افزار", name_en="Hardware", code="hardware")
    printer = Category.objects.create(name_fa="چاپگر", name_en="Printer", code="printer", parent=hardware)
    return hardware, printer


def make_incident(requester: User, title: str = "چاپگر طبقه سوم کار نمی‌کند", **kwargs: Any) -> Any:
    from sarv.incidents import actions

    actor = kwargs.pop("actor", requester)
    return actions.create_incident(actor=actor, requester=requester, title=title, **kwargs)


def make_problem(actor: User, title: str = "قطعی مکرر چاپگرهای طبقه سوم", **kwargs: Any) -> Any:
    from sarv.problems import actions

    return actions.open_problem(actor=actor, title=title, **kwargs)
