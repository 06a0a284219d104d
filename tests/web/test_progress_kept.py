"""The progress page served from what is kept (its figures, and its charts' HTML with them) is
the page computed afresh, byte for byte: for several histories, after each kind of write made
through the app or through another connection, and across the day boundaries (midnight, the
rollover hour, both DST changes) east and west of UTC. Nobody else's kept page is ever served.

Only each answer's own CSRF field differs between two views of a page; it is blanked first.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta

import pytest
from httpx import Response

from tests.caseload_fixtures import published
from tests.conftest import PERSONAS, TEST_NOW, Client
from tests.services.test_progress_kept import nothing_kept
from tests.unit.test_day_semantics import earlier
from tests.web.test_progress_hours import local
from wellness.accounts.models import User
from wellness.checkins.models import Checkin, Gad7Response
from wellness.checkins.scoring import CheckinContext
from wellness.lib.clock import FixedClock
from wellness.practice.models import PracticeLog
from wellness.practice.rules import Evidence

CSRF = re.compile(rb'name="_csrf_token" value="[^"]*"')


def page_bytes(client: Client, path: str = "/progress") -> bytes:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 200, response.text
    return CSRF.sub(b'name="_csrf_token" value=""', response.content)


def kept_and_fresh(client: Client, path: str = "/progress") -> tuple[bytes, bytes]:
    """The page as served now (from what is kept, if anything), then computed afresh."""
    served = page_bytes(client, path)
    with nothing_kept():
        return served, page_bytes(client, path)


def written(client: Client, response: Response) -> int:
    """A write's status, after the page it leads to has shown its message (once)."""
    if response.status_code == 303:
        client.get(response.headers["location"])
    return response.status_code


def assert_kept_is_fresh(client: Client, path: str = "/progress") -> bytes:
    served, fresh = kept_and_fresh(client, path)
    assert served == fresh
    return served


# --- histories -------------------------------------------------------------------------------


async def _nothing(patient: User) -> None:
    return None


async def _practice(patient: User, days: int = 60, *, session_id: int | None = None) -> None:
    """An evening practice on most days (a yoga class logged, or a session played here)."""
    logs = []
    for back in range(days, 0, -1):
        if back % 5 == 0:
            continue
        evening = TEST_NOW.replace(hour=18) - timedelta(days=back)
        logs.append(
            PracticeLog(
                patient_id=patient.id,
                session_id=session_id if back % 3 else None,
                kind="breathing" if back % 3 else "yoga",
                evidence=Evidence.OBSERVED_PLAYBACK if back % 3 else Evidence.SELF_REPORT,
                started_at=evening,
                time_zone=patient.time_zone,
                listened_seconds=600 if back % 7 else 60,
                duration_seconds=600 if back % 3 else None,
                completed=bool(back % 7),
                created_at=evening,
                updated_at=evening,
            )
        )
    await PracticeLog.bulk_create(logs)


async def _ratings(patient: User, days: int = 60) -> None:
    """A quick check-in every morning, the GAD-7 every two weeks, and ratings around each
    practice there is."""
    ratings = [
        Checkin(
            patient_id=patient.id,
            level=(back * 7) % 11,
            occurred_at=TEST_NOW.replace(hour=7) - timedelta(days=back),
            recorded_at=TEST_NOW.replace(hour=7) - timedelta(days=back),
        )
        for back in range(days, 0, -1)
    ]
    for log in await PracticeLog.filter(patient_id=patient.id):
        for context, level in (
            (CheckinContext.BEFORE_SESSION, 6 + log.id % 4),
            (CheckinContext.AFTER_SESSION, 2 + log.id % 5),
        ):
            ratings.append(
                Checkin(
                    patient_id=patient.id,
                    level=level,
                    context=context,
                    practice_id=log.id,
                    occurred_at=log.started_at,
                    recorded_at=log.started_at,
                )
            )
    await Checkin.bulk_create(ratings)
    gad7 = [
        Gad7Response.scored(patient.id, [back % 4] * 7, occurred_at=TEST_NOW - timedelta(days=back))
        for back in range(days, 0, -14)
    ]
    await Gad7Response.bulk_create(gad7)


async def _ratings_only(patient: User) -> None:
    await _ratings(patient)


async def _practice_and_ratings(patient: User) -> None:
    session = await published("Evening Body Scan", minutes=10, now=TEST_NOW)
    await _practice(patient, 400, session_id=session.id)
    await _ratings(patient, 400)


HISTORIES: dict[str, Callable[[User], Awaitable[None]]] = {
    "nothing yet": _nothing,
    "practice only": _practice,
    "ratings only": _ratings_only,
    "a year of both": _practice_and_ratings,
}


@pytest.mark.parametrize("history", HISTORIES)
def test_a_kept_page_is_the_fresh_page_byte_for_byte(
    as_patient: Client, personas: dict[str, User], history: str
) -> None:
    patient = personas["patient"]
    as_patient.run(lambda: HISTORIES[history](patient))

    first = page_bytes(as_patient)
    again, fresh = kept_and_fresh(as_patient)
    second_page = assert_kept_is_fresh(as_patient, "/progress?practice_page=2")

    assert first == again == fresh
    assert b"Practice calendar" in first
    assert (b"No anxiety ratings" in first) is (history in {"nothing yet", "practice only"})
    assert b"Practice history" in second_page


def test_after_each_kind_of_write_the_page_shows_it_at_once(
    as_patient: Client, personas: dict[str, User], clock: FixedClock
) -> None:
    patient = personas["patient"]
    as_patient.run(lambda: _practice_and_ratings(patient))
    before = assert_kept_is_fresh(as_patient)

    checked_in = written(as_patient, as_patient.submit("/checkins", {"level": "9"}))
    after_checkin = assert_kept_is_fresh(as_patient)
    answered = written(as_patient, as_patient.submit("/gad7", {f"q{n}": "3" for n in range(7)}))
    after_gad7 = assert_kept_is_fresh(as_patient)
    logged = as_patient.post(
        "/api/v1/practice",
        json={
            "kind": "yoga",
            "started_at": earlier(clock.now(), minutes=50).isoformat(),
            "listened_seconds": 45 * 60,
            "completed": True,
            "anxiety_before": 8,
            "anxiety_after": 1,
        },
    )
    after_practice = assert_kept_is_fresh(as_patient)
    moved = written(
        as_patient, as_patient.submit("/account/time-zone", {"time_zone": "Asia/Tokyo"})
    )
    after_move = assert_kept_is_fresh(as_patient)
    hidden = written(as_patient, as_patient.submit("/account/streaks", {"hide": "true"}))
    without_streaks = assert_kept_is_fresh(as_patient)

    assert [checked_in, answered, logged.status_code, moved, hidden] == [
        303,
        303,
        201,
        303,
        303,
    ]
    pages = [before, after_checkin, after_gad7, after_practice, after_move, without_streaks]
    assert len(set(pages)) == len(pages)  # each write shows
    assert b": 9 out of 10" in after_checkin
    assert b"45" in after_practice
    assert b"(Asia/Tokyo)" in after_move
    assert b'id="streak-heading"' in after_move
    assert b'id="streak-heading"' not in without_streaks


def test_a_write_no_request_made_is_seen_at_once(
    as_patient: Client, personas: dict[str, User]
) -> None:
    """Written straight to the database, as another worker or the CLI would: nothing in this
    process is told, the database's triggers renew the change tokens."""
    patient = personas["patient"]
    as_patient.run(lambda: _practice_and_ratings(patient))
    before = assert_kept_is_fresh(as_patient)

    async def unplayed() -> None:
        await PracticeLog.filter(patient_id=patient.id).update(listened_seconds=0)

    as_patient.run(unplayed)
    after = assert_kept_is_fresh(as_patient)

    assert after != before


BOUNDARIES = [
    # (zone, the last view before, the view after): midnight, the rollover, both DST changes.
    ("Asia/Tokyo", local("Asia/Tokyo", date(2026, 12, 1), time(23, 59)), time(0, 0)),
    ("Pacific/Kiritimati", local("Pacific/Kiritimati", date(2026, 12, 2), time(2, 59)), time(3)),
    ("Pacific/Pago_Pago", local("Pacific/Pago_Pago", date(2026, 12, 1), time(23, 59)), time(0)),
    ("America/Los_Angeles", local("America/Los_Angeles", date(2026, 12, 2), time(2, 59)), time(3)),
    ("America/New_York", local("America/New_York", date(2026, 3, 8), time(1, 59)), time(3, 0)),
    ("America/New_York", local("America/New_York", date(2026, 10, 31), time(23, 59)), time(0)),
    ("Europe/Berlin", local("Europe/Berlin", date(2026, 3, 29), time(1, 59)), time(3, 1)),
    ("Europe/Berlin", local("Europe/Berlin", date(2026, 10, 25), time(2, 59)), time(3, 0)),
]


@pytest.mark.parametrize(
    ("zone", "last", "next_time"), BOUNDARIES, ids=lambda v: str(v).replace(" ", "T")
)
def test_a_page_kept_before_a_day_boundary_is_not_served_after_it(
    as_patient: Client,
    personas: dict[str, User],
    clock: FixedClock,
    zone: str,
    last: datetime,
    next_time: time,
) -> None:
    patient = personas["patient"]
    as_patient.run(lambda: User.filter(id=patient.id).update(time_zone=zone))
    clock.set(last)
    as_patient.login_as(PERSONAS["patient"])  # a session begun now, not days before
    as_patient.run(lambda: _practice_and_ratings(patient))
    before = assert_kept_is_fresh(as_patient)

    day = last.date() + timedelta(days=1) if next_time < last.time() else last.date()
    clock.set(local(zone, day, next_time))
    after = assert_kept_is_fresh(as_patient)

    assert after != before


def test_a_patients_kept_page_is_never_anyone_elses(
    client: Client, personas: dict[str, User]
) -> None:
    patient = personas["patient"]
    client.run(lambda: _practice_and_ratings(patient))
    client.login_as(PERSONAS["patient"])
    own = page_bytes(client)

    client.login_as(PERSONAS["other_patient"])
    others = assert_kept_is_fresh(client)
    refused = {}
    for key in ("therapist", "coordinator", "admin", None):
        client.login_as(PERSONAS[key] if key else None)
        refused[key] = client.get("/progress", follow_redirects=False)

    assert b"Evening Body Scan" in own
    assert b"Evening Body Scan" not in others
    assert b"No anxiety ratings" in others
    assert {key: r.status_code for key, r in refused.items()} == {
        "therapist": 403,
        "coordinator": 403,
        "admin": 403,
        None: 303,  # to sign in
    }
    assert all(b"Evening Body Scan" not in r.content for r in refused.values())
