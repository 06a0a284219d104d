"""Descriptors of media files kept open between requests (`web/media/files.py`), when the file
goes: another worker deleted it (only the deleting worker closes its own descriptors), or a
copy replaced it. Without a look over them, such a descriptor stayed open until 64 other files
pushed it out (for a small library, until the worker stopped), holding the deleted file's disk
space. What the worker answers is decided before: the full checks find no row (404) once the
browser's grant of a few seconds has run out."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tests.conftest import Client
from tests.web.test_media_serving import (  # noqa: F401  (fixtures)
    FakeClock,
    Library,
    as_coordinator,
    grant_clock,
    library,
)
from wellness.catalog import removal
from wellness.catalog.storage import LocalMediaStore
from wellness.settings import Settings
from wellness.web.media.files import OPEN_FILES, OpenFiles, pruning_open_files
from wellness.web.media.grants import GRANT_SECONDS


def held_open_deleted(path: Path) -> bool:
    """Whether this process holds a descriptor of `path`'s file, deleted (under its last name:
    a deletion moves a stored file aside to `trash/…-KEY` before unlinking it)."""
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:  # closed meanwhile (the listing's own descriptor)
            continue
        if target.endswith(f"{path.name} (deleted)"):
            return True
    return False


def is_closed(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return True
    return False


@pytest.fixture
def ticking() -> FakeClock:
    return FakeClock()


def files_with(clock: FakeClock) -> OpenFiles:
    return OpenFiles(idle_seconds=30, check_seconds=5, clock=clock)


def test_a_descriptor_unused_for_a_while_is_closed(tmp_path: Path, ticking: FakeClock) -> None:
    idle, busy = tmp_path / "idle", tmp_path / "busy"
    idle.write_bytes(b"idle")
    busy.write_bytes(b"busy")
    files = files_with(ticking)
    with files.borrow(idle) as handle:
        idle_fd = handle.fd
    for _ in range(7):  # `busy` is read every 5 s for 35 s; `idle` never again
        files.size_of(busy)
        ticking.now += 5

    files.size_of(busy)

    assert is_closed(idle_fd)
    assert len(files) == 1
    files.close_all()


def test_a_descriptor_of_a_file_deleted_elsewhere_is_closed_at_the_next_look(
    tmp_path: Path, ticking: FakeClock
) -> None:
    deleted, other = tmp_path / "deleted", tmp_path / "other"
    deleted.write_bytes(b"deleted by another worker")
    other.write_bytes(b"other")
    files = files_with(ticking)
    with files.borrow(deleted) as handle:
        fd = handle.fd
    deleted.unlink()  # as another worker does: this one's descriptor stays open
    assert held_open_deleted(deleted)
    ticking.now += 4
    files.size_of(other)
    assert not is_closed(fd)  # not looked over yet

    ticking.now += 1
    files.size_of(other)

    assert is_closed(fd)
    assert not held_open_deleted(deleted)
    with pytest.raises(FileNotFoundError):
        files.size_of(deleted)
    files.close_all()


def test_a_file_replaced_at_its_path_is_read_from_the_new_copy_after_the_look(
    tmp_path: Path, ticking: FakeClock
) -> None:
    path = tmp_path / "stored"
    path.write_bytes(b"first copy")
    files = files_with(ticking)
    assert files.read(path, 0, 5) == b"first"
    copy = tmp_path / "copy"
    copy.write_bytes(b"second copy, longer")
    os.replace(copy, path)
    assert files.size_of(path) == len(b"first copy")  # until the next look

    ticking.now += 5

    assert files.size_of(path) == len(b"second copy, longer")
    assert files.read(path, 0, 6) == b"second"
    assert not held_open_deleted(path)
    files.close_all()


def test_a_deleted_file_a_response_is_still_reading_stays_open_until_it_ends(
    tmp_path: Path, ticking: FakeClock
) -> None:
    path = tmp_path / "streaming"
    path.write_bytes(b"a long recording")
    files = files_with(ticking)
    with files.borrow(path) as handle:
        path.unlink()
        ticking.now += 5
        assert files.prune() == [path]
        assert os.pread(handle.fd, 6, 2) == b"long r"  # the response reads on
    assert is_closed(handle.fd)
    assert len(files) == 0


def test_media_deleted_by_another_worker_is_refused_and_let_go_here(
    as_coordinator: Client,  # noqa: F811
    library: Library,  # noqa: F811
    settings: Settings,
    grant_clock: FakeClock,  # noqa: F811
) -> None:
    orphan = library.orphan
    assert as_coordinator.get(orphan.url, headers={"range": "bytes=0-9"}).status_code == 206
    store = LocalMediaStore(settings.media_dir)

    async def delete_elsewhere() -> None:
        """What the other worker's `DELETE /api/v1/media/{id}` does, but for its own
        descriptors, which are not this worker's."""
        removed = await removal.delete_unused_asset(orphan.asset_id)
        assert removed is not None
        assert await removal.remove_files(store, removed.files) == []

    as_coordinator.run(delete_elsewhere)
    assert held_open_deleted(orphan.path)
    # The browser's grant of a few seconds still answers from the open file, as it does after
    # any revocation; then the full checks find no row.
    within = as_coordinator.get(orphan.url, headers={"range": "bytes=0-9"})
    grant_clock.now += GRANT_SECONDS
    after = as_coordinator.get(orphan.url, headers={"range": "bytes=0-9"})

    assert within.status_code == 206
    assert after.status_code == 404
    assert OPEN_FILES.prune() == [orphan.path]  # what this worker's timer does
    assert not held_open_deleted(orphan.path)


def test_the_worker_looks_over_its_open_files_on_its_own_timer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "deleted"
    path.write_bytes(b"served once, then deleted elsewhere")
    monkeypatch.setattr(OPEN_FILES, "check_seconds", 0.01)
    prune = OPEN_FILES.prune

    async def scenario() -> tuple[bool, list[Path]]:
        looked = asyncio.Event()
        let_go: list[Path] = []

        def watched() -> list[Path]:
            let_go.extend(prune())
            looked.set()
            return let_go

        monkeypatch.setattr(OPEN_FILES, "prune", watched)
        async with pruning_open_files(None):
            OPEN_FILES.size_of(path)
            path.unlink()
            looked.clear()
            async with asyncio.timeout(5):
                await looked.wait()
        return held_open_deleted(path), let_go

    still_held, let_go = asyncio.run(scenario())

    assert path in let_go
    assert still_held is False
    OPEN_FILES.close_all()
