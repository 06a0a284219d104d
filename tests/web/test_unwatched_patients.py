"""A patient whose alerts no active therapist would see: the patient is told so instead of
"your care team will see your answer", admins see who they are and how many alerts wait, and a
new patient can be given a therapist as the account is created."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PERSONAS, Client
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.care import services as care
from wellness.care.models import Alert, CareTeamMember

NO_ONE_SEES = "No therapist is linked to you in this app yet"
TEAM_SEES = "Your care team will see your answer."
NEW_PATIENT = {
    "email": "jordan@example.org",
    "display_name": "Jordan New",
    "role": "patient",
    "time_zone": "Europe/Berlin",
    "password": "a long and memorable passphrase",
}


def take_patient_off_every_caseload(client: Client, personas: dict[str, User]) -> None:
    async def unassign() -> None:
        await care.unassign(personas["therapist"].id, personas["patient"].id, now=client.now())

    client.run(unassign)


def deactivate(client: Client, user: User) -> None:
    async def switch_off() -> None:
        await User.filter(id=user.id).update(is_active=False)

    client.run(switch_off)


def open_alerts_of(client: Client, patient: User) -> int:
    async def count() -> int:
        return await Alert.filter(patient_id=patient.id, acknowledged_at=None).count()

    return client.run(count)


def account_exists(client: Client, email: str) -> bool:
    async def exists() -> bool:
        return await User.filter(email=email).exists()

    return client.run(exists)


def care_team_rows(client: Client) -> list[tuple[int, int]]:
    async def rows() -> list[tuple[int, int]]:
        members = await CareTeamMember.filter(ended_at=None).order_by("id")
        return [(member.therapist_id, member.patient_id) for member in members]

    return client.run(rows)


def audit_rows(client: Client, action: str) -> list[AuditEvent]:
    async def rows() -> list[AuditEvent]:
        return await AuditEvent.filter(action=action).order_by("id")

    return client.run(rows)


# --- what the patient is told -------------------------------------------------------------------


def test_it_tells_a_patient_with_no_therapist_that_no_one_will_see_their_alert(
    as_patient: Client, personas: dict[str, User]
) -> None:
    take_patient_off_every_caseload(as_patient, personas)

    rated = as_patient.submit("/checkins", {"level": "9"})
    panel = as_patient.get("/support")

    assert rated.status_code == 303
    assert open_alerts_of(as_patient, personas["patient"]) == 1  # still raised and kept
    assert "Thank you for telling us" in panel.text
    assert NO_ONE_SEES in panel.text
    assert TEAM_SEES not in panel.text
    assert "call your local emergency number" in panel.text


def test_a_team_of_deactivated_therapists_sees_nothing_and_the_patient_is_told(
    as_patient: Client, personas: dict[str, User]
) -> None:
    deactivate(as_patient, personas["therapist"])

    home = as_patient.get("/patient")
    panel = as_patient.get("/support")

    assert home.status_code == panel.status_code == 200
    assert NO_ONE_SEES in home.text
    assert NO_ONE_SEES in panel.text


def test_a_patient_with_an_active_therapist_is_told_their_team_sees_it(
    as_patient: Client,
) -> None:
    as_patient.submit("/checkins", {"level": "9"})

    panel = as_patient.get("/support")
    home = as_patient.get("/patient")

    assert TEAM_SEES in panel.text
    assert NO_ONE_SEES not in panel.text
    assert NO_ONE_SEES not in home.text


def test_every_patient_page_links_to_support(as_patient: Client) -> None:
    for path in ("/patient", "/sessions", "/progress", "/account"):
        page = as_patient.get(path)
        assert page.status_code == 200, path
        nav = page.text.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
        assert 'href="/support"' in nav, path


# --- what admins see ----------------------------------------------------------------------------


def test_admin_home_lists_patients_no_therapist_sees_with_their_unseen_alerts(
    client: Client, personas: dict[str, User]
) -> None:
    take_patient_off_every_caseload(client, personas)
    client.login_as(PERSONAS["patient"])
    client.submit("/checkins", {"level": "9"})
    client.submit("/checkins", {"level": "10"})
    client.login_as(PERSONAS["admin"])

    home = client.get("/admin")

    assert home.status_code == 200
    listed = home.text.split('id="unwatched-heading"', 1)[1].split("</section>", 1)[0]
    assert f'href="/admin/users/{personas["patient"].id}#care-heading"' in listed
    assert "2 alerts no one has seen" in listed
    assert personas["other_patient"].display_name not in listed  # watched by other_therapist
    viewed = [row for row in audit_rows(client, "account_viewed") if row.detail == "unwatched"]
    assert [row.patient_id for row in viewed] == [personas["patient"].id]


def test_admin_home_says_when_every_patient_has_a_therapist(as_admin: Client) -> None:
    home = as_admin.get("/admin")

    assert "Every active patient has a therapist." in home.text
    assert not [row for row in audit_rows(as_admin, "account_viewed") if row.detail]


def test_the_patients_account_page_counts_the_alerts_waiting_unseen(
    client: Client, personas: dict[str, User]
) -> None:
    deactivate(client, personas["therapist"])
    client.login_as(PERSONAS["patient"])
    client.submit("/checkins", {"level": "9"})
    client.login_as(PERSONAS["admin"])

    page = client.get(f"/admin/users/{personas['patient'].id}")

    assert page.status_code == 200
    assert "1 alert from this patient is waiting, seen by no one." in page.text


def test_the_admin_home_is_for_admins_only(client: Client, personas: dict[str, User]) -> None:
    take_patient_off_every_caseload(client, personas)
    for persona in ("patient", "therapist", "coordinator"):
        client.login_as(PERSONAS[persona])
        page = client.get("/admin")
        assert page.status_code == 403, persona
        assert "unwatched-heading" not in page.text
    assert not [row for row in audit_rows(client, "account_viewed") if row.detail == "unwatched"]


# --- a therapist from the start -----------------------------------------------------------------


def test_admin_creates_a_patient_with_their_first_therapist(
    as_admin: Client, personas: dict[str, User]
) -> None:
    therapist = personas["other_therapist"]

    response = as_admin.submit("/admin/users/new", {**NEW_PATIENT, "therapist_id": therapist.id})

    assert response.status_code == 303
    created = as_admin.user(NEW_PATIENT["email"])
    assert (therapist.id, created.id) in care_team_rows(as_admin)
    assigned = audit_rows(as_admin, "care_assigned")
    assert [(row.patient_id, row.detail) for row in assigned] == [
        (created.id, f"therapist={therapist.id}")
    ]
    page = as_admin.get(response.headers["location"])
    assert "Account created for Jordan New. Dana Therapist looks after them." in page.text


def test_the_new_account_form_offers_the_active_therapists(
    as_admin: Client, personas: dict[str, User]
) -> None:
    deactivate(as_admin, personas["other_therapist"])

    form = as_admin.get("/admin/users/new")

    assert form.status_code == 200
    assert f'<option value="{personas["therapist"].id}"' in form.text
    assert f'<option value="{personas["other_therapist"].id}"' not in form.text
    assert 'data-shown-when="role=patient"' in form.text


@pytest.mark.parametrize(
    "choice",
    [
        "therapist:inactive",  # deactivated since the form was shown
        "coordinator",  # not a therapist
        "patient",
        "abc",
        "99999",
    ],
)
def test_a_first_therapist_who_cannot_be_one_is_refused_and_nothing_is_created(
    as_admin: Client, personas: dict[str, User], choice: str
) -> None:
    before = care_team_rows(as_admin)
    chosen: Any = choice
    if choice == "therapist:inactive":
        deactivate(as_admin, personas["therapist"])
        chosen = personas["therapist"].id
    elif choice in personas:
        chosen = personas[choice].id

    response = as_admin.submit("/admin/users/new", {**NEW_PATIENT, "therapist_id": chosen})

    assert response.status_code == 422
    assert "Choose one of the listed therapists, or none for now." in response.text
    assert 'href="#therapist_id"' in response.text
    assert 'value="jordan@example.org"' in response.text  # what was typed is kept
    assert not account_exists(as_admin, NEW_PATIENT["email"])
    assert care_team_rows(as_admin) == before


def test_a_first_therapist_is_ignored_for_staff_accounts(
    as_admin: Client, personas: dict[str, User]
) -> None:
    before = care_team_rows(as_admin)
    staff = {**NEW_PATIENT, "role": "coordinator", "therapist_id": personas["therapist"].id}

    response = as_admin.submit("/admin/users/new", staff)

    assert response.status_code == 303
    assert care_team_rows(as_admin) == before
    assert not audit_rows(as_admin, "care_assigned")


def test_no_one_but_an_admin_creates_a_patient_with_a_therapist(
    client: Client, personas: dict[str, User]
) -> None:
    before = care_team_rows(client)
    for persona in ("patient", "therapist", "coordinator"):
        client.login_as(PERSONAS[persona])
        body = {**NEW_PATIENT, "therapist_id": personas["therapist"].id}
        response = client.submit("/admin/users/new", body)
        assert response.status_code == 403, persona
    assert not account_exists(client, NEW_PATIENT["email"])
    assert care_team_rows(client) == before
