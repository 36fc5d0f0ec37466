"""Every write of problem management: pages, API, tasks and commands call these functions.

Each action checks permission, validates, changes data inside one transaction and writes
the timeline and audit rows through the shared core (``sarv.core.records``,
``sarv.core.timeline``, ``sarv.core.audit``); notifications go out after commit.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
from sarv.problems.choices import ClusterBasis, LinkSource, ProblemStatus, ProposalStatus
from sarv.problems.models import Problem, ProblemIncident, ProblemProposal, RecurrencePolicy

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
