"""Alert e-mails on the web: a therapist's choice on their account page, what the admin overview
says about them, and a check-in whose alert ends as one e-mail at a real SMTP server."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from litestar import Litestar

from tests.conftest import (
    BASE_URL,
    PERSONAS,
    Client,
    count,
    create_personas,
    text_of,
    web_context_of,
)
from tests.mail_servers import PUBLIC_URL, Received, mail_settings, silent_server
from wellness.accounts.models import User
from wellness.app import create_app
from wellness.audit.models import AuditEvent
from wellness.care.models import Alert
from wellness.lib.clock import FixedClock
from wellness.notifications.models import AlertEmail
from wellness.notifications.rules import Audience, EmailStatus
from wellness.settings import Settings

NOTE = "Marker-6e0b cannot stop shaking"


def emailing(settings: Settings, port: int) -> Settings:
    return settings.replace(
        mail=mail_settings(port), care=dataclasses.replace(settings.care, email_alerts=True)
    )


@pytest.fixture
def mailing_app(settings: Settings, clock: FixedClock, smtp: tuple[int, Received]) -> Litestar:
    return create_app(emailing(settings, smtp[0]), clock=clock)


@pytest.fixture
def mailing(mailing_app: Litestar) -> Iterator[Client]:
    with Client(mailing_app, base_url=BASE_URL) as client:
        yield client


def personas_of(client: Client) -> dict[str, User]:
    now = client.now()
    return client.run(lambda: create_personas(now))


# --- The therapist's choice ---------------------------------------------------------------------


def test_a_therapist_sees_alert_emails_are_on_by_default(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])

    page = client.get("/account")

    assert page.status_code == 200
    assert personas["therapist"].alert_emails is True
    text = text_of(page)
    assert "Alert e-mails" in text
    assert "Your clinic has not set up e-mail yet, so alerts show on your dashboard only." in text
    assert "you will also get an e-mail at therapist@example.org" in text
    assert "Turn off alert e-mails" in text


@pytest.mark.parametrize("persona", ["patient", "coordinator", "admin"])
def test_only_therapists_are_offered_the_choice(
    client: Client, personas: dict[str, User], persona: str
) -> None:
    client.login_as(PERSONAS[persona])

    page = client.get("/account")

    assert page.status_code == 200
    assert "Alert e-mails" not in page.text


def test_a_therapist_turns_alert_emails_off_and_on_again(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])
    therapist = personas["therapist"]

    off = client.submit("/account/alert-emails", {"emails": "off"})

    assert off.status_code == 303
    assert off.headers["location"] == "/account"
    assert client.user(therapist.email).alert_emails is False
    rows = client.run(lambda: AuditEvent.filter(action="alert_emails_changed").order_by("id"))
    assert [(row.actor_id, row.target_id, row.detail) for row in rows] == [
        (therapist.id, str(therapist.id), "off")
    ]
    page = text_of(client.get("/account"))
    assert "Alert e-mails are off; alerts still show on your dashboard." in page
    assert "you see your patients' alerts on your dashboard only" in page
    assert "Turn on alert e-mails" in page

    on = client.submit("/account/alert-emails", {"emails": "on"})

    assert on.status_code == 303
    assert client.user(therapist.email).alert_emails is True
    assert count(client, AuditEvent, action="alert_emails_changed", detail="on") == 1
    assert "Alert e-mails are on." in text_of(client.get("/account"))


def test_the_choice_needs_its_csrf_token(client: Client, personas: dict[str, User]) -> None:
    client.login_as(PERSONAS["therapist"])

    response = client.post("/account/alert-emails", data={"emails": "off"})

    assert response.status_code == 403
    assert client.user(PERSONAS["therapist"].email).alert_emails is True
    assert count(client, AuditEvent, action="alert_emails_changed") == 0


def test_an_unreadable_choice_is_refused_and_changes_nothing(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])

    response = client.submit("/account/alert-emails", {"emails": "sometimes"})

    assert response.status_code == 422
    assert client.user(PERSONAS["therapist"].email).alert_emails is True
    assert "Choose to turn alert e-mails on or off." in text_of(response)
    assert count(client, AuditEvent, action="alert_emails_changed") == 0


def test_a_patient_cannot_make_the_choice(client: Client, personas: dict[str, User]) -> None:
    client.login_as(PERSONAS["patient"])

    response = client.submit("/account/alert-emails", {"emails": "off"})

    assert response.status_code == 403
    assert client.user(PERSONAS["patient"].email).alert_emails is True


def test_the_account_page_of_a_clinic_that_emails_says_nothing_about_setting_it_up(
    mailing: Client,
) -> None:
    personas_of(mailing)
    mailing.login_as(PERSONAS["therapist"])

    page = text_of(mailing.get("/account"))

    assert "you also get an e-mail at therapist@example.org" in page
    assert "Turn off alert e-mails" in page
    assert "not set up e-mail" not in page


# --- The admin overview --------------------------------------------------------------------------


def test_the_admin_overview_says_email_alerts_are_off(as_admin: Client) -> None:
    page = as_admin.get("/admin")

    assert page.status_code == 200
    assert "E-mail alerts are off: alerts show only on the therapists' dashboards." in text_of(page)
    assert "WELLNESS_SMTP_URL" in page.text


def test_the_admin_overview_counts_emails_that_could_not_be_sent(mailing: Client) -> None:
    personas = personas_of(mailing)
    now = mailing.now()

    async def failed_and_waiting() -> None:
        alert = await Alert.create(
            patient_id=personas["patient"].id,
            reason="high_distress",
            value=9,
            source_type="checkin",
            source_id=1,
            created_at=now,
        )
        for error, finished in [
            ("SMTPServerDisconnected", now - timedelta(days=2)),
            ("SMTPRecipientsRefused", now - timedelta(hours=1)),
            ("SMTPConnectError", now - timedelta(days=8)),  # too long ago to count
        ]:
            await AlertEmail.create(
                alert_id=alert.id,
                recipient_id=personas["therapist"].id,
                audience=Audience.CARE_TEAM,
                status=EmailStatus.FAILED,
                created_at=finished,
                next_attempt_at=finished,
                finished_at=finished,
                attempts=8,
                last_error=error,
            )
        await AlertEmail.create(
            alert_id=alert.id,
            recipient_id=personas["other_therapist"].id,
            audience=Audience.CARE_TEAM,
            created_at=now,
            next_attempt_at=now + timedelta(minutes=5),
            attempts=2,
        )

    mailing.run(failed_and_waiting)
    mailing.login_as(PERSONAS["admin"])

    page = mailing.get("/admin")

    assert page.status_code == 200
    text = text_of(page)
    assert "E-mail alerts are on" in text
    assert "2 alert e-mails could not be sent in the last 7 days" in text
    assert "(last error: SMTPRecipientsRefused)" in text
    assert "1 alert e-mail waiting to be sent." in text
    assert "therapist@example.org" not in text  # no address, only the error's class


# --- From a check-in to the therapist's inbox ----------------------------------------------------


def test_a_high_check_in_ends_as_one_email_with_no_health_data(
    mailing: Client, smtp: tuple[int, Received]
) -> None:
    _, received = smtp
    personas = personas_of(mailing)
    mailing.login_as(PERSONAS["patient"])

    response = mailing.submit("/checkins", {"level": "9", "tags": ["panic"], "note": NOTE})

    assert response.status_code == 303
    assert count(mailing, Alert, patient_id=personas["patient"].id) == 1
    (message,) = received.wait_for(1)  # the app's own delivery task, woken by the alert
    time.sleep(0.2)
    assert len(received.messages) == 1
    assert message["To"] == PERSONAS["therapist"].email
    assert received.envelopes == [[PERSONAS["therapist"].email]]
    content = message.get_body(preferencelist=("plain",))
    assert content is not None
    text = f"{message['Subject']}\n{content.get_content()}"
    assert "A patient on your caseload reported high distress at 15:30 (your time)." in text
    assert f"{PUBLIC_URL}/therapist" in text
    patient = PERSONAS["patient"]
    for secret in (patient.display_name, "Alice", "A.P.", patient.email, "9", NOTE, "Panic"):
        assert secret not in text, secret
    assert count(mailing, AlertEmail, status=EmailStatus.SENT) == 1


def test_a_mail_server_that_hangs_neither_slows_the_check_in_nor_the_shutdown(
    settings: Settings, clock: FixedClock
) -> None:
    with silent_server() as port:
        app = create_app(emailing(settings, port), clock=clock)
        delivery = web_context_of(app).alert_emails
        assert delivery is not None
        delivery.stop_grace_seconds = 0.5
        with Client(app, base_url=BASE_URL) as client:
            personas_of(client)
            client.login_as(PERSONAS["patient"])
            started = time.monotonic()
            response = client.submit("/checkins", {"level": "9"})
            answered = time.monotonic() - started
            time.sleep(1.5)  # the delivery task is now waiting on the silent server
            assert count(client, AlertEmail, status=EmailStatus.PENDING) == 1
            stopping = time.monotonic()
        stopped = time.monotonic() - stopping

    assert response.status_code == 303
    assert answered < 1
    assert stopped < 3
    assert delivery.task is None


def test_the_delivery_task_runs_with_the_app_and_ends_with_it(mailing_app: Litestar) -> None:
    delivery = web_context_of(mailing_app).alert_emails
    assert delivery is not None
    assert delivery.task is None

    with Client(mailing_app, base_url=BASE_URL):
        task = delivery.task
        assert task is not None
        assert not task.done()
        started = time.monotonic()

    assert time.monotonic() - started < 2
    assert task.done()
    assert delivery.task is None


def test_without_smtp_there_is_no_delivery_task(app: Litestar) -> None:
    assert web_context_of(app).alert_emails is None
