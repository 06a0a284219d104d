"""A collection as an assignment's target: a completed practice of any session it holds fulfils
an item, on a day the item accepts, in the patient's practice days (rollover hour, zones east
and west of UTC, DST); in the matching, specific sessions first, then collections, then kinds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.unit.test_care_adherence import (
    BERLIN,
    BREATHING,
    MON,
    NEW_YORK,
    SESSION_A,
    SUN,
    THU,
    TUE,
    WED,
    ZONES_AND_DAYS,
    assigned,
    at,
    did,
    done_days,
    run,
    statuses,
)
from wellness.care.adherence import Status, adherence, evaluate, todays_plan
from wellness.care.practice_days import PracticeCalendar
from wellness.care.schedule import (
    CollectionTarget,
    KindTarget,
    Schedule,
    ScheduleVersion,
    SessionTarget,
)
from wellness.practice.streaks import practice_day

# A programme of three sessions: 101 is also SESSION_A; 103 is a breathing session of 8 minutes.
PROGRAMME = CollectionTarget(7, frozenset({101, 102, 103}))


def test_any_session_in_the_collection_fulfils_its_item_and_nothing_else_does() -> None:
    practices = [
        did(at(BERLIN, MON, 9), session=102),
        did(at(BERLIN, TUE, 9), session=103),
        did(at(BERLIN, WED, 9), session=999),  # breathing, 8 minutes, but not in it
        did(at(BERLIN, THU, 9), session=None),  # logged breathing: no session at all
    ]

    outcomes = run([assigned(target=PROGRAMME)], practices, today=date(2026, 3, 6))

    assert statuses(outcomes) == [
        (1, MON, Status.DONE),
        (1, TUE, Status.DONE),
        (1, WED, Status.MISSED),
        (1, THU, Status.MISSED),
        (1, date(2026, 3, 6), Status.PENDING),
    ]


def test_the_collection_accepts_only_the_sessions_it_holds() -> None:
    assert PROGRAMME.accepts(session_id=101, kind="yoga", minutes=40)
    assert not PROGRAMME.accepts(session_id=104, kind="breathing", minutes=8)
    assert not PROGRAMME.accepts(session_id=None, kind="breathing", minutes=8)
    assert CollectionTarget(7, frozenset()).accepts(session_id=101, kind="", minutes=0) is False
    # Any iterable of ids is kept as a frozenset, so versions stay hashable and comparable.
    assert CollectionTarget(7, {1, 2}) == CollectionTarget(7, frozenset({2, 1}))  # type: ignore[arg-type]


def test_one_practice_fulfils_one_item_the_session_first_then_the_collection_then_the_kind() -> (
    None
):
    kind = assigned(1, target=BREATHING)
    programme = assigned(2, target=PROGRAMME)
    specific = assigned(3, target=SESSION_A)
    one = did(at(BERLIN, MON, 9), session=101)  # in all three

    outcomes = run([kind, programme, specific], [one], today=TUE)

    assert statuses(outcomes)[:3] == [
        (1, MON, Status.MISSED),
        (2, MON, Status.MISSED),
        (3, MON, Status.DONE),
    ]
    two = did(at(BERLIN, MON, 10), session=103)  # in the collection, and a breathing session
    outcomes = run([kind, programme, specific], [one, two], today=TUE)
    assert statuses(outcomes)[:3] == [
        (1, MON, Status.MISSED),  # the kind's item, the broadest, is the one left over
        (2, MON, Status.DONE),
        (3, MON, Status.DONE),
    ]


def test_the_matching_stays_maximal_a_collection_does_not_take_what_only_a_kind_could_use() -> None:
    # 103 counts for both; 104 (breathing, 8 minutes) only for the kind. Whatever the order,
    # both items are done.
    kind, programme = assigned(1, target=BREATHING), assigned(2, target=PROGRAMME)
    practices = [did(at(BERLIN, MON, 8), session=103), did(at(BERLIN, MON, 9), session=104)]

    outcomes = run([kind, programme], practices, today=TUE)

    assert {(o.occurrence.assignment_id, o.practice_id) for o in outcomes[:2]} == {
        (1, practices[1].id),
        (2, practices[0].id),
    }


def test_n_times_a_week_and_chosen_weekdays_work_for_a_collection_as_for_the_others() -> None:
    weekly = assigned(1, target=PROGRAMME, schedule=Schedule.times_per_week(2))
    weekdays = assigned(2, target=PROGRAMME, schedule=Schedule.on_weekdays({1, 3}))
    practices = [
        did(at(BERLIN, MON, 9), session=101),
        did(at(BERLIN, TUE, 9), session=102),
        did(at(BERLIN, WED, 9), session=103),
    ]

    outcomes = run([weekly, weekdays], practices, today=date(2026, 3, 9))
    week = adherence(outcomes, assignment_id=1)
    chosen = adherence(outcomes, assignment_id=2)

    # Day items first (their deadline is earlier): Monday's and Wednesday's; the quota gets
    # Tuesday's and misses one.
    assert (chosen.done, chosen.prescribed) == (2, 2)
    assert (week.done, week.prescribed) == (1, 2)


def test_an_edit_from_a_kind_to_a_collection_judges_each_day_by_its_version() -> None:
    to_collection = ScheduleVersion(WED, PROGRAMME, Schedule.daily(), MON)
    edited = assigned(target=KindTarget("yoga", 5, 60), edits=(to_collection,))
    practices = [
        did(at(BERLIN, MON, 9), session=101),  # breathing: not the yoga asked for then
        did(at(BERLIN, TUE, 9), session=50, kind="yoga", minutes=20),
        did(at(BERLIN, WED, 9), session=50, kind="yoga", minutes=20),  # not in the collection
        did(at(BERLIN, THU, 9), session=101),
    ]

    outcomes = run([edited], practices, today=date(2026, 3, 6))

    assert done_days(outcomes) == [TUE, THU]


@pytest.mark.parametrize(
    ("zone", "local_day", "hour", "minute", "fold", "expected"),
    [
        # Berlin springs forward on 2026-03-29 and falls back on 2026-10-25 (rollover 03:00).
        (BERLIN, date(2026, 3, 29), 1, 59, 0, date(2026, 3, 28)),
        (BERLIN, date(2026, 3, 29), 3, 0, 0, date(2026, 3, 29)),
        (BERLIN, date(2026, 10, 25), 2, 30, 1, date(2026, 10, 24)),
        (BERLIN, date(2026, 10, 25), 3, 0, 0, date(2026, 10, 25)),
        # New York springs forward on 2026-03-08 and falls back on 2026-11-01.
        (NEW_YORK, date(2026, 3, 8), 1, 59, 0, date(2026, 3, 7)),
        (NEW_YORK, date(2026, 11, 1), 1, 30, 1, date(2026, 10, 31)),
        (NEW_YORK, date(2026, 11, 1), 3, 0, 0, date(2026, 11, 1)),
        # East and west of UTC, an evening and an early morning.
        ("Pacific/Kiritimati", date(2026, 12, 2), 23, 30, 0, date(2026, 12, 2)),
        ("Pacific/Kiritimati", date(2026, 12, 2), 2, 30, 0, date(2026, 12, 1)),
        ("Pacific/Pago_Pago", date(2026, 12, 2), 23, 30, 0, date(2026, 12, 2)),
        ("Asia/Tokyo", date(2026, 12, 2), 0, 30, 0, date(2026, 12, 1)),
    ],
)
def test_a_collections_practice_counts_for_the_local_practice_day(
    zone: str, local_day: date, hour: int, minute: int, fold: int, expected: date
) -> None:
    practice = did(at(zone, local_day, hour, minute, fold=fold), session=102, zone=zone)
    daily = assigned(target=PROGRAMME, start=local_day - timedelta(days=6))

    outcomes = run([daily], [practice], local_day, zone)

    assert done_days(outcomes) == [expected]


CASES = sorted(
    {
        (zone, datetime.combine(day, time(hour, 30), ZoneInfo(zone)).astimezone(UTC))
        for zone, local_days in ZONES_AND_DAYS.items()
        for day in local_days
        for hour in range(24)
    }
)


@pytest.mark.parametrize(
    ("zone", "now"), [pytest.param(z, n, id=f"{z}-{n:%Y%m%dT%H%M}Z") for z, n in CASES]
)
def test_a_session_of_the_collection_just_done_ticks_todays_item_at_any_hour(
    zone: str, now: datetime
) -> None:
    calendar = PracticeCalendar(zone)
    today = calendar.today(now)
    ten_minutes_ago = did(now - timedelta(minutes=10), session=103, zone=zone)
    daily = assigned(target=PROGRAMME, start=today - timedelta(days=3))

    plan = todays_plan([daily], [ten_minutes_ago], calendar=calendar, today=today)
    outcomes = evaluate([daily], [ten_minutes_ago], calendar=calendar, today=today)

    just_done = practice_day(ten_minutes_ago.started_at, zone, 3) == today
    assert [item.done for item in plan] == [int(just_done)]
    assert [item.version.target for item in plan] == [PROGRAMME]
    assert adherence(outcomes).done == 1


def test_a_week_of_a_collection_across_the_spring_change_in_new_york() -> None:
    # 2026-03-02..08: New York springs forward on Sunday the 8th; three times a week.
    weekly = assigned(target=PROGRAMME, schedule=Schedule.times_per_week(3))
    practices = [
        did(at(NEW_YORK, MON, 22), session=101, zone=NEW_YORK),
        did(at(NEW_YORK, WED, 7), session=102, zone=NEW_YORK),
        did(at(NEW_YORK, SUN, 1, 30), session=103, zone=NEW_YORK),  # before the change
    ]

    outcomes = run([weekly], practices, today=date(2026, 3, 9), zone=NEW_YORK)

    assert (adherence(outcomes).done, adherence(outcomes).prescribed) == (3, 3)


def test_a_session_target_and_a_collection_target_are_told_apart() -> None:
    assert SessionTarget(101).rank < PROGRAMME.rank < BREATHING.rank
    with pytest.raises(ValueError, match="session, collection or kind"):
        ScheduleVersion(MON, "collection 7", Schedule.daily(), MON)  # type: ignore[arg-type]
