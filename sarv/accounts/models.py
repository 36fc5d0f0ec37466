"""People and organisation: users, departments, locations and support groups."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from sarv.core.models import BilingualNameMixin
from sarv.core.text import normalize_stored, search_key


class Department(BilingualNameMixin):
    """An organisational unit («واحد سازمانی»); departments form a tree."""

    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("parent department"),
    )
    code = models.CharField(_("code"), max_length=40, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("manager"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name_fa"]


class LocationKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    SITE = "site", _("Site")


class Location(BilingualNameMixin):
    """A province, a city or a site; a site lies in a city, a city in a province."""

    kind = models.CharField(_("kind"), max_length=20, choices=LocationKind.choices, default=LocationKind.SITE)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("within"),
    )
    code = models.CharField(_("code"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["kind", "name_fa"]

    @property
    def province(self) -> Location | None:
        node: Location | None = self
        while node is not None and node.kind != LocationKind.PROVINCE:
            node = node.parent
        return node


class User(AbstractUser):
    """A person who signs in to Sarv: a requester, an agent, a manager or an administrator.

    People are deactivated, never deleted, because records and the audit log refer to them.
    """

    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="fa")
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="members",
        verbose_name=_("department"),
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("location"),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    employee_number = models.CharField(_("employee number"), max_length=40, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    search_key = models.CharField(max_length=400, blank=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.first_name = normalize_stored(self.first_name)
        self.last_name = normalize_stored(self.last_name)
        self.search_key = search_key(f"{self.first_name} {self.last_name} {self.username} {self.email}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {"search_key", "first_name", "last_name"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def __str__(self) -> str:
        return self.display_name


class SupportGroup(BilingualNameMixin):
    """A support group («گروه پشتیبانی»): the team a record is assigned to, with members and a lead."""

    code = models.CharField(_("code"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="led_groups", verbose_name=_("group lead"),
    )
    members: models.ManyToManyField[User, SupportGroupMembership] = models.ManyToManyField(
        User, through="SupportGroupMembership", related_name="support_groups", verbose_name=_("members"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("support group")
        verbose_name_plural = _("support groups")
        ordering = ["name_fa"]


class SupportGroupMembership(models.Model):
    """One agent's membership of one support group."""

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="memberships",
                              verbose_name=_("support group"))
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="group_memberships",
                             verbose_name=_("member"))

    class Meta:
        verbose_name = _("support group membership")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="accounts_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id}"
