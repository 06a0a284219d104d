"""Tags and cover pictures as the library stores them: plain, capped text and a real PNG or
JPEG under a size cap, whichever tag format carried them (ID3v2, Vorbis comments, APEv2)."""

from __future__ import annotations

import base64
import struct
import unicodedata
from typing import Any, Final

from mutagen import MutagenError
from mutagen.apev2 import APEv2
from mutagen.flac import Picture

from wellness.catalog.formats.common import CoverArt, Reader, Tags

MAX_COVER_BYTES: Final = 5_000_000
TITLE_LIMIT: Final = 255
COMMENT_LIMIT: Final = 500

_IMAGE_EXTENSIONS: Final = {"image/png": "png", "image/jpeg": "jpg"}
_INVISIBLE = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)}

# mutagen ships partial annotations; these two constructors are untyped.
_Picture: Any = Picture
_APEv2: Any = APEv2


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


def image_mime(data: bytes) -> str | None:
    """ "image/png" or "image/jpeg" if `data` really starts like one, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def tags(title: object, artist: object, album: object, comment: object) -> Tags:
    return Tags(
        title=clean_text(title, TITLE_LIMIT),
        artist=clean_text(artist, TITLE_LIMIT),
        album=clean_text(album, TITLE_LIMIT),
        comment=clean_text(comment, COMMENT_LIMIT),
    )


def cover(candidates: list[tuple[int, bytes]]) -> CoverArt | None:
    """The first real PNG/JPEG under the size cap, front covers (picture type 3) first."""
    for _, data in sorted(candidates, key=lambda item: item[0] != 3):
        if not isinstance(data, bytes) or len(data) >= MAX_COVER_BYTES:
            continue
        mime = image_mime(data)
        if mime is not None:
            return CoverArt(data=bytes(data), mime_type=mime, extension=_IMAGE_EXTENSIONS[mime])
    return None


def id3_tags(found: Any) -> tuple[Tags, CoverArt | None]:
    if found is None:
        return Tags(), None

    def text(frame_id: str) -> object:
        frame = found.get(frame_id)
        return frame.text if frame is not None and hasattr(frame, "text") else ""

    comments = [frame for frame in found.getall("COMM") if frame.text]
    comments.sort(key=lambda frame: frame.desc != "")
    comment = comments[0].text if comments else ""
    pictures = [(frame.type, frame.data) for frame in found.getall("APIC")]
    return tags(text("TIT2"), text("TPE1"), text("TALB"), comment), cover(pictures)


def vorbis_tags(found: Any) -> Tags:
    if found is None:
        return Tags()

    def first(*keys: str) -> object:
        for key in keys:
            values = found.get(key)
            if values:
                return values[0]
        return ""

    return tags(first("title"), first("artist"), first("album"), first("comment", "description"))


def vorbis_pictures(found: Any) -> list[tuple[int, bytes]]:
    pictures: list[tuple[int, bytes]] = []
    for encoded in (found.get("metadata_block_picture") or []) if found is not None else []:
        try:
            picture = _Picture(base64.b64decode(encoded))
        except (MutagenError, ValueError, struct.error, TypeError):
            continue
        pictures.append((picture.type, picture.data))
    return pictures


def ape_tags(reader: Reader) -> Tags:
    try:
        ape = _APEv2(reader.rewind())
    except (MutagenError, ValueError, struct.error):
        return Tags()

    def value(key: str) -> object:
        item = ape.get(key)
        return str(item) if item is not None and getattr(item, "kind", 0) == 0 else ""

    return tags(value("Title"), value("Artist"), value("Album"), value("Comment"))
