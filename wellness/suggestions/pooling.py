"""Fitting the clinic-wide layer and how much patients differ (empirical Bayes), from all ratings.

Per patient p with features X_p, effect columns Z_p and changes y_p, integrating out the patient's
effects u_p ~ N(0, D) gives y_p ~ N(X_p beta, s2 I + Z_p D Z_p'). EM on that marginal likelihood:

  E-step: C_p = Z_p'Z_p / s2 + D^-1; beta from the prior plus every patient's
          X_p' V_p^-1 X_p (Woodbury, so only q x q solves); u_p = C_p^-1 Z_p'(y_p - X_p beta) / s2
  M-step: D per group = mean of u_p^2 + diag(C_p^-1); s2 = expected residual sum of squares / n

All from per-patient sums (X_p'X_p, X_p'y_p), so an iteration costs a batched q x q inverse and is
independent of the number of ratings. A weak inverse-gamma prior (`Prior.effect_weight`
pseudo-patients at `Prior.effect_sd`) keeps D off zero with very few patients.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from wellness.suggestions.features import (
    EFFECT_COLUMNS,
    EFFECT_GROUPS,
    Floats,
    catalog_index,
    design,
)
from wellness.suggestions.inputs import RatedPractice, SessionFacts
from wellness.suggestions.model import EFFECTS, ClinicModel, Prior, prior_model, rated

SMALLEST_VARIANCE = 1e-6


def fit_clinic(
    ratings: Sequence[RatedPractice],
    catalog: Sequence[SessionFacts],
    *,
    prior: Prior | None = None,
    personal: bool = True,
    start: ClinicModel | None = None,
    max_iterations: int = 200,
    tolerance: float = 1e-3,
) -> ClinicModel:
    """The clinic model from every patient's ratings (oldest first within each patient).
    `personal=False` fits the fully pooled model (no per-patient effects), the baseline the
    simulation compares against. `start`, an earlier fit, starts EM from its variances, which
    saves most of the steps when only a few ratings were added since."""
    prior = prior or Prior()
    index = catalog_index(catalog)
    data = rated(ratings, index)
    ids = np.array([session.session_id for session in index.sessions], dtype=np.int64)
    counts = np.bincount(data.rows, minlength=len(ids))
    drops = np.bincount(data.rows, weights=data.change < 0, minlength=len(ids))
    session_ratings = {int(ids[row]): int(counts[row]) for row in np.flatnonzero(counts)}
    session_drops = {int(ids[row]): int(drops[row]) for row in np.flatnonzero(counts)}
    empty = prior_model(prior, personal=personal)
    if len(data.change) == 0:
        return replace(empty, session_ratings=session_ratings, session_drops=session_drops)

    features = design(index, data.rows, data.levels, data.hours, data.repeats)
    change = data.change
    starts = np.concatenate(([0], np.flatnonzero(np.diff(data.patients)) + 1))
    sizes = np.diff(np.append(starts, len(change)))
    patients = len(starts)
    cross = np.empty((patients, features.shape[1], features.shape[1]))
    cross_y = np.empty((patients, features.shape[1]))
    for number, (first, size) in enumerate(zip(starts, sizes, strict=True)):
        block = features[first : first + size]
        cross[number] = block.T @ block
        cross_y[number] = block.T @ change[first : first + size]
    fit = _em(
        cross,
        cross_y,
        float(change @ change),
        len(change),
        prior,
        personal,
        _starting_point(start, prior, personal),
        max_iterations,
        tolerance,
    )
    beta, covariance, effects, effect_variance, noise, iterations = fit
    owner = np.repeat(np.arange(patients), sizes)
    residual = change - features @ beta
    if personal:
        residual -= np.einsum("nk,nk->n", features[:, EFFECT_COLUMNS], effects[owner])
    session_variance, shrunk, spread = _session_effects(residual, data.rows, len(ids), noise, prior)
    residual -= shrunk[data.rows]
    within, between = _session_cells(residual, owner, data.rows, len(ids), noise)
    rated_rows = np.flatnonzero(counts)
    return ClinicModel(
        prior=prior,
        mean=beta,
        chol=np.asarray(np.linalg.cholesky(covariance), dtype=float),
        effect_variance=effect_variance,
        noise_variance=noise,
        within_variance=within,
        own_session_variance=between if personal else 0.0,
        session_variance=session_variance,
        session_effects={
            int(ids[row]): (float(shrunk[row]), float(spread[row])) for row in rated_rows
        },
        ratings=len(change),
        patients=patients,
        iterations=iterations,
        session_ratings=session_ratings,
        session_drops=session_drops,
    )


@dataclass(frozen=True, slots=True)
class _Sums:
    """Per-patient cross products and the prior: all an EM step reads."""

    zz: Floats  # (P, q, q)
    zx: Floats  # (P, q, d)
    zy: Floats  # (P, q)
    observed: npt.NDArray[np.bool_]  # (P, q): the patient has ratings with this effect column
    total_xx: Floats
    total_xy: Floats
    total_yy: float
    count: int
    precision: Floats  # of beta's prior
    prior_mean: Floats


@dataclass(frozen=True, slots=True)
class _State:
    beta: Floats
    matrix: Floats  # beta's posterior precision
    effects: Floats  # (P, q) posterior means of u
    effect_variance: Floats
    noise: float


def _em(
    cross: Floats,
    cross_y: Floats,
    total_yy: float,
    count: int,
    prior: Prior,
    personal: bool,
    theta: Floats,
    max_iterations: int,
    tolerance: float,
) -> tuple[Floats, Floats, Floats, Floats, float, int]:
    """(beta, its covariance, u per patient, D, s2, EM steps taken).

    The EM map is accelerated with SQUAREM (Varadhan and Roland 2008) on the log variances:
    plain EM crawls when a variance heads for zero, which is the common case when patients
    hardly differ in some respect.
    """
    zz = cross[:, EFFECT_COLUMNS][:, :, EFFECT_COLUMNS]
    sums = _Sums(
        zz=zz,
        zx=cross[:, EFFECT_COLUMNS, :],
        zy=cross_y[:, EFFECT_COLUMNS],
        observed=np.diagonal(zz, axis1=1, axis2=2) > 0,
        total_xx=cross.sum(axis=0),
        total_xy=cross_y.sum(axis=0),
        total_yy=total_yy,
        count=count,
        precision=1 / prior.variance(),
        prior_mean=prior.mean(),
    )
    groups = len(EFFECT_GROUPS) if personal else 0
    steps = 0

    def step(values: Floats) -> tuple[Floats, _State]:
        nonlocal steps
        steps += 1
        state = _step(sums, prior, np.exp(values[:-1]), float(np.exp(values[-1])))
        variances = _expand(state.effect_variance, personal)
        return np.log(np.append(variances[: groups and None], state.noise)), state

    lowest = np.log(SMALLEST_VARIANCE)
    while steps < max_iterations:
        first, _ = step(theta)
        second, state = step(first)
        r, v = first - theta, second - 2 * first + theta
        if not np.any(v):
            theta = second
            break
        alpha = min(-1.0, -float(np.linalg.norm(r) / np.linalg.norm(v)))
        jumped = np.maximum(theta - 2 * alpha * r + alpha**2 * v, lowest)
        landed, state = step(jumped if np.all(np.isfinite(jumped)) else second)
        done = float(np.max(np.abs(landed - theta))) < tolerance
        theta = landed
        if done:
            break
    state = _step(sums, prior, np.exp(theta[:-1]), float(np.exp(theta[-1])))
    covariance = np.linalg.inv(state.matrix)
    covariance = (covariance + covariance.T) / 2
    variance = _per_column(np.exp(theta[:-1])) if personal else np.zeros(EFFECTS)
    return state.beta, covariance, state.effects, variance, state.noise, steps


def _starting_point(start: ClinicModel | None, prior: Prior, personal: bool) -> Floats:
    """EM's start on the log scale: the group variances (if personal) and the noise variance."""
    groups = len(EFFECT_GROUPS) if personal else 0
    variances = np.array([prior.effect_sd**2] * groups + [prior.noise_sd**2])
    if start is not None and start.ratings:
        earlier = _expand(start.effect_variance, personal)
        if len(earlier) == groups and np.all(earlier > 0):
            variances[:groups] = earlier
        variances[-1] = start.noise_variance
    return np.asarray(np.log(np.maximum(variances, SMALLEST_VARIANCE)), dtype=float)


def _per_column(group_values: Floats) -> Floats:
    return np.asarray(np.repeat(group_values, [width for _, width in EFFECT_GROUPS]), dtype=float)


def _expand(effect_variance: Floats, personal: bool) -> Floats:
    """The per-group values of a per-column variance vector (its first column in each group)."""
    if not personal:
        return np.zeros(0)
    starts = np.cumsum([0] + [width for _, width in EFFECT_GROUPS])[:-1]
    return np.asarray(effect_variance[starts], dtype=float)


def _step(sums: _Sums, prior: Prior, group_variance: Floats, noise: float) -> _State:
    """One EM step from (D by group, s2): the posterior of beta and u, then the new D and s2."""
    personal = len(group_variance) > 0
    matrix = np.diag(sums.precision) + sums.total_xx / noise
    vector = sums.precision * sums.prior_mean + sums.total_xy / noise
    if personal:
        variance = _per_column(group_variance)
        inverse = np.linalg.inv(sums.zz / noise + np.diag(1 / variance))
        scaled = sums.zx / noise
        weighted = inverse @ scaled  # (P, q, d)
        width = scaled.shape[2]
        matrix -= scaled.reshape(-1, width).T @ weighted.reshape(-1, width)
        vector -= np.einsum("pkd,pk->d", weighted, sums.zy / noise)
    matrix = (matrix + matrix.T) / 2
    beta = np.asarray(np.linalg.solve(matrix, vector), dtype=float)
    squares = sums.total_yy - 2 * beta @ sums.total_xy + beta @ sums.total_xx @ beta
    effects = np.zeros(sums.zy.shape)
    new_variance = np.zeros(EFFECTS)
    if personal:
        effects = np.einsum("pkl,pl->pk", inverse, (sums.zy - sums.zx @ beta) / noise)
        squares += (
            np.einsum("pk,pkl,pl->", effects, sums.zz, effects)
            - 2 * np.sum(effects * sums.zy)
            + 2 * np.sum(effects * (sums.zx @ beta))
            + np.sum(sums.zz * inverse)
        )
        second = effects**2 + np.diagonal(inverse, axis1=1, axis2=2)
        new_variance = _group_variances(second, sums.observed, prior)
    new_noise = (squares + prior.noise_weight * prior.noise_sd**2) / (
        sums.count + prior.noise_weight
    )
    return _State(beta, matrix, effects, new_variance, max(float(new_noise), SMALLEST_VARIANCE))


def _group_variances(second: Floats, observed: npt.NDArray[np.bool_], prior: Prior) -> Floats:
    """D's diagonal, one value per group of columns: a MAP estimate under the weak prior, from
    the (patient, column) pairs with data (the others only echo the current value back, which
    slows EM without moving its fixed point)."""
    variance = np.empty(EFFECTS)
    start = 0
    for _, width in EFFECT_GROUPS:
        block = slice(start, start + width)
        total = second[:, block][observed[:, block]].sum()
        weight = prior.effect_weight
        pairs = observed[:, block].sum()
        estimate = (total + weight * prior.effect_floor_sd**2) / (pairs + weight)
        variance[block] = max(estimate, SMALLEST_VARIANCE)
        start += width
    return variance


def _session_cells(
    residual: Floats,
    owner: npt.NDArray[np.int64],
    rows: npt.NDArray[np.int64],
    sessions: int,
    noise: float,
) -> tuple[float, float]:
    """(within-cell variance, between-cell variance) of residuals by (patient, session) cell,
    by moments: a cell mean's square is the cell variance plus within / n on average."""
    cells, cell_of = np.unique(owner * sessions + rows, return_inverse=True)
    sizes = np.bincount(cell_of, minlength=len(cells)).astype(float)
    sums = np.bincount(cell_of, weights=residual, minlength=len(cells))
    squares = np.bincount(cell_of, weights=residual**2, minlength=len(cells))
    spare = len(residual) - len(cells)
    within = float((squares - sums**2 / sizes).sum() / spare) if spare > 0 else noise
    within = max(within, SMALLEST_VARIANCE)
    between = float(np.mean((sums / sizes) ** 2 - within / sizes))
    return within, max(between, 0.0)


def _session_effects(
    residual: Floats, rows: npt.NDArray[np.int64], sessions: int, noise: float, prior: Prior
) -> tuple[float, Floats, Floats]:
    """(variance of the clinic-wide session effects, their posterior means and variances per
    row): what sessions do beyond their attributes, by moments on the residuals per session,
    with a weak prior (`Prior.session_sd`, `Prior.effect_weight` pseudo-sessions)."""
    counts = np.bincount(rows, minlength=sessions).astype(float)
    sums = np.bincount(rows, weights=residual, minlength=sessions)
    squares = np.bincount(rows, weights=residual**2, minlength=sessions)
    used = counts > 0
    spare = counts.sum() - used.sum()
    within = (
        float((squares[used] - sums[used] ** 2 / counts[used]).sum() / spare) if spare else noise
    )
    within = max(within, SMALLEST_VARIANCE)
    excess = (sums[used] / counts[used]) ** 2 - within / counts[used]
    weight = prior.effect_weight
    variance = (excess.sum() + weight * prior.session_sd**2) / (used.sum() + weight)
    variance = max(float(variance), SMALLEST_VARIANCE)
    means = sums / (counts + within / variance)
    return variance, means, 1 / (counts / within + 1 / variance)
