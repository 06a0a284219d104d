"""Writes that pages and the JSON API share: one service call and one audit record each, so
both record the same thing; each side answers in its own way (a redirect, or JSON)."""

from __future__ import annotations

from typing import Any

from litestar import Request

from wellness.caseload import removal as drafts
from wellness.catalog import removal
from wellness.catalog import services as catalog
from wellness.catalog.kinds import Status
from wellness.catalog.models import MediaAsset, PracticeSession
from wellness.catalog.removal import Removed
from wellness.catalog.storage import MediaStore
from wellness.reviews import publishing
from wellness.reviews import services as reviews
from wellness.reviews.rules import Decision, ReviewStatus
from wellness.web.auditing import record_action
from wellness.web.dependencies import SignedInCall
from wellness.web.lookups import NotFoundForViewer
from wellness.web.media.files import OPEN_FILES


async def create_session(call: SignedInCall, fields: catalog.SessionFields) -> PracticeSession:
    """Save a new draft session; a refused field raises `CatalogError`."""
    session = await catalog.create_session(fields, actor=call.user, now=call.now)
    await _record(call.request, "session_created", session)
    return session


async def update_session(
    call: SignedInCall, session: PracticeSession, fields: catalog.SessionFields
) -> PracticeSession:
    """Save the editor's fields; a refused change raises `CatalogError`."""
    saved = await catalog.update_session(session, fields, actor=call.user, now=call.now)
    await _record(call.request, "session_updated", session)
    return saved


async def publish_session(
    call: SignedInCall,
    session: PracticeSession,
    *,
    needs_review: bool,
    fields: catalog.SessionFields | None = None,
    accepted: frozenset[ReviewStatus] = publishing.ANY_STANDING,
) -> publishing.Published:
    """Publish `session`, saving the editor's `fields` first if given (both or neither), under
    the clinic's review rule (`publishing.publish`: `CatalogConflict`, `PublishUnconfirmed`). The
    audit row says where its reviews stood."""
    published = await publishing.publish(
        session,
        actor=call.user,
        now=call.now,
        fields=fields,
        needs_review=needs_review,
        accepted=accepted,
    )
    if fields is not None:
        await _record(call.request, "session_updated", session)
    standing = published.standing.status.value
    await record_action(
        call.request,
        "session_published",
        target_type="session",
        target_id=session.id,
        detail=f"review={standing}",
    )
    return published


async def review_draft(
    call: SignedInCall, session: PracticeSession, decision: Decision, comment: str
) -> reviews.ReviewView:
    """Store the calling therapist's review of the draft (`FieldError`, `CatalogConflict`
    "not_a_draft"); the audit row names the session, the review and its decision, never the
    comment."""
    review = await reviews.add_review(session, call.user, decision, comment, now=call.now)
    if review is None:
        raise NotFoundForViewer("No such session.", target_type="session", target_id=session.id)
    await record_action(
        call.request,
        "draft_reviewed",
        target_type="session",
        target_id=session.id,
        detail=f"review={review.id};decision={decision.value}",
        now=call.now,
    )
    return review


async def record_preview(request: Request[Any, Any, Any], session: PracticeSession) -> None:
    """A therapist opened a draft's preview: who, which draft."""
    await _record(request, "draft_previewed", session)


async def change_session_status(
    call: SignedInCall, session: PracticeSession, target: Status
) -> PracticeSession:
    """Publish or archive `session`; a refused change raises `CatalogError`."""
    changed = await catalog.change_status(session, target, actor=call.user, now=call.now)
    await _record(call.request, f"session_{target.value}", session)
    return changed


async def delete_session(
    request: Request[Any, Any, Any], session: PracticeSession, *, with_media: bool
) -> Removed:
    """Delete a draft never published that nothing refers to, with its media if asked (both or
    neither); `CatalogConflict` says why not. Remove `files` once this has committed."""
    removed = await drafts.delete_draft(session.id, with_media=with_media)
    if removed is None:  # deleted by someone else a moment ago
        raise NotFoundForViewer("No such session.", target_type="session", target_id=session.id)
    await _record(request, "session_deleted", session)
    if removed.media_id is not None:
        await _record_media(request, "media_deleted", removed.media_id, detail="with its session")
    return removed


async def delete_media(request: Request[Any, Any, Any], asset: MediaAsset) -> Removed:
    """Delete media no session plays; `CatalogConflict` names those that do. Remove `files`
    once this has committed."""
    removed = await removal.delete_unused_asset(asset.id)
    if removed is None:
        raise NotFoundForViewer("No such media.", target_type="media", target_id=asset.id)
    await _record_media(request, "media_deleted", asset.id)
    return removed


async def remove_files(store: MediaStore, removed: Removed) -> bool:
    """After a deletion has committed: unlink its files, and stop holding them open here.
    False if one stays on disk (logged; `wellness media check` lists it, `sweep` removes it)."""
    left = await removal.remove_files(store, removed.files)
    for key in removed.files:
        OPEN_FILES.forget(store.local_path(key))
    return not left


async def _record_media(
    request: Request[Any, Any, Any], action: str, asset_id: int, *, detail: str = ""
) -> None:
    await record_action(request, action, target_type="media", target_id=asset_id, detail=detail)


async def _record(request: Request[Any, Any, Any], action: str, session: PracticeSession) -> None:
    await record_action(request, action, target_type="session", target_id=session.id)
