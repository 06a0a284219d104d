"""Stored media as HTTP responses: byte ranges, validators and HEAD (RFC 9110), read with pread.

Litestar's File response ignores Range (see the shared stack notes), so media is answered here.
`plan()` turns a request's headers into a status, headers and a byte span, using the pure rules
in `wellness.lib.http_ranges`; `send_span()` writes that span with `os.pread` from a descriptor
that `OpenFiles` keeps open between requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.response.base import ASGIResponse
from litestar.types import (
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    HTTPScope,
    Receive,
    Scope,
    Send,
)

from wellness.lib.http_ranges import ByteSlice, Unsatisfiable, WholeBody, decide, http_date
from wellness.lib.http_ranges import not_modified as is_not_modified

Headers = list[tuple[bytes, bytes]]
Securer = Callable[[Headers], Headers]

# The browser may keep a copy for this user only, and asks us (a cheap 304) before each reuse:
# replaying a session costs no download, and a withdrawn permission applies on the next play.
CACHE_CONTROL = "private, no-cache"
# Spans up to this size are read in one pread on the event loop: from the page cache that takes
# microseconds, far less than handing the read to a worker thread (see the stack notes).
SMALL_READ = 256 * 1024
# Larger bodies go out in chunks of this size, each read in a worker thread so that a cold disk
# never stalls the event loop for other requests.
CHUNK = 1024 * 1024
OPEN_FILES_CAPACITY = 64


class MediaChanged(RuntimeError):
    """The stored file is shorter than it was when the response started (it should never change)."""


class MediaFile:
    """What is served: where the bytes are, and the representation's metadata as header bytes.

    The headers are encoded once here, since one file is answered many times (see `grants`).
    """

    __slots__ = (
        "_accel",
        "_content",
        "_secured",
        "_validators",
        "etag",
        "last_modified",
        "path",
        "size",
    )

    def __init__(
        self,
        *,
        path: Path,
        size: int,
        mime_type: str,
        etag: str,
        last_modified: datetime,
        filename: str,
        cache_control: str = CACHE_CONTROL,
        accel_location: str | None = None,
    ) -> None:
        self.path = path
        self.size = size
        self.etag = etag
        self.last_modified = last_modified
        self._validators: list[tuple[bytes, bytes]] = [
            (b"etag", etag.encode("latin-1")),
            (b"last-modified", http_date(last_modified.astimezone(UTC)).encode("latin-1")),
            (b"cache-control", cache_control.encode("latin-1")),
            (b"accept-ranges", b"bytes"),
            (b"x-content-type-options", b"nosniff"),
        ]
        self._content: list[tuple[bytes, bytes]] = [
            (b"content-type", mime_type.encode("latin-1")),
            (b"content-disposition", f'inline; filename="{filename}"'.encode("latin-1")),
        ]
        self._accel: list[tuple[bytes, bytes]] | None = None
        self._secured: tuple[Securer, list[tuple[bytes, bytes]]] | None = None
        if accel_location is not None:
            self._accel = [
                *self._content,
                (b"cache-control", cache_control.encode("latin-1")),
                (b"x-content-type-options", b"nosniff"),
                (b"x-accel-redirect", accel_location.encode("latin-1")),
                (b"content-length", b"0"),
            ]

    def validators(self) -> list[tuple[bytes, bytes]]:
        return list(self._validators)

    def described_for_nginx(self, relative_path: str) -> dict[str, str]:
        """What nginx needs to send this file itself after an access check (auth_request).

        The file relative to the media folder, and the Content-Type and Content-Disposition
        this app would send; nginx adds the same Cache-Control and nosniff from its config.
        """
        content = dict(self._content)
        return {
            "x-media-path": relative_path,
            "x-media-type": content[b"content-type"].decode("latin-1"),
            "x-media-disposition": content[b"content-disposition"].decode("latin-1"),
        }

    def content_headers(self, length: int) -> list[tuple[bytes, bytes]]:
        return [*self._validators, *self._content, (b"content-length", b"%d" % length)]

    def secured_headers(self, secure: Securer) -> list[tuple[bytes, bytes]]:
        """content_headers() less the length, passed through `secure` once per MediaFile."""
        if self._secured is None or self._secured[0] is not secure:
            self._secured = (secure, secure([*self._validators, *self._content]))
        return self._secured[1]


@dataclass(frozen=True, slots=True)
class Conditions:
    """The request headers that decide the answer."""

    method: str
    range: str | None = None
    if_range: str | None = None
    if_none_match: str | None = None

    @classmethod
    def of(cls, scope: HTTPScope) -> Conditions:
        """Read straight from the ASGI scope (also used before Litestar has parsed anything)."""
        wanted: dict[bytes, str] = {}
        for name, value in scope["headers"]:
            if name in _CONDITION_HEADERS:
                wanted[name] = value.decode("latin-1")
        return cls(
            method=scope["method"],
            range=wanted.get(b"range"),
            if_range=wanted.get(b"if-range"),
            if_none_match=wanted.get(b"if-none-match"),
        )


_CONDITION_HEADERS = frozenset({b"range", b"if-range", b"if-none-match"})


@dataclass(frozen=True, slots=True)
class Plan:
    """The answer: status, headers, and the span of the file to send (length 0: no body)."""

    status: int
    headers: list[tuple[bytes, bytes]]
    start: int = 0
    length: int = 0


def plan(media: MediaFile, conditions: Conditions) -> Plan:
    """Decide the answer. If-None-Match comes before Range (RFC 9110 section 13.2.2).

    With an X-Accel-Redirect location, nginx sends the file and answers ranges and validators
    itself: the answer only tells it which file, with the headers it keeps from us.
    """
    if media._accel is not None:
        return Plan(200, list(media._accel))
    if conditions.if_none_match is not None and is_not_modified(
        if_none_match=conditions.if_none_match, etag=media.etag
    ):
        return Plan(304, media.validators())
    if conditions.method == "HEAD":
        # Range is defined for GET only; HEAD describes the whole representation.
        return Plan(200, media.content_headers(media.size))
    if conditions.range is None:
        return Plan(200, media.content_headers(media.size), 0, media.size)
    decision = decide(
        range_header=conditions.range,
        if_range=conditions.if_range,
        size=media.size,
        etag=media.etag,
        last_modified=media.last_modified,
    )
    if isinstance(decision, ByteSlice):
        headers = media.content_headers(decision.length)
        headers.append((b"content-range", decision.content_range(media.size).encode()))
        return Plan(206, headers, decision.start, decision.length)
    if isinstance(decision, Unsatisfiable):
        headers = media.validators()
        headers.append((b"content-range", decision.content_range(media.size).encode()))
        headers.append((b"content-length", b"0"))
        return Plan(416, headers)
    assert isinstance(decision, WholeBody)
    return Plan(200, media.content_headers(media.size), 0, media.size)


_PLAIN_RANGE = re.compile(rb"bytes=([0-9]{1,18})-([0-9]{0,18})")


def quick_range(media: MediaFile, scope: HTTPScope) -> tuple[int, int] | None:
    """(start, length) when plan() would answer 206 with that span of at most SMALL_READ bytes.

    The one request a player repeats: a GET with a single `bytes=first-[last]` range, inside
    the file, and no If-Range or If-None-Match. Anything else is None, for plan() to decide.
    Scanning the headers once and one regex cost a fraction of plan() on this hot path.
    """
    if scope["method"] != "GET" or media._accel is not None:
        return None
    wanted = None
    for name, value in scope["headers"]:
        if name == b"range":
            wanted = value
        elif name == b"if-range" or name == b"if-none-match":
            return None
    match = _PLAIN_RANGE.fullmatch(wanted) if wanted is not None else None
    if match is None:
        return None
    first, last = match.groups()
    start = int(first)
    end = media.size - 1 if not last else min(int(last), media.size - 1)
    if start >= media.size or end < start:  # a 416, or an invalid range plan() ignores
        return None
    length = end - start + 1
    return (start, length) if length <= SMALL_READ else None


def quick_range_headers(
    media: MediaFile, secure: Securer, start: int, length: int
) -> list[tuple[bytes, bytes]]:
    """The headers plan() and `secure` give a quick_range() answer, from a per-file prefix."""
    return [
        *media.secured_headers(secure),
        (b"content-length", b"%d" % length),
        (b"content-range", b"bytes %d-%d/%d" % (start, start + length - 1, media.size)),
    ]


# --- open file descriptors ----------------------------------------------------------------


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
        handle = self._handles.get(path)
        if handle is None:
            handle = self._open(path)
        else:
            self._handles.move_to_end(path)
        handle.borrowers += 1
        try:
            yield handle
        finally:
            handle.borrowers -= 1
            if handle.evicted and handle.borrowers == 0:
                os.close(handle.fd)

    def read(self, path: Path, offset: int, length: int) -> bytes:
        """`length` bytes at `offset`, read at once (no await: nothing can close the file)."""
        handle = self._handles.get(path)
        if handle is None:
            handle = self._open(path)
        else:
            self._handles.move_to_end(path)
        return read_exact(handle.fd, offset, length)

    def size_of(self, path: Path) -> int:
        with self.borrow(path) as handle:
            return handle.size

    def close_all(self) -> None:
        while self._handles:
            self._evict()

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


# --- sending -----------------------------------------------------------------------------


async def send_planned(
    answer: Plan,
    files: OpenFiles,
    path: Path,
    send: Send,
    receive: Receive,
    extra_headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Send a planned answer; the file is borrowed (kept open) until its last byte is sent."""
    headers = answer.headers if not extra_headers else [*answer.headers, *extra_headers]
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": answer.status,
        "headers": headers,
    }
    if answer.length == 0:
        await send(start)
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    with files.borrow(path) as handle:
        await send(start)
        await send_span(send, receive, handle.fd, answer.start, answer.length)


class _RangedASGIResponse(ASGIResponse):
    __slots__ = ("answer", "files", "path")

    def __init__(self, answer: Plan, path: Path, files: OpenFiles, cookies: list[Cookie]) -> None:
        # The body and its headers are ours: tell the base class there is none to describe.
        super().__init__(cookies=cookies, status_code=answer.status, is_head_response=True)
        self.answer = answer
        self.files = files
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        extra = self.encode_headers()
        await send_planned(self.answer, self.files, self.path, send, receive, extra)
        await self.after_response()


class RangedFileResponse(Response[None]):
    """A Litestar response for one stored file, answering the request's range and validators."""

    def __init__(self, media: MediaFile, conditions: Conditions, files: OpenFiles) -> None:
        super().__init__(None)
        self.answer = plan(media, conditions)
        self.path = media.path
        self.files = files

    def to_asgi_response(
        self,
        app: Any,
        request: Request[Any, Any, Any],
        *,
        cookies: Any = None,
        **_: Any,
    ) -> ASGIResponse:
        every_cookie = [*self.cookies, *(cookies or [])]
        return _RangedASGIResponse(self.answer, self.path, self.files, every_cookie)
