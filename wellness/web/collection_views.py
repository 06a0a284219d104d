"""What the pages and the JSON API both show about collections: one collection with its
sessions in order (for a patient: which they have done, and the next), and a page of them.

`/collections/{id}` renders `CollectionDetail`, and `GET /api/v1/collections/{id}` answers it,
so both say the same; so do the list page and `GET /api/v1/collections` (`CollectionList`).
A patient sees only the sessions they could open themselves (published ones), each with the
care team's mark the catalog shows (`catalog_views.patient_marks`); one they are asked to skip
is never "next". For a patient they also say whether they follow it (`following_since`,
`following`), and `FollowedCollectionOut` is one followed collection with their progress, as
their home page, `GET /api/v1/me/collections` and their care team's record show it.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import msgspec

from wellness.accounts import permissions
from wellness.accounts.models import User
from wellness.care.marks import Mark
from wellness.caseload.availability import patients_assigned_to_collection
from wellness.caseload.collection_progress import CollectionProgress
from wellness.catalog import collection_follows, collection_reads
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
from wellness.web.shapes import PageOut, copied


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
    # For a patient: when they started following it (null when they do not; always for staff).
    following_since: datetime | None


class CollectionSummary(msgspec.Struct):
    id: int
    title: str
    description: str
    status: Status
    sessions: int  # those the viewer may see
    minutes: int
    completed: int  # of those, for a patient (0 for staff)
    url: str
    following: bool  # for a patient, whether they follow it (false for staff)

    @classmethod
    def of(cls, card: CollectionCard, done: set[int], followed: set[int]) -> CollectionSummary:
        return copied(
            cls,
            card,
            minutes=whole_minutes(card.seconds),
            completed=sum(1 for session_id in card.session_ids if session_id in done),
            url=collection_url(card.id),
            following=card.id in followed,
        )


class CollectionList(PageOut):
    items: list[CollectionSummary]


async def collection_detail(
    viewer: User, collection: Collection, policy: CarePolicy
) -> CollectionDetail:
    rows = await collection_reads.sessions_of(viewer, collection)
    ids = [row.id for row in rows]
    done = await _done(viewer, ids, policy)
    marks = await patient_marks(viewer, ids)
    skip = {session_id for session_id, mark in marks.items() if mark is Mark.SKIP}
    upcoming = next_session(ids, done, skip) if permissions.is_patient(viewer.role) else None
    sessions = [_session(row, done, marks, upcoming) for row in rows]
    return copied(
        CollectionDetail,
        collection,
        sessions=sessions,
        minutes=whole_minutes(sum(row.duration_seconds for row in rows)),
        completed=sum(1 for session in sessions if session.completed),
        next_session_id=upcoming,
        url=collection_url(collection.id),
        following_since=await _following_since(viewer, collection.id),
    )


async def collection_list(
    viewer: User, policy: CarePolicy, *, page: int, per_page: int, status: Status | None = None
) -> tuple[CollectionList, Page[CollectionCard]]:
    """A page of collections as the API answers it, and the cards the list page shows."""
    found = await collection_reads.collections_page(viewer, page, per_page, status)
    shown = [session_id for card in found.items for session_id in card.session_ids]
    done = await _done(viewer, shown, policy)
    followed = await _followed(viewer)
    items = [CollectionSummary.of(card, done, followed) for card in found.items]
    return CollectionList.paged(items, found), found


def _session(
    row: SessionRow, done: set[int], marks: dict[int, Mark], upcoming: int | None
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
        is_next=row.id == upcoming,
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


async def _following_since(viewer: User, collection_id: int) -> datetime | None:
    if not permissions.is_patient(viewer.role):
        return None
    return await collection_follows.following_since(viewer.id, collection_id)


async def _followed(viewer: User) -> set[int]:
    if not permissions.is_patient(viewer.role):
        return set()
    return await collection_follows.followed_ids(viewer.id)


async def _done(viewer: User, session_ids: list[int], policy: CarePolicy) -> set[int]:
    """The sessions among these a patient has completed (their own practice); none for staff."""
    if not permissions.is_patient(viewer.role):
        return set()
    return await completed_sessions(viewer.id, session_ids, policy)


class FollowedCollectionOut(msgspec.Struct):
    """A collection the patient follows, with their progress through its published sessions.
    Times are in the patient's zone; `started_on` is their local day."""

    id: int
    title: str
    url: str
    started_at: datetime
    started_on: date
    done: int
    total: int
    finished: bool  # every session done
    # The first session neither done nor to be skipped; null when finished, or when every
    # session left is one the care team asked the patient to skip.
    next_session_id: int | None
    next_session_title: str | None
    next_session_url: str | None
    last_practised_at: datetime | None  # the latest practice of any of its sessions

    @classmethod
    def of(cls, found: CollectionProgress, time_zone: str) -> FollowedCollectionOut:
        zone = ZoneInfo(time_zone)
        upcoming, last = found.next_session_id, found.last_practised_at
        return copied(
            cls,
            found,
            id=found.collection_id,
            url=collection_url(found.collection_id),
            started_at=found.started_at.astimezone(zone),
            next_session_title=found.next_title,
            next_session_url=None if upcoming is None else f"/sessions/{upcoming}",
            last_practised_at=None if last is None else last.astimezone(zone),
        )


class FollowedCollectionList(msgspec.Struct):
    items: list[FollowedCollectionOut]  # the latest started first

    @classmethod
    def of(cls, found: list[CollectionProgress], time_zone: str) -> FollowedCollectionList:
        return cls([FollowedCollectionOut.of(item, time_zone) for item in found])
