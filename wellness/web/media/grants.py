"""Recent decisions "this browser session may fetch this URL", kept for a few seconds.

Players fetch one file in many small ranges, and the session middleware and database lookups
cost far more than reading 64 KiB. Once the controller has allowed a URL to a browser session,
the fast paths (`fast_path`) answer the same URL with the same cookies from `MediaGrants` for
`GRANT_SECONDS`, without asking again.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from litestar.types import Scope

from wellness.web.media.representation import MediaFile

# How long an allowed (browser session, URL) pair is answered without asking again. Revoking
# access (signing out, deactivating an account, archiving a session) therefore takes effect
# within this many seconds for a browser that was fetching that very file; anything else it
# asks for goes through the full checks at once.
GRANT_SECONDS = 2.0
# After this fraction of a grant's life, one request renews it through the full checks.
RENEW_AT = 0.75
GRANT_CAPACITY = 10_000


GrantKey = tuple[str, bytes]


@dataclass(slots=True)
class _Grant:
    media: MediaFile
    renew_after: float
    expires: float
    renewing: bool = False


class MediaGrants:
    """Recent decisions "this browser session may fetch this URL", each kept for a few seconds.

    The key is the request path plus the exact Cookie header the session middleware accepted:
    a request with the same header carries the same session cookie, so it is the same browser
    session. Nothing is granted to a request without cookies.

    Near the end of a grant's life one request is sent through the full checks again (`find`
    answers None to it), and their answer renews the grant; the others are still answered from
    the grant meanwhile. So a player streaming ranges keeps being served without a stampede of
    full checks, and a refusal still takes effect when the grant expires.
    """

    def __init__(
        self,
        seconds: float = GRANT_SECONDS,
        capacity: int = GRANT_CAPACITY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.capacity = capacity
        self.clock = clock
        self._grants: OrderedDict[GrantKey, _Grant] = OrderedDict()

    def __len__(self) -> int:
        return len(self._grants)

    def allow(self, scope: Scope, media: MediaFile) -> None:
        key = _grant_key(scope)
        if key is None:
            return
        now = self.clock()
        self._grants.pop(key, None)
        self._grants[key] = _Grant(media, now + self.seconds * RENEW_AT, now + self.seconds)
        self._forget_expired(now)
        while len(self._grants) > self.capacity:
            self._grants.popitem(last=False)

    def find(self, scope: Scope) -> MediaFile | None:
        """The granted file; None sends the request through the full checks."""
        key = _grant_key(scope)
        grant = self._grants.get(key) if key is not None else None
        if grant is None:
            return None
        now = self.clock()
        if now >= grant.expires:
            self._grants.pop(key, None)  # type: ignore[arg-type]
            return None
        if now >= grant.renew_after and not grant.renewing:
            grant.renewing = True
            return None
        return grant.media

    def forget(self, scope: Scope) -> None:
        key = _grant_key(scope)
        if key is not None:
            self._grants.pop(key, None)

    def _forget_expired(self, now: float) -> None:
        # Every grant lives equally long, so the oldest are first in insertion order.
        while self._grants:
            key, grant = next(iter(self._grants.items()))
            if grant.expires > now:
                return
            del self._grants[key]


def _grant_key(scope: Scope) -> GrantKey | None:
    cookies = b"; ".join(value for name, value in scope["headers"] if name == b"cookie")
    return (scope["path"], cookies) if cookies else None
