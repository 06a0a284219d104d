"""A quick check-in made just after a session played here counts as its after rating: every
reader of a practice's ratings sees it, the check-in stays a check-in, and it can still be the
next practice's before rating. A practice logged afterwards is never rated by a later check-in."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.services.conftest import Orm
from tests.services.test_checkin_as_before import assert_every_reader_sees
from tests.services.test_practice_races import make_patient, ten_minute_session
from wellness.accounts.models import User
from wellness.care.models import Alert
from wellness.care.policy import AlertReason
from wellness.caseload import record
from wellness.catalog.kinds import Kind
from wellness.checkins import services as checkins
from wellness.checkins.models import Checkin
from wellness.checkins.scoring import CheckinContext
from wellness.practice import checkin_as_after
from wellness.practice import services as practice
from wellness.settings import CarePolicy
from wellness.suggestions.services import context as suggestion_context

START = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
END = START + timedelta(minutes=10)  # the ten-minute session, heard whole
POLICY = CarePolicy()  # an after rating from a check-in up to 15 minutes after the end


def _patient_and_session(orm: Orm) -> tuple[User, int]:
    return make_patient(orm), orm.run(ten_minute_session())


def _check_in(
    orm: Orm, patient: User, level: int, at: datetime, *, policy: CarePolicy = POLICY
) -> checkins.Recorded:
    entry = checkins.CheckinInput(level=level, note="after yoga")
    return orm.run(checkin_as_after.record_checkin(patient, entry, policy=policy, now=at))


def _play(
    orm: Orm,
    patient: User,
    session_id: int,
    *,
    before: int | None = None,
    started_at: datetime = START,
    listened_seconds: int = 600,
) -> practice.Logged:
    """The session played here from `started_at`, its player's last report `listened_seconds`
    later (the whole ten minutes by default: the practice ends at END)."""
    started = orm.run(
        practice.start_playback(
            patient, session_id, anxiety_before=before, policy=POLICY, now=started_at
        )
    )
    reported_at = started_at + timedelta(seconds=listened_seconds)
    orm.run(
        practice.report_progress(started.practice, listened_seconds, policy=POLICY, now=reported_at)
    )
    return started


def _log(
    orm: Orm,
    patient: User,
    session_id: int,
    *,
    before: int | None = None,
    after: int | None = None,
    started_at: datetime = START,
    listened_seconds: int = 600,
    arrives_at: datetime = END,
) -> practice.Logged:
    entry = practice.PracticeInput(
        started_at=started_at,
        listened_seconds=listened_seconds,
        session_id=session_id,
        anxiety_before=before,
        anxiety_after=after,
    )
    return orm.run(practice.log_practice(patient, entry, policy=POLICY, now=arrives_at))


def _ratings(orm: Orm, logged: practice.Logged) -> tuple[int | None, int | None]:
    return orm.run(checkins.session_ratings(logged.practice.id))


def test_a_check_in_just_after_is_the_after_rating_and_stays_a_check_in(any_orm: Orm) -> None:
    patient, session_id = _patient_and_session(any_orm)
    logged = _play(any_orm, patient, session_id, before=7)

    recorded = _check_in(any_orm, patient, 4, END + timedelta(minutes=5))

    assert recorded.counted_after == logged.practice.id
    assert _ratings(any_orm, logged) == (7, 4)
    stored = any_orm.run(Checkin.get(id=recorded.checkin.id))
    assert (stored.context, stored.level, stored.note, stored.practice_id) == (
        CheckinContext.QUICK,
        4,
        "after yoga",
        None,
    )
    # The patient's own lists show the check-in once, and say what it counted for.
    shown = any_orm.run(checkins.checkin_history(patient))
    assert [(item.context, item.level) for item in shown.items] == [
        (CheckinContext.QUICK, 4),
        (CheckinContext.BEFORE_SESSION, 7),
    ]
    assert [item.id for item in any_orm.run(checkins.latest_checkins(patient))] == [
        item.id for item in shown.items
    ]
    assert any_orm.run(checkins.practices_closed_by([recorded.checkin.id])) == {
        recorded.checkin.id: logged.practice.id
    }
    assert any_orm.run(checkins.recent_checkins(patient)).counted_after == {recorded.checkin.id}


def test_every_reader_of_a_practices_ratings_sees_it(any_orm: Orm) -> None:
    patient, session_id = _patient_and_session(any_orm)
    logged = _play(any_orm, patient, session_id, before=7)
    _check_in(any_orm, patient, 4, END + timedelta(minutes=2))

    found = assert_every_reader_sees(any_orm, patient, logged, (7, 4), END + timedelta(hours=1))
    history = any_orm.run(record.practice_history(patient, policy=POLICY)).items
    assert [entry.from_checkins for entry in history] == [(CheckinContext.AFTER_SESSION,)]
    # The check-in is on the timeline once, as the check-in it was.
    assert [level for _, level in found.checkins] == [4]


def test_one_check_in_closes_a_practice_and_opens_the_next(any_orm: Orm) -> None:
    """Check in, practise, check in, practise, check in: two rated practices, three ratings."""
    patient, session_id = _patient_and_session(any_orm)
    _check_in(any_orm, patient, 8, START - timedelta(minutes=3))
    first = _play(any_orm, patient, session_id)
    between = _check_in(any_orm, patient, 6, END + timedelta(minutes=1))
    second_start = END + timedelta(minutes=3)
    second = _play(any_orm, patient, session_id, started_at=second_start)
    _check_in(any_orm, patient, 3, second_start + timedelta(minutes=12))

    assert _ratings(any_orm, first) == (8, 6)
    assert _ratings(any_orm, second) == (6, 3)
    # The therapist's record says where each rating came from.
    history = any_orm.run(record.practice_history(patient, policy=POLICY)).items
    assert [entry.from_checkins_label for entry in history] == [
        "before and after from a check-in",
        "before and after from a check-in",
    ]
    assert any_orm.run(Checkin.get(id=between.checkin.id)).practice_id == second.practice.id
    engine = any_orm.run(suggestion_context.rated_practices(patient.id))
    assert sorted((r.before, r.after) for r in engine) == [(6, 3), (8, 6)]


@pytest.mark.parametrize(
    ("minutes_after_end", "adopted"),
    [(0, True), (15, True), (15.02, False), (60, False), (-1, True), (-5, False), (-10, False)],
    ids=[
        "at-the-end",
        "at-the-limit",
        "just-later",
        "long-after",
        "a-clock-a-minute-ahead",
        "during-it",
        "at-its-start",
    ],
)
def test_only_a_check_in_from_its_end_to_the_window_after_it_counts(
    orm: Orm, minutes_after_end: float, adopted: bool
) -> None:
    patient, session_id = _patient_and_session(orm)
    logged = _play(orm, patient, session_id, before=7)
    at = END + timedelta(minutes=minutes_after_end)

    recorded = _check_in(orm, patient, 4, at)

    assert _ratings(orm, logged) == (7, 4 if adopted else None)
    assert (recorded.counted_after is not None) is adopted


def test_a_clinic_can_turn_it_off(orm: Orm) -> None:
    patient, session_id = _patient_and_session(orm)
    logged = _play(orm, patient, session_id, before=7)

    recorded = _check_in(
        orm, patient, 4, END + timedelta(minutes=2), policy=CarePolicy(checkin_as_after_minutes=0)
    )

    assert recorded.counted_after is None
    assert _ratings(orm, logged) == (7, None)


def test_a_practice_not_completed_or_already_rated_after_is_left_alone(orm: Orm) -> None:
    patient, session_id = _patient_and_session(orm)
    barely = _play(orm, patient, session_id, before=7, listened_seconds=30)
    _check_in(orm, patient, 4, START + timedelta(minutes=5))
    rated = _play(orm, patient, session_id, started_at=END)
    orm.run(practice.rate_after(rated.practice, 5, policy=POLICY, now=END + timedelta(minutes=10)))
    _check_in(orm, patient, 2, END + timedelta(minutes=12))

    assert _ratings(orm, barely) == (7, None)
    # That check-in became the next practice's before rating instead, five minutes ahead of it.
    assert _ratings(orm, rated) == (4, 5)
    assert orm.run(Checkin.filter(adopted_from_id__isnull=False).count()) == 0


def test_only_the_latest_practice_can_take_it(orm: Orm) -> None:
    patient, session_id = _patient_and_session(orm)
    earlier = _play(orm, patient, session_id, before=7, started_at=START - timedelta(minutes=5))
    latest = _log(orm, patient, session_id, listened_seconds=30)

    _check_in(orm, patient, 4, END + timedelta(minutes=1))

    assert _ratings(orm, earlier) == (7, None)
    assert _ratings(orm, latest) == (None, None)


@pytest.mark.parametrize("arrives", ["at-its-end", "hours-later"])
def test_a_practice_logged_afterwards_is_never_rated_by_a_later_check_in(
    orm: Orm, arrives: str
) -> None:
    """Logged once it was over, it came with its after rating or none: a check-in after it
    rates a new moment (a client's clock says nothing of when the patient felt it)."""
    patient, session_id = _patient_and_session(orm)
    arrived = END if arrives == "at-its-end" else END + timedelta(hours=3)
    logged = _log(orm, patient, session_id, before=7, arrives_at=arrived)

    recorded = _check_in(orm, patient, 4, arrived + timedelta(minutes=1))

    assert recorded.counted_after is None
    assert _ratings(orm, logged) == (7, None)


def test_a_logged_kind_only_practice_is_not_rated_by_a_later_check_in_either(orm: Orm) -> None:
    patient = make_patient(orm)
    entry = practice.PracticeInput(
        started_at=START, listened_seconds=1200, kind=Kind.YOGA, completed=True, anxiety_before=6
    )
    logged = orm.run(practice.log_practice(patient, entry, policy=POLICY, now=START))

    _check_in(orm, patient, 3, START + timedelta(minutes=25))

    assert _ratings(orm, logged) == (6, None)


def test_another_patients_practice_is_never_closed(orm: Orm) -> None:
    patient, session_id = _patient_and_session(orm)
    other = make_patient(orm, "someone.else@example.org", "Someone Else")
    logged = _play(orm, patient, session_id, before=7)

    recorded = _check_in(orm, other, 2, END + timedelta(minutes=1))

    assert recorded.counted_after is None
    assert _ratings(orm, logged) == (7, None)


def test_it_raises_only_the_worse_after_alert_a_high_check_in_has_not(any_orm: Orm) -> None:
    patient, session_id = _patient_and_session(any_orm)
    _play(any_orm, patient, session_id, before=3)

    recorded = _check_in(any_orm, patient, 9, END + timedelta(minutes=1))

    # High on its own (the check-in's alert) and markedly worse than before (the practice's).
    assert sorted(alert.reason for alert in recorded.alerts) == sorted(
        [AlertReason.HIGH_DISTRESS, AlertReason.WORSE_AFTER_SESSION]
    )
    stored = any_orm.run(Alert.all())
    assert len(stored) == 2
    assert {alert.source_id for alert in stored} == {recorded.checkin.id}


def test_the_patients_own_after_rating_replaces_the_check_in(any_orm: Orm) -> None:
    patient, session_id = _patient_and_session(any_orm)
    started = any_orm.run(
        practice.start_playback(patient, session_id, anxiety_before=6, policy=POLICY, now=START)
    )
    any_orm.run(practice.report_progress(started.practice, 600, policy=POLICY, now=END))
    recorded = _check_in(any_orm, patient, 4, END + timedelta(minutes=2))
    assert recorded.counted_after == started.practice.id
    assert any_orm.run(practice.has_after_rating(started.practice))

    rated = any_orm.run(
        practice.rate_after(started.practice, 3, policy=POLICY, now=END + timedelta(minutes=3))
    )

    assert (rated.before, rated.after) == (6, 3)
    assert _ratings(any_orm, started) == (6, 3)
    assert any_orm.run(Checkin.filter(adopted_from_id__isnull=False).count()) == 0
    assert any_orm.run(Checkin.get(id=recorded.checkin.id)).level == 4


def test_a_session_played_here_ends_at_its_last_report_pauses_included(orm: Orm) -> None:
    patient, session_id = _patient_and_session(orm)
    started = orm.run(
        practice.start_playback(patient, session_id, anxiety_before=6, policy=POLICY, now=START)
    )
    # Ten minutes heard over forty: the player's last report is the end, not START + 10 min.
    finished = START + timedelta(minutes=40)
    orm.run(practice.report_progress(started.practice, 600, policy=POLICY, now=finished))

    recorded = _check_in(orm, patient, 4, finished + timedelta(minutes=10))

    assert recorded.counted_after == started.practice.id


def test_two_check_ins_at_once_give_the_practice_one_after_rating(any_orm: Orm) -> None:
    patient, session_id = _patient_and_session(any_orm)
    logged = _play(any_orm, patient, session_id, before=7)
    at = END + timedelta(minutes=1)

    async def race() -> list[checkins.Recorded]:
        entries = [checkins.CheckinInput(level=level) for level in (2, 3, 4, 5)]
        return list(
            await asyncio.gather(
                *(
                    checkin_as_after.record_checkin(patient, e, policy=POLICY, now=at)
                    for e in entries
                )
            )
        )

    recorded = any_orm.run(race())

    closing = [r for r in recorded if r.counted_after is not None]
    assert len(closing) == 1
    assert _ratings(any_orm, logged) == (7, closing[0].checkin.level)
    assert any_orm.run(Checkin.filter(adopted_from_id__isnull=False).count()) == 1


def test_a_check_in_racing_the_players_after_rating_leaves_the_players(any_orm: Orm) -> None:
    """Whichever comes first, the rating given in the player stands and no copy is left: the
    two lock the practice in the same order (no deadlock on PostgreSQL)."""
    patient, session_id = _patient_and_session(any_orm)
    started = any_orm.run(
        practice.start_playback(patient, session_id, anxiety_before=6, policy=POLICY, now=START)
    )
    any_orm.run(practice.report_progress(started.practice, 600, policy=POLICY, now=END))
    at = END + timedelta(minutes=1)

    async def race() -> tuple[practice.Logged, checkins.Recorded]:
        entry = checkins.CheckinInput(level=4)
        return await asyncio.gather(
            practice.rate_after(started.practice, 2, policy=POLICY, now=at),
            checkin_as_after.record_checkin(patient, entry, policy=POLICY, now=at),
        )

    rated, checked = any_orm.run(race())

    assert (rated.before, rated.after) == (6, 2)
    assert _ratings(any_orm, started) == (6, 2)
    assert any_orm.run(Checkin.filter(adopted_from_id__isnull=False).count()) == 0
    assert any_orm.run(Checkin.get(id=checked.checkin.id)).level == 4
