"""What a session is expected to do to a patient's rating: a pooled Bayesian linear model.

The outcome is the change, after - before, in SUDS points: negative is calmer, lower is better,
everywhere in the engine.

    change = x . beta  +  z . u_patient  +  g_(patient, session)  +  noise

- `x` are the features of `features.py`; `beta` is clinic-wide, with a Normal prior whose mean is
  the clinical rules (coefficient 1 on the rules' expected change, a small non-specific drop, a
  regression-to-the-mean slope on before - 5, a small habituation penalty), so with no data the
  model's ranking is the rules' ranking.
- `u_patient` (the columns `EFFECT_COLUMNS` of x) are the patient's own deviations, Normal with
  one variance per group (intercept, kind, length, silence): how much patients differ. These
  variances and the noise variance are estimated from the clinic's data by empirical Bayes
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
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from wellness.suggestions.attributes import hour_number
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


@dataclass(frozen=True, slots=True)
class ClinicModel:
    prior: Prior
    mean: Floats  # posterior mean of beta
    chol: Floats  # lower Cholesky factor of beta's posterior covariance
    effect_variance: Floats  # per column of EFFECT_COLUMNS
    noise_variance: float  # around the patient-level model
    within_variance: float  # around a patient's own mean for one session
    session_variance: float  # of the (patient, session) effects
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


def _order(rating: RatedPractice) -> float:
    moment = rating.started_at
    return moment.timestamp() if isinstance(moment, datetime) else 0.0


def _valid_level(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10


def rated(ratings: Sequence[RatedPractice], index: CatalogIndex) -> Rated:
    """Skips ratings outside 0-10 and ratings of sessions the index does not hold."""
    ordered = sorted(ratings, key=lambda rating: (rating.patient_id, _order(rating)))
    seen: Counter[tuple[int, int]] = Counter()
    columns: list[tuple[int, int, int, int, int, float]] = []
    position = index.position
    for rating in ordered:
        row = position.get(rating.session_id)
        if row is None or not (_valid_level(rating.before) and _valid_level(rating.after)):
            continue
        hour = hour_number(rating.local_hour)
        key = (rating.patient_id, row)
        columns.append(
            (
                rating.patient_id,
                row,
                rating.before,
                -1 if hour is None else hour,
                seen[key],
                rating.after - rating.before,
            )
        )
        seen[key] += 1
    table = np.array(columns, dtype=np.float64).reshape(len(columns), 6)
    whole = table[:, :4].astype(np.int64)
    return Rated(whole[:, 0], whole[:, 1], whole[:, 2], whole[:, 3], table[:, 4], table[:, 5])


def prior_model(prior: Prior, *, personal: bool = True) -> ClinicModel:
    return ClinicModel(
        prior=prior,
        mean=prior.mean(),
        chol=np.diag(np.sqrt(prior.variance())),
        effect_variance=np.full(EFFECTS, prior.effect_sd**2 if personal else 0.0),
        noise_variance=prior.noise_sd**2,
        within_variance=prior.noise_sd**2,
        session_variance=(prior.effect_sd**2) / 2 if personal else 0.0,
        ratings=0,
        patients=0,
        iterations=0,
    )


@dataclass(frozen=True, slots=True)
class PatientModel:
    """One patient's posterior against a fitted clinic, over the rows of a catalog index."""

    effect_mean: Floats  # u, per column of EFFECT_COLUMNS
    effect_chol: Floats  # lower Cholesky factor of u's posterior covariance
    session_mean: Floats  # g per session row (0 where never rated)
    session_sd: Floats
    repeats: Floats  # this patient's rated practices per session row
    change_total: Floats  # the sum of their after - before per session row
    kind_ratings: dict[str, int]  # rated practices per kind ("" = unknown kind)
    kind_change: dict[str, float]  # mean after - before per kind
    ratings: int


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
    effect_mean = np.zeros(EFFECTS)
    effect_chol = np.diag(np.sqrt(clinic.effect_variance))
    session_mean = np.zeros(sessions)
    session_var = np.full(sessions, clinic.session_variance)
    if len(data.change) and clinic.effect_variance.max() > 0:
        features = design(index, data.rows, data.levels, data.hours, data.repeats)
        effects = features[:, EFFECT_COLUMNS]
        residual = data.change - features @ clinic.mean
        noise = clinic.noise_variance
        precision = effects.T @ effects / noise + np.diag(1 / clinic.effect_variance)
        covariance = np.linalg.inv(precision)
        effect_mean = covariance @ (effects.T @ residual) / noise
        effect_chol = np.linalg.cholesky((covariance + covariance.T) / 2)
        if clinic.session_variance > 0:
            left = residual - effects @ effect_mean
            sums = np.bincount(data.rows, weights=left, minlength=sessions)
            within = clinic.within_variance
            session_mean = sums / (repeats + within / clinic.session_variance)
            session_var = 1 / (repeats / within + 1 / clinic.session_variance)
    kind_ratings: Counter[str] = Counter()
    kind_total: dict[str, float] = {}
    for row in np.flatnonzero(repeats):
        kind = index.traits[row].kind
        kind_ratings[kind] += int(repeats[row])
        kind_total[kind] = kind_total.get(kind, 0.0) + float(change_total[row])
    return PatientModel(
        effect_mean=effect_mean,
        effect_chol=effect_chol,
        session_mean=session_mean,
        session_sd=np.sqrt(session_var),
        repeats=repeats,
        change_total=change_total,
        kind_ratings=dict(kind_ratings),
        kind_change={kind: kind_total[kind] / kind_ratings[kind] for kind in kind_ratings},
        ratings=len(data.change),
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
    clinic_mean = features @ clinic.mean
    mean = clinic_mean + effects @ patient.effect_mean + patient.session_mean[rows]
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
    """`count` joint posterior draws of each session's change: shape (sessions, count)."""
    beta = clinic.mean[:, None] + clinic.chol @ rng.standard_normal((WIDTH, count))
    effects = patient.effect_mean[:, None] + patient.effect_chol @ rng.standard_normal(
        (EFFECTS, count)
    )
    rows = prediction.rows
    own = patient.session_mean[rows, None] + patient.session_sd[rows, None] * (
        rng.standard_normal((len(rows), count))
    )
    return np.asarray(
        prediction.features @ beta + prediction.features[:, EFFECT_COLUMNS] @ effects + own
    )


def personal_evidence(patient: PatientModel, row: int) -> tuple[int, float]:
    """(rated practices of this session, their mean after - before); (0, nan) when none."""
    count = int(patient.repeats[row])
    return count, (float(patient.change_total[row]) / count if count else math.nan)
