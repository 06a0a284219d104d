"""Can the clinic's own logs tell how good a policy is? Off-policy estimates against the truth.

From the logged policy's lists (the shown sessions with their probabilities of being shown, the
one the patient did, and the before-after change when both ratings came) we estimate, for the
logged policy itself and for each target policy, the mean calm per suggested session, with
self-normalised inverse propensity scoring (SNIPS) and doubly robust (DR) estimation. The truth
is what the simulator knows: the mean true calm of the sessions each policy would show, over
the same moments (those where a rated practice followed, so both sides cover the same contexts).

The patient picks uniformly among the shown sessions, so a session's chance of being done is
its probability of being shown divided by the list's length; weights use exactly that ratio.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wellness.suggestions.inputs import RatedPractice
from wellness.suggestions.simulation.clinic import Logged
from wellness.suggestions.simulation.features import SessionFeatures
from wellness.suggestions.simulation.lineup import SeedOutcome
from wellness.suggestions.simulation.world import START

OPE_TOLERANCE = 0.2  # SUDS points (issue 11)
ESTIMATORS = ("SNIPS", "DR")


@dataclass(frozen=True, slots=True)
class OpeCheck:
    seed: int
    estimator: str
    target: str
    estimate: float
    truth: float
    rated_truth: float  # what exact estimators of the rated change would find


@dataclass(frozen=True, slots=True)
class OpeSummary:
    estimator: str
    target: str
    seeds: int
    estimate: float  # mean over seeds
    truth: float
    rated_truth: float
    worst_error: float  # 95th percentile over seeds of |estimate - truth|


@dataclass(frozen=True, slots=True)
class Decision:
    """One rated practice, reduced to what the estimators need for one target policy."""

    weight: float  # target's chance of this session being done / the logged policy's
    reward: float  # observed calm
    logged_prediction: float  # the reward model's value for the session done
    target_prediction: float  # the reward model's mean over the target's list here
    target_truth: tuple[float, ...]  # true calm of each session the target would show
    rating_error: float = 0.0  # the before rating's error at this moment


def snips(decisions: Sequence[Decision]) -> float:
    weights = np.array([d.weight for d in decisions])
    rewards = np.array([d.reward for d in decisions])
    total = weights.sum()
    return float(weights @ rewards / total) if total > 0 else float("nan")


def doubly_robust(decisions: Sequence[Decision]) -> float:
    """The model's value for the target's lists, corrected by the weighted model errors."""
    if not decisions:
        return float("nan")
    weights = np.array([d.weight for d in decisions])
    errors = np.array([d.reward - d.logged_prediction for d in decisions])
    direct = np.array([d.target_prediction for d in decisions])
    correction = weights @ errors / weights.sum() if weights.sum() > 0 else 0.0
    return float(direct.mean() + correction)


def truth(decisions: Sequence[Decision]) -> float:
    calms = [calm for d in decisions for calm in d.target_truth]
    return float(np.mean(calms)) if calms else float("nan")


def rated_truth(decisions: Sequence[Decision]) -> float:
    """The truth plus each moment's before-rating error: what the ratings can show at best."""
    calms = [calm + d.rating_error for d in decisions for calm in d.target_truth]
    return float(np.mean(calms)) if calms else float("nan")


def decisions(
    log: Sequence[Logged], target: str | None, features: SessionFeatures
) -> list[Decision]:
    """The rated practices of `log`, seen from `target` (None: the logged policy itself)."""
    rated = [entry for entry in log if entry.reward is not None and entry.chosen is not None]
    model = features.fit([_as_rating(entry) for entry in rated]).mean
    found = []
    for entry in rated:
        assert entry.chosen is not None
        assert entry.reward is not None
        if target is None:
            ids, probabilities, truths = entry.shown, entry.probabilities, entry.truth
        else:
            ids, probabilities, truths = entry.targets[target]
        logged_p = entry.probabilities[entry.shown.index(entry.chosen)] / len(entry.shown)
        target_p = 0.0
        if entry.chosen in ids:
            target_p = probabilities[ids.index(entry.chosen)] / len(ids)
        found.append(
            Decision(
                weight=target_p / logged_p if logged_p > 0 else 0.0,
                reward=entry.reward,
                logged_prediction=_predict(features, model, entry.chosen, entry.anxiety),
                target_prediction=float(
                    np.mean([_predict(features, model, i, entry.anxiety) for i in ids])
                )
                if ids
                else 0.0,
                target_truth=truths,
                rating_error=entry.rating_error,
            )
        )
    return found


def _as_rating(entry: Logged) -> RatedPractice:
    assert entry.chosen is not None
    assert entry.reward is not None
    assert entry.anxiety is not None
    after = entry.anxiety - int(entry.reward)
    return RatedPractice(entry.patient_id, entry.chosen, START, 0, entry.anxiety, after)


def _predict(
    features: SessionFeatures, model: np.ndarray, session_id: int, anxiety: int | None
) -> float:
    row = features.rows[features.index[session_id]]
    before = 5.0 if anxiety is None else float(anxiety)
    return float(row @ model[: row.size] + (before - 5.0) * model[row.size])


def check_seed(outcome: SeedOutcome) -> list[OpeCheck]:
    """SNIPS and DR, for the logged policy and each target in the log, against the truth."""
    if not outcome.log or outcome.logged_policy is None:
        return []
    features = SessionFeatures(outcome.catalog)
    names: list[tuple[str, str | None]] = [(outcome.logged_policy, None)]
    names += [(name, name) for name in outcome.log[0].targets]
    checks = []
    for label, target in names:
        found = decisions(outcome.log, target, features)
        real, rated = truth(found), rated_truth(found)
        checks.append(OpeCheck(outcome.seed, "SNIPS", label, snips(found), real, rated))
        checks.append(OpeCheck(outcome.seed, "DR", label, doubly_robust(found), real, rated))
    return checks


def summarise_ope(checks: Sequence[OpeCheck]) -> list[OpeSummary]:
    keys = sorted({(c.estimator, c.target) for c in checks}, key=lambda k: (k[1], k[0]))
    summaries = []
    for estimator, target in keys:
        mine = [c for c in checks if (c.estimator, c.target) == (estimator, target)]
        errors = np.abs([c.estimate - c.truth for c in mine])
        summaries.append(
            OpeSummary(
                estimator=estimator,
                target=target,
                seeds=len(mine),
                estimate=float(np.mean([c.estimate for c in mine])),
                truth=float(np.mean([c.truth for c in mine])),
                rated_truth=float(np.mean([c.rated_truth for c in mine])),
                worst_error=float(np.percentile(errors, 95)),
            )
        )
    return summaries
