"""A patient's suggestion list is shown again, under the same log row, while nothing it was chosen
from has changed; anything that changes its inputs chooses (and logs) a new one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from tests.services.test_dashboard_queries import counted_queries
from tests.services.test_suggestion_services import POLICY, alice, catalog, person, suggest
from tests.suggestion_app_cases import store_catalog, store_checkin, store_rated_practice
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import restrictions
from wellness.care.models import OverrideKind
from wellness.catalog.models import PracticeSession
from wellness.db import KeyedCache, raw_query
from wellness.practice.models import PracticeLog
from wellness.suggestions import services
from wellness.suggestions.logs.models import SuggestionLog
from wellness.suggestions.services import context as gather
from wellness.suggestions.services import kept

__all__ = ["alice", "catalog"]  # the fixtures, shared with the suggestion service tests


def lists_logged(orm: Orm, patient: User) -> int:
    return orm.run(SuggestionLog.filter(patient_id=patient.id).count())


async def without_care_token() -> None:
    connection, _ = raw_query()
    await connection.execute_query("DELETE FROM instance_flags WHERE key = 'care_version'")


def another_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that has kept nothing yet (or this one after a restart)."""
    monkeypatch.setattr(services, "_kept_lists", KeyedCache())


def test_a_reload_shows_the_same_list_logged_once(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    first = suggest(orm, alice)
    with counted_queries() as seen:
        again = suggest(orm, alice, TEST_NOW + timedelta(minutes=10))

    assert again == first
    assert lists_logged(orm, alice) == 1
    assert len(seen) == 1  # the catalog's and the care data's change tokens, in one statement


def test_another_worker_shows_the_same_list_from_the_log(
    orm: Orm, catalog: dict[str, int], alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = suggest(orm, alice)
    another_worker(monkeypatch)

    again = suggest(orm, alice, TEST_NOW + timedelta(minutes=10))

    assert again == first
    assert lists_logged(orm, alice) == 1


def test_a_write_about_another_patient_shows_the_same_list_again(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    first = suggest(orm, alice)
    bob = person(orm, "bob")
    orm.run(store_checkin(bob.id, 9, TEST_NOW))

    again = suggest(orm, alice, TEST_NOW + timedelta(minutes=1))

    assert again == first
    assert lists_logged(orm, alice) == 1


def test_a_new_rating_chooses_a_new_list_at_once(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    calm = suggest(orm, alice)
    orm.run(store_checkin(alice.id, 9, TEST_NOW + timedelta(minutes=1)))

    distressed = suggest(orm, alice, TEST_NOW + timedelta(minutes=1))

    assert distressed.suggestion_id != calm.suggestion_id
    assert (calm.anxiety, distressed.anxiety) == (None, 9)
    assert distressed.tier == "support"
    assert lists_logged(orm, alice) == 2


def test_a_rated_practice_chooses_a_new_list(
    orm: Orm, catalog: dict[str, int], alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = suggest(orm, alice)
    orm.run(
        store_rated_practice(
            alice.id, catalog["Slow exhale"], TEST_NOW - timedelta(days=1), before=6, after=3
        )
    )
    another_worker(monkeypatch)  # not by the token alone: the fingerprint sees it too

    again = suggest(orm, alice, TEST_NOW + timedelta(minutes=1))

    assert again.suggestion_id != first.suggestion_id


def test_finishing_a_practice_chooses_a_new_list(
    orm: Orm, catalog: dict[str, int], alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    practice_id = orm.run(
        store_rated_practice(
            alice.id, catalog["Slow exhale"], TEST_NOW - timedelta(days=1), before=6, after=3
        )
    )
    orm.run(PracticeLog.filter(id=practice_id).update(completed=False, listened_seconds=100))
    first = suggest(orm, alice)
    # Its last progress report, as the app writes it.
    orm.run(
        PracticeLog.filter(id=practice_id).update(
            completed=True, listened_seconds=300, updated_at=TEST_NOW
        )
    )
    another_worker(monkeypatch)

    again = suggest(orm, alice, TEST_NOW + timedelta(minutes=1))

    assert again.suggestion_id != first.suggestion_id


def test_a_restriction_from_the_care_team_chooses_a_new_list(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    first = suggest(orm, alice)
    shown = first.items[0]
    therapist = person(orm, "theo", Role.THERAPIST)
    orm.run(
        restrictions.set_override(
            alice, shown.session_id, OverrideKind.BAN, by=therapist, now=TEST_NOW
        )
    )

    again = suggest(orm, alice, TEST_NOW + timedelta(minutes=1))

    assert again.suggestion_id != first.suggestion_id
    assert shown.session_id not in {item.session_id for item in again.items}


def test_a_catalog_change_chooses_a_new_list(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    first = suggest(orm, alice)
    shown = first.items[0].session_id
    orm.run(PracticeSession.filter(id=shown).update(title="Renamed"))

    again = suggest(orm, alice, TEST_NOW + timedelta(minutes=1))

    assert again.suggestion_id != first.suggestion_id


def test_the_next_hour_chooses_a_new_list(orm: Orm, catalog: dict[str, int], alice: User) -> None:
    at_the_hour = TEST_NOW.replace(minute=0)
    first = suggest(orm, alice, at_the_hour + timedelta(minutes=59))

    next_hour = suggest(orm, alice, at_the_hour + timedelta(hours=1))

    assert next_hour.suggestion_id != first.suggestion_id
    assert next_hour.local_hour == (first.local_hour + 1) % 24


def test_a_rating_that_grows_too_old_chooses_a_new_list(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    rated = TEST_NOW.replace(minute=30)
    orm.run(store_checkin(alice.id, 6, rated))
    first = suggest(orm, alice, rated + timedelta(minutes=1))

    # Within the same local hour, no write: only the rating's age has changed.
    last_moment = rated + gather.RATING_FRESH_FOR - timedelta(seconds=1)
    still = suggest(orm, alice, last_moment)
    too_old = suggest(orm, alice, rated + gather.RATING_FRESH_FOR)

    assert (still.anxiety, too_old.anxiety) == (6, None)
    assert too_old.suggestion_id != still.suggestion_id
    assert first.anxiety == 6


def test_a_rating_more_than_an_hour_old_chooses_a_list_that_says_so(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    hour = TEST_NOW.replace(minute=0, second=0, microsecond=0)
    rated = hour - timedelta(minutes=5)
    orm.run(store_checkin(alice.id, 8, rated))

    # Both within one local hour, no write between: only the rating's age has changed.
    first = suggest(orm, alice, hour + timedelta(minutes=1))
    later = suggest(orm, alice, hour + timedelta(minutes=56))

    assert later.suggestion_id != first.suggestion_id
    assert (first.anxiety, later.anxiety) == (8, 8)
    assert any(item.reasons[0].startswith("Your anxiety is 8/10") for item in first.items)
    assert not any("Your anxiety is" in line for item in later.items for line in item.reasons)
    assert any(
        item.reasons[0].startswith("You last rated your anxiety 8/10") for item in later.items
    )


def test_a_clock_set_back_chooses_afresh(orm: Orm, catalog: dict[str, int], alice: User) -> None:
    orm.run(store_checkin(alice.id, 9, TEST_NOW))
    now = suggest(orm, alice, TEST_NOW + timedelta(minutes=5))

    before_the_rating = suggest(orm, alice, TEST_NOW - timedelta(minutes=5))

    assert (now.anxiety, before_the_rating.anxiety) == (9, None)


def test_without_a_care_token_nothing_is_kept_in_the_worker(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    first = suggest(orm, alice)
    orm.run(without_care_token())
    with counted_queries() as seen:
        again = suggest(orm, alice, TEST_NOW + timedelta(minutes=1))

    assert again == first  # the same inputs: the logged list again
    assert len(seen) > 2


# Zones east and west of UTC (two with half-hour offsets), three changing clocks in the window.
ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "America/St_Johns",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
)
WINDOWS = (
    datetime(2026, 10, 24, 12, tzinfo=UTC),  # Europe leaves summer time on 25 October
    datetime(2026, 10, 31, 12, tzinfo=UTC),  # North America on 1 November
)


@pytest.mark.parametrize("start", WINDOWS, ids=["eu-dst-end", "us-dst-end"])
def test_a_kept_list_was_chosen_from_the_inputs_of_that_moment_at_every_half_hour(
    orm: Orm, start: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is written for 48 hours while the clock runs on: at every half hour, the list
    shown must have been chosen from exactly the inputs gathered afresh at that moment (the
    same practice day, local hour and acted-on rating), in every zone."""
    orm.run(store_catalog(start - timedelta(days=1)))
    patients = [person(orm, f"p{number}", zone=zone) for number, zone in enumerate(ZONES)]
    for number, patient in enumerate(patients):
        orm.run(store_checkin(patient.id, 4 + number, start - timedelta(hours=number)))
    limits = gather.limits_for(POLICY)
    token, _ = orm.run(gather.published_catalog())
    lists: dict[int, set[int]] = {patient.id: set() for patient in patients}

    for step in range(96):
        now = start + timedelta(minutes=30 * step)
        for patient in patients:
            shown = suggest(orm, patient, now)
            fresh, _ = orm.run(gather.patient_context(patient, policy=POLICY, now=now))
            logged = orm.run(SuggestionLog.get(id=shown.suggestion_id))
            assert logged.context[kept.FINGERPRINT] == kept.fingerprint(
                fresh, catalog_token=token, limits=limits
            ), (patient.time_zone, now)
            assert (shown.today, shown.local_hour, shown.anxiety) == (
                fresh.today,
                fresh.local_hour,
                fresh.anxiety,
            )
            lists[patient.id].add(shown.suggestion_id)

    for patient in patients:
        # One list per local hour the window touches (48, or 49 at a half-hour offset; the hour
        # repeated as clocks go back is one), one more where the rating stops counting within
        # an hour: never one per view.
        assert 47 <= len(lists[patient.id]) <= 50, patient.time_zone


def test_an_empty_list_is_shown_again_too(
    orm: Orm, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = suggest(orm, alice)  # nothing published yet
    another_worker(monkeypatch)

    again = suggest(orm, alice, TEST_NOW + timedelta(minutes=1))

    assert (first.items, again.suggestion_id) == ((), first.suggestion_id)


def test_a_malformed_logged_list_is_not_shown_again(
    orm: Orm, catalog: dict[str, int], alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = suggest(orm, alice)
    orm.run(SuggestionLog.filter(id=first.suggestion_id).update(items=[{"session_id": "x"}]))
    another_worker(monkeypatch)

    again = suggest(orm, alice, TEST_NOW + timedelta(minutes=1))

    assert again.suggestion_id != first.suggestion_id
    assert len(again.items) == len(first.items)
