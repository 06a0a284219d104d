"""Writes to collections that pages and the JSON API share: one service call and one audit row
each (ids only: which collection, never its title or sessions), so both record the same. A
patient starting or stopping a collection is audited only when it changed something, naming
them as whose data it is."""

from __future__ import annotations

from datetime import datetime

from wellness.catalog import collection_follows, collections
from wellness.catalog.collections import CollectionFields
from wellness.catalog.kinds import Status
from wellness.catalog.models import Collection
from wellness.web.auditing import record_action
from wellness.web.dependencies import SignedInCall
from wellness.web.lookups import NotFoundForViewer


async def create_collection(call: SignedInCall, fields: CollectionFields) -> Collection:
    """Save a new draft collection; a refused field raises `CatalogError`."""
    collection = await collections.create_collection(fields, actor=call.user, now=call.now)
    await _record(call, "collection_created", collection.id)
    return collection


async def update_collection(
    call: SignedInCall,
    collection: Collection,
    fields: CollectionFields,
    *,
    then_publish: bool = False,
) -> Collection:
    """Save the editor's fields, and with `then_publish` publish what was saved (both or
    neither); a refused change raises `CatalogError`."""
    editor, now = call.user, call.now
    if then_publish:
        saved = await collections.save_and_publish(collection, fields, actor=editor, now=now)
    else:
        saved = await collections.update_collection(collection, fields, actor=editor, now=now)
    await _record(call, "collection_updated", collection.id)
    if then_publish:
        await _record(call, "collection_published", collection.id)
    return saved


async def change_collection_status(
    call: SignedInCall, collection: Collection, target: Status
) -> Collection:
    """Publish or archive; a refused change raises `CatalogError`."""
    changed = await collections.change_collection_status(
        collection, target, actor=call.user, now=call.now
    )
    if changed.status is not collection.status:
        await _record(call, f"collection_{target.value}", collection.id)
    return changed


async def delete_collection(call: SignedInCall, collection: Collection) -> None:
    """Delete a draft never published; `CatalogConflict` says why not (archive it instead)."""
    if not await collections.delete_collection(collection.id):  # deleted a moment ago
        raise NotFoundForViewer(
            "No such collection.", target_type="collection", target_id=collection.id
        )
    await _record(call, "collection_deleted", collection.id)


FOLLOWED = "collection_followed"
UNFOLLOWED = "collection_unfollowed"


async def follow_collection(call: SignedInCall, collection: Collection) -> datetime:
    """The patient making the call starts following a published collection (nothing changes
    if they follow it already): when they started. `CatalogConflict` if it is not published."""
    patient_id = call.user.id
    started, changed = await collection_follows.follow(patient_id, collection.id, now=call.now)
    if changed:
        await _record(call, FOLLOWED, collection.id, patient_id=patient_id)
    return started


async def stop_following(call: SignedInCall, collection: Collection) -> bool:
    """The patient making the call stops following (nothing changes if they did not follow
    it): whether they did."""
    patient_id = call.user.id
    stopped = await collection_follows.stop_following(patient_id, collection.id)
    if stopped:
        await _record(call, UNFOLLOWED, collection.id, patient_id=patient_id)
    return stopped


async def _record(
    call: SignedInCall, action: str, collection_id: int, *, patient_id: int | None = None
) -> None:
    await record_action(
        call.request,
        action,
        target_type="collection",
        target_id=collection_id,
        patient_id=patient_id,
        now=call.now,
    )
