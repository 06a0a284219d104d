"""Reading stored media: descriptors kept open between requests, and spans read with pread.

A player fetches one file in many small ranges, so opening the file for each would cost more
than reading it: `OpenFiles` keeps a few descriptors open, and a span is read with `os.pread`,
on the event loop when it is small (`SMALL_READ`) and in worker threads chunk by chunk when not.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from litestar.types import HTTPResponseBodyEvent, Receive, Send

# Spans up to this size are read in one pread on the event loop: from the page cache that takes
# microseconds, far less than handing the read to a worker thread (see the stack notes).
SMALL_READ = 256 * 1024
# Larger bodies go out in chunks of this size, each read in a worker thread so that a cold disk
# never stalls the event loop for other requests.
CHUNK = 1024 * 1024
OPEN_FILES_CAPACITY = 64


class MediaChanged(RuntimeError):
    """The stored file is shorter than it was when the response started (it should never change)."""


@dataclass(slots=True)
class _Handle:
    fd: int
    size: int
    borrowers: int = 0
    evicted: bool = False


class OpenFiles:
    """A few read-only descriptors kept open between requests, least recently used evicted first.

    Stored files never change (they are named by their content hash), so a descriptor stays
    valid for as long as it is open. A descriptor is closed only once no response is still
    reading from it: closing it under a streaming response could let a newly opened file reuse
    the number mid-stream.
    """

    def __init__(self, capacity: int = OPEN_FILES_CAPACITY) -> None:
        self.capacity = capacity
        self._handles: OrderedDict[Path, _Handle] = OrderedDict()

    def __len__(self) -> int:
        return len(self._handles)

    @contextlib.contextmanager
    def borrow(self, path: Path) -> Iterator[_Handle]:
        """The open file at `path` (FileNotFoundError if there is none)."""
        handle = self._recent(path)
        handle.borrowers += 1
        try:
            yield handle
        finally:
            handle.borrowers -= 1
            if handle.evicted and handle.borrowers == 0:
                os.close(handle.fd)

    def read(self, path: Path, offset: int, length: int) -> bytes:
        """`length` bytes at `offset`, read at once (no await: nothing can close the file)."""
        return read_exact(self._recent(path).fd, offset, length)

    def size_of(self, path: Path) -> int:
        with self.borrow(path) as handle:
            return handle.size

    def close_all(self) -> None:
        while self._handles:
            self._evict()

    def forget(self, path: Path) -> None:
        """Stop keeping `path` open (its file was deleted, so its disk space is freed): closed
        now, or when the last response still reading it ends."""
        handle = self._handles.pop(path, None)
        if handle is not None:
            handle.evicted = True
            if handle.borrowers == 0:
                os.close(handle.fd)

    def _recent(self, path: Path) -> _Handle:
        """The handle for `path`, opened if it is not open yet, and now the most recently used."""
        handle = self._handles.get(path)
        if handle is None:
            return self._open(path)
        self._handles.move_to_end(path)
        return handle

    def _open(self, path: Path) -> _Handle:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        handle = _Handle(fd=fd, size=os.fstat(fd).st_size)
        self._handles[path] = handle
        while len(self._handles) > self.capacity:
            self._evict()
        return handle

    def _evict(self) -> None:
        _, handle = self._handles.popitem(last=False)
        handle.evicted = True
        if handle.borrowers == 0:
            os.close(handle.fd)


# One set of open descriptors per worker process, shared by every request it serves.
OPEN_FILES = OpenFiles()


def read_exact(fd: int, offset: int, length: int) -> bytes:
    data = os.pread(fd, length, offset)
    if len(data) == length:
        return data
    parts = [data]
    done = len(data)
    while done < length:
        more = os.pread(fd, length - done, offset + done)
        if not more:
            raise MediaChanged(f"expected {length} bytes at {offset}, the file ended early")
        parts.append(more)
        done += len(more)
    return b"".join(parts)


async def send_span(send: Send, receive: Receive, fd: int, start: int, length: int) -> None:
    """Send `length` bytes from `start` as the response body, stopping if the client leaves."""
    if length <= SMALL_READ:
        body = read_exact(fd, start, length) if length else b""
        await send({"type": "http.response.body", "body": body, "more_body": False})
        return
    gone = asyncio.Event()
    watcher = asyncio.create_task(_watch_for_disconnect(receive, gone))
    try:
        offset, end = start, start + length
        while offset < end and not gone.is_set():
            size = min(CHUNK, end - offset)
            chunk = await asyncio.to_thread(read_exact, fd, offset, size)
            offset += size
            event: HTTPResponseBodyEvent = {
                "type": "http.response.body",
                "body": chunk,
                "more_body": offset < end,
            }
            await send(event)
    finally:
        watcher.cancel()


async def _watch_for_disconnect(receive: Receive, gone: asyncio.Event) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            gone.set()
            return
