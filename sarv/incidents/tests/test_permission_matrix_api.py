"""Permission matrix of the REST API: each role × each endpoint × record A and record B.

The policy is the one stated in ``test_permission_matrix.py``. The columns and the
outcomes are those of ``sarv.testing.permission_matrix``. API clients sign in
with a token, so anonymous and deactivated callers get 401 where pages redirect
to the sign-in page. An action the user may not take on a record they may see
returns 403. A record they may not see returns 404 before any permission
check, so a refusal never reveals that it exists.
"""

from __future__ import annotations

from typing import Any

import pytest

from sarv.testing.factories import TEST_PASSWORD
from sarv.testing.permission_matrix import (
    ROLE_KEYS,
    SEARCH_BOTH,
    SEARCH_NOTE_ONLY,
    Cell,
    Row,
    World,
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
    sign_in,
    status_data,
    text_file,
    version_data,
)

pytestmark = pytest.mark.django_db

INCIDENTS = "/api/v1/incidents/"
INCIDENT = "/api/v1/incidents/{n}/"


def _patch(cell: Cell) -> dict[str, Any]:
    return {**version_data(cell), "title": "چاپگر ویرایش‌شده"}


def _major(cell: Cell) -> dict[str, Any]:
    return {**version_data(cell), "is_major": True}


def _public_upload(cell: Cell) -> dict[str, Any]:
    return {"attachments": [text_file("matrix-upload.txt")], "internal": False}


def _internal_upload(cell: Cell) -> dict[str, Any]:
    return {"attachments": [text_file("matrix-upload.txt")], "internal": True}


def _letter(cell: Cell) -> dict[str, Any]:
    return {"number": "1234/ص"}


def _bulk(cell: Cell) -> dict[str, Any]:
    world = cell.world
    return {"numbers": [world.records["A"].number, world.records["B"].number],
            "assigned_group": world.network_group.pk, "assignee": world.users["maryam"].pk}


def _create(cell: Cell) -> dict[str, Any]:
    return {"title": "اسکنر کار نمی‌کند"}


def _credentials(cell: Cell) -> dict[str, Any]:
    if cell.user is None:
        return {"username": "nobody", "password": "not-a-password"}
    return {"username": cell.user.username, "password": TEST_PASSWORD}


def _calendar(cell: Cell) -> dict[str, Any]:
    return {"name_fa": "تقویم شیفت", "week": [{"weekday": 0, "start": "08:00", "end": "16:00"}],
            "effective_from": "1405/07/01"}


def _hour_set(cell: Cell) -> dict[str, Any]:
    return {"calendar": cell.path_values()["calendar"], "name_fa": "رمضان", "start_date": "1405/11/20",
            "end_date": "1405/12/19", "week": [{"weekday": 0, "start": "09:00", "end": "14:00"}]}


def _holiday(cell: Cell) -> dict[str, Any]:
    return {"date": "1406/01/05", "name_fa": "تعطیلی استانی", "kind": "special"}


def _holiday_csv(cell: Cell) -> dict[str, Any]:
    return {"csv": "jalali_date,name_fa,kind\n1406/01/06,تعطیلی آزمون,special\n"}


def _closure(cell: Cell) -> dict[str, Any]:
    return {"start_date": "1405/09/15", "reason": "برف", "announced_by": "استانداری"}


def _preview(cell: Cell) -> dict[str, Any]:
    return {"calendar": cell.path_values()["calendar"], "start": "2026-04-25T09:00:00+03:30", "seconds": 3600}


def _agreement(cell: Cell) -> dict[str, Any]:
    return {"name_fa": "توافق سطح خدمت شبکه", "kind": "sla", "targets": [{"metric": "resolution", "seconds": 3600}]}


CMDB = "/api/v1/cmdb/"


def _cmdb_class(cell: Cell) -> dict[str, Any]:
    return {"code": "printer", "name_fa": "چاپگر", "parent": "hardware"}


def _cmdb_class_change(cell: Cell) -> dict[str, Any]:
    return {"description": "سرورهای مرکز داده"}


def _cmdb_attribute(cell: Cell) -> dict[str, Any]:
    return {"ci_class": "server", "code": "slots", "name_fa": "شیار", "type": "number"}


def _cmdb_attribute_change(cell: Cell) -> dict[str, Any]:
    return {"ci_class": "server", "code": "rack", "name_fa": "رک سرور", "type": "text"}


def _relationship_type(cell: Cell) -> dict[str, Any]:
    return {"code": "backs_up", "name_fa": "پشتیبان‌گیری از", "inverse_name_fa": "پشتیبان‌گیری‌شده توسط",
            "propagation": "to_source"}


def _relationship_type_change(cell: Cell) -> dict[str, Any]:
    return {"name_en": "is running on"}


def _class_pair(cell: Cell) -> dict[str, Any]:
    return {"source_class": "software", "target_class": "location"}


def _server(cell: Cell) -> dict[str, Any]:
    return {"name_fa": "سرور تازه", "ci_class": "server"}


def _application(cell: Cell) -> dict[str, Any]:
    return {"name_fa": "برنامه تازه", "ci_class": "application"}


def _server_change(cell: Cell) -> dict[str, Any]:
    return {"version": cell.created["version"], "status": "retired"}


def _application_change(cell: Cell) -> dict[str, Any]:
    return {"version": cell.created["app_version"], "status": "retired"}


def _server_relationship(cell: Cell) -> dict[str, Any]:
    return {"source": cell.created["ci"], "type": "depends_on", "target": cell.created["switch"]}


def _application_relationship(cell: Cell) -> dict[str, Any]:
    return {"source": cell.created["app"], "type": "runs_on", "target": cell.created["switch"]}


def _cmdb_upload(cell: Cell) -> dict[str, Any]:
    return {"kind": "cis", "file": text_file("cis.csv", "name_fa,class\nسرور تازه,server\n")}


REFERENCE_DATA = ("categories", "departments", "locations", "support-groups", "services", "resolution-codes",
                  "users")

API_ROWS: list[Row] = [
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("list", "GET", INCIDENTS,
             "401    A      B      A      A      AB     AB     AB     AB     AB     401"),
    row("search both", "GET", INCIDENTS + "?q=" + SEARCH_BOTH,
             "401    A      B      A      A      AB     AB     AB     AB     AB     401"),
    row("search note word", "GET", INCIDENTS + "?q=" + SEARCH_NOTE_ONLY,
             "401    -      -      -      -      -      -      -      -      -      401"),
    row("queue mine", "GET", INCIDENTS + "?queue=mine",
             "401    403    403    403    403    A      -      -      -      -      401"),
    row("queue my groups", "GET", INCIDENTS + "?queue=my_groups",
             "401    403    403    403    403    A      A      A      -      -      401"),
    row("queue unassigned", "GET", INCIDENTS + "?queue=unassigned",
             "401    403    403    403    403    B      B      B      B      B      401"),
    row("queue all", "GET", INCIDENTS + "?queue=all",
             "401    403    403    403    403    AB     AB     AB     AB     AB     401"),
    row("queue all search both", "GET", INCIDENTS + "?queue=all&q=" + SEARCH_BOTH,
             "401    403    403    403    403    AB     AB     AB     AB     AB     401"),
    row("report", "POST", INCIDENTS,
             "401    ok     ok     ok     ok     ok     ok     ok     ok     ok     401",
        data=_create),
    row("bulk", "POST", INCIDENTS + "bulk/",
             "401    403    403    403    403    403    ok     ok     403    ok     401",
        data=_bulk),

    # One incident: reading it, and agents' edits and life-cycle actions.
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("detail", "GET", INCIDENT,
           a="401    ok     404    ok     ok     ok     ok     ok     ok     ok     401",
           b="401    404    ok     404    404    ok     ok     ok     ok     ok     401"),
    row("edit", "PATCH", INCIDENT, data=_patch,
           a="401    403    404    403    403    ok     ok     ok     ok     ok     401",
           b="401    404    403    404    404    ok     ok     ok     ok     ok     401"),
    row("assign", "POST", INCIDENT + "assign/", data=assign_data,
           a="401    403    404    403    403    ok     ok     ok     ok     ok     401",
           b="401    404    403    404    404    ok     ok     ok     ok     ok     401"),
    row("take", "POST", INCIDENT + "take/", data=version_data, prepare=assigned_to_maryam,
           a="401    403    404    403    403    ok     ok     ok     ok     ok     401",
           b="401    404    403    404    404    ok     ok     ok     ok     ok     401"),
    row("status", "POST", INCIDENT + "status/", data=status_data,
           a="401    403    404    403    403    ok     ok     ok     ok     ok     401",
           b="401    404    403    404    404    ok     ok     ok     ok     ok     401"),
    row("resolve", "POST", INCIDENT + "resolve/", data=resolve_data,
           a="401    403    404    403    403    ok     ok     ok     ok     ok     401",
           b="401    404    403    404    404    ok     ok     ok     ok     ok     401"),
    row("close", "POST", INCIDENT + "close/", prepare=resolved,
           a="401    403    404    403    403    ok     ok     ok     ok     ok     401",
           b="401    404    403    404    404    ok     ok     ok     ok     ok     401"),
    row("reopen", "POST", INCIDENT + "reopen/", data=reason_data, prepare=resolved,
           a="401    ok     404    403    403    ok     ok     ok     ok     ok     401",
           b="401    404    ok     404    404    ok     ok     ok     ok     ok     401"),
    row("confirm", "POST", INCIDENT + "confirm/", prepare=resolved,
           a="401    ok     404    403    403    403    403    403    403    403    401",
           b="401    404    ok     404    404    403    403    403    403    403    401"),
    row("cancel", "POST", INCIDENT + "cancel/", data=reason_data,
           a="401    ok     404    403    403    403    403    ok     403    ok     401",
           b="401    404    ok     404    404    403    403    ok     403    ok     401"),
    row("priority override", "POST", INCIDENT + "priority-override/", data=priority_data,
           a="401    403    404    403    403    403    403    ok     403    ok     401",
           b="401    404    403    404    404    403    403    ok     403    ok     401"),
    row("major", "POST", INCIDENT + "major/", data=_major,
           a="401    403    404    403    403    403    403    ok     403    ok     401",
           b="401    404    403    404    404    403    403    ok     403    ok     401"),

    # What hangs off an incident.
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("timeline", "GET", INCIDENT + "timeline/",
           a="401    ok     404    ok     ok     ok     ok     ok     ok     ok     401",
           b="401    404    ok     404    404    ok     ok     ok     ok     ok     401"),
    row("reply", "POST", INCIDENT + "replies/", data=body_data,
           a="401    ok     404    403    ok     ok     ok     ok     ok     ok     401",
           b="401    404    ok     404    404    ok     ok     ok     ok     ok     401"),
    row("work note", "POST", INCIDENT + "notes/", data=body_data,
           a="401    403    404    403    403    ok     ok     ok     ok     ok     401",
           b="401    404    403    404    404    ok     ok     ok     ok     ok     401"),
    row("attachments", "GET", INCIDENT + "attachments/",
           a="401    ok     404    ok     ok     ok     ok     ok     ok     ok     401",
           b="401    404    ok     404    404    ok     ok     ok     ok     ok     401"),
    row("upload public file", "POST", INCIDENT + "attachments/", data=_public_upload, multipart=True,
           a="401    ok     404    403    ok     ok     ok     ok     ok     ok     401",
           b="401    404    ok     404    404    ok     ok     ok     ok     ok     401"),
    row("upload internal file", "POST", INCIDENT + "attachments/", data=_internal_upload, multipart=True,
           a="401    403    404    403    403    ok     ok     ok     ok     ok     401",
           b="401    404    403    404    404    ok     ok     ok     ok     ok     401"),
    row("watchers", "GET", INCIDENT + "watchers/",
           a="401    ok     404    ok     ok     ok     ok     ok     ok     ok     401",
           b="401    404    ok     404    404    ok     ok     ok     ok     ok     401"),
    row("add watcher", "POST", INCIDENT + "watchers/", data=maryam_data,
           a="401    ok     404    403    403    ok     ok     ok     ok     ok     401",
           b="401    404    ok     404    404    ok     ok     ok     ok     ok     401"),
    row("remove watcher", "DELETE", INCIDENT + "watchers/{maryam}/", prepare=maryam_watches,
           a="401    ok     404    403    403    ok     ok     ok     ok     ok     401",
           b="401    404    ok     404    404    ok     ok     ok     ok     ok     401"),
    # Parisa may stop watching A herself. She watches nothing on B, so there it is not found for anybody.
    row("remove watcher Parisa", "DELETE", INCIDENT + "watchers/{parisa}/",
           a="401    ok     404    403    ok     ok     ok     ok     ok     ok     401"),
    row("references", "GET", INCIDENT + "references/",
           a="401    ok     404    ok     ok     ok     ok     ok     ok     ok     401",
           b="401    404    ok     404    404    ok     ok     ok     ok     ok     401"),
    row("add letter", "POST", INCIDENT + "references/", data=_letter,
           a="401    ok     404    403    403    ok     ok     ok     ok     ok     401",
           b="401    404    ok     404    404    ok     ok     ok     ok     ok     401"),
    row("children", "GET", INCIDENT + "children/",
           a="401    ok     404    ok     ok     ok     ok     ok     ok     ok     401",
           b="401    404    ok     404    404    ok     ok     ok     ok     ok     401"),
    # The child is the other record, which no requester may see, so its number is not found before any
    # permission check.
    row("link child", "POST", INCIDENT + "children/", data=child_data,
           a="401    404    404    404    404    ok     ok     ok     ok     ok     401",
           b="401    404    404    404    404    ok     ok     ok     ok     ok     401"),
    row("unlink child", "DELETE", INCIDENT + "children/{other}/", prepare=other_is_child,
           a="401    404    404    404    404    ok     ok     ok     ok     ok     401",
           b="401    404    404    404    404    ok     ok     ok     ok     ok     401"),

    # SLA clocks follow the record's visibility; agreements are for administrators.
    row("clocks", "GET", "/api/v1/sla/clocks/{n}/",
           a="401    ok     404    ok     ok     ok     ok     ok     ok     ok     401",
           b="401    404    ok     404    404    ok     ok     ok     ok     ok     401"),
    row("agreements", "GET", "/api/v1/sla/agreements/",
             "401    403    403    403    403    403    403    403    403    ok     401"),
    row("agreement", "GET", "/api/v1/sla/agreements/{agreement}/",
             "401    403    403    403    403    403    403    403    403    ok     401"),
    row("create agreement", "POST", "/api/v1/sla/agreements/",
             "401    403    403    403    403    403    403    403    403    ok     401", data=_agreement),
    row("replace agreement", "PUT", "/api/v1/sla/agreements/{agreement}/",
             "401    403    403    403    403    403    403    403    403    ok     401", data=_agreement),

    # SLA reports are for SLA managers, incident managers and administrators.
    row("sla compliance report", "GET", "/api/v1/sla/reports/compliance/",
             "401    403    403    403    403    403    403    ok     403    ok     401"),
    row("sla breach report", "GET", "/api/v1/sla/reports/breaches/",
             "401    403    403    403    403    403    403    ok     403    ok     401"),

    # Business calendars are for administrators.
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    *[row(f"calendars {path or 'list'}", "GET", "/api/v1/calendars/" + path,
             "401    403    403    403    403    403    403    403    403    ok     401")
      for path in ("", "{calendar}/", "hour-sets/", "hour-sets/{hour_set}/", "holidays/", "holidays/{holiday}/",
                   "holidays/export/", "closures/", "closures/{closure}/")],
    row("create calendar", "POST", "/api/v1/calendars/",
             "401    403    403    403    403    403    403    403    403    ok     401", data=_calendar),
    row("replace calendar", "PUT", "/api/v1/calendars/{calendar}/",
             "401    403    403    403    403    403    403    403    403    ok     401", data=_calendar),
    row("create hour set", "POST", "/api/v1/calendars/hour-sets/",
             "401    403    403    403    403    403    403    403    403    ok     401", data=_hour_set),
    row("replace hour set", "PUT", "/api/v1/calendars/hour-sets/{hour_set}/",
             "401    403    403    403    403    403    403    403    403    ok     401", data=_hour_set),
    row("delete hour set", "DELETE", "/api/v1/calendars/hour-sets/{hour_set}/",
             "401    403    403    403    403    403    403    403    403    ok     401"),
    row("create holiday", "POST", "/api/v1/calendars/holidays/",
             "401    403    403    403    403    403    403    403    403    ok     401", data=_holiday),
    row("replace holiday", "PUT", "/api/v1/calendars/holidays/{holiday}/",
             "401    403    403    403    403    403    403    403    403    ok     401", data=_holiday),
    row("delete holiday", "DELETE", "/api/v1/calendars/holidays/{holiday}/",
             "401    403    403    403    403    403    403    403    403    ok     401"),
    row("confirm holiday", "POST", "/api/v1/calendars/holidays/{holiday}/confirm/",
             "401    403    403    403    403    403    403    403    403    ok     401"),
    row("import holidays", "POST", "/api/v1/calendars/holidays/import/",
             "401    403    403    403    403    403    403    403    403    ok     401", data=_holiday_csv),
    row("create closure", "POST", "/api/v1/calendars/closures/",
             "401    403    403    403    403    403    403    403    403    ok     401", data=_closure),
    row("reverse closure", "POST", "/api/v1/calendars/closures/{closure}/reverse/",
             "401    403    403    403    403    403    403    403    403    ok     401"),
    row("calendar preview", "POST", "/api/v1/calendars/preview/",
             "401    403    403    403    403    403    403    403    403    ok     401", data=_preview, writes=False),

    # Reference data, the signed-in user, and the token sign-in.
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    *[row(f"reference data {name}", "GET", f"/api/v1/{name}/",
             "401    ok     ok     ok     ok     ok     ok     ok     ok     ok     401")
      for name in REFERENCE_DATA],
    *[row(f"reference data {name}", "GET", f"/api/v1/{name}/",
             "401    ok     ok     ok     ok     ok     ok     ok     ok     ok     401")
      for name in ("departments/{finance}", "locations/{location}", "support-groups/{service_desk}",
                   "services/{service}", "resolution-codes/{resolution_code}")],
    # People: agents look up anybody, and everybody else only themselves.
    row("user Reza", "GET", "/api/v1/users/{reza}/",
             "401    404    ok     404    404    ok     ok     ok     ok     ok     401"),
    row("me", "GET", "/api/v1/me/",
             "401    ok     ok     ok     ok     ok     ok     ok     ok     ok     401"),
    # Getting the token again returns the one the client already has, so nothing changes. The deactivated
    # user's client still sends its old token, which is refused before the password is read.
    row("get token", "POST", "/api/v1/auth/token/",
             "400    ok     ok     ok     ok     ok     ok     ok     ok     ok     401",
        data=_credentials, writes=False),
    row("revoke token", "DELETE", "/api/v1/auth/token/",
             "401    ok     ok     ok     ok     ok     ok     ok     ok     ok     401"),

    # CMDB: agents read everything and edit and relate the items of the classes their group owns (the
    # service desk owns applications in ``cmdb_items``); configuration managers and administrators do all.
    # Requesters get 403, except on CIs, where they read only the assets they hold (none here): an empty
    # list, 404 for an item, and 403 for a write.
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("CMDB classes", "GET", CMDB + "classes/",
             "401    403    403    403    403    ok     ok     ok     ok     ok     401"),
    row("CMDB class", "GET", CMDB + "classes/server/",
             "401    403    403    403    403    ok     ok     ok     ok     ok     401"),
    row("CMDB class attributes", "GET", CMDB + "classes/server/attributes/",
             "401    403    403    403    403    ok     ok     ok     ok     ok     401"),
    row("CMDB add class", "POST", CMDB + "classes/", data=_cmdb_class,
             grid="401    403    403    403    403    403    403    403    ok     ok     401"),
    row("CMDB change class", "PATCH", CMDB + "classes/server/", data=_cmdb_class_change,
             grid="401    403    403    403    403    403    403    403    ok     ok     401"),
    row("CMDB attributes", "GET", CMDB + "attributes/",
             "401    403    403    403    403    ok     ok     ok     ok     ok     401"),
    row("CMDB attribute", "GET", CMDB + "attributes/{attribute}/", prepare=cmdb_items,
             grid="401    403    403    403    403    ok     ok     ok     ok     ok     401"),
    row("CMDB add attribute", "POST", CMDB + "attributes/", data=_cmdb_attribute,
             grid="401    403    403    403    403    403    403    403    ok     ok     401"),
    row("CMDB change attribute", "PUT", CMDB + "attributes/{attribute}/", prepare=cmdb_items,
        data=_cmdb_attribute_change,
             grid="401    403    403    403    403    403    403    403    ok     ok     401"),
    row("CMDB relationship types", "GET", CMDB + "relationship-types/",
             "401    403    403    403    403    ok     ok     ok     ok     ok     401"),
    row("CMDB relationship type", "GET", CMDB + "relationship-types/runs_on/",
             "401    403    403    403    403    ok     ok     ok     ok     ok     401"),
    row("CMDB add relationship type", "POST", CMDB + "relationship-types/", data=_relationship_type,
             grid="401    403    403    403    403    403    403    403    ok     ok     401"),
    row("CMDB change relationship type", "PATCH", CMDB + "relationship-types/runs_on/",
        data=_relationship_type_change,
             grid="401    403    403    403    403    403    403    403    ok     ok     401"),
    row("CMDB allow class pair", "POST", CMDB + "relationship-types/runs_on/rules/", data=_class_pair,
             grid="401    403    403    403    403    403    403    403    ok     ok     401"),
    row("CMDB remove class pair", "DELETE", CMDB + "relationship-types/depends_on/rules/{rule}/",
        prepare=cmdb_items,
             grid="401    403    403    403    403    403    403    403    ok     ok     401"),

            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("CMDB CIs", "GET", CMDB + "cis/", prepare=cmdb_items,
             grid="401    ok     ok     ok     ok     ok     ok     ok     ok     ok     401"),
    # Sara may ask for her own suggestions (the assets she holds); other requesters may not ask for hers.
    row("CMDB suggestions", "GET", CMDB + "cis/suggestions/?requester={sara}",
             "401    ok     404    404    404    ok     ok     ok     ok     ok     401"),
    row("CMDB CI", "GET", CMDB + "cis/{ci}/", prepare=cmdb_items,
             grid="401    404    404    404    404    ok     ok     ok     ok     ok     401"),
    row("CMDB CI relationships", "GET", CMDB + "cis/{ci}/relationships/", prepare=cmdb_items,
             grid="401    404    404    404    404    ok     ok     ok     ok     ok     401"),
    row("CMDB CI impact", "GET", CMDB + "cis/{ci}/impact/?direction=down", prepare=cmdb_items,
             grid="401    404    404    404    404    ok     ok     ok     ok     ok     401"),
    row("CMDB CI history", "GET", CMDB + "cis/{ci}/history/", prepare=cmdb_items,
             grid="401    404    404    404    404    ok     ok     ok     ok     ok     401"),
    row("CMDB CI as of", "GET", CMDB + "cis/{ci}/as-of/?at=1405/01/01", prepare=cmdb_items,
             grid="401    404    404    404    404    ok     ok     ok     ok     ok     401"),
    row("CMDB CI open incidents", "GET", CMDB + "cis/{ci}/open-incidents/", prepare=cmdb_items,
             grid="401    404    404    404    404    ok     ok     ok     ok     ok     401"),
    row("CMDB add server", "POST", CMDB + "cis/", prepare=cmdb_items, data=_server,
             grid="401    403    403    403    403    403    403    403    ok     ok     401"),
    row("CMDB add application", "POST", CMDB + "cis/", prepare=cmdb_items, data=_application,
             grid="401    403    403    403    403    ok     ok     ok     ok     ok     401"),
    row("CMDB change server", "PATCH", CMDB + "cis/{ci}/", prepare=cmdb_items, data=_server_change,
             grid="401    404    404    404    404    403    403    403    ok     ok     401"),
    row("CMDB change application", "PATCH", CMDB + "cis/{app}/", prepare=cmdb_items, data=_application_change,
             grid="401    404    404    404    404    ok     ok     ok     ok     ok     401"),

            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("CMDB relationships", "GET", CMDB + "relationships/", prepare=cmdb_items,
             grid="401    403    403    403    403    ok     ok     ok     ok     ok     401"),
    row("CMDB relationship", "GET", CMDB + "relationships/{relationship}/", prepare=cmdb_items,
             grid="401    403    403    403    403    ok     ok     ok     ok     ok     401"),
    row("CMDB relate servers", "POST", CMDB + "relationships/", prepare=cmdb_items, data=_server_relationship,
             grid="401    403    403    403    403    403    403    403    ok     ok     401"),
    row("CMDB relate application", "POST", CMDB + "relationships/", prepare=cmdb_items,
        data=_application_relationship,
             grid="401    403    403    403    403    ok     ok     ok     ok     ok     401"),
    row("CMDB end server relationship", "DELETE", CMDB + "relationships/{cable}/", prepare=cmdb_items,
             grid="401    403    403    403    403    403    403    403    ok     ok     401"),
    row("CMDB end application relationship", "DELETE", CMDB + "relationships/{relationship}/",
        prepare=cmdb_items,
             grid="401    403    403    403    403    ok     ok     ok     ok     ok     401"),

            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("CMDB upload import", "POST", CMDB + "imports/", data=_cmdb_upload, multipart=True,
             grid="401    403    403    403    403    403    403    403    ok     ok     401"),
    row("CMDB import", "GET", CMDB + "imports/{run}/", prepare=cmdb_items,
             grid="401    403    403    403    403    403    403    403    ok     ok     401"),
    row("CMDB apply import", "POST", CMDB + "imports/{run}/apply/", prepare=cmdb_items,
             grid="401    403    403    403    403    403    403    403    ok     ok     401"),
]


@pytest.fixture
def world(request: pytest.FixtureRequest) -> World:
    return build_world(request)


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_api_follows_policy(world, role):
    # given the cast, records A and B, and an API client with ``role``'s token
    _page_client, client = sign_in(world, role)

    # when every API row is requested, each from the same data
    problems = run_rows(world, role, API_ROWS, client)

    # then every response is the grid's, refusals changed nothing, and no hidden text reached the role
    assert not problems, "\n".join(problems)
