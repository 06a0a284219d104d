"""The therapist's dashboard reads a caseload in a number of queries that does not grow with it,
and each row says what the data says (streak, check-in, GAD-7 and its change, alerts, days
since the last activity, the reasons for attention).

Queries are counted by wrapping the database client's execute methods (every ORM query and
every raw one goes through them).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise import connections

from tests.caseload_fixtures import published
from tests.services.conftest import Orm
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import services as care
from wellness.care.models import Alert, CareTeamMember, PracticeAssignment
from wellness.care.policy import AlertReason
from wellness.caseload import alerts as caseload_alerts
from wellness.caseload import dashboard
from wellness.caseload.assignments import (
    AssignmentInput,
    create_assignment,
    pause_assignment,
)
from wellness.caseload.attention import Reason
from wellness.catalog.kinds import Kind
from wellness.checkins.models import Checkin, Gad7Response
from wellness.checkins.scoring import CheckinContext, Gad7Band
from wellness.db import raw_query
from wellness.practice.models import PracticeLog
from wellness.practice.rules import Evidence
from wellness.settings import CarePolicy

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
POLICY = CarePolicy()
WEEK = timedelta(days=7)
EXECUTE = (
    "execute_query",
    "execute_query_dict",
    "execute_insert",
    "execute_many",
    "execute_script",
)


@contextlib.contextmanager
def counted_queries() -> Iterator[list[str]]:
    """Every statement sent through the default connection while the block runs."""
    client = connections.get("default")
    seen: list[str] = []
    originals = {name: getattr(client, name) for name in EXECUTE}

    def wrap(original: Any) -> Any:
        async def execute(query: str, *args: Any, **kwargs: Any) -> Any:
            seen.append(query)
            return await original(query, *args, **kwargs)

        return execute

    for name, original in originals.items():
        setattr(client, name, wrap(original))
    try:
        yield seen
    finally:
        for name in originals:
            delattr(client, name)  # the class's methods again


async def make_user(email: str, role: Role, zone: str = "Europe/Berlin") -> User:
    return await User.create(
        email=email, display_name=email.split("@")[0], role=role, time_zone=zone, password_hash="x"
    )


async def seed_caseload(
    therapist: User, count: int, *, days: int = 10, assigned: bool = True
) -> list[User]:
    """`count` patients on the therapist's caseload, each with `days` days of history."""
    patients = [
        User(
            email=f"p{number}.{therapist.id}@example.org",
            display_name=f"Patient {number:03}",
            role=Role.PATIENT,
            time_zone="Europe/Berlin" if number % 2 else "America/New_York",
            password_hash="x",
        )
        for number in range(count)
    ]
    await User.bulk_create(patients)
    patients = await User.filter(email__endswith=f".{therapist.id}@example.org").order_by("id")
    await CareTeamMember.bulk_create(
        [
            CareTeamMember(
                therapist_id=therapist.id, patient_id=p.id, started_at=NOW - timedelta(days=60)
            )
            for p in patients
        ]
    )
    logs, checkins, gad7s, alerts = [], [], [], []
    for number, patient in enumerate(patients):
        for day in range(days):
            at = NOW - timedelta(days=day, hours=2)
            logs.append(practice_log(patient, at))
            checkins.append(
                Checkin(
                    patient_id=patient.id,
                    level=(number + day) % 11,
                    tags=[],
                    occurred_at=at,
                    recorded_at=at,
                )
            )
        for weeks, total in ((4, 5), (2, 5 + number % 8)):
            at = NOW - timedelta(weeks=weeks)
            gad7s.append(
                Gad7Response(
                    patient_id=patient.id,
                    answers=[0] * 7,
                    total=total,
                    band=Gad7Band.MILD,
                    occurred_at=at,
                    recorded_at=at,
                )
            )
        if number % 3 == 0:
            alerts.append(
                Alert(
                    patient_id=patient.id,
                    reason=AlertReason.HIGH_DISTRESS,
                    value=9,
                    source_type="checkin",
                    source_id=1,
                    created_at=NOW,
                )
            )
    await PracticeLog.bulk_create(logs)
    if assigned:  # a daily "any breathing session, 5 to 10 minutes" from a week ago
        await published("Slow exhale", minutes=6, now=NOW)
        daily = AssignmentInput(kind="breathing", min_minutes=5, max_minutes=10)
        for patient in patients:
            await create_assignment(patient, daily, by=therapist, policy=POLICY, now=NOW - WEEK)
    await Checkin.bulk_create(checkins)
    await Gad7Response.bulk_create(gad7s)
    await Alert.bulk_create(alerts)
    return list(patients)


def practice_log(patient: User, at: datetime, *, completed: bool = True) -> PracticeLog:
    return PracticeLog(
        patient_id=patient.id,
        kind=Kind.YOGA,
        evidence=Evidence.SELF_REPORT,
        started_at=at,
        time_zone=patient.time_zone,
        listened_seconds=600,
        completed=completed,
        created_at=at,
        updated_at=at,
    )


def reasons(row: dashboard.DashboardRow) -> list[Reason]:
    return [concern.reason for concern in row.concerns]


async def rows_for(therapist: User, **kwargs: Any) -> list[dashboard.DashboardRow]:
    return await dashboard.dashboard_rows(therapist.id, policy=POLICY, now=NOW, **kwargs)


def test_the_query_count_does_not_grow_with_the_caseload(orm: Orm) -> None:
    small_therapist = orm.run(make_user("small@example.org", Role.THERAPIST))
    large_therapist = orm.run(make_user("large@example.org", Role.THERAPIST))
    orm.run(seed_caseload(small_therapist, 5))
    orm.run(seed_caseload(large_therapist, 200))

    counts = {}
    for name, therapist in (("small", small_therapist), ("large", large_therapist)):
        with counted_queries() as cold:
            rows = orm.run(rows_for(therapist))
        with counted_queries() as kept:  # nothing changed: the rows as they were
            again = orm.run(rows_for(therapist))
        orm.run(renew_care_token())
        with counted_queries() as warm:  # the streaks and adherence are cached under their keys
            renewed = orm.run(rows_for(therapist))
        counts[name] = (len(cold), len(kept), len(warm))
        assert len(rows) == len(again) == len(renewed) == (5 if name == "small" else 200)
        assert again == renewed == rows
        # Yoga is not the breathing assigned daily a week ago: every day of it is overdue.
        assert all(row.week_prescribed and row.week_done == 0 for row in rows)
        assert all(row.overdue and Reason.OVERDUE in reasons(row) for row in rows)

    # Kept: the two change tokens, in one statement. Warm: also the caseload, the practice keys
    # and the assignment keys; cold also the practice rows and adherence's own fixed few.
    assert counts["small"] == counts["large"]
    cold_queries, kept_queries, warm_queries = counts["large"]
    assert kept_queries == 1
    assert warm_queries == 4
    assert warm_queries < cold_queries <= warm_queries + 7


async def renew_care_token() -> None:
    """What any write to the care data does (migration 0011's triggers), without a change."""
    connection, sql = raw_query()
    value = sql.param(uuid.uuid4().hex)
    await connection.execute_query(
        f"UPDATE instance_flags SET value = {value} WHERE key = 'care_version'",  # noqa: S608
        sql.params,
    )


def test_a_practice_change_recomputes_only_that_streak(orm: Orm) -> None:
    therapist = orm.run(make_user("t@example.org", Role.THERAPIST))
    first, second = orm.run(seed_caseload(therapist, 2, days=4))
    before = {row.patient_id: row.streak for row in orm.run(rows_for(therapist))}
    with counted_queries() as warm:
        orm.run(rows_for(therapist))
    newest = orm.run(PracticeLog.filter(patient_id=first.id).order_by("-started_at").first())
    assert newest is not None
    orm.run(PracticeLog.filter(id=newest.id).update(completed=False, updated_at=NOW))
    # Only the key of the changed patient differs: one extra query reads only that patient.
    with counted_queries() as seen:
        after = {row.patient_id: row.streak for row in orm.run(rows_for(therapist))}

    assert before == {first.id: 4, second.id: 4}
    assert after == {first.id: 3, second.id: 4}  # today is not required until it ends
    assert len(warm) < len(seen)
    reread = [query for query in seen if "started_at, listened_seconds" in query]
    assert len(reread) == 1
    assert "IN (?)" in reread[0] or "IN ($1)" in reread[0]  # the changed patient only


def test_a_deleted_or_added_practice_recomputes_that_streak(orm: Orm) -> None:
    """The practice change token (migration 0010's triggers) changes on deletes and inserts
    too, also when the newest start stays the same."""
    therapist = orm.run(make_user("t@example.org", Role.THERAPIST))
    (patient,) = orm.run(seed_caseload(therapist, 1, days=3))
    before = orm.run(rows_for(therapist))[0].streak
    oldest = orm.run(PracticeLog.filter(patient_id=patient.id).order_by("started_at").first())
    assert oldest is not None
    orm.run(oldest.delete())
    shorter = orm.run(rows_for(therapist))[0].streak
    orm.run(practice_log(patient, NOW - timedelta(days=2, hours=2)).save())
    again = orm.run(rows_for(therapist))[0].streak

    assert (before, shorter, again) == (3, 2, 3)


def test_an_assignment_change_recomputes_adherence(orm: Orm) -> None:
    therapist = orm.run(make_user("t@example.org", Role.THERAPIST))
    first, second = orm.run(seed_caseload(therapist, 2, days=2, assigned=False))
    orm.run(published("Slow exhale", minutes=6, now=NOW))
    before = orm.run(rows_for(therapist))
    daily = AssignmentInput(kind="breathing", min_minutes=5, max_minutes=10)
    orm.run(create_assignment(first, daily, by=therapist, policy=POLICY, now=NOW - WEEK))

    after = {row.patient_id: row for row in orm.run(rows_for(therapist))}

    assert [(row.week_prescribed, row.overdue) for row in before] == [(0, 0), (0, 0)]
    assert after[first.id].week_prescribed
    assert after[first.id].overdue
    assert (after[second.id].week_prescribed, after[second.id].overdue) == (0, 0)
    assert Reason.OVERDUE in reasons(after[first.id])


def test_pausing_an_assignment_recomputes_adherence(orm: Orm) -> None:
    therapist = orm.run(make_user("t@example.org", Role.THERAPIST))
    (patient,) = orm.run(seed_caseload(therapist, 1, days=2))
    assignment = orm.run(PracticeAssignment.get(patient_id=patient.id))
    running = orm.run(rows_for(therapist))[0]

    orm.run(pause_assignment(assignment, policy=POLICY, now=NOW - timedelta(days=3)))
    paused = orm.run(rows_for(therapist))[0]

    assert running.week_prescribed
    assert paused.week_prescribed == 0  # paused since before this week began


def test_each_row_says_what_the_data_says(orm: Orm) -> None:
    therapist = orm.run(make_user("t@example.org", Role.THERAPIST))
    active = orm.run(make_user("active@example.org", Role.PATIENT))
    quiet = orm.run(make_user("quiet@example.org", Role.PATIENT, "America/Los_Angeles"))
    for patient in (active, quiet):
        orm.run(
            CareTeamMember.create(
                therapist_id=therapist.id,
                patient_id=patient.id,
                started_at=NOW - timedelta(days=30),
            )
        )
    # active: practised the last 3 days, rated 9 an hour ago and 4 just now, GAD-7 6 -> 12.
    for day in range(3):
        orm.run(practice_log(active, NOW - timedelta(days=day, hours=1)).save())
    orm.run(
        Checkin.create(
            patient_id=active.id, level=9, occurred_at=NOW - timedelta(hours=1), recorded_at=NOW
        )
    )
    orm.run(
        Checkin.create(
            patient_id=active.id, level=4, occurred_at=NOW - timedelta(minutes=5), recorded_at=NOW
        )
    )
    for total, weeks in ((6, 3), (12, 1)):
        at = NOW - timedelta(weeks=weeks)
        orm.run(
            Gad7Response.create(
                patient_id=active.id,
                answers=[0] * 7,
                total=total,
                band=Gad7Band.MILD,
                occurred_at=at,
                recorded_at=at,
            )
        )
    orm.run(
        Alert.create(
            patient_id=active.id,
            reason=AlertReason.HIGH_DISTRESS,
            value=9,
            source_type="checkin",
            source_id=1,
            created_at=NOW,
        )
    )
    orm.run(
        Alert.create(
            patient_id=active.id,
            reason=AlertReason.HIGH_DISTRESS,
            value=9,
            source_type="checkin",
            source_id=1,
            created_at=NOW,
            acknowledged_at=NOW,
        )
    )
    # quiet: one practice five days ago, a rating of 10 two days ago.
    orm.run(practice_log(quiet, NOW - timedelta(days=5)).save())
    orm.run(
        Checkin.create(
            patient_id=quiet.id, level=10, occurred_at=NOW - timedelta(days=2), recorded_at=NOW
        )
    )

    rows = {row.name: row for row in orm.run(rows_for(therapist))}

    hot, calm = rows["active"], rows["quiet"]
    assert (hot.streak, hot.checkin_level, hot.gad7, hot.gad7_change, hot.open_alerts) == (
        3,
        4,
        12,
        6,
        1,
    )
    assert hot.checkin_at == NOW - timedelta(minutes=5)
    assert hot.days_since_activity == 0
    assert [c.reason for c in hot.concerns] == [
        Reason.OPEN_ALERT,
        Reason.HIGH_RATING,
        Reason.GAD7_RISING,
    ]
    assert (calm.streak, calm.checkin_level, calm.gad7, calm.gad7_change, calm.open_alerts) == (
        0,
        10,
        None,
        None,
        0,
    )
    assert calm.days_since_activity == 2
    assert calm.concerns == ()
    assert list(rows) == ["active", "quiet"]


def test_only_the_current_caseload_shows(orm: Orm) -> None:
    therapist = orm.run(make_user("t@example.org", Role.THERAPIST))
    other = orm.run(make_user("other@example.org", Role.THERAPIST))
    mine = orm.run(make_user("mine@example.org", Role.PATIENT))
    former = orm.run(make_user("former@example.org", Role.PATIENT))
    theirs = orm.run(make_user("theirs@example.org", Role.PATIENT))
    inactive = orm.run(make_user("inactive@example.org", Role.PATIENT))
    for patient, ended in ((mine, None), (former, NOW - timedelta(days=1)), (inactive, None)):
        orm.run(
            CareTeamMember.create(
                therapist_id=therapist.id,
                patient_id=patient.id,
                started_at=NOW - timedelta(days=9),
                ended_at=ended,
            )
        )
    orm.run(CareTeamMember.create(therapist_id=other.id, patient_id=theirs.id, started_at=NOW))
    orm.run(User.filter(id=inactive.id).update(is_active=False))

    assert [row.name for row in orm.run(rows_for(therapist))] == ["mine"]
    assert [row.name for row in orm.run(rows_for(other))] == ["theirs"]


@pytest.mark.parametrize(
    ("needle", "expected"),
    [("PAT", 3), ("patient 00", 3), ("002", 1), ("%", 0), ("_", 0), ("zzz", 0)],
)
def test_the_name_filter_is_a_plain_case_insensitive_substring(
    orm: Orm, needle: str, expected: int
) -> None:
    therapist = orm.run(make_user("t@example.org", Role.THERAPIST))
    orm.run(seed_caseload(therapist, 3, days=1))

    assert len(orm.run(rows_for(therapist, name_filter=needle))) == expected


def test_the_open_alerts_panel_reads_what_the_alert_services_describe(orm: Orm) -> None:
    """`open_alerts_for` (one query) describes exactly what `describe(care.open_alerts(...))`
    does: the ratings that raised them (tags as labels, an unknown tag as stored), GAD-7s,
    a source that is gone, newest first, only open ones of the current caseload."""
    therapist = orm.run(make_user("t@example.org", Role.THERAPIST))
    mine, former = orm.run(seed_caseload(therapist, 2, days=1, assigned=False))
    orm.run(CareTeamMember.filter(patient_id=former.id).update(ended_at=NOW))
    rating = orm.run(
        Checkin.create(
            patient_id=mine.id,
            level=9,
            tags=["cant-sleep", "no-longer-a-tag"],
            note="rough night",
            context=CheckinContext.AFTER_SESSION,
            occurred_at=NOW - timedelta(hours=2),
            recorded_at=NOW,
        )
    )
    gad7 = orm.run(Gad7Response.filter(patient_id=mine.id).order_by("-occurred_at").first())
    assert gad7 is not None
    sources = [("rating", "checkin", rating.id), ("gad7", "gad7", gad7.id)]
    sources.append(("gone", "checkin", 999_999))
    for minutes, (name, kind, source) in enumerate(sources):
        orm.run(
            Alert.create(
                patient_id=mine.id,
                reason=AlertReason.HIGH_DISTRESS,
                value=9,
                detail=name,
                source_type=kind,
                source_id=source,
                created_at=NOW - timedelta(minutes=minutes),
            )
        )
    orm.run(
        Alert.create(
            patient_id=mine.id,
            reason=AlertReason.SEVERE_GAD7,
            value=16,
            source_type="gad7",
            source_id=gad7.id,
            created_at=NOW,
            acknowledged_at=NOW,
            acknowledged_by_id=therapist.id,
        )
    )

    described = orm.run(
        caseload_alerts.describe([item.alert for item in orm.run(care.open_alerts(therapist))])
    )
    shown = orm.run(caseload_alerts.open_alerts_for(therapist))

    assert shown == described
    assert {view.patient_id for view in shown} == {mine.id}  # seeded alerts included
    raised = {
        view.detail: view.raised_by for view in shown if view.detail in ("rating", "gad7", "gone")
    }
    assert list(raised) == ["rating", "gad7", "gone"]  # newest first
    assert raised["rating"] == caseload_alerts.RaisedBy(
        "After a session",
        NOW - timedelta(hours=2),
        ("Can't sleep", "no-longer-a-tag"),
        "rough night",
    )
    assert raised["gad7"] == caseload_alerts.RaisedBy("GAD-7", gad7.occurred_at)
    assert raised["gone"] is None
    assert orm.run(caseload_alerts.open_alerts_for(mine)) == []  # patients see none here


def test_the_last_check_in_is_the_latest_quick_one_as_on_the_patients_page(orm: Orm) -> None:
    therapist = orm.run(make_user("t@example.org", Role.THERAPIST))
    patient = orm.run(make_user("p@example.org", Role.PATIENT))
    orm.run(
        CareTeamMember.create(
            therapist_id=therapist.id, patient_id=patient.id, started_at=NOW - timedelta(days=30)
        )
    )
    orm.run(
        Checkin.create(
            patient_id=patient.id, level=5, occurred_at=NOW - timedelta(hours=3), recorded_at=NOW
        )
    )
    orm.run(
        Checkin.create(
            patient_id=patient.id,
            level=9,
            context=CheckinContext.AFTER_SESSION,
            occurred_at=NOW - timedelta(hours=1),
            recorded_at=NOW,
        )
    )

    [row] = orm.run(rows_for(therapist))

    assert (row.checkin_level, row.checkin_at) == (5, NOW - timedelta(hours=3))
    # The rating after a session still counts as a high rating in the last 24 h.
    assert Reason.HIGH_RATING in [concern.reason for concern in row.concerns]
