"""Requests counted in fixed windows of the epoch (minute 0, 1, 2, ...): which window a moment
falls in, how long it has left, and whether a count is over the limit. Pure: the caller says
when.

Windows aligned to the epoch, not to each client's first request, so that every worker and
host sharing a counter (Redis) counts a request in the same window without agreeing on
anything but the time. The price is the usual one of fixed windows: a client can spend one
window's allowance at its end and the next one's at the start, up to twice the limit in a
moment, never more than twice on average.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FixedWindow:
    limit: int
    seconds: int

    def __post_init__(self) -> None:
        if self.limit < 1 or self.seconds < 1:
            raise ValueError(f"a window needs a limit and a length of at least 1, got {self}")

    def index(self, epoch: float) -> int:
        """The window `epoch` (seconds since the epoch) falls in."""
        return math.floor(epoch / self.seconds)

    def seconds_left(self, epoch: float) -> int:
        """Whole seconds until the next window opens: at least 1, so "retry after" never says
        0."""
        return max(1, math.ceil((self.index(epoch) + 1) * self.seconds - epoch))

    def retry_after(self, count: int, epoch: float) -> int | None:
        """None while `count` requests (this one included) are within the limit; else the
        seconds to wait."""
        return None if count <= self.limit else self.seconds_left(epoch)
