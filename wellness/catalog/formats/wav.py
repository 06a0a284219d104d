"""WAV: RIFF chunks, walked by their headers so that a cut data chunk shows."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import NamedTuple

from mutagen.wave import WAVE

from wellness.catalog.formats.common import (
    MAX_CHUNKS,
    MAX_METADATA_BYTES,
    FormatSpec,
    MediaRejected,
    Parsed,
    Reader,
    Sniffed,
    Verdict,
    from_info,
    load,
    percent,
    truncated,
    unparseable,
)
from wellness.catalog.formats.tags import id3_tags, tags

# Other RIFF forms, refused by name.
_RIFF_FORMS = {
    b"AVI ": (Verdict.UNSUPPORTED, "an AVI video"),
    b"WEBP": (Verdict.NOT_MEDIA, "a WebP image"),
    b"RMID": (Verdict.UNSUPPORTED, "a MIDI file"),
    b"CDXA": (Verdict.UNSUPPORTED, "a Video CD file"),
}


# The encodings browsers play from a WAV file, with the sample sizes each comes in. Anything
# else (ADPCM, MP3 inside RIFF, a made-up tag, 0 or 12 bits) would be stored and never play.
class _Encoding(NamedTuple):
    codec: str
    label: str  # as a coordinator reads it
    sizes: tuple[int, ...]  # bits per sample


_PLAYABLE = {
    1: _Encoding("pcm", "PCM", (8, 16, 24, 32)),
    3: _Encoding("pcm_f", "floating-point PCM", (32,)),
    6: _Encoding("pcm_alaw", "A-law", (8,)),
    7: _Encoding("pcm_mulaw", "µ-law", (8,)),
}
_UNKNOWN = _Encoding("", "", ())
_UNPLAYABLE_NAMES = {2: "MS ADPCM", 0x11: "IMA ADPCM", 0x50: "MPEG audio", 0x55: "MP3"}
_EXTENSIBLE = 0xFFFE  # WAVE_FORMAT_EXTENSIBLE: the real tag is the subformat GUID's first two bytes
_INFO_KEYS = {b"INAM": "title", b"IART": "artist", b"IPRD": "album", b"ICMT": "comment"}


def sniff(head: bytes) -> Sniffed | None:
    if not head.startswith(b"RIFF") or len(head) < 12:
        return None
    form = head[8:12]
    if form == b"WAVE":
        return WAV.sniffed()
    verdict, description = _RIFF_FORMS.get(form, (Verdict.NOT_MEDIA, "a RIFF file"))
    return Sniffed(verdict, description)


@dataclass(slots=True)
class _WavFacts:
    codec: str = ""
    info: dict[str, str] = field(default_factory=dict)


def _check_wav(reader: Reader) -> _WavFacts:
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
    for _ in range(MAX_CHUNKS):
        if position >= walk_end or (position + 8 > walk_end and walk_end < reader.size):
            break
        chunk = reader.read_at(position, 8)
        if len(chunk) < 8:
            if has_data and not chunk.strip(b"\x00"):
                break
            raise truncated(WAV, "it ends inside a chunk header")
        chunk_id, chunk_size = chunk[:4], int.from_bytes(chunk[4:8], "little")
        body = position + 8
        present = reader.size - body
        if chunk_id == b"data":
            if chunk_size > present:
                raise truncated(
                    WAV,
                    f"only {percent(present, chunk_size)} of the audio data its header "
                    "declares is present",
                )
            has_data = True
        elif chunk_size > present:
            raise truncated(WAV, f"its {chunk_id.decode('latin-1')!r} chunk is cut off")
        if chunk_id == b"fmt ":
            has_fmt = True
            facts.codec = _wav_codec(reader.read_at(body, min(chunk_size, 40)))
        elif chunk_id == b"LIST" and chunk_size <= 1 << 20:
            facts.info = _riff_info(reader.read_at(body, chunk_size)) or facts.info
        elif chunk_id.lower() == b"id3 " and chunk_size > MAX_METADATA_BYTES:
            raise unparseable(WAV, "its ID3 chunk is larger than 32 MB")
        position = body + chunk_size + (chunk_size & 1)
    else:
        raise unparseable(WAV, "it has too many chunks")
    if not has_fmt:
        raise unparseable(WAV, "it has no format (fmt) chunk")
    if not has_data:
        raise unparseable(WAV, "it has no audio data chunk")
    if riff_known and riff_size + 8 > reader.size + 1:
        raise truncated(WAV, "the file is shorter than its RIFF header declares")
    return facts


def _wav_codec(fmt: bytes) -> str:
    """The codec name for a playable format chunk; a chunk that is not one is refused."""
    if len(fmt) < 16:
        raise unparseable(WAV, "its format chunk is too short")
    tag, channels, rate, _byte_rate, align, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == _EXTENSIBLE and len(fmt) >= 26:
        tag = int.from_bytes(fmt[24:26], "little")
    if not channels or not rate or not align:
        raise unparseable(WAV, "its format chunk declares no channels, sample rate or block size")
    encoding = _PLAYABLE.get(tag, _UNKNOWN)
    if bits not in encoding.sizes:
        raise MediaRejected(
            "unsupported_codec",
            f"This WAV file's audio is {_encoding(tag, bits)}, which browsers can't play; "
            "export it as 16-bit PCM WAV, or as MP3, M4A, Ogg, Opus or FLAC.",
        )
    if encoding.codec == "pcm":
        return "pcm_u8" if bits == 8 else f"pcm_s{bits}le"
    if encoding.codec == "pcm_f":
        return f"pcm_f{bits}le"
    return encoding.codec


def _encoding(tag: int, bits: int) -> str:
    if tag in _PLAYABLE:
        return f"{bits}-bit {_PLAYABLE[tag].label}"
    return _UNPLAYABLE_NAMES.get(tag, f"in an unknown encoding (format {tag:#06x})")


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


def inspect(reader: Reader) -> Parsed:
    facts = _check_wav(reader)
    audio = load(WAVE, reader, WAV)
    found, cover = id3_tags(audio.tags)
    info = facts.info
    found.fill_from(
        tags(info.get("title"), info.get("artist"), info.get("album"), info.get("comment"))
    )
    return from_info(WAV, facts.codec, audio.info, found, cover)


WAV = FormatSpec(
    container="wav",
    mime_type="audio/wav",
    label="WAV",
    description="a WAV file",
    sniff=sniff,
    inspect=inspect,
)
