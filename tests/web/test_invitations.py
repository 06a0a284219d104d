"""Invitations on the web: with e-mail set up, an administrator creates an account without a
password (the create form's choice, or `"invite": true` in the API), and the person chooses it
through an e-mailed link; the account's page sends the invitation again while it has no password.
Bad combinations are 422s naming the field, e-mail off a 409 naming why, other roles refused
(403), each leaving nothing behind. The e-mail reaches a real SMTP server and its link works.
"""

from __future__ import annotations

from datetime import timedelta
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
from wellness.accounts.models import PasswordReset, User
from wellness.accounts.reset_rules import LinkPurpose
from wellness.audit.models import AuditEvent
from wellness.notifications import reset_mail_rules
from wellness.notifications.models import PasswordResetEmail

USERS = "/api/v1/users"
NEW_PASSWORD = "a fresh and long passphrase"
NOVA = {
    "email": "Nova@Example.org",
    "display_name": "Nova Newcomer",
    "role": "patient",
    "time_zone": "Europe/Berlin",
}
FORM = {**NOVA, "therapist_id": ""}


@pytest.fixture
def admin(mailing: Client) -> Client:
    mailing.login_as(PERSONAS["admin"])
    return mailing


def state(client: Client) -> list[Any]:
    """Every account (with its hash), every link and every waiting e-mail, as stored."""

    async def read() -> list[Any]:
        users = await User.all().order_by("id").values_list("id", "email", "password_hash")
        links = await PasswordReset.all().order_by("id").values_list("id", "user_id", "purpose")
        mails = await PasswordResetEmail.all().order_by("id").values_list("id", "reset_id")
        return [*users, *links, *mails]

    return client.run(read)


def links(client: Client) -> list[PasswordReset]:
    return client.run(lambda: PasswordReset.all().order_by("id"))


def newest_token(client: Client) -> str:
    row = client.run(lambda: PasswordResetEmail.all().order_by("-id").first())
    assert row is not None
    return reset_mail_rules.unseal(row.sealed_token, web_context_of(client.app).settings.secret_key)


def audit_rows(client: Client, *actions: str) -> list[AuditEvent]:
    return client.run(lambda: AuditEvent.filter(action__in=actions).order_by("id"))


def invite_nova(client: Client) -> User:
    response = client.post(USERS, json={**NOVA, "invite": True})
    assert response.status_code == 201, response.text
    return client.user("nova@example.org")


def sign_in(client: Client, email: str, password: str) -> Any:
    client.cookies.clear()
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def refused_fields(response: Any) -> set[str]:
    return {str(error["field"]) for error in response.json().get("errors", [])}


# --- The API ------------------------------------------------------------------------------------


def test_the_api_invites_an_account_without_a_password(admin: Client) -> None:
    response = admin.post(USERS, json={**NOVA, "invite": True})

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["email"], body["invited"], body["active"]) == ("nova@example.org", True, True)
    nova = admin.user("nova@example.org")
    assert nova.password_hash == passwords.UNUSABLE_PASSWORD
    (link,) = links(admin)
    assert (link.user_id, link.purpose) == (nova.id, LinkPurpose.INVITE)
    assert link.expires_at == admin.now() + timedelta(days=7)
    rows = audit_rows(admin, "account_created", "account_invited")
    assert [(row.action, row.target_type, row.target_id) for row in rows] == [
        ("account_created", "user", str(nova.id)),
        ("account_invited", "user", str(nova.id)),
    ]
    token = newest_token(admin)
    for row in rows:
        assert token not in f"{row.detail} {row.route}"
        assert "nova" not in f"{row.detail} {row.route}".lower()


def test_a_password_still_makes_an_account_as_before_with_e_mail_on(admin: Client) -> None:
    response = admin.post(USERS, json={**NOVA, "password": NEW_PASSWORD})

    assert response.status_code == 201, response.text
    assert response.json()["invited"] is False
    assert links(admin) == []
    assert sign_in(admin, "nova@example.org", NEW_PASSWORD).status_code == 200


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"invite": True, "password": NEW_PASSWORD}, "invite"),
        ({}, "password"),
        ({"invite": False}, "password"),
    ],
)
def test_a_password_and_an_invitation_both_or_neither_is_a_422_naming_it(
    admin: Client, extra: dict[str, Any], field: str
) -> None:
    before = state(admin)

    response = admin.post(USERS, json={**NOVA, **extra})

    assert response.status_code == 422
    assert refused_fields(response) == {field}
    assert "invite" in response.json()["detail"]
    assert state(admin) == before


def test_neither_a_password_nor_an_invitation_is_named_with_every_other_fault(
    admin: Client,
) -> None:
    before = state(admin)

    response = admin.post(USERS, json={**NOVA, "email": "not an address", "display_name": " "})

    assert response.status_code == 422
    assert refused_fields(response) == {"email", "display_name", "password"}
    assert state(admin) == before


def test_an_invitation_while_e_mail_is_off_is_a_409_naming_why(
    as_admin: Client,
) -> None:
    before = state(as_admin)

    response = as_admin.post(USERS, json={**NOVA, "invite": True})

    assert response.status_code == 409
    assert response.json()["code"] == "invitations_off"
    assert "e-mail is not set up" in response.json()["detail"]
    assert state(as_admin) == before


def test_sending_again_voids_the_older_link_and_is_audited(admin: Client) -> None:
    nova = invite_nova(admin)
    first = newest_token(admin)

    response = admin.post(f"{USERS}/{nova.id}/invitation")

    assert response.status_code == 202
    assert response.json() == {"user_id": nova.id, "expires_in_days": 7}
    (link,) = links(admin)
    assert link.purpose is LinkPurpose.INVITE
    assert newest_token(admin) != first
    (sent,) = audit_rows(admin, "invitation_sent")
    assert (sent.target_type, sent.target_id) == ("user", str(nova.id))
    admin.cookies.clear()
    assert admin.get(f"/password-reset/{first}").status_code == 410
    assert admin.get(f"/password-reset/{newest_token(admin)}").status_code == 200


def test_sending_again_to_an_account_with_a_password_is_a_409(admin: Client) -> None:
    patient = admin.user(PERSONAS["patient"].email)
    before = state(admin)

    response = admin.post(f"{USERS}/{patient.id}/invitation")

    assert response.status_code == 409
    assert response.json()["code"] == "not_invitable"
    assert "has a password already" in response.json()["detail"]
    assert state(admin) == before
    assert audit_rows(admin, "invitation_sent") == []


def test_sending_again_to_a_deactivated_account_is_a_409(admin: Client) -> None:
    nova = invite_nova(admin)
    assert admin.put(f"{USERS}/{nova.id}/active", json={"active": False}).status_code == 200
    before = state(admin)

    response = admin.post(f"{USERS}/{nova.id}/invitation")

    assert response.status_code == 409
    assert "deactivated" in response.json()["detail"]
    assert state(admin) == before


def test_sending_again_while_e_mail_is_off_is_a_409(as_admin: Client) -> None:
    patient = as_admin.user(PERSONAS["patient"].email)
    before = state(as_admin)

    response = as_admin.post(f"{USERS}/{patient.id}/invitation")

    assert response.status_code == 409
    assert response.json()["code"] == "invitations_off"
    assert state(as_admin) == before


def test_sending_again_to_no_such_account_is_a_404(admin: Client) -> None:
    assert admin.post(f"{USERS}/999999/invitation").status_code == 404


@pytest.mark.parametrize("persona", ["patient", "therapist", "coordinator"])
def test_no_one_but_an_administrator_invites_or_sends_again(admin: Client, persona: str) -> None:
    nova = invite_nova(admin)
    before = state(admin)
    admin.login_as(PERSONAS[persona])

    created = admin.post(USERS, json={**NOVA, "email": "other@example.org", "invite": True})
    again = admin.post(f"{USERS}/{nova.id}/invitation")
    form = admin.submit("/admin/users/new", {**FORM, "setup": "invite"})
    button = admin.submit(f"/admin/users/{nova.id}/invitation")

    assert [r.status_code for r in (created, again, form, button)] == [403, 403, 403, 403]
    assert state(admin) == before


def test_a_retried_invitation_makes_one_account_and_sends_one_e_mail(admin: Client) -> None:
    headers = {"Idempotency-Key": "invite-nova-1"}
    first = admin.post(USERS, json={**NOVA, "invite": True}, headers=headers)
    again = admin.post(USERS, json={**NOVA, "invite": True}, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert len(links(admin)) == 1


# --- Signing in and the link --------------------------------------------------------------------


def test_an_invited_account_is_refused_sign_in_as_a_wrong_password_is(admin: Client) -> None:
    invite_nova(admin)

    invited = sign_in(admin, "nova@example.org", "any long password at all")
    wrong = sign_in(admin, PERSONAS["patient"].email, "any long password at all")

    assert (invited.status_code, wrong.status_code) == (401, 401)
    assert invited.json() == wrong.json()


def test_the_link_shows_choose_your_password_and_sets_it(admin: Client) -> None:
    nova = invite_nova(admin)
    token = newest_token(admin)
    admin.cookies.clear()

    page = admin.get(f"/password-reset/{token}")

    assert page.status_code == 200
    assert "Choose your password" in text_of(page)
    assert "An account was made for you" in text_of(page)
    refused = admin.submit("/password-reset/confirm", {"token": token, "password": "short"})
    assert refused.status_code == 422
    assert "Choose your password" in text_of(refused)
    done = admin.submit("/password-reset/confirm", {"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 303
    assert done.headers["location"] == "/login"
    assert "Your password is set" in text_of(admin.get("/login"))
    assert admin.user(nova.email).invited is False
    assert sign_in(admin, nova.email, NEW_PASSWORD).status_code == 200
    (accepted,) = audit_rows(admin, "invitation_accepted")
    assert (accepted.actor_id, accepted.target_id) == (nova.id, str(nova.id))
    assert audit_rows(admin, "password_reset_done") == []
    admin.cookies.clear()
    assert admin.get(f"/password-reset/{token}").status_code == 410  # used


def test_the_api_confirm_sets_an_invited_accounts_password(admin: Client) -> None:
    nova = invite_nova(admin)
    token = newest_token(admin)
    admin.cookies.clear()

    done = admin.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )

    assert done.status_code == 204
    assert sign_in(admin, nova.email, NEW_PASSWORD).status_code == 200


# --- The pages ----------------------------------------------------------------------------------


def test_with_e_mail_on_the_form_offers_the_invitation_first(admin: Client) -> None:
    page = admin.get("/admin/users/new")

    assert page.status_code == 200
    assert 'id="setup-invite" name="setup" value="invite" checked' in page.text
    assert "Send an invitation e-mail" in text_of(page)
    assert 'data-shown-when="setup=password"' in page.text


def test_without_e_mail_the_form_asks_for_a_password_as_before(as_admin: Client) -> None:
    page = as_admin.get("/admin/users/new")

    assert 'name="setup"' not in page.text
    assert "invitation" not in text_of(page).lower()
    assert 'name="password"' in page.text


def test_the_form_invites_and_the_pages_show_the_account_invited(admin: Client) -> None:
    done = admin.submit("/admin/users/new", {**FORM, "setup": "invite", "password": "ignored"})

    assert done.status_code == 303
    nova = admin.user("nova@example.org")
    assert nova.password_hash == passwords.UNUSABLE_PASSWORD  # the unchosen field is not read
    assert done.headers["location"] == f"/admin/users/{nova.id}"
    page = admin.get(done.headers["location"])
    assert "An invitation to choose a password is on its way" in text_of(page)
    assert "Invited, not yet signed in" in text_of(page)
    assert f'action="/admin/users/{nova.id}/invitation"' in page.text
    assert "Invited, not yet signed in" in text_of(admin.get("/admin/users"))
    assert len(links(admin)) == 1


def test_the_form_still_takes_a_password_when_chosen(admin: Client) -> None:
    done = admin.submit("/admin/users/new", {**FORM, "setup": "password", "password": NEW_PASSWORD})

    assert done.status_code == 303
    nova = admin.user("nova@example.org")
    assert nova.invited is False
    assert links(admin) == []
    page = admin.get(f"/admin/users/{nova.id}")
    assert "/invitation" not in page.text


@pytest.mark.parametrize(
    ("setup", "field", "words"),
    [("", "setup", "Choose an invitation"), ("admin", "setup", "Choose an invitation")],
)
def test_the_form_without_a_known_choice_is_a_422_naming_it(
    admin: Client, setup: str, field: str, words: str
) -> None:
    before = state(admin)

    page = admin.submit("/admin/users/new", {**FORM, "setup": setup, "password": NEW_PASSWORD})

    assert page.status_code == 422
    assert words in text_of(page)
    assert 'href="#setup"' in page.text
    assert state(admin) == before


def test_the_form_with_e_mail_off_ignores_an_invitation_and_asks_for_a_password(
    as_admin: Client,
) -> None:
    before = state(as_admin)

    page = as_admin.submit("/admin/users/new", {**FORM, "setup": "invite"})

    assert page.status_code == 422
    assert 'href="#password"' in page.text
    assert state(as_admin) == before


def test_the_button_sends_the_invitation_again(admin: Client) -> None:
    nova = invite_nova(admin)
    first = newest_token(admin)

    done = admin.submit(f"/admin/users/{nova.id}/invitation")

    assert done.status_code == 303
    assert "A new invitation is on its way" in text_of(admin.get(done.headers["location"]))
    assert newest_token(admin) != first
    assert len(links(admin)) == 1


def test_the_button_for_an_account_with_a_password_says_why_not(admin: Client) -> None:
    patient = admin.user(PERSONAS["patient"].email)
    before = state(admin)

    page = admin.submit(f"/admin/users/{patient.id}/invitation")

    assert page.status_code == 409
    assert "has a password already" in text_of(page)
    assert state(admin) == before


def test_an_administrator_sets_the_password_of_an_invited_account(admin: Client) -> None:
    nova = invite_nova(admin)

    done = admin.submit(f"/admin/users/{nova.id}/password", {"password": NEW_PASSWORD})

    assert done.status_code == 303
    assert admin.user(nova.email).invited is False
    assert links(admin) == []  # the invitation's link is void
    page = admin.get(f"/admin/users/{nova.id}")
    assert "Invited" not in text_of(page)
    assert sign_in(admin, nova.email, NEW_PASSWORD).status_code == 200


# --- The e-mail ---------------------------------------------------------------------------------


def test_the_e_mailed_invitation_arrives_and_its_link_works(
    admin: Client, mailing_app: Litestar, smtp: tuple[int, Received]
) -> None:
    _, received = smtp
    delivery = web_context_of(mailing_app).alert_emails
    assert delivery is not None

    admin.submit("/admin/users/new", {**FORM, "setup": "invite"})
    delivery.wake()

    (message,) = received.wait_for(1)
    assert message["To"] == "nova@example.org"
    assert message["Subject"] == "Choose your password"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    link = next(
        word for word in body.get_content().split() if word.startswith(f"{PUBLIC_URL}/password")
    )
    path = link.removeprefix(PUBLIC_URL)
    admin.cookies.clear()
    page = admin.get(path)
    assert page.status_code == 200
    assert "Choose your password" in text_of(page)
    token = path.rsplit("/", 1)[1]
    done = admin.submit("/password-reset/confirm", {"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 303
    assert sign_in(admin, "nova@example.org", NEW_PASSWORD).status_code == 200
    assert sign_in(admin, PERSONAS["admin"].email, PERSONA_PASSWORD).status_code == 200
