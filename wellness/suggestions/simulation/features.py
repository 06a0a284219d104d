"""Session features and a conjugate Bayesian linear model, for the fully pooled baseline."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wellness.catalog.kinds import Guidance, Posture
from wellness.suggestions.inputs import PatientContext, RatedPractice, SessionFacts
from wellness.suggestions.simulation.catalog import KIND_INDEX, KINDS, UNKNOWN_KIND

_POSTURES = (Posture.SEATED.value, Posture.LYING.value, Posture.STANDING.value)
_GUIDANCE = (Guidance.GUIDED.value, Guidance.SILENT.value)
PRIOR_SD = 1.0
MIN_NOISE_VARIANCE = 1.0


def _length_band(minutes: float) -> int:
    if not np.isfinite(minutes) or minutes <= 0:
        return 3
    return 0 if minutes <= 10 else 1 if minutes <= 20 else 2


def session_row(session: SessionFacts) -> np.ndarray:
    """Intercept, kind, length band, guidance, posture (one-hot, an "unknown" slot in each)."""
    row = np.zeros(1 + len(KINDS) + 4 + 3 + 4)
    row[0] = 1.0
    row[1 + KIND_INDEX.get(session.kind, UNKNOWN_KIND)] = 1.0
    offset = 1 + len(KINDS)
    row[offset + _length_band(session.minutes)] = 1.0
    offset += 4
    guidance = _GUIDANCE.index(session.guidance) if session.guidance in _GUIDANCE else 2
    row[offset + guidance] = 1.0
    offset += 3
    posture = _POSTURES.index(session.posture) if session.posture in _POSTURES else 3
    row[offset + posture] = 1.0
    return row


@dataclass(frozen=True, slots=True)
class LinearPosterior:
    mean: np.ndarray  # (d,)
    cov_factor: np.ndarray  # (d, d), cov = F F^T

    def sample(self, rng: np.random.Generator, draws: int) -> np.ndarray:
        noise = rng.standard_normal((draws, self.mean.size))
        return np.asarray(self.mean + noise @ self.cov_factor.T)


class SessionFeatures:
    """Rows for sessions, plus the before level and log(1 + repeats) for each rated practice."""

    def __init__(self, catalog: Sequence[SessionFacts]) -> None:
        self.index = {session.session_id: n for n, session in enumerate(catalog)}
        self.ids = [session.session_id for session in catalog]
        self.rows = np.array([session_row(session) for session in catalog])
        self.width = self.rows.shape[1] + 2

    def prior_model(self) -> LinearPosterior:
        return LinearPosterior(np.zeros(self.width), PRIOR_SD * np.eye(self.width))

    def fit(self, ratings: Sequence[RatedPractice]) -> LinearPosterior:
        known = [r for r in ratings if r.session_id in self.index]
        if not known:
            return self.prior_model()
        seen: Counter[tuple[int, int]] = Counter()
        repeats = np.empty(len(known))
        for n, rating in enumerate(known):
            key = (rating.patient_id, rating.session_id)
            repeats[n] = seen[key]
            seen[key] += 1
        where = np.array([self.index[r.session_id] for r in known], dtype=np.intp)
        before = np.array([r.before for r in known], dtype=float)
        calm = before - np.array([r.after for r in known], dtype=float)
        design = np.column_stack([self.rows[where], before - 5.0, np.log1p(repeats)])
        precision_prior = np.eye(self.width) / PRIOR_SD**2
        gram = design.T @ design
        # Two passes: the noise variance from the first pass's residuals, then the posterior.
        mean = np.linalg.solve(gram + precision_prior, design.T @ calm)
        residual = calm - design @ mean
        noise = max(float(residual @ residual) / max(len(known) - 1, 1), MIN_NOISE_VARIANCE)
        precision = gram / noise + precision_prior
        mean = np.linalg.solve(precision, design.T @ calm / noise)
        covariance = np.linalg.inv(precision)
        return LinearPosterior(mean, np.linalg.cholesky((covariance + covariance.T) / 2))

    def scores(self, draws: np.ndarray, pool: np.ndarray, context: PatientContext) -> np.ndarray:
        """(draws, len(pool)) predicted calm of each pooled session under each draw."""
        done = Counter(practice.session_id for practice in context.history)
        repeats = np.log1p(np.array([done.get(self.ids[i], 0) for i in pool.tolist()], dtype=float))
        before = 5.0 if context.anxiety is None else float(context.anxiety)
        design = np.column_stack([self.rows[pool], np.full(pool.size, before - 5.0), repeats])
        return np.asarray(draws @ design.T)
