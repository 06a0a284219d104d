"""Practice through the JSON API: logged, played and rated practice, streaks, and privacy."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import partial
from typing import Any

import pytest

from tests.conftest import PERSONAS, TEST_NOW, Client, count, flat
from wellness.accounts.models import User
from wellness.care.models import Alert
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import MediaAsset, PracticeSession
from wellness.checkins import services as checkins
from wellness.checkins.models import Checkin
from wellness.lib.clock import FixedClock
from wellness.practice.models import PracticeLog

TEN_MINUTES = 600.0


def stored_practice(client: Client, practice_id: int) -> PracticeLog:
    async def load() -> PracticeLog:
        return await PracticeLog.get(id=practice_id)

    return client.run(load)


def make_session(
    client: Client,
    *,
    status: Status = Status.PUBLISHED,
    kind: Kind = Kind.BREATHING,
    seconds: float = TEN_MINUTES,
) -> int:
    """A catalog session with a media file of `seconds`, made through the ORM."""

    async def create() -> int:
        now = TEST_NOW
        asset = await MediaAsset.create(
            sha256=secrets.token_hex(32),
            size_bytes=int(seconds * 16_000),
            container="mp3",
            mime_type="audio/mpeg",
            extension="mp3",
            duration_seconds=seconds,
            uploaded_at=now,
        )
        session = await PracticeSession.create(
            title="Six breaths a minute",
            kind=kind,
            status=status,
            primary_asset=asset,
            duration_seconds=seconds,
            created_at=now,
            updated_at=now,
            published_at=now if status is Status.PUBLISHED else None,
        )
        return int(session.id)

    return client.run(create)


def started_ago(client: Client, practice_id: int, seconds: float) -> None:
    """Pretend the playback began `seconds` ago (the app's clock keeps running normally)."""

    async def move() -> None:
        await PracticeLog.filter(id=practice_id).update(
            created_at=TEST_NOW - timedelta(seconds=seconds)
        )

    client.run(move)


def moment(**delta: float) -> str:
    return (TEST_NOW - timedelta(**delta)).isoformat()


def log(client: Client, **payload: Any) -> Any:
    body = {"started_at": moment(minutes=30), "listened_seconds": 600, **payload}
    return client.post("/api/v1/practice", json=body)


def start(client: Client, session_id: int, **payload: Any) -> Any:
    return client.post("/api/v1/practice/playback", json={"session_id": session_id, **payload})


def error_fields(response: Any) -> list[str]:
    return [error["field"] for error in response.json().get("errors", [])]


@pytest.fixture
def session_id(client: Client, personas: dict[str, User]) -> int:
    return make_session(client)


# --- POST /api/v1/practice: what the patient reports --------------------------------------------


def test_it_takes_the_kind_from_the_session_and_judges_completion_itself(
    as_patient: Client, personas: dict[str, User]
) -> None:
    session_id = make_session(as_patient, kind=Kind.BODY_SCAN)

    # 480 of 600 seconds is 80%: complete, although the client said it was not.
    response = log(as_patient, session_id=session_id, listened_seconds=480, completed=False)

    assert response.status_code == 201, response.text
    stored = stored_practice(as_patient, response.json()["practice"]["id"])
    assert stored.patient_id == personas["patient"].id
    assert stored.session_id == session_id
    assert stored.kind == "body_scan"
    assert stored.evidence == "self_report"
    assert (stored.listened_seconds, stored.duration_seconds, stored.completed) == (
        480,
        TEN_MINUTES,
        True,
    )
    body = response.json()["practice"]
    assert body["kind"] == "body_scan"
    assert body["evidence"] == "self_report"
    assert body["completed"] is True


def test_a_session_listened_under_80_percent_is_not_complete_whatever_the_client_says(
    as_patient: Client, session_id: int
) -> None:
    response = log(as_patient, session_id=session_id, listened_seconds=479, completed=True)

    assert response.status_code == 201, response.text
    stored = stored_practice(as_patient, response.json()["practice"]["id"])
    assert (stored.listened_seconds, stored.completed) == (479, False)
    assert response.json()["practice"]["completed"] is False


def test_it_logs_an_in_person_practice_by_kind(
    as_patient: Client, personas: dict[str, User]
) -> None:
    response = log(as_patient, kind="yoga", listened_seconds=45 * 60, completed=True)

    assert response.status_code == 201, response.text
    stored = stored_practice(as_patient, response.json()["practice"]["id"])
    assert stored.session_id is None
    assert stored.duration_seconds is None
    assert (stored.kind, stored.evidence, stored.completed) == ("yoga", "self_report", True)
    assert stored.listened_seconds == 45 * 60
    assert stored.time_zone == "Europe/Berlin"
    assert response.json()["practice"]["kind"] == "yoga"


def test_an_in_person_practice_of_zero_seconds_is_not_complete(as_patient: Client) -> None:
    response = log(as_patient, kind="yoga", listened_seconds=0, completed=True)

    assert response.status_code == 201
    assert stored_practice(as_patient, response.json()["practice"]["id"]).completed is False


def test_it_refuses_a_practice_with_neither_session_nor_kind(as_patient: Client) -> None:
    response = log(as_patient)

    assert response.status_code == 422, response.text
    assert error_fields(response) == ["session_id"]
    assert count(as_patient, PracticeLog) == 0


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ARCHIVED])
def test_it_refuses_a_session_patients_cannot_see(as_patient: Client, status: Status) -> None:
    hidden = make_session(as_patient, status=status)

    response = log(as_patient, session_id=hidden, listened_seconds=500)

    assert response.status_code == 422, response.text
    assert error_fields(response) == ["session_id"]
    assert count(as_patient, PracticeLog) == 0


def test_it_refuses_an_unknown_session(as_patient: Client) -> None:
    response = log(as_patient, session_id=999_999, listened_seconds=500)

    assert response.status_code == 422
    assert error_fields(response) == ["session_id"]
    assert count(as_patient, PracticeLog) == 0


def test_it_refuses_more_listening_than_the_media_lasts(
    as_patient: Client, session_id: int
) -> None:
    response = log(as_patient, session_id=session_id, listened_seconds=601)

    assert response.status_code == 422, response.text
    assert error_fields(response) == ["listened_seconds"]
    assert "600" in response.json()["errors"][0]["message"]
    assert count(as_patient, PracticeLog) == 0


@pytest.mark.parametrize(
    "started_at",
    [
        pytest.param("2026-11-24T10:00:00", id="naive"),
        pytest.param("in an hour", id="future"),
        pytest.param("15 days ago", id="older than the back-dating window"),
        pytest.param(17, id="not a time"),
    ],
)
def test_it_refuses_a_bad_start_time_naming_the_field(as_patient: Client, started_at: Any) -> None:
    if started_at == "in an hour":
        started_at = moment(hours=-1)
    elif started_at == "15 days ago":
        started_at = moment(days=15)

    response = log(as_patient, kind="yoga", started_at=started_at)

    assert response.status_code == 422, response.text
    assert error_fields(response) == ["started_at"]
    assert count(as_patient, PracticeLog) == 0


def test_a_queued_practice_from_13_days_ago_is_accepted(as_patient: Client) -> None:
    response = log(as_patient, kind="meditation", started_at=moment(days=13), completed=True)

    assert response.status_code == 201, response.text
    assert count(as_patient, PracticeLog, completed=True) == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "yoga", "listened_seconds": "600"}, "listened_seconds"),
        ({"kind": "yoga", "listened_seconds": -1}, "listened_seconds"),
        ({"kind": "juggling"}, "kind"),
        ({"kind": "yoga", "anxiety_before": 11}, "anxiety_before"),
        ({"kind": "yoga", "anxiety_after": 2.5}, "anxiety_after"),
        ({"kind": "yoga", "completed": 1}, "completed"),
        ({"kind": "yoga", "evidence": "staff_attested"}, "evidence"),
    ],
)
def test_it_refuses_malformed_practice_fields(
    as_patient: Client, payload: dict[str, Any], field: str
) -> None:
    response = log(as_patient, **payload)

    assert response.status_code == 422, response.text
    assert field in response.text
    assert count(as_patient, PracticeLog) == 0


def test_ratings_around_a_logged_practice_are_stored_as_linked_checkins(
    as_patient: Client, personas: dict[str, User], session_id: int
) -> None:
    response = log(
        as_patient, session_id=session_id, listened_seconds=600, anxiety_before=6, anxiety_after=3
    )

    assert response.status_code == 201, response.text
    practice_id = response.json()["practice"]["id"]
    ratings = as_patient.run(lambda: Checkin.filter(practice_id=practice_id).order_by("id"))
    assert [(rating.context, rating.level) for rating in ratings] == [
        ("before_session", 6),
        ("after_session", 3),
    ]
    assert {rating.patient_id for rating in ratings} == {personas["patient"].id}
    assert response.json()["alert_raised"] is False
    assert count(as_patient, Alert) == 0


def test_ratings_around_a_queued_practice_keep_the_practice_time(as_patient: Client) -> None:
    started = TEST_NOW - timedelta(days=2)

    response = log(
        as_patient,
        kind="yoga",
        started_at=started.isoformat(),
        listened_seconds=45 * 60,
        anxiety_before=6,
        anxiety_after=3,
    )

    assert response.status_code == 201, response.text
    practice_id = response.json()["practice"]["id"]
    ratings = as_patient.run(lambda: Checkin.filter(practice_id=practice_id).order_by("id"))
    # Sent today from an offline queue: the ratings belong two days ago, before and after.
    assert [rating.occurred_at for rating in ratings] == [
        started,
        started + timedelta(minutes=45),
    ]
    assert all(rating.recorded_at > started + timedelta(days=1) for rating in ratings)


def test_feeling_worse_by_three_after_a_session_raises_an_alert(
    as_patient: Client, personas: dict[str, User]
) -> None:
    response = log(as_patient, kind="meditation", anxiety_before=2, anxiety_after=5)

    assert response.status_code == 201
    assert response.json()["alert_raised"] is True
    assert response.json()["support"]["support_url"] == "/support"
    alerts = as_patient.run(lambda: Alert.filter(patient_id=personas["patient"].id))
    assert [(alert.reason, alert.value) for alert in alerts] == [("worse_after_session", 5)]
    assert "2/10 before" in alerts[0].detail


def test_feeling_worse_by_two_raises_no_alert(as_patient: Client) -> None:
    response = log(as_patient, kind="meditation", anxiety_before=3, anxiety_after=5)

    assert response.status_code == 201
    assert response.json()["alert_raised"] is False
    assert response.json()["support"] is None
    assert count(as_patient, Alert) == 0


def test_a_high_rating_after_a_session_raises_a_high_distress_alert(
    as_patient: Client, personas: dict[str, User]
) -> None:
    response = log(as_patient, kind="breathing", anxiety_before=7, anxiety_after=8)

    assert response.status_code == 201
    assert response.json()["alert_raised"] is True
    alerts = as_patient.run(lambda: Alert.filter(patient_id=personas["patient"].id))
    assert [(alert.reason, alert.value) for alert in alerts] == [("high_distress", 8)]


def test_a_retried_practice_with_the_same_key_is_stored_once(as_patient: Client) -> None:
    headers = {"Idempotency-Key": "queued-practice-1"}
    payload = {"kind": "yoga", "started_at": moment(hours=2), "listened_seconds": 1800}
    first = as_patient.post("/api/v1/practice", json=payload, headers=headers)
    again = as_patient.post("/api/v1/practice", json=payload, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert count(as_patient, PracticeLog) == 1


def test_the_same_key_with_another_practice_is_refused(as_patient: Client) -> None:
    headers = {"Idempotency-Key": "queued-practice-2"}
    payload = {"kind": "yoga", "started_at": moment(hours=2), "listened_seconds": 1800}
    as_patient.post("/api/v1/practice", json=payload, headers=headers)
    other = as_patient.post(
        "/api/v1/practice", json={**payload, "listened_seconds": 1200}, headers=headers
    )

    assert other.status_code == 422
    assert error_fields(other) == ["Idempotency-Key"]
    assert [item.listened_seconds for item in as_patient.run(PracticeLog.all)] == [1800]


def test_a_malformed_idempotency_key_is_refused(as_patient: Client) -> None:
    response = as_patient.post(
        "/api/v1/practice",
        json={"kind": "yoga", "started_at": moment(hours=1), "listened_seconds": 60},
        headers={"Idempotency-Key": "has spaces/and slashes"},
    )

    assert response.status_code == 422
    assert error_fields(response) == ["Idempotency-Key"]
    assert count(as_patient, PracticeLog) == 0


# --- playback observed by the server --------------------------------------------------------------


def test_playback_starts_an_observed_practice_with_the_rating_before(
    as_patient: Client, personas: dict[str, User], session_id: int
) -> None:
    response = start(as_patient, session_id, anxiety_before=6)

    assert response.status_code == 201, response.text
    body = response.json()["practice"]
    stored = stored_practice(as_patient, body["id"])
    assert (stored.evidence, stored.listened_seconds, stored.completed) == (
        "observed_playback",
        0,
        False,
    )
    assert (stored.session_id, stored.kind, stored.duration_seconds) == (
        session_id,
        "breathing",
        TEN_MINUTES,
    )
    assert abs((TEST_NOW - stored.started_at).total_seconds()) < 60
    before = as_patient.run(lambda: Checkin.get(practice_id=body["id"]))
    assert (before.context, before.level) == ("before_session", 6)
    assert body["evidence"] == "observed_playback"


def test_a_high_rating_as_playback_starts_leads_the_support_panel_back_to_the_session(
    as_patient: Client, session_id: int
) -> None:
    response = start(as_patient, session_id, anxiety_before=9)

    assert response.status_code == 201, response.text
    assert response.json()["alert_raised"] is True
    assert count(as_patient, Alert, reason="high_distress", value=9) == 1
    panel = as_patient.get("/support")
    assert "Thank you for telling us" in panel.text
    assert f'href="/sessions/{session_id}">Continue where you were' in panel.text


def test_playback_of_a_draft_is_refused(as_patient: Client) -> None:
    draft = make_session(as_patient, status=Status.DRAFT)

    response = start(as_patient, draft)

    assert response.status_code == 422
    assert error_fields(response) == ["session_id"]
    assert count(as_patient, PracticeLog) == 0


def test_progress_cannot_run_ahead_of_the_time_since_playback_began(
    as_patient: Client, session_id: int
) -> None:
    practice_id = start(as_patient, session_id).json()["practice"]["id"]
    started_ago(as_patient, practice_id, 100)

    # 100 s at up to 2x speed, plus 10 s of slack: about 210 s can have played, not 500.
    response = as_patient.post(
        f"/api/v1/practice/{practice_id}/progress", json={"listened_seconds": 500}
    )

    assert response.status_code == 200, response.text
    stored = stored_practice(as_patient, practice_id)
    assert 210 <= stored.listened_seconds <= 220
    assert stored.completed is False
    assert response.json()["listened_seconds"] == stored.listened_seconds


def test_progress_never_goes_backwards_and_completes_at_80_percent(
    as_patient: Client, session_id: int
) -> None:
    practice_id = start(as_patient, session_id).json()["practice"]["id"]
    started_ago(as_patient, practice_id, 400)
    path = f"/api/v1/practice/{practice_id}/progress"

    assert as_patient.post(path, json={"listened_seconds": 400}).json()["listened_seconds"] == 400
    backwards = as_patient.post(path, json={"listened_seconds": 120})
    assert backwards.status_code == 200
    assert (backwards.json()["listened_seconds"], backwards.json()["completed"]) == (400, False)
    assert stored_practice(as_patient, practice_id).listened_seconds == 400

    almost = as_patient.post(path, json={"listened_seconds": 479})
    assert almost.json()["completed"] is False
    done = as_patient.post(path, json={"listened_seconds": 480})

    assert done.status_code == 200
    stored = stored_practice(as_patient, practice_id)
    assert (stored.listened_seconds, stored.completed) == (480, True)
    assert done.json()["completed"] is True


def test_progress_never_passes_the_end_of_the_media(as_patient: Client, session_id: int) -> None:
    practice_id = start(as_patient, session_id).json()["practice"]["id"]
    started_ago(as_patient, practice_id, 3600)

    response = as_patient.post(
        f"/api/v1/practice/{practice_id}/progress", json={"listened_seconds": 86_400}
    )

    assert response.status_code == 200
    assert stored_practice(as_patient, practice_id).listened_seconds == 600


def test_progress_is_only_for_practice_played_here(as_patient: Client) -> None:
    practice_id = log(as_patient, kind="yoga", listened_seconds=60).json()["practice"]["id"]

    response = as_patient.post(
        f"/api/v1/practice/{practice_id}/progress", json={"listened_seconds": 120}
    )

    assert response.status_code == 422
    assert stored_practice(as_patient, practice_id).listened_seconds == 60


@pytest.mark.parametrize("listened", [-1, "30", 1.5, None])
def test_malformed_progress_is_refused(as_patient: Client, session_id: int, listened: Any) -> None:
    practice_id = start(as_patient, session_id).json()["practice"]["id"]
    started_ago(as_patient, practice_id, 100)

    response = as_patient.post(
        f"/api/v1/practice/{practice_id}/progress", json={"listened_seconds": listened}
    )

    assert response.status_code == 422
    assert error_fields(response) == ["listened_seconds"]
    assert stored_practice(as_patient, practice_id).listened_seconds == 0


def test_another_patients_practice_takes_no_progress(
    client: Client, personas: dict[str, User], session_id: int
) -> None:
    client.login_as(PERSONAS["other_patient"])
    theirs = start(client, session_id).json()["practice"]["id"]
    started_ago(client, theirs, 300)
    client.login_as(PERSONAS["patient"])

    response = client.post(f"/api/v1/practice/{theirs}/progress", json={"listened_seconds": 300})

    assert response.status_code == 404
    stored = stored_practice(client, theirs)
    assert (stored.listened_seconds, stored.completed) == (0, False)
    assert "listened_seconds" not in response.text


def test_an_unknown_practice_is_not_found(as_patient: Client) -> None:
    response = as_patient.post("/api/v1/practice/424242/progress", json={"listened_seconds": 30})

    assert response.status_code == 404


# --- the rating after a session ---------------------------------------------------------------


def test_the_rating_after_a_session_is_taken_once(as_patient: Client, session_id: int) -> None:
    practice_id = start(as_patient, session_id, anxiety_before=6).json()["practice"]["id"]
    path = f"/api/v1/practice/{practice_id}/rating"

    first = as_patient.post(path, json={"anxiety_after": 3})
    second = as_patient.post(path, json={"anxiety_after": 2})

    assert first.status_code == 201, first.text
    assert first.json()["alert_raised"] is False
    assert second.status_code == 422
    assert error_fields(second) == ["anxiety_after"]
    after = as_patient.run(lambda: Checkin.filter(practice_id=practice_id, context="after_session"))
    assert [rating.level for rating in after] == [3]


def test_a_rating_after_a_logged_practice_that_had_one_is_refused(as_patient: Client) -> None:
    response = log(as_patient, kind="yoga", anxiety_before=4, anxiety_after=4)
    practice_id = response.json()["practice"]["id"]

    again = as_patient.post(f"/api/v1/practice/{practice_id}/rating", json={"anxiety_after": 9})

    assert again.status_code == 422
    assert count(as_patient, Checkin, context="after_session") == 1
    assert count(as_patient, Alert) == 0


def test_a_rating_markedly_worse_than_before_playback_raises_an_alert(
    as_patient: Client, personas: dict[str, User], session_id: int
) -> None:
    practice_id = start(as_patient, session_id, anxiety_before=4).json()["practice"]["id"]

    response = as_patient.post(f"/api/v1/practice/{practice_id}/rating", json={"anxiety_after": 9})

    assert response.status_code == 201
    assert response.json()["alert_raised"] is True
    alerts = as_patient.run(lambda: Alert.filter(patient_id=personas["patient"].id).order_by("id"))
    assert sorted(alert.reason for alert in alerts) == ["high_distress", "worse_after_session"]


def test_another_patients_practice_cannot_be_rated(
    client: Client, personas: dict[str, User], session_id: int
) -> None:
    client.login_as(PERSONAS["other_patient"])
    theirs = start(client, session_id).json()["practice"]["id"]
    client.login_as(PERSONAS["patient"])

    response = client.post(f"/api/v1/practice/{theirs}/rating", json={"anxiety_after": 9})

    assert response.status_code == 404
    assert count(client, Checkin) == 0
    assert count(client, Alert) == 0


# --- history and streak ---------------------------------------------------------------------------


def test_history_is_paged_newest_first(client: Client, personas: dict[str, User]) -> None:
    client.login_as(PERSONAS["other_patient"])
    log(client, kind="sleep", note="private")
    client.login_as(PERSONAS["patient"])
    for hours, kind in [(3, "yoga"), (2, "breathing"), (1, "meditation")]:
        assert log(client, kind=kind, started_at=moment(hours=hours)).status_code == 201

    first = client.get("/api/v1/practice", params={"per_page": 2})
    second = client.get("/api/v1/practice", params={"per_page": 2, "page": 2})

    assert first.status_code == second.status_code == 200
    assert [item["kind"] for item in first.json()["items"]] == ["meditation", "breathing"]
    assert [item["kind"] for item in second.json()["items"]] == ["yoga"]
    assert (first.json()["page"], first.json()["pages"], first.json()["total"]) == (1, 2, 3)
    assert "sleep" not in first.text + second.text


@pytest.mark.parametrize("params", [{"page": 0}, {"per_page": 101}, {"per_page": "many"}])
def test_history_refuses_bad_paging(as_patient: Client, params: dict[str, Any]) -> None:
    response = as_patient.get("/api/v1/practice", params=params)

    assert response.status_code == 422
    assert next(iter(params)) in response.text


def test_a_completed_practice_starts_a_streak(as_patient: Client) -> None:
    empty = as_patient.get("/api/v1/me/streak").json()
    assert (empty["current"], empty["practised_today"]) == (0, False)

    logged = log(
        as_patient, kind="breathing", started_at=TEST_NOW.isoformat(), listened_seconds=600
    )
    assert logged.status_code == 201
    logged_id = logged.json()["practice"]["id"]
    assert stored_practice(as_patient, logged_id).completed is False  # not claimed complete
    assert as_patient.get("/api/v1/me/streak").json()["current"] == 0

    done = log(
        as_patient,
        kind="breathing",
        started_at=TEST_NOW.isoformat(),
        listened_seconds=600,
        completed=True,
    )
    assert done.status_code == 201

    streak = as_patient.get("/api/v1/me/streak")
    assert streak.status_code == 200
    figures = streak.json()
    assert (figures["current"], figures["longest"], figures["total_days"]) == (1, 1, 1)
    assert figures["practised_today"] is True
    assert figures["total_minutes"] == 20
    assert figures["hidden_on_pages"] is False


def test_an_observed_playback_counts_once_it_reaches_80_percent(
    as_patient: Client, session_id: int
) -> None:
    practice_id = start(as_patient, session_id).json()["practice"]["id"]
    started_ago(as_patient, practice_id, 600)
    path = f"/api/v1/practice/{practice_id}/progress"

    as_patient.post(path, json={"listened_seconds": 300})
    assert as_patient.get("/api/v1/me/streak").json()["current"] == 0
    as_patient.post(path, json={"listened_seconds": 480})

    figures = as_patient.get("/api/v1/me/streak").json()
    assert (figures["current"], figures["practised_today"]) == (1, True)


def test_anxiety_ratings_never_change_the_streak(as_patient: Client, session_id: int) -> None:
    log(as_patient, kind="yoga", started_at=moment(days=1), completed=True)
    log(as_patient, kind="yoga", started_at=TEST_NOW.isoformat(), completed=True)
    practice_id = start(as_patient, session_id).json()["practice"]["id"]
    before = as_patient.get("/api/v1/me/streak").json()
    assert before["current"] >= 1

    assert as_patient.post("/api/v1/checkins", json={"level": 10}).status_code == 201
    assert as_patient.post("/api/v1/checkins", json={"level": 0}).status_code == 201
    assert as_patient.post("/api/v1/gad7", json={"answers": [3] * 7}).status_code == 201
    rating = as_patient.post(f"/api/v1/practice/{practice_id}/rating", json={"anxiety_after": 10})
    assert rating.status_code == 201

    assert as_patient.get("/api/v1/me/streak").json() == before


def test_the_streak_is_the_patients_own(client: Client, personas: dict[str, User]) -> None:
    client.login_as(PERSONAS["other_patient"])
    log(client, kind="yoga", started_at=TEST_NOW.isoformat(), completed=True)
    client.login_as(PERSONAS["patient"])

    figures = client.get("/api/v1/me/streak").json()

    assert (figures["current"], figures["total_days"], figures["practised_today"]) == (0, 0, False)


# --- who may use these routes ---------------------------------------------------------------------


def patient_routes(practice_id: int, session_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("POST", "/api/v1/practice", {"kind": "yoga", "started_at": moment(hours=1), "listened_seconds": 60}),  # noqa: E501
        ("POST", "/api/v1/practice/playback", {"session_id": session_id}),
        ("POST", f"/api/v1/practice/{practice_id}/progress", {"listened_seconds": 60}),
        ("POST", f"/api/v1/practice/{practice_id}/rating", {"anxiety_after": 9}),
        ("GET", "/api/v1/practice", {}),
        ("GET", "/api/v1/me/streak", {}),
    ]  # fmt: skip


def snapshot(client: Client) -> tuple[int, int, int, list[int]]:
    async def load() -> tuple[int, int, int, list[int]]:
        return (
            await PracticeLog.all().count(),
            await Checkin.all().count(),
            await Alert.all().count(),
            flat(await PracticeLog.all().order_by("id").values_list("listened_seconds", flat=True)),
        )

    return client.run(load)


@pytest.mark.parametrize("persona", ["therapist", "other_therapist", "coordinator", "admin", None])
def test_only_patients_use_the_practice_routes(
    client: Client, personas: dict[str, User], session_id: int, persona: str | None
) -> None:
    client.login_as(PERSONAS["patient"])
    practice_id = start(client, session_id).json()["practice"]["id"]
    started_ago(client, practice_id, 300)
    before = snapshot(client)
    client.login_as(PERSONAS[persona] if persona else None)

    for method, path, payload in patient_routes(practice_id, session_id):
        response = client.get(path) if method == "GET" else client.post(path, json=payload)
        assert response.status_code == (403 if persona else 401), (method, path)
        assert "listened_seconds" not in response.text

    assert snapshot(client) == before


# --- a check-in just before a practice is its before rating ------------------------------------


def test_a_check_in_just_before_a_logged_practice_is_its_before_rating(
    client: Client, personas: dict[str, User], session_id: int
) -> None:
    client.login_as(PERSONAS["patient"])
    assert client.post("/api/v1/checkins", json={"level": 7}).status_code == 201
    logged = log(client, session_id=session_id, started_at=moment(minutes=0), anxiety_after=4)
    assert logged.status_code == 201, logged.text
    # The answer says which ratings the practice holds, the adopted one included.
    assert (logged.json()["anxiety_before"], logged.json()["anxiety_after"]) == (7, 4)

    client.login_as(PERSONAS["therapist"])
    record = client.get(f"/api/v1/patients/{personas['patient'].id}").json()

    items = record["practice"]["items"]
    assert [(i["anxiety_before"], i["anxiety_after"]) for i in items] == [(7, 4)]
    assert [i["ratings_from_checkins"] for i in items] == [["before"]]
    # Still one check-in, not a copy: the quick check-in is now linked to the practice.
    assert count(client, Checkin, patient_id=personas["patient"].id) == 2
    assert count(client, Checkin, context="quick", practice_id=logged.json()["practice"]["id"]) == 1


def test_a_check_in_long_before_a_logged_practice_is_not_its_before_rating(
    as_patient: Client, session_id: int, clock: FixedClock
) -> None:
    assert as_patient.post("/api/v1/checkins", json={"level": 7}).status_code == 201
    clock.advance(timedelta(minutes=16))

    logged = log(as_patient, session_id=session_id, started_at=moment(minutes=-16), anxiety_after=4)

    assert logged.status_code == 201, logged.text
    assert count(as_patient, Checkin, practice_id__isnull=False) == 1  # the after rating only


def test_a_client_clock_a_little_behind_the_servers_still_counts_the_check_in(
    as_patient: Client, session_id: int
) -> None:
    assert as_patient.post("/api/v1/checkins", json={"level": 7}).status_code == 201

    # The client's "now" is 30 seconds behind the server's, which stamped the check-in.
    logged = log(as_patient, session_id=session_id, started_at=moment(seconds=30), anxiety_after=4)

    assert logged.status_code == 201, logged.text
    practice_id = logged.json()["practice"]["id"]
    assert count(as_patient, Checkin, context="quick", practice_id=practice_id) == 1


def test_the_player_is_told_the_ratings_its_practice_holds(
    as_patient: Client, session_id: int
) -> None:
    started = start(as_patient, session_id, anxiety_before=5)
    practice_id = started.json()["practice"]["id"]
    started_ago(as_patient, practice_id, 600)
    rated = as_patient.post(f"/api/v1/practice/{practice_id}/rating", json={"anxiety_after": 3})

    assert (started.json()["anxiety_before"], started.json()["anxiety_after"]) == (5, None)
    assert (rated.json()["anxiety_before"], rated.json()["anxiety_after"]) == (5, 3)


# --- a check-in just after a session played here is its after rating -------------------------


def played_whole(client: Client, session_id: int, **payload: Any) -> int:
    """A ten-minute session played here from TEST_NOW to its end, the player's last report
    saying so (the clock is then moved past the end by the caller); answers the practice id."""
    started = start(client, session_id, **payload)
    assert started.status_code == 201, started.text
    practice_id = int(started.json()["practice"]["id"])
    started_ago(client, practice_id, 600)
    progress = client.post(
        f"/api/v1/practice/{practice_id}/progress", json={"listened_seconds": 600}
    )
    assert progress.json()["completed"] is True, progress.text
    return practice_id


def test_a_check_in_just_after_a_session_played_here_is_its_after_rating(
    client: Client, personas: dict[str, User], session_id: int, clock: FixedClock
) -> None:
    client.login_as(PERSONAS["patient"])
    practice_id = played_whole(client, session_id, anxiety_before=7)
    clock.advance(timedelta(minutes=12))  # two minutes after its end

    checked = client.post("/api/v1/checkins", json={"level": 4})

    assert checked.status_code == 201, checked.text
    assert checked.json()["checkin"]["after_practice_id"] == practice_id
    assert checked.json()["checkin"]["practice_id"] is None
    # The patient's list shows the check-in once, saying what it counted for.
    listed = client.get("/api/v1/checkins").json()["items"]
    assert [(i["context"], i["level"], i["after_practice_id"]) for i in listed] == [
        ("quick", 4, practice_id),
        ("before_session", 7, None),
    ]
    client.login_as(PERSONAS["therapist"])
    record = client.get(f"/api/v1/patients/{personas['patient'].id}").json()
    items = record["practice"]["items"]
    assert [(i["anxiety_before"], i["anxiety_after"]) for i in items] == [(7, 4)]
    assert [i["ratings_from_checkins"] for i in items] == [["after"]]
    page = client.get(f"/care/patients/{personas['patient'].id}")
    assert "after from a check-in" in page.text


def test_a_client_that_checks_in_before_and_after_a_session_it_plays_gets_it_rated(
    as_patient: Client, session_id: int, clock: FixedClock
) -> None:
    """Check in, play the session without ratings, check in again when it is over."""
    assert as_patient.post("/api/v1/checkins", json={"level": 8}).status_code == 201
    practice_id = played_whole(as_patient, session_id)
    clock.advance(timedelta(minutes=11))

    checked = as_patient.post("/api/v1/checkins", json={"level": 5})

    assert checked.json()["checkin"]["after_practice_id"] == practice_id
    assert as_patient.run(partial(checkins.session_ratings, practice_id)) == (8, 5)
    # The patient's own list says so too.
    listed = as_patient.get("/api/v1/practice").json()["items"]
    assert [(i["id"], i["anxiety_before"], i["anxiety_after"]) for i in listed] == [
        (practice_id, 8, 5)
    ]


def test_a_practice_logged_afterwards_is_rated_by_what_it_was_sent_with_not_a_later_check_in(
    as_patient: Client, session_id: int, clock: FixedClock
) -> None:
    """A logged practice comes with its after rating or none: a check-in after it is a new
    moment (and a client driving the API faster than its own days would pair its practices
    with whatever check-in came next)."""
    assert as_patient.post("/api/v1/checkins", json={"level": 8}).status_code == 201
    logged = log(as_patient, session_id=session_id, started_at=moment(minutes=0))
    assert logged.json()["anxiety_before"] == 8  # the check-in just made: a before rating
    clock.advance(timedelta(minutes=11))

    checked = as_patient.post("/api/v1/checkins", json={"level": 5})

    practice_id = logged.json()["practice"]["id"]
    assert checked.json()["checkin"]["after_practice_id"] is None
    assert as_patient.run(partial(checkins.session_ratings, practice_id)) == (8, None)


@pytest.mark.parametrize(("minutes", "counts"), [(9.5, True), (25, True), (26, False), (8, False)])
def test_a_check_in_counts_from_the_end_of_the_session_to_fifteen_minutes_after(
    as_patient: Client, session_id: int, clock: FixedClock, minutes: float, counts: bool
) -> None:
    """It ended at +10 (a minute's slack before it, for a client clock ahead); at +8 the
    session was still playing."""
    practice_id = played_whole(as_patient, session_id, anxiety_before=7)
    clock.advance(timedelta(minutes=minutes))

    checked = as_patient.post("/api/v1/checkins", json={"level": 4})

    assert checked.json()["checkin"]["after_practice_id"] == (practice_id if counts else None)
    assert count(as_patient, Checkin, practice_id=practice_id) == (2 if counts else 1)


def test_another_patients_check_in_never_rates_someone_elses_practice(
    client: Client, personas: dict[str, User], session_id: int, clock: FixedClock
) -> None:
    client.login_as(PERSONAS["patient"])
    practice_id = played_whole(client, session_id, anxiety_before=7)
    clock.advance(timedelta(minutes=12))
    client.login_as(PERSONAS["other_patient"])

    checked = client.post("/api/v1/checkins", json={"level": 2})

    assert checked.status_code == 201
    assert checked.json()["checkin"]["after_practice_id"] is None
    assert client.run(partial(checkins.session_ratings, practice_id)) == (7, None)
    assert count(client, Checkin, patient_id=personas["patient"].id) == 1


def test_the_patients_practice_list_carries_the_ratings_each_practice_holds(
    as_patient: Client, session_id: int
) -> None:
    rated = log(
        as_patient, session_id=session_id, anxiety_before=6, anxiety_after=3, note="Calmer."
    )
    unrated = log(as_patient, session_id=session_id, started_at=moment(minutes=20))

    listed = as_patient.get("/api/v1/practice").json()["items"]

    assert [(i["id"], i["anxiety_before"], i["anxiety_after"], i["note"]) for i in listed] == [
        (unrated.json()["practice"]["id"], None, None, ""),
        (rated.json()["practice"]["id"], 6, 3, "Calmer."),
    ]
