"""The media routes: stored audio/video and cover pictures, for signed-in users allowed to see
them, and the access check nginx asks when it sends the bytes itself.

Answers GET and HEAD with byte ranges (seeking), validators (304s) and a fixed Content-Type from
what was sniffed at upload, never guessed from the URL. Anyone who may not see a file gets the
same 404 as for a file that does not exist. Each allowed answer is remembered in `MediaGrants`,
so that the fast paths answer the player's next ranges by themselves (see `fast_path`).

Behind nginx, `GET /media/{id}/access` answers nginx's `auth_request` instead, and nginx sends
the bytes (docs/nginx-media.conf).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from litestar import Controller, HttpMethod, MediaType, Request, Response, route
from litestar.config.app import AppConfig
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.params import PathParameter
from litestar.plugins import InitPlugin

from wellness.catalog import services as catalog
from wellness.catalog.models import MediaAsset
from wellness.catalog.storage import MediaStore
from wellness.lib.http_ranges import strong_etag
from wellness.web.auth import retrieve_user
from wellness.web.dependencies import SignedInUser
from wellness.web.errors import handle_http_exception
from wellness.web.guards import signed_in
from wellness.web.ids import PathId
from wellness.web.lookups import asset_for_viewer_or_404, cover_owner_for_viewer_or_404
from wellness.web.media.conditions import Conditions
from wellness.web.media.fast_path import MediaFastPath
from wellness.web.media.files import OPEN_FILES
from wellness.web.media.grants import MediaGrants
from wellness.web.media.representation import MediaFile
from wellness.web.media.response import RangedFileResponse

log = logging.getLogger("wellness.web.media")

CoverKey = Annotated[str, PathParameter(max_length=80)]
GET_OR_HEAD = [HttpMethod.GET, HttpMethod.HEAD]


@dataclass(slots=True)
class MediaFolder:
    """Where the app keeps its media files, and where nginx finds them (`accel_prefix`).

    Fixed when the app is created (`MediaPlugin` holds it), so the media routes need no
    per-request dependency for it: the slow path stays as cheap as it was.
    """

    store: MediaStore
    media_dir: Path
    accel_prefix: str | None

    def media_file(
        self,
        key: str,
        *,
        asset: MediaAsset,
        etag: str,
        filename: str,
        mime_type: str,
        expected_size: int | None,
    ) -> MediaFile | None:
        path = self.store.local_path(key)
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
            accel_location=None
            if self.accel_prefix is None
            else self.accel_prefix + self.relative(path),
        )

    def relative(self, path: Path) -> str:
        """`path` inside the media folder, as nginx's configuration names it."""
        return path.relative_to(self.media_dir).as_posix()

    def of_asset(self, asset: MediaAsset) -> MediaFile | None:
        return self.media_file(
            asset.storage_key,
            asset=asset,
            etag=strong_etag(asset.sha256),
            filename=f"session-{asset.id}.{asset.extension}",
            mime_type=asset.mime_type,
            expected_size=asset.size_bytes,
        )

    def of_cover(self, asset: MediaAsset, key: str) -> MediaFile | None:
        sha256, _, extension = key.partition(".")
        return self.media_file(
            key,
            asset=asset,
            etag=strong_etag(sha256),
            filename=f"cover.{extension}",
            mime_type=asset.cover_mime_type or "application/octet-stream",
            expected_size=None,
        )


def _not_signed_in(request: Request[Any, Any, Any], _: NotAuthorizedException) -> Response[str]:
    # A media URL is fetched by <audio>/<img>, which cannot follow a sign-in redirect.
    _forget_grant(request)
    return Response(
        "Sign in to continue.",
        status_code=401,
        media_type=MediaType.TEXT,
        headers={"cache-control": "no-store"},
    )


def _not_found(request: Request[Any, Any, Any], refusal: NotFoundException) -> Response[Any]:
    # Whatever made this URL absent for this browser session also ends its grant.
    _forget_grant(request)
    return handle_http_exception(request, refusal)


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
    exception_handlers = {  # noqa: RUF012
        NotAuthorizedException: _not_signed_in,
        NotFoundException: _not_found,
    }
    include_in_schema = False

    @route("/{asset_id:int}", http_method=GET_OR_HEAD, name="media_play")
    async def play(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        asset_id: PathId,
    ) -> Response[None]:
        asset = await asset_for_viewer_or_404(user, asset_id)
        return _answer(request, _folder(request).of_asset(asset), "No such media.")

    @route("/{asset_id:int}/access", http_method=HttpMethod.GET, name="media_access")
    async def access(
        self, request: Request[Any, Any, Any], user: SignedInUser, asset_id: PathId
    ) -> Response[bytes]:
        """May this browser session play `/media/{asset_id}`? nginx's `auth_request` asks here.

        204 (no body) with the stored file relative to the media folder and the headers to send
        with it (`MediaFile.described_for_nginx`), so nginx serves the bytes and the ranges
        itself (docs/nginx-media.conf); 401 when not signed in. Media this user may not play,
        and media that does not exist, are the same 403: `auth_request` takes only 401 and 403
        as refusals (any other status is a 500), and the nginx config answers the browser 404.
        """
        asset = await catalog.asset_for_viewer(user, asset_id)
        folder = _folder(request)
        media = folder.of_asset(asset) if asset else None
        if media is None:
            return Response(b"", status_code=403, media_type=MediaType.TEXT)
        headers = media.described_for_nginx(folder.relative(media.path))
        return Response(b"", status_code=204, headers=headers)

    @route("/covers/{key:str}", http_method=GET_OR_HEAD, name="media_cover")
    async def cover(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        key: CoverKey,
    ) -> Response[None]:
        asset = await cover_owner_for_viewer_or_404(user, key)
        return _answer(request, _folder(request).of_cover(asset, key), "No such picture.")


def _answer(
    request: Request[Any, Any, Any], media: MediaFile | None, refusal: str
) -> RangedFileResponse:
    """The file, remembered as allowed for the fast path; or a 404 (which ends any grant)."""
    if media is None:
        raise NotFoundException(refusal)
    _plugin(request).grants.allow(request.scope, media)
    return RangedFileResponse(media, Conditions.of(request.scope), OPEN_FILES)


def _forget_grant(request: Request[Any, Any, Any]) -> None:
    _plugin(request).grants.forget(request.scope)


def _folder(request: Request[Any, Any, Any]) -> MediaFolder:
    return _plugin(request).folder


def _plugin(request: Request[Any, Any, Any]) -> MediaPlugin:
    # Always there: the plugin is what registers this controller.
    return request.app.plugins.get(MediaPlugin)


class MediaPlugin(InitPlugin):
    """Registers the media controller, and the fast path in front of the session middleware.

    Plugins are initialised after the app's `on_app_init` hooks, so inserting first here puts
    the fast path outside SessionAuth's middleware, which those hooks install.
    """

    def __init__(self, folder: MediaFolder) -> None:
        self.grants = MediaGrants()
        self.folder = folder

    @property
    def accel_prefix(self) -> str | None:
        """WELLNESS_MEDIA_ACCEL_PREFIX: an nginx `internal` location aliasing the media folder;
        allowed requests are then answered with X-Accel-Redirect and nginx sends the bytes."""
        return self.folder.accel_prefix

    @accel_prefix.setter
    def accel_prefix(self, prefix: str | None) -> None:
        self.folder.accel_prefix = prefix

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.route_handlers.append(MediaController)
        fast_path = DefineMiddleware(MediaFastPath, grants=self.grants, files=OPEN_FILES)
        app_config.middleware.insert(0, fast_path)
        return app_config
