"""Coordinator pages: create and edit sessions, publish and archive them, and delete a draft
that was never published. What the edit page shows is built in `library_edit`; media files
(upload, the uploads no session plays, their deletion) are in `library_media`.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from wellness.accounts.models import User
from wellness.caseload.availability import left_plans, patients_assigned
from wellness.catalog import collections, removal
from wellness.catalog import services as catalog
from wellness.catalog.kinds import Status
from wellness.catalog.models import MediaAsset, PracticeSession
from wellness.catalog.rules import CatalogConflict, CatalogError
from wellness.catalog.services import SessionFields
from wellness.reviews.publishing import PublishUnconfirmed
from wellness.reviews.rules import Standing, accepted_statuses
from wellness.settings import Settings
from wellness.web import actions
from wellness.web.dependencies import (
    AppMediaStore,
    AppSettings,
    LibraryCall,
    RequestTime,
    SignedInCall,
    SignedInUser,
)
from wellness.web.guards import coordinators_only
from wellness.web.ids import PathId, QueryId
from wellness.web.lookups import asset_for_viewer_or_404, session_for_editor_or_404
from wellness.web.pages.catalog_forms import MediaView, SessionForm, session_fields
from wellness.web.pages.library_edit import edit_template, session_choices
from wellness.web.routes import action_route

# Said when a deleted row's file could not be unlinked (it is logged; the checker lists it).
FILE_LEFT = (
    " Its file could not be removed from the server's disk: `wellness media check` lists it for "
    "the clinic's administrator."
)


class PublishForm(msgspec.Struct):
    """The session page's Publish button; `confirm` as in `SessionForm.confirm`."""

    confirm: str = ""


class DeleteDraftForm(msgspec.Struct):
    """The edit page's deletion form: `delete_media` is "yes" when its media should go too."""

    delete_media: str = ""


def _status_change(word: str, target: Status, name: str) -> HTTPRouteHandler:
    """`POST /library/sessions/{id}/archive`: a status change that needs no review (publishing
    is `LibraryPages.publish`)."""

    async def handler(
        self: Controller, call: LibraryCall, settings: AppSettings, session_id: PathId
    ) -> Template | Redirect:
        request, now = call.request, call.now
        session = await session_for_editor_or_404(call.user, session_id)
        try:
            changed = await actions.change_session_status(call, session, target)
        except CatalogError as problem:
            errors = {"status": problem.message}
            return await edit_template(
                request, settings, session, now=now, errors=errors, status=422
            )
        assigned = await patients_assigned(
            changed.id, now=now, rollover_hour=settings.care.day_rollover_hour
        )
        held = await collections.collections_holding(changed.id)
        flash(request, _archived_message(changed, assigned, held), "success")
        return Redirect(f"/sessions/{session.id}", status_code=303)

    return action_route(handler, word, f"/sessions/{{session_id:int}}/{word}", name=name)


class LibraryPages(Controller):
    path = "/library"
    guards = [coordinators_only]  # noqa: RUF012  (Litestar reads this class attribute)

    @get("/sessions/new", name="library_new_session")
    async def new_session_form(self, user: SignedInUser, asset: QueryId = None) -> Template:
        chosen = await asset_for_viewer_or_404(user, asset) if asset else None
        unused = chosen is not None and not await removal.sessions_using(chosen.id)
        return _new_template(SessionForm.for_asset(chosen), chosen, deletable=unused)

    @post("/sessions/new", name="library_create_session")
    async def create_session(
        self, call: LibraryCall, data: URLEncodedBody[SessionForm]
    ) -> Template | Redirect:
        fields, errors = session_fields(data, creating=True)
        try:
            session = None if errors else await actions.create_session(call, fields)
        except CatalogError as problem:
            session, errors = None, {problem.field: problem.message}
        if session is None:
            asset = await _chosen_asset(call.user, fields.primary_asset_id)
            return _new_template(data, asset, errors=errors, status=422)
        flash(call.request, f"“{session.title}” was saved as a draft.", category="success")
        return Redirect(f"/library/sessions/{session.id}/edit", status_code=303)

    @get("/sessions/{session_id:int}/edit", name="library_edit_session")
    async def edit_form(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        settings: AppSettings,
        now: RequestTime,
        session_id: PathId,
    ) -> Template:
        session = await session_for_editor_or_404(user, session_id)
        return await edit_template(request, settings, session, now=now)

    @post("/sessions/{session_id:int}/edit", name="library_update_session")
    async def update_session(
        self,
        call: LibraryCall,
        settings: AppSettings,
        session_id: PathId,
        data: URLEncodedBody[SessionForm],
    ) -> Template | Redirect:
        """Save the form; its Publish button (`then=publish`) also publishes, all or nothing,
        under the clinic's review rule (`_publishing`)."""
        request, now = call.request, call.now
        session = await session_for_editor_or_404(call.user, session_id)
        fields, errors = session_fields(
            data, creating=False, duration_seconds=session.duration_seconds
        )
        if errors:
            return await edit_template(
                request, settings, session, data, now=now, errors=errors, status=422
            )
        if data.then == "publish":
            return await _publishing(call, settings, session, data, fields)
        try:
            await actions.update_session(call, session, fields)
        except CatalogError as problem:
            errors = {problem.field: problem.message}
            return await edit_template(
                request, settings, session, data, now=now, errors=errors, status=422
            )
        flash(request, "Your changes were saved.", category="success")
        return Redirect(f"/library/sessions/{session.id}/edit", status_code=303)

    @post("/sessions/{session_id:int}/publish", name="library_publish_session")
    async def publish(
        self,
        call: LibraryCall,
        settings: AppSettings,
        session_id: PathId,
        data: URLEncodedBody[PublishForm],
    ) -> Template | Redirect:
        """Publish as it is (the session page's button); see `_publishing`."""
        session = await session_for_editor_or_404(call.user, session_id)
        return await _publishing(call, settings, session, data, None)

    @post("/sessions/{session_id:int}/delete", name="library_delete_session")
    async def delete_session(
        self,
        call: LibraryCall,
        settings: AppSettings,
        media_store: AppMediaStore,
        session_id: PathId,
        data: URLEncodedBody[DeleteDraftForm],
    ) -> Template | Redirect:
        """Delete a draft never published that nothing refers to, and its media if ticked;
        refused (409) on the edit page with what to do instead."""
        request, now = call.request, call.now
        session = await session_for_editor_or_404(call.user, session_id)
        with_media = data.delete_media == "yes"
        try:
            removed = await actions.delete_session(request, session, with_media=with_media)
        except CatalogConflict as refused:
            errors = {"delete": refused.message}
            return await edit_template(
                request,
                settings,
                session,
                now=now,
                errors=errors,
                status=409,
                delete_media=with_media,
            )
        gone = await actions.remove_files(media_store, removed)
        flash(request, await _deleted_message(session, removed, gone), "success")
        return Redirect("/sessions", status_code=303)

    archive = _status_change("archive", Status.ARCHIVED, "library_archive_session")


async def _deleted_message(session: PracticeSession, removed: removal.Removed, gone: bool) -> str:
    if removed.media_id is not None:
        return f"“{session.title}” and its media file were deleted.{'' if gone else FILE_LEFT}"
    asset_id = session.primary_asset_id  # type: ignore[attr-defined]
    if asset_id is not None and not await removal.sessions_using(asset_id):
        return (
            f"“{session.title}” was deleted. Its media file is kept with the uploads no "
            "session uses, on the upload page, to describe again or delete."
        )
    return f"“{session.title}” was deleted."


async def _publishing(
    call: SignedInCall,
    settings: Settings,
    session: PracticeSession,
    form: SessionForm | PublishForm,
    fields: SessionFields | None,
) -> Template | Redirect:
    """Publish (saving `fields` first, if any), or show why not on the edit page.

    A draft a therapist has not approved as it stands is refused (409) where the clinic
    requires review; otherwise the coordinator confirms first: the edit page asks, and its
    "Publish anyway" sends the form again with the review status agreed to (`confirm`), so a
    review that arrives in between is shown rather than overridden. Nothing changes until then.
    """
    request, now = call.request, call.now
    shown = form if isinstance(form, SessionForm) else None
    try:
        published = await actions.publish_session(
            call,
            session,
            needs_review=settings.publish_needs_review,
            fields=fields,
            accepted=accepted_statuses(form.confirm),
        )
    except CatalogError as problem:
        errors = {problem.field: problem.message}
        return await edit_template(
            request, settings, session, shown, now=now, errors=errors, status=422
        )
    except CatalogConflict as refused:
        errors = {"status": refused.message}
        return await edit_template(
            request, settings, session, shown, now=now, errors=errors, status=409
        )
    except PublishUnconfirmed as unconfirmed:
        check = unconfirmed.standing
        return await edit_template(request, settings, session, shown, now=now, publish_check=check)
    return _published(request, published.session, published.standing)


def _published(
    request: Request[Any, Any, Any], session: PracticeSession, standing: Standing
) -> Redirect:
    message = f"“{session.title}” is published: patients can find it now."
    if not standing.approved:
        message += f" It was published without a therapist's approval ({standing.summary})."
    flash(request, message, "success")
    return Redirect(f"/sessions/{session.id}", status_code=303)


async def _chosen_asset(viewer: User, asset_id: int | None) -> MediaAsset | None:
    if asset_id is None:
        return None
    return await catalog.asset_for_viewer(viewer, asset_id)


def _new_template(
    form: SessionForm,
    asset: MediaAsset | None,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
    deletable: bool = False,
) -> Template:
    context = {
        "form": form,
        "media": MediaView.of(asset) if asset else None,
        # Offered beside a file no session plays: a wrong upload is often noticed here.
        "media_deletable": deletable,
        "errors": errors or {},
        **session_choices(),
    }
    return Template("library/session_new.html", context=context, status_code=status)


def _archived_message(session: PracticeSession, assigned: int, held: int) -> str:
    """What archiving took away: the session from patients' plans, and from `held` collections."""
    message = f"“{session.title}” is archived.{left_plans(assigned)}"
    if held:
        message += (
            f" Patients no longer see it in the {held} collection{'s' * (held != 1)} it is in."
        )
    return message
