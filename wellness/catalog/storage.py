"""Content-addressed media storage.

Files are named by their SHA-256, so identical uploads are stored once and a name can never come
from a client. The interface is small so an object store can replace the local folder later.
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
        """Durably move an incoming file to `key`; False if that content was already stored."""
        ...

    def put_bytes(self, data: bytes, key: str) -> bool: ...

    def local_path(self, key: str) -> Path:
        """Where the bytes for `key` live on this host (for serving with sendfile/pread)."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def discard(self, incoming: Path) -> None: ...

    def keys(self) -> Iterator[str]: ...

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
            self.discard(incoming)
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
        except BaseException:
            self.discard(incoming)
            raise

    def exists(self, key: str) -> bool:
        return self.local_path(key).exists()

    def delete(self, key: str) -> None:
        path = self.local_path(key)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            fsync_directory(path.parent)

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

    def stale_incoming(self, older_than_seconds: float, *, now: datetime) -> list[Path]:
        if not self.incoming.exists():
            return []
        cutoff = now.timestamp() - older_than_seconds
        return [path for path in self.incoming.iterdir() if path.stat().st_mtime < cutoff]


def _renew(path: Path) -> None:
    """Mark a stored file as just written: reused by a new upload before its row exists, an
    old unreferenced file must not look old enough for the sweeper to delete it."""
    with contextlib.suppress(FileNotFoundError):
        os.utime(path)
