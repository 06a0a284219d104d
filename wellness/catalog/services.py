"""Catalog use cases: who may see which sessions and media, browsing and searching them, and
the lists pages show. Ingesting media (`ingest`) and editing sessions (`editing`) live in their
own modules and are importable from here too, so callers need only `catalog.services`."""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, replace

from wellness.accounts import permissions
from wellness.accounts.models import User
from wellness.catalog.cache import TokenCache, change_token
from wellness.catalog.editing import (
    SessionFields,
    change_status,
    check_publishable,
    create_session,
    update_session,
)
from wellness.catalog.ingest import Ingested, ingest
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import MediaAsset, PracticeSession, SessionTag
from wellness.catalog.search import CatalogQuery, SearchPage, page_of, ranked_ids
from wellness.catalog.validation import MediaRejected

# The names this module passes on from `editing`, `ingest` and `validation`.
__all__ = [
    "Ingested",
    "MediaRejected",
    "SessionFields",
    "change_status",
    "check_publishable",
    "create_session",
    "ingest",
    "update_session",
]


def visible_statuses(viewer: User) -> frozenset[Status]:
    if permissions.can_manage_catalog(viewer.role):
        return frozenset(Status)
    return frozenset({Status.PUBLISHED})


def playable_statuses(viewer: User) -> frozenset[Status]:
    """The statuses of sessions whose media, cover and captions this viewer may fetch: those
    they may see, and for a reviewer the drafts too (a review's preview plays them)."""
    if permissions.can_review_drafts(viewer.role):
        return visible_statuses(viewer) | {Status.DRAFT}
    return visible_statuses(viewer)


async def session_for_viewer(viewer: User, session_id: int) -> PracticeSession | None:
    """The session if this viewer may see it; None otherwise, so the answer is a 404."""
    return await PracticeSession.get_or_none(
        id=session_id, status__in=list(visible_statuses(viewer))
    )


async def session_for_player(viewer: User, session_id: int) -> PracticeSession | None:
    """The session if this viewer may fetch what plays with it (its captions); else None."""
    return await PracticeSession.get_or_none(
        id=session_id, status__in=list(playable_statuses(viewer))
    )


async def session_for_editor(viewer: User, session_id: int) -> PracticeSession | None:
    if not permissions.can_manage_catalog(viewer.role):
        return None
    return await PracticeSession.get_or_none(id=session_id)


async def asset_for_viewer(viewer: User, asset_id: int) -> MediaAsset | None:
    """A media asset this viewer may play: the primary asset of a session they can see (or,
    for a reviewer, a draft they review).

    Coordinators may also play any asset (to preview an upload before it has a session).
    """
    if permissions.can_manage_catalog(viewer.role):
        return await MediaAsset.get_or_none(id=asset_id)
    visible = await PracticeSession.filter(
        primary_asset_id=asset_id, status__in=list(playable_statuses(viewer))
    ).exists()
    return await MediaAsset.get_or_none(id=asset_id) if visible else None


async def tags_of(session: PracticeSession) -> list[str]:
    tags = (
        await SessionTag.filter(session_id=session.id).order_by("tag").values_list("tag", flat=True)
    )
    return [str(tag) for tag in tags]


async def primary_asset(session: PracticeSession) -> MediaAsset | None:
    asset_id = session.primary_asset_id  # type: ignore[attr-defined]
    return await MediaAsset.get_or_none(id=asset_id) if asset_id else None


async def session_titles(session_ids: Iterable[int | None]) -> dict[int, str]:
    """Session id -> title, for these ids (None and 0 are passed over); one query, if any."""
    wanted = {session_id for session_id in session_ids if session_id}
    if not wanted:
        return {}
    return dict(await PracticeSession.filter(id__in=wanted).values_list("id", "title"))


# Catalog reads are cached per process under the catalog's change token (see catalog.cache):
# every ranked list of ids for a search and its filters (so paging never ranks again), every page
# of cards, and the tag menus. Keys hold the statuses the viewer may see, so what a coordinator
# sees never reaches a patient. Weights bound memory: ids are 4 bytes each in an array; a page
# of cards is a few kilobytes.
_ranked: TokenCache[CatalogQuery, array[int]] = TokenCache(1_000_000, weigh=len)
_pages: TokenCache[CatalogQuery, SearchPage] = TokenCache(1_000)
_tags: TokenCache[frozenset[Status], list[str]] = TokenCache(8)


async def browse(viewer: User, query: CatalogQuery) -> SearchPage:
    """A page of the sessions this viewer may see, filtered and searched."""
    return await _browse(viewer, query, await change_token())


async def browse_with_tags(viewer: User, query: CatalogQuery) -> tuple[SearchPage, list[str]]:
    """browse() and all_tags() reading the change token once (the browse page shows both)."""
    token = await change_token()
    return await _browse(viewer, query, token), await _all_tags(viewer, token)


async def _browse(viewer: User, query: CatalogQuery, token: str | None) -> SearchPage:
    allowed = visible_statuses(viewer)
    query = replace(query, statuses=query.statuses & allowed or allowed)
    cached = _pages.get(token, query)
    if cached is not None:
        return cached
    every_page = replace(query, page=1, per_page=1)
    ids = _ranked.get(token, every_page)
    if ids is None:
        ids = await ranked_ids(query)
        _ranked.put(token, every_page, ids)
    result = await page_of(ids, query.page, query.per_page)
    _pages.put(token, query, result)
    return result


async def all_tags(viewer: User) -> list[str]:
    """Tags of the sessions this viewer can see (drafts' tags stay with coordinators)."""
    return await _all_tags(viewer, await change_token())


async def _all_tags(viewer: User, token: str | None) -> list[str]:
    statuses = visible_statuses(viewer)
    cached = _tags.get(token, statuses)
    if cached is not None:
        return cached
    tags = (
        await SessionTag.filter(session__status__in=list(statuses))
        .distinct()
        .values_list("tag", flat=True)
    )
    result = sorted({str(tag) for tag in tags})
    _tags.put(token, statuses, result)
    return result


async def status_counts() -> dict[Status, int]:
    counts = dict.fromkeys(Status, 0)
    for status in await PracticeSession.all().values_list("status", flat=True):
        counts[Status(str(status))] += 1
    return counts


@dataclass(frozen=True, slots=True)
class RecentUpload:
    asset: MediaAsset
    session_id: int | None  # a session playing this media, if any


async def recent_uploads(limit: int = 8) -> list[RecentUpload]:
    assets = await MediaAsset.all().order_by("-uploaded_at", "-id").limit(limit)
    used = await PracticeSession.filter(
        primary_asset_id__in=[asset.id for asset in assets]
    ).values_list("primary_asset_id", "id")
    session_by_asset = {int(asset_id): int(session_id) for asset_id, session_id in used}
    return [RecentUpload(asset, session_by_asset.get(asset.id)) for asset in assets]


async def library_preview(viewer: User, limit: int = 4) -> SearchPage:
    """A first page of published sessions (and the total), for home pages."""
    return await library_preview_under(viewer, await change_token(), limit)


async def library_preview_under(viewer: User, token: str | None, limit: int = 4) -> SearchPage:
    """`library_preview` for a page that has read the catalog's change token already."""
    query = CatalogQuery(statuses=frozenset({Status.PUBLISHED}), per_page=limit)
    return await _browse(viewer, query, token)


@dataclass(frozen=True, slots=True)
class CalmingSession:
    id: int
    title: str
    kind: Kind
    duration_seconds: float
