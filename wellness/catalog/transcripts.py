"""Timed transcripts: paragraphs that begin with the moment they are said. Pure (stdlib only).

A transcript is paragraphs separated by blank lines. A paragraph whose first token is a time
stamp, `[m:ss]`, `[mm:ss]` or `[h:mm:ss]` ("[6:00] Let the body grow heavier..."), starts at
that moment; a paragraph without one belongs to the stamped paragraph above it. A transcript
with no stamp at all is untimed and shown as it always was.

The session page groups the paragraphs into `Section`s (one per moment) to follow playback,
the catalog refuses what `problem` finds on save, and `webvtt` turns a timed transcript into
the captions a <video> shows (each cue from its stamp to the next, the last to the end).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

# A paragraph's first token that is meant as a stamp: brackets holding digits with a colon
# (spaces and dots too, so "[ 6:00 ]" and "[6:00.5]" are refused rather than shown as text).
# "[Music]", "[pause]" and "[1]" are text.
_STAMP_LIKE = re.compile(r"\[[0-9 .]*:[0-9:. ]*\]", re.ASCII)
_STAMP = re.compile(
    r"\[(?:(?P<hours>[0-9]{1,2}):(?P<h_minutes>[0-9]{2})|(?P<minutes>[0-9]{1,2})):"
    r"(?P<seconds>[0-9]{2})\]",
    re.ASCII,
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# A cue ends this long before the next one starts. WebVTT's own rule has a cue end just before
# its end time, but Chromium shows it at that moment too: two captions at once when the player
# stands exactly on a stamp, which is where the transcript's times and whole-second seeks go.
CUE_GAP = 0.001
STAMP_HELP = "write minutes:seconds such as [6:00], or hours:minutes:seconds such as [1:05:00]"


class StampError(ValueError):
    """A stamp-like token that is not a time; the message says why."""


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str  # without its stamp
    start: int | None = None  # seconds from the start, for a paragraph with a stamp
    written: str = ""  # the stamp as written, brackets included ("" for none)

    @property
    def stamp(self) -> str:
        """The start as the page shows it: "6:00", "1:05:00" ("" for none)."""
        return clock(self.start) if self.start is not None else ""


@dataclass(frozen=True, slots=True)
class Section:
    """The paragraphs said from one moment until the next (`start` None: before any stamp)."""

    start: int | None
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True, slots=True)
class Cue:
    start: float
    end: float
    text: str


def clock(seconds: float) -> str:
    """Whole seconds as a stamp reads: 0:05, 12:31, 1:02:03."""
    total = max(0, math.floor(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def parse_stamp(token: str) -> int:
    """Seconds from a stamp such as "[6:00]" or "[1:05:00]"; StampError says what is wrong."""
    found = _STAMP.fullmatch(token)
    if found is None:
        raise StampError(f"{token} is not a time: {STAMP_HELP}.")
    seconds = int(found["seconds"])
    if seconds > 59:
        raise StampError(f"{token} is not a time: seconds run from 00 to 59.")
    if found["hours"] is None:
        minutes = int(found["minutes"])
        if minutes > 59:
            raise StampError(
                f"{token} is not a time: after 59 minutes, write hours too, "
                f"as in [{clock(minutes * 60 + seconds)}]."
            )
        return minutes * 60 + seconds
    minutes = int(found["h_minutes"])
    if minutes > 59:
        raise StampError(f"{token} is not a time: minutes run from 00 to 59.")
    return int(found["hours"]) * 3600 + minutes * 60 + seconds


def split_paragraphs(transcript: str) -> list[str]:
    """The paragraphs, split on blank lines (spaces on them too), ends trimmed, empties gone."""
    text = transcript.replace("\r\n", "\n").replace("\r", "\n")
    return [part.strip() for part in _BLANK_LINE.split(text) if part.strip()]


def _leading_stamp(paragraph: str) -> str:
    found = _STAMP_LIKE.match(paragraph)
    return found.group() if found else ""


def paragraphs(transcript: str) -> list[Paragraph]:
    """Each paragraph with its start; a malformed stamp is left in the text (`problem` names
    it), so a page shows what was stored before stamps were checked."""
    parsed = []
    for part in split_paragraphs(transcript):
        written = _leading_stamp(part)
        try:
            start = parse_stamp(written) if written else None
        except StampError:
            start = None
        if start is None:
            parsed.append(Paragraph(part))
        else:
            parsed.append(Paragraph(part[len(written) :].strip(), start, written))
    return parsed


def is_timed(parsed: Sequence[Paragraph]) -> bool:
    return any(paragraph.start is not None for paragraph in parsed)


def sections(parsed: Sequence[Paragraph]) -> list[Section]:
    """Paragraphs grouped by moment: a stamped paragraph opens a section unless it repeats the
    stamp before it; unstamped ones join the section above (or open the first, before any)."""
    grouped: list[tuple[int | None, list[Paragraph]]] = []
    for paragraph in parsed:
        opens = paragraph.start is not None and (not grouped or grouped[-1][0] != paragraph.start)
        if opens or not grouped:
            grouped.append((paragraph.start, [paragraph]))
        else:
            grouped[-1][1].append(paragraph)
    return [Section(start, tuple(members)) for start, members in grouped]


def timed_sections(transcript: str) -> list[Section] | None:
    """The sections a page follows playback by, or None for an untimed transcript."""
    parsed = paragraphs(transcript)
    return sections(parsed) if is_timed(parsed) else None


def problem(transcript: str, duration_seconds: float) -> str | None:
    """Why the transcript's stamps can't be kept, or None: the first malformed stamp, a stamp
    earlier than the one above it, or one past the end of the recording (when its length is
    known, i.e. above 0). A transcript without stamps has none."""
    previous: tuple[int, str] | None = None
    for part in split_paragraphs(transcript):
        written = _leading_stamp(part)
        if not written:
            continue
        try:
            start = parse_stamp(written)
        except StampError as error:
            return str(error)
        if previous is not None and start < previous[0]:
            return f"{written} comes before {previous[1]} above it: keep the stamps in order."
        if duration_seconds > 0 and start > duration_seconds:
            return f"{written} comes after the end of the recording ({clock(duration_seconds)})."
        previous = (start, written)
    return None


def cues(parsed: Sequence[Paragraph], duration_seconds: float) -> list[Cue]:
    """Caption cues: each section from its stamp to just before the next (CUE_GAP), the last
    to the end of the recording. Text before the first stamp has no moment and is left out, as
    are sections without text and cues that would last no time (a stamp at or past the end)."""
    timed = [section for section in sections(parsed) if section.start is not None]
    found = []
    for index, section in enumerate(timed):
        start = float(section.start or 0)
        following = timed[index + 1].start if index + 1 < len(timed) else None
        end = following - CUE_GAP if following is not None else duration_seconds
        if duration_seconds > 0:
            end = min(end, duration_seconds)  # a transcript older than its recording's change
        text = "\n".join(
            line.strip()
            for paragraph in section.paragraphs
            for line in paragraph.text.split("\n")
            if line.strip()
        )
        if text and end > start:
            found.append(Cue(start, end, text))
    return found


def vtt_time(seconds: float) -> str:
    """A WebVTT timestamp: hh:mm:ss.ttt."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02}:{minutes:02}:{secs:02}.{millis:03}"


def vtt_text(text: str) -> str:
    """Cue text as WebVTT reads it literally: `&`, `<` and `>` escaped (so "-->" can't end a
    cue's timing early), and no blank line, which would end the cue."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "\n".join(line for line in escaped.replace("\r", "").split("\n") if line.strip())


def webvtt(transcript: str, duration_seconds: float) -> str | None:
    """The transcript as a WebVTT captions file, or None when it has no stamps."""
    parsed = paragraphs(transcript)
    if not is_timed(parsed):
        return None
    blocks = ["WEBVTT"]
    for cue in cues(parsed, duration_seconds):
        blocks.append(f"{vtt_time(cue.start)} --> {vtt_time(cue.end)}\n{vtt_text(cue.text)}")
    return "\n\n".join(blocks) + "\n"
