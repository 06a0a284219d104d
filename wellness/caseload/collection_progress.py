"""How far a patient is through each collection they follow: for their home page and the
collections list, and for their care team on the patient's page and the record API.

Done and Next are the collection page's: a session counts as done once the patient completed
it (by the completion rule, from their own practice, whenever it was, also before they started
following), and the next is the first neither done nor marked for them to skip. Only the
collection's published sessions count. A fixed number of queries however many they follow:
the followings with their sessions (two), the practice of those sessions (one) and the care
team's marks (two or three).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from wellness.accounts.models import User
from wellness.care import restriction_views
from wellness.care.marks import Mark
from wellness.caseload.kept import KeyedCache, care_and_catalog_tokens
from wellness.catalog import collection_follows
from wellness.catalog.collection_rules import Progress, progress
from wellness.lib.days import local_date
from wellness.practice.history import practice_of_sessions
from wellness.settings import CarePolicy


@dataclass(frozen=True, slots=True)
class CollectionProgress:
    collection_id: int
    title: str
    started_at: datetime  # aware UTC
    started_on: date  # the patient's local day
    progress: Progress
    next_title: str | None  # the next session's
    last_practised_at: datetime | None  # the latest start of any of its sessions; UTC

    @property
    def done(self) -> int:
        return self.progress.done

    @property
    def total(self) -> int:
        return self.progress.total

    @property
    def next_session_id(self) -> int | None:
        return self.progress.next_session_id

    @property
    def finished(self) -> bool:
        return self.progress.finished


async def progress_of(patient: User, *, policy: CarePolicy) -> list[CollectionProgress]:
    """The published collections the patient follows that show a session (as the collections
    list does), the latest started first, each with their progress through it."""
    care, catalog = await care_and_catalog_tokens()  # read before the data

    async def compute() -> tuple[CollectionProgress, ...]:
        followed = await collection_follows.followed_by(patient.id)
        return tuple(await _progress(patient, [one for one in followed if one.sessions], policy))

    found = await _kept_progress.kept_or(
        patient.id,
        (care, catalog, policy, patient.time_zone),
        compute,
        keep=care is not None and catalog is not None,
    )
    return list(found)


# By patient, under the care data's and the catalog's change tokens, the policy (its completion
# rule) and the patient's zone (the day each was started on): nothing else the list reads.
_kept_progress: KeyedCache[tuple[CollectionProgress, ...]] = KeyedCache()


async def progress_in(
    patient: User, collection_id: int, *, policy: CarePolicy
) -> CollectionProgress | None:
    """The patient's progress through one published collection they follow (none of its
    sessions showing is 0 of 0); None if they do not follow it."""
    found = await _progress(
        patient, await collection_follows.followed_by(patient.id, collection_id), policy
    )
    return found[0] if found else None


async def _progress(
    patient: User, followed: list[collection_follows.Followed], policy: CarePolicy
) -> list[CollectionProgress]:
    if not followed:
        return []
    session_ids = sorted({session_id for found in followed for session_id, _ in found.sessions})
    practised = await practice_of_sessions(patient.id, session_ids, policy)
    done = {session_id for session_id, practice in practised.items() if practice.completed}
    marks = await restriction_views.marks_for_patient(patient.id, session_ids)
    skip = {session_id for session_id, mark in marks.items() if mark is Mark.SKIP}
    found = []
    for collection in followed:
        order = [session_id for session_id, _ in collection.sessions]
        titles = dict(collection.sessions)
        reached = progress(order, done, skip)
        starts = [practised[sid].last_started_at for sid in order if sid in practised]
        found.append(
            CollectionProgress(
                collection_id=collection.collection_id,
                title=collection.title,
                started_at=collection.started_at,
                started_on=local_date(collection.started_at, patient.time_zone),
                progress=reached,
                next_title=titles.get(reached.next_session_id or 0),
                last_practised_at=max(starts, default=None),
            )
        )
    return found
