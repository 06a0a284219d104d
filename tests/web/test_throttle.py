"""Failed sign-ins slow down per account and per client, with a recovery path."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import PERSONA_PASSWORD, Client
from wellness.lib.clock import FixedClock
from wellness.settings import Settings

GOOD = PERSONA_PASSWORD
BAD = "definitely not the password"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.replace(login_failures_per_account=3, login_failures_per_client=8)


def attempt(client: Client, email: str, password: str) -> Any:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def test_an_account_is_locked_after_repeated_failures(client: Client, personas: dict) -> None:
    for _ in range(3):
        assert attempt(client, "patient@example.org", BAD).status_code == 401
    locked = attempt(client, "patient@example.org", GOOD)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert "Too many failed sign-ins" in locked.json()["detail"]


def test_a_lock_on_one_account_leaves_others_alone(client: Client, personas: dict) -> None:
    for _ in range(3):
        attempt(client, "patient@example.org", BAD)
    assert attempt(client, "therapist@example.org", GOOD).status_code == 200


def test_unknown_accounts_lock_the_same_way_as_real_ones(client: Client, personas: dict) -> None:
    for _ in range(3):
        attempt(client, "nobody@example.org", BAD)
    unknown = attempt(client, "nobody@example.org", BAD)
    for _ in range(3):
        attempt(client, "patient@example.org", BAD)
    known = attempt(client, "patient@example.org", BAD)
    assert unknown.status_code == known.status_code == 429
    assert unknown.json() == known.json()


def test_one_client_spraying_many_accounts_is_slowed_down(client: Client, personas: dict) -> None:
    for number in range(8):
        attempt(client, f"guess{number}@example.org", BAD)
    assert attempt(client, "therapist@example.org", GOOD).status_code == 429


def test_a_password_reset_by_an_admin_lifts_the_lock(client: Client, personas: dict) -> None:
    for _ in range(3):
        attempt(client, "patient@example.org", BAD)
    assert attempt(client, "patient@example.org", GOOD).status_code == 429
    response = client.post(
        "/api/v1/auth/login", json={"email": "admin@example.org", "password": GOOD}
    )
    assert response.status_code == 200
    new_password = "a fresh passphrase for pat"
    reset = client.submit(
        f"/admin/users/{personas['patient'].id}/password", {"password": new_password}
    )
    assert reset.status_code == 303
    client.cookies.clear()
    assert attempt(client, "patient@example.org", new_password).status_code == 200


def test_the_lock_expires_after_the_window(
    client: Client, personas: dict, clock: FixedClock
) -> None:
    for _ in range(3):
        attempt(client, "patient@example.org", BAD)
    assert attempt(client, "patient@example.org", GOOD).status_code == 429
    clock.advance(timedelta(minutes=61))
    assert attempt(client, "patient@example.org", GOOD).status_code == 200
