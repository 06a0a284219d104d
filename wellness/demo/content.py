"""The demo library: practice sessions with guidance, clinical attributes and an audio plan.

Pure: standard library and the catalog vocabularies only. The sessions themselves are data, in
`library.toml` beside this module (its header says how it is written and for whom); this module
gives them their types and reads them. `wellness.demo.audio` turns each session's `AudioPlan`
into sound; `wellness.demo.seed` stores them through the catalog services.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from importlib.resources import files
from typing import Any

from wellness.catalog.kinds import Contraindication, Guidance, Kind, Level, Posture, Status

# --- audio plans -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BreathPace:
    inhale_seconds: float = 4.0
    exhale_seconds: float = 6.0

    @property
    def cycle_seconds(self) -> float:
        return self.inhale_seconds + self.exhale_seconds

    @property
    def per_minute(self) -> float:
        return 60 / self.cycle_seconds


@dataclass(frozen=True, slots=True)
class AudioPlan:
    """What a demo track holds, in seconds from its start."""

    seconds: float
    pad: bool = False  # a quiet low drone under the whole track
    bells_at: tuple[float, ...] = ()
    chimes_at: tuple[float, ...] = ()
    breathing: BreathPace | None = None  # cue tones from breathing_start to breathing_end
    breathing_start: float = 0.0
    breathing_end: float = 0.0

    def breathing_cycles(self) -> int:
        """Whole breaths that fit the breathing span (a breath is never cut off)."""
        if self.breathing is None or self.breathing_end <= self.breathing_start:
            return 0
        return int((self.breathing_end - self.breathing_start) // self.breathing.cycle_seconds)

    def scaled(self, factor: float) -> AudioPlan:
        """The same plan squeezed in time (for quick tests); the breathing pace is kept."""
        return replace(
            self,
            seconds=self.seconds * factor,
            bells_at=tuple(at * factor for at in self.bells_at),
            chimes_at=tuple(at * factor for at in self.chimes_at),
            breathing_start=self.breathing_start * factor,
            breathing_end=self.breathing_end * factor,
        )


class Sound(StrEnum):
    BREATHING = "breathing"  # a paced cue tone between an opening and a closing bell
    CHIMES = "chimes"  # a quiet drone, a chime at each cue, bells to open and close
    BELLS = "bells"  # silence, with a bell at each cue


STRIKE_OFFSET = 0.5  # a bell "at 0:00" sounds half a second in
BELL_RING_SECONDS = 14.0  # a closing bell needs this long before the track ends


# --- sessions --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cue:
    at: int  # seconds from the start
    text: str

    @property
    def stamp(self) -> str:
        return f"{self.at // 60}:{self.at % 60:02d}"


@dataclass(frozen=True, slots=True)
class DemoSession:
    slug: str  # names the cached audio file
    title: str
    kind: Kind
    minutes: int
    instructor: str
    description: str
    cues: tuple[Cue, ...]
    sound: Sound
    tags: tuple[str, ...]
    anxiety_min: int
    anxiety_max: int
    contraindications: tuple[Contraindication, ...] = ()
    language: str = "en"
    level: Level = Level.BEGINNER
    posture: Posture = Posture.SEATED
    guidance: Guidance = Guidance.GUIDED
    status: Status = Status.PUBLISHED
    pace: BreathPace = field(default_factory=BreathPace)

    @property
    def seconds(self) -> int:
        return self.minutes * 60

    @property
    def transcript(self) -> str:
        return self.scaled_transcript(1.0)

    def scaled_transcript(self, factor: float) -> str:
        """The transcript for a track shortened by `factor` (`AudioPlan.scaled`): each stamp
        moves with its cue, rounded down to a whole second, so none passes the track's end."""
        return "\n\n".join(
            f"[{Cue(int(cue.at * factor), cue.text).stamp}] {cue.text}" for cue in self.cues
        )

    def audio_plan(self) -> AudioPlan:
        times = [max(float(cue.at), STRIKE_OFFSET) for cue in self.cues]
        opening, closing = times[0], times[-1]
        if self.sound is Sound.BELLS:
            return AudioPlan(seconds=self.seconds, bells_at=tuple(times))
        if self.sound is Sound.CHIMES:
            return AudioPlan(
                seconds=self.seconds,
                pad=True,
                bells_at=(opening, closing),
                chimes_at=tuple(times[1:-1]),
            )
        return AudioPlan(
            seconds=self.seconds,
            bells_at=(opening, closing),
            breathing=self.pace,
            breathing_start=times[1],
            breathing_end=closing - 2,
        )


# --- the library file ------------------------------------------------------------------------

LIBRARY_FILE = "library.toml"


class LibraryError(ValueError):
    """The library file names a field, value or cue that a demo session cannot have."""


def _prose(text: str) -> str:
    """One paragraph: the file wraps its prose for reading, the pages show it joined."""
    return " ".join(text.split())


def _cue(at: str, text: str) -> Cue:
    minutes, _, seconds = at.partition(":")
    if not (minutes.isascii() and minutes.isdigit() and seconds.isascii() and seconds.isdigit()):
        raise LibraryError(f"cue time {at!r} is not minutes:seconds")
    return Cue(int(minutes) * 60 + int(seconds), _prose(text))


def _same(value: Any) -> Any:
    return value


# How each field's value in the file becomes the DemoSession's; unlisted fields are taken as read.
_READERS: dict[str, Callable[[Any], Any]] = {
    "kind": Kind,
    "status": Status,
    "level": Level,
    "posture": Posture,
    "guidance": Guidance,
    "sound": Sound,
    "description": _prose,
    "tags": tuple,
    "contraindications": lambda values: tuple(Contraindication(value) for value in values),
    "cues": lambda tables: tuple(_cue(**table) for table in tables),
    "pace": lambda table: BreathPace(**table),
}


def read_library(text: str) -> tuple[DemoSession, ...]:
    """The sessions a library file describes, in its order; LibraryError names the first fault."""
    document = tomllib.loads(text)
    if set(document) != {"sessions"}:
        raise LibraryError(f"a library holds [[sessions]] tables only, not {sorted(document)}")
    sessions = []
    for table in document["sessions"]:
        try:
            fields = {name: _READERS.get(name, _same)(value) for name, value in table.items()}
            sessions.append(DemoSession(**fields))
        except (TypeError, ValueError) as problem:
            # TypeError: a field DemoSession lacks or needs; ValueError: not in a vocabulary.
            raise LibraryError(f"demo session {table.get('slug')!r}: {problem}") from None
    return tuple(sessions)


def load_library() -> tuple[DemoSession, ...]:
    """The demo library shipped with the package."""
    return read_library(files(__package__).joinpath(LIBRARY_FILE).read_text(encoding="utf-8"))


DEMO_SESSIONS: tuple[DemoSession, ...] = load_library()


def demo_session(slug: str) -> DemoSession:
    """The demo session named `slug` (KeyError when there is none)."""
    for session in DEMO_SESSIONS:
        if session.slug == slug:
            return session
    raise KeyError(slug)
