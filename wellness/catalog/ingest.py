"""Ingesting uploaded media: validate the file, store it under its content hash, add its row.

Identical bytes are stored once: a second upload of the same file reuses the first asset. Once
the row has committed, the upload makes sure its file (and cover) are still in place: a deletion
of the same bytes that committed a moment before may be removing them (`catalog.removal`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tortoise.exceptions import IntegrityError

from wellness.accounts.models import User
from wellness.catalog.models import MediaAsset
from wellness.catalog.storage import MediaStore
from wellness.catalog.validation import MediaInfo, inspect_media
from wellness.lib.filenames import display_filename

log = logging.getLogger("wellness.catalog")


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
            # The same bytes: they put back a file an earlier fault lost, if it is.
            await _keep_files(store, existing, incoming, None)
            return Ingested(existing, created=False)
        size = await asyncio.to_thread(os.path.getsize, incoming)
        info = await asyncio.to_thread(
            inspect_media, incoming, max_duration_seconds=max_duration_seconds
        )
        cover_sha256 = await asyncio.to_thread(_store_cover, store, info)
        # The file is durable before its row exists; a crash in between leaves an orphan file
        # for the sweeper, never a row without bytes. When the bytes were stored already, the
        # incoming copy stays until `_keep_files` has seen the stored one after the commit.
        await asyncio.to_thread(store.commit, incoming, f"{sha256}.{info.extension}")
        fields = _asset_fields(info, sha256, size, original_filename, uploader, now, cover_sha256)
        try:
            asset = MediaAsset(**fields)
            await asset.save()
            created = True
        except IntegrityError:  # the same bytes finished uploading a moment earlier elsewhere
            asset, created = await MediaAsset.get(sha256=sha256), False
        await _keep_files(store, asset, incoming, info)
    finally:
        await asyncio.to_thread(store.discard, incoming)
    return Ingested(asset, created=created)


async def _keep_files(
    store: MediaStore, asset: MediaAsset, incoming: Path, info: MediaInfo | None
) -> None:
    """After the asset's row has committed: its file and cover in place, from this upload's
    copies if a deletion of the same bytes took them (`catalog.removal`)."""
    if not await asyncio.to_thread(store.keep, asset.storage_key, incoming):
        log.error("the file of media asset %s is missing and no copy is at hand", asset.id)
    cover = asset.cover_key
    if info is not None and info.cover is not None and cover is not None:
        await asyncio.to_thread(store.put_bytes, info.cover.data, cover)


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
