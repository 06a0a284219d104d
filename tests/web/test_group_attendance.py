"""Confirming a group's attendance at once (`/care/attendance`, `POST /api/v1/attendance`): one
staff-attested practice for each patient ticked, all or none.

`therapist` looks after `patient` (Alice) and, here, two more: `Bea Group` (New York) and
`Carl Group` (Berlin). `other_therapist` looks after `other_patient`. Each test asserts the
status, then the stored rows, then what people see.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import PERSONAS, TEST_NOW, Client, count, flat, persona_password_hash, text_of
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.audit.models import AuditEvent
from wellness.care import services as care
from wellness.lib.clock import FixedClock
from wellness.practice.models import PracticeLog
from wellness.system.models import IdempotentRequest

BERLIN = ZoneInfo("Europe/Berlin")
PAGE = "/care/attendance"
API = "/api/v1/attendance"


# --- helpers ------------------------------------------------------------------------------------


def local_time(zone: str = "Europe/Berlin", **ago: float) -> str:
    """A `datetime-local` value as someone in `zone` types it, `ago` before the test's now."""
    return (TEST_NOW - timedelta(**ago)).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def class_form(patient_ids: list[int], **fields: Any) -> dict[str, Any]:
    """The group form as a browser sends it: the class, and the patients ticked."""
    return {
        "kind": "yoga",
        "minutes": "45",
        "started_at": local_time(hours=3),
        "note": "Tuesday group",
        "patient_ids": [str(patient_id) for patient_id in patient_ids],
        **fields,
    }


def class_body(patient_ids: list[int], **fields: Any) -> dict[str, Any]:
    return {
        "patient_ids": patient_ids,
        "kind": "yoga",
        "minutes": 45,
        "started_at": (TEST_NOW - timedelta(hours=3)).isoformat(),
        "note": "Tuesday group",
        **fields,
    }


def stored_practice(client: Client) -> list[PracticeLog]:
    return client.run(lambda: PracticeLog.all().order_by("patient_id"))


def written(client: Client) -> tuple[int, int, int]:
    """What a refused submission must leave as it was: practice rows, attestation audit rows,
    stored answers of replayed forms."""
    return (
        count(client, PracticeLog),
        count(client, AuditEvent, action="practice_attested"),
        count(client, IdempotentRequest),
    )


async def patient_of(therapist: User, name: str, zone: str = "Europe/Berlin") -> User:
    """A patient called `name` on `therapist`'s caseload."""
    patient = await accounts.create_user(
        email=f"{name.split()[0].lower()}@example.org",
        display_name=name,
        role=Role.PATIENT,
        time_zone=zone,
        password_hash=persona_password_hash(),
    )
    await care.assign(therapist, patient, now=TEST_NOW - timedelta(days=7))
    return patient


@pytest.fixture
def group(client: Client, personas: dict[str, User]) -> list[User]:
    """The therapist's caseload, by name: Alice Patient, Bea Group (New York), Carl Group."""
    therapist = personas["therapist"]

    async def make() -> list[User]:
        carl = await patient_of(therapist, "Carl Group")
        bea = await patient_of(therapist, "Bea Group", "America/New_York")
        return [personas["patient"], bea, carl]

    members = client.run(make)
    client.login_as(PERSONAS["therapist"])
    return members


def ids(people: list[User]) -> list[int]:
    return [person.id for person in people]


def deactivate(client: Client, person: User) -> None:
    client.run(lambda: User.filter(id=person.id).update(is_active=False))


# --- the page -----------------------------------------------------------------------------------


def test_the_form_lists_the_therapists_active_patients_by_name(
    client: Client, group: list[User], personas: dict[str, User]
) -> None:
    retired = client.run(lambda: patient_of(personas["therapist"], "Abe Retired"))
    deactivate(client, retired)

    page = client.get(PAGE)

    assert page.status_code == 200
    listed = re.findall(r'<label for="patient-(\d+)">([^<]+)</label>', page.text)
    assert listed == [(str(person.id), person.display_name) for person in group]
    assert "Charlie Outsider" not in page.text  # the other therapist's patient
    assert "Abe Retired" not in page.text
    assert '<fieldset id="patient_ids"' in page.text
    assert "<legend>Who attended</legend>" in page.text
    assert '<label for="everyone">Everyone listed (3)</label>' in page.text
    assert "Your local time (Europe/Berlin), filled in with now" in page.text
    assert re.search(r'name="form_key" value="[0-9a-f]{32}"', page.text)
    # It names the patients: a read of each, as the single form's is.
    viewed = client.run(
        lambda: AuditEvent.filter(action="attendance_form_viewed").values_list(
            "patient_id", flat=True
        )
    )
    assert sorted(flat(viewed)) == sorted(ids(group))


def test_the_other_therapist_sees_only_their_own_patients(
    client: Client, group: list[User]
) -> None:
    client.login_as(PERSONAS["other_therapist"])

    page = client.get(PAGE)

    assert page.status_code == 200
    assert "Charlie Outsider" in page.text
    for person in group:
        assert person.display_name not in page.text
        assert f'name="patient_ids" value="{person.id}"' not in page.text
        assert f'name="listed" value="{person.id}"' not in page.text


def test_a_therapist_without_patients_is_told_so(client: Client, personas: dict[str, User]) -> None:
    client.run(
        lambda: care.unassign(personas["therapist"].id, personas["patient"].id, now=TEST_NOW)
    )
    client.login_as(PERSONAS["therapist"])

    page = client.get(PAGE)

    assert page.status_code == 200
    assert "No patients on your caseload yet." in page.text
    assert 'name="patient_ids"' not in page.text


def test_the_form_is_linked_from_the_caseload_and_the_patients_page(
    client: Client, group: list[User]
) -> None:
    alice = group[0]

    dashboard = client.get("/therapist").text
    record = client.get(f"/care/patients/{alice.id}").text
    from_record = client.get(f"{PAGE}?patient={alice.id}").text

    assert f'href="{PAGE}"' in dashboard
    assert f'href="{PAGE}?patient={alice.id}"' in record
    assert f'id="patient-{alice.id}" name="patient_ids" value="{alice.id}" checked' in from_record
    assert f'value="{group[1].id}" checked' not in from_record


def test_it_records_attendance_for_several_patients_at_once(
    client: Client, group: list[User], personas: dict[str, User]
) -> None:
    alice, bea, carl = group
    typed = local_time(hours=3)

    response = client.submit(PAGE, class_form([alice.id, bea.id], started_at=typed))

    assert response.status_code == 303
    assert response.headers["location"] == "/therapist"
    stored = stored_practice(client)
    assert [log.patient_id for log in stored] == sorted([alice.id, bea.id])
    for log in stored:
        assert log.evidence == "staff_attested"
        assert log.attested_by_id == personas["therapist"].id
        assert (log.kind, log.listened_seconds, log.completed) == ("yoga", 45 * 60, True)
        assert log.note == "Tuesday group"
        assert log.started_at.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M") == typed
    zones = {log.patient_id: log.time_zone for log in stored}
    assert zones == {alice.id: "Europe/Berlin", bea.id: "America/New_York"}
    audited = client.run(
        lambda: AuditEvent.filter(action="practice_attested").values_list(
            "patient_id", "target_type", "target_id", "route"
        )
    )
    assert sorted(audited) == sorted(
        (person.id, "user", str(person.id), "POST /care/attendance") for person in (alice, bea)
    )
    assert count(client, PracticeLog, patient_id=carl.id) == 0
    home = text_of(client.get("/therapist"))
    assert "Confirmed 45 minutes for 2 patients: Alice Patient, Bea Group." in home


def test_attended_practice_counts_for_each_patients_day_and_streak(
    client: Client, group: list[User]
) -> None:
    alice, bea, _ = group
    response = client.submit(PAGE, class_form([alice.id, bea.id], minutes="30"))
    assert response.status_code == 303

    record = text_of(client.get(f"/care/patients/{bea.id}"))
    client.login_as(PERSONAS["patient"])
    streak = client.get("/api/v1/me/streak").json()
    progress = text_of(client.get("/progress"))

    assert "practised today" in record
    assert "Bob Therapist" in record  # who attested it, in the practice history
    assert (streak["current"], streak["practised_today"], streak["total_minutes"]) == (1, True, 30)
    assert "Confirmed by staff" in progress
    assert "30 minutes in all." in progress


def test_everyone_listed_confirms_every_patient_the_form_listed_without_javascript(
    client: Client, group: list[User]
) -> None:
    form = class_form([], everyone="1", listed=[str(person.id) for person in group])

    response = client.submit(PAGE, form)

    assert response.status_code == 303
    assert sorted(log.patient_id for log in stored_practice(client)) == sorted(ids(group))


def test_everyone_listed_is_who_the_form_listed_not_who_joined_since(
    client: Client, group: list[User], personas: dict[str, User]
) -> None:
    shown = [str(person.id) for person in group]
    newcomer = client.run(lambda: patient_of(personas["therapist"], "Dan Newcomer"))

    response = client.submit(PAGE, class_form([], everyone="1", listed=shown))

    assert response.status_code == 303
    assert count(client, PracticeLog, patient_id=newcomer.id) == 0
    assert count(client, PracticeLog) == 3


def test_the_same_form_sent_twice_records_the_class_once(client: Client, group: list[User]) -> None:
    key = re.search(r'name="form_key" value="([0-9a-f]{32})"', client.get(PAGE).text)
    assert key is not None
    form = class_form(ids(group[:2]), form_key=key.group(1))

    first = client.submit(PAGE, form)
    again = client.submit(PAGE, form)

    assert (first.status_code, again.status_code) == (303, 303)
    assert count(client, PracticeLog) == 2
    assert count(client, AuditEvent, action="practice_attested") == 2
    assert "That class was already confirmed: nothing was added." in text_of(
        client.get("/therapist")
    )
    # Back, a correction, send: the same form with other values is a write of its own.
    corrected = client.submit(PAGE, {**form, "minutes": "50"})
    assert corrected.status_code == 303
    assert (
        sorted(log.listened_seconds for log in stored_practice(client))
        == [45 * 60] * 2 + [50 * 60] * 2
    )


# --- refusals: 422 naming the problem, nothing written -------------------------------------------


def refused_form(group: list[User], personas: dict[str, User], case: str) -> dict[str, Any]:
    alice, bea, _ = group
    cases: dict[str, dict[str, Any]] = {
        "no one ticked": class_form([]),
        "minutes 0": class_form([alice.id], minutes="0"),
        "minutes 361": class_form([alice.id], minutes="361"),
        "minutes in words": class_form([alice.id], minutes="forty"),
        "unknown kind": class_form([alice.id], kind="juggling"),
        "no time": class_form([alice.id], started_at=""),
        "not a time": class_form([alice.id], started_at="last tuesday"),
        "too long ago": class_form([alice.id], started_at="2020-01-01T10:00"),
        "in the future": class_form([alice.id], started_at=local_time(hours=-30)),
        "note too long": class_form([alice.id], note="x" * 501),
        "a patient twice": class_form([alice.id, bea.id, alice.id]),
        "not an id": {**class_form([]), "patient_ids": [str(alice.id), "Bea"]},
        "another therapist's patient": class_form([alice.id, personas["other_patient"].id]),
        "nobody's id": class_form([alice.id, 424242]),
        "not a patient": class_form([alice.id, personas["coordinator"].id]),
    }
    return cases[case]


REFUSED_FORMS = [
    ("no one ticked", "patient_ids", "Tick each patient who attended."),
    ("minutes 0", "minutes", "Give the minutes practised, from 1 to 360."),
    ("minutes 361", "minutes", "Give the minutes practised, from 1 to 360."),
    ("minutes in words", "minutes", "Give the minutes practised, from 1 to 360."),
    ("unknown kind", "kind", "Choose what kind of practice it was."),
    ("no time", "started_at", "Enter the date and the time in full"),
    ("not a time", "started_at", "That is not a date and time"),
    ("too long ago", "started_at", "back-dated by at most 14 days"),
    ("in the future", "started_at", "That time is in the future."),
    ("note too long", "note", "Keep the note under 500 characters."),
    ("a patient twice", "patient_ids", "is given twice"),
    ("not an id", "patient_ids", "Tick patients from the list."),
    ("another therapist's patient", "patient_ids", "No patient on your caseload has id"),
    ("nobody's id", "patient_ids", "No patient on your caseload has id 424242."),
    ("not a patient", "patient_ids", "No patient on your caseload has id"),
]


@pytest.mark.parametrize(
    ("case", "field", "message"), REFUSED_FORMS, ids=[c[0] for c in REFUSED_FORMS]
)
def test_a_refused_group_names_the_problem_and_writes_nothing(
    client: Client,
    group: list[User],
    personas: dict[str, User],
    case: str,
    field: str,
    message: str,
) -> None:
    before = written(client)

    response = client.submit(PAGE, refused_form(group, personas, case))

    assert response.status_code == 422
    assert written(client) == before == (0, 0, 0)
    page = text_of(response)
    assert f'id="{field}-error"' in response.text
    assert message in page
    assert 'class="error-summary" role="alert"' in response.text
    assert f'<a href="#{field}">' in response.text
    assert "Error: Confirm a group's attendance" in page  # the title says so
    assert "Tuesday group" in page or case == "note too long"  # what was typed is kept
    assert "Charlie Outsider" not in page


def test_a_refused_group_names_the_patient_at_fault(
    client: Client, group: list[User], personas: dict[str, User]
) -> None:
    alice, bea, _ = group
    deactivate(client, bea)
    outsider = personas["other_patient"].id

    response = client.submit(PAGE, class_form([alice.id, bea.id, outsider]))

    assert response.status_code == 422
    assert written(client) == (0, 0, 0)
    page = text_of(response)
    assert "Bea Group's account is deactivated" in page
    assert f"No patient on your caseload has id {outsider}." in page
    # The patients still ticked stay ticked; the list is the caseload as it is now.
    assert f'value="{alice.id}" checked' in response.text
    assert f'value="{bea.id}"' not in response.text
    # Shown again, the form names the patients it lists: a read of each, from the POST route.
    shown = client.run(
        lambda: AuditEvent.filter(
            action="attendance_form_viewed", route="POST /care/attendance"
        ).values_list("patient_id", flat=True)
    )
    assert sorted(flat(shown)) == sorted([alice.id, group[2].id])


def test_every_problem_of_a_group_is_named_at_once(
    client: Client, group: list[User], personas: dict[str, User]
) -> None:
    response = client.submit(
        PAGE, class_form([personas["other_patient"].id], started_at=local_time(days=20))
    )

    assert response.status_code == 422
    assert written(client) == (0, 0, 0)
    assert 'id="started_at-error"' in response.text
    assert 'id="patient_ids-error"' in response.text


def test_a_refused_form_keeps_its_key_and_is_accepted_once_corrected(
    client: Client, group: list[User]
) -> None:
    form = class_form([group[0].id], minutes="0", form_key="a" * 32)

    refused = client.submit(PAGE, form)
    accepted = client.submit(PAGE, {**form, "minutes": "45"})

    assert refused.status_code == 422
    assert f'name="form_key" value="{"a" * 32}"' in refused.text
    assert accepted.status_code == 303
    assert count(client, PracticeLog) == 1


# --- who may use it -----------------------------------------------------------------------------


def test_another_therapist_cannot_confirm_attendance_for_someone_elses_patient(
    client: Client, personas: dict[str, User]
) -> None:
    patient = personas["patient"]
    client.login_as(PERSONAS["other_therapist"])

    page = client.submit(PAGE, class_form([patient.id]))
    api = client.post(API, json=class_body([patient.id]))
    mixed = client.post(API, json=class_body([personas["other_patient"].id, patient.id]))

    assert (page.status_code, api.status_code, mixed.status_code) == (422, 422, 422)
    assert written(client) == (0, 0, 0)
    assert f"No patient on your caseload has id {patient.id}." in text_of(page)
    assert api.json()["errors"] == [
        {"field": "patient_ids", "message": f"No patient on your caseload has id {patient.id}."}
    ]
    for response in (page, api, mixed):
        assert "Alice" not in response.text
    # The same answer as for an id that is nobody's: nothing tells them whose it is.
    nobody = client.post(API, json=class_body([424242])).json()["errors"][0]["message"]
    assert nobody == f"No patient on your caseload has id {424242}."


@pytest.mark.parametrize("persona", ["patient", "other_patient", "coordinator", "admin"])
def test_only_therapists_may_confirm_a_groups_attendance(
    client: Client, personas: dict[str, User], persona: str
) -> None:
    client.login_as(PERSONAS[persona])
    patient = personas["patient"].id

    page = client.get(PAGE)
    posted = client.submit(PAGE, class_form([patient]))
    api = client.post(API, json=class_body([patient]))

    assert (page.status_code, posted.status_code, api.status_code) == (403, 403, 403)
    assert written(client) == (0, 0, 0)
    if persona != "patient":  # whose own name is on every page of hers
        assert "Alice" not in page.text + posted.text + api.text


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, personas: dict[str, User]) -> None:
    patient = personas["patient"].id

    page = client.get(PAGE, follow_redirects=False)
    posted = client.submit(PAGE, class_form([patient]))
    api = client.post(API, json=class_body([patient]))

    assert (page.status_code, posted.status_code, api.status_code) == (303, 303, 401)
    assert page.headers["location"].startswith("/login?next=")
    assert written(client) == (0, 0, 0)


# --- the JSON API -------------------------------------------------------------------------------


def test_the_api_records_attendance_for_several_patients_at_once(
    client: Client, group: list[User], personas: dict[str, User]
) -> None:
    alice, bea, carl = group
    started = TEST_NOW - timedelta(hours=3)

    response = client.post(API, json=class_body([bea.id, alice.id]))

    assert response.status_code == 201, response.text
    stored = stored_practice(client)
    assert sorted(log.patient_id for log in stored) == sorted([alice.id, bea.id])
    assert {log.evidence for log in stored} == {"staff_attested"}
    assert {log.attested_by_id for log in stored} == {personas["therapist"].id}
    assert {(log.listened_seconds, log.started_at) for log in stored} == {(45 * 60, started)}
    assert (
        count(client, AuditEvent, action="practice_attested", route="POST /api/v1/attendance") == 2
    )
    attended = response.json()["attended"]
    assert [(item["patient_id"], item["patient_name"]) for item in attended] == [
        (bea.id, "Bea Group"),
        (alice.id, "Alice Patient"),
    ]
    first = attended[0]["practice"]
    assert set(first) == {
        "id",
        "session_id",
        "kind",
        "other_label",
        "evidence",
        "started_at",
        "listened_seconds",
        "duration_seconds",
        "completed",
    }
    assert (first["evidence"], first["kind"], first["listened_seconds"]) == (
        "staff_attested",
        "yoga",
        45 * 60,
    )
    assert datetime.fromisoformat(first["started_at"]) == started
    assert "Tuesday group" not in response.text  # the note stays in the record, not the answer
    assert count(client, PracticeLog, patient_id=carl.id) == 0


def test_a_retried_group_is_stored_once(client: Client, group: list[User]) -> None:
    body, headers = class_body(ids(group)), {"Idempotency-Key": "tuesday-yoga-group"}

    first = client.post(API, json=body, headers=headers)
    again = client.post(API, json=body, headers=headers)
    other = client.post(API, json={**body, "minutes": 30}, headers=headers)

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert count(client, PracticeLog) == 3
    assert count(client, AuditEvent, action="practice_attested") == 3


def refused_body(group: list[User], personas: dict[str, User], case: str) -> dict[str, Any]:
    alice, bea, _ = group
    naive = (TEST_NOW - timedelta(hours=3)).replace(tzinfo=None).isoformat()
    cases: dict[str, dict[str, Any]] = {
        "no one": class_body([]),
        "a patient twice": class_body([alice.id, bea.id, alice.id]),
        "too many": class_body(list(range(1, 102))),
        "an id of 0": class_body([0]),
        "an id as text": {**class_body([]), "patient_ids": [str(alice.id)]},
        "another therapist's patient": class_body([alice.id, personas["other_patient"].id]),
        "nobody's id": class_body([alice.id, 424242]),
        "not a patient": class_body([alice.id, personas["therapist"].id]),
        "minutes 0": class_body([alice.id], minutes=0),
        "minutes as text": class_body([alice.id], minutes="45"),
        "unknown kind": class_body([alice.id], kind="juggling"),
        "no offset": class_body([alice.id], started_at=naive),
        "too long ago": class_body(
            [alice.id], started_at=(TEST_NOW - timedelta(days=15)).isoformat()
        ),
        "in the future": class_body(
            [alice.id], started_at=(TEST_NOW + timedelta(hours=2)).isoformat()
        ),
        "an unknown field": class_body([alice.id], attested_by_id=1),
        "no patient_ids": {
            key: value for key, value in class_body([]).items() if key != "patient_ids"
        },
    }
    return cases[case]


REFUSED_BODIES = [
    ("no one", "patient_ids"),
    ("a patient twice", "patient_ids"),
    ("too many", "patient_ids"),
    ("an id of 0", "patient_ids"),
    ("an id as text", "patient_ids"),
    ("another therapist's patient", "patient_ids"),
    ("nobody's id", "patient_ids"),
    ("not a patient", "patient_ids"),
    ("minutes 0", "minutes"),
    ("minutes as text", "minutes"),
    ("unknown kind", "kind"),
    ("no offset", "started_at"),
    ("too long ago", "started_at"),
    ("in the future", "started_at"),
    ("an unknown field", "attested_by_id"),
    ("no patient_ids", "patient_ids"),
]


@pytest.mark.parametrize(("case", "field"), REFUSED_BODIES, ids=[c[0] for c in REFUSED_BODIES])
def test_the_api_refuses_a_bad_group_naming_the_field_and_writes_nothing(
    client: Client, group: list[User], personas: dict[str, User], case: str, field: str
) -> None:
    response = client.post(API, json=refused_body(group, personas, case))

    assert response.status_code == 422, response.text
    named = {problem["field"].partition("[")[0] for problem in response.json()["errors"]}
    assert field in named, response.text  # `patient_ids[0]`: the list's first item
    assert written(client) == (0, 0, 0)


def test_the_api_names_each_patient_it_refuses(
    client: Client, group: list[User], personas: dict[str, User]
) -> None:
    alice, bea, _ = group
    deactivate(client, bea)

    long_ago = (TEST_NOW - timedelta(days=15)).isoformat()

    response = client.post(API, json=class_body([alice.id, bea.id, 424242], started_at=long_ago))

    assert response.status_code == 422
    assert written(client) == (0, 0, 0)
    errors = {problem["field"]: problem["message"] for problem in response.json()["errors"]}
    assert errors["started_at"] == "Entries can be back-dated by at most 14 days."
    assert "Bea Group's account is deactivated" in errors["patient_ids"]
    assert "No patient on your caseload has id 424242." in errors["patient_ids"]
    assert "Alice" not in errors["patient_ids"]


def test_the_api_is_in_the_openapi_document(client: Client) -> None:
    document = client.get("/schema/openapi.json").json()

    operation = document["paths"][API]["post"]
    schemas = document["components"]["schemas"]

    assert operation["tags"] == ["care"]
    assert sorted(operation["responses"]) == ["201", "400", "401", "403", "422", "429", "503"]
    assert operation["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AttendanceOut"
    }
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/AttendanceCreate"}
    create = schemas["AttendanceCreate"]
    assert create["additionalProperties"] is False
    assert sorted(create["required"]) == ["kind", "minutes", "patient_ids", "started_at"]
    patient_ids = create["properties"]["patient_ids"]
    assert (patient_ids["minItems"], patient_ids["maxItems"]) == (1, 100)
    assert patient_ids["items"]["minimum"] == 1
    attended = schemas["AttendedOut"]
    assert set(attended["properties"]) == {"patient_id", "patient_name", "practice"}


# --- time: typed in the therapist's own zone, as on the single form -----------------------------

# (the therapist's zone, now): east and west of UTC, a half-hour zone, and an hour that happens
# twice (New York's 01:30 on the night summer time ends).
ZONED = [
    ("Asia/Tokyo", datetime(2026, 12, 1, 17, 30, tzinfo=UTC)),  # 02:30 local
    ("Asia/Kolkata", datetime(2026, 12, 1, 21, 0, tzinfo=UTC)),  # 02:30 local
    ("America/Los_Angeles", datetime(2026, 12, 2, 10, 30, tzinfo=UTC)),  # 02:30 local
    ("America/New_York", datetime(2026, 11, 1, 6, 45, tzinfo=UTC)),  # 01:45 again, after DST
]


@pytest.mark.parametrize(("zone", "now"), ZONED, ids=[f"{z}-{n:%m%dT%H%M}" for z, n in ZONED])
def test_the_group_form_reads_the_time_as_the_single_form_does(
    client: Client,
    group: list[User],
    personas: dict[str, User],
    clock: FixedClock,
    zone: str,
    now: datetime,
) -> None:
    """Both forms take the time in the therapist's zone: the same typed time is the same moment
    (a repeated hour is its first occurrence in both)."""
    therapist = personas["therapist"]
    client.run(lambda: User.filter(id=therapist.id).update(time_zone=zone))
    clock.set(now)
    client.login_as(PERSONAS["therapist"])  # a session of this day
    alice, bea, _ = group
    typed = (now - timedelta(minutes=30)).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")
    form = {"kind": "yoga", "minutes": "20", "started_at": typed}

    page = client.get(PAGE)
    single = client.submit(f"/care/patients/{bea.id}/attest", form)
    grouped = client.submit(PAGE, {**form, "patient_ids": [str(alice.id)]})

    assert (single.status_code, grouped.status_code) == (303, 303)
    prefilled = re.search(r'name="started_at" type="datetime-local" value="([^"]+)"', page.text)
    assert prefilled is not None
    assert prefilled.group(1) == now.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")
    assert f"Your local time ({zone}), filled in with now" in page.text
    by_patient = {log.patient_id: log.started_at for log in stored_practice(client)}
    assert by_patient[alice.id] == by_patient[bea.id]
    local = by_patient[alice.id].astimezone(ZoneInfo(zone))
    assert (local.strftime("%Y-%m-%dT%H:%M"), local.fold) == (typed, 0)
