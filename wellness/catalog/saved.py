"""A patient's "Saved" list: sessions they keep to come back to (`saved_rules` for its rules).

Only the patient reads or changes it: callers pass the signed-in patient's own id, never one
from a request. Callers check that a session may be saved (a published one: the loader a
session page uses) before `save`; a session archived later stays in the list.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from wellness.accounts.models import User
from wellness.catalog import saved_rules
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession, SavedSession
from wellness.catalog.rules import search_tokens
from wellness.catalog.search import CatalogQuery, SessionRow, ranked_ids, rows_for
from wellness.catalog.services import session_for_viewer
from wellness.db import CARE_TOKEN, KeyedCache, change_token
from wellness.lib.paging import Page, page_bounds


@dataclass(frozen=True, slots=True)
class SavedItem:
    """One saved session as the list shows it: the catalog's card fields, and when it was saved."""

    row: SessionRow
    saved_at: datetime


async def save(patient_id: int, session_id: int, *, now: datetime) -> bool:
    """Add the session to the patient's list; False if it was there already (one row whatever
    the retries). `CatalogConflict` when the list is full: nothing is stored then."""
    async with in_transaction():
        # One save at a time per patient (PostgreSQL; SQLite runs one writer at a time), so
        # two at once cannot both pass the count.
        await User.filter(id=patient_id).select_for_update().first()
        if await SavedSession.exists(patient_id=patient_id, session_id=session_id):
            return False
        saved_rules.check_room(await SavedSession.filter(patient_id=patient_id).count())
        try:
            async with in_transaction():  # a savepoint: the unique key refuses a twin
                await SavedSession.create(
                    patient_id=patient_id, session_id=session_id, saved_at=now
                )
        except IntegrityError:
            return False
    return True


async def unsave(patient_id: int, session_id: int) -> bool:
    """Take the session off the patient's list; False if it was not on it."""
    removed = await SavedSession.filter(patient_id=patient_id, session_id=session_id).delete()
    return removed > 0


async def is_saved(patient_id: int, session_id: int) -> bool:
    return await SavedSession.exists(patient_id=patient_id, session_id=session_id)


async def saved_among(patient_id: int, session_ids: Collection[int]) -> frozenset[int]:
    """Which of these sessions the patient has saved (one query; none asked, none read)."""
    if not session_ids:
        return frozenset()
    found = await SavedSession.filter(
        patient_id=patient_id, session_id__in=list(session_ids)
    ).values_list("session_id", flat=True)
    return frozenset(int(session_id) for session_id in found)  # type: ignore[call-overload]


async def saved_count(patient_id: int) -> int:
    """How many sessions the patient has saved (their home page shows it on every view): kept
    under the care token, which every write to saved_sessions renews (migration 0026)."""
    token = await change_token(CARE_TOKEN)  # read before the data: see catalog/cache.py
    return await _kept_counts.kept_or(
        patient_id,
        token,
        SavedSession.filter(patient_id=patient_id).count,
        keep=token is not None,
    )


_kept_counts: KeyedCache[int] = KeyedCache()


@dataclass(frozen=True, slots=True)
class SavedPage:
    """A page of the saved sessions a search matched, and how many the patient keeps in all."""

    found: Page[SavedItem]
    kept: int


async def saved_page(patient_id: int, query: CatalogQuery) -> SavedPage:
    """A page of the patient's saved sessions the query matches, newest saved first, whatever
    their status now (`query.statuses` is not read; `saved_rules` says how gone ones match).

    1. Without words or filters: the count, and the page's rows in order (two small queries
       whatever the list's length, as the list is read most often).
    2. With them: every session on the list with when it was saved, newest first (at most
       MAX_SAVED), kept in that order where the library's search matches (`matching_saved`).
    3. The page's card fields. A handful of queries, however many are saved or matched.
    """
    mine = SavedSession.filter(patient_id=patient_id)
    if not query.narrows:
        kept = await mine.count()
        page, _, offset = page_bounds(kept, query.page, query.per_page)
        listed = await _newest_first(mine.offset(offset).limit(query.per_page))
        ids, total = list(listed), kept
    else:
        listed = await _newest_first(mine)
        matched = await matching_saved(patient_id, query) if listed else frozenset()
        every = [session_id for session_id in listed if session_id in matched]
        kept, total = len(listed), len(every)
        page, _, offset = page_bounds(total, query.page, query.per_page)
        ids = every[offset : offset + query.per_page]
    cards = await rows_for(ids)
    items = [SavedItem(row, listed[row.id]) for row in cards]
    found = Page.of(items, page=page, per_page=query.per_page, total=total)
    return SavedPage(found, kept=kept)


async def _newest_first(rows: QuerySet[SavedSession]) -> dict[int, datetime]:
    """Session id -> when it was saved, newest first."""
    pairs = await rows.order_by("-saved_at", "-id").values_list("session_id", "saved_at")
    return {int(session_id): saved_at for session_id, saved_at in pairs}


async def matching_saved(patient_id: int, query: CatalogQuery) -> frozenset[int]:
    """The ids on the patient's list that the query's words and filters match, through the
    library's search: a session in the library by all its text, one gone by its title."""
    mine = replace(query, statuses=frozenset(Status), saved_by=patient_id, titles_only=False)
    if not search_tokens(query.text):
        return frozenset(await ranked_ids(mine))
    in_library = await ranked_ids(replace(mine, statuses=saved_rules.IN_LIBRARY))
    gone = frozenset(Status) - saved_rules.IN_LIBRARY
    by_title = await ranked_ids(replace(mine, statuses=gone, titles_only=True))
    return frozenset((*in_library, *by_title))


async def saved_item(patient_id: int, session_id: int) -> SavedItem | None:
    """The session as the patient's list shows it, if it is on their list."""
    found = await SavedSession.get_or_none(patient_id=patient_id, session_id=session_id)
    rows = await rows_for([session_id]) if found is not None else []
    return SavedItem(rows[0], found.saved_at) if found and rows else None


async def session_to_unsave(viewer: User, session_id: int) -> PracticeSession | None:
    """The session, if the viewer may open it or has it saved (an archived one they saved can
    still be taken off their list); None otherwise, so the answer is a 404."""
    found = await session_for_viewer(viewer, session_id)
    if found is None and await is_saved(viewer.id, session_id):
        found = await PracticeSession.get_or_none(id=session_id)
    return found
