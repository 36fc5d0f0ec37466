"""CIs from the public ITIL logs: BPIC 2014 (Rabobank) and the UCI ServiceNow event log.

BPIC 2014 names the affected CI of each incident (``CI_Name_aff`` / ``CI Name (aff)``), its type and
subtype (``CI_TypeSubType_aff`` "application-Web Based Application", or ``CI Type (aff)`` and
``CI Subtype (aff)``) and the service component (``Service_Component_WBS_aff``, ``WBS000073``).
This builds one CI per CI name (class from its most frequent type, subtype in the description),
one technical-service CI per service component, and "CI provides service component" where the
class rules allow it; then it points incidents imported by ``import_bpic`` at their CI.

The UCI log's ``cmdb_ci`` column holds anonymised CI names ("cmdb_ci 31") with no type; "?" means
none. Those become CIs of the class "unclassified" and the incidents naming them are linked.

Everything goes through ``sarv.cmdb.actions``, keyed by ``CI.source_key`` ("bpic2014:SBA000607"), so
running it again creates nothing twice and changes nothing that did not change.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from sarv.cmdb import actions
from sarv.cmdb.identity import is_placeholder
from sarv.cmdb.models import CI, CIClass, Relationship, RelationshipType
from sarv.core import audit
from sarv.core.choices import AuditAction
from sarv.core.models import ExternalReference

BPIC = "bpic2014"
UCI = "uci"

# BPIC "CI Type (aff)" (lower case) -> class code; computer subtypes that are servers go to "server".
TYPE_CLASSES = {
    "application": "application", "subapplication": "application", "database": "database",
    "software": "software", "storage": "storage", "networkcomponents": "network_device",
    "hardware": "hardware", "computer": "computer", "displaydevice": "peripheral",
    "officeelectronics": "peripheral", "phone": "peripheral",
}
SERVER_SUBTYPES = ("server", "cluster", "zos", "nonstop", "omgeving")
# Classes this importer adds under the shipped ones when they are missing.
EXTRA_CLASSES = {
    "computer": ("hardware", "رایانه", "Computer"),
    "peripheral": ("hardware", "تجهیز جانبی", "Peripheral"),
    "unclassified": (None, "بدون کلاس", "Unclassified"),
}


@dataclass
class SourceSummary:
    cis_created: int = 0
    cis_updated: int = 0
    cis_unchanged: int = 0
    services_created: int = 0
    relationships_created: int = 0
    relationships_not_allowed: int = 0
    incidents_linked: int = 0
    incidents_without_ci: int = 0
    notes: list[str] = field(default_factory=list)


def _open_csv(path: Path) -> Iterator[dict[str, str]]:
    if path.name.endswith(".gz"):
        with gzip.open(path, "rb") as handle:
            raw = handle.read()
    else:
        raw = path.read_bytes()
    text = raw.decode("utf-8-sig", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    yield from csv.DictReader(io.StringIO(text), delimiter=delimiter)


def _ensure_class(actor: Any, code: str) -> CIClass:
    found = CIClass.objects.filter(code=code).first()
    if found is not None:
        return found
    parent_code, name_fa, name_en = EXTRA_CLASSES[code]
    parent = CIClass.objects.get(code=parent_code) if parent_code else None
    return actions.save_ci_class(actor=actor, ci_class=None, values={
        "code": code, "name_fa": name_fa, "name_en": name_en, "parent": parent, "sort_order": 50,
    })


def _class_for(type_name: str, subtype: str) -> str:
    kind = type_name.strip().lower()
    code = TYPE_CLASSES.get(kind, "unclassified")
    if code == "computer" and any(word in subtype.lower() for word in SERVER_SUBTYPES):
        return "server"
    return code


@dataclass
class _Seen:
    types: Counter[tuple[str, str]] = field(default_factory=Counter)
    services: set[str] = field(default_factory=set)


def read_bpic(folder: Path) -> dict[str, _Seen]:
    """Collect every CI name with its types and service components from the BPIC files in ``folder``."""
    seen: dict[str, _Seen] = defaultdict(_Seen)
    for path in sorted(folder.rglob("*.csv*")):
        for row in _open_csv(path):
            if "CI_Name_aff" in row:
                name, wbs = row.get("CI_Name_aff", ""), row.get("Service_Component_WBS_aff", "")
                type_name, _sep, subtype = (row.get("CI_TypeSubType_aff") or "").partition("-")
            elif "CI Name (aff)" in row:
                name, wbs = row.get("CI Name (aff)", ""), row.get("Service Component WBS (aff)", "")
                type_name, subtype = row.get("CI Type (aff)", ""), row.get("CI Subtype (aff)", "")
            else:
                break
            name = (name or "").strip()
            if is_placeholder(name) or name.startswith("#"):
                continue
            seen[name].types[(type_name.strip(), subtype.strip())] += 1
            if wbs and not is_placeholder(wbs) and not wbs.startswith("#"):
                seen[name].services.add(wbs.strip())
    return seen


def import_bpic_cis(*, actor: Any, folder: Path) -> SourceSummary:
    """Build CIs, service components and relationships from BPIC 2014, then link the imported incidents."""
    summary = SourceSummary()
    seen = read_bpic(folder)
    classes = {code: _ensure_class(actor, code) if code in EXTRA_CLASSES else CIClass.objects.get(code=code)
               for code in {*TYPE_CLASSES.values(), "server", "unclassified", "technical_service"}}
    provides = RelationshipType.objects.get(code="provides")
    existing = {ci.source_key: ci for ci in CI.objects.filter(source_key__startswith=f"{BPIC}:")
                .select_related("ci_class")}
    services: dict[str, CI] = {}
    for wbs in sorted({wbs for item in seen.values() for wbs in item.services}):
        key = f"{BPIC}:{wbs}"
        ci = existing.get(key)
        if ci is None:
            ci = actions.create_ci(actor=actor, source_key=key, values={
                "name_en": wbs, "ci_class": classes["technical_service"],
                "description": "BPIC 2014 service component (WBS)"})
            summary.services_created += 1
        services[wbs] = ci
    current = set(Relationship.objects.current().filter(type=provides, source__source_key__startswith=f"{BPIC}:")
                  .values_list("source_id", "target_id"))
    for name in sorted(seen):
        item = seen[name]
        (type_name, subtype), _count = item.types.most_common(1)[0]
        values = {"name_en": name, "ci_class": classes[_class_for(type_name, subtype)],
                  "description": f"BPIC 2014: {type_name or '-'} / {subtype or '-'}"}
        key = f"{BPIC}:{name}"
        ci = existing.get(key)
        with transaction.atomic():
            if ci is None:
                ci = actions.create_ci(actor=actor, source_key=key, values=values)
                summary.cis_created += 1
            elif actions.update_ci(actor=actor, ci=ci, values=values):
                summary.cis_updated += 1
            else:
                summary.cis_unchanged += 1
        for wbs in sorted(item.services):
            target = services[wbs]
            if (ci.pk, target.pk) in current:
                continue
            if not actions.relationship_allowed(provides, ci, target):
                summary.relationships_not_allowed += 1
                continue
            actions.relate(actor=actor, source=ci, target=target, relationship_type=provides)
            summary.relationships_created += 1
    _link_incidents(actor, BPIC, summary)
    return summary


def import_uci_cis(*, actor: Any) -> SourceSummary:
    """Make a CI for every CI name that UCI incidents carry (``cmdb_ci``), then link those incidents."""
    from sarv.incidents.models import Incident

    summary = SourceSummary()
    unclassified = _ensure_class(actor, "unclassified")
    uci_ids = _source_incident_ids(UCI)
    names = set(Incident.objects.filter(pk__in=uci_ids).exclude(affected_ci_name="")
                .values_list("affected_ci_name", flat=True))
    for name in sorted(n for n in names if not is_placeholder(n)):
        key = f"{UCI}:{name}"
        if CI.objects.filter(source_key=key).exists():
            summary.cis_unchanged += 1
            continue
        actions.create_ci(actor=actor, source_key=key, values={
            "name_en": name, "ci_class": unclassified,
            "description": "UCI incident event log (anonymised CI name; the log gives no type)"})
        summary.cis_created += 1
    _link_incidents(actor, UCI, summary)
    return summary


def _source_incident_ids(system: str) -> Any:
    from sarv.incidents.models import Incident

    return ExternalReference.objects.filter(
        content_type=ContentType.objects.get_for_model(Incident), system=system,
    ).values("object_id")


def _link_incidents(actor: Any, system: str, summary: SourceSummary) -> None:
    """Set ``affected_ci`` on the system's imported incidents whose CI name has a CI; one audit row each.

    Imported incidents are history: their service is left as imported, and no notification is sent.
    """
    from sarv.incidents.models import Incident

    by_name = dict(CI.objects.filter(source_key__startswith=f"{system}:").values_list("source_key", "pk"))
    pending = (Incident.objects.filter(pk__in=_source_incident_ids(system), affected_ci__isnull=True)
               .exclude(affected_ci_name="").values_list("pk", "affected_ci_name"))
    updates: dict[int, list[int]] = defaultdict(list)
    for pk, name in pending.iterator(chunk_size=5000):
        ci_id = by_name.get(f"{system}:{name}")
        if ci_id is None:
            summary.incidents_without_ci += 1
        else:
            updates[ci_id].append(pk)
    for ci_id, incident_ids in updates.items():
        with transaction.atomic():
            for start in range(0, len(incident_ids), 1000):
                chunk = incident_ids[start:start + 1000]
                Incident.objects.filter(pk__in=chunk).update(affected_ci_id=ci_id)
                rows = []
                for pk in chunk:
                    row = audit.build(actor=actor, action=AuditAction.UPDATE, instance=Incident(pk=pk),
                                      changes={"affected_ci": [None, ci_id]}, object_repr=f"incident {pk}")
                    rows.append(row)
                type(rows[0]).objects.bulk_create(rows)
        summary.incidents_linked += len(incident_ids)
