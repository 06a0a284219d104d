"""Today's plan and adherence from the database: one practice fulfils one item, the one-tap
session is allowed and well chosen, the dashboard's reads do not grow with the caseload, and
the practice day is right at every local hour east and west of UTC and across DST."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from tortoise import connections

from tests.caseload_fixtures import BREATHING_5_10, DAY, POLICY, person, practised, published, rated
from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from tests.services.schema import raw_database
from tests.unit.test_day_semantics import ZONES, earlier, moments, practice_day_of
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import restrictions
from wellness.care.models import OverrideKind
from wellness.caseload import assignments as service
from wellness.caseload.assignments import AssignmentInput
from wellness.caseload.daily_plan import due_today, todays_plan_for
from wellness.caseload.plan import adherence_for, adherence_for_many
from wellness.catalog.kinds import Kind
from wellness.practice.rules import Evidence


def assign(
    orm: Orm, patient: User, by: User, entry: AssignmentInput, now: datetime = TEST_NOW
) -> int:
    return int(orm.run(service.create_assignment(patient, entry, by=by, policy=POLICY, now=now)).id)


def test_one_practice_fulfils_only_one_of_two_items_it_could_fulfil(
    orm: Orm, alice: User, bob: User
) -> None:
    session = orm.run(published("Slow exhale", minutes=6, now=TEST_NOW))
    specific = assign(orm, alice, bob, AssignmentInput(session_id=session.id))
    any_kind = assign(orm, alice, bob, BREATHING_5_10)
    played = orm.run(practised(alice.id, TEST_NOW - timedelta(minutes=30), session=session))

    plan = orm.run(todays_plan_for(alice, policy=POLICY, now=TEST_NOW))

    done = {item.assignment_id: (item.done, item.practice_ids) for item in plan.items}
    # The specific session is the scarcer match, so it takes the practice.
    assert done == {specific: (1, (played.id,)), any_kind: (0, ())}
    assert [
        item.assignment_id for item in orm.run(due_today(alice, policy=POLICY, now=TEST_NOW))
    ] == [any_kind]
    found = {
        a.id: (a.done, a.pending)
        for a in orm.run(adherence_for(alice, policy=POLICY, now=TEST_NOW))
    }
    assert found == {specific: (1, 0), any_kind: (0, 1)}


def test_an_unfinished_practice_does_not_count_and_every_evidence_kind_does(
    orm: Orm, alice: User, bob: User
) -> None:
    session = orm.run(published("Slow exhale", minutes=6, now=TEST_NOW))
    assign(
        orm,
        alice,
        bob,
        AssignmentInput(
            kind="breathing",
            min_minutes=5,
            max_minutes=10,
            frequency="times_a_week",
            times_a_week=3,
        ),
    )
    orm.run(practised(alice.id, TEST_NOW - timedelta(hours=2), session=session, complete=False))
    plan = orm.run(todays_plan_for(alice, policy=POLICY, now=TEST_NOW))
    [item] = plan.items
    # Assigned on a Tuesday: six days of 3/7 each ask for 3 this week.
    assert (item.weekly, item.due, item.done) == (True, 3, 0)

    orm.run(practised(alice.id, TEST_NOW - timedelta(hours=2), kind=Kind.BREATHING, minutes=7))
    orm.run(
        practised(
            alice.id,
            TEST_NOW - timedelta(hours=1),
            kind=Kind.BREATHING,
            minutes=7,
            evidence=Evidence.STAFF_ATTESTED,
        )
    )
    [item] = orm.run(todays_plan_for(alice, policy=POLICY, now=TEST_NOW)).items
    assert (item.done, len(item.practice_ids)) == (2, 2)


def test_one_tap_prefers_what_lowered_the_rating_most_and_never_a_forbidden_session(
    orm: Orm, alice: User, bob: User
) -> None:
    middle = orm.run(published("Middle", minutes=7.5, now=TEST_NOW))
    helped = orm.run(published("Helped before", minutes=5, now=TEST_NOW))
    helped_more = orm.run(
        published("Helped most", minutes=10, contraindications=["breath_hold"], now=TEST_NOW)
    )
    orm.run(published("Too long", minutes=20, now=TEST_NOW))
    assign(orm, alice, bob, BREATHING_5_10)

    [item] = orm.run(todays_plan_for(alice, policy=POLICY, now=TEST_NOW)).items
    assert (item.start_session_id, item.start_session_title) == (middle.id, "Middle")

    earlier = TEST_NOW - 10 * DAY
    orm.run(rated(orm.run(practised(alice.id, earlier, session=helped)), 7, 4))
    orm.run(rated(orm.run(practised(alice.id, earlier + DAY, session=helped_more)), 8, 2))
    [item] = orm.run(todays_plan_for(alice, policy=POLICY, now=TEST_NOW)).items
    assert item.start_session_id == helped_more.id

    orm.run(restrictions.set_contraindications(alice, ["breath_hold"], by=bob, now=TEST_NOW))
    [item] = orm.run(todays_plan_for(alice, policy=POLICY, now=TEST_NOW)).items
    assert item.start_session_id == helped.id
    orm.run(restrictions.set_override(alice, helped.id, OverrideKind.BAN, by=bob, now=TEST_NOW))
    [item] = orm.run(todays_plan_for(alice, policy=POLICY, now=TEST_NOW)).items
    assert item.start_session_id == middle.id


def test_a_session_banned_after_it_was_assigned_is_shown_skipped_with_nothing_to_start(
    orm: Orm, alice: User, bob: User
) -> None:
    session = orm.run(published("Slow exhale", minutes=6, now=TEST_NOW))
    assign(orm, alice, bob, AssignmentInput(session_id=session.id, note="Twice if you like"))
    orm.run(restrictions.set_override(alice, session.id, OverrideKind.BAN, by=bob, now=TEST_NOW))

    [item] = orm.run(todays_plan_for(alice, policy=POLICY, now=TEST_NOW)).items

    assert (item.skipped, item.start_session_id, item.note) == (True, None, "Twice if you like")
    assert orm.run(due_today(alice, policy=POLICY, now=TEST_NOW)) == ()


def test_nothing_assigned_gives_an_empty_plan(orm: Orm, alice: User) -> None:
    plan = orm.run(todays_plan_for(alice, policy=POLICY, now=TEST_NOW))
    assert (plan.today, plan.items) == (date(2026, 11, 24), ())
    assert orm.run(adherence_for(alice, policy=POLICY, now=TEST_NOW)) == []


def _count_queries(orm: Orm, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []

    async def connection() -> Any:
        return connections.get("default")

    client = orm.run(connection())

    def counting(name: str) -> Callable[..., Any]:
        real = getattr(client, name)

        async def wrapper(sql: str, *args: Any, **kwargs: Any) -> Any:
            seen.append(sql)
            return await real(sql, *args, **kwargs)

        return wrapper

    for name in ("execute_query", "execute_query_dict"):
        monkeypatch.setattr(client, name, counting(name))
    return seen


def test_caseload_adherence_reads_the_same_number_of_times_for_5_and_50_patients(
    orm: Orm, bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = orm.run(published("Slow exhale", minutes=6, now=TEST_NOW))
    orm.run(published("Box", minutes=8, now=TEST_NOW))
    patients = []
    for number in range(50):
        zone = ZONES[number % len(ZONES)]
        patient = orm.run(person(f"patient{number}", Role.PATIENT, zone))
        assign(orm, patient, bob, BREATHING_5_10, TEST_NOW - 3 * DAY)
        assign(
            orm,
            patient,
            bob,
            AssignmentInput(session_id=session.id, frequency="times_a_week", times_a_week=2),
        )
        orm.run(practised(patient.id, TEST_NOW - DAY, session=session, time_zone=zone))
        patients.append(patient.id)
    seen = _count_queries(orm, monkeypatch)

    few = orm.run(adherence_for_many(patients[:5], policy=POLICY, now=TEST_NOW))
    reads_for_few = len(seen)
    seen.clear()
    many = orm.run(adherence_for_many(patients, policy=POLICY, now=TEST_NOW))

    assert len(seen) == reads_for_few <= 6
    assert len(many) == 50
    assert many[patients[0]] == few[patients[0]]
    assert all(found.active == 2 and found.week_prescribed >= 1 for found in many.values())
    assert sum(found.week_done for found in many.values()) >= 50


@pytest.mark.parametrize("zone", ZONES)
def test_a_practice_counts_for_the_practice_day_it_started_at_every_hour(
    orm: Orm, zone: str
) -> None:
    therapist = orm.run(person("therapist", Role.THERAPIST))
    for number, now in enumerate(moments(zone)):
        patient = orm.run(person(f"p{number}", Role.PATIENT, zone))
        at = f"at {now.isoformat()} in {zone}"
        assign(orm, patient, therapist, BREATHING_5_10, now)
        # Done a minute ago (the same practice day unless the rollover hour just passed) and
        # the day before: only today's practice fulfils today's item.
        just_now = earlier(now, minutes=1)
        orm.run(practised(patient.id, just_now.astimezone(UTC), minutes=7, time_zone=zone))
        orm.run(
            practised(patient.id, earlier(now, days=1).astimezone(UTC), minutes=7, time_zone=zone)
        )

        plan = orm.run(todays_plan_for(patient, policy=POLICY, now=now))
        [found] = orm.run(adherence_for(patient, policy=POLICY, now=now))

        assert plan.today == practice_day_of(now), at
        same_day = practice_day_of(just_now) == plan.today
        [item] = plan.items
        assert item.done == int(same_day), at
        assert (found.done, found.prescribed, found.pending) == (
            (1, 1, 0) if same_day else (0, 0, 1)
        ), at
        many = orm.run(adherence_for_many([patient.id], policy=POLICY, now=now))
        assert many[patient.id].week_done == int(same_day), at


def test_an_assignment_ended_today_still_counts_this_weeks_missed_days(
    orm: Orm, alice: User, bob: User
) -> None:
    orm.run(published("Slow exhale", minutes=6, now=TEST_NOW))
    assignment_id = assign(orm, alice, bob, BREATHING_5_10, TEST_NOW - DAY)  # from Monday
    ended = orm.run(service.assignment_for_therapist(bob, assignment_id))
    assert ended is not None
    orm.run(service.end_assignment(ended, by=bob, policy=POLICY, now=TEST_NOW))

    found = orm.run(adherence_for_many([alice.id], policy=POLICY, now=TEST_NOW))[alice.id]
    [single] = orm.run(adherence_for(alice, policy=POLICY, now=TEST_NOW))

    assert (found.active, found.week_done, found.week_prescribed, found.overdue) == (0, 0, 1, 1)
    assert (single.week_done, single.week_prescribed, single.overdue) == (0, 1, 1)
    assert orm.run(todays_plan_for(alice, policy=POLICY, now=TEST_NOW)).items == ()


@pytest.mark.parametrize("action", ["end", "pause"])
def test_a_practice_done_on_the_day_it_was_ended_or_paused_still_counts(
    orm: Orm, alice: User, bob: User, action: str
) -> None:
    orm.run(published("Slow exhale", minutes=6, now=TEST_NOW))
    assignment_id = assign(orm, alice, bob, BREATHING_5_10, TEST_NOW - DAY)  # from Monday
    orm.run(practised(alice.id, TEST_NOW - timedelta(minutes=30), minutes=7))
    row = orm.run(service.assignment_for_therapist(bob, assignment_id))
    assert row is not None
    if action == "end":
        orm.run(service.end_assignment(row, by=bob, policy=POLICY, now=TEST_NOW))
    else:
        orm.run(service.pause_assignment(row, policy=POLICY, now=TEST_NOW))

    found = orm.run(adherence_for_many([alice.id], policy=POLICY, now=TEST_NOW))[alice.id]
    [single] = orm.run(adherence_for(alice, policy=POLICY, now=TEST_NOW))
    later = TEST_NOW + 3 * DAY
    [afterwards] = orm.run(adherence_for(alice, policy=POLICY, now=later))

    # Monday was missed; Tuesday, the day of the end or pause, owes nothing but was done.
    assert (found.week_done, found.week_prescribed, found.week_pending) == (1, 2, 0)
    assert (single.done, single.prescribed, single.pending) == (1, 2, 0)
    assert (afterwards.done, afterwards.prescribed, afterwards.pending) == (1, 2, 0)
    # Today's plan keeps the item, ticked, with the practice that did it; nothing left to do.
    [item] = orm.run(todays_plan_for(alice, policy=POLICY, now=TEST_NOW)).items
    assert (item.assignment_id, item.done, item.due, len(item.practice_ids)) == (
        assignment_id,
        1,
        1,
        1,
    )
    assert orm.run(due_today(alice, policy=POLICY, now=TEST_NOW)) == ()
    assert orm.run(todays_plan_for(alice, policy=POLICY, now=TEST_NOW + DAY)).items == ()


def test_a_plan_is_kept_until_a_write_here_or_elsewhere_or_the_next_practice_day(
    orm: Orm, alice: User, bob: User
) -> None:
    """Kept under the care and catalog change tokens: writes through another connection (another
    worker, hand-run SQL) renew them by trigger, and the practice day is part of the key."""
    session = orm.run(published("Slow exhale", minutes=6, now=TEST_NOW))
    assign(orm, alice, bob, AssignmentInput(session_id=session.id, note="Before bed"))

    def plan_now(now: datetime = TEST_NOW) -> Any:
        return orm.run(todays_plan_for(alice, policy=POLICY, now=now))

    def elsewhere(statement: str) -> None:
        async def run() -> None:
            async with raw_database(orm.database_url) as db:
                await db.execute(statement)

        orm.run(run())

    first = plan_now()
    again = plan_now()
    elsewhere("UPDATE care_assignment_versions SET note = 'Changed elsewhere'")
    after_care_write = plan_now()
    elsewhere("UPDATE practice_sessions SET title = 'Renamed elsewhere'")
    after_catalog_write = plan_now()
    tomorrow = plan_now(TEST_NOW + DAY)

    assert again is first
    assert [item.note for item in first.items] == ["Before bed"]
    assert [item.note for item in after_care_write.items] == ["Changed elsewhere"]
    assert [item.title for item in after_catalog_write.items] == ["Renamed elsewhere"]
    assert tomorrow.today == first.today + timedelta(days=1)
