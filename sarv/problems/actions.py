"""Every write of problem management: pages, API, tasks and commands call these functions.

Each action checks permission, validates, and changes data inside one transaction. It writes
the timeline and audit rows through the shared core (``sarv.core.records``, ``sarv.core.timeline``,
``sarv.core.audit``), and notifications go out after commit.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sarv.accounts.models import SupportGroup, User
from sarv.core import attachments, audit, notifications, numbering, records, timeline
from sarv.core.assignment import assignment_values, check_assignment, group_for, workers
from sarv.core.choices import Impact, TimelineKind, Urgency
from sarv.core.errors import InvalidTransition, NotFound, PermissionDenied, SarvError, ValidationFailed
from sarv.core.models import Category
from sarv.core.priority import priority_for
from sarv.core.text import normalize_identifier, normalize_stored
from sarv.incidents import actions as incident_actions
from sarv.incidents import permissions as incident_permissions
from sarv.incidents.models import Incident, ResolutionCode
from sarv.problems import permissions
from sarv.problems.choices import (
    OPEN_STATUSES,
    ClusterBasis,
    KnownErrorStatus,
    KnownErrorUseKind,
    LinkSource,
    ProblemStatus,
    ProposalStatus,
    RcaMethod,
)
from sarv.problems.models import (
    FiveWhyStep,
    KnownError,
    KnownErrorUse,
    Problem,
    ProblemIncident,
    ProblemProposal,
    RecurrencePolicy,
)
from sarv.problems.workflow import PROBLEM_WORKFLOW

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH: int = Problem._meta.get_field("title").max_length or 300
FIX_REFERENCE_MAX_LENGTH: int = Problem._meta.get_field("fix_change_reference").max_length or 64


def _require(allowed: bool, message: Any = None) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _clean_title(title: str) -> str:
    title = normalize_stored(title or "").strip()
    if not title:
        raise ValidationFailed(_("Enter a title."), field="title")
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationFailed(_("The title may have at most %(limit)s characters."), field="title",
                               limit=TITLE_MAX_LENGTH)
    return title


def _check_choice(value: Any, choices: Any, field: str) -> None:
    if value not in choices.values:
        raise ValidationFailed(_("Choose a valid value."), field=field)


# --- Problem records ---

EDITABLE_FIELDS = ("title", "description", "category", "impact", "urgency", "problem_manager")
# Statuses set through their own actions: resolving and closing record more than the status.
WORKING_STATUSES = (ProblemStatus.NEW, ProblemStatus.UNDER_INVESTIGATION, ProblemStatus.ROOT_CAUSE_KNOWN,
                    ProblemStatus.KNOWN_ERROR)
FIVE_WHYS_MAX_STEPS = 10


def _check_manager(user: User | None) -> None:
    if user is not None and not permissions.can_manage(user):
        raise ValidationFailed(_("%(user)s is not a problem manager."), field="problem_manager", user=user)


def _check_open(problem: Problem) -> None:
    if problem.status not in OPEN_STATUSES:
        raise ValidationFailed(_("%(number)s is resolved or closed; reopen it first."), number=problem.number)


def _clean_text(value: str | None) -> str:
    return normalize_stored(value or "").strip()


def _required_text(value: str | None, field: str, message: Any) -> str:
    """Return the cleaned text of ``field``; raise ValidationFailed with ``message`` when it is empty."""
    text = _clean_text(value)
    if not text:
        raise ValidationFailed(message, field=field)
    return text


def _manager_side(problem: Problem) -> list[User]:
    """Return who follows a problem besides its workers: the problem manager and the watchers."""
    watchers = User.objects.filter(watching__content_type=Problem.content_type(), watching__object_id=problem.pk)
    return [user for user in (problem.problem_manager, *watchers) if user is not None]


def update_problem(*, actor: User, problem: Problem, expected_version: int, **values: Any) -> Problem:
    """Change descriptive fields; impact or urgency recompute the priority through the priority matrix.

    ``services`` and ``cis`` replace the affected services and configuration items.
    """
    _require(permissions.can_work(actor))
    services = values.pop("services", None)
    cis = values.pop("cis", None)
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed here: %(fields)s."), fields=", ".join(sorted(unknown)))
    if "title" in values:
        values["title"] = _clean_title(values["title"])
    if "description" in values:
        values["description"] = _clean_text(values["description"])
    if "impact" in values:
        _check_choice(values["impact"], Impact, "impact")
    if "urgency" in values:
        _check_choice(values["urgency"], Urgency, "urgency")
    if "problem_manager" in values:
        _check_manager(values["problem_manager"])
    category = values.get("category")
    if category is not None and not category.is_active:
        raise ValidationFailed(_("The category %(category)s is not active."), field="category", category=category)

    with transaction.atomic():
        problem = records.lock(problem, expected_version)
        if problem.is_final:
            raise ValidationFailed(_("A closed problem cannot be edited; reopen it first."))
        if not problem.priority_overridden:
            values["priority"] = priority_for(values.get("impact", problem.impact),
                                              values.get("urgency", problem.urgency))
        changes = records.change_fields(problem, actor, values)
        for name, chosen in (("services", services), ("cis", cis)):
            if chosen is not None:
                changes += _set_many(problem, actor, name, chosen)
        if changes and any(change["field"] == "problem_manager" for change in changes) \
                and problem.problem_manager is not None:
            notifications.notify(recipients=[problem.problem_manager], kind="assigned", record=problem, actor=actor)
    return problem


def _set_many(problem: Problem, actor: User, name: str, chosen: Iterable[Any]) -> list[dict[str, Any]]:
    """Replace a many-to-many field of a locked problem and write one timeline entry and audit row."""
    relation = getattr(problem, name)
    wanted = {item.pk: item for item in chosen if item is not None}
    before = sorted(relation.values_list("pk", flat=True))
    after = sorted(wanted)
    if before == after:
        return []
    relation.set(list(wanted.values()))
    change = {"field": name, "old": before, "new": after}
    audit.log_update(actor, problem, {name: [before, after]})
    timeline.append(problem, TimelineKind.FIELD_CHANGED, actor=actor, data={"changes": [change]})
    return [change]


def assign_problem(
    *, actor: User, problem: Problem, expected_version: int, group: SupportGroup | None, assignee: User | None,
) -> Problem:
    """Assign the investigation to a support group and optionally an agent; a new problem goes under investigation."""
    _require(permissions.can_work(actor))
    group = group_for(group, assignee)
    check_assignment(group, assignee)
    if group is None and assignee is None:
        raise ValidationFailed(_("Choose a support group or an agent."), field="assigned_group")
    with transaction.atomic():
        problem = records.lock(problem, expected_version)
        _check_open(problem)
        changes = records.change_fields(problem, actor, assignment_values(problem, group, assignee),
                                        kind=TimelineKind.ASSIGNED)
        if problem.status == ProblemStatus.NEW:
            records.change_fields(problem, actor, {"status": ProblemStatus.UNDER_INVESTIGATION},
                                  kind=TimelineKind.STATUS_CHANGED)
        if changes:
            notifications.notify(recipients=workers(problem), kind="assigned", record=problem, actor=actor)
    return problem


def take_problem(*, actor: User, problem: Problem, expected_version: int) -> Problem:
    """Assign the problem to the acting agent, in its current group if they belong to it."""
    group = problem.assigned_group
    if group is None or not group.members.filter(pk=actor.pk).exists():
        group = actor.support_groups.filter(is_active=True).first()
    return assign_problem(actor=actor, problem=problem, expected_version=expected_version, group=group,
                          assignee=actor)


def _check_status_needs(problem: Problem, status: str) -> None:
    """A root cause must be known before "root cause known", and a workaround too before "known error"."""
    if status in (ProblemStatus.ROOT_CAUSE_KNOWN, ProblemStatus.KNOWN_ERROR) and not problem.root_cause:
        raise ValidationFailed(_("Write the root cause first."), field="status")
    if status == ProblemStatus.KNOWN_ERROR and not problem.workaround:
        raise ValidationFailed(_("Write the workaround first."), field="status")


def change_status(*, actor: User, problem: Problem, expected_version: int, status: str, note: str = "") -> Problem:
    """Move between the working statuses: new, under investigation, root cause known and known error."""
    _require(permissions.can_work(actor))
    if status not in WORKING_STATUSES:
        raise ValidationFailed(_("Use resolve, close or reopen for that status."), field="status")
    with transaction.atomic():
        problem = records.lock(problem, expected_version)
        if problem.status == status:
            return problem
        if problem.status not in OPEN_STATUSES:
            # Resolved and closed problems go back to work through reopen_problem, which requires a reason.
            raise InvalidTransition(current=PROBLEM_WORKFLOW.label(problem.status),
                                    target=PROBLEM_WORKFLOW.label(status), field="status")
        PROBLEM_WORKFLOW.check(problem.status, status)
        _check_status_needs(problem, status)
        records.change_fields(problem, actor, {"status": status}, kind=TimelineKind.STATUS_CHANGED,
                              body=_clean_text(note))
    return problem


def save_root_cause(
    *, actor: User, problem: Problem, expected_version: int, rca_method: str, root_cause: str,
    contributing_factors: str = "", files: Sequence[UploadedFile] = (),
) -> Problem:
    """Write the root cause analysis; evidence files are attached as internal attachments.

    The first root cause written moves a new or investigated problem to "root cause known".
    """
    _require(permissions.can_work(actor))
    if rca_method:
        _check_choice(rca_method, RcaMethod, "rca_method")
    root_cause = _required_text(root_cause, "root_cause", _("Describe the root cause."))
    attachments.validate_files(files)
    with transaction.atomic():
        problem = records.lock(problem, expected_version)
        _check_open(problem)
        now = timezone.now()
        values: dict[str, Any] = {"rca_method": rca_method, "root_cause": root_cause,
                                  "contributing_factors": _clean_text(contributing_factors)}
        if problem.root_cause_found_at is None:
            values["root_cause_found_at"] = now
        records.change_fields(problem, actor, values, at=now)
        if files:
            records.add_attachments(problem, actor, files, is_internal=True)
        if problem.status in (ProblemStatus.NEW, ProblemStatus.UNDER_INVESTIGATION):
            records.change_fields(problem, actor, {"status": ProblemStatus.ROOT_CAUSE_KNOWN},
                                  kind=TimelineKind.STATUS_CHANGED, at=now)
    return problem


def save_workaround(*, actor: User, problem: Problem, expected_version: int, workaround: str) -> Problem:
    """Write the workaround; the agents working the open linked incidents are notified of the change."""
    _require(permissions.can_work(actor))
    workaround = _required_text(workaround, "workaround", _("Describe the workaround."))
    with transaction.atomic():
        problem = records.lock(problem, expected_version)
        _check_open(problem)
        changes = records.change_fields(problem, actor,
                                        {"workaround": workaround, "workaround_updated_at": timezone.now()})
        if changes:
            incidents = open_linked_incidents(problem).select_related("assignee", "assigned_group")
            recipients = [user for incident in incidents for user in workers(incident)]
            notifications.notify(recipients=recipients, kind="workaround_updated", record=problem, actor=actor)
    return problem


# Five whys: each step keeps its question and answer; every change is in the timeline and the audit log.


def _step_text(step: FiveWhyStep) -> str:
    return f"{step.position}. {step.question}" + (f" — {step.answer}" if step.answer else "")


def _log_step(problem: Problem, actor: User, old: str | None, new: str | None) -> None:
    change = {"field": "five_whys", "old": old, "new": new}
    timeline.append(problem, TimelineKind.FIELD_CHANGED, actor=actor, data={"changes": [change]})
    records.touch(problem)


def _locked_steps(problem: Problem) -> list[FiveWhyStep]:
    return list(FiveWhyStep.objects.select_for_update().filter(problem=problem).order_by("position"))


def _step_input(question: str, answer: str) -> tuple[str, str]:
    return _required_text(question, "question", _("Write the question of this step.")), _clean_text(answer)


def add_five_why(*, actor: User, problem: Problem, question: str, answer: str = "") -> FiveWhyStep:
    """Append a step to the problem's five-whys analysis."""
    _require(permissions.can_work(actor))
    question, answer = _step_input(question, answer)
    with transaction.atomic():
        problem = records.lock(problem, None)
        _check_open(problem)
        steps = _locked_steps(problem)
        if len(steps) >= FIVE_WHYS_MAX_STEPS:
            raise ValidationFailed(_("A five-whys analysis may have at most %(limit)s steps."), field="question",
                                   limit=FIVE_WHYS_MAX_STEPS)
        step = FiveWhyStep.objects.create(problem=problem, position=len(steps) + 1, question=question,
                                          answer=answer)
        audit.log_create(actor, step, ["problem", "position", "question", "answer"])
        _log_step(problem, actor, None, _step_text(step))
    return step


def update_five_why(*, actor: User, step: FiveWhyStep, question: str, answer: str) -> FiveWhyStep:
    """Change the question and answer of one step."""
    _require(permissions.can_work(actor))
    question, answer = _step_input(question, answer)
    with transaction.atomic():
        problem = records.lock(step.problem, None)
        _check_open(problem)
        step = FiveWhyStep.objects.select_for_update().get(pk=step.pk)
        if (step.question, step.answer) == (question, answer):
            return step
        old = _step_text(step)
        before = {"question": step.question, "answer": step.answer}
        step.question, step.answer = question, answer
        step.save(update_fields=["question", "answer"])
        audit.log_update(actor, step, {name: [before[name], getattr(step, name)] for name in before
                                       if before[name] != getattr(step, name)})
        _log_step(problem, actor, old, _step_text(step))
    return step


def remove_five_why(*, actor: User, step: FiveWhyStep) -> None:
    """Delete one step; the steps after it move up."""
    _require(permissions.can_work(actor))
    with transaction.atomic():
        problem = records.lock(step.problem, None)
        _check_open(problem)
        steps = _locked_steps(problem)
        target = next((item for item in steps if item.pk == step.pk), None)
        if target is None:
            return
        old = _step_text(target)
        audit.log_delete(actor, target)
        target.delete()
        _renumber(actor, [item for item in steps if item.pk != target.pk])
        _log_step(problem, actor, old, None)


def move_five_why(*, actor: User, step: FiveWhyStep, offset: int) -> None:
    """Move one step up (``offset=-1``) or down (``offset=1``) in the analysis."""
    _require(permissions.can_work(actor))
    if offset not in (-1, 1):
        raise ValidationFailed(_("Choose a valid value."), field="offset")
    with transaction.atomic():
        problem = records.lock(step.problem, None)
        _check_open(problem)
        steps = _locked_steps(problem)
        index = next((i for i, item in enumerate(steps) if item.pk == step.pk), None)
        if index is None or not 0 <= index + offset < len(steps):
            return
        old = _step_text(steps[index])
        steps[index], steps[index + offset] = steps[index + offset], steps[index]
        _renumber(actor, steps)
        _log_step(problem, actor, old, _step_text(steps[index + offset]))


def _renumber(actor: User, steps: list[FiveWhyStep]) -> None:
    """Give ``steps`` the positions 1…n in list order, in two passes so that the unique position never clashes."""
    moved = [(step, index) for index, step in enumerate(steps, start=1) if step.position != index]
    for step, _index in moved:
        step.position += 1000
        step.save(update_fields=["position"])
    for step, index in moved:
        old_position = step.position - 1000
        step.position = index
        step.save(update_fields=["position"])
        audit.log_update(actor, step, {"position": [old_position, index]})


def resolve_problem(
    *, actor: User, problem: Problem, expected_version: int, resolution_notes: str, fix_change_reference: str = "",
) -> Problem:
    """Record the permanent fix and the change that delivers it; problem managers only."""
    _require(permissions.can_manage(actor), _("Only problem managers can resolve a problem."))
    notes = _required_text(resolution_notes, "resolution_notes", _("Describe the fix."))
    # NOTE: the change reference is free text (a CHG- number or an outside system's reference). It
    # should become a link to the change record once Sarv has change management.
    reference = normalize_identifier(fix_change_reference or "")
    if len(reference) > FIX_REFERENCE_MAX_LENGTH:
        raise ValidationFailed(_("The change reference may have at most %(limit)s characters."),
                               field="fix_change_reference", limit=FIX_REFERENCE_MAX_LENGTH)
    with transaction.atomic():
        problem = records.lock(problem, expected_version)
        PROBLEM_WORKFLOW.check(problem.status, ProblemStatus.RESOLVED)
        now = timezone.now()
        records.change_fields(problem, actor, {"resolution_notes": notes, "fix_change_reference": reference,
                                               "resolved_by": actor}, at=now)
        records.change_fields(problem, actor, {"status": ProblemStatus.RESOLVED, "resolved_at": now},
                              kind=TimelineKind.STATUS_CHANGED, body=notes, at=now)
    return problem


@dataclass(frozen=True)
class IncidentOutcome:
    """Outcome of closing a problem for one of its linked incidents."""

    number: str
    ok: bool
    message: str


@dataclass(frozen=True)
class CloseResult:
    problem: Problem
    incidents: list[IncidentOutcome]


def open_linked_incidents(problem: Problem) -> Any:
    """Return the linked incidents that closing the problem can resolve (not yet resolved, closed or cancelled)."""
    from sarv.incidents.choices import OPEN_STATUSES as INCIDENT_OPEN_STATUSES

    return (Incident.objects.filter(problem_links__problem=problem, status__in=INCIDENT_OPEN_STATUSES)
            .order_by("number"))


def close_problem(
    *, actor: User, problem: Problem, expected_version: int, incidents: Iterable[Incident] = (),
    resolution_code: ResolutionCode | None = None, message: str = "", note: str = "",
) -> CloseResult:
    """Close the problem, then resolve the chosen open linked incidents with ``message`` to their requesters.

    Each incident is resolved through ``resolve_incident`` in its own savepoint, so the incident rules, SLA
    clocks and the requester's notification apply. An incident that fails keeps its state, and the result
    gives the reason.
    """
    _require(permissions.can_manage(actor), _("Only problem managers can close a problem."))
    chosen = list(incidents)
    message = _clean_text(message)
    if chosen:
        if resolution_code is None or not resolution_code.is_active:
            raise ValidationFailed(_("Choose a resolution code for the incidents."), field="resolution_code")
        if not message:
            raise ValidationFailed(_("Write the message that the requesters receive."), field="message")
        linked = set(open_linked_incidents(problem).filter(pk__in=[i.pk for i in chosen])
                     .values_list("pk", flat=True))
        strangers = [incident.number for incident in chosen if incident.pk not in linked]
        if strangers:
            raise ValidationFailed(_("These incidents are not open incidents of this problem: %(numbers)s."),
                                   field="incidents", numbers=", ".join(strangers))
    with transaction.atomic():
        problem = records.lock(problem, expected_version)
        PROBLEM_WORKFLOW.check(problem.status, ProblemStatus.CLOSED)
        records.change_fields(problem, actor, {"status": ProblemStatus.CLOSED, "closed_at": timezone.now()},
                              kind=TimelineKind.STATUS_CHANGED, body=_clean_text(note))
        outcomes = []
        for incident in sorted(chosen, key=lambda item: item.number):
            try:
                with transaction.atomic():
                    fresh = Incident.objects.get(pk=incident.pk)
                    incident_actions.resolve_incident(actor=actor, incident=fresh, expected_version=fresh.version,
                                                      resolution_code=resolution_code, resolution_notes=message)
            except SarvError as error:
                outcomes.append(IncidentOutcome(incident.number, False, error.message))
                continue
            outcomes.append(IncidentOutcome(incident.number, True, str(_("Resolved"))))
    failed = sum(1 for outcome in outcomes if not outcome.ok)
    logger.info("Problem %s closed by user %s; %s incidents resolved, %s failed", problem.number, actor.pk,
                len(outcomes) - failed, failed)
    return CloseResult(problem, outcomes)


def reopen_problem(*, actor: User, problem: Problem, reason: str) -> Problem:
    """Put a resolved or closed problem back under investigation, for example when its incidents come back."""
    _require(permissions.can_work(actor))
    reason = _required_text(reason, "reason", _("Say why the problem is reopened."))
    with transaction.atomic():
        problem = records.lock(problem, None)
        if problem.status in OPEN_STATUSES:
            raise ValidationFailed(_("%(number)s is still open."), number=problem.number)
        PROBLEM_WORKFLOW.check(problem.status, ProblemStatus.UNDER_INVESTIGATION)
        records.change_fields(problem, actor, {"status": ProblemStatus.UNDER_INVESTIGATION, "resolved_at": None,
                                               "closed_at": None},
                              kind=TimelineKind.STATUS_CHANGED, body=reason, extra={"reopened": True})
        notifications.notify(recipients=[*workers(problem), *_manager_side(problem)], kind="reopened",
                             record=problem, actor=actor, data={"reason": reason})
    return problem


def add_work_note(*, actor: User, problem: Problem, body: str, files: Sequence[UploadedFile] = ()) -> Any:
    """Post an internal work note on the problem."""
    _require(permissions.can_work(actor))
    with transaction.atomic():
        return records.add_comment(problem, actor, body=body, is_internal=True, files=files)


def add_update(*, actor: User, problem: Problem, body: str, files: Sequence[UploadedFile] = ()) -> Any:
    """Post a progress update and notify the watchers and the problem manager."""
    _require(permissions.can_work(actor))
    with transaction.atomic():
        entry = records.add_comment(problem, actor, body=body, is_internal=False, files=files)
        notifications.notify(recipients=[*workers(problem), *_manager_side(problem)], kind="public_reply",
                             record=problem, actor=actor)
    return entry


def add_problem_attachments(*, actor: User, problem: Problem, files: Sequence[UploadedFile]) -> Any:
    _require(permissions.can_work(actor))
    with transaction.atomic():
        return records.add_attachments(problem, actor, files, is_internal=True)


def add_watcher(*, actor: User, problem: Problem, user: User) -> Any:
    """Make ``user`` a watcher; only agents may watch a problem, because only agents can open it."""
    _require(permissions.can_work(actor))
    if not permissions.can_view_any(user):
        raise ValidationFailed(_("%(user)s cannot see problems."), field="user", user=user)
    with transaction.atomic():
        return records.add_watcher(problem, actor, user)


def remove_watcher(*, actor: User, problem: Problem, user: User) -> bool:
    _require(permissions.can_work(actor) or user.pk == actor.pk)
    with transaction.atomic():
        return records.remove_watcher(problem, actor, user)


# The fields whose starting values a problem's creation entry records.
INITIAL_FIELDS = ("status", "priority", "impact", "urgency", "assigned_group", "assignee", "problem_manager")


def open_problem(
    *,
    actor: User,
    title: str,
    description: str = "",
    category: Category | None = None,
    impact: int = Impact.MEDIUM,
    urgency: int = Urgency.MEDIUM,
    problem_manager: User | None = None,
    assigned_group: SupportGroup | None = None,
    assignee: User | None = None,
    services: Iterable[Any] = (),
    cis: Iterable[Any] = (),
    incidents: Iterable[Incident] = (),
    link_source: str = LinkSource.MANUAL,
    files: Sequence[UploadedFile] = (),
) -> Problem:
    """Raise a new problem, optionally with incidents already linked (from a proposal or by hand)."""
    _require(permissions.can_report(actor))
    title = _clean_title(title)
    _check_choice(impact, Impact, "impact")
    _check_choice(urgency, Urgency, "urgency")
    if problem_manager is not None and not permissions.can_manage(problem_manager):
        raise ValidationFailed(_("%(user)s is not a problem manager."), field="problem_manager",
                               user=problem_manager)
    assigned_group = group_for(assigned_group, assignee)
    check_assignment(assigned_group, assignee)
    attachments.validate_files(files)
    incident_list = list(incidents)

    now = timezone.now()
    problem = Problem(
        number=numbering.allocate_number(Problem.NUMBER_PREFIX, now),
        title=title,
        description=normalize_stored(description or "").strip(),
        status=ProblemStatus.NEW,
        requester=actor,
        department=actor.department,
        location=actor.location,
        category=category,
        impact=impact,
        urgency=urgency,
        priority=priority_for(impact, urgency),
        problem_manager=problem_manager,
        assigned_group=assigned_group,
        assignee=assignee,
        created_at=now,
        updated_at=now,
        created_by=actor,
    )
    with transaction.atomic():
        records.insert(problem, actor, initial_fields=INITIAL_FIELDS, files=files, files_internal=True)
        service_list, ci_list = list(services), list(cis)
        if service_list:
            problem.services.set(service_list)
        if ci_list:
            problem.cis.set(ci_list)
        if service_list or ci_list:
            audit.log_update(actor, problem, {
                "services": [[], sorted(s.pk for s in service_list)],
                "cis": [[], sorted(c.pk for c in ci_list)],
            })
        if incident_list:
            _link(problem, incident_list, actor, source=link_source)
        if problem.assignee_id or problem.assigned_group_id:
            notifications.notify(recipients=workers(problem), kind="assigned", record=problem, actor=actor)
    logger.info("Problem %s created by user %s", problem.number, actor.pk)
    return problem


def _link(problem: Problem, incidents: list[Incident], actor: Any, *, source: str) -> list[Incident]:
    """Link ``incidents`` to ``problem`` inside the caller's transaction; return the newly linked ones."""
    already = set(ProblemIncident.objects.filter(problem=problem, incident__in=incidents)
                  .values_list("incident_id", flat=True))
    new = [incident for incident in incidents if incident.pk not in already]
    if not new:
        return []
    now = timezone.now()
    ProblemIncident.objects.bulk_create([
        ProblemIncident(problem=problem, incident=incident, source=source, linked_at=now, linked_by=actor)
        for incident in new
    ])
    numbers = [incident.number for incident in new]
    timeline.append(problem, TimelineKind.LINKED, actor=actor,
                    data={"incidents": [incident.pk for incident in new], "numbers": numbers, "source": source})
    for incident in new:
        timeline.append(incident, TimelineKind.LINKED, actor=actor,
                        data={"problem": problem.pk, "number": problem.number, "source": source})
    audit.log_update(actor, problem, {"incidents": [[], sorted(incident.pk for incident in new)]})
    return new


def link_incidents(
    *, actor: User, problem: Problem, incidents: Iterable[Incident], source: str = LinkSource.MANUAL,
) -> list[Incident]:
    """Link incidents to a problem (from either record's page); return those that were not linked before."""
    _require(permissions.can_report(actor))
    _check_choice(source, LinkSource, "source")
    if problem.is_final:
        raise ValidationFailed(_("%(number)s is closed; reopen it before linking incidents."), field="incidents",
                               number=problem.number)
    incident_list = list(incidents)
    visible = set(Incident.objects.visible_to(actor).filter(pk__in=[i.pk for i in incident_list])
                  .values_list("pk", flat=True))
    hidden = [incident.number for incident in incident_list if incident.pk not in visible]
    if hidden:
        raise ValidationFailed(_("Incident not found: %(numbers)s."), field="incidents", numbers=", ".join(hidden))
    with transaction.atomic():
        return _link(problem, incident_list, actor, source=source)


def unlink_incident(*, actor: User, problem: Problem, incident: Incident) -> bool:
    """Remove the link between a problem and an incident; return False if they were not linked."""
    _require(permissions.can_report(actor))
    with transaction.atomic():
        deleted, _rows = ProblemIncident.objects.filter(problem=problem, incident=incident).delete()
        if not deleted:
            return False
        timeline.append(problem, TimelineKind.UNLINKED, actor=actor,
                        data={"incidents": [incident.pk], "numbers": [incident.number]})
        timeline.append(incident, TimelineKind.UNLINKED, actor=actor,
                        data={"problem": problem.pk, "number": problem.number})
        audit.log_update(actor, problem, {"incidents": [[incident.pk], []]})
    return True


# --- Recurring incidents ---

RECURRENCE_LIMITS: dict[str, tuple[int, int]] = {"min_incidents": (2, 1000), "window_days": (1, 3650)}
# How many incident numbers a generated problem description lists; the problem's links hold them all.
DESCRIPTION_NUMBERS = 20


def run_recurrence_detection(
    *, actor: User | None, start: Any = None, end: Any = None, min_incidents: int | None = None,
    bases: Sequence[str] | None = None,
) -> Any:
    """Look for recurring incidents and write the proposals; return a ``recurrence.DetectionResult``.

    ``actor`` None is the system. The periodic job passes no dates, so it uses the policy's window ending
    now and does nothing while the policy is switched off. A command passes its own dates. A problem manager may
    run it at once, or over any date range (``start``/``end``, for imported history), with the policy's
    threshold unless ``min_incidents`` is given.
    """
    from sarv.problems import recurrence
    from sarv.problems.models import RecurrencePolicy

    if actor is not None:
        _require(permissions.can_manage(actor))
    policy = RecurrencePolicy.current()
    if actor is None and start is None and end is None and not policy.is_enabled:
        return recurrence.DetectionResult()
    if start is None and end is None:
        start, end = recurrence.window_for(policy)
    if start is not None and end is not None and end < start:
        raise ValidationFailed(_("The end date is before the start date."), field="end")
    threshold = min_incidents if min_incidents is not None else policy.min_incidents
    low, high = RECURRENCE_LIMITS["min_incidents"]
    if not low <= threshold <= high:
        raise ValidationFailed(_("Enter a number from %(low)s to %(high)s."), field="min_incidents", low=low,
                               high=high)
    chosen = list(bases) if bases else policy.enabled_bases()
    for basis in chosen:
        _check_choice(basis, ClusterBasis, "bases")
    clusters = recurrence.find_clusters(start=start, end=end, min_incidents=threshold, bases=chosen)
    with transaction.atomic():
        recurrence.drop_linked_incidents()
        result = recurrence.save_clusters(clusters, actor=actor)
    logger.info("Recurring incident detection by %s: %s", actor.pk if actor else "the scheduler",
                result.as_dict())
    return result


def _locked_open_proposal(proposal: ProblemProposal) -> ProblemProposal:
    locked = ProblemProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.OPEN:
        raise ValidationFailed(_("This proposal has already been decided."), field="status")
    return locked


def _digits(number: int) -> str:
    from sarv.core import jalali
    from sarv.core.text import to_persian_digits

    return to_persian_digits(str(number)) if jalali.uses_jalali() else str(number)


def proposal_problem_text(proposal: ProblemProposal, incidents: Sequence[Incident]) -> tuple[str, str]:
    """Return the title and description of the problem a proposal raises, in the active language."""
    from sarv.core import jalali
    from sarv.problems.recurrence import trait_label

    label = trait_label(proposal)
    title = _("Recurring incidents: %(trait)s") % {"trait": f"{proposal.get_basis_display()}: {label}"}
    numbers = [incident.number for incident in incidents[:DESCRIPTION_NUMBERS]]
    more = len(incidents) - len(numbers)
    lines = [
        _("Sarv found %(count)s incidents that share one trait (%(basis)s: %(label)s), opened from %(first)s "
          "to %(last)s.") % {
            "count": _digits(len(incidents)), "basis": proposal.get_basis_display(),
            "label": label, "first": jalali.format_date(proposal.first_incident_at),
            "last": jalali.format_date(proposal.last_incident_at)},
        _("Incidents: %(numbers)s") % {"numbers": "، ".join(numbers) if jalali.uses_jalali() else ", ".join(numbers)},
    ]
    if more > 0:
        lines.append(_("… and %(count)s more, all linked to this problem.") % {
            "count": _digits(more)})
    return title[:TITLE_MAX_LENGTH], "\n".join(lines)


def accept_proposal(
    *, actor: User, proposal: ProblemProposal, title: str = "", problem_manager: User | None = None,
    assigned_group: SupportGroup | None = None,
) -> Problem:
    """Raise a problem from a proposal with its incidents linked, and mark the proposal accepted."""
    from django.utils import translation

    from sarv.cmdb.models import CI
    from sarv.services.models import Service

    _require(permissions.can_manage(actor))
    with transaction.atomic():
        locked = _locked_open_proposal(proposal)
        incidents = list(locked.incidents.exclude(pk__in=ProblemIncident.objects.values("incident_id"))
                         .order_by("created_at", "pk"))
        if not incidents:
            raise ValidationFailed(_("Every incident of this proposal is already linked to a problem."),
                                   field="incidents")
        with translation.override(actor.language or None):
            generated_title, description = proposal_problem_text(locked, incidents)
        key = int(locked.key) if locked.key.isdigit() else 0
        problem = open_problem(
            actor=actor, title=title or generated_title, description=description,
            category=Category.objects.filter(pk=key).first() if locked.basis == ClusterBasis.CATEGORY else None,
            services=Service.objects.filter(pk=key) if locked.basis == ClusterBasis.SERVICE else (),
            cis=CI.objects.filter(pk=key) if locked.basis == ClusterBasis.CI else (),
            problem_manager=problem_manager or actor, assigned_group=assigned_group,
            incidents=incidents, link_source=LinkSource.PROPOSAL,
        )
        before = {"status": locked.status, "problem": None}
        locked.status = ProposalStatus.ACCEPTED
        locked.problem = problem
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.incident_count = len(incidents)
        locked.save()
        locked.incidents.set(incidents)
        audit.log_update(actor, locked, {"status": [before["status"], locked.status],
                                         "problem": [None, problem.pk]})
    logger.info("Proposal %s accepted by user %s as %s", locked.pk, actor.pk, problem.number)
    return problem


def dismiss_proposal(*, actor: User, proposal: ProblemProposal, reason: str) -> ProblemProposal:
    """Dismiss a proposal; the cluster comes back only when it grows past its present size."""
    _require(permissions.can_manage(actor))
    reason = normalize_stored(reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why this cluster is not a problem."), field="reason")
    with transaction.atomic():
        locked = _locked_open_proposal(proposal)
        locked.status = ProposalStatus.DISMISSED
        locked.dismiss_reason = reason
        locked.dismissed_size = locked.incident_count
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.save()
        audit.log_update(actor, locked, {"status": [ProposalStatus.OPEN, locked.status],
                                         "dismiss_reason": ["", reason],
                                         "dismissed_size": [0, locked.dismissed_size]})
    logger.info("Proposal %s dismissed by user %s", locked.pk, actor.pk)
    return locked


def update_recurrence_policy(
    *, actor: User, is_enabled: bool, min_incidents: int, window_days: int, bases: Sequence[str],
) -> RecurrencePolicy:
    """Change the detector's settings (problem managers and administrators)."""
    from sarv.core.actions import save_audited

    _require(permissions.can_manage(actor))
    values: dict[str, Any] = {"is_enabled": bool(is_enabled), "min_incidents": min_incidents,
                              "window_days": window_days}
    for name, (low, high) in RECURRENCE_LIMITS.items():
        if values[name] is None or not low <= values[name] <= high:
            raise ValidationFailed(_("Enter a number from %(low)s to %(high)s."), field=name, low=low, high=high)
    chosen = list(dict.fromkeys(bases or ()))
    for basis in chosen:
        _check_choice(basis, ClusterBasis, "bases")
    if not chosen:
        raise ValidationFailed(_("Choose at least one trait to compare."), field="bases")
    # Every trait chosen is stored as "all", so a trait added later is compared too.
    values["bases"] = [] if set(chosen) == set(ClusterBasis.values) else sorted(chosen)
    policy = save_audited(actor, RecurrencePolicy.current(), values)
    logger.info("Recurrence policy updated by user %s", actor.pk)
    return policy


@dataclass
class ReferenceImportSummary:
    """Counts of one run of ``import_problem_references``."""

    problems_created: int = 0
    problems_found: int = 0
    links_created: int = 0
    links_present: int = 0
    references_skipped: int = 0


def import_problem_references(*, system: str, batch_size: int = 100) -> ReferenceImportSummary:
    """Turn the problem references that an import stored on incidents into problems with those incidents linked.

    Runs as the system (commands only) and makes one problem per distinct reference of ``system``.
    The problem carries a source reference with the same value, so a second run finds it and only adds
    the links that are missing. The problem's requester, opening time and category come from its earliest incident
    and the category most of its incidents share.
    """
    from django.contrib.contenttypes.models import ContentType

    from sarv.core.choices import AuditAction, ReferenceKind
    from sarv.core.models import ExternalReference
    from sarv.core.text import normalize_identifier

    summary = ReferenceImportSummary()
    incident_type = ContentType.objects.get_for_model(Incident)
    problem_type = ContentType.objects.get_for_model(Problem)
    members: dict[str, set[int]] = {}
    for incident_id, reference in ExternalReference.objects.filter(
            content_type=incident_type, kind=ReferenceKind.PROBLEM, system=system,
    ).values_list("object_id", "reference").order_by("reference", "object_id").iterator(chunk_size=2000):
        key = normalize_identifier(reference)
        if not key:
            summary.references_skipped += 1
            continue
        members.setdefault(key, set()).add(incident_id)
    known = dict(ExternalReference.objects.filter(content_type=problem_type, kind=ReferenceKind.SOURCE,
                                                  system=system).values_list("reference", "object_id"))
    incidents = Incident.objects.in_bulk({pk for ids in members.values() for pk in ids})
    linked = set(ProblemIncident.objects.filter(incident_id__in=list(incidents))
                 .values_list("problem_id", "incident_id"))
    references = sorted(members)
    for offset in range(0, len(references), batch_size):
        with transaction.atomic():
            for reference in references[offset:offset + batch_size]:
                group = sorted((incidents[pk] for pk in members[reference] if pk in incidents),
                               key=lambda incident: (incident.created_at, incident.pk))
                if not group:
                    continue
                problem_id = known.get(reference)
                if problem_id is None:
                    problem = _imported_problem(group, reference, system)
                    ExternalReference.objects.create(
                        content_type=problem_type, object_id=problem.pk, kind=ReferenceKind.SOURCE,
                        system=system, reference=reference, created_at=problem.created_at)
                    audit.log(actor=None, action=AuditAction.IMPORT, instance=problem,
                              changes={"number": [None, problem.number], "source": [None, f"{system}:{reference}"]})
                    summary.problems_created += 1
                else:
                    problem = Problem.objects.get(pk=problem_id)
                    summary.problems_found += 1
                missing = [incident for incident in group if (problem.pk, incident.pk) not in linked]
                summary.links_present += len(group) - len(missing)
                if missing:
                    summary.links_created += len(_link(problem, missing, None, source=LinkSource.IMPORT))
    logger.info("Problem references of %s imported: %s", system, summary)
    return summary


def _imported_problem(group: list[Incident], reference: str, system: str) -> Problem:
    first = group[0]
    categories = Counter(incident.subcategory_id or incident.category_id for incident in group
                         if incident.category_id)
    category_id = categories.most_common(1)[0][0] if categories else None
    category = Category.objects.filter(pk=category_id).select_related("parent").first() if category_id else None
    trait = f"{category.parent} › {category}" if category is not None and category.parent else str(category or "")
    problem = Problem(
        number=numbering.allocate_number(Problem.NUMBER_PREFIX, first.created_at),
        title=_clean_title(f"{reference}: {trait}" if trait else reference),
        status=ProblemStatus.NEW,
        requester_id=first.requester_id,
        department_id=first.department_id,
        location_id=first.location_id,
        category=category,
        impact=min(incident.impact for incident in group),
        urgency=min(incident.urgency for incident in group),
        created_at=first.created_at,
        updated_at=first.created_at,
        source_data={"system": system, "reference": reference, "incidents": len(group)},
    )
    problem.priority = priority_for(problem.impact, problem.urgency)
    problem.save()
    timeline.append(problem, TimelineKind.CREATED, actor=None, created_at=problem.created_at,
                    data={"changes": timeline.field_changes({}, {"status": problem.status,
                                                                 "priority": problem.priority})})
    return problem


# --- Known errors ---


def _published_values(problem: Problem, title: str | None, symptoms: str | None) -> dict[str, Any]:
    """Return the text a known error copies from ``problem``; ``title`` and ``symptoms`` override the copy."""
    if not problem.root_cause.strip():
        raise ValidationFailed(_("Write the root cause of %(number)s before publishing a known error."),
                               field="root_cause", number=problem.number)
    if not problem.workaround.strip():
        raise ValidationFailed(_("Write a workaround on %(number)s before publishing a known error."),
                               field="workaround", number=problem.number)
    return {
        "title": _clean_title(problem.title if title is None or not title.strip() else title),
        "symptoms": normalize_stored(problem.description if symptoms is None else symptoms).strip(),
        "root_cause": problem.root_cause.strip(),
        "workaround": problem.workaround.strip(),
        "category": problem.category,
    }


def _copy_relations(known_error: KnownError, problem: Problem) -> dict[str, list[list[int]]]:
    """Give ``known_error`` the problem's services and CIs; return the audit changes of both lists."""
    changes = {}
    for name in ("services", "cis"):
        before = sorted(getattr(known_error, name).values_list("pk", flat=True))
        after = sorted(getattr(problem, name).values_list("pk", flat=True))
        if before != after:
            getattr(known_error, name).set(after)
            changes[name] = [before, after]
    return changes


def _mark_problem_known_error(problem: Problem, actor: User, known_error: KnownError) -> None:
    """Move an open problem to "known error"; a resolved or closed problem keeps its status."""
    if problem.status == ProblemStatus.KNOWN_ERROR or not problem.is_open:
        return
    PROBLEM_WORKFLOW.check(problem.status, ProblemStatus.KNOWN_ERROR)
    records.change_fields(problem, actor, {"status": ProblemStatus.KNOWN_ERROR}, kind=TimelineKind.STATUS_CHANGED,
                          extra={"known_error": known_error.number})


def _known_error_event(problem: Problem, actor: User, known_error: KnownError, event: str, reason: str = "") -> None:
    timeline.append(problem, TimelineKind.UPDATED, actor=actor, body=reason,
                    data={"known_error": {"number": known_error.number, "event": event,
                                          "version": known_error.version}})


def publish_known_error(
    *, actor: User, problem: Problem, expected_version: int | None = None, title: str | None = None,
    symptoms: str | None = None,
) -> KnownError:
    """Publish the problem's root cause and workaround to the known error database as a new KE record.

    The known error keeps its own copy of the text, so it stays searchable after the
    problem is resolved or closed, until a problem manager retires it.
    """
    _require(permissions.can_manage(actor), _("Only problem managers can publish known errors."))
    with transaction.atomic():
        problem = records.lock(problem, expected_version)
        if KnownError.objects.filter(problem=problem).exists():
            raise ValidationFailed(_("%(number)s already has a known error; update it instead."), field="problem",
                                   number=problem.number)
        values = _published_values(problem, title, symptoms)
        now = timezone.now()
        known_error = KnownError.objects.create(
            number=numbering.allocate_number(KnownError.NUMBER_PREFIX, now), problem=problem,
            published_at=now, published_by=actor, updated_at=now, **values,
        )
        _copy_relations(known_error, problem)
        audit.log_create(actor, known_error, ["number", "problem", "title", "symptoms", "root_cause", "workaround",
                                              "category", "status", "version"])
        _known_error_event(problem, actor, known_error, "published")
        _mark_problem_known_error(problem, actor, known_error)
    logger.info("Known error %s published from problem %s by user %s", known_error.number, problem.number, actor.pk)
    return known_error


def update_known_error(
    *, actor: User, known_error: KnownError, expected_version: int | None = None, title: str | None = None,
    symptoms: str | None = None,
) -> KnownError:
    """Copy the problem's current root cause, workaround, services and CIs into its known error again.

    Each update raises the known error's version. Updating a retired known error publishes it again.
    """
    _require(permissions.can_manage(actor), _("Only problem managers can update known errors."))
    with transaction.atomic():
        known_error = records.lock(known_error, expected_version)
        problem = Problem.objects.select_for_update().get(pk=known_error.problem_id)
        values = _published_values(problem, known_error.title if title is None else title,
                                   known_error.symptoms if symptoms is None else symptoms)
        republished = known_error.status == KnownErrorStatus.RETIRED
        if republished:
            values.update(status=KnownErrorStatus.PUBLISHED, retired_at=None, retired_by=None, retire_reason="")
        before = audit.snapshot(known_error, list(values))
        for name, value in values.items():
            setattr(known_error, name, value)
        changes = audit.diff(before, audit.snapshot(known_error, list(values)))
        changes.update(_copy_relations(known_error, problem))
        if not changes:
            raise ValidationFailed(_("%(number)s already matches its problem; nothing changed."), field="problem",
                                   number=known_error.number)
        known_error.version += 1
        known_error.updated_at = timezone.now()
        known_error.save()
        changes["version"] = [known_error.version - 1, known_error.version]
        audit.log_update(actor, known_error, changes)
        _known_error_event(problem, actor, known_error, "republished" if republished else "updated")
        if republished:
            _mark_problem_known_error(problem, actor, known_error)
    return known_error


def retire_known_error(
    *, actor: User, known_error: KnownError, reason: str, expected_version: int | None = None,
) -> KnownError:
    """Take a known error out of use (its fix is everywhere, or it was wrong); it stays readable as retired."""
    _require(permissions.can_manage(actor), _("Only problem managers can retire known errors."))
    reason = normalize_stored(reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Write why the known error is retired."), field="reason")
    with transaction.atomic():
        known_error = records.lock(known_error, expected_version)
        if known_error.status == KnownErrorStatus.RETIRED:
            raise ValidationFailed(_("%(number)s is already retired."), field="reason", number=known_error.number)
        known_error.status = KnownErrorStatus.RETIRED
        known_error.retired_at = timezone.now()
        known_error.retired_by = actor
        known_error.retire_reason = reason
        known_error.version += 1
        known_error.save(update_fields=["status", "retired_at", "retired_by", "retire_reason", "version"])
        audit.log_update(actor, known_error, {
            "status": [KnownErrorStatus.PUBLISHED, KnownErrorStatus.RETIRED], "retire_reason": ["", reason],
            "version": [known_error.version - 1, known_error.version],
        })
        _known_error_event(known_error.problem, actor, known_error, "retired", reason)
    return known_error


def _visible_or_missing(actor: User, incident: Incident) -> None:
    if not Incident.objects.visible_to(actor).filter(pk=incident.pk).exists():
        raise NotFound()


def link_incident_to_known_error(*, actor: User, incident: Incident, known_error: KnownError) -> KnownErrorUse:
    """Link the incident to the known error's problem and count the known error as used for the incident."""
    _require(incident_permissions.can_work(actor))
    _visible_or_missing(actor, incident)
    if known_error.status != KnownErrorStatus.PUBLISHED:
        raise ValidationFailed(_("%(number)s is retired and cannot be linked."), field="known_error",
                               number=known_error.number)
    problem = known_error.problem
    with transaction.atomic():
        if ProblemIncident.objects.filter(problem=problem, incident=incident).exists():
            raise ValidationFailed(_("%(incident)s is already linked to %(number)s."), field="known_error",
                                   incident=incident.number, number=known_error.number)
        link_incidents(actor=actor, problem=problem, incidents=[incident], source=LinkSource.KNOWN_ERROR)
        use = KnownErrorUse.objects.create(known_error=known_error, incident=incident, kind=KnownErrorUseKind.LINKED,
                                           used_by=actor)
        audit.log_create(actor, use, ["known_error", "incident", "kind"])
    return use


def link_incident_to_problem(*, actor: User, incident: Incident, problem: Problem) -> Problem:
    """Link the incident to a problem from the incident's page (the same link as from the problem's page)."""
    _visible_or_missing(actor, incident)
    if ProblemIncident.objects.filter(problem=problem, incident=incident).exists():
        raise ValidationFailed(_("%(incident)s is already linked to %(number)s."), field="problem",
                               incident=incident.number, number=problem.number)
    link_incidents(actor=actor, problem=problem, incidents=[incident], source=LinkSource.MANUAL)
    return problem


# Sent before the workaround, in the requester's language.
WORKAROUND_INTRO = _("This is a known issue and we are working on a permanent fix. Until then, this workaround "
                     "should let you carry on:")


def workaround_reply(requester: User, workaround: str) -> str:
    """Return the public reply that carries ``workaround``: a framing sentence in the requester's language."""
    with translation.override(requester.language or settings.LANGUAGE_CODE):
        intro = str(WORKAROUND_INTRO)
    return f"{intro}\n\n{workaround.strip()}"


def apply_workaround(*, actor: User, incident: Incident, problem: Problem) -> Any:
    """Send the workaround of a linked problem to the incident's requester as a public reply.

    The reply carries the published known error's workaround when there is one, and the use is
    recorded for the known error reports. Otherwise the reply carries the problem's own workaround.
    An internal timeline entry names the problem and the known error.
    """
    _require(incident_permissions.can_work(actor))
    _visible_or_missing(actor, incident)
    if not ProblemIncident.objects.filter(problem=problem, incident=incident).exists():
        raise ValidationFailed(_("%(incident)s is not linked to %(number)s."), field="problem",
                               incident=incident.number, number=problem.number)
    known_error = KnownError.objects.filter(problem=problem, status=KnownErrorStatus.PUBLISHED).first()
    workaround = known_error.workaround if known_error is not None else problem.workaround
    if not workaround.strip():
        raise ValidationFailed(_("%(number)s has no workaround yet."), field="problem", number=problem.number)
    if incident.is_final:
        raise ValidationFailed(_("%(number)s is closed; the requester can no longer get replies on it."),
                               field="problem", number=incident.number)
    with transaction.atomic():
        entry = incident_actions.add_reply(actor=actor, incident=incident,
                                           body=workaround_reply(incident.requester, workaround))
        timeline.append(incident, TimelineKind.UPDATED, actor=actor, data={"workaround_applied": {
            "problem": problem.number, "known_error": known_error.number if known_error else None,
            "reply": entry.pk,
        }})
        if known_error is not None:
            use = KnownErrorUse.objects.create(known_error=known_error, incident=incident,
                                               kind=KnownErrorUseKind.APPLIED_WORKAROUND, used_by=actor)
            audit.log_create(actor, use, ["known_error", "incident", "kind"])
    return entry
