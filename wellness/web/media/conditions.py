"""What a media request's headers make of the answer: byte ranges, validators and HEAD (RFC 9110).

Litestar's File response ignores Range (see the shared stack notes), so media is answered here.
`plan()` turns a request's headers into a status, headers and a byte span, using the pure rules
in `wellness.lib.http_ranges`. `quick_range()` recognises, with the least work, the one request
a player repeats (a plain range), whose answer `quick_range_headers()` gives without `plan()`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from litestar.types import HTTPScope

from wellness.lib.http_ranges import ByteSlice, Unsatisfiable, WholeBody, decide
from wellness.lib.http_ranges import not_modified as is_not_modified
from wellness.web.media.files import SMALL_READ
from wellness.web.media.representation import MediaFile, Securer


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
    if media.accel_headers is not None:
        return Plan(200, list(media.accel_headers))
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
    if scope["method"] != "GET" or media.accel_headers is not None:
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
