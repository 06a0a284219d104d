"""The general request limit: each signed-in person, and each address without a session, may
send `WELLNESS_REQUESTS_PER_MINUTE` requests a minute (an app-wide guard); past it the answer
is 429 with `Retry-After`, before the request's body is read or its handler runs.

Counted per worker in memory, or in Redis when `WELLNESS_REDIS_URL` is set, so that every
worker and host shares one count per person. Why not Litestar's `RateLimitMiddleware` (2.25):
it reads `time.time()` itself (the app's clock is the one tests set), reads and writes its
store in two steps (workers sharing Redis lose each other's counts), keeps every request's
timestamp of the window in one JSON value, and holds one lock per worker around the store's
round trips, so every request of the worker waits for every other's. Here counts are claimed
atomically from Redis a block at a time (`web/request_counters.py`).

Static files and the health check are exempt (`EXEMPT`), as are the repeated media ranges that
`web/media` answers before Litestar's layers. A refusal is audited as `rate_limited`,
coalesced per minute like other repeated refusals (`audit/repeated_refusals.py`): a flood costs
rows per minute, not per request.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import TooManyRequestsException
from litestar.handlers.base import BaseRouteHandler

from wellness.accounts.models import User
from wellness.audit import services as audit
from wellness.audit.repeated_refusals import RefusalKey
from wellness.web.auditing import audit_route
from wellness.web.context import client_address, epoch_seconds, utc_now, web_context

# A handler's opt key: its requests are not counted.
EXEMPT = "exempt_from_request_budget"
RATE_LIMITED = "rate_limited"
# An IPv6 client usually holds a whole /64: counting its addresses apart would give it 2**64
# allowances.
IPV6_PREFIX = 64


class RateLimited(TooManyRequestsException):
    code = RATE_LIMITED

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many requests in a minute: wait {retry_after} seconds, then try again.",
            headers={"retry-after": str(retry_after)},
        )


def requester(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """Whose allowance a request spends: the signed-in person's, else its address's (an IPv6
    address's /64)."""
    user = connection.scope.get("user")
    if isinstance(user, User):
        return f"user:{user.id}"
    address = client_address(connection)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return f"client:{address}"
    if parsed.version == 6:
        return f"client:{ipaddress.ip_network(f'{parsed}/{IPV6_PREFIX}', strict=False)}"
    return f"client:{parsed}"


async def within_request_budget(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """App-wide guard: refuse a request over its sender's allowance (429, `Retry-After`)."""
    if handler.opt.get(EXEMPT):
        return
    key = requester(connection)
    retry_after = await web_context(connection).request_budget.spend(key, epoch_seconds(connection))
    if retry_after is None:
        return
    await _audit(connection, key)
    raise RateLimited(retry_after)


async def _audit(connection: ASGIConnection[Any, Any, Any, Any], key: str) -> None:
    now, client, route = utc_now(connection), client_address(connection), audit_route(connection)
    user = connection.scope.get("user")
    target = ("user", str(user.id)) if isinstance(user, User) else ("", "")
    refusal = RefusalKey(client, RATE_LIMITED, route, *target)
    if await audit.first_in_its_window(
        web_context(connection).anonymous_refusals, refusal, now=now
    ):
        await audit.record(
            RATE_LIMITED,
            now=now,
            actor_id=user.id if isinstance(user, User) else None,
            target_type="route",
            target_id=route,
            client=client,
            detail=key,
            route=route,
        )
