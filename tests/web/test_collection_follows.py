"""Patients follow collections: "Start this collection" and "Stop following" on its page (forms,
no script), "Continue your collections" on their home page, the list's "Following", the JSON
API (`PUT`/`DELETE /api/v1/collections/{id}/follow`, `GET /api/v1/me/collections`), and their
care team's view on the patient's page and in the record API. Nobody else sees or changes a
patient's following."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import httpx
import pytest

from tests.caseload_fixtures import practised
from tests.conftest import PERSONAS, TEST_NOW, Client, count, text_of
from tests.services.test_dashboard_queries import counted_queries
from tests.web.collection_data import make_collection
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.catalog.kinds import Status
from wellness.catalog.models import Collection, CollectionFollow, PracticeSession
from wellness.lib.clock import FixedClock

API = "/api/v1/collections"
MINE = "/api/v1/me/collections"


@pytest.fixture
def week(client: Client, library: dict[str, int]) -> int:
    """A published collection of three published sessions, a draft between them."""
    order = ["Slow breathing", "Unreleased draft", "Five senses", "Body scan"]
    return make_collection(client, "First week", [library[title] for title in order])


@pytest.fixture
def pair(client: Client, library: dict[str, int]) -> int:
    return make_collection(client, "Evening pair", [library["Body scan"], library["Five senses"]])


def did(client: Client, patient: User, session_id: int, *, hours_ago: float = 1) -> None:
    """A practice of the session, listened to the end."""

    async def play() -> None:
        session = await PracticeSession.get(id=session_id)
        await practised(patient.id, TEST_NOW - timedelta(hours=hours_ago), session=session)

    client.run(play)


def followed(client: Client) -> list[tuple[int, int, datetime]]:
    rows = client.run(
        lambda: (
            CollectionFollow.all()
            .order_by("id")
            .values_list("patient_id", "collection_id", "started_at")
        )
    )
    return [(int(patient), int(collection), started) for patient, collection, started in rows]


def audit_rows(client: Client, *actions: str) -> list[tuple[str, int | None, str, int | None]]:
    rows = client.run(
        lambda: (
            AuditEvent.filter(action__in=list(actions))
            .order_by("id")
            .values_list("action", "actor_id", "target_id", "patient_id")
        )
    )
    return [(str(action), actor, str(target), patient) for action, actor, target, patient in rows]


def api(client: Client, method: str, path: str, key: str = "") -> httpx.Response:
    return client.request(method, path, headers={"idempotency-key": key or uuid4().hex})


def section(page: str, heading_id: str) -> str:
    """The text of the card labelled by `heading_id`."""
    found = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', page, re.S)
    assert found, heading_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found[0])).strip()


# --- The collection's page ----------------------------------------------------------------------


def test_a_patient_starts_a_collection_from_its_page_and_stops_it(
    as_patient: Client, personas: dict[str, User], week: int
) -> None:
    patient = personas["patient"]
    page = text_of(as_patient.get(f"/collections/{week}"))
    assert "Start this collection" in page

    started = as_patient.submit(f"/collections/{week}/follow")

    assert started.status_code == 303
    assert started.headers["location"] == f"/collections/{week}"
    assert followed(as_patient) == [(patient.id, week, TEST_NOW)]
    shown = text_of(as_patient.get(f"/collections/{week}"))
    assert "You started “First week”" in shown
    assert "Following since 24 Nov 2026" in shown
    assert "Stop following" in shown
    assert "Start this collection" not in shown

    stopped = as_patient.submit(f"/collections/{week}/unfollow")

    assert stopped.status_code == 303
    assert stopped.headers["location"] == f"/collections/{week}"
    assert followed(as_patient) == []
    after = text_of(as_patient.get(f"/collections/{week}"))
    assert "You stopped following “First week”" in after
    assert "Start this collection" in after
    assert audit_rows(as_patient, "collection_followed", "collection_unfollowed") == [
        ("collection_followed", patient.id, str(week), patient.id),
        ("collection_unfollowed", patient.id, str(week), patient.id),
    ]


def test_starting_twice_is_one_following_and_starting_again_after_stopping_is_a_new_start(
    as_patient: Client, personas: dict[str, User], clock: FixedClock, week: int
) -> None:
    patient = personas["patient"]
    as_patient.submit(f"/collections/{week}/follow")
    clock.advance(timedelta(hours=1))
    as_patient.submit(f"/collections/{week}/follow")
    assert followed(as_patient) == [(patient.id, week, TEST_NOW)]

    as_patient.submit(f"/collections/{week}/unfollow")
    as_patient.submit(f"/collections/{week}/unfollow")
    clock.advance(timedelta(days=2))
    as_patient.login_as(PERSONAS["patient"])  # the session ended meanwhile
    as_patient.submit(f"/collections/{week}/follow")

    assert followed(as_patient) == [(patient.id, week, TEST_NOW + timedelta(days=2, hours=1))]
    assert [
        row[0] for row in audit_rows(as_patient, "collection_followed", "collection_unfollowed")
    ] == [
        "collection_followed",
        "collection_unfollowed",
        "collection_followed",
    ]


def test_the_day_it_was_started_on_is_the_patients_local_day(
    as_patient: Client, clock: FixedClock, week: int
) -> None:
    clock.set(datetime(2026, 11, 24, 23, 30, tzinfo=UTC))  # 00:30 on the 25th in Berlin
    as_patient.login_as(PERSONAS["patient"])  # the session ended meanwhile

    as_patient.submit(f"/collections/{week}/follow")

    assert "Following since 25 Nov 2026" in text_of(as_patient.get(f"/collections/{week}"))
    [item] = as_patient.get(MINE).json()["items"]
    assert item["started_on"] == "2026-11-25"
    assert item["started_at"] == "2026-11-25T00:30:00+01:00"


def test_a_form_without_its_csrf_token_is_refused_and_starts_nothing(
    as_patient: Client, week: int
) -> None:
    response = as_patient.post(f"/collections/{week}/follow", data={}, follow_redirects=False)

    assert response.status_code == 403
    assert followed(as_patient) == []


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ARCHIVED])
def test_a_draft_or_archived_collection_cannot_be_started(
    as_patient: Client, library: dict[str, int], status: Status
) -> None:
    hidden = make_collection(as_patient, "Hidden", [library["Body scan"]], status=status)

    page = as_patient.submit(f"/collections/{hidden}/follow")
    answer = api(as_patient, "PUT", f"{API}/{hidden}/follow")

    assert (page.status_code, answer.status_code) == (404, 404)
    assert followed(as_patient) == []


@pytest.mark.parametrize("persona", ["therapist", "coordinator", "admin"])
def test_staff_see_no_start_button_and_cannot_start_one(
    client: Client, personas: dict[str, User], week: int, persona: str
) -> None:
    client.login_as(PERSONAS[persona])

    page = text_of(client.get(f"/collections/{week}"))
    refused = [
        client.submit(f"/collections/{week}/follow").status_code,
        client.submit(f"/collections/{week}/unfollow").status_code,
        api(client, "PUT", f"{API}/{week}/follow").status_code,
        api(client, "DELETE", f"{API}/{week}/follow").status_code,
        client.get(MINE).status_code,
    ]

    assert "Start this collection" not in page
    assert refused == [403] * 5
    assert followed(client) == []


# --- The patient's home page and the list -------------------------------------------------------


def test_home_shows_no_collections_block_until_the_patient_follows_one(
    as_patient: Client, week: int
) -> None:
    assert "Continue your collections" not in text_of(as_patient.get("/patient"))


def test_home_shows_each_followed_collection_with_progress_and_its_next_session(
    as_patient: Client,
    personas: dict[str, User],
    clock: FixedClock,
    library: dict[str, int],
    week: int,
    pair: int,
) -> None:
    patient = personas["patient"]
    as_patient.submit(f"/collections/{week}/follow")
    clock.advance(timedelta(minutes=5))
    as_patient.submit(f"/collections/{pair}/follow")
    did(as_patient, patient, library["Body scan"])
    did(as_patient, patient, library["Five senses"], hours_ago=2)

    page = as_patient.get("/patient")
    block = section(page.text, "collections-heading")

    assert page.status_code == 200
    # The latest started first; the week counts only its published sessions (not the draft).
    assert block == (
        "Continue your collections "
        "Evening pair Finished · : all 2 done Stop following Evening pair "
        "First week 2 of 3 done Next: Slow breathing"
    )
    assert 'name="return_to" value="home"' in page.text


def test_home_offers_the_next_session_of_a_collection_in_progress(
    as_patient: Client, personas: dict[str, User], library: dict[str, int], week: int
) -> None:
    as_patient.submit(f"/collections/{week}/follow")
    did(as_patient, personas["patient"], library["Slow breathing"])

    page = as_patient.get("/patient").text
    block = section(page, "collections-heading")

    assert "First week 1 of 3 done" in block
    assert "Next: Five senses" in block
    assert (
        f'<a class="button" href="/sessions/{library["Five senses"]}">Next: Five senses</a>' in page
    )


def test_stopping_a_finished_collection_from_home_goes_back_home(
    as_patient: Client, personas: dict[str, User], library: dict[str, int], pair: int
) -> None:
    as_patient.submit(f"/collections/{pair}/follow")
    for title in ("Body scan", "Five senses"):
        did(as_patient, personas["patient"], library[title])
    assert "Finished" in section(as_patient.get("/patient").text, "collections-heading")

    stopped = as_patient.submit(f"/collections/{pair}/unfollow", {"return_to": "home"})

    assert stopped.status_code == 303
    assert stopped.headers["location"] == "/patient"
    assert followed(as_patient) == []
    home = text_of(as_patient.get("/patient"))
    assert "You stopped following “Evening pair”" in home
    assert "Continue your collections" not in home


def test_return_to_takes_only_home(as_patient: Client, pair: int) -> None:
    as_patient.submit(f"/collections/{pair}/follow")

    stopped = as_patient.submit(f"/collections/{pair}/unfollow", {"return_to": "https://evil.test"})

    assert stopped.headers["location"] == f"/collections/{pair}"


def test_a_collection_archived_after_it_was_started_stops_showing(
    as_patient: Client, personas: dict[str, User], week: int
) -> None:
    as_patient.submit(f"/collections/{week}/follow")
    as_patient.run(
        lambda: Collection.filter(id=week).update(status=Status.ARCHIVED, live_title=None)
    )

    home = text_of(as_patient.get("/patient"))
    mine = as_patient.get(MINE).json()
    stop = api(as_patient, "DELETE", f"{API}/{week}/follow")

    assert "Continue your collections" not in home
    assert mine == {"items": []}
    assert stop.status_code == 404
    assert followed(as_patient) == [(personas["patient"].id, week, TEST_NOW)]  # kept


def test_the_list_puts_followed_collections_first_and_marks_them(
    as_patient: Client, personas: dict[str, User], library: dict[str, int], week: int, pair: int
) -> None:
    as_patient.submit(f"/collections/{week}/follow")
    did(as_patient, personas["patient"], library["Body scan"])

    page = as_patient.get("/collections").text
    listing = as_patient.get(API).json()["items"]

    assert section(page, "following-heading").startswith("Following First week 1 of 3 done")
    assert page.index("following-heading") < page.index("collections-heading")
    assert page.count('<span class="status status--active">Following</span>') == 1
    assert {item["title"]: item["following"] for item in listing} == {
        "Evening pair": False,
        "First week": True,
    }


def test_the_list_has_no_following_section_when_nothing_is_followed(
    as_patient: Client, week: int
) -> None:
    page = as_patient.get("/collections").text

    assert "following-heading" not in page
    assert "Following</span>" not in page


# --- The JSON API ---------------------------------------------------------------------------------


def test_put_twice_is_one_following_and_answers_the_progress(
    as_patient: Client,
    personas: dict[str, User],
    clock: FixedClock,
    library: dict[str, int],
    week: int,
) -> None:
    patient = personas["patient"]
    did(as_patient, patient, library["Slow breathing"], hours_ago=3)

    first = api(as_patient, "PUT", f"{API}/{week}/follow")
    clock.advance(timedelta(hours=1))
    second = api(as_patient, "PUT", f"{API}/{week}/follow")

    assert (first.status_code, second.status_code) == (200, 200)
    assert (
        first.json()
        == second.json()
        == {
            "id": week,
            "title": "First week",
            "url": f"/collections/{week}",
            "started_at": "2026-11-24T15:30:00+01:00",
            "started_on": "2026-11-24",
            "done": 1,
            "total": 3,
            "finished": False,
            "next_session_id": library["Five senses"],
            "next_session_title": "Five senses",
            "next_session_url": f"/sessions/{library['Five senses']}",
            "last_practised_at": "2026-11-24T12:30:00+01:00",
        }
    )
    assert followed(as_patient) == [(patient.id, week, TEST_NOW)]
    assert len(audit_rows(as_patient, "collection_followed")) == 1


def test_a_retry_with_the_same_key_replays_the_answer(as_patient: Client, week: int) -> None:
    key = uuid4().hex

    first = api(as_patient, "PUT", f"{API}/{week}/follow", key)
    again = api(as_patient, "PUT", f"{API}/{week}/follow", key)
    stop = api(as_patient, "DELETE", f"{API}/{week}/follow", key)

    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert stop.status_code == 422  # the same key for another write
    assert count(as_patient, CollectionFollow) == 1


def test_delete_stops_following_and_is_a_204_when_not_following(
    as_patient: Client, week: int
) -> None:
    api(as_patient, "PUT", f"{API}/{week}/follow")

    stopped = api(as_patient, "DELETE", f"{API}/{week}/follow")
    again = api(as_patient, "DELETE", f"{API}/{week}/follow")

    assert (stopped.status_code, again.status_code) == (204, 204)
    assert (stopped.content, again.content) == (b"", b"")
    assert followed(as_patient) == []
    assert len(audit_rows(as_patient, "collection_unfollowed")) == 1


def test_my_collections_lists_the_followed_ones_the_latest_started_first(
    as_patient: Client, clock: FixedClock, week: int, pair: int
) -> None:
    assert as_patient.get(MINE).json() == {"items": []}
    api(as_patient, "PUT", f"{API}/{week}/follow")
    clock.advance(timedelta(days=1))
    as_patient.login_as(PERSONAS["patient"])  # the session ended meanwhile
    api(as_patient, "PUT", f"{API}/{pair}/follow")

    items = as_patient.get(MINE).json()["items"]

    assert [(item["title"], item["started_on"]) for item in items] == [
        ("Evening pair", "2026-11-25"),
        ("First week", "2026-11-24"),
    ]


def test_the_collection_answer_says_since_when_a_patient_follows_it(
    as_patient: Client, week: int
) -> None:
    before = as_patient.get(f"{API}/{week}").json()["following_since"]
    api(as_patient, "PUT", f"{API}/{week}/follow")
    after = as_patient.get(f"{API}/{week}").json()["following_since"]

    assert before is None
    assert after == "2026-11-24T14:30:00Z"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/collections/0/follow", 422),
        ("/api/v1/collections/99999999999999999999/follow", 422),
        ("/api/v1/collections/999999/follow", 404),
        ("/api/v1/collections/x/follow", 404),
    ],
)
def test_a_bad_or_unknown_collection_id_is_refused_and_nothing_is_stored(
    as_patient: Client, path: str, status: int
) -> None:
    response = api(as_patient, "PUT", path)

    assert response.status_code == status
    if status == 422:
        assert response.json()["errors"][0]["field"] == "collection_id"
    assert followed(as_patient) == []


# --- Other patients -----------------------------------------------------------------------------


def test_another_patient_neither_sees_nor_changes_someones_following(
    client: Client, personas: dict[str, User], week: int
) -> None:
    client.login_as(PERSONAS["patient"])
    api(client, "PUT", f"{API}/{week}/follow")
    client.login_as(PERSONAS["other_patient"])

    mine = client.get(MINE).json()
    page = text_of(client.get(f"/collections/{week}"))
    home = text_of(client.get("/patient"))
    stopped = api(client, "DELETE", f"{API}/{week}/follow")
    form = client.submit(f"/collections/{week}/unfollow")

    assert mine == {"items": []}
    assert "Start this collection" in page
    assert "Continue your collections" not in home
    assert (stopped.status_code, form.status_code) == (204, 303)
    assert followed(client) == [(personas["patient"].id, week, TEST_NOW)]
    assert audit_rows(client, "collection_unfollowed") == []


# --- The care team ------------------------------------------------------------------------------


def test_the_care_team_sees_the_patients_collections_with_progress(
    client: Client, personas: dict[str, User], library: dict[str, int], week: int
) -> None:
    patient = personas["patient"]
    client.login_as(PERSONAS["patient"])
    client.submit(f"/collections/{week}/follow")
    did(client, patient, library["Slow breathing"], hours_ago=26)
    did(client, patient, library["Five senses"], hours_ago=2)
    client.login_as(PERSONAS["therapist"])

    page = client.get(f"/care/patients/{patient.id}")
    record = client.get(f"/api/v1/patients/{patient.id}").json()

    assert page.status_code == 200
    card = section(page.text, "collections-heading")
    assert "First week" in card
    assert "24 Nov 2026" in card
    assert "2 of 3" in card
    assert "24 Nov 2026, 13:30" in card  # the last practice, in the patient's zone
    [item] = record["collections"]
    assert (item["title"], item["done"], item["total"]) == ("First week", 2, 3)
    assert item["last_practised_at"] == "2026-11-24T13:30:00+01:00"
    viewed = client.run(
        lambda: AuditEvent.filter(action="patient_record_viewed", patient_id=patient.id).count()
    )
    assert viewed == 2


def test_the_care_team_page_says_when_nothing_is_followed(
    client: Client, personas: dict[str, User], week: int
) -> None:
    client.login_as(PERSONAS["therapist"])

    page = client.get(f"/care/patients/{personas['patient'].id}")

    assert "No collections followed." in section(page.text, "collections-heading")
    assert client.get(f"/api/v1/patients/{personas['patient'].id}").json()["collections"] == []


def test_a_therapist_outside_the_care_team_gets_404(
    client: Client, personas: dict[str, User], week: int
) -> None:
    patient = personas["patient"]
    client.login_as(PERSONAS["patient"])
    client.submit(f"/collections/{week}/follow")
    client.login_as(PERSONAS["other_therapist"])

    page = client.get(f"/care/patients/{patient.id}")
    record = client.get(f"/api/v1/patients/{patient.id}")

    assert (page.status_code, record.status_code) == (404, 404)
    assert "First week" not in page.text + record.text


def test_the_home_page_reads_no_more_for_one_or_three_followed_collections(
    as_patient: Client, personas: dict[str, User], library: dict[str, int], week: int, pair: int
) -> None:
    def home_queries() -> int:
        as_patient.get("/patient")  # the caches it keeps are warm for the counted one
        with counted_queries() as seen:
            assert as_patient.get("/patient").status_code == 200
        return len(seen)

    third = make_collection(as_patient, "Third", [library["Slow breathing"]])
    none = home_queries()
    api(as_patient, "PUT", f"{API}/{week}/follow")
    one = home_queries()
    api(as_patient, "PUT", f"{API}/{pair}/follow")
    api(as_patient, "PUT", f"{API}/{third}/follow")
    three = home_queries()

    assert "Continue your collections" in as_patient.get("/patient").text
    # Kept under the change tokens the page reads anyway: warm, the card costs no query at all
    # (tests/services/test_collection_progress_kept.py counts a cold reading).
    assert three == one == none
