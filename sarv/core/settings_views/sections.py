"""The sections of the Settings area, listed on its start page and in the side menu of every page."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    url_name: str
    title: str | Promise
    description: str | Promise


SECTIONS = (
    Section("settings:users", _("Users"), _("People who sign in: details, roles, support groups, passwords.")),
    Section("settings:groups", _("Support groups"), _("The teams incidents are assigned to, their leads and members.")),
    Section("settings:departments", _("Departments"), _("The organisation's departments, as a tree.")),
    Section("settings:locations", _("Locations"), _("Provinces, cities and sites.")),
    Section("settings:categories", _("Categories"), _("Categories and subcategories that classify incidents.")),
    Section("settings:services", _("Services"), _("IT services that incidents affect, and the groups that own them.")),
    Section("settings:priority_matrix", _("Priority matrix"), _("Which priority each impact and urgency give.")),
    Section("settings:modules", _("Modules"), _("Switch ITIL process modules on or off.")),
    Section("settings:incident_process", _("Incident process"),
            _("Reopen window, automatic closing and resolution codes.")),
    Section("calendars:list", _("Business calendars"),
            _("Working hours, holidays and closures that SLA clocks follow; preview of due times.")),
    Section("sla:agreements", _("Service level agreements"),
            _("SLAs, OLAs and UCs: conditions, targets, warnings, escalations and their order of precedence.")),
    Section("sla:suppliers", _("Suppliers"), _("Suppliers with underpinning contracts, which on-hold records name.")),
    Section("settings:audit_log", _("Audit log"), _("Who changed what and when, with before and after values.")),
)


def side_menu(path: str) -> list[dict[str, object]]:
    """Return the sections with their URLs, the one that ``path`` lies in marked active."""
    menu = []
    for section in SECTIONS:
        url = reverse(section.url_name)
        menu.append({"section": section, "url": url, "active": path.startswith(url)})
    return menu
