"""What an assigned practice asks for, day by day: versions, weeks, pauses, end dates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from wellness.care.schedule import (
    Assignment,
    Cadence,
    Frequency,
    KindTarget,
    Occurrence,
    PartOfDay,
    Pause,
    Schedule,
    ScheduleVersion,
    SessionTarget,
    Target,
    day_occurrence,
    due_on,
    occurrences,
    week_of,
)

# 2026-03-02 is a Monday; weeks are ISO weeks, Monday to Sunday.
MON, TUE, WED, THU, FRI, SAT, SUN = (date(2026, 3, 2) + timedelta(days=n) for n in range(7))
NEXT_MON = date(2026, 3, 9)
BREATHING = KindTarget("breathing", 5, 10)
SESSION_A = SessionTarget(101)
SESSION_B = SessionTarget(102)


def version(
    effective_from: date = MON,
    *,
    schedule: Schedule | None = None,
    target: Target = BREATHING,
    start: date | None = None,
    end: date | None = None,
    part: PartOfDay | None = None,
) -> ScheduleVersion:
    return ScheduleVersion(
        effective_from=effective_from,
        target=target,
        schedule=schedule or Schedule.daily(),
        start=start or effective_from,
        end=end,
        part_of_day=part,
    )


def assignment(
    *versions: ScheduleVersion, pauses: tuple[Pause, ...] = (), ended_on: date | None = None
) -> Assignment:
    return Assignment(1, versions or (version(),), pauses=pauses, ended_on=ended_on)


def day_items(items: tuple[Occurrence, ...]) -> list[date]:
    return [item.due for item in items if item.cadence is Cadence.DAY]


def quota(items: tuple[Occurrence, ...], monday: date = MON) -> tuple[int, date | None]:
    """How many the week asks for, and by which day."""
    week = [item for item in items if item.cadence is Cadence.WEEK and item.week == monday]
    assert [item.slot for item in week] == list(range(1, len(week) + 1))
    assert all(item.of == len(week) for item in week)
    return len(week), (week[0].due if week else None)


def test_week_of_is_the_monday_of_the_iso_week() -> None:
    assert {week_of(day) for day in (MON, WED, SUN)} == {MON}
    assert week_of(NEXT_MON) == NEXT_MON


# --- daily and chosen weekdays ------------------------------------------------------------------


def test_daily_is_due_once_on_every_day_from_its_start() -> None:
    items = occurrences(assignment(version(WED)), MON, SUN)

    assert day_items(items) == [WED, THU, FRI, SAT, SUN]
    assert all((item.slot, item.of, item.week) == (1, 1, MON) for item in items)


def test_chosen_weekdays_are_due_only_on_those_days() -> None:
    chosen = assignment(version(schedule=Schedule.on_weekdays({1, 3, 5})))

    assert day_items(occurrences(chosen, MON, NEXT_MON)) == [MON, WED, FRI, NEXT_MON]


def test_a_start_in_the_future_puts_nothing_due_until_it_comes() -> None:
    later = assignment(version(MON, start=FRI))

    assert day_items(occurrences(later, MON, SUN)) == [FRI, SAT, SUN]
    assert due_on(later, THU) == ()


def test_a_start_before_the_assignment_was_made_is_not_owed_backwards() -> None:
    backdated = assignment(version(WED, start=MON - timedelta(days=7)))

    assert day_items(occurrences(backdated, MON, FRI)) == [WED, THU, FRI]


def test_the_end_date_is_the_last_day_due() -> None:
    ending = assignment(version(end=WED))

    assert day_items(occurrences(ending, MON, SUN)) == [MON, TUE, WED]


def test_nothing_is_due_from_the_day_it_was_ended() -> None:
    ended = assignment(ended_on=THU)

    assert day_items(occurrences(ended, MON, SUN)) == [MON, TUE, WED]
    assert due_on(ended, THU) == ()


def test_pause_and_resume_skip_the_paused_days_only() -> None:
    paused = assignment(pauses=(Pause(TUE, resumed_on=THU),))

    assert day_items(occurrences(paused, MON, SUN)) == [MON, THU, FRI, SAT, SUN]


def test_a_pause_not_yet_resumed_lasts() -> None:
    paused = assignment(
        pauses=(Pause(SAT - timedelta(days=7), SAT - timedelta(days=5)), Pause(WED))
    )

    assert day_items(occurrences(paused, MON, NEXT_MON)) == [MON, TUE]


def test_paused_and_resumed_on_one_day_pauses_nothing() -> None:
    assert len(occurrences(assignment(pauses=(Pause(WED, WED),)), MON, SUN)) == 7


def optional_days(items: tuple[Occurrence, ...]) -> list[date]:
    return [item.due for item in items if item.cadence is Cadence.DAY and item.optional]


def test_the_day_it_was_ended_or_paused_has_an_optional_item_only() -> None:
    ended = assignment(ended_on=THU)
    paused = assignment(pauses=(Pause(TUE, resumed_on=THU), Pause(SAT)))

    assert optional_days(occurrences(ended, MON, SUN, optional=True)) == [THU]
    assert day_items(occurrences(ended, MON, SUN, optional=True)) == [MON, TUE, WED, THU]
    assert optional_days(occurrences(paused, MON, SUN, optional=True)) == [TUE, SAT]
    assert (ended.closing_version(THU), ended.closing_version(FRI)) == (version(), None)
    assert ended.accepting_version(WED) == ended.accepting_version(THU) == version()


def test_a_closing_day_needs_a_day_that_would_otherwise_be_due() -> None:
    on_weekdays = version(schedule=Schedule.on_weekdays({1, 3}))
    not_a_weekday = assignment(on_weekdays, ended_on=TUE)
    paused_then_ended = assignment(pauses=(Pause(TUE),), ended_on=THU)
    before_the_start = assignment(version(MON, start=WED), ended_on=TUE)

    assert optional_days(occurrences(not_a_weekday, MON, SUN, optional=True)) == []
    assert optional_days(occurrences(paused_then_ended, MON, SUN, optional=True)) == [TUE]
    assert before_the_start.closing_version(TUE) is None
    assert optional_days(occurrences(assignment(ended_on=WED), WED, WED)) == []


def test_a_week_ended_mid_week_may_count_up_to_its_quota_before_the_end() -> None:
    weekly = assignment(version(schedule=Schedule.times_per_week(3)), ended_on=THU)

    items = occurrences(weekly, MON, SUN, optional=True)

    # Monday to Wednesday owe 3 x 3/7 -> 2 by Wednesday; the third exists only when done.
    assert [(i.slot, i.of, i.due, i.optional) for i in items] == [
        (1, 2, WED, False),
        (2, 2, WED, False),
        (3, 2, WED, True),
    ]
    assert quota(occurrences(weekly, MON, SUN)) == (2, WED)
    assert weekly.weekly_version(THU) is None
    assert weekly.weekly_version(THU, closing=True) == weekly.versions[0]


def test_a_week_ended_or_paused_on_its_monday_owes_nothing_but_may_count() -> None:
    ended = assignment(version(schedule=Schedule.times_per_week(2)), ended_on=MON)
    paused = assignment(version(schedule=Schedule.times_per_week(2)), pauses=(Pause(MON),))

    for closed in (ended, paused):
        items = occurrences(closed, MON, SUN, optional=True)
        assert [(i.slot, i.due, i.optional) for i in items] == [(1, MON, True), (2, MON, True)]
        assert occurrences(closed, MON, SUN) == ()
        assert occurrences(closed, NEXT_MON, NEXT_MON, optional=True) == ()


# --- versions -----------------------------------------------------------------------------------


def test_an_edit_mid_week_applies_from_the_day_it_is_made() -> None:
    edited = assignment(version(MON, target=SESSION_A), version(WED, target=SESSION_B))

    items = occurrences(edited, MON, FRI)

    assert [item.version.target for item in items] == [SESSION_A, SESSION_A, *[SESSION_B] * 3]


def test_the_last_edit_of_a_day_wins() -> None:
    edited = assignment(
        version(MON), version(WED, target=SESSION_A), version(WED, target=SESSION_B)
    )

    item = day_occurrence(edited, WED)

    assert item is not None
    assert item.version.target == SESSION_B


def test_an_edit_can_move_the_end_date() -> None:
    extended = assignment(version(MON, end=TUE), version(TUE, end=THU))

    assert day_items(occurrences(extended, MON, SUN)) == [MON, TUE, WED, THU]


def test_nothing_is_due_before_the_first_version() -> None:
    assert occurrences(assignment(version(NEXT_MON)), MON, SUN) == ()


# --- N times a week -----------------------------------------------------------------------------


def test_n_times_a_week_is_due_by_sunday_not_daily() -> None:
    weekly = assignment(version(schedule=Schedule.times_per_week(3)))

    items = occurrences(weekly, MON, SUN)

    assert day_items(items) == []
    assert quota(items) == (3, SUN)


def test_a_range_ending_mid_week_still_holds_that_weeks_whole_quota() -> None:
    weekly = assignment(version(schedule=Schedule.times_per_week(3)))

    assert quota(occurrences(weekly, MON, TUE)) == (3, SUN)


@pytest.mark.parametrize(
    ("start", "times", "expected"),
    [
        (MON, 3, 3),
        (THU, 3, 2),  # 4 days of 7: 3 x 4/7 = 1.7, rounded up
        (SAT, 3, 1),  # 2 days: 0.86 -> 1
        (SUN, 1, 1),  # never nothing when a day is active
        (FRI, 7, 3),  # 7 a week over 3 days asks for 3, never more than the days
        (TUE, 6, 6),  # 6 x 6/7 = 5.1 -> 6
    ],
)
def test_a_partial_first_week_asks_for_its_share_rounded_up(
    start: date, times: int, expected: int
) -> None:
    weekly = assignment(version(start, schedule=Schedule.times_per_week(times)))

    assert quota(occurrences(weekly, MON, SUN)) == (expected, SUN)


def test_a_week_ending_early_is_due_on_its_last_active_day() -> None:
    weekly = assignment(version(schedule=Schedule.times_per_week(3), end=WED))

    assert quota(occurrences(weekly, MON, SUN)) == (2, WED)  # 3 x 3/7 -> 2


def test_a_pause_mid_week_lowers_that_weeks_quota() -> None:
    weekly = assignment(
        version(schedule=Schedule.times_per_week(3)), pauses=(Pause(TUE, resumed_on=SAT),)
    )

    assert quota(occurrences(weekly, MON, SUN)) == (2, SUN)  # Mon, Sat, Sun: 3 x 3/7 -> 2


def test_a_change_of_n_mid_week_counts_each_day_at_the_n_then_in_force() -> None:
    weekly = assignment(
        version(MON, schedule=Schedule.times_per_week(2)),
        version(THU, schedule=Schedule.times_per_week(5)),
    )

    items = occurrences(weekly, MON, SUN)

    assert quota(items) == (4, SUN)  # (3 x 2 + 4 x 5) / 7 = 3.7 -> 4
    assert quota(occurrences(weekly, NEXT_MON, NEXT_MON), NEXT_MON) == (5, NEXT_MON + timedelta(6))


def test_a_switch_from_daily_to_weekly_mid_week_keeps_the_days_before() -> None:
    switched = assignment(
        version(MON), version(THU, schedule=Schedule.times_per_week(3), target=SESSION_A)
    )

    items = occurrences(switched, MON, SUN)

    assert day_items(items) == [MON, TUE, WED]
    assert quota(items) == (2, SUN)
    assert {item.version.target for item in items if item.cadence is Cadence.WEEK} == {SESSION_A}


def test_due_on_shows_the_weeks_quota_on_active_days_only() -> None:
    weekly = assignment(
        version(schedule=Schedule.times_per_week(2)), pauses=(Pause(WED, resumed_on=THU),)
    )

    assert len(due_on(weekly, TUE)) == 2
    assert due_on(weekly, WED) == ()


# --- targets and validation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "minutes", "accepted"),
    [
        ("breathing", 5, True),
        ("breathing", 4.5, True),  # rounds to 5, like the catalog's length filter
        ("breathing", 10.5, True),
        ("breathing", 4.49, False),
        ("breathing", 10.51, False),
        ("yoga", 7, False),
    ],
)
def test_a_kind_target_takes_that_kind_within_the_length_range(
    kind: str, minutes: float, accepted: bool
) -> None:
    assert BREATHING.accepts(session_id=7, kind=kind, minutes=minutes) is accepted


def test_a_session_target_takes_that_session_at_any_length() -> None:
    assert SESSION_A.accepts(session_id=101, kind="yoga", minutes=60)
    assert not SESSION_A.accepts(session_id=102, kind="yoga", minutes=60)
    assert not SESSION_A.accepts(session_id=None, kind="yoga", minutes=60)


@pytest.mark.parametrize(
    ("hour", "part"),
    [
        (5, PartOfDay.MORNING),
        (11, PartOfDay.MORNING),
        (12, PartOfDay.AFTERNOON),
        (17, PartOfDay.EVENING),
        (21, PartOfDay.BEDTIME),
        (0, PartOfDay.BEDTIME),
        (4, PartOfDay.BEDTIME),
    ],
)
def test_each_hour_is_in_exactly_one_part_of_the_day(hour: int, part: PartOfDay) -> None:
    assert [p for p in PartOfDay if p.contains(hour)] == [part]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Schedule.times_per_week(0), "times_a_week must be 1-7"),
        (lambda: Schedule.times_per_week(8), "times_a_week must be 1-7"),
        (lambda: Schedule(Frequency.DAILY, times_a_week=2), "times_a_week must be 1-7"),
        (lambda: Schedule.on_weekdays(set()), "weekdays must be ISO weekdays"),
        (lambda: Schedule.on_weekdays({0}), "weekdays must be ISO weekdays"),
        (lambda: Schedule.on_weekdays({8}), "weekdays must be ISO weekdays"),
        (lambda: KindTarget("breathing", 10, 5), "whole minutes 0 <= min <= max"),
        (lambda: KindTarget("breathing", -1, 5), "whole minutes 0 <= min <= max"),
        (lambda: KindTarget("", 1, 5), "kind must be a non-empty string"),
        (lambda: version(MON, start=WED, end=TUE), "is before start"),
        (lambda: Pause(WED, resumed_on=TUE), "before paused"),
        (lambda: Assignment(1, ()), "has no schedule version"),
        (lambda: assignment(version(WED), version(MON)), "in effective_from order"),
        (lambda: assignment(pauses=(Pause(MON, WED), Pause(TUE, THU))), "pauses overlap"),
        (lambda: assignment(pauses=(Pause(MON), Pause(WED, THU))), "pauses overlap"),
    ],
)
def test_impossible_schedules_are_refused(build: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()
