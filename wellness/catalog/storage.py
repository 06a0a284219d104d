"""Content-addressed media storage.

Files are named by their SHA-256, so identical uploads are stored once and a name can never come
from a client. The interface is small so an object store can replace the local folder later.

Because a name is shared by every upload of the same bytes, a stored file is never simply
unlinked: it is set aside first (`withdraw`, a rename into `trash/`), then the database is asked
whether a row names it, then it is purged or put back (`catalog.removal`); and an upload makes
sure its file is still in place once its row has committed (`keep`). See `catalog.removal`.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from wellness.lib.durable import fsync_directory, fsync_file

_KEY = re.compile(r"^[0-9a-f]{64}\.[a-z0-9]{2,5}$")
# A withdrawn file's name in trash/: a token of its own (two deletions of one key never meet),
# then the key.
_ASIDE = re.compile(r"^[0-9a-f]{16}-(?P<key>[0-9a-f]{64}\.[a-z0-9]{2,5})$")


class StorageError(RuntimeError):
    pass


def is_valid_key(key: str) -> bool:
    return bool(_KEY.match(key))


COVER_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg"}


def cover_key(sha256: str | None, mime_type: str | None) -> str | None:
    if not sha256 or mime_type not in COVER_EXTENSIONS:
        return None
    return f"{sha256}.{COVER_EXTENSIONS[mime_type]}"


@runtime_checkable  # so that the web layer's dependency injection can check what it hands out
class MediaStore(Protocol):
    def new_incoming(self) -> Path:
        """A fresh, empty, private file on the same filesystem as the store, for streaming into."""
        ...

    def commit(self, incoming: Path, key: str) -> bool:
        """Durably move an incoming file to `key`; False if that content was already stored
        (then `incoming` stays, for `keep`, until the caller discards it)."""
        ...

    def put_bytes(self, data: bytes, key: str) -> bool: ...

    def local_path(self, key: str) -> Path:
        """Where the bytes for `key` live on this host (for serving with sendfile/pread)."""
        ...

    def exists(self, key: str) -> bool: ...

    def keep(self, key: str, incoming: Path) -> bool:
        """Once a row naming `key` has committed: make sure its file is in place, moving
        `incoming` (the same bytes) there if it is not; False if neither is there."""
        ...

    def withdraw(self, key: str) -> Path | None:
        """Move the file for `key` aside (out of every reader's reach); where it is now, or None
        if there was none."""
        ...

    def restore(self, aside: Path, key: str) -> None:
        """Put a withdrawn file back, unless its place was filled meanwhile (then drop it)."""
        ...

    def purge(self, aside: Path) -> None:
        """Remove a withdrawn file for good."""
        ...

    def set_aside(self) -> list[tuple[str, Path]]:
        """Withdrawn files still there (a crash between withdrawing and purging): (key, path)."""
        ...

    def discard(self, incoming: Path) -> None: ...

    def keys(self) -> Iterator[str]: ...

    def incoming_files(self) -> list[Path]: ...

    def stale_incoming(self, older_than_seconds: float, *, now: datetime) -> list[Path]: ...


@dataclass(frozen=True, slots=True)
class LocalMediaStore:
    root: Path

    @property
    def objects(self) -> Path:
        return self.root / "objects"

    @property
    def incoming(self) -> Path:
        return self.root / "incoming"

    @property
    def trash(self) -> Path:
        return self.root / "trash"

    def new_incoming(self) -> Path:
        self.incoming.mkdir(parents=True, exist_ok=True)
        path = self.incoming / f"{secrets.token_hex(16)}.part"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        return path

    def local_path(self, key: str) -> Path:
        if not is_valid_key(key):
            raise StorageError(f"not a storage key: {key!r}")
        return self.objects / key[:2] / key

    def commit(self, incoming: Path, key: str) -> bool:
        """fsync the file, rename it into place, then fsync the directory (loses no data)."""
        target = self.local_path(key)
        if target.exists():
            _renew(target)
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        fsync_file(incoming)
        os.replace(incoming, target)
        fsync_directory(target.parent)
        return True

    def put_bytes(self, data: bytes, key: str) -> bool:
        if self.exists(key):
            _renew(self.local_path(key))
            return False
        incoming = self.new_incoming()
        try:
            incoming.write_bytes(data)
            return self.commit(incoming, key)
        finally:
            self.discard(incoming)  # already stored meanwhile, or failed

    def exists(self, key: str) -> bool:
        return self.local_path(key).exists()

    def keep(self, key: str, incoming: Path) -> bool:
        if _can_open(self.local_path(key)):
            return True
        if not incoming.exists():
            return False
        self.commit(incoming, key)
        return True

    def withdraw(self, key: str) -> Path | None:
        path = self.local_path(key)
        self.trash.mkdir(parents=True, exist_ok=True)
        aside = self.trash / f"{secrets.token_hex(8)}-{key}"
        try:
            path.rename(aside)
        except FileNotFoundError:
            return None
        fsync_directory(path.parent)
        fsync_directory(self.trash)
        return aside

    def restore(self, aside: Path, key: str) -> None:
        self._check_aside(aside)
        target = self.local_path(key)
        if target.exists():  # the same bytes, uploaded again meanwhile
            self.purge(aside)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):  # put back already (by the sweeper)
            os.replace(aside, target)
            fsync_directory(target.parent)

    def purge(self, aside: Path) -> None:
        self._check_aside(aside)
        with contextlib.suppress(FileNotFoundError):
            aside.unlink()

    def set_aside(self) -> list[tuple[str, Path]]:
        if not self.trash.exists():
            return []
        found = []
        for path in sorted(self.trash.iterdir()):
            named = _ASIDE.match(path.name)
            if named is not None:
                found.append((named["key"], path))
        return found

    def _check_aside(self, aside: Path) -> None:
        if aside.parent != self.trash or not _ASIDE.match(aside.name):
            raise StorageError("refusing to touch a file outside the trash folder")

    def discard(self, incoming: Path) -> None:
        if incoming.parent != self.incoming:
            raise StorageError("refusing to delete a file outside the incoming folder")
        with contextlib.suppress(FileNotFoundError):
            incoming.unlink()

    def keys(self) -> Iterator[str]:
        if not self.objects.exists():
            return
        for path in self.objects.glob("??/*"):
            if is_valid_key(path.name):
                yield path.name

    def incoming_files(self) -> list[Path]:
        if not self.incoming.exists():
            return []
        return sorted(self.incoming.iterdir())

    def stale_incoming(self, older_than_seconds: float, *, now: datetime) -> list[Path]:
        cutoff = now.timestamp() - older_than_seconds
        stale = []
        for path in self.incoming_files():
            with contextlib.suppress(FileNotFoundError):  # finished or discarded meanwhile
                if path.stat().st_mtime < cutoff:
                    stale.append(path)
        return stale


def _can_open(path: Path) -> bool:
    """Whether the file is there, by opening it: on a folder shared over NFS, opening asks the
    server (close-to-open consistency) where `stat` may answer from the client's cache."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    os.close(fd)
    return True


def _renew(path: Path) -> None:
    """Mark a stored file as just written: reused by a new upload before its row exists, an
    old unreferenced file must not look old enough for the sweeper to delete it."""
    with contextlib.suppress(FileNotFoundError):
        os.utime(path)
