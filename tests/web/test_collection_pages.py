"""The collections' pages: coordinators put a collection together without JavaScript (find,
add, move up and down, remove: nothing stored until Save), and everyone signed in follows the
published ones; a patient sees what they did and what is next."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.caseload_fixtures import practised
from tests.conftest import PERSONAS, TEST_NOW, Client, text_of
from tests.web.collection_data import collections_state, make_collection
from wellness.accounts.models import User
from wellness.care.models import OverrideKind, SessionOverride
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession

NEW = "/library/collections/new"


def form_key(page: str) -> str:
    found = re.search(r'name="form_key" value="([0-9a-f]{32})"', page)
    assert found, "the new collection form carries a form key"
    return found[1]


def listed_ids(page: str) -> list[int]:
    """The session ids the editor's form carries, in order."""
    return [int(value) for value in re.findall(r'name="session_ids" value="(\d+)"', page)]


def editor(client: Client, path: str, **fields: Any) -> Any:
    return client.submit(path, fields)


@pytest.mark.parametrize("persona", ["patient", "therapist", "coordinator"])
def test_the_library_has_a_collections_tab_and_the_menu_keeps_library_current_there(
    client: Client, personas: dict[str, User], persona: str
) -> None:
    client.login_as(PERSONAS[persona])

    sessions = client.get("/sessions").text
    collections = client.get("/collections").text

    library_tabs = re.compile(r'<nav class="library-tabs" aria-label="Library">(.*?)</nav>', re.S)
    assert '<a href="/collections">Collections</a>' in library_tabs.findall(sessions)[0]
    assert '<a href="/collections" aria-current="page">Collections</a>' in collections
    assert '<a href="/sessions" aria-current="page">Library</a>' in collections


def test_the_list_says_so_when_there_is_nothing_to_follow_yet(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["patient"])
    for_patient = text_of(client.get("/collections"))
    client.login_as(PERSONAS["coordinator"])
    for_coordinator = text_of(client.get("/collections"))

    assert "No collections yet." in for_patient
    assert "choose single sessions in the library" in for_patient
    assert "Put the first one together" in for_coordinator


def test_a_coordinator_builds_a_collection_step_by_step_and_saves_it_once(
    as_coordinator: Client, library: dict[str, int]
) -> None:
    page = as_coordinator.get(NEW)
    assert page.status_code == 200
    key = form_key(page.text)
    typed = {"title": "First week", "description": "Day by day.", "form_key": key}

    added = editor(as_coordinator, NEW, **typed, edit=f"add-{library['Slow breathing']}")
    ids = listed_ids(added.text)
    added = editor(
        as_coordinator, NEW, **typed, session_ids=ids, edit=f"add-{library['Body scan']}"
    )
    ids = listed_ids(added.text)
    found = editor(as_coordinator, NEW, **typed, session_ids=ids, find="five", edit="find")
    moved = editor(as_coordinator, NEW, **typed, session_ids=ids, edit="up-1")
    removed = editor(
        as_coordinator,
        NEW,
        **typed,
        session_ids=[*listed_ids(moved.text), library["Five senses"]],
        edit="remove-2",
    )

    assert ids == [library["Slow breathing"], library["Body scan"]]
    assert "Five senses" in text_of(found)
    assert "Slow breathing" not in re.sub(r"(?s).*Add a session from the library", "", found.text)
    assert listed_ids(moved.text) == [library["Body scan"], library["Slow breathing"]]
    assert listed_ids(removed.text) == [library["Body scan"], library["Slow breathing"]]
    assert 'value="First week"' in removed.text
    assert "Day by day." in removed.text
    assert form_key(removed.text) == key
    assert "Not saved yet" in removed.text
    assert collections_state(as_coordinator) == []

    final = {**typed, "session_ids": listed_ids(removed.text), "edit": "save"}
    saved = editor(as_coordinator, NEW, **final)
    again = editor(as_coordinator, NEW, **final)

    assert saved.status_code == 303
    assert again.status_code == 303
    assert again.headers["location"] == saved.headers["location"]
    assert collections_state(as_coordinator) == [
        ("First week", "draft", "Day by day.", [library["Body scan"], library["Slow breathing"]])
    ]
    edit_page = as_coordinator.get(saved.headers["location"])
    assert "That collection was already saved: nothing was added." in text_of(edit_page)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "x" * 121}, "title", "Use at most 120 characters for the title."),
        (
            {"title": "evening WIND-DOWN"},
            "title",
            "Another collection is called “evening WIND-DOWN”.",
        ),
        ({"session_ids": []}, "session_ids", "Add at least one session."),
        ({"session_ids": ["{slow}", "999999"]}, "session_ids", "No session has the id 999999."),
        ({"session_ids": ["{slow}", "٩"]}, "session_ids", "The list of sessions could not be read"),
        ({"edit": "sideways-1"}, "session_ids", "That button is not one of this form's"),
        ({"description": "x" * 2001}, "description", "Use at most 2,000 characters."),
    ],
)
def test_a_refused_form_shows_the_problem_beside_its_field_keeps_what_was_typed_and_stores_nothing(
    as_coordinator: Client,
    library: dict[str, int],
    fields: dict[str, Any],
    field: str,
    message: str,
) -> None:
    make_collection(as_coordinator, "Evening wind-down", [library["Body scan"]])
    before = collections_state(as_coordinator)
    fill = {"{slow}": str(library["Slow breathing"])}
    sent = {
        "title": "Typed title",
        "description": "Typed words",
        "session_ids": [str(library["Slow breathing"])],
        "edit": "save",
        **fields,
    }
    sent["session_ids"] = [fill.get(item, item) for item in sent["session_ids"]]

    response = editor(as_coordinator, NEW, **sent)

    assert response.status_code == 422, response.text[:300]
    assert f'id="{field}-error"' in response.text
    assert message in text_of(response)
    assert "There is a problem" in response.text
    if field != "title":
        assert 'value="Typed title"' in response.text
    assert collections_state(as_coordinator) == before


def test_the_editor_reorders_a_stored_collection_and_saves_it(
    as_coordinator: Client, library: dict[str, int]
) -> None:
    order = [library["Slow breathing"], library["Five senses"], library["Body scan"]]
    collection = make_collection(as_coordinator, "Week", order, status=Status.DRAFT)
    path = f"/library/collections/{collection}/edit"
    page = as_coordinator.get(path)
    assert listed_ids(page.text) == order
    assert 'name="form_key"' not in page.text  # only forms that create carry one

    moved = editor(
        as_coordinator,
        path,
        title="Week",
        description="About Week.",
        session_ids=order,
        edit="down-0",
    )
    assert collections_state(as_coordinator)[0][3] == order
    saved = editor(
        as_coordinator,
        path,
        title="Week",
        description="About Week.",
        session_ids=listed_ids(moved.text),
        edit="save",
    )

    assert saved.status_code == 303
    assert collections_state(as_coordinator) == [
        (
            "Week",
            "draft",
            "About Week.",
            [library["Five senses"], library["Slow breathing"], library["Body scan"]],
        )
    ]


def test_save_and_publish_publishes_what_is_on_screen_or_shows_why_not(
    as_coordinator: Client, library: dict[str, int]
) -> None:
    collection = make_collection(
        as_coordinator, "Week", [library["Unreleased draft"]], status=Status.DRAFT
    )
    path = f"/library/collections/{collection}/edit"

    refused = editor(
        as_coordinator,
        path,
        title="Week",
        session_ids=[library["Unreleased draft"]],
        edit="publish",
    )
    published = editor(
        as_coordinator,
        path,
        title="Week",
        session_ids=[library["Unreleased draft"], library["Body scan"]],
        edit="publish",
    )

    assert refused.status_code == 422
    assert 'id="status-error"' in refused.text
    assert "Publish at least one of its sessions first" in text_of(refused)
    assert published.status_code == 303
    assert published.headers["location"] == f"/collections/{collection}"
    assert collections_state(as_coordinator) == [
        ("Week", "published", "", [library["Unreleased draft"], library["Body scan"]])
    ]


def test_a_draft_is_deleted_and_a_published_collection_is_archived_instead(
    as_coordinator: Client, library: dict[str, int]
) -> None:
    draft = make_collection(as_coordinator, "Draft", [library["Body scan"]], status=Status.DRAFT)
    out = make_collection(as_coordinator, "Out", [library["Body scan"]])

    refused = editor(as_coordinator, f"/library/collections/{out}/delete")
    deleted = editor(as_coordinator, f"/library/collections/{draft}/delete")
    archived = editor(as_coordinator, f"/library/collections/{out}/archive")

    assert refused.status_code == 409
    assert 'id="delete-error"' in refused.text
    assert "Only a draft that was never published can be deleted" in text_of(refused)
    assert (deleted.status_code, deleted.headers["location"]) == (303, "/collections")
    assert archived.status_code == 303
    assert collections_state(as_coordinator) == [
        ("Out", "archived", "About Out.", [library["Body scan"]])
    ]


def test_a_patient_follows_a_collection_with_done_next_and_the_care_teams_marks(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    patient = personas["patient"]
    order = ["Unreleased draft", "Slow breathing", "Five senses", "Body scan"]
    collection = make_collection(client, "First week", [library[title] for title in order])

    async def history() -> None:
        await practised(
            patient.id, TEST_NOW, session=await PracticeSession.get(id=library["Slow breathing"])
        )
        await SessionOverride.create(
            patient_id=patient.id,
            session_id=library["Five senses"],
            kind=OverrideKind.BAN,
            set_at=TEST_NOW,
        )

    client.run(history)
    client.login_as(PERSONAS["patient"])

    listing = text_of(client.get("/collections"))
    page = client.get(f"/collections/{collection}")

    assert "You have done 1 of 3." in listing
    assert page.status_code == 200
    text = text_of(page)
    assert "Unreleased draft" not in text
    assert "Next: Body scan" in text
    assert "You have done 1 of 3" in text
    assert "Your care team has asked you to skip this one for now" in text
    assert re.search(r"Slow breathing.*Done", text, re.S)
    assert f'href="/sessions/{library["Body scan"]}"' in page.text


def test_a_patient_who_did_everything_is_told_so(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    collection = make_collection(client, "Short", [library["Slow breathing"]])
    patient = personas["patient"]
    client.run(lambda: _complete(patient.id, library["Slow breathing"]))
    client.login_as(PERSONAS["patient"])

    assert "You have done every session" in text_of(client.get(f"/collections/{collection}"))


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ARCHIVED])
def test_a_patient_gets_a_404_for_a_draft_or_archived_collection(
    client: Client, personas: dict[str, User], library: dict[str, int], status: Status
) -> None:
    hidden = make_collection(client, "Hidden programme", [library["Body scan"]], status=status)
    client.login_as(PERSONAS["patient"])

    response = client.get(f"/collections/{hidden}")

    assert response.status_code == 404
    assert "Hidden programme" not in response.text
    assert "Hidden programme" not in client.get("/collections").text


@pytest.mark.parametrize("persona", ["patient", "therapist"])
def test_patients_and_therapists_cannot_open_the_editor_or_change_a_collection(
    client: Client, personas: dict[str, User], library: dict[str, int], persona: str
) -> None:
    collection = make_collection(client, "Week", [library["Body scan"]], status=Status.DRAFT)
    before = collections_state(client)
    client.login_as(PERSONAS[persona])

    answers = [
        client.get(NEW).status_code,
        client.submit(
            NEW, {"title": "Mine", "session_ids": [str(library["Body scan"])], "edit": "save"}
        ).status_code,
        client.submit(
            f"/library/collections/{collection}/edit", {"title": "X", "edit": "save"}
        ).status_code,
        client.submit(f"/library/collections/{collection}/publish").status_code,
        client.submit(f"/library/collections/{collection}/delete").status_code,
    ]

    assert answers == [403] * 5
    assert collections_state(client) == before


def test_the_list_pages_through_many_collections(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    for number in range(23):
        make_collection(client, f"Collection {number:02d}", [library["Body scan"]])
    client.login_as(PERSONAS["therapist"])

    first = client.get("/collections").text
    second = client.get("/collections?page=2").text

    assert "Collection 19" in first
    assert "Collection 20" not in first
    assert "Collection 20" in second
    assert "Collection 22" in second
    assert 'aria-label="Pages of collections"' in first


async def _complete(patient_id: int, session_id: int) -> None:
    await practised(patient_id, TEST_NOW, session=await PracticeSession.get(id=session_id))


def test_archiving_a_session_says_which_collections_lose_it_and_hides_it_there(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    collection = make_collection(client, "Week", [library["Slow breathing"], library["Body scan"]])
    make_collection(client, "Old", [library["Body scan"]], status=Status.ARCHIVED)
    client.login_as(PERSONAS["coordinator"])

    archived = client.submit(f"/library/sessions/{library['Body scan']}/archive")

    assert archived.status_code == 303
    shown = text_of(client.get(archived.headers["location"]))
    assert "Patients no longer see it in the 1 collection it is in." in shown
    client.login_as(PERSONAS["patient"])
    page = text_of(client.get(f"/collections/{collection}"))
    assert "Slow breathing" in page
    assert "Body scan" not in page
    client.login_as(PERSONAS["coordinator"])
    assert "Body scan" in text_of(client.get(f"/collections/{collection}"))
