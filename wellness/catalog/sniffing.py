"""Decide what a file is from its first bytes alone. Pure: standard library only.

The file's name and the client's Content-Type are never consulted: an upload is what its
bytes say it is. `sniff` looks at the head of a file (`HEAD_SIZE` bytes is plenty) and
returns a verdict, the container for supported media, and a phrase for messages
("a PNG image", "a WebM/Matroska file").

The MPEG audio frame header parser lives here too, because the validator walks frames with
the same rules that sniffing uses to recognise the first one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

HEAD_SIZE = 8192


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


# Containers we accept, with the phrase used in messages.
MEDIA_DESCRIPTIONS = {
    "mp3": "an MP3 file",
    "flac": "a FLAC file",
    "wav": "a WAV file",
    "ogg_vorbis": "an Ogg Vorbis file",
    "ogg_opus": "an Opus file",
    "m4a": "an M4A file",
    "mp4": "an MP4 video",
}

# ISO base media brands: audio-only, images, QuickTime.
_M4A_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
_IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_IMAGE_BRANDS |= {b"avif", b"avis", b"jpx ", b"jp2 ", b"crx "}

_MAGIC: tuple[tuple[bytes, Verdict, str], ...] = (
    (b"\x1a\x45\xdf\xa3", Verdict.UNSUPPORTED, "a WebM/Matroska file"),
    (b"#!AMR", Verdict.UNSUPPORTED, "an AMR voice recording"),
    (b"MThd", Verdict.UNSUPPORTED, "a MIDI file"),
    (b".snd", Verdict.UNSUPPORTED, "a Sun/NeXT AU file"),
    (b"caff", Verdict.UNSUPPORTED, "a Core Audio (CAF) file"),
    (b"wvpk", Verdict.UNSUPPORTED, "a WavPack file"),
    (b"MAC ", Verdict.UNSUPPORTED, "a Monkey's Audio (APE) file"),
    (b"TTA1", Verdict.UNSUPPORTED, "a True Audio (TTA) file"),
    (b"MPCK", Verdict.UNSUPPORTED, "a Musepack file"),
    (b"MP+", Verdict.UNSUPPORTED, "a Musepack file"),
    (b"FLV\x01", Verdict.UNSUPPORTED, "a Flash video (FLV) file"),
    (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", Verdict.UNSUPPORTED, "a Windows Media (WMA/WMV) file"),
    (b"\x00\x00\x01\xba", Verdict.UNSUPPORTED, "an MPEG program stream (VOB/MPG) file"),
    (b"\x00\x00\x01\xb3", Verdict.UNSUPPORTED, "an MPEG video stream"),
    (b"RF64", Verdict.UNSUPPORTED, "an RF64 (64-bit WAV) file"),
    (b"\x89PNG\r\n\x1a\n", Verdict.NOT_MEDIA, "a PNG image"),
    (b"\xff\xd8\xff", Verdict.NOT_MEDIA, "a JPEG image"),
    (b"GIF87a", Verdict.NOT_MEDIA, "a GIF image"),
    (b"GIF89a", Verdict.NOT_MEDIA, "a GIF image"),
    (b"II*\x00", Verdict.NOT_MEDIA, "a TIFF image"),
    (b"MM\x00*", Verdict.NOT_MEDIA, "a TIFF image"),
    (b"\x00\x00\x01\x00", Verdict.NOT_MEDIA, "an icon image"),
    (b"%PDF", Verdict.NOT_MEDIA, "a PDF document"),
    (b"{\\rtf", Verdict.NOT_MEDIA, "an RTF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", Verdict.NOT_MEDIA, "an old Microsoft Office document"),
    (b"PK\x03\x04", Verdict.NOT_MEDIA, "a zip archive (or an Office document)"),
    (b"PK\x05\x06", Verdict.NOT_MEDIA, "a zip archive"),
    (b"\x1f\x8b", Verdict.NOT_MEDIA, "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", Verdict.NOT_MEDIA, "a 7-Zip archive"),
    (b"Rar!\x1a\x07", Verdict.NOT_MEDIA, "a RAR archive"),
    (b"BZh", Verdict.NOT_MEDIA, "a bzip2 archive"),
    (b"\xfd7zXZ\x00", Verdict.NOT_MEDIA, "an xz archive"),
    (b"\x28\xb5\x2f\xfd", Verdict.NOT_MEDIA, "a zstd archive"),
    (b"MZ", Verdict.NOT_MEDIA, "a Windows program"),
    (b"\x7fELF", Verdict.NOT_MEDIA, "a Linux program"),
    (b"\xcf\xfa\xed\xfe", Verdict.NOT_MEDIA, "a macOS program"),
    (b"\xce\xfa\xed\xfe", Verdict.NOT_MEDIA, "a macOS program"),
    (b"\xca\xfe\xba\xbe", Verdict.NOT_MEDIA, "a macOS or Java program"),
    (b"\x00asm", Verdict.NOT_MEDIA, "a WebAssembly program"),
    (b"SQLite format 3\x00", Verdict.NOT_MEDIA, "a SQLite database"),
    (b"wOFF", Verdict.NOT_MEDIA, "a web font"),
    (b"wOF2", Verdict.NOT_MEDIA, "a web font"),
)

_RIFF_FORMS = {
    b"AVI ": (Verdict.UNSUPPORTED, "an AVI video"),
    b"WEBP": (Verdict.NOT_MEDIA, "a WebP image"),
    b"RMID": (Verdict.UNSUPPORTED, "a MIDI file"),
    b"CDXA": (Verdict.UNSUPPORTED, "a Video CD file"),
}

_OGG_CODECS: tuple[tuple[bytes, Verdict, str, str | None], ...] = (
    (b"OpusHead", Verdict.MEDIA, "an Opus file", "ogg_opus"),
    (b"\x01vorbis", Verdict.MEDIA, "an Ogg Vorbis file", "ogg_vorbis"),
    (b"\x7fFLAC", Verdict.UNSUPPORTED, "an Ogg FLAC file", None),
    (b"Speex   ", Verdict.UNSUPPORTED, "an Ogg Speex file", None),
    (b"\x80theora", Verdict.UNSUPPORTED, "an Ogg Theora video", None),
    (b"fishead\x00", Verdict.UNSUPPORTED, "an Ogg video with a skeleton track", None),
    (b"OVP80", Verdict.UNSUPPORTED, "an Ogg VP8 video", None),
)

_MARKUP = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|script|svg|\?xml)",
    re.IGNORECASE | re.DOTALL,
)


def sniff(head: bytes) -> Sniffed:
    """What the first bytes of a file say it is."""
    if not head:
        return Sniffed(Verdict.EMPTY, "an empty file")
    tag = id3v2_size(head)
    if tag:
        rest = head[tag:]
        if not rest.strip(b"\x00"):
            # The tag fills the head (a large cover): only MP3s carry ID3v2 in front.
            return _media("mp3")
        inner = sniff(rest.lstrip(b"\x00"))
        if inner.container in {"mp3", "flac"}:
            return inner
        return _media("mp3")  # an ID3 tag then something else: a damaged MP3
    for magic, verdict, description in _MAGIC:
        if head.startswith(magic):
            return Sniffed(verdict, description)
    if head.startswith(b"fLaC"):
        return _media("flac")
    if head.startswith(b"RIFF") and len(head) >= 12:
        form = head[8:12]
        if form == b"WAVE":
            return _media("wav")
        verdict, description = _RIFF_FORMS.get(form, (Verdict.NOT_MEDIA, "a RIFF file"))
        return Sniffed(verdict, description)
    if head.startswith(b"FORM") and head[8:12] in {b"AIFF", b"AIFC"}:
        return Sniffed(Verdict.UNSUPPORTED, "an AIFF file")
    if head.startswith(b"OggS"):
        return _sniff_ogg(head)
    if head[4:8] == b"ftyp":
        return _sniff_iso(head)
    if head[4:8] in {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}:
        return Sniffed(Verdict.UNSUPPORTED, "a QuickTime movie")
    return _sniff_stream(head)


def _media(container: str) -> Sniffed:
    return Sniffed(Verdict.MEDIA, MEDIA_DESCRIPTIONS[container], container)


def _sniff_ogg(head: bytes) -> Sniffed:
    # First page: 27-byte header, lacing table, then the first packet of the first stream.
    if len(head) < 28:
        return Sniffed(Verdict.MEDIA, "an Ogg file", "ogg_vorbis")
    segments = head[26]
    packet = head[27 + segments : 27 + segments + 16]
    for magic, verdict, description, container in _OGG_CODECS:
        if packet.startswith(magic):
            return Sniffed(verdict, description, container)
    return Sniffed(Verdict.UNSUPPORTED, "an Ogg file with a codec other than Vorbis or Opus")


def _sniff_iso(head: bytes) -> Sniffed:
    """ISO base media: the major brand tells audio-only (M4A) from the rest; tracks decide later."""
    major = head[8:12]
    if major == b"qt  ":
        return Sniffed(Verdict.UNSUPPORTED, "a QuickTime (MOV) movie")
    if major in _IMAGE_BRANDS:
        return Sniffed(Verdict.NOT_MEDIA, "an HEIF/AVIF image")
    if major in _M4A_BRANDS:
        return _media("m4a")
    return _media("mp4")


def _sniff_stream(head: bytes) -> Sniffed:
    """Headerless streams (MPEG audio, ADTS), then text and markup."""
    start = len(head) - len(head.lstrip(b"\x00"))
    if start < len(head) and start <= 4096:
        frame = mpeg_frame(head[start : start + 4])
        if frame is not None:
            return _media("mp3")
        if _is_adts(head[start : start + 7]):
            return Sniffed(Verdict.UNSUPPORTED, "a raw AAC (ADTS) stream")
    if len(head) >= 188 * 3 and all(head[i] == 0x47 for i in range(0, 188 * 3, 188)):
        return Sniffed(Verdict.UNSUPPORTED, "an MPEG transport stream (TS)")
    return Sniffed(Verdict.NOT_MEDIA, _describe_other(head))


def _is_adts(header: bytes) -> bool:
    if len(header) < 7 or header[0] != 0xFF or header[1] & 0xF6 != 0xF0:
        return False
    return (header[2] >> 2) & 0x0F < 13


def _describe_other(head: bytes) -> str:
    match = _MARKUP.match(head[:2048])
    if match:
        kind = match.group(1).lower()
        if kind == b"svg" or b"<svg" in head.lower():
            return "an SVG image"
        if kind == b"?xml":
            return "an XML document"
        return "an HTML page"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = head[: exc.start].decode("utf-8") if exc.start >= len(head) - 3 else ""
    if text and sum(ch.isprintable() or ch in "\r\n\t" for ch in text) >= 0.95 * len(text):
        return "a text file"
    return "a file of an unrecognised kind"


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


def image_mime(data: bytes) -> str | None:
    """ "image/png" or "image/jpeg" if `data` really starts like one, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
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
