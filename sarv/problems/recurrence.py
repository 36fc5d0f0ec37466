"""Recurring-incident detection: clusters of incidents that share a trait, proposed as problems.

A cluster is a set of incidents opened inside a window that share one trait:

- ``ci``: the same affected configuration item;
- ``service``: the same affected service;
- ``category``: the same most specific category (the subcategory when set, else the category);
- ``symptom``: the same symptom text after normalisation. An incident without a symptom takes part
  with its title instead. Normalisation is the search key of ``sarv.core.text`` (Arabic and Persian
  letter forms, Persian and Arabic-Indic digits, diacritics, zero-width joiners, the space after
  «می»/«نمی» and case are folded), then punctuation becomes a space and runs of spaces collapse.
  Two titles are "near-identical" exactly when these keys are equal.

Cancelled incidents and incidents already linked to any problem are left out. A cluster is proposed
when it has at least ``min_incidents`` incidents. Each basis keeps its ``MAX_CLUSTERS_PER_BASIS``
largest clusters per run, so one run writes a bounded number of proposals.

``find_clusters`` only reads: one grouped query per foreign-key basis, one query for the member ids
of the qualifying keys, and one pass over (id, symptom, title, opened) for the symptom basis.
``save_clusters`` applies the proposal rules (see its docstring); ``sarv.problems.actions`` calls it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from sarv.cmdb.models import CI
from sarv.core import audit
from sarv.core.models import Category
from sarv.core.text import search_key
from sarv.incidents.choices import IncidentStatus
from sarv.incidents.models import Incident
from sarv.problems.choices import OPEN_STATUSES, ClusterBasis, ProposalStatus
from sarv.problems.models import ProblemIncident, ProblemProposal, RecurrencePolicy
from sarv.services.models import Service

MAX_CLUSTERS_PER_BASIS = 200
SYMPTOM_KEY_LENGTH = 300
_PUNCTUATION = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")

# The incident field whose value each foreign-key basis groups by.
_FK_EXPRESSIONS: dict[str, Any] = {
    ClusterBasis.CI: F("affected_ci_id"),
    ClusterBasis.SERVICE: F("service_id"),
    ClusterBasis.CATEGORY: Coalesce("subcategory_id", "category_id"),
}
# The model whose row each foreign-key basis names.
_TRAIT_MODELS: dict[str, Any] = {ClusterBasis.CI: CI, ClusterBasis.SERVICE: Service, ClusterBasis.CATEGORY: Category}


def symptom_key(text: str) -> str:
    """Return the comparison key of a symptom or title (see the module docstring)."""
    key = _PUNCTUATION.sub(" ", search_key(text))
    return _SPACES.sub(" ", key).strip()[:SYMPTOM_KEY_LENGTH]


@dataclass
class Cluster:
    """Incidents that share one trait, with the first and last opening times."""

    basis: str
    key: str
    label: str
    incident_ids: list[int] = field(default_factory=list)
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None

    @property
    def count(self) -> int:
        return len(self.incident_ids)


@dataclass
class DetectionResult:
    """Counts of one run of ``save_clusters``, by proposal rule."""

    clusters: int = 0
    created: int = 0
    grown: int = 0
    reopened: int = 0
    unchanged: int = 0
    kept_dismissed: int = 0
    kept_accepted: int = 0
    proposals: list[ProblemProposal] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in (
            "clusters", "created", "grown", "reopened", "unchanged", "kept_dismissed", "kept_accepted")}


def window_for(policy: RecurrencePolicy, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Return the policy's window ending ``now``: ``[now - window_days, now]``."""
    end = now or timezone.now()
    return end - dt.timedelta(days=policy.window_days), end


def candidate_incidents(start: dt.datetime | None, end: dt.datetime | None) -> QuerySet[Incident]:
    """Return the incidents a cluster may hold: opened in ``[start, end]``, not cancelled, linked to no problem."""
    incidents = Incident.objects.exclude(status=IncidentStatus.CANCELLED).exclude(
        pk__in=ProblemIncident.objects.values("incident_id"))
    if start is not None:
        incidents = incidents.filter(created_at__gte=start)
    if end is not None:
        incidents = incidents.filter(created_at__lte=end)
    return incidents.order_by()


def _fk_clusters(incidents: QuerySet[Incident], basis: str, min_incidents: int) -> list[Cluster]:
    expression = _FK_EXPRESSIONS[basis]
    grouped = (incidents.annotate(trait=expression).filter(trait__isnull=False).values("trait")
               .annotate(size=Count("pk"), first=Min("created_at"), last=Max("created_at"))
               .filter(size__gte=min_incidents).order_by("-size", "trait")[:MAX_CLUSTERS_PER_BASIS])
    clusters = {row["trait"]: Cluster(basis, str(row["trait"]), "", first_at=row["first"], last_at=row["last"])
                for row in grouped}
    if not clusters:
        return []
    members = (incidents.annotate(trait=expression).filter(trait__in=list(clusters))
               .values_list("trait", "pk").order_by("trait", "pk"))
    for trait, pk in members.iterator(chunk_size=2000):
        clusters[trait].incident_ids.append(pk)
    return list(clusters.values())


def _symptom_clusters(incidents: QuerySet[Incident], min_incidents: int) -> list[Cluster]:
    groups: dict[str, Cluster] = {}
    texts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = incidents.values_list("pk", "symptom", "title", "created_at").order_by("pk")
    for pk, symptom, title, created_at in rows.iterator(chunk_size=2000):
        text = symptom or title
        key = symptom_key(text)
        if not key:
            continue
        cluster = groups.get(key)
        if cluster is None:
            cluster = groups[key] = Cluster(ClusterBasis.SYMPTOM, key, "", first_at=created_at, last_at=created_at)
        cluster.incident_ids.append(pk)
        cluster.first_at = min(cluster.first_at or created_at, created_at)
        cluster.last_at = max(cluster.last_at or created_at, created_at)
        texts[key][text.strip()] += 1
    found = [cluster for cluster in groups.values() if cluster.count >= min_incidents]
    found.sort(key=lambda cluster: (-cluster.count, cluster.key))
    found = found[:MAX_CLUSTERS_PER_BASIS]
    for cluster in found:
        # The label is the spelling most incidents used.
        spellings = texts[cluster.key]
        cluster.label = max(spellings, key=lambda text: (spellings[text], text))[:300]
    return found


def _label_fk_clusters(clusters: Sequence[Cluster]) -> None:
    objects = _load_traits((cluster.basis, cluster.key) for cluster in clusters)
    for cluster in clusters:
        if cluster.basis in _TRAIT_MODELS:
            found = objects.get((cluster.basis, int(cluster.key)))
            cluster.label = _trait_text(found)[:300] if found is not None else cluster.key


def find_clusters(*, start: dt.datetime | None, end: dt.datetime | None, min_incidents: int,
                  bases: Iterable[str]) -> list[Cluster]:
    """Return the clusters of at least ``min_incidents`` incidents opened in ``[start, end]``, largest first."""
    incidents = candidate_incidents(start, end)
    clusters: list[Cluster] = []
    for basis in bases:
        if basis == ClusterBasis.SYMPTOM:
            clusters += _symptom_clusters(incidents, min_incidents)
        elif basis in _FK_EXPRESSIONS:
            clusters += _fk_clusters(incidents, basis, min_incidents)
    _label_fk_clusters(clusters)
    clusters.sort(key=lambda cluster: (-cluster.count, cluster.basis, cluster.key))
    return clusters


def _proposal_members(proposals: Iterable[ProblemProposal]) -> dict[int, set[int]]:
    """Return each proposal's incidents that are still linked to no problem, in one query."""
    through = ProblemProposal.incidents.through
    members: dict[int, set[int]] = defaultdict(set)
    rows = (through.objects.filter(problemproposal_id__in=[proposal.pk for proposal in proposals])
            .exclude(incident_id__in=ProblemIncident.objects.values("incident_id"))
            .values_list("problemproposal_id", "incident_id"))
    for proposal_id, incident_id in rows.iterator(chunk_size=2000):
        members[proposal_id].add(incident_id)
    return members


def _set_members(proposal: ProblemProposal, incident_ids: set[int]) -> None:
    """Store the proposal's incidents, count and first and last opening times."""
    proposal.incidents.set(incident_ids)
    bounds = Incident.objects.filter(pk__in=incident_ids).aggregate(first=Min("created_at"), last=Max("created_at"))
    proposal.incident_count = len(incident_ids)
    proposal.first_incident_at = bounds["first"]
    proposal.last_incident_at = bounds["last"]


def save_clusters(clusters: Sequence[Cluster], *, actor: Any = None, now: dt.datetime | None = None
                  ) -> DetectionResult:
    """Write the proposals for ``clusters``, inside the caller's transaction.

    - A new cluster becomes an open proposal.
    - An open proposal takes the cluster's new incidents ("grown").
    - A dismissed proposal stays dismissed until its incidents (the ones it had, still unlinked,
      plus the cluster's new ones) outnumber ``dismissed_size``; then it reopens with all of them.
    - An accepted proposal stays as it is while its problem is open. Once the problem is resolved or
      closed, or deleted, the cluster may be proposed again with the incidents not linked since.
    """
    now = now or timezone.now()
    result = DetectionResult(clusters=len(clusters))
    if not clusters:
        return result
    condition = Q(pk__in=[])
    for basis in {cluster.basis for cluster in clusters}:
        condition |= Q(basis=basis, key__in=[cluster.key for cluster in clusters if cluster.basis == basis])
    existing = {(proposal.basis, proposal.key): proposal
                for proposal in ProblemProposal.objects.filter(condition).select_related("problem")
                .select_for_update(of=("self",))}
    members = _proposal_members(existing.values())
    for cluster in clusters:
        proposal = existing.get((cluster.basis, cluster.key))
        found = set(cluster.incident_ids)
        if proposal is None:
            proposal = ProblemProposal(basis=cluster.basis, key=cluster.key, label=cluster.label,
                                       created_at=now, updated_at=now)
            proposal.save()
            _set_members(proposal, found)
            proposal.save(update_fields=["incident_count", "first_incident_at", "last_incident_at"])
            audit.log_create(actor, proposal, ["basis", "key", "label", "status", "incident_count"])
            result.created += 1
            result.proposals.append(proposal)
            continue
        before = {"status": proposal.status, "incident_count": proposal.incident_count}
        current = members.get(proposal.pk, set())
        if proposal.status == ProposalStatus.ACCEPTED:
            if proposal.problem is not None and proposal.problem.status in OPEN_STATUSES:
                result.kept_accepted += 1
                continue
            # The problem is over: propose the cluster again, with the incidents linked since left out.
            proposal.status = ProposalStatus.OPEN
            proposal.problem = None
            proposal.decided_at = proposal.decided_by = None
            proposal.created_at = now
            current = set()
            result.reopened += 1
        elif proposal.status == ProposalStatus.DISMISSED:
            if len(current | found) <= proposal.dismissed_size:
                result.kept_dismissed += 1
                continue
            proposal.status = ProposalStatus.OPEN
            proposal.decided_at = proposal.decided_by = None
            result.reopened += 1
        elif found <= current:
            result.unchanged += 1
            continue
        else:
            result.grown += 1
        _set_members(proposal, current | found)
        proposal.label = cluster.label or proposal.label
        proposal.updated_at = now
        proposal.save()
        audit.log_update(actor, proposal, {key: [value, getattr(proposal, key)] for key, value in before.items()
                                           if value != getattr(proposal, key)})
        result.proposals.append(proposal)
    return result


def drop_linked_incidents() -> int:
    """Take incidents that were linked to a problem since out of every open proposal; return how many left."""
    through = ProblemProposal.incidents.through
    stale = through.objects.filter(problemproposal__status=ProposalStatus.OPEN,
                                   incident_id__in=ProblemIncident.objects.values("incident_id"))
    affected = set(stale.values_list("problemproposal_id", flat=True).distinct())
    if not affected:
        return 0
    removed, _rows = through.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
    counts = {row["problemproposal_id"]: row["size"] for row in through.objects.filter(
        problemproposal_id__in=affected).values("problemproposal_id").annotate(size=Count("pk"))}
    proposals = list(ProblemProposal.objects.filter(pk__in=affected))
    for proposal in proposals:
        proposal.incident_count = counts.get(proposal.pk, 0)
    ProblemProposal.objects.bulk_update(proposals, ["incident_count"])
    return removed


def trait_label(proposal: ProblemProposal, objects: dict[tuple[str, int], Any] | None = None) -> str:
    """Return the shared trait's name in the active language (the stored label for symptoms and lost objects)."""
    if proposal.basis == ClusterBasis.SYMPTOM or not proposal.key.isdigit():
        return proposal.label
    if objects is None:
        objects = trait_objects([proposal])
    found = objects.get((proposal.basis, int(proposal.key)))
    return _trait_text(found) if found is not None else proposal.label


def trait_objects(proposals: Iterable[ProblemProposal]) -> dict[tuple[str, int], Any]:
    """Load the CIs, services and categories that ``proposals`` name, one query per kind."""
    return _load_traits((proposal.basis, proposal.key) for proposal in proposals)


def _load_traits(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, int], Any]:
    wanted: dict[str, list[int]] = defaultdict(list)
    for basis, key in pairs:
        if basis in _TRAIT_MODELS and key.isdigit():
            wanted[basis].append(int(key))
    found: dict[tuple[str, int], Any] = {}
    for basis, keys in wanted.items():
        queryset = _TRAIT_MODELS[basis].objects.all()
        if basis == ClusterBasis.CATEGORY:
            queryset = queryset.select_related("parent")
        for pk, obj in queryset.in_bulk(keys).items():
            found[(basis, pk)] = obj
    return found


def _trait_text(obj: Any) -> str:
    """Name a trait's object; a subcategory carries its category, since subcategory names repeat."""
    parent = getattr(obj, "parent", None) if isinstance(obj, Category) else None
    return f"{parent} › {obj}" if parent is not None else str(obj)
