"""What the suggestion engine is told and what it answers. Pure: frozen dataclasses, stdlib only.

The engine (`wellness.suggestions.engine`), the simulated clinic
(`wellness.suggestions.simulation`) and the app's services all speak these types: the services
build them from the database, the simulation from its synthetic patients, so the code the app
runs is the code the simulation judges. Values are plain strings and numbers, not the catalog's
enums, because the engine must fail closed on a value it does not know rather than crash on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """A published session as the engine sees it; "" means unknown, and unknown fails closed."""

    session_id: int
    title: str
    kind: str  # a `catalog.kinds.Kind` value
    minutes: float  # 0 when the length is unknown
    posture: str = ""  # a `Posture` value
    guidance: str = ""  # a `Guidance` value
    level: str = ""  # a `Level` value
    contraindications: frozenset[str] = frozenset()  # `Contraindication` values
    anxiety_min: int = 0  # the SUDS range the coordinator says the session suits
    anxiety_max: int = 10


@dataclass(frozen=True, slots=True)
class RatedPractice:
    """One practice with both ratings, from any patient: what the model learns from."""

    patient_id: int
    session_id: int
    started_at: datetime  # aware, UTC
    local_hour: int  # 0-23, the patient's local hour when it started (part of the day)
    before: int  # SUDS 0-10
    after: int  # SUDS 0-10


@dataclass(frozen=True, slots=True)
class PracticeDone:
    """One of this patient's practices, rated or not (for habituation and repetition)."""

    session_id: int
    practice_day: str  # ISO date of the patient's practice day (rollover hour applied)
    completed: bool


@dataclass(frozen=True, slots=True)
class DueItem:
    """A practice a therapist assigned that is due today and not yet done."""

    assignment_id: int
    session_id: int | None  # a specific session, or None for "a session of this kind"
    kind: str = ""
    min_minutes: float = 0
    max_minutes: float = 0
    note: str = ""


@dataclass(frozen=True, slots=True)
class PatientContext:
    """Everything about one patient, right now, that a suggestion may depend on."""

    patient_id: int
    now: datetime  # aware, UTC
    local_hour: int  # 0-23 in the patient's zone
    today: str  # ISO date of the patient's practice day
    anxiety: int | None = None  # the latest SUDS rating if it is recent enough to act on
    rated_at: datetime | None = None
    contraindications: frozenset[str] = frozenset()  # the patient's, set by their care team
    banned: frozenset[int] = frozenset()  # session ids the care team asked them to skip
    pinned: frozenset[int] = frozenset()  # session ids the care team recommends
    due: tuple[DueItem, ...] = ()
    history: tuple[PracticeDone, ...] = ()  # oldest first
    ratings: tuple[RatedPractice, ...] = ()  # this patient's rated practices, oldest first


@dataclass(frozen=True, slots=True)
class SafetyLimits:
    """Clinic configuration the safety filter reads (see clinical.md)."""

    alert_level: int = 8  # WELLNESS_ALERT_LEVEL: at or above it only the support panel's kind
    high_distress_max_minutes: float = 10
    long_silence_minutes: float = 20  # silent practice this long is never offered at high distress
    high_distress_level: int = 7  # clinical.md's high distress: no long silent or vigorous practice


@dataclass(frozen=True, slots=True)
class Suggestion:
    session_id: int
    probability: float  # the chance this session was in the shown list, for off-policy review
    reasons: tuple[str, ...]  # plain words, the first one shown on the card
    assignment_id: int | None = None  # set when the suggestion is a due assigned practice


@dataclass(frozen=True, slots=True)
class SuggestionList:
    items: tuple[Suggestion, ...]
    engine_version: str
    context: dict[str, object] = field(default_factory=dict)  # what was logged with the list


def sessions_by_id(sessions: Sequence[SessionFacts]) -> dict[int, SessionFacts]:
    return {session.session_id: session for session in sessions}
