"""Coordinator pages for media files: the upload page (and its list of uploads no session
plays, each to describe or delete), the multipart upload routes, and media deletion.

Uploads without JavaScript post multipart forms here. Litestar's CSRF middleware would read
such a body itself (`request.form()`, spooling the whole file to $TMPDIR) and leave nothing for
the streaming receiver, so the two upload routes opt out of it and check the same thing
themselves (see `LibraryUploads`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Controller, Request, Router, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from wellness.accounts.models import User
from wellness.catalog import removal, transcripts
from wellness.catalog import services as catalog
from wellness.catalog.rules import CatalogConflict
from wellness.catalog.validation import MediaRejected
from wellness.settings import Settings
from wellness.web import actions
from wellness.web.dependencies import AppMediaStore, AppSettings, SignedInCall, SignedInUser
from wellness.web.errors import WRONG_TYPE_CODES
from wellness.web.guards import coordinators_only
from wellness.web.ids import PageNumber, PathId
from wellness.web.lookups import asset_for_viewer_or_404, session_for_editor_or_404
from wellness.web.pages.catalog_forms import MediaView
from wellness.web.pages.library import FILE_LEFT
from wellness.web.pages.library_edit import edit_template, upload_limits
from wellness.web.security import adopt_csrf_cookie, check_form_token, same_origin_writes_only
from wellness.web.uploads import (
    UPLOAD,
    Upload,
    UploadRefused,
    UploadTo,
    ingest_received,
    receive_file,
)

# Uploads no session plays, listed on the upload page to delete or describe.
UNUSED_PER_PAGE = 20
# Where the upload page lists them.
UNUSED_LIST = "/library/upload#unused"


class UploadProblem(Exception):
    """An upload we refuse, with the status and the sentence to show beside the file field."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class LibraryMedia(Controller):
    path = "/library"
    guards = [coordinators_only]  # noqa: RUF012  (Litestar reads this class attribute)

    @get("/upload", name="library_upload")
    async def upload_form(
        self, user: SignedInUser, settings: AppSettings, page: PageNumber = 1
    ) -> Template:
        return await upload_template(settings, user, page=page)

    @post("/media/{asset_id:int}/delete", name="library_delete_media")
    async def delete_media(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        settings: AppSettings,
        media_store: AppMediaStore,
        asset_id: PathId,
    ) -> Template | Redirect:
        """Delete an upload no session plays; refused (409) with the sessions that do."""
        asset = await asset_for_viewer_or_404(user, asset_id)
        try:
            removed = await actions.delete_media(request, asset)
        except CatalogConflict as refused:
            playing = [(found.id, found.title) for found in await removal.sessions_using(asset.id)]
            return await upload_template(
                settings, user, refused=refused.message, used_by=playing, status=409
            )
        gone = await actions.remove_files(media_store, removed)
        name = MediaView.of(asset).name
        flash(request, f"“{name}” was deleted.{'' if gone else FILE_LEFT}", "success")
        return Redirect(UNUSED_LIST, status_code=303)


class LibraryUploads(Controller):
    """The two multipart routes. They skip Litestar's CSRF middleware and check instead:

    1. before the body is read, that a browser did not send the request from another site
       (Sec-Fetch-Site / Origin, the guard the JSON API uses);
    2. after streaming, before anything is stored, that the form's `_csrf_token` field (or the
       `x-csrftoken` header) matches the CSRF cookie, exactly as the middleware would.
    """

    path = "/library"
    guards = [coordinators_only, same_origin_writes_only]  # noqa: RUF012
    opt = {"exclude_from_csrf": True}  # noqa: RUF012  (replaced by security.check_form_token)

    @post("/media", name="library_upload_file", dependencies=UPLOAD)
    async def upload(
        self, request: Request[Any, Any, Any], upload: UploadTo
    ) -> Template | Redirect:
        try:
            ingested = await receive_media(request, upload)
        except UploadProblem as problem:
            return await upload_template(
                upload.settings, upload.uploader, error=problem.message, status=problem.status
            )
        asset = ingested.asset
        if ingested.created:
            flash(request, f"{asset.original_filename or 'The file'} was uploaded.", "success")
        else:
            flash(request, "That file was already in the library; its media is reused.", "info")
        return Redirect(f"/library/sessions/new?asset={asset.id}", status_code=303)

    @post("/sessions/{session_id:int}/media", name="library_replace_media", dependencies=UPLOAD)
    async def replace_media(
        self, request: Request[Any, Any, Any], upload: UploadTo, session_id: PathId
    ) -> Template | Redirect:
        session = await session_for_editor_or_404(upload.uploader, session_id)
        try:
            ingested = await receive_media(request, upload)
        except UploadProblem as problem:
            errors = {"file": problem.message}
            return await edit_template(
                request,
                upload.settings,
                session,
                now=upload.now,
                errors=errors,
                status=problem.status,
            )
        fields = catalog.SessionFields(primary_asset_id=ingested.asset.id)
        call = SignedInCall(request, upload.uploader, upload.now, upload.settings.care)
        await actions.update_session(call, session, fields)
        flash(request, "The new media file now plays for this session.", category="success")
        # The file is kept whatever its length: refusing it after the upload would cost the
        # coordinator the upload. The transcript's stamps are named, to correct, instead.
        late = transcripts.problem(session.transcript, ingested.asset.duration_seconds)
        if late:
            flash(request, f"Check the transcript's time stamps: {late}", category="info")
        return Redirect(f"/library/sessions/{session.id}/edit", status_code=303)


def library_upload_router(max_body_bytes: int) -> Router:
    """The upload routes with the larger body limit; the real cap is enforced while streaming."""
    return Router(path="/", route_handlers=[LibraryUploads], request_max_body_size=max_body_bytes)


# --- uploads -----------------------------------------------------------------------------------


async def receive_media(request: Request[Any, Any, Any], upload: Upload) -> catalog.Ingested:
    """Stream the form's `file` into the store and validate it; nothing is kept on refusal."""
    store = upload.store
    adopt_csrf_cookie(request)
    try:
        received = await receive_file(request, store, max_bytes=upload.settings.max_upload_bytes)
    except UploadRefused as refused:
        raise UploadProblem(refused.status_code, refused.detail) from None
    try:
        check_form_token(request, received.fields)
    except PermissionDeniedException:
        await asyncio.to_thread(store.discard, received.path)
        raise
    try:
        return await ingest_received(request, received, upload)
    except MediaRejected as rejected:
        status = 415 if rejected.code in WRONG_TYPE_CODES else 422
        raise UploadProblem(status, rejected.message) from None


# --- templates ---------------------------------------------------------------------------------


async def upload_template(
    settings: Settings,
    viewer: User,
    *,
    page: int = 1,
    error: str = "",
    refused: str = "",
    used_by: list[tuple[int, str]] | None = None,
    status: int = 200,
) -> Template:
    """The upload form, and the uploads no session plays (`refused`: why one was not deleted;
    `used_by`: the sessions, id and title, that play it)."""
    unused = await removal.unused_assets(page, UNUSED_PER_PAGE)
    context = {
        "errors": {"file": error} if error else {},
        "refused": refused,
        "used_by": used_by or [],
        "unused": unused,
        "unused_media": [MediaView.of(asset) for asset in unused.items],
        "zone": viewer.time_zone,
        **upload_limits(settings),
    }
    return Template("library/upload.html", context=context, status_code=status)
