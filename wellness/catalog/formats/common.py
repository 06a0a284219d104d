"""What every container module shares: the `FormatSpec` it declares, the sniffing verdict,
positioned reads, the parsed result, the rejections and the tags found in front of or behind
the audio (ID3v2, ID3v1, APEv2, Lyrics3). Standard library only, but for mutagen's error.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any, BinaryIO, Final, Literal

from mutagen import MutagenError

HEAD_SIZE: Final = 8192
MAX_METADATA_BYTES: Final = 32 * 1024 * 1024
MAX_CHUNKS: Final = 4096  # RIFF chunks, FLAC metadata blocks
MAX_BOXES: Final = 100_000  # MP4 boxes, Ogg header pages

RejectionCode = Literal[
    "empty",
    "not_media",
    "unsupported_container",
    "unsupported_codec",
    "unparseable",
    "truncated",
    "no_audio",
    "bad_duration",
]


class Verdict(StrEnum):
    EMPTY = "empty"
    MEDIA = "media"
    UNSUPPORTED = "unsupported"
    NOT_MEDIA = "not_media"


@dataclass(frozen=True, slots=True)
class Sniffed:
    verdict: Verdict
    description: str  # for messages: "an MP3 file", "a WebM/Matroska file", "a PNG image"
    container: str | None = None  # set when verdict is MEDIA


class SniffStage(IntEnum):
    """When a container's sniffer runs; within a stage, registry order."""

    SIGNATURE = 0  # a fixed signature at byte 0 (fLaC, RIFF, OggS): these never overlap
    BOX = 1  # a signature after a size field (ISO base media `ftyp` at byte 4)
    STREAM = 2  # headerless frames found by their sync code: last, after every signature


Sniffer = Callable[[bytes], Sniffed | None]
Inspector = Callable[["Reader"], "Parsed"]


@dataclass(frozen=True, slots=True)
class FormatSpec:
    """One container the library accepts. Specs of one family (Ogg Vorbis and Opus, M4A and
    MP4) share their sniffer and inspector, which tell the members apart."""

    container: str  # stored on the asset: "ogg_opus"
    mime_type: str  # served as: "audio/ogg"
    label: str  # shown in the library and the upload list: "Ogg Vorbis"
    description: str  # in messages: "an Opus file"
    sniff: Sniffer  # recognises the family from the head of a file, None if not its bytes
    inspect: Inspector  # checks structure against the bytes present, then reads metadata
    extension: str = ""  # stored file's extension: "opus"; the container when left out
    name: str = ""  # in "MP3, M4A, Ogg, ... or MP4": "Ogg"; the label when left out
    picker: tuple[str, ...] = ()  # the file picker's `accept` entries; (".extension",) if left out
    stage: SniffStage = SniffStage.SIGNATURE
    after_id3: bool = False  # may follow an ID3v2 tag at the start of the file

    def __post_init__(self) -> None:
        # Frozen: fill the defaults that derive from other fields the way the dataclass would.
        extension = self.extension or self.container
        object.__setattr__(self, "extension", extension)
        object.__setattr__(self, "name", self.name or self.label)
        object.__setattr__(self, "picker", self.picker or (f".{extension}",))

    @property
    def noun(self) -> str:
        """The description without its article: "Opus file"."""
        return self.description.split(" ", 1)[1]

    def sniffed(self, description: str = "") -> Sniffed:
        return Sniffed(Verdict.MEDIA, description or self.description, self.container)


# -- results and rejections ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CoverArt:
    data: bytes
    mime_type: str  # "image/jpeg" or "image/png", sniffed from the bytes
    extension: str  # "jpg" or "png"


@dataclass(slots=True)
class Tags:
    title: str = ""
    artist: str = ""
    album: str = ""
    comment: str = ""

    def fill_from(self, other: Tags) -> None:
        self.title = self.title or other.title
        self.artist = self.artist or other.artist
        self.album = self.album or other.album
        self.comment = self.comment or other.comment


@dataclass(slots=True)
class Parsed:
    spec: FormatSpec  # the container decided by the inspector (an MP4 without video is M4A)
    codec: str
    duration: float
    bitrate: int | None
    sample_rate: int | None
    channels: int | None
    has_video: bool = False
    tags: Tags = field(default_factory=Tags)
    cover: CoverArt | None = None


def from_info(
    spec: FormatSpec,
    codec: str,
    info: Any,
    tags: Tags,
    cover: CoverArt | None,
    *,
    duration: float | None = None,
    bitrate: int | None = None,
    sample_rate: int | None = None,
    has_video: bool = False,
) -> Parsed:
    """A `Parsed` from mutagen's stream `info` (length, bitrate, sample rate, channels), where
    the inspector knows no better."""
    return Parsed(
        spec=spec,
        codec=codec,
        duration=float(info.length) if duration is None else duration,
        bitrate=int(info.bitrate) if bitrate is None else bitrate,
        sample_rate=int(getattr(info, "sample_rate", 0)) if sample_rate is None else sample_rate,
        channels=int(getattr(info, "channels", 0)),
        has_video=has_video,
        tags=tags,
        cover=cover,
    )


class MediaRejected(Exception):
    """The file is not acceptable; `message` is one sentence for the coordinator."""

    def __init__(self, code: RejectionCode, message: str) -> None:
        super().__init__(message)
        self.code: str = code
        self.message = message

    def __repr__(self) -> str:
        return f"MediaRejected({self.code!r}, {self.message!r})"


# What malformed bytes can make mutagen or our own parsers raise.
PARSE_ERRORS = (
    MutagenError,
    struct.error,
    ValueError,
    IndexError,
    KeyError,
    TypeError,
    OverflowError,
    EOFError,
    AttributeError,
    ZeroDivisionError,
    # mutagen reads nested MP4 boxes and ID3 chapter frames recursively: a few hundred levels
    # of either, in a 10 KB file, ran out of stack.
    RecursionError,
    MemoryError,
)


def unparseable(spec: FormatSpec, reason: str) -> MediaRejected:
    return MediaRejected(
        "unparseable",
        f"This looks like {spec.description} but it is damaged ({reason}); "
        "export it again and upload the new file.",
    )


def truncated(spec: FormatSpec, reason: str) -> MediaRejected:
    return MediaRejected(
        "truncated",
        f"This {spec.noun} is incomplete ({reason}); "
        "the upload or copy probably stopped early, so upload the whole file again.",
    )


def percent(part: int, whole: int) -> str:
    return f"{max(0, min(99, math.floor(100 * part / whole))) if whole else 0}%"


# -- reading ------------------------------------------------------------------------------------


class Reader:
    """Positioned reads from an open file; never more than asked for."""

    def __init__(self, handle: BinaryIO, size: int) -> None:
        self.handle = handle
        self.size = size

    def read_at(self, offset: int, length: int) -> bytes:
        if offset >= self.size or length <= 0:
            return b""
        self.handle.seek(offset)
        return self.handle.read(min(length, self.size - offset))

    def rewind(self) -> BinaryIO:
        self.handle.seek(0)
        return self.handle


def load(cls: Callable[[BinaryIO], Any], reader: Reader, spec: FormatSpec) -> Any:
    """Parse with a mutagen class from the open file object."""
    try:
        return cls(reader.rewind())
    except MutagenError as exc:
        raise unparseable(spec, "its headers can't be parsed") from exc


def crc_table(poly: int, width: int) -> list[int]:
    top, mask = 1 << (width - 1), (1 << width) - 1
    table = []
    for byte in range(256):
        crc = byte << (width - 8)
        for _ in range(8):
            crc = ((crc << 1) ^ poly) & mask if crc & top else (crc << 1) & mask
        table.append(crc)
    return table


# -- tags around the audio (MP3, FLAC, WAV) -----------------------------------------------------


def id3v2_size(head: bytes) -> int:
    """Total size of an ID3v2 tag at the start of `head` (header and footer included), or 0."""
    if len(head) < 10 or head[:3] != b"ID3" or head[3] == 0xFF or head[4] == 0xFF:
        return 0
    size_bytes = head[6:10]
    if any(b & 0x80 for b in size_bytes):
        return 0
    size = (size_bytes[0] << 21) | (size_bytes[1] << 14) | (size_bytes[2] << 7) | size_bytes[3]
    footer = 10 if head[5] & 0x10 else 0
    return 10 + size + footer


def id3v2_total(reader: Reader, head: bytes) -> int:
    """Bytes taken by one or more ID3v2 tags at the start of the file."""
    total = 0
    for _ in range(8):
        size = id3v2_size(head if total == 0 else reader.read_at(total, 10))
        if not size:
            break
        total += size
    return total


def audio_end(reader: Reader, start: int) -> int:
    """Where the audio stops: the file's end minus ID3v1, APEv2 and Lyrics3 tags."""
    end = reader.size
    for _ in range(6):
        tail = reader.read_at(max(start, end - 160), end - max(start, end - 160))
        if len(tail) >= 128 and tail[-128:-125] == b"TAG":
            end -= 128
        elif len(tail) >= 32 and tail[-32:-24] == b"APETAGEX":
            size, flags = struct.unpack_from("<I4xI", tail, len(tail) - 20)
            if size < 32:
                break
            end -= size + (32 if flags & 0x80000000 else 0)
        elif len(tail) >= 15 and tail[-9:] == b"LYRICS200" and tail[-15:-9].isdigit():
            end -= int(tail[-15:-9]) + 15
        elif len(tail) >= 10 and tail[-10:-7] == b"3DI":
            end -= id3v2_size(b"ID3" + tail[-7:])
        else:
            break
        end = max(end, start)
    return end
