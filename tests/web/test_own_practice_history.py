"""A patient's own practice history on their progress page: what they did, when, how long, the
ratings around it and the note they wrote, newest first, a page at a time; the same list their
care team sees on the patient's record."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.conftest import PERSONAS, Client
from wellness.accounts.models import User
from wellness.caseload.record import PRACTICE_PER_PAGE


def log(client: Client, *, hours_ago: int, note: str = "", before: int | None = None) -> None:
    body: dict[str, object] = {
        "kind": "yoga",
        "started_at": (client.now() - timedelta(hours=hours_ago)).isoformat(),
        "listened_seconds": 1800,
        "completed": True,
        "note": note,
    }
    if before is not None:
        body |= {"anxiety_before": before, "anxiety_after": before - 3}
    answer = client.post("/api/v1/practice", json=body)
    assert answer.status_code == 201, answer.text


def history_section(page: str) -> str:
    found = re.search(r'<section[^>]*id="practice">.*?</section>', page, re.DOTALL)
    assert found, "no practice history on the page"
    return found.group(0)


def test_the_patient_sees_their_practice_with_its_note_and_ratings(as_patient: Client) -> None:
    log(as_patient, hours_ago=30, note="Group yoga, felt lighter after.", before=7)

    page = as_patient.get("/progress")

    assert page.status_code == 200
    section = history_section(page.text)
    assert "Practice history" in section
    assert "Group yoga, felt lighter after." in section
    assert "7 → 4" in section
    assert "30 min" in section
    assert "Logged by you" in section  # the patient's words, not staff's "Self-report"
    assert "Self-report" not in section


def test_with_no_practice_the_patient_is_told_what_will_appear(as_patient: Client) -> None:
    section = history_section(as_patient.get("/progress").text)

    assert "No practice yet." in section
    assert "practice you log" in section


def test_the_list_pages_newest_first(as_patient: Client) -> None:
    oldest = PRACTICE_PER_PAGE + 2
    for hours_ago in range(1, oldest + 1):
        log(as_patient, hours_ago=hours_ago, note=f"Practice {hours_ago} hours back.")

    first = history_section(as_patient.get("/progress").text)
    second = history_section(as_patient.get("/progress?practice_page=2").text)

    assert f"{oldest} practices, page 1 of 2" in first
    assert first.index("Practice 1 hours back.") < first.index("Practice 2 hours back.")
    assert f"Practice {oldest} hours back." not in first
    assert f"Practice {oldest} hours back." in second
    assert "Practice 1 hours back." not in second
    assert 'href="?practice_page=2#practice"' in first


def test_a_bad_page_number_is_refused_by_name(as_patient: Client) -> None:
    for bad in ("0", "-1", "x", "100001"):
        answer = as_patient.get(f"/progress?practice_page={bad}")
        assert answer.status_code == 422, (bad, answer.status_code)
        assert "practice_page" in answer.text


def test_another_patients_practice_never_shows(
    as_patient: Client, personas: dict[str, User]
) -> None:
    log(as_patient, hours_ago=3, note="Only mine to see.")
    as_patient.login_as(PERSONAS["other_patient"])

    section = history_section(as_patient.get("/progress").text)

    assert "Only mine to see." not in section
    assert "No practice yet." in section
