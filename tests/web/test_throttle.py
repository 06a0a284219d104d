"""Failed sign-ins lock the attacker, not the person: per account for new browsers, per device
cookie for browsers that signed in before, per address for strangers only; with a recovery
path, a notice to the person and audit rows for admins.

Requests name their client address in a test header (in production uvicorn sets it, from
X-Forwarded-For only when the proxy is trusted), so one test client can be many machines.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import PERSONA_PASSWORD, Client
from wellness.accounts import devices
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.audit.repeated_refusals import REFUSAL_WINDOW
from wellness.lib.clock import FixedClock
from wellness.settings import Settings

GOOD = PERSONA_PASSWORD
BAD = "definitely not the password"
PATIENT = "patient@example.org"
THERAPIST = "therapist@example.org"
HOME = "198.51.100.7"
WARD = "10.20.30.40"
SESSION_COOKIE = "wellness_session"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.replace(
        login_failures_per_account=3, login_failures_per_device=4, login_failures_per_client=8
    )


@pytest.fixture(autouse=True)
def addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "wellness.web.auth.client_address",
        lambda request: request.headers.get("x-test-address", HOME),
    )


def attempt(
    client: Client, email: str, password: str, *, device: str | None = None, address: str = HOME
) -> Any:
    """A JSON sign-in from a browser holding only `device` (None: a browser never used here)."""
    client.cookies.clear()
    if device is not None:
        client.cookies.set(devices.COOKIE, device, domain="testserver.local")
    return client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": password},
        headers={"x-test-address": address},
    )


def known_browser(client: Client, email: str = PATIENT, *, address: str = HOME) -> str:
    """Sign in with the right password; the device cookie that browser keeps."""
    response = attempt(client, email, GOOD, address=address)
    assert response.status_code == 200, response.text
    return str(response.cookies[devices.COOKIE])


def form_sign_in(client: Client, email: str, password: str) -> Any:
    return client.submit("/login", {"email": email, "password": password})


def audit_rows(client: Client) -> list[tuple[str, str, str, str, str]]:
    async def load() -> list[tuple[str, str, str, str, str]]:
        rows = await AuditEvent.filter(action__startswith="login").order_by("id")
        return [(r.action, r.target_type, r.target_id, r.client, r.detail) for r in rows]

    return client.run(load)


def test_new_browsers_are_locked_out_of_an_account_after_repeated_failures(
    client: Client, personas: dict[str, User]
) -> None:
    statuses = [attempt(client, PATIENT, BAD).status_code for _ in range(3)]
    locked = attempt(client, PATIENT, GOOD)
    assert statuses == [401, 401, 401]
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert SESSION_COOKIE not in locked.cookies
    assert devices.COOKIE not in locked.cookies
    assert "Too many failed sign-ins" in locked.json()["detail"]


def test_attackers_from_many_addresses_cannot_lock_out_the_persons_known_browser(
    client: Client, personas: dict[str, User]
) -> None:
    device = known_browser(client)
    statuses = [
        attempt(client, PATIENT, BAD, address=f"203.0.113.{number}").status_code
        for number in range(12)
    ]
    new_browser = attempt(client, PATIENT, GOOD, address="203.0.113.99")
    known = attempt(client, PATIENT, GOOD, device=device, address="192.0.2.50")
    assert statuses == [401] * 3 + [429] * 9
    assert new_browser.status_code == 429
    assert known.status_code == 200, known.text
    assert client.get("/api/v1/me").json()["email"] == PATIENT


def test_a_ward_behind_one_address_keeps_signing_in_on_known_browsers(
    client: Client, personas: dict[str, User]
) -> None:
    patient_tablet = known_browser(client, PATIENT, address=WARD)
    therapist_desk = known_browser(client, THERAPIST, address=WARD)
    sprayed = [
        attempt(client, f"guess{number}@example.org", BAD, address=WARD).status_code
        for number in range(8)
    ]
    new_on_the_ward = attempt(client, "other.patient@example.org", GOOD, address=WARD)
    assert sprayed == [401] * 8
    assert new_on_the_ward.status_code == 429
    assert attempt(client, PATIENT, GOOD, device=patient_tablet, address=WARD).status_code == 200
    assert attempt(client, THERAPIST, GOOD, device=therapist_desk, address=WARD).status_code == 200
    elsewhere = attempt(client, "other.patient@example.org", GOOD, address=HOME)
    assert elsewhere.status_code == 200


def test_a_device_cookie_of_another_account_a_forged_or_a_foreign_one_gives_no_allowance(
    client: Client, personas: dict[str, User]
) -> None:
    therapists = known_browser(client, THERAPIST)
    nonce, _mac = therapists.split(".")
    forged = f"{nonce}.{'A' * 43}"
    foreign = devices.issue("another installation's secret, just as long", PATIENT, None)
    for _ in range(3):
        attempt(client, PATIENT, BAD)
    for cookie in (therapists, forged, foreign):
        refused = attempt(client, PATIENT, GOOD, device=cookie)
        assert refused.status_code == 429
        assert SESSION_COOKIE not in refused.cookies
    assert client.get("/api/v1/me").status_code == 401


def test_a_device_cookie_used_for_guessing_locks_itself_not_the_persons_other_browsers(
    client: Client, personas: dict[str, User]
) -> None:
    stolen = known_browser(client)
    phone = known_browser(client)
    assert stolen != phone
    guesses = [attempt(client, PATIENT, BAD, device=stolen).status_code for _ in range(4 + 3)]
    assert guesses == [401] * 7  # the device's own 4, then 3 as a stranger
    assert attempt(client, PATIENT, GOOD, device=stolen).status_code == 429
    assert attempt(client, PATIENT, GOOD, address="203.0.113.1").status_code == 429
    assert attempt(client, PATIENT, GOOD, device=phone).status_code == 200


def test_the_sign_in_form_gives_the_browser_a_device_cookie_naming_the_account(
    client: Client, personas: dict[str, User], settings: Settings
) -> None:
    response = form_sign_in(client, PATIENT, GOOD)
    assert response.status_code == 303
    header = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith(devices.COOKIE + "=")
    )
    assert "HttpOnly" in header
    assert "SameSite=lax" in header
    assert "Max-Age=31536000" in header
    assert "Path=/" in header
    assert "Secure" not in header  # development; tests/web/test_production.py checks Secure
    value = str(client.cookies[devices.COOKIE])
    assert devices.device_for(settings.secret_key, PATIENT, value) is not None
    assert devices.device_for(settings.secret_key, THERAPIST, value) is None
    assert client.submit("/logout").status_code == 303
    assert client.cookies[devices.COOKIE] == value


def test_a_known_browser_signs_in_through_the_form_while_strangers_are_locked_out(
    client: Client, personas: dict[str, User]
) -> None:
    device = known_browser(client)
    for _ in range(3):
        attempt(client, PATIENT, BAD, address="203.0.113.5")
    client.cookies.clear()
    stranger = form_sign_in(client, PATIENT, GOOD)
    assert stranger.status_code == 429
    assert "Too many failed sign-ins" in stranger.text
    client.cookies.clear()
    client.cookies.set(devices.COOKIE, device, domain="testserver.local")
    known = form_sign_in(client, PATIENT, GOOD)
    assert known.status_code == 303
    assert known.headers["location"] == "/patient"


def test_the_person_is_told_once_about_failed_sign_ins_since_their_last_visit(
    client: Client, personas: dict[str, User], clock: FixedClock
) -> None:
    device = known_browser(client)
    clock.advance(timedelta(minutes=5))
    attempt(client, PATIENT, BAD, address="203.0.113.1")
    clock.advance(timedelta(minutes=11))
    attempt(client, "Patient@Example.org", BAD, address="203.0.113.2")
    clock.advance(timedelta(hours=2))
    client.cookies.clear()
    client.cookies.set(devices.COOKIE, device, domain="testserver.local")
    signed_in = form_sign_in(client, PATIENT, GOOD)
    assert signed_in.status_code == 303
    home = client.get(signed_in.headers["location"])
    assert home.status_code == 200
    # 14:46 UTC is 15:46 in Berlin, the patient's zone.
    assert (
        "2 failed sign-in attempts since your last visit, the latest on 24 Nov 2026, 15:46."
        in home.text
    )
    assert "failed sign-in attempt" not in client.get("/patient").text
    client.submit("/logout")
    again = form_sign_in(client, PATIENT, GOOD)
    assert again.status_code == 303
    assert "failed sign-in attempt" not in client.get("/patient").text


def test_the_json_answer_counts_failed_and_refused_attempts_since_the_last_sign_in(
    client: Client, personas: dict[str, User], clock: FixedClock
) -> None:
    device = known_browser(client)
    statuses = []
    for _ in range(4):
        clock.advance(timedelta(minutes=1))
        statuses.append(attempt(client, PATIENT, BAD, address="203.0.113.1").status_code)
    clock.advance(timedelta(minutes=1))
    first = attempt(client, PATIENT, GOOD, device=device)
    second = attempt(client, PATIENT, GOOD, device=device)
    assert statuses == [401, 401, 401, 429]
    assert first.status_code == second.status_code == 200
    assert first.json()["failed_sign_ins"] == 4
    assert first.json()["last_failed_sign_in_at"] == "2026-11-24T14:34:00Z"
    assert first.json()["email"] == PATIENT
    assert second.json()["failed_sign_ins"] == 0
    assert second.json()["last_failed_sign_in_at"] is None


def test_failures_and_locks_are_audited_naming_the_account_never_the_password(
    client: Client, personas: dict[str, User]
) -> None:
    patient_id = str(personas["patient"].id)
    attacker = "203.0.113.9"
    for _ in range(4):
        attempt(client, PATIENT, BAD, address=attacker)
    attempt(client, "nobody@example.org", BAD, address=attacker)
    rows = audit_rows(client)
    assert rows == [
        ("login_failed", "user", patient_id, attacker, ""),
        ("login_failed", "user", patient_id, attacker, ""),
        ("login_failed", "user", patient_id, attacker, ""),
        ("login_locked", "user", patient_id, attacker, "untrusted clients"),
        ("login_throttled", "user", patient_id, attacker, ""),
        ("login_failed", "", "", attacker, ""),
    ]
    assert all(BAD not in field for row in rows for field in row)


def test_unknown_accounts_lock_the_same_way_as_real_ones(
    client: Client, personas: dict[str, User]
) -> None:
    for _ in range(3):
        assert attempt(client, "nobody@example.org", BAD).status_code == 401
    unknown = attempt(client, "nobody@example.org", BAD)
    known_failures = [attempt(client, PATIENT, BAD).json() for _ in range(3)]
    known = attempt(client, PATIENT, BAD)
    assert unknown.status_code == known.status_code == 429
    assert unknown.json() == known.json()
    assert known_failures[0] == attempt(client, "nobody.else@example.org", BAD).json()


def test_a_password_reset_by_an_admin_lifts_the_lock(
    client: Client, personas: dict[str, User]
) -> None:
    for _ in range(3):
        attempt(client, PATIENT, BAD)
    assert attempt(client, PATIENT, GOOD).status_code == 429
    assert attempt(client, "admin@example.org", GOOD).status_code == 200
    new_password = "a fresh passphrase for pat"
    reset = client.submit(
        f"/admin/users/{personas['patient'].id}/password", {"password": new_password}
    )
    assert reset.status_code == 303
    assert attempt(client, PATIENT, new_password).status_code == 200


def test_the_lock_expires_after_the_window(
    client: Client, personas: dict[str, User], clock: FixedClock
) -> None:
    for _ in range(3):
        attempt(client, PATIENT, BAD)
    assert attempt(client, PATIENT, GOOD).status_code == 429
    clock.advance(timedelta(minutes=59))
    assert attempt(client, PATIENT, GOOD).status_code == 429
    clock.advance(timedelta(minutes=2))
    assert attempt(client, PATIENT, GOOD).status_code == 200


def test_a_flood_of_throttled_sign_ins_is_one_row_then_one_row_with_its_count(
    client: Client, personas: dict[str, User], clock: FixedClock
) -> None:
    """The throttle bounds failures, not the attempts it refuses: those are coalesced per client,
    account and route, as other refusals without a session are (audit/repeated_refusals.py)."""
    patient_id = str(personas["patient"].id)
    attacker = "203.0.113.9"
    for _ in range(3):
        attempt(client, PATIENT, BAD, address=attacker)
    for _ in range(40):
        assert attempt(client, PATIENT, BAD, address=attacker).status_code == 429
        clock.advance(timedelta(seconds=1))
    throttled = [row for row in audit_rows(client) if row[0] == "login_throttled"]
    assert throttled == [("login_throttled", "user", patient_id, attacker, "")]

    clock.advance(REFUSAL_WINDOW)
    assert attempt(client, PATIENT, BAD, address=attacker).status_code == 429

    throttled = [row for row in audit_rows(client) if row[0] == "login_throttled"]
    assert len(throttled) == 3
    assert throttled[1][:4] == ("login_throttled", "user", patient_id, attacker)
    assert throttled[1][4].startswith("repeated=39;")
    assert throttled[2] == ("login_throttled", "user", patient_id, attacker, "")
