"""Therapist pages (alerts on the caseload home, confirming attendance) and the admin's care teams.

`therapist` looks after `patient`; `other_therapist` looks after `other_patient`. Every page is
tried by someone who must be refused, and the data is re-read to show nothing changed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import PERSONAS, TEST_NOW, Client, count, flat, text_of
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.care.models import Alert, CareTeamMember
from wellness.practice.models import PracticeLog


def alert_row(client: Client, alert_id: int) -> Alert:
    async def load() -> Alert:
        return await Alert.get(id=alert_id)

    return client.run(load)


def raise_alert(client: Client, persona: str, level: int = 9) -> int:
    """The persona rates their distress high on their home page; answers the alert's id."""
    client.login_as(PERSONAS[persona])
    response = client.submit("/checkins", {"level": str(level)})
    assert response.status_code == 303
    assert response.headers["location"] == "/support"

    async def newest() -> int:
        alert = await Alert.filter(patient__email=PERSONAS[persona].email).order_by("-id").first()
        assert alert is not None
        return int(alert.id)

    return client.run(newest)


def berlin_time(**ago: float) -> str:
    """A `datetime-local` value as a therapist in Europe/Berlin would type it."""
    moment = (TEST_NOW - timedelta(**ago)).astimezone(ZoneInfo("Europe/Berlin"))
    return moment.strftime("%Y-%m-%dT%H:%M")


def attended(**overrides: str) -> dict[str, str]:
    return {
        "kind": "yoga",
        "minutes": "45",
        "started_at": berlin_time(hours=3),
        "note": "Tuesday group",
        **overrides,
    }


ACK = "/care/alerts/{}/acknowledge"


# --- the therapist's home ---------------------------------------------------------------------


def test_therapist_home_lists_only_the_own_caseload(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])

    page = client.get("/therapist")

    assert page.status_code == 200
    assert "Alice Patient" in page.text
    assert f"/care/patients/{personas['patient'].id}/attest" in page.text
    assert "Charlie Outsider" not in page.text
    assert f"/care/patients/{personas['other_patient'].id}/attest" not in page.text


def test_therapist_home_shows_only_the_caseloads_open_alerts(
    client: Client, personas: dict[str, User]
) -> None:
    mine = raise_alert(client, "patient", level=9)
    theirs = raise_alert(client, "other_patient", level=10)
    client.login_as(PERSONAS["therapist"])

    page = client.get("/therapist")

    assert page.status_code == 200
    assert ACK.format(mine) in page.text
    assert ACK.format(theirs) not in page.text
    assert "High distress rating" in page.text
    assert "Charlie Outsider" not in page.text
    assert "No open alerts" not in page.text


def test_therapist_home_without_alerts_says_so(client: Client, personas: dict[str, User]) -> None:
    raise_alert(client, "other_patient")
    client.login_as(PERSONAS["therapist"])

    page = client.get("/therapist")

    assert page.status_code == 200
    assert "No open alerts" in page.text


def test_acknowledging_records_who_and_when_and_clears_the_list(
    client: Client, personas: dict[str, User]
) -> None:
    alert_id = raise_alert(client, "patient")
    client.login_as(PERSONAS["therapist"])
    before = TEST_NOW

    response = client.submit(ACK.format(alert_id))

    assert response.status_code == 303
    assert response.headers["location"] == "/therapist#alerts-heading"
    stored = alert_row(client, alert_id)
    assert stored.acknowledged_by_id == personas["therapist"].id
    assert stored.acknowledged_at is not None
    assert before - timedelta(seconds=1) <= stored.acknowledged_at <= TEST_NOW
    assert count(client, AuditEvent, action="alert_acknowledged", target_id=str(alert_id)) == 1
    page = client.get("/therapist")
    assert "Alert acknowledged." in page.text
    assert ACK.format(alert_id) not in page.text
    assert "No open alerts" in page.text


def test_acknowledging_twice_keeps_the_first_acknowledgement(
    client: Client, personas: dict[str, User]
) -> None:
    alert_id = raise_alert(client, "patient")
    client.login_as(PERSONAS["therapist"])
    client.submit(ACK.format(alert_id))
    first = alert_row(client, alert_id).acknowledged_at

    again = client.submit(ACK.format(alert_id))

    assert again.status_code == 303
    assert alert_row(client, alert_id).acknowledged_at == first
    assert count(client, AuditEvent, action="alert_acknowledged") == 1
    assert "had already acknowledged it" in client.get("/therapist").text


def test_another_therapist_cannot_acknowledge_the_alert(
    client: Client, personas: dict[str, User]
) -> None:
    alert_id = raise_alert(client, "patient")
    client.login_as(PERSONAS["other_therapist"])

    response = client.submit(ACK.format(alert_id))

    assert response.status_code == 404
    stored = alert_row(client, alert_id)
    assert (stored.acknowledged_at, stored.acknowledged_by_id) == (None, None)
    assert count(client, AuditEvent, action="alert_acknowledged") == 0
    assert "Alice" not in response.text
    client.login_as(PERSONAS["therapist"])
    assert ACK.format(alert_id) in client.get("/therapist").text


def test_acknowledging_an_unknown_alert_is_not_found(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])

    assert client.submit(ACK.format(424242)).status_code == 404


def test_acknowledging_needs_the_csrf_token(client: Client, personas: dict[str, User]) -> None:
    alert_id = raise_alert(client, "patient")
    client.login_as(PERSONAS["therapist"])

    response = client.post(ACK.format(alert_id), follow_redirects=False)

    assert response.status_code == 403
    assert alert_row(client, alert_id).acknowledged_at is None


# --- confirming attendance --------------------------------------------------------------------


def test_the_attest_form_renders_for_the_own_patient(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])

    page = client.get(f"/care/patients/{personas['patient'].id}/attest")

    assert page.status_code == 200
    assert "Confirm attendance for Alice Patient" in page.text
    assert f'action="/care/patients/{personas["patient"].id}/attest"' in page.text
    assert "Your local time (Europe/Berlin), filled in with now" in page.text


def test_the_attest_form_of_another_therapists_patient_is_not_found(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])
    other = personas["other_patient"].id

    page = client.get(f"/care/patients/{other}/attest")
    posted = client.submit(f"/care/patients/{other}/attest", attended())

    assert page.status_code == 404
    assert posted.status_code == 404
    assert count(client, PracticeLog) == 0
    assert "Charlie" not in page.text + posted.text


@pytest.mark.parametrize("path", ["/care/patients/424242/attest", "/care/patients/{staff}/attest"])
def test_attesting_for_someone_who_is_not_a_patient_on_the_caseload_is_not_found(
    client: Client, personas: dict[str, User], path: str
) -> None:
    client.login_as(PERSONAS["therapist"])
    target = path.format(staff=personas["other_therapist"].id)

    assert client.get(target).status_code == 404
    assert client.submit(target, attended()).status_code == 404
    assert count(client, PracticeLog) == 0


def test_a_therapist_confirms_attendance_for_their_patient(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])
    patient = personas["patient"]
    typed = berlin_time(hours=3)

    response = client.submit(f"/care/patients/{patient.id}/attest", attended(started_at=typed))

    assert response.status_code == 303
    assert response.headers["location"] == "/therapist"
    stored = client.run(lambda: PracticeLog.get(patient_id=patient.id))
    assert stored.evidence == "staff_attested"
    assert stored.attested_by_id == personas["therapist"].id
    assert (stored.kind, stored.listened_seconds, stored.completed) == ("yoga", 45 * 60, True)
    assert stored.note == "Tuesday group"
    assert stored.time_zone == "Europe/Berlin"
    local = stored.started_at.astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%dT%H:%M")
    assert local == typed
    assert count(client, AuditEvent, action="practice_attested", target_id=str(patient.id)) == 1
    assert "Confirmed 45 minutes for Alice Patient." in client.get("/therapist").text


def test_one_minute_of_attendance_is_confirmed_as_one_minute(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])

    response = client.submit(
        f"/care/patients/{personas['patient'].id}/attest", attended(minutes="1")
    )

    assert response.status_code == 303
    assert "Confirmed 1 minute for Alice Patient." in client.get("/therapist").text


BAD_ATTESTATIONS = [
    ({"minutes": "0"}, "minutes", "Give the minutes practised, from 1 to 360."),
    ({"minutes": "361"}, "minutes", "Give the minutes practised, from 1 to 360."),
    ({"minutes": "forty"}, "minutes", "Give the minutes practised, from 1 to 360."),
    ({"kind": "juggling"}, "kind", "Choose what kind of practice it was."),
    ({"kind": ""}, "kind", "Choose what kind of practice it was."),
    ({"started_at": "last tuesday"}, "started_at", "That is not a date and time: choose one"),
    ({"started_at": ""}, "started_at", "Enter the date and the time in full"),
    ({"started_at": "2020-01-01T10:00"}, "started_at", "back-dated by at most 14 days"),
    ({"started_at": berlin_time(hours=-30)}, "started_at", "future"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_ATTESTATIONS)
def test_a_bad_attestation_names_the_field_and_writes_nothing(
    client: Client, personas: dict[str, User], change: dict[str, str], field: str, message: str
) -> None:
    client.login_as(PERSONAS["therapist"])

    response = client.submit(f"/care/patients/{personas['patient'].id}/attest", attended(**change))

    assert response.status_code == 422
    assert count(client, PracticeLog) == 0
    assert count(client, AuditEvent, action="practice_attested") == 0
    assert f'id="{field}-error"' in response.text
    assert message in text_of(response)
    assert "Tuesday group" in response.text  # what was typed is kept


def test_attendance_for_a_deactivated_patient_is_refused_as_the_group_form_refuses_it(
    client: Client, personas: dict[str, User]
) -> None:
    patient = personas["patient"]
    client.run(lambda: User.filter(id=patient.id).update(is_active=False))
    client.login_as(PERSONAS["therapist"])

    response = client.submit(
        f"/care/patients/{patient.id}/attest", attended(started_at="2020-01-01T10:00")
    )

    assert response.status_code == 422
    assert count(client, PracticeLog) == 0
    assert count(client, AuditEvent, action="practice_attested") == 0
    page = text_of(response)
    assert "There is a problem" in page
    # The group form's own words, and the field's problem named alongside, all at once.
    assert (
        "Alice Patient's account is deactivated: confirm attendance only for active patients."
        in page
    )
    assert 'id="started_at-error"' in response.text
    assert "Tuesday group" in response.text


def test_the_attest_form_of_a_deactivated_patient_is_refused_as_its_post_is(
    client: Client, personas: dict[str, User]
) -> None:
    patient = personas["patient"]
    client.run(lambda: User.filter(id=patient.id).update(is_active=False))
    client.login_as(PERSONAS["therapist"])

    response = client.get(f"/care/patients/{patient.id}/attest")

    assert response.status_code == 422
    assert count(client, PracticeLog) == 0
    page = text_of(response)
    assert "There is a problem" in page
    assert (
        "Alice Patient's account is deactivated: confirm attendance only for active patients."
        in page
    )
    assert f'action="/care/patients/{patient.id}/attest"' not in response.text  # no form to fill
    assert f'href="/care/patients/{patient.id}"' in response.text


def test_a_deactivated_patient_of_another_therapist_is_still_not_found(
    client: Client, personas: dict[str, User]
) -> None:
    other = personas["other_patient"]
    client.run(lambda: User.filter(id=other.id).update(is_active=False))
    client.login_as(PERSONAS["therapist"])

    page = client.get(f"/care/patients/{other.id}/attest")

    assert page.status_code == 404
    assert "Charlie" not in page.text
    assert "deactivated" not in page.text


# --- who may use the care pages ---------------------------------------------------------------


@pytest.mark.parametrize("outsider", ["patient", "other_patient", "coordinator", "admin"])
def test_only_therapists_may_use_the_care_pages(
    client: Client, personas: dict[str, User], outsider: str
) -> None:
    alert_id = raise_alert(client, "patient")
    client.login_as(PERSONAS[outsider])
    attest = f"/care/patients/{personas['patient'].id}/attest"

    assert client.get("/therapist").status_code == 403
    assert client.get(attest).status_code == 403
    assert client.submit(attest, attended()).status_code == 403
    refused = client.submit(ACK.format(alert_id))

    assert refused.status_code == 404  # like the patient's page: not on the care team
    assert alert_row(client, alert_id).acknowledged_at is None
    assert count(client, PracticeLog) == 0
    assert "High distress rating" not in refused.text
    assert count(client, AuditEvent, action="access_denied") >= 3


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, personas: dict[str, User]) -> None:
    alert_id = raise_alert(client, "patient")
    client.login_as(None)
    attest = f"/care/patients/{personas['patient'].id}/attest"

    page = client.get(attest, follow_redirects=False)
    acknowledged = client.submit(ACK.format(alert_id))
    attested = client.submit(attest, attended())

    for response in (page, acknowledged, attested):
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
    assert (
        page.headers["location"]
        == f"/login?next=%2Fcare%2Fpatients%2F{personas['patient'].id}%2Fattest"
    )
    assert alert_row(client, alert_id).acknowledged_at is None
    assert count(client, PracticeLog) == 0


# --- care teams, kept by the admin --------------------------------------------------------------


def team_ids(client: Client, patient: User) -> set[int]:
    async def ids() -> set[int]:
        current = CareTeamMember.filter(patient_id=patient.id, ended_at__isnull=True)
        rows = current.values_list("therapist_id", flat=True)
        return {int(value) for value in flat(await rows)}

    return client.run(ids)


def test_the_patients_account_page_shows_their_care_team(
    as_admin: Client, personas: dict[str, User]
) -> None:
    page = as_admin.get(f"/admin/users/{personas['patient'].id}")

    assert page.status_code == 200
    team = page.text.split('id="care-heading"', 1)[1]
    assert "Bob Therapist" in team.split("Add a therapist", 1)[0]
    remove = f"/admin/users/{personas['patient'].id}/care-team/{personas['therapist'].id}/remove"
    assert remove in page.text
    # Only therapists not already on the team are offered.
    choices = team.split('id="therapist_id"', 1)[1].split("</select>", 1)[0]
    assert "Dana Therapist" in choices
    assert "Bob Therapist" not in choices


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            {"path": "role", "data": {"role": "coordinator"}},
            "no longer a therapist: sees no alerts",
        ),
        ({"path": "active", "data": {"active": "false"}}, "deactivated: sees no alerts"),
    ],
)
def test_the_care_team_says_when_its_only_therapist_can_see_no_alerts(
    as_admin: Client, personas: dict[str, User], change: dict[str, Any], words: str
) -> None:
    patient, bob = personas["patient"], personas["therapist"]
    page = as_admin.get(f"/admin/users/{patient.id}")
    assert "sees no alerts" not in page.text
    assert "alerts from this patient reach no one" not in page.text

    changed = as_admin.submit(f"/admin/users/{bob.id}/{change['path']}", change["data"])
    assert changed.status_code == 303
    page = as_admin.get(f"/admin/users/{patient.id}")

    team = page.text.split('id="care-heading"', 1)[1].split("Add a therapist", 1)[0]
    assert "Bob Therapist" in team
    assert words in team
    assert "alerts from this patient reach no one" in team
    assert team_ids(as_admin, patient) == {bob.id}  # still on the team, to be seen and removed


def test_the_therapists_account_page_shows_their_caseload(
    as_admin: Client, personas: dict[str, User]
) -> None:
    page = as_admin.get(f"/admin/users/{personas['therapist'].id}")

    assert page.status_code == 200
    caseload = page.text.split('id="caseload-heading"', 1)[1]
    assert f'href="/admin/users/{personas["patient"].id}"' in caseload
    assert "Alice Patient" in caseload
    assert "Charlie Outsider" not in caseload
    assert 'id="care-heading"' not in page.text


def test_admin_adds_a_therapist_to_a_patients_care_team(
    as_admin: Client, personas: dict[str, User]
) -> None:
    patient, dana = personas["patient"], personas["other_therapist"]

    response = as_admin.submit(
        f"/admin/users/{patient.id}/care-team", {"therapist_id": str(dana.id)}
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/users/{patient.id}"
    assert team_ids(as_admin, patient) == {personas["therapist"].id, dana.id}
    assert (
        count(
            as_admin,
            AuditEvent,
            action="care_assigned",
            target_id=str(patient.id),
            patient_id=patient.id,
            detail=f"therapist={dana.id}",
            actor_id=personas["admin"].id,
        )
        == 1
    )
    assert "Dana Therapist now looks after Alice Patient." in text_of(
        as_admin.get(f"/admin/users/{patient.id}")
    )
    as_admin.login_as(PERSONAS["other_therapist"])
    assert "Alice Patient" in as_admin.get("/therapist").text


def test_adding_a_therapist_already_on_the_team_adds_no_second_row(
    as_admin: Client, personas: dict[str, User]
) -> None:
    patient = personas["patient"]

    response = as_admin.submit(
        f"/admin/users/{patient.id}/care-team", {"therapist_id": str(personas["therapist"].id)}
    )

    assert response.status_code == 303
    assert count(as_admin, CareTeamMember, patient_id=patient.id) == 1
    assert count(as_admin, AuditEvent, action="care_assigned") == 0


def test_admin_removes_a_therapist_from_the_care_team(
    as_admin: Client, personas: dict[str, User]
) -> None:
    patient, bob = personas["patient"], personas["therapist"]

    response = as_admin.submit(f"/admin/users/{patient.id}/care-team/{bob.id}/remove")

    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/users/{patient.id}"
    assert team_ids(as_admin, patient) == set()
    unassigned = {"action": "care_unassigned", "target_id": str(patient.id)}
    assert count(as_admin, AuditEvent, patient_id=patient.id, **unassigned) == 1
    page = as_admin.get(f"/admin/users/{patient.id}")
    assert "Removed from the care team." in page.text
    assert "No therapist yet." in page.text
    as_admin.login_as(PERSONAS["therapist"])
    assert "Alice Patient" not in as_admin.get("/therapist").text


def test_removing_a_therapist_who_is_not_on_the_team_says_so(
    as_admin: Client, personas: dict[str, User]
) -> None:
    patient, bob = personas["patient"], personas["therapist"]
    as_admin.submit(f"/admin/users/{patient.id}/care-team/{bob.id}/remove")
    as_admin.get(f"/admin/users/{patient.id}")  # the first removal's message is shown

    again = as_admin.submit(f"/admin/users/{patient.id}/care-team/{bob.id}/remove")

    assert again.status_code == 303
    page = as_admin.get(f"/admin/users/{patient.id}")
    assert "That therapist was not on this care team; nothing changed." in page.text
    unassigned = {"action": "care_unassigned", "target_id": str(patient.id)}
    assert count(as_admin, AuditEvent, patient_id=patient.id, **unassigned) == 1


def test_removing_a_therapist_keeps_the_membership_as_history(
    as_admin: Client, personas: dict[str, User]
) -> None:
    patient, bob = personas["patient"], personas["therapist"]

    as_admin.submit(f"/admin/users/{patient.id}/care-team/{bob.id}/remove")
    again = as_admin.submit(f"/admin/users/{patient.id}/care-team", {"therapist_id": str(bob.id)})

    assert again.status_code == 303

    async def periods() -> list[tuple[Any, Any]]:
        rows = CareTeamMember.filter(patient_id=patient.id, therapist_id=bob.id)
        return list(await rows.order_by("id").values_list("started_at", "ended_at"))

    (first_start, first_end), (second_start, second_end) = as_admin.run(periods)
    assert first_end == TEST_NOW
    assert second_end is None
    assert first_start <= first_end <= second_start
    assert team_ids(as_admin, patient) == {bob.id}


def test_a_former_care_team_member_can_no_longer_acknowledge_the_patients_alerts(
    as_admin: Client, personas: dict[str, User]
) -> None:
    patient, bob = personas["patient"], personas["therapist"]
    alert_id = raise_alert(as_admin, "patient")
    as_admin.login_as(PERSONAS["admin"])
    as_admin.submit(f"/admin/users/{patient.id}/care-team/{bob.id}/remove")

    as_admin.login_as(PERSONAS["therapist"])
    response = as_admin.submit(f"/care/alerts/{alert_id}/acknowledge")

    assert response.status_code == 404
    assert alert_row(as_admin, alert_id).acknowledged_at is None


@pytest.mark.parametrize("chosen", ["coordinator", "other_patient", "admin", "unknown", "", "x1"])
def test_adding_someone_who_is_not_a_therapist_is_refused(
    as_admin: Client, personas: dict[str, User], chosen: str
) -> None:
    patient = personas["patient"]
    value = {"unknown": "424242", "": "", "x1": "x1"}.get(chosen)
    therapist_id = value if value is not None else str(personas[chosen].id)

    response = as_admin.submit(
        f"/admin/users/{patient.id}/care-team", {"therapist_id": therapist_id}
    )

    assert response.status_code == 422
    assert team_ids(as_admin, patient) == {personas["therapist"].id}
    assert count(as_admin, AuditEvent, action="care_assigned") == 0
    assert 'id="therapist_id-error"' in response.text


def test_a_care_team_is_only_for_patients(as_admin: Client, personas: dict[str, User]) -> None:
    coordinator = personas["coordinator"]

    response = as_admin.submit(
        f"/admin/users/{coordinator.id}/care-team",
        {"therapist_id": str(personas["therapist"].id)},
    )

    assert response.status_code == 422
    assert count(as_admin, CareTeamMember, patient_id=coordinator.id) == 0
    assert count(as_admin, AuditEvent, action="care_assigned") == 0


def test_adding_an_inactive_therapist_is_refused(
    as_admin: Client, personas: dict[str, User]
) -> None:
    dana = personas["other_therapist"]
    as_admin.run(lambda: User.filter(id=dana.id).update(is_active=False))

    response = as_admin.submit(
        f"/admin/users/{personas['patient'].id}/care-team", {"therapist_id": str(dana.id)}
    )

    assert response.status_code == 422
    assert team_ids(as_admin, personas["patient"]) == {personas["therapist"].id}


def test_care_team_changes_for_an_unknown_patient_are_not_found(
    as_admin: Client, personas: dict[str, User]
) -> None:
    bob = personas["therapist"].id

    added = as_admin.submit("/admin/users/424242/care-team", {"therapist_id": str(bob)})
    removed = as_admin.submit(f"/admin/users/424242/care-team/{bob}/remove")

    assert (added.status_code, removed.status_code) == (404, 404)
    assert count(as_admin, CareTeamMember) == 2


@pytest.mark.parametrize("outsider", ["patient", "other_patient", "therapist", "coordinator"])
def test_non_admins_cannot_change_care_teams(
    client: Client, personas: dict[str, User], outsider: str
) -> None:
    client.login_as(PERSONAS[outsider])
    patient, other = personas["patient"], personas["other_patient"]

    added = client.submit(
        f"/admin/users/{other.id}/care-team", {"therapist_id": str(personas["therapist"].id)}
    )
    removed = client.submit(
        f"/admin/users/{patient.id}/care-team/{personas['therapist'].id}/remove"
    )

    assert (added.status_code, removed.status_code) == (403, 403)
    assert team_ids(client, patient) == {personas["therapist"].id}
    assert team_ids(client, other) == {personas["other_therapist"].id}
    assert count(client, AuditEvent, action="care_assigned") == 0
    assert count(client, AuditEvent, action="care_unassigned") == 0
