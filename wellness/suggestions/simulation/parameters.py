"""The simulated clinic's parameters: one draw per seed from the ranges in suggestions.md.

Ranges marked "notes" come from ../shared/notes/suggestions.md (literature, calibrated, not
measured on our patients); those marked "ours" are choices of the simulation, stated in the
README's "simulation assumptions".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class Heterogeneity(StrEnum):
    """How much patients differ in what calms them."""

    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Trait(StrEnum):
    """What each patient responds to in their own way, beyond their overall offset.

    The notes' model is the kind of session. The others ask whether the engine still helps when
    patients differ by something it was not built around: a session's length band, posture or
    guidance, or each session on its own, with no pattern its attributes show.
    """

    KIND = "kind"
    LENGTH = "length"
    POSTURE = "posture"
    GUIDANCE = "guidance"
    SESSION = "session"


# notes: per-patient x kind SD 0.3-0.8 (none = 0). The per-patient offset (notes: SD 0.3-1.0)
# follows the same level, so "none" means patients do not differ at all.
KIND_RESPONSE_SD = {
    Heterogeneity.NONE: 0.0,
    Heterogeneity.LOW: 0.3,
    Heterogeneity.MEDIUM: 0.55,
    Heterogeneity.HIGH: 0.8,
}
OFFSET_SD = {
    Heterogeneity.NONE: 0.0,
    Heterogeneity.LOW: 0.3,
    Heterogeneity.MEDIUM: 0.65,
    Heterogeneity.HIGH: 1.0,
}


@dataclass(frozen=True, slots=True)
class ClinicParameters:
    heterogeneity: Heterogeneity
    non_specific: float  # notes: rest effect 0.3-0.8 SUDS points
    max_kind_effect: float  # notes: kind effect 0-0.7
    before_slope: float  # notes: 0.1-0.3 x (before - 5)
    offset_sd: float  # notes: per-patient offset SD 0.3-1.0
    kind_response_sd: float  # notes: per-patient x kind SD 0.3-0.8 (x `differ_by`'s groups)
    habituation: float  # notes: 1-5% less effect per repeat of the same session
    taper_step: tuple[float, float]  # notes: +1-3 baseline distress after a taper step
    taper_days: tuple[int, int]  # notes: for 2-5 days
    rating_noise_sd: float  # notes: 0.8-1.5, each rating
    prone_share: float  # notes: 20-40% panic- or trauma-prone patients
    trap_probability: float  # notes: a contraindicated session raises distress w.p. 0.1-0.3
    trap_harm: tuple[float, float]  # notes: by 1-3 points
    session_count: int  # notes: 30-60 sessions
    trap_share: float  # notes: 10-20% of sessions carry a contraindication
    follow_range: tuple[float, float]  # notes: follows a suggestion w.p. 0.40-0.75
    rating_range: tuple[float, float]  # notes: gives both ratings w.p. 0.70-0.80
    chances_range: tuple[float, float]  # notes: 1-4 chances a day
    stay_range: tuple[int, int]  # notes: stays of 14-42 days
    session_sd: float  # ours: each session's own effect beyond its kind, SD 0.1-0.2
    taper_share: float  # ours: half the patients are on a benzodiazepine taper
    taper_every: tuple[int, int]  # ours: a taper step every 7-14 days
    baseline_mean: float  # ours: usual distress between sessions, mean 4.5
    baseline_sd: float  # ours: SD 1.5 between patients
    day_sd: float  # ours: day-to-day swing, SD 0.7
    moment_sd: float  # ours: swing between chances of a day, SD 0.7
    banned_share: float  # ours: 10% of patients have one session banned by their therapist
    differ_by: Trait = Trait.KIND  # ours: the notes' model, unless a run asks for another


def draw_parameters(
    rng: np.random.Generator,
    heterogeneity: Heterogeneity,
    session_count: int | None = None,
    differ_by: Trait = Trait.KIND,
) -> ClinicParameters:
    drawn_count = int(rng.integers(30, 61))  # drawn either way, so the stream does not shift
    return ClinicParameters(
        heterogeneity=heterogeneity,
        non_specific=rng.uniform(0.3, 0.8),
        max_kind_effect=0.7,
        before_slope=rng.uniform(0.1, 0.3),
        offset_sd=OFFSET_SD[heterogeneity],
        kind_response_sd=KIND_RESPONSE_SD[heterogeneity],
        habituation=rng.uniform(0.01, 0.05),
        taper_step=(1.0, 3.0),
        taper_days=(2, 5),
        rating_noise_sd=rng.uniform(0.8, 1.5),
        prone_share=rng.uniform(0.2, 0.4),
        trap_probability=rng.uniform(0.1, 0.3),
        trap_harm=(1.0, 3.0),
        session_count=session_count or drawn_count,
        trap_share=rng.uniform(0.10, 0.20),
        follow_range=(0.40, 0.75),
        rating_range=(0.70, 0.80),
        chances_range=(1.0, 4.0),
        stay_range=(14, 42),
        session_sd=rng.uniform(0.1, 0.2),
        taper_share=0.5,
        taper_every=(7, 14),
        baseline_mean=4.5,
        baseline_sd=1.5,
        day_sd=0.7,
        moment_sd=0.7,
        banned_share=0.1,
        differ_by=differ_by,
    )
