"""Per-process caches of catalog reads, kept exact by the database's catalog change token.

Ranking thousands of full-text matches costs 10-40 ms; a page of the catalog from memory costs
microseconds. Every write to the catalog (sessions, their tags, their media's covers) gives the
row instance_flags['catalog_version'] a new random value in the same transaction, through
database triggers (migration 0005), whoever writes: this worker, another worker or host, the
`wellness` command. A reader reads that token first (one indexed single-row query) and uses only
what it cached under the same token, so:

- no worker ever serves a page older than the last committed write it could see;
- nothing is shared between processes, so nothing needs Redis, and SQLite and PostgreSQL
  deployments behave the same;
- a worker's cache empties as soon as it sees a new token.

The token is read before the data. A write committed between the two reads leaves newer data
under the older token, which no later reader asks for; the reverse (old data under the new
token) cannot happen. Entries also expire after MAX_AGE_SECONDS, a bound on staleness should the
triggers ever go missing (a SQLite table rebuild drops them; the catalog cache tests notice).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from wellness import db

TOKEN_FLAG = db.CATALOG_TOKEN
MAX_AGE_SECONDS = 300.0

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


async def change_token() -> str | None:
    """The catalog's current change token; None when the row is missing (nothing is cached)."""
    return await db.change_token(TOKEN_FLAG)


class TokenCache(Generic[K, V]):
    """At most `max_weight` worth of values, least recently used first out, for one token.

    `weigh` gives a value's weight (1 each by default). Values are shared between requests:
    callers must treat them as read-only.
    """

    def __init__(
        self,
        max_weight: int,
        weigh: Callable[[V], int] = lambda _: 1,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_weight = max_weight
        self.weigh = weigh
        self.clock = clock
        self.token: str | None = None
        self.weight = 0
        self.entries: OrderedDict[K, tuple[float, int, V]] = OrderedDict()

    def get(self, token: str | None, key: K) -> V | None:
        if token is None or token != self.token:
            return None
        entry = self.entries.get(key)
        if entry is None:
            return None
        if self.clock() - entry[0] > MAX_AGE_SECONDS:
            self._drop(key)
            return None
        self.entries.move_to_end(key)
        return entry[2]

    def put(self, token: str | None, key: K, value: V) -> None:
        if token is None:
            return
        if token != self.token:
            self.clear()
            self.token = token
        weight = self.weigh(value)
        if weight > self.max_weight:
            return
        self._drop(key)
        self.entries[key] = (self.clock(), weight, value)
        self.weight += weight
        while self.weight > self.max_weight:
            self._drop(next(iter(self.entries)))

    def clear(self) -> None:
        self.entries.clear()
        self.weight = 0

    def _drop(self, key: K) -> None:
        entry = self.entries.pop(key, None)
        if entry is not None:
            self.weight -= entry[1]
