"""The one list of accepted containers, and everything derived from it.

Sniffing, validation, the library's format labels, the upload hint, the file picker's
`accept` list and the upload script's labels all read `FORMATS` when they run (never a
copy), so a container added here appears everywhere at once.
"""

from __future__ import annotations

from functools import cache

from wellness.catalog.formats.common import FormatSpec, Sniffer
from wellness.catalog.formats.flac import FLAC
from wellness.catalog.formats.mp3 import MP3
from wellness.catalog.formats.mp4 import M4A, MP4
from wellness.catalog.formats.ogg import OGG_VORBIS, OPUS
from wellness.catalog.formats.wav import WAV

# In the order people read them: "MP3, M4A, Ogg, Opus, FLAC, WAV or MP4".
FORMATS: tuple[FormatSpec, ...] = (MP3, M4A, OGG_VORBIS, OPUS, FLAC, WAV, MP4)


def spec_for(container: str) -> FormatSpec | None:
    return _by_container(FORMATS).get(container)


def label(container: str) -> str:
    """How the library names a stored container: "Ogg Vorbis", "MP4 video"."""
    spec = spec_for(container)
    return spec.label if spec is not None else container.upper()


def labels() -> dict[str, str]:
    """container -> label, for the upload script (handed over by the page)."""
    return {spec.container: spec.label for spec in FORMATS}


def supported() -> str:
    """The accepted formats as a phrase: "MP3, M4A, Ogg, Opus, FLAC, WAV or MP4"."""
    names = list(dict.fromkeys(spec.name for spec in FORMATS))
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def accept() -> str:
    """The file picker's `accept` list: every extension, any audio, and the video types."""
    entries = [entry for spec in FORMATS for entry in spec.picker]
    entries.append("audio/*")
    entries += [spec.mime_type for spec in FORMATS if not spec.mime_type.startswith("audio/")]
    return ",".join(dict.fromkeys(entries))


def sniffers() -> tuple[Sniffer, ...]:
    """Each family's sniffer once, by stage, then in registry order."""
    return _sniffers(FORMATS)


@cache
def _by_container(specs: tuple[FormatSpec, ...]) -> dict[str, FormatSpec]:
    return {spec.container: spec for spec in specs}


@cache
def _sniffers(specs: tuple[FormatSpec, ...]) -> tuple[Sniffer, ...]:
    ordered = sorted(specs, key=lambda spec: spec.stage)  # stable: registry order within a stage
    return tuple(dict.fromkeys(spec.sniff for spec in ordered))
