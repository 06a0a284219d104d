"""How the catalog marks a session for one patient: skip it (contraindicated or banned by the
care team), or pinned (the care team recommends it). Pure.

A session's flags are read the way the suggestion engine reads them
(`suggestions.attributes.Traits.effective_flags`): its declared contraindications plus what its
attributes imply (a standing posture, long silent practice), so a patient is never offered
something by the engine that the catalog does not mark, nor the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from wellness.care.restrictions import Restrictions
from wellness.suggestions.attributes import traits
from wellness.suggestions.inputs import SafetyLimits, SessionFacts

LONG_SILENCE_MINUTES = SafetyLimits().long_silence_minutes


class Mark(StrEnum):
    SKIP = "skip"
    PINNED = "pinned"

    @property
    def label(self) -> str:
        if self is Mark.SKIP:
            return "Your care team has asked you to skip this one for now"
        return "Pinned by your care team"


@dataclass(frozen=True, slots=True)
class SessionTraits:
    """What marking needs to know about a session, as the catalog stores it."""

    session_id: int
    contraindications: tuple[str, ...] = ()
    posture: str = ""
    guidance: str = ""
    minutes: float = 0

    def flags(self) -> frozenset[str]:
        facts = SessionFacts(
            session_id=self.session_id,
            title="",
            kind="",
            minutes=self.minutes,
            posture=self.posture,
            guidance=self.guidance,
            contraindications=frozenset(self.contraindications),
        )
        return traits(facts).effective_flags(LONG_SILENCE_MINUTES)


def mark_for(restrictions: Restrictions, session: SessionTraits) -> Mark | None:
    """SKIP wins over a pin: a pinned session that is also contraindicated is still skipped."""
    if restrictions.forbids(session.session_id, session.flags()):
        return Mark.SKIP
    if session.session_id in restrictions.pinned:
        return Mark.PINNED
    return None


def marks_for(restrictions: Restrictions, sessions: list[SessionTraits]) -> dict[int, Mark]:
    """The marked sessions only; {} for a patient without restrictions."""
    if not (restrictions.contraindications or restrictions.banned or restrictions.pinned):
        return {}
    marks = {session.session_id: mark_for(restrictions, session) for session in sessions}
    return {session_id: mark for session_id, mark in marks.items() if mark is not None}
