"""Why a session was suggested, in plain words, from the numbers the choice used.

Each claim needs its evidence: a personal line only with the patient's own ratings (and says how
many), a clinic line only with enough of the clinic's ratings of that very session, "new for
you" only when the patient has never done it. The first reason is the one a card shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from wellness.suggestions.attributes import Traits
from wellness.suggestions.rules import band

CLINIC_EVIDENCE = 5  # clinic ratings of a session before "people here" is said about it
OFTEN = 0.5  # share of those ratings that ended lower, for "often find it calming"
KIND_EVIDENCE = 2  # own ratings of a kind before it is mentioned
POSTURE_EVIDENCE = 3  # own ratings in a posture before it is mentioned...
STANDS_OUT = 0.5  # ...and by how many points it must beat the patient's other sessions
GOOD_FIT = 0.4  # the rules' fit (-1 to 1) from which the rating is given as a reason
# A rating is said in the present tense ("Your anxiety is 8/10") for this long after it was
# given; the engine acts on ratings up to 12 hours old, and by then it is only the last one given.
CURRENT_FOR = timedelta(hours=1)

_KIND_WORDS = {
    "breathing": "slow-breathing session",
    "grounding": "grounding session",
    "body_scan": "body scan",
    "yoga": "yoga session",
    "meditation": "meditation",
    "sleep": "sleep session",
}
_KIND_NAMES = {
    "breathing": "breathing session",
    "grounding": "grounding session",
    "body_scan": "body scan",
    "yoga": "yoga session",
    "meditation": "meditation",
    "sleep": "sleep session",
}
_POSTURE_PLURAL = {
    "seated": "Seated sessions",
    "lying": "Sessions lying down",
    "standing": "Standing sessions",
}
_KIND_PLURAL = {
    "breathing": "Breathing sessions",
    "grounding": "Grounding sessions",
    "body_scan": "Body scans",
    "yoga": "Yoga sessions",
    "meditation": "Meditations",
    "sleep": "Sleep sessions",
}


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the choice knew about one shown session."""

    traits: Traits
    anxiety: int | None  # the rating the choice acted on, as the safety filter read it
    rules_fit: float  # clinical.md's fit at that rating, -1 to 1
    own_count: int  # the patient's rated practices of this session
    own_change: float  # their mean after - before (nan without ratings)
    kind_count: int  # the patient's rated practices of this kind
    kind_change: float
    clinic_count: int  # the clinic's rated practices of this session
    clinic_drops: int  # of those, ending lower than they began
    done_before: bool  # in the patient's practice history, rated or not
    due: bool = False
    due_kind: bool = False  # due as "a session of this kind", not this very session
    pinned: bool = False
    posture_count: int = 0  # the patient's rated practices in this session's posture
    posture_change: float = math.nan
    others_change: float = math.nan  # the mean of their rated practices in other postures
    anxiety_current: bool = False  # the rating was given within `CURRENT_FOR`


def is_current(rated_at: object, now: object) -> bool:
    """Whether a rating given at `rated_at` still says how the patient is at `now`; anything
    unknown or malformed is not."""
    if not isinstance(rated_at, datetime) or not isinstance(now, datetime):
        return False
    if rated_at.tzinfo is None or now.tzinfo is None:
        return False
    return timedelta(0) <= now - rated_at <= CURRENT_FOR


def points(amount: float) -> str:
    """A change in points, to the nearest half: "1 point", "1.5 points", "half a point"."""
    halves = round(abs(amount) * 2)
    if halves == 1:
        return "half a point"
    value = halves / 2
    number = f"{value:g}"
    return f"{number} point" if value == 1 else f"{number} points"


def _describe(traits: Traits) -> str:
    words = _KIND_WORDS.get(traits.kind, "session")
    if traits.minutes and traits.minutes <= 10:
        return f"a short {words}"
    if traits.minutes:
        return f"a {round(traits.minutes)}-minute {words}"
    return f"a {words}"


def anxiety_reason(evidence: Evidence) -> str | None:
    level = evidence.anxiety
    if level is None or evidence.rules_fit < GOOD_FIT:
        return None
    which = band(level)
    described = _describe(evidence.traits)
    rating = (
        f"Your anxiety is {level}/10"
        if evidence.anxiety_current
        else f"You last rated your anxiety {level}/10"
    )
    if which == "high":
        return f"{rating}: {described}"
    if which == "moderate":
        return f"{rating}: {described} suits a moderate level"
    return f"{rating}: a good moment for {described}"


def own_reason(count: int, change: float) -> str | None:
    """The patient's own ratings of this very session; None without any."""
    if count <= 0 or not math.isfinite(change):
        return None
    if count == 1:
        if round(change * 2) == 0:
            return "Last time, your rating stayed the same after this"
        if change < 0:
            return f"Last time, this lowered your rating by {points(change)}"
        return f"Last time, your rating rose by {points(change)} after this"
    if round(change * 2) == 0:
        return f"The last {count} times, your rating stayed about the same after this"
    if change < 0:
        return f"The last {count} times, this lowered your rating by {points(change)} on average"
    return f"The last {count} times, your rating rose by {points(change)} on average after this"


def kind_reason(kind: str, count: int, change: float) -> str | None:
    """The patient's ratings of sessions of this kind, when at least `KIND_EVIDENCE` and calming."""
    if count < KIND_EVIDENCE or kind not in _KIND_PLURAL or not change <= -0.25:
        return None
    return (
        f"{_KIND_PLURAL[kind]} have lowered your rating by {points(change)} on average "
        f"({count} times)"
    )


def posture_reason(posture: str, count: int, change: float, others: float) -> str | None:
    """The patient's ratings in this posture, when at least `POSTURE_EVIDENCE`, calming, and
    clearly better than their other sessions (most sessions are seated: saying so of every
    seated one would tell them nothing)."""
    if count < POSTURE_EVIDENCE or posture not in _POSTURE_PLURAL:
        return None
    if not change <= -0.25 or not change <= others - STANDS_OUT:  # False for nan, too
        return None
    return (
        f"{_POSTURE_PLURAL[posture]} have lowered your rating by {points(change)} on average "
        f"({count} times), more than your other sessions"
    )


def clinic_reason(evidence: Evidence) -> str | None:
    often = (
        evidence.clinic_count >= CLINIC_EVIDENCE
        and evidence.clinic_drops >= OFTEN * evidence.clinic_count
    )
    if evidence.own_count:
        return None  # their own ratings say more
    if evidence.done_before:
        return "People here often find it calming" if often else None
    if often:
        return "New for you: people here often find it calming"
    return "New for you: a chance to find out whether it helps you"


def reasons(evidence: Evidence) -> tuple[str, ...]:
    """Every reason that holds, most specific first."""
    lines: list[str | None] = []
    if evidence.due:
        kind = _KIND_NAMES.get(evidence.traits.kind)
        if evidence.due_kind and kind:
            lines.append(f"Your therapist asked for a {kind} today: this one fits")
        else:
            lines.append("Your therapist asked you to do this today")
    if evidence.anxiety is not None and band(evidence.anxiety) == "high":
        lines.append(anxiety_reason(evidence))
    lines.append(own_reason(evidence.own_count, evidence.own_change))
    if not evidence.own_count:
        lines.append(kind_reason(evidence.traits.kind, evidence.kind_count, evidence.kind_change))
        lines.append(
            posture_reason(
                evidence.traits.posture,
                evidence.posture_count,
                evidence.posture_change,
                evidence.others_change,
            )
        )
    if evidence.pinned:
        lines.append("Your care team recommends this session")
    lines.append(clinic_reason(evidence))
    if evidence.anxiety is not None and band(evidence.anxiety) != "high":
        lines.append(anxiety_reason(evidence))
    found = tuple(line for line in lines if line)
    return found or ("You have done this before",)


def rules_reasons(evidence: Evidence) -> tuple[str, ...]:
    """Reasons for the rules-only policy, which reads no ratings: only what it acted on."""
    lines = [
        "Your therapist asked you to do this today" if evidence.due else None,
        anxiety_reason(evidence),
        "Your care team recommends this session" if evidence.pinned else None,
    ]
    found = tuple(line for line in lines if line)
    return found or ("Suggested by the clinic's general guidance",)
