"""Every write of problem management: pages, API, tasks and commands call these functions.

Each action checks permission, validates, changes data inside one transaction and writes
the timeline and audit rows through the shared core (``sarv.core.records``,
``sarv.core.timeline``, ``sarv.core.audit``); notifications go out after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sarv.accounts.models import SupportGroup, User
from sarv.core import attachments, audit, numbering, records, timeline
from sarv.core.choices import Impact, TimelineKind, Urgency
from sarv.core.errors import NotFound, PermissionDenied, ValidationFailed
from sarv.core.models import Category
from sarv.core.priority import priority_for
from sarv.core.text import normalize_stored
from sarv.incidents import actions as incident_actions
from sarv.incidents import permissions as incident_permissions
from sarv.incidents.models import Incident
from sarv.problems import permissions
from sarv.problems.choices import KnownErrorStatus, KnownErrorUseKind, LinkSource, ProblemStatus
from sarv.problems.models import KnownError, KnownErrorUse, Problem, ProblemIncident
from sarv.problems.workflow import PROBLEM_WORKFLOW

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

    The reply carries the published known error's workaround when there is one, and
    records the use for the known error reports; otherwise it carries the problem's own
    workaround. An internal timeline entry names the problem and the known error.
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
