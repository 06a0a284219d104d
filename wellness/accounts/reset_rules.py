"""Password reset links: how long one lasts, what is stored of its token, and whether it still
opens. Pure: stdlib only, `now` passed in.

The token is `secrets.token_urlsafe(32)` (256 random bits); only its SHA-256 is stored, so a
copy of the database (a backup) opens no account. A link lasts `LIFETIME`; it is spent by its
first use, and voided by a newer request or any change of the password.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

LIFETIME = timedelta(minutes=30)
LIFETIME_MINUTES = int(LIFETIME.total_seconds()) // 60
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


def expires_at(issued_at: datetime) -> datetime:
    return issued_at + LIFETIME


def is_open(*, expires: datetime, used_at: datetime | None, now: datetime) -> bool:
    """A link opens until the moment it expires (that moment included: not after), once."""
    return used_at is None and now <= expires
