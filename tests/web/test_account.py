"""Everyone's own account page."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PERSONA_PASSWORD, PERSONAS, Client
from wellness.accounts.models import User


@pytest.mark.parametrize("persona", ["patient", "therapist", "coordinator", "admin"])
def test_everyone_sees_their_own_account(
    client: Client, personas: dict[str, User], persona: str
) -> None:
    client.login_as(PERSONAS[persona])
    page = client.get("/account")
    assert page.status_code == 200
    assert PERSONAS[persona].email in page.text
    assert "csrf" in page.text


def test_a_patient_changes_their_time_zone(as_patient: Client) -> None:
    response = as_patient.submit("/account/time-zone", {"time_zone": "Pacific/Pago_Pago"})
    assert response.status_code == 303
    assert as_patient.user("patient@example.org").time_zone == "Pacific/Pago_Pago"
    assert "Your time zone is saved." in as_patient.get("/account").text


def test_the_time_zone_field_offers_a_searchable_list_of_zones(as_patient: Client) -> None:
    page = as_patient.get("/account")
    assert page.status_code == 200
    assert 'id="time_zone" name="time_zone" type="text" value="Europe/Berlin"' in page.text
    assert 'list="time-zone-names"' in page.text
    datalist = page.text.split('<datalist id="time-zone-names">', 1)[1].split("</datalist>")[0]
    assert '<option value="America/New_York">America/New York</option>' in datalist
    assert '<option value="Europe/Berlin">Europe/Berlin</option>' in datalist
    assert '<option value="UTC">UTC</option>' in datalist
    assert 'value="EST5EDT"' not in datalist


def test_an_unknown_time_zone_is_refused_and_stays_as_typed(as_patient: Client) -> None:
    response = as_patient.submit("/account/time-zone", {"time_zone": "Europe/\u202eAtlantis"})
    assert response.status_code == 422
    assert "No time zone is called \u201cEurope/Atlantis\u201d" in response.text
    field = re.search(r'<input[^>]*name="time_zone"[^>]*>', response.text)
    assert field is not None
    assert 'value="Europe/\u202eAtlantis"' in field.group(0)  # what was typed, not the saved zone
    assert 'aria-invalid="true"' in field.group(0)
    assert as_patient.user("patient@example.org").time_zone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("typed", "zone"), [("new york", "America/New_York"), ("Tokyo", "Asia/Tokyo")]
)
def test_a_city_alone_names_its_time_zone(as_patient: Client, typed: str, zone: str) -> None:
    response = as_patient.submit("/account/time-zone", {"time_zone": typed})
    assert response.status_code == 303, response.text
    assert as_patient.user("patient@example.org").time_zone == zone


def test_an_empty_time_zone_asks_for_one(as_patient: Client) -> None:
    response = as_patient.submit("/account/time-zone", {"time_zone": " "})
    assert response.status_code == 422
    assert "Choose a time zone" in response.text
    assert as_patient.user("patient@example.org").time_zone == "Europe/Berlin"


def test_changing_the_password_keeps_this_device_and_signs_out_the_others(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["patient"])
    other_device = client.cookies["wellness_session"]
    client.login_as(PERSONAS["patient"])
    new_password = "a brand new calm passphrase"
    response = client.submit(
        "/account/password", {"current_password": PERSONA_PASSWORD, "new_password": new_password}
    )
    assert response.status_code == 303
    assert client.get("/api/v1/me").status_code == 200
    this_device = client.cookies["wellness_session"]
    client.cookies.clear()
    client.cookies.set("wellness_session", other_device, domain="testserver.local")
    assert client.get("/api/v1/me").status_code == 401
    client.cookies.clear()
    login = client.post(
        "/api/v1/auth/login", json={"email": "patient@example.org", "password": new_password}
    )
    assert login.status_code == 200
    assert this_device != other_device


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"current_password": "not my password", "new_password": "a brand new calm passphrase"},
            "not your current",
        ),
        ({"current_password": "", "new_password": "a long new passphrase"}, "Enter your current"),
        ({"current_password": PERSONA_PASSWORD, "new_password": "short"}, "at least 8"),
        ({"current_password": PERSONA_PASSWORD, "new_password": "iloveyou"}, "most common"),
    ],
)
def test_a_refused_password_change_changes_nothing(
    as_patient: Client, form: dict[str, str], message: str
) -> None:
    before = as_patient.user("patient@example.org").password_hash
    response = as_patient.submit("/account/password", form)
    assert response.status_code == 422
    assert message in response.text
    # The error summary links the field at fault, which is marked.
    field = "current_password" if "current" in message else "new_password"
    assert f'href="#{field}"' in response.text
    assert as_patient.user("patient@example.org").password_hash == before
    assert as_patient.get("/api/v1/me").status_code == 200


def test_the_account_form_needs_its_csrf_token(as_patient: Client) -> None:
    response = as_patient.post("/account/time-zone", data={"time_zone": "Asia/Tokyo"})
    assert response.status_code == 403
    assert "Go back, reload the page and send it again." in response.text
    assert "CSRF" not in response.text  # words for people, not the defence's name
    assert as_patient.user("patient@example.org").time_zone == "Europe/Berlin"
