"""A patient's progress through the collections they follow (their home page's "Continue your
collections") is kept between requests under the care and catalog change tokens: served again
with no query but the tokens' while nothing it shows has changed, and equal to a fresh reading
after any write to what it shows, also one made outside this process.

Writes of followings made elsewhere go through a second connection: the database's triggers
(migration 0025), not the app's code, renew the care token then.
"""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime, timedelta

from tests.caseload_fixtures import person, practised
from tests.services.conftest import Orm
from tests.services.test_collection_follows import POLICY, collection_of, pat, sessions
from tests.services.test_dashboard_cache import _elsewhere, _trigger_names
from tests.services.test_dashboard_queries import counted_queries
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import restrictions
from wellness.care import services as care
from wellness.care.models import OverrideKind
from wellness.caseload.collection_progress import CollectionProgress, progress_in, progress_of
from wellness.caseload.kept import care_token
from wellness.catalog.kinds import Status
from wellness.catalog.models import Collection, PracticeSession

__all__ = ["pat", "sessions"]  # the fixtures, shared with the followings' tests

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
MIGRATION = importlib.import_module("wellness.migrations.0025_collection_follows_care_token")


def _moment(orm: Orm, moment: datetime) -> object:
    """A timestamp as the raw driver takes it: SQLite's text, PostgreSQL's datetime."""
    return moment if "postgres" in orm.database_url else moment.isoformat(sep=" ")


def read(orm: Orm, patient: User) -> tuple[list[CollectionProgress], int]:
    """The home page's list and how many statements reading it took."""
    with counted_queries() as seen:
        found = orm.run(progress_of(patient, policy=POLICY))
    return found, len(seen)


def fresh(orm: Orm, patient: User, collections: list[Collection]) -> list[CollectionProgress]:
    """The same list computed afresh (progress_in keeps nothing), in the order given."""
    found = [orm.run(progress_in(patient, one.id, policy=POLICY)) for one in collections]
    return [item for item in found if item is not None]


def test_the_followings_table_keeps_its_care_token_triggers(any_orm: Orm) -> None:
    names = _trigger_names(any_orm)

    if "postgres" in any_orm.database_url:
        assert MIGRATION._POSTGRES_TRIGGER in names
    else:
        assert set(MIGRATION._SQLITE_TRIGGERS) <= names


def test_kept_progress_is_served_again_and_equals_a_fresh_reading_after_every_write(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    orm = any_orm
    week = orm.run(collection_of("Week", [sessions["Breathe"], sessions["Ground"]]))
    calm = orm.run(collection_of("Calm", [sessions["Scan"], sessions["Stretch"]]))
    follow_elsewhere = (
        "INSERT INTO collection_follows (patient_id, collection_id, started_at) VALUES (?, ?, ?)"
    )
    _elsewhere(orm, follow_elsewhere, pat.id, week.id, _moment(orm, NOW))

    first, _ = read(orm, pat)
    again, statements = read(orm, pat)
    assert first == again == fresh(orm, pat, [week])
    assert statements == 1  # the change tokens only
    assert (first[0].done, first[0].total, first[0].next_title) == (0, 2, "Breathe")

    # Started elsewhere (another worker): shown at once, the latest started first.
    _elsewhere(orm, follow_elsewhere, pat.id, calm.id, _moment(orm, NOW + timedelta(hours=1)))
    both, _ = read(orm, pat)
    assert both == fresh(orm, pat, [calm, week])

    # A practice completed.
    orm.run(practised(pat.id, NOW + timedelta(hours=2), session=sessions["Breathe"]))
    done, _ = read(orm, pat)
    assert done == fresh(orm, pat, [calm, week])
    assert (done[1].done, done[1].next_title) == (1, "Ground")

    # The care team asks the patient to skip the next session.
    therapist = orm.run(person("theo", Role.THERAPIST))
    orm.run(care.assign(therapist, pat, now=NOW))
    orm.run(
        restrictions.set_override(pat, sessions["Scan"].id, OverrideKind.BAN, by=therapist, now=NOW)
    )
    skipped, _ = read(orm, pat)
    assert skipped == fresh(orm, pat, [calm, week])
    assert skipped[0].next_title == "Stretch"

    # The catalog: a session taken back to draft leaves the collection's count.
    orm.run(PracticeSession.filter(id=sessions["Ground"].id).update(status=Status.DRAFT))
    shrunk, _ = read(orm, pat)
    assert shrunk == fresh(orm, pat, [calm, week])
    assert (shrunk[1].done, shrunk[1].total, shrunk[1].finished) == (1, 1, True)

    # Stopped elsewhere.
    _elsewhere(orm, "DELETE FROM collection_follows WHERE collection_id = ?", calm.id)
    stopped, _ = read(orm, pat)
    assert stopped == fresh(orm, pat, [week])


def test_a_patient_who_moves_sees_the_day_they_started_on_in_their_new_zone(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    """Started at 23:30 UTC: the 25th in Berlin, still the 24th in New York."""
    week = any_orm.run(collection_of("Week", [sessions["Breathe"]]))
    started = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    _elsewhere(
        any_orm,
        "INSERT INTO collection_follows (patient_id, collection_id, started_at) VALUES (?, ?, ?)",
        pat.id,
        week.id,
        _moment(any_orm, started),
    )
    [in_berlin], _ = read(any_orm, pat)

    pat.time_zone = "America/New_York"
    any_orm.run(pat.save(update_fields=["time_zone"]))
    [in_new_york], _ = read(any_orm, pat)

    assert (in_berlin.started_on, in_new_york.started_on) == (
        date(2026, 11, 25),
        date(2026, 11, 24),
    )


def test_writing_a_following_elsewhere_renews_the_care_token(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    week = any_orm.run(collection_of("Week", [sessions["Breathe"]]))
    tokens = [any_orm.run(care_token())]
    for statement, args in (
        (
            "INSERT INTO collection_follows (patient_id, collection_id, started_at) "
            "VALUES (?, ?, ?)",
            (pat.id, week.id, _moment(any_orm, NOW)),
        ),
        ("UPDATE collection_follows SET started_at = started_at", ()),
        ("DELETE FROM collection_follows", ()),
    ):
        _elsewhere(any_orm, statement, *args)
        tokens.append(any_orm.run(care_token()))

    assert None not in tokens
    assert len(set(tokens)) == 4


def test_without_a_care_token_nothing_is_kept(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    week = any_orm.run(collection_of("Week", [sessions["Breathe"]]))
    _elsewhere(
        any_orm,
        "INSERT INTO collection_follows (patient_id, collection_id, started_at) VALUES (?, ?, ?)",
        pat.id,
        week.id,
        _moment(any_orm, NOW),
    )
    _elsewhere(any_orm, "DELETE FROM instance_flags WHERE key = 'care_version'")

    first, read_first = read(any_orm, pat)
    again, read_again = read(any_orm, pat)

    assert first == again == fresh(any_orm, pat, [week])
    assert read_again == read_first > 1  # read in full each time
