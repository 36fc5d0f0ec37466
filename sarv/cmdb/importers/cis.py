"""Import and export of CIs and relationships from CSV and Excel, with a column mapping and a dry run.

Every row goes through the same actions as the pages and the API (``create_ci``, ``update_ci``,
``relate``), so the rules and messages are the same. A dry run performs the whole import inside a
transaction and rolls it back: its report (created, updated, unchanged, rejected with row numbers
and reasons in the active language) is exactly what applying would do.

Identity: a row is matched to an existing CI by its normalised property number, asset tag, serial
number and hostname, in that order (``sarv.cmdb.identity``; placeholders never match). When two keys
point to different CIs the row is rejected. A row without any usable key matches a CI of the same
class with the same name. A renamed CI therefore keeps its CI (the keys still match), and importing
the same file again changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sarv.accounts.models import Department, Location, SupportGroup, User
from sarv.cmdb import actions
from sarv.cmdb import attributes as attribute_rules
from sarv.cmdb.choices import CIStatus, Criticality, Environment
from sarv.cmdb.identity import identity_key
from sarv.cmdb.importers.tables import read_table, write_table
from sarv.cmdb.models import CI, CIClass, ImportRun, Relationship, RelationshipType
from sarv.core import audit
from sarv.core.choices import AuditAction
from sarv.core.errors import SarvError, ValidationFailed
from sarv.core.text import search_key

# Target field -> header names recognised without a mapping (compared by search key).
CI_COLUMNS: dict[str, tuple[str, ...]] = {
    "name_fa": ("name_fa", "نام", "نام فارسی", "persian name"),
    "name_en": ("name_en", "name", "english name", "نام انگلیسی", "ci name"),
    "ci_class": ("class", "ci_class", "کلاس", "type", "نوع"),
    "status": ("status", "وضعیت"),
    "environment": ("environment", "محیط"),
    "criticality": ("criticality", "اهمیت"),
    "property_number": ("property_number", "property number", "شماره اموال"),
    "serial_number": ("serial_number", "serial number", "serial", "شماره سریال", "سریال"),
    "asset_tag": ("asset_tag", "asset tag", "برچسب دارایی"),
    "hostname": ("hostname", "host name", "host", "نام میزبان"),
    "support_group": ("support_group", "support group", "گروه پشتیبانی"),
    "location": ("location", "مکان"),
    "holder": ("holder", "تحویل‌گیرنده", "username"),
    "holder_department": ("holder_department", "department", "واحد سازمانی"),
    "description": ("description", "توضیحات"),
}
RELATIONSHIP_COLUMNS: dict[str, tuple[str, ...]] = {
    "source": ("source", "source_id", "from", "مبدا"),
    "type": ("type", "relationship", "نوع ارتباط"),
    "target": ("target", "target_id", "to", "مقصد"),
    "description": ("description", "توضیحات"),
}
ATTRIBUTE_PREFIX = "attributes."


@dataclass
class RowResult:
    row: int  # the row number in the file (the header is row 1)
    outcome: str  # created | updated | unchanged | rejected
    ci: int | None = None
    name: str = ""
    message: str = ""
    field: str = ""
    changes: list[str] = dataclass_field(default_factory=list)


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    mapping: dict[str, str]
    rows: list[RowResult] = dataclass_field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "dry_run": self.dry_run, "mapping": self.mapping,
            "created": self.count("created"), "updated": self.count("updated"),
            "unchanged": self.count("unchanged"), "rejected": self.count("rejected"),
            "rows": [row.__dict__ for row in self.rows if row.outcome != "unchanged"],
        }


class _Rollback(Exception):
    """Raised at the end of a dry run to undo everything it wrote."""


def guess_mapping(header: Iterable[str], columns: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Map target fields to the file's columns by known header names; ``attr:<code>`` columns map to attributes."""
    mapping: dict[str, str] = {}
    keys = {search_key(name): name for name in header}
    for target, aliases in columns.items():
        for alias in aliases:
            if search_key(alias) in keys and keys[search_key(alias)] not in mapping.values():
                mapping[target] = keys[search_key(alias)]
                break
    for name in header:
        lowered = name.strip().lower()
        for prefix in ("attr:", "attributes.", "attribute:"):
            if lowered.startswith(prefix):
                mapping[ATTRIBUTE_PREFIX + lowered[len(prefix):].strip()] = name
    return mapping


def _check_mapping(mapping: Mapping[str, str], header: list[str], allowed: Iterable[str]) -> None:
    allowed = set(allowed)
    for target, column in mapping.items():
        if target not in allowed and not target.startswith(ATTRIBUTE_PREFIX):
            raise ValidationFailed(_("Unknown field %(name)s in the column mapping."), field="mapping", name=target)
        if column not in header:
            raise ValidationFailed(_("The file has no column «%(column)s»."), field="mapping", column=column)


class _Lookups:
    """Resolves the names and codes typed in a file to rows, with a cache per import."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, str], Any] = {}
        self.classes = list(CIClass.objects.all())
        self.definitions: dict[int, list[Any]] = {}

    def choice(self, text: str, choices: Any, field_name: str) -> Any:
        key = (f"choice:{field_name}", text)
        if key not in self.cache:
            self.cache[key] = _choice_value(text, choices, field_name)
        return self.cache[key]

    def attribute_definitions(self, ci_class: CIClass) -> list[Any]:
        """Return the class's effective attribute definitions, read once per import."""
        if ci_class.pk not in self.definitions:
            self.definitions[ci_class.pk] = attribute_rules.effective_definitions(ci_class)
        return self.definitions[ci_class.pk]

    def _find(self, kind: str, text: str, finder: Any) -> Any:
        key = (kind, search_key(text))
        if key not in self.cache:
            self.cache[key] = finder(text)
        return self.cache[key]

    def ci_class(self, text: str) -> CIClass:
        key = ("class", text)
        if key not in self.cache:
            wanted = search_key(text)
            self.cache[key] = next((c for c in self.classes if wanted in (
                c.code, search_key(c.name_fa), search_key(c.name_en))), None)
        if self.cache[key] is None:
            raise ValidationFailed(_("There is no class «%(value)s»."), field="ci_class", value=text)
        return self.cache[key]

    def named(self, model: Any, field_name: str, text: str) -> Any:
        def finder(value: str) -> Any:
            wanted = search_key(value)
            for obj in model.objects.all():
                if wanted in (search_key(getattr(obj, "code", "") or ""), search_key(obj.name_fa),
                              search_key(obj.name_en)):
                    return obj
            return None
        found = self._find(model.__name__, text, finder)
        if found is None:
            raise ValidationFailed(_("«%(value)s» was not found."), field=field_name, value=text)
        return found

    def user(self, text: str) -> User:
        found = self._find("user", text, lambda v: User.objects.filter(
            Q(username__iexact=v.strip()) | Q(employee_number=v.strip())).first())
        if found is None:
            raise ValidationFailed(_("There is no user «%(value)s»."), field="holder", value=text)
        return found


def _choice_value(text: str, choices: Any, field_name: str) -> Any:
    """Return the choice whose code or label is ``text``, in Persian or English whatever the page's language."""
    wanted = search_key(text)
    for value, label in choices.choices:
        names = {search_key(str(value)), search_key(str(label))}
        for language in ("fa", "en"):
            with translation.override(language):
                names.add(search_key(str(label)))
        if wanted in names:
            return value
    raise ValidationFailed(_("«%(value)s» is not a valid value."), field=field_name, value=text)


def _row_values(row: Mapping[str, str], mapping: Mapping[str, str], lookups: _Lookups) -> dict[str, Any]:
    values: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    for target, column in mapping.items():
        text = (row.get(column) or "").strip()
        if target.startswith(ATTRIBUTE_PREFIX):
            attributes[target[len(ATTRIBUTE_PREFIX):]] = text
            continue
        if target == "ci_class":
            values[target] = lookups.ci_class(text) if text else None
        elif target == "status":
            values[target] = lookups.choice(text, CIStatus, target) if text else CIStatus.LIVE
        elif target == "environment":
            values[target] = lookups.choice(text, Environment, target) if text else ""
        elif target == "criticality":
            values[target] = lookups.choice(text, Criticality, target) if text else Criticality.MEDIUM
        elif target == "support_group":
            values[target] = lookups.named(SupportGroup, target, text) if text else None
        elif target == "location":
            values[target] = lookups.named(Location, target, text) if text else None
        elif target == "holder_department":
            values[target] = lookups.named(Department, target, text) if text else None
        elif target == "holder":
            values[target] = lookups.user(text) if text else None
        else:
            values[target] = text
    if attributes:
        values["attributes"] = attributes
    return values


MATCH_ORDER = ("property_number", "asset_tag", "serial_number", "hostname")


def match_ci(values: Mapping[str, Any], index: _IdentityIndex | None = None) -> CI | None:
    """Find the CI a row describes by its identity keys, else by class and name; raise on conflicting keys.

    With ``index`` the keys are looked up there (no query) and the CI comes from its cache.
    """
    found: dict[int, str] = {}
    for name in MATCH_ORDER:
        key = identity_key(name, values.get(name))
        if not key:
            continue
        if index is not None:
            matches = index.holders(name, key)[:2]
        else:
            matches = list(CI.objects.filter(**{f"{name}_key": key}).values_list("pk", flat=True)[:2])
        if len(matches) > 1:
            raise ValidationFailed(_("Several CIs have the %(key)s %(value)s; the row cannot be matched."),
                                   field=name, key=actions.IDENTITY_LABELS[name], value=values.get(name))
        if matches:
            found.setdefault(matches[0], name)
    if len(found) > 1:
        raise ValidationFailed(_("The identity keys of this row belong to different CIs (%(ids)s)."),
                               field="identity", ids=", ".join(str(pk) for pk in sorted(found)))
    if found:
        pk = next(iter(found))
        return index.get(pk) if index is not None else CI.objects.get(pk=pk)
    has_key = any(identity_key(n, values.get(n)) for n in CI.IDENTITY_FIELDS)
    ci_class = values.get("ci_class")
    if has_key or ci_class is None:
        return None
    for name_field in ("name_fa", "name_en"):
        name_value = values.get(name_field)
        if name_value:
            candidates = CI.objects.filter(ci_class=ci_class, **{name_field: name_value})
            if candidates.count() == 1:
                return candidates.first()
    return None


def import_cis(
    *, actor: Any, file_name: str, content: bytes, mapping: Mapping[str, str] | None = None, dry_run: bool = True,
) -> ImportReport:
    """Import CIs from a table; with ``dry_run`` nothing is kept. Requires ``cmdb.manage_cmdb``."""
    actions.require_manage(actor)
    header, rows = read_table(file_name, content)
    used = dict(mapping) if mapping else guess_mapping(header, CI_COLUMNS)
    _check_mapping(used, header, CI_COLUMNS)
    if "ci_class" not in used or not ({"name_fa", "name_en"} & set(used)):
        raise ValidationFailed(_("Map at least the class and a name column."), field="mapping")
    report = ImportReport(kind="cis", dry_run=dry_run, mapping=used)
    lookups = _Lookups()
    try:
        with transaction.atomic():
            for start in range(0, len(rows), CHUNK):
                _import_ci_chunk(actor, report, list(enumerate(rows[start:start + CHUNK], start=start + 2)), used,
                                 lookups)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return report


# Rows read, matched and written together: a few queries per chunk instead of a dozen per row.
CHUNK = 1000


class _IdentityIndex:
    """The CIs that hold the identity keys of a chunk of rows: read in one query per key field, with the CIs
    themselves, and kept current while the chunk is imported (new CIs wait in ``pending`` until written)."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.holders_of: dict[tuple[str, str], list[Any]] = {}
        self.cis: dict[int, CI] = {}
        self.pending: list[tuple[CI, RowResult]] = []
        for name in MATCH_ORDER:
            keys = sorted({key for values in rows if (key := identity_key(name, values.get(name)))})
            for start in range(0, len(keys), 900):
                queryset = CI.objects.filter(**{f"{name}_key__in": keys[start:start + 900]}).order_by("pk")
                for pk, key in queryset.values_list("pk", f"{name}_key"):
                    self.holders_of.setdefault((name, key), []).append(pk)
        wanted = sorted({pk for holders in self.holders_of.values() for pk in holders})
        for start in range(0, len(wanted), 900):
            self.cis.update(CI.objects.select_related(*CI_RELATED).in_bulk(wanted[start:start + 900]))

    def holders(self, name: str, key: str) -> list[int]:
        return [ref for ref in self.holders_of.get((name, key), []) if isinstance(ref, int)]

    def waiting(self, values: Mapping[str, Any]) -> bool:
        """Return whether a key of the row belongs to a CI not written yet."""
        return any(not isinstance(ref, int) for name in MATCH_ORDER
                   for ref in self.holders_of.get((name, identity_key(name, values.get(name))), ()))

    def owner_of(self, name: str, key: str) -> int | None:
        holders = self.holders(name, key)
        return holders[0] if holders else None

    def get(self, pk: int) -> CI:
        if pk not in self.cis:
            self.cis[pk] = CI.objects.select_related(*CI_RELATED).get(pk=pk)
        return self.cis[pk]

    def add(self, ci: CI, before: Mapping[str, str] | None = None) -> None:
        """Record the current keys of ``ci``; a new CI stands for itself in the index until it is written."""
        ref: Any = ci.pk if ci.pk is not None else ci
        for name in MATCH_ORDER:
            old = (before or {}).get(name, "")
            if old and ref in self.holders_of.get((name, old), []):
                self.holders_of[(name, old)].remove(ref)
            key = getattr(ci, f"{name}_key")
            if key and ref not in self.holders_of.setdefault((name, key), []):
                self.holders_of[(name, key)].append(ref)
        if ci.pk is not None:
            self.cis[ci.pk] = ci

    def flush(self, actor: Any) -> None:
        """Write the waiting CIs; if the batch fails as a whole, write them one by one through ``create_ci``."""
        waiting, self.pending = self.pending, []
        if not waiting:
            return
        try:
            with transaction.atomic():
                actions.create_cis(actor=actor, cis=[ci for ci, _result in waiting])
        except IntegrityError:
            for ci, _result in waiting:
                ci.pk = None
            self._create_one_by_one(actor, waiting)
        for ci, result in waiting:
            if result.outcome == "created":
                result.ci = ci.pk
        for key, refs in self.holders_of.items():
            self.holders_of[key] = [ref.pk if isinstance(ref, CI) else ref for ref in refs if
                                    not isinstance(ref, CI) or ref.pk is not None]
        for ci, _result in waiting:
            if ci.pk is not None:
                self.cis[ci.pk] = ci

    def _create_one_by_one(self, actor: Any, waiting: list[tuple[CI, RowResult]]) -> None:
        for ci, result in waiting:
            values = {name: getattr(ci, name) for name in actions.CI_FIELDS}
            values["attributes"] = ci.attributes
            try:
                with transaction.atomic():
                    ci.pk = actions.create_ci(actor=actor, values=values).pk
            except (SarvError, IntegrityError) as error:
                result.outcome, result.message = "rejected", getattr(error, "message", str(error))
                result.field = getattr(error, "field", "") or ""


CI_RELATED = ("ci_class", "support_group", "location", "holder", "holder_department", "service")


def _import_ci_chunk(actor: Any, report: ImportReport, rows: list[tuple[int, Mapping[str, str]]],
                     mapping: Mapping[str, str], lookups: _Lookups) -> None:
    parsed: list[tuple[int, str, dict[str, Any] | SarvError]] = []
    for number, row in rows:
        name = row.get(mapping.get("name_fa", ""), "") or row.get(mapping.get("name_en", ""), "")
        try:
            parsed.append((number, name, _row_values(row, mapping, lookups)))
        except SarvError as error:
            parsed.append((number, name, error))
    index = _IdentityIndex([values for _n, _name, values in parsed if isinstance(values, dict)])
    for number, name, values in parsed:
        if isinstance(values, SarvError):
            report.rows.append(_rejected(number, name, values))
            continue
        report.rows.append(_import_ci_row(actor, number, name, values, index, lookups))
    index.flush(actor)


def _rejected(number: int, name: str, error: SarvError) -> RowResult:
    return RowResult(row=number, outcome="rejected", name=name, message=error.message, field=error.field or "")


def _import_ci_row(actor: Any, number: int, name: str, values: dict[str, Any], index: _IdentityIndex,
                   lookups: _Lookups) -> RowResult:
    try:
        if index.waiting(values) or not any(identity_key(n, values.get(n)) for n in CI.IDENTITY_FIELDS):
            # The row names a CI this import has not written yet, or can only be matched by name: write first.
            index.flush(actor)
        existing = match_ci(values, index)
        ci_class = values.get("ci_class") or (existing.ci_class if existing is not None else None)
        definitions = lookups.attribute_definitions(ci_class) if ci_class is not None else None
        if existing is None:
            ci = actions.build_ci(actor=actor, values=values, owner_of=index.owner_of, definitions=definitions)
            result = RowResult(row=number, outcome="created", name=name)
            index.pending.append((ci, result))
            index.add(ci)
            return result
        if not actions.ci_would_change(actor=actor, ci=existing, values=values, owner_of=index.owner_of,
                                       definitions=definitions):
            return RowResult(row=number, outcome="unchanged", ci=existing.pk, name=name)
        before = {n: getattr(existing, f"{n}_key") for n in MATCH_ORDER}
        with transaction.atomic():
            changes = actions.update_ci(actor=actor, ci=existing, values=values)
        index.add(existing, before)
        if not changes:
            return RowResult(row=number, outcome="unchanged", ci=existing.pk, name=name)
        return RowResult(row=number, outcome="updated", ci=existing.pk, name=name,
                         changes=[c["field"] for c in changes])
    except SarvError as error:
        return _rejected(number, name, error)


def find_ci(text: str) -> CI | None:
    """Resolve a CI named in a relationship file: "#id", an identity key, or a unique name."""
    text = text.strip()
    if text.startswith("#") and text[1:].isdigit():
        return CI.objects.filter(pk=int(text[1:])).first()
    for name in ("property_number", "asset_tag", "serial_number", "hostname"):
        key = identity_key(name, text)
        if key:
            matches = list(CI.objects.filter(**{f"{name}_key": key})[:2])
            if len(matches) == 1:
                return matches[0]
    by_name = list(CI.objects.filter(Q(name_fa=text) | Q(name_en=text))[:2])
    return by_name[0] if len(by_name) == 1 else None


def import_relationships(
    *, actor: Any, file_name: str, content: bytes, mapping: Mapping[str, str] | None = None, dry_run: bool = True,
) -> ImportReport:
    """Import relationships (source, type, target); an existing one is unchanged, never duplicated."""
    actions.require_manage(actor)
    header, rows = read_table(file_name, content)
    used = dict(mapping) if mapping else guess_mapping(header, RELATIONSHIP_COLUMNS)
    _check_mapping(used, header, RELATIONSHIP_COLUMNS)
    if not {"source", "type", "target"} <= set(used):
        raise ValidationFailed(_("Map the source, type and target columns."), field="mapping")
    types = {search_key(t.code): t for t in RelationshipType.objects.all()}
    for rel_type in list(types.values()):
        types.setdefault(search_key(rel_type.name_fa), rel_type)
        types.setdefault(search_key(rel_type.name_en), rel_type)
    report = ImportReport(kind="relationships", dry_run=dry_run, mapping=used)
    try:
        with transaction.atomic():
            for number, row in enumerate(rows, start=2):
                report.rows.append(_import_relationship_row(actor, number, row, used, types))
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return report


def _import_relationship_row(actor: Any, number: int, row: Mapping[str, str], mapping: Mapping[str, str],
                             types: Mapping[str, RelationshipType]) -> RowResult:
    source_text, target_text = row.get(mapping["source"], ""), row.get(mapping["target"], "")
    label = f"{source_text} → {target_text}"
    try:
        with transaction.atomic():
            source, target = find_ci(source_text), find_ci(target_text)
            if source is None or target is None:
                missing = source_text if source is None else target_text
                raise ValidationFailed(_("No single CI matches «%(value)s»."), field="source" if source is None
                                       else "target", value=missing)
            rel_type = types.get(search_key(row.get(mapping["type"], "")))
            if rel_type is None:
                raise ValidationFailed(_("There is no relationship type «%(value)s»."), field="type",
                                       value=row.get(mapping["type"], ""))
            current = Relationship.objects.current().filter(type=rel_type)
            same = Q(source=source, target=target)
            if rel_type.is_symmetric:
                same |= Q(source=target, target=source)
            if current.filter(same).exists():
                return RowResult(row=number, outcome="unchanged", name=label)
            relationship = actions.relate(actor=actor, source=source, target=target, relationship_type=rel_type,
                                          description=row.get(mapping.get("description", ""), ""))
            return RowResult(row=number, outcome="created", ci=relationship.source_id, name=label)
    except SarvError as error:
        return RowResult(row=number, outcome="rejected", name=label, message=error.message, field=error.field or "")


# --- Export ---------------------------------------------------------------------------------------


def export_cis(queryset: Iterable[CI], file_name: str) -> bytes:
    """CIs as a table that ``import_cis`` reads back unchanged (attributes as ``attr:<code>`` columns)."""
    cis = list(queryset)
    codes = sorted({code for ci in cis for code in (ci.attributes or {})})
    fields = ["name_fa", "name_en", "ci_class", "status", "environment", "criticality", "property_number",
              "serial_number", "asset_tag", "hostname", "support_group", "location", "holder", "holder_department",
              "description"]
    header = [*fields, *(f"attr:{code}" for code in codes)]

    def cell(ci: CI, name: str) -> Any:
        if name == "ci_class":
            return ci.ci_class.code
        if name == "holder":
            return ci.holder.username if ci.holder else ""
        if name in ("support_group", "location", "holder_department"):
            related = getattr(ci, name)
            return (getattr(related, "code", "") or related.name_fa) if related else ""
        return getattr(ci, name)

    rows = ([cell(ci, name) for name in fields] + [(ci.attributes or {}).get(code, "") for code in codes]
            for ci in cis)
    return write_table(file_name, header, rows)


def export_relationships(queryset: Iterable[Relationship], file_name: str) -> bytes:
    header = ["source", "source_name", "type", "target", "target_name", "description"]
    rows = ([f"#{r.source_id}", r.source.name, r.type_id, f"#{r.target_id}", r.target.name, r.description]
            for r in queryset)
    return write_table(file_name, header, rows)


# --- Stored imports (upload, dry run, apply) ---------------------------------------------------------

MAX_UPLOAD = 20 * 1024 * 1024
RUNNERS = {"cis": import_cis, "relationships": import_relationships}


def start_import(*, actor: Any, kind: str, file_name: str, content: bytes,
                 mapping: Mapping[str, str] | None = None) -> tuple[ImportRun, ImportReport]:
    """Store an uploaded file and its mapping, and return its dry-run report (nothing else is written)."""
    actions.require_manage(actor)
    if kind not in RUNNERS:
        raise ValidationFailed(_("Choose what the file contains: CIs or relationships."), field="kind")
    if len(content) > MAX_UPLOAD:
        raise ValidationFailed(_("The file is larger than %(max)s MB."), field="file", max=MAX_UPLOAD // 1024 // 1024)
    report = RUNNERS[kind](actor=actor, file_name=file_name, content=content, mapping=mapping, dry_run=True)
    run = ImportRun.objects.create(kind=kind, file_name=file_name[:255], content=content, mapping=report.mapping,
                                   report=report.as_dict(), created_by=actor)
    return run, report


def apply_import(*, actor: Any, run: ImportRun) -> ImportReport:
    """Apply a stored import with its mapping; rows rejected in the dry run are rejected again, the rest kept."""
    actions.require_manage(actor)
    if run.applied_at is not None:
        raise ValidationFailed(_("This import has already been applied."))
    report = RUNNERS[run.kind](actor=actor, file_name=run.file_name, content=bytes(run.content),
                               mapping=run.mapping, dry_run=False)
    with transaction.atomic():
        run.report = report.as_dict()
        run.applied_at = timezone.now()
        run.save(update_fields=["report", "applied_at"])
        audit.log(actor=actor, action=AuditAction.IMPORT, instance=run,
                  changes={"file_name": [None, run.file_name], "created": [None, report.count("created")],
                           "updated": [None, report.count("updated")], "rejected": [None, report.count("rejected")]})
    return report
