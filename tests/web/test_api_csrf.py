"""The JSON API's CSRF defence: a browser's writes carry the page's token in `x-csrftoken`
(every browser labels its requests with Sec-Fetch-Site or, when older, a write with Origin);
clients that send neither label cannot ride a victim's cookies and need no token."""

from __future__ import annotations

import re

import pytest

from tests.conftest import BASE_URL, PERSONAS, Client
from tests.web.test_practice_api import make_session
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.checkins.models import Checkin

BROWSER_LABELS = [
    pytest.param({"sec-fetch-site": "same-origin"}, id="fetch-metadata"),
    pytest.param({"origin": BASE_URL}, id="origin-only"),
]


def checkins_of(client: Client, patient: User) -> int:
    return client.run(lambda: Checkin.filter(patient_id=patient.id).count())


@pytest.mark.parametrize("labels", BROWSER_LABELS)
@pytest.mark.parametrize(
    "sent",
    [
        pytest.param(None, id="no-token"),
        pytest.param("not-a-token", id="garbage"),
        pytest.param("0" * 64 + "f" * 64, id="forged-signature"),
    ],
)
def test_a_browser_write_without_the_pages_token_is_refused_and_audited(
    client: Client, personas: dict[str, User], labels: dict[str, str], sent: str | None
) -> None:
    client.login_as(PERSONAS["patient"])
    client.csrf_token()  # the browser has been on a page, so it holds the cookie
    headers = labels | ({"x-csrftoken": sent} if sent is not None else {})

    response = client.post("/api/v1/checkins", json={"level": 3}, headers=headers)

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert checkins_of(client, personas["patient"]) == 0
    refusal = client.run(lambda: AuditEvent.filter(action="csrf_refused").order_by("-id").first())
    assert refusal is not None
    assert (refusal.actor_id, refusal.detail) == (personas["patient"].id, "no valid CSRF token")


@pytest.mark.parametrize("labels", BROWSER_LABELS)
def test_a_browser_write_with_the_pages_token_is_accepted(
    client: Client, personas: dict[str, User], labels: dict[str, str]
) -> None:
    client.login_as(PERSONAS["patient"])
    headers = labels | {"x-csrftoken": client.csrf_token()}

    response = client.post("/api/v1/checkins", json={"level": 3}, headers=headers)

    assert response.status_code == 201
    assert checkins_of(client, personas["patient"]) == 1


def test_another_browsers_token_is_refused(client: Client, personas: dict[str, User]) -> None:
    client.login_as(PERSONAS["patient"])
    foreign = client.csrf_token()
    client.cookies.delete("wellness_csrf")
    assert client.csrf_token() != foreign

    response = client.post(
        "/api/v1/checkins",
        json={"level": 3},
        headers={"sec-fetch-site": "same-origin", "x-csrftoken": foreign},
    )

    assert response.status_code == 403
    assert checkins_of(client, personas["patient"]) == 0


def test_a_client_that_is_not_a_browser_needs_no_token(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["patient"])
    assert "wellness_csrf" not in client.cookies

    response = client.post("/api/v1/checkins", json={"level": 3})

    assert response.status_code == 201
    assert checkins_of(client, personas["patient"]) == 1


def test_reads_need_no_token(client: Client, personas: dict[str, User]) -> None:
    client.login_as(PERSONAS["patient"])
    response = client.get("/api/v1/checkins", headers={"sec-fetch-site": "same-origin"})
    assert response.status_code == 200


def test_the_session_page_gives_its_player_the_browsers_token(
    client: Client, personas: dict[str, User]
) -> None:
    session_id = make_session(client)
    client.login_as(PERSONAS["patient"])
    page = client.get(f"/sessions/{session_id}")
    assert page.status_code == 200
    [token] = re.findall(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert token == client.cookies["wellness_csrf"]
