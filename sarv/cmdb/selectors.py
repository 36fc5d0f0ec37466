"""Read queries of the CMDB, shared by pages, the API and other apps (incidents).

User-dependent reads start at ``CI.objects.visible_to(user)``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from sarv.cmdb.impact import impact
from sarv.cmdb.models import CI, CIClass, Relationship
from sarv.core.models import AuditLogEntry


def cis_for(user: Any) -> QuerySet[CI]:
    """The CIs ``user`` may see, with what lists show."""
    return CI.objects.visible_to(user).select_related("ci_class", "support_group", "location", "holder")


def search_cis(queryset: QuerySet[CI], query: str) -> QuerySet[CI]:
    """Filter CIs by text: every term must appear in the name, an identity key or the hostname.

    A query that is exactly a normalised property number, serial, asset tag or hostname matches it
    as well, so «۱۲-۳۴۵» finds property number 12345.
    """
    from sarv.cmdb.identity import identity_key
    from sarv.core.text import search_terms

    terms = search_terms(query)
    if not terms:
        return queryset
    condition = Q()
    for term in terms:
        condition &= Q(search_key__contains=term)
    exact = Q()
    for name in CI.IDENTITY_FIELDS:
        key = identity_key(name, query)
        if key:
            exact |= Q(**{f"{name}_key": key})
    return queryset.filter(condition | exact) if exact else queryset.filter(condition)


def class_tree() -> list[CIClass]:
    """All classes in tree order (parents before their subclasses), each with ``depth`` set."""
    classes = list(CIClass.objects.select_related("owner_group").order_by("path"))
    for ci_class in classes:
        ci_class.depth = len(ci_class.ancestor_codes()) - 1  # type: ignore[attr-defined]
    return classes


def relationships_of(ci: CI) -> QuerySet[Relationship]:
    """The CI's current relationships in both directions."""
    return (Relationship.objects.current().filter(Q(source=ci) | Q(target=ci))
            .select_related("type", "source__ci_class", "target__ci_class"))


def relationships_as_of(ci: CI, instant: dt.datetime) -> QuerySet[Relationship]:
    """The CI's relationships that held at ``instant`` (exact: relationships are ended, never deleted)."""
    return (Relationship.objects.as_of(instant).filter(Q(source=ci) | Q(target=ci))
            .select_related("type", "source__ci_class", "target__ci_class"))


def ci_as_of(ci: CI, instant: dt.datetime) -> CI | None:
    """Return an unsaved copy of ``ci`` as it was at ``instant``, or None if it did not exist yet.

    Replays the CI's audit rows written after ``instant`` backwards, setting each changed field
    (``attributes.<code>`` for attributes) to its value before the change. Exact because every
    write of a CI goes through ``sarv.cmdb.actions``, which logs every changed field.
    """
    rows = AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(CI), object_id=str(ci.pk), timestamp__gt=instant,
    ).order_by("-timestamp", "-id")
    copy = CI.objects.get(pk=ci.pk)
    attributes = dict(copy.attributes or {})
    for row in rows:
        if row.action == "create":
            return None
        for key, (before, _after) in row.changes.items():
            if key.startswith("attributes."):
                code = key.split(".", 1)[1]
                if before is None:
                    attributes.pop(code, None)
                else:
                    attributes[code] = before
                continue
            try:
                field = CI._meta.get_field(key)
            except Exception:
                continue
            setattr(copy, getattr(field, "attname", key), before)
    copy.attributes = attributes
    if copy.created_at > instant:
        return None
    return copy


def history(ci: CI) -> QuerySet[AuditLogEntry]:
    """The CI's audit rows, newest first (for the history tab and the API)."""
    return AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(CI), object_id=str(ci.pk),
    ).select_related("actor").order_by("-timestamp", "-id")


def open_incidents(ci: CI, user: Any) -> QuerySet[Any]:
    """Open incidents that ``user`` may see and that name ``ci`` as affected (the main CI or a further one)."""
    from sarv.incidents.models import Incident

    return (Incident.objects.visible_to(user).open()
            .filter(Q(affected_ci=ci) | Q(further_affected_cis=ci)).distinct()
            .select_related("assigned_group", "assignee").order_by("-created_at"))


def suggested_cis(requester: Any, viewer: Any, limit: int = 20) -> list[CI]:
    """CIs to offer on the incident form: those the requester holds first, then their department's.

    Only CIs ``viewer`` may see, live or under maintenance ones first.
    """
    if requester is None:
        return []
    visible = CI.objects.visible_to(viewer).exclude(status__in=["retired", "disposed"]).select_related("ci_class")
    condition = Q(holder=requester)
    if getattr(requester, "department_id", None):
        condition |= Q(holder_department_id=requester.department_id)
    found = list(visible.filter(condition)[: limit * 2])
    found.sort(key=lambda ci: (ci.holder_id != requester.pk, ci.status not in ("live", "under_maintenance"),
                               ci.name_fa or ci.name_en))
    return found[:limit]


def service_for_ci(ci: CI | None) -> Any:
    """The IT service an incident on ``ci`` affects: the CI's own service, else the nearest one it affects.

    "Nearest" follows impact downstream (what fails with this CI) up to 5 levels; ties go to the
    more critical CI, then the smaller id. None when no active service is reached.
    """
    from sarv.services.models import Service

    if ci is None:
        return None
    if ci.service_id:
        service = Service.objects.filter(pk=ci.service_id, is_active=True).first()
        if service is not None:
            return service
    result = impact(ci, direction="down", max_depth=5, limit=1000)
    if not result.nodes:
        return None
    depth = {node.ci_id: node.depth for node in result.nodes}
    candidates = list(
        CI.objects.filter(pk__in=depth, service__isnull=False, service__is_active=True)
        .values_list("pk", "criticality", "service_id")
    )
    if not candidates:
        return None
    _pk, _criticality, service_id = min(candidates, key=lambda row: (depth[row[0]], row[1], row[0]))
    return Service.objects.get(pk=service_id)
