"""Two small facts the patient's home page shows on every view are kept between requests under
the care change token: how many sessions they saved (migration 0026 renews the token on every
write to saved_sessions) and whether an active therapist sees their alerts (care teams and a
user's role or active flag, migration 0011). A repeat view reads only the token; after any
write, also one made through another connection (another worker, the CLI), the kept value
equals a fresh reading."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta

import pytest

from tests.caseload_fixtures import person, published
from tests.services.conftest import Orm
from tests.services.test_dashboard_cache import _elsewhere, _trigger_names
from tests.services.test_dashboard_queries import counted_queries
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import services as care
from wellness.caseload.kept import care_token
from wellness.catalog import saved
from wellness.catalog.models import PracticeSession, SavedSession

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
MIGRATION = importlib.import_module("wellness.migrations.0026_saved_sessions_care_token")


@pytest.fixture
def pat(any_orm: Orm) -> User:
    return any_orm.run(person("pat", Role.PATIENT))


@pytest.fixture
def sessions(any_orm: Orm) -> list[PracticeSession]:
    return [any_orm.run(published(title, minutes=6, now=NOW)) for title in ("A", "B", "C")]


def _moment(orm: Orm, moment: datetime) -> object:
    """A timestamp as the raw driver takes it: SQLite's text, PostgreSQL's datetime."""
    return moment if "postgres" in orm.database_url else moment.isoformat(sep=" ")


def count_read(orm: Orm, patient: User) -> tuple[int, int]:
    """The home page's count and how many statements reading it took."""
    with counted_queries() as seen:
        found = orm.run(saved.saved_count(patient.id))
    return found, len(seen)


def watch_read(orm: Orm, patient: User) -> tuple[bool, int]:
    with counted_queries() as seen:
        found = orm.run(care.sees_alerts(patient.id))
    return found, len(seen)


def fresh_count(orm: Orm, patient: User) -> int:
    return orm.run(SavedSession.filter(patient_id=patient.id).count())


def test_the_saved_sessions_table_keeps_its_care_token_triggers(any_orm: Orm) -> None:
    names = _trigger_names(any_orm)

    if "postgres" in any_orm.database_url:
        assert MIGRATION._POSTGRES_TRIGGER in names
    else:
        assert set(MIGRATION._SQLITE_TRIGGERS) <= names


def test_writing_a_saved_session_elsewhere_renews_the_care_token(
    any_orm: Orm, pat: User, sessions: list[PracticeSession]
) -> None:
    tokens = [any_orm.run(care_token())]
    for statement, args in (
        (
            "INSERT INTO saved_sessions (patient_id, session_id, saved_at) VALUES (?, ?, ?)",
            (pat.id, sessions[0].id, _moment(any_orm, NOW)),
        ),
        ("UPDATE saved_sessions SET saved_at = saved_at", ()),
        ("DELETE FROM saved_sessions", ()),
    ):
        _elsewhere(any_orm, statement, *args)
        tokens.append(any_orm.run(care_token()))

    assert None not in tokens
    assert len(set(tokens)) == 4


def test_the_kept_count_is_served_again_and_follows_every_save_and_unsave(
    any_orm: Orm, pat: User, sessions: list[PracticeSession]
) -> None:
    orm = any_orm
    sam = orm.run(person("sam", Role.PATIENT))
    orm.run(saved.save(pat.id, sessions[0].id, now=NOW))

    first, _ = count_read(orm, pat)
    again, statements = count_read(orm, pat)
    assert first == again == fresh_count(orm, pat) == 1
    assert statements == 1  # the change token only

    orm.run(saved.save(pat.id, sessions[1].id, now=NOW + timedelta(minutes=1)))
    assert count_read(orm, pat)[0] == fresh_count(orm, pat) == 2

    # Saved elsewhere (another worker): seen at once.
    _elsewhere(
        orm,
        "INSERT INTO saved_sessions (patient_id, session_id, saved_at) VALUES (?, ?, ?)",
        pat.id,
        sessions[2].id,
        _moment(orm, NOW + timedelta(minutes=2)),
    )
    assert count_read(orm, pat)[0] == fresh_count(orm, pat) == 3

    # Another patient's saves are their own.
    orm.run(saved.save(sam.id, sessions[0].id, now=NOW))
    assert (count_read(orm, pat)[0], count_read(orm, sam)[0]) == (3, 1)

    orm.run(saved.unsave(pat.id, sessions[0].id))
    assert count_read(orm, pat)[0] == fresh_count(orm, pat) == 2

    # Taken off elsewhere.
    _elsewhere(orm, "DELETE FROM saved_sessions WHERE patient_id = ?", pat.id)
    assert count_read(orm, pat)[0] == fresh_count(orm, pat) == 0


def test_whether_a_therapist_sees_the_alerts_follows_the_care_team_and_the_therapist(
    any_orm: Orm, pat: User
) -> None:
    orm = any_orm
    theo = orm.run(person("theo", Role.THERAPIST))

    alone, _ = watch_read(orm, pat)
    orm.run(care.assign(theo, pat, now=NOW))
    watched, _ = watch_read(orm, pat)
    again, statements = watch_read(orm, pat)
    assert (alone, watched, again) == (False, True, True)
    assert statements == 1  # the change token only

    # The therapist's account switched off, then on again, elsewhere and here.
    _elsewhere(orm, "UPDATE users SET is_active = ? WHERE id = ?", False, theo.id)
    assert watch_read(orm, pat)[0] is False
    orm.run(accounts.set_active(theo.id, True))
    assert watch_read(orm, pat)[0] is True

    # The therapist made a coordinator elsewhere: no one on the team reads the caseload.
    _elsewhere(orm, "UPDATE users SET role = ? WHERE id = ?", Role.COORDINATOR.value, theo.id)
    assert watch_read(orm, pat)[0] is False
    _elsewhere(orm, "UPDATE users SET role = ? WHERE id = ?", Role.THERAPIST.value, theo.id)
    assert watch_read(orm, pat)[0] is True

    # Taken off the team elsewhere.
    _elsewhere(
        orm,
        "UPDATE care_team_members SET ended_at = ? WHERE patient_id = ?",
        _moment(orm, NOW + timedelta(days=1)),
        pat.id,
    )
    assert watch_read(orm, pat)[0] is False


def test_without_a_care_token_nothing_is_kept(
    any_orm: Orm, pat: User, sessions: list[PracticeSession]
) -> None:
    orm = any_orm
    orm.run(saved.save(pat.id, sessions[0].id, now=NOW))
    _elsewhere(orm, "DELETE FROM instance_flags WHERE key = 'care_version'")

    counts = [count_read(orm, pat) for _ in range(2)]
    watches = [watch_read(orm, pat) for _ in range(2)]

    assert [found for found, _ in counts] == [1, 1]
    assert [found for found, _ in watches] == [False, False]
    assert counts[1][1] == counts[0][1] > 1  # read in full each time
    assert watches[1][1] == watches[0][1] > 1
