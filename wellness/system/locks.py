"""Locks for a read-then-write on state that several workers share (the sign-in throttle's
counts): one per process, one per host (a lock file), one across hosts (Redis).

Each is an async context manager factory: `async with lock(): ...`. A lock that cannot be had
within `wait_seconds` raises `LockUnavailable`, so a caller can refuse rather than act on
counts another worker is changing.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from pathlib import Path
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("wellness.locks")

WAIT_SECONDS = 5.0
# A holder that died is taken to have let go after this long (Redis only; the kernel lets go
# of a dead process's lock file at once).
HELD_AT_MOST_SECONDS = 10.0


class LockUnavailable(Exception):
    """The lock was not had in time, or its keeper (Redis) could not be reached."""


class SharedLock(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[None]: ...

    async def aclose(self) -> None: ...


class ProcessLock:
    """Enough where one process holds the state (memory stores, one worker)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        async with self._lock:
            yield

    async def aclose(self) -> None:
        return None


class _Queued:
    """The process's own lock first, waited for at most `wait_seconds`: tasks of one process
    queue here without asking anyone else, so at most one per process waits on the shared
    lock (the file, or Redis), however many requests want it."""

    def __init__(self, wait_seconds: float) -> None:
        self.wait_seconds = wait_seconds
        self._local = asyncio.Lock()

    @asynccontextmanager
    async def first(self, name: object) -> AsyncIterator[None]:
        try:
            async with asyncio.timeout(self.wait_seconds):
                await self._local.acquire()
        except TimeoutError:
            raise LockUnavailable(f"{name}: too many waiting in this worker") from None
        try:
            yield
        finally:
            self._local.release()


class FileLock:
    """The workers of one host sharing files: `flock` on a lock file, taken in a thread so the
    event loop never blocks (flock is per open file, so the process's own lock comes first)."""

    def __init__(self, path: Path, *, wait_seconds: float = WAIT_SECONDS) -> None:
        self.path = path
        self.wait_seconds = wait_seconds
        self._queue = _Queued(wait_seconds)
        self._fd: int | None = None

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        async with self._queue.first(self.path):
            fd = self._open()
            try:
                # Not asyncio.wait_for: a thread given up on could still take the lock later
                # and never let go. The thread keeps its own deadline instead.
                await asyncio.to_thread(_flock_within, fd, self.wait_seconds)
            except TimeoutError as error:
                raise LockUnavailable(f"{self.path}: {error}") from None
            except OSError as error:
                # A file system without flock: refusing every sign-in would lock everyone
                # out, so this worker goes on with its own lock (exact for one worker).
                log.warning("no lock file at %s, this worker's own lock only: %s", self.path, error)
                yield
                return
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def _open(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._fd

    async def aclose(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _flock_within(fd: int, seconds: float) -> None:
    """Take the lock, trying without blocking every few milliseconds for at most `seconds`: a
    blocking `flock` in a thread could not be given up when the wait is over."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise TimeoutError("held too long by another worker") from None
            time.sleep(0.002)


class RedisLock:
    """Every worker on every host sharing Redis: redis-py's lock (a key set if absent, with an
    expiry, released by a script that checks it is still ours), after the process's own lock,
    so Redis is polled by one task per worker, not by every waiting request: with 400 waiting
    requests polling it, four workers' sign-ins timed out by the hundred."""

    def __init__(self, client: Redis, name: str, *, wait_seconds: float = WAIT_SECONDS) -> None:
        self.client = client
        self.name = name
        self.wait_seconds = wait_seconds
        self._queue = _Queued(wait_seconds)

    @classmethod
    def from_url(cls, url: str, name: str) -> RedisLock:
        """A lock on its own connection, whose waits are bounded too: a Redis that does not
        answer makes the lock unavailable, rather than holding the caller until the operating
        system gives up on the connection."""
        client = Redis.from_url(
            url, socket_connect_timeout=WAIT_SECONDS, socket_timeout=WAIT_SECONDS
        )
        return cls(client, name)

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        async with self._queue.first(self.name):
            lock = self.client.lock(
                self.name,
                timeout=HELD_AT_MOST_SECONDS,
                sleep=0.002,
                blocking_timeout=self.wait_seconds,
            )
            try:
                acquired = await lock.acquire()
            except RedisError as error:
                raise LockUnavailable(f"{self.name}: {error}") from None
            if not acquired:
                raise LockUnavailable(f"{self.name}: held too long by another worker")
            try:
                yield
            finally:
                # Held past its expiry (another worker may hold it now, and that is theirs), or
                # Redis went away: either way the key expires on its own.
                with suppress(RedisError):
                    await lock.release()

    async def aclose(self) -> None:
        await self.client.aclose()
