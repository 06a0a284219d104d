"""Device cookies (OWASP): a browser that signed in to an account carries a token naming that
account, signed with the app's secret, and keeps its own failed sign-in allowance for it.

A token is `nonce.mac`, the MAC an HMAC-SHA256 over the normalised e-mail address and the nonce,
so it names the account without showing it, is worthless for any other account, and cannot be
made without the secret. One cookie holds the tokens of the last few accounts used in that
browser (a shared ward tablet), newest first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

COOKIE = "wellness_device"
MAX_AGE_SECONDS = 365 * 24 * 3600
MAX_ACCOUNTS = 5
_SEPARATOR = "~"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$")


def _mac(secret: str, email: str, nonce: str) -> str:
    message = f"wellness device cookie\n{email.strip().lower()}\n{nonce}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _tokens(cookie: str | None) -> list[str]:
    if not cookie:
        return []
    return [token for token in cookie.split(_SEPARATOR) if _TOKEN.match(token)][:MAX_ACCOUNTS]


def _names(secret: str, email: str, token: str) -> bool:
    """Whether a well-formed token is this account's."""
    nonce, mac = token.split(".")
    return hmac.compare_digest(mac, _mac(secret, email, nonce))


def device_for(secret: str, email: str, cookie: str | None) -> str | None:
    """The nonce of the cookie's token for this account, or None if it holds no valid one."""
    for token in _tokens(cookie):
        if _names(secret, email, token):
            return token.split(".")[0]
    return None


def issue(secret: str, email: str, cookie: str | None) -> str:
    """The cookie value after signing in to `email`: a fresh token for it first, then the tokens
    of other accounts the cookie already held."""
    nonce = secrets.token_urlsafe(16)
    others = [token for token in _tokens(cookie) if not _names(secret, email, token)]
    fresh = f"{nonce}.{_mac(secret, email, nonce)}"
    return _SEPARATOR.join([fresh, *others][:MAX_ACCOUNTS])
