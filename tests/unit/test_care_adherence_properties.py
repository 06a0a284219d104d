"""Property tests: schedules and adherence against a day-by-day reference written here.

The reference walks the calendar one day at a time with the rules spelled out in the docstrings
of `wellness.care.schedule` and `wellness.care.adherence`, computes practice days with plain
zoneinfo arithmetic, and finds the most items a patient's practices can fulfil with a textbook
max-flow (each practice 1, each day item 1, each week's quota N), independently of the module's
item-by-item matching. Optional items (on the day an assignment was ended or paused, and a week's
quota beyond its active days' share) are in the flow; a second flow without them checks that
they take only practices nothing owed could have.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from wellness.care.adherence import (
    CompletedPractice,
    Outcome,
    Status,
    adherence,
    evaluate,
    todays_plan,
)
from wellness.care.practice_days import PracticeCalendar, ZoneChange
from wellness.care.schedule import (
    Assignment,
    Cadence,
    CollectionTarget,
    Frequency,
    KindTarget,
    PartOfDay,
    Pause,
    Schedule,
    ScheduleVersion,
    SessionTarget,
)

# Five weeks from Monday 2026-03-02: New York springs forward on the 8th, Berlin on the 29th.
BASE = date(2026, 3, 2)
SPAN = 35
ZONES = ("Europe/Berlin", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC")
KINDS = ("breathing", "yoga")


def day(offset: int) -> date:
    return BASE + timedelta(days=offset)


# --- strategies ---------------------------------------------------------------------------------

targets = st.one_of(
    st.builds(SessionTarget, st.sampled_from((1, 2))),
    st.builds(CollectionTarget, st.just(9), st.sampled_from((frozenset({1}), frozenset({1, 2})))),
    st.builds(
        lambda kind, low, extra: KindTarget(kind, low, low + extra),
        st.sampled_from(KINDS),
        st.sampled_from((0, 5)),
        st.sampled_from((0, 5, 15)),
    ),
)
schedules = st.one_of(
    st.just(Schedule.daily()),
    st.builds(Schedule.times_per_week, st.integers(1, 7)),
    st.builds(Schedule.on_weekdays, st.sets(st.integers(1, 7), min_size=1)),
)


@st.composite
def versions(draw: st.DrawFn) -> tuple[ScheduleVersion, ...]:
    # The first version early, so that most of the weeks have something due.
    first = draw(st.integers(0, 7))
    effective = [first, *sorted(draw(st.lists(st.integers(first, SPAN), max_size=2)))]
    found = []
    for offset in effective:
        start = offset + draw(st.integers(-3, 5))
        end = draw(st.one_of(st.none(), st.integers(start, start + 20)))
        found.append(
            ScheduleVersion(
                effective_from=day(offset),
                target=draw(targets),
                schedule=draw(schedules),
                start=day(start),
                end=None if end is None else day(end),
                part_of_day=draw(st.one_of(st.none(), st.sampled_from(PartOfDay))),
            )
        )
    return tuple(found)


@st.composite
def pauses(draw: st.DrawFn) -> tuple[Pause, ...]:
    offsets = sorted(draw(st.lists(st.integers(0, SPAN), max_size=3)))
    pairs = [offsets[i : i + 2] for i in range(0, len(offsets), 2)]
    return tuple(Pause(day(pair[0]), day(pair[1]) if len(pair) == 2 else None) for pair in pairs)


@st.composite
def assignment_lists(draw: st.DrawFn) -> list[Assignment]:
    count = draw(st.integers(1, 4))
    return [
        Assignment(
            id,
            draw(versions()),
            pauses=draw(pauses()),
            ended_on=draw(st.none() | st.none() | st.integers(0, SPAN + 5).map(day)),
        )
        for id in range(1, count + 1)
    ]


START = datetime(2026, 3, 1, 12, tzinfo=UTC)


@st.composite
def practice_lists(draw: st.DrawFn) -> list[CompletedPractice]:
    """Practices crowded onto a few days, so that they compete for the same items."""
    days = draw(st.lists(st.integers(0, SPAN + 1), min_size=1, max_size=2))
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(days),
                st.integers(0, 24 * 60 - 1),
                st.sampled_from((1, 2, 3, None)),
                st.sampled_from(KINDS),
                st.sampled_from((3, 4.5, 8, 10.6, 15, 25)),
                st.one_of(st.none(), st.sampled_from(ZONES)),
            ),
            max_size=14,
        )
    )
    return [
        CompletedPractice(
            index, START + timedelta(days=row[0], minutes=row[1]), row[3], row[4], row[2], row[5]
        )
        for index, row in enumerate(rows, start=1)
    ]


@st.composite
def calendars(draw: st.DrawFn) -> PracticeCalendar:
    zones = draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=3))
    moves = sorted(draw(st.lists(st.integers(0, SPAN * 24), min_size=len(zones), max_size=3)))
    history = tuple(
        ZoneChange(START + timedelta(hours=hour), zone)
        for hour, zone in zip(moves, zones, strict=False)
    )
    rollover = draw(st.sampled_from((0, 1, 2, 3, 5)))
    with_history = draw(st.booleans())
    return PracticeCalendar(history[-1].time_zone, rollover, history if with_history else ())


# Mostly late, so that most practices are in the past and compete for items.
todays = (st.integers(0, SPAN + 3) | st.integers(SPAN - 3, SPAN + 3)).map(day)


# --- the reference ------------------------------------------------------------------------------


def ref_practice_day(practice: CompletedPractice, calendar: PracticeCalendar) -> date:
    zone = practice.time_zone
    if zone is None:
        zone = calendar.time_zone
        for change in calendar.zone_history:
            if change.since <= practice.started_at or change is calendar.zone_history[0]:
                zone = change.time_zone
    local = practice.started_at.astimezone(ZoneInfo(zone))
    return local.date() - timedelta(days=1 if local.hour < calendar.rollover_hour else 0)


def ref_scheduled(assignment: Assignment, on: date) -> ScheduleVersion | None:
    in_force = None
    for version in assignment.versions:
        if version.effective_from <= on:
            in_force = version
    if in_force is None or on < in_force.start or (in_force.end and on > in_force.end):
        return None
    return in_force


def ref_paused(pause: Pause, on: date) -> bool:
    return pause.paused_on <= on and (pause.resumed_on is None or on < pause.resumed_on)


def ref_active(assignment: Assignment, on: date) -> ScheduleVersion | None:
    if assignment.ended_on and on >= assignment.ended_on:
        return None
    if any(ref_paused(pause, on) for pause in assignment.pauses):
        return None
    return ref_scheduled(assignment, on)


def ref_closing(assignment: Assignment, on: date) -> ScheduleVersion | None:
    """The day of an end or a pause that only that end or pause makes inactive."""
    if ref_active(assignment, on) is not None:
        return None
    without = Assignment(
        assignment.id,
        assignment.versions,
        tuple(pause for pause in assignment.pauses if pause.paused_on != on),
        None if assignment.ended_on == on else assignment.ended_on,
    )
    return ref_active(without, on)


def ref_open(assignment: Assignment, on: date, monday: date) -> ScheduleVersion | None:
    """Active but for the ends and pauses made in the week from `monday`."""
    without = Assignment(
        assignment.id,
        assignment.versions,
        tuple(pause for pause in assignment.pauses if pause.paused_on < monday),
        assignment.ended_on if assignment.ended_on and assignment.ended_on < monday else None,
    )
    return ref_active(without, on)


def falls_on(version: ScheduleVersion, on: date) -> bool:
    schedule = version.schedule
    return schedule.frequency is Frequency.DAILY or (
        schedule.frequency is Frequency.WEEKDAYS and on.isoweekday() in schedule.weekdays
    )


def weekly(version: ScheduleVersion | None) -> bool:
    return version is not None and version.schedule.frequency is Frequency.TIMES_A_WEEK


@dataclass
class Reference:
    day_items: dict[tuple[int, date], ScheduleVersion]  # (assignment, day)
    optional_days: dict[tuple[int, date], ScheduleVersion]  # (assignment, closing day)
    # (assignment, monday) -> (owed, at most, deadline)
    quotas: dict[tuple[int, date], tuple[int, int, date]]
    weekly_on: dict[tuple[int, date], ScheduleVersion]  # (assignment, day) in a weekly version


def reference(assignments: list[Assignment], first: date, today: date) -> Reference:
    ref = Reference({}, {}, {}, {})
    shares: dict[tuple[int, date], int] = defaultdict(int)
    open_shares: dict[tuple[int, date], int] = defaultdict(int)
    last_active: dict[tuple[int, date], date] = {}
    last_closing: dict[tuple[int, date], date] = {}
    monday = first - timedelta(days=first.weekday())
    sunday = today + timedelta(days=6 - today.weekday())
    on = monday
    while on <= sunday:
        week = on - timedelta(days=on.weekday())
        for a in assignments:
            opened = ref_open(a, on, week)
            if weekly(opened):
                assert opened is not None
                open_shares[a.id, week] += opened.schedule.times_a_week
            version = ref_active(a, on)
            closing = ref_closing(a, on)
            if weekly(version):
                assert version is not None
                shares[a.id, week] += version.schedule.times_a_week
                last_active[a.id, week] = on
                ref.weekly_on[a.id, on] = version
            elif weekly(closing):
                assert closing is not None
                last_closing[a.id, week] = on
                ref.weekly_on[a.id, on] = closing
            elif on <= today and version is not None and falls_on(version, on):
                ref.day_items[a.id, on] = version
            elif on <= today and closing is not None and falls_on(closing, on):
                ref.optional_days[a.id, on] = closing
        on += timedelta(days=1)
    for key in last_active.keys() | last_closing.keys():
        owed = -(-shares[key] // 7)
        most = -(-open_shares[key] // 7) if key in last_closing else owed
        ref.quotas[key] = (owed, most, last_active.get(key) or last_closing[key])
    return ref


def ref_accepts(version: ScheduleVersion, practice: CompletedPractice) -> bool:
    target = version.target
    if isinstance(target, SessionTarget):
        return practice.session_id == target.session_id
    if isinstance(target, CollectionTarget):
        return practice.session_id in target.session_ids
    return (
        practice.kind == target.kind
        and target.min_minutes - 0.5 <= practice.minutes <= target.max_minutes + 0.5
    )


def ref_edges(
    ref: Reference, practices: list[CompletedPractice], calendar: PracticeCalendar, today: date
) -> dict[int, set[tuple[str, int, date]]]:
    """Which groups ("day", assignment, day) / ("week", assignment, monday) each practice suits."""
    edges: dict[int, set[tuple[str, int, date]]] = {}
    for practice in practices:
        on = ref_practice_day(practice, calendar)
        suits: set[tuple[str, int, date]] = set()
        if on <= today:
            for (aid, item_day), version in [*ref.day_items.items(), *ref.optional_days.items()]:
                if item_day == on and ref_accepts(version, practice):
                    suits.add(("day", aid, on))
            for (aid, weekly_day), version in ref.weekly_on.items():
                if weekly_day == on and ref_accepts(version, practice):
                    suits.add(("week", aid, on - timedelta(days=on.weekday())))
        edges[practice.id] = suits
    return edges


def max_flow(
    edges: dict[int, set[tuple[str, int, date]]], ref: Reference, *, owed_only: bool = False
) -> int:
    """Source -> practice (1) -> group -> sink (1 per day item, N per week), by augmenting
    paths found with breadth-first search (Edmonds-Karp). With `owed_only`, without the
    optional items: no closing day's item, a week's quota only what it owes."""
    capacity: dict[object, dict[object, int]] = defaultdict(lambda: defaultdict(int))
    for practice_id, groups in edges.items():
        capacity["source"][("p", practice_id)] = 1
        for group in groups:
            capacity[("p", practice_id)][group] = 1
            if group[0] == "day":
                room = 0 if owed_only and (group[1], group[2]) in ref.optional_days else 1
            else:
                owed, most, _ = ref.quotas[(group[1], group[2])]
                room = owed if owed_only else most
            capacity[group]["sink"] = room
    flow = 0
    while True:
        parent: dict[object, object] = {"source": "source"}
        queue: list[object] = ["source"]
        while queue and "sink" not in parent:
            node = queue.pop(0)
            for succ, room in list(capacity[node].items()):
                if room > 0 and succ not in parent:
                    parent[succ] = node
                    queue.append(succ)
        if "sink" not in parent:
            return flow
        node = "sink"
        while node != "source":
            before = parent[node]
            capacity[before][node] -= 1
            capacity[node][before] += 1
            node = before
        flow += 1


def first_day(assignments: list[Assignment]) -> date:
    return min(a.versions[0].effective_from for a in assignments)


# --- properties ---------------------------------------------------------------------------------

COMMON = settings(max_examples=200, deadline=None, database=None)


@COMMON
@given(assignment_lists(), todays)
def test_what_is_due_matches_a_day_by_day_walk(assignments: list[Assignment], today: date) -> None:
    calendar = PracticeCalendar("UTC")
    ref = reference(assignments, first_day(assignments), today)

    outcomes = evaluate(assignments, [], calendar=calendar, today=today)

    days = {
        (o.occurrence.assignment_id, o.occurrence.due): o.occurrence.version
        for o in outcomes
        if o.occurrence.cadence is Cadence.DAY
    }
    weeks: dict[tuple[int, date], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if o.occurrence.cadence is Cadence.WEEK:
            weeks[o.occurrence.assignment_id, o.occurrence.week].append(o)
    assert days == ref.day_items
    assert {key: (len(items), items[0].occurrence.due) for key, items in weeks.items()} == {
        key: (owed, due) for key, (owed, _, due) in ref.quotas.items() if owed
    }
    assert all(o.status is not Status.DONE and not o.occurrence.optional for o in outcomes)


def check_matching(
    assignments: list[Assignment],
    practices: list[CompletedPractice],
    calendar: PracticeCalendar,
    today: date,
) -> None:
    """The outcomes fulfil as many items as the max-flow finds, each with a practice that
    suits it, no practice twice, and the rest missed or pending by their due day."""
    first = first_day(assignments)
    ref = reference(assignments, first, today)
    monday = first - timedelta(days=first.weekday())
    in_range = [p for p in practices if ref_practice_day(p, calendar) >= monday]
    edges = ref_edges(ref, in_range, calendar, today)

    outcomes = evaluate(assignments, practices, calendar=calendar, today=today)

    done = [o for o in outcomes if o.status is Status.DONE]
    used = [o.practice_id for o in done]
    assert len(used) == len(set(used))
    assert len(done) == max_flow(edges, ref)
    assert sum(not o.occurrence.optional for o in done) == max_flow(edges, ref, owed_only=True)
    for o in done:
        item = o.occurrence
        group = ("day", item.assignment_id, item.due)
        if item.cadence is Cadence.WEEK:
            group = ("week", item.assignment_id, item.week)
        assert o.practice_id is not None
        assert group in edges[o.practice_id]
    for o in outcomes:
        if o.status is not Status.DONE:
            assert o.practice_id is None
            assert not o.occurrence.optional
            expected = Status.MISSED if o.occurrence.due < today else Status.PENDING
            assert o.status is expected
    totals = adherence(outcomes)
    assert totals.done + totals.missed + totals.pending == len(outcomes)


@COMMON
@given(assignment_lists(), practice_lists(), calendars(), todays)
def test_matching_is_maximum_valid_and_never_counts_a_practice_twice(
    assignments: list[Assignment],
    practices: list[CompletedPractice],
    calendar: PracticeCalendar,
    today: date,
) -> None:
    check_matching(assignments, practices, calendar, today)


@st.composite
def one_crowded_week(draw: st.DrawFn) -> tuple[list[Assignment], list[CompletedPractice]]:
    """Several assignments over one plain week and practices crowded onto one or two of its
    days: where one practice suits several items and the choice matters. Some are ended or
    paused on one of those days, where what is owed must get the practices first."""
    count = draw(st.integers(2, 4))
    days = draw(st.lists(st.integers(0, 6), min_size=1, max_size=2))
    closing = st.none() | st.sampled_from(days).map(day)
    assignments = []
    for id in range(1, count + 1):
        paused_on = draw(closing)
        assignments.append(
            Assignment(
                id,
                (ScheduleVersion(BASE, draw(targets), draw(schedules), BASE),),
                pauses=() if paused_on is None else (Pause(paused_on),),
                ended_on=draw(closing),
            )
        )
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(days),
                st.integers(0, 24 * 60 - 1),
                st.sampled_from((1, 2, None)),
                st.sampled_from(KINDS),
                st.sampled_from((3, 8, 15)),
            ),
            min_size=2,
            max_size=8,
        )
    )
    midnight = datetime.combine(BASE, datetime.min.time(), UTC)
    practices = [
        CompletedPractice(
            index, midnight + timedelta(days=row[0], minutes=row[1]), row[3], row[4], row[2]
        )
        for index, row in enumerate(rows, start=1)
    ]
    return assignments, practices


@COMMON
@given(one_crowded_week())
def test_matching_in_a_crowded_week_is_maximum(
    week: tuple[list[Assignment], list[CompletedPractice]],
) -> None:
    assignments, practices = week

    check_matching(assignments, practices, PracticeCalendar("UTC", 0), day(7))


@COMMON
@given(assignment_lists(), practice_lists(), calendars(), todays, st.randoms(use_true_random=False))
def test_the_order_of_inputs_changes_nothing(
    assignments: list[Assignment],
    practices: list[CompletedPractice],
    calendar: PracticeCalendar,
    today: date,
    rng: random.Random,
) -> None:
    outcomes = evaluate(assignments, practices, calendar=calendar, today=today)
    shuffled_assignments, shuffled_practices = assignments[:], practices + practices[:3]
    rng.shuffle(shuffled_assignments)
    rng.shuffle(shuffled_practices)

    again = evaluate(shuffled_assignments, shuffled_practices, calendar=calendar, today=today)

    assert again == outcomes


@COMMON
@given(assignment_lists(), practice_lists(), calendars(), todays, st.data())
def test_one_more_practice_never_undoes_anything_counted(
    assignments: list[Assignment],
    practices: list[CompletedPractice],
    calendar: PracticeCalendar,
    today: date,
    data: st.DataObject,
) -> None:
    extra = data.draw(practice_lists().filter(bool))[0]
    extra = CompletedPractice(10**6, extra.started_at, extra.kind, extra.minutes, 1, None)

    before = adherence(evaluate(assignments, practices, calendar=calendar, today=today))
    after = adherence(evaluate(assignments, [*practices, extra], calendar=calendar, today=today))

    assert after.done in (before.done, before.done + 1)
    assert after.missed <= before.missed


@COMMON
@given(assignment_lists(), practice_lists(), calendars(), todays)
def test_todays_plan_agrees_with_the_whole_history(
    assignments: list[Assignment],
    practices: list[CompletedPractice],
    calendar: PracticeCalendar,
    today: date,
) -> None:
    whole = set(evaluate(assignments, practices, calendar=calendar, today=today))

    plan = todays_plan(assignments, practices, calendar=calendar, today=today)

    planned = [outcome for item in plan for outcome in item.outcomes]
    assert set(planned) <= whole
    assert all(o.occurrence.due == today or o.occurrence.cadence is Cadence.WEEK for o in planned)
    # A practice done on the day an assignment ends or pauses keeps its item on the plan, done.
    closing_done = {
        o.occurrence.assignment_id
        for o in whole
        if o.occurrence.optional
        and o.occurrence.cadence is Cadence.DAY
        and o.occurrence.due == today
    }
    for a in assignments:
        version = ref_active(a, today)
        expected = a.id in closing_done or (
            version is not None
            and (
                version.schedule.frequency is Frequency.TIMES_A_WEEK
                or version.schedule.falls_on(today)
            )
        )
        assert (a.id in {item.assignment_id for item in plan}) is expected
