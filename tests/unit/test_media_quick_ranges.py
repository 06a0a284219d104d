"""The quick answer to a player's plain range request is exactly the answer plan() gives."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from wellness.web.media.conditions import Conditions, plan, quick_range, quick_range_headers
from wellness.web.media.files import SMALL_READ
from wellness.web.media.representation import MediaFile
from wellness.web.security import header_securer

SIZE = 1_000_000
SECURE = header_securer(production=True)


def media(accel: str | None = None) -> MediaFile:
    return MediaFile(
        path=Path("/nonexistent/file.wav"),
        size=SIZE,
        mime_type="audio/wav",
        etag='"abc"',
        last_modified=datetime(2026, 11, 24, 12, 0, tzinfo=UTC),
        filename="session-1.wav",
        accel_location=accel,
    )


def scope(*headers: tuple[bytes, bytes], method: str = "GET") -> Any:
    return {"type": "http", "method": method, "path": "/media/1", "headers": list(headers)}


PLAIN = [
    b"bytes=0-65535",
    b"bytes=0-0",
    b"bytes=934464-",
    b"bytes=999999-999999",
    b"bytes=990000-2000000",
    b"bytes=500000-" + str(500000 + SMALL_READ - 1).encode(),
]


@pytest.mark.parametrize("header", PLAIN)
def test_a_plain_range_gets_the_same_206_as_from_plan(header: bytes) -> None:
    request = scope((b"cookie", b"s=1"), (b"range", header))
    quick = quick_range(media(), request)
    assert quick is not None
    start, length = quick
    expected = plan(media(), Conditions.of(request))
    assert (expected.status, expected.start, expected.length) == (206, start, length)
    headers = quick_range_headers(media(), SECURE, start, length)
    assert sorted(headers) == sorted(SECURE(expected.headers))


@pytest.mark.parametrize(
    "headers",
    [
        [],
        [(b"range", b"bytes=-500")],  # suffix
        [(b"range", b"bytes=0-1,5-9")],  # several ranges
        [(b"range", b"Bytes=0-9")],  # legal, but left to the general rules
        [(b"range", b"bytes= 0-9")],
        [(b"range", b"bytes=9-0")],  # invalid: the whole body
        [(b"range", b"bytes=1000000-")],  # unsatisfiable: 416
        [(b"range", b"bytes=0-")],  # more than one small read
        [(b"range", b"bytes=0-9"), (b"if-range", b'"abc"')],
        [(b"range", b"bytes=0-9"), (b"if-none-match", b'"abc"')],
        [(b"range", b"bytes=" + b"1" * 19 + b"-")],
    ],
)
def test_anything_else_is_left_to_plan(headers: list[tuple[bytes, bytes]]) -> None:
    assert quick_range(media(), scope(*headers)) is None


def test_head_and_accel_redirects_are_left_to_plan() -> None:
    assert quick_range(media(), scope((b"range", b"bytes=0-9"), method="HEAD")) is None
    assert quick_range(media("/_media/x.wav"), scope((b"range", b"bytes=0-9"))) is None


def test_the_last_range_header_counts_as_in_plan() -> None:
    request = scope((b"range", b"bytes=0-9"), (b"range", b"bytes=10-19"))
    assert quick_range(media(), request) == (10, 10)
    assert plan(media(), Conditions.of(request)).start == 10
