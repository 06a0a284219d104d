"""WAV: RIFF chunks, walked by their headers so that a cut data chunk shows."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from mutagen.wave import WAVE

from wellness.catalog.formats.common import (
    MAX_CHUNKS,
    MAX_METADATA_BYTES,
    FormatSpec,
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
_WAV_CODECS = {1: "pcm", 3: "pcm_f", 6: "pcm_alaw", 7: "pcm_mulaw", 2: "adpcm_ms"}
_WAV_CODECS |= {0x11: "adpcm_ima_wav", 0x55: "mp3", 0x50: "mp2"}
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
    if len(fmt) < 16:
        raise unparseable(WAV, "its format chunk is too short")
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
