"""Password reset and invitation e-mails: a request (or an administrator's invitation) writes the
link and its outbox row in one transaction; the e-mail loop (`loop`) sends it, as it sends alert
e-mails and reminders.

1. A request costs the same work whatever the address: a token is drawn, hashed and sealed
   before the account is looked up, so an unknown address is not measurably quicker to answer.
   Only an active account gets a link; its older unused links are voided with the new one. An
   invited account that has no password yet gets an ordinary reset link (30 minutes), which
   voids its invitation's link: it proves the address as well, and sets the first password.
2. The loop claims a due row (`claims`: several workers never send it twice), and sends it only
   while its link still opens and the account is active; else it is cancelled. A failed
   attempt is tried again on the alert e-mails' schedule, never after the link expires.
3. A finished row (sent, failed, cancelled) keeps no sealed token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from wellness.accounts import password_resets, reset_rules
from wellness.accounts import services as accounts
from wellness.accounts.models import PasswordReset, User
from wellness.lib.clock import Clock
from wellness.notifications import claims, loop
from wellness.notifications import reset_mail_rules as rules
from wellness.notifications.delivery import Round
from wellness.notifications.loop import Job
from wellness.notifications.mailer import Mailer, send_text
from wellness.notifications.models import PasswordResetEmail
from wellness.notifications.rules import EmailStatus
from wellness.settings import MailSettings

log = logging.getLogger(__name__)
EMAILS_PER_ROUND = 200


@dataclass(frozen=True, slots=True)
class ResetRequest:
    """What a request did, for the audit row: the account the address belongs to (None: no
    account), and whether a link is on its way (False for a deactivated account)."""

    account_id: int | None
    sent: bool


async def request_reset(email: str, *, secret_key: str, now: datetime) -> ResetRequest:
    """Rule 1: a link and its e-mail for the active account using `email`, if there is one."""
    token = reset_rules.new_token()
    digest = reset_rules.token_digest(token)
    sealed = rules.seal(token, secret_key)
    user = await accounts.find_by_email(email)
    if user is None:
        return ResetRequest(None, sent=False)
    if not user.is_active:
        return ResetRequest(user.id, sent=False)
    await _issue_with_e_mail(user.id, digest, sealed, reset_rules.LinkPurpose.RESET, now=now)
    return ResetRequest(user.id, sent=True)


class NotInvitable(Exception):
    """The account cannot be sent an invitation: it has a password already, or it is
    deactivated. `message` says which."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


async def invite(user_id: int, *, secret_key: str, now: datetime) -> None:
    """An invitation's link (`INVITATION_LIFETIME`) and its e-mail for an active account that
    has no password yet, voiding its older links; NotInvitable for any other account (checked
    in the transaction that writes the link)."""
    token = reset_rules.new_token()
    digest, sealed = reset_rules.token_digest(token), rules.seal(token, secret_key)
    await _issue_with_e_mail(user_id, digest, sealed, reset_rules.LinkPurpose.INVITE, now=now)


async def _check_invitable(user_id: int) -> None:
    user = await User.get_or_none(id=user_id)
    if user is None or not user.is_active:
        raise NotInvitable("This account is deactivated; activate it before inviting the person.")
    if not user.invited:
        raise NotInvitable(
            "This account has a password already: the person signs in with it, or asks for a "
            "new one with \u201cForgot your password?\u201d."
        )


async def _issue_with_e_mail(
    user_id: int, digest: str, sealed: str, purpose: reset_rules.LinkPurpose, *, now: datetime
) -> None:
    async with in_transaction():
        if purpose is reset_rules.LinkPurpose.INVITE:
            await _check_invitable(user_id)
        reset = await password_resets.issue(user_id, digest, now=now, purpose=purpose)
        await PasswordResetEmail.create(
            reset_id=reset.id,
            sealed_token=sealed,
            status=EmailStatus.PENDING,
            created_at=now,
            next_attempt_at=now,
        )
    loop.wake_all()  # after the commit: the loop finds the row at once


def reset_mail_job(secret_key: str) -> Job:
    """The loop's job for reset e-mails, unsealing links with the app's `secret_key`."""

    async def job(
        mailer: Mailer, mail: MailSettings, clock: Clock, *, stop: Callable[[], bool]
    ) -> Round:
        return await deliver_reset_emails(mailer, mail, clock, secret_key=secret_key, stop=stop)

    return job


async def deliver_reset_emails(
    mailer: Mailer,
    mail: MailSettings,
    clock: Clock,
    *,
    secret_key: str,
    stop: Callable[[], bool] = lambda: False,
) -> Round:
    """Rule 2: one round, every reset e-mail due now that no one holds."""
    done = Round()
    due = (
        await PasswordResetEmail.filter(
            claims.unclaimed(clock.now()),
            status=EmailStatus.PENDING,
            next_attempt_at__lte=clock.now(),
        )
        .order_by("next_attempt_at", "id")
        .limit(EMAILS_PER_ROUND)
        .values_list("id", flat=True)
    )
    for email_id in due:
        if stop():
            break
        now = clock.now()
        token = await claims.claim(
            PasswordResetEmail, Q(id=email_id, next_attempt_at__lte=now), now=now
        )
        if token is not None:
            await _send(mailer, mail, clock, int(email_id), token, secret_key, done)  # type: ignore[call-overload]
    return done


async def _send(
    mailer: Mailer,
    mail: MailSettings,
    clock: Clock,
    email_id: int,
    claim: str,
    secret_key: str,
    done: Round,
) -> None:
    row = await PasswordResetEmail.get_or_none(id=email_id, claim=claim)
    if row is None:  # its link was voided meanwhile, and the row with it
        return
    reset = await PasswordReset.get_or_none(id=row.reset_id)
    user = None if reset is None else await User.get_or_none(id=reset.user_id, is_active=True)
    now = clock.now()
    if (
        reset is None
        or user is None
        or not reset_rules.is_open(expires=reset.expires_at, used_at=reset.used_at, now=now)
    ):
        await claims.finish(PasswordResetEmail, [row.id], claim, EmailStatus.CANCELLED, now=now)
        await _forget_token(row.id)
        done.cancelled += 1
        return
    try:
        link = rules.reset_link(mail.public_url, rules.unseal(row.sealed_token, secret_key))
    except rules.SealBroken:  # sealed under another secret key (it was changed): link lost
        await claims.finish(PasswordResetEmail, [row.id], claim, EmailStatus.FAILED, now=now)
        await _forget_token(row.id, error=rules.SealBroken.__name__)  # the overview shows why
        done.failed += 1
        log.warning("password reset e-mail %s not sent: its link cannot be unsealed", row.id)
        return
    message = rules.compose_for(reset.purpose, link, mail.public_url)
    error = await send_text(mailer, mail, message, to=user.email, now=now)
    if error:
        await claims.failed(
            PasswordResetEmail, [row], claim, error, now=clock.now(), retry_until=reset.expires_at
        )
        await _forget_token(row.id)
        done.failed += 1
        log.warning("password reset e-mail to account %s not sent (%s)", user.id, error)
        return
    await claims.finish(PasswordResetEmail, [row.id], claim, EmailStatus.SENT, now=clock.now())
    await _forget_token(row.id)
    done.sent += 1
    done.recipients.append(user.id)


async def _forget_token(email_id: int, *, error: str | None = None) -> None:
    """Rule 3: a finished row keeps no sealed token (a row still to be tried again does);
    `error` names why it failed, where no send attempt said so."""
    changes = {"sealed_token": ""} if error is None else {"sealed_token": "", "last_error": error}
    await (
        PasswordResetEmail.filter(id=email_id).exclude(status=EmailStatus.PENDING).update(**changes)
    )
