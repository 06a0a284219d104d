"""The accounts API (`/api/v1/users`): what administrators do on `/admin/users`, for scripts.
Every change audited as on the pages, every refusal a 4xx naming the field that leaves nothing
changed, and no one but an administrator served (the route-wide outsider matrix is in
test_outsiders.py; here, the account data each refusal leaves alone)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.conftest import PERSONA_PASSWORD, PERSONAS, Client, count
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.audit.models import AuditEvent
from wellness.care import services as care
from wellness.system.models import IdempotentRequest

NEW_PATIENT = {
    "email": "New.Patient@Example.org",
    "display_name": "  Nova   Patient ",
    "role": "patient",
    "time_zone": "Pacific/Kiritimati",
    "password": "a long and memorable passphrase",
}


def accounts_state(client: Client) -> list[tuple[Any, ...]]:
    """Every account as stored, and every current care-team membership."""

    async def read() -> list[tuple[Any, ...]]:
        rows = (
            await User.all()
            .order_by("id")
            .values_list(
                "id", "email", "display_name", "role", "is_active", "password_hash", "session_epoch"
            )
        )
        teams = []
        for user in await User.filter(role=Role.PATIENT).order_by("id"):
            teams.append((user.id, tuple(t.id for t in await care.therapists_of(user.id))))
        return [*rows, *teams]

    return client.run(read)


def audit_rows(client: Client, after: int = 0) -> list[tuple[str, str, str, int | None]]:
    async def read() -> list[tuple[str, str, str, int | None]]:
        rows = await AuditEvent.filter(id__gt=after).order_by("id")
        return [(row.action, row.target_id, row.detail, row.patient_id) for row in rows]

    return client.run(read)


def newest_audit_id(client: Client) -> int:
    async def read() -> int:
        row = await AuditEvent.all().order_by("-id").first()
        return row.id if row else 0

    return client.run(read)


def refused_fields(response: Any) -> set[str]:
    return {str(error["field"]) for error in response.json().get("errors", [])}


def sign_in(client: Client, email: str, password: str) -> int:
    client.cookies.clear()
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    return response.status_code


def test_an_administrator_creates_a_patient_with_their_first_therapist(
    as_admin: Client, personas: dict[str, User]
) -> None:
    therapist = personas["therapist"]
    before = newest_audit_id(as_admin)

    response = as_admin.post("/api/v1/users", json={**NEW_PATIENT, "therapist_id": therapist.id})

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "new.patient@example.org"
    assert body["display_name"] == "Nova Patient"
    assert (body["role"], body["time_zone"], body["active"]) == (
        "patient",
        "Pacific/Kiritimati",
        True,
    )
    assert body["last_sign_in_at"] is None
    assert body["care_team"] == [
        {"id": therapist.id, "display_name": therapist.display_name, "sees_alerts": True}
    ]
    assert body["caseload"] is None
    assert "password" not in response.text
    new_id = body["id"]
    assert audit_rows(as_admin, before) == [
        ("care_assigned", str(new_id), f"therapist={therapist.id}", new_id),
        ("account_created", str(new_id), "role=patient", None),
    ]
    assert sign_in(as_admin, "new.patient@example.org", NEW_PATIENT["password"]) == 200


def test_a_new_account_of_another_role_has_no_care_team(as_admin: Client) -> None:
    response = as_admin.post(
        "/api/v1/users", json={**NEW_PATIENT, "email": "coach@example.org", "role": "therapist"}
    )

    assert response.status_code == 201, response.text
    assert (response.json()["care_team"], response.json()["caseload"]) == (None, None)


def test_every_field_at_fault_is_named_at_once_and_nothing_is_created(as_admin: Client) -> None:
    before = accounts_state(as_admin)

    response = as_admin.post(
        "/api/v1/users",
        json={
            "email": "not an address",
            "display_name": " ",
            "role": "patient",
            "password": "short",
            "time_zone": "Mars/Olympus",
            "therapist_id": 999_999,
        },
    )

    assert response.status_code == 422
    assert refused_fields(response) >= {
        "email",
        "display_name",
        "password",
        "time_zone",
        "therapist_id",
    }
    assert accounts_state(as_admin) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": "superuser"}, "role"),
        ({"therapist_id": "3"}, "therapist_id"),
        ({"is_admin": True}, "is_admin"),
        ({"email": 7}, "email"),
    ],
)
def test_a_body_of_the_wrong_shape_is_refused_naming_the_field(
    as_admin: Client, change: dict[str, Any], field: str
) -> None:
    before = accounts_state(as_admin)

    response = as_admin.post("/api/v1/users", json={**NEW_PATIENT, **change})

    assert response.status_code in (400, 422)
    assert field in response.text
    assert accounts_state(as_admin) == before


def test_an_address_in_use_is_refused(as_admin: Client) -> None:
    before = accounts_state(as_admin)

    response = as_admin.post(
        "/api/v1/users", json={**NEW_PATIENT, "email": PERSONAS["patient"].email.upper()}
    )

    assert response.status_code == 422
    assert refused_fields(response) == {"email"}
    assert accounts_state(as_admin) == before


def test_a_patients_first_therapist_must_be_an_active_therapist(
    as_admin: Client, personas: dict[str, User]
) -> None:
    before = accounts_state(as_admin)
    for not_a_therapist in (personas["coordinator"], personas["patient"]):
        response = as_admin.post(
            "/api/v1/users", json={**NEW_PATIENT, "therapist_id": not_a_therapist.id}
        )
        assert response.status_code == 422
        assert refused_fields(response) == {"therapist_id"}
    assert accounts_state(as_admin) == before


def test_a_retried_creation_creates_one_account_and_keeps_no_hash_of_the_password(
    as_admin: Client,
) -> None:
    headers = {"Idempotency-Key": "create-nova-1"}
    first = as_admin.post("/api/v1/users", json=NEW_PATIENT, headers=headers)
    again = as_admin.post("/api/v1/users", json=NEW_PATIENT, headers=headers)
    other = as_admin.post(
        "/api/v1/users",
        json={**NEW_PATIENT, "password": "another long passphrase"},
        headers=headers,
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert other.status_code == 422
    assert count(as_admin, User, email="new.patient@example.org") == 1

    async def fingerprints() -> list[str]:
        return await IdempotentRequest.all().values_list("fingerprint", flat=True)  # type: ignore[return-value]

    stored = as_admin.run(fingerprints)
    for sent in (NEW_PATIENT["password"], "another long passphrase"):
        assert all(sent not in print_ for print_ in stored)
        assert hashlib.sha256(sent.encode()).hexdigest() not in stored


def test_the_list_takes_the_pages_filters_and_pages(
    as_admin: Client, personas: dict[str, User]
) -> None:
    patients = as_admin.get("/api/v1/users", params={"role": "patient"})
    assert patients.status_code == 200
    assert {item["email"] for item in patients.json()["items"]} == {
        PERSONAS["patient"].email,
        PERSONAS["other_patient"].email,
    }
    everyone = as_admin.get("/api/v1/users", params={"per_page": 2, "page": 2}).json()
    assert (everyone["total"], everyone["page"], everyone["pages"]) == (6, 2, 3)
    assert len(everyone["items"]) == 2
    assert all("password" not in key for item in everyone["items"] for key in item)


def test_a_search_is_posted_and_matches_names_and_addresses_in_any_case(
    as_admin: Client, personas: dict[str, User]
) -> None:
    by_name = as_admin.post("/api/v1/users/search", json={"q": "CHARLIE"})
    by_address = as_admin.post(
        "/api/v1/users/search", json={"q": "therapist@", "role": "therapist", "per_page": 1}
    )
    nothing = as_admin.post("/api/v1/users/search", json={"q": "nobody-here"})

    assert by_name.status_code == 200, by_name.text
    assert [item["email"] for item in by_name.json()["items"]] == [PERSONAS["other_patient"].email]
    assert (by_address.json()["total"], by_address.json()["pages"]) == (2, 2)
    assert nothing.json() == {"items": [], "page": 1, "pages": 1, "total": 0}


@pytest.mark.parametrize(
    ("body", "field"),
    [({"q": ""}, "q"), ({"q": "x" * 201}, "q"), ({}, "q"), ({"q": "a", "page": 0}, "page")],
)
def test_a_search_it_cannot_read_is_refused_naming_the_field(
    as_admin: Client, body: dict[str, Any], field: str
) -> None:
    response = as_admin.post("/api/v1/users/search", json=body)

    assert response.status_code in (400, 422)
    assert field in response.text


def test_the_unwatched_patients_are_listed_and_each_one_audited(
    as_admin: Client, personas: dict[str, User]
) -> None:
    patient = personas["patient"]

    async def leave() -> None:
        await care.unassign(personas["therapist"].id, patient.id, now=as_admin.now())

    as_admin.run(leave)
    before = newest_audit_id(as_admin)

    response = as_admin.get("/api/v1/users", params={"therapist": "none"})

    assert [item["id"] for item in response.json()["items"]] == [patient.id]
    assert audit_rows(as_admin, before) == [
        ("account_viewed", str(patient.id), "unwatched", patient.id)
    ]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"role": "owner"}, "role"),
        ({"status": "asleep"}, "status"),
        ({"therapist": "x"}, "therapist"),
        ({"per_page": 500}, "per_page"),
    ],
)
def test_a_filter_it_cannot_read_is_refused_naming_it(
    as_admin: Client, params: dict[str, Any], name: str
) -> None:
    response = as_admin.get("/api/v1/users", params=params)

    assert response.status_code in (400, 422)
    assert name in response.text


def test_an_account_answers_with_its_people_and_is_audited(
    as_admin: Client, personas: dict[str, User]
) -> None:
    patient, therapist = personas["patient"], personas["therapist"]
    before = newest_audit_id(as_admin)

    shown_patient = as_admin.get(f"/api/v1/users/{patient.id}").json()
    shown_therapist = as_admin.get(f"/api/v1/users/{therapist.id}").json()

    assert [member["id"] for member in shown_patient["care_team"]] == [therapist.id]
    assert shown_therapist["caseload"] == [{"id": patient.id, "display_name": patient.display_name}]
    assert audit_rows(as_admin, before) == [
        ("account_viewed", str(patient.id), "", patient.id),
        ("account_viewed", str(therapist.id), "", None),
        ("account_viewed", str(patient.id), f"caseload_of={therapist.id}", patient.id),
    ]
    assert as_admin.get("/api/v1/users/999999").status_code == 404


def test_a_name_and_address_are_corrected_and_the_new_address_signs_in(
    as_admin: Client, personas: dict[str, User]
) -> None:
    patient = personas["patient"]
    before = newest_audit_id(as_admin)

    response = as_admin.patch(
        f"/api/v1/users/{patient.id}", json={"email": "Alice.New@Example.org"}
    )

    assert response.status_code == 200, response.text
    assert (response.json()["email"], response.json()["display_name"]) == (
        "alice.new@example.org",
        patient.display_name,
    )
    assert ("account_updated", str(patient.id), "email", None) in audit_rows(as_admin, before)
    assert sign_in(as_admin, "alice.new@example.org", PERSONA_PASSWORD) == 200


def test_a_correction_that_changes_nothing_writes_no_change(
    as_admin: Client, personas: dict[str, User]
) -> None:
    patient = personas["patient"]
    before = newest_audit_id(as_admin)

    response = as_admin.patch(f"/api/v1/users/{patient.id}", json={})

    assert response.status_code == 200
    assert [row[0] for row in audit_rows(as_admin, before)] == ["account_viewed"]


def test_a_bad_correction_is_refused_and_changes_nothing(
    as_admin: Client, personas: dict[str, User]
) -> None:
    before = accounts_state(as_admin)
    patient = personas["patient"]

    taken = as_admin.patch(
        f"/api/v1/users/{patient.id}", json={"email": PERSONAS["therapist"].email}
    )
    blank = as_admin.patch(f"/api/v1/users/{patient.id}", json={"display_name": "  "})

    assert (taken.status_code, refused_fields(taken)) == (422, {"email"})
    assert (blank.status_code, refused_fields(blank)) == (422, {"display_name"})
    assert accounts_state(as_admin) == before


def test_a_new_role_ends_the_persons_sessions(client: Client, personas: dict[str, User]) -> None:
    patient = personas["patient"]
    client.login_as(PERSONAS["patient"])
    patient_cookies = dict(client.cookies)
    client.login_as(PERSONAS["admin"])

    response = client.put(f"/api/v1/users/{patient.id}/role", json={"role": "therapist"})

    assert response.status_code == 200, response.text
    assert response.json()["role"] == "therapist"
    client.cookies.clear()
    client.cookies.update(patient_cookies)
    assert client.get("/api/v1/me").status_code == 401


def test_the_administrator_role_needs_confirming(
    as_admin: Client, personas: dict[str, User]
) -> None:
    coordinator = personas["coordinator"]
    before = accounts_state(as_admin)

    unconfirmed = as_admin.put(f"/api/v1/users/{coordinator.id}/role", json={"role": "admin"})

    assert (unconfirmed.status_code, refused_fields(unconfirmed)) == (422, {"role"})
    assert accounts_state(as_admin) == before
    confirmed = as_admin.put(
        f"/api/v1/users/{coordinator.id}/role", json={"role": "admin", "confirm_admin": True}
    )
    assert confirmed.json()["role"] == "admin"


def test_no_one_demotes_or_deactivates_themselves(
    as_admin: Client, personas: dict[str, User]
) -> None:
    admin = personas["admin"]
    before = accounts_state(as_admin)

    demoted = as_admin.put(f"/api/v1/users/{admin.id}/role", json={"role": "coordinator"})
    deactivated = as_admin.put(f"/api/v1/users/{admin.id}/active", json={"active": False})
    own_password = as_admin.put(
        f"/api/v1/users/{admin.id}/password", json={"password": "another long passphrase"}
    )

    assert (demoted.status_code, refused_fields(demoted)) == (422, {"role"})
    assert (deactivated.status_code, refused_fields(deactivated)) == (422, {"active"})
    assert (own_password.status_code, refused_fields(own_password)) == (422, {"password"})
    assert accounts_state(as_admin) == before


def test_a_deactivated_account_is_signed_out_and_can_be_restored(
    client: Client, personas: dict[str, User]
) -> None:
    patient = personas["patient"]
    client.login_as(PERSONAS["patient"])
    patient_cookies = dict(client.cookies)
    client.login_as(PERSONAS["admin"])
    before = newest_audit_id(client)

    off = client.put(f"/api/v1/users/{patient.id}/active", json={"active": False})
    again = client.put(f"/api/v1/users/{patient.id}/active", json={"active": False})

    assert (off.status_code, off.json()["active"], again.json()["active"]) == (200, False, False)
    changes = [row[0] for row in audit_rows(client, before) if row[0] != "account_viewed"]
    assert changes == ["account_deactivated"]  # the repeat changed nothing
    on = client.put(f"/api/v1/users/{patient.id}/active", json={"active": True})
    assert on.json()["active"] is True
    client.cookies.clear()
    client.cookies.update(patient_cookies)
    assert client.get("/api/v1/me").status_code == 401
    assert sign_in(client, PERSONAS["patient"].email, PERSONA_PASSWORD) == 200


def test_a_new_password_replaces_the_old_one(client: Client, personas: dict[str, User]) -> None:
    patient = personas["patient"]
    client.login_as(PERSONAS["admin"])

    response = client.put(
        f"/api/v1/users/{patient.id}/password", json={"password": "a brand new passphrase"}
    )

    assert response.status_code == 204
    assert response.content == b""
    assert sign_in(client, PERSONAS["patient"].email, PERSONA_PASSWORD) == 401
    assert sign_in(client, PERSONAS["patient"].email, "a brand new passphrase") == 200


def test_a_weak_password_is_refused_and_the_old_one_kept(
    as_admin: Client, personas: dict[str, User]
) -> None:
    patient = personas["patient"]
    before = accounts_state(as_admin)

    response = as_admin.put(f"/api/v1/users/{patient.id}/password", json={"password": "password"})

    assert (response.status_code, refused_fields(response)) == (422, {"password"})
    assert accounts_state(as_admin) == before


def test_a_care_team_gains_and_loses_a_therapist(
    as_admin: Client, personas: dict[str, User]
) -> None:
    patient, other = personas["patient"], personas["other_therapist"]
    member = f"/api/v1/users/{patient.id}/care-team/{other.id}"
    before = newest_audit_id(as_admin)

    added = as_admin.put(member)
    again = as_admin.put(member)
    removed = as_admin.delete(member)
    gone = as_admin.delete(member)

    assert (added.status_code, again.status_code, removed.status_code) == (201, 200, 200)
    assert other.id in [m["id"] for m in added.json()["care_team"]]
    assert other.id not in [m["id"] for m in removed.json()["care_team"]]
    assert gone.status_code == 404
    assert "not on this patient's care team" in gone.text
    assert audit_rows(as_admin, before) == [
        ("care_assigned", str(patient.id), f"therapist={other.id}", patient.id),
        ("care_unassigned", str(patient.id), f"therapist={other.id}", patient.id),
    ]


def test_only_an_active_therapist_joins_a_patients_care_team(
    as_admin: Client, personas: dict[str, User]
) -> None:
    patient, coordinator = personas["patient"], personas["coordinator"]
    before = accounts_state(as_admin)

    not_a_therapist = as_admin.put(f"/api/v1/users/{patient.id}/care-team/{coordinator.id}")
    no_one = as_admin.put(f"/api/v1/users/{patient.id}/care-team/999999")
    not_a_patient = as_admin.put(
        f"/api/v1/users/{coordinator.id}/care-team/{personas['therapist'].id}"
    )

    for response in (not_a_therapist, no_one):
        assert (response.status_code, refused_fields(response)) == (422, {"therapist_id"})
    assert (not_a_patient.status_code, refused_fields(not_a_patient)) == (422, {"patient"})
    assert accounts_state(as_admin) == before


@pytest.mark.parametrize("persona", ["patient", "therapist", "coordinator"])
def test_no_one_else_reads_or_changes_accounts(
    client: Client, personas: dict[str, User], persona: str
) -> None:
    client.login_as(PERSONAS["admin"])
    before = accounts_state(client)
    client.login_as(PERSONAS[persona])
    patient, therapist = personas["patient"], personas["other_therapist"]

    answers = [
        client.get("/api/v1/users"),
        client.post("/api/v1/users/search", json={"q": "alice"}),
        client.get(f"/api/v1/users/{patient.id}"),
        client.post("/api/v1/users", json=NEW_PATIENT),
        client.patch(f"/api/v1/users/{patient.id}", json={"display_name": "Mallory"}),
        client.put(
            f"/api/v1/users/{patient.id}/role", json={"role": "admin", "confirm_admin": True}
        ),
        client.put(f"/api/v1/users/{patient.id}/active", json={"active": False}),
        client.put(f"/api/v1/users/{patient.id}/password", json={"password": "taken over now!"}),
        client.put(f"/api/v1/users/{patient.id}/care-team/{therapist.id}"),
        client.delete(f"/api/v1/users/{patient.id}/care-team/{personas['therapist'].id}"),
    ]

    assert [response.status_code for response in answers] == [403] * len(answers)
    assert all(PERSONAS["patient"].email not in response.text for response in answers)
    client.login_as(PERSONAS["admin"])
    assert accounts_state(client) == before
