"""Media playback: stored audio/video and cover pictures, for signed-in users allowed to see them.

Answers GET and HEAD with byte ranges (seeking), validators (304s) and a fixed Content-Type from
what was sniffed at upload, never guessed from the URL. Anyone who may not see a file gets the
same 404 as for a file that does not exist.

Behind nginx, `GET /media/{id}/access` answers nginx's `auth_request` instead, and nginx sends
the bytes (docs/nginx-media.conf).

Players fetch one file in many small ranges, and the session middleware and database lookups cost
far more than reading 64 KiB. So once the controller has allowed a URL to a browser session, the
`MediaFastPath` middleware, placed in front of the session middleware by `MediaPlugin`, answers
the same URL with the same cookies by itself for `GRANT_SECONDS` (see `MediaGrants`).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, cast

from litestar import Controller, HttpMethod, MediaType, Request, Response, route
from litestar.config.app import AppConfig
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.params import PathParameter
from litestar.plugins import InitPlugin
from litestar.types import ASGIApp, HTTPScope, Receive, Scope, Send

from wellness.catalog import services as catalog
from wellness.catalog.media_access import cover_owner_for_viewer
from wellness.catalog.models import MediaAsset
from wellness.lib.http_ranges import strong_etag
from wellness.web.auth import retrieve_user
from wellness.web.context import web_context
from wellness.web.guards import current_user, signed_in
from wellness.web.media_response import (
    Conditions,
    MediaFile,
    OpenFiles,
    Plan,
    RangedFileResponse,
    plan,
    quick_range,
    quick_range_headers,
    send_planned,
)

log = logging.getLogger("wellness.web.media")

AssetId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
CoverKey = Annotated[str, PathParameter(max_length=80)]
GET_OR_HEAD = [HttpMethod.GET, HttpMethod.HEAD]

# One set of open descriptors per worker process, shared by every request it serves.
OPEN_FILES = OpenFiles()
PATH_PREFIX = "/media/"
# How long an allowed (browser session, URL) pair is answered without asking again. Revoking
# access (signing out, deactivating an account, archiving a session) therefore takes effect
# within this many seconds for a browser that was fetching that very file; anything else it
# asks for goes through the full checks at once.
GRANT_SECONDS = 2.0
# After this fraction of a grant's life, one request renews it through the full checks.
RENEW_AT = 0.75
GRANT_CAPACITY = 10_000


def media_file(
    request: Request[Any, Any, Any],
    key: str,
    *,
    asset: MediaAsset,
    etag: str,
    filename: str,
    mime_type: str,
    expected_size: int | None,
) -> MediaFile | None:
    context = web_context(request)
    path = context.media_store.local_path(key)
    try:
        size = OPEN_FILES.size_of(path)
    except FileNotFoundError:
        log.error("media file %s of asset %s is missing", key, asset.id)
        return None
    if expected_size is not None and size != expected_size:
        log.error("media file %s has %s bytes, its row says %s", key, size, expected_size)
        return None
    return MediaFile(
        path=path,
        size=size,
        mime_type=mime_type,
        etag=etag,
        last_modified=asset.uploaded_at,
        filename=filename,
        accel_location=_accel_location(request, path, context.settings.media_dir),
    )


def _accel_location(request: Request[Any, Any, Any], path: Path, media_dir: Path) -> str | None:
    plugin = _plugin(request)
    if plugin is None or plugin.accel_prefix is None:
        return None
    return plugin.accel_prefix + path.relative_to(media_dir).as_posix()


def media_file_of_asset(request: Request[Any, Any, Any], asset: MediaAsset) -> MediaFile | None:
    return media_file(
        request,
        asset.storage_key,
        asset=asset,
        etag=strong_etag(asset.sha256),
        filename=f"session-{asset.id}.{asset.extension}",
        mime_type=asset.mime_type,
        expected_size=asset.size_bytes,
    )


def media_file_of_cover(
    request: Request[Any, Any, Any], asset: MediaAsset, key: str
) -> MediaFile | None:
    sha256, _, extension = key.partition(".")
    return media_file(
        request,
        key,
        asset=asset,
        etag=strong_etag(sha256),
        filename=f"cover.{extension}",
        mime_type=asset.cover_mime_type or "application/octet-stream",
        expected_size=None,
    )


def _not_signed_in(request: Request[Any, Any, Any], _: NotAuthorizedException) -> Response[str]:
    # A media URL is fetched by <audio>/<img>, which cannot follow a sign-in redirect.
    grants = _grants(request)
    if grants is not None:
        grants.forget(request.scope)
    return Response(
        "Sign in to continue.",
        status_code=401,
        media_type=MediaType.TEXT,
        headers={"cache-control": "no-store"},
    )


async def signed_in_even_for_head(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """`signed_in`, after signing in HEAD requests too.

    Litestar's SessionAuth skips authentication for HEAD (its default `exclude_http_methods`),
    so a HEAD arrives here with its session loaded but no user: look the user up the same way.
    """
    session = connection.scope.get("session")
    if connection.scope.get("user") is None and isinstance(session, dict) and session:
        user = await retrieve_user(session, connection)
        if user is not None:
            connection.scope["user"] = user
    await signed_in(connection, handler)


class MediaController(Controller):
    path = "/media"
    guards = [signed_in_even_for_head]  # noqa: RUF012  (Litestar reads this class attribute)
    exception_handlers = {NotAuthorizedException: _not_signed_in}  # noqa: RUF012
    include_in_schema = False

    @route("/{asset_id:int}", http_method=GET_OR_HEAD, name="media_play")
    async def play(self, request: Request[Any, Any, Any], asset_id: AssetId) -> Response[None]:
        asset = await catalog.asset_for_viewer(current_user(request), asset_id)
        media = media_file_of_asset(request, asset) if asset else None
        return _answer(request, media, "No such media.")

    @route("/{asset_id:int}/access", http_method=HttpMethod.GET, name="media_access")
    async def access(self, request: Request[Any, Any, Any], asset_id: AssetId) -> Response[bytes]:
        """May this browser session play `/media/{asset_id}`? nginx's `auth_request` asks here.

        204 (no body) with the stored file relative to the media folder and the headers to send
        with it (`MediaFile.described_for_nginx`), so nginx serves the bytes and the ranges
        itself (docs/nginx-media.conf); 401 when not signed in. Media this user may not play,
        and media that does not exist, are the same 403: `auth_request` takes only 401 and 403
        as refusals (any other status is a 500), and the nginx config answers the browser 404.
        """
        asset = await catalog.asset_for_viewer(current_user(request), asset_id)
        media = media_file_of_asset(request, asset) if asset else None
        if media is None:
            return Response(b"", status_code=403, media_type=MediaType.TEXT)
        relative = media.path.relative_to(web_context(request).settings.media_dir).as_posix()
        return Response(b"", status_code=204, headers=media.described_for_nginx(relative))

    @route("/covers/{key:str}", http_method=GET_OR_HEAD, name="media_cover")
    async def cover(self, request: Request[Any, Any, Any], key: CoverKey) -> Response[None]:
        asset = await cover_owner_for_viewer(current_user(request), key)
        media = media_file_of_cover(request, asset, key) if asset else None
        return _answer(request, media, "No such picture.")


def _answer(
    request: Request[Any, Any, Any], media: MediaFile | None, refusal: str
) -> RangedFileResponse:
    """The file, remembered as allowed for the fast path; or a 404 that also ends any grant."""
    grants = _grants(request)
    if media is None:
        if grants is not None:
            grants.forget(request.scope)
        raise NotFoundException(refusal)
    if grants is not None:
        grants.allow(request.scope, media)
    return RangedFileResponse(media, Conditions.of(request.scope), OPEN_FILES)


def _grants(request: Request[Any, Any, Any]) -> MediaGrants | None:
    plugin = _plugin(request)
    return plugin.grants if plugin is not None else None


def _plugin(request: Request[Any, Any, Any]) -> MediaPlugin | None:
    try:
        return request.app.plugins.get(MediaPlugin)
    except KeyError:  # the controller was registered without its plugin: no fast path
        return None


# --- answering again without asking again -------------------------------------------------


GrantKey = tuple[str, bytes]


@dataclass(slots=True)
class _Grant:
    media: MediaFile
    renew_after: float
    expires: float
    renewing: bool = False


class MediaGrants:
    """Recent decisions "this browser session may fetch this URL", each kept for a few seconds.

    The key is the request path plus the exact Cookie header the session middleware accepted:
    a request with the same header carries the same session cookie, so it is the same browser
    session. Nothing is granted to a request without cookies.

    Near the end of a grant's life one request is sent through the full checks again (`find`
    answers None to it), and their answer renews the grant; the others are still answered from
    the grant meanwhile. So a player streaming ranges keeps being served without a stampede of
    full checks, and a refusal still takes effect when the grant expires.
    """

    def __init__(
        self,
        seconds: float = GRANT_SECONDS,
        capacity: int = GRANT_CAPACITY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.capacity = capacity
        self.clock = clock
        self._grants: OrderedDict[GrantKey, _Grant] = OrderedDict()

    def __len__(self) -> int:
        return len(self._grants)

    def allow(self, scope: Scope, media: MediaFile) -> None:
        key = _grant_key(scope)
        if key is None:
            return
        now = self.clock()
        self._grants.pop(key, None)
        self._grants[key] = _Grant(media, now + self.seconds * RENEW_AT, now + self.seconds)
        self._forget_expired(now)
        while len(self._grants) > self.capacity:
            self._grants.popitem(last=False)

    def find(self, scope: Scope) -> MediaFile | None:
        """The granted file; None sends the request through the full checks."""
        key = _grant_key(scope)
        grant = self._grants.get(key) if key is not None else None
        if grant is None:
            return None
        now = self.clock()
        if now >= grant.expires:
            self._grants.pop(key, None)  # type: ignore[arg-type]
            return None
        if now >= grant.renew_after and not grant.renewing:
            grant.renewing = True
            return None
        return grant.media

    def forget(self, scope: Scope) -> None:
        key = _grant_key(scope)
        if key is not None:
            self._grants.pop(key, None)

    def _forget_expired(self, now: float) -> None:
        # Every grant lives equally long, so the oldest are first in insertion order.
        while self._grants:
            key, grant = next(iter(self._grants.items()))
            if grant.expires > now:
                return
            del self._grants[key]


def _grant_key(scope: Scope) -> GrantKey | None:
    cookies = b"; ".join(value for name, value in scope["headers"] if name == b"cookie")
    return (scope["path"], cookies) if cookies else None


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
        secure: Callable[[list[tuple[bytes, bytes]]], list[tuple[bytes, bytes]]],
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


class MediaPlugin(InitPlugin):
    """Registers the media controller, and the fast path in front of the session middleware.

    Plugins are initialised after the app's `on_app_init` hooks, so inserting first here puts
    the fast path outside SessionAuth's middleware, which those hooks install.
    """

    def __init__(self, accel_prefix: str | None = None) -> None:
        self.grants = MediaGrants()
        # WELLNESS_MEDIA_ACCEL_PREFIX: an nginx `internal` location aliasing the media folder;
        # allowed requests are then answered with X-Accel-Redirect and nginx sends the bytes.
        self.accel_prefix = accel_prefix

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.route_handlers.append(MediaController)
        fast_path = DefineMiddleware(MediaFastPath, grants=self.grants, files=OPEN_FILES)
        app_config.middleware.insert(0, fast_path)
        return app_config
