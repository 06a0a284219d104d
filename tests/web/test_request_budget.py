"""The general request limit (`web/request_budget.py`): each signed-in person, and each address
without a session, may send `requests_per_minute` requests a minute; the next one is refused
with 429 and `Retry-After` in the words of its audience, before it changes anything, and is
audited once a minute however many follow. Static files and the health check are not counted.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import PERSONAS, TEST_NOW, Client, settings_for
from tests.web.care_record_data import audit_rows
from wellness.accounts.models import User
from wellness.app import create_app
from wellness.checkins.models import Checkin
from wellness.lib.clock import FixedClock
from wellness.settings import Settings

LIMIT = 5
# Three quarters into a minute: a refusal waits the quarter left.
MOMENT = TEST_NOW + timedelta(seconds=45)


@pytest.fixture
def settings(app_home: Path, database_url: str) -> Settings:
    return settings_for(app_home, database_url).replace(requests_per_minute=LIMIT)


@pytest.fixture
def patient(client: Client, clock: FixedClock, personas: dict[str, User]) -> Client:
    """Signed in as the patient at MOMENT, with the whole allowance of MOMENT's minute left."""
    clock.set(MOMENT - timedelta(minutes=1))  # sign-in is spent in the minute before
    client.login_as(PERSONAS["patient"])
    clock.set(MOMENT)
    return client


def spend(client: Client, path: str = "/api/v1/checkins", times: int = LIMIT) -> None:
    for _ in range(times):
        assert client.get(path).status_code == 200, path


def checkins(client: Client) -> int:
    async def count() -> int:
        return await Checkin.all().count()

    return client.run(count)


def test_the_request_past_the_limit_is_refused_in_json_naming_the_wait(patient: Client) -> None:
    spend(patient)

    refused = patient.get("/api/v1/checkins")

    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "15"
    assert refused.headers["cache-control"] == "no-store"
    assert refused.json() == {
        "status_code": 429,
        "code": "rate_limited",
        "detail": "Too many requests in a minute: wait 15 seconds, then try again.",
    }


def test_a_page_past_the_limit_says_so_in_words(patient: Client) -> None:
    spend(patient, "/")

    refused = patient.get("/")

    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "15"
    assert "text/html" in refused.headers["content-type"]
    assert "Please wait a moment" in refused.text
    assert "wait 15 seconds, then try again" in refused.text


def test_a_refused_write_changes_nothing(patient: Client) -> None:
    spend(patient)

    refused = patient.post("/api/v1/checkins", json={"level": 9, "tags": [], "note": ""})

    assert refused.status_code == 429
    assert checkins(patient) == 0


def test_the_next_minute_brings_a_new_allowance(patient: Client, clock: FixedClock) -> None:
    spend(patient)
    assert patient.get("/api/v1/checkins").status_code == 429

    clock.advance(timedelta(seconds=14))
    assert patient.get("/api/v1/checkins").status_code == 429
    clock.advance(timedelta(seconds=1))  # the minute is over
    spend(patient)
    assert patient.get("/api/v1/checkins").status_code == 429


def test_one_persons_flood_leaves_everyone_else_their_own_allowance(
    patient: Client, clock: FixedClock
) -> None:
    spend(patient)
    assert patient.get("/api/v1/checkins").status_code == 429

    patient.login_as(PERSONAS["other_patient"])  # one request of the address's five
    spend(patient)
    assert patient.get("/api/v1/checkins").status_code == 429


def test_without_a_session_an_address_has_its_own_allowance(
    client: Client, clock: FixedClock
) -> None:
    clock.set(MOMENT)
    spend(client, "/login")

    assert client.get("/login").status_code == 429
    refused = client.post(
        "/api/v1/auth/login", json={"email": "patient@example.org", "password": "x" * 12}
    )
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"


def test_static_files_and_the_health_check_are_not_counted(patient: Client) -> None:
    spend(patient)

    for _ in range(3 * LIMIT):
        assert patient.get("/static/app.css").status_code == 200
        assert patient.get("/healthz").status_code == 200
    assert patient.get("/api/v1/checkins").status_code == 429


def test_a_flood_is_audited_once_a_minute_with_its_size(patient: Client, clock: FixedClock) -> None:
    spend(patient)
    for _ in range(7):
        assert patient.get("/api/v1/checkins").status_code == 429
    patient_id = patient.user(PERSONAS["patient"].email).id

    [first] = audit_rows(patient, action="rate_limited")
    assert first.actor_id == patient_id
    assert first.detail == f"user:{patient_id}"
    assert first.route == "GET /api/v1/checkins"

    clock.advance(timedelta(minutes=1, seconds=15))
    spend(patient)
    assert patient.get("/api/v1/checkins").status_code == 429
    rows = audit_rows(patient, action="rate_limited")
    assert len(rows) == 3
    counted = rows[1]
    assert counted.actor_id is None
    assert (counted.target_type, counted.target_id) == ("user", str(patient_id))
    assert counted.detail.startswith("repeated=6;")
    assert rows[2].actor_id == patient_id


def test_a_limit_of_zero_turns_the_limit_off(app_home: Path, database_url: str) -> None:
    settings = settings_for(app_home, database_url).replace(requests_per_minute=0)
    with Client(create_app(settings, clock=FixedClock(MOMENT))) as client:
        for _ in range(3 * LIMIT):
            assert client.get("/login").status_code == 200
