"""The same bytes uploaded again while a deletion of them is removing their file, on both
databases. Files are named by their content, so the new row names the very file the deletion
is about to remove. Each interleaving is driven step by step (a hook runs the other side at
the named point), and each must end with the new row and its file (and cover) together, and
nothing for `wellness media check` to report.

`wellness media check` and `sweep` agree: the sweep removes what the check lists, and puts back
what a deletion set aside if a row names it again."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.media_fixtures import make_flac, png_bytes, with_tags
from tests.services.conftest import Orm
from wellness.catalog import ingest, maintenance, removal
from wellness.catalog.models import MediaAsset
from wellness.catalog.removal import Removed
from wellness.catalog.storage import LocalMediaStore

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)


@pytest.fixture
def recording(tmp_path: Path) -> bytes:
    """A FLAC with a cover picture: two stored files per upload."""
    flac = make_flac(tmp_path, seconds=2.0, name="exhale.flac")
    with_tags(flac, container="flac", title="Long exhale", cover=png_bytes(9, 9))
    return flac.read_bytes()


@pytest.fixture
def store(tmp_path: Path) -> LocalMediaStore:
    return LocalMediaStore(tmp_path / "media")


async def upload(store: LocalMediaStore, data: bytes) -> MediaAsset:
    """What an upload does once the bytes are received: into `incoming/`, then `ingest`."""
    incoming = store.new_incoming()
    incoming.write_bytes(data)
    ingested = await ingest.ingest(
        store,
        incoming,
        sha256=hashlib.sha256(data).hexdigest(),
        original_filename="exhale.flac",
        uploader=None,
        now=NOW,
    )
    return ingested.asset


def assert_whole(orm: Orm, store: LocalMediaStore, data: bytes) -> None:
    """One row for the bytes, its file and its cover in place, and nothing else on disk."""
    [asset] = orm.run(MediaAsset.all())
    assert store.local_path(asset.storage_key).read_bytes() == data
    assert asset.cover_key is not None
    assert store.exists(asset.cover_key)
    assert orm.run(maintenance.find_damaged_assets(store)) == []
    assert orm.run(maintenance.find_orphan_files(store)) == []
    assert store.set_aside() == []


def first_upload(orm: Orm, store: LocalMediaStore, data: bytes) -> Removed:
    """The bytes uploaded, then deleted: its rows' deletion committed, its files not yet removed."""
    asset = orm.run(upload(store, data))
    removed = orm.run(removal.delete_unused_asset(asset.id))
    assert removed is not None
    assert len(removed.files) == 2  # the recording and its cover
    assert orm.run(MediaAsset.all().count()) == 0
    return removed


def test_an_upload_between_a_deletions_commit_and_its_unlink_keeps_its_file(
    any_orm: Orm, store: LocalMediaStore, recording: bytes
) -> None:
    """The report: the upload finds the file still there and reuses it; then the deletion
    removes its files. It asks the rows first, finds the new one and puts the files back."""
    removed = first_upload(any_orm, store, recording)
    any_orm.run(upload(store, recording))

    left = any_orm.run(removal.remove_files(store, removed.files))

    assert left == []
    assert_whole(any_orm, store, recording)


def test_a_deletion_that_removes_the_file_before_the_uploads_row_is_written(
    any_orm: Orm, store: LocalMediaStore, recording: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The upload found the file in place (and kept its own copy), then the deletion asked the
    rows (none yet) and removed the files; the upload's row commits after, finds its file gone
    and puts its own copy (and the cover it read) in place."""
    removed = first_upload(any_orm, store, recording)
    save = MediaAsset.save
    ran: list[list[str]] = []

    async def deletion_first(asset: MediaAsset, *args: Any, **kwargs: Any) -> None:
        if not ran:
            ran.append(await removal.remove_files(store, removed.files))
            assert not store.exists(removed.files[0])
        await save(asset, *args, **kwargs)

    monkeypatch.setattr(MediaAsset, "save", deletion_first)

    any_orm.run(upload(store, recording))

    assert ran == [[]]
    assert_whole(any_orm, store, recording)


def hook_rows_asked(
    monkeypatch: pytest.MonkeyPatch,
    *,
    before: Callable[[], Awaitable[object]] | None = None,
    after: Callable[[], Awaitable[object]] | None = None,
) -> list[str]:
    """Run `before` or `after` the first time a removal asks whether rows name a file."""
    asked = removal.is_referenced
    keys: list[str] = []

    async def hooked(key: str) -> bool:
        keys.append(key)
        if before is not None and len(keys) == 1:
            await before()
        answer = await asked(key)
        if after is not None and len(keys) == 1:
            await after()
        return answer

    monkeypatch.setattr(removal, "is_referenced", hooked)
    return keys


def test_an_upload_while_the_file_is_set_aside_has_it_put_back(
    any_orm: Orm, store: LocalMediaStore, recording: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deletion moved the file aside; the upload finds no file, stores its own and writes
    its row; the deletion then sees the row and drops what it set aside."""
    removed = first_upload(any_orm, store, recording)
    asked = hook_rows_asked(monkeypatch, before=lambda: upload(store, recording))

    left = any_orm.run(removal.remove_files(store, removed.files))

    assert left == []
    assert asked[0] == removed.files[0]
    assert_whole(any_orm, store, recording)


def test_an_upload_after_the_rows_were_asked_stores_the_file_again(
    any_orm: Orm, store: LocalMediaStore, recording: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deletion found no row and purges what it set aside; the upload, meanwhile, found the
    place empty and stored its own copy, which the purge never touches."""
    removed = first_upload(any_orm, store, recording)
    hook_rows_asked(monkeypatch, after=lambda: upload(store, recording))

    left = any_orm.run(removal.remove_files(store, removed.files))

    assert left == []
    assert_whole(any_orm, store, recording)


def test_without_an_upload_a_deletion_leaves_nothing_behind(
    any_orm: Orm, store: LocalMediaStore, recording: bytes
) -> None:
    removed = first_upload(any_orm, store, recording)

    left = any_orm.run(removal.remove_files(store, removed.files))

    assert left == []
    assert list(store.keys()) == []
    assert store.set_aside() == []
    assert any_orm.run(maintenance.find_orphan_files(store)) == []


def test_a_deletion_that_cannot_ask_the_rows_puts_the_file_back(
    any_orm: Orm, store: LocalMediaStore, recording: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not knowing whether a row names the file (the database went away), it keeps it: an
    orphan for the sweeper at worst, never a row without its file."""
    removed = first_upload(any_orm, store, recording)

    async def unreachable(key: str) -> bool:
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(removal, "is_referenced", unreachable)

    left = any_orm.run(removal.remove_files(store, removed.files))

    assert left == list(removed.files)  # reported as files left behind, as a failed unlink is
    assert all(store.exists(key) for key in removed.files)
    assert store.set_aside() == []


def test_an_upload_of_bytes_whose_file_was_lost_puts_it_back(
    any_orm: Orm, store: LocalMediaStore, recording: bytes
) -> None:
    """A row whose file went (as the race above used to leave it): the same bytes uploaded
    again bring it back."""
    asset = any_orm.run(upload(store, recording))
    store.local_path(asset.storage_key).unlink()

    again = any_orm.run(upload(store, recording))

    assert again.id == asset.id
    assert store.local_path(asset.storage_key).read_bytes() == recording
    assert any_orm.run(maintenance.find_damaged_assets(store)) == []
    assert list(store.incoming.iterdir()) == []


# --- check and sweep agree --------------------------------------------------------------------


def test_the_sweep_removes_what_the_check_lists_and_puts_back_what_a_row_names(
    any_orm: Orm, store: LocalMediaStore, recording: bytes
) -> None:
    """Left by crashes: a stored file no row names, a partial upload, a file a deletion set
    aside whose key no row names, and one whose key a row names (its place empty)."""
    asset = any_orm.run(upload(store, recording))
    named_aside = store.withdraw(asset.storage_key)
    orphan = f"{'a' * 64}.mp3"
    store.put_bytes(b"a deleted asset's file", orphan)
    stray = f"{'b' * 64}.mp3"
    store.put_bytes(b"another", stray)
    unnamed_aside = store.withdraw(stray)
    partial = store.new_incoming()
    assert named_aside is not None
    assert unnamed_aside is not None

    damaged = any_orm.run(maintenance.find_damaged_assets(store))
    listed = [orphan.key for orphan in any_orm.run(maintenance.find_orphan_files(store))]
    swept = any_orm.run(maintenance.sweep_orphans(store, grace_seconds=0, now=far_future()))

    assert [(item.asset_id, item.reason) for item in damaged] == [
        (
            asset.id,
            "file is missing (a deletion set it aside: `wellness media sweep` puts it back)",
        )
    ]
    assert listed == [orphan, f"incoming/{partial.name}", f"trash/{unnamed_aside.name}"]
    assert swept == listed
    assert_whole(any_orm, store, recording)


def test_the_sweep_keeps_what_is_younger_than_its_grace_period(
    any_orm: Orm, store: LocalMediaStore
) -> None:
    orphan = f"{'a' * 64}.mp3"
    store.put_bytes(b"an upload still finishing", orphan)
    stray = f"{'b' * 64}.mp3"
    store.put_bytes(b"set aside a moment ago", stray)
    aside = store.withdraw(stray)
    partial = store.new_incoming()

    swept = any_orm.run(maintenance.sweep_orphans(store, grace_seconds=3600, now=datetime.now(UTC)))

    assert swept == []
    assert store.exists(orphan)
    assert aside is not None
    assert aside.exists()
    assert partial.exists()


def far_future() -> datetime:
    return datetime(2100, 1, 1, tzinfo=UTC)
