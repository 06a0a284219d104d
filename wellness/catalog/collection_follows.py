"""Patients following collections: starting, stopping, and which ones a patient follows.

A following is one row per patient and collection, with when they started. Stopping deletes it
(the audit trail keeps that it happened); starting again makes a new one, with a new start.
Only a published collection can be started. One archived later is left out of every read here
(it stops showing), and its following is kept: it shows again, with its first start, if a
coordinator publishes the collection again. How far a patient is through the collections they
follow is `caseload.collection_progress`'s, which also reads their practice and care marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from wellness.catalog.kinds import Status
from wellness.catalog.models import Collection, CollectionEntry, CollectionFollow
from wellness.catalog.rules import CatalogConflict

NOT_PUBLISHED = "collection_not_published"


@dataclass(frozen=True, slots=True)
class Followed:
    """A published collection a patient follows, and its sessions they may see, in order."""

    collection_id: int
    title: str
    started_at: datetime  # aware UTC
    sessions: tuple[tuple[int, str], ...]  # (session id, title) of its published sessions


async def follow(patient_id: int, collection_id: int, *, now: datetime) -> tuple[datetime, bool]:
    """Start following a published collection: (when the patient started, whether this call
    started it). Following it already changes nothing. `CatalogConflict` if the collection is
    not published (a coordinator archived it a moment ago), and nothing is stored."""
    started = await following_since(patient_id, collection_id)
    if started is not None:
        return started, False
    if not await Collection.filter(id=collection_id, status=Status.PUBLISHED).exists():
        raise CatalogConflict(
            NOT_PUBLISHED, "This collection is not published: it can't be started."
        )
    try:
        async with in_transaction():  # a savepoint inside an Idempotency-Key's transaction
            await CollectionFollow.create(
                patient_id=patient_id, collection_id=collection_id, started_at=now
            )
    except IntegrityError:  # the same patient started it at the same moment elsewhere
        started = await following_since(patient_id, collection_id)
        if started is None:
            raise
        return started, False
    return now, True


async def stop_following(patient_id: int, collection_id: int) -> bool:
    """Whether the patient was following the collection (and no longer is)."""
    return (
        await CollectionFollow.filter(patient_id=patient_id, collection_id=collection_id).delete()
        > 0
    )


async def following_since(patient_id: int, collection_id: int) -> datetime | None:
    """When the patient started following the collection, or None if they do not."""
    row = await CollectionFollow.get_or_none(patient_id=patient_id, collection_id=collection_id)
    return None if row is None else row.started_at


async def followed_by(patient_id: int, collection_id: int | None = None) -> list[Followed]:
    """The published collections the patient follows (or only `collection_id` of them), the
    latest started first, each with its published sessions in order: two queries, however many
    they follow."""
    found = CollectionFollow.filter(patient_id=patient_id, collection__status=Status.PUBLISHED)
    if collection_id is not None:
        found = found.filter(collection_id=collection_id)
    rows = await found.order_by("-started_at", "-id").values_list(
        "collection_id", "collection__title", "started_at"
    )
    if not rows:
        return []
    sessions = await _published_sessions([int(row[0]) for row in rows])
    return [
        Followed(int(collection_id), str(title), started_at, tuple(sessions.get(collection_id, ())))
        for collection_id, title, started_at in rows
    ]


async def _published_sessions(collection_ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
    """collection id -> (session id, title) of its published sessions, in its order."""
    rows = (
        await CollectionEntry.filter(
            collection_id__in=list(collection_ids), session__status=Status.PUBLISHED
        )
        .order_by("collection_id", "position")
        .values_list("collection_id", "session_id", "session__title")
    )
    found: dict[int, list[tuple[int, str]]] = {}
    for collection_id, session_id, title in rows:
        found.setdefault(int(collection_id), []).append((int(session_id), str(title)))
    return found


async def followed_ids(patient_id: int) -> set[int]:
    """The ids of the published collections the patient follows."""
    ids = await CollectionFollow.filter(
        patient_id=patient_id, collection__status=Status.PUBLISHED
    ).values_list("collection_id", flat=True)
    return {int(collection_id) for collection_id in ids}  # type: ignore[call-overload]
