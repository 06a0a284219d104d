"""JSON API for the catalog and media uploads. Paths are a public contract."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody, QueryParameter

from wellness.catalog import services as catalog
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession
from wellness.catalog.removal import Removed
from wellness.web import actions
from wellness.web.api.catalog_filters import SESSION_FILTERS, SessionFilters
from wellness.web.api.catalog_schemas import (
    MediaAssetResponse,
    SessionCreate,
    SessionList,
    SessionPatch,
)
from wellness.web.api.reviews_schemas import PublishedSession
from wellness.web.catalog_views import SessionDetail
from wellness.web.dependencies import AppMediaStore, AppSettings, LibraryCall, SignedInUser
from wellness.web.guards import coordinators_only, signed_in
from wellness.web.idempotency import respond_once, respond_once_empty
from wellness.web.ids import PathId
from wellness.web.lookups import (
    asset_for_viewer_or_404,
    session_for_editor_or_404,
    session_for_viewer_or_404,
)
from wellness.web.openapi import answers, created
from wellness.web.routes import action_route
from wellness.web.saved_views import saved_of
from wellness.web.uploads import UPLOAD, UploadTo, ingest_received, receive_file


async def session_detail(session: PracticeSession) -> SessionDetail:
    return SessionDetail.of(
        session, await catalog.tags_of(session), await catalog.primary_asset(session)
    )


def _fields(data: SessionCreate) -> catalog.SessionFields:
    return catalog.SessionFields(**msgspec.structs.asdict(data))


class DeleteOptions(msgspec.Struct):
    """A deletion's options, fingerprinted with its Idempotency-Key (they are in the query)."""

    with_media: bool = False


# A deletion answers 204 without a body, or 409 saying why the records refuse it.
REFUSED_AS_IN_USE = {"refusals": (409,)}
# Publishing a draft no therapist approved, where the clinic requires it: 409.
REFUSED_UNREVIEWED = {"refusals": (409,)}


async def deleted_once(
    request: Request[Any, Any, Any],
    media_store: AppMediaStore,
    options: DeleteOptions,
    delete_rows: Callable[[], Awaitable[Removed]],
) -> Response[None]:
    """Run a deletion once per Idempotency-Key and answer 204; only once its rows' deletion has
    committed (with the stored answer, when there is a key) are its files removed."""
    done: list[Removed] = []

    async def write() -> None:
        done.append(await delete_rows())

    answer = await respond_once_empty(request, options, write)
    for removed in done:
        await actions.remove_files(media_store, removed)
    return answer


def _status_change(word: str, target: Status, name: str) -> HTTPRouteHandler:
    """`POST /api/v1/sessions/{id}/archive` (and any other plain status change)."""

    async def handler(self: Controller, call: LibraryCall, session_id: PathId) -> Response[bytes]:
        session = await session_for_editor_or_404(call.user, session_id)

        async def write() -> tuple[int, SessionDetail]:
            changed = await actions.change_session_status(call, session, target)
            return 200, await session_detail(changed)

        return await respond_once(call.request, None, write)

    return action_route(
        handler,
        word,
        f"/{{session_id:int}}/{word}",
        guards=[coordinators_only],
        status_code=200,
        name=name,
        responses=answers(SessionDetail, 200),
    )


class CatalogApi(Controller):
    path = "/api/v1/sessions"
    guards = [signed_in]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["catalog"]  # noqa: RUF012

    @get("/", name="api_sessions", dependencies=SESSION_FILTERS)
    async def list_sessions(
        self,
        user: SignedInUser,
        filters: SessionFilters,
        status: Annotated[Status | None, QueryParameter()] = None,
    ) -> SessionList:
        """Published sessions, filtered and searched; coordinators also see drafts and archived.
        For a patient each says whether it is on their Saved list (`saved`)."""
        query = replace(filters, statuses=frozenset({status})) if status else filters
        found = await catalog.browse(user, query)
        return SessionList.of(found, await saved_of(user, [row.id for row in found.rows]))

    @get("/{session_id:int}", name="api_session")
    async def get_session(self, user: SignedInUser, session_id: PathId) -> SessionDetail:
        """A session you may see; for a patient, `saved` says whether it is on their list."""
        detail = await session_detail(await session_for_viewer_or_404(user, session_id))
        saved = await saved_of(user, [detail.id])
        return (
            detail if saved is None else msgspec.structs.replace(detail, saved=detail.id in saved)
        )

    @post(
        "/",
        guards=[coordinators_only],
        name="api_session_create",
        responses=created(SessionDetail),
    )
    async def create_session(
        self, call: LibraryCall, data: JSONBody[SessionCreate]
    ) -> Response[bytes]:
        """Save a new draft session."""

        async def write() -> tuple[int, SessionDetail]:
            session = await actions.create_session(call, _fields(data))
            return 201, await session_detail(session)

        return await respond_once(call.request, data, write)

    @patch(
        "/{session_id:int}",
        guards=[coordinators_only],
        name="api_session_update",
        responses=answers(SessionDetail, 200),
    )
    async def update_session(
        self, call: LibraryCall, session_id: PathId, data: JSONBody[SessionPatch]
    ) -> Response[bytes]:
        """Change a session's fields; those left out keep their values."""
        session = await session_for_editor_or_404(call.user, session_id)

        async def write() -> tuple[int, SessionDetail]:
            saved = await actions.update_session(call, session, data)
            return 200, await session_detail(saved)

        return await respond_once(call.request, data, write)

    @delete(
        "/{session_id:int}",
        guards=[coordinators_only],
        name="api_session_delete",
        status_code=204,
        opt=REFUSED_AS_IN_USE,
    )
    async def delete_session(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        media_store: AppMediaStore,
        session_id: PathId,
        with_media: Annotated[bool, QueryParameter()] = False,
    ) -> Response[None]:
        """Delete a draft that was never published and that nothing refers to (practice,
        assignments, pins or bans, suggestions); with `with_media=true` also its media file,
        which no other session may play (both or neither). Anything else is a 409 that says
        why: published sessions are archived instead."""

        async def delete_rows() -> Removed:
            # Loaded here, so a retry of a deletion that succeeded replays its answer.
            session = await session_for_editor_or_404(user, session_id)
            return await actions.delete_session(request, session, with_media=with_media)

        options = DeleteOptions(with_media=with_media)
        return await deleted_once(request, media_store, options, delete_rows)

    @post(
        "/{session_id:int}/publish",
        guards=[coordinators_only],
        status_code=200,
        name="api_session_publish",
        responses=answers(PublishedSession, 200),
        opt=REFUSED_UNREVIEWED,
    )
    async def publish(
        self, call: LibraryCall, settings: AppSettings, session_id: PathId
    ) -> Response[bytes]:
        """Publish a session. Its `review_status` says where its clinical reviews stood: with
        WELLNESS_PUBLISH_NEEDS_REVIEW on, a draft without a therapist's approval of its current
        version is a 409 (`review_required`, or `changes_requested`) and stays a draft; off,
        it is published and `review_status` says it was not approved."""
        session = await session_for_editor_or_404(call.user, session_id)

        async def write() -> tuple[int, PublishedSession]:
            published = await actions.publish_session(
                call, session, needs_review=settings.publish_needs_review
            )
            detail = await session_detail(published.session)
            return 200, PublishedSession.published(detail, published.standing)

        return await respond_once(call.request, None, write)

    archive = _status_change("archive", Status.ARCHIVED, "api_session_archive")


class MediaApi(Controller):
    path = "/api/v1/media"
    guards = [coordinators_only]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["catalog"]  # noqa: RUF012

    @post(
        "/",
        name="api_media_upload",
        dependencies=UPLOAD,
        responses=answers(MediaAssetResponse, 201, 200),
        opt={"multipart_file": "file", "refusals": (400, 413, 415, 422)},
    )
    async def upload(
        self, request: Request[Any, Any, Any], upload: UploadTo
    ) -> Response[MediaAssetResponse]:
        """Upload one media file (multipart field `file`): 201 when new, 200 when already stored."""
        limit = upload.settings.max_upload_bytes
        received = await receive_file(request, upload.store, max_bytes=limit)
        ingested = await ingest_received(request, received, upload)
        body = MediaAssetResponse.of(ingested.asset, already_stored=not ingested.created)
        return Response(body, status_code=201 if ingested.created else 200)

    @get("/{asset_id:int}", name="api_media")
    async def get_media(self, user: SignedInUser, asset_id: PathId) -> MediaAssetResponse:
        asset = await asset_for_viewer_or_404(user, asset_id)
        return MediaAssetResponse.of(asset, already_stored=True)

    @delete("/{asset_id:int}", name="api_media_delete", status_code=204, opt=REFUSED_AS_IN_USE)
    async def delete_media(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        media_store: AppMediaStore,
        asset_id: PathId,
    ) -> Response[None]:
        """Delete an uploaded media file (and its cover picture) that no session plays, whatever
        the session's status; a 409 names the sessions that do."""

        async def delete_rows() -> Removed:
            asset = await asset_for_viewer_or_404(user, asset_id)
            return await actions.delete_media(request, asset)

        return await deleted_once(request, media_store, DeleteOptions(), delete_rows)
