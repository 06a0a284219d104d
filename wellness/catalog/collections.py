"""Collections (programmes of sessions): creating and editing them, moving them between
statuses, deleting a draft, and loading one for whoever asks. Lists and what a collection
shows are read in `collection_reads`; the rules are `collection_rules` (pure).

A collection's sessions are stored as its entries, rewritten all together whenever its list
changes, in the transaction that changes it. Every write renews the catalog's change token
(migration 0021's triggers), so what the catalog cache keeps of collections stays exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

import msgspec
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from wellness.accounts import permissions
from wellness.accounts.models import User
from wellness.catalog import collection_rules as collection_rule
from wellness.catalog.kinds import Status
from wellness.catalog.models import Collection, CollectionEntry, PracticeSession
from wellness.catalog.rules import CatalogError
from wellness.catalog.services import visible_statuses

# The bounds `collection_rules` checks, as annotations a msgspec decoder (the JSON API's) checks
# as it reads; a title of spaces only, a duplicate or an unknown session are the rules' to refuse.
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=collection_rule.MAX_TITLE)]
Description = Annotated[str, msgspec.Meta(max_length=collection_rule.MAX_DESCRIPTION)]


class CollectionFields(msgspec.Struct):
    """A collection's editable fields. None means "leave unchanged" (for partial updates)."""

    title: Title | None = None
    description: Description | None = None
    session_ids: list[int] | None = None


TITLE_TAKEN = "Another collection is called “{title}”. Choose a title of its own."


async def create_collection(
    fields: CollectionFields, *, actor: User | None, now: datetime
) -> Collection:
    """A new draft; `CatalogError` names the field at fault, and nothing is stored then."""
    if fields.title is None or fields.session_ids is None:
        missing = "title" if fields.title is None else collection_rule.SESSIONS_FIELD
        raise CatalogError(missing, "This field is required.")
    title = collection_rule.clean_title(fields.title)
    description = collection_rule.clean_description(fields.description or "")
    ids = await _checked_sessions(fields.session_ids, held=frozenset())
    await _refuse_taken(title, None)
    try:
        async with in_transaction():
            collection = await Collection.create(
                title=title,
                live_title=collection_rule.title_key(title),
                description=description,
                created_by=actor,
                updated_by=actor,
                created_at=now,
                updated_at=now,
            )
            await _write_entries(collection.id, ids)
    except IntegrityError:
        await _explain_refused_write(title, None, ids)
        raise
    return collection


async def update_collection(
    collection: Collection, fields: CollectionFields, *, actor: User, now: datetime
) -> Collection:
    """Change the fields given; `CatalogError` names the field at fault (nothing changes then)."""
    values: dict[str, object] = {"updated_by_id": actor.id, "updated_at": now}
    title = collection.title
    if fields.title is not None:
        title = values["title"] = collection_rule.clean_title(fields.title)
        if collection.live_title is not None:
            values["live_title"] = collection_rule.title_key(title)
    if fields.description is not None:
        values["description"] = collection_rule.clean_description(fields.description)
    ids = None
    if fields.session_ids is not None:
        held = frozenset(await entry_ids(collection.id))
        ids = await _checked_sessions(fields.session_ids, held=held)
    if "live_title" in values:
        await _refuse_taken(title, collection.id)
    try:
        async with in_transaction():
            await Collection.filter(id=collection.id).update(**values)
            if ids is not None:
                await CollectionEntry.filter(collection_id=collection.id).delete()
                await _write_entries(collection.id, ids)
    except IntegrityError:
        await _explain_refused_write(title, collection.id, ids or [])
        raise
    return await Collection.get(id=collection.id)


async def change_collection_status(
    collection: Collection, target: Status, *, actor: User, now: datetime
) -> Collection:
    """Publish or archive (as `kinds.can_transition` allows a session); `CatalogError` says why
    not. Publishing needs a published session in it; an archived collection published again
    needs its title to be free."""
    if collection.status is target:
        return collection
    collection_rule.check_transition(collection.status, target)
    changes: dict[str, object] = {"status": target, "updated_by_id": actor.id, "updated_at": now}
    if target is Status.PUBLISHED:
        published = await CollectionEntry.filter(
            collection_id=collection.id, session__status=Status.PUBLISHED
        ).count()
        collection_rule.check_publishable(published)
        changes["published_at"] = now
        changes["live_title"] = collection_rule.title_key(collection.title)
        await _refuse_taken(collection.title, collection.id, field="status")
    if target is Status.ARCHIVED:
        changes["live_title"] = None
    try:
        async with in_transaction():
            await Collection.filter(id=collection.id).update(**changes)
    except IntegrityError:
        await _refuse_taken(collection.title, collection.id, field="status")
        raise
    return await Collection.get(id=collection.id)


async def delete_collection(collection_id: int) -> bool:
    """Delete a draft never published, with its entries (the sessions stay); `CatalogConflict`
    if it was ever published (archive it instead). False if it is gone already."""
    async with in_transaction():
        collection = await Collection.filter(id=collection_id).select_for_update().first()
        if collection is None:
            return False
        collection_rule.check_deletable(
            collection.title, collection.status, ever_published=collection.published_at is not None
        )
        await Collection.filter(id=collection.id).delete()
    return True


async def collection_for_viewer(viewer: User, collection_id: int) -> Collection | None:
    """The collection if this viewer may see it (as `visible_statuses` says for sessions):
    coordinators any, everyone else a published one; None otherwise, so the answer is a 404."""
    return await Collection.get_or_none(id=collection_id, status__in=list(visible_statuses(viewer)))


async def collection_for_editor(viewer: User, collection_id: int) -> Collection | None:
    if not permissions.can_manage_catalog(viewer.role):
        return None
    return await Collection.get_or_none(id=collection_id)


async def entry_ids(collection_id: int) -> list[int]:
    """The collection's session ids in its order, whatever their status."""
    ids = (
        await CollectionEntry.filter(collection_id=collection_id)
        .order_by("position")
        .values_list("session_id", flat=True)
    )
    return [int(session_id) for session_id in ids]  # type: ignore[call-overload]


async def collections_holding(session_id: int) -> int:
    """How many live (draft or published) collections hold this session."""
    return await CollectionEntry.filter(
        session_id=session_id, collection__status__not=Status.ARCHIVED
    ).count()


async def _checked_sessions(ids: Sequence[int], *, held: frozenset[int]) -> list[int]:
    """`ids` if they make a collection's list: 1 to 50, none twice, each an existing session,
    none archived unless the collection held it already (`held`)."""
    ids = collection_rule.clean_session_ids(ids)
    found = {
        int(session_id): (str(title), Status(str(status)))
        for session_id, title, status in await PracticeSession.filter(id__in=ids).values_list(
            "id", "title", "status"
        )
    }
    unknown = [session_id for session_id in ids if session_id not in found]
    if unknown:
        raise collection_rule.unknown_sessions(unknown)
    archived = [
        found[session_id][0]
        for session_id in ids
        if found[session_id][1] is Status.ARCHIVED and session_id not in held
    ]
    if archived:
        raise collection_rule.archived_added(archived)
    return ids


async def _write_entries(collection_id: int, ids: Sequence[int]) -> None:
    await CollectionEntry.bulk_create(
        [
            CollectionEntry(collection_id=collection_id, session_id=session_id, position=place)
            for place, session_id in enumerate(ids)
        ]
    )


async def _refuse_taken(title: str, collection_id: int | None, *, field: str = "title") -> None:
    """`CatalogError` if another live collection has this title, whatever its case."""
    others = Collection.filter(live_title=collection_rule.title_key(title))
    if collection_id is not None:
        others = others.exclude(id=collection_id)
    if await others.exists():
        raise CatalogError(field, TITLE_TAKEN.format(title=title))


async def _explain_refused_write(title: str, collection_id: int | None, ids: Sequence[int]) -> None:
    """After an IntegrityError, what happened meanwhile, as the refusal it makes: another
    collection took the title, or a session was deleted between the check and the write."""
    await _refuse_taken(title, collection_id)
    rows = await PracticeSession.filter(id__in=list(ids)).values_list("id", flat=True)
    present = {int(session_id) for session_id in rows}  # type: ignore[call-overload]
    gone = [session_id for session_id in ids if session_id not in present]
    if gone:
        raise collection_rule.unknown_sessions(gone) from None


async def save_and_publish(
    collection: Collection, fields: CollectionFields, *, actor: User, now: datetime
) -> Collection:
    """`update_collection`, then publish what was saved: both or neither."""
    async with in_transaction():
        saved = await update_collection(collection, fields, actor=actor, now=now)
        return await change_collection_status(saved, Status.PUBLISHED, actor=actor, now=now)
