"""The dashboard's kept caseloads: a therapist's rows and open alerts are served again only while
nothing they show has changed.

Writes made outside this process (another worker, the `wellness` command, hand-run SQL) go
through a second connection here: the database's triggers (migration 0011), not the app's code,
renew the care-data change token. A later migration that rebuilds one of those tables on SQLite
drops its triggers; the first test fails then.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta

import pytest

from tests.services.conftest import Orm
from tests.services.schema import raw_database
from tests.services.test_dashboard_queries import (
    POLICY,
    counted_queries,
    make_user,
    practice_log,
    renew_care_token,
    seed_caseload,
)
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care.models import CareTeamMember
from wellness.caseload import alerts as caseload_alerts
from wellness.caseload import dashboard
from wellness.caseload.attention import Reason
from wellness.caseload.kept import care_token
from wellness.checkins.models import Checkin
from wellness.checkins.scoring import CheckinContext
from wellness.practice.models import PracticeLog

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
MIGRATION = importlib.import_module("wellness.migrations.0011_care_change_token")


def _elsewhere(orm: Orm, statement: str, *args: object) -> None:
    """Run SQL through another connection, as another worker or the CLI would."""

    async def run() -> None:
        async with raw_database(orm.database_url) as db:
            await db.execute(statement, *args)

    orm.run(run())


def _trigger_names(orm: Orm) -> set[str]:
    async def read() -> set[str]:
        async with raw_database(orm.database_url) as db:
            if db.dialect == "sqlite":
                rows = await db.fetch("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                return {row["name"] for row in rows}
            rows = await db.fetch("SELECT tgname AS name FROM pg_trigger WHERE NOT tgisinternal")
            return {row["name"] for row in rows}

    return orm.run(read())


async def rows_at(therapist: User, now: datetime) -> list[dashboard.DashboardRow]:
    return await dashboard.dashboard_rows(therapist.id, policy=POLICY, now=now)


def test_every_table_the_dashboard_shows_keeps_its_care_token_triggers(any_orm: Orm) -> None:
    names = _trigger_names(any_orm)
    wanted = set(
        MIGRATION._POSTGRES_TRIGGERS
        if "postgres" in any_orm.database_url
        else MIGRATION._SQLITE_TRIGGERS
    )

    assert wanted <= names
    assert len(MIGRATION._TABLES) == 10


def test_each_write_to_what_the_dashboard_shows_renews_the_care_token(any_orm: Orm) -> None:
    orm = any_orm
    therapist = orm.run(make_user("t@example.org", Role.THERAPIST))
    (patient,) = orm.run(seed_caseload(therapist, 3, days=2))[:1]
    tokens = [orm.run(care_token())]
    assert tokens[0]

    def renewed() -> bool:
        tokens.append(orm.run(care_token()))
        return tokens[-1] is not None and tokens[-1] not in tokens[:-1]

    empty_here = {
        "care_assignment_pauses",
        "care_patient_contraindications",
        "care_session_overrides",
    }
    for table in sorted(set(MIGRATION._TABLES) - empty_here):  # the seed fills the others
        _elsewhere(orm, f"UPDATE {table} SET id = id")  # noqa: S608  (our own table names)
        assert renewed(), table
    _elsewhere(orm, "UPDATE users SET display_name = 'Renamed elsewhere' WHERE id = ?", patient.id)
    assert renewed()
    _elsewhere(orm, "DELETE FROM care_alerts")
    assert renewed()
    orm.run(
        Checkin.create(patient_id=patient.id, level=4, tags=[], occurred_at=NOW, recorded_at=NOW)
    )
    assert renewed()
    # Signing in and changing a password write users too, but nothing the dashboard shows.
    _elsewhere(orm, "UPDATE users SET last_login_at = ?, password_hash = 'y'", NOW)
    assert orm.run(care_token()) == tokens[-1]


def test_kept_rows_and_alerts_follow_writes_made_elsewhere(orm: Orm) -> None:
    therapist = orm.run(make_user("t@example.org", Role.THERAPIST))
    first, *_ = orm.run(seed_caseload(therapist, 3, days=2))
    before = {row.patient_id: row for row in orm.run(rows_at(therapist, NOW))}
    with counted_queries() as kept:
        orm.run(rows_at(therapist, NOW))
    alerts_before = orm.run(caseload_alerts.open_alerts_for(therapist))

    _elsewhere(
        orm, "UPDATE care_alerts SET acknowledged_at = ?, acknowledged_by_id = ?", NOW, therapist.id
    )
    _elsewhere(orm, "UPDATE users SET display_name = 'Ada Renamed' WHERE id = ?", first.id)
    after = {row.patient_id: row for row in orm.run(rows_at(therapist, NOW))}

    assert len(kept) == 1  # the two change tokens in one statement, nothing else
    assert before[first.id].open_alerts == 1
    assert alerts_before
    assert after[first.id].open_alerts == 0
    assert after[first.id].name == "Ada Renamed"
    assert orm.run(caseload_alerts.open_alerts_for(therapist)) == []


def test_a_patient_added_to_the_caseload_shows_at_once(orm: Orm) -> None:
    therapist = orm.run(make_user("t@example.org", Role.THERAPIST))
    orm.run(seed_caseload(therapist, 2, days=1))
    newcomer = orm.run(make_user("new@example.org", Role.PATIENT, "Asia/Tokyo"))
    assert len(orm.run(rows_at(therapist, NOW))) == 2

    orm.run(
        CareTeamMember.create(therapist_id=therapist.id, patient_id=newcomer.id, started_at=NOW)
    )

    assert newcomer.id in {row.patient_id for row in orm.run(rows_at(therapist, NOW))}


# Zones east and west of UTC, two of them changing clocks inside the swept windows.
ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
)
WINDOWS = (
    datetime(2026, 10, 24, 12, tzinfo=UTC),  # Europe leaves summer time on 25 October
    datetime(2026, 10, 31, 12, tzinfo=UTC),  # the United States on 1 November
)


@pytest.mark.parametrize("start", WINDOWS, ids=["eu-dst-end", "us-dst-end"])
def test_kept_rows_equal_fresh_ones_at_every_hour(orm: Orm, start: datetime) -> None:
    """Nothing is written while the clock runs on for 48 hours: the kept rows must still change
    where the days and the rating window say so, exactly as rows computed afresh do."""
    therapist = orm.run(make_user("t@example.org", Role.THERAPIST))

    async def seed() -> None:
        for number, zone in enumerate(ZONES):
            patient = await make_user(f"p{number}@example.org", Role.PATIENT, zone)
            await CareTeamMember.create(
                therapist_id=therapist.id,
                patient_id=patient.id,
                started_at=start - timedelta(days=30),
            )
            await PracticeLog.bulk_create(
                [
                    practice_log(patient, start - timedelta(days=day, hours=number))
                    for day in range(1, 4)
                ]
            )
            rated = start - timedelta(hours=3 + number)
            await Checkin.create(
                patient_id=patient.id,
                level=9 if number % 2 == 0 else 3,
                tags=[],
                context=CheckinContext.QUICK,
                occurred_at=rated,
                recorded_at=rated,
            )

    orm.run(seed())
    seen = set()
    high_rating_reasons = []
    for hour in range(48):
        now = start + timedelta(hours=hour)
        kept = orm.run(rows_at(therapist, now))
        orm.run(renew_care_token())
        fresh = orm.run(rows_at(therapist, now))
        assert kept == fresh, now
        seen.add(tuple(kept))
        high_rating_reasons.append(
            sum(Reason.HIGH_RATING in [c.reason for c in row.concerns] for row in kept)
        )

    assert len(seen) > 5  # the rows did change as the hours went by
    assert high_rating_reasons[0] == 3
    assert high_rating_reasons[-1] == 0


def test_a_clock_set_back_computes_afresh(orm: Orm) -> None:
    therapist = orm.run(make_user("t@example.org", Role.THERAPIST))
    orm.run(seed_caseload(therapist, 2, days=3))
    later = orm.run(rows_at(therapist, NOW + timedelta(days=3)))

    with counted_queries() as seen:
        earlier = orm.run(rows_at(therapist, NOW))

    assert len(seen) > 2
    assert [row.days_since_activity for row in earlier] != [
        row.days_since_activity for row in later
    ]


def test_without_a_token_nothing_is_kept(orm: Orm) -> None:
    therapist = orm.run(make_user("t@example.org", Role.THERAPIST))
    orm.run(seed_caseload(therapist, 2, days=3))
    _elsewhere(orm, "DELETE FROM instance_flags WHERE key = 'care_version'")
    first = orm.run(rows_at(therapist, NOW))

    with counted_queries() as seen:
        again = orm.run(rows_at(therapist, NOW))

    assert again == first
    assert len(seen) > 2
