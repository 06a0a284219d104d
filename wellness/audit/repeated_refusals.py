"""Refusals of requests without a session (a sign-in posted without its CSRF token, or from
another site, or while its throttle holds), coalesced per worker, so that an anonymous client
cannot add an audit row per request it sends, while none goes unrecorded:

- the first refusal of a (client address, action, route, account named) in a window is recorded
  as it comes;
- the others in that window are only counted;
- a count is recorded on a row of its own (how many, the first and last of them) once its window
  is over: by the next refusal without a session this worker sees, or when the worker stops.

Past `MAX_OPEN` windows at once (many addresses), new addresses share one window under
`MANY_CLIENTS`, so the rows a flood from any number of addresses costs are bounded too. What a
crash loses is the counts not yet written, never the first row of a window. Signed-in people's
refusals are each recorded and not passed here, but for one: a request over the request limit
(`web/request_budget.py`), which would otherwise cost a row per request of a flood. Pure: the
caller says when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

REFUSAL_WINDOW = timedelta(minutes=1)
MAX_OPEN = 1_000  # windows counted at once; past it, new addresses share MANY_CLIENTS
MANY_CLIENTS = "(many addresses)"


@dataclass(frozen=True, slots=True)
class RefusalKey:
    client: str
    action: str
    route: str
    # The account a throttled sign-in named, if any: each account's refusals are counted apart.
    target_type: str = ""
    target_id: str = ""


@dataclass(frozen=True, slots=True)
class RepeatedRefusals:
    """Refusals counted in one window and not recorded one by one."""

    key: RefusalKey
    count: int
    first: datetime
    last: datetime


@dataclass(slots=True)
class _Window:
    started: datetime  # when the refusal recorded for it came
    counted: int = 0
    first: datetime | None = None  # of those counted
    last: datetime | None = None

    def count(self, now: datetime) -> None:
        self.counted += 1
        self.first = self.first or now
        self.last = now

    def repeated(self, key: RefusalKey) -> RepeatedRefusals | None:
        if self.first is None or self.last is None:
            return None
        return RepeatedRefusals(key, self.counted, self.first, self.last)


class AnonymousRefusals:
    def __init__(self, window: timedelta = REFUSAL_WINDOW, limit: int = MAX_OPEN) -> None:
        self.window = window
        self.limit = limit
        self._open: dict[RefusalKey, _Window] = {}

    def refused(self, key: RefusalKey, now: datetime) -> tuple[bool, list[RepeatedRefusals]]:
        """Note a refusal at `now`: whether to record it now, and the counts of windows (any
        key's) that are over, to record now."""
        over = self._close(now)
        if key not in self._open and len(self._open) >= self.limit:
            key = RefusalKey(MANY_CLIENTS, key.action, key.route)
        window = self._open.get(key)
        if window is None:
            self._open[key] = _Window(started=now)
            return True, over
        window.count(now)
        return False, over

    def drain(self) -> list[RepeatedRefusals]:
        """Every count not yet handed out, open windows' too (the worker is stopping)."""
        counts = [window.repeated(key) for key, window in self._open.items()]
        self._open.clear()
        return [repeated for repeated in counts if repeated is not None]

    def _close(self, now: datetime) -> list[RepeatedRefusals]:
        """Forget the windows that are over at `now`; their counts. (All of them are looked at:
        at most `limit`, and only when a refusal without a session comes.)"""
        over = []
        for key, window in list(self._open.items()):
            # A window that starts after `now` is over too: the clock was set back.
            if not window.started <= now < window.started + self.window:
                del self._open[key]
                if (repeated := window.repeated(key)) is not None:
                    over.append(repeated)
        return over
