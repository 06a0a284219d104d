"""Account administration: only admins, every change audited, bad input leaves nothing behind."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PERSONA_PASSWORD, PERSONAS, Client
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.audit.models import AuditEvent

NEW_ACCOUNT = {
    "email": "New.Patient@Example.org",
    "display_name": "  Nova   Patient ",
    "role": "patient",
    "time_zone": "Pacific/Kiritimati",
    "password": "a long and memorable passphrase",
}


def user_count(client: Client) -> int:
    async def count() -> int:
        return await User.all().count()

    return client.run(count)


def audit_rows_of(client: Client) -> list[AuditEvent]:
    async def rows() -> list[AuditEvent]:
        return await AuditEvent.all().order_by("id")

    return client.run(rows)


def audit_actions(client: Client) -> list[str]:
    async def actions() -> list[str]:
        return [event.action for event in await AuditEvent.all().order_by("id")]

    return client.run(actions)


def test_admin_sees_every_account_in_the_list(as_admin: Client) -> None:
    page = as_admin.get("/admin/users")
    assert page.status_code == 200
    for persona in PERSONAS.values():
        assert persona.email in page.text


def test_admin_can_search_accounts(as_admin: Client) -> None:
    searched = as_admin.submit("/admin/users", {"q": "charlie"})
    # Kept in the session: a patient's name or e-mail never stands in the page's address.
    assert searched.status_code == 303
    assert searched.headers["location"] == "/admin/users"
    page = as_admin.get("/admin/users")
    assert "other.patient@example.org" in page.text
    assert "therapist@example.org" not in page.text
    assert "q=charlie" not in page.text

    as_admin.submit("/admin/users", {"q": "charlie", "clear": "1"})
    cleared = as_admin.get("/admin/users")
    assert "therapist@example.org" in cleared.text


def test_the_account_search_is_for_admins_only(client: Client, personas: dict[str, Any]) -> None:
    client.login_as(PERSONAS["therapist"])

    response = client.submit("/admin/users", {"q": "charlie"})

    assert response.status_code == 403
    assert "other.patient@example.org" not in response.text


def test_the_account_list_is_paginated(as_admin: Client) -> None:
    async def many() -> None:
        for number in range(30):
            await User.create(
                email=f"bulk{number:02}@example.org",
                display_name=f"Bulk {number:02}",
                role=Role.PATIENT,
                password_hash="x",
            )

    as_admin.run(many)
    first = as_admin.get("/admin/users")
    second = as_admin.get("/admin/users", params={"page": 2})
    assert first.status_code == second.status_code == 200
    on_first = {n for n in range(30) if f"bulk{n:02}@" in first.text}
    on_second = {n for n in range(30) if f"bulk{n:02}@" in second.text}
    assert on_first
    assert on_second
    assert not on_first & on_second
    assert as_admin.get("/admin/users", params={"page": 0}).status_code == 400


def test_admin_creates_an_account(as_admin: Client) -> None:
    response = as_admin.submit("/admin/users/new", NEW_ACCOUNT)
    assert response.status_code == 303
    created = as_admin.user("new.patient@example.org")
    assert response.headers["location"] == f"/admin/users/{created.id}"
    assert created.display_name == "Nova Patient"
    assert created.role is Role.PATIENT
    assert created.time_zone == "Pacific/Kiritimati"
    assert created.password_hash.startswith("$argon2id$")
    assert NEW_ACCOUNT["password"] not in created.password_hash
    assert "account_created" in audit_actions(as_admin)
    detail = as_admin.get(response.headers["location"])
    assert "Account created for Nova Patient." in detail.text


def test_an_empty_new_account_form_names_every_field_at_once(as_admin: Client) -> None:
    empty = dict.fromkeys(NEW_ACCOUNT, "")

    response = as_admin.submit("/admin/users/new", empty)

    assert response.status_code == 422
    for field in ("email", "display_name", "role", "time_zone", "password"):
        assert f'href="#{field}"' in response.text, field
    assert user_count(as_admin) == len(PERSONAS)


def test_the_new_account_can_sign_in(as_admin: Client) -> None:
    as_admin.submit("/admin/users/new", NEW_ACCOUNT)
    as_admin.cookies.clear()
    response = as_admin.post(
        "/api/v1/auth/login",
        json={"email": "new.patient@example.org", "password": NEW_ACCOUNT["password"]},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": "not-an-email"}, "Enter an e-mail address"),
        ({"email": "PATIENT@example.org"}, "already exists"),
        ({"display_name": "   "}, "Enter a display name"),
        ({"role": "superuser"}, "Choose one of the listed roles"),
        ({"time_zone": "Mars/Olympus"}, "No time zone is called"),
        ({"password": "short"}, "at least 8 characters"),
        ({"password": "password123"}, "most common"),
        ({"password": "x" * 1025}, "at most 1024"),
    ],
)
def test_bad_account_details_are_refused_and_nothing_is_created(
    as_admin: Client, change: dict[str, str], message: str
) -> None:
    before = user_count(as_admin)
    response = as_admin.submit("/admin/users/new", {**NEW_ACCOUNT, **change})
    assert response.status_code == 422
    assert message in response.text.replace("&#39;", "'")
    assert user_count(as_admin) == before


def test_long_passphrases_are_accepted(as_admin: Client) -> None:
    passphrase = "the quiet river runs past the old mill at dawn, every single day " * 2
    response = as_admin.submit("/admin/users/new", {**NEW_ACCOUNT, "password": passphrase})
    assert response.status_code == 303


def test_admin_changes_a_role_and_the_old_sessions_end(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])
    therapist_cookie = client.cookies["wellness_session"]
    client.login_as(PERSONAS["admin"])
    target = personas["therapist"].id
    response = client.submit(f"/admin/users/{target}/role", {"role": "coordinator"})
    assert response.status_code == 303
    assert client.user("therapist@example.org").role is Role.COORDINATOR
    assert "role_changed" in audit_actions(client)
    client.cookies.clear()
    client.cookies.set("wellness_session", therapist_cookie, domain="testserver.local")
    assert client.get("/api/v1/me").status_code == 401


def test_admin_deactivates_an_account_and_it_is_signed_out_everywhere(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["patient"])
    patient_cookie = client.cookies["wellness_session"]
    client.login_as(PERSONAS["admin"])
    response = client.submit(f"/admin/users/{personas['patient'].id}/active", {"active": "false"})
    assert response.status_code == 303
    assert client.user("patient@example.org").is_active is False
    client.cookies.clear()
    client.cookies.set("wellness_session", patient_cookie, domain="testserver.local")
    assert client.get("/api/v1/me").status_code == 401
    login = client.post(
        "/api/v1/auth/login", json={"email": "patient@example.org", "password": PERSONA_PASSWORD}
    )
    assert login.status_code == 401


def test_admin_reactivates_an_account(as_admin: Client, personas: dict[str, User]) -> None:
    target = personas["patient"].id
    as_admin.submit(f"/admin/users/{target}/active", {"active": "false"})
    as_admin.submit(f"/admin/users/{target}/active", {"active": "true"})
    assert as_admin.user("patient@example.org").is_active is True


def test_admin_cannot_lock_themselves_out(as_admin: Client, personas: dict[str, User]) -> None:
    me = personas["admin"].id
    demote = as_admin.submit(f"/admin/users/{me}/role", {"role": "patient"})
    deactivate = as_admin.submit(f"/admin/users/{me}/active", {"active": "false"})
    assert demote.status_code == deactivate.status_code == 422
    admin = as_admin.user("admin@example.org")
    assert admin.role is Role.ADMIN
    assert admin.is_active is True


def test_a_weak_reset_password_is_refused(as_admin: Client, personas: dict[str, User]) -> None:
    before = as_admin.user("patient@example.org").password_hash
    response = as_admin.submit(
        f"/admin/users/{personas['patient'].id}/password", {"password": "qwerty"}
    )
    assert response.status_code == 422
    assert as_admin.user("patient@example.org").password_hash == before


def account_views(client: Client) -> list[tuple[int | None, str, int | None, str, str]]:
    async def load() -> list[tuple[int | None, str, int | None, str, str]]:
        rows = await AuditEvent.filter(action="account_viewed").order_by("id")
        return [
            (row.actor_id, row.target_id, row.patient_id, row.detail, row.route) for row in rows
        ]

    return client.run(load)


def test_a_patients_account_page_is_an_audited_read_naming_them(
    as_admin: Client, personas: dict[str, User]
) -> None:
    admin, patient = personas["admin"], personas["patient"]

    page = as_admin.get(f"/admin/users/{patient.id}")

    assert page.status_code == 200
    assert patient.email in page.text
    assert account_views(as_admin) == [
        (admin.id, str(patient.id), patient.id, "", "GET /admin/users/{user_id}")
    ]


def test_a_therapists_account_page_names_each_patient_on_their_caseload(
    as_admin: Client, personas: dict[str, User]
) -> None:
    admin, therapist, patient = personas["admin"], personas["therapist"], personas["patient"]

    page = as_admin.get(f"/admin/users/{therapist.id}")

    assert page.status_code == 200
    assert patient.display_name in page.text
    route = "GET /admin/users/{user_id}"
    assert account_views(as_admin) == [
        (admin.id, str(therapist.id), None, "", route),
        (admin.id, str(patient.id), patient.id, f"caseload_of={therapist.id}", route),
    ]


def test_an_account_page_shown_again_after_a_refused_change_is_an_audited_read(
    as_admin: Client, personas: dict[str, User]
) -> None:
    admin, patient = personas["admin"], personas["patient"]

    response = as_admin.submit(f"/admin/users/{patient.id}/role", {"role": "wizard"})

    assert response.status_code == 422
    assert as_admin.user(patient.email).role is Role.PATIENT
    assert account_views(as_admin) == [
        (admin.id, str(patient.id), patient.id, "", "POST /admin/users/{user_id}/role")
    ]


def test_an_unknown_account_is_a_404(as_admin: Client) -> None:
    assert as_admin.get("/admin/users/999999").status_code == 404
    assert as_admin.submit("/admin/users/999999/role", {"role": "admin"}).status_code == 404


def test_admin_forms_need_their_csrf_token(as_admin: Client, personas: dict[str, User]) -> None:
    response = as_admin.post(f"/admin/users/{personas['patient'].id}/role", data={"role": "admin"})
    assert response.status_code == 403
    assert as_admin.user("patient@example.org").role is Role.PATIENT


OUTSIDERS = ["patient", "other_patient", "therapist", "coordinator"]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_non_admins_cannot_read_accounts(
    client: Client, personas: dict[str, User], outsider: str
) -> None:
    client.login_as(PERSONAS[outsider])
    for path in [
        "/admin",
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{personas['patient'].id}",
    ]:
        response = client.get(path)
        assert response.status_code == 403, path
        assert "patient@example.org" not in response.text


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_non_admins_cannot_change_accounts(
    client: Client, personas: dict[str, User], outsider: str
) -> None:
    client.login_as(PERSONAS[outsider])
    target = personas["other_patient"].id
    before = client.user("other.patient@example.org")
    attempts: list[tuple[str, dict[str, Any]]] = [
        (f"/admin/users/{target}/role", {"role": "admin"}),
        (f"/admin/users/{target}/active", {"active": "false"}),
        (f"/admin/users/{target}/password", {"password": "an attacker's new passphrase"}),
        ("/admin/users/new", {**NEW_ACCOUNT, "role": "admin"}),
    ]
    for path, form in attempts:
        assert client.submit(path, form).status_code == 403, path
    after = client.user("other.patient@example.org")
    assert (after.role, after.is_active, after.password_hash) == (
        before.role,
        before.is_active,
        before.password_hash,
    )
    assert user_count(client) == len(PERSONAS)
    assert "access_denied" in audit_actions(client)


def test_the_admin_overview_names_the_people_in_recent_activity(
    as_admin: Client, personas: dict[str, User]
) -> None:
    as_admin.submit(f"/admin/users/{personas['patient'].id}/role", {"role": "therapist"})
    page = as_admin.get("/admin")
    assert page.status_code == 200
    assert "Role changed" in page.text
    assert "Ada Admin" in page.text
    assert "Alice Patient" in page.text


def test_the_accounts_section_stays_current_on_an_account_page(
    as_admin: Client, personas: dict[str, User]
) -> None:
    page = as_admin.get(f"/admin/users/{personas['patient'].id}")
    assert '<a href="/admin/users" aria-current="page">' in page.text
    assert '<a href="/admin" aria-current="page">' not in page.text


@pytest.mark.parametrize("control", ["\x00", "\n", "\r", "\x1b", "\u2028", "\x7f"])
def test_a_display_name_keeps_its_words_not_the_control_character(
    as_admin: Client, control: str
) -> None:
    account = {**NEW_ACCOUNT, "display_name": f"Nova{control}Patient"}

    response = as_admin.submit("/admin/users/new", account)

    assert response.status_code == 303, response.text
    assert as_admin.user("new.patient@example.org").display_name == "Nova Patient"


def test_an_account_search_with_a_nul_answers_normally(as_admin: Client) -> None:
    as_admin.submit("/admin/users", {"q": "nova\x00"})

    response = as_admin.get("/admin/users")

    assert response.status_code == 200, response.text
    assert "No accounts match “nova”." in response.text


def test_an_admins_own_page_offers_no_role_change_or_deactivation(as_admin: Client) -> None:
    own = as_admin.get(f"/admin/users/{as_admin.user(PERSONAS['admin'].email).id}")
    other = as_admin.get(f"/admin/users/{as_admin.user(PERSONAS['patient'].email).id}")

    assert "Your own account" in own.text
    assert "sign them out everywhere" not in own.text
    assert "Change role" not in own.text
    assert (
        'action="/admin/users/' not in own.text.split("Your own account")[1].split("</section>")[0]
    )
    assert "Change role" in other.text
    assert "Deactivate Alice Patient and sign them out everywhere" in other.text


# --- name and e-mail --------------------------------------------------------------------------


def test_admin_corrects_a_name_and_e_mail_address(
    as_admin: Client, personas: dict[str, User]
) -> None:
    patient = personas["patient"]

    response = as_admin.submit(
        f"/admin/users/{patient.id}/details",
        {"display_name": "  Alice   Smith ", "email": "Alice.Smith@Example.org"},
    )

    assert response.status_code == 303
    stored = as_admin.user("alice.smith@example.org")
    assert (stored.id, stored.display_name) == (patient.id, "Alice Smith")
    [row] = [row for row in audit_rows_of(as_admin) if row.action == "account_updated"]
    assert (row.target_id, row.detail) == (str(patient.id), "display_name,email")
    page = as_admin.get(response.headers["location"])
    assert "Saved the new name and e-mail address of Alice Smith." in page.text
    as_admin.cookies.clear()
    signed_in = as_admin.post(
        "/api/v1/auth/login",
        json={"email": "alice.smith@example.org", "password": PERSONA_PASSWORD},
    )
    assert signed_in.status_code == 200


def test_a_bad_name_and_address_are_both_named_and_nothing_changes(
    as_admin: Client, personas: dict[str, User]
) -> None:
    patient = personas["patient"]

    response = as_admin.submit(
        f"/admin/users/{patient.id}/details", {"display_name": " ", "email": "not-an-address"}
    )

    assert response.status_code == 422
    assert 'href="#display_name"' in response.text
    assert 'href="#email"' in response.text
    assert 'value="not-an-address"' in response.text  # what was typed, to correct
    assert as_admin.user(patient.email).display_name == patient.display_name
    assert "account_updated" not in audit_actions(as_admin)


def test_another_accounts_address_is_refused(as_admin: Client, personas: dict[str, User]) -> None:
    patient, other = personas["patient"], personas["other_patient"]

    response = as_admin.submit(
        f"/admin/users/{patient.id}/details",
        {"display_name": patient.display_name, "email": other.email.upper()},
    )

    assert response.status_code == 422
    assert "Another account already has this e-mail address." in response.text
    assert as_admin.user(patient.email).id == patient.id
    assert as_admin.user(other.email).id == other.id


def test_saving_the_same_name_and_address_changes_and_audits_nothing(
    as_admin: Client, personas: dict[str, User]
) -> None:
    patient = personas["patient"]

    response = as_admin.submit(
        f"/admin/users/{patient.id}/details",
        {"display_name": patient.display_name, "email": patient.email},
    )

    assert response.status_code == 303
    assert "Nothing was changed." in as_admin.get(response.headers["location"]).text
    assert "account_updated" not in audit_actions(as_admin)


def test_an_admin_sets_their_own_password_only_on_their_account_page(
    as_admin: Client, personas: dict[str, User]
) -> None:
    admin = personas["admin"]
    before = as_admin.user(admin.email).password_hash

    page = as_admin.get(f"/admin/users/{admin.id}")
    response = as_admin.submit(
        f"/admin/users/{admin.id}/password", {"password": "a brand new passphrase here"}
    )

    assert 'action="/admin/users/' + str(admin.id) + '/password"' not in page.text
    assert response.status_code == 422
    assert "Change your own password on your account page." in response.text
    assert as_admin.user(admin.email).password_hash == before
    assert "password_reset" not in audit_actions(as_admin)


def test_making_someone_an_administrator_needs_the_box_ticked(
    as_admin: Client, personas: dict[str, User]
) -> None:
    therapist = personas["therapist"]

    refused = as_admin.submit(f"/admin/users/{therapist.id}/role", {"role": "admin"})
    granted = as_admin.submit(
        f"/admin/users/{therapist.id}/role", {"role": "admin", "confirm_admin": "yes"}
    )

    assert refused.status_code == 422
    assert "tick the box that confirms it" in refused.text
    assert granted.status_code == 303
    assert as_admin.user(therapist.email).role is Role.ADMIN
    assert audit_actions(as_admin).count("role_changed") == 1


def test_other_role_changes_need_no_confirmation(
    as_admin: Client, personas: dict[str, User]
) -> None:
    therapist = personas["therapist"]

    response = as_admin.submit(f"/admin/users/{therapist.id}/role", {"role": "coordinator"})

    assert response.status_code == 303
    assert as_admin.user(therapist.email).role is Role.COORDINATOR
