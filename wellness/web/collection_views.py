"""What the pages and the JSON API both show about collections: one collection with its
sessions in order (for a patient: which they have done, and the next), and a page of them.

`/collections/{id}` renders `CollectionDetail`, and `GET /api/v1/collections/{id}` answers it,
so both say the same; so do the list page and `GET /api/v1/collections` (`CollectionList`).
A patient sees only the sessions they could open themselves (published ones), each with the
care team's mark the catalog shows (`catalog_views.patient_marks`); one they are asked to skip
is never "next".
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from wellness.accounts import permissions
from wellness.accounts.models import User
from wellness.care.marks import Mark
from wellness.caseload.availability import patients_assigned_to_collection
from wellness.catalog import collection_reads
from wellness.catalog.collection_reads import CollectionCard
from wellness.catalog.collection_rules import next_session
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import Collection
from wellness.catalog.search import SessionRow
from wellness.lib.durations import whole_minutes
from wellness.lib.paging import Page
from wellness.practice.history import completed_sessions
from wellness.settings import CarePolicy
from wellness.web.catalog_views import patient_marks


def collection_url(collection_id: int) -> str:
    return f"/collections/{collection_id}"


class CollectionSession(msgspec.Struct):
    """One session of a collection, at its place, as this viewer may see it."""

    id: int
    title: str
    kind: Kind
    status: Status
    duration_seconds: float
    minutes: int
    url: str
    # For a patient: done at least once (by the completion rule), the next to do, and the care
    # team's mark ("skip" or "pinned"); false, false and null for everyone else.
    completed: bool
    is_next: bool
    care_mark: Mark | None

    @property
    def skipped(self) -> bool:
        return self.care_mark is Mark.SKIP


class CollectionDetail(msgspec.Struct):
    id: int
    title: str
    description: str
    status: Status
    sessions: list[CollectionSession]
    minutes: int
    completed: int  # of `sessions`, for a patient (0 for staff)
    next_session_id: int | None
    url: str
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


class CollectionSummary(msgspec.Struct):
    id: int
    title: str
    description: str
    status: Status
    sessions: int  # those the viewer may see
    minutes: int
    completed: int  # of those, for a patient (0 for staff)
    url: str

    @classmethod
    def of(cls, card: CollectionCard, done: set[int]) -> CollectionSummary:
        return cls(
            id=card.id,
            title=card.title,
            description=card.description,
            status=card.status,
            sessions=card.sessions,
            minutes=whole_minutes(card.seconds),
            completed=sum(1 for session_id in card.session_ids if session_id in done),
            url=collection_url(card.id),
        )


class CollectionList(msgspec.Struct):
    items: list[CollectionSummary]
    page: int
    pages: int
    total: int


async def collection_detail(
    viewer: User, collection: Collection, policy: CarePolicy
) -> CollectionDetail:
    rows = await collection_reads.sessions_of(viewer, collection)
    ids = [row.id for row in rows]
    done = await _done(viewer, ids, policy)
    marks = await patient_marks(viewer, ids)
    skip = {session_id for session_id, mark in marks.items() if mark is Mark.SKIP}
    following = next_session(ids, done, skip) if permissions.is_patient(viewer.role) else None
    sessions = [_session(row, done, marks, following) for row in rows]
    return CollectionDetail(
        id=collection.id,
        title=collection.title,
        description=collection.description,
        status=collection.status,
        sessions=sessions,
        minutes=whole_minutes(sum(row.duration_seconds for row in rows)),
        completed=sum(1 for session in sessions if session.completed),
        next_session_id=following,
        url=collection_url(collection.id),
        created_at=collection.created_at,
        updated_at=collection.updated_at,
        published_at=collection.published_at,
    )


async def collection_list(
    viewer: User, policy: CarePolicy, *, page: int, per_page: int, status: Status | None = None
) -> tuple[CollectionList, Page[CollectionCard]]:
    """A page of collections as the API answers it, and the cards the list page shows."""
    found = await collection_reads.collections_page(viewer, page, per_page, status)
    shown = [session_id for card in found.items for session_id in card.session_ids]
    done = await _done(viewer, shown, policy)
    items = [CollectionSummary.of(card, done) for card in found.items]
    return CollectionList(items, found.page, found.pages, found.total), found


def _session(
    row: SessionRow, done: set[int], marks: dict[int, Mark], following: int | None
) -> CollectionSession:
    return CollectionSession(
        id=row.id,
        title=row.title,
        kind=row.kind,
        status=row.status,
        duration_seconds=round(row.duration_seconds, 1),
        minutes=whole_minutes(row.duration_seconds),
        url=f"/sessions/{row.id}",
        completed=row.id in done,
        is_next=row.id == following,
        care_mark=marks.get(row.id),
    )


async def patients_left_without(collection: Collection, now: datetime, policy: CarePolicy) -> int:
    """For a coordinator about to archive a published collection (or who just did): how many
    patients have an assignment in force that names it (a count, never who)."""
    if collection.status is Status.DRAFT:
        return 0
    return await patients_assigned_to_collection(
        collection.id, now=now, rollover_hour=policy.day_rollover_hour
    )


async def _done(viewer: User, session_ids: list[int], policy: CarePolicy) -> set[int]:
    """The sessions among these a patient has completed (their own practice); none for staff."""
    if not permissions.is_patient(viewer.role):
        return set()
    return await completed_sessions(viewer.id, session_ids, policy)
