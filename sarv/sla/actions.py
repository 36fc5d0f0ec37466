"""Every change to agreements and suppliers goes through these functions.

Each checks the administrator role, validates the input, saves inside one
transaction with an audit row, and after commit enqueues the recompute of the
open records' clocks, because an agreement is an input of every clock.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sarv.core.actions import (
    check_unique_code,
    check_unique_name,
    clean_code,
    clean_text,
    require_name,
    require_settings_admin,
    save_audited,
)
from sarv.core.choices import Priority
from sarv.core.errors import ValidationFailed
from sarv.services.models import Supplier
from sarv.sla.choices import AgreementKind, CalendarSource, ReopenBehaviour, SwapBehaviour, TargetMetric
from sarv.sla.models import Agreement, AgreementTarget, EscalationLevel

logger = logging.getLogger(__name__)

# The longest target an administrator may enter: a year of business time.
MAX_TARGET_SECONDS = 366 * 24 * 3600
LIST_FIELDS = ("record_types", "priorities", "pause_statuses", "pause_hold_reasons", "start_statuses",
               "stop_statuses", "warning_percents")
RELATION_FIELDS = ("services", "departments", "categories")


def _schedule_recompute() -> None:
    from sarv.sla.tasks import recompute_open_clocks

    transaction.on_commit(lambda: recompute_open_clocks.enqueue())


def _clean_percents(values: Sequence[Any]) -> list[int]:
    percents = []
    for value in values:
        try:
            percent = int(value)
        except (TypeError, ValueError):
            raise ValidationFailed(_("%(value)s is not a whole number."), field="warning_percents",
                                   value=value) from None
        if not 0 < percent < 100:
            raise ValidationFailed(_("Warning thresholds must lie between 1 and 99 percent."),
                                   field="warning_percents")
        percents.append(percent)
    return sorted(set(percents))


def _clean_targets(targets: Mapping[tuple[str, int | None], int | None]) -> dict[tuple[str, int | None], int]:
    cleaned = {}
    for (metric, priority), seconds in targets.items():
        if seconds is None or seconds == "":
            continue
        if metric not in TargetMetric.values or (priority is not None and priority not in Priority.values):
            raise ValidationFailed(_("Unknown target %(metric)s."), field="targets", metric=metric)
        if not 0 < int(seconds) <= MAX_TARGET_SECONDS:
            raise ValidationFailed(_("A target must be more than zero and at most a year of business time."),
                                   field="targets")
        cleaned[(metric, priority)] = int(seconds)
    if not cleaned:
        raise ValidationFailed(_("Give at least one target."), field="targets")
    return cleaned


def _clean_escalations(levels: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    previous = -1
    for number, level in enumerate(levels, start=1):
        delay = int(level.get("delay_seconds") or 0)
        if delay < 0 or delay <= previous:
            raise ValidationFailed(_("Each escalation level must come later than the one before it."),
                                   field="escalations")
        previous = delay
        group = level.get("reassign_group")
        if group is not None and not group.is_active:
            raise ValidationFailed(_("The support group %(group)s is not active."), field="escalations", group=group)
        cleaned.append({
            "level": number, "delay_seconds": delay, "notify_agent": bool(level.get("notify_agent")),
            "notify_group_lead": bool(level.get("notify_group_lead")),
            "notify_managers": bool(level.get("notify_managers")), "reassign_group": group,
            "raise_priority": bool(level.get("raise_priority")),
        })
    return cleaned


def _agreement_values(values: Mapping[str, Any]) -> dict[str, Any]:
    kind = values.get("kind") or AgreementKind.SLA
    if kind not in AgreementKind.values:
        raise ValidationFailed(_("%(value)s is not a valid choice."), field="kind", value=kind)
    source = values.get("calendar_source") or CalendarSource.GROUP
    if source not in CalendarSource.values:
        raise ValidationFailed(_("%(value)s is not a valid choice."), field="calendar_source", value=source)
    if source == CalendarSource.FIXED and values.get("calendar") is None:
        raise ValidationFailed(_("Choose the fixed calendar."), field="calendar")
    if kind == AgreementKind.OLA and values.get("ola_group") is None:
        raise ValidationFailed(_("An OLA needs the support group whose time it measures."), field="ola_group")
    if kind == AgreementKind.UC and values.get("uc_supplier") is None:
        raise ValidationFailed(_("A UC needs the supplier it is signed with."), field="uc_supplier")
    cleaned: dict[str, Any] = {
        "name_fa": require_name(values),
        "name_en": clean_text(values.get("name_en")),
        "kind": kind,
        "description": clean_text(values.get("description")),
        "is_active": bool(values.get("is_active", True)),
        "precedence": int(values.get("precedence") or 0),
        "ola_group": values.get("ola_group") if kind == AgreementKind.OLA else None,
        "uc_supplier": values.get("uc_supplier") if kind == AgreementKind.UC else None,
        "calendar_source": source,
        "calendar": values.get("calendar") if source == CalendarSource.FIXED else None,
        "reopen_behaviour": values.get("reopen_behaviour") or ReopenBehaviour.CONTINUE,
        "swap_behaviour": values.get("swap_behaviour") or SwapBehaviour.CONTINUE,
    }
    for name in LIST_FIELDS:
        items = list(values.get(name) or [])
        cleaned[name] = [int(item) for item in items] if name == "priorities" else [str(item) for item in items]
    cleaned["warning_percents"] = _clean_percents(cleaned["warning_percents"])
    if not cleaned["stop_statuses"]:
        raise ValidationFailed(_("Choose at least one status that stops the clocks."), field="stop_statuses")
    return cleaned


def _target_key(target: tuple[str, int | None, int]) -> tuple[str, int]:
    return target[0], target[1] or 0


def _validate_agreement(agreement: Agreement) -> None:
    check_unique_name(Agreement.objects.all(), agreement.name_fa, exclude_pk=agreement.pk)


def save_agreement(
    *, actor: Any, agreement: Agreement | None, values: Mapping[str, Any],
    targets: Mapping[tuple[str, int | None], int | None], escalations: Sequence[Mapping[str, Any]] = (),
) -> Agreement:
    """Create (``agreement=None``) or change an agreement with its conditions, targets and escalation levels.

    ``targets`` maps ``(metric, priority or None)`` to business seconds (None or "" leaves no target).
    ``escalations`` lists the levels in order, each with ``delay_seconds`` after the breach and its actions.
    """
    require_settings_admin(actor)
    cleaned = _agreement_values(values)
    clean_targets = _clean_targets(targets)
    clean_levels = _clean_escalations(escalations)
    relations = {name: list(values.get(name) or []) for name in RELATION_FIELDS}

    def after_save(saved: Agreement) -> dict[str, list[Any]]:
        changes: dict[str, list[Any]] = {}
        for name, items in relations.items():
            before = sorted(item.pk for item in getattr(saved, name).all())
            getattr(saved, name).set(items)
            after = sorted(item.pk for item in items)
            if before != after:
                changes[name] = [before, after]
        before_targets = sorted(((t.metric, t.priority, t.seconds) for t in saved.targets.all()), key=_target_key)
        saved.targets.all().delete()
        AgreementTarget.objects.bulk_create([
            AgreementTarget(agreement=saved, metric=metric, priority=priority, seconds=seconds)
            for (metric, priority), seconds in clean_targets.items()
        ])
        after_targets = sorted(((metric, priority, seconds) for (metric, priority), seconds in clean_targets.items()),
                               key=_target_key)
        if before_targets != after_targets:
            changes["targets"] = [[list(t) for t in before_targets], [list(t) for t in after_targets]]
        before_levels = [(e.level, e.delay_seconds) for e in saved.escalations.all()]
        saved.escalations.all().delete()
        EscalationLevel.objects.bulk_create([EscalationLevel(agreement=saved, **level) for level in clean_levels])
        after_levels = [(level["level"], level["delay_seconds"]) for level in clean_levels]
        if before_levels != after_levels:
            changes["escalations"] = [before_levels, after_levels]
        return changes

    with transaction.atomic():
        saved = save_audited(actor, agreement or Agreement(), cleaned, validate=_validate_agreement,
                             after_save=after_save)
        _schedule_recompute()
    logger.info("Agreement %s saved by user %s", saved.pk, actor.pk)
    return saved


def set_agreement_active(*, actor: Any, agreement: Agreement, is_active: bool) -> Agreement:
    """Switch an agreement on or off; an agreement with clocks is never deleted, so its history stays readable."""
    require_settings_admin(actor)
    with transaction.atomic():
        saved = save_audited(actor, agreement, {"is_active": is_active})
        _schedule_recompute()
    logger.info("Agreement %s set active=%s by user %s", agreement.pk, is_active, actor.pk)
    return saved


def reorder_agreements(*, actor: Any, ordered_ids: Sequence[int]) -> None:
    """Give the agreements the precedence of their position in ``ordered_ids`` (10, 20, 30...)."""
    require_settings_admin(actor)
    known = set(Agreement.objects.filter(pk__in=ordered_ids).values_list("pk", flat=True))
    if len(known) != len(set(ordered_ids)):
        raise ValidationFailed(_("The list of agreements changed meanwhile. Reload the page."), field="order")
    with transaction.atomic():
        for position, pk in enumerate(ordered_ids, start=1):
            agreement = Agreement.objects.get(pk=pk)
            save_audited(actor, agreement, {"precedence": position * 10})
        _schedule_recompute()
    logger.info("Agreements reordered by user %s", actor.pk)


def move_agreement(*, actor: Any, agreement: Agreement, step: int) -> None:
    """Move an agreement one place up (``step=-1``) or down (``step=1``) among agreements of its kind."""
    siblings = list(Agreement.objects.filter(kind=agreement.kind).order_by("precedence", "pk").values_list(
        "pk", flat=True))
    index = siblings.index(agreement.pk)
    target = index + step
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
    reorder_agreements(actor=actor, ordered_ids=siblings)


def _validate_supplier(supplier: Supplier) -> None:
    check_unique_code(Supplier.objects.all(), supplier.code, exclude_pk=supplier.pk)
    check_unique_name(Supplier.objects.all(), supplier.name_fa, exclude_pk=supplier.pk)


def save_supplier(*, actor: Any, supplier: Supplier | None, values: Mapping[str, Any]) -> Supplier:
    """Create (``supplier=None``) or change a supplier that underpinning contracts and on-hold records name."""
    require_settings_admin(actor)
    cleaned = {
        "name_fa": require_name(values),
        "name_en": clean_text(values.get("name_en")),
        "code": clean_code(values.get("code")),
        "contact": clean_text(values.get("contact")),
        "is_active": bool(values.get("is_active", True)),
    }
    saved = save_audited(actor, supplier or Supplier(), cleaned, validate=_validate_supplier)
    logger.info("Supplier %s saved by user %s", saved.pk, actor.pk)
    return saved
