"""Answering granted media requests before the session middleware: the fast paths.

`MediaFastPath` is middleware in front of Litestar's session middleware (placed there by
`MediaPlugin`); `GrantedMediaServer` does the same as a plain ASGI app in front of the whole
Litestar app, for the server. Both answer a request at once when `MediaGrants` says its
browser session was allowed that URL moments ago, and pass everything else on untouched, to
the full checks. `GrantedMediaServer` answers a player's plain range request (`quick_range`)
with no more work than sending it, and keeps those answers out of the access log.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any, cast

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Receive, Scope, Send

from wellness.web.media.conditions import (
    Conditions,
    Plan,
    plan,
    quick_range,
    quick_range_headers,
)
from wellness.web.media.files import OpenFiles
from wellness.web.media.grants import MediaGrants
from wellness.web.media.representation import MediaFile, Securer
from wellness.web.media.response import send_planned

log = logging.getLogger("wellness.web.media")

PATH_PREFIX = "/media/"

# Set in the scope by `GrantedMediaServer` once it has asked the grants about a request, so that
# the `MediaFastPath` inside the app does not ask again (which would skip a due renewal).
GRANTS_ASKED = "wellness.media_grants_asked"
# True while the fast path outside the app sends a granted answer (see `QuietGrantedRanges`).
ANSWERING_FROM_GRANT: ContextVar[bool] = ContextVar("answering_from_grant", default=False)


class MediaFastPath:
    """Answers a media request at once when its browser session was allowed that URL moments ago.

    Everything else passes through untouched, to the session middleware and the controller.
    """

    def __init__(self, app: ASGIApp, grants: MediaGrants, files: OpenFiles) -> None:
        self.app = app
        self.grants = grants
        self.files = files

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        media = None if GRANTS_ASKED in scope else _granted(self.grants, scope)
        if media is not None:
            watched = _WatchedSend(send)
            try:
                answer = plan(media, Conditions.of(cast("HTTPScope", scope)))
                await send_planned(answer, self.files, media.path, watched, receive)
            except Exception as error:
                if watched.started:
                    raise
                _give_up(self.grants, scope, error)
            else:
                return
        await self.app(scope, receive, send)


class _WatchedSend:
    """`send`, noting whether the response has started: until then the app can still answer."""

    __slots__ = ("send", "started")

    def __init__(self, send: Send) -> None:
        self.send = send
        self.started = False

    async def __call__(self, message: Any) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self.send(message)


def _give_up(grants: MediaGrants, scope: Scope, error: Exception) -> None:
    """A granted answer failed before it started: end the grant and leave the request to the
    app, whose full checks and error handlers answer it (with the app's headers, unlike the
    server's bare 500). A file deleted since it was allowed is expected; anything else is
    logged."""
    grants.forget(scope)
    if not isinstance(error, FileNotFoundError):
        log.error("granted media answer failed for %s", scope["path"], exc_info=error)


def _granted(grants: MediaGrants, scope: Scope) -> MediaFile | None:
    if scope["type"] != ScopeType.HTTP:
        return None
    if scope["method"] not in ("GET", "HEAD") or not scope["path"].startswith(PATH_PREFIX):
        return None
    return grants.find(scope)


class GrantedMediaServer:
    """The fast path as a plain ASGI app in front of the whole Litestar app, for the server.

    The same answers as `MediaFastPath`, without Litestar's routing and hooks in the way; so it
    sets the security headers itself (`secure`, the function the app's before-send hook uses).
    Anything not granted goes to the app, where the full checks run.
    """

    def __init__(
        self,
        app: ASGIApp,
        grants: MediaGrants,
        files: OpenFiles,
        secure: Securer,
    ) -> None:
        self.app = app
        self.grants = grants
        self.files = files
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and scope["path"].startswith(PATH_PREFIX):
            media = _granted(self.grants, scope)
            scope[GRANTS_ASKED] = True  # type: ignore[literal-required]
            if media is not None and await self._answer_from_grant(media, scope, receive, send):
                return
        await self.app(scope, receive, send)

    async def _answer_from_grant(
        self, media: MediaFile, scope: HTTPScope, receive: Receive, send: Send
    ) -> bool:
        """Send the granted answer; False if it failed before starting (see `_give_up`)."""
        try:
            quick = self._quick_answer(media, scope)
        except Exception as error:
            _give_up(self.grants, scope, error)
            return False
        token = ANSWERING_FROM_GRANT.set(True)
        try:
            if quick is not None:  # the hot path: no more work than sending
                skip_access_log(send)
                await send({"type": "http.response.start", "status": 206, "headers": quick[0]})
                await send({"type": "http.response.body", "body": quick[1], "more_body": False})
                return True
            watched = _WatchedSend(send)
            try:
                answer = plan(media, Conditions.of(scope))
                answer = Plan(
                    answer.status, self.secure(answer.headers), answer.start, answer.length
                )
                await send_planned(answer, self.files, media.path, watched, receive)
            except Exception as error:
                if watched.started:
                    raise
                _give_up(self.grants, scope, error)
                return False
            return True
        finally:
            ANSWERING_FROM_GRANT.reset(token)

    def _quick_answer(
        self, media: MediaFile, scope: HTTPScope
    ) -> tuple[list[tuple[bytes, bytes]], bytes] | None:
        """A player's plain range request, answered with the least work: headers and body."""
        wanted = quick_range(media, scope)
        if wanted is None:
            return None
        start, length = wanted
        body = self.files.read(media.path, start, length)
        return quick_range_headers(media, self.secure, start, length), body


def skip_access_log(send: Send) -> None:
    """Tell uvicorn not to log this response at all, where QuietGrantedRanges would drop it.

    uvicorn builds the access-log record (client address, path, a LogRecord) before any filter
    sees it; for 64 KiB ranges that costs a quarter of the answer. Its per-request cycle, whose
    bound method `send` is, reads its `access_log` flag when the response starts. This relies on
    uvicorn's internals: with another server, or if uvicorn changes, nothing happens here and
    QuietGrantedRanges still keeps the log free of these lines.
    """
    cycle = getattr(send, "__self__", None)
    if getattr(cycle, "access_log", None) is True:
        cycle.access_log = False  # type: ignore[union-attr]


class QuietGrantedRanges(logging.Filter):
    """Drops access-log lines of successful answers sent from a grant (`GrantedMediaServer`).

    A player fetches one file in hundreds of ranges; the first request for the URL, every
    refusal and every renewal through the full checks are still logged.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not ANSWERING_FROM_GRANT.get():
            return True
        args = record.args
        status = args[-1] if isinstance(args, tuple) and args else None
        return not (isinstance(status, int) and 200 <= status < 300)
