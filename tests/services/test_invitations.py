"""Invitations by e-mail: an account made without a password has no usable one (every sign-in is
refused as a wrong password is, after the same work), its invitation's link opens for 7 days
(the last instant included) and sets the first password once; a new invitation voids the older
link; an account with a password or deactivated gets none. A "forgot your password?" request for
an invited account sends an ordinary 30-minute reset link, which voids the invitation's. The
e-mail reaches a real SMTP server on a local port, names no one and carries a working link.

Alice is a patient in Berlin; TEST_NOW is Tuesday 24 November 2026, 15:30 in Berlin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import TEST_NOW
from tests.mail_servers import PUBLIC_URL, Received, mail_settings
from tests.services.conftest import Orm
from wellness.accounts import password_resets, passwords, reset_rules
from wellness.accounts import services as accounts
from wellness.accounts.models import PasswordReset, User
from wellness.accounts.reset_rules import LinkPurpose
from wellness.accounts.roles import Role
from wellness.lib.clock import FixedClock
from wellness.notifications import password_reset_mail, reset_mail_rules
from wellness.notifications.delivery import Round
from wellness.notifications.mailer import mailer_for
from wellness.notifications.models import PasswordResetEmail

SECRET = "a secret key of at least thirty-two characters, for tests"
NEW_PASSWORD = "a fresh and long passphrase"
NOVA = accounts.NewAccount("Nova@Example.org", "Nova Newcomer", Role.PATIENT, None, "Europe/Berlin")


@pytest.fixture
def nova(orm: Orm) -> User:
    """A patient an administrator made without a password, not yet sent anything."""
    return orm.run(accounts.register(NOVA))


def invite(orm: Orm, user: User, *, now=TEST_NOW) -> None:  # type: ignore[no-untyped-def]
    orm.run(password_reset_mail.invite(user.id, secret_key=SECRET, now=now))


def outbox(orm: Orm) -> list[PasswordResetEmail]:
    return orm.run(PasswordResetEmail.all().order_by("id"))


def links(orm: Orm) -> list[PasswordReset]:
    return orm.run(PasswordReset.all().order_by("id"))


def newest_token(orm: Orm) -> str:
    return reset_mail_rules.unseal(outbox(orm)[-1].sealed_token, SECRET)


def reload(orm: Orm, user: User) -> User:
    return orm.run(User.get(id=user.id))


def deliver(orm: Orm, port: int, clock: FixedClock) -> Round:
    mail = mail_settings(port)
    mailer = mailer_for(mail.server, PUBLIC_URL)
    return orm.run(password_reset_mail.deliver_reset_emails(mailer, mail, clock, secret_key=SECRET))


# --- The account without a password -------------------------------------------------------------


def test_an_account_made_without_a_password_has_an_unusable_one(orm: Orm, nova: User) -> None:
    stored = reload(orm, nova)

    assert stored.password_hash == passwords.UNUSABLE_PASSWORD
    assert stored.invited is True
    assert (stored.email, stored.display_name, stored.is_active) == (
        "nova@example.org",
        "Nova Newcomer",
        True,
    )
    assert links(orm) == []  # making the account sends nothing by itself


@pytest.mark.parametrize("password", ["", "!", NEW_PASSWORD, passwords.UNUSABLE_PASSWORD * 40])
def test_no_password_signs_in_to_an_invited_account(orm: Orm, nova: User, password: str) -> None:
    assert orm.run(accounts.authenticate(nova.email, password, now=TEST_NOW)) is None
    checked = orm.run(accounts.check_credentials(nova.email, password, now=TEST_NOW))
    assert checked == accounts.CredentialCheck(None, nova.id)  # as for a wrong password
    assert reload(orm, nova).last_login_at is None


def test_an_invited_account_costs_a_sign_in_the_same_work_as_a_wrong_password(
    orm: Orm, nova: User, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each verifies one Argon2 hash with the hasher's parameters: the time tells nothing."""
    verified: list[str] = []
    hasher = passwords.HASHER

    class Recording:
        def verify(self, password_hash: str, password: str) -> bool:
            verified.append(password_hash)
            return hasher.verify(password_hash, password)

        def __getattr__(self, name: str) -> Any:
            return getattr(hasher, name)

    monkeypatch.setattr(passwords, "HASHER", Recording())

    assert orm.run(accounts.authenticate(nova.email, "a wrong but long one", now=TEST_NOW)) is None
    assert orm.run(accounts.authenticate(alice.email, "a wrong but long one", now=TEST_NOW)) is None

    assert verified == [passwords.dummy_hash(), reload(orm, alice).password_hash]
    assert passwords.needs_rehash(passwords.UNUSABLE_PASSWORD) is False


def test_an_administrator_sets_a_password_on_an_invited_account(orm: Orm, nova: User) -> None:
    invite(orm, nova)

    orm.run(accounts.set_password(nova, NEW_PASSWORD))

    stored = reload(orm, nova)
    assert stored.invited is False
    assert orm.run(accounts.authenticate(nova.email, NEW_PASSWORD, now=TEST_NOW)) is not None
    assert links(orm) == []  # the invitation's link went with it, and its unsent e-mail
    assert outbox(orm) == []


# --- The invitation's link ----------------------------------------------------------------------


def test_an_invitation_stores_a_seven_day_link_and_its_e_mail_sealed(orm: Orm, nova: User) -> None:
    invite(orm, nova)

    (link,) = links(orm)
    (email,) = outbox(orm)
    token = newest_token(orm)
    assert (link.user_id, link.purpose) == (nova.id, LinkPurpose.INVITE)
    assert link.expires_at == TEST_NOW + timedelta(days=7)
    assert link.token_digest == reset_rules.token_digest(token)
    assert token not in email.sealed_token
    assert email.reset_id == link.id


def test_the_link_opens_until_its_seventh_day_ends_and_not_a_moment_later(
    orm: Orm, nova: User, clock: FixedClock
) -> None:
    invite(orm, nova)
    token = newest_token(orm)
    last = TEST_NOW + timedelta(days=7)
    clock.set(last)

    opened = orm.run(password_resets.open_link(token, now=clock.now()))
    assert (opened.user.id, opened.is_invitation) == (nova.id, True)
    clock.set(last + timedelta(microseconds=1))
    with pytest.raises(password_resets.ResetLinkClosed):
        orm.run(password_resets.open_link(token, now=clock.now()))
    with pytest.raises(password_resets.ResetLinkClosed):
        orm.run(password_resets.complete(token, NEW_PASSWORD, now=clock.now()))
    assert reload(orm, nova).invited is True


def test_the_link_sets_the_first_password_once(orm: Orm, nova: User) -> None:
    invite(orm, nova)
    token = newest_token(orm)
    later = TEST_NOW + timedelta(days=6)

    done = orm.run(password_resets.complete(token, NEW_PASSWORD, now=later))

    assert (done.user.id, done.is_invitation) == (nova.id, True)
    stored = reload(orm, nova)
    assert stored.invited is False
    assert orm.run(accounts.authenticate(nova.email, NEW_PASSWORD, now=later)) is not None
    (link,) = links(orm)
    assert link.used_at == later
    with pytest.raises(password_resets.ResetLinkClosed):
        orm.run(password_resets.complete(token, "yet another long passphrase", now=later))


def test_a_refused_password_leaves_the_invitation_open(orm: Orm, nova: User) -> None:
    invite(orm, nova)
    token = newest_token(orm)

    with pytest.raises(accounts.AccountError) as refused:
        orm.run(password_resets.complete(token, "nova@example.org", now=TEST_NOW))

    assert refused.value.field == "password"
    assert reload(orm, nova).invited is True
    assert orm.run(password_resets.open_link(token, now=TEST_NOW)).is_invitation


def test_a_corrected_e_mail_address_voids_the_invitation_and_it_can_be_sent_again(
    orm: Orm, nova: User
) -> None:
    invite(orm, nova)
    sent_to_the_old_address = newest_token(orm)

    orm.run(accounts.change_name_and_email(nova, nova.display_name, "nova.new@example.org"))

    assert links(orm) == []
    with pytest.raises(password_resets.ResetLinkClosed):
        orm.run(password_resets.open_link(sent_to_the_old_address, now=TEST_NOW))
    invite(orm, reload(orm, nova))
    assert orm.run(password_resets.open_link(newest_token(orm), now=TEST_NOW)).user.id == nova.id


def test_sending_again_voids_the_older_link_and_its_unsent_e_mail(orm: Orm, nova: User) -> None:
    invite(orm, nova)
    first = newest_token(orm)

    invite(orm, nova, now=TEST_NOW + timedelta(days=2))

    (link,) = links(orm)
    (email,) = outbox(orm)
    assert link.expires_at == TEST_NOW + timedelta(days=9)
    with pytest.raises(password_resets.ResetLinkClosed):
        orm.run(password_resets.open_link(first, now=TEST_NOW + timedelta(days=2)))
    second = reset_mail_rules.unseal(email.sealed_token, SECRET)
    assert orm.run(password_resets.open_link(second, now=TEST_NOW + timedelta(days=8))).user.id == (
        nova.id
    )


def test_an_account_with_a_password_gets_no_invitation(orm: Orm, alice: User) -> None:
    with pytest.raises(password_reset_mail.NotInvitable) as refused:
        invite(orm, alice)

    assert "has a password already" in refused.value.message
    assert (links(orm), outbox(orm)) == ([], [])


def test_a_deactivated_invited_account_gets_no_invitation(orm: Orm, nova: User) -> None:
    invite(orm, nova)
    orm.run(accounts.set_active(nova.id, False))

    with pytest.raises(password_reset_mail.NotInvitable) as refused:
        invite(orm, nova, now=TEST_NOW + timedelta(days=1))

    assert "deactivated" in refused.value.message
    assert len(links(orm)) == 1  # the earlier one is untouched (and opens nothing: inactive)
    with pytest.raises(password_resets.ResetLinkClosed):
        orm.run(password_resets.open_link(newest_token(orm), now=TEST_NOW))


def test_a_reset_request_for_an_invited_account_sends_a_reset_link_instead(
    orm: Orm, nova: User
) -> None:
    invite(orm, nova)
    invitation = newest_token(orm)

    asked = orm.run(password_reset_mail.request_reset(nova.email, secret_key=SECRET, now=TEST_NOW))

    assert asked == password_reset_mail.ResetRequest(nova.id, sent=True)
    (link,) = links(orm)
    assert (link.purpose, link.expires_at) == (LinkPurpose.RESET, TEST_NOW + timedelta(minutes=30))
    with pytest.raises(password_resets.ResetLinkClosed):
        orm.run(password_resets.open_link(invitation, now=TEST_NOW))
    orm.run(password_resets.complete(newest_token(orm), NEW_PASSWORD, now=TEST_NOW))
    assert reload(orm, nova).invited is False


# --- The e-mail ---------------------------------------------------------------------------------


def test_the_invitation_e_mail_names_no_one_and_carries_a_working_link(
    orm: Orm, nova: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    invite(orm, nova)

    done = deliver(orm, port, clock)

    assert (done.sent, done.recipients) == (1, [nova.id])
    (message,) = received.wait_for(1)
    assert message["To"] == nova.email
    assert message["Subject"] == "Choose your password"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert f"An account was made for you at {PUBLIC_URL}" in text
    assert "works once, for 7 days" in text
    for secret in ("Nova", "nova", "Newcomer", "Berlin", "anxiety", "rehab", "therap", "patient"):
        assert secret not in text.replace(nova.email, ""), secret
    link = text.split(f"{PUBLIC_URL}/password-reset/", 1)[1].split()[0]
    (email,) = outbox(orm)
    assert email.sealed_token == ""
    orm.run(password_resets.complete(link, NEW_PASSWORD, now=TEST_NOW))
    assert orm.run(accounts.authenticate(nova.email, NEW_PASSWORD, now=TEST_NOW)) is not None


def test_a_reset_e_mail_keeps_its_own_words(
    orm: Orm, alice: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    orm.run(password_reset_mail.request_reset(alice.email, secret_key=SECRET, now=TEST_NOW))

    deliver(orm, port, clock)

    (message,) = received.wait_for(1)
    assert message["Subject"] == "Set a new password"
    assert "An account was made" not in str(message.get_body(preferencelist=("plain",)))
