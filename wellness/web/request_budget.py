"""The general request limit: each signed-in person, and each address without a session, may
send `WELLNESS_REQUESTS_PER_MINUTE` requests a minute (an app-wide guard); past it the answer
is 429 with `Retry-After`, before the request's body is read or its handler runs.

Counted per worker in memory, or in Redis when `WELLNESS_REDIS_URL` is set, so that every
worker and host shares one count per person. Why not Litestar's `RateLimitMiddleware` (2.25):
it reads `time.time()` itself (the app's clock is the one tests set), reads and writes its
store in two steps (workers sharing Redis lose each other's counts), keeps every request's
timestamp of the window in one JSON value, and holds one lock per worker around the store's
round trips, so every request of the worker waits for every other's. Here a count is one
atomic `INCR` per request.

Static files and the health check are exempt (`EXEMPT`), as are the repeated media ranges that
`web/media` answers before Litestar's layers. A refusal is audited as `rate_limited`,
coalesced per minute like other repeated refusals (`audit/repeated_refusals.py`): a flood costs
rows per minute, not per request.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.exceptions import TooManyRequestsException
from litestar.handlers.base import BaseRouteHandler
from redis.asyncio import Redis
from redis.exceptions import RedisError

from wellness.accounts.models import User
from wellness.audit import services as audit
from wellness.audit.repeated_refusals import RefusalKey
from wellness.lib.rate_window import FixedWindow
from wellness.web.auditing import audit_route
from wellness.web.context import (
    STATE_KEY,
    WebContext,
    client_address,
    epoch_seconds,
    utc_now,
    web_context,
)

log = logging.getLogger("wellness.web")

# A handler's opt key: its requests are not counted.
EXEMPT = "exempt_from_request_budget"
RATE_LIMITED = "rate_limited"
WINDOW_SECONDS = 60
# Per worker, at most this many people and addresses counted at once; see MemoryCounters.
MAX_COUNTED = 100_000
# An IPv6 client usually holds a whole /64: counting its addresses apart would give it 2**64
# allowances.
IPV6_PREFIX = 64


class WindowCounters(Protocol):
    async def add(self, key: str, window: int) -> int:
        """Count one request of `key` in `window`; how many it has made in that window now."""
        ...

    async def aclose(self) -> None: ...


class MemoryCounters:
    """One worker's counts. Past `capacity` keys counted at once (a flood from many addresses),
    the windows that are over are forgotten; if that is not enough, a new key is let through
    uncounted rather than refused: the limit is a brake on one client, and refusing every new
    person because strangers filled the table would be the flood's victory."""

    def __init__(self, capacity: int = MAX_COUNTED) -> None:
        self.capacity = capacity
        self._counts: dict[str, tuple[int, int]] = {}

    async def add(self, key: str, window: int) -> int:
        counted_window, count = self._counts.get(key, (window, 0))
        if counted_window != window:
            count = 0
        elif count == 0 and len(self._counts) >= self.capacity:
            self._forget_before(window)
            if len(self._counts) >= self.capacity:
                return 1
        self._counts[key] = (window, count + 1)
        return count + 1

    def _forget_before(self, window: int) -> None:
        self._counts = {key: kept for key, kept in self._counts.items() if kept[0] >= window}

    async def aclose(self) -> None:
        self._counts.clear()


class RedisCounters:
    """Counts shared by every worker and host: one key per person and window, incremented and
    given its expiry in one transaction."""

    def __init__(self, client: Redis, *, namespace: str) -> None:
        self.client = client
        self.namespace = namespace

    async def add(self, key: str, window: int) -> int:
        name = f"{self.namespace}:{key}:{window}"
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            # Two windows: a host whose clock is a little behind still finds the count.
            pipe.expire(name, 2 * WINDOW_SECONDS)
            count, _ = await pipe.execute()
        return int(count)

    async def aclose(self) -> None:
        await self.client.aclose()


@dataclass(frozen=True, slots=True)
class RequestBudget:
    """`window` None: no limit (`WELLNESS_REQUESTS_PER_MINUTE=0`)."""

    window: FixedWindow | None
    counters: WindowCounters

    async def spend(self, key: str, epoch: float) -> int | None:
        """Count a request of `key` at `epoch`: None if it is within the limit, else the
        seconds until the next window. If the shared counter cannot be reached, the request is
        let through (and logged): the sessions, in the same Redis, decide whether it is served."""
        if self.window is None:
            return None
        try:
            count = await self.counters.add(key, self.window.index(epoch))
        except (RedisError, OSError) as error:
            log.warning("request limit not checked, the counter is unreachable: %s", error)
            return None
        return self.window.retry_after(count, epoch)


def request_budget(
    requests_per_minute: int, redis_url: str | None, *, namespace: str
) -> RequestBudget:
    """The app's budget: counted in Redis under `namespace` if `redis_url` is given."""
    if requests_per_minute == 0:
        return RequestBudget(None, MemoryCounters())
    counters: WindowCounters = (
        RedisCounters(Redis.from_url(redis_url), namespace=namespace)
        if redis_url is not None
        else MemoryCounters()
    )
    return RequestBudget(FixedWindow(requests_per_minute, WINDOW_SECONDS), counters)


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


@asynccontextmanager
async def close_request_counters(app: Litestar) -> AsyncIterator[None]:
    """A lifespan that closes the counters' connection when the worker stops."""
    yield
    context: WebContext = app.state[STATE_KEY]
    await context.request_budget.counters.aclose()
