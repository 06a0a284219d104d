"""Signing in and out, sessions, throttling and the JSON auth API."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from tests.conftest import PERSONA_PASSWORD, PERSONAS, Client
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.lib.clock import FixedClock

SESSION_COOKIE = "wellness_session"


def api_login(client: Client, email: str, password: str) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def test_it_signs_in_through_the_api_and_reports_me(
    client: Client, personas: dict[str, User]
) -> None:
    response = api_login(client, "Therapist@Example.org ", PERSONA_PASSWORD)
    assert response.status_code == 200
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json() == {
        "id": personas["therapist"].id,
        "email": "therapist@example.org",
        "display_name": "Bob Therapist",
        "role": "therapist",
        "time_zone": "Europe/Berlin",
        "theme": "device",
    }


def test_it_records_the_last_sign_in(client: Client, personas: dict[str, User]) -> None:
    assert personas["patient"].last_login_at is None
    client.login_as(PERSONAS["patient"])
    assert client.user("patient@example.org").last_login_at is not None


def test_unknown_user_and_wrong_password_get_identical_answers(
    client: Client, personas: dict[str, User]
) -> None:
    wrong_password = api_login(client, "patient@example.org", "not the password at all")
    unknown_user = api_login(client, "nobody@example.org", "not the password at all")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json() == unknown_user.json()
    assert SESSION_COOKIE not in client.cookies


def test_a_deactivated_account_cannot_sign_in(client: Client, personas: dict[str, User]) -> None:
    async def deactivate() -> None:
        from wellness.accounts import services

        await services.set_active(personas["patient"].id, False)

    client.run(deactivate)
    response = api_login(client, "patient@example.org", PERSONA_PASSWORD)
    assert response.status_code == 401


def test_malformed_login_bodies_get_a_4xx_naming_the_problem(
    client: Client, personas: dict[str, User]
) -> None:
    missing = client.post("/api/v1/auth/login", json={"email": "patient@example.org"})
    assert missing.status_code == 422
    assert "password" in missing.text
    not_json = client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert 400 <= not_json.status_code < 500


def test_sign_in_replaces_a_planted_session_id(client: Client, personas: dict[str, User]) -> None:
    client.cookies.set(SESSION_COOKIE, "a" * 64, domain="testserver.local")
    response = api_login(client, "patient@example.org", PERSONA_PASSWORD)
    assert response.status_code == 200
    new_id = response.cookies[SESSION_COOKIE]
    assert new_id != "a" * 64
    assert len(new_id) >= 32  # at least 128 bits of randomness, hex-encoded
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, "a" * 64, domain="testserver.local")
    assert client.get("/api/v1/me").status_code == 401


def test_each_sign_in_gets_a_fresh_session_id(client: Client, personas: dict[str, User]) -> None:
    first = api_login(client, "patient@example.org", PERSONA_PASSWORD).cookies[SESSION_COOKIE]
    second = api_login(client, "patient@example.org", PERSONA_PASSWORD).cookies[SESSION_COOKIE]
    assert first != second


@pytest.mark.parametrize("length", [254, 255, 5_000])
def test_an_address_too_long_for_any_account_is_an_unknown_account(
    client: Client, personas: dict[str, User], length: int
) -> None:
    email = "a" * (length - len("@example.org")) + "@example.org"

    api = api_login(client, email, PERSONA_PASSWORD)
    page = client.submit("/login", {"email": email, "password": PERSONA_PASSWORD})

    assert api.status_code == 401
    assert (
        api.json()["detail"] == api_login(client, "nobody@example.org", "x" * 12).json()["detail"]
    )
    assert page.status_code == 401
    assert "match an active account" in page.text


def test_logout_ends_every_session_of_that_user(client: Client, personas: dict[str, User]) -> None:
    laptop = api_login(client, "patient@example.org", PERSONA_PASSWORD).cookies[SESSION_COOKIE]
    client.cookies.clear()
    phone = api_login(client, "patient@example.org", PERSONA_PASSWORD).cookies[SESSION_COOKIE]
    assert client.post("/api/v1/auth/logout").status_code == 204
    for session_id in (laptop, phone):
        client.cookies.clear()
        client.cookies.set(SESSION_COOKIE, session_id, domain="testserver.local")
        assert client.get("/api/v1/me").status_code == 401


def test_signing_out_through_the_api_deletes_the_session_cookie(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["patient"])

    response = client.post("/api/v1/auth/logout")

    assert response.status_code == 204
    [cleared] = [
        header
        for header in response.headers.get_list("set-cookie")
        if header.startswith(f"{SESSION_COOKIE}=")
    ]
    # Max-Age wins over Expires (RFC 6265 5.3): it must say 0, or the cookie lives on.
    assert "Max-Age=0" in cleared
    assert SESSION_COOKIE not in client.cookies


def test_logout_leaves_other_users_signed_in(client: Client, personas: dict[str, User]) -> None:
    therapist = api_login(client, "therapist@example.org", PERSONA_PASSWORD).cookies[SESSION_COOKIE]
    client.cookies.clear()
    client.login_as(PERSONAS["patient"])
    client.post("/api/v1/auth/logout")
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, therapist, domain="testserver.local")
    assert client.get("/api/v1/me").status_code == 200


def test_session_cookie_flags_in_development(client: Client, personas: dict[str, User]) -> None:
    response = api_login(client, "patient@example.org", PERSONA_PASSWORD)
    header = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)
    )
    assert "HttpOnly" in header
    assert "SameSite=lax" in header
    assert "Secure" not in header


def test_staff_sessions_end_after_the_idle_timeout(
    client: Client, personas: dict[str, User], clock: FixedClock
) -> None:
    client.login_as(PERSONAS["therapist"])
    clock.advance(timedelta(seconds=19 * 60))
    assert client.get("/api/v1/me").status_code == 200
    clock.advance(timedelta(seconds=21 * 60))
    assert client.get("/api/v1/me").status_code == 401


def test_patients_get_a_longer_idle_timeout(
    client: Client, personas: dict[str, User], clock: FixedClock
) -> None:
    client.login_as(PERSONAS["patient"])
    clock.advance(timedelta(seconds=60 * 60))
    assert client.get("/api/v1/me").status_code == 200
    clock.advance(timedelta(seconds=121 * 60))
    assert client.get("/api/v1/me").status_code == 401


def test_sessions_end_at_their_absolute_lifetime_despite_activity(
    client: Client, personas: dict[str, User], clock: FixedClock
) -> None:
    client.login_as(PERSONAS["patient"])
    for _ in range(11 * 4):  # active every 15 minutes for 11 hours
        clock.advance(timedelta(seconds=15 * 60))
        assert client.get("/api/v1/me").status_code == 200
    clock.advance(timedelta(seconds=61 * 60 + 15 * 60))
    assert client.get("/api/v1/me").status_code == 401


def test_cross_site_writes_to_the_api_are_refused(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["patient"])
    refused = client.post("/api/v1/auth/logout", headers={"sec-fetch-site": "cross-site"})
    assert refused.status_code == 403
    foreign_origin = client.post("/api/v1/auth/logout", headers={"origin": "https://evil.example"})
    assert foreign_origin.status_code == 403
    assert client.get("/api/v1/me").status_code == 200
    same_origin = client.post(
        "/api/v1/auth/logout",
        headers={"sec-fetch-site": "same-origin", "x-csrftoken": client.csrf_token()},
    )
    assert same_origin.status_code == 204


def test_sign_ins_and_failures_are_audited_without_secrets(
    client: Client, personas: dict[str, User]
) -> None:
    api_login(client, "patient@example.org", "wrong password here")
    client.login_as(PERSONAS["patient"])

    async def events() -> list[tuple[str, int | None, str]]:
        rows = await AuditEvent.all().order_by("id")
        return [(row.action, row.actor_id, row.detail) for row in rows]

    recorded = client.run(events)
    assert ("login_failed", None, "") in recorded
    assert ("login", personas["patient"].id, "new device") in recorded
    assert all("wrong password" not in detail for _, _, detail in recorded)


def test_an_unchanged_session_is_not_written_back_on_every_request(
    client: Client, personas: dict[str, User], clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.login_as(PERSONAS["patient"])
    from litestar.stores.memory import MemoryStore

    writes: list[str] = []
    real_set = MemoryStore.set

    async def counting_set(
        self: MemoryStore, key: str, value: object, expires_in: object = None
    ) -> None:
        if self is client.app.stores.get("sessions"):
            writes.append(key)
        await real_set(self, key, value, expires_in)  # type: ignore[arg-type]

    monkeypatch.setattr(MemoryStore, "set", counting_set)
    for _ in range(5):
        clock.advance(timedelta(seconds=5))
        assert client.get("/api/v1/me").status_code == 200
    assert writes == []
    clock.advance(
        timedelta(seconds=61)
    )  # "last seen" is kept to the minute: now it is worth recording
    assert client.get("/api/v1/me").status_code == 200
    assert len(writes) == 1
