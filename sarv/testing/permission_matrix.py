"""The cast, the two records and the runner of the permission matrix tests.

The matrix tests list requests as rows. Each row carries a grid: one expected
outcome per role, in the column order of ``ROLES``. Per-record rows have one
grid for record A and one for record B. The runner sends each request inside a
savepoint that it rolls back, so every cell starts from the same data, and it
checks three things per cell: the outcome matches the grid, a refused write
changed nothing (an allowed one changed something), and the response contains no
text of a record or internal entry that the role may not see.

Outcomes in a grid:

- ``ok``: a 2xx response, or a redirect that is neither to the sign-in page nor
  carries an error message.
- ``login``: a redirect to the sign-in page.
- ``denied``: a redirect back with an error message, which is how a page
  reports a refused plain-button form (no typed input to show again).
- ``400``, ``401``, ``403``, ``404``: that HTTP status.
- ``A``, ``B``, ``AB``, ``-``: a 200 list that contains exactly these records
  (``-`` for none).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sarv.accounts import actions as account_actions
from sarv.accounts.models import Location, SupportGroup, User
from sarv.cmdb.models import CI, ImportRun, Relationship, RelationshipRule
from sarv.core import records as core_records
from sarv.core import saved_views
from sarv.core.api.testing import token_client
from sarv.core.choices import AuditAction, ReferenceKind
from sarv.core.models import (
    Attachment,
    AuditLogEntry,
    ExternalReference,
    Notification,
    SavedView,
    TimelineEntry,
    Watcher,
)
from sarv.incidents import actions
from sarv.incidents.models import Incident, ResolutionCode
from sarv.services.models import Service
from sarv.testing import factories

# Both titles contain the first search word, and only A's work note contains the second.
SEARCH_BOTH = "چاپگر"
SEARCH_NOTE_ONLY = "فایروال"
A_TITLE = "چاپگر طبقه سوم کاغذ گیر می‌کند"
A_DESCRIPTION = "از صبح کاغذ گیر می‌کند alpha-description-marker"
B_TITLE = "چاپگر اتاق حقوق روشن نمی‌شود"
B_DESCRIPTION = "بعد از قطع برق روشن نشد bravo-description-marker"
REPLY_TEXT = "لطفا کاغذ را از سینی دوم بردارید alpha-reply-marker"
NOTE_TEXT = "فایروال طبقه سوم را بررسی کردم alpha-note-marker"
A_PUBLIC_FILE = "alpha-public-photo.txt"
A_INTERNAL_FILE = "alpha-internal-server-log.txt"
B_PUBLIC_FILE = "bravo-public-photo.txt"
# An agents-only reference on A: the ticket in the old helpdesk that A was copied from.
A_OLD_TICKET = "OLD-4417"

OUTCOMES = frozenset({"ok", "login", "denied", "400", "401", "403", "404"})
LIST_OUTCOMES = frozenset({"A", "B", "AB", "-"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Role:
    """One column of the matrix: who signs in, and which of the records the policy lets them see."""

    key: str
    sees: frozenset[str]
    agent: bool = False


ROLES = (
    Role("anonymous", frozenset()),
    Role("requester", frozenset({"A"})),  # Sara, who reported A
    Role("other_requester", frozenset({"B"})),  # Reza, who reported B in another department
    Role("department_viewer", frozenset({"A"})),  # Mina: A's department, with view_department_incidents
    Role("watcher", frozenset({"A"})),  # Parisa, another department, watches A
    Role("agent", frozenset({"A", "B"}), agent=True),  # Ali, A's assignee in the service desk
    Role("group_lead", frozenset({"A", "B"}), agent=True),  # Hamid, lead of the service desk
    Role("incident_manager", frozenset({"A", "B"}), agent=True),  # Neda, in the service desk
    Role("config_manager", frozenset({"A", "B"}), agent=True),  # Farhad, configuration manager, in no group
    Role("administrator", frozenset({"A", "B"}), agent=True),  # in the network group, so that they can take incidents
    Role("deactivated", frozenset()),  # Kaveh, an agent who signed in and was then deactivated
)
ROLE_KEYS = tuple(role.key for role in ROLES)
ROLES_BY_KEY = {role.key: role for role in ROLES}


def parse_grid(text: str) -> dict[str, str]:
    """Return the grid ``text`` (one outcome per role, separated by spaces) as a role → outcome mapping."""
    tokens = text.split()
    if len(tokens) != len(ROLES):
        raise ValueError(f"grid {text!r} has {len(tokens)} outcomes, expected {len(ROLES)}")
    for token in tokens:
        if token not in OUTCOMES and token not in LIST_OUTCOMES:
            raise ValueError(f"unknown outcome {token!r} in grid {text!r}")
    return dict(zip(ROLE_KEYS, tokens, strict=True))


@dataclass
class World:
    """The data every cell starts from: the cast by role, records A and B, and their attachments."""

    users: dict[str, User]
    records: dict[str, Incident]
    files: dict[str, Attachment]
    service_desk: SupportGroup
    network_group: SupportGroup
    resolution_code: ResolutionCode
    old_ticket: ExternalReference
    # Ids that row paths name, such as "{reza}" or "{service_desk}".
    path_ids: dict[str, Any]

    def fresh(self, key: str) -> Incident:
        return Incident.objects.get(pk=self.records[key].pk)


@dataclass
class Cell:
    """One role and one record (``key`` "A" or "B", or "" for rows about no record), for builders and paths."""

    world: World
    role: Role
    key: str
    # Ids that a row's ``prepare`` created, for its path.
    created: dict[str, Any] = field(default_factory=dict)

    @property
    def user(self) -> User | None:
        return self.world.users.get(self.role.key)

    @property
    def record(self) -> Incident:
        return self.world.fresh(self.key)

    @property
    def other(self) -> Incident:
        return self.world.fresh("B" if self.key == "A" else "A")

    def path_values(self) -> dict[str, Any]:
        values = {**self.world.path_ids, **self.created}
        if self.key:
            values["n"] = self.world.records[self.key].number
            values["other"] = self.other.number
        return values


Builder = Callable[[Cell], Any]


@dataclass(frozen=True)
class Row:
    """One request of the matrix and the grid (or the grids for records A and B) of its expected outcomes.

    ``prepare`` runs inside the cell's savepoint, before the request, to put
    the record into the state the request needs (resolved before "close", for
    example). ``data`` builds the request body after that. ``writes`` sets
    whether an allowed request must change data, and defaults to True for
    unsafe methods.
    """

    label: str
    method: str
    path: str
    grids: Mapping[str, dict[str, str]]
    data: Builder | None = None
    prepare: Callable[[Cell], None] | None = None
    multipart: bool = False
    writes: bool | None = None

    def must_write(self) -> bool:
        return self.method in UNSAFE_METHODS if self.writes is None else self.writes


def row(label: str, method: str, path: str, grid: str | None = None, *, a: str | None = None, b: str | None = None,
        both: str | None = None, **options: Any) -> Row:
    """Build a row: ``grid`` for a request about no record, ``a`` and/or ``b`` for one per record, or
    ``both`` when the grid is the same for A and B."""
    if both is not None:
        a = b = both
    grids: dict[str, dict[str, str]] = {}
    if grid is not None:
        grids[""] = parse_grid(grid)
    if a is not None:
        grids["A"] = parse_grid(a)
    if b is not None:
        grids["B"] = parse_grid(b)
    if not grids:
        raise ValueError(f"row {label!r} has no grid")
    return Row(label, method, path, grids, **options)


def text_file(name: str, content: str = "printer error 42") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/plain")



# --- Request bodies that the page forms and the API share ------------------------------------------------


def version_data(cell: Cell) -> dict[str, Any]:
    return {"version": cell.record.version}


def assign_data(cell: Cell) -> dict[str, Any]:
    return {**version_data(cell), "assigned_group": cell.world.network_group.pk,
            "assignee": cell.world.users["maryam"].pk}


def status_data(cell: Cell) -> dict[str, Any]:
    return {**version_data(cell), "status": "in_progress"}


def resolve_data(cell: Cell) -> dict[str, Any]:
    return {**version_data(cell), "resolution_code": cell.world.resolution_code.pk,
            "resolution_notes": "درایور چاپگر دوباره نصب شد"}


def reason_data(cell: Cell) -> dict[str, Any]:
    return {**version_data(cell), "reason": "هنوز کاغذ گیر می‌کند"}


def priority_data(cell: Cell) -> dict[str, Any]:
    return {**version_data(cell), "priority": 1, "reason": "مدیرعامل منتظر است"}


def body_data(cell: Cell) -> dict[str, Any]:
    return {"body": "پیام آزمایشی ماتریس"}


def maryam_data(cell: Cell) -> dict[str, Any]:
    return {"user": cell.world.users["maryam"].pk}


def child_data(cell: Cell) -> dict[str, Any]:
    """Name the other record as the child to link."""
    return {"number": cell.other.number}


# --- Building the world ------------------------------------------------------------------------------


def _sla_path_ids(group: Any) -> dict[str, int]:
    """Create an agreement and a supplier for the SLA settings rows (directly: their actions need an admin)."""
    from sarv.services.models import Supplier
    from sarv.sla.models import Agreement, AgreementTarget

    agreement = Agreement.objects.create(name_fa="توافق سطح خدمت پایه")
    AgreementTarget.objects.create(agreement=agreement, metric="resolution", seconds=8 * 3600)
    return {"agreement": agreement.pk, "supplier": Supplier.objects.create(name_fa="شرکت پشتیبان شبکه").pk}


def _calendar_path_ids(admin: Any) -> dict[str, int]:
    """Create a calendar with a later version, a dated hour set and a closure for the calendar rows."""
    import datetime as dt

    from sarv.calendars import actions as calendar_actions
    from sarv.calendars.models import Holiday

    calendar, _moved = calendar_actions.save_calendar(actor=admin, calendar=None, values={"name_fa": "تقویم آزمون"},
                                                      week=[(0, 480, 960)])
    calendar_actions.save_calendar(actor=admin, calendar=calendar, values={"name_fa": "تقویم آزمون"},
                                   week=[(0, 420, 900)], effective_from=dt.date(2026, 3, 21))
    hour_set, _moved = calendar_actions.save_hour_set(
        actor=admin, calendar=calendar, hour_set=None, week=[(0, 540, 780)],
        values={"name_fa": "ساعات تابستانی", "start_date": dt.date(2026, 6, 22), "end_date": dt.date(2026, 9, 22)})
    closure, _moved = calendar_actions.save_closure(actor=admin, values={
        "start_date": dt.date(2026, 12, 1), "reason": "آلودگی هوا", "announced_by": "استانداری"})
    return {
        "calendar": calendar.pk,
        "version": calendar.versions.order_by("-effective_from").values_list("pk", flat=True)[0],
        "hour_set": hour_set.pk,
        "holiday": Holiday.objects.filter(is_estimated=True).values_list("pk", flat=True)[0],
        "closure": closure.pk,
    }


def build_world(request: Any) -> World:
    """Create the cast, A and B, through the same actions that real users call.

    ``request`` is the pytest fixture request: the named users come from
    ``sarv.testing.fixtures``, and uploads go to a temporary directory.
    """
    fixture = request.getfixturevalue
    fixture("settings").MEDIA_ROOT = fixture("tmp_path")
    finance, human_resources = fixture("department"), fixture("other_department")
    service_desk, network_group = fixture("service_desk"), fixture("network_group")
    users: dict[str, User] = {
        "requester": fixture("requester"),
        "other_requester": fixture("other_requester"),
        "department_viewer": factories.make_user("mina", "مینا", "کاظمی", department=finance),
        "watcher": factories.make_user("parisa", "پریسا", "امینی", department=human_resources),
        "agent": fixture("agent"),
        "group_lead": fixture("group_lead"),
        "incident_manager": fixture("incident_manager"),
        "config_manager": factories.make_user("farhad", "فرهاد", "نوری", roles=["configuration_manager"]),
        "administrator": fixture("admin_user"),
        "deactivated": factories.make_user("kaveh", "کاوه", "مرادی", roles=["agent"], groups=[service_desk]),
        "maryam": fixture("other_agent"),
    }
    users["department_viewer"].user_permissions.add(
        Permission.objects.get(content_type__app_label="incidents", codename="view_department_incidents")
    )
    manager, agent = users["incident_manager"], users["agent"]
    # Taking an incident needs a support group, and the fixture gives the administrator none.
    account_actions.add_group_member(actor=users["administrator"], group=network_group, user=users["administrator"])

    record_a = factories.make_incident(users["requester"], title=A_TITLE, description=A_DESCRIPTION,
                                       files=[text_file(A_PUBLIC_FILE)])
    record_a = actions.assign_incident(actor=manager, incident=record_a, expected_version=record_a.version,
                                       group=service_desk, assignee=agent)
    actions.add_reply(actor=agent, incident=record_a, body=REPLY_TEXT)
    actions.add_work_note(actor=agent, incident=record_a, body=NOTE_TEXT, files=[text_file(A_INTERNAL_FILE)])
    actions.add_watcher(actor=agent, incident=record_a, user=users["watcher"])
    old_ticket = core_records.add_reference(record_a, agent, kind=ReferenceKind.TICKET, system="old-helpdesk",
                                            reference=A_OLD_TICKET)
    record_b = factories.make_incident(users["other_requester"], title=B_TITLE, description=B_DESCRIPTION,
                                       files=[text_file(B_PUBLIC_FILE)])

    files = {
        "a_public": Attachment.objects.get(original_name=A_PUBLIC_FILE),
        "a_internal": Attachment.objects.get(original_name=A_INTERNAL_FILE),
        "b_public": Attachment.objects.get(original_name=B_PUBLIC_FILE),
    }
    resolution_code = ResolutionCode.objects.get(code="solved_permanently")
    _hardware, printer = fixture("category_tree")
    path_ids = {
        **{name: attachment.public_id for name, attachment in files.items()},
        **{name: users[role].pk for name, role in (("sara", "requester"), ("reza", "other_requester"),
                                                    ("parisa", "watcher"), ("ali", "agent"), ("maryam", "maryam"))},
        "service_desk": service_desk.pk,
        "finance": finance.pk,
        "printer": printer.pk,
        "location": Location.objects.create(name_fa="ساختمان مرکزی").pk,
        "service": Service.objects.create(name_fa="ایمیل").pk,
        "resolution_code": resolution_code.pk,
        **_sla_path_ids(service_desk),
        **_calendar_path_ids(users["administrator"]),
    }
    return World(
        users=users,
        records={"A": record_a, "B": record_b},
        files=files,
        service_desk=service_desk,
        network_group=network_group,
        resolution_code=resolution_code,
        old_ticket=old_ticket,
        path_ids=path_ids,
    )


def sign_in(world: World, role: str) -> tuple[Client, APIClient]:
    """Return a page client with a session and an API client with a token for ``role``.

    The deactivated user signs in while still active and is deactivated
    afterwards, so the matrix checks that an existing session and token stop working.
    """
    user = world.users.get(role)
    if user is None:
        return Client(), APIClient()
    # English messages stay the same while the Persian translations change.
    api_client = token_client(user, language="en")
    page_client = Client()
    page_client.force_login(user)
    if role == "deactivated":
        account_actions.set_user_active(actor=world.users["administrator"], user=user, active=False)
    return page_client, api_client



# --- States that rows prepare inside the cell's savepoint ----------------------------------------------


def resolved(cell: Cell) -> None:
    record = cell.record
    actions.resolve_incident(actor=cell.world.users["incident_manager"], incident=record,
                             expected_version=record.version, resolution_code=cell.world.resolution_code,
                             resolution_notes="کاغذ گیر کرده بود")


def assigned_to_maryam(cell: Cell) -> None:
    """Give the record to an agent outside the matrix, so that taking or assigning it changes something."""
    record = cell.record
    actions.assign_incident(actor=cell.world.users["incident_manager"], incident=record,
                            expected_version=record.version, group=cell.world.network_group,
                            assignee=cell.world.users["maryam"])


def other_is_child(cell: Cell) -> None:
    actions.link_child(actor=cell.world.users["incident_manager"], parent=cell.record, child=cell.other)


def saved_view(cell: Cell) -> None:
    """Save a view of the workspace list, owned by the role when it is an agent's (else by Ali)."""
    owner = cell.user if cell.role.agent and cell.user is not None else cell.world.users["agent"]
    view = saved_views.save_view(actor=owner, list_name="incidents", name="حادثه‌های باز", query="queue=all",
                                 is_shared=False)
    cell.created["view"] = view.pk


def maryam_watches(cell: Cell) -> None:
    actions.add_watcher(actor=cell.world.users["incident_manager"], incident=cell.record,
                        user=cell.world.users["maryam"])

def cmdb_items(cell: Cell) -> None:
    """Create the CMDB rows' items as the administrator; the service desk owns the class "application".

    A server, a switch cabled to it, an application that runs on the server, an attribute of servers, an
    extra allowed class pair and a stored import. Agents of the service desk may edit the application and
    its relationships, and nothing else.
    """
    from sarv.cmdb import actions as cmdb_actions
    from sarv.cmdb.models import CIClass, RelationshipType

    admin = cell.world.users["administrator"]
    server_class = CIClass.objects.get(code="server")
    application_class = CIClass.objects.get(code="application")
    cmdb_actions.save_ci_class(actor=admin, ci_class=application_class, values={
        **{name: getattr(application_class, name) for name in (
            "code", "name_fa", "name_en", "parent", "description", "maps_to_service", "is_active", "sort_order")},
        "owner_group": cell.world.service_desk})
    attribute = cmdb_actions.save_attribute(actor=admin, definition=None, values={
        "ci_class": server_class, "code": "rack", "name_fa": "رک", "type": "text"})
    server = cmdb_actions.create_ci(actor=admin, values={"name_fa": "سرور ماتریس", "ci_class": server_class})
    switch = cmdb_actions.create_ci(actor=admin, values={
        "name_fa": "سوئیچ ماتریس", "ci_class": CIClass.objects.get(code="network_device")})
    app = cmdb_actions.create_ci(actor=admin, values={"name_fa": "برنامه ماتریس", "ci_class": application_class})
    runs_on = cmdb_actions.relate(actor=admin, source=app, target=server,
                                  relationship_type=RelationshipType.objects.get(code="runs_on"))
    cable = cmdb_actions.relate(actor=admin, source=switch, target=server,
                                relationship_type=RelationshipType.objects.get(code="connected_to"))
    rule = cmdb_actions.add_relationship_rule(
        actor=admin, relationship_type=RelationshipType.objects.get(code="depends_on"),
        source_class=CIClass.objects.get(code="location"), target_class=CIClass.objects.get(code="contract"))
    run = cmdb_actions.upload_import(actor=admin, kind="cis", file_name="cis.csv",
                                     content="name_fa,class\nسرور تازه,server\n".encode())
    cell.created.update({"ci": server.pk, "app": app.pk, "switch": switch.pk, "server_class": server_class.pk,
                         "application_class": application_class.pk, "attribute": attribute.pk,
                         "relationship": runs_on.pk, "cable": cable.pk, "rule": rule.pk, "run": run.pk,
                         "version": server.version, "app_version": app.version})


# --- Running the rows ------------------------------------------------------------------------------------

# Every action adds, changes or deletes rows of these models, so unchanged counts mean nothing was written.
# A CMDB import upload stores only its file and dry-run report (ImportRun), with no audit row.
WRITTEN_MODELS = (TimelineEntry, Incident, Attachment, Watcher, ExternalReference, SavedView, Notification, Token,
                  CI, Relationship, RelationshipRule, ImportRun)
# Sign-in rows are left out: a refused sign-in is audited, and that is no change to data.
CHANGE_ACTIONS = (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE, AuditAction.IMPORT)


def _row_counts() -> tuple[int, ...]:
    """Return the row counts of the written models in one query, because the runner counts twice per write."""
    changes = AuditLogEntry.objects.filter(action__in=CHANGE_ACTIONS).values("pk")
    sql, params = changes.query.sql_with_params()
    counts = [f"(SELECT COUNT(*) FROM ({sql}) AS changes)"]
    counts += [f"(SELECT COUNT(*) FROM {connection.ops.quote_name(model._meta.db_table)})"
               for model in WRITTEN_MODELS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(counts), params)
        return tuple(cursor.fetchone())


def _error_messages(response: Any) -> list[str]:
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return [str(message) for message in queued if message.level >= messages.ERROR]


def outcome(response: Any) -> str:
    """Return the grid outcome of ``response`` (see the module docstring), without list contents."""
    status = response.status_code
    if status in (301, 302, 303):
        location = response.headers.get("Location", "")
        if location.split("?", 1)[0] == resolve_url(settings.LOGIN_URL):
            return "login"
        return "denied" if _error_messages(response) else "ok"
    return "ok" if 200 <= status < 300 else str(status)


def listed_records(world: World, response: Any) -> str:
    """Return the records in a 200 list response as a grid outcome: "A", "B", "AB", or "-" for none."""
    if response.headers.get("Content-Type", "").startswith("application/json"):
        numbers = [item["number"] for item in response.json()["results"]]
    else:
        numbers = [incident.number for incident in response.context["page"].object_list]
    keys = {key for key, record in world.records.items() if record.number in numbers}
    unknown = sorted(set(numbers) - {record.number for record in world.records.values()})
    return "".join(sorted(keys)) + "".join(unknown) or "-"


def body_text(response: Any) -> str:
    if getattr(response, "streaming", False):
        # The test client closes the response once its content is read to the end.
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return html.unescape(content.decode("utf-8", errors="replace"))


def hidden_texts(world: World, role: Role, sent: str) -> list[str]:
    """Return the texts that no response to ``role`` may contain.

    Non-agents must never meet the work note, the internal file or the
    agents-only reference. No role meets a record it may not see. A text that
    the request itself contains (a number or file id in the URL) may come back.
    """
    internal = world.files["a_internal"]
    texts = []
    if not role.agent:
        texts += [NOTE_TEXT, A_INTERNAL_FILE, str(internal.public_id), world.old_ticket.reference]
    for key, title, description, file_key in (("A", A_TITLE, A_DESCRIPTION, "a_public"),
                                              ("B", B_TITLE, B_DESCRIPTION, "b_public")):
        if key not in role.sees:
            public = world.files[file_key]
            texts += [world.records[key].number, title, description, public.original_name, str(public.public_id)]
    return [text for text in texts if text not in sent]


def _send(client: Any, method: str, path: str, data: Any, multipart: bool) -> Any:
    send = getattr(client, method.lower())
    if data is None:
        return send(path)
    if isinstance(client, APIClient):
        return send(path, data, format="multipart" if multipart else "json")
    return send(path, data)


def run_cell(client: Any, cell: Cell, row: Row, expected: str) -> list[str]:
    """Send one row's request as ``cell.role`` and return what disagrees with the policy (empty when none)."""
    name = f"{row.method} {row.label}" + (f" [{cell.key}]" if cell.key else "")
    with transaction.atomic():
        if row.prepare is not None:
            row.prepare(cell)
        path = row.path.format(**cell.path_values())
        data = row.data(cell) if row.data is not None else None
        unsafe = row.method in UNSAFE_METHODS
        before = _row_counts() if unsafe else ()
        response = _send(client, row.method, path, data, row.multipart)
        observed = outcome(response)
        if expected in LIST_OUTCOMES and response.status_code == 200:
            observed = listed_records(cell.world, response)
        wrote = unsafe and _row_counts() != before
        body = body_text(response)
        transaction.set_rollback(True)
    # A flash message waits in a cookie for the next page, which belongs to another cell.
    client.cookies.pop(CookieStorage.cookie_name, None)

    problems = []
    if observed != expected:
        detail = f" ({'; '.join(_error_messages(response))})" if observed == "denied" else ""
        problems.append(f"{name}: expected {expected}, got {observed}{detail}")
    if unsafe:
        if observed != "ok" and wrote:
            problems.append(f"{name}: refused with {observed} but changed data")
        if observed == "ok" and row.must_write() and not wrote:
            problems.append(f"{name}: answered ok but changed nothing")
    sent = path + json.dumps(data, default=str, ensure_ascii=False)
    for text in hidden_texts(cell.world, cell.role, sent):
        if text in body:
            problems.append(f"{name}: the response contains {text!r}")
    return problems


def run_rows(world: World, role: str, rows: list[Row], client: Any) -> list[str]:
    """Run every cell of ``rows`` for ``role`` and return every disagreement found."""
    problems = []
    for matrix_row in rows:
        for key, grid in matrix_row.grids.items():
            cell = Cell(world, ROLES_BY_KEY[role], key)
            problems += run_cell(client, cell, matrix_row, grid[role])
    return problems



def app_matrix_rows() -> list[Row]:
    """Return the PAGE_ROWS and API_ROWS of every ``sarv/<app>/tests/matrix_*.py`` module.

    Process apps keep their matrix rows in such modules, next to their own tests, so the
    check that every URL has a row covers them without one shared file growing per app.
    """
    import importlib
    from pathlib import Path

    rows: list[Row] = []
    package_root = Path(__file__).resolve().parent.parent
    for path in sorted(package_root.glob("*/tests/matrix_*.py")):
        module = importlib.import_module(f"sarv.{path.parent.parent.name}.tests.{path.stem}")
        rows += getattr(module, "PAGE_ROWS", [])
        rows += getattr(module, "API_ROWS", [])
    return rows
