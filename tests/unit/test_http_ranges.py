from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wellness.lib.http_ranges import (
    ByteSlice,
    Unsatisfiable,
    WholeBody,
    decide,
    http_date,
    if_range_allows,
    not_modified,
    parse_range,
)

SIZE = 1000
ETAG = '"abc123"'
MODIFIED = datetime(2026, 11, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", ByteSlice(0, 99)),
        ("bytes=500-", ByteSlice(500, 999)),
        ("bytes=-100", ByteSlice(900, 999)),
        ("bytes=-5000", ByteSlice(0, 999)),
        ("bytes=990-5000", ByteSlice(990, 999)),
        ("bytes=999-999", ByteSlice(999, 999)),
        ("BYTES = 0-0", ByteSlice(0, 0)),
        ("bytes=1000-", Unsatisfiable()),
        ("bytes=5000-6000", Unsatisfiable()),
        ("bytes=-0", Unsatisfiable()),
        (None, WholeBody()),
        ("", WholeBody()),
        ("items=0-5", WholeBody()),
        ("bytes=", WholeBody()),
        ("bytes=abc", WholeBody()),
        ("bytes=5-1", WholeBody()),
        ("bytes=-", WholeBody()),
        ("bytes=0-1,5-6", WholeBody()),
        ("bytes=0x10-20", WholeBody()),
        # Digits of other scripts are not RFC 9110 DIGITs (and int() refuses superscripts).
        ("bytes=\u00b2-5", WholeBody()),
        ("bytes=0-\u00b9", WholeBody()),
        ("bytes=\u0669-", WholeBody()),
        ("bytes=-\uff19", WholeBody()),
        ("bytes=0-" + "9" * 990, ByteSlice(0, 999)),
        ("bytes=" + "1" * 2000 + "-", WholeBody()),
    ],
)
def test_range_headers_are_read_as_rfc_9110_says(header: str | None, expected: object) -> None:
    assert parse_range(header, SIZE) == expected


def test_an_empty_file_satisfies_no_range() -> None:
    assert parse_range("bytes=0-", 0) == Unsatisfiable()
    assert parse_range("bytes=-1", 0) == Unsatisfiable()
    assert Unsatisfiable.content_range(0) == "bytes */0"


def test_a_slice_describes_itself() -> None:
    piece = ByteSlice(10, 19)
    assert piece.length == 10
    assert piece.content_range(100) == "bytes 10-19/100"


@given(
    size=st.integers(0, 10**12),
    first=st.integers(0, 10**12),
    last=st.none() | st.integers(0, 10**12),
)
def test_a_satisfiable_range_always_lies_inside_the_file(
    size: int, first: int, last: int | None
) -> None:
    header = f"bytes={first}-{'' if last is None else last}"
    decision = parse_range(header, size)
    if isinstance(decision, ByteSlice):
        assert 0 <= decision.start <= decision.end < size
        assert decision.start == first
        assert decision.end == (size - 1 if last is None else min(last, size - 1))
    elif isinstance(decision, Unsatisfiable):
        assert first >= size
    else:
        assert last is not None
        assert last < first


@given(size=st.integers(1, 10**12), suffix=st.integers(1, 10**13))
def test_a_suffix_range_returns_the_last_bytes(size: int, suffix: int) -> None:
    decision = parse_range(f"bytes=-{suffix}", size)
    assert isinstance(decision, ByteSlice)
    assert decision.end == size - 1
    assert decision.length == min(suffix, size)


@given(st.text(max_size=60))
def test_no_header_text_makes_the_parser_fail(header: str) -> None:
    assert isinstance(parse_range(header, SIZE), WholeBody | ByteSlice | Unsatisfiable)


def test_if_none_match_uses_weak_comparison() -> None:
    assert not_modified(if_none_match=ETAG, etag=ETAG)
    assert not_modified(if_none_match='W/"abc123"', etag=ETAG)
    assert not_modified(if_none_match='"other", "abc123"', etag=ETAG)
    assert not_modified(if_none_match="*", etag=ETAG)
    assert not not_modified(if_none_match='"other"', etag=ETAG)
    assert not not_modified(if_none_match=None, etag=ETAG)


def test_if_range_uses_strong_comparison_and_exact_dates() -> None:
    assert if_range_allows(if_range=None, etag=ETAG, last_modified=MODIFIED)
    assert if_range_allows(if_range=ETAG, etag=ETAG, last_modified=MODIFIED)
    assert not if_range_allows(if_range='W/"abc123"', etag=ETAG, last_modified=MODIFIED)
    assert not if_range_allows(if_range='"stale"', etag=ETAG, last_modified=MODIFIED)
    assert if_range_allows(if_range=http_date(MODIFIED), etag=ETAG, last_modified=MODIFIED)
    earlier = http_date(MODIFIED - timedelta(seconds=1))
    assert not if_range_allows(if_range=earlier, etag=ETAG, last_modified=MODIFIED)
    assert not if_range_allows(if_range="not a date", etag=ETAG, last_modified=MODIFIED)


def test_a_failed_if_range_sends_the_whole_body() -> None:
    kwargs = {"size": SIZE, "etag": ETAG, "last_modified": MODIFIED}
    assert decide(range_header="bytes=0-9", if_range='"stale"', **kwargs) == WholeBody()  # type: ignore[arg-type]
    assert decide(range_header="bytes=0-9", if_range=ETAG, **kwargs) == ByteSlice(0, 9)  # type: ignore[arg-type]


def test_http_dates_are_imf_fixdate() -> None:
    assert http_date(MODIFIED) == "Sun, 01 Nov 2026 12:00:00 GMT"
