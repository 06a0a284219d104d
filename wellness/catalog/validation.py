"""Validate an uploaded media file and read its metadata.

`inspect_media(path)` returns a `MediaInfo` or raises `MediaRejected`, never anything else,
whatever the bytes (a path that can't be opened or read still raises `OSError`: that is
about the disk, not the upload). The steps, in order:

1. Sniff the container from the first bytes (`sniffing.sniff`); names and Content-Types
   are never consulted.
2. Check the container's structure against the bytes actually present. mutagen reads lengths
   from headers, so a half-uploaded file looks whole to it; these checks catch truncation
   (see each `_check_*` function) and run before mutagen, so a damaged file never sends
   mutagen on a slow search.
3. Parse with the mutagen class for the sniffed container, from the open file object.
4. Check the duration, then read tags and a cover picture.

Memory stays flat: only heads, tails, headers and (for MP4) the moov index are read; mutagen
reads the tags. Tags or indexes above `MAX_METADATA_BYTES` are refused rather than loaded.
"""

from __future__ import annotations

import base64
import math
import os
import struct
import sys
import unicodedata
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final, Literal

from mutagen import MutagenError
from mutagen.apev2 import APEv2
from mutagen.flac import FLAC, Picture
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

from wellness.catalog.sniffing import (
    HEAD_SIZE,
    MEDIA_DESCRIPTIONS,
    MpegFrame,
    Verdict,
    id3v2_size,
    image_mime,
    mpeg_frame,
    sniff,
)

RejectionCode = Literal[
    "empty",
    "not_media",
    "unsupported_container",
    "unparseable",
    "truncated",
    "no_audio",
    "bad_duration",
]

SUPPORTED_FORMATS: Final = "MP3, M4A, Ogg, Opus, FLAC, WAV or MP4"
MAX_COVER_BYTES: Final = 5_000_000
MAX_METADATA_BYTES: Final = 32 * 1024 * 1024
TITLE_LIMIT: Final = 255
COMMENT_LIMIT: Final = 500

# container -> (mime type, stored extension)
FORMATS: Final[dict[str, tuple[str, str]]] = {
    "mp3": ("audio/mpeg", "mp3"),
    "flac": ("audio/flac", "flac"),
    "wav": ("audio/wav", "wav"),
    "ogg_vorbis": ("audio/ogg", "ogg"),
    "ogg_opus": ("audio/ogg", "opus"),
    "m4a": ("audio/mp4", "m4a"),
    "mp4": ("video/mp4", "mp4"),
}

_IMAGE_EXTENSIONS: Final = {"image/png": "png", "image/jpeg": "jpg"}

# mutagen ships partial annotations; these two constructors are untyped.
_Picture: Any = Picture
_APEv2: Any = APEv2


@dataclass(frozen=True, slots=True)
class CoverArt:
    data: bytes
    mime_type: str  # "image/jpeg" or "image/png", sniffed from the bytes
    extension: str  # "jpg" or "png"


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


class MediaRejected(Exception):
    """The file is not acceptable; `message` is one sentence for the coordinator."""

    def __init__(self, code: RejectionCode, message: str) -> None:
        super().__init__(message)
        self.code: str = code
        self.message = message

    def __repr__(self) -> str:
        return f"MediaRejected({self.code!r}, {self.message!r})"


def inspect_media(path: Path, *, max_duration_seconds: float = 6 * 3600) -> MediaInfo:
    """Validate the file at `path` and read its metadata, or raise `MediaRejected`."""
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            raise MediaRejected(
                "empty", "The file is empty (0 bytes); the upload may have failed, so try again."
            )
        reader = _Reader(handle, size)
        head = reader.read_at(0, HEAD_SIZE)
        sniffed = sniff(head)
        if sniffed.verdict is Verdict.NOT_MEDIA:
            raise MediaRejected(
                "not_media",
                f"This is {sniffed.description}, not audio or video; "
                f"upload an {SUPPORTED_FORMATS} file.",
            )
        if sniffed.verdict is not Verdict.MEDIA or sniffed.container is None:
            raise MediaRejected(
                "unsupported_container",
                f"This is {sniffed.description}, which isn't supported; "
                f"export it as {SUPPORTED_FORMATS}.",
            )
        container = sniffed.container
        try:
            container = _container_after_id3(reader, head, container)
            parsed = _INSPECTORS[container](reader)
        except MediaRejected:
            raise
        except _PARSE_ERRORS as exc:
            raise _unparseable(container, "its contents can't be read") from exc
    return _finish(parsed, max_duration_seconds)


# -- shared pieces ---------------------------------------------------------------------------

# What malformed bytes can make mutagen or our own parsers raise.
_PARSE_ERRORS = (
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
)


class _Reader:
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


@dataclass(slots=True)
class _Tags:
    title: str = ""
    artist: str = ""
    album: str = ""
    comment: str = ""

    def fill_from(self, other: _Tags) -> None:
        self.title = self.title or other.title
        self.artist = self.artist or other.artist
        self.album = self.album or other.album
        self.comment = self.comment or other.comment


@dataclass(slots=True)
class _Parsed:
    container: str
    codec: str
    duration: float
    bitrate: int | None
    sample_rate: int | None
    channels: int | None
    has_video: bool = False
    tags: _Tags = field(default_factory=_Tags)
    cover: CoverArt | None = None


def _describe(container: str) -> str:
    return MEDIA_DESCRIPTIONS.get(container, "a media file")


def _unparseable(container: str, reason: str) -> MediaRejected:
    return MediaRejected(
        "unparseable",
        f"This looks like {_describe(container)} but it is damaged ({reason}); "
        "export it again and upload the new file.",
    )


def _truncated(container: str, reason: str) -> MediaRejected:
    return MediaRejected(
        "truncated",
        f"This {_describe(container).split(' ', 1)[1]} is incomplete ({reason}); "
        "the upload or copy probably stopped early, so upload the whole file again.",
    )


def _percent(part: int, whole: int) -> str:
    return f"{max(0, min(99, math.floor(100 * part / whole))) if whole else 0}%"


def _load(cls: Callable[[BinaryIO], Any], reader: _Reader, container: str) -> Any:
    try:
        return cls(reader.rewind())
    except MutagenError as exc:
        raise _unparseable(container, "its headers can't be parsed") from exc


def _finish(parsed: _Parsed, max_duration: float) -> MediaInfo:
    duration = parsed.duration
    if not math.isfinite(duration) or duration <= 0:
        given = "0 seconds or less" if math.isfinite(duration) else "no valid number"
        raise MediaRejected(
            "bad_duration",
            f"This {_describe(parsed.container).split(' ', 1)[1]} has no playable length "
            f"(its headers give {given}); export it again.",
        )
    if duration > max_duration:
        raise MediaRejected(
            "bad_duration",
            f"This file says it lasts {_hours(duration)}, longer than the "
            f"{_hours(max_duration)} limit; split it or check the export.",
        )
    mime, extension = FORMATS[parsed.container]
    return MediaInfo(
        container=parsed.container,
        mime_type=mime,
        extension=extension,
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
    return f"{seconds / 60:.0f} minutes"


def _container_after_id3(reader: _Reader, head: bytes, container: str) -> str:
    """An ID3v2 tag can precede MP3 or FLAC audio; look past it, however large it is."""
    tag = _id3v2_total(reader, head)
    if not tag:
        return container
    if tag >= reader.size:
        raise _truncated("mp3", "the file ends inside its ID3 tag")
    after = sniff(reader.read_at(tag, HEAD_SIZE).lstrip(b"\x00"))
    return "flac" if after.container == "flac" else "mp3"


def _id3v2_total(reader: _Reader, head: bytes) -> int:
    """Bytes taken by one or more ID3v2 tags at the start of the file."""
    total = 0
    for _ in range(8):
        size = id3v2_size(head if total == 0 else reader.read_at(total, 10))
        if not size:
            break
        total += size
    return total


# -- text and pictures -------------------------------------------------------------------------

_INVISIBLE = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)}


def clean_text(value: object, limit: int) -> str:
    """A tag value as safe plain text: no control or bidi-override characters, capped."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value)
    kept = [
        " " if unicodedata.category(ch) in {"Cc", "Zl", "Zp"} else ch
        for ch in text
        if ch not in _INVISIBLE
    ]
    cleaned = " ".join("".join(kept).split())
    return cleaned[:limit].rstrip()


def _tags(title: object, artist: object, album: object, comment: object) -> _Tags:
    return _Tags(
        title=clean_text(title, TITLE_LIMIT),
        artist=clean_text(artist, TITLE_LIMIT),
        album=clean_text(album, TITLE_LIMIT),
        comment=clean_text(comment, COMMENT_LIMIT),
    )


def _cover(candidates: list[tuple[int, bytes]]) -> CoverArt | None:
    """The first real PNG/JPEG under the size cap, front covers (picture type 3) first."""
    for _, data in sorted(candidates, key=lambda item: item[0] != 3):
        if not isinstance(data, bytes) or len(data) >= MAX_COVER_BYTES:
            continue
        mime = image_mime(data)
        if mime is not None:
            return CoverArt(data=bytes(data), mime_type=mime, extension=_IMAGE_EXTENSIONS[mime])
    return None


def _id3_tags(tags: Any) -> tuple[_Tags, CoverArt | None]:
    if tags is None:
        return _Tags(), None

    def text(frame_id: str) -> object:
        frame = tags.get(frame_id)
        return frame.text if frame is not None and hasattr(frame, "text") else ""

    comments = [frame for frame in tags.getall("COMM") if frame.text]
    comments.sort(key=lambda frame: frame.desc != "")
    comment = comments[0].text if comments else ""
    pictures = [(frame.type, frame.data) for frame in tags.getall("APIC")]
    return _tags(text("TIT2"), text("TPE1"), text("TALB"), comment), _cover(pictures)


def _vorbis_tags(tags: Any) -> _Tags:
    if tags is None:
        return _Tags()

    def first(*keys: str) -> object:
        for key in keys:
            values = tags.get(key)
            if values:
                return values[0]
        return ""

    return _tags(first("title"), first("artist"), first("album"), first("comment", "description"))


def _vorbis_pictures(tags: Any) -> list[tuple[int, bytes]]:
    pictures: list[tuple[int, bytes]] = []
    for encoded in (tags.get("metadata_block_picture") or []) if tags is not None else []:
        try:
            picture = _Picture(base64.b64decode(encoded))
        except (MutagenError, ValueError, struct.error, TypeError):
            continue
        pictures.append((picture.type, picture.data))
    return pictures


# -- WAV ---------------------------------------------------------------------------------------

_MAX_CHUNKS = 4096
_WAV_CODECS = {1: "pcm", 3: "pcm_f", 6: "pcm_alaw", 7: "pcm_mulaw", 2: "adpcm_ms"}
_WAV_CODECS |= {0x11: "adpcm_ima_wav", 0x55: "mp3", 0x50: "mp2"}
_INFO_KEYS = {b"INAM": "title", b"IART": "artist", b"IPRD": "album", b"ICMT": "comment"}


@dataclass(slots=True)
class _WavFacts:
    codec: str = ""
    info: dict[str, str] = field(default_factory=dict)


def _check_wav(reader: _Reader) -> _WavFacts:
    """Walk the RIFF chunks by their headers; every chunk, above all `data`, must fit the file.

    A cut upload keeps its header, so the data chunk declares more bytes than are present.
    Bytes after the RIFF form (an appended ID3v1 tag, say) are not walked.
    """
    header = reader.read_at(0, 12)
    riff_size = int.from_bytes(header[4:8], "little")
    riff_known = riff_size not in (0, 0xFFFFFFFF)
    walk_end = min(reader.size, riff_size + 8) if riff_known else reader.size
    facts = _WavFacts()
    has_fmt = has_data = False
    position = 12
    for _ in range(_MAX_CHUNKS):
        if position >= walk_end or (position + 8 > walk_end and walk_end < reader.size):
            break
        chunk = reader.read_at(position, 8)
        if len(chunk) < 8:
            if has_data and not chunk.strip(b"\x00"):
                break
            raise _truncated("wav", "it ends inside a chunk header")
        chunk_id, chunk_size = chunk[:4], int.from_bytes(chunk[4:8], "little")
        body = position + 8
        present = reader.size - body
        if chunk_id == b"data":
            if chunk_size > present:
                raise _truncated(
                    "wav",
                    f"only {_percent(present, chunk_size)} of the audio data its header "
                    "declares is present",
                )
            has_data = True
        elif chunk_size > present:
            raise _truncated("wav", f"its {chunk_id.decode('latin-1')!r} chunk is cut off")
        if chunk_id == b"fmt ":
            has_fmt = True
            facts.codec = _wav_codec(reader.read_at(body, min(chunk_size, 40)))
        elif chunk_id == b"LIST" and chunk_size <= 1 << 20:
            facts.info = _riff_info(reader.read_at(body, chunk_size)) or facts.info
        elif chunk_id.lower() == b"id3 " and chunk_size > MAX_METADATA_BYTES:
            raise _unparseable("wav", "its ID3 chunk is larger than 32 MB")
        position = body + chunk_size + (chunk_size & 1)
    else:
        raise _unparseable("wav", "it has too many chunks")
    if not has_fmt:
        raise _unparseable("wav", "it has no format (fmt) chunk")
    if not has_data:
        raise _unparseable("wav", "it has no audio data chunk")
    if riff_known and riff_size + 8 > reader.size + 1:
        raise _truncated("wav", "the file is shorter than its RIFF header declares")
    return facts


def _wav_codec(fmt: bytes) -> str:
    if len(fmt) < 16:
        raise _unparseable("wav", "its format chunk is too short")
    tag, _channels, _rate, _byte_rate, _align, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == 0xFFFE and len(fmt) >= 26:
        tag = int.from_bytes(fmt[24:26], "little")
    name = _WAV_CODECS.get(tag, f"wav_0x{tag:04x}")
    if name == "pcm":
        return "pcm_u8" if bits == 8 else f"pcm_s{bits}le"
    if name == "pcm_f":
        return f"pcm_f{bits}le"
    return name


def _riff_info(body: bytes) -> dict[str, str]:
    if not body.startswith(b"INFO"):
        return {}
    info: dict[str, str] = {}
    position = 4
    while position + 8 <= len(body):
        key, size = (
            body[position : position + 4],
            int.from_bytes(body[position + 4 : position + 8], "little"),
        )
        value = body[position + 8 : position + 8 + size].split(b"\x00", 1)[0]
        if key in _INFO_KEYS:
            info[_INFO_KEYS[key]] = value.decode("utf-8", "replace")
        position += 8 + size + (size & 1)
    return info


def _inspect_wav(reader: _Reader) -> _Parsed:
    facts = _check_wav(reader)
    audio = _load(WAVE, reader, "wav")
    tags, cover = _id3_tags(audio.tags)
    info = facts.info
    tags.fill_from(
        _tags(info.get("title"), info.get("artist"), info.get("album"), info.get("comment"))
    )
    return _Parsed(
        container="wav",
        codec=facts.codec,
        duration=float(audio.info.length),
        bitrate=int(audio.info.bitrate),
        sample_rate=int(audio.info.sample_rate),
        channels=int(audio.info.channels),
        tags=tags,
        cover=cover,
    )


# -- trailing tags (MP3, FLAC) --------------------------------------------------------------


def _audio_end(reader: _Reader, start: int) -> int:
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


# -- FLAC --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _StreamInfo:
    max_blocksize: int
    max_framesize: int
    sample_rate: int
    total_samples: int


def _check_flac(reader: _Reader, start: int) -> tuple[_StreamInfo, int]:
    """Walk the metadata blocks, then find the file's last frame and check it is whole.

    The last frame is found by scanning the tail for a frame header (sync code plus a valid
    CRC-8) whose frame runs exactly to the end of the audio with a matching CRC-16. The
    frame's sample number plus its block size must reach STREAMINFO's total samples: a cut
    file either has no whole frame at its end or ends before the total.
    Returns the stream info and the number of samples the frames actually reach.
    """
    if reader.read_at(start, 4) != b"fLaC":
        raise _unparseable("flac", "it has no FLAC signature")
    position = start + 4
    stream_info: _StreamInfo | None = None
    metadata = 0
    for index in range(_MAX_CHUNKS):
        header = reader.read_at(position, 4)
        if len(header) < 4:
            raise _truncated("flac", "the file ends inside its metadata")
        last, block_type = header[0] & 0x80, header[0] & 0x7F
        length = int.from_bytes(header[1:4], "big")
        if index == 0 and (block_type != 0 or length < 34):
            raise _unparseable("flac", "it has no STREAMINFO block")
        if block_type == 127:
            raise _unparseable("flac", "it has an invalid metadata block")
        if position + 4 + length > reader.size:
            raise _truncated("flac", "the file ends inside its metadata (tags or pictures)")
        if block_type == 0 and stream_info is None:
            stream_info = _streaminfo(reader.read_at(position + 4, 34))
        metadata += length
        if metadata > MAX_METADATA_BYTES:
            raise _unparseable("flac", "its tags and pictures are larger than 32 MB")
        position += 4 + length
        if last:
            break
    else:
        raise _unparseable("flac", "it has too many metadata blocks")
    assert stream_info is not None
    audio_start = position
    if audio_start >= reader.size:
        raise _truncated("flac", "it has no audio frames after its metadata")
    if _flac_frame_header(reader.read_at(audio_start, 16), 0) is None:
        raise _unparseable("flac", "its audio doesn't start with a FLAC frame")
    end = _audio_end(reader, audio_start)
    reached = _flac_last_sample(reader, audio_start, end, stream_info)
    total = stream_info.total_samples
    if reached is None:
        raise _truncated("flac", "its last audio frame is cut off")
    if total and reached < total:
        raise _truncated(
            "flac",
            f"its audio stops at {_percent(reached, total)} of the length its header declares",
        )
    if total and reached > total:
        raise _unparseable("flac", "its frames run past the length its header declares")
    return stream_info, reached


def _streaminfo(block: bytes) -> _StreamInfo:
    _min_block, max_block = struct.unpack_from(">HH", block)
    max_frame = int.from_bytes(block[7:10], "big")
    packed = int.from_bytes(block[10:18], "big")
    sample_rate = packed >> 44
    total = packed & ((1 << 36) - 1)
    if sample_rate == 0 or max_block < 16:
        raise _unparseable("flac", "its STREAMINFO block is invalid")
    return _StreamInfo(max_block, max_frame, sample_rate, total)


def _flac_last_sample(reader: _Reader, audio_start: int, end: int, info: _StreamInfo) -> int | None:
    span = end - audio_start
    want = 2 * info.max_framesize + 64 if info.max_framesize else 1 << 20
    length = min(span, max(want, 64 * 1024), 4 << 20)
    window = reader.read_at(end - length, length)
    if len(window) < 4:
        return None
    crc = int.from_bytes(window[-2:], "big")
    position = len(window) - 2
    while True:
        position = window.rfind(b"\xff", 0, position)
        if position < 0:
            return None
        frame = _flac_frame_header(window, position)
        if frame is not None and _crc16(memoryview(window)[position:-2]) == crc:
            variable, number, blocksize = frame
            first_sample = number if variable else number * info.max_blocksize
            return first_sample + blocksize


_FLAC_BLOCKSIZES = {1: 192, **{n: 576 << (n - 2) for n in range(2, 6)}}
_FLAC_BLOCKSIZES |= {n: 256 << (n - 8) for n in range(8, 16)}


def _flac_frame_header(data: bytes, at: int) -> tuple[bool, int, int] | None:
    """(variable blocksize?, frame or sample number, block size) if a valid header is at `at`."""
    header = data[at : at + 16]
    if len(header) < 6 or header[0] != 0xFF or header[1] & 0xFE != 0xF8:
        return None
    blocksize_code, rate_code = header[2] >> 4, header[2] & 0x0F
    channels, sample_size = header[3] >> 4, (header[3] >> 1) & 0x07
    if blocksize_code == 0 or rate_code == 15 or channels > 10 or sample_size == 3:
        return None
    if header[3] & 0x01:
        return None
    decoded = _utf8_number(header, 4)
    if decoded is None:
        return None
    number, position = decoded
    blocksize = _FLAC_BLOCKSIZES.get(blocksize_code, 0)
    if blocksize_code == 6:
        blocksize, position = header[position] + 1, position + 1
    elif blocksize_code == 7:
        blocksize, position = (
            int.from_bytes(header[position : position + 2], "big") + 1,
            position + 2,
        )
    if rate_code == 12:
        position += 1
    elif rate_code in (13, 14):
        position += 2
    if position >= len(header) or _crc8(header[:position]) != header[position]:
        return None
    return bool(header[1] & 0x01), number, blocksize


def _utf8_number(data: bytes, at: int) -> tuple[int, int] | None:
    first = data[at]
    if first < 0x80:
        return first, at + 1
    extra = 0
    while extra < 7 and first & (0x40 >> extra):
        extra += 1
    if extra == 0 or extra > 6 or at + 1 + extra > len(data):
        return None
    value = first & (0x3F >> extra)
    for byte in data[at + 1 : at + 1 + extra]:
        if byte & 0xC0 != 0x80:
            return None
        value = (value << 6) | (byte & 0x3F)
    return value, at + 1 + extra


def _crc_table(poly: int, width: int) -> list[int]:
    top, mask = 1 << (width - 1), (1 << width) - 1
    table = []
    for byte in range(256):
        crc = byte << (width - 8)
        for _ in range(8):
            crc = ((crc << 1) ^ poly) & mask if crc & top else (crc << 1) & mask
        table.append(crc)
    return table


_CRC8 = _crc_table(0x07, 8)
_CRC16 = _crc_table(0x8005, 16)
_CRC32_OGG = _crc_table(0x04C11DB7, 32)


def _crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = _CRC8[crc ^ byte]
    return crc


def _crc16(data: memoryview | bytes) -> int:
    crc, table = 0, _CRC16
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ table[(crc >> 8) ^ byte]
    return crc


def _crc32_ogg(data: memoryview | bytes | bytearray) -> int:
    crc, table = 0, _CRC32_OGG
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ table[(crc >> 24) ^ byte]
    return crc


def _inspect_flac(reader: _Reader) -> _Parsed:
    start = _id3v2_total(reader, reader.read_at(0, 10))
    stream_info, reached = _check_flac(reader, start)
    audio = _load(FLAC, reader, "flac")
    duration = float(audio.info.length) or reached / stream_info.sample_rate
    bitrate = int(audio.info.bitrate)
    if not bitrate and duration > 0:
        bitrate = round(reader.size * 8 / duration)
    pictures = [(picture.type, picture.data) for picture in audio.pictures]
    return _Parsed(
        container="flac",
        codec="flac",
        duration=duration,
        bitrate=bitrate,
        sample_rate=int(audio.info.sample_rate),
        channels=int(audio.info.channels),
        tags=_vorbis_tags(audio.tags),
        cover=_cover(pictures),
    )


# -- MP3 ---------------------------------------------------------------------------------------

_MPEG_SCAN = 64 * 1024
_MPEG_TAIL = 16 * 1024


def _check_mp3(reader: _Reader, start: int) -> tuple[MpegFrame, int]:
    """Find a run of frames near the start, then check the Xing/VBRI byte count and the tail.

    1. The audio must begin with consecutive, consistent frames (garbage after a valid
       first header is rejected as damaged).
    2. A Xing/Info or VBRI header declares the stream's size in bytes: fewer bytes present
       means the file was cut (tolerating encoders that count a leading ID3 tag).
    3. Unless all the declared bytes are there, the tail must end with a whole frame: some
       frame header near the end starts a chain of frames that lands exactly on the end of
       the audio (trailing zero padding allowed). This catches small cuts of Xing files and
       cuts of CBR files without one, except a cut exactly on a frame boundary of a file
       without a Xing header, which is indistinguishable from a shorter file.
    """
    end = _audio_end(reader, start)
    head = reader.read_at(start, min(_MPEG_SCAN, end - start))
    first_at = _first_frame(head, end - start)
    if first_at is None:
        stop = _chain_end(head, 0, None)
        if stop is not None and stop > len(head) == end - start:
            raise _truncated("mp3", "its first audio frames are cut off")
        raise _unparseable("mp3", "it has no run of valid MP3 frames near its start")
    first = mpeg_frame(head[first_at : first_at + 4])
    assert first is not None
    audio_start = start + first_at
    present = end - audio_start
    declared = _xing_bytes(head, first_at, first)
    complete = bool(declared) and (present >= declared or present + start == declared)
    if declared and present < declared * 0.99 and abs(present + start - declared) > declared * 0.01:
        raise _truncated(
            "mp3", f"only {_percent(present, declared)} of the audio its header declares is present"
        )
    if not complete and not _ends_with_whole_frame(reader, audio_start, end, first):
        raise _truncated("mp3", "its last audio frame is cut off")
    return first, end


def _chain_end(data: bytes, at: int, like: MpegFrame | None, limit: int = 1 << 30) -> int | None:
    """Follow consecutive frames from `at`; return where the chain stops (None if no frame)."""
    position, count = at, 0
    while position + 4 <= len(data) and count < limit:
        frame = mpeg_frame(data[position : position + 4])
        if frame is None or (like is not None and not frame.same_stream(like)):
            break
        like = like or frame
        position += frame.length
        count += 1
    return position if count else None


def _first_frame(head: bytes, span: int) -> int | None:
    """The first offset starting at least three consistent frames (or all the audio there is)."""
    position = 0
    while position + 4 <= len(head):
        position = head.find(b"\xff", position)
        if position < 0 or position + 4 > len(head):
            return None
        frame = mpeg_frame(head[position : position + 4])
        if frame is not None:
            stop = _chain_end(head, position, frame, limit=3)
            if stop is not None:
                frames = _count_frames(head, position, stop)
                if frames >= 3 or (stop == span and position == 0):
                    return position
        position += 1
    return None


def _count_frames(data: bytes, start: int, stop: int) -> int:
    count, position = 0, start
    while position < stop:
        frame = mpeg_frame(data[position : position + 4])
        if frame is None:
            break
        position += frame.length
        count += 1
    return count


def _xing_bytes(head: bytes, at: int, frame: MpegFrame) -> int:
    """The stream size a Xing/Info or VBRI header in the first frame declares, or 0."""
    if frame.version == "1":
        side = 17 if frame.channels == 1 else 32
    else:
        side = 9 if frame.channels == 1 else 17
    xing = at + 4 + (2 if frame.protected else 0) + side
    if head[xing : xing + 4] in (b"Xing", b"Info") and len(head) >= xing + 16:
        flags = int.from_bytes(head[xing + 4 : xing + 8], "big")
        if flags & 0x02:
            offset = xing + 8 + (4 if flags & 0x01 else 0)
            return int.from_bytes(head[offset : offset + 4], "big")
        return 0
    vbri = at + 36
    if head[vbri : vbri + 4] == b"VBRI" and len(head) >= vbri + 14:
        return int.from_bytes(head[vbri + 10 : vbri + 14], "big")
    return 0


def _ends_with_whole_frame(reader: _Reader, audio_start: int, end: int, first: MpegFrame) -> bool:
    length = min(end - audio_start, _MPEG_TAIL)
    window = reader.read_at(end - length, length)
    whole = length == end - audio_start
    padded_end = len(window.rstrip(b"\x00"))
    position = 0
    while True:
        position = window.find(b"\xff", position)
        if position < 0:
            return False
        stop = _chain_end(window, position, first)
        if (
            stop is not None
            and padded_end <= stop <= len(window)
            and ((whole and position == 0) or _count_frames(window, position, stop) >= 3)
        ):
            return True
        position += 1


def _inspect_mp3(reader: _Reader) -> _Parsed:
    head = reader.read_at(0, 10)
    start = _id3v2_total(reader, head)
    if start > MAX_METADATA_BYTES:
        raise _unparseable("mp3", "its ID3 tag is larger than 32 MB")
    first, end = _check_mp3(reader, start)
    audio = _load(MP3, reader, "mp3")
    tags, cover = _id3_tags(audio.tags)
    if reader.size - end <= MAX_METADATA_BYTES:  # mutagen reads an APE tag whole
        tags.fill_from(_ape_tags(reader))
    return _Parsed(
        container="mp3",
        codec="mp3" if first.layer == 3 else f"mp{first.layer}",
        duration=float(audio.info.length),
        bitrate=int(audio.info.bitrate),
        sample_rate=int(audio.info.sample_rate),
        channels=int(audio.info.channels),
        tags=tags,
        cover=cover,
    )


def _ape_tags(reader: _Reader) -> _Tags:
    try:
        ape = _APEv2(reader.rewind())
    except (MutagenError, ValueError, struct.error):
        return _Tags()

    def value(key: str) -> object:
        item = ape.get(key)
        return str(item) if item is not None and getattr(item, "kind", 0) == 0 else ""

    return _tags(value("Title"), value("Artist"), value("Album"), value("Comment"))


# -- Ogg ---------------------------------------------------------------------------------------

_OGG_TAIL = 65_307 + 4096  # the largest possible page, and a margin


@dataclass(frozen=True, slots=True)
class _OggPage:
    flags: int
    granule: int
    serial: int
    length: int


def _ogg_page(data: bytes, at: int) -> _OggPage | None:
    if at + 27 > len(data) or data[at : at + 4] != b"OggS" or data[at + 4] != 0:
        return None
    flags, granule, serial = struct.unpack_from("<BqI", data, at + 5)
    segments = data[at + 26]
    if at + 27 + segments > len(data):
        return None
    length = 27 + segments + sum(data[at + 27 : at + 27 + segments])
    return _OggPage(flags, granule, serial, length)


def _ogg_crc_ok(data: bytes, at: int, end: int) -> bool:
    page = bytearray(data[at:end])
    stored = int.from_bytes(page[22:26], "little")
    page[22:26] = b"\x00\x00\x00\x00"
    return _crc32_ogg(page) == stored


def _check_ogg(reader: _Reader, container: str) -> tuple[_OggPage, _OggPage]:
    """The file must end with a whole page (valid CRC, ending exactly at the end of the file)
    that carries the end-of-stream flag. A cut file ends mid-page, or, cut exactly between
    pages, on a page without the flag. Returns the first and the last page."""
    head = reader.read_at(0, HEAD_SIZE)
    first = _ogg_page(head, 0)
    if first is None or first.length > reader.size:
        if len(head) < 27 + (head[26] if len(head) > 26 else 0) or first is not None:
            raise _truncated(container, "the file ends inside its first Ogg page")
        raise _unparseable(container, "its first Ogg page is invalid")
    if not first.flags & 0x02:
        raise _unparseable(container, "its first Ogg page doesn't start a stream")
    _check_ogg_headers(reader, container, first.serial, 3 if container == "ogg_vorbis" else 2)
    length = min(reader.size, _OGG_TAIL)
    window = reader.read_at(reader.size - length, length)
    position = len(window)
    why: MediaRejected | None = None  # decided by the latest candidate page
    while True:
        position = window.rfind(b"OggS", 0, position)
        if position < 0:
            raise why or _unparseable(container, "it has no complete Ogg page at its end")
        page = _ogg_page(window, position)
        end = position + page.length if page is not None else len(window) + 1
        if page is not None and end == len(window) and _ogg_crc_ok(window, position, end):
            break
        if why is None:
            trailing = window[end:]
            if end > len(window) or (len(trailing) < 27 and b"OggS".startswith(trailing[:4])):
                why = _truncated(container, "its last Ogg page is cut off")
            else:
                why = _unparseable(container, "its last Ogg page is damaged")
    if not page.flags & 0x04:
        raise _truncated(container, "it stops before its end-of-stream marker")
    return first, page


def _check_ogg_headers(reader: _Reader, container: str, serial: int, packets: int) -> None:
    """Walk the pages holding the header packets (identification, comments and, for Vorbis,
    setup): they must be present, and no larger than mutagen may safely read into memory."""
    position = completed = total = 0
    for _ in range(_MAX_BOXES):
        header = reader.read_at(position, 27)
        if len(header) < 27:
            raise _truncated(container, "the file ends inside its header pages")
        if header[:4] != b"OggS":
            raise _unparseable(container, "its header pages are damaged")
        lacing = reader.read_at(position + 27, header[26])
        if len(lacing) < header[26]:
            raise _truncated(container, "the file ends inside its header pages")
        if int.from_bytes(header[14:18], "little") == serial:
            completed += sum(1 for value in lacing if value < 255)
        total += sum(lacing)
        if total > MAX_METADATA_BYTES:
            raise _unparseable(container, "its tags and pictures are larger than 32 MB")
        position += 27 + len(lacing) + sum(lacing)
        if position > reader.size:
            raise _truncated(container, "the file ends inside its header pages")
        if completed >= packets:
            return
    raise _unparseable(container, "its header pages are damaged")


def _check_granule(
    container: str, first: _OggPage, last: _OggPage, seconds: float, length: float
) -> None:
    if last.serial == first.serial and last.granule >= 0 and abs(seconds - length) > 0.5:
        raise _truncated(container, "its last page disagrees with its stated length")


def _inspect_ogg_vorbis(reader: _Reader) -> _Parsed:
    first, last = _check_ogg(reader, "ogg_vorbis")
    audio = _load(OggVorbis, reader, "ogg_vorbis")
    rate = int(audio.info.sample_rate)
    length = float(audio.info.length)
    _check_granule("ogg_vorbis", first, last, last.granule / rate if rate else 0.0, length)
    return _Parsed(
        container="ogg_vorbis",
        codec="vorbis",
        duration=length,
        bitrate=int(audio.info.bitrate),
        sample_rate=rate,
        channels=int(audio.info.channels),
        tags=_vorbis_tags(audio.tags),
        cover=_cover(_vorbis_pictures(audio.tags)),
    )


def _inspect_ogg_opus(reader: _Reader) -> _Parsed:
    first, last = _check_ogg(reader, "ogg_opus")
    audio = _load(OggOpus, reader, "ogg_opus")
    length = float(audio.info.length)
    head = reader.read_at(0, HEAD_SIZE)
    pre_skip = int.from_bytes(head[head.find(b"OpusHead") + 10 :][:2], "little")
    _check_granule("ogg_opus", first, last, (last.granule - pre_skip) / 48_000, length)
    return _Parsed(
        container="ogg_opus",
        codec="opus",
        duration=length,
        bitrate=int(audio.info.bitrate),
        sample_rate=48_000,  # Opus always decodes at 48 kHz
        channels=int(audio.info.channels),
        tags=_vorbis_tags(audio.tags),
        cover=_cover(_vorbis_pictures(audio.tags)),
    )


# -- MP4 / M4A ---------------------------------------------------------------------------------

_MAX_BOXES = 100_000
_VIDEO_CODECS = {
    b"avc1": "h264",
    b"avc3": "h264",
    b"hvc1": "hevc",
    b"hev1": "hevc",
    b"av01": "av1",
    b"vp09": "vp9",
    b"vp08": "vp8",
    b"mp4v": "mpeg4",
    b"mjp2": "mjpeg",
    b"jpeg": "mjpeg",
}
_BOX_NAMES = {b"mdat": "media data", b"moov": "index", b"moof": "media fragment"}


@dataclass(slots=True)
class _Track:
    handler: bytes = b""
    sample_entry: bytes = b""
    data_end: int = 0


def _check_mp4(reader: _Reader, container: str) -> list[_Track]:
    """Every top-level box must fit in the file, the moov index must be present, and every
    track's last chunk of samples (from stco/co64, stsc and stsz) must end inside the file.

    A cut upload ends inside a box (usually mdat, or moov when it is written last), or loses
    the moov box entirely when the cut falls between mdat and a trailing moov.
    """
    position, moov, mdat = 0, None, False
    for _ in range(_MAX_BOXES):
        if position >= reader.size:
            break
        header = reader.read_at(position, 16)
        if len(header) < 8:
            raise _truncated(container, "it ends inside a box header")
        size, kind = int.from_bytes(header[:4], "big"), header[4:8]
        header_length = 8
        if not all(0x20 <= byte <= 0x7E for byte in kind):
            raise _unparseable(container, "it contains data that isn't MP4 boxes")
        if size == 1:
            if len(header) < 16:
                raise _truncated(container, "it ends inside a box header")
            size, header_length = int.from_bytes(header[8:16], "big"), 16
        elif size == 0:
            size = reader.size - position
        if size < header_length:
            raise _unparseable(container, "a box has an impossible size")
        if position + size > reader.size:
            name = _BOX_NAMES.get(kind, f"{kind.decode('latin-1')!r} box")
            raise _truncated(
                container,
                f"only {_percent(reader.size - position, size)} of its {name} is present",
            )
        if kind == b"moov" and moov is None:
            moov = (position + header_length, position + size)
        mdat = mdat or kind == b"mdat"
        position += size
    else:
        raise _unparseable(container, "it has too many boxes")
    if moov is None:
        if mdat:
            raise _truncated(container, "its index is missing")
        raise _unparseable(container, "it has no index (moov box)")
    if moov[1] - moov[0] > MAX_METADATA_BYTES:
        raise _unparseable(container, "its index (moov box) is larger than 32 MB")
    data = reader.read_at(moov[0], moov[1] - moov[0])
    tracks = [
        _parse_track(data, start, stop, container)
        for kind, start, stop in _boxes(data, 0, len(data), container)
        if kind == b"trak"
    ]
    for track in tracks:
        if track.data_end > reader.size:
            raise _truncated(container, "its samples point past the end of the file")
    return tracks


def _boxes(data: bytes, start: int, stop: int, container: str) -> Iterator[tuple[bytes, int, int]]:
    position = start
    while position + 8 <= stop:
        size, kind = (
            int.from_bytes(data[position : position + 4], "big"),
            data[position + 4 : position + 8],
        )
        header = 8
        if size == 1:
            size, header = int.from_bytes(data[position + 8 : position + 16], "big"), 16
        elif size == 0:
            size = stop - position
        if size < header or position + size > stop:
            raise _unparseable(container, "its index (moov box) is damaged")
        yield kind, position + header, position + size
        position += size


def _child(
    data: bytes, start: int, stop: int, path: tuple[bytes, ...], container: str
) -> tuple[int, int] | None:
    for kind, body, end in _boxes(data, start, stop, container):
        if kind == path[0]:
            return (body, end) if len(path) == 1 else _child(data, body, end, path[1:], container)
    return None


def _parse_track(data: bytes, start: int, stop: int, container: str) -> _Track:
    track = _Track()
    hdlr = _child(data, start, stop, (b"mdia", b"hdlr"), container)
    if hdlr is not None:
        track.handler = data[hdlr[0] + 8 : hdlr[0] + 12]
    stbl = _child(data, start, stop, (b"mdia", b"minf", b"stbl"), container)
    if stbl is None:
        return track
    boxes = {kind: (body, end) for kind, body, end in _boxes(data, stbl[0], stbl[1], container)}
    if b"stsd" in boxes:
        body = boxes[b"stsd"][0]
        track.sample_entry = data[body + 12 : body + 16]
    track.data_end = _last_chunk_end(data, boxes, container)
    return track


def _last_chunk_end(data: bytes, boxes: dict[bytes, tuple[int, int]], container: str) -> int:
    """Where the track's data ends: its highest chunk offset plus that chunk's sample sizes."""
    offsets = _table(data, boxes.get(b"stco"), "I") or _table(data, boxes.get(b"co64"), "Q")
    if not offsets or b"stsc" not in boxes or b"stsz" not in boxes:
        return 0
    last_offset = max(offsets)
    chunk = offsets.index(last_offset) + 1  # 1-based, as stsc counts chunks
    first_sample, per_chunk = _chunk_samples(data, boxes[b"stsc"], chunk, container)
    stsz = boxes[b"stsz"][0]
    sample_size = int.from_bytes(data[stsz + 4 : stsz + 8], "big")
    sample_count = int.from_bytes(data[stsz + 8 : stsz + 12], "big")
    if first_sample + per_chunk > sample_count:
        raise _unparseable(container, "its sample tables disagree")
    if sample_size:
        return last_offset + per_chunk * sample_size
    table = stsz + 12 + 4 * first_sample
    if table + 4 * per_chunk > boxes[b"stsz"][1]:
        raise _unparseable(container, "its sample size table is damaged")
    sizes: tuple[int, ...] = struct.unpack_from(f">{per_chunk}I", data, table)
    return last_offset + sum(sizes)


def _chunk_samples(
    data: bytes, stsc: tuple[int, int], chunk: int, container: str
) -> tuple[int, int]:
    """(index of the chunk's first sample, samples in the chunk) from the sample-to-chunk runs."""
    count = int.from_bytes(data[stsc[0] + 4 : stsc[0] + 8], "big")
    if stsc[0] + 8 + 12 * count > stsc[1] or count == 0:
        raise _unparseable(container, "its sample-to-chunk table is damaged")
    runs = struct.iter_unpack(">III", memoryview(data)[stsc[0] + 8 : stsc[0] + 8 + 12 * count])
    first_sample = 0
    first_chunk, samples, _ = next(runs)
    if first_chunk != 1:
        raise _unparseable(container, "its sample-to-chunk table is damaged")
    for next_chunk, next_samples, _ in runs:
        if next_chunk <= first_chunk:
            raise _unparseable(container, "its sample-to-chunk table is damaged")
        if chunk < next_chunk:
            break
        first_sample += (next_chunk - first_chunk) * samples
        first_chunk, samples = next_chunk, next_samples
    return int(first_sample + (chunk - first_chunk) * samples), int(samples)


def _table(data: bytes, box: tuple[int, int] | None, code: Literal["I", "Q"]) -> array[int]:
    values: array[int] = array(code)
    if box is None:
        return values
    count = int.from_bytes(data[box[0] + 4 : box[0] + 8], "big")
    begin, end = box[0] + 8, box[0] + 8 + count * values.itemsize
    if end > box[1]:
        raise ValueError("chunk offset table overruns its box")
    values.frombytes(data[begin:end])
    if sys.byteorder == "little":
        values.byteswap()
    return values


def _inspect_mp4(reader: _Reader) -> _Parsed:
    container = "mp4" if reader.read_at(8, 4) not in {b"M4A ", b"M4B ", b"M4P "} else "m4a"
    tracks = _check_mp4(reader, container)
    audio_tracks = [track for track in tracks if track.handler == b"soun"]
    video_tracks = [track for track in tracks if track.handler == b"vide"]
    if not audio_tracks:
        raise MediaRejected(
            "no_audio",
            "This video has no sound track; upload a version with sound, or an audio file.",
        )
    container = "mp4" if video_tracks else "m4a"
    audio = _load(MP4, reader, container)
    codec = _mp4_audio_codec(str(getattr(audio.info, "codec", "")))
    if video_tracks:
        entry = video_tracks[0].sample_entry
        video = _VIDEO_CODECS.get(entry, entry.decode("latin-1").strip().lower() or "video")
        codec = f"{codec}+{video}"
    tags = audio.tags

    def first(key: str) -> object:
        return tags.get(key, [""])[0] if tags is not None else ""

    covers = [(3, bytes(cover)) for cover in (tags.get("covr", []) if tags is not None else [])]
    return _Parsed(
        container=container,
        codec=codec,
        duration=float(audio.info.length),
        bitrate=int(audio.info.bitrate),
        sample_rate=int(getattr(audio.info, "sample_rate", 0)),
        channels=int(getattr(audio.info, "channels", 0)),
        has_video=bool(video_tracks),
        tags=_tags(first("\xa9nam"), first("\xa9ART"), first("\xa9alb"), first("\xa9cmt")),
        cover=_cover(covers),
    )


def _mp4_audio_codec(codec: str) -> str:
    lowered = codec.lower()
    if lowered.startswith("mp4a.40") or lowered == "mp4a":
        return "aac"
    if lowered in {"mp4a.69", "mp4a.6b"}:
        return "mp3"
    return {"alac": "alac", "ac-3": "ac3", "ec-3": "eac3", "opus": "opus", "flac": "flac"}.get(
        lowered, lowered or "unknown"
    )


_INSPECTORS: dict[str, Callable[[_Reader], _Parsed]] = {
    "wav": _inspect_wav,
    "flac": _inspect_flac,
    "mp3": _inspect_mp3,
    "ogg_vorbis": _inspect_ogg_vorbis,
    "ogg_opus": _inspect_ogg_opus,
    "m4a": _inspect_mp4,
    "mp4": _inspect_mp4,
}
