"""The browser tests' server: what `wellness demo` runs, on a clock the tests set.

Test-only, and deliberately outside the `wellness` package: production has no way to set the
server's clock, because nothing in `wellness` reads one from settings or requests. This module
seeds the demo database as of a given moment, builds `create_app(settings, clock=...)` with a
`TickingClock` (time passes at the real pace from the moment set, so playback progress is
judged as usual), adds `PUT /__test__/clock {"now": ISO-8601}` to move that clock, and serves it
with uvicorn behind the media fast path, as `wellness demo` does.

Run: `python -m tests.browser.live_app --port PORT --now 2026-12-01T10:00:00+00:00`, with the
same WELLNESS_* environment as `wellness demo` (conftest.py's `live_server` does this).
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

import uvicorn
from litestar import Litestar, put
from litestar.exceptions import ValidationException

from wellness.app import as_served, create_app
from wellness.cli.demo import seed_demo_database
from wellness.lib.clock import TickingClock
from wellness.settings import load_settings

CLOCK_PATH = "/__test__/clock"


def with_clock_control(app: Litestar, clock: TickingClock) -> Litestar:
    @put(
        CLOCK_PATH,
        status_code=204,
        sync_to_thread=False,
        include_in_schema=False,
        opt={"exclude_from_auth": True, "exclude_from_csrf": True},
    )
    def set_clock(data: dict[str, Any]) -> None:
        try:
            clock.set(datetime.fromisoformat(str(data["now"])))
        except (KeyError, ValueError) as problem:
            raise ValidationException(f"now: give an aware ISO-8601 moment ({problem})") from None

    app.register(set_clock)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--now", type=datetime.fromisoformat, required=True)
    arguments = parser.parse_args()
    clock = TickingClock(arguments.now)
    settings = load_settings()
    seed_demo_database(settings, clock)
    app = with_clock_control(create_app(settings, clock=clock), clock)
    print(f"wellness (test clock from {arguments.now.isoformat()}) on port {arguments.port}")
    uvicorn.run(as_served(app, settings), host="127.0.0.1", port=arguments.port, log_level="info")


if __name__ == "__main__":
    main()
