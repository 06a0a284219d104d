"""Keeping stored files and asset rows in step: an integrity checker and an orphan sweeper.

The checker only reports (a missing or altered file needs a person), also the stored files no
row refers to: left by a crash between an upload's file and its row, or between a deletion's
commit and its unlink, or by an unlink that failed. The sweeper only removes files that no row
refers to and that are older than a grace period, so an upload that is between "file committed"
and "row inserted" is never taken.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from wellness.catalog.models import MediaAsset
from wellness.catalog.storage import MediaStore, cover_key

CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class DamagedAsset:
    asset_id: int
    key: str
    reason: str


def _file_sha256(store: MediaStore, key: str) -> str | None:
    path = store.local_path(key)
    if not path.exists():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


async def find_damaged_assets(store: MediaStore) -> list[DamagedAsset]:
    damaged = []
    for asset in await MediaAsset.all().order_by("id"):
        actual = await asyncio.to_thread(_file_sha256, store, asset.storage_key)
        if actual is None:
            damaged.append(DamagedAsset(asset.id, asset.storage_key, "file is missing"))
        elif actual != asset.sha256:
            damaged.append(
                DamagedAsset(asset.id, asset.storage_key, "file content does not match its hash")
            )
    return damaged


@dataclass(frozen=True, slots=True)
class OrphanFile:
    key: str
    size_bytes: int
    modified_at: datetime  # UTC


async def find_orphan_files(store: MediaStore) -> list[OrphanFile]:
    """Stored files (media and covers) that no asset row refers to, by key. An upload whose file
    is stored but whose row is not written yet shows here for a moment too."""
    referenced = await referenced_keys()
    found = []
    for key in sorted(set(store.keys()) - referenced):
        try:
            facts = store.local_path(key).stat()
        except FileNotFoundError:  # swept or deleted meanwhile
            continue
        modified = datetime.fromtimestamp(facts.st_mtime, tz=UTC)
        found.append(OrphanFile(key, facts.st_size, modified))
    return found


async def referenced_keys() -> set[str]:
    keys: set[str] = set()
    rows = await MediaAsset.all().values_list(
        "sha256", "extension", "cover_sha256", "cover_mime_type"
    )
    for sha256, extension, cover_sha256, cover_mime in rows:
        keys.add(f"{sha256}.{extension}")
        cover = cover_key(cover_sha256, cover_mime)
        if cover:
            keys.add(cover)
    return keys


async def sweep_orphans(store: MediaStore, *, grace_seconds: float, now: datetime) -> list[str]:
    referenced = await referenced_keys()
    cutoff = now.timestamp() - grace_seconds
    removed = []
    for key in list(store.keys()):
        if key in referenced or store.local_path(key).stat().st_mtime > cutoff:
            continue
        store.delete(key)
        removed.append(key)
    for leftover in store.stale_incoming(grace_seconds, now=now):
        store.discard(leftover)
        removed.append(f"incoming/{leftover.name}")
    return removed
