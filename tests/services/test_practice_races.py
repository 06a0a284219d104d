"""Practice writes that arrive at the same moment: one after rating, progress only forwards."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from tests.services.conftest import Orm
from wellness.accounts import passwords
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care.models import Alert
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import MediaAsset, PracticeSession
from wellness.checkins import services as checkins
from wellness.checkins.models import Checkin
from wellness.lib.validation import FieldError
from wellness.practice import services as practice
from wellness.practice.models import PracticeLog
from wellness.settings import CarePolicy

NOW = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)


def make_patient(orm: Orm, email: str = "double.tap@example.org", name: str = "Double Tap") -> User:
    return orm.run(
        accounts.create_user(
            email=email,
            display_name=name,
            role=Role.PATIENT,
            password_hash=passwords.dummy_hash(),
        )
    )


async def ten_minute_session() -> int:
    asset = await MediaAsset.create(
        sha256="ab" * 32,
        size_bytes=1,
        container="mp3",
        mime_type="audio/mpeg",
        extension="mp3",
        duration_seconds=600.0,
        uploaded_at=NOW,
    )
    session = await PracticeSession.create(
        title="Ten minutes",
        kind=Kind.BREATHING,
        status=Status.PUBLISHED,
        primary_asset=asset,
        duration_seconds=600.0,
        created_at=NOW,
        updated_at=NOW,
        published_at=NOW,
    )
    return int(session.id)


def test_racing_after_ratings_store_one_and_refuse_the_rest(any_orm: Orm) -> None:
    patient = make_patient(any_orm)
    entry = practice.PracticeInput(
        started_at=NOW, listened_seconds=600, kind=Kind.YOGA, anxiety_before=2
    )
    logged = any_orm.run(practice.log_practice(patient, entry, policy=CarePolicy(), now=NOW))

    async def race() -> list[object]:
        ratings = [
            practice.rate_after(logged.practice, 9, policy=CarePolicy(), now=NOW) for _ in range(5)
        ]
        return await asyncio.gather(*ratings, return_exceptions=True)

    results = any_orm.run(race())

    assert sum(isinstance(result, practice.Logged) for result in results) == 1
    assert sum(isinstance(result, FieldError) for result in results) == 4
    assert any_orm.run(Checkin.filter(context="after_session").count()) == 1
    # One rating, so one pair of alerts: high distress and markedly worse than before.
    assert any_orm.run(Alert.all().count()) == 2


def test_racing_progress_reports_never_move_progress_backwards(any_orm: Orm) -> None:
    """A periodic report and the final one sent on page close can arrive together."""
    patient = make_patient(any_orm)
    session_id = any_orm.run(ten_minute_session())
    started = any_orm.run(
        practice.start_playback(
            patient, session_id, anxiety_before=None, policy=CarePolicy(), now=NOW
        )
    )
    later = NOW + timedelta(minutes=10)

    async def race() -> None:
        # Each request loads the record first, as the API does, then reports.
        ahead, behind = [await PracticeLog.get(id=started.practice.id) for _ in range(2)]
        await asyncio.gather(
            practice.report_progress(ahead, 500, policy=CarePolicy(), now=later),
            practice.report_progress(behind, 300, policy=CarePolicy(), now=later),
        )

    any_orm.run(race())

    stored = any_orm.run(PracticeLog.get(id=started.practice.id))
    assert (stored.listened_seconds, stored.completed) == (500, True)


def test_one_patients_different_care_writes_at_once_all_land(any_orm: Orm) -> None:
    """Every care write also renews the dashboard's care token (migration 0011) and practice
    writes the patient's practice token (0010): on PostgreSQL each locks a token row until
    commit, so writes taking them in opposite orders would deadlock and lose one. Starting a
    session with a rating, a progress report, an after rating, a quick check-in and a logged
    practice, all for one patient at once, must all be stored."""
    patient = make_patient(any_orm)
    session_id = any_orm.run(ten_minute_session())
    policy = CarePolicy()

    async def round_of_writes(number: int) -> Sequence[object]:
        moment = NOW + timedelta(minutes=number)
        playing = await practice.start_playback(
            patient, session_id, anxiety_before=3, policy=policy, now=moment
        )
        rated = await practice.log_practice(
            patient,
            practice.PracticeInput(started_at=moment, listened_seconds=600, kind=Kind.YOGA),
            policy=policy,
            now=moment,
        )
        later = moment + timedelta(seconds=30)
        return await asyncio.gather(
            practice.start_playback(
                patient, session_id, anxiety_before=4, policy=policy, now=later
            ),
            practice.report_progress(playing.practice, 400, policy=policy, now=later),
            practice.rate_after(rated.practice, 2, policy=policy, now=later),
            checkins.record_checkin(
                patient, checkins.CheckinInput(level=5), policy=policy, now=later
            ),
            practice.log_practice(
                patient,
                practice.PracticeInput(
                    started_at=later, listened_seconds=600, kind=Kind.BREATHING, anxiety_before=6
                ),
                policy=policy,
                now=later,
            ),
            return_exceptions=True,
        )

    failures = [
        result
        for number in range(8)
        for result in any_orm.run(round_of_writes(number))
        if isinstance(result, BaseException)
    ]

    assert failures == []
    assert any_orm.run(PracticeLog.filter(patient_id=patient.id).count()) == 8 * 4
    assert any_orm.run(Checkin.filter(context="quick").count()) == 8
