"""The hard safety filter: which sessions may be suggested at all, before any score is looked at.

Three nested tiers, strictest last; the patient's distress picks one and nothing outside it is
ever offered (a score can never buy a session back in):

- EVERYDAY: not banned by the care team, no contraindication the patient has, no breath holds or
  fast breathing, no contraindication flag the engine cannot read.
- GENTLE, from `high_distress_level` (SUDS 7, clinical.md's "high distress") and whenever the
  rating is missing or unreadable: also no vigorous and no long silent practice, and kind,
  guidance and length must be known.
- SUPPORT, from `alert_level` (and for any rating above 10): only what the support panel offers:
  a known-length guided slow-breathing or grounding session of at most
  `high_distress_max_minutes`, seated or lying, with none of the flags in `NOT_WHEN_DISTRESSED`.

Within a tier the list is empty only when no session passes it. A missing rating is not a sign of
crisis, so it gets GENTLE, not SUPPORT: otherwise a patient who never checks in would only ever
be offered the panel's few sessions.

The support panel can call `support_sessions(...)` on published sessions to get its shortest
SUPPORT-tier choices; then the panel and the engine can never disagree about what is calming.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from wellness.suggestions.attributes import (
    CALMING_KINDS,
    FLAGS,
    NEVER_OFFERED,
    NOT_WHEN_DISTRESSED,
    UNKNOWN_FLAG,
    Traits,
    flags,
    level_number,
    traits,
)
from wellness.suggestions.features import CatalogIndex, catalog_index
from wellness.suggestions.inputs import PatientContext, SafetyLimits, SessionFacts

DEFAULT_LIMITS = SafetyLimits()


class Tier(StrEnum):
    EVERYDAY = "everyday"
    GENTLE = "gentle"
    SUPPORT = "support"


@dataclass(frozen=True, slots=True)
class Limits:
    """`SafetyLimits` checked: a value that makes no sense falls back to the clinic default."""

    alert_level: int
    high_distress_level: int
    high_distress_max_minutes: float
    long_silence_minutes: float


def _whole(value: object, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return max(0, min(10, value))


def _minutes(value: object, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    number = float(value)
    return number if math.isfinite(number) and number > 0 else default


def checked(limits: SafetyLimits) -> Limits:
    alert = _whole(limits.alert_level, DEFAULT_LIMITS.alert_level)
    high = _whole(limits.high_distress_level, DEFAULT_LIMITS.high_distress_level)
    return Limits(
        alert_level=alert,
        high_distress_level=min(high, alert),
        high_distress_max_minutes=_minutes(
            limits.high_distress_max_minutes, DEFAULT_LIMITS.high_distress_max_minutes
        ),
        long_silence_minutes=_minutes(
            limits.long_silence_minutes, DEFAULT_LIMITS.long_silence_minutes
        ),
    )


def tier_for(anxiety: object, limits: SafetyLimits) -> Tier:
    """The tier a rating calls for; a missing or unreadable rating gets GENTLE."""
    bounds = checked(limits)
    level = level_number(anxiety)
    if level is None:
        return Tier.GENTLE
    if level >= bounds.alert_level:
        return Tier.SUPPORT
    if level >= bounds.high_distress_level:
        return Tier.GENTLE
    return Tier.EVERYDAY


def broken_rules(
    session: SessionFacts,
    tier: Tier,
    *,
    contraindications: Collection[str] = frozenset(),
    banned: Collection[int] = frozenset(),
    limits: SafetyLimits = DEFAULT_LIMITS,
) -> list[str]:
    """Every rule of `tier` (and the looser tiers) the session breaks, in words; [] when allowed."""
    patient = flags(_flag_set(contraindications)) - {UNKNOWN_FLAG}
    return _broken(session, tier, patient, _ids(banned), checked(limits))


def _broken(
    session: SessionFacts,
    tier: Tier,
    patient: frozenset[str],
    banned: frozenset[int],
    bounds: Limits,
) -> list[str]:
    facts = traits(session)
    marked = facts.effective_flags(bounds.long_silence_minutes)
    broken = _everyday_rules(session.session_id in banned, marked, patient)
    if tier in (Tier.GENTLE, Tier.SUPPORT):
        broken += _gentle_rules(facts, marked)
    if tier is Tier.SUPPORT:
        broken += _support_rules(facts, marked, bounds)
    return broken


def _everyday_rules(banned: bool, marked: frozenset[str], patient: frozenset[str]) -> list[str]:
    broken = []
    if banned:
        broken.append("banned by the care team")
    if marked & patient:
        broken.append("contraindicated for this patient")
    if marked & NEVER_OFFERED:
        broken.append("breath holds or fast breathing")
    if UNKNOWN_FLAG in marked:
        broken.append("a contraindication the engine cannot read")
    return broken


def _gentle_rules(facts: Traits, marked: frozenset[str]) -> list[str]:
    broken = []
    if "vigorous" in marked:
        broken.append("vigorous")
    if "long_silence" in marked:
        broken.append("long silent practice")
    if not (facts.kind and facts.guidance and facts.minutes):
        broken.append("kind, guidance or length unknown")
    return broken


def _support_rules(facts: Traits, marked: frozenset[str], bounds: Limits) -> list[str]:
    broken = []
    if facts.kind not in CALMING_KINDS:
        broken.append("not slow breathing or grounding")
    if facts.guidance != "guided":
        broken.append("not guided")
    if not 0 < facts.minutes <= bounds.high_distress_max_minutes:
        broken.append("not short")
    if facts.posture not in ("seated", "lying"):
        broken.append("not seated or lying")
    if marked & NOT_WHEN_DISTRESSED:
        broken.append("forceful, upright or long silent")
    return broken


def allowed(
    session: SessionFacts,
    tier: Tier,
    *,
    contraindications: Collection[str] = frozenset(),
    banned: Collection[int] = frozenset(),
    limits: SafetyLimits = DEFAULT_LIMITS,
) -> bool:
    return not broken_rules(
        session, tier, contraindications=contraindications, banned=banned, limits=limits
    )


@dataclass(frozen=True, slots=True)
class SafeSet:
    tier: Tier
    anxiety: int | None  # the rating as the filter read it
    sessions: tuple[SessionFacts, ...]  # in catalog order, one per session id


def safe_sessions(
    catalog: Sequence[SessionFacts], context: PatientContext, limits: SafetyLimits
) -> SafeSet:
    """The sessions this patient may be offered right now (the first copy of a repeated id)."""
    index = catalog_index(catalog)
    tier, level, rows = safe_rows(index, context, limits)
    return SafeSet(tier, level, tuple(index.sessions[row] for row in rows))


@dataclass(frozen=True, slots=True)
class _Verdicts:
    """Per session of an index: its flags as bits, and whether each tier's own rules allow it."""

    flags: npt.NDArray[np.int64]
    ids: npt.NDArray[np.int64]
    tiers: dict[Tier, npt.NDArray[np.bool_]]


_BITS = {flag: 1 << number for number, flag in enumerate((*FLAGS, UNKNOWN_FLAG))}
_LARGEST_ID = 2**63 - 1


def _bits(marked: frozenset[str]) -> int:
    return sum(_BITS.get(flag, 0) for flag in marked)


def _judge(index: CatalogIndex, limits: SafetyLimits) -> _Verdicts:
    bounds = checked(limits)
    nobody: frozenset[str] = frozenset()
    readable = np.array(
        [type(item.session_id) is int and abs(item.session_id) < 2**63 for item in index.sessions],
        dtype=bool,
    )
    tiers = {
        tier: readable
        & np.array(
            [not _broken(item, tier, nobody, frozenset(), bounds) for item in index.sessions],
            dtype=bool,
        )
        for tier in Tier
    }
    flags = [_bits(facts.effective_flags(bounds.long_silence_minutes)) for facts in index.traits]
    ids = [item.session_id for item in index.sessions]
    return _Verdicts(np.array(flags, dtype=np.int64), np.array(ids, dtype=np.int64), tiers)


_cached_judge = lru_cache(maxsize=64)(_judge)


def safe_rows(
    index: CatalogIndex, context: PatientContext, limits: SafetyLimits
) -> tuple[Tier, int | None, npt.NDArray[np.int64]]:
    """(tier, the rating as read, rows of `index` this patient may be offered now). The tier's
    own rules are judged once per catalog and limits; bans and the patient's contraindications
    are applied per call."""
    try:
        verdicts = _cached_judge(index, limits)
    except TypeError:  # unhashable, malformed limits
        verdicts = _judge(index, limits)
    tier = tier_for(context.anxiety, limits)
    allowed = verdicts.tiers[tier].copy()
    banned = [value for value in _ids(context.banned) if -_LARGEST_ID <= value <= _LARGEST_ID]
    if banned:
        allowed &= ~np.isin(verdicts.ids, np.array(banned, dtype=np.int64))
    patient = _bits(flags(_flag_set(context.contraindications)) - {UNKNOWN_FLAG})
    if patient:
        allowed &= (verdicts.flags & patient) == 0
    return tier, level_number(context.anxiety), np.flatnonzero(allowed)


def support_sessions(
    catalog: Sequence[SessionFacts],
    *,
    limits: SafetyLimits = DEFAULT_LIMITS,
    contraindications: Collection[str] = frozenset(),
    banned: Collection[int] = frozenset(),
    count: int = 3,
) -> list[SessionFacts]:
    """The support panel's offer: SUPPORT-tier sessions, shortest first, then by id."""
    bounds = checked(limits)
    patient = flags(_flag_set(contraindications)) - {UNKNOWN_FLAG}
    refused = _ids(banned)
    calm = [
        session
        for session in catalog
        if not _broken(session, Tier.SUPPORT, patient, refused, bounds)
    ]
    calm.sort(key=lambda session: (traits(session).minutes, session.session_id))
    return calm[: max(0, count)]


def _ids(values: object) -> frozenset[int]:
    if not isinstance(values, Collection) or isinstance(values, str):
        return frozenset()
    return frozenset(value for value in values if isinstance(value, int))


def _flag_set(values: object) -> frozenset[str]:
    if isinstance(values, str):
        return frozenset({values})
    if not isinstance(values, Collection):
        return frozenset()
    return frozenset(value for value in values if isinstance(value, str))
