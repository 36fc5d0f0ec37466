"""Every write to the CMDB: classes, attributes, relationship types and rules, CIs and relationships.

Each function checks permission (``sarv.cmdb.permissions``) before any side effect, validates its
input with the same code for pages, API and imports, changes data inside ``transaction.atomic`` and
writes an audit row (``sarv.core.audit``) and, for CIs, a timeline entry (``sarv.core.timeline``).

CI history is exact: every change of a CI field writes ``{field: [old, new]}`` (attributes as
``attributes.<code>``) to the audit log, which ``selectors.ci_as_of`` replays backwards, and a
relationship is never deleted but ended (``valid_to``), so ``selectors.relationships_as_of`` is a filter.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sarv.accounts.models import Department, Location, SupportGroup, User
from sarv.cmdb import attributes as attribute_rules
from sarv.cmdb import permissions
from sarv.cmdb.choices import AttributeType, CIStatus, Criticality, Environment, Propagation
from sarv.cmdb.models import (
    CI,
    AttributeDefinition,
    CIClass,
    ImpactEdge,
    ImportRun,
    Relationship,
    RelationshipRule,
    RelationshipType,
)
from sarv.core import audit, records, timeline
from sarv.core.actions import check_unique_name, clean_order, clean_text, require_name, save_audited
from sarv.core.choices import AuditAction, TimelineKind
from sarv.core.errors import PermissionDenied, ValidationFailed
from sarv.services.models import Service

logger = logging.getLogger(__name__)

# Fields of a CI that ``create_ci`` and ``update_ci`` accept, besides "attributes".
CI_FIELDS = (
    "name_fa", "name_en", "ci_class", "status", "environment", "support_group", "location", "criticality",
    "property_number", "serial_number", "asset_tag", "hostname", "holder", "holder_department", "service",
    "description",
)
TEXT_FIELDS = ("name_fa", "name_en", "property_number", "serial_number", "asset_tag", "hostname", "description")
IDENTITY_LABELS = {
    "property_number": _("property number"),
    "serial_number": _("serial number"),
    "asset_tag": _("asset tag"),
    "hostname": _("hostname"),
}


def require_manage(actor: Any) -> None:
    if not permissions.can_manage(actor):
        raise PermissionDenied(_("Only configuration managers can change CI classes, attributes and relationship "
                                 "types."))


def require_edit_class(actor: Any, ci_class: CIClass) -> None:
    if not permissions.can_edit_class(actor, ci_class):
        raise PermissionDenied(
            _("You may not edit configuration items of the class %(ci_class)s. Its owning support group and "
              "configuration managers can."), ci_class=ci_class.name,
        )


# --- Classes ----------------------------------------------------------------------------------------


def _class_values(values: Mapping[str, Any]) -> dict[str, Any]:
    code = clean_text(values.get("code")).lower()
    if not code or not all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in code):
        raise ValidationFailed(_("Enter a code of Latin letters, digits, '-' and '_'."), field="code")
    return {
        "code": code,
        "name_fa": require_name(values),
        "name_en": clean_text(values.get("name_en")),
        "parent": values.get("parent"),
        "description": clean_text(values.get("description")),
        "owner_group": values.get("owner_group"),
        "maps_to_service": bool(values.get("maps_to_service", False)),
        "is_active": bool(values.get("is_active", True)),
        "sort_order": clean_order(values),
    }


def _validate_class(ci_class: CIClass) -> None:
    parent = ci_class.parent
    if parent is not None and ci_class.pk is not None and (
        parent.pk == ci_class.pk or parent.path.startswith(CIClass.objects.get(pk=ci_class.pk).path)
    ):
        raise ValidationFailed(_("A class cannot be placed under itself or under one of its subclasses."),
                               field="parent")
    if CIClass.objects.filter(code=ci_class.code).exclude(pk=ci_class.pk or 0).exists():
        raise ValidationFailed(_("The code %(code)s is already in use."), field="code", code=ci_class.code)
    check_unique_name(CIClass.objects.filter(parent=ci_class.parent), ci_class.name_fa, exclude_pk=ci_class.pk)


def save_ci_class(*, actor: Any, ci_class: CIClass | None, values: Mapping[str, Any]) -> CIClass:
    """Create (``ci_class=None``) or change a CI class; moving or renaming it updates its subclasses' paths."""
    require_manage(actor)
    cleaned = _class_values(values)
    old_path = ci_class.path if ci_class is not None and ci_class.pk else None
    with transaction.atomic():
        saved = save_audited(actor, ci_class or CIClass(), cleaned, validate=_validate_class)
        if old_path is not None and saved.path != old_path:
            for child in CIClass.objects.filter(path__startswith=old_path).exclude(pk=saved.pk).order_by("path"):
                child.parent = CIClass.objects.get(pk=child.parent_id or 0)
                child.save(update_fields=["path"])
    return saved


# --- Attribute definitions --------------------------------------------------------------------------


def _clean_choices(raw: Any) -> list[dict[str, str]]:
    choices: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in raw or []:
        if isinstance(item, str):
            item = {"value": item, "label_fa": item}
        value = clean_text(item.get("value"))
        if not value:
            raise ValidationFailed(_("Every choice needs a value."), field="choices")
        if value in seen:
            raise ValidationFailed(_("The choice %(value)s is listed twice."), field="choices", value=value)
        seen.add(value)
        choices.append({"value": value, "label_fa": clean_text(item.get("label_fa")) or value,
                        "label_en": clean_text(item.get("label_en"))})
    return choices


def _attribute_values(values: Mapping[str, Any]) -> dict[str, Any]:
    code = clean_text(values.get("code")).lower()
    if not code or not all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in code):
        raise ValidationFailed(_("Enter a code of Latin letters, digits and '_'."), field="code")
    kind = values.get("type")
    if kind not in AttributeType.values:
        raise ValidationFailed(_("Choose the type of the attribute."), field="type")
    choices = _clean_choices(values.get("choices")) if kind == AttributeType.CHOICE else []
    if kind == AttributeType.CHOICE and not choices:
        raise ValidationFailed(_("A choice attribute needs at least one choice."), field="choices")
    return {
        "ci_class": values.get("ci_class"),
        "code": code,
        "name_fa": require_name(values),
        "name_en": clean_text(values.get("name_en")),
        "type": kind,
        "required": bool(values.get("required", False)),
        "choices": choices,
        "reference_class": values.get("reference_class") if kind == AttributeType.CI else None,
        "help_text": clean_text(values.get("help_text")),
        "sort_order": clean_order(values),
        "is_active": bool(values.get("is_active", True)),
    }


def _validate_attribute(definition: AttributeDefinition) -> None:
    ci_class = definition.ci_class
    if ci_class is None:
        raise ValidationFailed(_("Choose the class."), field="ci_class")
    # A code may appear once along any path of the tree: in the class, its ancestors or its subclasses.
    related = Q(ci_class__code__in=ci_class.ancestor_codes()) | Q(ci_class__path__startswith=ci_class.path)
    clash = AttributeDefinition.objects.filter(related, code=definition.code).exclude(pk=definition.pk or 0)
    if clash.exists():
        raise ValidationFailed(
            _("The attribute code %(code)s is already used by this class, a parent class or a subclass."),
            field="code", code=definition.code,
        )


def save_attribute(
    *, actor: Any, definition: AttributeDefinition | None, values: Mapping[str, Any],
) -> AttributeDefinition:
    """Create or change an attribute definition of a class (inherited by its subclasses).

    Existing values are not rewritten: a CI whose stored value no longer fits is asked to fix it on
    its next save, because every save validates all its attributes.
    """
    require_manage(actor)
    cleaned = _attribute_values(values)
    if definition is not None and definition.pk and cleaned["ci_class"] != definition.ci_class:
        raise ValidationFailed(_("An attribute cannot move to another class."), field="ci_class")
    return save_audited(actor, definition or AttributeDefinition(), cleaned, validate=_validate_attribute)


# --- Relationship types and rules -------------------------------------------------------------------


def save_relationship_type(
    *, actor: Any, relationship_type: RelationshipType | None, values: Mapping[str, Any],
) -> RelationshipType:
    """Create or change a relationship type; a changed propagation rebuilds its impact edges."""
    require_manage(actor)
    propagation = values.get("propagation")
    if propagation not in Propagation.values:
        raise ValidationFailed(_("Choose which way a failure travels."), field="propagation")
    inverse_fa = clean_text(values.get("inverse_name_fa"))
    if not inverse_fa:
        raise ValidationFailed(_("Enter the inverse name in Persian."), field="inverse_name_fa")
    cleaned: dict[str, Any] = {
        "name_fa": require_name(values),
        "name_en": clean_text(values.get("name_en")),
        "inverse_name_fa": inverse_fa,
        "inverse_name_en": clean_text(values.get("inverse_name_en")),
        "propagation": propagation,
        "is_containment": bool(values.get("is_containment", False)),
        "is_symmetric": bool(values.get("is_symmetric", False)),
        "sort_order": clean_order(values),
        "is_active": bool(values.get("is_active", True)),
    }
    if cleaned["is_containment"] and cleaned["is_symmetric"]:
        raise ValidationFailed(_("A containment type has a direction (contains / part of), so it cannot be "
                                 "symmetric."), field="is_symmetric")
    if relationship_type is not None:
        _check_type_flags(relationship_type, cleaned)
    instance = relationship_type
    if instance is None:
        code = clean_text(values.get("code")).lower()
        if not code or not all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in code):
            raise ValidationFailed(_("Enter a code of Latin letters, digits and '_'."), field="code")
        if RelationshipType.objects.filter(code=code).exists():
            raise ValidationFailed(_("The code %(code)s is already in use."), field="code", code=code)
        instance = RelationshipType(code=code)
        instance._state.adding = True
    old_propagation = relationship_type.propagation if relationship_type is not None else None
    with transaction.atomic():
        if relationship_type is None:
            for name, value in cleaned.items():
                setattr(instance, name, value)
            instance.save(force_insert=True)
            audit.log_create(actor, instance)
            saved = instance
        else:
            saved = save_audited(actor, instance, cleaned)
        if old_propagation is not None and old_propagation != saved.propagation:
            rebuild_impact_edges(types=[saved.code])
    return saved


def _check_type_flags(relationship_type: RelationshipType, cleaned: Mapping[str, Any]) -> None:
    """Refuse a flag change that the type's current relationships contradict (checked before any write)."""
    current = Relationship.objects.current().filter(type=relationship_type)
    if cleaned["is_symmetric"] and not relationship_type.is_symmetric:
        both_ways = current.filter(source_id__in=current.values("target_id"))
        pairs = set(both_ways.values_list("source_id", "target_id"))
        clash = next(((a, b) for a, b in sorted(pairs) if (b, a) in pairs), None)
        if clash is not None:
            names = dict(CI.objects.filter(pk__in=clash).values_list("pk", "name_fa"))
            names.update(dict(CI.objects.filter(pk__in=clash, name_fa="").values_list("pk", "name_en")))
            raise ValidationFailed(
                _("The type cannot become symmetric: %(first)s and %(second)s are related by it in both "
                  "directions, which would then be the same relationship twice. End one of the two first."),
                field="is_symmetric", first=names.get(clash[0], clash[0]), second=names.get(clash[1], clash[1]),
            )
    if cleaned["is_containment"] and not relationship_type.is_containment:
        cycle = _containment_cycle(extra_type=relationship_type.code)
        if cycle:
            names = dict(CI.objects.filter(pk__in=cycle).values_list("pk", "name_fa"))
            names.update(dict(CI.objects.filter(pk__in=cycle, name_fa="").values_list("pk", "name_en")))
            raise ValidationFailed(
                _("The type cannot become containment: its relationships go round in a circle (%(trail)s). "
                  "End one of them first."),
                field="is_containment", trail=" › ".join(str(names.get(pk, pk)) for pk in cycle),
            )


def _containment_cycle(extra_type: str) -> list[int]:
    """A cycle of current relationships of containment types and ``extra_type`` as CI ids, or ``[]``."""
    edges: dict[int, list[int]] = {}
    rows = (Relationship.objects.current().filter(Q(type__is_containment=True) | Q(type_id=extra_type))
            .values_list("source_id", "target_id"))
    for source_id, target_id in rows.iterator(chunk_size=5000):
        edges.setdefault(source_id, []).append(target_id)
    state: dict[int, int] = {}  # 1: on the current path, 2: done
    for start in edges:
        if start in state:
            continue
        path = [start]
        stack = [iter(edges.get(start, ()))]
        state[start] = 1
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(following) == 1:
                return [*path[path.index(following):], following]
            elif following not in state:
                state[following] = 1
                path.append(following)
                stack.append(iter(edges.get(following, ())))
    return []


def add_relationship_rule(
    *, actor: Any, relationship_type: RelationshipType, source_class: CIClass, target_class: CIClass,
) -> RelationshipRule:
    """Allow the type from CIs of ``source_class`` to CIs of ``target_class`` (subclasses of each included)."""
    require_manage(actor)
    with transaction.atomic():
        existing = RelationshipRule.objects.filter(type=relationship_type, source_class=source_class,
                                                   target_class=target_class).first()
        if existing is None and relationship_type.is_symmetric:
            # A symmetric type reads the same both ways, so the reversed pair is the same rule.
            existing = RelationshipRule.objects.filter(type=relationship_type, source_class=target_class,
                                                       target_class=source_class).first()
        if existing is not None:
            raise ValidationFailed(
                _("«%(type)s» is already allowed from %(source_class)s to %(target_class)s."), field="target_class",
                type=relationship_type.label, source_class=source_class.name, target_class=target_class.name,
            )
        rule = RelationshipRule.objects.create(type=relationship_type, source_class=source_class,
                                               target_class=target_class)
        audit.log_create(actor, rule)
    return rule


def remove_relationship_rule(*, actor: Any, rule: RelationshipRule) -> None:
    """Stop allowing a pair of classes; relationships already made stay, new ones are refused."""
    require_manage(actor)
    with transaction.atomic():
        audit.log_delete(actor, rule)
        RelationshipRule.objects.filter(pk=rule.pk).delete()


# --- Configuration items ----------------------------------------------------------------------------


def _choice(values: Mapping[str, Any], name: str, choices: Any, default: Any) -> Any:
    value = values.get(name, default)
    if value in (None, ""):
        value = default
    if name == "criticality":
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = None
    if value not in choices.values and not (value == "" and name == "environment"):
        raise ValidationFailed(_("Choose a valid value."), field=name)
    return value


def _check_instance(values: Mapping[str, Any], name: str, model: Any) -> Any:
    value = values.get(name)
    if value in (None, ""):
        return None
    if not isinstance(value, model):
        raise ValidationFailed(_("Choose a valid value."), field=name)
    return value


# Looks up the id of the CI with an identity key: (field name, normalised key) -> ci id or None.
IdentityOwner = Callable[[str, str], "int | None"]


def clean_ci_values(values: Mapping[str, Any], ci: CI | None, *, owner_of: IdentityOwner | None = None,
                    ) -> dict[str, Any]:
    """Validate the plain fields of a CI (everything but attributes); ``ci`` is None on creation.

    Missing keys keep the CI's current value on update and take the default on creation. Foreign
    keys are model instances (the caller resolves ids and names first). ``owner_of`` runs the
    uniqueness check of identity keys from the caller's index instead of one query per key (imports).
    """
    current: dict[str, Any] = {name: getattr(ci, name) for name in CI_FIELDS} if ci is not None else {}
    merged = {**current, **{k: v for k, v in values.items() if k in CI_FIELDS}}
    cleaned: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        cleaned[name] = clean_text(merged.get(name))
    if not cleaned["name_fa"] and not cleaned["name_en"]:
        raise ValidationFailed(_("Enter a name in Persian or English."), field="name_fa")
    limits = {"name_fa": 200, "name_en": 200, "property_number": 100, "serial_number": 100, "asset_tag": 100,
              "hostname": 255}
    for name, limit in limits.items():
        if len(cleaned[name]) > limit:
            raise ValidationFailed(_("At most %(max)s characters."), field=name, max=limit)
    ci_class = _check_instance(merged, "ci_class", CIClass)
    if ci_class is None:
        raise ValidationFailed(_("Choose the class."), field="ci_class")
    if not ci_class.is_active and (ci is None or ci.ci_class_id != ci_class.pk):
        raise ValidationFailed(_("The class %(ci_class)s is no longer in use."), field="ci_class",
                               ci_class=ci_class.name)
    cleaned["ci_class"] = ci_class
    cleaned["status"] = _choice(merged, "status", CIStatus, CIStatus.LIVE)
    cleaned["environment"] = _choice(merged, "environment", Environment, "")
    cleaned["criticality"] = _choice(merged, "criticality", Criticality, Criticality.MEDIUM)
    cleaned["support_group"] = _check_instance(merged, "support_group", SupportGroup)
    cleaned["location"] = _check_instance(merged, "location", Location)
    cleaned["holder"] = _check_instance(merged, "holder", User)
    cleaned["holder_department"] = _check_instance(merged, "holder_department", Department)
    if cleaned["holder"] is not None and "holder_department" not in values and (
        ci is None or ci.holder_id != cleaned["holder"].pk
    ):
        # A new holder brings their department unless one is given.
        cleaned["holder_department"] = cleaned["holder"].department
    service = _check_instance(merged, "service", Service)
    if service is not None:
        if not _class_maps_to_service(ci_class):
            raise ValidationFailed(_("Only a CI of a service class (business or technical service) can stand for "
                                     "an IT service."), field="service")
        other = CI.objects.filter(service=service).exclude(pk=ci.pk if ci else 0).first()
        if other is not None:
            raise ValidationFailed(_("The service %(service)s is already represented by %(ci)s."), field="service",
                                   service=service.name, ci=other.name)
    cleaned["service"] = service
    _check_identity(cleaned, ci, owner_of)
    return cleaned


def _class_maps_to_service(ci_class: CIClass) -> bool:
    return CIClass.objects.filter(code__in=ci_class.ancestor_codes(), maps_to_service=True).exists()


def _check_identity(cleaned: Mapping[str, Any], ci: CI | None, owner_of: IdentityOwner | None = None) -> None:
    """Property numbers and asset tags are unique once normalised (placeholders aside)."""
    from sarv.cmdb.identity import identity_key

    for name in ("property_number", "asset_tag"):
        key = identity_key(name, cleaned[name])
        if not key:
            continue
        if owner_of is None:
            other = CI.objects.filter(**{f"{name}_key": key}).exclude(pk=ci.pk if ci else 0).first()
        else:
            # The caller's index finds the owner; the CI is read only to name it in the message.
            owner = owner_of(name, key)
            other = None
            if owner is not None and owner != (ci.pk if ci else None):
                other = CI.objects.filter(pk=owner).first()
        if other is not None:
            raise ValidationFailed(
                _("The %(key)s %(value)s already belongs to %(ci)s."), field=name,
                key=IDENTITY_LABELS[name], value=cleaned[name], ci=other.name,
            )


def _attribute_input(values: Mapping[str, Any], ci: CI | None, ci_class: CIClass) -> dict[str, Any]:
    """The attribute values to validate: the stored ones, overlaid with the given ones.

    When the class changes, stored values of attributes the new class does not have are dropped.
    """
    stored = dict(ci.attributes) if ci is not None else {}
    given = values.get("attributes")
    merged = {**stored, **(given or {})}
    if ci is not None and ci.ci_class_id != ci_class.pk:
        known = {d.code for d in attribute_rules.effective_definitions(ci_class)}
        merged = {code: value for code, value in merged.items() if code in known or code in (given or {})}
    return merged


def _audit(actor: Any, action: str, instance: Any, changes: Mapping[str, list[Any]], moment: dt.datetime) -> None:
    """Write an audit row stamped with the moment of the change (the same instant as the timeline entry)."""
    entry = audit.build(actor=actor, action=action, instance=instance, changes=changes)
    entry.timestamp = moment
    entry.save()


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, Any]]:
    return timeline.field_changes(before, after)


def _ci_snapshot(ci: CI) -> dict[str, Any]:
    """Raw values of every tracked field of a CI, attributes as ``attributes.<code>``."""
    data = {name: audit.raw_value(getattr(ci, getattr(ci._meta.get_field(name), "attname", name)))
            for name in CI_FIELDS}
    for code, value in (ci.attributes or {}).items():
        data[f"attributes.{code}"] = value
    return data


def create_ci(
    *, actor: Any, values: Mapping[str, Any], at: dt.datetime | None = None, source_key: str | None = None,
) -> CI:
    """Add a configuration item; ``values`` holds CI fields and ``attributes`` (code → input)."""
    cleaned = clean_ci_values(values, None)
    require_edit_class(actor, cleaned["ci_class"])
    cleaned["attributes"] = attribute_rules.clean_attributes(
        cleaned["ci_class"], _attribute_input(values, None, cleaned["ci_class"]),
    )
    moment = at or timezone.now()
    with transaction.atomic():
        ci = CI(**cleaned, created_by=actor if getattr(actor, "pk", None) else None, created_at=moment,
                updated_at=moment, source_key=source_key)
        ci.save()
        after = _ci_snapshot(ci)
        _audit(actor, AuditAction.CREATE, ci, {key: [None, value] for key, value in after.items()
                                               if value not in (None, "")}, moment)
        timeline.append(ci, TimelineKind.CREATED, actor=actor, created_at=moment,
                        data={"changes": _changes({}, {k: v for k, v in after.items() if v not in (None, "")})})
    logger.info("CI %s created by user %s", ci.pk, getattr(actor, "pk", None))
    return ci


def build_ci(
    *, actor: Any, values: Mapping[str, Any], owner_of: IdentityOwner | None = None,
    definitions: list[AttributeDefinition] | None = None,
) -> CI:
    """Validate a new CI exactly as ``create_ci`` does, without writing: an unsaved CI for ``create_cis``.

    ``definitions`` are the class's effective attribute definitions when the caller already has them.
    """
    cleaned = clean_ci_values(values, None, owner_of=owner_of)
    require_edit_class(actor, cleaned["ci_class"])
    cleaned["attributes"] = attribute_rules.clean_attributes(
        cleaned["ci_class"], _attribute_input(values, None, cleaned["ci_class"]), definitions=definitions,
    )
    ci = CI(**cleaned, created_by=actor if getattr(actor, "pk", None) else None)
    ci.normalize()
    return ci


def create_cis(*, actor: Any, cis: list[CI], at: dt.datetime | None = None) -> None:
    """Insert CIs made by ``build_ci`` in a few statements, each with the audit row and timeline entry that
    ``create_ci`` writes (for imports: a thousand rows cost a handful of queries instead of thousands)."""
    from sarv.core.models import AuditLogEntry, TimelineEntry

    if not cis:
        return
    moment = at or timezone.now()
    with transaction.atomic():
        for ci in cis:
            ci.created_at = ci.updated_at = moment
        CI.objects.bulk_create(cis, batch_size=500)
        entries, lines = [], []
        for ci in cis:
            after = {key: value for key, value in _ci_snapshot(ci).items() if value not in (None, "")}
            entry = audit.build(actor=actor, action=AuditAction.CREATE, instance=ci,
                                changes={key: [None, value] for key, value in after.items()})
            entry.timestamp = moment
            entries.append(entry)
            lines.append(TimelineEntry(**timeline.entry_values(
                ci, TimelineKind.CREATED, actor=actor, created_at=moment, data={"changes": _changes({}, after)})))
        AuditLogEntry.objects.bulk_create(entries, batch_size=500)
        TimelineEntry.objects.bulk_create(lines, batch_size=500)
    logger.info("%s CIs created by user %s", len(cis), getattr(actor, "pk", None))


def ci_would_change(
    *, actor: Any, ci: CI, values: Mapping[str, Any], owner_of: IdentityOwner | None = None,
    definitions: list[AttributeDefinition] | None = None,
) -> bool:
    """Return whether ``update_ci(values)`` would change ``ci``, validating as it does (the same errors).

    Reads only (no lock): an import skips the rows that change nothing without writing anything.
    """
    require_edit_class(actor, ci.ci_class)
    probe = copy.copy(ci)
    probe._state = copy.copy(ci._state)
    probe._state.fields_cache = dict(ci._state.fields_cache)
    cleaned = clean_ci_values(values, probe, owner_of=owner_of)
    if cleaned["ci_class"].pk != ci.ci_class_id:
        return True
    cleaned["attributes"] = attribute_rules.clean_attributes(
        cleaned["ci_class"], _attribute_input(values, probe, cleaned["ci_class"]), definitions=definitions,
    )
    return bool(_pending_changes(probe, cleaned))


def update_ci(
    *, actor: Any, ci: CI, values: Mapping[str, Any], expected_version: int | None = None,
    at: dt.datetime | None = None, body: str = "",
) -> list[dict[str, Any]]:
    """Change a CI's fields and attributes; return the changes (empty when nothing changed).

    The actor must be allowed to edit the CI's current class and, when the class changes, the new one.
    """
    require_edit_class(actor, ci.ci_class)
    with transaction.atomic():
        locked = records.lock(ci, expected_version)
        cleaned = clean_ci_values(values, locked)
        if cleaned["ci_class"].pk != locked.ci_class_id:
            require_edit_class(actor, cleaned["ci_class"])
        cleaned["attributes"] = attribute_rules.clean_attributes(
            cleaned["ci_class"], _attribute_input(values, locked, cleaned["ci_class"]),
        )
        return _apply_changes(actor, locked, cleaned, at=at, body=body, into=ci)


def _apply_changes(
    actor: Any, locked: CI, cleaned: Mapping[str, Any], *, at: dt.datetime | None, body: str = "",
    into: CI | None = None,
) -> list[dict[str, Any]]:
    changes = _pending_changes(locked, cleaned)
    if not changes:
        return []
    moment = at or timezone.now()
    locked.version += 1
    locked.updated_at = moment
    locked.save()
    _audit(actor, AuditAction.UPDATE, locked, {c["field"]: [c["old"], c["new"]] for c in changes}, moment)
    kind = TimelineKind.STATUS_CHANGED if [c["field"] for c in changes] == ["status"] else TimelineKind.FIELD_CHANGED
    timeline.append(locked, kind, actor=actor, body=body, data={"changes": changes}, created_at=moment)
    if into is not None:
        into.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return changes


def _pending_changes(ci: CI, cleaned: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Set ``cleaned`` on ``ci`` (unsaved) and return the field changes that makes."""
    before = _ci_snapshot(ci)
    for name, value in cleaned.items():
        setattr(ci, name, value)
    after = _ci_snapshot(ci)
    keys = set(before) | set(after)
    return _changes({k: before.get(k) for k in keys}, {k: after.get(k) for k in sorted(keys)})


def move_held_assets(
    *, actor: Any, user: User, old_department_id: int | None, new_department_id: int | None,
) -> int:
    """Move the assets ``user`` holds to their new department, each with an audit row and a timeline entry.

    Registered with ``sarv.accounts.actions.update_user`` (runs in its transaction, whose permission
    check already passed: an administrator changed the user's department). Only assets recorded in the
    old department move; an asset deliberately recorded elsewhere stays. Returns how many moved.
    """
    new_department = Department.objects.filter(pk=new_department_id).first() if new_department_id else None
    moved = 0
    held = CI.objects.filter(holder=user).filter(
        Q(holder_department_id=old_department_id) if old_department_id else Q(holder_department__isnull=True)
    )
    for ci in held.select_for_update().order_by("pk"):
        changes = _apply_changes(
            actor, ci, {"holder_department": new_department}, at=None,
            body=str(_("The holder %(user)s moved to another department.") % {"user": user.get_full_name()
                                                                                 or user.username}),
        )
        moved += bool(changes)
    if moved:
        logger.info("%s assets of user %s moved with their holder", moved, user.pk)
    return moved


# --- Relationships ----------------------------------------------------------------------------------


def _class_allows(rule_class_id: int, ci_class: CIClass, class_ids_by_code: Mapping[str, int]) -> bool:
    return rule_class_id in {class_ids_by_code[c] for c in ci_class.ancestor_codes() if c in class_ids_by_code}


def relationship_allowed(relationship_type: RelationshipType, source: CI, target: CI) -> bool:
    """Whether some rule allows the type from the source's class to the target's class (subclasses included)."""
    codes = set(source.ci_class.ancestor_codes()) | set(target.ci_class.ancestor_codes())
    ids = dict(CIClass.objects.filter(code__in=codes).values_list("code", "pk"))
    source_ids = {ids[c] for c in source.ci_class.ancestor_codes() if c in ids}
    target_ids = {ids[c] for c in target.ci_class.ancestor_codes() if c in ids}
    rules = RelationshipRule.objects.filter(type=relationship_type)
    if rules.filter(source_class_id__in=source_ids, target_class_id__in=target_ids).exists():
        return True
    return relationship_type.is_symmetric and rules.filter(
        source_class_id__in=target_ids, target_class_id__in=source_ids
    ).exists()


def containment_path(source: CI, target: CI) -> list[int] | None:
    """If ``target`` already contains ``source`` (through containment relationships), return that chain.

    The chain runs from ``target`` down to ``source``; adding "source contains target" would close it.
    One recursive query over current containment relationships.
    """
    table = Relationship._meta.db_table
    types_table = RelationshipType._meta.db_table
    sql = f"""
        WITH RECURSIVE down(ci_id, trail, depth) AS (
            SELECT CAST(%s AS BIGINT), CAST(%s AS TEXT), 0
            UNION
            SELECT r.target_id, down.trail || ',' || CAST(r.target_id AS TEXT), down.depth + 1
            FROM down
            JOIN {table} r ON r.source_id = down.ci_id AND r.valid_to IS NULL
            JOIN {types_table} t ON t.code = r.type_id AND t.is_containment
            WHERE down.depth < 1000 AND down.ci_id <> %s
        )
        SELECT trail FROM down WHERE ci_id = %s ORDER BY depth LIMIT 1
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [target.pk, str(target.pk), source.pk, source.pk])
        row = cursor.fetchone()
    return [int(part) for part in row[0].split(",")] if row else None


def _edge_rows(relationship: Relationship, propagation: str) -> list[ImpactEdge]:
    rows = []
    if propagation in (Propagation.TO_SOURCE, Propagation.BOTH):
        rows.append(ImpactEdge(cause_id=relationship.target_id, effect_id=relationship.source_id,
                               type_id=relationship.type_id, relationship=relationship))
    if propagation in (Propagation.TO_TARGET, Propagation.BOTH):
        rows.append(ImpactEdge(cause_id=relationship.source_id, effect_id=relationship.target_id,
                               type_id=relationship.type_id, relationship=relationship))
    return rows


def validate_relationship(relationship_type: RelationshipType, source: CI, target: CI) -> None:
    """Raise ``ValidationFailed`` unless the relationship may be added (shared by the action and imports)."""
    if source.pk == target.pk:
        raise ValidationFailed(_("A configuration item cannot be related to itself."), field="target")
    if not relationship_type.is_active:
        raise ValidationFailed(_("The relationship type %(type)s is no longer in use."), field="type",
                               type=relationship_type.label)
    if not relationship_allowed(relationship_type, source, target):
        raise ValidationFailed(
            _("«%(type)s» is not allowed from %(source_class)s to %(target_class)s."), field="type",
            type=relationship_type.label, source_class=source.ci_class.name, target_class=target.ci_class.name,
        )
    current = Relationship.objects.current().filter(type=relationship_type)
    duplicate = current.filter(source=source, target=target)
    if relationship_type.is_symmetric:
        duplicate = current.filter(Q(source=source, target=target) | Q(source=target, target=source))
    if duplicate.exists():
        raise ValidationFailed(_("%(source)s already has the relationship «%(type)s» with %(target)s."),
                               field="target", source=source.name, type=relationship_type.label, target=target.name)
    if relationship_type.is_containment:
        chain = containment_path(source, target)
        if chain is not None:
            names = dict(CI.objects.filter(pk__in=chain).values_list("pk", "name_fa"))
            names.update(dict(CI.objects.filter(pk__in=chain, name_fa="").values_list("pk", "name_en")))
            trail = " › ".join(names.get(pk, str(pk)) for pk in chain)
            raise ValidationFailed(
                _("%(source)s cannot contain %(target)s, because %(target)s already contains it (%(trail)s). "
                  "Containment cannot go round in a circle."),
                field="target", source=source.name, target=target.name, trail=trail,
            )


def relate(
    *, actor: Any, source: CI, target: CI, relationship_type: RelationshipType, description: str = "",
    at: dt.datetime | None = None,
) -> Relationship:
    """Add the relationship "source <type> target", after checking permission, the rules and cycles.

    The actor must be allowed to edit the source's class or the target's class.
    """
    if not (permissions.can_edit(actor, source) or permissions.can_edit(actor, target)):
        require_edit_class(actor, source.ci_class)
    moment = at or timezone.now()
    with transaction.atomic():
        # Lock both ends in id order, so two containment edits cannot cross and form a cycle together.
        list(CI.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk"))
        validate_relationship(relationship_type, source, target)
        relationship = Relationship.objects.create(
            source=source, target=target, type=relationship_type, description=clean_text(description)[:300],
            valid_from=moment, created_by=actor if getattr(actor, "pk", None) else None,
        )
        ImpactEdge.objects.bulk_create(_edge_rows(relationship, relationship_type.propagation))
        _audit(actor, AuditAction.CREATE, relationship,
               {k: [None, v] for k, v in audit.snapshot(
                   relationship, ["source", "target", "type", "description", "valid_from"]).items()}, moment)
        _relationship_timeline(actor, relationship, TimelineKind.LINKED, moment)
    return relationship


def _relationship_timeline(actor: Any, relationship: Relationship, kind: str, moment: dt.datetime) -> None:
    # "source_ci"/"target_ci", because the core timeline display reads "source" as an import source.
    data = {"relationship": relationship.pk, "type": relationship.type_id,
            "source_ci": relationship.source_id, "target_ci": relationship.target_id}
    timeline.append(relationship.source, kind, actor=actor, created_at=moment, data={**data, "direction": "out"})
    timeline.append(relationship.target, kind, actor=actor, created_at=moment, data={**data, "direction": "in"})


def end_relationship(*, actor: Any, relationship: Relationship, at: dt.datetime | None = None) -> Relationship:
    """End a relationship now: it stays in history with ``valid_to`` set and leaves impact analysis."""
    if not (permissions.can_edit(actor, relationship.source) or permissions.can_edit(actor, relationship.target)):
        require_edit_class(actor, relationship.source.ci_class)
    moment = at or timezone.now()
    with transaction.atomic():
        locked = Relationship.objects.select_for_update().get(pk=relationship.pk)
        if locked.valid_to is not None:
            raise ValidationFailed(_("This relationship has already ended."))
        locked.valid_to = moment
        locked.ended_by = actor if getattr(actor, "pk", None) else None
        locked.save(update_fields=["valid_to", "ended_by"])
        ImpactEdge.objects.filter(relationship=locked).delete()
        _audit(actor, AuditAction.DELETE, locked, {"valid_to": [None, moment]}, moment)
        _relationship_timeline(actor, locked, TimelineKind.UNLINKED, moment)
    relationship.valid_to = moment
    return locked


def rebuild_impact_edges(types: Iterable[str] | None = None) -> int:
    """Recreate the impact edges of current relationships (all, or of the given types); return the count."""
    with transaction.atomic():
        relationships = Relationship.objects.current().select_related("type")
        edges = ImpactEdge.objects.all()
        if types is not None:
            relationships = relationships.filter(type_id__in=list(types))
            edges = edges.filter(type_id__in=list(types))
        edges.delete()
        rows: list[ImpactEdge] = []
        count = 0
        for relationship in relationships.iterator(chunk_size=5000):
            rows.extend(_edge_rows(relationship, relationship.type.propagation))
            if len(rows) >= 5000:
                ImpactEdge.objects.bulk_create(rows)
                count += len(rows)
                rows = []
        ImpactEdge.objects.bulk_create(rows)
        return count + len(rows)


# --- The import page's steps: upload, then map columns and dry-run ----------------------------------------
# The page stores the file first, so the user can map its columns before any dry run. ``importers.cis`` runs
# the rows, and ``importers.cis.start_import`` (upload and dry run at once) serves the API.


def upload_import(*, actor: Any, kind: str, file_name: str, content: bytes) -> ImportRun:
    """Store an uploaded CSV or Excel file for import, after checking that it can be read; run nothing yet."""
    from sarv.cmdb.importers.cis import MAX_UPLOAD, RUNNERS
    from sarv.cmdb.importers.tables import read_table

    require_manage(actor)
    if kind not in RUNNERS:
        raise ValidationFailed(_("Choose what the file contains: CIs or relationships."), field="kind")
    if not content:
        raise ValidationFailed(_("The file is empty."), field="file")
    if len(content) > MAX_UPLOAD:
        raise ValidationFailed(_("The file is larger than %(max)s MB."), field="file", max=MAX_UPLOAD // 1024 // 1024)
    header, _rows = read_table(file_name, content)
    if not header:
        raise ValidationFailed(_("The file has no header row."), field="file")
    with transaction.atomic():
        run = ImportRun.objects.create(kind=kind, file_name=file_name[:255], content=content, created_by=actor)
        audit.log(actor=actor, action=AuditAction.CREATE, instance=run,
                  changes={"kind": [None, kind], "file_name": [None, run.file_name]})
    logger.info("CMDB import %s uploaded by user %s (%s bytes)", run.pk, getattr(actor, "pk", None), len(content))
    return run


def dry_run_import(*, actor: Any, run: ImportRun, mapping: Mapping[str, str]) -> Any:
    """Run a stored import with ``mapping`` without keeping anything; store the mapping and the report."""
    from sarv.cmdb.importers.cis import RUNNERS

    require_manage(actor)
    if run.applied_at is not None:
        raise ValidationFailed(_("This import has already been applied."))
    report = RUNNERS[run.kind](actor=actor, file_name=run.file_name, content=bytes(run.content),
                               mapping=dict(mapping), dry_run=True)
    with transaction.atomic():
        ImportRun.objects.filter(pk=run.pk).update(mapping=report.mapping, report=report.as_dict())
    run.mapping, run.report = report.mapping, report.as_dict()
    return report
