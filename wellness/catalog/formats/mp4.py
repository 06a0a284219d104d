"""M4A and MP4 (ISO base media): every top-level box must fit the file, the moov index must
be there, and every track's last chunk of samples must end inside the file. An MP4 without a
video track is stored as M4A."""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from mutagen import mp4 as mutagen_mp4

from wellness.catalog.formats.common import (
    MAX_BOXES,
    MAX_METADATA_BYTES,
    FormatSpec,
    MediaRejected,
    Parsed,
    Reader,
    Sniffed,
    SniffStage,
    Verdict,
    from_info,
    load,
    percent,
    truncated,
    unparseable,
)
from wellness.catalog.formats.tags import cover, tags

# ISO base media brands: audio-only, images, QuickTime.
_M4A_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
_IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_IMAGE_BRANDS |= {b"avif", b"avis", b"jpx ", b"jp2 ", b"crx "}
_QUICKTIME_BOXES = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}

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


def sniff(head: bytes) -> Sniffed | None:
    """The major brand tells audio-only (M4A) from the rest; the tracks decide later."""
    if head[4:8] in _QUICKTIME_BOXES:
        return Sniffed(Verdict.UNSUPPORTED, "a QuickTime movie")
    if head[4:8] != b"ftyp":
        return None
    major = head[8:12]
    if major == b"qt  ":
        return Sniffed(Verdict.UNSUPPORTED, "a QuickTime (MOV) movie")
    if major in _IMAGE_BRANDS:
        return Sniffed(Verdict.NOT_MEDIA, "an HEIF/AVIF image")
    if major in _M4A_BRANDS:
        return M4A.sniffed()
    return MP4.sniffed()


@dataclass(slots=True)
class _Track:
    handler: bytes = b""
    sample_entry: bytes = b""
    data_end: int = 0


def _check_mp4(reader: Reader, spec: FormatSpec) -> list[_Track]:
    """Every top-level box must fit in the file, the moov index must be present, and every
    track's last chunk of samples (from stco/co64, stsc and stsz) must end inside the file.

    A cut upload ends inside a box (usually mdat, or moov when it is written last), or loses
    the moov box entirely when the cut falls between mdat and a trailing moov.
    """
    position, moov, mdat = 0, None, False
    for _ in range(MAX_BOXES):
        if position >= reader.size:
            break
        header = reader.read_at(position, 16)
        if len(header) < 8:
            raise truncated(spec, "it ends inside a box header")
        size, kind = int.from_bytes(header[:4], "big"), header[4:8]
        header_length = 8
        if not all(0x20 <= byte <= 0x7E for byte in kind):
            raise unparseable(spec, "it contains data that isn't MP4 boxes")
        if size == 1:
            if len(header) < 16:
                raise truncated(spec, "it ends inside a box header")
            size, header_length = int.from_bytes(header[8:16], "big"), 16
        elif size == 0:
            size = reader.size - position
        if size < header_length:
            raise unparseable(spec, "a box has an impossible size")
        if position + size > reader.size:
            name = _BOX_NAMES.get(kind, f"{kind.decode('latin-1')!r} box")
            raise truncated(
                spec,
                f"only {percent(reader.size - position, size)} of its {name} is present",
            )
        if kind == b"moov" and moov is None:
            moov = (position + header_length, position + size)
        mdat = mdat or kind == b"mdat"
        position += size
    else:
        raise unparseable(spec, "it has too many boxes")
    if moov is None:
        if mdat:
            raise truncated(spec, "its index is missing")
        raise unparseable(spec, "it has no index (moov box)")
    if moov[1] - moov[0] > MAX_METADATA_BYTES:
        raise unparseable(spec, "its index (moov box) is larger than 32 MB")
    data = reader.read_at(moov[0], moov[1] - moov[0])
    tracks = [
        _parse_track(data, start, stop, spec)
        for kind, start, stop in _boxes(data, 0, len(data), spec)
        if kind == b"trak"
    ]
    for track in tracks:
        if track.data_end > reader.size:
            raise truncated(spec, "its samples point past the end of the file")
    return tracks


def _boxes(
    data: bytes, start: int, stop: int, spec: FormatSpec
) -> Iterator[tuple[bytes, int, int]]:
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
            raise unparseable(spec, "its index (moov box) is damaged")
        yield kind, position + header, position + size
        position += size


def _child(
    data: bytes, start: int, stop: int, path: tuple[bytes, ...], spec: FormatSpec
) -> tuple[int, int] | None:
    for kind, body, end in _boxes(data, start, stop, spec):
        if kind == path[0]:
            return (body, end) if len(path) == 1 else _child(data, body, end, path[1:], spec)
    return None


def _parse_track(data: bytes, start: int, stop: int, spec: FormatSpec) -> _Track:
    track = _Track()
    hdlr = _child(data, start, stop, (b"mdia", b"hdlr"), spec)
    if hdlr is not None:
        track.handler = data[hdlr[0] + 8 : hdlr[0] + 12]
    stbl = _child(data, start, stop, (b"mdia", b"minf", b"stbl"), spec)
    if stbl is None:
        return track
    boxes = {kind: (body, end) for kind, body, end in _boxes(data, stbl[0], stbl[1], spec)}
    if b"stsd" in boxes:
        body = boxes[b"stsd"][0]
        track.sample_entry = data[body + 12 : body + 16]
    track.data_end = _last_chunk_end(data, boxes, spec)
    return track


def _last_chunk_end(data: bytes, boxes: dict[bytes, tuple[int, int]], spec: FormatSpec) -> int:
    """Where the track's data ends: its highest chunk offset plus that chunk's sample sizes."""
    offsets = _table(data, boxes.get(b"stco"), "I") or _table(data, boxes.get(b"co64"), "Q")
    if not offsets or b"stsc" not in boxes or b"stsz" not in boxes:
        return 0
    last_offset = max(offsets)
    chunk = offsets.index(last_offset) + 1  # 1-based, as stsc counts chunks
    first_sample, per_chunk = _chunk_samples(data, boxes[b"stsc"], chunk, spec)
    stsz = boxes[b"stsz"][0]
    sample_size = int.from_bytes(data[stsz + 4 : stsz + 8], "big")
    sample_count = int.from_bytes(data[stsz + 8 : stsz + 12], "big")
    if first_sample + per_chunk > sample_count:
        raise unparseable(spec, "its sample tables disagree")
    if sample_size:
        return last_offset + per_chunk * sample_size
    table = stsz + 12 + 4 * first_sample
    if table + 4 * per_chunk > boxes[b"stsz"][1]:
        raise unparseable(spec, "its sample size table is damaged")
    sizes: tuple[int, ...] = struct.unpack_from(f">{per_chunk}I", data, table)
    return last_offset + sum(sizes)


def _chunk_samples(
    data: bytes, stsc: tuple[int, int], chunk: int, spec: FormatSpec
) -> tuple[int, int]:
    """(index of the chunk's first sample, samples in the chunk) from the sample-to-chunk runs."""
    count = int.from_bytes(data[stsc[0] + 4 : stsc[0] + 8], "big")
    if stsc[0] + 8 + 12 * count > stsc[1] or count == 0:
        raise unparseable(spec, "its sample-to-chunk table is damaged")
    runs = struct.iter_unpack(">III", memoryview(data)[stsc[0] + 8 : stsc[0] + 8 + 12 * count])
    first_sample = 0
    first_chunk, samples, _ = next(runs)
    if first_chunk != 1:
        raise unparseable(spec, "its sample-to-chunk table is damaged")
    for next_chunk, next_samples, _ in runs:
        if next_chunk <= first_chunk:
            raise unparseable(spec, "its sample-to-chunk table is damaged")
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


def inspect(reader: Reader) -> Parsed:
    spec = MP4 if reader.read_at(8, 4) not in {b"M4A ", b"M4B ", b"M4P "} else M4A
    tracks = _check_mp4(reader, spec)
    audio_tracks = [track for track in tracks if track.handler == b"soun"]
    video_tracks = [track for track in tracks if track.handler == b"vide"]
    if not audio_tracks:
        raise MediaRejected(
            "no_audio",
            "This video has no sound track; upload a version with sound, or an audio file.",
        )
    spec = MP4 if video_tracks else M4A
    audio = load(mutagen_mp4.MP4, reader, spec)
    codec = _audio_codec(str(getattr(audio.info, "codec", "")))
    if codec not in _PLAYABLE_AUDIO:
        raise MediaRejected(
            "unsupported_codec",
            f"This {spec.noun}'s audio is {_CODEC_NAMES.get(codec, f'in the format “{codec}”')}, "
            "which browsers can't play; export it with AAC audio, or as MP3.",
        )
    if video_tracks:
        entry = video_tracks[0].sample_entry
        video = _VIDEO_CODECS.get(entry, entry.decode("latin-1").strip().lower() or "video")
        codec = f"{codec}+{video}"
    found = audio.tags

    def first(key: str) -> object:
        return found.get(key, [""])[0] if found is not None else ""

    covers = [(3, bytes(art)) for art in (found.get("covr", []) if found is not None else [])]
    text = tags(first("\xa9nam"), first("\xa9ART"), first("\xa9alb"), first("\xa9cmt"))
    return from_info(spec, codec, audio.info, text, cover(covers), has_video=bool(video_tracks))


# What every current browser plays inside MP4 (ALAC, AC-3 and E-AC-3 play in Safari alone).
_PLAYABLE_AUDIO = frozenset({"aac", "mp3", "opus", "flac"})
_CODEC_NAMES = {"alac": "Apple Lossless (ALAC)", "ac3": "Dolby AC-3", "eac3": "Dolby E-AC-3"}


def _audio_codec(codec: str) -> str:
    lowered = codec.lower()
    if lowered.startswith("mp4a.40") or lowered == "mp4a":
        return "aac"
    if lowered in {"mp4a.69", "mp4a.6b"}:
        return "mp3"
    return {"alac": "alac", "ac-3": "ac3", "ec-3": "eac3", "opus": "opus", "flac": "flac"}.get(
        lowered, lowered or "unknown"
    )


M4A = FormatSpec(
    container="m4a",
    mime_type="audio/mp4",
    label="M4A",
    description="an M4A file",
    picker=(".m4a", ".aac"),
    sniff=sniff,
    inspect=inspect,
    stage=SniffStage.BOX,
)

MP4 = FormatSpec(
    container="mp4",
    mime_type="video/mp4",
    label="MP4 video",
    name="MP4",
    description="an MP4 video",
    picker=(".mp4", ".m4v"),
    sniff=sniff,
    inspect=inspect,
    stage=SniffStage.BOX,
)
