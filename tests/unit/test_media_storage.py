from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from wellness.catalog.storage import LocalMediaStore, StorageError, cover_key, is_valid_key


def key_for(data: bytes, extension: str = "mp3") -> str:
    return f"{hashlib.sha256(data).hexdigest()}.{extension}"


def test_committed_files_are_stored_under_their_content_hash(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    incoming = store.new_incoming()
    incoming.write_bytes(b"audio bytes")
    key = key_for(b"audio bytes")
    assert store.commit(incoming, key) is True
    assert store.local_path(key).read_bytes() == b"audio bytes"
    assert store.local_path(key).parent.name == key[:2]
    assert not incoming.exists()
    assert list(store.keys()) == [key]


def test_committing_existing_content_keeps_one_copy(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    key = key_for(b"same")
    assert store.put_bytes(b"same", key) is True
    again = store.new_incoming()
    again.write_bytes(b"same")
    assert store.commit(again, key) is False
    # The upload's copy stays until its row has committed and `keep` has seen the stored one.
    assert again.exists()
    store.discard(again)
    assert list(store.keys()) == [key]
    assert list(store.incoming.iterdir()) == []


def test_put_bytes_leaves_no_incoming_file_whether_or_not_it_stores(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    key = key_for(b"cover")

    assert store.put_bytes(b"cover", key) is True
    assert store.put_bytes(b"cover", key) is False

    assert list(store.incoming.iterdir()) == []
    assert store.local_path(key).read_bytes() == b"cover"


def test_a_withdrawn_file_is_out_of_its_place_until_put_back(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    key = key_for(b"audio")
    store.put_bytes(b"audio", key)

    aside = store.withdraw(key)

    assert aside is not None
    assert not store.exists(key)
    assert list(store.keys()) == []
    assert store.set_aside() == [(key, aside)]
    assert store.withdraw(key) is None  # nothing left to withdraw
    store.restore(aside, key)
    assert store.local_path(key).read_bytes() == b"audio"
    assert store.set_aside() == []


def test_a_withdrawn_file_is_dropped_when_its_place_was_filled_meanwhile(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    key = key_for(b"audio")
    store.put_bytes(b"audio", key)
    aside = store.withdraw(key)
    assert aside is not None
    store.put_bytes(b"audio", key)  # the same bytes, uploaded again

    store.restore(aside, key)

    assert store.local_path(key).read_bytes() == b"audio"
    assert store.set_aside() == []


def test_a_purged_file_is_gone_and_only_trash_files_are_purged(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    key = key_for(b"audio")
    store.put_bytes(b"audio", key)
    aside = store.withdraw(key)
    assert aside is not None

    store.purge(aside)

    assert store.set_aside() == []
    assert not store.exists(key)
    with pytest.raises(StorageError):
        store.purge(store.local_path(key_for(b"other")))
    with pytest.raises(StorageError):
        store.restore(tmp_path / "precious.txt", key)


def test_keep_puts_the_uploads_copy_in_place_only_when_the_stored_file_went(
    tmp_path: Path,
) -> None:
    store = LocalMediaStore(tmp_path)
    key = key_for(b"audio")
    store.put_bytes(b"audio", key)
    copy = store.new_incoming()
    copy.write_bytes(b"audio")

    assert store.keep(key, copy) is True
    assert copy.exists()  # not needed: still the caller's to discard
    aside = store.withdraw(key)
    assert aside is not None
    store.purge(aside)
    assert store.keep(key, copy) is True
    assert store.local_path(key).read_bytes() == b"audio"
    assert not copy.exists()
    gone = store.withdraw(key)
    assert gone is not None
    store.purge(gone)
    assert store.keep(key, copy) is False  # no copy left either


def test_incoming_files_are_private_and_unique(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    first, second = store.new_incoming(), store.new_incoming()
    assert first != second
    assert first.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    "key", ["../x.mp3", "abc.mp3", "0" * 64 + ".MP3", "0" * 64, "0" * 64 + ".mp3/../../x"]
)
def test_keys_that_are_not_content_hashes_are_refused(tmp_path: Path, key: str) -> None:
    assert not is_valid_key(key)
    with pytest.raises(StorageError):
        LocalMediaStore(tmp_path).local_path(key)


def test_discard_only_touches_incoming_files(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    with pytest.raises(StorageError):
        store.discard(outside)
    assert outside.exists()


def test_stale_incoming_files_are_found_for_the_sweeper(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    leftover = store.new_incoming()
    written = datetime.fromtimestamp(leftover.stat().st_mtime, UTC)
    later = written + timedelta(hours=1, seconds=1)
    assert store.stale_incoming(older_than_seconds=3600, now=written) == []
    assert store.stale_incoming(older_than_seconds=3600, now=later) == [leftover]


def test_cover_keys_follow_the_image_type() -> None:
    assert cover_key("a" * 64, "image/png") == "a" * 64 + ".png"
    assert cover_key("a" * 64, "image/jpeg") == "a" * 64 + ".jpg"
    assert cover_key("a" * 64, "image/svg+xml") is None
    assert cover_key(None, "image/png") is None


def test_reusing_a_stored_file_renews_it_so_the_sweeper_keeps_it(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    key = key_for(b"old orphan")
    store.put_bytes(b"old orphan", key)
    long_ago = datetime(2020, 1, 1, tzinfo=UTC).timestamp()
    os.utime(store.local_path(key), (long_ago, long_ago))
    again = store.new_incoming()
    again.write_bytes(b"old orphan")

    assert store.commit(again, key) is False

    assert store.local_path(key).stat().st_mtime > long_ago + 86_400
