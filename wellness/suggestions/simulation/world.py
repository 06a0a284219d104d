"""One seed's simulated clinic: patients, their chances to practise, and the true response model.

Everything random about the patients is drawn here, up front and vectorised, so every policy
meets the same patients, the same distress at the same moments, and the same coin flips for
following and rating (common random numbers): differences between policies are differences
between policies, not luck. Only what depends on the policy's choices (habituation, which
session a trap catches) is computed while a policy runs, from `World.expected_calm` and
`World.realised_calm`.

Sign convention: "calm" is the drop in distress, before - after, so a positive number is good.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from wellness.catalog.kinds import Contraindication
from wellness.suggestions.inputs import SafetyLimits, SessionFacts
from wellness.suggestions.simulation.catalog import (
    SyntheticCatalog,
    given_catalog,
    synthetic_catalog,
)
from wellness.suggestions.simulation.clinical_rules import effective_contraindications
from wellness.suggestions.simulation.parameters import (
    ClinicParameters,
    Heterogeneity,
    Trait,
    draw_parameters,
)

START = datetime(2025, 3, 3, tzinfo=UTC)  # a Monday; patients' local time is UTC
FIRST_HOUR, LAST_HOUR = 7, 22
PANIC = frozenset({Contraindication.BREATH_HOLD.value, Contraindication.FAST_BREATHING.value})
TRAUMA = frozenset({Contraindication.LONG_SILENCE.value})
MEDICAL = frozenset({Contraindication.STANDING.value, Contraindication.VIGOROUS.value})
NO_RATING = -1


@dataclass(frozen=True, slots=True)
class Cohort:
    admitted: np.ndarray  # (P,) first day
    leaves: np.ndarray  # (P,) day after the last one
    base: np.ndarray  # (P, S) true calm at before 5, first time: rest + session + patient terms
    follow: np.ndarray  # (P,) probability of doing a suggested session
    rating: np.ndarray  # (P,) probability of giving both ratings
    prone: np.ndarray  # (P,) bool: panic- or trauma-prone
    trap_for: np.ndarray  # (P, S) bool: this session can raise this patient's distress
    contraindications: tuple[frozenset[str], ...]
    banned: tuple[frozenset[int], ...]
    # (S,) which of a patient's own responses (`parameters.differ_by`'s groups) each session
    # draws on: its kind, in the notes' model
    responds_by: np.ndarray


@dataclass(frozen=True, slots=True)
class Chances:
    """Every moment a patient could practise, ordered by day, then patient, then hour."""

    patient: np.ndarray  # (C,) index
    day: np.ndarray  # (C,)
    hour: np.ndarray  # (C,)
    level: np.ndarray  # (C,) true distress 0-10 (continuous)
    anxiety: np.ndarray  # (C,) the check-in just before (0-10), or NO_RATING
    follows: np.ndarray  # (C,) bool: does one of the suggested sessions
    rated: np.ndarray  # (C,) bool: ...and gives both ratings (needs the check-in)
    pick: np.ndarray  # (C,) uniform [0, 1): which of the shown sessions (no position bias)
    trap_draw: np.ndarray  # (C,) uniform [0, 1): whether a trap catches
    harm: np.ndarray  # (C,) points of distress a trap adds
    after_noise: np.ndarray  # (C,) the after rating's error
    rated_before: np.ndarray  # (C,) rated sessions this patient had before this chance


@dataclass(frozen=True, slots=True)
class World:
    seed: int
    days: int
    parameters: ClinicParameters
    catalog: SyntheticCatalog
    cohort: Cohort
    chances: Chances

    @property
    def patients(self) -> int:
        return int(self.cohort.base.shape[0])

    def expected_calm(self, patient: int, level: float, repeats: np.ndarray) -> np.ndarray:
        """The true expected calm of every session for this patient now ((S,), noise-free)."""
        decay = (1.0 - self.parameters.habituation) ** repeats
        return self.calm_from(patient, level, self.cohort.base[patient] * decay)

    def calm_from(self, patient: int, level: float, habituated: np.ndarray) -> np.ndarray:
        """`expected_calm`, given the patient's base calms already scaled for habituation."""
        p = self.parameters
        calm = p.before_slope * (level - 5.0) + habituated
        trapped = self.cohort.trap_for[patient]
        if trapped.any():
            harm = -0.5 * (p.trap_harm[0] + p.trap_harm[1])
            mixed = (1 - p.trap_probability) * calm + p.trap_probability * harm
            calm = np.where(trapped, mixed, calm)
        return np.clip(calm, level - 10.0, level)

    def realised_calm(self, chance: int, session: int, repeats: int) -> float:
        """What one practice actually did (before the ratings' noise)."""
        p = self.parameters
        c = self.chances
        patient, level = int(c.patient[chance]), float(c.level[chance])
        if self.cohort.trap_for[patient, session] and c.trap_draw[chance] < p.trap_probability:
            calm = -float(c.harm[chance])
        else:
            base = float(self.cohort.base[patient, session])
            calm = p.before_slope * (level - 5.0) + base * (1.0 - p.habituation) ** repeats
        return min(max(calm, level - 10.0), level)

    def after_rating(self, chance: int, calm: float) -> int:
        level = float(self.chances.level[chance])
        noisy = level - calm + float(self.chances.after_noise[chance])
        return int(np.clip(np.rint(noisy), 0, 10))


def _cohort(
    rng: np.random.Generator,
    p: ClinicParameters,
    catalog: SyntheticCatalog,
    patients: int,
    days: int,
) -> tuple[Cohort, np.ndarray]:
    sessions = len(catalog.sessions)
    admitted = rng.integers(0, days // 4 + 1, size=patients)
    stay = rng.integers(p.stay_range[0], p.stay_range[1] + 1, size=patients)
    leaves = np.minimum(days, admitted + stay)
    offset = rng.normal(0.0, p.offset_sd, size=patients)
    responds_by, groups = catalog.groups(p.differ_by)
    response = rng.normal(0.0, p.kind_response_sd, size=(patients, groups))
    base = p.non_specific + catalog.effect[None, :] + offset[:, None]
    base = base + response[:, responds_by]

    prone = rng.random(patients) < p.prone_share
    panic = rng.random(patients) < 0.6
    medical = ~prone & (rng.random(patients) < 0.1)
    contraindications = tuple(
        (PANIC if panic[i] else TRAUMA) if prone[i] else (MEDICAL if medical[i] else frozenset())
        for i in range(patients)
    )
    limits = SafetyLimits()
    tags = [effective_contraindications(s, limits) for s in catalog.sessions]
    trap_for = np.array(
        [
            [bool(prone[i]) and bool(tags[s] & contraindications[i]) for s in range(sessions)]
            for i in range(patients)
        ],
        dtype=bool,
    ).reshape(patients, sessions)
    banned = tuple(
        frozenset({int(rng.integers(1, sessions + 1))})
        if rng.random() < p.banned_share
        else frozenset()
        for _ in range(patients)
    )
    baseline = np.clip(rng.normal(p.baseline_mean, p.baseline_sd, size=patients), 1.0, 8.0)
    distress = baseline[:, None] + taper_bumps(rng, p, admitted, days)
    distress = distress + rng.normal(0.0, p.day_sd, size=(patients, days))
    cohort = Cohort(
        admitted=admitted,
        leaves=leaves,
        base=base,
        follow=rng.uniform(*p.follow_range, size=patients),
        rating=rng.uniform(*p.rating_range, size=patients),
        prone=prone,
        trap_for=trap_for,
        contraindications=contraindications,
        banned=banned,
        responds_by=responds_by,
    )
    return cohort, distress


def taper_bumps(
    rng: np.random.Generator, p: ClinicParameters, admitted: np.ndarray, days: int
) -> np.ndarray:
    """(P, D) extra distress after benzodiazepine taper steps, for the patients tapering."""
    bumps = np.zeros((admitted.size, days))
    for patient in np.flatnonzero(rng.random(admitted.size) < p.taper_share):
        every = int(rng.integers(p.taper_every[0], p.taper_every[1] + 1))
        step_day = int(admitted[patient]) + int(rng.integers(every))
        while step_day < days:
            lasts = int(rng.integers(p.taper_days[0], p.taper_days[1] + 1))
            bumps[patient, step_day : step_day + lasts] += rng.uniform(*p.taper_step)
            step_day += every
    return bumps


def _chances(
    rng: np.random.Generator, p: ClinicParameters, cohort: Cohort, distress: np.ndarray
) -> Chances:
    patients, days = distress.shape
    day_index = np.arange(days)
    active = (day_index[None, :] >= cohort.admitted[:, None]) & (
        day_index[None, :] < cohort.leaves[:, None]
    )
    mean = rng.uniform(*p.chances_range, size=patients)
    whole = np.floor(mean).astype(int)
    per_day = whole[:, None] + (rng.random((patients, days)) < (mean - whole)[:, None])
    per_day = np.where(active, np.clip(per_day, 1, 4), 0)
    # Day-major order: (day, patient) pairs, each repeated by its number of chances.
    day_of, patient_of = np.nonzero(per_day.T)
    repeat = per_day[patient_of, day_of]
    day = np.repeat(day_of, repeat)
    patient = np.repeat(patient_of, repeat)
    hour = rng.integers(FIRST_HOUR, LAST_HOUR + 1, size=day.size)
    order = np.lexsort((hour, patient, day))
    day, patient, hour = day[order], patient[order], hour[order]
    count = day.size

    level = distress[patient, day] + rng.normal(0.0, p.moment_sd, size=count)
    level = np.clip(level, 0.0, 10.0)
    rating = cohort.rating[patient]
    checked_in_share = 0.5 * (1.0 + rating)  # some check in but skip the after rating
    checked_in = rng.random(count) < checked_in_share
    rates_after = rng.random(count) < rating / checked_in_share
    before = np.clip(np.rint(level + rng.normal(0.0, p.rating_noise_sd, size=count)), 0, 10)
    anxiety = np.where(checked_in, before, NO_RATING).astype(int)
    follows = rng.random(count) < cohort.follow[patient]
    rated = follows & checked_in & rates_after
    return Chances(
        patient=patient,
        day=day,
        hour=hour,
        level=level,
        anxiety=anxiety,
        follows=follows,
        rated=rated,
        pick=rng.random(count),
        trap_draw=rng.random(count),
        harm=rng.uniform(*p.trap_harm, size=count),
        after_noise=rng.normal(0.0, p.rating_noise_sd, size=count),
        rated_before=_rated_before(patient, rated),
    )


def _rated_before(patient: np.ndarray, rated: np.ndarray) -> np.ndarray:
    """For each chance, how many rated practices the same patient had at earlier chances."""
    counts = np.zeros(int(patient.max(initial=-1)) + 1, dtype=int)
    before = np.empty(patient.size, dtype=int)
    for index, (who, done) in enumerate(zip(patient.tolist(), rated.tolist(), strict=True)):
        before[index] = counts[who]
        counts[who] += done
    return before


def build_world(
    seed: int,
    patients: int,
    days: int,
    heterogeneity: Heterogeneity,
    session_count: int | None = None,
    differ_by: Trait = Trait.KIND,
    sessions: Sequence[SessionFacts] | None = None,
) -> World:
    """The whole synthetic clinic for one seed (deterministic in its arguments).

    With `sessions` the clinic offers that catalog (the demo library, say) instead of drawing
    one; each session's true effect is still drawn, by its kind, as for a synthetic catalog.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 11]))
    if sessions is not None:
        session_count = len(sessions)
    parameters = draw_parameters(rng, heterogeneity, session_count, differ_by)
    if sessions is None:
        catalog = synthetic_catalog(rng, parameters)
    else:
        catalog = given_catalog(rng, parameters, sessions)
    cohort, distress = _cohort(rng, parameters, catalog, patients, days)
    chances = _chances(rng, parameters, cohort, distress)
    return World(seed, days, parameters, catalog, cohort, chances)
