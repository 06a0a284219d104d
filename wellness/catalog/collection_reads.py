"""What collections show: a page of them for a viewer, the sessions of one in order, and the
sessions a coordinator may add to one.

Kept per process under the catalog's change token (`catalog.cache`): a collection's sessions
(titles, kinds, lengths, statuses) change only with writes that renew it, the collections'
own (migration 0021) and the sessions' (0005). What depends on the viewer beyond the statuses
they may see (a patient's practice, their care team's marks) is never kept here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from tortoise.expressions import Subquery

from wellness.accounts.models import User
from wellness.catalog.cache import TokenCache, change_token
from wellness.catalog.collections import entry_ids
from wellness.catalog.kinds import Status
from wellness.catalog.models import Collection, CollectionEntry
from wellness.catalog.search import CatalogQuery, SessionRow, rows_for
from wellness.catalog.services import browse, visible_statuses
from wellness.lib.paging import Page, page_bounds


@dataclass(frozen=True, slots=True)
class CollectionCard:
    """One collection in a list, counting only the sessions the list's viewer may see."""

    id: int
    title: str
    description: str
    status: Status
    session_ids: tuple[int, ...]  # the visible ones, in the collection's order
    seconds: float  # their length together

    @property
    def sessions(self) -> int:
        return len(self.session_ids)


@dataclass(frozen=True, slots=True)
class ListQuery:
    """A page of collections in `statuses`, for a viewer who may see sessions in `visible`
    (part of the cache's key: a coordinator's page never reaches a patient)."""

    statuses: frozenset[Status]
    visible: frozenset[Status]
    page: int = 1
    per_page: int = 20


_cards: TokenCache[ListQuery, Page[CollectionCard]] = TokenCache(500)
_sessions: TokenCache[int, tuple[SessionRow, ...]] = TokenCache(2_000)


async def collections_page(
    viewer: User, page: int, per_page: int, status: Status | None = None
) -> Page[CollectionCard]:
    """A page of the collections this viewer may see, by title: coordinators every status (or
    `status`), everyone else the published ones that hold a session they may see."""
    allowed = visible_statuses(viewer)
    statuses = frozenset({status}) & allowed if status else allowed
    query = ListQuery(statuses or allowed, allowed, page, per_page)
    token = await change_token()
    cached = _cards.get(token, query)
    if cached is None:
        cached = await _page(query)
        _cards.put(token, query, cached)
    return cached


async def _page(query: ListQuery) -> Page[CollectionCard]:
    found = Collection.filter(status__in=list(query.statuses))
    if query.visible != frozenset(Status):
        holding = CollectionEntry.filter(session__status__in=list(query.visible))
        found = found.filter(id__in=Subquery(holding.values("collection_id")))
    total = await found.count()
    page, _, offset = page_bounds(total, query.page, query.per_page)
    rows = (
        await found.order_by("title", "id")
        .offset(offset)
        .limit(query.per_page)
        .values_list("id", "title", "description", "status")
    )
    shown = await _visible_entries([int(row[0]) for row in rows], query.visible)
    cards = [
        CollectionCard(
            id=int(collection_id),
            title=str(title),
            description=str(description),
            status=Status(str(status)),
            session_ids=tuple(session_id for session_id, _ in shown[int(collection_id)]),
            seconds=sum(seconds for _, seconds in shown[int(collection_id)]),
        )
        for collection_id, title, description, status in rows
    ]
    return Page.of(cards, page=page, per_page=query.per_page, total=total)


async def _visible_entries(
    collection_ids: list[int], statuses: frozenset[Status]
) -> dict[int, list[tuple[int, float]]]:
    """collection id -> (session id, seconds) of its sessions in these statuses, in order."""
    rows = (
        await CollectionEntry.filter(
            collection_id__in=collection_ids, session__status__in=list(statuses)
        )
        .order_by("collection_id", "position")
        .values_list("collection_id", "session_id", "session__duration_seconds")
    )
    found: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for collection_id, session_id, seconds in rows:
        found[int(collection_id)].append((int(session_id), float(seconds or 0)))
    return found


async def sessions_of(viewer: User, collection: Collection) -> list[SessionRow]:
    """The collection's sessions in its order, as the catalog's cards show them: those the
    viewer may see (patients: the published ones; coordinators: all, marked by status)."""
    token = await change_token()
    rows = _sessions.get(token, collection.id)
    if rows is None:
        rows = tuple(await rows_for(await entry_ids(collection.id)))
        _sessions.put(token, collection.id, rows)
    allowed = visible_statuses(viewer)
    return [row for row in rows if row.status in allowed]


# The sessions a coordinator may add: drafts and published ones (archived ones are refused).
ADDABLE = frozenset({Status.DRAFT, Status.PUBLISHED})


async def addable_sessions(
    viewer: User, text: str, *, leave_out: frozenset[int], limit: int
) -> list[SessionRow]:
    """Up to `limit` sessions matching `text` (all, by title, without any) that the collection
    editor may add, leaving out those already in it: the catalog's own search (and its cache)."""
    query = CatalogQuery(statuses=ADDABLE, text=text, per_page=limit + len(leave_out))
    found = await browse(viewer, query)
    return [row for row in found.rows if row.id not in leave_out][:limit]
