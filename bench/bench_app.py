"""The production app plus a trivial `GET /ping`, for benchmarks only.

`/ping` is the baseline that page and API figures are divided by: same process, same
middleware (sessions, CSRF, security headers), no database, no template. Production has no such
route; this module exists so it never needs one.

Run by uvicorn as a factory (see `_server.start_server(env, port, factory="bench_app:create_app")`);
settings come from the WELLNESS_* environment like `wellness serve`. Importing it does nothing
else; running this file directly does nothing.
"""

from __future__ import annotations

from litestar import get
from litestar.types import ASGIApp

from wellness.app import as_served
from wellness.app import create_app as create_wellness_app
from wellness.settings import load_settings


@get("/ping", opt={"exclude_from_auth": True}, name="bench_ping", include_in_schema=False)
async def ping() -> str:
    return "pong"


def create_app() -> ASGIApp:
    """The app exactly as `wellness serve` runs it (media fast path, frozen start-up heap), with
    `/ping` added."""
    settings = load_settings()
    app = create_wellness_app(settings)
    app.register(ping)
    return as_served(app, settings)


if __name__ == "__main__":
    print("bench/bench_app.py is an ASGI factory for the benchmarks; nothing to run.")
