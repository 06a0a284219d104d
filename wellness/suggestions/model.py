"""What a session is expected to do to a patient's rating: a pooled Bayesian linear model.

The outcome is the change, after - before, in SUDS points: negative is calmer, lower is better,
everywhere in the engine.

    change = x . beta  +  z . u_patient  +  g_(patient, session)  +  noise

- `x` are the features of `features.py`; `beta` is clinic-wide, with a Normal prior whose mean is
  the clinical rules (coefficient 1 on the rules' expected change, a small non-specific drop, a
  regression-to-the-mean slope on before - 5, a small habituation penalty), so with no data the
  model's ranking is the rules' ranking.
- `u_patient` (the columns `EFFECT_COLUMNS` of x) are the patient's own deviations, Normal with
  one variance per group (intercept, kind, length, silence, posture): how much patients differ.
  These variances and the noise variance are estimated from the clinic's data by empirical Bayes
  (EM on the marginal likelihood, a weak prior keeping them off zero when there is little data):
  when patients differ little, a patient's effects stay near zero and the clinic decides; when
  they differ a lot, a few ratings of their own move their predictions.
- `g` is what a patient's ratings of one particular session add beyond its attributes, with its
  variance estimated by moments from the residuals of (patient, session) cells.

Split for speed: `fit_clinic` (all ratings; the caller caches it and refits now and then) and
`personalise` (one patient's ratings against the fitted clinic; cheap, per request). Thompson
draws and posterior means for a set of sessions come from `predict`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter

import numpy as np

from wellness.suggestions.attributes import KINDS, POSTURES
from wellness.suggestions.features import (
    BEFORE,
    BEFORE_CALMING,
    DAY_PART,
    EFFECT_COLUMNS,
    HABITUATION,
    INTERCEPT,
    RULES,
    SLEEP_AT_BEDTIME,
    WIDTH,
    CatalogIndex,
    Floats,
    Ints,
    design,
)
from wellness.suggestions.inputs import RatedPractice

EFFECTS = len(EFFECT_COLUMNS)


@dataclass(frozen=True, slots=True)
class Prior:
    """The prior, in SUDS points: means from clinical.md's rules, spreads from suggestions.md."""

    rest_change: float = -0.5  # most of a session's calming is non-specific
    before_slope: float = -0.2  # a high rating tends to fall anyway
    rules_weight: float = 1.0
    habituation: float = 0.15  # per log(1 + repeats): the effect fades with repetition
    rest_sd: float = 1.0
    before_sd: float = 0.3
    rules_sd: float = 0.5
    attribute_sd: float = 0.3
    interaction_sd: float = 0.15
    habituation_sd: float = 0.2
    effect_sd: float = 0.5  # how much patients differ, assumed before there is any data
    # The weak prior on those variances once there is data: `effect_weight` pseudo-patients at
    # `effect_floor_sd`. Small, because when patients do not differ the likelihood is flat near
    # zero and any larger prior would decide the answer.
    effect_floor_sd: float = 0.1
    effect_weight: float = 0.5
    noise_sd: float = 1.2
    noise_weight: float = 5.0  # pseudo-ratings behind that guess
    session_sd: float = 0.2  # how much sessions differ beyond their attributes, before data

    def mean(self) -> Floats:
        mean = np.zeros(WIDTH)
        mean[INTERCEPT], mean[BEFORE], mean[RULES] = (
            self.rest_change,
            self.before_slope,
            self.rules_weight,
        )
        mean[HABITUATION] = self.habituation
        return mean

    def variance(self) -> Floats:
        spread = np.full(WIDTH, self.attribute_sd)
        spread[INTERCEPT], spread[BEFORE], spread[RULES] = (
            self.rest_sd,
            self.before_sd,
            self.rules_sd,
        )
        spread[DAY_PART:BEFORE_CALMING] = self.interaction_sd * 2
        spread[BEFORE_CALMING:SLEEP_AT_BEDTIME] = self.interaction_sd
        spread[HABITUATION] = self.habituation_sd
        return np.asarray(spread**2, dtype=float)


@dataclass(frozen=True, slots=True, eq=False)
class ClinicModel:
    """The fitted clinic. Compared and hashed by identity, so per-catalog arrays derived from it
    are cached for as long as the caller keeps using the same fit."""

    prior: Prior
    mean: Floats  # posterior mean of beta
    chol: Floats  # lower Cholesky factor of beta's posterior covariance
    effect_variance: Floats  # per column of EFFECT_COLUMNS
    noise_variance: float  # around the patient-level model
    within_variance: float  # around a patient's own mean for one session
    own_session_variance: float  # of the (patient, session) effects
    session_variance: float  # of the clinic-wide session effects (what attributes miss)
    session_effects: dict[int, tuple[float, float]]  # session id -> posterior (mean, variance)
    ratings: int  # ratings the fit used
    patients: int
    iterations: int
    session_ratings: dict[int, int] = field(default_factory=dict)  # clinic-wide, per session id
    session_drops: dict[int, int] = field(default_factory=dict)  # of those, lower after


@dataclass(frozen=True, slots=True)
class Rated:
    """Valid ratings as arrays, oldest first per patient, for sessions in the index."""

    patients: Ints
    rows: Ints
    levels: Ints  # before
    hours: Ints
    repeats: Floats  # earlier rated practices of the same session by the same patient
    change: Floats  # after - before


def _whole(values: list[object], low: int, high: int) -> Ints:
    """The values as integers, -1 wherever one is not an int from `low` to `high`."""
    if set(map(type, values)) <= {int}:
        try:
            array = np.array(values, dtype=np.int64)
        except OverflowError:
            array = None
        if array is not None:
            return np.where((array >= low) & (array <= high), array, -1)
    return np.array(
        [value if type(value) is int and low <= value <= high else -1 for value in values],
        dtype=np.int64,
    )


def rated(ratings: Sequence[RatedPractice], index: CatalogIndex) -> Rated:
    """Valid ratings as arrays, grouped by patient in the order given (oldest first, as the
    inputs promise; the order only decides the habituation counts). Skips ratings outside 0-10,
    patient ids that are not ints, and sessions the index does not hold."""
    locate = index.position.get
    patients = _whole(list(map(attrgetter("patient_id"), ratings)), 0, 2**62)
    rows = np.array([locate(key, -1) for key in map(attrgetter("session_id"), ratings)])
    rows = rows.astype(np.int64, copy=False)
    before = _whole(list(map(attrgetter("before"), ratings)), 0, 10)
    after = _whole(list(map(attrgetter("after"), ratings)), 0, 10)
    hours = _whole(list(map(attrgetter("local_hour"), ratings)), 0, 23)
    keep = (patients >= 0) & (rows >= 0) & (before >= 0) & (after >= 0)
    patients, rows, before, after, hours = (
        patients[keep],
        rows[keep],
        before[keep],
        after[keep],
        hours[keep],
    )
    count = len(rows)
    _, patient_code = np.unique(patients, return_inverse=True)
    key = patient_code * max(len(index.sessions), 1) + rows
    by_key = np.argsort(key, kind="stable")
    ordered = key[by_key]
    first = np.r_[True, ordered[1:] != ordered[:-1]] if count else np.zeros(0, dtype=bool)
    numbers = np.arange(count)
    repeats = np.empty(count)
    repeats[by_key] = numbers - np.maximum.accumulate(np.where(first, numbers, 0))
    by_patient = np.argsort(patients, kind="stable")
    return Rated(
        patients[by_patient],
        rows[by_patient],
        before[by_patient],
        hours[by_patient],
        repeats[by_patient],
        (after - before)[by_patient].astype(float),
    )


def prior_model(prior: Prior, *, personal: bool = True) -> ClinicModel:
    return ClinicModel(
        prior=prior,
        mean=prior.mean(),
        chol=np.diag(np.sqrt(prior.variance())),
        effect_variance=np.full(EFFECTS, prior.effect_sd**2 if personal else 0.0),
        noise_variance=prior.noise_sd**2,
        within_variance=prior.noise_sd**2,
        own_session_variance=(prior.effect_sd**2) / 2 if personal else 0.0,
        session_variance=prior.session_sd**2,
        session_effects={},
        ratings=0,
        patients=0,
        iterations=0,
    )


@dataclass(frozen=True, slots=True)
class PatientModel:
    """One patient's posterior against a fitted clinic, over the rows of a catalog index."""

    effect_mean: Floats  # u, per column of EFFECT_COLUMNS
    effect_chol: Floats  # lower Cholesky factor of u's posterior covariance
    session_mean: Floats  # per session row: the clinic-wide session effect plus the patient's own
    session_sd: Floats
    clinic_session_mean: Floats  # per session row: the clinic-wide part alone
    repeats: Floats  # this patient's rated practices per session row
    change_total: Floats  # the sum of their after - before per session row
    kind_ratings: dict[str, int]  # rated practices per kind ("" = unknown kind)
    kind_change: dict[str, float]  # mean after - before per kind
    posture_ratings: dict[str, int]  # rated practices per posture ("" = unknown posture)
    posture_change: dict[str, float]  # mean after - before per posture
    ratings: int
    change: float  # mean after - before over all their rated practices (nan without any)


@lru_cache(maxsize=64)
def session_arrays(clinic: ClinicModel, index: CatalogIndex) -> tuple[Floats, Floats]:
    """The clinic-wide session effects' (means, variances) per row of the index; a session the
    fit never saw gets mean 0 and the clinic's session variance."""
    means = np.zeros(len(index.sessions))
    variances = np.full(len(index.sessions), clinic.session_variance)
    for row, session in enumerate(index.sessions):
        known = clinic.session_effects.get(session.session_id)
        if known is not None:
            means[row], variances[row] = known
    return means, variances


def personalise(
    clinic: ClinicModel, index: CatalogIndex, patient_id: int, ratings: Sequence[RatedPractice]
) -> PatientModel:
    """The patient's effects given their own ratings (others' ratings in `ratings` are ignored)."""
    own = [rating for rating in ratings if rating.patient_id == patient_id]
    data = rated(own, index)
    sessions = len(index.sessions)
    repeats = np.bincount(data.rows, minlength=sessions).astype(float)
    change_total = np.asarray(
        np.bincount(data.rows, weights=data.change, minlength=sessions), dtype=float
    )
    clinic_mean, clinic_var = session_arrays(clinic, index)
    effect_mean = np.zeros(EFFECTS)
    effect_chol = np.diag(np.sqrt(clinic.effect_variance))
    own_mean = np.zeros(sessions)
    own_var = np.full(sessions, clinic.own_session_variance)
    if len(data.change) and clinic.effect_variance.max() > 0:
        features = design(index, data.rows, data.levels, data.hours, data.repeats)
        effects = features[:, EFFECT_COLUMNS]
        residual = data.change - features @ clinic.mean - clinic_mean[data.rows]
        noise = clinic.noise_variance
        precision = effects.T @ effects / noise + np.diag(1 / clinic.effect_variance)
        covariance = np.linalg.inv(precision)
        effect_mean = covariance @ (effects.T @ residual) / noise
        effect_chol = np.linalg.cholesky((covariance + covariance.T) / 2)
        if clinic.own_session_variance > 0:
            left = residual - effects @ effect_mean
            sums = np.bincount(data.rows, weights=left, minlength=sessions)
            within = clinic.within_variance
            own_mean = sums / (repeats + within / clinic.own_session_variance)
            own_var = 1 / (repeats / within + 1 / clinic.own_session_variance)
    kind_ratings, kind_change = _means_by(index.kind_codes[data.rows], data.change, KINDS)
    posture_ratings, posture_change = _means_by(
        index.posture_codes[data.rows], data.change, POSTURES
    )
    return PatientModel(
        effect_mean=effect_mean,
        effect_chol=effect_chol,
        session_mean=clinic_mean + own_mean,
        session_sd=np.sqrt(clinic_var + own_var),
        clinic_session_mean=clinic_mean,
        repeats=repeats,
        change_total=change_total,
        kind_ratings=kind_ratings,
        kind_change=kind_change,
        posture_ratings=posture_ratings,
        posture_change=posture_change,
        ratings=len(data.change),
        change=float(data.change.mean()) if len(data.change) else math.nan,
    )


def _means_by(
    codes: Ints, change: Floats, names: tuple[str, ...]
) -> tuple[dict[str, int], dict[str, float]]:
    """(rated practices, mean after - before) per name; code len(names) is the unknown, ""."""
    counts = np.bincount(codes, minlength=len(names) + 1)
    sums = np.bincount(codes, weights=change, minlength=len(names) + 1)
    labels = (*names, "")
    present = np.flatnonzero(counts)
    return (
        {labels[code]: int(counts[code]) for code in present},
        {labels[code]: float(sums[code] / counts[code]) for code in present},
    )


@dataclass(frozen=True, slots=True)
class Prediction:
    """Expected change for some sessions (rows of the index) at one moment for one patient."""

    rows: Ints
    features: Floats
    mean: Floats  # this patient's expected change
    sd: Floats  # its posterior standard deviation
    clinic_mean: Floats  # the clinic-wide expectation (no personal effects)


def predict(
    clinic: ClinicModel,
    patient: PatientModel,
    index: CatalogIndex,
    rows: Ints,
    *,
    level: int | None,
    hour: int | None,
) -> Prediction:
    count = len(rows)
    features = design(
        index,
        rows,
        np.full(count, -1 if level is None else level),
        np.full(count, -1 if hour is None else hour),
        patient.repeats[rows],
    )
    effects = features[:, EFFECT_COLUMNS]
    clinic_mean = features @ clinic.mean + patient.clinic_session_mean[rows]
    mean = features @ clinic.mean + effects @ patient.effect_mean + patient.session_mean[rows]
    variance = (
        np.sum((features @ clinic.chol) ** 2, axis=1)
        + np.sum((effects @ patient.effect_chol) ** 2, axis=1)
        + patient.session_sd[rows] ** 2
    )
    return Prediction(rows, features, mean, np.sqrt(variance), clinic_mean)


def draws(
    clinic: ClinicModel,
    patient: PatientModel,
    prediction: Prediction,
    rng: np.random.Generator,
    count: int,
) -> Floats:
    """`count` joint posterior draws of each session's expected change: (count, sessions)."""
    beta = clinic.mean + rng.standard_normal((count, WIDTH)) @ clinic.chol.T
    effects = patient.effect_mean + rng.standard_normal((count, EFFECTS)) @ patient.effect_chol.T
    features = prediction.features
    samples = beta @ features.T + effects @ features[:, EFFECT_COLUMNS].T
    rows = prediction.rows
    spread = patient.session_sd[rows]
    samples += patient.session_mean[rows]
    if spread.any():
        samples += rng.standard_normal((count, len(rows))) * spread
    return np.asarray(samples, dtype=float)


def personal_evidence(patient: PatientModel, row: int) -> tuple[int, float]:
    """(rated practices of this session, their mean after - before); (0, nan) when none."""
    count = int(patient.repeats[row])
    return count, (float(patient.change_total[row]) / count if count else math.nan)


def posture_evidence(patient: PatientModel, posture: str) -> tuple[int, float, float]:
    """(rated practices in this posture, their mean after - before, the mean of all their other
    rated practices); nan where there are none."""
    count = patient.posture_ratings.get(posture, 0)
    change = patient.posture_change.get(posture, math.nan)
    others = patient.ratings - count
    if not others:
        return count, change, math.nan
    total = patient.change * patient.ratings - (change * count if count else 0.0)
    return count, change, total / others
