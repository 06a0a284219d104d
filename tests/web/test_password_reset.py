"""Forgot your password, on the web: the sign-in page's link only with e-mail set up (else the
routes answer 409 saying why), one answer for every address, throttling, the new-password form
and its refusals (HTML and JSON), the audit rows (naming the account, never the address or the
token), a signed-in visitor, and the e-mail arriving at a real SMTP server with a link that works.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from litestar import Litestar

from tests.conftest import (
    PERSONA_PASSWORD,
    PERSONAS,
    Client,
    text_of,
    web_context_of,
)
from tests.mail_servers import PUBLIC_URL, Received
from wellness.accounts import passwords
from wellness.accounts import services as accounts
from wellness.accounts.models import PasswordReset, User
from wellness.audit.models import AuditEvent
from wellness.notifications import reset_mail_rules
from wellness.notifications.models import PasswordResetEmail
from wellness.notifications.rules import EmailStatus
from wellness.web import password_reset

API = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"
NEW_PASSWORD = "a fresh and long passphrase"
PATIENT = PERSONAS["patient"]


@pytest.fixture(autouse=True)
def _quick_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests wait for no floor here but in the test of the floor itself."""
    monkeypatch.setattr(password_reset, "ANSWER_FLOOR_SECONDS", 0.0)


def link_token(client: Client) -> str:
    """The token of the newest link, read from its e-mail's outbox row."""
    row = client.run(lambda: PasswordResetEmail.all().order_by("-id").first())
    assert row is not None
    return reset_mail_rules.unseal(row.sealed_token, web_context_of(client.app).settings.secret_key)


def without_tokens(page: str) -> str:
    """The page without its form tokens (each answer may carry a fresh one)."""
    return re.sub(r'name="_csrf_token" value="[^"]*"', "", page)


def audit_rows(client: Client) -> list[AuditEvent]:
    return client.run(lambda: AuditEvent.all().order_by("id"))


def resets(client: Client) -> list[PasswordReset]:
    return client.run(lambda: PasswordReset.all().order_by("id"))


def password_is(client: Client, email: str, password: str) -> bool:
    return passwords.verify_password(client.user(email).password_hash, password)


def sign_in(client: Client, email: str, password: str) -> int:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    return int(response.status_code)


# --- With e-mail off ----------------------------------------------------------------------------


def test_without_e_mail_the_sign_in_page_says_to_ask_and_offers_no_link(client: Client) -> None:
    page = client.get("/login")

    assert "Ask your clinic's administrator to set a new one." in text_of(page)
    assert 'href="/password-reset"' not in page.text


@pytest.mark.parametrize("path", ["/password-reset", "/password-reset/" + "a" * 43])
def test_without_e_mail_the_pages_answer_409_naming_why(client: Client, path: str) -> None:
    page = client.get(path)

    assert page.status_code == 409
    assert "e-mail is not set up" in text_of(page)
    assert "Ask clinic staff" in text_of(page)


def test_without_e_mail_the_api_answers_409_naming_why_and_stores_nothing(
    client: Client, personas: dict[str, User]
) -> None:
    asked = client.post(API, json={"email": PATIENT.email})
    confirmed = client.post(CONFIRM, json={"token": "a" * 43, "password": NEW_PASSWORD})

    for answer in (asked, confirmed):
        assert answer.status_code == 409
        assert answer.json()["code"] == "password_reset_off"
        assert "e-mail is not set up" in answer.json()["detail"]
    assert resets(client) == []


# --- Asking for a link --------------------------------------------------------------------------


def test_the_sign_in_page_links_to_the_reset_page_when_e_mail_is_on(mailing: Client) -> None:
    page = mailing.get("/login")

    assert '<a href="/password-reset">Forgot your password?</a>' in page.text


def test_the_reset_form_is_labelled_and_carries_the_csrf_token(mailing: Client) -> None:
    page = mailing.get("/password-reset")

    assert page.status_code == 200
    assert '<label for="email">E-mail address</label>' in page.text
    assert 'name="_csrf_token"' in page.text
    assert 'action="/password-reset"' in page.text


def test_every_address_gets_the_same_answer_and_only_an_active_account_a_link(
    mailing: Client,
) -> None:
    therapist_id = mailing.user(PERSONAS["therapist"].email).id
    mailing.run(lambda: accounts.set_active(therapist_id, False))
    answers = [
        mailing.post(API, json={"email": email})
        for email in (PATIENT.email, "nobody@example.org", PERSONAS["therapist"].email)
    ]

    assert {answer.status_code for answer in answers} == {202}
    assert len({answer.content for answer in answers}) == 1
    assert "If an active account uses that address" in answers[0].json()["detail"]
    (reset,) = resets(mailing)
    assert reset.user_id == mailing.user(PATIENT.email).id


def test_no_answer_to_a_request_comes_sooner_than_the_floor_whatever_the_address(
    mailing: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An active account's link costs one more transaction than an unknown address: every
    answer, a throttled one too, waits until the floor, so the two do not differ in time."""
    monkeypatch.setattr(password_reset, "ANSWER_FLOOR_SECONDS", 0.2)
    took = {}
    for email in (PATIENT.email, "nobody@example.org", *[PATIENT.email] * 3):
        started = time.monotonic()
        answer = mailing.post(API, json={"email": email})
        took[email, answer.status_code] = time.monotonic() - started

    assert sorted(took) == sorted(
        [(PATIENT.email, 202), ("nobody@example.org", 202), (PATIENT.email, 429)]
    )
    assert min(took.values()) >= 0.2


def test_a_request_is_audited_naming_the_account_never_the_address(mailing: Client) -> None:
    patient = mailing.user(PATIENT.email)
    mailing.post(API, json={"email": PATIENT.email})
    mailing.post(API, json={"email": "nobody@example.org"})

    rows = [row for row in audit_rows(mailing) if row.action == "password_reset_requested"]

    assert [(row.target_type, row.target_id, row.detail) for row in rows] == [
        ("user", str(patient.id), ""),
        ("", "", "no account"),
    ]
    assert {row.route for row in rows} == {f"POST {API}"}
    for row in audit_rows(mailing):
        for value in (row.target_id, row.detail, row.route, row.client):
            assert "example.org" not in value


def test_the_form_sends_the_link_and_says_so_whatever_the_address(mailing: Client) -> None:
    known = mailing.submit("/password-reset", {"email": PATIENT.email})
    unknown = mailing.submit("/password-reset", {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 200
    assert "If an active account uses that address" in text_of(known)
    assert without_tokens(known.text) == without_tokens(unknown.text)
    assert len(resets(mailing)) == 1


def test_an_empty_address_is_named_in_an_error_summary(mailing: Client) -> None:
    page = mailing.submit("/password-reset", {"email": "  "})

    assert page.status_code == 422
    assert 'class="error-summary"' in page.text
    assert "autofocus" in page.text
    assert '<a href="#email">E-mail address: Enter the e-mail address you sign in with.</a>' in (
        text_of(page)
    )
    assert resets(mailing) == []


def test_the_form_without_its_csrf_token_is_refused(mailing: Client) -> None:
    answer = mailing.post("/password-reset", data={"email": PATIENT.email})

    assert answer.status_code == 403
    assert resets(mailing) == []


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 422, "email"),
        ({"email": ""}, 422, "email"),
        ({"email": "a" * 300 + "@x.org"}, 422, "email"),
        ({"email": PATIENT.email, "role": "admin"}, 422, "role"),
        ({"email": 5}, 422, "email"),
    ],
)
def test_a_bad_request_body_is_refused_naming_the_field(
    mailing: Client, body: dict[str, Any], status: int, field: str
) -> None:
    answer = mailing.post(API, json=body)

    assert answer.status_code == status
    assert field in answer.text
    assert resets(mailing) == []


def test_a_body_that_is_not_json_is_a_400(mailing: Client) -> None:
    answer = mailing.post(API, content=b"email=x", headers={"content-type": "application/json"})

    assert answer.status_code == 400
    assert resets(mailing) == []


def test_an_address_may_ask_three_times_an_hour_then_is_told_to_wait(mailing: Client) -> None:
    for email in (PATIENT.email, "nobody@example.org"):
        answers = [mailing.post(API, json={"email": email}).status_code for _ in range(4)]
        assert answers == [202, 202, 202, 429]

    refused = mailing.post(API, json={"email": PATIENT.email})
    assert refused.json()["code"] == "reset_throttled"
    assert int(refused.headers["retry-after"]) == 3600
    assert "Try again in about 60 minutes" in refused.json()["detail"]
    assert len(resets(mailing)) == 1
    throttled = [row for row in audit_rows(mailing) if row.action == "password_reset_throttled"]
    assert len(throttled) == 1  # then counted, not a row each


def test_a_client_may_ask_twenty_times_an_hour(mailing: Client) -> None:
    answers = [
        mailing.post(API, json={"email": f"someone{n}@example.org"}).status_code for n in range(21)
    ]

    assert answers == [202] * 20 + [429]


def test_the_form_tells_a_throttled_person_to_wait(mailing: Client) -> None:
    for _ in range(3):
        mailing.submit("/password-reset", {"email": PATIENT.email})

    page = mailing.submit("/password-reset", {"email": PATIENT.email})

    assert page.status_code == 429
    assert page.headers["retry-after"] == "3600"
    assert "Too many requests for a new password" in text_of(page)
    assert 'class="error-summary"' in page.text


# --- Setting the new password -------------------------------------------------------------------


def test_the_link_shows_a_new_password_form_with_the_token_in_the_body(mailing: Client) -> None:
    mailing.post(API, json={"email": PATIENT.email})
    token = link_token(mailing)

    page = mailing.get(f"/password-reset/{token}")

    assert page.status_code == 200
    assert '<label for="password">New password</label>' in page.text
    assert f'<input type="hidden" name="token" value="{token}">' in page.text
    assert 'action="/password-reset/confirm"' in page.text
    assert 'autocomplete="new-password"' in page.text


@pytest.mark.parametrize("token", ["a" * 43, "short", "%00", "x" * 5000])
def test_an_unknown_link_shows_a_page_to_ask_again_never_a_500(mailing: Client, token: str) -> None:
    page = mailing.get(f"/password-reset/{token}")

    assert page.status_code in (410, 414)
    if page.status_code == 410:
        assert "This link has expired or was already used" in text_of(page)
        assert '<a class="button" href="/password-reset">Ask for a new link</a>' in page.text


def test_the_form_sets_the_password_signs_out_everywhere_and_lifts_the_lock(
    mailing: Client,
) -> None:
    mailing.login_as(PATIENT)
    other_device = dict(mailing.cookies)  # a session left open elsewhere
    for _ in range(10):
        mailing.cookies.clear()
        sign_in(mailing, PATIENT.email, "a wrong guess")
    mailing.cookies.clear()
    assert sign_in(mailing, PATIENT.email, PERSONA_PASSWORD) == 429
    mailing.cookies.clear()
    mailing.post(API, json={"email": PATIENT.email})

    done = mailing.submit(
        "/password-reset/confirm", {"token": link_token(mailing), "password": NEW_PASSWORD}
    )

    assert done.status_code == 303
    assert done.headers["location"] == "/login"
    assert password_is(mailing, PATIENT.email, NEW_PASSWORD)
    assert "Your new password is set" in text_of(mailing.get("/login"))
    mailing.cookies.clear()
    mailing.cookies.update(other_device)
    assert mailing.get("/api/v1/me").status_code == 401
    mailing.cookies.clear()
    assert sign_in(mailing, PATIENT.email, NEW_PASSWORD) == 200


def test_a_refused_password_is_named_and_the_link_still_works(mailing: Client) -> None:
    mailing.post(API, json={"email": PATIENT.email})
    token = link_token(mailing)

    page = mailing.submit("/password-reset/confirm", {"token": token, "password": "short"})

    assert page.status_code == 422
    assert 'class="error-summary"' in page.text
    assert '<a href="#password">New password: Use at least 8 characters' in text_of(page)
    assert f'name="token" value="{token}"' in page.text
    assert password_is(mailing, PATIENT.email, PERSONA_PASSWORD)
    assert mailing.get(f"/password-reset/{token}").status_code == 200


def test_a_used_link_shows_the_ask_again_page(mailing: Client) -> None:
    mailing.post(API, json={"email": PATIENT.email})
    token = link_token(mailing)
    mailing.submit("/password-reset/confirm", {"token": token, "password": NEW_PASSWORD})

    again = mailing.submit("/password-reset/confirm", {"token": token, "password": "x" * 20})
    page = mailing.get(f"/password-reset/{token}")

    assert again.status_code == page.status_code == 410
    assert "This link has expired or was already used" in text_of(page)
    assert password_is(mailing, PATIENT.email, NEW_PASSWORD)


def test_the_api_sets_the_password_once(mailing: Client) -> None:
    mailing.post(API, json={"email": PATIENT.email})
    token = link_token(mailing)

    refused = mailing.post(CONFIRM, json={"token": token, "password": "short"})
    done = mailing.post(CONFIRM, json={"token": token, "password": NEW_PASSWORD})
    again = mailing.post(CONFIRM, json={"token": token, "password": NEW_PASSWORD})

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "password"
    assert done.status_code == 204
    assert again.status_code == 410
    assert again.json()["code"] == "reset_link_closed"
    assert password_is(mailing, PATIENT.email, NEW_PASSWORD)


@pytest.mark.parametrize(
    "body",
    [{}, {"token": "a" * 43}, {"password": NEW_PASSWORD}, {"token": 1, "password": "x"}],
)
def test_a_bad_confirm_body_is_a_422_and_changes_nothing(
    mailing: Client, body: dict[str, Any]
) -> None:
    answer = mailing.post(CONFIRM, json=body)

    assert answer.status_code == 422
    assert password_is(mailing, PATIENT.email, PERSONA_PASSWORD)


def test_a_done_reset_is_audited_naming_the_account_never_the_token(mailing: Client) -> None:
    patient = mailing.user(PATIENT.email)
    mailing.post(API, json={"email": PATIENT.email})
    token = link_token(mailing)
    mailing.get(f"/password-reset/{token}")
    mailing.submit("/password-reset/confirm", {"token": token, "password": NEW_PASSWORD})

    rows = audit_rows(mailing)

    (done,) = [row for row in rows if row.action == "password_reset_done"]
    assert (done.actor_id, done.target_type, done.target_id) == (
        patient.id,
        "user",
        str(patient.id),
    )
    assert done.route == "POST /password-reset/confirm"
    for row in rows:
        assert token not in f"{row.target_id} {row.detail} {row.route}"


# --- Signed in ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/password-reset", "/password-reset/" + "a" * 43])
def test_a_signed_in_person_is_sent_to_their_account_page(mailing: Client, path: str) -> None:
    mailing.login_as(PATIENT)

    answer = mailing.get(path, follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/account"
    assert "sign out first" in text_of(mailing.get("/account"))


# --- The e-mail ---------------------------------------------------------------------------------


def test_the_e_mailed_link_arrives_and_works(
    mailing: Client, mailing_app: Litestar, smtp: tuple[int, Received]
) -> None:
    _, received = smtp
    delivery = web_context_of(mailing_app).alert_emails
    assert delivery is not None

    mailing.submit("/password-reset", {"email": PATIENT.email})
    delivery.wake()

    (message,) = received.wait_for(1)
    assert message["To"] == PATIENT.email
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    link = next(
        word for word in body.get_content().split() if word.startswith(f"{PUBLIC_URL}/password")
    )
    path = link.removeprefix(PUBLIC_URL)
    page = mailing.get(path)
    assert page.status_code == 200
    token = path.rsplit("/", 1)[1]
    done = mailing.submit("/password-reset/confirm", {"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 303
    assert sign_in(mailing, PATIENT.email, NEW_PASSWORD) == 200


# --- The admin overview -------------------------------------------------------------------------


def test_the_admin_overview_says_when_password_links_could_not_be_sent(mailing: Client) -> None:
    mailing.login_as(PERSONAS["admin"])
    quiet = text_of(mailing.get("/admin"))
    mailing.post("/api/v1/auth/password-reset", json={"email": PATIENT.email})
    now = mailing.now()
    mailing.run(
        lambda: PasswordResetEmail.all().update(
            status=EmailStatus.FAILED, finished_at=now, last_error="SMTPRecipientsRefused"
        )
    )

    failing = text_of(mailing.get("/admin"))

    assert (
        "E-mails with a password link (forgot your password, invitations) in the last 7 days: "
        "0 sent."
    ) in quiet
    assert (
        "1 e-mail with a password link could not be sent in the last 7 days (last error: "
        "SMTPRecipientsRefused): people who forgot their password or were invited could not "
        "set one."
    ) in failing
