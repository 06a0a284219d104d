"""The printable patient report, `/care/patients/{id}/report?from=&to=&notes=`.

`therapist` (Bob) looks after `patient` (Alice, Berlin). The report has the patient page's
access (404 for anyone else), refuses a period it cannot take with a 400 naming the parameter,
and every view is one audit row with the period, never any data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.caseload_fixtures import distressed
from tests.conftest import Client, count, text_of
from tests.web.care_record_data import (
    add_former_therapist,
    audit_rows,
    login,
    seed_history,
)
from wellness.accounts.models import User
from wellness.care import notes
from wellness.care.models import ClinicalNote
from wellness.care.note_rules import NoteKind
from wellness.lib.clock import FixedClock

ROUTE = "GET /care/patients/{patient_id}/report"
CLINICIAN_NOTE = "Discussed the taper; she wants to slow it down."
BERLIN = ZoneInfo("Europe/Berlin")


def write_note(client: Client, patient: User, text: str = CLINICIAN_NOTE) -> None:
    therapist = client.user("therapist@example.org")

    async def make() -> None:
        await notes.write_note(
            therapist,
            patient,
            kind=NoteKind.SESSION,
            contact_date=date(2026, 11, 23),
            text=text,
            now=client.now(),
        )

    client.run(make)


@pytest.fixture
def seeded(client: Client, personas: dict[str, User]) -> User:
    """Alice's ratings, GAD-7s, practice and an open alert (care_record_data.seed_history), and
    a note by Bob; Fern was on her care team until yesterday."""
    add_former_therapist(client, personas["patient"])
    seed_history(client)
    write_note(client, personas["patient"])
    return personas["patient"]


def test_the_report_covers_the_last_28_days_and_says_it_is_confidential(
    client: Client, seeded: User
) -> None:
    login(client, "therapist")

    response = client.get(f"/care/patients/{seeded.id}/report")

    assert response.status_code == 200, response.text
    [row] = audit_rows(client, action="patient_report_viewed")
    therapist = client.user("therapist@example.org")
    assert (row.actor_id, row.patient_id, row.route) == (therapist.id, seeded.id, ROUTE)
    assert row.detail == "from=2026-10-28;to=2026-11-24;notes=1"
    page = text_of(response)
    assert "<title>Report: Alice Patient · wellness</title>" in page
    assert '<h1 id="report-title">Alice Patient</h1>' in page
    assert "Confidential: clinical record." in page
    assert "28 Oct to 24 Nov 2026 (28 days)" in page
    assert "<dt>Printed on</dt><dd>24 Nov 2026, 15:30</dd>" in page
    assert "<dt>Prepared by</dt><dd>Bob Therapist</dd>" in page
    assert "Alice Patient's local time, Europe/Berlin" in page
    # Ratings: 7, 4, 6, 4 around two practices and the 9 of a check-in.
    assert "<dt>Ratings</dt><dd>5</dd>" in page
    assert "4 to 9" in page
    assert "6.5 → 4.0: 2.5 points calmer on average" in page
    assert '8 <span class="muted">of 21</span>' in page
    assert '12 <span class="muted">of 21</span>' in page
    assert "Moderate" in page
    assert "High distress rating" in page
    assert "Not acknowledged" in page
    assert CLINICIAN_NOTE in page
    assert "By Bob Therapist" in page
    assert "/static/report.css" in page
    assert '<script src="/static/js/print.js" defer></script>' in page


def test_the_patients_page_links_to_the_report(client: Client, seeded: User) -> None:
    login(client, "therapist")

    page = client.get(f"/care/patients/{seeded.id}").text

    assert f'href="/care/patients/{seeded.id}/report">Printable report</a>' in page


def test_a_chosen_period_is_read_in_the_patients_days(client: Client, seeded: User) -> None:
    login(client, "therapist")

    response = client.get(f"/care/patients/{seeded.id}/report?from=2026-11-01&to=2026-11-14")

    assert response.status_code == 200
    [row] = audit_rows(client, action="patient_report_viewed")
    assert row.detail == "from=2026-11-01;to=2026-11-14;notes=1"
    page = text_of(response)
    assert "1 Nov to 14 Nov 2026 (14 days)" in page
    assert '8 <span class="muted">of 21</span>' in page  # the GAD-7 of ten days ago
    assert '12 <span class="muted">of 21</span>' not in page  # five hours ago
    assert "No anxiety ratings in this period." in page
    assert "No clinician notes in this period." in page


def test_notes_0_leaves_the_clinician_notes_out(client: Client, seeded: User) -> None:
    login(client, "therapist")

    response = client.get(f"/care/patients/{seeded.id}/report?notes=0")

    assert response.status_code == 200
    [row] = audit_rows(client, action="patient_report_viewed")
    assert row.detail.endswith(";notes=0")
    page = text_of(response)
    assert CLINICIAN_NOTE not in page
    assert "Left out of this report." in page
    assert "Prepared to share: clinician notes are left out." in page
    assert 'name="notes" type="checkbox" value="0" checked' in page


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2026-13-01", "from", "Give the first day as YYYY-MM-DD"),
        ("to=tomorrow", "to", "Give the last day as YYYY-MM-DD"),
        ("from=2026-11-20&to=2026-11-25", "to", "The last day is after today (2026-11-24)"),
        ("from=2026-11-20&to=2026-11-10", "from", "The first day is after the last day"),
        ("from=2025-11-22&to=2026-11-24", "from", "The period is 368 days long"),
        ("notes=no", "notes", "Give notes=0 to leave clinician notes out"),
    ],
)
def test_a_period_it_cannot_take_is_a_400_naming_the_parameter(
    client: Client, seeded: User, query: str, field: str, message: str
) -> None:
    login(client, "therapist")
    notes_before = count(client, ClinicalNote)

    response = client.get(f"/care/patients/{seeded.id}/report?{query}")

    assert response.status_code == 400
    assert count(client, ClinicalNote) == notes_before
    [row] = audit_rows(client, action="patient_report_viewed")
    assert row.detail == f"refused={field}"
    page = text_of(response)
    assert "<title>Error: Report: Alice Patient" in page
    assert f'<a href="#{field}">' in page
    assert message in page
    assert "Anxiety ratings" not in page  # no report beside the problems
    assert CLINICIAN_NOTE not in page


def test_an_empty_period_shows_an_empty_state_in_every_part(
    client: Client, personas: dict[str, User]
) -> None:
    login(client, "therapist")

    response = client.get(f"/care/patients/{personas['patient'].id}/report")

    assert response.status_code == 200
    page = text_of(response)
    for empty in (
        "No anxiety ratings in this period.",
        "No GAD-7 answered in this period.",
        "No practice in this period.",
        "Nothing assigned was due in this period.",
        "No safety alerts in this period.",
        "No clinician notes in this period.",
    ):
        assert empty in page, empty


@pytest.mark.parametrize("who", ["patient", "other_therapist", "former", "coordinator", "admin"])
def test_anyone_but_the_current_care_team_gets_404(client: Client, seeded: User, who: str) -> None:
    login(client, who)

    response = client.get(f"/care/patients/{seeded.id}/report")

    assert response.status_code == 404
    assert audit_rows(client, action="patient_report_viewed") == []
    page = text_of(response)
    assert CLINICIAN_NOTE not in page
    assert "Report: Alice Patient" not in page


def test_a_report_ending_on_the_day_the_clocks_go_back_ends_at_its_midnight(
    client: Client, personas: dict[str, User], clock: FixedClock
) -> None:
    """25 Oct 2026 has 25 hours in Berlin: a rating at 23:30 that day is in the report ending
    on it, one at 00:30 the next day is not, whatever UTC's date says."""
    patient = personas["patient"]
    clock.set(datetime(2026, 10, 27, 12, tzinfo=UTC))

    async def rate() -> None:
        for level, local in (
            (3, datetime(2026, 10, 25, 23, 30, tzinfo=BERLIN)),  # 22:30 UTC
            (9, datetime(2026, 10, 26, 0, 30, tzinfo=BERLIN)),  # 23:30 UTC, the 25th
        ):
            await distressed(patient.id, level, local.astimezone(UTC))

    client.run(rate)
    login(client, "therapist")

    response = client.get(f"/care/patients/{patient.id}/report?from=2026-10-19&to=2026-10-25")

    assert response.status_code == 200
    page = text_of(response)
    assert "<dt>Ratings</dt><dd>1</dd>" in page
    assert "3 to 3" in page
    assert "25 Oct 2026, 23:30" in page
    assert "26 Oct 2026, 00:30" not in page
