"""Validate an uploaded media file and read its metadata.

`inspect_media(path)` returns a `MediaInfo` or raises `MediaRejected`, never anything else,
whatever the bytes (a path that can't be opened or read still raises `OSError`: that is
about the disk, not the upload). The steps, in order:

1. Sniff the container from the first bytes (`sniffing.sniff`); names and Content-Types
   are never consulted.
2. The container's inspector (`formats/<container>.py`) checks its structure against the
   bytes actually present. mutagen reads lengths from headers, so a half-uploaded file looks
   whole to it; these checks catch truncation and run before mutagen, so a damaged file
   never sends mutagen on a slow search.
3. The inspector then parses with the mutagen class for the container, from the open file
   object, and reads tags and a cover picture.
4. Check the duration.

Memory stays flat: only heads, tails, headers and (for MP4) the moov index are read; mutagen
reads the tags. Tags or indexes above `MAX_METADATA_BYTES` (`formats/common.py`) are refused
rather than loaded.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from wellness.catalog.formats import registry
from wellness.catalog.formats.common import (
    HEAD_SIZE,
    PARSE_ERRORS,
    CoverArt,
    FormatSpec,
    MediaRejected,
    Parsed,
    Reader,
    RejectionCode,
    Verdict,
    id3v2_total,
    truncated,
    unparseable,
)
from wellness.catalog.formats.mp3 import MP3
from wellness.catalog.sniffing import sniff

__all__ = ["CoverArt", "MediaInfo", "MediaRejected", "RejectionCode", "inspect_media"]


@dataclass(frozen=True, slots=True)
class MediaInfo:
    container: str
    mime_type: str
    extension: str
    codec: str
    has_video: bool
    duration_seconds: float
    bitrate: int | None
    sample_rate: int | None
    channels: int | None
    title: str
    artist: str
    album: str
    comment: str
    cover: CoverArt | None


def inspect_media(path: Path, *, max_duration_seconds: float = 6 * 3600) -> MediaInfo:
    """Validate the file at `path` and read its metadata, or raise `MediaRejected`."""
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            raise MediaRejected(
                "empty", "The file is empty (0 bytes); the upload may have failed, so try again."
            )
        reader = Reader(handle, size)
        head = reader.read_at(0, HEAD_SIZE)
        sniffed = sniff(head)
        spec = registry.spec_for(sniffed.container or "")
        if sniffed.verdict is Verdict.NOT_MEDIA:
            raise MediaRejected(
                "not_media",
                f"This is {sniffed.description}, not audio or video; "
                f"upload an {registry.supported()} file.",
            )
        if sniffed.verdict is not Verdict.MEDIA or spec is None:
            raise MediaRejected(
                "unsupported_container",
                f"This is {sniffed.description}, which isn't supported; "
                f"export it as {registry.supported()}.",
            )
        try:
            spec = _spec_after_id3(reader, head, spec)
            parsed = spec.inspect(reader)
        except MediaRejected:
            raise
        except PARSE_ERRORS as exc:
            raise unparseable(spec, "its contents can't be read") from exc
    return _finish(parsed, max_duration_seconds, size)


def _spec_after_id3(reader: Reader, head: bytes, spec: FormatSpec) -> FormatSpec:
    """An ID3v2 tag can precede MP3 or FLAC audio; look past it, however large it is."""
    tag = id3v2_total(reader, head)
    if not tag:
        return spec
    if tag >= reader.size:
        raise truncated(MP3, "the file ends inside its ID3 tag")
    after = registry.spec_for(sniff(reader.read_at(tag, HEAD_SIZE).lstrip(b"\x00")).container or "")
    return after if after is not None and after.after_id3 else MP3


# What browsers play: up to 7.1 sound, sampled from telephone quality to studio masters.
MAX_CHANNELS = 8
SAMPLE_RATES = range(8_000, 384_001)
# Below this a file cannot hold the length its headers claim (Opus speech needs 6 kbit/s; long
# silences in a meditation bring an average down, not below this): the headers are wrong. Only
# a claim of a minute or more is weighed: a short clip's container overhead is most of it.
MIN_BITS_PER_SECOND = 1_000
WEIGHED_FROM_SECONDS = 60


def _check_stream(parsed: Parsed, size: int) -> None:
    """Refuse numbers no playable file has: fuzzed headers gave 9,473 channels, 1 Hz, and 290
    bytes said to last 14 minutes, which played as nothing."""
    noun = parsed.spec.noun
    if parsed.channels is not None and parsed.channels <= 0:
        raise unparseable(parsed.spec, "its headers give it no sound channels")
    if parsed.channels is not None and parsed.channels > MAX_CHANNELS:
        raise MediaRejected(
            "unsupported_codec",
            f"This {noun} has {parsed.channels} sound channels; browsers play up to "
            f"{MAX_CHANNELS}. Export it as stereo or mono.",
        )
    if parsed.sample_rate and parsed.sample_rate not in SAMPLE_RATES:
        raise MediaRejected(
            "unsupported_codec",
            f"This {noun}'s sound is sampled at {parsed.sample_rate:,} Hz; browsers play "
            f"{SAMPLE_RATES.start:,} to {SAMPLE_RATES.stop - 1:,} Hz. Export it at 44,100 or "
            "48,000 Hz.",
        )
    if parsed.duration >= WEIGHED_FROM_SECONDS and size * 8 / parsed.duration < MIN_BITS_PER_SECOND:
        raise MediaRejected(
            "bad_duration",
            f"This {noun} says it lasts {_hours(parsed.duration)} but holds only {size:,} "
            "bytes, too little for that length: its headers are wrong. Export it again.",
        )


def _finish(parsed: Parsed, max_duration: float, size: int) -> MediaInfo:
    duration = parsed.duration
    if not math.isfinite(duration) or duration <= 0:
        given = "0 seconds or less" if math.isfinite(duration) else "no valid number"
        raise MediaRejected(
            "bad_duration",
            f"This {parsed.spec.noun} has no playable length "
            f"(its headers give {given}); export it again.",
        )
    if duration > max_duration:
        raise MediaRejected(
            "bad_duration",
            f"This file says it lasts {_hours(duration)}, longer than the "
            f"{_hours(max_duration)} limit; split it or check the export.",
        )
    _check_stream(parsed, size)
    return MediaInfo(
        container=parsed.spec.container,
        mime_type=parsed.spec.mime_type,
        extension=parsed.spec.extension,
        codec=parsed.codec,
        has_video=parsed.has_video,
        duration_seconds=duration,
        bitrate=parsed.bitrate if parsed.bitrate and parsed.bitrate > 0 else None,
        sample_rate=parsed.sample_rate or None,
        channels=parsed.channels or None,
        title=parsed.tags.title,
        artist=parsed.tags.artist,
        album=parsed.tags.album,
        comment=parsed.tags.comment,
        cover=parsed.cover,
    )


def _hours(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hours"
    minutes = round(seconds / 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
