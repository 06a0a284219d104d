"""The admins' audit page and CSV export: filters, paging, times in the clinic's zone, escaping,
and everyone else refused."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from litestar import Litestar

from tests.conftest import PERSONAS, Client
from wellness.accounts.models import User
from wellness.app import create_app
from wellness.audit import services as audit
from wellness.audit.models import AuditEvent
from wellness.settings import Settings

# 23:30 on 24 Nov in Tokyo is 14:30 UTC; the next event, an hour later, is on 25 Nov there.
EARLY = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)


@pytest.fixture
def app(settings: Settings) -> Litestar:
    from tests.conftest import TEST_NOW
    from wellness.lib.clock import FixedClock

    return create_app(settings.replace(clinic_timezone="Asia/Tokyo"), clock=FixedClock(TEST_NOW))


def add(client: Client, action: str, at: datetime, **fields: object) -> None:
    async def write() -> None:
        await audit.record(action, now=at, **fields)  # type: ignore[arg-type]

    client.run(write)


def count_events(client: Client) -> int:
    async def counted() -> int:
        return int(await AuditEvent.all().count())

    return client.run(counted)


@pytest.fixture
def trail(client: Client, personas: dict[str, User]) -> dict[str, User]:
    therapist, patient = personas["therapist"], personas["patient"]
    add(
        client,
        "session_banned",
        EARLY,
        actor_id=therapist.id,
        patient_id=patient.id,
        target_type="session",
        target_id=4,
        route="POST /api/v1/patients/{patient_id}/overrides",
    )
    add(
        client,
        "contraindications_changed",
        EARLY + timedelta(hours=1),
        actor_id=therapist.id,
        patient_id=patient.id,
        detail="=HYPERLINK(1)",
    )
    add(client, "login", EARLY + timedelta(hours=2), actor_id=personas["coordinator"].id)
    return personas


def test_admins_see_events_newest_first_in_the_clinics_zone(
    as_admin: Client, trail: dict[str, User]
) -> None:
    page = as_admin.get("/admin/audit")

    assert page.status_code == 200
    text = page.text.split("<tbody", 1)[1]
    assert text.index("Cora Coordinator") < text.index('data-action="contraindications_changed"')
    assert text.index('data-action="contraindications_changed"') < text.index(
        'data-action="session_banned"'
    )
    assert "24 Nov 2026, 23:30" in text  # Tokyo, not UTC nor the admin's Berlin
    assert "Times in Asia/Tokyo" in page.text
    assert "Bob Therapist" in text
    assert "Alice Patient" in text
    assert 'href="/admin/audit.csv"' in page.text
    assert "no-store" in page.headers["cache-control"]
    # A phone stacks each cell as a flex row: the details must be one item, or each word of
    # them becomes a narrow column of its own.
    details = re.findall(r'data-label="Details">(.*?)</td>', text, re.S)
    assert details
    assert all(cell.startswith("<span>") and cell.endswith("</span>") for cell in details)


def test_it_filters_by_person_patient_action_and_day(
    as_admin: Client, trail: dict[str, User]
) -> None:
    patient = trail["patient"]

    by_person = as_admin.get("/admin/audit", params={"person": PERSONAS["therapist"].email})
    by_patient = as_admin.get("/admin/audit", params={"patient": str(patient.id)})
    by_action = as_admin.get("/admin/audit", params={"action": "session_banned"})
    by_day = as_admin.get("/admin/audit", params={"since": "2026-11-25", "until": "2026-11-25"})
    nothing = as_admin.get("/admin/audit", params={"since": "2026-11-26"})

    assert "Cora Coordinator" not in by_person.text
    assert 'data-action="session_banned"' in by_person.text
    assert "Cora Coordinator" not in by_patient.text
    assert 'data-action="contraindications_changed"' not in by_action.text
    assert 'data-action="session_banned"' in by_action.text
    assert 'data-action="session_banned"' not in by_day.text  # 23:30 on the 24th in Tokyo
    assert 'data-action="contraindications_changed"' in by_day.text
    assert "No events match these filters." in nothing.text


def test_the_filter_form_is_posted_and_answers_an_address_with_ids_not_e_mails(
    as_admin: Client, trail: dict[str, User]
) -> None:
    therapist, patient = trail["therapist"], trail["patient"]
    form = {"person": therapist.email, "patient": patient.email, "action": "session_banned"}

    response = as_admin.submit("/admin/audit", form)

    assert response.status_code == 303
    location = response.headers["location"]
    assert location == (
        f"/admin/audit?person={therapist.id}&patient={patient.id}&action=session_banned"
    )
    assert "@" not in location
    page = as_admin.get(location)
    assert 'data-action="session_banned"' in page.text
    assert f'value="{therapist.id}"' in page.text
    # The page itself posts its filters, and its links name people by id.
    assert '<form method="post" action="/admin/audit"' in page.text
    assert "%40" not in page.text


def test_links_from_a_page_asked_for_by_e_mail_carry_ids(
    as_admin: Client, trail: dict[str, User]
) -> None:
    page = as_admin.get("/admin/audit", params={"person": trail["therapist"].email})

    assert f'href="/admin/audit.csv?person={trail["therapist"].id}"' in page.text
    assert "%40" not in page.text


def test_a_bad_posted_filter_is_a_400_naming_the_field_and_redirects_nowhere(
    as_admin: Client, trail: dict[str, User]
) -> None:
    response = as_admin.submit("/admin/audit", {"person": "nobody@example.org"})

    assert response.status_code == 400
    assert "No account has that e-mail address." in response.text
    assert "location" not in response.headers


def test_every_problem_of_the_filter_is_named_at_once(
    as_admin: Client, trail: dict[str, User]
) -> None:
    params = {"person": "nobody@example.org", "patient": "ghost@example.org", "since": "x"}

    response = as_admin.get("/admin/audit", params=params)

    assert response.status_code == 400
    for field in ("person", "patient", "since"):
        assert f'href="#{field}"' in response.text, field


@pytest.mark.parametrize("who", ["therapist", "patient", "coordinator", None])
def test_only_admins_may_post_the_filter(
    client: Client, trail: dict[str, User], who: str | None
) -> None:
    client.login_as(PERSONAS[who] if who else None)

    response = client.submit("/admin/audit", {"action": "session_banned"})

    assert response.status_code in {401, 403, 303}
    assert "session_banned" not in response.headers.get("location", "")
    assert 'data-action="session_banned"' not in response.text


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"since": "2026-13-01"}, "since", "YYYY-MM-DD"),
        ({"until": "tomorrow"}, "until", "YYYY-MM-DD"),
        ({"action": "teleported"}, "action", "Choose one of the listed actions."),
        ({"person": "nobody@example.org"}, "person", "No account has that e-mail address."),
        ({"patient": "Alice"}, "patient", "account id"),
        ({"person": "a" * 250 + "@example.org"}, "person", "account id"),  # longer than any
        ({"per_page": "5000"}, "per_page", "1 to 200"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(
    as_admin: Client, trail: dict[str, User], params: dict[str, str], field: str, words: str
) -> None:
    before = count_events(as_admin)
    for path in ("/admin/audit", "/admin/audit.csv"):
        response = as_admin.get(path, params=params)

        assert response.status_code == 400, path
        assert response.headers["content-type"].startswith("text/html")
        assert f'id="{field}-error"' in response.text or f'href="#{field}"' in response.text
        assert words in response.text
    assert count_events(as_admin) == before  # no export was recorded


def test_pages_of_events_link_older_and_newer(as_admin: Client, trail: dict[str, User]) -> None:
    for number in range(5):
        add(as_admin, "logout", EARLY + timedelta(hours=3, minutes=number))

    first = as_admin.get("/admin/audit", params={"per_page": "3", "action": "logout"})

    assert first.status_code == 200
    assert first.text.count('data-action="logout"') == 3
    assert 'rel="prev"' not in first.text
    older = first.text.split('rel="next"', 1)[0].rsplit('href="?', 1)[1].split('"', 1)[0]
    second = as_admin.get("/admin/audit?" + older.replace("&amp;", "&"))
    assert second.status_code == 200
    assert second.text.count('data-action="logout"') == 2
    assert 'rel="next"' not in second.text
    assert 'rel="prev"' in second.text
    assert "per_page=3" in older
    assert "action=logout" in older


def test_the_csv_has_every_filtered_row_escaped_and_is_audited(
    as_admin: Client, trail: dict[str, User]
) -> None:
    response = as_admin.get("/admin/audit.csv", params={"patient": str(trail["patient"].id)})

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="audit-')
    assert "no-store" in response.headers["cache-control"]
    header, *rows = list(csv.reader(io.StringIO(response.text, newline="")))
    assert header[:3] == ["id", "time", "time_utc"]
    assert [row[6] for row in rows] == ["contraindications_changed", "session_banned"]
    assert rows[1][1] == "2026-11-24T23:30:00+09:00"
    assert rows[1][2] == "2026-11-24T14:30:00+00:00"
    assert rows[0][13] == "'=HYPERLINK(1)"
    assert rows[1][4] == "Bob Therapist"

    async def exported() -> AuditEvent:
        return await AuditEvent.get(action="audit_exported")

    row = as_admin.run(exported)
    assert row.actor_id == trail["admin"].id
    assert row.detail == f"patient={trail['patient'].id}"


def test_the_csv_streams_more_rows_than_one_batch(
    as_admin: Client, trail: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wellness.audit import browse

    monkeypatch.setattr(browse, "EXPORT_BATCH", 2)
    for number in range(5):
        add(as_admin, "logout", EARLY + timedelta(minutes=number))

    response = as_admin.get("/admin/audit.csv", params={"action": "logout"})

    rows = list(csv.reader(io.StringIO(response.text, newline="")))[1:]
    assert len(rows) == 5
    assert [int(row[0]) for row in rows] == sorted((int(row[0]) for row in rows), reverse=True)


@pytest.mark.parametrize("who", ["therapist", "other_therapist", "coordinator", "patient"])
def test_everyone_but_admins_is_refused(client: Client, trail: dict[str, User], who: str) -> None:
    client.login_as(PERSONAS[who])

    for path in ("/admin/audit", "/admin/audit.csv"):
        response = client.get(path)

        assert response.status_code == 403, path
        assert "session_banned" not in response.text
        assert "HYPERLINK" not in response.text


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, trail: dict[str, User]) -> None:
    client.login_as(None)
    for path in ("/admin/audit", "/admin/audit.csv"):
        response = client.get(path, follow_redirects=False)

        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    assert count_events(client) == 3


def test_the_admins_navigation_and_overview_link_the_audit_trail(
    as_admin: Client, trail: dict[str, User]
) -> None:
    overview = as_admin.get("/admin")
    page = as_admin.get("/admin/audit")

    assert 'href="/admin/audit"' in overview.text
    assert "Browse, filter and export the whole audit trail" in overview.text
    assert 'href="/admin/audit" aria-current="page"' in page.text
