"""Bulk import of a folder of media files (the `wellness media import` command)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from wellness.catalog import services
from wellness.catalog.kinds import Kind
from wellness.catalog.storage import MediaStore
from wellness.catalog.validation import MediaRejected
from wellness.lib.filenames import display_filename

CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    path: Path
    status: str  # "imported", "duplicate" or "rejected"
    detail: str
    asset_id: int | None = None
    session_id: int | None = None


def candidate_files(folder: Path) -> Iterator[Path]:
    """Regular files below `folder`, in a stable order; hidden files and links are skipped."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and not path.is_symlink():
            yield path


def _copy_and_hash(source: Path, target: Path) -> str:
    digest = hashlib.sha256()
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
    return digest.hexdigest()


def _title_from(path: Path, tag_title: str) -> str:
    if tag_title.strip():
        return tag_title.strip()[:200]
    return (
        display_filename(path.stem).replace("_", " ").replace("-", " ").strip()[:200] or "Untitled"
    )


async def import_file(
    store: MediaStore, path: Path, *, kind: Kind | None, now: datetime, max_duration_seconds: float
) -> ImportOutcome:
    incoming = store.new_incoming()
    try:
        sha256 = await asyncio.to_thread(_copy_and_hash, path, incoming)
        ingested = await services.ingest(
            store,
            incoming,
            sha256=sha256,
            original_filename=path.name,
            uploader=None,
            now=now,
            max_duration_seconds=max_duration_seconds,
        )
    except MediaRejected as refusal:
        return ImportOutcome(path, "rejected", refusal.message)
    except OSError as problem:
        return ImportOutcome(path, "rejected", f"could not be read: {problem.strerror or problem}")
    finally:
        store.discard(incoming)
    if not ingested.created:
        return ImportOutcome(path, "duplicate", "already in the library", ingested.asset.id)
    session_id = None
    if kind is not None:
        fields = services.SessionFields(
            title=_title_from(path, ingested.asset.tag_title),
            kind=kind,
            primary_asset_id=ingested.asset.id,
        )
        session = await services.create_session(fields, actor=None, now=now)
        session_id = session.id
    minutes = ingested.asset.duration_seconds / 60
    return ImportOutcome(
        path,
        "imported",
        f"{ingested.asset.container}, {minutes:.1f} min",
        ingested.asset.id,
        session_id,
    )
