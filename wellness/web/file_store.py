"""Litestar's file store, reading on the event loop.

A session record is read on every signed-in request. Litestar's `FileStore` reads it in a
worker thread; the file is a few hundred bytes that the page cache holds, so the thread hop
costs far more than the read (a tenth of the signed-in floor's CPU time in
bench/dashboard.py). Writes, which are rare and end in a rename, stay in the thread.
"""

from __future__ import annotations

import os
from pathlib import Path

from litestar.stores.base import StorageObject
from litestar.stores.file import FileStore


class LocalFileStore(FileStore):
    """A `FileStore` whose reads do not leave the event loop; for a local disk only."""

    @staticmethod
    async def _load_from_path(path: os.PathLike[str]) -> StorageObject | None:
        try:
            # On purpose: a few hundred bytes from the page cache (see the module's docstring).
            data = Path(path).read_bytes()  # noqa: ASYNC240
        except FileNotFoundError:
            return None
        return StorageObject.from_bytes(data)
