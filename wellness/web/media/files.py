"""Reading stored media: descriptors kept open between requests, and spans read with pread.

A player fetches one file in many small ranges, so opening the file for each would cost more
than reading it: `OpenFiles` keeps a few descriptors open, and a span is read with `os.pread`,
on the event loop when it is small (`SMALL_READ`) and in worker threads chunk by chunk when not.

A file deleted by another worker stays readable through this worker's open descriptor, and its
disk space stays taken, for as long as the descriptor is open: only the deleting worker closes
its own (`forget`). So every `CHECK_SECONDS` (on use, and from the worker's own timer, so that
a worker serving no media lets go too) descriptors unused for `IDLE_SECONDS`, and those whose
path no longer names their file (deleted, or replaced by another copy), are closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar.types import HTTPResponseBodyEvent, Receive, Send

# Spans up to this size are read in one pread on the event loop: from the page cache that takes
# microseconds, far less than handing the read to a worker thread (see the stack notes).
SMALL_READ = 256 * 1024
# Larger bodies go out in chunks of this size, each read in a worker thread so that a cold disk
# never stalls the event loop for other requests.
CHUNK = 1024 * 1024
OPEN_FILES_CAPACITY = 64
# A descriptor unused this long is closed: a player paused longer opens its file once again.
IDLE_SECONDS = 30.0
# How often the descriptors are looked over for idle and deleted files (at most 64 `stat`s).
CHECK_SECONDS = 5.0


class MediaChanged(RuntimeError):
    """The stored file is shorter than it was when the response started (it should never change)."""


@dataclass(slots=True)
class _Handle:
    fd: int
    size: int
    file: tuple[int, int]  # (device, inode): which file the descriptor reads
    used: float  # the monotonic time it was last asked for
    borrowers: int = 0
    evicted: bool = False


class OpenFiles:
    """A few read-only descriptors kept open between requests, least recently used evicted first.

    Stored files never change (they are named by their content hash), so a descriptor stays
    valid for as long as it is open. A descriptor is closed only once no response is still
    reading from it: closing it under a streaming response could let a newly opened file reuse
    the number mid-stream. Idle descriptors, and those of files deleted meanwhile, are closed
    by `prune` (see the module's docstring).
    """

    def __init__(
        self,
        capacity: int = OPEN_FILES_CAPACITY,
        *,
        idle_seconds: float = IDLE_SECONDS,
        check_seconds: float = CHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.idle_seconds = idle_seconds
        self.check_seconds = check_seconds
        self.clock = clock
        self._handles: OrderedDict[Path, _Handle] = OrderedDict()
        self._next_check = clock() + check_seconds

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
            _let_go(handle)

    def prune(self) -> list[Path]:
        """Stop keeping open the files unused for `idle_seconds` and those whose path no longer
        names the file the descriptor reads (deleted or replaced, by any worker); their paths."""
        now = self.clock()
        self._next_check = now + self.check_seconds
        stale = [
            path
            for path, handle in self._handles.items()
            if now - handle.used >= self.idle_seconds or _identity(path) != handle.file
        ]
        for path in stale:
            self.forget(path)
        return stale

    def _recent(self, path: Path) -> _Handle:
        """The handle for `path`, opened if it is not open yet, and now the most recently used."""
        now = self.clock()
        if now >= self._next_check:
            self.prune()
        handle = self._handles.get(path)
        if handle is None:
            return self._open(path, now)
        handle.used = now
        self._handles.move_to_end(path)
        return handle

    def _open(self, path: Path, now: float) -> _Handle:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        facts = os.fstat(fd)
        handle = _Handle(fd, facts.st_size, (facts.st_dev, facts.st_ino), now)
        self._handles[path] = handle
        while len(self._handles) > self.capacity:
            self._evict()
        return handle

    def _evict(self) -> None:
        _, handle = self._handles.popitem(last=False)
        _let_go(handle)


def _let_go(handle: _Handle) -> None:
    """Closed now, or by the last response still reading it."""
    handle.evicted = True
    if handle.borrowers == 0:
        os.close(handle.fd)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        facts = os.stat(path)
    except FileNotFoundError:
        return None
    return (facts.st_dev, facts.st_ino)


@contextlib.asynccontextmanager
async def pruning_open_files(_app: Any) -> AsyncIterator[None]:
    """A lifespan: the worker's own timer for `OPEN_FILES.prune`, so that a worker that serves
    no media meanwhile still lets go of files another worker deleted."""
    task = asyncio.create_task(_prune_every(OPEN_FILES))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _prune_every(files: OpenFiles) -> None:
    while True:
        await asyncio.sleep(files.check_seconds)
        files.prune()


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
