"""Ingesting uploaded media: validate the file, store it under its content hash, add its row.

Identical bytes are stored once: a second upload of the same file reuses the first asset.
"""

from __future__ import annotations

import asyncio
import hashlib
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
