"""Ogg Vorbis and Opus: the header pages must be present, and the file must end with a whole
page carrying the end-of-stream flag whose granule position agrees with the stated length."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from wellness.catalog.formats.common import (
    HEAD_SIZE,
    MAX_BOXES,
    MAX_METADATA_BYTES,
    FormatSpec,
    MediaRejected,
    Parsed,
    Reader,
    Sniffed,
    Verdict,
    crc_table,
    from_info,
    load,
    truncated,
    unparseable,
)
from wellness.catalog.formats.tags import cover, vorbis_pictures, vorbis_tags

_OGG_TAIL = 65_307 + 4096  # the largest possible page, and a margin


def sniff(head: bytes) -> Sniffed | None:
    if not head.startswith(b"OggS"):
        return None
    # First page: 27-byte header, lacing table, then the first packet of the first stream.
    if len(head) < 28:
        return OGG_VORBIS.sniffed("an Ogg file")
    segments = head[26]
    packet = head[27 + segments : 27 + segments + 16]
    if packet.startswith(b"OpusHead"):
        return OPUS.sniffed()
    if packet.startswith(b"\x01vorbis"):
        return OGG_VORBIS.sniffed()
    for magic, description in _OTHER_CODECS:
        if packet.startswith(magic):
            return Sniffed(Verdict.UNSUPPORTED, description)
    return Sniffed(Verdict.UNSUPPORTED, "an Ogg file with a codec other than Vorbis or Opus")


_OTHER_CODECS = (
    (b"\x7fFLAC", "an Ogg FLAC file"),
    (b"Speex   ", "an Ogg Speex file"),
    (b"\x80theora", "an Ogg Theora video"),
    (b"fishead\x00", "an Ogg video with a skeleton track"),
    (b"OVP80", "an Ogg VP8 video"),
)


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


_CRC32 = crc_table(0x04C11DB7, 32)


def _crc32(data: memoryview | bytes | bytearray) -> int:
    crc, table = 0, _CRC32
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ table[(crc >> 24) ^ byte]
    return crc


def _ogg_crc_ok(data: bytes, at: int, end: int) -> bool:
    page = bytearray(data[at:end])
    stored = int.from_bytes(page[22:26], "little")
    page[22:26] = b"\x00\x00\x00\x00"
    return _crc32(page) == stored


# Candidate last pages (ending exactly at the file's end) whose CRC is checked before giving up:
# a real file's is the first; a crafted one with hundreds cost a CRC over the tail each.
MAX_PAGE_CHECKS = 16


def _check_ogg(reader: Reader, spec: FormatSpec) -> tuple[_OggPage, _OggPage]:
    """The file must end with a whole page (valid CRC, ending exactly at the end of the file)
    that carries the end-of-stream flag. A cut file ends mid-page, or, cut exactly between
    pages, on a page without the flag. Returns the first and the last page."""
    head = reader.read_at(0, HEAD_SIZE)
    first = _ogg_page(head, 0)
    if first is None or first.length > reader.size:
        if len(head) < 27 + (head[26] if len(head) > 26 else 0) or first is not None:
            raise truncated(spec, "the file ends inside its first Ogg page")
        raise unparseable(spec, "its first Ogg page is invalid")
    if not first.flags & 0x02:
        raise unparseable(spec, "its first Ogg page doesn't start a stream")
    _check_ogg_headers(reader, spec, first.serial, 3 if spec is OGG_VORBIS else 2)
    length = min(reader.size, _OGG_TAIL)
    window = reader.read_at(reader.size - length, length)
    position = len(window)
    why: MediaRejected | None = None  # decided by the latest candidate page
    checks = 0
    while True:
        position = window.rfind(b"OggS", 0, position)
        if position < 0 or checks >= MAX_PAGE_CHECKS:
            raise why or unparseable(spec, "it has no complete Ogg page at its end")
        page = _ogg_page(window, position)
        end = position + page.length if page is not None else len(window) + 1
        if page is not None and end == len(window):
            checks += 1
            if _ogg_crc_ok(window, position, end):
                break
        if why is None:
            trailing = window[end:]
            if end > len(window) or (len(trailing) < 27 and b"OggS".startswith(trailing[:4])):
                why = truncated(spec, "its last Ogg page is cut off")
            else:
                why = unparseable(spec, "its last Ogg page is damaged")
    if not page.flags & 0x04:
        raise truncated(spec, "it stops before its end-of-stream marker")
    return first, page


def _check_ogg_headers(reader: Reader, spec: FormatSpec, serial: int, packets: int) -> None:
    """Walk the pages holding the header packets (identification, comments and, for Vorbis,
    setup): they must be present, and no larger than mutagen may safely read into memory."""
    position = completed = total = 0
    for _ in range(MAX_BOXES):
        header = reader.read_at(position, 27)
        if len(header) < 27:
            raise truncated(spec, "the file ends inside its header pages")
        if header[:4] != b"OggS":
            raise unparseable(spec, "its header pages are damaged")
        lacing = reader.read_at(position + 27, header[26])
        if len(lacing) < header[26]:
            raise truncated(spec, "the file ends inside its header pages")
        if int.from_bytes(header[14:18], "little") == serial:
            completed += sum(1 for value in lacing if value < 255)
        total += sum(lacing)
        if total > MAX_METADATA_BYTES:
            raise unparseable(spec, "its tags and pictures are larger than 32 MB")
        position += 27 + len(lacing) + sum(lacing)
        if position > reader.size:
            raise truncated(spec, "the file ends inside its header pages")
        if completed >= packets:
            return
    raise unparseable(spec, "its header pages are damaged")


def _check_granule(
    spec: FormatSpec, first: _OggPage, last: _OggPage, seconds: float, length: float
) -> None:
    if last.serial == first.serial and last.granule >= 0 and abs(seconds - length) > 0.5:
        raise truncated(spec, "its last page disagrees with its stated length")


def inspect_vorbis(reader: Reader) -> Parsed:
    first, last = _check_ogg(reader, OGG_VORBIS)
    audio = load(OggVorbis, reader, OGG_VORBIS)
    rate = int(audio.info.sample_rate)
    length = float(audio.info.length)
    _check_granule(OGG_VORBIS, first, last, last.granule / rate if rate else 0.0, length)
    found, art = vorbis_tags(audio.tags), cover(vorbis_pictures(audio.tags))
    return from_info(OGG_VORBIS, "vorbis", audio.info, found, art)


def inspect_opus(reader: Reader) -> Parsed:
    first, last = _check_ogg(reader, OPUS)
    audio = load(OggOpus, reader, OPUS)
    length = float(audio.info.length)
    head = reader.read_at(0, HEAD_SIZE)
    pre_skip = int.from_bytes(head[head.find(b"OpusHead") + 10 :][:2], "little")
    _check_granule(OPUS, first, last, (last.granule - pre_skip) / 48_000, length)
    found, art = vorbis_tags(audio.tags), cover(vorbis_pictures(audio.tags))
    # Opus always decodes at 48 kHz.
    return from_info(OPUS, "opus", audio.info, found, art, sample_rate=48_000)


OGG_VORBIS = FormatSpec(
    container="ogg_vorbis",
    mime_type="audio/ogg",
    extension="ogg",
    label="Ogg Vorbis",
    name="Ogg",
    description="an Ogg Vorbis file",
    picker=(".ogg", ".oga"),
    sniff=sniff,
    inspect=inspect_vorbis,
)

OPUS = FormatSpec(
    container="ogg_opus",
    mime_type="audio/ogg",
    extension="opus",
    label="Opus",
    description="an Opus file",
    sniff=sniff,
    inspect=inspect_opus,
)
