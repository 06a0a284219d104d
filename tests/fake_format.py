"""A made-up container, "test tone", for proving that one registry line is all a format needs.

Its files are `TTN1`, the length in milliseconds (4 bytes, big-endian), then anything.
`registered(monkeypatch)` adds it to the formats registry for one test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wellness.catalog.formats import registry
from wellness.catalog.formats.common import FormatSpec, Parsed, Reader, Sniffed, truncated


def _sniff(head: bytes) -> Sniffed | None:
    return TEST_TONE.sniffed() if head.startswith(b"TTN1") else None


def _inspect(reader: Reader) -> Parsed:
    header = reader.read_at(0, 8)
    if len(header) < 8:
        raise truncated(TEST_TONE, "it ends inside its header")
    milliseconds = int.from_bytes(header[4:8], "big")
    return Parsed(
        spec=TEST_TONE,
        codec="tone",
        duration=milliseconds / 1000,
        bitrate=None,
        sample_rate=8000,
        channels=1,
    )


TEST_TONE = FormatSpec(
    container="test_tone",
    mime_type="audio/x-test-tone",
    extension="ttn",
    label="Test tone",
    name="TTN",
    description="a test tone file",
    picker=(".ttn",),
    sniff=_sniff,
    inspect=_inspect,
)


def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """One line, as in wellness/catalog/formats/registry.py: the spec joins FORMATS."""
    monkeypatch.setattr(registry, "FORMATS", (*registry.FORMATS, TEST_TONE))


def make_test_tone(directory: Path, seconds: float = 3.0, *, name: str = "tone.ttn") -> Path:
    path = directory / name
    path.write_bytes(b"TTN1" + round(seconds * 1000).to_bytes(4, "big") + b"\x00" * 64)
    return path
