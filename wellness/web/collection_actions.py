"""Writes to collections that pages and the JSON API share: one service call and one audit row
each (ids only: which collection, never its title or sessions), so both record the same. A
patient starting or stopping a collection is audited only when it changed something, naming
them as whose data it is."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request

from wellness.accounts.models import User
from wellness.catalog import collection_follows, collections
from wellness.catalog.collections import CollectionFields
from wellness.catalog.kinds import Status
from wellness.catalog.models import Collection
from wellness.web.auditing import record_action
from wellness.web.lookups import NotFoundForViewer


async def create_collection(
    request: Request[Any, Any, Any], editor: User, now: datetime, fields: CollectionFields
) -> Collection:
    """Save a new draft collection; a refused field raises `CatalogError`."""
    collection = await collections.create_collection(fields, actor=editor, now=now)
    await _record(request, "collection_created", collection.id, now)
    return collection


async def update_collection(
    request: Request[Any, Any, Any],
    editor: User,
    now: datetime,
    collection: Collection,
    fields: CollectionFields,
    *,
    then_publish: bool = False,
) -> Collection:
    """Save the editor's fields, and with `then_publish` publish what was saved (both or
    neither); a refused change raises `CatalogError`."""
    if then_publish:
        saved = await collections.save_and_publish(collection, fields, actor=editor, now=now)
    else:
        saved = await collections.update_collection(collection, fields, actor=editor, now=now)
    await _record(request, "collection_updated", collection.id, now)
    if then_publish:
        await _record(request, "collection_published", collection.id, now)
    return saved


async def change_collection_status(
    request: Request[Any, Any, Any],
    editor: User,
    now: datetime,
    collection: Collection,
    target: Status,
) -> Collection:
    """Publish or archive; a refused change raises `CatalogError`."""
    changed = await collections.change_collection_status(collection, target, actor=editor, now=now)
    if changed.status is not collection.status:
        await _record(request, f"collection_{target.value}", collection.id, now)
    return changed


async def delete_collection(
    request: Request[Any, Any, Any], collection: Collection, now: datetime
) -> None:
    """Delete a draft never published; `CatalogConflict` says why not (archive it instead)."""
    if not await collections.delete_collection(collection.id):  # deleted a moment ago
        raise NotFoundForViewer(
            "No such collection.", target_type="collection", target_id=collection.id
        )
    await _record(request, "collection_deleted", collection.id, now)


FOLLOWED = "collection_followed"
UNFOLLOWED = "collection_unfollowed"


async def follow_collection(
    request: Request[Any, Any, Any], patient: User, now: datetime, collection: Collection
) -> datetime:
    """Start following a published collection (nothing changes if they follow it already):
    when they started. `CatalogConflict` if it is not published."""
    started, changed = await collection_follows.follow(patient.id, collection.id, now=now)
    if changed:
        await _record(request, FOLLOWED, collection.id, now, patient_id=patient.id)
    return started


async def stop_following(
    request: Request[Any, Any, Any], patient: User, now: datetime, collection: Collection
) -> bool:
    """Stop following (nothing changes if they did not follow it): whether they did."""
    stopped = await collection_follows.stop_following(patient.id, collection.id)
    if stopped:
        await _record(request, UNFOLLOWED, collection.id, now, patient_id=patient.id)
    return stopped


async def _record(
    request: Request[Any, Any, Any],
    action: str,
    collection_id: int,
    now: datetime,
    *,
    patient_id: int | None = None,
) -> None:
    await record_action(
        request,
        action,
        target_type="collection",
        target_id=collection_id,
        patient_id=patient_id,
        now=now,
    )
