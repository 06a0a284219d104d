"""Matching completed practices to assigned items, and adherence: practice days in the patient's
zone with the rollover hour, DST, moving zone, weeks, pauses, edits, never counting twice."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from wellness.care.adherence import (
    Adherence,
    CompletedPractice,
    Outcome,
    Status,
    adherence,
    evaluate,
    overdue,
    todays_plan,
    weekly_adherence,
)
from wellness.care.practice_days import PracticeCalendar, ZoneChange
from wellness.care.schedule import (
    Assignment,
    Cadence,
    KindTarget,
    PartOfDay,
    Pause,
    Schedule,
    ScheduleVersion,
    SessionTarget,
    Target,
)
from wellness.practice.streaks import practice_day

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
# 2026-03-02 is a Monday.
MON, TUE, WED, THU, FRI, SAT, SUN = (date(2026, 3, 2) + timedelta(days=n) for n in range(7))
NEXT_MON = date(2026, 3, 9)
BREATHING = KindTarget("breathing", 5, 10)
SESSION_A = SessionTarget(101)
SESSION_B = SessionTarget(102)
NAIVE = datetime(2026, 3, 2, 9)  # noqa: DTZ001 (names no instant: refused)


def at(zone: str, day: date, hour: int, minute: int = 0, *, fold: int = 0) -> datetime:
    """The UTC instant of a local wall time (`fold=1`: the second of a repeated one)."""
    return (
        datetime.combine(day, time(hour, minute), ZoneInfo(zone)).replace(fold=fold).astimezone(UTC)
    )


_ids = iter(range(1, 10**6))


def did(
    started_at: datetime,
    *,
    session: int | None = 101,
    kind: str = "breathing",
    minutes: float = 8,
    zone: str | None = BERLIN,
) -> CompletedPractice:
    return CompletedPractice(next(_ids), started_at, kind, minutes, session, zone)


def assigned(
    id: int = 1,
    *,
    schedule: Schedule | None = None,
    target: Target = BREATHING,
    start: date = MON,
    end: date | None = None,
    part: PartOfDay | None = None,
    pauses: tuple[Pause, ...] = (),
    ended_on: date | None = None,
    edits: tuple[ScheduleVersion, ...] = (),
) -> Assignment:
    first = ScheduleVersion(start, target, schedule or Schedule.daily(), start, end, part)
    return Assignment(id, (first, *edits), pauses=pauses, ended_on=ended_on)


def run(
    assignments: list[Assignment],
    practices: list[CompletedPractice],
    today: date,
    zone: str = BERLIN,
    rollover_hour: int = 3,
) -> tuple[Outcome, ...]:
    calendar = PracticeCalendar(zone, rollover_hour)
    return evaluate(assignments, practices, calendar=calendar, today=today)


def done_days(outcomes: tuple[Outcome, ...]) -> list[date]:
    return [o.occurrence.due for o in outcomes if o.status is Status.DONE]


def statuses(outcomes: tuple[Outcome, ...]) -> list[tuple[int, date, Status]]:
    return [(o.occurrence.assignment_id, o.occurrence.due, o.status) for o in outcomes]


# --- the practice day: rollover hour, DST, zones ------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "expected"), [(2, 59, MON), (3, 0, TUE), (3, 1, TUE), (0, 0, MON)]
)
def test_a_practice_counts_for_the_practice_day_the_rollover_hour_gives(
    hour: int, minute: int, expected: date
) -> None:
    outcomes = run([assigned()], [did(at(BERLIN, TUE, hour, minute))], today=WED)

    assert done_days(outcomes) == [expected]


@pytest.mark.parametrize(
    ("zone", "local_day", "hour", "minute", "fold", "rollover", "expected"),
    [
        # Berlin springs forward on Sunday 2026-03-29 at 02:00 CET -> 03:00 CEST.
        (BERLIN, date(2026, 3, 29), 1, 59, 0, 3, date(2026, 3, 28)),
        (BERLIN, date(2026, 3, 29), 3, 0, 0, 3, date(2026, 3, 29)),
        # ... and falls back on Sunday 2026-10-25 at 03:00 CEST -> 02:00 CET: both 02:30s.
        (BERLIN, date(2026, 10, 25), 2, 30, 0, 3, date(2026, 10, 24)),
        (BERLIN, date(2026, 10, 25), 2, 30, 1, 3, date(2026, 10, 24)),
        (BERLIN, date(2026, 10, 25), 3, 0, 0, 3, date(2026, 10, 25)),
        (BERLIN, date(2026, 10, 25), 2, 30, 1, 2, date(2026, 10, 25)),
        # New York springs forward on 2026-03-08 at 02:00 EST -> 03:00 EDT.
        (NEW_YORK, date(2026, 3, 8), 1, 59, 0, 3, date(2026, 3, 7)),
        (NEW_YORK, date(2026, 3, 8), 3, 0, 0, 3, date(2026, 3, 8)),
        # ... and falls back on 2026-11-01 at 02:00 EDT -> 01:00 EST: both 01:30s.
        (NEW_YORK, date(2026, 11, 1), 1, 30, 0, 3, date(2026, 10, 31)),
        (NEW_YORK, date(2026, 11, 1), 1, 30, 1, 3, date(2026, 10, 31)),
        (NEW_YORK, date(2026, 11, 1), 1, 30, 0, 1, date(2026, 11, 1)),
        (NEW_YORK, date(2026, 11, 1), 1, 30, 1, 1, date(2026, 11, 1)),
        (NEW_YORK, date(2026, 11, 1), 0, 59, 0, 1, date(2026, 10, 31)),
    ],
)
def test_across_dst_changes_the_local_wall_clock_decides_the_day(
    zone: str, local_day: date, hour: int, minute: int, fold: int, rollover: int, expected: date
) -> None:
    start = local_day - timedelta(days=6)
    practice = did(at(zone, local_day, hour, minute, fold=fold), zone=zone)

    outcomes = run([assigned(start=start)], [practice], local_day, zone, rollover)

    assert done_days(outcomes) == [expected]


def test_both_copies_of_the_repeated_hour_are_two_practices_on_one_day() -> None:
    saturday, sunday = date(2026, 10, 31), date(2026, 11, 1)
    twice = [
        did(at(NEW_YORK, sunday, 1, 30, fold=fold), zone=NEW_YORK, session=None) for fold in (0, 1)
    ]
    two_items = [assigned(1, start=saturday), assigned(2, start=saturday)]

    outcomes = run(two_items, twice, sunday, NEW_YORK)

    assert statuses(outcomes) == [
        (1, saturday, Status.DONE),
        (2, saturday, Status.DONE),
        (1, sunday, Status.PENDING),
        (2, sunday, Status.PENDING),
    ]
    assert {o.practice_id for o in outcomes if o.practice_id} == {p.id for p in twice}


def test_a_practice_counts_for_the_local_day_east_and_west_of_utc() -> None:
    kiritimati = did(at("Pacific/Kiritimati", NEXT_MON, 10), zone="Pacific/Kiritimati")
    pago_pago = did(at("Pacific/Pago_Pago", SUN, 20), zone="Pacific/Pago_Pago")
    daily, tuesday = assigned(start=SAT), NEXT_MON + timedelta(days=1)

    assert (kiritimati.started_at.date(), pago_pago.started_at.date()) == (SUN, NEXT_MON)
    assert done_days(run([daily], [kiritimati], tuesday, "Pacific/Kiritimati")) == [NEXT_MON]
    assert done_days(run([daily], [pago_pago], tuesday, "Pacific/Pago_Pago")) == [SUN]


def test_a_patient_who_moved_keeps_each_practice_on_the_day_where_they_practised() -> None:
    # Monday 22:00 in New York is Tuesday 04:00 in Berlin: it is Monday's practice.
    in_new_york = did(at(NEW_YORK, MON, 22), zone=NEW_YORK)
    in_berlin = did(at(BERLIN, WED, 2), zone=BERLIN)  # before the rollover: Tuesday's

    outcomes = run([assigned()], [in_new_york, in_berlin], today=THU, zone=BERLIN)

    assert done_days(outcomes) == [MON, TUE]


def test_a_practice_stored_without_a_zone_uses_the_zone_history() -> None:
    moved = at(NEW_YORK, TUE, 12)
    calendar = PracticeCalendar(
        NEW_YORK,
        zone_history=(ZoneChange(at(BERLIN, MON, 0), BERLIN), ZoneChange(moved, NEW_YORK)),
    )
    # Monday 23:30 in Berlin is Monday 17:30 in New York; Tuesday 23:30 in New York is
    # Wednesday 05:30 in Berlin.
    practices = [
        did(at(BERLIN, MON, 23, 30), zone=None),
        did(at(NEW_YORK, TUE, 23, 30), zone=None),
    ]

    outcomes = evaluate([assigned()], practices, calendar=calendar, today=WED)

    assert done_days(outcomes) == [MON, TUE]
    assert calendar.zone_at(at(BERLIN, MON, 0) - timedelta(days=30)) == BERLIN


def test_without_a_zone_or_history_the_current_zone_is_used() -> None:
    practice = did(at(NEW_YORK, MON, 22), zone=None)

    assert done_days(run([assigned()], [practice], WED, BERLIN)) == [TUE]
    assert done_days(run([assigned()], [practice], WED, NEW_YORK)) == [MON]


def test_today_is_the_current_zones_practice_day() -> None:
    calendar = PracticeCalendar(NEW_YORK)

    assert calendar.today(at(NEW_YORK, TUE, 2, 59)) == MON
    assert calendar.today(at(NEW_YORK, TUE, 3)) == TUE


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: PracticeCalendar("Mars/Olympus"), "unknown time zone"),
        (lambda: PracticeCalendar(BERLIN, rollover_hour=24), "rollover_hour must be"),
        (
            lambda: PracticeCalendar(
                BERLIN, zone_history=(ZoneChange(at(BERLIN, MON, 0), NEW_YORK),)
            ),
            "must end in the current zone",
        ),
        (
            lambda: PracticeCalendar(
                BERLIN,
                zone_history=(
                    ZoneChange(at(BERLIN, TUE, 0), NEW_YORK),
                    ZoneChange(at(BERLIN, MON, 0), BERLIN),
                ),
            ),
            "oldest first",
        ),
        (
            lambda: PracticeCalendar(BERLIN, zone_history=(ZoneChange(NAIVE, BERLIN),)),
            "aware instants",
        ),
        (lambda: CompletedPractice(1, NAIVE, "yoga", 8), "must be aware"),
        (lambda: CompletedPractice(1, at(BERLIN, MON, 9), "yoga", -1), "0 or more"),
        (lambda: CompletedPractice(1, at(BERLIN, MON, 9), "yoga", float("nan")), "finite"),
        (
            lambda: CompletedPractice(1, at(BERLIN, MON, 9), "yoga", 8, time_zone="Nowhere"),
            "unknown time zone",
        ),
    ],
)
def test_impossible_calendars_and_practices_are_refused(
    build: Callable[[], object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build()


# --- matching -----------------------------------------------------------------------------------


def test_a_practice_never_counts_twice() -> None:
    practice = did(at(BERLIN, MON, 9))
    two_assignments = [assigned(1), assigned(2)]

    outcomes = run(two_assignments, [practice, practice], today=TUE)

    assert statuses(outcomes)[:2] == [(1, MON, Status.DONE), (2, MON, Status.MISSED)]
    assert [o.practice_id for o in outcomes if o.practice_id] == [practice.id]


def test_two_practices_fulfil_two_assignments() -> None:
    outcomes = run([assigned(1), assigned(2)], [did(at(BERLIN, MON, h)) for h in (9, 18)], TUE)

    assert done_days(outcomes) == [MON, MON]


def test_two_different_practices_with_one_id_are_refused() -> None:
    first = did(at(BERLIN, MON, 9))
    clash = CompletedPractice(first.id, at(BERLIN, MON, 18), "breathing", 8)

    with pytest.raises(ValueError, match="share id"):
        run([assigned()], [first, clash], TUE)


@pytest.mark.parametrize(("narrow_id", "wide_id"), [(1, 2), (2, 1)])
def test_the_matching_is_maximal_whichever_item_is_looked_at_first(
    narrow_id: int, wide_id: int
) -> None:
    # The first practice suits both kind assignments; the second only the wider one. Giving
    # the first practice to whichever item comes first would leave the other undone.
    narrow = assigned(narrow_id, target=KindTarget("breathing", 5, 10))
    wide = assigned(wide_id, target=KindTarget("breathing", 5, 20))
    eight, nine = did(at(BERLIN, MON, 8), minutes=8), did(at(BERLIN, MON, 9), minutes=15)

    outcomes = run([narrow, wide], [eight, nine], today=TUE)

    assert {(o.occurrence.assignment_id, o.practice_id) for o in outcomes[:2]} == {
        (narrow_id, eight.id),
        (wide_id, nine.id),
    }


def test_a_specific_session_assignment_gets_the_practice_before_a_kind_one() -> None:
    kind, specific = assigned(1, target=BREATHING), assigned(2, target=SESSION_A)

    outcomes = run([kind, specific], [did(at(BERLIN, MON, 9), session=101)], today=TUE)

    assert statuses(outcomes)[:2] == [(1, MON, Status.MISSED), (2, MON, Status.DONE)]


def test_a_practice_goes_to_the_day_item_before_the_weeks_quota() -> None:
    daily, weekly = assigned(1), assigned(2, schedule=Schedule.times_per_week(3))

    outcomes = run([daily, weekly], [did(at(BERLIN, WED, 9))], today=WED)

    assert adherence(outcomes, assignment_id=1) == Adherence(done=1, prescribed=3, pending=0)
    assert adherence(outcomes, assignment_id=2) == Adherence(done=0, prescribed=0, pending=3)


def test_the_part_of_the_day_decides_which_of_two_items_a_practice_fulfils() -> None:
    morning = assigned(1, part=PartOfDay.MORNING)
    bedtime = assigned(2, part=PartOfDay.BEDTIME)

    late, early = did(at(BERLIN, MON, 22)), did(at(BERLIN, MON, 8))

    evening_only = run([morning, bedtime], [late], today=TUE)
    both = run([morning, bedtime], [late, early], today=TUE)

    assert statuses(evening_only)[:2] == [(1, MON, Status.MISSED), (2, MON, Status.DONE)]
    assert [o.practice_id for o in both[:2]] == [early.id, late.id]


def test_a_morning_item_done_in_the_evening_still_counts() -> None:
    outcomes = run([assigned(part=PartOfDay.MORNING)], [did(at(BERLIN, MON, 22))], today=TUE)

    assert done_days(outcomes) == [MON]


def test_a_practice_of_another_kind_or_length_fulfils_nothing() -> None:
    practices = [
        did(at(BERLIN, MON, 9), kind="yoga", session=None),
        did(at(BERLIN, MON, 10), minutes=30, session=None),
    ]

    assert done_days(run([assigned()], practices, today=TUE)) == []


def test_a_missed_day_cannot_be_made_up_the_next_day() -> None:
    outcomes = run([assigned()], [did(at(BERLIN, TUE, 9)), did(at(BERLIN, TUE, 18))], today=WED)

    assert statuses(outcomes) == [
        (1, MON, Status.MISSED),
        (1, TUE, Status.DONE),
        (1, WED, Status.PENDING),
    ]


def test_practices_after_today_are_ignored() -> None:
    assert done_days(run([assigned()], [did(at(BERLIN, WED, 9))], today=TUE)) == []


# --- weeks --------------------------------------------------------------------------------------


def test_monday_before_the_rollover_still_counts_for_last_weeks_quota() -> None:
    weekly = assigned(schedule=Schedule.times_per_week(1))

    late = run([weekly], [did(at(BERLIN, NEXT_MON, 2, 30))], today=NEXT_MON)
    early = run([weekly], [did(at(BERLIN, NEXT_MON, 3))], today=NEXT_MON)

    assert weekly_adherence(late) == {
        MON: Adherence(1, 1, 0),
        NEXT_MON: Adherence(0, 0, 1),
    }
    assert weekly_adherence(early) == {
        MON: Adherence(0, 1, 0),
        NEXT_MON: Adherence(1, 1, 0),
    }


def test_n_times_a_week_mid_week_counts_what_is_done_and_owes_the_rest_by_sunday() -> None:
    weekly = assigned(schedule=Schedule.times_per_week(3))
    once = [did(at(BERLIN, TUE, 9))]

    mid_week = run([weekly], once, today=WED)
    sunday = run([weekly], once, today=SUN)
    after = run([weekly], once, today=NEXT_MON)

    assert adherence(mid_week) == Adherence(done=1, prescribed=1, pending=2)
    assert adherence(sunday) == Adherence(done=1, prescribed=1, pending=2)
    assert adherence(after, week=MON) == Adherence(done=1, prescribed=3, pending=0)


def test_several_practices_on_one_day_are_several_times() -> None:
    weekly = assigned(schedule=Schedule.times_per_week(3))
    practices = [did(at(BERLIN, SAT, h)) for h in (9, 12, 18, 21)]

    outcomes = run([weekly], practices, today=NEXT_MON)

    assert [o.practice_id for o in outcomes if o.occurrence.week == MON] == [
        p.id for p in practices[:3]
    ]


def test_the_weeks_quota_takes_practices_in_time_order_slot_by_slot() -> None:
    weekly = assigned(schedule=Schedule.times_per_week(2))
    practices = [did(at(BERLIN, FRI, 9)), did(at(BERLIN, TUE, 9))]

    outcomes = run([weekly], practices, today=SAT)

    assert [(o.occurrence.slot, o.practice_id) for o in outcomes] == [
        (1, practices[1].id),
        (2, practices[0].id),
    ]


def test_a_paused_day_fulfils_no_weekly_item_and_owes_none() -> None:
    weekly = assigned(schedule=Schedule.times_per_week(7), pauses=(Pause(WED, resumed_on=SAT),))
    practices = [did(at(BERLIN, day, 9)) for day in (MON, TUE, WED, THU, FRI, SAT, SUN)]

    outcomes = run([weekly], practices, today=NEXT_MON)

    # Thursday and Friday are paused; Wednesday, the day it was paused, owes nothing but what
    # was done on it still counts (like a daily schedule's: 5 of 5).
    assert adherence(outcomes, week=MON) == Adherence(done=5, prescribed=5, pending=0)
    fulfilled = {o.practice_id for o in outcomes if o.occurrence.week == MON}
    assert fulfilled == {practices[i].id for i in (0, 1, 2, 5, 6)}


# --- edits, ends ----------------------------------------------------------------------------------


def test_days_before_an_edit_are_judged_by_the_version_then_in_force() -> None:
    edit = ScheduleVersion(WED, SESSION_B, Schedule.daily(), MON)
    changed = assigned(target=SESSION_A, edits=(edit,))
    practices = [did(at(BERLIN, day, 9), session=101) for day in (MON, TUE, WED, THU)]
    practices.append(did(at(BERLIN, FRI, 9), session=102))

    outcomes = run([changed], practices, today=SAT)

    assert statuses(outcomes) == [
        (1, MON, Status.DONE),
        (1, TUE, Status.DONE),
        (1, WED, Status.MISSED),
        (1, THU, Status.MISSED),
        (1, FRI, Status.DONE),
        (1, SAT, Status.PENDING),
    ]


def test_a_weekly_edit_mid_week_judges_each_practice_by_its_days_version() -> None:
    edit = ScheduleVersion(THU, SESSION_B, Schedule.times_per_week(3), MON)
    changed = assigned(target=SESSION_A, schedule=Schedule.times_per_week(3), edits=(edit,))
    practices = [
        did(at(BERLIN, TUE, 9), session=101),  # A while A was asked for: counts
        did(at(BERLIN, FRI, 9), session=101),  # A after the change to B: does not
        did(at(BERLIN, SAT, 9), session=102),  # B: counts
    ]

    outcomes = run([changed], practices, today=NEXT_MON)

    assert [o.practice_id for o in outcomes if o.occurrence.week == MON] == [
        practices[0].id,
        practices[2].id,
        None,
    ]


def test_an_ended_assignment_owes_nothing_more() -> None:
    ended = assigned(ended_on=WED)

    outcomes = run([ended], [did(at(BERLIN, MON, 9)), did(at(BERLIN, THU, 9))], today=FRI)

    assert statuses(outcomes) == [(1, MON, Status.DONE), (1, TUE, Status.MISSED)]


def test_a_practice_done_on_the_day_it_was_ended_still_counts() -> None:
    ended = assigned(ended_on=WED)

    outcomes = run([ended], [did(at(BERLIN, WED, 9))], today=WED)

    assert statuses(outcomes) == [
        (1, MON, Status.MISSED),
        (1, TUE, Status.MISSED),
        (1, WED, Status.DONE),
    ]
    assert outcomes[-1].occurrence.optional
    assert adherence(outcomes, week=MON) == Adherence(done=1, prescribed=3, pending=0)
    # Not done on that day: nothing is owed for it, now or later.
    later = run([ended], [], today=FRI)
    assert statuses(later) == [(1, MON, Status.MISSED), (1, TUE, Status.MISSED)]


def test_ended_on_the_day_it_was_done_stays_one_of_one() -> None:
    practice = did(at(BERLIN, WED, 9))
    before = run([assigned(start=WED)], [practice], today=WED)

    after = run([assigned(start=WED, ended_on=WED)], [practice], today=WED)

    assert adherence(before) == adherence(after) == Adherence(done=1, prescribed=1, pending=0)
    assert adherence(run([assigned(start=WED, ended_on=WED)], [practice], today=FRI)) == (
        Adherence(done=1, prescribed=1, pending=0)
    )


def test_paused_on_the_day_it_was_done_stays_one_of_one() -> None:
    practice = did(at(BERLIN, WED, 9))
    paused = assigned(start=WED, pauses=(Pause(WED),))

    assert adherence(run([paused], [practice], today=WED)) == Adherence(1, 1, 0)
    assert adherence(run([paused], [], today=FRI)) == Adherence(0, 0, 0)


def test_a_closing_day_owes_nothing_so_a_practice_goes_to_what_is_owed_first() -> None:
    ended = assigned(1, start=WED, ended_on=WED)
    other = assigned(2, start=WED, end=WED)

    outcomes = run([ended, other], [did(at(BERLIN, WED, 9))], today=THU)

    assert statuses(outcomes) == [(2, WED, Status.DONE)]  # not 1 done and 1 missed


def test_a_week_ended_mid_week_keeps_counting_what_was_done_before() -> None:
    schedule = Schedule.times_per_week(3)
    practices = [did(at(BERLIN, day, 9)) for day in (MON, TUE, WED)]
    before = run([assigned(schedule=schedule)], practices, today=WED)

    weekly = assigned(schedule=schedule, ended_on=THU)

    assert adherence(before) == Adherence(done=3, prescribed=3, pending=0)  # done early
    assert adherence(run([weekly], practices, today=THU)) == adherence(before)
    assert adherence(run([weekly], practices, today=NEXT_MON)) == adherence(before)
    # Owed: the share of Monday to Wednesday, 3 x 3/7 -> 2. The end day's practice counts
    # towards it; the third one is optional and exists only when done.
    thursday = [did(at(BERLIN, MON, 9)), did(at(BERLIN, THU, 9))]
    assert adherence(run([weekly], thursday, today=FRI)) == Adherence(2, 2, 0)
    assert adherence(run([weekly], practices[:1], today=FRI)) == Adherence(1, 2, 0)
    four = [*practices, did(at(BERLIN, THU, 10))]
    outcomes = run([weekly], four, today=FRI)
    assert adherence(outcomes) == Adherence(3, 3, 0)  # never more than the week asked for
    assert [(o.occurrence.slot, o.occurrence.of, o.occurrence.due) for o in outcomes] == [
        (1, 3, WED),
        (2, 3, WED),
        (3, 3, WED),
    ]


def test_a_week_ended_on_its_monday_counts_that_mondays_practice() -> None:
    weekly = assigned(schedule=Schedule.times_per_week(2), ended_on=MON)

    outcomes = run([weekly], [did(at(BERLIN, MON, 9))], today=TUE)

    assert adherence(outcomes) == Adherence(1, 1, 0)
    assert [(o.occurrence.due, o.occurrence.optional) for o in outcomes] == [(MON, True)]
    assert run([weekly], [], today=TUE) == ()


def test_an_end_date_ends_the_week_early() -> None:
    weekly = assigned(schedule=Schedule.times_per_week(3), end=WED)

    outcomes = run([weekly], [did(at(BERLIN, TUE, 9))], today=THU)

    assert adherence(outcomes) == Adherence(done=1, prescribed=2, pending=0)


def test_a_future_start_owes_nothing_yet() -> None:
    outcomes = run([assigned(start=FRI)], [did(at(BERLIN, TUE, 9))], today=WED)

    assert outcomes == ()
    assert adherence(outcomes).ratio is None


# --- adherence, plan, overdue -------------------------------------------------------------------


def test_today_is_not_owed_until_it_ends_but_counts_once_done() -> None:
    before = run([assigned(start=TUE)], [], today=TUE)
    after = run([assigned(start=TUE)], [did(at(BERLIN, TUE, 9))], today=TUE)
    next_day = run([assigned(start=TUE)], [], today=WED)

    assert adherence(before) == Adherence(done=0, prescribed=0, pending=1)
    assert adherence(after) == Adherence(done=1, prescribed=1, pending=0)
    assert adherence(next_day) == Adherence(done=0, prescribed=1, pending=1)
    assert adherence(after).ratio == 1.0


def test_adherence_per_assignment_and_per_week() -> None:
    daily, weekly = assigned(1), assigned(2, schedule=Schedule.times_per_week(2))
    practices = [did(at(BERLIN, day, 9)) for day in (MON, TUE, NEXT_MON)]
    practices.append(did(at(BERLIN, SUN, 9), session=None, kind="yoga", minutes=0))

    outcomes = run([daily, weekly], practices, today=NEXT_MON + timedelta(days=1))

    assert adherence(outcomes, assignment_id=1, week=MON) == Adherence(2, 7, 0)
    assert adherence(outcomes, assignment_id=2, week=MON) == Adherence(0, 2, 0)
    assert adherence(outcomes, week=NEXT_MON) == Adherence(1, 1, 3)
    assert weekly_adherence(outcomes, assignment_id=2) == {
        MON: Adherence(0, 2, 0),
        NEXT_MON: Adherence(0, 0, 2),
    }
    assert adherence(outcomes, assignment_id=1).ratio == pytest.approx(3 / 8)


def test_overdue_lists_the_missed_items_since_a_day() -> None:
    weekly = assigned(2, schedule=Schedule.times_per_week(1))
    outcomes = run([assigned(1), weekly], [did(at(BERLIN, WED, 9))], today=NEXT_MON)

    late = overdue(outcomes, since=SAT)

    # The one practice went to Wednesday's daily item, so the week's one time is missed too.
    assert [(o.occurrence.assignment_id, o.occurrence.due) for o in late] == [
        (1, SAT),
        (1, SUN),
        (2, SUN),
    ]
    assert len(overdue(outcomes, since=MON)) == 7
    assert overdue(outcomes, since=NEXT_MON) == ()


def test_todays_plan_lists_todays_items_by_part_of_the_day_with_what_fulfilled_them() -> None:
    calendar = PracticeCalendar(BERLIN)
    bedtime = assigned(1, part=PartOfDay.BEDTIME)
    morning = assigned(2, target=SESSION_A, part=PartOfDay.MORNING)
    weekly = assigned(3, schedule=Schedule.times_per_week(2), target=KindTarget("yoga", 5, 60))
    paused = assigned(4, pauses=(Pause(WED),))
    yoga = did(at(BERLIN, MON, 9), session=None, kind="yoga", minutes=30)
    done = [yoga, did(at(BERLIN, WED, 8), session=101)]

    plan = todays_plan([bedtime, morning, weekly, paused], done, calendar=calendar, today=WED)

    assert [(item.assignment_id, item.cadence) for item in plan] == [
        (2, Cadence.DAY),
        (1, Cadence.DAY),
        (3, Cadence.WEEK),
    ]
    assert [(item.done, item.due, item.practice_ids) for item in plan] == [
        (1, 1, (done[1].id,)),
        (0, 1, ()),
        (1, 2, (done[0].id,)),
    ]
    assert plan[0].complete
    assert not plan[2].complete


def test_a_practice_done_on_the_day_an_assignment_ends_or_pauses_stays_on_the_plan() -> None:
    calendar = PracticeCalendar(BERLIN)
    ended = assigned(1, ended_on=WED)
    paused = assigned(2, pauses=(Pause(WED),))
    ended_undone = assigned(3, target=SESSION_B, ended_on=WED)
    breathing = did(at(BERLIN, WED, 8), session=None, kind="breathing", minutes=10)
    breathing_again = did(at(BERLIN, WED, 19), session=None, kind="breathing", minutes=10)

    plan = todays_plan(
        [ended, paused, ended_undone], [breathing, breathing_again], calendar=calendar, today=WED
    )

    assert [(item.assignment_id, item.done, item.due) for item in plan] == [(1, 1, 1), (2, 1, 1)]
    assert all(item.complete for item in plan)
    assert {item.practice_ids for item in plan} == {(breathing.id,), (breathing_again.id,)}


def test_todays_plan_for_no_assignments_is_empty() -> None:
    assert todays_plan([], [], calendar=PracticeCalendar(BERLIN), today=WED) == ()


def test_assignment_ids_must_be_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        run([assigned(1), assigned(1)], [], today=WED)


# --- any hour, east and west of UTC, on the days the clocks change ------------------------------

ZONES_AND_DAYS = {
    "Asia/Tokyo": (date(2026, 12, 2),),
    "Pacific/Kiritimati": (date(2026, 12, 2),),
    "Pacific/Pago_Pago": (date(2026, 12, 2),),
    BERLIN: (date(2026, 12, 2), date(2026, 3, 29), date(2026, 10, 25)),
    NEW_YORK: (date(2026, 12, 2), date(2026, 3, 8), date(2026, 11, 1)),
}
TIMES = (*(time(hour, 30) for hour in range(24)), time(2, 59), time(3, 0), time(3, 1))


def moments() -> Iterator[tuple[str, datetime]]:
    for zone, local_days in ZONES_AND_DAYS.items():
        for day in local_days:
            for clock_time in TIMES:
                for fold in (0, 1):
                    yield zone, datetime.combine(day, clock_time, ZoneInfo(zone)).replace(fold=fold)


CASES = sorted({(zone, moment.astimezone(UTC)) for zone, moment in moments()})


@pytest.mark.parametrize(
    ("zone", "now"), [pytest.param(z, n, id=f"{z}-{n:%Y%m%dT%H%M}Z") for z, n in CASES]
)
def test_a_practice_just_done_ticks_todays_item_at_any_hour(zone: str, now: datetime) -> None:
    calendar = PracticeCalendar(zone)
    today = calendar.today(now)
    ten_minutes_ago = did(now - timedelta(minutes=10), zone=zone)
    daily = assigned(start=today - timedelta(days=3))

    plan = todays_plan([daily], [ten_minutes_ago], calendar=calendar, today=today)
    outcomes = evaluate([daily], [ten_minutes_ago], calendar=calendar, today=today)

    just_done = practice_day(ten_minutes_ago.started_at, zone, 3) == today
    assert today == practice_day(now, zone, 3)
    assert [item.done for item in plan] == [int(just_done)]
    assert adherence(outcomes).done == 1
