"""Reading the known error database: who may read it, search, filters, and suggestions for an incident.

Search uses the core search key (``sarv.core.text.search_key``), so Arabic and Persian
letters, joiners and Persian or Latin digits all find the same record.

Suggestions rank published known errors for one incident by what they share with it:
the same configuration item (affected or further affected), the same service, the same
category, and similar text. Text similarity is pg_trgm's ``word_similarity`` on
PostgreSQL and a word-prefix overlap on SQLite. Both measure how much of the incident's
title and symptom the known error's text covers, from 0 to 1, and the same weights and
threshold rules apply to both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import django_filters
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sarv.cmdb.models import CI
from sarv.core.choices import TimelineKind
from sarv.core.errors import NotFound
from sarv.core.models import Category, TimelineEntry
from sarv.core.permissions import is_active_user
from sarv.core.search import normalize_record_number, search
from sarv.core.text import search_terms
from sarv.incidents.models import Incident
from sarv.problems import permissions
from sarv.problems.choices import KnownErrorStatus
from sarv.problems.models import KnownError, Problem, ProblemIncident
from sarv.services.models import Service

# Points of each shared trait; text similarity (0 to 1) is multiplied by TEXT_WEIGHT.
CI_WEIGHT = 4.0
SERVICE_WEIGHT = 2.0
CATEGORY_WEIGHT = 2.0
TEXT_WEIGHT = 4.0
# A known error that shares no trait with the incident is suggested only above this similarity.
# Estimate from a few Persian samples (PostgreSQL 15, pg_trgm): two phrasings of one fault scored 0.6 to 0.8,
# unrelated faults about 0.15.
POSTGRES_TEXT_THRESHOLD = 0.3
PORTABLE_TEXT_THRESHOLD = 0.34
SUGGESTION_LIMIT = 5
# Rows read before ranking in Python. NOTE: with more matching known errors than this, the ones left out are
# those the database orders last (PostgreSQL: by traits and similarity; SQLite: by traits and recency).
CANDIDATE_LIMIT = 200
# Words too common to tell two faults apart: particles and the verbs of almost every complaint, as search keys
# (joined mi/nemi prefixes, no joiners).
STOP_WORDS = frozenset({
    "این", "آن", "است", "نیست", "برای", "با", "از", "به", "در", "که", "را", "و", "یا", "هم", "تا", "بعد", "قبل",
    "کار", "میکند", "نمیکند", "میشود", "نمیشود", "شده", "نشده", "دارد", "ندارد", "کند", "شود", "مشکل",
    "the", "and", "for", "not", "with", "does", "doesn't", "cannot", "error",
})


def can_view_known_errors(user: Any) -> bool:
    """Read the known error database: agents, who see every problem."""
    return is_active_user(user) and user.has_perm(permissions.VIEW_ALL)


def known_errors_for(user: Any) -> QuerySet[KnownError]:
    if not can_view_known_errors(user):
        return KnownError.objects.none()
    return KnownError.objects.select_related("problem", "category", "published_by", "retired_by")


def get_known_error(user: Any, number: str) -> KnownError:
    """Return the known error with ``number`` (Persian digits and lower case accepted); NotFound otherwise."""
    canonical = normalize_record_number(number) or number
    known_error = known_errors_for(user).filter(number=canonical).first()
    if known_error is None:
        raise NotFound()
    return known_error


def get_visible_problem(user: Any, number: str) -> Problem:
    """Return the problem with ``number`` if ``user`` may see it; NotFound otherwise (never a hint it exists)."""
    canonical = normalize_record_number(number) or number
    problem = Problem.objects.visible_to(user).filter(number=canonical).first()
    if problem is None:
        raise NotFound()
    return problem


def search_known_errors(queryset: QuerySet[KnownError], query: str) -> QuerySet[KnownError]:
    """Filter by a KE or PRB number, or by every word of ``query`` in the title, symptoms, root cause or workaround."""
    number = normalize_record_number(query)
    if number is not None and number.startswith(Problem.NUMBER_PREFIX + "-"):
        return queryset.filter(problem__number=number)
    return search(queryset, query)


class KnownErrorFilter(django_filters.FilterSet):
    """Filters of the known error list, shared by the page and the API."""

    q = django_filters.CharFilter(label=gettext_lazy("Search"), method="filter_text")
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=KnownErrorStatus.choices)
    service = django_filters.ModelChoiceFilter(label=gettext_lazy("Service"),
                                               queryset=Service.objects.filter(is_active=True),
                                               method="filter_service")
    # Only the CIs that some known error names, which keeps the choice list short.
    ci = django_filters.ModelChoiceFilter(label=gettext_lazy("Configuration item"),
                                          queryset=CI.objects.filter(known_errors__isnull=False).distinct(),
                                          method="filter_ci")
    category = django_filters.ModelChoiceFilter(label=gettext_lazy("Category"),
                                                queryset=Category.objects.filter(is_active=True))

    class Meta:
        model = KnownError
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_known_errors(queryset, value)

    # Exists keeps one row per known error however many services or CIs it has.
    def filter_service(self, queryset: QuerySet, name: str, value: Service) -> QuerySet:
        return queryset.filter(Exists(KnownError.services.through.objects.filter(
            knownerror_id=OuterRef("pk"), service_id=value.pk)))

    def filter_ci(self, queryset: QuerySet, name: str, value: CI) -> QuerySet:
        return queryset.filter(Exists(KnownError.cis.through.objects.filter(knownerror_id=OuterRef("pk"),
                                                                             ci_id=value.pk)))


# --- An incident's problems ---------------------------------------------------------------------------


@dataclass
class LinkedProblem:
    link: ProblemIncident
    # The problem's published known error, None when it has none or it is retired.
    known_error: KnownError | None

    @property
    def problem(self) -> Problem:
        return self.link.problem

    @property
    def workaround(self) -> str:
        """Return the published known error's workaround, else the problem's ("" when there is none)."""
        return self.known_error.workaround if self.known_error is not None else self.problem.workaround


def linked_problems(incident: Incident) -> list[LinkedProblem]:
    """Return the incident's problems, oldest link first, with their published known errors (one query)."""
    links = (ProblemIncident.objects.filter(incident=incident).select_related("problem", "problem__known_error")
             .order_by("linked_at", "pk"))
    rows = []
    for link in links:
        known_error: KnownError | None = getattr(link.problem, "known_error", None)
        published = known_error if known_error is not None and known_error.is_published else None
        rows.append(LinkedProblem(link=link, known_error=published))
    return rows


# --- Suggestions for an incident ------------------------------------------------------------------


@dataclass
class Suggestion:
    known_error: KnownError
    same_ci: bool
    same_service: bool
    same_category: bool
    # How much of the incident's title and symptom the known error's text covers, from 0 to 1.
    similarity: float

    @property
    def score(self) -> float:
        return (CI_WEIGHT * self.same_ci + SERVICE_WEIGHT * self.same_service
                + CATEGORY_WEIGHT * self.same_category + TEXT_WEIGHT * self.similarity)

    def reasons(self) -> list[str]:
        """Return what the known error shares with the incident, in the reader's language."""
        labels = []
        if self.same_ci:
            labels.append(_("Same configuration item"))
        if self.same_service:
            labels.append(_("Same service"))
        if self.same_category:
            labels.append(_("Same category"))
        if self.similarity >= text_threshold():
            labels.append(_("Similar description"))
        return labels


def uses_trigrams() -> bool:
    return connection.vendor == "postgresql"


def text_threshold() -> float:
    return POSTGRES_TEXT_THRESHOLD if uses_trigrams() else PORTABLE_TEXT_THRESHOLD


def query_words(incident: Incident) -> list[str]:
    """Return the distinct words of the incident's title and symptom that can tell faults apart."""
    words: list[str] = []
    for word in search_terms(f"{incident.title} {incident.symptom}"):
        significant = len(word) >= 3 or any(ch.isdigit() for ch in word)
        if significant and word not in STOP_WORDS and word not in words:
            words.append(word)
    return words


def word_overlap(words: list[str], key: str) -> float:
    """Return the share of ``words`` with which some word of ``key`` starts («چاپگر» matches «چاپگرها»)."""
    if not words:
        return 0.0
    key_words = key.split()
    matched = sum(1 for word in words if any(candidate.startswith(word) for candidate in key_words))
    return matched / len(words)


def _incident_ci_ids(incident: Incident) -> list[int]:
    ids = list(incident.further_affected_cis.values_list("pk", flat=True))
    if incident.affected_ci_id is not None:
        ids.append(incident.affected_ci_id)
    return ids


def _trait_annotations(incident: Incident, ci_ids: list[int]) -> dict[str, Any]:
    false = Value(False, output_field=BooleanField())
    category_ids = [pk for pk in (incident.category_id, incident.subcategory_id) if pk is not None]
    return {
        "same_ci": Exists(KnownError.cis.through.objects.filter(knownerror_id=OuterRef("pk"), ci_id__in=ci_ids))
        if ci_ids else false,
        "same_service": Exists(KnownError.services.through.objects.filter(
            knownerror_id=OuterRef("pk"), service_id=incident.service_id)) if incident.service_id else false,
        "same_category": ExpressionWrapper(Q(category_id__in=category_ids), output_field=BooleanField())
        if category_ids else false,
    }


def _points(flag: str, weight: float) -> Case:
    # PostgreSQL cannot cast a boolean to a float, so each flag becomes its weight or zero.
    return Case(When(**{flag: True}, then=Value(weight)), default=Value(0.0), output_field=FloatField())


def suggest_known_errors(incident: Incident, limit: int = SUGGESTION_LIMIT) -> list[Suggestion]:
    """Return up to ``limit`` published known errors for ``incident``, best first, without those it is linked to.

    Runs three queries: the incident's CIs, the candidates, and nothing more per candidate.
    """
    ci_ids = _incident_ci_ids(incident)
    words = query_words(incident)
    traits = _trait_annotations(incident, ci_ids)
    linked = ProblemIncident.objects.filter(incident=incident).values("problem_id")
    candidates = (KnownError.objects.filter(status=KnownErrorStatus.PUBLISHED).exclude(problem_id__in=linked)
                  .select_related("problem").annotate(**traits))
    shares_trait = Q(same_ci=True) | Q(same_service=True) | Q(same_category=True)
    trait_points = _points("same_ci", CI_WEIGHT) + _points("same_service", SERVICE_WEIGHT) + _points(
        "same_category", CATEGORY_WEIGHT)

    if uses_trigrams():
        phrase = " ".join(words)
        candidates = candidates.annotate(similarity=TrigramWordSimilarity(phrase, "search_key"))
        candidates = candidates.filter(shares_trait | Q(similarity__gte=POSTGRES_TEXT_THRESHOLD)).annotate(
            points=trait_points + F("similarity") * TEXT_WEIGHT).order_by("-points", "-published_at")
    else:
        mentions = Q()
        for word in words:
            mentions |= Q(search_key__contains=word)
        candidates = candidates.filter(shares_trait | mentions if words else shares_trait).annotate(
            points=trait_points).order_by("-points", "-published_at")

    suggestions = []
    for known_error in candidates[:CANDIDATE_LIMIT]:
        row: Any = known_error
        similarity = float(row.similarity) if uses_trigrams() else word_overlap(words, known_error.search_key)
        suggestion = Suggestion(known_error=known_error, same_ci=bool(row.same_ci), same_service=bool(row.same_service),
                                same_category=bool(row.same_category), similarity=similarity)
        if suggestion.same_ci or suggestion.same_service or suggestion.same_category \
                or similarity >= text_threshold():
            suggestions.append(suggestion)
    suggestions.sort(key=lambda item: (-item.score, -item.known_error.published_at.timestamp()))
    return suggestions[:limit]


# --- Timeline lines ------------------------------------------------------------------------------------


def timeline_lines(entry: TimelineEntry) -> list[str]:
    """Describe the known error events on a problem and the workarounds sent on an incident."""
    data = entry.data
    lines = []
    event = data.get("known_error")
    if isinstance(event, dict):
        values = {"number": event.get("number", ""), "version": event.get("version", "")}
        texts = {
            "published": _("Known error %(number)s published"),
            "updated": _("Known error %(number)s updated (version %(version)s)"),
            "republished": _("Known error %(number)s published again (version %(version)s)"),
            "retired": _("Known error %(number)s retired"),
        }
        if event.get("event") in texts:
            lines.append(texts[event["event"]] % values)
    applied = data.get("workaround_applied")
    if isinstance(applied, dict):
        if applied.get("known_error"):
            lines.append(_("Workaround of known error %(known_error)s (%(problem)s) sent to the requester")
                         % {"known_error": applied["known_error"], "problem": applied.get("problem", "")})
        else:
            lines.append(_("Workaround of %(problem)s sent to the requester") % {"problem": applied.get("problem", "")})
    return lines


def register_timeline_lines() -> None:
    from sarv.core import timeline_display

    timeline_display.register_lines(TimelineKind.UPDATED, timeline_lines)
