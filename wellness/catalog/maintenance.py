"""Keeping stored files and asset rows in step: an integrity checker and an orphan sweeper.

The checker only reports (a missing or altered file needs a person), also the files no row
refers to: left by a crash between an upload's file and its row, or between a deletion's
commit and its unlink, or by an unlink that failed, a partial upload (`incoming/`), and a file a
deletion set aside and never finished with (`trash/`). The sweeper removes exactly those once
they are older than a grace period, so an upload that is between "file committed" and "row
inserted" is never taken, and each the way a deletion does (`removal.remove_unreferenced`: set
aside, the rows asked again, then purged or put back). A set-aside file a row names again is put
back at once, whatever its age.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from wellness.catalog import removal
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
    aside = {key for key, _ in await asyncio.to_thread(store.set_aside)}
    for asset in await MediaAsset.all().order_by("id"):
        actual = await asyncio.to_thread(_file_sha256, store, asset.storage_key)
        if actual is None:
            reason = "file is missing"
            if asset.storage_key in aside:
                reason += " (a deletion set it aside: `wellness media sweep` puts it back)"
            damaged.append(DamagedAsset(asset.id, asset.storage_key, reason))
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
    """Files that no asset row refers to: stored ones (media and covers) by key, then partial
    uploads (`incoming/NAME`) and set-aside files (`trash/NAME`) whose key no row names: what
    the sweeper removes once old enough. An upload whose file is stored but whose row is not
    written yet shows here for a moment too."""
    found = []
    for candidate in _unreferenced(store, await referenced_keys()):
        try:
            facts = candidate.path.stat()
        except FileNotFoundError:  # swept or deleted meanwhile
            continue
        modified = datetime.fromtimestamp(facts.st_mtime, tz=UTC)
        found.append(OrphanFile(candidate.name, facts.st_size, modified))
    return found


@dataclass(frozen=True, slots=True)
class _Unreferenced:
    name: str  # as the checker lists it and the sweeper reports it
    path: Path
    key: str | None  # the stored file's key, for a stored or a set-aside file
    stored: bool = False


def _unreferenced(store: MediaStore, referenced: set[str]) -> list[_Unreferenced]:
    """What the checker lists and the sweeper may remove: one list, so that they agree."""
    stored = [
        _Unreferenced(key, store.local_path(key), key, stored=True)
        for key in sorted(set(store.keys()) - referenced)
    ]
    partial = [
        _Unreferenced(f"incoming/{path.name}", path, None) for path in store.incoming_files()
    ]
    aside = [
        _Unreferenced(f"trash/{path.name}", path, key)
        for key, path in store.set_aside()
        if key not in referenced
    ]
    return stored + partial + aside


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
    """Remove what `find_orphan_files` lists that is older than `grace_seconds`, by the names
    it lists it under, each only if no row names it by then; set-aside files a row names are
    put back first, whatever their age."""
    for key, path in store.set_aside():
        if await removal.is_referenced(key):
            store.restore(path, key)
    cutoff = now.timestamp() - grace_seconds
    removed = []
    for candidate in _unreferenced(store, await referenced_keys()):
        try:
            if candidate.path.stat().st_mtime > cutoff:
                continue
        except FileNotFoundError:  # swept or deleted meanwhile
            continue
        if candidate.key is None:
            store.discard(candidate.path)
        elif candidate.stored:
            if not await removal.remove_unreferenced(store, candidate.key):
                continue
        elif await removal.is_referenced(candidate.key):  # named again since the listing
            store.restore(candidate.path, candidate.key)
            continue
        else:
            store.purge(candidate.path)
        removed.append(candidate.name)
    return removed
