"""Every write of problem management: pages, API, tasks and commands call these functions.

Each action checks permission, validates, changes data inside one transaction and writes
the timeline and audit rows through the shared core (``sarv.core.records``,
``sarv.core.timeline``, ``sarv.core.audit``); notifications go out after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sarv.accounts.models import SupportGroup, User
from sarv.core import attachments, audit, numbering, timeline
from sarv.core.choices import Impact, TimelineKind, Urgency
from sarv.core.errors import PermissionDenied, ValidationFailed
from sarv.core.models import Category
from sarv.core.priority import priority_for
from sarv.core.text import normalize_stored
from sarv.incidents.models import Incident
from sarv.problems import permissions
from sarv.problems.choices import LinkSource, ProblemStatus
from sarv.problems.models import Problem, ProblemIncident

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH: int = Problem._meta.get_field("title").max_length or 300


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
    if assignee is not None and assigned_group is None:
        assigned_group = assignee.support_groups.filter(is_active=True).first()
    if assignee is not None and assigned_group is not None and not assigned_group.members.filter(
            pk=assignee.pk).exists():
        raise ValidationFailed(_("%(user)s is not a member of %(group)s."), field="assignee",
                               user=assignee, group=assigned_group)
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
        problem.save()
        initial = {
            "status": problem.status, "priority": problem.priority, "impact": problem.impact,
            "urgency": problem.urgency, "assigned_group": problem.assigned_group_id,
            "assignee": problem.assignee_id, "problem_manager": problem.problem_manager_id,
        }
        entry = timeline.append(
            problem, TimelineKind.CREATED, actor=actor, body=problem.description,
            data={"changes": timeline.field_changes({}, initial)}, created_at=now,
        )
        stored = attachments.store_files(problem, files, actor=actor, is_internal=True, timeline_entry=entry)
        audit.log_create(actor, problem)
        for attachment in stored:
            audit.log_create(actor, attachment, ["original_name", "size", "sha256", "is_internal", "object_id"])
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
