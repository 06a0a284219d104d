"""HTTP range and conditional-request rules (RFC 9110 sections 13 and 14), as pure functions.

Litestar's File response ignores Range (see docs/stack notes), so media is served by our own
handler; these functions decide what it answers and are tested on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from wellness.lib.numbers import ascii_digits

MAX_RANGE_HEADER = 1000


@dataclass(frozen=True, slots=True)
class WholeBody:
    """Send the whole representation (no Range, an ignored Range, or a failed If-Range)."""


@dataclass(frozen=True, slots=True)
class ByteSlice:
    """Send bytes start..end inclusive, as a 206."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


@dataclass(frozen=True, slots=True)
class Unsatisfiable:
    """No requested range overlaps the representation: a 416 with `bytes */size`."""

    @staticmethod
    def content_range(size: int) -> str:
        return f"bytes */{size}"


RangeDecision = WholeBody | ByteSlice | Unsatisfiable


def parse_range(header: str | None, size: int) -> RangeDecision:
    """Decide how to answer a Range header for a representation of `size` bytes.

    Syntax we cannot read is ignored (the whole body is sent), as RFC 9110 allows. A set of
    several ranges is also answered with the whole body rather than multipart/byteranges:
    media players ask for one range at a time.
    """
    if header is None or len(header) > MAX_RANGE_HEADER:
        return WholeBody()
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or not spec.strip():
        return WholeBody()
    parts = [part.strip() for part in spec.split(",")]
    if len(parts) != 1:
        return WholeBody()
    return _single_range(parts[0], size)


def _position(text: str) -> int | None:
    # ASCII digits only (RFC 9110's DIGIT); the header's own length bounds the digit count.
    return ascii_digits(text, max_digits=MAX_RANGE_HEADER)


def _single_range(part: str, size: int) -> RangeDecision:
    first_text, dash, last_text = part.partition("-")
    first = _position(first_text) if first_text else None
    last = _position(last_text) if last_text else None
    if not dash or (first_text and first is None) or (last_text and last is None):
        return WholeBody()  # syntax we cannot read: ignore the header
    if first is None:
        if last is None:
            return WholeBody()
        if last == 0 or size == 0:
            return Unsatisfiable()
        return ByteSlice(max(0, size - last), size - 1)
    if last is not None and last < first:
        return WholeBody()  # an invalid range-spec: ignore the header
    if first >= size:
        return Unsatisfiable()
    end = size - 1 if last is None else min(last, size - 1)
    return ByteSlice(first, end)


def strong_etag(token: str) -> str:
    return f'"{token}"'


def http_date(moment: datetime) -> str:
    return format_datetime(moment.replace(microsecond=0), usegmt=True)


def _parse_http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None


def _etags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def not_modified(*, if_none_match: str | None, etag: str) -> bool:
    """If-None-Match uses weak comparison: W/"x" matches "x"."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == wanted for tag in _etags(if_none_match))


def if_range_allows(*, if_range: str | None, etag: str, last_modified: datetime) -> bool:
    """If-Range uses strong comparison: a weak validator never lets a range through."""
    if if_range is None:
        return True
    value = if_range.strip()
    if value.startswith('"') or value.startswith("W/"):
        return not value.startswith("W/") and value == etag
    moment = _parse_http_date(value)
    return moment is not None and int(moment.timestamp()) == int(last_modified.timestamp())


def decide(
    *,
    range_header: str | None,
    if_range: str | None,
    size: int,
    etag: str,
    last_modified: datetime,
) -> RangeDecision:
    if range_header is not None and not if_range_allows(
        if_range=if_range, etag=etag, last_modified=last_modified
    ):
        return WholeBody()
    return parse_range(range_header, size)
