"""Decide what a file is from its first bytes alone.

The file's name and the client's Content-Type are never consulted: an upload is what its
bytes say it is. `sniff` looks at the head of a file (`HEAD_SIZE` bytes is plenty) and
returns a verdict, the container for supported media, and a phrase for messages
("a PNG image", "a WebM/Matroska file").

The steps: an ID3v2 tag is looked past; signatures of files we refuse by name; then each
accepted container's sniffer (`formats.registry.sniffers`); then headerless streams we
refuse, and a description of whatever else the bytes are.
"""

from __future__ import annotations

import re

from wellness.catalog.formats import registry
from wellness.catalog.formats.common import HEAD_SIZE, Sniffed, Verdict, id3v2_size
from wellness.catalog.formats.mp3 import MP3, MpegFrame, leading_zeros, mpeg_frame
from wellness.catalog.formats.tags import image_mime

__all__ = [
    "HEAD_SIZE",
    "MpegFrame",
    "Sniffed",
    "Verdict",
    "id3v2_size",
    "image_mime",
    "mpeg_frame",
    "sniff",
]

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

# The element a markup file starts with, once a byte-order mark, white space and comments are
# skipped (by `_markup_element`, in linear time: a regex that skipped the comments itself took
# minutes, backtracking, over 211 bytes of `<!---->`, and held the whole server meanwhile).
_MARKUP_ELEMENT = re.compile(rb"<(!doctype\s+html|html|head|body|script|svg|\?xml)", re.IGNORECASE)
_SPACE = b" \t\n\r\x0b\x0c"
# A file may carry several ID3v2 tags in front; past this many it is a damaged MP3 at best.
MAX_ID3_TAGS = 8


def sniff(head: bytes) -> Sniffed:
    """What the first bytes of a file say it is."""
    if not head:
        return Sniffed(Verdict.EMPTY, "an empty file")
    if not id3v2_size(head):
        return _sniff_untagged(head)
    rest = head
    for _ in range(MAX_ID3_TAGS):
        tag = id3v2_size(rest)
        if not tag:
            break
        rest = rest[tag:].lstrip(b"\x00")
    if not rest or id3v2_size(rest):
        # The tags fill the head (a large cover), or never end: only MP3s carry ID3v2 in front.
        return MP3.sniffed()
    inner = _sniff_untagged(rest)
    spec = registry.spec_for(inner.container or "")
    if spec is not None and spec.after_id3:
        return inner
    return MP3.sniffed()  # an ID3 tag then something else: a damaged MP3


def _sniff_untagged(head: bytes) -> Sniffed:
    for magic, verdict, description in _MAGIC:
        if head.startswith(magic):
            return Sniffed(verdict, description)
    if head.startswith(b"FORM") and head[8:12] in {b"AIFF", b"AIFC"}:
        return Sniffed(Verdict.UNSUPPORTED, "an AIFF file")
    for sniffer in registry.sniffers():
        found = sniffer(head)
        if found is not None:
            return found
    return _sniff_other(head)


def _sniff_other(head: bytes) -> Sniffed:
    """Headerless streams we refuse (ADTS, MPEG-TS), then text and markup."""
    start = leading_zeros(head)
    if start < len(head) and start <= 4096 and _is_adts(head[start : start + 7]):
        return Sniffed(Verdict.UNSUPPORTED, "a raw AAC (ADTS) stream")
    if len(head) >= 188 * 3 and all(head[i] == 0x47 for i in range(0, 188 * 3, 188)):
        return Sniffed(Verdict.UNSUPPORTED, "an MPEG transport stream (TS)")
    return Sniffed(Verdict.NOT_MEDIA, _describe_other(head))


def _is_adts(header: bytes) -> bool:
    if len(header) < 7 or header[0] != 0xFF or header[1] & 0xF6 != 0xF0:
        return False
    return (header[2] >> 2) & 0x0F < 13


def _markup_element(head: bytes) -> bytes | None:
    """The first element of a markup file (lower case), or None."""
    position = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while position < len(head) and head[position] in _SPACE:
            position += 1
        if not head.startswith(b"<!--", position):
            break
        end = head.find(b"-->", position + 4)
        if end < 0:
            return None
        position = end + 3
    match = _MARKUP_ELEMENT.match(head, position)
    return match.group(1).lower() if match else None


def _describe_other(head: bytes) -> str:
    kind = _markup_element(head[:2048])
    if kind is not None:
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
