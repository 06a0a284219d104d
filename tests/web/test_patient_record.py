"""The patient's page for their care team, `/care/patients/{id}`, and `GET /api/v1/patients/{id}`.

`therapist` looks after `patient`; `former` left `patient`'s care team yesterday. Only the
current care team may open either; everyone else gets 404 (anonymous: sign-in, 401), and every
view is one audit row naming who, whose and the route, never a score or a note.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import PERSONAS, Client, text_of
from tests.web.care_record_data import (
    API_ROUTE,
    NOTE,
    PAGE_ROUTE,
    add_former_therapist,
    alerts,
    audit_rows,
    log_practice,
    login,
    seed_history,
)
from wellness.accounts.models import User
from wellness.lib.clock import FixedClock

VIEWED = "patient_record_viewed"


@pytest.fixture
def seeded(client: Client, personas: dict[str, User]) -> User:
    add_former_therapist(client, personas["patient"])
    seed_history(client)
    return personas["patient"]


# --- what the care team sees --------------------------------------------------------------------


def test_the_care_team_sees_the_patients_page(client: Client, seeded: User) -> None:
    login(client, "therapist")

    response = client.get(f"/care/patients/{seeded.id}")

    assert response.status_code == 200, response.text
    page = text_of(response)
    assert "<h1>Alice Patient</h1>" in page
    assert "15:30, Tue 24 Nov" in page  # TEST_NOW in Europe/Berlin
    assert "UTC+01:00" in page
    assert "9/10" in page
    assert "2 h ago" in page
    assert "Can't sleep" in page
    assert "Craving" in page
    assert NOTE in page
    assert "Moderate, up 4 since the one before" in page  # GAD-7: 8, then 12
    assert "High distress rating" in page  # the open alert, with its acknowledge form
    assert f'action="/care/alerts/{alerts(client)[0][0]}/acknowledge"' in page
    assert "Self-report" in page
    assert "Attested" in page
    assert "by Bob Therapist" in page
    assert "7 → 4" in page
    assert "6 → 4" in page
    assert "What helps Alice Patient" in page
    assert "6.5 → 4.0" in page
    assert "2 ratings: too few to say yet" in page
    for chart in ("practice-calendar", "anxiety-timeline", "weekly-minutes", "gad7-chart"):
        assert f'id="{chart}' in page, chart


def test_each_view_is_one_audit_row_without_scores_or_notes(client: Client, seeded: User) -> None:
    login(client, "therapist")

    client.get(f"/care/patients/{seeded.id}")
    client.get(f"/care/patients/{seeded.id}?practice_page=1")

    rows = audit_rows(client, action=VIEWED)
    therapist = client.user(PERSONAS["therapist"].email)
    assert [(row.actor_id, row.patient_id, row.route) for row in rows] == [
        (therapist.id, seeded.id, PAGE_ROUTE)
    ] * 2
    assert (rows[0].target_type, rows[0].target_id) == ("user", str(seeded.id))
    for row in rows:
        stored = f"{row.action} {row.detail} {row.target_id} {row.route}"
        assert NOTE not in stored
        assert "9/10" not in stored
        assert "cant-sleep" not in stored


def test_the_api_answers_the_same_record(client: Client, seeded: User) -> None:
    login(client, "therapist")

    response = client.get(f"/api/v1/patients/{seeded.id}")

    assert response.status_code == 200, response.text
    body = response.json()
    header = body["patient"]
    assert (header["id"], header["name"], header["time_zone"]) == (
        seeded.id,
        "Alice Patient",
        "Europe/Berlin",
    )
    assert header["local_time"].startswith("2026-11-24T15:30:00")
    assert header["local_time"].endswith("+01:00")
    last = header["last_checkin"]
    assert (last["level"], last["tags"], last["note"], last["ago"]) == (
        9,
        ["Can't sleep", "Craving"],
        NOTE,
        "2 h ago",
    )
    assert header["latest_gad7"]["total"] == 12
    assert (header["latest_gad7"]["band"], header["latest_gad7"]["change"]) == ("moderate", 4)
    [alert] = header["open_alerts"]
    assert alert["raised_by"]["tags"] == ["Can't sleep", "Craving"]
    assert alert["raised_by"]["note"] == NOTE
    evidence = [(item["evidence"], item["attested_by"]) for item in body["practice"]["items"]]
    assert evidence == [
        ("staff_attested", "Bob Therapist"),
        ("self_report", ""),
        ("self_report", ""),
    ]
    ratings = [
        (item["anxiety_before"], item["anxiety_after"]) for item in body["practice"]["items"]
    ]
    assert ratings == [(None, None), (6, 4), (7, 4)]
    assert body["alerts"]["total"] == 1
    helped = body["what_helps"]
    assert helped["ratings"] == 2
    assert helped["by_kind"] == [
        {
            "label": "Breathing",
            "ratings": 2,
            "mean_before": 6.5,
            "mean_after": 4.0,
            "change": -2.5,
            "lowered": 2,
            "raised": 0,
            "enough_ratings": False,
        }
    ]
    assert body["streak"]["current"] == 1
    [row] = audit_rows(client, action=VIEWED)
    assert (row.patient_id, row.route) == (seeded.id, API_ROUTE)


def test_a_new_patient_shows_empty_states(client: Client, personas: dict[str, User]) -> None:
    login(client, "therapist")

    response = client.get(f"/care/patients/{personas['patient'].id}")

    assert response.status_code == 200
    page = text_of(response)
    for empty in (
        "No open alerts.",
        "Nothing to go on yet.",
        "No practice yet.",
        "No alerts so far.",
    ):
        assert empty in page, empty
    assert "no check-in yet" in page
    assert "not answered yet" in page
    body = client.get(f"/api/v1/patients/{personas['patient'].id}").json()
    assert body["patient"]["last_checkin"] is None
    assert body["patient"]["latest_gad7"] is None
    assert body["practice"] == {"items": [], "page": 1, "pages": 1, "total": 0}


def test_practice_and_alerts_come_a_page_at_a_time(
    client: Client, personas: dict[str, User]
) -> None:
    login(client, "patient")
    for hours in range(1, 18):
        log_practice(client, "breathing", 5, 4, hours=hours)
    login(client, "therapist")
    patient_id = personas["patient"].id

    first = client.get(f"/api/v1/patients/{patient_id}").json()["practice"]
    second = client.get(f"/api/v1/patients/{patient_id}?practice_page=2").json()["practice"]
    page = text_of(client.get(f"/care/patients/{patient_id}?practice_page=2"))
    beyond = text_of(client.get(f"/care/patients/{patient_id}?practice_page=9"))

    assert (first["total"], first["pages"], len(first["items"])) == (17, 2, 15)
    assert (second["page"], len(second["items"])) == (2, 2)
    assert not {item["id"] for item in first["items"]} & {item["id"] for item in second["items"]}
    assert "page 2 of 2" in page
    assert (
        'href="?practice_page=1&amp;alerts_page=1&amp;notes_page=1#practice"'
        in client.get(f"/care/patients/{patient_id}?practice_page=2").text
    )
    assert "No practice on this page." in beyond
    refused = client.get(f"/api/v1/patients/{patient_id}?practice_page=0")
    assert refused.status_code == 422
    assert "practice_page" in refused.text


def test_the_caseload_names_link_to_the_patients_page(
    client: Client, personas: dict[str, User]
) -> None:
    login(client, "therapist")

    page = client.get("/therapist").text

    link = f'<a href="/care/patients/{personas["patient"].id}"><strong>Alice Patient</strong></a>'
    assert link in page
    assert "Charlie Outsider" not in page


# --- who may see it -----------------------------------------------------------------------------

OUTSIDERS = ["other_therapist", "former", "coordinator", "other_patient", "patient", "admin"]


def _snapshot(client: Client) -> Any:
    return alerts(client), len(audit_rows(client, action=VIEWED))


@pytest.mark.parametrize("who", OUTSIDERS)
def test_anyone_but_the_current_care_team_gets_404(client: Client, seeded: User, who: str) -> None:
    before = _snapshot(client)
    login(client, who)

    page = client.get(f"/care/patients/{seeded.id}")
    api = client.get(f"/api/v1/patients/{seeded.id}")

    assert (page.status_code, api.status_code) == (404, 404)
    if who != "patient":  # the patient's own name is in the page header, of course
        assert "Alice" not in page.text + api.text
    assert NOTE not in page.text + api.text
    assert "Can't sleep" not in text_of(page) + api.text
    assert _snapshot(client) == before  # nothing written, not even an audit row of a view


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, seeded: User) -> None:
    login(client, None)

    page = client.get(f"/care/patients/{seeded.id}", follow_redirects=False)
    api = client.get(f"/api/v1/patients/{seeded.id}")

    assert page.status_code == 303
    assert page.headers["location"].startswith("/login?next=")
    assert api.status_code == 401
    assert "Alice" not in api.text
    assert audit_rows(client, action=VIEWED) == []


@pytest.mark.parametrize("who", ["therapist", "other_therapist"])
def test_ids_that_are_not_a_patient_on_the_caseload_are_404(
    client: Client, personas: dict[str, User], who: str
) -> None:
    login(client, who)

    for someone in ("therapist", "other_therapist", "coordinator", "admin"):
        assert client.get(f"/care/patients/{personas[someone].id}").status_code == 404, someone
        assert client.get(f"/api/v1/patients/{personas[someone].id}").status_code == 404, someone
    assert client.get("/care/patients/424242").status_code == 404
    assert client.get("/api/v1/patients/424242").status_code == 404
    assert audit_rows(client, action=VIEWED) == []


def test_a_therapist_who_joins_the_care_team_can_open_it(
    client: Client, personas: dict[str, User]
) -> None:
    login(client, "other_therapist")
    path = f"/care/patients/{personas['patient'].id}"
    assert client.get(path).status_code == 404

    async def join() -> None:
        from wellness.care import services as care

        await care.assign(personas["other_therapist"], personas["patient"], now=client.now())

    client.run(join)

    assert client.get(path).status_code == 200


# --- time: the patient's zone, east and west of UTC --------------------------------------------

ZONED = [
    ("Pacific/Kiritimati", datetime(2026, 12, 2, 12, 30, tzinfo=UTC)),  # 02:30 local, UTC+14
    ("Asia/Tokyo", datetime(2026, 12, 1, 17, 30, tzinfo=UTC)),  # 02:30 local
    ("Asia/Kolkata", datetime(2026, 12, 1, 21, 0, tzinfo=UTC)),  # 02:30 local, half an hour
    ("America/New_York", datetime(2026, 12, 2, 7, 30, tzinfo=UTC)),  # 02:30 local
    ("Pacific/Pago_Pago", datetime(2026, 12, 2, 13, 30, tzinfo=UTC)),  # 02:30 local, UTC-11
    ("America/New_York", datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),  # 01:30 again, after DST
]


@pytest.mark.parametrize(("zone", "now"), ZONED, ids=[f"{z}-{n:%m%dT%H%M}" for z, n in ZONED])
def test_the_header_is_in_the_patients_zone_and_day(
    client: Client, personas: dict[str, User], clock: FixedClock, zone: str, now: datetime
) -> None:
    """Before the 03:00 rollover a practice at 23:00 the evening before counts for today."""
    patient = personas["patient"]
    client.run(lambda: User.filter(id=patient.id).update(time_zone=zone))
    clock.set(now)
    login(client, "patient")
    local = now.astimezone(patient_zone(zone))
    evening = local.replace(hour=23, minute=0) - timedelta(days=1)
    log_practice(client, "yoga", 5, 3, hours=(now - evening).total_seconds() / 3600)
    login(client, "therapist")

    body = client.get(f"/api/v1/patients/{patient.id}").json()
    page = text_of(client.get(f"/care/patients/{patient.id}"))

    header = body["patient"]
    assert datetime.fromisoformat(header["local_time"]) == now
    assert datetime.fromisoformat(header["local_time"]).utcoffset() == local.utcoffset()
    assert (header["current_streak"], header["practised_today"]) == (1, True)
    started = datetime.fromisoformat(body["practice"]["items"][0]["started_at"])
    assert (started.hour, started.utcoffset()) == (23, evening.utcoffset())
    assert f"{local:%H:%M, %a} {local.day} {local:%b}" in page
    assert "practised today" in page
    assert f"{evening:%a} {evening.day} {evening:%b %Y}, 23:00" in page


def patient_zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


# --- assigned practices -------------------------------------------------------------------------


def test_assigned_practices_show_with_their_adherence(
    client: Client, personas: dict[str, User]
) -> None:
    from tests.caseload_fixtures import published

    patient_id = personas["patient"].id
    client.run(lambda: published("Slow exhale", minutes=7, now=client.now()))
    login(client, "therapist")
    assigned = client.post(
        f"/api/v1/patients/{patient_id}/assignments",
        json={"kind": "breathing", "min_minutes": 5, "max_minutes": 10, "note": "After lunch"},
    )
    assert assigned.status_code == 201, assigned.text
    assignment_id = assigned.json()["id"]
    login(client, "patient")
    body = {
        "kind": "breathing",
        "started_at": (client.now() - timedelta(minutes=30)).isoformat(),
        "listened_seconds": 7 * 60,
        "completed": True,
    }
    assert client.post("/api/v1/practice", json=body).status_code == 201
    login(client, "therapist")

    page = text_of(client.get(f"/care/patients/{patient_id}"))
    record = client.get(f"/api/v1/patients/{patient_id}").json()

    assert "Assigned practices" in page
    assert "“After lunch”" in page
    assert "1 of 1" in page
    assert f'href="/care/assignments/{assignment_id}/edit"' in page
    assert f'href="/care/patients/{patient_id}/assignments/new"' in page
    [item] = record["assignments"]
    assert (item["id"], item["note"], item["state"]) == (assignment_id, "After lunch", "active")
    assert (item["adherence"]["week_done"], item["adherence"]["week_prescribed"]) == (1, 1)


def test_a_patient_with_nothing_assigned_gets_an_invitation_to_assign(
    client: Client, personas: dict[str, User]
) -> None:
    login(client, "therapist")

    page = text_of(client.get(f"/care/patients/{personas['patient'].id}"))

    assert "Nothing assigned." in page
    assert client.get(f"/api/v1/patients/{personas['patient'].id}").json()["assignments"] == []
