"""The patient's own pages: check in, GAD-7, support, practice around a session, progress."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.conftest import PERSONAS, Client
from wellness.accounts.models import User
from wellness.care.models import Alert
from wellness.checkins.models import Checkin, Gad7Response
from wellness.lib.clock import utc_now
from wellness.practice.models import PracticeLog


def count(client: Client, model: Any, **filters: Any) -> int:
    async def counted() -> int:
        return int(await model.filter(**filters).count())

    return client.run(counted)


def test_the_home_page_offers_a_checkin(as_patient: Client) -> None:
    page = as_patient.get("/patient")

    assert page.status_code == 200
    assert 'action="/checkins"' in page.text
    assert "0 · calm" in page.text
    assert "No check-ins yet" in page.text


def test_it_saves_a_checkin_from_the_form(as_patient: Client, personas: dict[str, User]) -> None:
    response = as_patient.submit(
        "/checkins", {"level": "3", "tags": ["craving", "stress"], "note": "long day"}
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/patient"
    assert count(as_patient, Checkin, patient_id=personas["patient"].id, level=3) == 1
    page = as_patient.get("/patient")
    assert "You rated 3 out of 10" in page.text
    assert "long day" in page.text


def test_a_missing_rating_is_named_and_nothing_is_saved(as_patient: Client) -> None:
    response = as_patient.submit("/checkins", {"note": "kept"})

    assert response.status_code == 422
    assert "Choose a number from 0" in response.text
    assert "kept" in response.text
    assert count(as_patient, Checkin) == 0


def test_a_high_rating_shows_the_support_panel(as_patient: Client) -> None:
    response = as_patient.submit("/checkins", {"level": "9"})

    assert response.status_code == 303
    assert response.headers["location"] == "/support"
    panel = as_patient.get("/support")
    assert "Thank you for telling us" in panel.text
    assert "<script" not in panel.text.split("<main", 1)[1]
    assert count(as_patient, Alert, reason="high_distress") == 1


def test_gad7_form_scores_and_shows_band(as_patient: Client) -> None:
    answers = {f"q{index}": "1" for index in range(7)}
    response = as_patient.submit("/gad7", answers)

    assert response.status_code == 303
    assert count(as_patient, Gad7Response, total=7) == 1
    assert "7 of 21 (mild anxiety)" in as_patient.get("/progress").text


def test_gad7_form_names_unanswered_questions(as_patient: Client) -> None:
    response = as_patient.submit("/gad7", {"q0": "1"})

    assert response.status_code == 422
    assert "Choose an answer for question 2" in response.text
    assert count(as_patient, Gad7Response) == 0


def test_progress_page_shows_empty_states_for_a_new_patient(as_patient: Client) -> None:
    page = as_patient.get("/progress")

    assert page.status_code == 200
    assert "Practice calendar" in page.text
    assert page.text.count("chart--empty") == 6


def test_logging_a_practice_done_elsewhere(as_patient: Client, personas: dict[str, User]) -> None:
    an_hour_ago = (utc_now() - timedelta(hours=1)).astimezone(ZoneInfo("Europe/Berlin"))
    response = as_patient.submit(
        "/practice/log",
        {"kind": "yoga", "minutes": "30", "started_at": an_hour_ago.strftime("%Y-%m-%dT%H:%M")},
    )

    assert response.status_code == 303
    logged = as_patient.run(lambda: PracticeLog.get(patient_id=personas["patient"].id))
    assert (logged.kind, logged.listened_seconds, logged.evidence) == ("yoga", 1800, "self_report")
    assert abs((logged.started_at - an_hour_ago).total_seconds()) < 60
    assert "1 day" in as_patient.get("/progress").text


def test_a_practice_log_from_years_ago_is_refused(as_patient: Client) -> None:
    response = as_patient.submit(
        "/practice/log", {"kind": "yoga", "minutes": "30", "started_at": "2020-01-01T10:00"}
    )

    assert response.status_code == 422
    assert "back-dated by at most 14 days" in response.text
    assert count(as_patient, PracticeLog) == 0


def test_staff_cannot_use_patient_pages(client: Client, personas: dict[str, User]) -> None:
    for persona in ("therapist", "coordinator", "admin"):
        client.login_as(PERSONAS[persona])
        assert client.get("/progress").status_code == 403
        assert client.submit("/checkins", {"level": "3"}).status_code == 403
        assert client.submit("/gad7", {f"q{i}": "1" for i in range(7)}).status_code == 403
    assert count(client, Checkin) == 0
    assert count(client, Gad7Response) == 0
