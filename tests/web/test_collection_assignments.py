"""A collection as an assigned practice, through the pages and the JSON API: the form's third
choice, refusals naming the field with nothing stored, the therapist's views ("Collection:
<title>"), the patient's plan and list with the next session to start, the coordinator's count
before archiving, and outsiders refused with nothing changed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.caseload_fixtures import assignment_state, practised
from tests.conftest import PERSONAS, TEST_NOW, Client, Persona, text_of
from tests.web.collection_data import make_collection, make_library
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.care import restrictions
from wellness.care.models import AssignmentVersion, OverrideKind
from wellness.catalog.kinds import Status
from wellness.catalog.models import Collection, PracticeSession

TITLE = "First week"


@pytest.fixture
def library(client: Client, personas: dict[str, User]) -> dict[str, int]:
    return make_library(client)


@pytest.fixture
def week(client: Client, library: dict[str, int]) -> int:
    """A published collection: slow breathing, five senses, box breathing (breath holds)."""
    titles = ("Slow breathing", "Five senses", "Box breathing")
    return make_collection(client, TITLE, [library[title] for title in titles])


def list_path(patient: User) -> str:
    return f"/care/patients/{patient.id}/assignments"


def form(collection_id: int | str, **more: str) -> dict[str, str]:
    return {
        "target": "collection",
        "collection_id": str(collection_id),
        "frequency": "daily",
        "note": "One a day, in order.",
        **more,
    }


def audit_actions(client: Client) -> list[str]:
    return [row.action for row in client.run(lambda: AuditEvent.all().order_by("id"))]


@pytest.fixture
def assigned(client: Client, personas: dict[str, User], week: int) -> int:
    client.login_as(PERSONAS["therapist"])
    response = client.submit(list_path(personas["patient"]), form(week))
    assert response.status_code == 303, response.text
    return int(assignment_state(client)[0][0][0])


def test_the_form_offers_published_collections_shown_only_when_chosen(
    client: Client, personas: dict[str, User], library: dict[str, int], week: int
) -> None:
    draft = make_collection(client, "Draft week", [library["Body scan"]], status=Status.DRAFT)
    only_holds = make_collection(client, "Holding", [library["Box breathing"]])
    client.run(
        lambda: restrictions.set_contraindications(
            personas["patient"], ["breath_hold"], by=personas["therapist"], now=TEST_NOW
        )
    )
    client.login_as(PERSONAS["therapist"])

    page = client.get(f"/care/patients/{personas['patient'].id}/assignments/new")

    text = text_of(page)
    assert page.status_code == 200
    assert 'value="collection"' in page.text
    assert 'data-shown-when="target=collection"' in page.text
    assert '<label for="collection_id">' in page.text
    assert f'<option value="{week}">{TITLE} · 3 sessions</option>' in text
    assert (
        f'<option value="{only_holds}" disabled>Holding · 1 session · skip for this patient' in text
    )
    assert f'value="{draft}"' not in page.text.split('id="collection_id"')[1].split("</select>")[0]


def test_a_therapist_assigns_a_collection_and_every_view_names_it(
    client: Client, personas: dict[str, User], assigned: int, week: int
) -> None:
    patient = personas["patient"]
    [version] = client.run(lambda: AssignmentVersion.all())
    assert (version.collection_id, version.session_id, version.kind) == (week, None, "")
    assert version.note == "One a day, in order."

    listing = text_of(client.get(list_path(patient)))
    record = text_of(client.get(f"/care/patients/{patient.id}"))
    edit = client.get(f"/care/assignments/{assigned}/edit")

    assert f"Collection: {TITLE}" in listing
    assert f"Collection: {TITLE}" in record
    assert 'value="collection" checked' in edit.text
    assert f'<option value="{week}" selected>' in edit.text
    created = list(client.run(lambda: AuditEvent.filter(action="assignment_created")))
    assert [(e.patient_id, e.target_id) for e in created] == [(patient.id, str(assigned))]
    assert "One a day" not in created[0].detail


def test_the_patient_is_offered_the_collections_next_session_on_every_page(
    client: Client, personas: dict[str, User], library: dict[str, int], assigned: int
) -> None:
    async def first_done() -> None:
        found = await PracticeSession.get(id=library["Slow breathing"])
        await practised(personas["patient"].id, TEST_NOW - timedelta(days=3), session=found)

    client.run(first_done)
    client.login_as(PERSONAS["patient"])

    home = text_of(client.get("/patient"))
    mine = text_of(client.get("/practice/assigned"))
    plan = client.get("/api/v1/me/plan").json()
    listed = client.get("/api/v1/me/assignments").json()

    assert f"Collection: {TITLE}" in home
    assert f'href="/sessions/{library["Five senses"]}"' in home
    assert "Start “Five senses”" in home
    assert "Start “Five senses”" in mine
    assert 'href="/collections/' in mine
    [item] = plan["items"]
    assert (item["title"], item["collection_title"]) == (f"Collection: {TITLE}", TITLE)
    assert (item["start_session_id"], item["start_session_title"]) == (
        library["Five senses"],
        "Five senses",
    )
    assert item["unavailable"] is None
    [row] = listed["items"]
    assert (row["collection_title"], row["session_id"], row["kind"]) == (TITLE, None, None)


def test_an_archived_collection_leaves_a_plain_reason_and_no_start(
    client: Client, personas: dict[str, User], assigned: int, week: int
) -> None:
    client.run(lambda: Collection.filter(id=week).update(status=Status.ARCHIVED, live_title=None))
    listing = text_of(client.get(list_path(personas["patient"])))
    assert "Collection no longer in the library: choose another" in listing
    api = client.get(f"/api/v1/patients/{personas['patient'].id}/assignments").json()
    assert api["items"][0]["unavailable"] == "withdrawn"

    client.login_as(PERSONAS["patient"])
    home = text_of(client.get("/patient"))
    assert "This collection is no longer in the library." in home
    assert "Start" not in home.split("Today's plan")[1].split("All my practices")[0]
    assert client.get("/api/v1/me/plan").json()["items"][0]["start_session_id"] is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"collection_id": ""}, "collection_id", "Choose a collection."),
        ({"collection_id": "abc"}, "collection_id", "Choose a collection."),
        ({"collection_id": "999999"}, "collection_id", "No published collection has that id."),
    ],
)
def test_a_bad_collection_comes_back_with_the_error_next_to_it(
    client: Client,
    personas: dict[str, User],
    week: int,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    client.login_as(PERSONAS["therapist"])

    response = client.submit(list_path(personas["patient"]), {**form(week), **changes})

    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert message in text_of(response)
    assert "One a day, in order." in response.text
    assert assignment_state(client) == ([], [], [])


def test_a_draft_archived_or_wholly_forbidden_collection_is_refused_in_the_form(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    draft = make_collection(client, "Draft", [library["Body scan"]], status=Status.DRAFT)
    old = make_collection(client, "Old", [library["Body scan"]], status=Status.ARCHIVED)
    holds = make_collection(client, "Holds", [library["Box breathing"]])
    client.run(
        lambda: restrictions.set_contraindications(
            personas["patient"], ["breath_hold"], by=personas["therapist"], now=TEST_NOW
        )
    )
    client.login_as(PERSONAS["therapist"])

    for collection_id, said in (
        (draft, "No published collection has that id."),
        (old, "No published collection has that id."),
        (holds, "Every published session of “Holds” is contraindicated"),
    ):
        response = client.submit(list_path(personas["patient"]), form(collection_id))
        assert response.status_code == 422
        assert 'id="collection_id-error"' in response.text
        assert said in text_of(response)
    assert assignment_state(client) == ([], [], [])


def test_changing_an_assignment_to_a_collection_from_the_edit_form(
    client: Client, personas: dict[str, User], library: dict[str, int], week: int
) -> None:
    client.login_as(PERSONAS["therapist"])
    session_form = {
        "target": "session",
        "session_id": str(library["Body scan"]),
        "frequency": "daily",
    }
    assert client.submit(list_path(personas["patient"]), session_form).status_code == 303
    assignment_id = assignment_state(client)[0][0][0]

    changed = client.submit(f"/care/assignments/{assignment_id}/edit", form(week))

    assert changed.status_code == 303
    versions = client.run(
        lambda: AssignmentVersion.all().order_by("id").values_list("session_id", "collection_id")
    )
    assert [tuple(row) for row in versions] == [(library["Body scan"], None), (None, week)]
    assert audit_actions(client).count("assignment_changed") == 1


# --- the JSON API ---------------------------------------------------------------------------


def api_assign(client: Client, patient: User, body: dict[str, Any], key: str = "") -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(f"/api/v1/patients/{patient.id}/assignments", json=body, headers=headers)


def error_fields(response: Any) -> list[str]:
    return sorted(error["field"] for error in response.json().get("errors", []))


def test_the_api_assigns_a_collection_once_per_key_and_changes_it(
    client: Client, personas: dict[str, User], library: dict[str, int], week: int
) -> None:
    client.login_as(PERSONAS["therapist"])
    patient = personas["patient"]
    body = {"collection_id": week, "frequency": "times_a_week", "times_a_week": 3}

    first = api_assign(client, patient, body, key="c-1")
    again = api_assign(client, patient, body, key="c-1")

    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json()
    made = first.json()
    assert (made["collection_id"], made["collection_title"], made["title"]) == (
        week,
        TITLE,
        f"Collection: {TITLE}",
    )
    assert (made["session_id"], made["kind"], made["schedule"]) == (None, None, "3 times a week")
    assert len(assignment_state(client)[0]) == 1
    path = f"/api/v1/assignments/{made['id']}"
    to_session = client.patch(path, json={"action": "change", "session_id": library["Body scan"]})
    assert to_session.status_code == 200, to_session.text
    assert (to_session.json()["session_id"], to_session.json()["collection_id"]) == (
        library["Body scan"],
        None,
    )
    back = client.patch(path, json={"action": "change", "collection_id": week})
    assert (back.status_code, back.json()["collection_id"], back.json()["session_id"]) == (
        200,
        week,
        None,
    )
    assert audit_actions(client).count("assignment_changed") == 2


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"collection_id": 999999}, ["collection_id"]),
        ({"collection_id": "7"}, ["collection_id"]),
        ({"collection_id": 0}, ["collection_id"]),
        ({"collection_id": "WEEK", "session_id": "SESSION"}, ["collection_id", "session_id"]),
        (
            {"collection_id": "WEEK", "kind": "breathing", "min_minutes": 5, "max_minutes": 9},
            ["collection_id", "kind", "max_minutes", "min_minutes"],
        ),
        ({"collection_id": "DRAFT"}, ["collection_id"]),
        ({"collection_id": "WEEK", "frequency": "weekdays"}, ["weekdays"]),
    ],
)
def test_the_api_refuses_bad_collections_naming_the_fields_with_nothing_stored(
    client: Client,
    personas: dict[str, User],
    library: dict[str, int],
    week: int,
    body: dict[str, Any],
    fields: list[str],
) -> None:
    draft = make_collection(client, "Draft", [library["Body scan"]], status=Status.DRAFT)
    named = {"WEEK": week, "SESSION": library["Body scan"], "DRAFT": draft}
    sent = {
        key: named.get(value, value) if isinstance(value, str) and key.endswith("_id") else value
        for key, value in body.items()
    }
    client.login_as(PERSONAS["therapist"])

    response = api_assign(client, personas["patient"], sent)

    assert response.status_code == 422, response.text
    assert error_fields(response) == fields
    assert assignment_state(client) == ([], [], [])
    assert "assignment_created" not in audit_actions(client)


def test_the_api_refuses_a_collection_every_session_of_which_is_forbidden(
    client: Client, personas: dict[str, User], library: dict[str, int], week: int
) -> None:
    async def forbid() -> None:
        for title in ("Slow breathing", "Five senses"):
            await restrictions.set_override(
                personas["patient"],
                library[title],
                OverrideKind.BAN,
                by=personas["therapist"],
                now=TEST_NOW,
            )
        await restrictions.set_contraindications(
            personas["patient"], ["breath_hold"], by=personas["therapist"], now=TEST_NOW
        )

    client.run(forbid)
    client.login_as(PERSONAS["therapist"])

    response = api_assign(client, personas["patient"], {"collection_id": week})

    assert response.status_code == 422
    assert error_fields(response) == ["collection_id"]
    assert "contraindicated or on this patient's skip list" in response.text
    assert assignment_state(client) == ([], [], [])


# --- outsiders --------------------------------------------------------------------------------

OUTSIDERS = [
    ("other_therapist", 404),
    ("former", 404),
    ("coordinator", 403),
    ("admin", 403),
    ("patient", 403),
    ("other_patient", 403),
]


def who(key: str, former: Persona) -> Persona:
    return former if key == "former" else PERSONAS[key]


@pytest.mark.parametrize(("key", "status"), OUTSIDERS)
def test_outsiders_cannot_assign_or_change_to_a_collection_and_nothing_changes(
    client: Client,
    personas: dict[str, User],
    former: Persona,
    library: dict[str, int],
    assigned: int,
    week: int,
    key: str,
    status: int,
) -> None:
    other = make_collection(client, "Other", [library["Body scan"]])
    before = assignment_state(client)
    versions = client.run(lambda: AssignmentVersion.all().values_list("collection_id", flat=True))
    rows = len(audit_actions(client))
    client.login_as(who(key, former))
    patient = personas["patient"]

    created = api_assign(client, patient, {"collection_id": other}, key="outsider")
    patched = client.patch(
        f"/api/v1/assignments/{assigned}", json={"action": "change", "collection_id": other}
    )
    page = client.submit(list_path(patient), form(other))
    edited = client.submit(f"/care/assignments/{assigned}/edit", form(other))
    new_form = client.get(f"/care/patients/{patient.id}/assignments/new")

    assert [r.status_code for r in (created, patched, page, edited, new_form)] == [status] * 5
    assert "First week" not in new_form.text
    assert assignment_state(client) == before
    assert (
        client.run(lambda: AssignmentVersion.all().values_list("collection_id", flat=True))
        == versions
    )
    assert not {"assignment_created", "assignment_changed"} & set(audit_actions(client)[rows:])


# --- coordinators archiving one ---------------------------------------------------------------


def test_coordinators_see_how_many_patients_archiving_would_leave_without_it(
    client: Client, personas: dict[str, User], assigned: int, week: int
) -> None:
    client.login_as(PERSONAS["coordinator"])

    page = text_of(client.get(f"/collections/{week}"))
    edit = text_of(client.get(f"/library/collections/{week}/edit"))
    archived = client.submit(f"/library/collections/{week}/archive")
    after = text_of(client.get(archived.headers["location"]))

    said = "Therapists have assigned this collection to 1 patient: archiving takes it out of"
    assert said in page
    assert said in edit
    assert archived.status_code == 303
    assert "It was in 1 patient's assigned practice" in after
    assert personas["patient"].display_name not in page + edit + after
    # Once archived, the page no longer offers Archive, nor the count.
    assert "Therapists have assigned this collection" not in after
    client.login_as(PERSONAS["therapist"])
    unavailable = client.get(f"/api/v1/patients/{personas['patient'].id}/assignments")
    assert unavailable.json()["items"][0]["unavailable"] == "withdrawn"


def test_the_count_is_not_shown_to_a_patient_nor_for_a_collection_nobody_was_assigned(
    client: Client, personas: dict[str, User], library: dict[str, int], assigned: int, week: int
) -> None:
    other = make_collection(client, "Other", [library["Body scan"]])
    client.login_as(PERSONAS["coordinator"])
    assert "Therapists have assigned" not in client.get(f"/collections/{other}").text
    client.login_as(PERSONAS["patient"])
    assert "Therapists have assigned" not in client.get(f"/collections/{week}").text
