"""Where the request limit's counts live (`web/request_budget.py` applies it): per worker in
memory, or in Redis, shared by every worker and host.

In Redis a worker does not ask for every request: it claims numbers for a person a block at a
time (1% of the limit: 12 at the default 1,200 a minute) with one atomic `INCRBY`, and hands
them out to that person's requests until the block is used up. Every number is claimed once,
so however many workers serve a person, no more than `limit` of their requests in a minute
are let through; the price is that numbers a worker claimed and did not use count too, so a
person whose requests are spread over many workers may be refused up to 1% of the limit early
per worker. For a person sending a few requests a minute, that is one round trip a minute
instead of one per request (each costs about 0.1 ms of CPU in redis-py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from wellness.lib.rate_window import FixedWindow

log = logging.getLogger("wellness.web")

WINDOW_SECONDS = 60
# Per worker, at most this many people and addresses counted at once; see PerWindow.
MAX_COUNTED = 100_000
# A worker claims this share of the limit from Redis at a time.
CLAIM_SHARE = 0.01
# A Redis that does not answer within this many seconds lets the request through (`spend`),
# rather than holding it until the operating system gives up on the connection.
REDIS_TIMEOUT_SECONDS = 2.0
V = TypeVar("V")


class WindowCounters(Protocol):
    async def add(self, key: str, window: int) -> int:
        """Count one request of `key` in `window`: its number among the key's requests in that
        window (1 for the first)."""
        ...

    async def aclose(self) -> None: ...


class PerWindow(Generic[V]):
    """One value per key for the window it was set in, for at most `capacity` keys. When a new
    key finds the table full (a flood from many addresses), the windows that are over are
    forgotten, at most once a window, so a flood does not make every new address pay for a
    scan of the table."""

    def __init__(self, capacity: int = MAX_COUNTED) -> None:
        self.capacity = capacity
        self._entries: dict[str, tuple[int, V]] = {}
        self._pruned_in: int | None = None

    def get(self, key: str, window: int) -> V | None:
        entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] == window else None

    def can_hold(self, key: str, window: int) -> bool:
        if key in self._entries or len(self._entries) < self.capacity:
            return True
        if self._pruned_in != window:
            self._pruned_in = window
            self._entries = {
                kept: entry for kept, entry in self._entries.items() if entry[0] >= window
            }
        return len(self._entries) < self.capacity

    def put(self, key: str, window: int, value: V) -> bool:
        """Keep `value` for `key` in `window`; False, keeping nothing, if the table is full."""
        if not self.can_hold(key, window):
            return False
        self._entries[key] = (window, value)
        return True

    def clear(self) -> None:
        self._entries.clear()


class MemoryCounters:
    """One worker's counts. Past the table's capacity, a new key is let through uncounted rather
    than refused: the limit is a brake on one client, and refusing every new person because
    strangers filled the table would be the flood's victory."""

    def __init__(self, capacity: int = MAX_COUNTED) -> None:
        self._counts: PerWindow[int] = PerWindow(capacity)

    async def add(self, key: str, window: int) -> int:
        count = (self._counts.get(key, window) or 0) + 1
        return count if self._counts.put(key, window, count) else 1

    async def aclose(self) -> None:
        self._counts.clear()


@dataclass(slots=True)
class _Claim:
    """Numbers claimed from Redis for one key and window and not yet handed out."""

    next: int
    last: int


class RedisCounters:
    """Counts shared by every worker and host: one key per person and window, claimed from a
    block at a time (see the module's docstring). Past the table's capacity, a new key claims
    one number a request: still counted, at a round trip each."""

    def __init__(
        self, client: Redis, *, namespace: str, block: int = 1, capacity: int = MAX_COUNTED
    ) -> None:
        self.client = client
        self.namespace = namespace
        self.block = max(1, block)
        self._claims: PerWindow[_Claim] = PerWindow(capacity)

    async def add(self, key: str, window: int) -> int:
        claim = self._claims.get(key, window)
        if claim is not None and claim.next <= claim.last:
            claim.next += 1
            return claim.next - 1
        size = self.block if self._claims.can_hold(key, window) else 1
        last = await self._claim(f"{self.namespace}:{key}:{window}", size)
        first = last - size + 1
        if size > 1:
            self._claims.put(key, window, _Claim(next=first + 1, last=last))
        return first

    async def _claim(self, name: str, size: int) -> int:
        """Claim `size` more numbers of `name`; the last of them."""
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incrby(name, size)
            # Two windows: a host whose clock is a little behind still finds the count.
            pipe.expire(name, 2 * WINDOW_SECONDS)
            last, _ = await pipe.execute()
        return int(last)

    async def aclose(self) -> None:
        self._claims.clear()
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
    block = int(requests_per_minute * CLAIM_SHARE)
    counters: WindowCounters = (
        RedisCounters(
            Redis.from_url(
                redis_url,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
            ),
            namespace=namespace,
            block=block,
        )
        if redis_url is not None
        else MemoryCounters()
    )
    return RequestBudget(FixedWindow(requests_per_minute, WINDOW_SECONDS), counters)
