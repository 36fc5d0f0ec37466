"""Permission matrix of the problem pages, the problem API and the combined "my work" queue.

The policy, as tested here:

- Problems are for agents. Every agent role sees every problem (``problems.view_all_problems``), raises
  problems, links incidents and works them (analysis, five whys, workaround, notes, watchers).
- Resolving and closing a problem need ``problems.manage_problem``: the problem manager role and
  administrators. In this cast only the administrator has it; ``test_problems_roles.py`` checks the
  problem manager role itself.
- Requesters get 403 on the problem pages. Through the API they list no problem, a problem's
  address answers 404, and raising one answers 403.
- Anonymous visitors and deactivated users are sent to the sign-in page (401 from the API).

Each row's ``prepare`` raises a problem as the administrator, with record A linked, and names it {prb}.
Columns as in ``sarv.testing.permission_matrix.ROLES``; ``test_problems_matrix.py`` runs the rows.
"""

from __future__ import annotations

from typing import Any

from sarv.problems import actions
from sarv.testing.permission_matrix import (
    Cell,
    row,
    text_file,
)

PROBLEM_TITLE = "خاموش شدن مکرر چاپگرها matrix-problem"


def problem(cell: Cell) -> None:
    """Raise a problem with record A linked, one five-whys step and a root cause, as the administrator."""
    admin = cell.world.users["administrator"]
    created = actions.open_problem(actor=admin, title=PROBLEM_TITLE, incidents=[cell.world.fresh("A")])
    step = actions.add_five_why(actor=admin, problem=created, question="چرا چاپگر خاموش شد؟")
    created.refresh_from_db()
    cell.created.update({"prb": created.number, "step": step.pk, "incident_a": cell.world.records["A"].pk,
                         "prb_version": created.version})


def resolved_problem(cell: Cell) -> None:
    problem(cell)
    admin = cell.world.users["administrator"]
    fresh = actions.Problem.objects.get(number=cell.created["prb"])
    actions.resolve_problem(actor=admin, problem=fresh, expected_version=fresh.version,
                            resolution_notes="درایور تازه نصب شد")


def maryam_watches_problem(cell: Cell) -> None:
    problem(cell)
    fresh = actions.Problem.objects.get(number=cell.created["prb"])
    actions.add_watcher(actor=cell.world.users["administrator"], problem=fresh, user=cell.world.users["maryam"])


def _version(cell: Cell) -> dict[str, Any]:
    return {"version": actions.Problem.objects.get(number=cell.created["prb"]).version}


def _create(cell: Cell) -> dict[str, Any]:
    return {"title": "قطع مکرر VPN", "impact": 2, "urgency": 2}


def _assign(cell: Cell) -> dict[str, Any]:
    return {**_version(cell), "assigned_group": cell.world.network_group.pk,
            "assignee": cell.world.users["maryam"].pk}


def _status(cell: Cell) -> dict[str, Any]:
    return {**_version(cell), "status": "under_investigation", "note": ""}


def _edit(cell: Cell) -> dict[str, Any]:
    return {**_version(cell), "title": "عنوان تازه مسئله", "description": "", "impact": 1, "urgency": 2}


def _rca(cell: Cell) -> dict[str, Any]:
    return {**_version(cell), "rca_method": "five_whys", "root_cause": "درایور قدیمی", "contributing_factors": ""}


def _why(cell: Cell) -> dict[str, Any]:
    return {"question": "چرا درایور قدیمی ماند؟", "answer": "به‌روزرسانی خودکار خاموش بود"}


def _step(cell: Cell) -> dict[str, Any]:
    return {"step": cell.created["step"]}


def _move(cell: Cell) -> dict[str, Any]:
    admin = cell.world.users["administrator"]
    fresh = actions.Problem.objects.get(number=cell.created["prb"])
    actions.add_five_why(actor=admin, problem=fresh, question="چرا دوم؟")
    return {"step": cell.created["step"], "offset": 1}


def _workaround(cell: Cell) -> dict[str, Any]:
    return {**_version(cell), "workaround": "چاپگر را خاموش و روشن کنید"}


def _resolve(cell: Cell) -> dict[str, Any]:
    return {**_version(cell), "resolution_notes": "درایور تازه نصب شد", "fix_change_reference": "CHG-1405-000001"}


def _close(cell: Cell) -> dict[str, Any]:
    return {**_version(cell), "incidents": [cell.created["incident_a"]],
            "resolution_code": cell.world.resolution_code.pk, "message": "علت ریشه‌ای برطرف شد", "note": ""}


def _close_api(cell: Cell) -> dict[str, Any]:
    return {**_version(cell), "incidents": [cell.world.records["A"].number],
            "resolution_code": cell.world.resolution_code.pk, "message": "علت ریشه‌ای برطرف شد"}


def _reason(cell: Cell) -> dict[str, Any]:
    return {"reason": "دوباره رخ داد"}


def _link(cell: Cell) -> dict[str, Any]:
    return {"numbers": cell.world.records["B"].number}


def _link_api(cell: Cell) -> dict[str, Any]:
    return {"incidents": [cell.world.records["B"].number]}


def _unlink(cell: Cell) -> dict[str, Any]:
    return {"incident": cell.created["incident_a"]}


def _maryam(cell: Cell) -> dict[str, Any]:
    return {"user": cell.world.users["maryam"].pk}


def _body(cell: Cell) -> dict[str, Any]:
    return {"body": "پیام آزمایشی ماتریس مسئله"}


def _upload(cell: Cell) -> dict[str, Any]:
    return {"attachments": [text_file("problem-matrix.txt")]}


def _api_edit(cell: Cell) -> dict[str, Any]:
    return {**_version(cell), "title": "عنوان تازه مسئله"}


def _api_create(cell: Cell) -> dict[str, Any]:
    return {"title": "قطع مکرر VPN", "incidents": [cell.world.records["A"].number]}


def _api_move(cell: Cell) -> dict[str, Any]:
    _move(cell)
    return {"offset": 1}


PRB = "/problems/{prb}/"
AGENTS = "login  403    403    403    403    ok     ok     ok     ok     ok     login"
MANAGERS = "login  403    403    403    403    403    403    403    403    ok     login"

PAGE_ROWS = [
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("problem list", "GET", "/problems/", AGENTS),
    row("problem list search", "GET", "/problems/?queue=all&q=مکرر", AGENTS, prepare=problem),
    row("raise problem form", "GET", "/problems/new/", AGENTS),
    row("raise problem from incident", "GET", "/problems/new/?incident={n}", both=AGENTS),
    row("raise problem", "POST", "/problems/new/", AGENTS, data=_create),
    row("problem page", "GET", PRB, AGENTS, prepare=problem),
    row("problem take", "POST", PRB + "take/", AGENTS, prepare=problem, data=_version),
    row("problem assign", "POST", PRB + "assign/", AGENTS, prepare=problem, data=_assign),
    row("problem status", "POST", PRB + "status/", AGENTS, prepare=problem, data=_status),
    row("problem edit", "POST", PRB + "edit/", AGENTS, prepare=problem, data=_edit),
    row("problem root cause", "POST", PRB + "rca/", AGENTS, prepare=problem, data=_rca),
    row("problem five whys add", "POST", PRB + "why/", AGENTS, prepare=problem, data=_why),
    row("problem five whys remove", "POST", PRB + "why_remove/", AGENTS, prepare=problem, data=_step),
    row("problem five whys move", "POST", PRB + "why_move/", AGENTS, prepare=problem, data=_move),
    row("problem workaround", "POST", PRB + "workaround/", AGENTS, prepare=problem, data=_workaround),
    row("problem resolve", "POST", PRB + "resolve/", MANAGERS, prepare=problem, data=_resolve),
    row("problem close", "POST", PRB + "close/", MANAGERS, prepare=problem, data=_close),
    row("problem reopen", "POST", PRB + "reopen/", AGENTS, prepare=resolved_problem, data=_reason),
    row("problem link incident", "POST", PRB + "link/", AGENTS, prepare=problem, data=_link),
    row("problem unlink incident", "POST", PRB + "unlink/", AGENTS, prepare=problem, data=_unlink),
    row("problem watch", "POST", PRB + "watch/", AGENTS, prepare=problem, data=_maryam),
    row("problem unwatch", "POST", PRB + "unwatch/", AGENTS, prepare=maryam_watches_problem, data=_maryam),
    row("problem work note", "POST", PRB + "note/", AGENTS, prepare=problem, data=_body),
    row("problem update", "POST", PRB + "update/", AGENTS, prepare=problem, data=_body),
    row("problem attach", "POST", PRB + "attach/", AGENTS, prepare=problem, data=_upload, multipart=True),
    row("my work", "GET", "/my-work/", AGENTS),
]

API = "/api/v1/problems/"
API_PRB = API + "{prb}/"
API_AGENTS = "401    404    404    404    404    ok     ok     ok     ok     ok     401"
API_MANAGERS = "401    404    404    404    404    403    403    403    403    ok     401"

API_ROWS = [
            # anon   sara   reza   mina   paris  ali    hamid  neda   cfg    admin  gone
    row("problems list", "GET", API,
             "401    ok     ok     ok     ok     ok     ok     ok     ok     ok     401", prepare=problem),
    row("problems raise", "POST", API,
             "401    403    403    403    403    ok     ok     ok     ok     ok     401", data=_api_create),
    row("problem detail", "GET", API_PRB, API_AGENTS, prepare=problem),
    row("problem edit", "PATCH", API_PRB, API_AGENTS, prepare=problem, data=_api_edit),
    row("problem assign", "POST", API_PRB + "assign/", API_AGENTS, prepare=problem, data=_assign),
    row("problem take", "POST", API_PRB + "take/", API_AGENTS, prepare=problem, data=_version),
    row("problem status", "POST", API_PRB + "status/", API_AGENTS, prepare=problem, data=_status),
    row("problem root cause", "POST", API_PRB + "root-cause/", API_AGENTS, prepare=problem, data=_rca),
    row("problem workaround", "POST", API_PRB + "workaround/", API_AGENTS, prepare=problem, data=_workaround),
    row("problem resolve", "POST", API_PRB + "resolve/", API_MANAGERS, prepare=problem, data=_resolve),
    row("problem close", "POST", API_PRB + "close/", API_MANAGERS, prepare=problem, data=_close_api),
    row("problem reopen", "POST", API_PRB + "reopen/", API_AGENTS, prepare=resolved_problem, data=_reason),
    row("problem five whys", "GET", API_PRB + "five-whys/", API_AGENTS, prepare=problem),
    row("problem five whys add", "POST", API_PRB + "five-whys/", API_AGENTS, prepare=problem, data=_why),
    row("problem five whys edit", "PATCH", API_PRB + "five-whys/{step}/", API_AGENTS, prepare=problem,
        data=_why),
    row("problem five whys remove", "DELETE", API_PRB + "five-whys/{step}/", API_AGENTS, prepare=problem),
    row("problem five whys move", "POST", API_PRB + "five-whys/{step}/move/", API_AGENTS, prepare=problem,
        data=_api_move),
    row("problem incidents", "GET", API_PRB + "incidents/", API_AGENTS, prepare=problem),
    row("problem link incidents", "POST", API_PRB + "incidents/", API_AGENTS, prepare=problem, data=_link_api),
    row("problem unlink incident", "DELETE", API_PRB + "incidents/{n}/", a=API_AGENTS, prepare=problem),
]
