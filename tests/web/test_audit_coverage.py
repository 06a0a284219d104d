"""Audit coverage over the route table, so new routes are covered automatically:

- every staff read under `/care` and `/api/v1/patients` by the patient's therapist writes an
  audit row naming the patient;
- every refusal of one of those reads writes one row (`not_found_for_viewer` from a loader,
  `access_denied` from a role guard) naming who asked, and never whose data it was;
- every route that loads a record by an id from its path answers a missing one with a 404 that
  is audited as asked for (which type, which id), whichever role asks.

`therapist` looks after `patient`; everyone else is an outsider to her data.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar

from tests.conftest import PERSONAS, Client
from tests.web.test_route_table import PUBLIC_ROUTES, all_routes
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.care.models import Alert
from wellness.care.note_rules import NoteKind
from wellness.care.notes import write_note
from wellness.care.policy import AlertReason
from wellness.caseload.assignments import AssignmentInput, create_assignment
from wellness.checkins.models import Checkin
from wellness.settings import CarePolicy

STAFF_READ_PREFIXES = ("/care/", "/api/v1/patients/")
PARAMETER = re.compile(r"\{(?P<name>[^}:]+)(?::[^}]*)?\}")
# The type a loader names in its refusal row, by the path parameter it loads.
TARGET_TYPES = {
    "patient_id": "user",
    "assignment_id": "assignment",
    "alert_id": "alert",
    "practice_id": "practice",
    "session_id": "session",
    "asset_id": "media",
    "key": "cover",
    "user_id": "user",
    "therapist_id": "user",
    "note_id": "clinical_note",
    "collection_id": "collection",
}
MISSING = 999_999
# Routes with an id in the path whose answer for a missing id is not a loader's 404, and why.
NOT_LOADED = {
    # nginx's auth_request takes only 401 and 403 as refusals, so this answers 403 (no loader).
    ("GET", "/media/{asset_id:int}/access"),
}
# JSON bodies that pass validation, so a write reaches its loader (a bad body is refused first).
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/v1/assignments/{assignment_id:int}"): {"action": "pause"},
    ("PATCH", "/api/v1/users/{user_id:int}"): {"display_name": "Renamed"},
    ("PUT", "/api/v1/users/{user_id:int}/role"): {"role": "therapist"},
    ("PUT", "/api/v1/users/{user_id:int}/active"): {"active": False},
    ("PUT", "/api/v1/users/{user_id:int}/password"): {"password": "another long passphrase"},
    ("POST", "/api/v1/patients/{patient_id:int}/assignments"): {"kind": "breathing"},
    ("PUT", "/api/v1/patients/{patient_id:int}/contraindications"): {"contraindications": []},
    ("POST", "/api/v1/patients/{patient_id:int}/overrides"): {"session_id": 1, "kind": "ban"},
    ("POST", "/api/v1/patients/{patient_id:int}/notes"): {"kind": "session", "text": "Talked."},
    ("POST", "/api/v1/patients/{patient_id:int}/notes/{note_id:int}/addenda"): {"text": "Later."},
    ("POST", "/api/v1/patients/{patient_id:int}/practice"): {
        "kind": "yoga",
        "minutes": 30,
        "started_at": "2026-11-24T09:00:00Z",
    },
    ("POST", "/api/v1/practice/{practice_id:int}/progress"): {"listened_seconds": 30},
    ("POST", "/api/v1/practice/{practice_id:int}/rating"): {"anxiety_after": 3},
    ("PATCH", "/api/v1/sessions/{session_id:int}"): {"title": "Renamed"},
    ("PATCH", "/api/v1/collections/{collection_id:int}"): {"title": "Renamed"},
    ("POST", "/api/v1/sessions/{session_id:int}/reviews"): {"decision": "approved"},
}


def template_of(path: str) -> str:
    """The path as an audit row's route names it: `{patient_id:int}` as `{patient_id}`."""
    return PARAMETER.sub(lambda found: "{" + found["name"] + "}", path)


def parameters(path: str) -> list[str]:
    return [found["name"] for found in PARAMETER.finditer(path)]


def concrete(path: str, ids: dict[str, int]) -> str:
    def value(found: re.Match[str]) -> str:
        if found["name"] not in ids:
            pytest.fail(f"{path}: give the test an id for {{{found['name']}}}")
        return str(ids[found["name"]])

    return PARAMETER.sub(value, path)


def staff_reads(app: Litestar) -> list[str]:
    return [
        path
        for method, path in all_routes(app)
        if method == "GET" and path.startswith(STAFF_READ_PREFIXES)
    ]


def newest_id(client: Client) -> int:
    async def read() -> int:
        newest = await AuditEvent.all().order_by("-id").first()
        return newest.id if newest else 0

    return client.run(read)


def rows_after(client: Client, marker: int) -> list[AuditEvent]:
    return client.run(lambda: AuditEvent.filter(id__gt=marker).order_by("id"))


@pytest.fixture
def care_ids(client: Client, personas: dict[str, User]) -> dict[str, int]:
    """Ids of `patient`'s records for the staff routes' path parameters."""
    patient, therapist = personas["patient"], personas["therapist"]

    async def make() -> dict[str, int]:
        now = client.now()
        assignment = await create_assignment(
            patient,
            AssignmentInput(kind="breathing", min_minutes=5, max_minutes=10, note="Slowly."),
            by=therapist,
            policy=CarePolicy(),
            now=now,
        )
        rating = await Checkin.create(
            patient_id=patient.id, level=9, occurred_at=now, recorded_at=now
        )
        alert = await Alert.create(
            patient_id=patient.id,
            reason=AlertReason.HIGH_DISTRESS,
            value=9,
            source_type="checkin",
            source_id=rating.id,
            created_at=now,
        )
        note = await write_note(
            therapist, patient, kind=NoteKind.SESSION, contact_date=None, text="Talked.", now=now
        )
        return {
            "patient_id": patient.id,
            "assignment_id": assignment.id,
            "alert_id": alert.id,
            "note_id": note.id,
        }

    return client.run(make)


def test_the_staff_reads_include_those_of_each_area(app: Litestar) -> None:
    reads = staff_reads(app)
    assert "/care/patients/{patient_id:int}" in reads
    assert "/care/assignments/{assignment_id:int}/edit" in reads
    assert "/api/v1/patients/{patient_id:int}" in reads
    assert len(reads) >= 9


def test_every_staff_read_by_the_care_team_is_audited_naming_the_patient(
    client: Client, app: Litestar, personas: dict[str, User], care_ids: dict[str, int]
) -> None:
    patient, therapist = personas["patient"], personas["therapist"]
    client.login_as(PERSONAS["therapist"])
    unaudited = []
    for path in staff_reads(app):
        marker = newest_id(client)

        response = client.get(concrete(path, care_ids))

        assert response.status_code == 200, (path, response.status_code)
        rows = rows_after(client, marker)
        route = f"GET {template_of(path)}"
        naming = [row for row in rows if row.patient_id == patient.id and row.route == route]
        if not naming or any(row.actor_id != therapist.id for row in naming):
            unaudited.append(path)
    assert unaudited == []


@pytest.mark.parametrize("outsider", ["other_therapist", "coordinator", "admin", "other_patient"])
def test_every_refused_staff_read_is_one_audit_row_without_patient_data(
    client: Client,
    app: Litestar,
    personas: dict[str, User],
    care_ids: dict[str, int],
    outsider: str,
) -> None:
    patient, asker = personas["patient"], personas[outsider]
    client.login_as(PERSONAS[outsider])
    for path in staff_reads(app):
        marker = newest_id(client)

        response = client.get(concrete(path, care_ids))

        if outsider == "other_therapist" and not parameters(path):
            # A page of the caseload as a whole (the group attendance form): theirs, not hers.
            assert response.status_code == 200, path
            assert patient.display_name not in response.text, path
            continue
        assert response.status_code in (403, 404), (path, response.status_code)
        [row] = rows_after(client, marker)
        assert (row.actor_id, row.patient_id, row.detail) == (asker.id, None, ""), path
        if response.status_code == 404:
            asked = {(TARGET_TYPES[name], str(care_ids[name])) for name in parameters(path)}
            assert row.action == "not_found_for_viewer", path
            assert (row.target_type, row.target_id) in asked, path
            assert row.route == f"GET {template_of(path)}"
        else:
            assert row.action == "access_denied", path
        assert patient.display_name not in response.text


def test_every_loader_answers_a_missing_id_with_an_audited_404(
    client: Client, app: Litestar, personas: dict[str, User]
) -> None:
    """Each role past the route's guard reaches the loader; the one 404 it answers is one
    `not_found_for_viewer` row naming the type and id asked for, the asker and the route."""
    routes = [
        (method, path)
        for method, path in all_routes(app)
        if parameters(path) and (method, path) not in PUBLIC_ROUTES | NOT_LOADED
    ]
    audited: set[tuple[str, str]] = set()
    for persona in ("patient", "therapist", "coordinator", "admin"):
        client.login_as(PERSONAS[persona])
        for method, path in routes:
            url = concrete(path, dict.fromkeys(parameters(path), MISSING))
            marker = newest_id(client)

            response = send(client, method, path, url)

            if response.status_code != 404:
                continue
            [row] = rows_after(client, marker)
            asked = {(TARGET_TYPES.get(name), str(MISSING)) for name in parameters(path)}
            assert row.action == "not_found_for_viewer", (method, path)
            assert (row.target_type, row.target_id) in asked, (method, path)
            assert (row.actor_id, row.patient_id) == (personas[persona].id, None)
            assert row.route == f"{method} {template_of(path)}"
            audited.add((method, path))
    assert sorted(set(routes) - audited) == []


# Staff pages that show one record (an id in the path): what they show of a patient, whether
# first asked for or shown again after a refused form, is a read to audit.
STAFF_PAGE_PREFIXES = ("/care/", "/admin/")
# Form fields that make a POST fail validation and show its page again (an empty form does for
# the others, or the route changes nothing a later request needs).
INVALID_FORMS: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/care/alerts/{alert_id:int}/acknowledge"): {"note": "x" * 501},
    ("POST", "/care/patients/{patient_id:int}/restrictions/contraindications"): {
        "contraindications": "no-such-code"
    },
}
# Routes sent a form that is valid but changes nothing, so later requests see the same care team.
HARMLESS_FORMS = {("POST", "/admin/users/{user_id:int}/care-team/{therapist_id:int}/remove")}


def staff_pages(app: Litestar) -> list[tuple[str, str]]:
    return [
        (method, path)
        for method, path in all_routes(app)
        if method in ("GET", "POST") and path.startswith(STAFF_PAGE_PREFIXES) and parameters(path)
    ]


def shows_patient(response: Any, patient: User) -> bool:
    return (
        response.status_code in (200, 409, 422)
        and response.headers.get("content-type", "").startswith("text/html")
        and (patient.display_name in response.text or patient.email in response.text)
    )


@pytest.mark.parametrize("whose_page", ["patient", "therapist"])
def test_every_staff_page_that_shows_a_patient_is_audited_naming_them(
    client: Client,
    app: Litestar,
    personas: dict[str, User],
    care_ids: dict[str, int],
    whose_page: str,
) -> None:
    """Each staff page with a record's id in its path, asked for by the role that may see it
    (the therapist under /care, the administrator under /admin) or posted a form it refuses
    and shows again: if it shows the patient, a row from that route names them. An account page
    is the patient's own, or their therapist's (which lists the caseload)."""
    patient = personas["patient"]
    ids = care_ids | {
        "user_id": personas[whose_page].id,
        # Not on the patient's care team: removing them changes nothing.
        "therapist_id": personas["other_therapist"].id,
        "session_id": MISSING,
    }
    shown: set[tuple[str, str]] = set()
    unaudited = []
    for method, path in staff_pages(app):
        viewer = personas["admin" if path.startswith("/admin/") else "therapist"]
        client.login_as(PERSONAS["admin" if path.startswith("/admin/") else "therapist"])
        marker = newest_id(client)

        if method == "GET":
            response = client.get(concrete(path, ids), follow_redirects=False)
        else:
            form = INVALID_FORMS.get((method, path), {})
            response = client.submit(concrete(path, ids), form)

        if method == "POST" and (method, path) not in HARMLESS_FORMS:
            # 409: a change refused as things stand (an invitation to an account with a
            # password, or while e-mail is off), the page shown again saying why.
            assert response.status_code in (303, 404, 409, 422), (path, response.status_code)
        if not shows_patient(response, patient):
            continue
        shown.add((method, path))
        route = f"{method} {template_of(path)}"
        naming = [
            row
            for row in rows_after(client, marker)
            if row.patient_id == patient.id and row.route == route and row.actor_id == viewer.id
        ]
        if not naming:
            unaudited.append((method, path))
    assert unaudited == []
    # The sweep reached the pages shown again after a refused form, not only the GETs.
    assert {
        ("GET", "/admin/users/{user_id:int}"),
        ("POST", "/admin/users/{user_id:int}/role"),
        ("POST", "/admin/users/{user_id:int}/care-team"),
        ("POST", "/care/patients/{patient_id:int}/restrictions/contraindications"),
        ("POST", "/care/patients/{patient_id:int}/restrictions/overrides"),
        ("POST", "/care/patients/{patient_id:int}/attest"),
        ("POST", "/care/assignments/{assignment_id:int}/edit"),
        ("POST", "/care/patients/{patient_id:int}/notes"),
        ("POST", "/care/patients/{patient_id:int}/notes/{note_id:int}/addenda"),
        ("GET", "/care/patients/{patient_id:int}/report"),
    } <= shown


def send(client: Client, method: str, path: str, url: str) -> Any:
    if method == "GET":
        return client.get(url, follow_redirects=False)
    if path.startswith("/api/"):
        return client.request(method, url, json=BODIES.get((method, path)))
    return client.submit(url)


def test_a_form_posted_without_its_csrf_token_is_refused_and_audited(
    client: Client, personas: dict[str, User]
) -> None:
    therapist, patient = personas["therapist"], personas["patient"]
    client.login_as(PERSONAS["therapist"])
    marker = newest_id(client)

    response = client.post(
        f"/care/patients/{patient.id}/attest", data={"kind": "yoga"}, follow_redirects=False
    )

    assert response.status_code == 403
    [row] = rows_after(client, marker)
    assert (row.action, row.actor_id, row.patient_id) == ("csrf_refused", therapist.id, None)
    assert row.detail == "no valid CSRF token"
    assert row.route == "POST /care/patients/{patient_id}/attest"


def test_a_cross_site_write_to_the_api_is_refused_and_audited(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["patient"])
    marker = newest_id(client)

    response = client.post(
        "/api/v1/checkins",
        json={"level": 3, "tags": []},
        headers={"sec-fetch-site": "cross-site"},
    )

    assert response.status_code == 403
    [row] = rows_after(client, marker)
    assert (row.action, row.actor_id, row.patient_id) == (
        "csrf_refused",
        personas["patient"].id,
        None,
    )
    assert (row.detail, row.route) == ("cross-site", "POST /api/v1/checkins")
    assert client.run(lambda: Checkin.filter(patient_id=personas["patient"].id).count()) == 0
