"""Links to set a password by e-mail, for a reset or an invitation: issuing one for an account,
finding the one a token opens, and setting the password through it. The rules are in
`reset_rules`; the e-mail that carries a link is `notifications.password_reset_mail`'s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from wellness.accounts import reset_rules
from wellness.accounts import services as accounts
from wellness.accounts.models import PasswordReset, User


class ResetLinkClosed(Exception):
    """The token opens nothing: unknown, expired, already used, voided, or the account is
    deactivated. One refusal for all of them: the answer tells nobody which."""

    message = (
        "This link has expired or was already used. Links work once, for "
        f"{reset_rules.LIFETIME_MINUTES} minutes; ask for a new one. An invitation's link works "
        f"for {reset_rules.INVITATION_LIFETIME_DAYS} days: ask clinic staff to send it again."
    )


@dataclass(frozen=True, slots=True)
class OpenLink:
    reset: PasswordReset
    user: User

    @property
    def is_invitation(self) -> bool:
        return self.reset.purpose is reset_rules.LinkPurpose.INVITE


async def issue(
    user_id: int,
    token_digest: str,
    *,
    now: datetime,
    purpose: reset_rules.LinkPurpose = reset_rules.LinkPurpose.RESET,
) -> PasswordReset:
    """A new link for the account, voiding its older unused ones of either purpose (call inside
    the transaction that also writes the link's e-mail)."""
    await accounts.void_password_resets(user_id)
    return await PasswordReset.create(
        user_id=user_id,
        token_digest=token_digest,
        created_at=now,
        expires_at=reset_rules.expires_at(now, purpose),
        purpose=purpose,
    )


async def open_link(token: str, *, now: datetime) -> OpenLink:
    """The link `token` opens and its account, or ResetLinkClosed."""
    if not reset_rules.looks_like_token(token):
        raise ResetLinkClosed
    reset = await PasswordReset.get_or_none(token_digest=reset_rules.token_digest(token))
    if reset is None or not reset_rules.is_open(
        expires=reset.expires_at, used_at=reset.used_at, now=now
    ):
        raise ResetLinkClosed
    user = await User.get_or_none(id=reset.user_id, is_active=True)
    if user is None:
        raise ResetLinkClosed
    return OpenLink(reset, user)


async def complete(token: str, password: str, *, now: datetime) -> OpenLink:
    """Set the password through the link `token` opens; the link and its account.

    1. ResetLinkClosed when the link does not open; AccountError (`password`) for a password
       the rules refuse, leaving the link open for a better one.
    2. The password is hashed before the transaction (it takes tens of milliseconds).
    3. In one transaction the link is marked used only if it still opens (a conditional
       UPDATE: of two uses at once, one wins), then the hash is stored, every session of the
       person ends and their other unused links are voided.
    """
    link = await open_link(token, now=now)
    password_hash = await accounts.checked_password_hash(link.user, password)
    async with in_transaction():
        spent = await PasswordReset.filter(
            id=link.reset.id, used_at__isnull=True, expires_at__gte=now
        ).update(used_at=now)
        if not spent or not await User.exists(id=link.user.id, is_active=True):
            raise ResetLinkClosed
        await accounts.store_password_hash(link.user.id, password_hash)
    return link
