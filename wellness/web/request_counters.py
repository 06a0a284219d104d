"""Where the request limit's counts live (`web/request_budget.py` applies it): per worker in
memory, or in Redis, shared by every worker and host, one atomic `INCR` per request."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from wellness.lib.rate_window import FixedWindow

log = logging.getLogger("wellness.web")

WINDOW_SECONDS = 60
# Per worker, at most this many people and addresses counted at once; see MemoryCounters.
MAX_COUNTED = 100_000


class WindowCounters(Protocol):
    async def add(self, key: str, window: int) -> int:
        """Count one request of `key` in `window`; how many it has made in that window now."""
        ...

    async def aclose(self) -> None: ...


class MemoryCounters:
    """One worker's counts. Past `capacity` keys counted at once (a flood from many addresses),
    the windows that are over are forgotten, at most once a window (so a flood does not make
    every new address pay for a scan of the table); if that is not enough, a new key is let
    through uncounted rather than refused: the limit is a brake on one client, and refusing
    every new person because strangers filled the table would be the flood's victory."""

    def __init__(self, capacity: int = MAX_COUNTED) -> None:
        self.capacity = capacity
        self._counts: dict[str, tuple[int, int]] = {}
        self._pruned_in: int | None = None

    async def add(self, key: str, window: int) -> int:
        counted = self._counts.get(key)
        if counted is None and not self._room_in(window):
            return 1
        count = counted[1] if counted is not None and counted[0] == window else 0
        self._counts[key] = (window, count + 1)
        return count + 1

    def _room_in(self, window: int) -> bool:
        if len(self._counts) < self.capacity:
            return True
        if self._pruned_in != window:
            self._pruned_in = window
            self._counts = {key: kept for key, kept in self._counts.items() if kept[0] >= window}
        return len(self._counts) < self.capacity

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
