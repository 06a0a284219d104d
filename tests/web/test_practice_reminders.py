"""Practice reminders on the web: the patient's form on the account page and the JSON API, what
they refuse (naming the field, storing nothing), who may use them, the page without e-mail set
up, the admin's figures, and a reminder set in the form arriving at a real SMTP server.

TEST_NOW is Tuesday 24 November 2026, 15:30 in Berlin, the patient's zone."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar import Litestar

from tests.conftest import (
    PERSONAS,
    Client,
    text_of,
    web_context_of,
)
from tests.mail_servers import PUBLIC_URL, Received
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.lib.clock import FixedClock
from wellness.notifications.models import PracticeReminder
from wellness.notifications.reminder_rules import weekday_mask

FRIDAY_18_30_BERLIN = datetime(2026, 11, 27, 17, 30, tzinfo=UTC)
ON = {"reminder": "on", "reminder_time": "18:30", "reminder_days": ["mon", "fri"]}
BODY = {"enabled": True, "time": "18:30", "weekdays": ["mon", "fri"]}
API = "/api/v1/account/reminder"
CHANGED = "practice_reminder_changed"


def patient_of(client: Client) -> User:
    return client.user(PERSONAS["patient"].email)


def stored(client: Client) -> list[PracticeReminder]:
    return client.run(lambda: PracticeReminder.all().order_by("id"))


def audited(client: Client) -> list[AuditEvent]:
    return client.run(lambda: AuditEvent.filter(action=CHANGED).order_by("id"))


# --- The form -----------------------------------------------------------------------------------


def test_a_patient_sees_the_reminder_form_off_and_every_day_by_default(mailing: Client) -> None:
    mailing.login_as(PERSONAS["patient"])

    page = mailing.get("/account")

    assert page.status_code == 200
    html = page.text
    assert '<h2 id="reminder-heading">Daily practice reminder</h2>' in html
    assert '<form method="post" action="/account/reminder"' in html
    assert 'id="reminder-off" name="reminder" value="off" checked' in html
    assert '<label for="reminder_time">Time of day</label>' in html
    assert 'type="time" value="09:00" aria-describedby="reminder_time-hint"' in html
    assert "<legend>Days</legend>" in html
    assert html.count('name="reminder_days"') == html.count('name="reminder_days" value=') == 7
    assert html.count("checked>") >= 7 + 1
    text = text_of(page)
    assert "Your time, Europe/Berlin" in text
    assert "on days you have not practised yet" in text
    assert "not available" not in text
    assert stored(mailing) == []


def test_a_patient_turns_reminders_on_for_chosen_days_and_it_is_audited(mailing: Client) -> None:
    mailing.login_as(PERSONAS["patient"])
    patient = patient_of(mailing)

    response = mailing.submit("/account/reminder", ON)

    assert response.status_code == 303
    (row,) = stored(mailing)
    assert (row.patient_id, row.enabled, row.minute) == (patient.id, True, 18 * 60 + 30)
    assert row.weekdays == weekday_mask(["mon", "fri"])
    assert row.next_due_at == FRIDAY_18_30_BERLIN  # Tuesday: Friday is the next chosen day
    (event,) = audited(mailing)
    assert (event.actor_id, event.target_type, event.target_id, event.detail) == (
        patient.id,
        "user",
        str(patient.id),
        "on",
    )
    page = text_of(mailing.get("/account"))
    assert "Practice reminders are on: Monday and Friday at 18:30, Europe/Berlin time." in page
    assert "Reminders are on: Monday and Friday at 18:30. The next one is due" in page

    assert mailing.submit("/account/reminder", ON).status_code == 303  # the same again
    assert len(audited(mailing)) == 1
    off = mailing.submit("/account/reminder", {"reminder": "off", "reminder_time": ""})
    assert off.status_code == 303  # off is never refused for a time left empty
    (row,) = stored(mailing)
    assert (row.enabled, row.next_due_at, row.minute) == (False, None, 18 * 60 + 30)
    assert [event.detail for event in audited(mailing)] == ["on", "off"]


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({**ON, "reminder_time": "25:00"}, "reminder_time", "such as 09:00 or 18:30"),
        ({**ON, "reminder_time": "half six"}, "reminder_time", "such as 09:00 or 18:30"),
        ({**ON, "reminder_time": ""}, "reminder_time", "such as 09:00 or 18:30"),
        ({"reminder": "on", "reminder_time": "18:30"}, "reminder_days", "at least one day"),
        ({**ON, "reminder_days": ["someday"]}, "reminder_days", "not a day of the week"),
        ({**ON, "reminder": "sometimes"}, "reminder", "Choose whether"),
    ],
)
def test_a_refused_choice_is_named_beside_its_field_kept_as_typed_and_stores_nothing(
    mailing: Client, form: dict[str, Any], field: str, message: str
) -> None:
    mailing.login_as(PERSONAS["patient"])

    response = mailing.submit("/account/reminder", form)

    assert response.status_code == 422
    assert stored(mailing) == []
    assert audited(mailing) == []
    html = response.text
    assert f'<p class="field-error" id="{field}-error">' in html
    assert f'aria-describedby="{field}-error"' in html or f'{field}-hint {field}-error"' in html
    assert f'<a href="#{field}">' in html  # the summary links to the field
    assert message in text_of(response)
    if field == "reminder_time":
        assert f'value="{form["reminder_time"]}"' in html  # as typed


def test_a_form_without_the_pages_token_is_refused(mailing: Client) -> None:
    mailing.login_as(PERSONAS["patient"])
    mailing.csrf_token()

    response = mailing.post("/account/reminder", data=ON)

    assert response.status_code == 403
    assert stored(mailing) == []


def test_changing_the_time_zone_moves_the_next_reminder(mailing: Client) -> None:
    mailing.login_as(PERSONAS["patient"])
    mailing.submit("/account/reminder", ON)

    response = mailing.submit("/account/time-zone", {"time_zone": "America/New_York"})

    assert response.status_code == 303
    (row,) = stored(mailing)
    assert row.time_zone == "America/New_York"
    assert row.next_due_at == datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # 18:30 in New York


# --- Without e-mail -----------------------------------------------------------------------------


def test_without_email_the_page_says_reminders_are_not_available(
    as_patient: Client,
) -> None:
    page = as_patient.get("/account")

    assert page.status_code == 200
    assert "Daily practice reminder" in page.text
    assert "E-mail reminders are not available here: your clinic has not set up e-mail." in text_of(
        page
    )
    assert 'action="/account/reminder"' not in page.text


def test_without_email_the_admin_overview_says_reminders_are_off(as_admin: Client) -> None:
    page = text_of(as_admin.get("/admin"))

    assert "Patients cannot ask for practice reminders either." in page
    assert "Practice reminders in the last 7 days" not in page


def test_without_email_a_choice_is_refused_and_nothing_is_stored(as_patient: Client) -> None:
    response = as_patient.submit("/account/reminder", ON)
    put = as_patient.put(API, json=BODY)
    got = as_patient.get(API)

    assert response.status_code == 409
    assert "E-mail reminders are not available here" in text_of(response)
    assert put.status_code == 409
    assert put.json()["detail"].startswith("E-mail reminders are not available here")
    assert got.status_code == 200
    assert got.json()["available"] is False
    assert got.json()["message"].startswith("E-mail reminders are not available here")
    assert stored(as_patient) == []
    assert audited(as_patient) == []


# --- Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["therapist", "coordinator", "admin"])
def test_other_roles_are_refused_and_nothing_changes(mailing: Client, persona: str) -> None:
    mailing.login_as(PERSONAS["patient"])
    mailing.submit("/account/reminder", ON)
    before = [(row.id, row.enabled, row.minute, row.weekdays) for row in stored(mailing)]
    mailing.login_as(PERSONAS[persona])

    page = mailing.get("/account")
    form = mailing.submit("/account/reminder", {**ON, "reminder": "off"})
    read = mailing.get(API)
    write = mailing.put(API, json={**BODY, "enabled": False})

    assert page.status_code == 200
    assert "Daily practice reminder" not in page.text
    assert (form.status_code, read.status_code, write.status_code) == (403, 403, 403)
    assert "Alice" not in read.text
    assert "18:30" not in read.text
    after = [(row.id, row.enabled, row.minute, row.weekdays) for row in stored(mailing)]
    assert after == before
    assert len(audited(mailing)) == 1  # the patient's own


def test_anonymous_calls_are_refused(mailing: Client) -> None:
    assert mailing.get(API).status_code == 401
    assert mailing.put(API, json=BODY).status_code == 401
    assert stored(mailing) == []


# --- The JSON API -------------------------------------------------------------------------------


def test_the_api_answers_the_default_then_the_stored_setting(mailing: Client) -> None:
    mailing.login_as(PERSONAS["patient"])

    default = mailing.get(API)
    put = mailing.put(API, json=BODY)
    again = mailing.get(API)

    assert default.status_code == 200
    assert default.json() == {
        "available": True,
        "enabled": False,
        "time": "09:00",
        "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "time_zone": "Europe/Berlin",
        "next_due_at": None,
        "message": "",
    }
    assert put.status_code == 200
    expected = {
        "available": True,
        "enabled": True,
        "time": "18:30",
        "weekdays": ["mon", "fri"],
        "time_zone": "Europe/Berlin",
        "next_due_at": "2026-11-27T17:30:00Z",
        "message": "",
    }
    assert put.json() == expected
    assert again.json() == expected
    (row,) = stored(mailing)
    assert row.next_due_at == FRIDAY_18_30_BERLIN
    assert [event.detail for event in audited(mailing)] == ["on"]
    assert "no-store" in put.headers.get("cache-control", "")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "time": "7pm"}, "time"),
        ({**BODY, "time": "24:00"}, "time"),
        ({**BODY, "time": 1830}, "time"),
        ({**BODY, "weekdays": []}, "weekdays"),
        ({**BODY, "weekdays": ["monday"]}, "weekdays[0]"),
        ({**BODY, "weekdays": ["mon", "mon"]}, "weekdays"),
        ({**BODY, "enabled": "yes"}, "enabled"),
        ({"time": "18:30", "weekdays": ["mon"]}, "enabled"),
        ({**BODY, "patient_id": 1}, "patient_id"),
    ],
)
def test_the_api_refuses_a_bad_field_by_name_and_stores_nothing(
    mailing: Client, body: dict[str, Any], field: str
) -> None:
    mailing.login_as(PERSONAS["patient"])

    response = mailing.put(API, json=body)

    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert stored(mailing) == []
    assert audited(mailing) == []


def test_the_api_honours_the_idempotency_key(mailing: Client) -> None:
    mailing.login_as(PERSONAS["patient"])
    key = {"Idempotency-Key": "reminder-on-1"}

    first = mailing.put(API, json=BODY, headers=key)
    mailing.put(API, json={**BODY, "enabled": False})
    replay = mailing.put(API, json=BODY, headers=key)
    other = mailing.put(API, json={**BODY, "time": "07:00"}, headers=key)

    assert first.status_code == replay.status_code == 200
    assert replay.headers["idempotent-replayed"] == "true"
    assert other.status_code == 422
    assert stored(mailing)[0].enabled is False  # the replay wrote nothing
    assert [event.detail for event in audited(mailing)] == ["on", "off"]


def test_a_browser_write_without_the_pages_token_is_refused(mailing: Client) -> None:
    mailing.login_as(PERSONAS["patient"])
    mailing.csrf_token()

    response = mailing.put(API, json=BODY, headers={"sec-fetch-site": "same-origin"})

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert stored(mailing) == []


def test_the_openapi_document_describes_the_reminder(mailing: Client) -> None:
    document = mailing.get("/schema/openapi.json").json()

    operations = document["paths"][API]
    assert set(operations) >= {"get", "put"}
    assert {"200", "401", "403", "409", "422"} <= set(operations["put"]["responses"])
    schemas = document["components"]["schemas"]
    body = schemas["ReminderIn"]
    assert body["required"] == ["enabled", "time", "weekdays"]
    assert body["properties"]["time"]["pattern"] == r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
    assert body["properties"]["weekdays"]["minItems"] == 1
    assert body["additionalProperties"] is False
    assert "available" in schemas["ReminderOut"]["properties"]


# --- The admin's figures, and a reminder arriving -----------------------------------------------


def test_the_admin_overview_counts_reminders_beside_the_alert_emails(mailing: Client) -> None:
    mailing.login_as(PERSONAS["patient"])
    mailing.submit("/account/reminder", ON)
    mailing.login_as(PERSONAS["admin"])

    page = text_of(mailing.get("/admin"))

    assert "Practice reminders in the last 7 days: 0 sent, 0 failed. 1 patient has them on." in page


def test_a_reminder_set_in_the_form_arrives_at_its_time_and_names_no_one(
    mailing: Client, mailing_app: Litestar, smtp: tuple[int, Received], clock: FixedClock
) -> None:
    _, received = smtp
    mailing.login_as(PERSONAS["patient"])
    mailing.submit("/account/reminder", {**ON, "reminder_days": ["tue"], "reminder_time": "16:00"})
    delivery = web_context_of(mailing_app).alert_emails
    assert delivery is not None

    clock.set(datetime(2026, 11, 24, 15, 0, tzinfo=UTC))  # 16:00 in Berlin
    delivery.wake()

    (message,) = received.wait_for(1)
    time.sleep(0.2)
    assert len(received.messages) == 1
    assert message["To"] == PERSONAS["patient"].email
    content = message.get_body(preferencelist=("plain",))
    assert content is not None
    text = f"{message['Subject']}\n{content.get_content()}"
    assert f"{PUBLIC_URL}/account" in text
    for secret in ("Alice", "Patient", "Berlin", "16:00", "anxiety", "rehab", "therap"):
        assert secret not in text, secret
    assert stored(mailing)[0].next_due_at == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
