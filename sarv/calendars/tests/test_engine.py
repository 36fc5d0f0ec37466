"""Business-time arithmetic: the three reference cases at engine level, algebra, DST, hour sets, versions, closures."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sarv.calendars.engine import BusinessCalendar, CalendarError, HourSet
from sarv.calendars.tests.helpers import BASE, HOUR, LABOUR_LAW, TEHRAN, T, jd, labour_law, tehran

UTC = dt.UTC


# --- three reference cases: holidays, a pause, a start outside hours ---------------------------------


def test_case_1_leap_year_and_nowruz():
    calendar = labour_law(holidays=[jd(1403, 12, 29), *(jd(1404, 1, d) for d in range(1, 5))])
    created = tehran(1403, 12, 28, 20, 0)
    assert created.strftime("%A") == "Tuesday"
    # 1403 is a leap year: 1403/12/30 exists and is a Thursday half day (08:00-12:00).
    thursday = tehran(1403, 12, 30, 8)
    assert thursday.strftime("%A") == "Thursday"
    assert calendar.between(thursday, tehran(1403, 12, 30, 23)) == 4 * HOUR
    due = calendar.add(created, 8 * HOUR)
    assert due == dt.datetime(2025, 3, 25, 8, 30, tzinfo=UTC)
    assert due.astimezone(TEHRAN).replace(tzinfo=None) == dt.datetime.combine(jd(1404, 1, 5), T(12))
    assert calendar.between(created, due) == 8 * HOUR


def test_case_2_pause_counts_business_hours_not_wall_clock():
    calendar = labour_law()
    created = tehran(1404, 2, 3, 9)
    hold_start, hold_end = tehran(1404, 2, 3, 15), tehran(1404, 2, 6, 10)
    assert created.strftime("%A") == "Wednesday" and hold_end.strftime("%A") == "Saturday"
    assert (hold_end - hold_start) == dt.timedelta(hours=67)
    assert calendar.between(hold_start, hold_end) == 7 * HOUR
    used = calendar.between(created, hold_start)
    assert used == 6 * HOUR
    due = calendar.add(hold_end, 16 * HOUR - used)
    assert due == tehran(1404, 2, 7, 12)
    assert due.astimezone(TEHRAN).strftime("%A") == "Sunday"
    # The same due time, seen as the target plus the paused business time from the creation instant.
    assert calendar.add(created, 16 * HOUR + 7 * HOUR) == due


def test_case_3_clock_starts_at_next_open_instant():
    calendar = labour_law()
    created = tehran(1404, 2, 5, 10)
    assert created.strftime("%A") == "Friday"
    assert calendar.next_open(created) == tehran(1404, 2, 6, 8)
    assert calendar.add(created, 0) == tehran(1404, 2, 6, 8)
    reply = tehran(1404, 2, 6, 9)
    assert calendar.between(created, reply) == 1 * HOUR
    assert calendar.add(created, 2 * HOUR) == tehran(1404, 2, 6, 10) > reply


# --- basic behaviour -----------------------------------------------------------------------------


def test_due_on_the_end_of_an_interval_is_that_end():
    calendar = labour_law()
    assert calendar.add(tehran(1404, 2, 6, 8), 8 * HOUR) == tehran(1404, 2, 6, 16)


def test_half_open_intervals():
    calendar = labour_law()
    assert calendar.is_open(tehran(1404, 2, 6, 8))
    assert not calendar.is_open(tehran(1404, 2, 6, 16))
    assert calendar.is_open(tehran(1404, 2, 6, 15, 59))
    assert not calendar.is_open(tehran(1404, 2, 6, 7, 59))
    assert calendar.between(tehran(1404, 2, 6, 16), tehran(1404, 2, 7, 8)) == 0
    assert calendar.next_open(tehran(1404, 2, 6, 16)) == tehran(1404, 2, 7, 8)


def test_several_intervals_per_day_lunch_is_a_gap():
    week = {d: ((T(8), T(12)), (T(13), T(17))) for d in range(5)}
    calendar = BusinessCalendar(time_zone="Asia/Tehran", weeks=[(BASE, week)])
    start = tehran(1404, 2, 6, 8)
    assert calendar.add(start, 5 * HOUR) == tehran(1404, 2, 6, 14)
    assert calendar.add(start, 4 * HOUR) == tehran(1404, 2, 6, 12)
    assert not calendar.is_open(tehran(1404, 2, 6, 12, 30))
    assert calendar.between(start, tehran(1404, 2, 7, 0)) == 8 * HOUR
    spans = list(calendar.intervals(start, tehran(1404, 2, 7, 0)))
    assert [(a.astimezone(TEHRAN).hour, b.astimezone(TEHRAN).hour) for a, b in spans] == [(8, 12), (13, 17)]


def test_adjacent_intervals_merge_and_24_00_is_midnight():
    week = {d: ((T(0), T(12)), (T(12), T(0))) for d in range(7)}
    calendar = BusinessCalendar(time_zone="UTC", weeks=[(BASE, week)])
    start = dt.datetime(2025, 1, 1, tzinfo=UTC)
    assert calendar.add(start, 72 * HOUR) == start + dt.timedelta(hours=72)
    assert len(list(calendar.intervals(start, start + dt.timedelta(days=3)))) == 1


def test_overlapping_or_reversed_intervals_are_rejected():
    with pytest.raises(CalendarError, match="overlap"):
        BusinessCalendar(time_zone="UTC", weeks=[(BASE, {0: ((T(8), T(12)), (T(11), T(14)))})])
    with pytest.raises(CalendarError, match="before it starts"):
        BusinessCalendar(time_zone="UTC", weeks=[(BASE, {0: ((T(12), T(8)),)})])
    with pytest.raises(CalendarError, match="time zone"):
        BusinessCalendar(time_zone="Mars/Olympus", weeks=[(BASE, LABOUR_LAW)])


def test_naive_instants_and_negative_durations_are_rejected():
    calendar = labour_law()
    with pytest.raises(CalendarError):
        calendar.add(dt.datetime(2025, 1, 1, 8), HOUR)
    with pytest.raises(CalendarError):
        calendar.add(tehran(1404, 1, 1), -1)


def test_a_calendar_without_open_time_cannot_give_a_due_time():
    calendar = BusinessCalendar(time_zone="Asia/Tehran", weeks=[(BASE, {})])
    with pytest.raises(CalendarError):
        calendar.add(tehran(1404, 1, 1), HOUR)
    assert calendar.between(tehran(1404, 1, 1), tehran(1405, 1, 1)) == 0


def test_add_crosses_years_and_long_durations():
    calendar = labour_law()
    start = tehran(1404, 12, 25, 8)
    due = calendar.add(start, 44 * HOUR * 60)  # about 60 weeks
    assert due.year == 2027
    assert calendar.between(start, due) == 44 * HOUR * 60


def test_result_is_utc_whatever_the_input_zone():
    calendar = labour_law()
    due = calendar.add(tehran(1404, 2, 6, 8), HOUR)
    assert due.tzinfo == UTC
    assert calendar.add(due.astimezone(TEHRAN), 0) == due


# --- holidays, hour sets, versions, closures ---------------------------------------------------------


def test_holiday_closes_the_whole_day():
    calendar = labour_law(holidays=[jd(1404, 2, 6)])
    assert calendar.next_open(tehran(1404, 2, 6, 9)) == tehran(1404, 2, 7, 8)


def test_dated_hour_set_replaces_the_week_only_on_its_dates():
    summer = HourSet(start=jd(1404, 4, 1), end=jd(1404, 6, 31), week={d: ((T(6), T(13)),) for d in range(6)})
    calendar = labour_law(hour_sets=[summer])
    assert calendar.next_open(tehran(1404, 4, 1, 0)) == tehran(1404, 4, 1, 6)
    assert calendar.between(tehran(1404, 4, 5, 0), tehran(1404, 4, 6, 0)) == 7 * HOUR
    # Thursday in summer: the set gives 06:00-13:00 too, replacing the half day.
    thursday = tehran(1404, 6, 27, 0)
    assert thursday.strftime("%A") == "Thursday"
    assert calendar.between(thursday, thursday + dt.timedelta(days=1)) == 7 * HOUR
    assert calendar.between(tehran(1404, 7, 1, 0), tehran(1404, 7, 2, 0)) == 8 * HOUR  # back to the base week


def test_later_starting_hour_set_wins_where_sets_overlap():
    summer = HourSet(start=jd(1404, 4, 1), end=jd(1404, 6, 31), week={d: ((T(6), T(13)),) for d in range(6)})
    late = HourSet(start=jd(1404, 5, 1), end=jd(1404, 5, 3), week={d: ((T(9), T(13)),) for d in range(6)})
    calendar = labour_law(hour_sets=[late, summer])
    assert calendar.between(tehran(1404, 5, 2, 0), tehran(1404, 5, 3, 0)) == 4 * HOUR
    assert calendar.between(tehran(1404, 5, 4, 0), tehran(1404, 5, 5, 0)) == 7 * HOUR


def test_effective_dated_versions():
    later = {d: ((T(7), T(14)),) for d in range(5)}
    calendar = BusinessCalendar(time_zone="Asia/Tehran", weeks=[(jd(1404, 7, 1), later), (BASE, LABOUR_LAW)])
    assert calendar.between(tehran(1404, 6, 31, 0), tehran(1404, 6, 31, 23)) == 8 * HOUR
    assert calendar.between(tehran(1404, 7, 1, 0), tehran(1404, 7, 1, 23)) == 7 * HOUR
    # The earliest version applies to dates before it as well.
    only = BusinessCalendar(time_zone="Asia/Tehran", weeks=[(jd(1404, 7, 1), later)])
    assert only.between(tehran(1400, 1, 7, 0), tehran(1400, 1, 7, 23)) == 7 * HOUR
    # A version that starts in the middle of a clock's life: the business time before it is unchanged.
    start = tehran(1404, 6, 31, 8)  # Shahrivar has 31 days; the new hours (07:00-14:00) start the next day
    assert calendar.add(start, 8 * HOUR) == tehran(1404, 6, 31, 16)
    assert calendar.add(start, 9 * HOUR) == tehran(1404, 7, 1, 8)
    with pytest.raises(CalendarError):
        BusinessCalendar(time_zone="UTC", weeks=[(BASE, LABOUR_LAW), (BASE, LABOUR_LAW)])


def test_partial_day_closure():
    closure = (tehran(1404, 2, 6, 10), tehran(1404, 2, 6, 14))
    calendar = labour_law(closures=[closure])
    assert calendar.between(tehran(1404, 2, 6, 0), tehran(1404, 2, 7, 0)) == 4 * HOUR
    assert calendar.add(tehran(1404, 2, 6, 9), 2 * HOUR) == tehran(1404, 2, 6, 15)
    assert not calendar.is_open(tehran(1404, 2, 6, 10))
    assert calendar.is_open(tehran(1404, 2, 6, 14))


def test_overlapping_closures_and_closure_across_days():
    closures = [(tehran(1404, 2, 6, 10), tehran(1404, 2, 7, 10)), (tehran(1404, 2, 6, 9), tehran(1404, 2, 6, 11))]
    calendar = labour_law(closures=closures)
    assert calendar.between(tehran(1404, 2, 6, 0), tehran(1404, 2, 8, 0)) == 1 * HOUR + 6 * HOUR


# --- daylight saving (Asia/Tehran: +04:30 in summer until 2022-09-21, +03:30 all year after) ----------


ALWAYS = {d: ((T(0), T(0)),) for d in range(7)}


def test_business_day_before_and_after_dst_ended():
    calendar = labour_law()
    summer_2022 = dt.datetime(2022, 6, 4, 7, tzinfo=TEHRAN)  # Saturday, +04:30
    assert calendar.next_open(summer_2022) == dt.datetime(2022, 6, 4, 3, 30, tzinfo=UTC)
    summer_2023 = dt.datetime(2023, 6, 3, 7, tzinfo=TEHRAN)  # Saturday, +03:30
    assert calendar.next_open(summer_2023) == dt.datetime(2023, 6, 3, 4, 30, tzinfo=UTC)
    # 08:00-16:00 is eight real hours on both sides.
    assert calendar.between(summer_2022, summer_2022 + dt.timedelta(hours=12)) == 8 * HOUR
    assert calendar.between(summer_2023, summer_2023 + dt.timedelta(hours=12)) == 8 * HOUR


def test_dst_end_day_has_25_hours_and_start_day_23():
    calendar = BusinessCalendar(time_zone="Asia/Tehran", weeks=[(BASE, ALWAYS)])
    end_day = dt.datetime(2022, 9, 21, tzinfo=TEHRAN)
    next_day = dt.datetime(2022, 9, 22, tzinfo=TEHRAN)
    assert calendar.between(end_day, next_day) == 25 * HOUR
    start_day = dt.datetime(2022, 3, 22, tzinfo=TEHRAN)
    assert calendar.between(start_day, dt.datetime(2022, 3, 23, tzinfo=TEHRAN)) == 23 * HOUR


def test_night_shift_spanning_the_dst_switch():
    # 2022-09-21 (Wednesday) 24:00 became 23:00: a shift Wed 20:00 -> Thu 04:00 lasts 9 real hours.
    week = {4: ((T(20), T(0)),), 5: ((T(0), T(4)),)}
    calendar = BusinessCalendar(time_zone="Asia/Tehran", weeks=[(BASE, week)])
    start = dt.datetime(2022, 9, 21, 20, tzinfo=TEHRAN)
    assert start.strftime("%A") == "Wednesday"
    assert calendar.between(start, start + dt.timedelta(hours=12)) == 9 * HOUR
    due = calendar.add(start, 9 * HOUR)
    assert due == dt.datetime(2022, 9, 22, 0, 30, tzinfo=UTC)  # 04:00 at +03:30
    # The same shift a year later (no DST) is 8 hours.
    later = dt.datetime(2023, 9, 20, 20, tzinfo=TEHRAN)
    assert later.strftime("%A") == "Wednesday"
    assert calendar.between(later, later + dt.timedelta(hours=12)) == 8 * HOUR


def test_nonexistent_and_ambiguous_wall_times_resolve_with_fold_0():
    # 2022-03-22 00:00-01:00 did not exist; 00:30 is read with the old offset (+03:30) = 21:00 UTC.
    week = {d: ((T(0, 30), T(2)),) for d in range(7)}
    calendar = BusinessCalendar(time_zone="Asia/Tehran", weeks=[(BASE, week)])
    day = dt.datetime(2022, 3, 21, 12, tzinfo=UTC)
    assert calendar.next_open(day) == dt.datetime(2022, 3, 21, 21, 0, tzinfo=UTC)
    assert calendar.between(day, day + dt.timedelta(days=1)) == 30 * 60
    # 2022-09-21 23:00-24:00 happened twice; 23:30 is the first time (+04:30) = 19:00 UTC.
    late = {d: ((T(23, 30), T(0)),) for d in range(7)}
    calendar = BusinessCalendar(time_zone="Asia/Tehran", weeks=[(BASE, late)])
    assert calendar.next_open(dt.datetime(2022, 9, 21, 12, tzinfo=UTC)) == dt.datetime(2022, 9, 21, 19, tzinfo=UTC)
    assert calendar.between(dt.datetime(2022, 9, 21, 12, tzinfo=UTC), dt.datetime(2022, 9, 22, 12, tzinfo=UTC)) \
        == 90 * 60


# --- algebra (hypothesis) ------------------------------------------------------------------------

SHIPPED_LIKE = labour_law(holidays=[jd(1404, 1, d) for d in (1, 2, 3, 4, 12, 13)] + [jd(1405, 1, 1)],
                          closures=[(tehran(1404, 9, 1, 10), tehran(1404, 9, 1, 12, 30))])
instants = st.datetimes(min_value=dt.datetime(2021, 1, 1), max_value=dt.datetime(2027, 12, 31),
                        timezones=st.just(UTC))
durations = st.integers(min_value=0, max_value=200 * HOUR)


@settings(max_examples=300, deadline=None)
@given(instants, durations)
def test_add_then_between_returns_the_duration(start, seconds):
    due = SHIPPED_LIKE.add(start, seconds)
    assert due >= start
    assert SHIPPED_LIKE.between(start, due) == seconds
    if seconds:
        assert SHIPPED_LIKE.between(start, due - dt.timedelta(microseconds=1)) == seconds - 1


@settings(max_examples=300, deadline=None)
@given(instants, durations, durations)
def test_add_is_monotonic_in_duration(start, a, b):
    low, high = sorted((a, b))
    assert SHIPPED_LIKE.add(start, low) <= SHIPPED_LIKE.add(start, high)


@settings(max_examples=300, deadline=None)
@given(instants, instants, durations)
def test_add_is_monotonic_in_start(a, b, seconds):
    early, late = sorted((a, b))
    assert SHIPPED_LIKE.add(early, seconds) <= SHIPPED_LIKE.add(late, seconds)


@settings(max_examples=300, deadline=None)
@given(instants, instants, instants)
def test_between_is_additive(a, b, c):
    a, b, c = sorted((a, b, c))
    assert SHIPPED_LIKE.between(a, b) + SHIPPED_LIKE.between(b, c) in (
        SHIPPED_LIKE.between(a, c), SHIPPED_LIKE.between(a, c) - 1)  # whole seconds, floored twice
    assert SHIPPED_LIKE.between(c, a) == 0 if c > a else True


@settings(max_examples=300, deadline=None)
@given(instants)
def test_zero_duration_is_next_open_and_intervals_are_half_open(start):
    nxt = SHIPPED_LIKE.next_open(start)
    assert SHIPPED_LIKE.add(start, 0) == nxt
    assert SHIPPED_LIKE.is_open(nxt)
    assert SHIPPED_LIKE.between(start, nxt) == 0
    window_end = start + dt.timedelta(days=3)
    for a, b in SHIPPED_LIKE.intervals(start, window_end):
        assert SHIPPED_LIKE.is_open(a)
        assert SHIPPED_LIKE.is_open(b - dt.timedelta(microseconds=1))
        if b < window_end:
            assert not SHIPPED_LIKE.is_open(b)
        assert SHIPPED_LIKE.between(a, b) == int((b - a).total_seconds())


@settings(max_examples=200, deadline=None)
@given(instants, durations)
def test_fresh_engine_agrees_with_warm_engine(start, seconds):
    fresh = labour_law(holidays=[jd(1404, 1, d) for d in (1, 2, 3, 4, 12, 13)] + [jd(1405, 1, 1)],
                       closures=[(tehran(1404, 9, 1, 10), tehran(1404, 9, 1, 12, 30))])
    assert fresh.add(start, seconds) == SHIPPED_LIKE.add(start, seconds)
