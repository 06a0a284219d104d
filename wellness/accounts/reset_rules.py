"""Links to set a password by e-mail: how long one lasts, what is stored of its token, and
whether it still opens. Pure: stdlib only, `now` passed in.

A link is for a reset ("forgot your password?") or an invitation (an administrator made the
account, and the person chooses their first password): its `LinkPurpose`. The token is
`secrets.token_urlsafe(32)` (256 random bits); only its SHA-256 is stored, so a copy of the
database (a backup) opens no account. A reset link lasts `LIFETIME`, an invitation
`INVITATION_LIFETIME` (the person may not read their e-mail that day); either is spent by its
first use, and voided by a newer link or any change of the password.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

LIFETIME = timedelta(minutes=30)
LIFETIME_MINUTES = int(LIFETIME.total_seconds()) // 60
INVITATION_LIFETIME = timedelta(days=7)
INVITATION_LIFETIME_DAYS = INVITATION_LIFETIME.days


class LinkPurpose(StrEnum):
    RESET = "reset"
    INVITE = "invite"


# token_urlsafe(32): 32 bytes in unpadded base64url, always 43 characters.
TOKEN_LENGTH = 43
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}", re.ASCII)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(text: str) -> bool:
    """Whether `text` could be a token at all (anything else is refused before any lookup)."""
    return _TOKEN_SHAPE.fullmatch(text) is not None


def expires_at(issued_at: datetime, purpose: LinkPurpose = LinkPurpose.RESET) -> datetime:
    return issued_at + (INVITATION_LIFETIME if purpose is LinkPurpose.INVITE else LIFETIME)


def is_open(*, expires: datetime, used_at: datetime | None, now: datetime) -> bool:
    """A link opens until the moment it expires (that moment included: not after), once."""
    return used_at is None and now <= expires
