"""Refused requests without a session cannot flood the audit trail, and leave their number in
it: per worker, the first refusal per client address, action and route in a minute is a row,
the rest are counted onto a row of their own once the minute is over or the worker stops. A
signed-in person's refusals are each a row."""

from __future__ import annotations

from datetime import timedelta

from litestar import Litestar

from tests.conftest import BASE_URL, PERSONAS, TEST_NOW, Client
from wellness.accounts.models import User
from wellness.app import create_app
from wellness.audit.models import AuditEvent
from wellness.audit.repeated_refusals import REFUSAL_WINDOW
from wellness.lib.clock import FixedClock
from wellness.settings import Settings

FLOOD = 50
SIGN_IN = "POST /login"


def refusal_rows(client: Client) -> list[tuple[int | None, str, str, str]]:
    async def load() -> list[tuple[int | None, str, str, str]]:
        rows = await AuditEvent.filter(action="csrf_refused").order_by("id")
        return [(row.actor_id, row.client, row.detail, row.route) for row in rows]

    return client.run(load)


def refused_sign_in(client: Client) -> None:
    """A sign-in posted without its CSRF token, as a script hammering the form would."""
    client.cookies.clear()
    response = client.post("/login", data={"email": "a@example.org", "password": "x" * 12})
    assert response.status_code == 403


def test_a_flood_of_refused_sign_ins_is_one_row_then_one_row_with_its_count(
    client: Client, clock: FixedClock
) -> None:
    for _ in range(FLOOD):
        refused_sign_in(client)
        clock.advance(timedelta(milliseconds=100))

    assert refusal_rows(client) == [(None, "testclient", "no valid CSRF token", SIGN_IN)]

    clock.set(TEST_NOW + REFUSAL_WINDOW)
    refused_sign_in(client)

    first = TEST_NOW + timedelta(milliseconds=100)
    last = TEST_NOW + timedelta(milliseconds=100 * (FLOOD - 1))
    count = (
        f"repeated={FLOOD - 1};first={first.isoformat(timespec='seconds')};"
        f"last={last.isoformat(timespec='seconds')}"
    )
    assert refusal_rows(client) == [
        (None, "testclient", "no valid CSRF token", SIGN_IN),
        (None, "testclient", count, SIGN_IN),
        (None, "testclient", "no valid CSRF token", SIGN_IN),
    ]


def test_the_count_still_open_is_recorded_when_the_worker_stops(settings: Settings) -> None:
    app: Litestar = create_app(settings, clock=FixedClock(TEST_NOW))
    with Client(app, base_url=BASE_URL) as client:
        for _ in range(FLOOD):
            refused_sign_in(client)
        assert len(refusal_rows(client)) == 1

    with Client(app, base_url=BASE_URL) as restarted:
        rows = refusal_rows(restarted)
    now = TEST_NOW.isoformat(timespec="seconds")
    assert [detail for _, _, detail, _ in rows] == [
        "no valid CSRF token",
        f"repeated={FLOOD - 1};first={now};last={now}",
    ]


def test_each_refusal_of_a_signed_in_person_is_a_row(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])
    patient = personas["patient"]

    for _ in range(5):
        response = client.post(f"/care/patients/{patient.id}/attest", data={"kind": "yoga"})
        assert response.status_code == 403

    rows = refusal_rows(client)
    assert len(rows) == 5
    assert {actor for actor, _, _, _ in rows} == {personas["therapist"].id}
