"""Every write to calendars, hour sets, holidays and closures.

Each action checks that the actor is an administrator, validates, writes inside one transaction with an
audit row, moves the calendar data version (so cached engines are rebuilt) and, after the transaction,
asks the SLA side to recompute the clocks that follow the changed calendars. The due times that moved
come back to the caller so the page can show them.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sarv.calendars import holiday_csv, hooks
from sarv.calendars.choices import SHIPPED_HOLIDAY_SET_KEY, HolidayKind, HolidayMode, RecomputeStatus
from sarv.calendars.hooks import ChangeScope, MovedDue, MovedDues
from sarv.calendars.models import (
    MINUTES_PER_DAY,
    Calendar,
    CalendarVersion,
    Closure,
    DataVersion,
    Holiday,
    HolidaySet,
    HourSet,
    HourSetInterval,
    RecomputeRun,
    WeeklyInterval,
    validate_time_zone,
)
from sarv.calendars.weekdays import WEEKDAY_CHOICES
from sarv.core import audit
from sarv.core.actions import clean_text, require_name, require_settings_admin, save_audited
from sarv.core.choices import AuditAction
from sarv.core.errors import ValidationFailed
from sarv.env import env_int

logger = logging.getLogger(__name__)

WeekRows = Sequence[tuple[int, int, int]]  # (Saturday-first weekday, start minute, end minute); 1440 = 24:00
BASE_DATE = dt.date(2000, 1, 1)
# Above this many affected open records a change recomputes in a background task, not within the request.
SYNC_RECOMPUTE_LIMIT = env_int("SARV_SYNC_RECOMPUTE_LIMIT", 2000, minimum=0)
# How many moved due times a background run keeps for its page.
MAX_STORED = 500


# --- helpers ---------------------------------------------------------------------------------------


def bump_data_version() -> None:
    """Give the calendar data a new random version, so no cached engine built before this change is used.

    Every action here calls it; code that writes calendar rows another way (fixtures, scripts) must call it too.

    A random value rather than a counter: after a rollback (or a restored backup) a counter would repeat a
    value that cached engines were built under with other data.
    """
    value = secrets.randbits(62)
    if not DataVersion.objects.filter(pk=1).update(value=value):
        DataVersion.objects.create(pk=1, value=value)


def _recompute(scope: ChangeScope, *, actor: Any = None) -> MovedDues:
    """Ask the SLA side to recompute after our transaction; failures there never undo the saved change.

    When more open records than ``SYNC_RECOMPUTE_LIMIT`` are affected, the recompute runs as a background
    task: the result is empty with ``pending_run`` set to the run that will hold the due times that moved.
    """
    try:
        affected = hooks.affected(scope)
        if affected > SYNC_RECOMPUTE_LIMIT:
            return _recompute_later(scope, actor=actor, records=affected)
        return MovedDues(hooks.recompute(scope))
    except Exception:  # the calendar change is saved; the clocks are rebuilt by the next recompute
        logger.exception("Recomputing clocks after a calendar change failed")
        return MovedDues()


def _recompute_later(scope: ChangeScope, *, actor: Any, records: int) -> MovedDues:
    from sarv.calendars.tasks import recompute_after_change

    with transaction.atomic():
        run = RecomputeRun.objects.create(
            created_by=actor if getattr(actor, "pk", None) else None, records=records,
            calendar_ids=sorted(scope.calendar_ids) if scope.calendar_ids is not None else None,
            site_ids=sorted(scope.site_ids) if scope.site_ids is not None else None, since=scope.since,
        )
        transaction.on_commit(lambda: recompute_after_change.enqueue(run_id=run.pk))
    logger.info("Recompute of %s open records after a calendar change queued as run %s", records, run.pk)
    result = MovedDues()
    result.pending_run = run.pk
    return result


def run_recompute(run: RecomputeRun) -> RecomputeRun:
    """Recompute the clocks of a queued run and store the due times that moved (the first ``MAX_STORED``)."""
    updated = RecomputeRun.objects.filter(pk=run.pk, status=RecomputeStatus.PENDING).update(
        status=RecomputeStatus.RUNNING, started_at=timezone.now())
    if not updated:
        run.refresh_from_db()
        return run
    try:
        moved = hooks.recompute(run.scope())
    except Exception:
        logger.exception("Recompute run %s failed", run.pk)
        RecomputeRun.objects.filter(pk=run.pk).update(status=RecomputeStatus.FAILED, finished_at=timezone.now())
        run.refresh_from_db()
        return run
    RecomputeRun.objects.filter(pk=run.pk).update(
        status=RecomputeStatus.DONE, finished_at=timezone.now(), moved_total=len(moved),
        moved=[moved_to_json(item) for item in moved[:MAX_STORED]],
    )
    run.refresh_from_db()
    return run


def moved_to_json(item: MovedDue) -> dict[str, Any]:
    return {"record_label": item.record_label, "record_url": item.record_url, "clock_label": item.clock_label,
            "old_due": item.old_due.isoformat() if item.old_due else None,
            "new_due": item.new_due.isoformat() if item.new_due else None}


def moved_from_json(item: Mapping[str, Any]) -> MovedDue:
    return MovedDue(item["record_label"], item["record_url"], item["clock_label"],
                    dt.datetime.fromisoformat(item["old_due"]) if item["old_due"] else None,
                    dt.datetime.fromisoformat(item["new_due"]) if item["new_due"] else None)


def weekday_label(weekday: int) -> str:
    return str(dict(WEEKDAY_CHOICES)[weekday])


def format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def clean_week(rows: Iterable[tuple[int, int, int]], *, field: str = "week") -> list[tuple[int, int, int]]:
    """Validate working intervals: whole minutes within the day, end after start, no overlap on a weekday."""
    cleaned = sorted((int(day), int(start), int(end)) for day, start, end in rows)
    previous: tuple[int, int, int] | None = None
    for day, start, end in cleaned:
        if not 0 <= day <= 6:
            raise ValidationFailed(_("Unknown weekday %(day)s."), field=field, day=day)
        if not 0 <= start < MINUTES_PER_DAY or not 0 < end <= MINUTES_PER_DAY:
            raise ValidationFailed(_("Times lie between 00:00 and 24:00."), field=field)
        if end <= start:
            raise ValidationFailed(
                _("On %(day)s, the interval %(start)s–%(end)s ends before it starts."),
                field=field, day=weekday_label(day), start=format_minute(start), end=format_minute(end),
            )
        if previous is not None and previous[0] == day and start < previous[2]:
            raise ValidationFailed(
                _("On %(day)s, the intervals %(first)s and %(second)s overlap."), field=field,
                day=weekday_label(day), first=f"{format_minute(previous[1])}–{format_minute(previous[2])}",
                second=f"{format_minute(start)}–{format_minute(end)}",
            )
        previous = (day, start, end)
    return cleaned


def week_text(rows: Iterable[tuple[int, int, int]]) -> str:
    """A compact raw form of a week for audit rows: ``0 08:00-16:00; 5 08:00-12:00``."""
    return "; ".join(f"{day} {format_minute(start)}-{format_minute(end)}" for day, start, end in sorted(rows))


def version_rows(version: CalendarVersion | None) -> list[tuple[int, int, int]]:
    if version is None:
        return []
    return [(i.weekday, i.start_minute, i.end_minute) for i in version.intervals.all()]


# --- calendars -------------------------------------------------------------------------------------


def _calendar_values(values: Mapping[str, Any], calendar: Calendar | None) -> dict[str, Any]:
    time_zone = clean_text(values.get("time_zone")) or "Asia/Tehran"
    try:
        validate_time_zone(time_zone)
    except Exception:
        raise ValidationFailed(_("Unknown time zone: %(zone)s"), field="time_zone", zone=time_zone) from None
    mode = values.get("holiday_mode") or HolidayMode.SHIPPED
    if mode not in HolidayMode.values:
        raise ValidationFailed(_("Choose which holidays the calendar follows."), field="holiday_mode")
    holiday_set = values.get("holiday_set") if mode == HolidayMode.OTHER else None
    if mode == HolidayMode.OTHER and holiday_set is None:
        raise ValidationFailed(_("Choose the holiday list."), field="holiday_set")
    cleaned = {
        "name_fa": require_name(values),
        "name_en": clean_text(values.get("name_en")),
        "owner_group": values.get("owner_group"),
        "site": values.get("site"),
        "time_zone": time_zone,
        "holiday_mode": mode,
        "holiday_set": holiday_set,
        "is_default": bool(values.get("is_default", calendar.is_default if calendar else False)),
        "is_active": bool(values.get("is_active", True)),
    }
    if calendar is not None and calendar.is_default and not cleaned["is_default"]:
        raise ValidationFailed(
            _("One calendar is always the default: make another calendar the default instead."), field="is_default",
        )
    if cleaned["is_default"] and not cleaned["is_active"]:
        raise ValidationFailed(_("The default calendar cannot be inactive."), field="is_active")
    return cleaned


def save_calendar(
    *,
    actor: Any,
    calendar: Calendar | None,
    values: Mapping[str, Any],
    week: WeekRows | None = None,
    effective_from: dt.date | None = None,
) -> tuple[Calendar, MovedDues]:
    """Create (``calendar=None``) or edit a calendar; ``week`` sets its hours from ``effective_from``.

    A new calendar's first hours apply to all dates (``effective_from`` is ignored). An edit of the hours
    needs an effective date: the hours before it stay as they were, so clocks already met or breached keep
    their history, and open clocks are recomputed.
    """
    require_settings_admin(actor)
    cleaned = _calendar_values(values, calendar)
    rows = clean_week(week) if week is not None else None
    creating = calendar is None
    if not creating and rows is not None and effective_from is None:
        raise ValidationFailed(_("Choose the date from which the new hours apply."), field="effective_from")
    if creating and rows is None:
        rows = []

    # Which calendar records follow, and how its engine is built, depend on these: a change recomputes all.
    routing = ("owner_group", "site", "time_zone", "holiday_mode", "holiday_set", "is_default", "is_active")
    rerouted = calendar is not None and any(
        getattr(calendar, name) != cleaned[name] for name in routing)
    changed_from: list[dt.date] = []

    def after_save(saved: Calendar) -> dict[str, list[Any]]:
        if rows is None:
            return {}
        date = BASE_DATE if creating else effective_from
        assert date is not None
        existing = CalendarVersion.objects.filter(calendar=saved, effective_from=date).first()
        current = (CalendarVersion.objects.filter(calendar=saved, effective_from__lte=date)
                   .order_by("-effective_from").prefetch_related("intervals").first())
        before = version_rows(current)
        if not creating and sorted(before) == rows:
            return {}
        if existing is not None:
            existing.intervals.all().delete()
            version = existing
        else:
            version = CalendarVersion.objects.create(calendar=saved, effective_from=date, created_by=actor)
        WeeklyInterval.objects.bulk_create(
            [WeeklyInterval(version=version, weekday=d, start_minute=s, end_minute=e) for d, s, e in rows]
        )
        changed_from.append(date)
        return {f"week@{date.isoformat()}": [week_text(before) if not creating else None, week_text(rows)]}

    with transaction.atomic():
        if cleaned["is_default"]:
            others = Calendar.objects.filter(is_default=True)
            if calendar is not None:
                others = others.exclude(pk=calendar.pk)
            others.update(is_default=False)
        saved = save_audited(actor, calendar or Calendar(), cleaned, after_save=after_save)
        bump_data_version()
    logger.info("Calendar %s saved by user %s", saved.pk, getattr(actor, "pk", None))
    if creating or not (rerouted or changed_from):
        return saved, MovedDues()
    if rerouted:
        return saved, _recompute(ChangeScope(), actor=actor)
    return saved, _recompute(ChangeScope.of({saved.pk}, since=min(changed_from)), actor=actor)


def copy_calendar(*, actor: Any, source: Calendar, values: Mapping[str, Any]) -> Calendar:
    """Create a calendar with the current hours of ``source`` (for example a shipped template for a group)."""
    today = timezone.localdate()
    current = (CalendarVersion.objects.filter(calendar=source, effective_from__lte=today)
               .order_by("-effective_from").first()
               or CalendarVersion.objects.filter(calendar=source).order_by("effective_from").first())
    merged = {
        "time_zone": source.time_zone, "holiday_mode": source.holiday_mode, "holiday_set": source.holiday_set,
        **values, "is_default": False,
    }
    calendar, _moved = save_calendar(actor=actor, calendar=None, values=merged, week=version_rows(current))
    return calendar


def delete_version(*, actor: Any, version: CalendarVersion) -> MovedDues:
    """Remove a later version of a calendar's hours; the first version stays."""
    require_settings_admin(actor)
    with transaction.atomic():
        first = CalendarVersion.objects.filter(calendar_id=version.calendar_id).order_by("effective_from").first()
        if first is not None and first.pk == version.pk:
            raise ValidationFailed(_("The first hours of a calendar cannot be removed; edit them instead."))
        audit.log(actor=actor, action=AuditAction.DELETE, instance=version.calendar, changes={
            f"week@{version.effective_from.isoformat()}": [week_text(version_rows(version)), None],
        })
        version.delete()
        bump_data_version()
    return _recompute(ChangeScope.of({version.calendar_id}, since=version.effective_from), actor=actor)


# --- dated hour sets -------------------------------------------------------------------------------


def save_hour_set(
    *, actor: Any, calendar: Calendar, hour_set: HourSet | None, values: Mapping[str, Any], week: WeekRows,
) -> tuple[HourSet, MovedDues]:
    """Create or edit hours that replace the calendar's week from ``start_date`` to ``end_date`` (inclusive)."""
    require_settings_admin(actor)
    start, end = values.get("start_date"), values.get("end_date")
    if start is None or end is None:
        raise ValidationFailed(_("Enter both dates."), field="start_date")
    if end < start:
        raise ValidationFailed(_("The end date is before the start date."), field="end_date")
    rows = clean_week(week)
    cleaned = {"name_fa": require_name(values), "name_en": clean_text(values.get("name_en")),
               "start_date": start, "end_date": end, "calendar": calendar}
    since = min(start, hour_set.start_date) if hour_set is not None else start

    def after_save(saved: HourSet) -> dict[str, list[Any]]:
        before = [(i.weekday, i.start_minute, i.end_minute) for i in saved.intervals.all()]
        if sorted(before) == rows:
            return {}
        saved.intervals.all().delete()
        HourSetInterval.objects.bulk_create(
            [HourSetInterval(hour_set=saved, weekday=d, start_minute=s, end_minute=e) for d, s, e in rows]
        )
        return {"week": [week_text(before) if before else None, week_text(rows)]}

    with transaction.atomic():
        saved = save_audited(actor, hour_set or HourSet(), cleaned, after_save=after_save)
        bump_data_version()
    return saved, _recompute(ChangeScope.of({calendar.pk}, since=since), actor=actor)


def delete_hour_set(*, actor: Any, hour_set: HourSet) -> MovedDues:
    require_settings_admin(actor)
    calendar_id, since = hour_set.calendar_id, hour_set.start_date
    with transaction.atomic():
        audit.log(actor=actor, action=AuditAction.DELETE, instance=hour_set,
                  changes={"name_fa": [hour_set.name_fa, None], "start_date": [str(hour_set.start_date), None],
                           "end_date": [str(hour_set.end_date), None]})
        hour_set.delete()
        bump_data_version()
    return _recompute(ChangeScope.of({calendar_id}, since=since), actor=actor)


# --- holidays --------------------------------------------------------------------------------------


def calendars_using(holiday_set: HolidaySet) -> set[int]:
    query = Q(holiday_mode=HolidayMode.OTHER, holiday_set=holiday_set)
    if holiday_set.key == SHIPPED_HOLIDAY_SET_KEY:
        query |= Q(holiday_mode=HolidayMode.SHIPPED)
    return set(Calendar.objects.filter(query).values_list("pk", flat=True))


def _holiday_values(values: Mapping[str, Any]) -> dict[str, Any]:
    if values.get("date") is None:
        raise ValidationFailed(_("Enter the date."), field="date")
    kind = values.get("kind")
    if kind not in HolidayKind.values:
        raise ValidationFailed(_("Choose solar, lunar or special."), field="kind")
    return {
        "date": values["date"],
        "name_fa": require_name(values),
        "name_en": clean_text(values.get("name_en")),
        "kind": kind,
        "is_estimated": bool(values.get("is_estimated", False)),
        "note": clean_text(values.get("note"))[:500],
    }


def save_holiday(
    *, actor: Any, holiday_set: HolidaySet, holiday: Holiday | None, values: Mapping[str, Any],
) -> tuple[Holiday, MovedDues]:
    """Add a holiday to a list or change one."""
    require_settings_admin(actor)
    cleaned = _holiday_values(values)
    cleaned["holiday_set"] = holiday_set

    def validate(target: Holiday) -> None:
        clash = Holiday.objects.filter(holiday_set=holiday_set, date=target.date, name_fa=target.name_fa)
        if clash.exclude(pk=target.pk).exists():
            raise ValidationFailed(_("This holiday is already in the list on that date."), field="date")

    since = min(cleaned["date"], holiday.date) if holiday is not None else cleaned["date"]
    with transaction.atomic():
        saved = save_audited(actor, holiday or Holiday(), cleaned, validate=validate)
        bump_data_version()
    return saved, _recompute(ChangeScope.of(calendars_using(holiday_set), since=since), actor=actor)


def delete_holiday(*, actor: Any, holiday: Holiday) -> MovedDues:
    require_settings_admin(actor)
    holiday_set = holiday.holiday_set
    with transaction.atomic():
        audit.log(actor=actor, action=AuditAction.DELETE, instance=holiday,
                  changes={"date": [str(holiday.date), None], "name_fa": [holiday.name_fa, None]})
        holiday.delete()
        bump_data_version()
    return _recompute(ChangeScope.of(calendars_using(holiday_set), since=holiday.date), actor=actor)


def confirm_holiday(*, actor: Any, holiday: Holiday, date: dt.date | None = None) -> tuple[Holiday, MovedDues]:
    """Confirm an estimated holiday, optionally on another date (a lunar date moved by a day)."""
    require_settings_admin(actor)
    values = {"is_estimated": False, "confirmed_by": actor, "confirmed_at": timezone.now()}
    if date is not None:
        values["date"] = date
    since = min(holiday.date, date) if date is not None else holiday.date

    def validate(target: Holiday) -> None:
        clash = Holiday.objects.filter(holiday_set_id=target.holiday_set_id, date=target.date, name_fa=target.name_fa)
        if clash.exclude(pk=target.pk).exists():
            raise ValidationFailed(_("This holiday is already in the list on that date."), field="date")

    with transaction.atomic():
        saved = save_audited(actor, holiday, values, validate=validate)
        bump_data_version()
    return saved, _recompute(ChangeScope.of(calendars_using(saved.holiday_set), since=since), actor=actor)


def save_holiday_set(*, actor: Any, holiday_set: HolidaySet | None, values: Mapping[str, Any],
                     copy_from: HolidaySet | None = None) -> HolidaySet:
    """Create (optionally as a copy of another list) or rename a holiday list."""
    require_settings_admin(actor)
    cleaned = {"name_fa": require_name(values), "name_en": clean_text(values.get("name_en"))}
    if holiday_set is None:
        base = clean_text(values.get("key")) or "list"
        key = base
        counter = 1
        while HolidaySet.objects.filter(key=key).exists():
            counter += 1
            key = f"{base}-{counter}"
        cleaned["key"] = key

    def after_save(saved: HolidaySet) -> dict[str, list[Any]]:
        if copy_from is None or holiday_set is not None:
            return {}
        copied = [Holiday(holiday_set=saved, date=h.date, name_fa=h.name_fa, name_en=h.name_en, kind=h.kind,
                          is_estimated=h.is_estimated, note=h.note) for h in copy_from.holidays.all()]
        Holiday.objects.bulk_create(copied)
        return {"copied_from": [None, copy_from.pk]}

    with transaction.atomic():
        saved = save_audited(actor, holiday_set or HolidaySet(), cleaned, after_save=after_save)
        bump_data_version()
    return saved


def import_holidays(
    *, actor: Any, holiday_set: HolidaySet, text: str, replace_years: bool = False,
) -> tuple[holiday_csv.ParseResult, MovedDues]:
    """Import holidays from CSV. Nothing is saved when any row is bad; ``result.errors`` lists every bad row.

    A row whose date and Persian name match a holiday of the list updates it; others are added. With
    ``replace_years`` the holidays of every Jalali year in the file are removed first.
    """
    require_settings_admin(actor)
    result = holiday_csv.parse(text)
    if not result.ok:
        return result, MovedDues()
    if not result.rows:
        result.errors.append((1, str(_("The file holds no holidays."))))
        return result, MovedDues()
    since = min(row.date for row in result.rows)
    with transaction.atomic():
        existing = {(h.date, h.name_fa): h for h in Holiday.objects.select_for_update().filter(holiday_set=holiday_set)}
        removed = 0
        if replace_years:
            years = {holiday_csv.format_jalali(row.date)[:4] for row in result.rows}
            doomed = [h.pk for h in existing.values() if holiday_csv.format_jalali(h.date)[:4] in years]
            since = min([since, *(h.date for h in existing.values() if h.pk in doomed)])
            removed = Holiday.objects.filter(pk__in=doomed).delete()[0]
            existing = {key: h for key, h in existing.items() if h.pk not in doomed}
        created = updated = 0
        for row in result.rows:
            fields = {"name_en": row.name_en, "kind": row.kind, "is_estimated": row.is_estimated, "note": row.note}
            holiday = existing.get((row.date, row.name_fa))
            if holiday is None:
                Holiday.objects.create(holiday_set=holiday_set, date=row.date, name_fa=row.name_fa, **fields)
                created += 1
            elif any(getattr(holiday, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(holiday, name, value)
                holiday.save(update_fields=list(fields))
                updated += 1
        audit.log(actor=actor, action=AuditAction.IMPORT, instance=holiday_set,
                  changes={"holidays": [None, {"created": created, "updated": updated, "removed": removed}]})
        bump_data_version()
    return result, _recompute(ChangeScope.of(calendars_using(holiday_set), since=since), actor=actor)


def export_holidays(*, actor: Any, holiday_set: HolidaySet, year: int | None = None) -> str:
    """Return the list (or one Jalali year of it) as CSV and record the export in the audit log."""
    require_settings_admin(actor)
    holidays = Holiday.objects.filter(holiday_set=holiday_set).order_by("date", "kind", "name_fa")
    if year is not None:
        import jdatetime

        first = jdatetime.date(year, 1, 1).togregorian()
        last = jdatetime.date(year + 1, 1, 1).togregorian()
        holidays = holidays.filter(date__gte=first, date__lt=last)
    audit.log(actor=actor, action=AuditAction.EXPORT, instance=holiday_set, changes={"year": [None, year]})
    return holiday_csv.render(holidays)


# --- closures --------------------------------------------------------------------------------------


def closure_scope(closure: Closure) -> ChangeScope:
    """What a closure changes: from its first day, every calendar on the places it covers (all without any)."""
    from sarv.calendars.selectors import locations_under

    location_ids = set(closure.locations.values_list("pk", flat=True))
    return ChangeScope.of(None, since=closure.start_date,
                          site_ids=locations_under(location_ids) if location_ids else None)


def save_closure(*, actor: Any, values: Mapping[str, Any]) -> tuple[Closure, MovedDues]:
    """Enter an ad-hoc closure: dates, whole day or from/to, places covered, exempt groups, who announced it."""
    require_settings_admin(actor)
    start = values.get("start_date")
    if start is None:
        raise ValidationFailed(_("Enter the date."), field="start_date")
    end = values.get("end_date") or start
    if end < start:
        raise ValidationFailed(_("The end date is before the start date."), field="end_date")
    if (end - start).days > 60:
        raise ValidationFailed(_("A closure lasts at most 60 days; enter a longer one as holidays."), field="end_date")
    whole_day = bool(values.get("whole_day", True))
    start_time = None if whole_day else values.get("start_time")
    end_time = None if whole_day else values.get("end_time")
    if not whole_day and start_time is None and end_time is None:
        raise ValidationFailed(_("Enter the time the closure starts or ends, or mark it as a whole day."),
                               field="start_time")
    if start_time is not None and end_time is not None and end_time <= start_time:
        raise ValidationFailed(_("The closure ends before it starts."), field="end_time")
    reason = clean_text(values.get("reason"))
    if not reason:
        raise ValidationFailed(_("Enter the reason for the closure."), field="reason")
    announced_by = clean_text(values.get("announced_by"))
    if not announced_by:
        raise ValidationFailed(_("Enter who announced the closure."), field="announced_by")
    locations = list(values.get("locations") or [])
    exempt = list(values.get("exempt_groups") or [])
    with transaction.atomic():
        closure = Closure.objects.create(
            start_date=start, end_date=end, whole_day=whole_day, start_time=start_time, end_time=end_time,
            reason=reason, announced_by=announced_by, note=clean_text(values.get("note")), created_by=actor,
        )
        closure.locations.set(locations)
        closure.exempt_groups.set(exempt)
        changes = {name: [None, value] for name, value in audit.snapshot(closure, [
            "start_date", "end_date", "whole_day", "start_time", "end_time", "reason", "announced_by", "note",
        ]).items()}
        changes["locations"] = [None, sorted(location.pk for location in locations)]
        changes["exempt_groups"] = [None, sorted(group.pk for group in exempt)]
        audit.log(actor=actor, action=AuditAction.CREATE, instance=closure, changes=changes)
        bump_data_version()
    logger.info("Closure %s entered by user %s", closure.pk, getattr(actor, "pk", None))
    return closure, _recompute(closure_scope(closure), actor=actor)


def reverse_closure(*, actor: Any, closure: Closure) -> tuple[Closure, MovedDues]:
    """Withdraw a closure (it stays listed, marked reversed); the hours it closed are open again."""
    require_settings_admin(actor)
    with transaction.atomic():
        locked = Closure.objects.select_for_update().get(pk=closure.pk)
        if locked.is_reversed:
            raise ValidationFailed(_("This closure was already reversed."))
        locked.is_reversed = True
        locked.reversed_by = actor
        locked.reversed_at = timezone.now()
        locked.save(update_fields=["is_reversed", "reversed_by", "reversed_at"])
        audit.log(actor=actor, action=AuditAction.UPDATE, instance=locked, changes={"is_reversed": [False, True]})
        bump_data_version()
    return locked, _recompute(closure_scope(locked), actor=actor)
