"""What a password reset or invitation e-mail says, and how its link waits in the outbox. Pure:
stdlib only.

Like a practice reminder, the message says nothing about the clinic's treatment or the person:
no name, no diagnosis, no role. Its link holds the token, which only the outbox row keeps until
it is sent, sealed with a key derived from the app's secret key: a copy of the database alone
(a backup, a read-only account) cannot open anyone's account with it.
"""

from __future__ import annotations

import base64
import hmac
import secrets

from wellness.accounts.reset_rules import (
    INVITATION_LIFETIME_DAYS,
    LIFETIME_MINUTES,
    LinkPurpose,
    looks_like_token,
)
from wellness.notifications.rules import MessageText

_KEY_PURPOSE = b"wellness password reset e-mail outbox"
_NONCE_BYTES = 16


def _keystream(secret_key: str, nonce: bytes, length: int) -> bytes:
    key = hmac.digest(secret_key.encode(), _KEY_PURPOSE, "sha256")
    stream = hmac.digest(key, nonce, "sha512")
    if length > len(stream):
        raise ValueError(f"at most {len(stream)} characters can be sealed, not {length}")
    return stream[:length]


def seal(token: str, secret_key: str) -> str:
    """`token` (ASCII) unreadable without `secret_key`: a fresh nonce and the token XORed with
    a keystream drawn from the key and the nonce (HMAC-SHA512), both in base64url."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    plain = token.encode("ascii")
    sealed = bytes(
        a ^ b for a, b in zip(plain, _keystream(secret_key, nonce, len(plain)), strict=True)
    )
    return f"{_b64(nonce)}.{_b64(sealed)}"


class SealBroken(ValueError):
    """Text `seal` did not make with this key (garbled, or sealed under another secret key)."""


def unseal(sealed: str, secret_key: str) -> str:
    """The token `seal` sealed; SealBroken for anything else."""
    nonce_text, _, body_text = sealed.partition(".")
    try:
        nonce, body = _unb64(nonce_text), _unb64(body_text)
        if len(nonce) != _NONCE_BYTES or not body:
            raise SealBroken("not a sealed token")
        stream = _keystream(secret_key, nonce, len(body))
        token = bytes(a ^ b for a, b in zip(body, stream, strict=True)).decode("ascii")
    except (ValueError, UnicodeDecodeError) as broken:  # binascii.Error is a ValueError
        raise SealBroken("not a token sealed with this key") from broken
    if not looks_like_token(token):  # sealed under another key
        raise SealBroken("not a token sealed with this key")
    return token


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def reset_link(public_url: str, token: str) -> str:
    return f"{public_url}/password-reset/{token}"


def compose(link: str) -> MessageText:
    """The reset e-mail: the same words for everyone, naming no one."""
    body = "\n\n".join(
        [
            "Someone asked to set a new password for the wellness account that uses this "
            "e-mail address.",
            f"To choose a new password, open this link within {LIFETIME_MINUTES} minutes: {link}",
            "The link works once. Setting a new password signs you out on every device.",
            "If you did not ask for this, you can ignore this e-mail: your password stays as "
            "it is.",
        ]
    )
    return MessageText("Set a new password", body + "\n")


def compose_invitation(link: str, public_url: str) -> MessageText:
    """The invitation e-mail: the app's address and the link, the same words for everyone."""
    body = "\n\n".join(
        [
            f"An account was made for you at {public_url}, with this e-mail address as its "
            "sign-in name.",
            f"Choose your password: {link}",
            f"The link works once, for {INVITATION_LIFETIME_DAYS} days. After that, ask the "
            "person who made the account to send a new one.",
            "If you did not expect this, you can ignore this e-mail: no one can sign in to the "
            "account until a password is chosen through the link.",
        ]
    )
    return MessageText("Choose your password", body + "\n")


def compose_for(purpose: LinkPurpose, link: str, public_url: str) -> MessageText:
    """The e-mail carrying a link of this purpose."""
    if purpose is LinkPurpose.INVITE:
        return compose_invitation(link, public_url)
    return compose(link)
