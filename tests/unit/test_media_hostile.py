"""Hostile uploads found by fuzzing `inspect_media`: each is built here, byte by byte, from a
valid fixture file, and must be refused with `MediaRejected`, never crash or stall the server.

Three inputs once crashed the validation (mutagen recursed through nested MP4 boxes or ID3
chapter frames until RecursionError), two froze it (a backtracking markup regex, and a sniffer
that recursed once per stacked ID3 header), and three made an end-of-file scan quadratic (FLAC,
MP3 and Ogg look for the last frame or page). The scans are not timed: a counting wrapper
around the expensive step shows the work stays bounded, and the same wrapper on a valid file
shows the caps never get in the way of a real file.
"""

from __future__ import annotations

import contextlib
import struct
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests import media_fixtures as mf
from wellness.catalog.formats import flac, mp3, ogg
from wellness.catalog.formats.flac import MAX_FRAME_CHECKS
from wellness.catalog.formats.ogg import MAX_PAGE_CHECKS
from wellness.catalog.validation import MediaRejected, inspect_media

Call = tuple[tuple[Any, ...], Any]  # a wrapped function's arguments and its result


def rejected(path: Path) -> MediaRejected:
    with pytest.raises(MediaRejected) as caught:
        inspect_media(path)
    return caught.value


def recording(monkeypatch: pytest.MonkeyPatch, module: ModuleType, name: str) -> list[Call]:
    """Wrap `module.name` for this test; the returned list fills with each call made."""
    original: Callable[..., Any] = getattr(module, name)
    calls: list[Call] = []

    def wrapper(*args: Any) -> Any:
        result = original(*args)
        calls.append((args, result))
        return result

    monkeypatch.setattr(module, name, wrapper)
    return calls


@contextlib.contextmanager
def little_stack_to_spare(frames: int) -> Iterator[None]:
    """Allow only `frames` more Python frames than the caller already uses, as for a call made
    deep inside a server's stack."""
    depth = sum(1 for _ in traceback.walk_stack(None))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


# -- building blocks -----------------------------------------------------------------------------


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def _inside_trailing_moov(mp4: bytes, payload: bytes) -> bytes:
    """`payload` appended to the body of the moov box, which must be the file's last box (so no
    chunk offset moves)."""
    position = 0
    while position < len(mp4):
        size, kind = struct.unpack_from(">I4s", mp4, position)
        if kind == b"moov":
            assert position + size == len(mp4), "moov must be the last box"
            return mp4[:position] + _box(b"moov", mp4[position + 8 :] + payload)
        position += size
    raise AssertionError("no moov box")


def _synchsafe(value: int) -> bytes:
    return bytes((value >> shift) & 0x7F for shift in (21, 14, 7, 0))


def _id3v24_frame(frame_id: bytes, body: bytes) -> bytes:
    return frame_id + _synchsafe(len(body)) + b"\x00\x00" + body


def _id3v24_tag(frames: bytes) -> bytes:
    return b"ID3\x04\x00\x00" + _synchsafe(len(frames)) + frames


# What follows a chapter frame's element id ("c") and comes before its sub-frames.
_CHAPTER_FIELDS = {
    b"CHAP": bytes(16),  # start and end times, start and end byte offsets
    b"CTOC": b"\x03\x00",  # flags (top level, ordered), no child entries
}


def _nested_chapters(depth: int, frame_id: bytes) -> bytes:
    """An ID3v2.4 tag whose CHAP (or CTOC) frame holds another as its sub-frame, `depth` deep,
    around a title."""
    inner = _id3v24_frame(b"TIT2", b"\x03x\x00")
    for _ in range(depth):
        inner = _id3v24_frame(frame_id, b"c\x00" + _CHAPTER_FIELDS[frame_id] + inner)
    return _id3v24_tag(inner)


def _wav_with_chunk(wav: bytes, chunk_id: bytes, body: bytes) -> bytes:
    """`wav` with one more chunk at the end of its RIFF form (padded to an even length)."""
    chunk = chunk_id + struct.pack("<I", len(body)) + body + b"\x00" * (len(body) % 2)
    form = wav[8:] + chunk
    return b"RIFF" + struct.pack("<I", len(form)) + form


def _flac_packed_with_frame_headers(valid: bytes, size: int, step: int) -> tuple[bytes, int]:
    """A FLAC whose audio is `size` bytes of zeros with a copy of a real frame header every
    `step` bytes, each passing its CRC-8, and a CRC-16 at the end that none of them matches.

    STREAMINFO declares the largest possible frame (so the whole audio is the tail scanned for
    the last frame) and no total. Returns the file and the number of frame headers in it.
    """
    position = 4
    while True:  # to the first audio frame, past every metadata block
        last, length = valid[position] & 0x80, int.from_bytes(valid[position + 1 : position + 4])
        position += 4 + length
        if last:
            break
    crc8_at = next(
        n for n in range(5, 16) if flac._crc8(valid[position : position + n]) == valid[position + n]
    )
    frame_header = valid[position : position + crc8_at + 1]  # up to and with its CRC-8
    streaminfo = bytearray(valid[8:42])
    streaminfo[7:10] = b"\xff\xff\xff"  # maximum frame size: the scan window is the whole audio
    packed = int.from_bytes(streaminfo[10:18]) & ~((1 << 36) - 1)
    streaminfo[10:18] = packed.to_bytes(8)  # total samples: unknown
    audio = bytearray(size)
    starts = range(0, size - 64, step)
    for start in starts:
        audio[start : start + len(frame_header)] = frame_header
    audio[-2:] = b"\x00\x01"
    metadata = b"fLaC" + b"\x80" + (34).to_bytes(3) + bytes(streaminfo)
    return metadata + bytes(audio), len(starts)


def _ogg_page_header(length: int) -> bytes:
    """The header of an end-of-stream Ogg page `length` bytes long in all, with a zero CRC."""
    segments = -(-(length - 27) // 256)  # the fewest lacing values that can describe the body
    assert segments <= 255
    body = length - 27 - segments
    lacing = bytes(min(255, max(0, body - 255 * index)) for index in range(segments))
    header = b"OggS\x00\x04" + struct.pack("<qII", 4800, 0x1234, 99) + bytes(4)
    return header + bytes([segments]) + lacing


def _ogg_with_fake_last_pages(valid: bytes, tail: int) -> tuple[bytes, int]:
    """The header pages of a valid Ogg Vorbis file, then `tail` bytes made of page headers
    packed one after another, each declaring a page that runs exactly to the end of the file.
    Returns the file and the number of such candidate last pages."""
    position = packets = 0
    while packets < 3:  # identification, comments, setup
        lacing = valid[position + 27 : position + 27 + valid[position + 26]]
        packets += sum(1 for value in lacing if value < 255)
        position += 27 + len(lacing) + sum(lacing)
    body = bytearray(tail)
    at = count = 0
    while at < tail - 27:
        header = _ogg_page_header(tail - at)
        body[at : at + len(header)] = header
        at += len(header)
        count += 1
    return valid[:position] + bytes(body), count


# -- inputs that crashed: RecursionError in mutagen --------------------------------------------


def test_deeply_nested_mp4_boxes_are_refused_not_a_crash(tmp_path: Path) -> None:
    m4a = mf.make_m4a(tmp_path, 0.3, sample_rate=8000).read_bytes()
    nested = b""
    for _ in range(1000):  # 8 KB of udta boxes, each the only child of the one around it
        nested = _box(b"udta", nested)
    path = mf.write_bytes(tmp_path, "nested.m4a", _inside_trailing_moov(m4a, nested))

    assert rejected(path).code == "unparseable"


@pytest.mark.parametrize("frame_id", [b"CHAP", b"CTOC"])
def test_deeply_nested_id3_chapters_in_an_mp3_are_refused_not_a_crash(
    tmp_path: Path, frame_id: bytes
) -> None:
    audio = mf.make_mp3(tmp_path, 0.5, xing=False, sample_rate=22_050, bit_rate=32_000)
    data = _nested_chapters(400, frame_id) + audio.read_bytes()
    path = mf.write_bytes(tmp_path, "chapters.mp3", data)

    assert rejected(path).code == "unparseable"


def test_deeply_nested_id3_chapters_in_a_wav_are_refused_not_a_crash(tmp_path: Path) -> None:
    wav = mf.make_wav(tmp_path, 0.2, sample_rate=8000).read_bytes()
    data = _wav_with_chunk(wav, b"id3 ", _nested_chapters(400, b"CHAP"))
    path = mf.write_bytes(tmp_path, "chapters.wav", data)

    assert rejected(path).code == "unparseable"


# -- inputs that froze the sniffer -----------------------------------------------------------------


def test_html_comments_that_made_the_markup_regex_backtrack_are_refused_at_once(
    tmp_path: Path,
) -> None:
    # The old regex's `(?:<!--.*?-->\s*)*` tried every way to split the run of comments, twice
    # as long for each comment more: half a second for 22, minutes for these 30, and the server
    # stood still meanwhile. This test hangs on it.
    path = mf.write_bytes(tmp_path, "comments.mp3", b"<!---->" * 30 + b"x")

    error = rejected(path)

    assert error.code == "not_media"
    assert "a text file" in error.message


def test_markup_after_a_long_run_of_comments_is_still_recognised(tmp_path: Path) -> None:
    path = mf.write_bytes(tmp_path, "page.mp3", b"<!---->\n" * 200 + b"<html><body>")

    error = rejected(path)

    assert error.code == "not_media"
    assert "an HTML page" in error.message


def test_a_file_of_empty_id3_headers_is_refused_without_recursing(tmp_path: Path) -> None:
    # 3000 empty ID3v2.4 tags, 10 bytes each: the sniffed head holds 819 of them, and the old
    # sniffer called itself once for each, so a caller with fewer than ~820 frames to spare got
    # a RecursionError. The iterative one needs a few dozen however many there are.
    path = mf.write_bytes(tmp_path, "stacked.mp3", (b"ID3\x04\x00" + bytes(5)) * 3000)

    with little_stack_to_spare(200):
        error = rejected(path)

    assert error.code == "unparseable"
    assert "MP3" in error.message


# -- end-of-file scans that went quadratic -----------------------------------------------------


def test_a_flac_tail_packed_with_frame_headers_costs_a_bounded_number_of_crc_checks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    valid = mf.make_flac(tmp_path, 0.3, sample_rate=8000).read_bytes()
    data, headers = _flac_packed_with_frame_headers(valid, 64 * 1024, 64)
    path = mf.write_bytes(tmp_path, "packed.flac", data)
    crc16 = recording(monkeypatch, flac, "_crc16")

    error = rejected(path)

    # Each of the 1023 headers passes its CRC-8; the old scan then ran a CRC-16 from each to the
    # end of the window: 1023 CRC-16s over 33.6 MB in all, seconds here and hours for the 4 MB
    # window a large file gets. The scan now gives up after MAX_FRAME_CHECKS (16): 9.7 KB here.
    assert headers == 1023
    assert 0 < len(crc16) <= MAX_FRAME_CHECKS
    assert error.code == "truncated"
    assert "last audio frame is cut off" in error.message


def test_an_mp3_tail_packed_with_frame_headers_is_walked_in_linear_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # FF F3 14 C0: MPEG-2 layer III at 8 kbit/s and 24 kHz, mono, a 24-byte frame. Repeated, every
    # 4th byte starts a frame and every frame's end is another frame's start, so a chain of
    # frames runs from each of the 4096 headers to the end of the 16 KB tail window, where the
    # last one overhangs the 2 stray bytes. The old scan walked the chain from each header:
    # 1,399,476 header parses in the whole inspection. Walking each frame start once: 4,104.
    header = bytes.fromhex("fff314c0")
    frame = mp3.mpeg_frame(header)
    assert frame is not None
    assert frame.length == 24
    data = header * 4096 + b"\x01\x02"
    path = mf.write_bytes(tmp_path, "packed.mp3", data)
    parses = recording(monkeypatch, mp3, "mpeg_frame")

    error = rejected(path)

    # At most two parses per frame header in the file (one as a link of a chain, one where a
    # chain stops), and a few at the start: linear, and 170 times below the old count.
    assert len(parses) <= 2 * data.count(header)
    assert error.code == "truncated"
    assert "last audio frame is cut off" in error.message


def test_an_ogg_tail_packed_with_candidate_pages_costs_a_bounded_number_of_crc_checks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    valid = mf.make_ogg_vorbis(tmp_path, 0.3, sample_rate=8000).read_bytes()
    data, candidates = _ogg_with_fake_last_pages(valid, 65_000)
    path = mf.write_bytes(tmp_path, "packed.ogg", data)
    crc_checks = recording(monkeypatch, ogg, "_ogg_crc_ok")

    error = rejected(path)

    # Every fake page ends exactly at the end of the file, so the old scan checked the CRC of
    # each, over the rest of the tail: 595 CRCs over 12.5 MB in all. The scan now gives up
    # after MAX_PAGE_CHECKS (16): 3.9 KB here.
    assert candidates == 595
    assert 0 < len(crc_checks) <= MAX_PAGE_CHECKS
    assert error.code == "truncated"
    assert "last Ogg page is cut off" in error.message


# -- the caps leave real files alone ---------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda d: mf.make_flac(d, 3.0),
        lambda d: mf.make_flac(d, 7.0, 2, sample_rate=22_050),
        lambda d: mf.with_id3v1(mf.make_flac(d, 1.0)),
    ],
    ids=["mono", "stereo", "id3v1-at-the-end"],
)
def test_a_valid_flac_finds_its_last_frame_at_the_first_crc_check(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, make: Callable[[Path], Path]
) -> None:
    path = make(tmp_path)
    crc16 = recording(monkeypatch, flac, "_crc16")

    assert inspect_media(path).container == "flac"
    assert len(crc16) == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda d: mf.make_mp3(d, 3.0, xing=False),
        lambda d: mf.make_mp3(d, 5.0, 2, xing=False, bit_rate=128_000),
        lambda d: mf.make_mp3(d, 2.0, xing=False, sample_rate=22_050, bit_rate=32_000),
    ],
    ids=["mono", "stereo", "shorter-than-the-window"],
)
def test_a_valid_mp3_finds_its_last_frame_in_the_first_chain_it_walks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, make: Callable[[Path], Path]
) -> None:
    # Without a Xing header the tail must end with a whole frame. The scan tries each 0xFF in
    # the tail window; those inside audio data start no frame, and the first that does starts
    # the chain of real frames that runs to the end.
    path = make(tmp_path)
    chains = recording(monkeypatch, mp3, "_chain_starts")

    assert inspect_media(path).container == "mp3"
    walked = [(args[0], result) for args, result in chains if result[0]]
    assert len(walked) == 1
    window, (starts, stop) = walked[0]
    assert len(starts) >= 3
    assert stop == len(window)


@pytest.mark.parametrize(
    ("make", "container"),
    [
        (lambda d: mf.make_ogg_vorbis(d, 3.0), "ogg_vorbis"),
        (lambda d: mf.make_ogg_vorbis(d, 8.0, 2, sample_rate=22_050), "ogg_vorbis"),
        (lambda d: mf.make_opus(d, 3.0), "ogg_opus"),
    ],
    ids=["vorbis", "vorbis-stereo", "opus"],
)
def test_a_valid_ogg_finds_its_last_page_at_the_first_crc_check(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    make: Callable[[Path], Path],
    container: str,
) -> None:
    path = make(tmp_path)
    crc_checks = recording(monkeypatch, ogg, "_ogg_crc_ok")

    assert inspect_media(path).container == container
    assert len(crc_checks) == 1
