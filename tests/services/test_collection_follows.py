"""Patients following collections, on both databases: starting one (published only, once),
stopping and starting again, an archived one stopping to show; and their progress through
those they follow (done of the published sessions, the next, when they last practised one of
them, the local day they started), read in the same few queries however many they follow."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.caseload_fixtures import person, practised, published
from tests.services.conftest import Orm
from tests.services.test_catalog_deletion import make_asset, make_session
from tests.services.test_dashboard_queries import counted_queries
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import restrictions
from wellness.care import services as care
from wellness.care.models import OverrideKind
from wellness.caseload.collection_progress import progress_in, progress_of
from wellness.catalog import collection_follows
from wellness.catalog.kinds import Status
from wellness.catalog.models import Collection, CollectionEntry, CollectionFollow, PracticeSession
from wellness.catalog.rules import CatalogConflict
from wellness.settings import CarePolicy

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
POLICY = CarePolicy()


@pytest.fixture
def pat(any_orm: Orm) -> User:
    """A patient in Berlin."""
    return any_orm.run(person("pat", Role.PATIENT))


@pytest.fixture
def sessions(any_orm: Orm) -> dict[str, PracticeSession]:
    """Four published sessions and a draft."""
    made = {
        title: any_orm.run(published(title, minutes=5, now=NOW))
        for title in ("Breathe", "Ground", "Scan", "Stretch")
    }
    made["Draft"] = any_orm.run(make_session("Draft", any_orm.run(make_asset(1))))
    return made


async def collection_of(
    title: str, sessions: list[PracticeSession], status: Status = Status.PUBLISHED
) -> Collection:
    collection = await Collection.create(
        title=title,
        live_title=None if status is Status.ARCHIVED else title.casefold(),
        status=status,
        created_at=NOW,
        updated_at=NOW,
        published_at=None if status is Status.DRAFT else NOW,
    )
    await CollectionEntry.bulk_create(
        [
            CollectionEntry(collection_id=collection.id, session_id=session.id, position=place)
            for place, session in enumerate(sessions)
        ]
    )
    return collection


def followings(orm: Orm) -> list[tuple[int, int, datetime]]:
    rows = orm.run(
        CollectionFollow.all()
        .order_by("id")
        .values_list("patient_id", "collection_id", "started_at")
    )
    return [(int(patient), int(collection), started) for patient, collection, started in rows]


def test_a_patient_starts_a_collection_once_stops_and_starts_it_again(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    week = any_orm.run(collection_of("Week", [sessions["Breathe"]]))
    later = NOW + timedelta(days=2)

    first = any_orm.run(collection_follows.follow(pat.id, week.id, now=NOW))
    again = any_orm.run(collection_follows.follow(pat.id, week.id, now=NOW + timedelta(hours=1)))
    assert (first, again) == ((NOW, True), (NOW, False))
    assert followings(any_orm) == [(pat.id, week.id, NOW)]

    assert any_orm.run(collection_follows.stop_following(pat.id, week.id)) is True
    assert any_orm.run(collection_follows.stop_following(pat.id, week.id)) is False
    assert followings(any_orm) == []

    assert any_orm.run(collection_follows.follow(pat.id, week.id, now=later)) == (later, True)
    assert followings(any_orm) == [(pat.id, week.id, later)]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ARCHIVED])
def test_only_a_published_collection_can_be_started(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession], status: Status
) -> None:
    hidden = any_orm.run(collection_of("Hidden", [sessions["Breathe"]], status))

    with pytest.raises(CatalogConflict) as refused:
        any_orm.run(collection_follows.follow(pat.id, hidden.id, now=NOW))

    assert refused.value.code == "collection_not_published"
    assert followings(any_orm) == []


def test_a_collection_archived_later_stops_showing_and_shows_again_when_published_again(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    week = any_orm.run(collection_of("Week", [sessions["Breathe"]]))
    any_orm.run(collection_follows.follow(pat.id, week.id, now=NOW))

    any_orm.run(Collection.filter(id=week.id).update(status=Status.ARCHIVED, live_title=None))
    hidden = any_orm.run(progress_of(pat, policy=POLICY))
    hidden_ids = any_orm.run(collection_follows.followed_ids(pat.id))
    any_orm.run(Collection.filter(id=week.id).update(status=Status.PUBLISHED, live_title="week"))
    shown = any_orm.run(progress_of(pat, policy=POLICY))

    assert (hidden, hidden_ids) == ([], set())
    assert [(item.collection_id, item.started_at) for item in shown] == [(week.id, NOW)]


def test_progress_counts_the_published_sessions_done_and_never_offers_one_to_skip(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    therapist = any_orm.run(person("theo", Role.THERAPIST))
    any_orm.run(care.assign(therapist, pat, now=NOW))
    order = [sessions[title] for title in ("Breathe", "Draft", "Ground", "Scan", "Stretch")]
    week = any_orm.run(collection_of("Week", order))
    any_orm.run(collection_follows.follow(pat.id, week.id, now=NOW))
    # Done before starting it counts; a practice left after a minute does not.
    any_orm.run(practised(pat.id, NOW - timedelta(days=3), session=sessions["Breathe"]))
    any_orm.run(practised(pat.id, NOW, session=sessions["Scan"]))
    any_orm.run(practised(pat.id, NOW, session=sessions["Stretch"], complete=False))
    any_orm.run(
        restrictions.set_override(
            pat, sessions["Ground"].id, OverrideKind.BAN, by=therapist, now=NOW
        )
    )

    [found] = any_orm.run(progress_of(pat, policy=POLICY))

    assert (found.done, found.total, found.finished) == (2, 4, False)  # the draft is not shown
    assert (found.next_session_id, found.next_title) == (sessions["Stretch"].id, "Stretch")


def test_a_collection_with_every_session_done_is_finished_with_nothing_next(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    pair = any_orm.run(collection_of("Pair", [sessions["Breathe"], sessions["Ground"]]))
    any_orm.run(collection_follows.follow(pat.id, pair.id, now=NOW))
    for session in (sessions["Breathe"], sessions["Ground"]):
        any_orm.run(practised(pat.id, NOW, session=session))

    [found] = any_orm.run(progress_of(pat, policy=POLICY))

    assert (found.done, found.total, found.finished, found.next_session_id) == (2, 2, True, None)


def test_last_practised_is_the_latest_start_of_any_of_its_sessions_finished_or_not(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    week = any_orm.run(collection_of("Week", [sessions["Breathe"], sessions["Ground"]]))
    any_orm.run(collection_follows.follow(pat.id, week.id, now=NOW))
    untouched = any_orm.run(progress_in(pat, week.id, policy=POLICY))
    any_orm.run(practised(pat.id, NOW - timedelta(days=2), session=sessions["Breathe"]))
    any_orm.run(
        practised(pat.id, NOW - timedelta(hours=5), session=sessions["Ground"], complete=False)
    )
    any_orm.run(practised(pat.id, NOW - timedelta(hours=1), session=sessions["Scan"]))  # not in it

    found = any_orm.run(progress_in(pat, week.id, policy=POLICY))

    assert untouched is not None
    assert untouched.last_practised_at is None
    assert found is not None
    assert found.last_practised_at == NOW - timedelta(hours=5)
    assert found.done == 1


@pytest.mark.parametrize(
    ("zone", "day", "clock_time"),
    [
        ("Asia/Tokyo", date(2026, 12, 2), time(0, 30)),  # UTC+9: the day before in UTC
        ("Pacific/Kiritimati", date(2026, 12, 2), time(2, 0)),  # UTC+14
        ("America/Los_Angeles", date(2026, 12, 2), time(23, 30)),  # UTC-8: the day after in UTC
        ("Pacific/Pago_Pago", date(2026, 12, 2), time(23, 59)),  # UTC-11
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30)),  # the hour the clocks go back
        ("America/New_York", date(2026, 3, 8), time(3, 30)),  # just after they spring forward
        ("America/New_York", date(2026, 3, 8), time(0, 15)),  # just after midnight that day
    ],
)
def test_a_collection_is_started_on_the_patients_local_day_at_any_hour(
    any_orm: Orm, sessions: dict[str, PracticeSession], zone: str, day: date, clock_time: time
) -> None:
    patient = any_orm.run(person("zoe", Role.PATIENT, zone))
    week = any_orm.run(collection_of("Week", [sessions["Breathe"]]))
    started = datetime.combine(day, clock_time, ZoneInfo(zone)).astimezone(UTC)
    any_orm.run(collection_follows.follow(patient.id, week.id, now=started))

    [found] = any_orm.run(progress_of(patient, policy=POLICY))

    assert found.started_on == day


def test_one_patients_following_is_theirs_alone(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    other = any_orm.run(person("olly", Role.PATIENT))
    week = any_orm.run(collection_of("Week", [sessions["Breathe"]]))
    any_orm.run(collection_follows.follow(pat.id, week.id, now=NOW))

    stopped = any_orm.run(collection_follows.stop_following(other.id, week.id))

    assert stopped is False
    assert any_orm.run(progress_of(other, policy=POLICY)) == []
    assert followings(any_orm) == [(pat.id, week.id, NOW)]


def test_a_patients_followings_go_with_their_account(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    week = any_orm.run(collection_of("Week", [sessions["Breathe"]]))
    any_orm.run(collection_follows.follow(pat.id, week.id, now=NOW))

    any_orm.run(User.filter(id=pat.id).delete())

    assert followings(any_orm) == []
    assert any_orm.run(Collection.filter(id=week.id).exists())


def test_starting_at_the_same_moment_as_another_request_is_one_following(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other request's row lands between this one's check and its insert."""
    week = any_orm.run(collection_of("Week", [sessions["Breathe"]]))
    any_orm.run(collection_follows.follow(pat.id, week.id, now=NOW))
    real = collection_follows.following_since
    asked: list[int] = []

    async def not_yet(patient_id: int, collection_id: int) -> datetime | None:
        asked.append(collection_id)
        return None if len(asked) == 1 else await real(patient_id, collection_id)

    monkeypatch.setattr(collection_follows, "following_since", not_yet)

    answer = any_orm.run(collection_follows.follow(pat.id, week.id, now=NOW + timedelta(hours=1)))

    assert answer == (NOW, False)
    assert followings(any_orm) == [(pat.id, week.id, NOW)]


def test_progress_is_read_in_the_same_queries_for_one_or_five_collections(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    therapist = any_orm.run(person("theo", Role.THERAPIST))
    any_orm.run(care.assign(therapist, pat, now=NOW))
    any_orm.run(
        restrictions.set_override(
            pat, sessions["Ground"].id, OverrideKind.BAN, by=therapist, now=NOW
        )
    )
    any_orm.run(practised(pat.id, NOW, session=sessions["Breathe"]))
    titles = ("Breathe", "Ground", "Scan", "Stretch")

    def queries_for(how_many: int) -> list[str]:
        any_orm.run(CollectionFollow.all().delete())
        for number in range(how_many):
            chosen = [sessions[titles[(number + step) % 4]] for step in range(3)]
            made = any_orm.run(collection_of(f"C{how_many}-{number}", chosen))
            any_orm.run(collection_follows.follow(pat.id, made.id, now=NOW))
        with counted_queries() as seen:
            found = any_orm.run(progress_of(pat, policy=POLICY))
        assert len(found) == how_many
        return seen

    one, five = queries_for(1), queries_for(5)

    # The change tokens, then the followings with their sessions, practice and marks.
    assert len(five) == len(one) <= 7, five


def test_nothing_followed_is_the_tokens_and_one_query_then_the_tokens_alone(
    any_orm: Orm, pat: User
) -> None:
    with counted_queries() as first:
        found = any_orm.run(progress_of(pat, policy=POLICY))
    with counted_queries() as again:
        kept = any_orm.run(progress_of(pat, policy=POLICY))

    assert found == kept == []
    assert (len(first), len(again)) == (2, 1)


def test_the_local_day_helper_and_the_stored_start_agree(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    """Berlin, 00:30 local on 25 Nov is still 24 Nov in UTC: the day shown is the 25th."""
    week = any_orm.run(collection_of("Week", [sessions["Breathe"]]))
    started = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    any_orm.run(collection_follows.follow(pat.id, week.id, now=started))

    [found] = any_orm.run(progress_of(pat, policy=POLICY))

    assert (found.started_at, found.started_on) == (started, date(2026, 11, 25))
