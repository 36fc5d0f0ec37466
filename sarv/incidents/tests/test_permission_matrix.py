"""Permission matrix of the pages: each role × each page and quick action × record A and record B.

The policy, as tested here and in ``test_permission_matrix_api.py``:

- Agents (agent, group lead, incident manager, administrator) see every incident.
  Requesters see the incidents they reported or watch and, with
  ``incidents.view_department_incidents``, those of their own department.
  A record the user may not see returns 404, never 403, so its existence stays secret.
- Work notes, internal attachments and references other than official letters are for agents only.
- The agent workspace is for agents: any other signed-in user gets 403 there,
  the same response for every record. The incident page is the exception: it sends
  a requester who may see the incident to its portal page. The subcategory options
  are reference data, open to every signed-in user.
- Priority overrides, major incidents and cancelling for others need the incident manager role.
  Bulk updates need the group lead role or above.
- Requesters reply on the incidents they reported or watch. Only the requester confirms,
  reopens (agents too) and cancels (incident managers too) before work starts.
- Settings are for administrators and the audit log for ``core.view_audit_log`` (403 for everybody else).
- Anonymous visitors and deactivated users are sent to the sign-in page.
- Search covers the number and the incident's own text (title, description, symptom, affected CI),
  never the timeline, so a word that only a work note contains finds nothing for anybody.
- Incidents have no CSV or Excel export yet. The CMDB list's export has a row, under the CMDB pages.
- The CMDB pages need ``cmdb.view_ci`` (agents), and editing an item needs its class's owning group or
  ``cmdb.edit_any_ci`` (configuration managers, administrators); classes, attributes, relationship types
  and imports need ``cmdb.manage_cmdb`` (configuration managers, administrators). Requesters see no CMDB
  page; through the API they read only the assets they hold (none here).

Grid columns, in order (see ``sarv.testing.permission_matrix.ROLES``):
anonymous, Sara (requester of A), Reza (requester of B, another department), Mina (A's department
with the department permission), Parisa (watches A), Ali (agent, A's assignee), Hamid (group lead),
Neda (incident manager), Farhad (configuration manager, in no support group), administrator,
Kaveh (deactivated agent).
A is assigned to the service desk and Ali, and B is new and unassigned.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import URLResolver, get_resolver, resolve

from sarv.testing.permission_matrix import (
    ROLE_KEYS,
    SEARCH_BOTH,
    SEARCH_NOTE_ONLY,
    Cell,
    Row,
    World,
    app_matrix_rows,
    assign_data,
    assigned_to_maryam,
    body_data,
    build_world,
    child_data,
    cmdb_items,
    maryam_data,
    maryam_watches,
    other_is_child,
    priority_data,
    reason_data,
    resolve_data,
    resolved,
    row,
    run_rows,
    saved_view,
    sign_in,
    status_data,
    version_data,
)

pytestmark = pytest.mark.django_db


def _edit(cell: Cell) -> dict[str, Any]:
    record = cell.record
    return {**version_data(cell), "title": "چاپگر ویرایش‌شده", "description": record.description,
            "impact": record.impact, "urgency": record.urgency, "channel": record.channel}


def _major(cell: Cell) -> dict[str, Any]:
    return {**version_data(cell), "is_major": "True"}


def _unlink(cell: Cell) -> dict[str, Any]:
    return {"child": cell.other.pk}


def _letter(cell: Cell) -> dict[str, Any]:
    return {"letter_number": "۱۲۳۴/ص", "letter_date": "", "note": ""}


def _nothing(cell: Cell) -> dict[str, Any]:
    return {}


def _agent_create(cell: Cell) -> dict[str, Any]:
    return {"requester": cell.world.users["requester"].pk, "title": "اسکنر کار نمی‌کند", "description": "",
            "impact": 2, "urgency": 2, "channel": "phone"}


def _portal_create(cell: Cell) -> dict[str, Any]:
    return {"title": "اسکنر کار نمی‌کند", "description": "از دیروز اسکن نمی‌کند", "urgency": 2}


def _bulk(cell: Cell) -> dict[str, Any]:
    world = cell.world
    return {"selected": [world.records["A"].pk, world.records["B"].pk], "assigned_group": world.network_group.pk,
            "assignee": world.users["maryam"].pk, "query": ""}


def _saved_view(cell: Cell) -> dict[str, Any]:
    return {"name": "همه‌ی حادثه‌ها", "query": "queue=all"}


def _preferences(cell: Cell) -> dict[str, Any]:
    return {"language": "fa", "time_zone": ""}


# --- CMDB pages: the items of ``cmdb_items``; the service desk owns applications ---------------------------


def _cmdb_ci(cell: Cell) -> dict[str, Any]:
    return {"name_fa": "سرور ماتریس ۲", "ci_class": cell.created.get("server_class") or _server_class_id(),
            "status": "live", "criticality": 3, "version": cell.created.get("version", "")}


def _server_class_id() -> int:
    from sarv.cmdb.models import CIClass

    return CIClass.objects.get(code="server").pk


def _cmdb_app(cell: Cell) -> dict[str, Any]:
    return {"name_fa": "برنامه ماتریس ۲", "ci_class": cell.created["application_class"], "status": "live",
            "criticality": 3, "version": cell.created["app_version"]}


def _cmdb_relate(cell: Cell) -> dict[str, Any]:
    return {"kind": "outgoing:depends_on", "other": cell.created["switch"]}


def _cmdb_relate_app(cell: Cell) -> dict[str, Any]:
    return {"kind": "outgoing:runs_on", "other": cell.created["switch"]}


def _relationship_type(cell: Cell) -> dict[str, Any]:
    return {"code": "backs_up", "name_fa": "پشتیبان‌گیری از", "inverse_name_fa": "پشتیبان‌گیری‌شده توسط",
            "propagation": "to_source", "is_active": "on"}


def _relationship_type_edit(cell: Cell) -> dict[str, Any]:
    return {"name_fa": "اجرا روی", "name_en": "is running on", "inverse_name_fa": "میزبان",
            "propagation": "to_source", "is_active": "on"}


def _relationship_rule(cell: Cell) -> dict[str, Any]:
    from sarv.cmdb.models import CIClass

    return {"source_class": CIClass.objects.get(code="software").pk,
            "target_class": CIClass.objects.get(code="location").pk}


def _cmdb_class(cell: Cell) -> dict[str, Any]:
    return {"code": "printer", "name_fa": "چاپگر", "parent": "", "is_active": "on"}


def _cmdb_attribute(cell: Cell) -> dict[str, Any]:
    return {"code": "slots", "name_fa": "شیار", "type": "number", "is_active": "on"}


def _cmdb_import(cell: Cell) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"kind": "cis", "file": SimpleUploadedFile("cis.csv", "name_fa,class\nسرور تازه,server\n".encode())}


def _incident_cis(cell: Cell) -> dict[str, Any]:
    return {**version_data(cell), "affected_ci": cell.created["ci"]}


# Every page of the Settings area, with a real object where the URL names one.
SETTINGS_PAGES = (
    "", "users/", "users/new/", "users/{reza}/", "users/{reza}/password/", "groups/", "groups/new/",
    "groups/{service_desk}/", "groups/{service_desk}/members/", "departments/", "departments/new/",
    "departments/{finance}/", "locations/", "locations/new/", "locations/{location}/", "categories/",
    "categories/new/", "categories/{printer}/", "services/", "services/new/", "services/{service}/",
    "priority-matrix/", "modules/", "incidents/", "incidents/resolution-codes/new/",
    "incidents/resolution-codes/{resolution_code}/",
)
# The Settings buttons that change something at once: each posts to its own URL.
SETTINGS_BUTTONS = (
    "users/{reza}/active/", "groups/{service_desk}/members/{ali}/remove/", "categories/{printer}/delete/",
    "modules/incidents/", "incidents/resolution-codes/{resolution_code}/active/",
)

PAGE_ROWS: list[Row] = [
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("home", "GET", "/",
             "login  ok     ok     ok     ok     ok     ok     ok     ok     ok     login"),

    # The agent workspace list: each queue, and a search (which looks in every queue).
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("workspace mine", "GET", "/incidents/?queue=mine",
             "login  403    403    403    403    A      -      -      -      -      login"),
    row("workspace my groups", "GET", "/incidents/?queue=my_groups",
             "login  403    403    403    403    A      A      A      -      -      login"),
    row("workspace unassigned", "GET", "/incidents/?queue=unassigned",
             "login  403    403    403    403    B      B      B      B      B      login"),
    row("workspace all", "GET", "/incidents/?queue=all",
             "login  403    403    403    403    AB     AB     AB     AB     AB     login"),
    row("workspace search both", "GET", "/incidents/?q=" + SEARCH_BOTH,
             "login  403    403    403    403    AB     AB     AB     AB     AB     login"),
    row("workspace search note word", "GET", "/incidents/?q=" + SEARCH_NOTE_ONLY,
             "login  403    403    403    403    -      -      -      -      -      login"),
    row("register form", "GET", "/incidents/new/",
             "login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("register", "POST", "/incidents/new/",
             "login  403    403    403    403    ok     ok     ok     ok     ok     login",
        data=_agent_create),
    row("bulk update", "POST", "/incidents/bulk/",
             "login  403    403    403    403    403    ok     ok     403    ok     login",
        data=_bulk),
    row("save view", "POST", "/incidents/views/save/",
             "login  403    403    403    403    ok     ok     ok     ok     ok     login",
        data=_saved_view),
    row("delete own view", "POST", "/incidents/views/{view}/delete/",
             "login  403    403    403    403    ok     ok     ok     ok     ok     login",
        data=_nothing, prepare=saved_view),
    row("agent options", "GET", "/incidents/options/agents/?assigned_group={service_desk}",
             "login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("people options", "GET", "/incidents/options/people/?q=sara",
             "login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("subcategory options", "GET", "/incidents/options/subcategories/",
             "login  ok     ok     ok     ok     ok     ok     ok     ok     ok     login"),

    # The agent's incident page: a requester who may see the incident is sent to its portal page (ok).
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("incident page", "GET", "/incidents/{n}/",
           a="login  ok     404    ok     ok     ok     ok     ok     ok     ok     login",
           b="login  404    ok     404    404    ok     ok     ok     ok     ok     login"),

    # Quick actions of the agent's incident page. Non-agents get 403 before the record is looked up,
    # so the response is the same for A, for B and for a number that does not exist.
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("incident page take", "POST", "/incidents/{n}/take/", data=version_data, prepare=assigned_to_maryam,
        both="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("incident page assign", "POST", "/incidents/{n}/assign/", data=assign_data,
        both="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("incident page status", "POST", "/incidents/{n}/status/", data=status_data,
        both="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("incident page resolve", "POST", "/incidents/{n}/resolve/", data=resolve_data,
        both="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("incident page close", "POST", "/incidents/{n}/close/", data=_nothing, prepare=resolved,
        both="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("incident page reopen", "POST", "/incidents/{n}/reopen/", data=reason_data, prepare=resolved,
        both="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("incident page cancel", "POST", "/incidents/{n}/cancel/", data=reason_data,
        both="login  403    403    403    403    403    403    ok     403    ok     login"),
    row("incident page edit", "POST", "/incidents/{n}/edit/", data=_edit,
        both="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("incident page priority", "POST", "/incidents/{n}/priority/", data=priority_data,
        both="login  403    403    403    403    403    403    ok     403    ok     login"),
    # The major-incident switch is a plain button, so a refusal comes back as a message.
    row("incident page major", "POST", "/incidents/{n}/major/", data=_major,
        both="login  403    403    403    403    denied denied ok     denied ok     login"),
    row("incident page link", "POST", "/incidents/{n}/link/", data=child_data,
        both="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("incident page unlink", "POST", "/incidents/{n}/unlink/", data=_unlink, prepare=other_is_child,
        both="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("incident page watch", "POST", "/incidents/{n}/watch/", data=maryam_data,
        both="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("incident page unwatch", "POST", "/incidents/{n}/unwatch/", data=maryam_data, prepare=maryam_watches,
        both="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("incident page letter", "POST", "/incidents/{n}/letter/", data=_letter,
        both="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("incident page reply", "POST", "/incidents/{n}/reply/", data=body_data,
        both="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("incident page note", "POST", "/incidents/{n}/note/", data=body_data,
        both="login  403    403    403    403    ok     ok     ok     ok     ok     login"),

    # The requester portal: "My requests" (the department tab falls back to "mine" without the permission).
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("portal mine", "GET", "/portal/",
             "login  A      B      -      A      -      -      -      -      -      login"),
    row("portal department", "GET", "/portal/?scope=department",
             "login  A      B      A      A      -      -      -      -      -      login"),
    row("portal search both", "GET", "/portal/?q=" + SEARCH_BOTH,
             "login  A      B      -      A      -      -      -      -      -      login"),
    row("portal department search both", "GET", "/portal/?scope=department&q=" + SEARCH_BOTH,
             "login  A      B      A      A      -      -      -      -      -      login"),
    row("portal department search note word", "GET", "/portal/?scope=department&q=" + SEARCH_NOTE_ONLY,
             "login  -      -      -      -      -      -      -      -      -      login"),
    row("portal report form", "GET", "/portal/new/",
             "login  ok     ok     ok     ok     ok     ok     ok     ok     ok     login"),
    row("portal report", "POST", "/portal/new/",
             "login  ok     ok     ok     ok     ok     ok     ok     ok     ok     login",
        data=_portal_create),
    row("portal subcategory options", "GET", "/portal/options/subcategories/",
             "login  ok     ok     ok     ok     ok     ok     ok     ok     ok     login"),
    row("portal incident", "GET", "/portal/{n}/",
           a="login  ok     404    ok     ok     ok     ok     ok     ok     ok     login",
           b="login  404    ok     404    404    ok     ok     ok     ok     ok     login"),
    row("portal reply", "POST", "/portal/{n}/reply/", data=body_data,
           a="login  ok     404    403    ok     ok     ok     ok     ok     ok     login",
           b="login  404    ok     404    404    ok     ok     ok     ok     ok     login"),
    row("portal confirm", "POST", "/portal/{n}/confirm/", data=_nothing, prepare=resolved,
           a="login  ok     404    denied denied denied denied denied denied denied login",
           b="login  404    ok     404    404    denied denied denied denied denied login"),
    row("portal reopen", "POST", "/portal/{n}/reopen/", data=reason_data, prepare=resolved,
           a="login  ok     404    403    403    ok     ok     ok     ok     ok     login",
           b="login  404    ok     404    404    ok     ok     ok     ok     ok     login"),
    row("portal cancel", "POST", "/portal/{n}/cancel/", data=reason_data,
           a="login  ok     404    403    403    403    403    ok     403    ok     login",
           b="login  404    ok     404    404    403    403    ok     403    ok     login"),

    # Attachment downloads: the record must be visible, and internal files need an agent.
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("A's public attachment", "GET", "/attachments/{a_public}/",
             "login  ok     404    ok     ok     ok     ok     ok     ok     ok     login"),
    row("A's internal attachment", "GET", "/attachments/{a_internal}/",
             "login  404    404    404    404    ok     ok     ok     ok     ok     login"),
    row("B's public attachment", "GET", "/attachments/{b_public}/",
             "login  404    ok     404    404    ok     ok     ok     ok     ok     login"),

    row("notifications", "GET", "/notifications/",
             "login  ok     ok     ok     ok     ok     ok     ok     ok     ok     login"),
    row("preferences", "GET", "/preferences/",
             "login  ok     ok     ok     ok     ok     ok     ok     ok     ok     login"),
    row("save preferences", "POST", "/preferences/",
             "login  ok     ok     ok     ok     ok     ok     ok     ok     ok     login",
        data=_preferences),

    # Settings are for administrators. The audit log needs core.view_audit_log, which only they have.
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    *[row(f"settings {page or 'index'}", "GET", "/settings/" + page,
             "login  403    403    403    403    403    403    403    403    ok     login")
      for page in SETTINGS_PAGES],
    *[row(f"settings {button}", "POST", "/settings/" + button,
             "login  403    403    403    403    403    403    403    403    ok     login",
          data=_nothing)
      for button in SETTINGS_BUTTONS],
    # Service level agreements and suppliers are settings too.
    *[row(f"settings {page}", "GET", "/settings/sla/" + page,
             "login  403    403    403    403    403    403    403    403    ok     login")
      for page in ("", "new/", "{agreement}/", "suppliers/", "suppliers/new/", "suppliers/{supplier}/")],
    *[row(f"settings {button}", "POST", "/settings/sla/" + button,
             "login  403    403    403    403    403    403    403    403    ok     login",
          data=_nothing)
      for button in ("{agreement}/active/", "{agreement}/move/up/")],
    # SLA reports are for SLA managers, incident managers and administrators.
    *[row(f"sla report {page or 'compliance'}", "GET", "/sla/reports/" + page,
             "login  403    403    403    403    403    403    ok     403    ok     login")
      for page in ("", "breaches/", "?format=xlsx", "breaches/?format=xlsx")],
    # Business calendars are settings too.
    *[row(f"settings calendars {page or 'list'}", "GET", "/settings/calendars/" + page,
             "login  403    403    403    403    403    403    403    403    ok     login")
      for page in ("", "new/", "{calendar}/", "{calendar}/hour-sets/new/", "hour-sets/{hour_set}/", "holidays/",
                   "holidays/new/", "holidays/import/", "holidays/export/", "holidays/{holiday}/", "closures/",
                   "preview/", "changed/", "changed/status/")],
    *[row(f"settings calendars {button}", "POST", "/settings/calendars/" + button,
             "login  403    403    403    403    403    403    403    403    ok     login",
          data=_nothing)
      for button in ("versions/{version}/delete/", "hour-sets/{hour_set}/delete/", "holidays/{holiday}/confirm/",
                     "holidays/{holiday}/delete/", "closures/{closure}/reverse/")],
    row("settings calendars copy holiday list", "POST", "/settings/calendars/holidays/copy/",
             "login  403    403    403    403    403    403    403    403    ok     login",
        data=lambda cell: {"name_fa": "فهرست استانی"}),
    row("settings audit log", "GET", "/settings/audit-log/",
             "login  403    403    403    403    403    403    403    403    ok     login"),

    # CMDB pages: agents browse every item and edit and relate those of their group's classes; classes,
    # attributes, relationship types and imports are for configuration managers and administrators.
    # Requesters get 403 before any item is looked up. With ``cmdb_items`` the service desk owns applications;
    # without it no class, so its agents get a message (denied) where they would edit, or 403 on a form post.
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("CMDB list", "GET", "/cmdb/",
             "login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("CMDB export", "GET", "/cmdb/export/?format=csv",
             "login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("CMDB CI form", "GET", "/cmdb/cis/new/",
             "login  403    403    403    403    denied denied denied ok     ok     login"),
    row("CMDB add CI", "POST", "/cmdb/cis/new/", data=_cmdb_ci,
             grid="login  403    403    403    403    denied denied denied ok     ok     login"),
    row("CMDB CI page", "GET", "/cmdb/cis/{ci}/", prepare=cmdb_items,
             grid="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("CMDB CI page as of", "GET", "/cmdb/cis/{ci}/?as_of=1405/01/01", prepare=cmdb_items,
             grid="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("CMDB edit form", "GET", "/cmdb/cis/{ci}/edit/", prepare=cmdb_items,
             grid="login  403    403    403    403    denied denied denied ok     ok     login"),
    row("CMDB edit", "POST", "/cmdb/cis/{ci}/edit/", prepare=cmdb_items, data=_cmdb_ci,
             grid="login  403    403    403    403    denied denied denied ok     ok     login"),
    row("CMDB CI form, group owns a class", "GET", "/cmdb/cis/new/", prepare=cmdb_items,
             grid="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("CMDB add CI of the group's class", "POST", "/cmdb/cis/new/", prepare=cmdb_items, data=_cmdb_app,
             grid="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("CMDB edit form of the group's class", "GET", "/cmdb/cis/{app}/edit/", prepare=cmdb_items,
             grid="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("CMDB edit of the group's class", "POST", "/cmdb/cis/{app}/edit/", prepare=cmdb_items, data=_cmdb_app,
             grid="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("CMDB impact table", "GET", "/cmdb/cis/{ci}/impact/?direction=down&depth=3", prepare=cmdb_items,
             grid="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("CMDB relate", "POST", "/cmdb/cis/{ci}/relationships/add/", prepare=cmdb_items, data=_cmdb_relate,
             grid="login  403    403    403    403    403    403    403    ok     ok     login"),
    row("CMDB end relationship", "POST", "/cmdb/cis/{ci}/relationships/{cable}/end/", prepare=cmdb_items,
        data=_nothing,
             grid="login  403    403    403    403    denied denied denied ok     ok     login"),
    row("CMDB relate the group's item", "POST", "/cmdb/cis/{app}/relationships/add/", prepare=cmdb_items,
        data=_cmdb_relate_app,
             grid="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("CMDB end the group's relationship", "POST", "/cmdb/cis/{app}/relationships/{relationship}/end/",
        prepare=cmdb_items, data=_nothing,
             grid="login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("CMDB CI options", "GET", "/cmdb/options/cis/?q=x",
             "login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("CMDB attribute fields", "GET", "/cmdb/options/attributes/?ci_class=1",
             "login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("CMDB incident suggestions", "GET", "/cmdb/options/suggestions/?requester={sara}",
             "login  403    403    403    403    ok     ok     ok     ok     ok     login"),
    row("CMDB classes", "GET", "/cmdb/classes/",
             "login  403    403    403    403    403    403    403    ok     ok     login"),
    row("CMDB class form", "GET", "/cmdb/classes/new/",
             "login  403    403    403    403    403    403    403    ok     ok     login"),
    row("CMDB add class", "POST", "/cmdb/classes/new/", data=_cmdb_class,
             grid="login  403    403    403    403    403    403    403    ok     ok     login"),
    row("CMDB class page", "GET", "/cmdb/classes/{server_class}/", prepare=cmdb_items,
             grid="login  403    403    403    403    403    403    403    ok     ok     login"),
    row("CMDB add attribute", "POST", "/cmdb/classes/{server_class}/attributes/new/", prepare=cmdb_items,
        data=_cmdb_attribute,
             grid="login  403    403    403    403    403    403    403    ok     ok     login"),
    row("CMDB attribute form", "GET", "/cmdb/classes/{server_class}/attributes/{attribute}/", prepare=cmdb_items,
             grid="login  403    403    403    403    403    403    403    ok     ok     login"),
    row("CMDB relationship types", "GET", "/cmdb/relationship-types/",
             "login  403    403    403    403    403    403    403    ok     ok     login"),
    row("CMDB relationship type form", "GET", "/cmdb/relationship-types/new/",
             "login  403    403    403    403    403    403    403    ok     ok     login"),
    row("CMDB add relationship type", "POST", "/cmdb/relationship-types/new/", data=_relationship_type,
             grid="login  403    403    403    403    403    403    403    ok     ok     login"),
    row("CMDB relationship type page", "GET", "/cmdb/relationship-types/runs_on/",
             "login  403    403    403    403    403    403    403    ok     ok     login"),
    row("CMDB edit relationship type", "POST", "/cmdb/relationship-types/runs_on/", data=_relationship_type_edit,
             grid="login  403    403    403    403    403    403    403    ok     ok     login"),
    row("CMDB allow class pair", "POST", "/cmdb/relationship-types/runs_on/rules/", data=_relationship_rule,
             grid="login  403    403    403    403    403    403    403    ok     ok     login"),
    row("CMDB remove class pair", "POST", "/cmdb/relationship-types/depends_on/rules/{rule}/remove/",
        prepare=cmdb_items, data=_nothing,
             grid="login  403    403    403    403    403    403    403    ok     ok     login"),
    row("CMDB import form", "GET", "/cmdb/import/",
             "login  403    403    403    403    403    403    403    ok     ok     login"),
    row("CMDB upload", "POST", "/cmdb/import/", data=_cmdb_import, multipart=True,
             grid="login  403    403    403    403    403    403    403    ok     ok     login"),
    row("CMDB import review", "GET", "/cmdb/import/{run}/", prepare=cmdb_items,
             grid="login  403    403    403    403    403    403    403    ok     ok     login"),
    row("incident page configuration items", "POST", "/incidents/{n}/cis/", data=_incident_cis, prepare=cmdb_items,
        both="login  403    403    403    403    ok     ok     ok     ok     ok     login"),

    # The API browser describes the API, not records, and drf-spectacular serves it to everybody.
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("API docs", "GET", "/api/docs/",
             "ok     ok     ok     ok     ok     ok     ok     ok     ok     ok     ok"),
]


@pytest.fixture
def world(request: pytest.FixtureRequest) -> World:
    return build_world(request)


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_pages_follow_policy(world, role):
    # given the cast, records A and B, and a browser signed in as ``role``
    client, _api_client = sign_in(world, role)

    # when every page row is requested, each from the same data
    problems = run_rows(world, role, PAGE_ROWS, client)

    # then every response is the grid's, refusals changed nothing, and no hidden text reached the role
    assert not problems, "\n".join(problems)


class _ExampleIds(dict):
    """Path values for resolving row paths without data: a number, a file id, or 1 for any other id."""

    def __missing__(self, key: str) -> str:
        if key in ("n", "other"):
            return "INC-1405-000001"
        if key in ("a_public", "a_internal", "b_public"):
            return "00000000-0000-0000-0000-000000000001"
        return "1"


def _url_names(patterns: list[Any], namespaces: tuple[str, ...] = ()) -> list[str]:
    names = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names += _url_names(pattern.url_patterns, namespaces + ((pattern.namespace,) if pattern.namespace else ()))
        else:
            names.append(":".join((*namespaces, pattern.name or str(pattern.pattern))))
    return names


# URLs that the matrix leaves out on purpose, and why.
NOT_IN_MATRIX = {
    "accounts:login": "the sign-in page, open to everybody",
    "accounts:logout": "signing out, open to everybody",
    "core:set_language": "stores the chosen language in a cookie for anybody and reads no record",
    "api-schema": "describes the API, not records, and is slow to build, so test_api_schema_is_public checks it once",
}


def test_every_url_has_a_matrix_row():
    # given every URL of the project outside the developers' Django admin
    from sarv.incidents.tests.test_permission_matrix_api import API_ROWS

    names = [name for name in _url_names(get_resolver().url_patterns) if not name.startswith("admin:")]

    # when the rows of both matrices, and of every app's own matrix module, are resolved to URL names
    rows = [*PAGE_ROWS, *API_ROWS, *app_matrix_rows()]
    covered = {resolve(urlsplit(matrix_row.path.format_map(_ExampleIds())).path).view_name for matrix_row in rows}

    # then each URL has a row, or a stated reason to have none
    assert [name for name in names if name not in covered and name not in NOT_IN_MATRIX] == []
