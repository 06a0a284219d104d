"""The embedded default's session and throttle store: Litestar's file store, reading on the
event loop (wellness.web.file_store). What one instance writes, another on the same folder
(another worker or a restarted process) reads; expired and missing records read as nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

from wellness.web.file_store import LocalFileStore


def test_a_record_written_by_one_store_is_read_by_another_on_the_same_folder(
    tmp_path: Path,
) -> None:
    async def scenario() -> tuple[bytes | None, bytes | None]:
        writer, reader = LocalFileStore(tmp_path), LocalFileStore(tmp_path)
        await writer.set("session-a", b'{"user": 7}', expires_in=3600)
        before_delete = await reader.get("session-a")
        await writer.delete("session-a")
        return before_delete, await reader.get("session-a")

    found, after_delete = asyncio.run(scenario())

    assert found == b'{"user": 7}'
    assert after_delete is None


def test_a_missing_record_reads_as_nothing(tmp_path: Path) -> None:
    assert asyncio.run(LocalFileStore(tmp_path).get("never-written")) is None


def test_an_expired_record_reads_as_nothing_and_its_file_is_removed(tmp_path: Path) -> None:
    async def scenario() -> bytes | None:
        store = LocalFileStore(tmp_path)
        await store.set("session-b", "soon gone", expires_in=-1)
        return await store.get("session-b")

    assert asyncio.run(scenario()) is None
    assert list(tmp_path.iterdir()) == []


def test_reading_with_renewal_keeps_the_record(tmp_path: Path) -> None:
    async def scenario() -> tuple[bytes | None, int | None]:
        store = LocalFileStore(tmp_path)
        await store.set("session-c", "kept", expires_in=10)
        value = await store.get("session-c", renew_for=3600)
        return value, await store.expires_in("session-c")

    value, remaining = asyncio.run(scenario())

    assert value == b"kept"
    assert remaining is not None
    assert remaining > 10
