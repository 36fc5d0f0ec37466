"""Settings writes owned by core (categories, the priority matrix, module switches) and the helpers
that every app's settings actions share: the administrator check, audited saves, tree and uniqueness rules.

Each action checks permission first, validates, changes data inside one
transaction and writes one audit row per changed object with raw before/after
values. Settings pages and, later, the API call these.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sarv.core import audit, modules
from sarv.core.choices import DEFAULT_PRIORITY_MATRIX, AuditAction, Impact, Priority, Urgency
from sarv.core.errors import PermissionDenied, ValidationFailed
from sarv.core.models import Category, ModuleSwitch, PriorityMatrixCell
from sarv.core.permissions import is_settings_admin
from sarv.core.priority import matrix
from sarv.core.text import normalize_identifier, normalize_stored, search_key

logger = logging.getLogger(__name__)

ModelT = TypeVar("ModelT", bound=models.Model)


# --- Shared helpers for settings actions -------------------------------------------------------------


def require_settings_admin(actor: Any) -> None:
    """Raise PermissionDenied unless ``actor`` is an active administrator (core.manage_settings)."""
    if not is_settings_admin(actor):
        raise PermissionDenied(_("Only administrators can change settings."))


def clean_text(value: Any) -> str:
    """Return typed text as Sarv stores it: Persian yeh and kaf, no surrounding spaces."""
    return normalize_stored(str(value or "")).strip()


def clean_code(value: Any) -> str:
    """Return a code with ASCII digits and no surrounding spaces; codes are compared as typed otherwise."""
    return normalize_identifier(str(value or ""))


def require_name(values: Mapping[str, Any], field: str = "name_fa") -> str:
    name = clean_text(values.get(field))
    if not name:
        raise ValidationFailed(_("Enter the Persian name."), field=field)
    return name


def clean_order(values: Mapping[str, Any], field: str = "sort_order") -> int:
    """Return the display order typed in ``values``; lists sort by it before the name."""
    order = int(values.get(field) or 0)
    if order < 0:
        raise ValidationFailed(_("The order cannot be negative."), field=field)
    return order


def check_unique_name(
    queryset: models.QuerySet[Any], name: str, *, exclude_pk: Any = None, field: str = "name_fa",
) -> None:
    """Reject ``name`` when another row of ``queryset`` has the same name once normalised.

    The comparison uses the search key, so «كامپيوتر» typed with Arabic letters
    and «کامپیوتر» count as the same name. Reference-data tables hold hundreds
    of rows at most, so the comparison runs in Python.
    """
    wanted = search_key(name)
    for pk, other in queryset.values_list("pk", field):
        if pk != exclude_pk and search_key(other) == wanted:
            raise ValidationFailed(_("The name %(name)s is already in use."), field=field, name=name)


def check_unique_code(queryset: models.QuerySet[Any], code: str, *, exclude_pk: Any = None) -> None:
    """Reject a non-empty ``code`` that another row of ``queryset`` already has (case-insensitive)."""
    if not code:
        return
    clash = queryset.filter(code__iexact=code)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationFailed(_("The code %(code)s is already in use."), field="code", code=code)


def check_tree_parent(node: models.Model, parent: models.Model | None, message: str | Promise) -> None:
    """Reject ``parent`` when it is ``node`` itself or lies below ``node``, which would make a cycle.

    Walks up from ``parent`` one query per level; trees of departments,
    locations and categories are a few levels deep.
    """
    if parent is None or node.pk is None:
        return
    seen: set[Any] = set()
    current: Any = parent
    while current is not None:
        if current.pk == node.pk:
            raise ValidationFailed(message, field="parent")
        if current.pk in seen:
            # A cycle that is already stored: refuse to add to it rather than loop forever.
            raise ValidationFailed(message, field="parent")
        seen.add(current.pk)
        current = current.parent


def save_audited(
    actor: Any,
    instance: ModelT,
    values: Mapping[str, Any],
    *,
    validate: Callable[[ModelT], None] | None = None,
    after_save: Callable[[ModelT], Mapping[str, list[Any]]] | None = None,
) -> ModelT:
    """Create (``instance.pk`` is None) or update ``instance`` with ``values``; write one audit row.

    Runs in one transaction. An update works on a freshly locked copy of the
    row, so ``validate`` and the audit row see the stored values, not the ones
    the caller last read. ``validate`` is called with the new values set and
    nothing saved yet. ``after_save`` changes related rows (memberships,
    permissions) and returns their audit changes, which join the same row. An
    update that changes nothing writes nothing.
    """
    with transaction.atomic():
        creating = instance.pk is None
        target = instance if creating else type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        before = {} if creating else audit.snapshot(target, values.keys())
        for name, value in values.items():
            setattr(target, name, value)
        if validate is not None:
            validate(target)
        after = audit.snapshot(target, values.keys())
        if creating:
            changes = {name: [None, value] for name, value in after.items()}
            target.save()
        else:
            changes = audit.diff(before, after)
            if changes:
                target.save(update_fields=list(changes))
        if after_save is not None:
            changes.update(after_save(target))
        if creating or changes:
            audit.log(actor=actor, action=AuditAction.CREATE if creating else AuditAction.UPDATE,
                      instance=target, changes=changes)
        return target


# --- Categories --------------------------------------------------------------------------------------


def _category_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name_fa": require_name(values),
        "name_en": clean_text(values.get("name_en")),
        "code": clean_code(values.get("code")),
        "parent": values.get("parent"),
        "sort_order": clean_order(values),
        "is_active": bool(values.get("is_active", True)),
    }


def _validate_category(category: Category) -> None:
    parent = category.parent
    check_tree_parent(category, parent, _("A category cannot be placed under itself."))
    if parent is not None:
        if parent.parent_id is not None:
            raise ValidationFailed(
                _("Categories have two levels: choose a top-level category as the parent."), field="parent"
            )
        if category.pk is not None and category.children.exists():
            raise ValidationFailed(
                _("This category has subcategories, so it must stay a top-level category."), field="parent"
            )
    siblings = Category.objects.filter(parent=parent)
    check_unique_code(siblings, category.code, exclude_pk=category.pk)
    check_unique_name(siblings, category.name_fa, exclude_pk=category.pk)


def save_category(*, actor: Any, category: Category | None, values: Mapping[str, Any]) -> Category:
    """Create (``category=None``) or change a top-level category or a subcategory (``values["parent"]`` set).

    A deactivated category is hidden from new records but stays on existing ones.
    """
    require_settings_admin(actor)
    cleaned = _category_values(values)
    saved = save_audited(actor, category or Category(), cleaned, validate=_validate_category)
    logger.info("Category %s saved by user %s", saved.pk, actor.pk)
    return saved


def category_usage(category: Category) -> int:
    """Return how many records refer to ``category`` as their category or subcategory."""
    total = 0
    # Hidden relations count too: incidents point here with related_name="+".
    for relation in Category._meta.get_fields(include_hidden=True):
        if not isinstance(relation, models.ForeignObjectRel) or relation.related_model is Category:
            continue
        related_model = relation.related_model
        assert isinstance(related_model, type)
        total += related_model._default_manager.filter(**{relation.field.name: category}).count()
    return total


def delete_category(*, actor: Any, category: Category) -> None:
    """Delete a category that no record uses and that has no subcategories; used ones are deactivated instead."""
    require_settings_admin(actor)
    with transaction.atomic():
        category = Category.objects.select_for_update().get(pk=category.pk)
        if category.children.exists():
            raise ValidationFailed(_("This category has subcategories. Delete or move them first."))
        used = category_usage(category)
        if used:
            raise ValidationFailed(
                _("%(count)s records use this category, so it cannot be deleted. Deactivate it instead."),
                count=used,
            )
        audit.log_delete(actor, category)
        category_pk = category.pk
        try:
            category.delete()
        except models.ProtectedError:
            # A record added since the count above; the whole transaction, audit row included, rolls back.
            raise ValidationFailed(_("Records use this category, so it cannot be deleted. Deactivate it instead.")) \
                from None
    logger.info("Category %s deleted by user %s", category_pk, actor.pk)


# --- Priority matrix ---------------------------------------------------------------------------------


def set_priority_matrix(*, actor: Any, cells: Mapping[tuple[int, int], int]) -> list[tuple[int, int]]:
    """Store the priority of each (impact, urgency) cell that changed; return the changed cells.

    Every changed cell gets its own audit row with the priority before and after.
    Existing incidents keep their priority; new ones and reclassified ones use the new matrix.
    """
    require_settings_admin(actor)
    for (impact, urgency), priority in cells.items():
        if impact not in Impact.values or urgency not in Urgency.values:
            raise ValidationFailed(_("The matrix has no cell for impact %(impact)s and urgency %(urgency)s."),
                                   impact=impact, urgency=urgency)
        if priority not in Priority.values:
            raise ValidationFailed(_("%(value)s is not a valid priority."), value=priority,
                                   field=f"cell_{impact}_{urgency}")
    changed = []
    with transaction.atomic():
        # Lock the stored cells so two administrators saving at once cannot interleave their audit rows.
        list(PriorityMatrixCell.objects.select_for_update().values_list("pk", flat=True))
        current = matrix()
        for (impact, urgency), priority in sorted(cells.items()):
            before = current[(impact, urgency)]
            if before == priority:
                continue
            cell, _created = PriorityMatrixCell.objects.update_or_create(
                impact=impact, urgency=urgency, defaults={"priority": priority},
            )
            audit.log(actor=actor, action=AuditAction.UPDATE, instance=cell, changes={"priority": (before, priority)},
                      object_repr=f"impact {impact} × urgency {urgency}")
            changed.append((impact, urgency))
    if changed:
        logger.info("Priority matrix: %s cells changed by user %s", len(changed), actor.pk)
    return changed


def reset_priority_matrix(*, actor: Any) -> list[tuple[int, int]]:
    """Give every cell its shipped default again."""
    defaults = {(int(i), int(u)): int(p) for (i, u), p in DEFAULT_PRIORITY_MATRIX.items()}
    return set_priority_matrix(actor=actor, cells=defaults)


# --- Module switches ---------------------------------------------------------------------------------


def set_module_enabled(*, actor: Any, code: str, enabled: bool) -> bool:
    """Switch the module ``code`` on or off; return whether anything changed.

    Pages, the portal and the API of a switched-off module return 404 from the
    next request on (ModuleSwitchMiddleware), and the navbar hides its links.
    """
    require_settings_admin(actor)
    if code not in {module.code for module in modules.all_modules()}:
        raise ValidationFailed(_("There is no module with the code %(code)s."), code=code)
    with transaction.atomic():
        switch = ModuleSwitch.objects.select_for_update().filter(code=code).first()
        before = switch.enabled if switch is not None else True
        if before == enabled:
            return False
        if switch is None:
            switch = ModuleSwitch(code=code)
        switch.enabled = enabled
        switch.updated_at = timezone.now()
        switch.updated_by = actor
        switch.save()
        audit.log(actor=actor, action=AuditAction.UPDATE, instance=switch, changes={"enabled": (before, enabled)},
                  object_repr=code)
    logger.info("Module %s switched %s by user %s", code, "on" if enabled else "off", actor.pk)
    return True
