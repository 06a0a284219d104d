"""Catalog use cases: ingesting media, editing and publishing sessions, and who may see what."""

from __future__ import annotations

import asyncio
import hashlib
import os
from array import array
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from wellness.accounts import permissions
from wellness.accounts.models import User
from wellness.catalog import rules
from wellness.catalog.cache import TokenCache, change_token
from wellness.catalog.kinds import Guidance, Kind, Level, Posture, Status, can_transition
from wellness.catalog.models import MediaAsset, PracticeSession, SessionTag
from wellness.catalog.search import CatalogQuery, SearchPage, page_of, ranked_ids
from wellness.catalog.storage import MediaStore
from wellness.catalog.validation import MediaInfo, MediaRejected, inspect_media
from wellness.lib.filenames import display_filename

__all__ = ["MediaRejected"]


@dataclass(frozen=True, slots=True)
class Ingested:
    asset: MediaAsset
    created: bool


async def ingest(
    store: MediaStore,
    incoming: Path,
    *,
    sha256: str,
    original_filename: str | None,
    uploader: User | None,
    now: datetime,
    max_duration_seconds: float = 6 * 3600,
) -> Ingested:
    """Validate an uploaded file and store it under its content hash, or reuse identical bytes.

    The incoming file is always consumed: moved into the store, or deleted. On refusal
    (MediaRejected) nothing is left on disk or in the database.
    """
    try:
        existing = await MediaAsset.get_or_none(sha256=sha256)
        if existing is not None:
            return Ingested(existing, created=False)
        size = await asyncio.to_thread(os.path.getsize, incoming)
        info = await asyncio.to_thread(
            inspect_media, incoming, max_duration_seconds=max_duration_seconds
        )
        cover_sha256 = await asyncio.to_thread(_store_cover, store, info)
        # The file is durable before its row exists; a crash in between leaves an orphan file
        # for the sweeper, never a row without bytes.
        await asyncio.to_thread(store.commit, incoming, f"{sha256}.{info.extension}")
    finally:
        await asyncio.to_thread(store.discard, incoming)
    fields = _asset_fields(info, sha256, size, original_filename, uploader, now, cover_sha256)
    try:
        asset = MediaAsset(**fields)
        await asset.save()
    except IntegrityError:  # the same bytes finished uploading a moment earlier elsewhere
        return Ingested(await MediaAsset.get(sha256=sha256), created=False)
    return Ingested(asset, created=True)


def _store_cover(store: MediaStore, info: MediaInfo) -> str | None:
    if info.cover is None:
        return None
    digest = hashlib.sha256(info.cover.data).hexdigest()
    store.put_bytes(info.cover.data, f"{digest}.{info.cover.extension}")
    return digest


def _asset_fields(
    info: MediaInfo,
    sha256: str,
    size: int,
    original_filename: str | None,
    uploader: User | None,
    now: datetime,
    cover_sha256: str | None,
) -> dict[str, object]:
    return {
        "sha256": sha256,
        "size_bytes": size,
        "container": info.container,
        "codec": info.codec,
        "mime_type": info.mime_type,
        "extension": info.extension,
        "has_video": info.has_video,
        "duration_seconds": info.duration_seconds,
        "bitrate": info.bitrate,
        "sample_rate": info.sample_rate,
        "channels": info.channels,
        "tag_title": info.title,
        "tag_artist": info.artist,
        "tag_album": info.album,
        "tag_comment": info.comment,
        "cover_sha256": cover_sha256,
        "cover_mime_type": info.cover.mime_type if info.cover else None,
        "original_filename": display_filename(original_filename),
        "uploaded_by": uploader,
        "uploaded_at": now,
    }


# --- sessions ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionFields:
    """Editable fields of a session. None means "leave unchanged" (for partial updates)."""

    title: str | None = None
    kind: Kind | None = None
    description: str | None = None
    instructor: str | None = None
    language: str | None = None
    level: Level | None = None
    posture: Posture | None = None
    guidance: Guidance | None = None
    transcript: str | None = None
    anxiety_min: int | None = None
    anxiety_max: int | None = None
    contraindications: list[str] | None = None
    tags: list[str] | None = None
    primary_asset_id: int | None = None


def _cleaned(fields: SessionFields, current: PracticeSession | None) -> dict[str, object]:
    values: dict[str, object] = {}
    if fields.title is not None:
        values["title"] = rules.clean_title(fields.title)
    for name, limit in (
        ("description", rules.MAX_DESCRIPTION),
        ("transcript", rules.MAX_TRANSCRIPT),
    ):
        value = getattr(fields, name)
        if value is not None:
            values[name] = rules.clean_text(name, value, limit)
    if fields.instructor is not None:
        values["instructor"] = rules.clean_instructor(fields.instructor)
    if fields.language is not None:
        values["language"] = rules.clean_language(fields.language)
    for name in ("kind", "level", "posture", "guidance"):
        value = getattr(fields, name)
        if value is not None:
            values[name] = value
    if fields.contraindications is not None:
        values["contraindications"] = sorted(set(fields.contraindications))
    low = (
        fields.anxiety_min
        if fields.anxiety_min is not None
        else (current.anxiety_min if current else 0)
    )
    high = (
        fields.anxiety_max
        if fields.anxiety_max is not None
        else (current.anxiety_max if current else 10)
    )
    rules.check_anxiety_range(low, high)
    values["anxiety_min"], values["anxiety_max"] = low, high
    return values


async def _asset_or_error(asset_id: int) -> MediaAsset:
    asset = await MediaAsset.get_or_none(id=asset_id)
    if asset is None:
        raise rules.CatalogError("primary_asset_id", "No uploaded media has that id.")
    return asset


async def create_session(
    fields: SessionFields, *, actor: User | None, now: datetime
) -> PracticeSession:
    if fields.title is None or fields.kind is None:
        raise rules.CatalogError(
            "title" if fields.title is None else "kind", "This field is required."
        )
    values = _cleaned(fields, None)
    tags = rules.clean_tags(fields.tags or [])
    asset = (
        await _asset_or_error(fields.primary_asset_id)
        if fields.primary_asset_id is not None
        else None
    )
    async with in_transaction():
        session = PracticeSession(
            **values,
            primary_asset=asset,
            duration_seconds=asset.duration_seconds if asset else 0,
            created_by=actor,
            updated_by=actor,
            created_at=now,
            updated_at=now,
        )
        await session.save()
        await SessionTag.bulk_create([SessionTag(session=session, tag=tag) for tag in tags])
    return session


async def update_session(
    session: PracticeSession, fields: SessionFields, *, actor: User, now: datetime
) -> PracticeSession:
    values = _cleaned(fields, session)
    tags = rules.clean_tags(fields.tags) if fields.tags is not None else None
    if fields.primary_asset_id is not None:
        asset = await _asset_or_error(fields.primary_asset_id)
        values["primary_asset_id"] = asset.id
        values["duration_seconds"] = asset.duration_seconds
    async with in_transaction():
        await PracticeSession.filter(id=session.id).update(
            **values, updated_by_id=actor.id, updated_at=now
        )
        if tags is not None:
            await SessionTag.filter(session_id=session.id).delete()
            await SessionTag.bulk_create(
                [SessionTag(session_id=session.id, tag=tag) for tag in tags]
            )
    return await PracticeSession.get(id=session.id)


async def update_and_publish(
    session: PracticeSession, fields: SessionFields, *, actor: User, now: datetime
) -> PracticeSession:
    """Save the editor's fields and publish the result in one transaction: both or neither."""
    async with in_transaction():
        updated = await update_session(session, fields, actor=actor, now=now)
        return await change_status(updated, Status.PUBLISHED, actor=actor, now=now)


async def change_status(
    session: PracticeSession, target: Status, *, actor: User, now: datetime
) -> PracticeSession:
    if session.status is target:
        return session
    if not can_transition(session.status, target):
        raise rules.CatalogError(
            "status", f"A {session.status.value} session can't become {target.value}."
        )
    if target is Status.PUBLISHED and session.primary_asset_id is None:  # type: ignore[attr-defined]
        raise rules.CatalogError("status", "Attach a media file before publishing.")
    changes: dict[str, object] = {"status": target, "updated_by_id": actor.id, "updated_at": now}
    if target is Status.PUBLISHED:
        changes["published_at"] = now
    await PracticeSession.filter(id=session.id).update(**changes)
    return await PracticeSession.get(id=session.id)


# --- who may see what ------------------------------------------------------------------------


def visible_statuses(viewer: User) -> frozenset[Status]:
    if permissions.can_manage_catalog(viewer.role):
        return frozenset(Status)
    return frozenset({Status.PUBLISHED})


async def session_for_viewer(viewer: User, session_id: int) -> PracticeSession | None:
    """The session if this viewer may see it; None otherwise, so the answer is a 404."""
    return await PracticeSession.get_or_none(
        id=session_id, status__in=list(visible_statuses(viewer))
    )


async def session_for_editor(viewer: User, session_id: int) -> PracticeSession | None:
    if not permissions.can_manage_catalog(viewer.role):
        return None
    return await PracticeSession.get_or_none(id=session_id)


async def asset_for_viewer(viewer: User, asset_id: int) -> MediaAsset | None:
    """A media asset this viewer may play: the primary asset of a session they can see.

    Coordinators may also play any asset (to preview an upload before it has a session).
    """
    if permissions.can_manage_catalog(viewer.role):
        return await MediaAsset.get_or_none(id=asset_id)
    visible = await PracticeSession.filter(
        primary_asset_id=asset_id, status__in=list(visible_statuses(viewer))
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
    return await browse(
        viewer, CatalogQuery(statuses=frozenset({Status.PUBLISHED}), per_page=limit)
    )


# In acute distress: short, guided, slow breathing or grounding; nothing forceful or silent.
CALMING_KINDS = (Kind.GROUNDING, Kind.BREATHING)
NOT_WHEN_DISTRESSED = frozenset(
    {"breath_hold", "fast_breathing", "vigorous", "long_silence", "standing"}
)
CALMING_MAX_SECONDS = 10 * 60


@dataclass(frozen=True, slots=True)
class CalmingSession:
    id: int
    title: str
    kind: Kind
    duration_seconds: float


async def calming_sessions(limit: int = 3) -> list[CalmingSession]:
    """Short guided grounding and slow-breathing sessions for the support panel."""
    rows = (
        await PracticeSession.filter(
            status=Status.PUBLISHED,
            kind__in=CALMING_KINDS,
            guidance=Guidance.GUIDED,
            duration_seconds__gt=0,
            duration_seconds__lte=CALMING_MAX_SECONDS,
        )
        .order_by("duration_seconds", "id")
        .limit(limit * 4)
    )
    calm = [row for row in rows if not NOT_WHEN_DISTRESSED & set(row.contraindications)]
    return [CalmingSession(row.id, row.title, row.kind, row.duration_seconds) for row in calm][
        :limit
    ]
