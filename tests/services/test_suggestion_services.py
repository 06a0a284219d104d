"""Suggestions as the app gathers, logs and links them (ORM, no HTTP)."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests import caseload_fixtures
from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from tests.suggestion_app_cases import (
    NEVER_OFFERED,
    SUPPORT_SAFE,
    store_catalog,
    store_checkin,
    store_rated_practice,
)
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import restrictions
from wellness.care import services as care
from wellness.care.models import OverrideKind
from wellness.caseload import assignments
from wellness.catalog.models import PracticeSession
from wellness.checkins.models import Checkin
from wellness.lib.validation import FieldError
from wellness.practice.models import PracticeLog
from wellness.settings import CarePolicy
from wellness.suggestions import services
from wellness.suggestions.engine import ENGINE_VERSION, fit_clinic
from wellness.suggestions.logs import last_suggestions_for
from wellness.suggestions.logs.models import SuggestionFollow, SuggestionLog
from wellness.suggestions.model import ClinicModel
from wellness.suggestions.services import clinic as clinic_fits
from wellness.suggestions.services import context as gather
from wellness.suggestions.services.clinic import ClinicFits, Fit

POLICY = CarePolicy()


def person(orm: Orm, name: str, role: Role = Role.PATIENT, zone: str = "Europe/Berlin") -> User:
    return orm.run(caseload_fixtures.person(name, role, zone))


@pytest.fixture
def catalog(orm: Orm) -> dict[str, int]:
    return orm.run(store_catalog(TEST_NOW))


@pytest.fixture
def alice(orm: Orm) -> User:
    return person(orm, "alice")


def suggest(orm: Orm, patient: User, now: datetime = TEST_NOW) -> services.Suggested:
    return orm.run(
        services.suggestions_for(patient, policy=POLICY, now=now, fits=ClinicFits(), rng=7)
    )


def titles(found: services.Suggested) -> set[str]:
    return {item.title for item in found.items}


# --- gathering the context ---------------------------------------------------------------------


def test_the_context_holds_the_latest_recent_rating_and_the_rated_practice(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    orm.run(
        store_rated_practice(
            alice.id, catalog["Slow exhale"], TEST_NOW - timedelta(days=2), before=6, after=3
        )
    )
    orm.run(store_checkin(alice.id, 5, TEST_NOW - timedelta(hours=2)))

    context, _ = orm.run(gather.patient_context(alice, policy=POLICY, now=TEST_NOW))

    assert context.anxiety == 5
    assert context.rated_at == TEST_NOW - timedelta(hours=2)
    assert [(r.session_id, r.before, r.after) for r in context.ratings] == [
        (catalog["Slow exhale"], 6, 3)
    ]
    assert context.ratings[0].local_hour == (TEST_NOW - timedelta(days=2)).hour + 1  # Berlin
    assert [(done.session_id, done.completed) for done in context.history] == [
        (catalog["Slow exhale"], True)
    ]


def test_the_context_sees_practice_and_ratings_added_since_the_last_read(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    slow = catalog["Slow exhale"]
    orm.run(store_rated_practice(alice.id, slow, TEST_NOW - timedelta(days=2), before=6, after=3))
    first, _ = orm.run(gather.patient_context(alice, policy=POLICY, now=TEST_NOW))
    again, _ = orm.run(gather.patient_context(alice, policy=POLICY, now=TEST_NOW))
    practice = orm.run(
        store_rated_practice(alice.id, slow, TEST_NOW - timedelta(days=1), before=7, after=2)
    )
    orm.run(Checkin.filter(practice_id=practice, context="after_session").delete())
    half_rated, _ = orm.run(gather.patient_context(alice, policy=POLICY, now=TEST_NOW))
    orm.run(PracticeLog.filter(id=practice).update(completed=False, updated_at=TEST_NOW))
    unfinished, _ = orm.run(gather.patient_context(alice, policy=POLICY, now=TEST_NOW))

    assert again.ratings == first.ratings
    assert len(first.history) == 1
    assert len(half_rated.history) == 2
    assert len(half_rated.ratings) == 1
    assert [done.completed for done in unfinished.history] == [True, False]


def test_a_rating_older_than_twelve_hours_is_not_acted_on(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    orm.run(store_checkin(alice.id, 2, TEST_NOW - timedelta(hours=13)))

    context, _ = orm.run(gather.patient_context(alice, policy=POLICY, now=TEST_NOW))

    assert context.anxiety is None
    assert context.rated_at is None


def test_the_after_rating_of_a_session_is_the_latest_rating(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    orm.run(store_checkin(alice.id, 7, TEST_NOW - timedelta(hours=1)))
    orm.run(
        store_rated_practice(
            alice.id, catalog["Five senses"], TEST_NOW - timedelta(minutes=30), before=7, after=4
        )
    )

    context, _ = orm.run(gather.patient_context(alice, policy=POLICY, now=TEST_NOW))

    assert context.anxiety == 4


def test_the_context_carries_the_care_teams_restrictions(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    bob = person(orm, "bob", Role.THERAPIST)
    orm.run(restrictions.set_contraindications(alice, ["standing"], by=bob, now=TEST_NOW))
    orm.run(
        restrictions.set_override(
            alice, catalog["Chair yoga"], OverrideKind.BAN, by=bob, now=TEST_NOW
        )
    )

    context, found = orm.run(gather.patient_context(alice, policy=POLICY, now=TEST_NOW))

    assert context.contraindications == frozenset({"standing"})
    assert context.banned == frozenset({catalog["Chair yoga"]})
    assert found.banned == context.banned


@pytest.mark.parametrize(
    ("zone", "utc_hour", "local_hour", "today"),
    [
        ("Europe/Berlin", 1, 2, "2026-11-23"),  # before the 03:00 rollover: yesterday
        ("Europe/Berlin", 2, 3, "2026-11-24"),
        ("Europe/Berlin", 22, 23, "2026-11-24"),
        ("America/Los_Angeles", 10, 2, "2026-11-23"),
        ("America/Los_Angeles", 20, 12, "2026-11-24"),
        ("Asia/Tokyo", 15, 0, "2026-11-24"),  # Tokyo's 00:00 on the 25th is still the 24th
        ("Asia/Tokyo", 18, 3, "2026-11-25"),
        ("Pacific/Kiritimati", 12, 2, "2026-11-24"),  # UTC+14: the 25th, before rollover
    ],
)
def test_part_of_day_and_practice_day_are_the_patients_own(
    orm: Orm, catalog: dict[str, int], zone: str, utc_hour: int, local_hour: int, today: str
) -> None:
    patient = person(orm, "zoe", zone=zone)
    now = datetime(2026, 11, 24, utc_hour, 10, tzinfo=UTC)

    found = suggest(orm, patient, now)

    assert (found.local_hour, found.today) == (local_hour, today)
    log = orm.run(SuggestionLog.get(id=found.suggestion_id))
    assert (log.context["local_hour"], log.context["today"]) == (local_hour, today)


def test_the_clinic_wide_ratings_are_read_oldest_first_per_patient(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    carol = person(orm, "carol")
    slow, yoga = catalog["Slow exhale"], catalog["Chair yoga"]
    orm.run(store_rated_practice(carol.id, yoga, TEST_NOW - timedelta(days=1), before=5, after=4))
    orm.run(store_rated_practice(alice.id, slow, TEST_NOW - timedelta(days=1), before=6, after=2))
    orm.run(store_rated_practice(alice.id, yoga, TEST_NOW - timedelta(days=3), before=4, after=4))
    # A practice with a before-rating only teaches nothing.
    unrated = orm.run(
        store_rated_practice(alice.id, slow, TEST_NOW - timedelta(days=2), before=6, after=1)
    )
    orm.run(Checkin.filter(practice_id=unrated, context="after_session").delete())

    rated = orm.run(gather.rated_practices())

    assert [(r.patient_id, r.session_id, r.before, r.after) for r in rated] == [
        (alice.id, yoga, 4, 4),
        (alice.id, slow, 6, 2),
        (carol.id, yoga, 5, 4),
    ]


# --- suggesting and logging --------------------------------------------------------------------


def test_each_list_shown_is_logged_with_its_probabilities_and_context(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    orm.run(store_checkin(alice.id, 4, TEST_NOW - timedelta(minutes=10)))

    found = suggest(orm, alice)

    assert 3 <= len(found.items) <= 5
    assert not titles(found) & NEVER_OFFERED
    log = orm.run(SuggestionLog.get(id=found.suggestion_id))
    assert log.patient_id == alice.id
    assert log.shown_at == TEST_NOW
    assert log.engine_version == ENGINE_VERSION == found.engine_version
    assert [item["session_id"] for item in log.items] == [i.session_id for i in found.items]
    for stored, item in zip(log.items, found.items, strict=True):
        assert 0 < stored["probability"] <= 1
        assert stored["probability"] == pytest.approx(item.probability, abs=1e-6)
        assert stored["reasons"] == list(item.reasons)
        assert stored["reasons"]
    assert log.context["anxiety"] == 4
    assert log.context["tier"] == "everyday"
    assert log.context["rated_at"] == (TEST_NOW - timedelta(minutes=10)).isoformat()
    assert log.context["clinic_fit"] == 1


def test_at_a_high_rating_only_support_panel_sessions_are_suggested(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    orm.run(store_checkin(alice.id, 9, TEST_NOW - timedelta(minutes=1)))

    found = suggest(orm, alice)

    assert found.tier == "support"
    assert titles(found)
    assert titles(found) <= SUPPORT_SAFE
    assert found.anxiety == 9


def test_a_new_rating_changes_the_next_list_at_once(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    orm.run(store_checkin(alice.id, 2, TEST_NOW - timedelta(minutes=5)))
    calm = suggest(orm, alice)
    orm.run(store_checkin(alice.id, 9, TEST_NOW))

    distressed = suggest(orm, alice)

    assert calm.tier == "everyday"
    assert distressed.tier == "support"
    assert titles(distressed) <= SUPPORT_SAFE


def test_banned_and_contraindicated_sessions_are_never_suggested(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    bob = person(orm, "bob", Role.THERAPIST)
    orm.run(
        restrictions.set_override(
            alice, catalog["Slow exhale"], OverrideKind.BAN, by=bob, now=TEST_NOW
        )
    )
    orm.run(restrictions.set_contraindications(alice, ["standing"], by=bob, now=TEST_NOW))
    for minute in range(8):
        found = suggest(orm, alice, TEST_NOW + timedelta(minutes=minute))
        assert "Slow exhale" not in titles(found)
        assert not titles(found) & {"Power flow", "Walking meditation"}


def test_an_empty_catalog_gives_an_empty_list_logged(orm: Orm, alice: User) -> None:
    found = suggest(orm, alice)

    assert found.items == ()
    assert orm.run(SuggestionLog.get(id=found.suggestion_id)).items == []


def test_a_practice_due_today_comes_first_with_the_therapists_reason(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    bob = person(orm, "bob", Role.THERAPIST)
    orm.run(care.assign(bob, alice, now=TEST_NOW))
    due = orm.run(
        assignments.create_assignment(
            alice,
            assignments.AssignmentInput(session_id=catalog["Evening body scan"]),
            by=bob,
            policy=POLICY,
            now=TEST_NOW,
        )
    )

    found = suggest(orm, alice)

    first = found.items[0]
    assert (first.title, first.assignment_id) == ("Evening body scan", due.id)
    assert first.reasons[0] == "Your therapist asked you to do this today"
    assert first.probability == 1.0
    log = orm.run(SuggestionLog.get(id=found.suggestion_id))
    assert log.context["due"] == [due.id]
    assert log.items[0]["assignment_id"] == due.id


# --- linking the practice that follows ---------------------------------------------------------


def test_a_practice_started_from_a_suggestion_is_linked_to_the_list(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    found = suggest(orm, alice)
    chosen = found.items[0].session_id

    logged = orm.run(
        services.start_suggested(
            alice, chosen, found.suggestion_id, anxiety_before=5, policy=POLICY, now=TEST_NOW
        )
    )

    follow = orm.run(SuggestionFollow.get(practice_id=logged.practice.id))
    assert (follow.suggestion_id, follow.session_id) == (found.suggestion_id, chosen)
    assert follow.linked_at == TEST_NOW


def test_a_patient_cannot_link_another_patients_list(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    carol = person(orm, "carol")
    theirs = suggest(orm, carol)

    with pytest.raises(FieldError) as refused:
        orm.run(
            services.start_suggested(
                alice,
                theirs.items[0].session_id,
                theirs.suggestion_id,
                anxiety_before=None,
                policy=POLICY,
                now=TEST_NOW,
            )
        )

    assert refused.value.field == "suggestion_id"
    assert orm.run(PracticeLog.filter(patient_id=alice.id).count()) == 0
    assert orm.run(SuggestionFollow.all().count()) == 0


def test_a_list_that_did_not_offer_the_session_is_not_linked(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    found = suggest(orm, alice)
    other = next(i for i in catalog.values() if i not in {s.session_id for s in found.items})

    with pytest.raises(FieldError):
        orm.run(
            services.start_suggested(
                alice, other, found.suggestion_id, anxiety_before=None, policy=POLICY, now=TEST_NOW
            )
        )

    assert orm.run(PracticeLog.filter(patient_id=alice.id).count()) == 0


def test_a_start_without_a_suggestion_is_not_linked(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    logged = orm.run(
        services.start_suggested(
            alice, catalog["Chair yoga"], None, anxiety_before=None, policy=POLICY, now=TEST_NOW
        )
    )

    assert logged.practice.session_id == catalog["Chair yoga"]
    assert orm.run(SuggestionFollow.all().count()) == 0


# --- what the care team sees -------------------------------------------------------------------


def test_the_last_suggestions_name_the_sessions_reasons_and_what_was_followed(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    assert orm.run(last_suggestions_for(alice.id)) is None
    suggest(orm, alice, TEST_NOW - timedelta(hours=1))
    orm.run(store_checkin(alice.id, 9, TEST_NOW - timedelta(minutes=1)))
    latest = suggest(orm, alice)
    followed = latest.items[0].session_id
    orm.run(
        services.start_suggested(
            alice, followed, latest.suggestion_id, anxiety_before=None, policy=POLICY, now=TEST_NOW
        )
    )

    shown = orm.run(last_suggestions_for(alice.id))

    assert shown is not None
    assert shown.suggestion_id == latest.suggestion_id
    assert (shown.anxiety, shown.tier, shown.shown_at) == (9, "support", TEST_NOW)
    assert [item.title for item in shown.items] == [item.title for item in latest.items]
    assert [item.reasons for item in shown.items] == [item.reasons for item in latest.items]
    assert [item.followed for item in shown.items] == [
        item.session_id == followed for item in latest.items
    ]
    assert all(item.minutes > 0 and item.kind for item in shown.items)


def test_a_session_deleted_later_is_still_shown_in_the_last_suggestions(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    latest = suggest(orm, alice)
    gone = latest.items[0].session_id
    orm.run(PracticeSession.filter(id=gone).delete())

    shown = orm.run(last_suggestions_for(alice.id))

    assert shown is not None
    assert shown.items[0].title == "(a session no longer listed)"


# --- the session page's note and the clinic fit ------------------------------------------------


def test_the_session_page_note_appears_only_at_high_distress_outside_the_safe_set(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    def note(title: str) -> services.DistressNote | None:
        return orm.run(services.distress_note(alice, catalog[title], policy=POLICY, now=TEST_NOW))

    assert note("Silent sit") is None  # no rating: nothing to say
    orm.run(store_checkin(alice.id, 5, TEST_NOW - timedelta(minutes=3)))
    assert note("Silent sit") is None  # moderate: the page says nothing
    orm.run(store_checkin(alice.id, 7, TEST_NOW - timedelta(minutes=2)))
    found = note("Silent sit")
    assert found is not None
    assert (found.anxiety, found.tier) == (7, "gentle")
    assert note("Chair yoga") is None  # gentle enough at 7
    orm.run(store_checkin(alice.id, 8, TEST_NOW - timedelta(minutes=1)))
    assert note("Chair yoga") is not None  # not what the support panel offers
    assert note("Slow exhale") is None


class Fits:
    """A `ClinicFits` on a clock the test moves by hand, asked for the published catalog's fit."""

    def __init__(self, orm: Orm, *, check_every: int = clinic_fits.CHECK_EVERY_LISTS) -> None:
        self.orm = orm
        self.seconds = 0.0
        self.fits = ClinicFits(clock=lambda: self.seconds, check_every=check_every)
        self.token, self.facts = orm.run(gather.published_catalog())

    def at(self, seconds: float) -> Fit:
        self.seconds = seconds
        return self.orm.run(self.fits.model(self.token, self.facts))


def rate(orm: Orm, patient: User, session_id: int, hours_ago: float) -> int:
    return orm.run(
        store_rated_practice(
            patient.id, session_id, TEST_NOW - timedelta(hours=hours_ago), before=6, after=3
        )
    )


def test_a_few_new_ratings_wait_for_the_fit_to_settle_then_refit(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    for hours_ago in range(40, 0, -2):
        rate(orm, alice, catalog["Slow exhale"], hours_ago)
    fits = Fits(orm)

    first = fits.at(0)
    rate(orm, alice, catalog["Chair yoga"], 1)  # 2 more ratings on 40: under 5%
    kept = fits.at(599)  # counted, not due
    still_kept = fits.at(603.9)  # old enough, but counted under 5 s ago
    refitted = fits.at(604)

    assert (first.model.ratings, first.generation) == (20, 1)
    assert kept is first
    assert still_kept is first
    assert (refitted.model.ratings, refitted.generation) == (21, 2)


def test_ratings_that_grow_the_clinic_by_a_share_refit_at_the_next_check(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    rate(orm, alice, catalog["Slow exhale"], 30)
    fits = Fits(orm)
    first = fits.at(0)

    rate(orm, alice, catalog["Chair yoga"], 20)
    rate(orm, alice, catalog["Slow exhale"], 10)  # 4 new ratings on 2
    within_the_check_interval = fits.at(4.9)
    refitted = fits.at(5)

    assert first.model.ratings == 1
    assert within_the_check_interval is first
    assert (refitted.model.ratings, refitted.generation) == (3, 2)


def test_a_busy_clinic_is_counted_every_so_many_lists_before_the_seconds_pass(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    rate(orm, alice, catalog["Slow exhale"], 30)
    fits = Fits(orm, check_every=3)
    first = fits.at(0)  # the first list asked for

    rate(orm, alice, catalog["Chair yoga"], 20)
    rate(orm, alice, catalog["Slow exhale"], 10)
    asked = [fits.at(0) for _ in range(3)]  # the third since the count is counted again

    assert asked[0] is first
    assert asked[1] is first
    assert (asked[2].model.ratings, asked[2].generation) == (3, 2)


def test_while_one_request_refits_the_others_answer_from_the_old_fit(
    orm: Orm, catalog: dict[str, int], alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    rate(orm, alice, catalog["Slow exhale"], 30)
    fits = Fits(orm)
    first = fits.at(0)
    rate(orm, alice, catalog["Chair yoga"], 20)
    rate(orm, alice, catalog["Slow exhale"], 10)  # a refit is due at the next count
    started, release = threading.Event(), threading.Event()

    def held_fit(*args: Any, **kwargs: Any) -> ClinicModel:
        started.set()
        release.wait(10)
        return fit_clinic(*args, **kwargs)

    monkeypatch.setattr(clinic_fits, "fit_clinic", held_fit)

    async def two_requests() -> tuple[Fit, Fit]:
        fits.seconds = 5
        refitting = asyncio.create_task(fits.fits.model(fits.token, fits.facts))
        await asyncio.to_thread(started.wait, 10)  # the refit is under way, holding the lock
        meanwhile = await fits.fits.model(fits.token, fits.facts)
        release.set()
        return meanwhile, await refitting

    meanwhile, refitted = orm.run(two_requests())

    assert meanwhile is first
    assert (refitted.model.ratings, refitted.generation) == (3, 2)
    assert fits.at(5) is refitted


def test_an_unchanged_clinic_keeps_its_fit_however_old(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    rate(orm, alice, catalog["Slow exhale"], 30)
    fits = Fits(orm)
    first = fits.at(0)
    orm.run(store_checkin(alice.id, 4, TEST_NOW))  # a quick check-in rates no session

    assert fits.at(86_400) is first


def test_deleted_ratings_refit_at_the_next_check(
    orm: Orm, catalog: dict[str, int], alice: User
) -> None:
    rate(orm, alice, catalog["Slow exhale"], 30)
    erased = rate(orm, alice, catalog["Chair yoga"], 20)
    fits = Fits(orm)
    first = fits.at(0)

    orm.run(PracticeLog.filter(id=erased).delete())
    refitted = fits.at(5)

    assert first.model.ratings == 2
    assert (refitted.model.ratings, refitted.generation) == (1, 2)


def test_a_catalog_change_starts_a_new_fit(orm: Orm, catalog: dict[str, int]) -> None:
    fits = ClinicFits()
    token, facts = orm.run(gather.published_catalog())
    first = orm.run(fits.model(token, facts))
    orm.run(PracticeSession.filter(id=catalog["Chair yoga"]).update(title="Chair yoga, gently"))

    new_token, new_facts = orm.run(gather.published_catalog())
    second = orm.run(fits.model(new_token, new_facts))

    assert new_token != token
    assert "Chair yoga, gently" in {item.title for item in new_facts}
    assert second is not first
    assert second.generation == 2
