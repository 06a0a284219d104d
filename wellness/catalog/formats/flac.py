"""FLAC: metadata blocks, then the last frame, which must be whole and reach the total
number of samples STREAMINFO declares."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from mutagen import flac as mutagen_flac

from wellness.catalog.formats.common import (
    MAX_CHUNKS,
    MAX_METADATA_BYTES,
    FormatSpec,
    Parsed,
    Reader,
    Sniffed,
    audio_end,
    crc_table,
    from_info,
    id3v2_total,
    load,
    percent,
    truncated,
    unparseable,
)
from wellness.catalog.formats.tags import cover, vorbis_tags


def sniff(head: bytes) -> Sniffed | None:
    return FLAC.sniffed() if head.startswith(b"fLaC") else None


@dataclass(slots=True)
class _StreamInfo:
    max_blocksize: int
    max_framesize: int
    sample_rate: int
    total_samples: int


def _check_flac(reader: Reader, start: int) -> tuple[_StreamInfo, int]:
    """Walk the metadata blocks, then find the file's last frame and check it is whole.

    The last frame is found by scanning the tail for a frame header (sync code plus a valid
    CRC-8) whose frame runs exactly to the end of the audio with a matching CRC-16. The
    frame's sample number plus its block size must reach STREAMINFO's total samples: a cut
    file either has no whole frame at its end or ends before the total.
    Returns the stream info and the number of samples the frames actually reach.
    """
    if reader.read_at(start, 4) != b"fLaC":
        raise unparseable(FLAC, "it has no FLAC signature")
    position = start + 4
    stream_info: _StreamInfo | None = None
    metadata = 0
    for index in range(MAX_CHUNKS):
        header = reader.read_at(position, 4)
        if len(header) < 4:
            raise truncated(FLAC, "the file ends inside its metadata")
        last, block_type = header[0] & 0x80, header[0] & 0x7F
        length = int.from_bytes(header[1:4], "big")
        if index == 0 and (block_type != 0 or length < 34):
            raise unparseable(FLAC, "it has no STREAMINFO block")
        if block_type == 127:
            raise unparseable(FLAC, "it has an invalid metadata block")
        if position + 4 + length > reader.size:
            raise truncated(FLAC, "the file ends inside its metadata (tags or pictures)")
        if block_type == 0 and stream_info is None:
            stream_info = _streaminfo(reader.read_at(position + 4, 34))
        metadata += length
        if metadata > MAX_METADATA_BYTES:
            raise unparseable(FLAC, "its tags and pictures are larger than 32 MB")
        position += 4 + length
        if last:
            break
    else:
        raise unparseable(FLAC, "it has too many metadata blocks")
    assert stream_info is not None
    audio_start = position
    if audio_start >= reader.size:
        raise truncated(FLAC, "it has no audio frames after its metadata")
    if _frame_header(reader.read_at(audio_start, 16), 0) is None:
        raise unparseable(FLAC, "its audio doesn't start with a FLAC frame")
    end = audio_end(reader, audio_start)
    reached = _last_sample(reader, audio_start, end, stream_info)
    total = stream_info.total_samples
    if reached is None:
        raise truncated(FLAC, "its last audio frame is cut off")
    if total and reached < total:
        raise truncated(
            FLAC,
            f"its audio stops at {percent(reached, total)} of the length its header declares",
        )
    if total and reached > total:
        raise unparseable(FLAC, "its frames run past the length its header declares")
    return stream_info, reached


def _streaminfo(block: bytes) -> _StreamInfo:
    _min_block, max_block = struct.unpack_from(">HH", block)
    max_frame = int.from_bytes(block[7:10], "big")
    packed = int.from_bytes(block[10:18], "big")
    sample_rate = packed >> 44
    total = packed & ((1 << 36) - 1)
    if sample_rate == 0 or max_block < 16:
        raise unparseable(FLAC, "its STREAMINFO block is invalid")
    return _StreamInfo(max_block, max_frame, sample_rate, total)


# Frame headers (each passing its own CRC-8) tried from the end before giving up on finding the
# last frame. A real file's last frame is the first or second tried; a crafted one packed with
# valid-looking headers cost a CRC-16 over the rest of the window each: hours for 4 MB.
MAX_FRAME_CHECKS = 16


def _last_sample(reader: Reader, audio_start: int, end: int, info: _StreamInfo) -> int | None:
    span = end - audio_start
    want = 2 * info.max_framesize + 64 if info.max_framesize else 1 << 20
    length = min(span, max(want, 64 * 1024), 4 << 20)
    window = reader.read_at(end - length, length)
    if len(window) < 4:
        return None
    crc = int.from_bytes(window[-2:], "big")
    position = len(window) - 2
    checks = 0
    while True:
        position = window.rfind(b"\xff", 0, position)
        if position < 0 or checks >= MAX_FRAME_CHECKS:
            return None
        frame = _frame_header(window, position)
        if frame is None:
            continue
        checks += 1
        if _crc16(memoryview(window)[position:-2]) == crc:
            variable, number, blocksize = frame
            first_sample = number if variable else number * info.max_blocksize
            return first_sample + blocksize


_BLOCKSIZES = {1: 192, **{n: 576 << (n - 2) for n in range(2, 6)}}
_BLOCKSIZES |= {n: 256 << (n - 8) for n in range(8, 16)}


def _frame_header(data: bytes, at: int) -> tuple[bool, int, int] | None:
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
    blocksize = _BLOCKSIZES.get(blocksize_code, 0)
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


_CRC8 = crc_table(0x07, 8)
_CRC16 = crc_table(0x8005, 16)


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


def inspect(reader: Reader) -> Parsed:
    start = id3v2_total(reader, reader.read_at(0, 10))
    stream_info, reached = _check_flac(reader, start)
    audio = load(mutagen_flac.FLAC, reader, FLAC)
    duration = float(audio.info.length) or reached / stream_info.sample_rate
    bitrate = int(audio.info.bitrate)
    if not bitrate and duration > 0:
        bitrate = round(reader.size * 8 / duration)
    pictures = [(picture.type, picture.data) for picture in audio.pictures]
    found = vorbis_tags(audio.tags)
    return from_info(
        FLAC, "flac", audio.info, found, cover(pictures), duration=duration, bitrate=bitrate
    )


FLAC = FormatSpec(
    container="flac",
    mime_type="audio/flac",
    label="FLAC",
    description="a FLAC file",
    sniff=sniff,
    inspect=inspect,
    after_id3=True,
)
