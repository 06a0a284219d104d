"""clinical.md's "what to offer" rules as a number: how well a session fits a distress level.

The fit runs from -1 (a poor choice) to 1 (what the rules recommend). `rules_change` turns it
into points of expected extra change (negative = calmer), which is both the rules-only policy's
score and the prior mean the learning model starts from, so a new patient is offered what the
rules would offer until evidence says otherwise.

- High distress (SUDS >= 7): short (5-10 min), guided, slow-breathing or grounding; not
  vigorous, upright or long and silent (the hard parts of this are in `safety`).
- Moderate (4-6): guided body scan, gentle yoga, 10-20 minute meditation.
- Low (0-3): longer meditation and yoga.
- Everywhere: under 5 minutes helps less (Bentley et al. 2023); a level outside the range the
  coordinator gave the session counts against it; sleep sessions suit bedtime only.
- An unknown level is read as moderate, without the coordinator's range.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from wellness.suggestions.attributes import CALMING_KINDS, Traits

RULES_POINTS = 0.6  # the extra drop, in SUDS points, of a perfect fit over a neutral one
HIGH, MODERATE = 7, 4
UNKNOWN_LEVEL = 11  # the row of `rules_table` for a missing rating
BEDTIME_HOURS = frozenset({21, 22, 23, 0, 1, 2, 3})

_HIGH_KIND = {"breathing": 0.5, "grounding": 0.5, "body_scan": 0.1, "meditation": -0.1}
_MODERATE_KIND = {"body_scan": 0.4, "yoga": 0.3, "meditation": 0.2, "breathing": 0.2}
_LOW_KIND = {"meditation": 0.3, "yoga": 0.3, "body_scan": 0.2, "breathing": 0.1}


def band(level: int | None) -> str:
    if level is None:
        return "unknown"
    return "high" if level >= HIGH else "moderate" if level >= MODERATE else "low"


def is_bedtime(hour: int | None) -> bool:
    return hour in BEDTIME_HOURS


def rules_fit(facts: Traits, level: int | None, bedtime: bool) -> float:
    """How well the session fits this level of distress under the rules, from -1 to 1."""
    which = band(level)
    if which == "high":
        fit = _high(facts)
    elif which == "low":
        fit = _low(facts)
    else:
        fit = _moderate(facts)
    if facts.minutes and facts.minutes < 5:
        fit -= 0.2
    if level is not None and facts.suits is not None:
        low, high = facts.suits
        if not low <= level <= high:
            fit -= 0.4
    if facts.kind == "sleep":
        fit += 0.4 if bedtime else -0.3
    return max(-1.0, min(1.0, fit))


def _high(facts: Traits) -> float:
    fit = _HIGH_KIND.get(facts.kind, -0.3 if facts.kind in ("", "yoga") else 0.0)
    fit += {"guided": 0.2, "silent": -0.3}.get(facts.guidance, -0.2)
    minutes = facts.minutes
    if not minutes:
        fit -= 0.3
    elif 5 <= minutes <= 10:
        fit += 0.3
    elif minutes > 20:
        fit -= 0.4
    elif minutes > 15:
        fit -= 0.2
    if "vigorous" in facts.declared or facts.posture == "standing":
        fit -= 0.4
    if facts.level == "advanced":
        fit -= 0.2
    return fit


def _moderate(facts: Traits) -> float:
    fit = _MODERATE_KIND.get(facts.kind, 0.0)
    if facts.kind == "meditation" and 10 <= facts.minutes <= 20:
        fit += 0.2
    if facts.kind == "yoga" and "vigorous" in facts.declared:
        fit -= 0.5
    if 5 <= facts.minutes <= 25:
        fit += 0.1
    if facts.guidance == "guided":
        fit += 0.1
    return fit


def _low(facts: Traits) -> float:
    fit = _LOW_KIND.get(facts.kind, 0.0)
    if facts.minutes >= 15:
        fit += 0.2
    if facts.kind in CALMING_KINDS and 0 < facts.minutes <= 5:
        fit -= 0.1
    return fit


def rules_change(facts: Traits, level: int | None, bedtime: bool) -> float:
    """The rules' expected extra change in points (negative = calmer)."""
    return -RULES_POINTS * rules_fit(facts, level, bedtime)


def rules_table(facts: Traits) -> npt.NDArray[np.float64]:
    """`rules_change` for levels 0-10 and unknown (row 11), off bedtime and at bedtime."""
    table = np.empty((UNKNOWN_LEVEL + 1, 2))
    for row in range(UNKNOWN_LEVEL + 1):
        level = None if row == UNKNOWN_LEVEL else row
        table[row, 0] = rules_change(facts, level, False)
        table[row, 1] = rules_change(facts, level, True)
    return table
