"""MP3 (and MPEG audio layers I and II): headerless frames, found by their sync code.

The frame header parser serves both sniffing (recognising the first frame) and the check
(walking frames with the same rules)."""

from __future__ import annotations

from dataclasses import dataclass

from mutagen import mp3 as mutagen_mp3

from wellness.catalog.formats.common import (
    MAX_METADATA_BYTES,
    FormatSpec,
    Parsed,
    Reader,
    Sniffed,
    SniffStage,
    audio_end,
    from_info,
    id3v2_total,
    load,
    percent,
    truncated,
    unparseable,
)
from wellness.catalog.formats.tags import ape_tags, id3_tags

_MPEG_SCAN = 64 * 1024
_MPEG_TAIL = 16 * 1024


def leading_zeros(head: bytes) -> int:
    """Zero padding before a headerless stream starts (tolerated up to 4 KiB)."""
    return len(head) - len(head.lstrip(b"\x00"))


def sniff(head: bytes) -> Sniffed | None:
    start = leading_zeros(head)
    if start < len(head) and start <= 4096 and mpeg_frame(head[start : start + 4]) is not None:
        return MP3.sniffed()
    return None


# -- MPEG audio frames -----------------------------------------------------------------------

# Bitrates in kbit/s by (MPEG-1?, layer); index 0 is "free format" and 15 is invalid.
_BITRATES = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_VERSIONS = {3: "1", 2: "2", 0: "2.5"}


@dataclass(frozen=True, slots=True)
class MpegFrame:
    version: str  # "1", "2" or "2.5"
    layer: int  # 1, 2 or 3
    bitrate: int  # bits per second
    sample_rate: int
    channels: int
    protected: bool  # a CRC follows the header
    length: int  # bytes, header included
    samples: int  # samples per channel in this frame

    def same_stream(self, other: MpegFrame) -> bool:
        return (self.version, self.layer, self.sample_rate) == (
            other.version,
            other.layer,
            other.sample_rate,
        )


def mpeg_frame(header: bytes) -> MpegFrame | None:
    """Parse a 4-byte MPEG audio frame header; None unless every field is valid."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version_bits = (header[1] >> 3) & 0x03
    layer_bits = (header[1] >> 1) & 0x03
    bitrate_index = header[2] >> 4
    rate_index = (header[2] >> 2) & 0x03
    if version_bits == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    if header[3] & 0x03 == 2:  # reserved emphasis
        return None
    mpeg1 = version_bits == 3
    layer = 4 - layer_bits
    bitrate = _BITRATES[(mpeg1, layer)][bitrate_index] * 1000
    sample_rate = _SAMPLE_RATES[version_bits][rate_index]
    padding = (header[2] >> 1) & 0x01
    if layer == 1:
        length = (12 * bitrate // sample_rate + padding) * 4
        samples = 384
    elif layer == 2 or mpeg1:
        length = 144 * bitrate // sample_rate + padding
        samples = 1152
    else:
        length = 72 * bitrate // sample_rate + padding
        samples = 576
    return MpegFrame(
        version=_VERSIONS[version_bits],
        layer=layer,
        bitrate=bitrate,
        sample_rate=sample_rate,
        channels=1 if header[3] >> 6 == 3 else 2,
        protected=not header[1] & 0x01,
        length=length,
        samples=samples,
    )


# -- the check -------------------------------------------------------------------------------


def _check_mp3(reader: Reader, start: int) -> tuple[MpegFrame, int]:
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
    end = audio_end(reader, start)
    head = reader.read_at(start, min(_MPEG_SCAN, end - start))
    first_at = _first_frame(head, end - start)
    if first_at is None:
        stop = _chain_end(head, 0, None)
        if stop is not None and stop > len(head) == end - start:
            raise truncated(MP3, "its first audio frames are cut off")
        raise unparseable(MP3, "it has no run of valid MP3 frames near its start")
    first = mpeg_frame(head[first_at : first_at + 4])
    assert first is not None
    audio_start = start + first_at
    present = end - audio_start
    declared = _xing_bytes(head, first_at, first)
    complete = bool(declared) and (present >= declared or present + start == declared)
    if declared and present < declared * 0.99 and abs(present + start - declared) > declared * 0.01:
        raise truncated(
            MP3, f"only {percent(present, declared)} of the audio its header declares is present"
        )
    if not complete and not _ends_with_whole_frame(reader, audio_start, end, first):
        raise truncated(MP3, "its last audio frame is cut off")
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


def _chain_starts(data: bytes, at: int, like: MpegFrame) -> tuple[list[int], int]:
    """The starts of the consecutive frames of `like`'s stream from `at`, and where they stop."""
    starts, position = [], at
    while position + 4 <= len(data):
        frame = mpeg_frame(data[position : position + 4])
        if frame is None or not frame.same_stream(like):
            break
        starts.append(position)
        position += frame.length
    return starts, position


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


def _ends_with_whole_frame(reader: Reader, audio_start: int, end: int, first: MpegFrame) -> bool:
    length = min(end - audio_start, _MPEG_TAIL)
    window = reader.read_at(end - length, length)
    whole = length == end - audio_start
    padded_end = len(window.rstrip(b"\x00"))
    # A frame start already walked as part of an earlier chain ends where that chain ends, with
    # fewer frames: it cannot pass where that chain failed. Skipping it keeps a window packed
    # with frame headers linear (each position had walked the chain to the end: seconds).
    walked: set[int] = set()
    position = 0
    while True:
        position = window.find(b"\xff", position)
        if position < 0:
            return False
        if position not in walked:
            starts, stop = _chain_starts(window, position, first)
            walked.update(starts)
            if (
                starts
                and padded_end <= stop <= len(window)
                and ((whole and position == 0) or len(starts) >= 3)
            ):
                return True
        position += 1


def inspect(reader: Reader) -> Parsed:
    head = reader.read_at(0, 10)
    start = id3v2_total(reader, head)
    if start > MAX_METADATA_BYTES:
        raise unparseable(MP3, "its ID3 tag is larger than 32 MB")
    first, end = _check_mp3(reader, start)
    audio = load(mutagen_mp3.MP3, reader, MP3)
    found, cover = id3_tags(audio.tags)
    if reader.size - end <= MAX_METADATA_BYTES:  # mutagen reads an APE tag whole
        found.fill_from(ape_tags(reader))
    codec = "mp3" if first.layer == 3 else f"mp{first.layer}"
    return from_info(MP3, codec, audio.info, found, cover)


MP3 = FormatSpec(
    container="mp3",
    mime_type="audio/mpeg",
    label="MP3",
    description="an MP3 file",
    sniff=sniff,
    inspect=inspect,
    stage=SniffStage.STREAM,
    after_id3=True,
)
