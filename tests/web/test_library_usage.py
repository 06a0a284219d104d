"""The library's usage figures on the page, in the CSV and in the JSON API: who may see them,
what they show (small cells hidden, no patient named), how bad parameters are refused, and that
each view is audited and changes nothing else."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest

from tests.caseload_fixtures import person, practised, published, rated
from tests.conftest import PERSONAS, TEST_NOW, Client, text_of
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.audit.models import AuditEvent
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import PracticeSession
from wellness.checkins.models import Checkin
from wellness.practice.models import PracticeLog

PLAYED = TEST_NOW - timedelta(days=2)
FORMULA = '=HYPERLINK("http://evil.example")'


def seeded(client: Client) -> dict[str, Any]:
    """ "Calm breathing" played by six patients (rated 7 -> 4 by each), "Stretch" by two, an
    archived session with a formula for a title played (and rated) by one, and "Unused" by no
    one."""

    async def seed() -> dict[str, Any]:
        calm = await published("Calm breathing", minutes=10, now=TEST_NOW)
        stretch = await published("Stretch", minutes=20, kind=Kind.YOGA, now=TEST_NOW)
        formula = await published(FORMULA, minutes=5, now=TEST_NOW)
        unused = await published("Unused", minutes=5, now=TEST_NOW)
        people = [await person(f"usage{number}", Role.PATIENT) for number in range(6)]
        for number, patient in enumerate(people):
            practice = await practised(patient.id, PLAYED, session=calm, complete=number != 0)
            await rated(practice, 7, 4)
            if number < 2:
                await practised(patient.id, PLAYED, session=stretch)
        await rated(await practised(people[0].id, PLAYED, session=formula), 6, 5)
        await PracticeSession.filter(id=formula.id).update(status=Status.ARCHIVED)
        return {
            "calm": calm,
            "stretch": stretch,
            "formula": formula,
            "unused": unused,
            "people": people,
        }

    return client.run(seed)


def stored_state(client: Client) -> tuple[Any, ...]:
    async def read() -> tuple[Any, ...]:
        return (
            await PracticeLog.all().order_by("id").values_list("id", "listened_seconds"),
            await Checkin.all().order_by("id").values_list("id", "level"),
            await PracticeSession.all().order_by("id").values_list("id", "status", "title"),
        )

    return client.run(read)


def usage_rows(client: Client, action: str) -> list[AuditEvent]:
    async def read() -> list[AuditEvent]:
        return list(await AuditEvent.filter(action=action).order_by("id"))

    return client.run(read)


def signed_in(client: Client, key: str) -> Client:
    client.login_as(PERSONAS[key])
    return client


@pytest.fixture
def world(client: Client, personas: dict[str, User]) -> dict[str, Any]:
    return seeded(client)


def test_coordinators_see_each_sessions_figures_with_small_cells_hidden(
    client: Client, world: dict[str, Any]
) -> None:
    signed_in(client, "coordinator")
    before = stored_state(client)

    page = client.get("/library/usage")

    assert page.status_code == 200
    assert stored_state(client) == before
    (viewed,) = usage_rows(client, "library_usage_viewed")
    assert viewed.actor_id == client.user(PERSONAS["coordinator"].email).id
    assert (viewed.target_type, viewed.patient_id) == ("library", None)
    assert viewed.detail == "from=2026-10-28;to=2026-11-24;sort=-starts"
    assert viewed.route == "GET /library/usage"
    text = text_of(page)
    assert "From 28 Oct 2026 to 24 Nov 2026" in text
    assert "fewer than 5" in text  # Stretch: two patients
    assert "too few to show" in text  # the archived session: rated by one patient
    assert "\u22123.0" in text  # Calm breathing: six patients, 7 -> 4
    assert "Archived" in text
    assert f'href="/library/sessions/{world["calm"].id}/edit"' in page.text
    assert 'aria-sort="descending"' in page.text
    for patient in world["people"]:
        assert patient.display_name not in text
        assert patient.email not in text


def test_administrators_see_the_figures_without_links_to_edit(
    client: Client, world: dict[str, Any]
) -> None:
    page = signed_in(client, "admin").get("/library/usage")

    assert page.status_code == 200
    assert len(usage_rows(client, "library_usage_viewed")) == 1
    assert "Calm breathing" in text_of(page)
    assert "/library/sessions/" not in page.text


@pytest.mark.parametrize("key", ["patient", "therapist"])
@pytest.mark.parametrize("path", ["/library/usage", "/library/usage.csv", "/api/v1/library/usage"])
def test_patients_and_therapists_are_refused(
    client: Client, world: dict[str, Any], key: str, path: str
) -> None:
    signed_in(client, key)
    before = stored_state(client)

    refused = client.get(path)

    assert refused.status_code == 403
    assert stored_state(client) == before
    assert usage_rows(client, "library_usage_viewed") == []
    assert usage_rows(client, "library_usage_exported") == []
    assert len(usage_rows(client, "access_denied")) == 1
    assert "Calm breathing" not in refused.text


def test_a_parameter_the_page_cannot_read_is_a_400_naming_it_without_figures(
    client: Client, world: dict[str, Any]
) -> None:
    signed_in(client, "coordinator")

    page = client.get(
        "/library/usage", params={"from": "2026-02-30", "kind": "juggling", "sort": "mood"}
    )

    assert page.status_code == 400
    assert usage_rows(client, "library_usage_viewed") == []
    text = text_of(page)
    assert "There is a problem" in text
    assert "From: Give a date as YYYY-MM-DD" in text
    assert "Kind: Choose one of the listed kinds." in text
    assert "Order: Choose one of the listed orders." in text
    assert "Calm breathing" not in text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2025-11-23", "to": "2026-11-24"}, "from"),  # 367 days
        ({"from": "2026-11-25", "to": "2026-11-24"}, "to"),
        ({"to": "24/11/2026"}, "to"),
        ({"page": "\u0669"}, "page"),  # an Arabic-Indic nine
        ({"page": "0"}, "page"),
        ({"sort": "-password"}, "sort"),
    ],
)
def test_the_api_refuses_an_unreadable_parameter_with_a_400_naming_it(
    client: Client, world: dict[str, Any], params: dict[str, str], field: str
) -> None:
    refused = signed_in(client, "coordinator").get("/api/v1/library/usage", params=params)

    assert refused.status_code == 400
    assert usage_rows(client, "library_usage_viewed") == []
    body = refused.json()
    assert [error["field"] for error in body["errors"]] == [field]
    assert field in body["detail"]


def test_a_period_of_366_days_is_accepted(client: Client, world: dict[str, Any]) -> None:
    found = signed_in(client, "coordinator").get(
        "/api/v1/library/usage", params={"from": "2025-11-24", "to": "2026-11-24"}
    )

    assert found.status_code == 200
    assert found.json()["period"] == {
        "from": "2025-11-24",
        "to": "2026-11-24",
        "days": 366,
        "time_zone": "UTC",
    }


def test_the_api_answers_null_and_a_flag_for_a_hidden_figure_and_names_no_patient(
    client: Client, world: dict[str, Any]
) -> None:
    signed_in(client, "coordinator")
    before = stored_state(client)

    answer = client.get("/api/v1/library/usage", params={"sort": "title"})

    assert answer.status_code == 200
    assert stored_state(client) == before
    (viewed,) = usage_rows(client, "library_usage_viewed")
    assert viewed.route == "GET /api/v1/library/usage"
    body = answer.json()
    assert (body["sort"], body["min_patients"], body["page"], body["pages"]) == ("title", 5, 1, 1)
    items = {item["title"]: item for item in body["items"]}
    assert list(items) == [
        '=HYPERLINK("http://evil.example")',
        "Calm breathing",
        "Stretch",
        "Unused",
    ]
    calm = items["Calm breathing"]["figures"]
    assert calm == {
        "starts": 6,
        "completions": 5,
        "completion_rate": 0.833,
        "patients": 6,
        "patients_suppressed": False,
        "assigned_patients": 0,
        "assigned_suppressed": False,
        "mean_change": -3.0,
        "mean_change_suppressed": False,
    }
    stretch = items["Stretch"]["figures"]
    assert (stretch["patients"], stretch["patients_suppressed"]) == (None, True)
    assert (stretch["mean_change"], stretch["mean_change_suppressed"]) == (None, False)
    archived = items[FORMULA]
    assert (archived["status"], archived["archived"], archived["last_played"]) == (
        "archived",
        True,
        "2026-11-22",
    )
    assert body["totals"]["sessions"] == 4
    assert body["totals"]["archived"] == 1
    assert body["totals"]["figures"]["patients"] == 6
    for patient in world["people"]:
        assert str(patient.email) not in answer.text
        assert str(patient.display_name) not in answer.text
    assert "patient_id" not in answer.text


def test_the_kind_filter_and_sort_reach_the_api(client: Client, world: dict[str, Any]) -> None:
    answer = signed_in(client, "admin").get(
        "/api/v1/library/usage", params={"kind": "yoga", "sort": "-patients"}
    )

    assert answer.status_code == 200
    body = answer.json()
    assert (body["kind"], body["sort"]) == ("yoga", "-patients")
    assert [item["title"] for item in body["items"]] == ["Stretch"]


def test_the_csv_is_the_whole_table_with_the_same_figures_hidden_and_formulas_defused(
    client: Client, world: dict[str, Any]
) -> None:
    signed_in(client, "coordinator")
    before = stored_state(client)

    response = client.get("/library/usage.csv", params={"sort": "-change", "page": "3"})

    assert response.status_code == 200
    assert stored_state(client) == before
    assert usage_rows(client, "library_usage_viewed") == []
    (exported,) = usage_rows(client, "library_usage_exported")
    assert exported.detail == "from=2026-10-28;to=2026-11-24;sort=-change;page=3"
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="library-usage-2026-10-28-to-2026-11-24.csv"'
    )
    assert response.headers["cache-control"] == "no-store"
    header, *rows = list(csv.reader(io.StringIO(response.text, newline="")))
    assert header[:2] == ["session_id", "title"]
    by_title = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_title) == {"'" + FORMULA, "Calm breathing", "Stretch", "Unused"}
    calm = by_title["Calm breathing"]
    assert (calm["patients"], calm["mean_change"], calm["completion_rate"]) == (
        "6",
        "-3.0",
        "0.833",
    )
    assert by_title["Stretch"]["patients"] == "fewer than 5"
    assert by_title["'" + FORMULA]["status"] == "archived"
    assert by_title["Unused"]["last_played"] == ""
    assert rows[0][1] == "Calm breathing"  # the only mean change; the others come after
    for patient in world["people"]:
        assert str(patient.email) not in response.text


def test_an_unreadable_csv_query_is_the_pages_400(client: Client, world: dict[str, Any]) -> None:
    refused = signed_in(client, "coordinator").get("/library/usage.csv", params={"to": "soon"})

    assert refused.status_code == 400
    assert usage_rows(client, "library_usage_exported") == []
    assert "To: Give a date as YYYY-MM-DD" in text_of(refused)


def test_the_column_headings_are_links_that_sort_without_javascript(
    client: Client, world: dict[str, Any]
) -> None:
    signed_in(client, "coordinator")
    page = client.get("/library/usage")
    assert 'href="?from=2026-10-28&amp;to=2026-11-24&amp;sort=-patients"' in page.text
    assert 'href="?from=2026-10-28&amp;to=2026-11-24&amp;sort=title"' in page.text
    # Sorted by starts already (descending): its link turns the order around.
    assert 'href="?from=2026-10-28&amp;to=2026-11-24&amp;sort=starts"' in page.text

    by_title = client.get("/library/usage", params={"sort": "-title"})

    assert by_title.status_code == 200
    text = text_of(by_title)
    titles = [title for title in ("Unused", "Stretch", "Calm breathing") if title in text]
    assert sorted(titles, key=text.index) == ["Unused", "Stretch", "Calm breathing"]
    assert "sorted by session, descending" in text
    assert 'aria-sort="descending"' in by_title.text


def test_long_tables_are_paged_and_keep_their_query(
    client: Client, personas: dict[str, User]
) -> None:
    async def many() -> None:
        for number in range(55):
            await published(f"Session {number:02}", minutes=5, kind=Kind.SLEEP, now=TEST_NOW)
        patient = await person("player", Role.PATIENT)
        sessions = await PracticeSession.all().order_by("id")
        await practised(patient.id, PLAYED, session=sessions[0])

    client.run(many)
    signed_in(client, "coordinator")

    first = client.get("/library/usage", params={"kind": "sleep", "sort": "title"})
    second = client.get("/library/usage", params={"kind": "sleep", "sort": "title", "page": "2"})

    assert first.status_code == second.status_code == 200
    assert "page 1 of 2" in text_of(first)
    assert (
        'href="?from=2026-10-28&amp;to=2026-11-24&amp;kind=sleep&amp;sort=title&amp;page=2"'
        in first.text
    )
    assert "Session 54" in text_of(second)
    assert "Session 49" not in text_of(second)


def test_an_empty_library_and_a_period_without_use_say_so(
    client: Client, personas: dict[str, User]
) -> None:
    signed_in(client, "coordinator")
    empty = client.get("/library/usage")
    assert empty.status_code == 200
    assert "The library has no sessions yet." in text_of(empty)
    assert "Export CSV" not in empty.text

    client.run(lambda: published("Waiting", minutes=5, now=TEST_NOW))
    unused = client.get("/library/usage")
    assert unused.status_code == 200
    text = text_of(unused)
    assert "No session was started from 28 Oct 2026 to 24 Nov 2026." in text
    assert "The one published session went unused" in text
    assert "<table" not in unused.text


def test_the_edit_page_shows_the_sessions_own_figures_and_audits_them(
    client: Client, world: dict[str, Any]
) -> None:
    signed_in(client, "coordinator")
    calm = world["calm"]

    page = client.get(f"/library/sessions/{calm.id}/edit")

    assert page.status_code == 200
    (viewed,) = usage_rows(client, "library_usage_viewed")
    assert (viewed.target_type, viewed.target_id) == ("session", str(calm.id))
    text = text_of(page)
    assert "Use in the last 28 days" in text
    assert "\u22123.0" in text
    assert 'href="/library/usage?from=2026-10-28&amp;to=2026-11-24&amp;sort=-starts"' in page.text


def test_a_draft_never_published_shows_no_figures(client: Client, world: dict[str, Any]) -> None:
    async def draft() -> PracticeSession:
        return await PracticeSession.create(
            title="Draft", kind=Kind.YOGA, created_at=TEST_NOW, updated_at=TEST_NOW
        )

    session = client.run(draft)
    page = signed_in(client, "coordinator").get(f"/library/sessions/{session.id}/edit")

    assert page.status_code == 200
    assert usage_rows(client, "library_usage_viewed") == []
    assert "Use in the last" not in text_of(page)


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("coordinator", "/coordinator"),
        ("coordinator", "/sessions"),
        ("coordinator", "/library/upload"),
        ("admin", "/admin"),
    ],
)
def test_the_usage_page_is_linked_from_home_and_the_library(
    client: Client, personas: dict[str, User], key: str, path: str
) -> None:
    page = signed_in(client, key).get(path)

    assert page.status_code == 200
    assert 'href="/library/usage"' in page.text
