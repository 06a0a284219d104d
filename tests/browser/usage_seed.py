"""More use of the demo library, for the usage page's browser test: seven more patients who
played the demo's first breathing session (rated before and after), five who played its body
scan, and an archived session with a title a spreadsheet would run (`=...`).

Run in its own process (`python -m tests.browser.usage_seed DATABASE_URL NOW`): a sync
Playwright in the test process marks its event loop as running, so the test cannot seed itself.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timedelta

from wellness import db
from wellness.accounts import passwords
from wellness.accounts import services as accounts
from wellness.accounts.roles import Role
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import PracticeSession
from wellness.checkins.models import Checkin
from wellness.checkins.scoring import CheckinContext
from wellness.practice.models import PracticeLog
from wellness.practice.rules import Evidence

FORMULA_TITLE = '=HYPERLINK("http://example.org")'


async def _play(
    patient_id: int,
    session: PracticeSession,
    at: datetime,
    rating: tuple[int, int] | None,
    full: bool,
) -> None:
    length = session.duration_seconds
    practice = await PracticeLog.create(
        patient_id=patient_id,
        session_id=session.id,
        kind=session.kind,
        evidence=Evidence.OBSERVED_PLAYBACK,
        started_at=at,
        time_zone="Europe/Berlin",
        listened_seconds=int(length if full else length / 4),
        duration_seconds=length,
        completed=full,
        created_at=at,
        updated_at=at,
    )
    if rating is None:
        return
    for level, context in zip(
        rating, (CheckinContext.BEFORE_SESSION, CheckinContext.AFTER_SESSION), strict=True
    ):
        await Checkin.create(
            patient_id=patient_id,
            level=level,
            context=context,
            practice_id=practice.id,
            occurred_at=at,
            recorded_at=at,
        )


async def seed(database_url: str, now: datetime) -> None:
    await db.open_database(database_url)
    try:
        published = PracticeSession.filter(status=Status.PUBLISHED).order_by("title")
        breathing = await published.filter(kind=Kind.BREATHING).first()
        body_scan = await published.filter(kind=Kind.BODY_SCAN).first()
        assert breathing is not None
        assert body_scan is not None
        archived = await PracticeSession.create(
            title=FORMULA_TITLE,
            kind=Kind.MEDITATION,
            status=Status.ARCHIVED,
            duration_seconds=600.0,
            created_at=now - timedelta(days=90),
            updated_at=now - timedelta(days=5),
            published_at=now - timedelta(days=90),
        )
        dummy = passwords.dummy_hash()
        for number in range(7):
            patient = await accounts.create_user(
                email=f"usage.{number}@example.org",
                display_name=f"Usage Patient {number}",
                role=Role.PATIENT,
                time_zone="Europe/Berlin",
                password_hash=dummy,
            )
            for day in range(1, 4):
                at = now - timedelta(days=day * 3 + number % 3, hours=2)
                before = 7 - number % 3
                await _play(patient.id, breathing, at, (before, before - 2 - day % 2), day != 3)
            if number < 5:
                await _play(
                    patient.id, body_scan, now - timedelta(days=4 + number), None, number % 2 == 0
                )
            if number < 2:
                await _play(patient.id, archived, now - timedelta(days=10), (6, 5), True)
    finally:
        await db.close_database()


if __name__ == "__main__":
    asyncio.run(seed(sys.argv[1], datetime.fromisoformat(sys.argv[2])))
