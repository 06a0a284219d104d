"""Password reset links: only the token's digest is stored; a link opens for 30 minutes (its last
instant included), once; a newer request, any change of the password and a new e-mail address
void it; a deactivated or unknown address gets no link but the same answer. The e-mail goes
through the outbox to a real SMTP server on a local port, carries a link that works and names no
one.

Alice is a patient in Berlin; TEST_NOW is Tuesday 24 November 2026, 15:30 in Berlin."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from tests.conftest import TEST_NOW
from tests.mail_servers import PUBLIC_URL, Received, mail_settings, refusing_server
from tests.services.conftest import Orm
from wellness.accounts import password_resets, passwords, reset_rules
from wellness.accounts import services as accounts
from wellness.accounts.models import PasswordReset, User
from wellness.lib.clock import FixedClock
from wellness.notifications import outbox as outbox_figures
from wellness.notifications import password_reset_mail, reset_mail_rules
from wellness.notifications.delivery import Round
from wellness.notifications.mailer import mailer_for
from wellness.notifications.models import PasswordResetEmail
from wellness.notifications.rules import EmailStatus

SECRET = "a secret key of at least thirty-two characters, for tests"
NEW_PASSWORD = "a fresh and long passphrase"


def ask(orm: Orm, email: str, *, now=TEST_NOW) -> password_reset_mail.ResetRequest:  # type: ignore[no-untyped-def]
    return orm.run(password_reset_mail.request_reset(email, secret_key=SECRET, now=now))


def outbox(orm: Orm) -> list[PasswordResetEmail]:
    return orm.run(PasswordResetEmail.all().order_by("id"))


def resets(orm: Orm) -> list[PasswordReset]:
    return orm.run(PasswordReset.all().order_by("id"))


def token_of(row: PasswordResetEmail) -> str:
    return reset_mail_rules.unseal(row.sealed_token, SECRET)


def deliver(orm: Orm, port: int, clock: FixedClock) -> Round:
    mail = mail_settings(port)
    mailer = mailer_for(mail.server, PUBLIC_URL)
    return orm.run(password_reset_mail.deliver_reset_emails(mailer, mail, clock, secret_key=SECRET))


def reload(orm: Orm, user: User) -> User:
    return orm.run(User.get(id=user.id))


# --- Requests -----------------------------------------------------------------------------------


def test_a_request_stores_the_tokens_digest_and_its_e_mail_sealed(orm: Orm, alice: User) -> None:
    asked = ask(orm, "Alice@Example.org ")

    assert asked == password_reset_mail.ResetRequest(alice.id, sent=True)
    (reset,) = resets(orm)
    (email,) = outbox(orm)
    token = token_of(email)
    assert reset_rules.looks_like_token(token)
    assert reset.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in email.sealed_token
    assert token not in reset.token_digest
    assert reset.user_id == alice.id
    assert reset.expires_at == TEST_NOW + timedelta(minutes=30)
    assert (email.reset_id, email.status) == (reset.id, EmailStatus.PENDING)


def test_an_unknown_address_gets_no_link_and_the_same_kind_of_answer(orm: Orm, alice: User) -> None:
    asked = ask(orm, "nobody@example.org")

    assert asked == password_reset_mail.ResetRequest(None, sent=False)
    assert resets(orm) == []
    assert outbox(orm) == []


def test_a_deactivated_account_gets_no_link(orm: Orm, alice: User) -> None:
    orm.run(accounts.set_active(alice.id, False))

    asked = ask(orm, alice.email)

    assert asked == password_reset_mail.ResetRequest(alice.id, sent=False)
    assert resets(orm) == []
    assert outbox(orm) == []


def test_unknown_addresses_still_draw_hash_and_seal_a_token(
    orm: Orm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same work before the lookup, whatever the address (no quicker answer for strangers)."""
    done: list[str] = []
    digest, seal = reset_rules.token_digest, reset_mail_rules.seal

    def hashed(token: str) -> str:
        done.append("hashed")
        return digest(token)

    def sealed(token: str, key: str) -> str:
        done.append("sealed")
        return seal(token, key)

    monkeypatch.setattr(reset_rules, "token_digest", hashed)
    monkeypatch.setattr(reset_mail_rules, "seal", sealed)

    ask(orm, "nobody@example.org")

    assert done == ["hashed", "sealed"]


def test_a_newer_request_voids_the_older_link_and_its_unsent_e_mail(orm: Orm, alice: User) -> None:
    ask(orm, alice.email)
    first = token_of(outbox(orm)[0])

    ask(orm, alice.email, now=TEST_NOW + timedelta(minutes=5))

    (reset,) = resets(orm)
    (email,) = outbox(orm)
    assert reset.created_at == TEST_NOW + timedelta(minutes=5)
    with pytest.raises(password_resets.ResetLinkClosed):
        orm.run(password_resets.open_link(first, now=TEST_NOW + timedelta(minutes=6)))
    link = orm.run(password_resets.open_link(token_of(email), now=TEST_NOW + timedelta(minutes=6)))
    assert link.user.id == alice.id


# --- Links --------------------------------------------------------------------------------------


def test_a_link_opens_until_its_thirtieth_minute_and_not_a_moment_later(
    orm: Orm, alice: User
) -> None:
    ask(orm, alice.email)
    token = token_of(outbox(orm)[0])
    last = TEST_NOW + timedelta(minutes=30)

    assert orm.run(password_resets.open_link(token, now=last)).user.id == alice.id
    with pytest.raises(password_resets.ResetLinkClosed):
        orm.run(password_resets.open_link(token, now=last + timedelta(microseconds=1)))
    with pytest.raises(password_resets.ResetLinkClosed):
        orm.run(password_resets.complete(token, NEW_PASSWORD, now=last + timedelta(seconds=1)))
    assert passwords.verify_password(reload(orm, alice).password_hash, NEW_PASSWORD) is False


def test_a_link_sets_the_password_once_ending_every_session(orm: Orm, alice: User) -> None:
    ask(orm, alice.email)
    token = token_of(outbox(orm)[0])
    later = TEST_NOW + timedelta(minutes=29)

    orm.run(password_resets.complete(token, NEW_PASSWORD, now=later))

    stored = reload(orm, alice)
    assert passwords.verify_password(stored.password_hash, NEW_PASSWORD)
    assert stored.session_epoch == alice.session_epoch + 1
    assert resets(orm)[0].used_at == later
    with pytest.raises(password_resets.ResetLinkClosed):
        orm.run(password_resets.complete(token, "yet another long passphrase", now=later))
    assert passwords.verify_password(reload(orm, alice).password_hash, NEW_PASSWORD)


def test_a_refused_password_leaves_the_link_open(orm: Orm, alice: User) -> None:
    ask(orm, alice.email)
    token = token_of(outbox(orm)[0])

    with pytest.raises(accounts.AccountError) as refused:
        orm.run(password_resets.complete(token, "short", now=TEST_NOW))

    assert refused.value.field == "password"
    assert resets(orm)[0].used_at is None
    orm.run(password_resets.complete(token, NEW_PASSWORD, now=TEST_NOW))


# A well-formed token no link was made with: a fixed one, so that every pytest-xdist worker
# collects the same test ids.
UNKNOWN_TOKEN = "Zq3_unknown-but-well-formed-token-012345678"


@pytest.mark.parametrize(
    "token", ["", "x" * 42, "x" * 44, "é" * 43, UNKNOWN_TOKEN, "a/" * 21 + "b"]
)
def test_unknown_or_malformed_tokens_open_nothing(orm: Orm, alice: User, token: str) -> None:
    with pytest.raises(password_resets.ResetLinkClosed):
        orm.run(password_resets.open_link(token, now=TEST_NOW))


def test_a_password_changed_any_other_way_voids_the_link(orm: Orm, alice: User) -> None:
    ask(orm, alice.email)
    token = token_of(outbox(orm)[0])

    orm.run(accounts.set_password(alice, "set by an administrator"))

    assert resets(orm) == []
    assert outbox(orm) == []
    with pytest.raises(password_resets.ResetLinkClosed):
        orm.run(password_resets.open_link(token, now=TEST_NOW))


def test_a_new_e_mail_address_voids_the_link_sent_to_the_old_one(orm: Orm, alice: User) -> None:
    ask(orm, alice.email)
    token = token_of(outbox(orm)[0])

    orm.run(accounts.change_name_and_email(alice, alice.display_name, "alice.new@example.org"))

    assert resets(orm) == []
    assert outbox(orm) == []
    with pytest.raises(password_resets.ResetLinkClosed):
        orm.run(password_resets.open_link(token, now=TEST_NOW))


def test_a_new_name_alone_leaves_the_link_open(orm: Orm, alice: User) -> None:
    ask(orm, alice.email)
    token = token_of(outbox(orm)[0])

    orm.run(accounts.change_name_and_email(alice, "Alice Renamed", alice.email))

    assert orm.run(password_resets.open_link(token, now=TEST_NOW)).user.id == alice.id


def test_a_link_of_an_account_deactivated_since_opens_nothing(orm: Orm, alice: User) -> None:
    ask(orm, alice.email)
    token = token_of(outbox(orm)[0])

    orm.run(accounts.set_active(alice.id, False))

    with pytest.raises(password_resets.ResetLinkClosed):
        orm.run(password_resets.complete(token, NEW_PASSWORD, now=TEST_NOW))


# --- Delivery -----------------------------------------------------------------------------------


def test_the_e_mail_carries_a_working_link_names_no_one_and_forgets_the_token(
    orm: Orm, alice: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    ask(orm, alice.email)

    done = deliver(orm, port, clock)

    assert (done.sent, done.recipients) == (1, [alice.id])
    (message,) = received.wait_for(1)
    assert message["To"] == alice.email
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = f"{message['Subject']}\n{body.get_content()}"
    link = text.split(f"{PUBLIC_URL}/password-reset/", 1)[1].split()[0]
    assert "30 minutes" in text
    assert "ignore" in text
    for secret in ("Alice", "alice", "Berlin", "anxiety", "rehab", "therap", "patient"):
        assert secret not in text, secret
    (email,) = outbox(orm)
    assert (email.status, email.sealed_token) == (EmailStatus.SENT, "")
    orm.run(password_resets.complete(link, NEW_PASSWORD, now=TEST_NOW))
    assert passwords.verify_password(reload(orm, alice).password_hash, NEW_PASSWORD)


def test_an_e_mail_whose_link_was_used_or_expired_is_cancelled_unsent(
    orm: Orm, alice: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    ask(orm, alice.email)
    clock.set(TEST_NOW + timedelta(minutes=31))

    done = deliver(orm, port, clock)

    assert (done.sent, done.cancelled) == (0, 1)
    (email,) = outbox(orm)
    assert (email.status, email.sealed_token) == (EmailStatus.CANCELLED, "")
    assert received.messages == []


def test_a_deactivated_accounts_waiting_e_mail_is_cancelled(
    orm: Orm, alice: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    ask(orm, alice.email)
    orm.run(accounts.set_active(alice.id, False))

    done = deliver(orm, port, clock)

    assert done.cancelled == 1
    assert received.messages == []


def test_a_refused_e_mail_is_tried_again_but_never_after_its_link_expires(
    orm: Orm, alice: User, clock: FixedClock
) -> None:
    ask(orm, alice.email)
    with refusing_server() as (port, _):
        first = deliver(orm, port, clock)
        (email,) = outbox(orm)
        assert first.failed == 1
        assert email.status == EmailStatus.PENDING
        assert email.sealed_token
        assert email.next_attempt_at == TEST_NOW + timedelta(minutes=1)
        for _ in range(10):
            clock.set(orm.run(PasswordResetEmail.get(id=email.id)).next_attempt_at)
            deliver(orm, port, clock)

    (email,) = outbox(orm)
    assert email.status == EmailStatus.FAILED
    assert email.sealed_token == ""
    assert email.finished_at is not None
    assert email.finished_at <= TEST_NOW + reset_rules.LIFETIME


def test_a_link_sealed_under_another_key_is_not_sent(
    orm: Orm, alice: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    orm.run(password_reset_mail.request_reset(alice.email, secret_key="another " * 5, now=TEST_NOW))

    done = deliver(orm, port, clock)

    assert done.failed == 1
    assert received.messages == []
    assert outbox(orm)[0].status == EmailStatus.FAILED


def test_the_admin_overview_counts_password_link_e_mails_sent_and_failed_for_7_days(
    orm: Orm, alice: User, bob: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, _ = server
    ask(orm, alice.email)
    orm.run(password_reset_mail.request_reset(bob.email, secret_key="another " * 5, now=TEST_NOW))
    deliver(orm, port, clock)
    last_error = outbox(orm)[-1].last_error

    figures = orm.run(outbox_figures.password_link_figures(now=TEST_NOW))
    past_the_week = TEST_NOW + timedelta(days=7, seconds=1)
    week_later = orm.run(outbox_figures.password_link_figures(now=past_the_week))

    assert (figures.sent, figures.failed) == (1, 1)
    assert figures.last_error == last_error != ""
    assert (week_later.sent, week_later.failed, week_later.last_error) == (0, 0, "")
