"""A therapist's menu shows beside "Caseload" how many open alerts their own patients have, on
every page, until each is acknowledged; nobody else's alerts count, and nobody else sees one."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Client
from tests.web.care_record_data import add_former_therapist, check_in, login, newest_alert
from wellness.accounts.models import User
from wellness.caseload import alerts as caseload_alerts

BADGE = re.compile(r'<span class="nav-count">(\d+)<span class="visually-hidden"> (open alerts?)')


def badge(client: Client, path: str) -> tuple[int, str] | None:
    response = client.get(path)
    assert response.status_code == 200, path
    found = BADGE.search(response.text)
    return (int(found.group(1)), found.group(2)) if found else None


@pytest.fixture
def raised(client: Client, personas: dict[str, User]) -> list[int]:
    """Two open alerts for `patient` (a former care-team member is set up too)."""
    add_former_therapist(client, personas["patient"])
    login(client, "patient")
    check_in(client, 9, tags=["panic"])
    first = newest_alert(client)
    check_in(client, 8, tags=[])
    return [first, newest_alert(client)]


def test_the_therapist_sees_the_count_on_every_page_until_each_is_acknowledged(
    client: Client, raised: list[int]
) -> None:
    login(client, "therapist")
    for path in ("/therapist", "/sessions", "/account"):
        assert badge(client, path) == (2, "open alerts"), path

    assert client.post(f"/api/v1/alerts/{raised[0]}/acknowledge", json={}).status_code == 200
    assert badge(client, "/therapist") == (1, "open alert")

    assert client.post(f"/api/v1/alerts/{raised[1]}/acknowledge", json={}).status_code == 200
    assert badge(client, "/therapist") is None


@pytest.mark.parametrize("who", ["other_therapist", "former", "patient", "coordinator", "admin"])
def test_nobody_else_sees_a_count_of_these_alerts(
    client: Client, raised: list[int], who: str
) -> None:
    login(client, who)
    home = {"other_therapist": "/therapist", "former": "/therapist"}.get(who, "/")
    response = client.get(home, follow_redirects=True)

    assert response.status_code == 200
    assert "nav-count" not in response.text


def test_answers_that_are_not_pages_do_not_count(
    client: Client, raised: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, "therapist")
    counted: list[str] = []

    async def count(therapist: User) -> int:
        counted.append(therapist.email)
        return 0

    monkeypatch.setattr(caseload_alerts, "open_alert_count", count)
    assert client.get("/api/v1/alerts").status_code == 200
    assert client.get("/static/app.css").status_code == 200
    assert counted == []

    assert client.get("/therapist").status_code == 200
    assert counted == ["therapist@example.org"]
