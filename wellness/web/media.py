"""Media playback: stored audio/video and cover pictures, for signed-in users allowed to see them.

Answers GET and HEAD with byte ranges (seeking), validators (304s) and a fixed Content-Type from
what was sniffed at upload, never guessed from the URL. Anyone who may not see a file gets the
same 404 as for a file that does not exist.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from litestar import Controller, HttpMethod, MediaType, Request, Response, route
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import PathParameter

from wellness.catalog import services as catalog
from wellness.catalog.media_access import cover_owner_for_viewer
from wellness.catalog.models import MediaAsset
from wellness.catalog.storage import MediaStore
from wellness.lib.http_ranges import strong_etag
from wellness.web.auth import retrieve_user
from wellness.web.context import web_context
from wellness.web.guards import current_user, signed_in
from wellness.web.media_response import Conditions, MediaFile, OpenFiles, RangedFileResponse

log = logging.getLogger("wellness.web.media")

AssetId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
CoverKey = Annotated[str, PathParameter(max_length=80)]
GET_OR_HEAD = [HttpMethod.GET, HttpMethod.HEAD]

# One set of open descriptors per worker process, shared by every request it serves.
OPEN_FILES = OpenFiles()


def media_file(
    store: MediaStore,
    key: str,
    *,
    asset: MediaAsset,
    etag: str,
    filename: str,
    mime_type: str,
    expected_size: int | None,
) -> MediaFile | None:
    path = store.local_path(key)
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
    )


def media_file_of_asset(store: MediaStore, asset: MediaAsset) -> MediaFile | None:
    return media_file(
        store,
        asset.storage_key,
        asset=asset,
        etag=strong_etag(asset.sha256),
        filename=f"session-{asset.id}.{asset.extension}",
        mime_type=asset.mime_type,
        expected_size=asset.size_bytes,
    )


def media_file_of_cover(store: MediaStore, asset: MediaAsset, key: str) -> MediaFile | None:
    sha256, _, extension = key.partition(".")
    return media_file(
        store,
        key,
        asset=asset,
        etag=strong_etag(sha256),
        filename=f"cover.{extension}",
        mime_type=asset.cover_mime_type or "application/octet-stream",
        expected_size=None,
    )


def _not_signed_in(_: Request[Any, Any, Any], __: NotAuthorizedException) -> Response[str]:
    # A media URL is fetched by <audio>/<img>, which cannot follow a sign-in redirect.
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
        media = media_file_of_asset(web_context(request).media_store, asset) if asset else None
        if media is None:
            raise NotFoundException("No such media.")
        return RangedFileResponse(media, Conditions.of(request), OPEN_FILES)

    @route("/covers/{key:str}", http_method=GET_OR_HEAD, name="media_cover")
    async def cover(self, request: Request[Any, Any, Any], key: CoverKey) -> Response[None]:
        asset = await cover_owner_for_viewer(current_user(request), key)
        store = web_context(request).media_store
        media = media_file_of_cover(store, asset, key) if asset else None
        if media is None:
            raise NotFoundException("No such picture.")
        return RangedFileResponse(media, Conditions.of(request), OPEN_FILES)
