"""A practice begun without a before rating adopts a quick check-in made minutes before it:
every reader of a practice's ratings sees it as the before rating, and the check-in itself
stays a check-in."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.services.conftest import Orm
from tests.services.test_practice_races import make_patient, ten_minute_session
from wellness.accounts.models import User
from wellness.care.models import Alert
from wellness.care.policy import AlertReason
from wellness.caseload import daily_plan, record
from wellness.catalog.kinds import Kind
from wellness.checkins import services as checkins
from wellness.checkins.models import Checkin
from wellness.checkins.scoring import CheckinContext
from wellness.practice import progress
from wellness.practice import services as practice
from wellness.settings import CarePolicy
from wellness.suggestions.services import context as suggestion_context
from wellness.suggestions.services import review

NOW = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
POLICY = CarePolicy()  # adopts a check-in up to 15 minutes old


def _patient_and_session(orm: Orm) -> tuple[User, int]:
    return make_patient(orm), orm.run(ten_minute_session())


def _check_in(orm: Orm, patient: User, level: int, minutes_before: float) -> Checkin:
    entry = checkins.CheckinInput(
        level=level, note="shaky", occurred_at=NOW - timedelta(minutes=minutes_before)
    )
    return orm.run(checkins.record_checkin(patient, entry, policy=POLICY, now=NOW)).checkin


def _log(
    orm: Orm,
    patient: User,
    session_id: int,
    *,
    before: int | None = None,
    after: int | None = 4,
    started_at: datetime = NOW,
    policy: CarePolicy = POLICY,
) -> practice.Logged:
    entry = practice.PracticeInput(
        started_at=started_at,
        listened_seconds=600,
        session_id=session_id,
        anxiety_before=before,
        anxiety_after=after,
    )
    return orm.run(
        practice.log_practice(patient, entry, policy=policy, now=NOW + timedelta(minutes=11))
    )


def _ratings(orm: Orm, logged: practice.Logged) -> tuple[int | None, int | None]:
    return orm.run(checkins.session_ratings(logged.practice.id))


def test_a_recent_check_in_is_the_before_rating_and_stays_a_check_in(any_orm: Orm) -> None:
    patient, session_id = _patient_and_session(any_orm)
    checkin = _check_in(any_orm, patient, 7, minutes_before=4)

    logged = _log(any_orm, patient, session_id, after=4)

    assert _ratings(any_orm, logged) == (7, 4)
    stored = any_orm.run(Checkin.get(id=checkin.id))
    assert (stored.context, stored.level, stored.note, stored.occurred_at) == (
        CheckinContext.QUICK,
        7,
        "shaky",
        checkin.occurred_at,
    )
    assert stored.practice_id == logged.practice.id
    # One rating given, one stored: nothing was copied.
    assert any_orm.run(Checkin.filter(patient_id=patient.id).count()) == 2


def test_every_reader_of_a_practices_ratings_sees_the_adopted_check_in(any_orm: Orm) -> None:
    patient, session_id = _patient_and_session(any_orm)
    _check_in(any_orm, patient, 7, minutes_before=2)
    logged = _log(any_orm, patient, session_id, after=4)

    found = assert_every_reader_sees(any_orm, patient, logged, (7, 4), NOW + timedelta(hours=1))
    history = any_orm.run(record.practice_history(patient, policy=POLICY)).items
    assert [entry.from_checkins for entry in history] == [(CheckinContext.BEFORE_SESSION,)]
    assert history[0].from_checkins_label == "before from a check-in"
    # The check-in is still on the timeline as the check-in it was.
    assert [level for _, level in found.checkins] == [7]


def assert_every_reader_sees(
    orm: Orm, patient: User, logged: practice.Logged, ratings: tuple[int, int], later: datetime
) -> progress.Progress:
    """Every reader of a practice's before/after pair (the engine, the therapist's record and
    "what helps", the plan, the off-policy review, the progress page) sees `ratings`; answers
    the progress page's data for more checks."""
    session_id, practice_id = logged.practice.session_id, logged.practice.id
    before, after = ratings
    engine = orm.run(suggestion_context.rated_practices(patient.id))
    assert [(r.session_id, r.before, r.after) for r in engine] == [(session_id, before, after)]
    history = orm.run(record.practice_history(patient, policy=POLICY))
    assert [(entry.before, entry.after) for entry in history.items] == [ratings]
    helped = orm.run(record.rated_practice(patient, policy=POLICY))
    assert [(r.before, r.after) for r in helped] == [ratings]
    assert orm.run(daily_plan._changes_by_session(patient.id)) == {session_id: before - after}
    assert orm.run(review._changes([practice_id])) == {practice_id: after - before}
    found = orm.run(progress.progress_for(patient, policy=POLICY, now=later))
    assert [(b, a) for _, b, a in found.pairs] == [ratings]
    return found


def test_an_after_rating_markedly_worse_than_the_adopted_check_in_raises_an_alert(
    any_orm: Orm,
) -> None:
    patient, session_id = _patient_and_session(any_orm)
    _check_in(any_orm, patient, 3, minutes_before=5)

    logged = _log(any_orm, patient, session_id, after=6)

    assert [alert.reason for alert in logged.alerts] == [AlertReason.WORSE_AFTER_SESSION]


def test_the_player_adopts_it_at_start_and_judges_the_after_rating_against_it(
    any_orm: Orm,
) -> None:
    patient, session_id = _patient_and_session(any_orm)
    _check_in(any_orm, patient, 2, minutes_before=1)

    started = any_orm.run(
        practice.start_playback(patient, session_id, anxiety_before=None, policy=POLICY, now=NOW)
    )
    rated = any_orm.run(practice.rate_after(started.practice, 6, policy=POLICY, now=NOW))

    assert _ratings(any_orm, started) == (2, 6)
    assert [alert.reason for alert in rated.alerts] == [AlertReason.WORSE_AFTER_SESSION]
    assert any_orm.run(practice.has_after_rating(started.practice))


@pytest.mark.parametrize(
    ("minutes_before", "adopted"),
    [(0, True), (15, True), (15.02, False), (40, False), (-0.5, True), (-1.5, False)],
    ids=[
        "at-the-start",
        "at-the-limit",
        "just-older",
        "long-before",
        "within-the-clock-slack",
        "after-the-start",
    ],
)
def test_only_a_check_in_within_the_window_before_the_start_counts(
    orm: Orm, minutes_before: float, adopted: bool
) -> None:
    patient, session_id = _patient_and_session(orm)
    _check_in(orm, patient, 7, minutes_before=minutes_before)

    logged = _log(orm, patient, session_id, after=4)

    assert _ratings(orm, logged) == ((7 if adopted else None), 4)
    linked = orm.run(
        Checkin.filter(context=CheckinContext.QUICK, practice_id__isnull=False).count()
    )
    assert linked == int(adopted)


def test_a_given_before_rating_leaves_the_check_in_alone(orm: Orm) -> None:
    patient, session_id = _patient_and_session(orm)
    checkin = _check_in(orm, patient, 7, minutes_before=3)

    logged = _log(orm, patient, session_id, before=5, after=4)

    assert _ratings(orm, logged) == (5, 4)
    assert orm.run(Checkin.get(id=checkin.id)).practice_id is None


def test_a_clinic_can_turn_it_off(orm: Orm) -> None:
    patient, session_id = _patient_and_session(orm)
    checkin = _check_in(orm, patient, 7, minutes_before=3)

    logged = _log(orm, patient, session_id, policy=CarePolicy(checkin_as_before_minutes=0))

    assert _ratings(orm, logged) == (None, 4)
    assert orm.run(Checkin.get(id=checkin.id)).practice_id is None


def test_a_newer_rating_around_another_practice_is_not_taken_nor_what_came_before_it(
    orm: Orm,
) -> None:
    patient, session_id = _patient_and_session(orm)
    _check_in(orm, patient, 7, minutes_before=14)
    first = _log(
        orm, patient, session_id, before=6, after=5, started_at=NOW - timedelta(minutes=12)
    )
    # `first` was rated after at NOW - 2 min: the latest rating is that one, not the check-in.
    second = _log(orm, patient, session_id, after=3)

    assert _ratings(orm, first) == (6, 5)
    assert _ratings(orm, second) == (None, 3)
    quick = orm.run(Checkin.filter(context=CheckinContext.QUICK).first())
    assert quick is not None
    assert quick.practice_id is None


def test_a_check_in_is_one_practices_before_rating_only(orm: Orm) -> None:
    patient, session_id = _patient_and_session(orm)
    _check_in(orm, patient, 7, minutes_before=5)

    first = _log(orm, patient, session_id, after=None, started_at=NOW - timedelta(minutes=2))
    second = _log(orm, patient, session_id, after=None)

    assert _ratings(orm, first) == (7, None)
    assert _ratings(orm, second) == (None, None)


def test_another_patients_check_in_is_never_taken(orm: Orm) -> None:
    patient = make_patient(orm)
    other = make_patient(orm, "someone.else@example.org", "Someone Else")
    session_id = orm.run(ten_minute_session())
    theirs = _check_in(orm, other, 9, minutes_before=1)

    logged = _log(orm, patient, session_id, after=4)

    assert _ratings(orm, logged) == (None, 4)
    assert orm.run(Checkin.get(id=theirs.id)).practice_id is None


def test_a_kind_only_practice_adopts_it_too(orm: Orm) -> None:
    patient = make_patient(orm)
    _check_in(orm, patient, 6, minutes_before=5)
    entry = practice.PracticeInput(
        started_at=NOW, listened_seconds=1200, kind=Kind.YOGA, completed=True, anxiety_after=3
    )

    logged = orm.run(practice.log_practice(patient, entry, policy=POLICY, now=NOW))

    assert _ratings(orm, logged) == (6, 3)


def test_two_practices_begun_at_once_share_no_check_in(any_orm: Orm) -> None:
    patient, session_id = _patient_and_session(any_orm)
    _check_in(any_orm, patient, 7, minutes_before=3)

    async def race() -> list[practice.Logged]:
        starts = [
            practice.start_playback(
                patient, session_id, anxiety_before=None, policy=POLICY, now=NOW
            )
            for _ in range(4)
        ]
        return list(await asyncio.gather(*starts))

    started = any_orm.run(race())

    befores = [any_orm.run(checkins.session_ratings(s.practice.id))[0] for s in started]
    assert sorted(befores, key=lambda level: level is None) == [7, None, None, None]
    assert any_orm.run(Alert.all().count()) == 0


def test_an_adoption_moves_the_clinics_ratings_mark_so_the_next_fit_sees_it(orm: Orm) -> None:
    patient, session_id = _patient_and_session(orm)
    _check_in(orm, patient, 7, minutes_before=3)
    before = orm.run(suggestion_context.clinic_ratings_mark())

    _log(orm, patient, session_id, after=None)
    after = orm.run(suggestion_context.clinic_ratings_mark())

    assert (before.count, after.count) == (0, 1)
    assert after.id_sum > before.id_sum
