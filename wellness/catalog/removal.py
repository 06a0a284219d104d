"""Deleting media no session uses; the rows first, the files once that has committed.

A deletion changes the database in one transaction, and only after it has committed are the
stored files removed (`remove_files`). A crash or a failed unlink in between leaves a file that
no row names, which `wellness media check` lists and `wellness media sweep` removes once it is
older than its grace period; never a row whose file is gone.

Files are named by their content, so the same bytes uploaded again between the deletion's
commit and its unlink get a new row naming the very file about to go. Two steps each side,
in opposite order, keep the row and its file together without a lock (so across workers and
hosts sharing the media folder alike):

- removing (`remove_unreferenced`): move the file aside (`withdraw`, a rename), then ask the
  database whether a row names it; if one does, put it back, else purge it;
- uploading (`catalog.ingest`): commit the row, then make sure the file is in place (`keep`),
  putting the upload's own copy there if it is not.

If the removal's question does not see the upload's row, that row committed after the file
was moved aside, so the upload's check comes later still and finds the place empty. A crash
between moving aside and deciding leaves the file in `trash/`: `wellness media sweep` puts it
back if a row names it and purges it otherwise.

An asset any session plays (draft, published or archived) is refused. The sessions' foreign key
to it is `ON DELETE RESTRICT`, and the asset's row is locked before the check (PostgreSQL; SQLite
runs one writer at a time): a session created from the asset at the same moment either commits
first, and the deletion sees it and is refused, or waits and then fails on the missing asset
(`editing` answers that as "no uploaded media has that id"). Drafts are deleted by
`caseload.removal`, which knows what else may refer to a session.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from wellness.catalog import rules
from wellness.catalog.kinds import Status
from wellness.catalog.models import MediaAsset, PracticeSession
from wellness.catalog.storage import MediaStore, cover_key
from wellness.lib.paging import Page, page_bounds

log = logging.getLogger("wellness.catalog")


@dataclass(frozen=True, slots=True)
class SessionRef:
    id: int
    title: str
    status: Status


@dataclass(frozen=True, slots=True)
class Removed:
    """What a deletion took out of the database (committed once the outermost transaction is),
    and the stored files to remove after that (`remove_files`)."""

    session_id: int | None = None
    media_id: int | None = None
    files: tuple[str, ...] = ()


async def sessions_using(asset_id: int) -> list[SessionRef]:
    """Every session that plays this asset, whatever its status, by title."""
    rows = (
        await PracticeSession.filter(primary_asset_id=asset_id)
        .order_by("title", "id")
        .values_list("id", "title", "status")
    )
    return [SessionRef(int(id_), str(title), Status(str(status))) for id_, title, status in rows]


async def unused_assets(page: int, per_page: int) -> Page[MediaAsset]:
    """Uploaded media no session plays, newest first: what may be deleted, or given a session."""
    unused = MediaAsset.filter(sessions__id__isnull=True)
    total = await unused.count()
    page, _, offset = page_bounds(total, page, per_page)
    assets = await unused.order_by("-uploaded_at", "-id").offset(offset).limit(per_page)
    return Page.of(list(assets), page=page, per_page=per_page, total=total)


async def delete_asset_rows(asset_id: int) -> tuple[str, ...] | None:
    """Delete the asset's row if no session plays it, in the caller's transaction; the storage
    keys that frees (its file, and its cover unless another asset shows the same picture).
    None if there is no such asset (any more); `CatalogConflict` if a session plays it."""
    asset = await MediaAsset.filter(id=asset_id).select_for_update().first()
    if asset is None:
        return None
    users = await sessions_using(asset.id)
    if users:
        raise rules.media_in_use([user.title for user in users])
    files = [asset.storage_key]
    cover = asset.cover_key
    if cover is not None:
        shared = MediaAsset.filter(cover_sha256=asset.cover_sha256).exclude(id=asset.id)
        if not await shared.exists():
            files.append(cover)
    try:
        await MediaAsset.filter(id=asset.id).delete()
    except IntegrityError:  # a session was given it after the check (the key is RESTRICT)
        raise rules.CatalogConflict(
            "media_in_use",
            "This media file can't be deleted: a session was just given it. Reload the page "
            "to see which.",
        ) from None
    return tuple(files)


async def delete_unused_asset(asset_id: int) -> Removed | None:
    """Delete an asset no session plays (`CatalogConflict` otherwise); None if it is gone.
    The caller removes `files` once this has committed."""
    async with in_transaction():
        files = await delete_asset_rows(asset_id)
    return None if files is None else Removed(media_id=asset_id, files=files)


async def remove_files(store: MediaStore, keys: Iterable[str]) -> list[str]:
    """Remove stored files whose rows' deletion has committed, each unless a row names it again
    (`remove_unreferenced`); the keys left behind by an error (logged: `wellness media check`
    lists them as files no asset refers to)."""
    left = []
    for key in keys:
        try:
            await remove_unreferenced(store, key)
        except OSError:
            log.exception("could not remove the deleted media file %s", key)
            left.append(key)
    return left


async def remove_unreferenced(store: MediaStore, key: str) -> bool:
    """Remove the stored file for `key` if no row names it: moved aside first, then the rows
    asked, then purged or put back (see the module's docstring). Whether it was removed."""
    aside = await asyncio.to_thread(store.withdraw, key)
    if aside is None:
        return False
    try:
        named = await is_referenced(key)
    except BaseException:
        # Not knowing, keep the file: an orphan for the sweeper at worst. Synchronous, as the
        # error may be this task's cancellation.
        store.restore(aside, key)
        raise
    if named:
        await asyncio.to_thread(store.restore, aside, key)
        return False
    await asyncio.to_thread(store.purge, aside)
    return True


async def is_referenced(key: str) -> bool:
    """Whether any asset row names this stored file, as its media or as its cover."""
    sha256, _, extension = key.partition(".")
    if await MediaAsset.filter(sha256=sha256, extension=extension).exists():
        return True
    covers = await MediaAsset.filter(cover_sha256=sha256).values_list("cover_mime_type", flat=True)
    return any(cover_key(sha256, str(mime)) == key for mime in set(covers))
