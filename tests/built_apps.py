"""Apps built once per test process and handed from test to test.

Building the app costs about 0.1 s (Litestar registers some 200 handlers), more than most
tests' own work, and nearly every test builds one with the same settings: its database, data
and media at the same per-worker paths (see `app_home` in conftest.py). So the `app` fixture
takes a built app from `BuiltApps` and gives it back after the test.

An app is handed on only as the test left it: `give_back` refuses one whose routes, state,
stores, media plugin or clock a test changed, and the next test gets a new build. What every
test changes by using the app is renewed before the next one: the stores' entries (sessions,
sign-in throttles), the context's per-app memories (recent reads, coalesced refusals, request
counts) and the media grants. The clock is the shared `FixedClock` that the `clock` fixture
sets back to the test's start; the database and folders are emptied by their own fixtures.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass

from litestar import Litestar

from wellness.app import create_app
from wellness.audit.recent_reads import RecentReads
from wellness.audit.repeated_refusals import AnonymousRefusals
from wellness.lib.clock import FixedClock
from wellness.settings import Settings
from wellness.web.context import STATE_KEY, WebContext
from wellness.web.media.controller import MediaPlugin
from wellness.web.request_counters import MemoryCounters, RequestBudget

STORES = ("sessions", "throttle")


@dataclass(frozen=True)
class _AsBuilt:
    """What a test must leave as it found it for the app to be handed on."""

    routes: int
    state_keys: frozenset[str]
    context: WebContext
    accel_prefix: str | None
    grant_clock: object

    @classmethod
    def of(cls, app: Litestar) -> _AsBuilt:
        media = app.plugins.get(MediaPlugin)
        return cls(
            routes=len(app.routes),
            state_keys=frozenset(app.state.keys()),
            context=app.state[STATE_KEY],
            accel_prefix=media.accel_prefix,
            grant_clock=media.grants.clock,
        )


class BuiltApps:
    """At most `capacity` built apps, by their settings, all reading `clock`."""

    def __init__(self, clock: FixedClock, capacity: int = 4) -> None:
        self.clock = clock
        self.capacity = capacity
        self._apps: OrderedDict[Settings, tuple[Litestar, _AsBuilt]] = OrderedDict()

    def take(self, settings: Settings) -> tuple[Litestar, _AsBuilt]:
        """An app for `settings`, and what it must still be to be given back."""
        built = self._apps.pop(settings, None)
        if built is None:
            app = create_app(settings, clock=self.clock)
            return app, _AsBuilt.of(app)
        _renew(built[0])
        return built

    def give_back(self, settings: Settings, app: Litestar, as_built: _AsBuilt) -> None:
        if _AsBuilt.of(app) != as_built or as_built.context.clock is not self.clock:
            return  # the test changed the app itself: the next one gets a new build
        self._apps[settings] = (app, as_built)
        while len(self._apps) > self.capacity:
            self._apps.popitem(last=False)


def _renew(app: Litestar) -> None:
    """Forget what the last test's requests left in the app's memory."""
    for name in STORES:
        asyncio.run(app.stores.get(name).delete_all())
    context: WebContext = app.state[STATE_KEY]
    # The context is frozen for the app's code; only a handover between tests renews these.
    object.__setattr__(context, "recent_reads", RecentReads())
    object.__setattr__(context, "anonymous_refusals", AnonymousRefusals())
    object.__setattr__(
        context, "request_budget", RequestBudget(context.request_budget.window, MemoryCounters())
    )
    app.plugins.get(MediaPlugin).grants._grants.clear()
