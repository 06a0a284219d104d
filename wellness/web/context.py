"""What the web layer needs from the app at request time, kept on `app.state` under one key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from litestar.connection import ASGIConnection
from litestar.stores.memory import MemoryStore

from wellness.accounts.sessions import SessionPolicy
from wellness.accounts.throttle import LoginThrottle, ResetRequestThrottle
from wellness.audit.recent_reads import RecentReads
from wellness.audit.repeated_refusals import AnonymousRefusals
from wellness.catalog.storage import MediaStore
from wellness.lib.clock import Clock
from wellness.notifications.loop import DeliveryLoop
from wellness.settings import Settings
from wellness.web.request_counters import RequestBudget

STATE_KEY = "wellness"


@dataclass(frozen=True, slots=True)
class WebContext:
    settings: Settings
    session_policy: SessionPolicy
    login_throttle: LoginThrottle
    media_store: MediaStore
    clock: Clock
    request_budget: RequestBudget
    # Sends alert e-mails in the background while the app runs; None while e-mail is off.
    alert_emails: DeliveryLoop | None = None
    # "Forgot your password?" requests per address and client (`create_app` shares the sign-in
    # throttle's store and lock).
    reset_throttle: ResetRequestThrottle = field(
        default_factory=lambda: ResetRequestThrottle(store=MemoryStore())
    )
    # Per app (so per worker): which patients' views pages that repeat them recorded lately.
    recent_reads: RecentReads = field(default_factory=RecentReads)
    # Per app (so per worker): refusals without a session, counted rather than each recorded.
    anonymous_refusals: AnonymousRefusals = field(default_factory=AnonymousRefusals)


def web_context(connection: ASGIConnection[Any, Any, Any, Any]) -> WebContext:
    context: WebContext = connection.app.state[STATE_KEY]
    return context


def utc_now(connection: ASGIConnection[Any, Any, Any, Any]) -> datetime:
    """Now, by the app's clock (the one `create_app` was given; tests set it)."""
    return web_context(connection).clock.now()


def epoch_seconds(connection: ASGIConnection[Any, Any, Any, Any]) -> float:
    """Now by the app's clock, as seconds since the epoch (session and throttle times)."""
    return web_context(connection).clock.now().timestamp()


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    # The peer's address. Behind a proxy named in WELLNESS_FORWARDED_ALLOW_IPS, `wellness serve`
    # has uvicorn put the client named by that proxy's X-Forwarded-For here; from anyone else
    # the header is ignored, so a caller cannot choose the address it is throttled by.
    return connection.client.host if connection.client else "unknown"
