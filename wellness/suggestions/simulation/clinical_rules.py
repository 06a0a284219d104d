"""The clinical safety rules, written again from clinical.md and issue 11, apart from the engine.

The simulated clinic checks every suggestion any policy shows against these rules. They are
deliberately a second implementation: sharing code with the engine's own filter would let one
mistake pass both. Where the notes leave room, the reading here is the stricter one, and an
unknown value counts as the worst value it could stand for wherever a rule depends on it:

- never a session that is not in the catalog, twice in one list, banned by the care team, or
  carrying a contraindication the patient has (a standing or unknown posture counts as
  "standing"; silent or unknown-guidance practice of `long_silence_minutes` or more, or of
  unknown length, as "long_silence");
- never breath holds or fast breathing, for anyone (issue 11's safety filter), and never a
  contraindication value outside the catalog's vocabulary (it may name anything);
- at high distress (`high_distress_level`, SUDS 7 by clinical.md; or the alert level if a
  clinic sets that lower), and
  when the rating is missing or below 0 (we cannot tell it is not high): no vigorous and no long
  silent practice, and the kind, guidance and length must be known;
- at or above the alert level (a rating above 10 included): only what the support panel could
  offer: breathing or grounding, guided, 0 < minutes <= `high_distress_max_minutes`, with none
  of the contraindications the support panel excludes (a standing or unknown posture counting as
  "standing", as above).

A missing rating is read as high distress, not as an alert: "missing data fails closed" (issue
11) is met by keeping every risky practice out, and a patient who never checks in is not in
crisis. The engine's filter makes the same call (its GENTLE tier).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from wellness.catalog.kinds import Contraindication, Guidance, Kind, Posture
from wellness.suggestions.inputs import PatientContext, SafetyLimits, SessionFacts, SuggestionList

KNOWN_KINDS = frozenset(kind.value for kind in Kind)
KNOWN_GUIDANCE = frozenset(item.value for item in Guidance)
KNOWN_CONTRAINDICATIONS = frozenset(item.value for item in Contraindication)
NEVER = frozenset({Contraindication.BREATH_HOLD.value, Contraindication.FAST_BREATHING.value})
NOT_AT_HIGH_DISTRESS = NEVER | {
    Contraindication.VIGOROUS.value,
    Contraindication.LONG_SILENCE.value,
}
# What the support panel leaves out (suggestions.attributes.NOT_WHEN_DISTRESSED, plus standing).
NOT_IN_SUPPORT_PANEL = NOT_AT_HIGH_DISTRESS | {Contraindication.STANDING.value}
SUPPORT_PANEL_KINDS = frozenset({Kind.BREATHING.value, Kind.GROUNDING.value})


@dataclass(frozen=True, slots=True)
class Violation:
    session_id: int
    rule: str


def _known_length(session: SessionFacts) -> bool:
    return math.isfinite(session.minutes) and session.minutes > 0


def _long_silent(session: SessionFacts, limits: SafetyLimits) -> bool:
    """Silent (or unknown guidance) practice that is long, or of unknown length."""
    if session.guidance == Guidance.GUIDED.value:
        return False
    return not _known_length(session) or session.minutes >= limits.long_silence_minutes


def effective_contraindications(session: SessionFacts, limits: SafetyLimits) -> frozenset[str]:
    """The session's own contraindications plus those its posture and guidance imply."""
    implied = set(session.contraindications)
    if session.posture not in (Posture.SEATED.value, Posture.LYING.value):
        implied.add(Contraindication.STANDING.value)
    if _long_silent(session, limits):
        implied.add(Contraindication.LONG_SILENCE.value)
    return frozenset(implied)


def distress_band(anxiety: int | None, limits: SafetyLimits) -> str:
    """ "alert" (above 10 included), "high" (missing or negative included), or "ordinary"."""
    if anxiety is None or anxiety < 0:
        return "high"
    if anxiety >= limits.alert_level:
        return "alert"
    if anxiety >= min(limits.high_distress_level, limits.alert_level):
        return "high"
    return "ordinary"


def session_violations(
    session: SessionFacts, context: PatientContext, limits: SafetyLimits
) -> list[str]:
    """Every rule this session breaks if shown to this patient now (empty when it is safe)."""
    broken: list[str] = []
    own = session.contraindications
    if own - KNOWN_CONTRAINDICATIONS:
        broken.append("unknown contraindication")
    if own & NEVER:
        broken.append("breath hold or fast breathing")
    if session.session_id in context.banned:
        broken.append("banned by the care team")
    if effective_contraindications(session, limits) & context.contraindications:
        broken.append("contraindicated for the patient")
    band = distress_band(context.anxiety, limits)
    if band in ("high", "alert"):
        if own & NOT_AT_HIGH_DISTRESS or _long_silent(session, limits):
            broken.append("vigorous or long silent practice at high distress")
        if session.kind not in KNOWN_KINDS or session.guidance not in KNOWN_GUIDANCE:
            broken.append("unknown kind or guidance at high distress")
        if not _known_length(session):
            broken.append("unknown length at high distress")
    if band == "alert" and not _support_panel_could_offer(session, limits):
        broken.append("not a support-panel session at alert level or with no usable rating")
    return broken


def _support_panel_could_offer(session: SessionFacts, limits: SafetyLimits) -> bool:
    return (
        session.kind in SUPPORT_PANEL_KINDS
        and session.guidance == Guidance.GUIDED.value
        and _known_length(session)
        and session.minutes <= limits.high_distress_max_minutes
        and not effective_contraindications(session, limits) & NOT_IN_SUPPORT_PANEL
    )


def safe_ids(
    catalog: Iterable[SessionFacts], context: PatientContext, limits: SafetyLimits
) -> frozenset[int]:
    return frozenset(
        session.session_id
        for session in catalog
        if not session_violations(session, context, limits)
    )


def check_list(
    shown: SuggestionList,
    by_id: Mapping[int, SessionFacts],
    context: PatientContext,
    limits: SafetyLimits,
    safe: frozenset[int] | None = None,
) -> list[Violation]:
    """Every broken rule in one shown list, including an empty list while a safe session exists.

    `safe` (the ids `safe_ids` gives for this catalog and context) may be passed in by a caller
    that has it cached; it is only used to find the empty-list violation and to skip the per-rule
    walk for sessions already known to be safe.
    """
    found: list[Violation] = []
    seen: set[int] = set()
    for item in shown.items:
        if item.session_id in seen:
            found.append(Violation(item.session_id, "shown twice in one list"))
        seen.add(item.session_id)
        if not (math.isfinite(item.probability) and 0 <= item.probability <= 1):
            found.append(Violation(item.session_id, "probability outside 0-1"))
        if safe is not None and item.session_id in safe:
            continue
        session = by_id.get(item.session_id)
        if session is None:
            found.append(Violation(item.session_id, "not in the catalog"))
            continue
        found.extend(
            Violation(item.session_id, rule)
            for rule in session_violations(session, context, limits)
        )
    if not shown.items:
        if safe is None:
            safe = safe_ids(by_id.values(), context, limits)
        if safe:
            found.append(Violation(0, "empty list while a safe session exists"))
    return found
