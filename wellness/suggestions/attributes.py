"""A session's attributes as the engine reads them: normalised, with unknown values made explicit.

The vocabularies mirror `wellness.catalog.kinds` (a unit test keeps them in step) but are plain
strings here: the engine must read a catalog it does not fully understand without crashing, and
treat what it cannot read as unknown. Every later rule decides what "unknown" means for it; the
safety filter treats it as unsafe wherever it matters.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from wellness.suggestions.inputs import SessionFacts

KINDS = ("meditation", "breathing", "yoga", "body_scan", "grounding", "sleep")
POSTURES = ("seated", "lying", "standing")
GUIDANCES = ("guided", "silent")
LEVELS = ("beginner", "intermediate", "advanced")
FLAGS = ("breath_hold", "fast_breathing", "vigorous", "standing", "long_silence")

CALMING_KINDS = frozenset({"breathing", "grounding"})
# Never offered to anyone by the engine (clinical.md: never breath holds or fast breathing).
NEVER_OFFERED = frozenset({"breath_hold", "fast_breathing"})
# Nothing forceful, upright or silent for long in acute distress (the support panel's rule).
NOT_WHEN_DISTRESSED = frozenset(
    {"breath_hold", "fast_breathing", "vigorous", "long_silence", "standing"}
)
UNKNOWN_FLAG = "?"  # stands for any contraindication the engine cannot read


def word(value: object) -> str:
    """A vocabulary word in canonical form ("Body scan" -> "body_scan"); "" for anything else."""
    if not isinstance(value, str):
        return ""
    return "_".join(value.strip().casefold().replace("-", " ").split())


def known(value: object, vocabulary: tuple[str, ...]) -> str:
    canonical = word(value)
    return canonical if canonical in vocabulary else ""


def length(minutes: object) -> float:
    """Minutes as a positive finite float, or 0.0 for unknown (0, negative, NaN, not a number)."""
    if isinstance(minutes, bool) or not isinstance(minutes, int | float):
        return 0.0
    value = float(minutes)
    return value if math.isfinite(value) and value > 0 else 0.0


def flags(values: object) -> frozenset[str]:
    """Contraindication flags in canonical form; any flag not in `FLAGS` becomes `UNKNOWN_FLAG`."""
    if isinstance(values, str):
        values = (values,)
    if not isinstance(values, Iterable):
        return frozenset({UNKNOWN_FLAG})
    canonical = {word(value) for value in values}
    return frozenset(flag if flag in FLAGS else UNKNOWN_FLAG for flag in canonical)


def level_number(value: object) -> int | None:
    """A SUDS level 0-10, or None. Above 10 counts as 10 and fractions round up (fail closed)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    if not math.isfinite(number) or number < 0:
        return None
    return min(10, math.ceil(number))


def hour_number(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 23:
        return None
    return value


@dataclass(frozen=True, slots=True)
class Traits:
    """What the engine knows about one session; "" and 0.0 mean unknown."""

    kind: str
    minutes: float
    posture: str
    guidance: str
    level: str
    declared: frozenset[str]  # the catalog's contraindication flags, canonical
    suits: tuple[int, int] | None  # the coordinator's SUDS range, if it is a valid one

    @property
    def unreadable_flags(self) -> bool:
        return UNKNOWN_FLAG in self.declared

    def effective_flags(self, long_silence_minutes: float) -> frozenset[str]:
        """Declared flags plus what the attributes imply: standing posture, long silent practice.

        Unknown fails closed: a silent (or unknown-guidance) session of unknown length counts
        as long, and an unknown posture counts as standing: we cannot tell they are not.
        """
        implied = set(self.declared)
        if self.posture in {"standing", ""}:
            implied.add("standing")
        if self.guidance in {"silent", ""} and (
            self.minutes == 0 or self.minutes >= long_silence_minutes
        ):
            implied.add("long_silence")
        return frozenset(implied)


def _range(low: object, high: object) -> tuple[int, int] | None:
    if isinstance(low, bool) or isinstance(high, bool):
        return None
    if not (isinstance(low, int) and isinstance(high, int)):
        return None
    return (low, high) if 0 <= low <= high <= 10 else None


def _read(session: SessionFacts) -> Traits:
    return Traits(
        kind=known(session.kind, KINDS),
        minutes=length(session.minutes),
        posture=known(session.posture, POSTURES),
        guidance=known(session.guidance, GUIDANCES),
        level=known(session.level, LEVELS),
        declared=flags(session.contraindications),
        suits=_range(session.anxiety_min, session.anxiety_max),
    )


_cached_read = lru_cache(maxsize=16384)(_read)


def traits(session: SessionFacts) -> Traits:
    """The session's traits, cached per (hashable, frozen) SessionFacts value."""
    try:
        return _cached_read(session)
    except TypeError:  # a malformed, unhashable field: read it without the cache
        return _read(session)
