"""Can the clinic's own logs tell how good a policy is? Off-policy estimates against the truth.

The logged policy's lists (each shown session with its probability of being shown, the session
the patient did, and the before-after change when both ratings came) go to the engine's own
estimators (`wellness.suggestions.offpolicy`: self-normalised inverse propensity, SNIPS, and
doubly robust, DR), exactly as `wellness suggestions report` would use them, to estimate the
logged policy's value and each target policy's. The truth is what the simulator knows: the
mean true calm of the sessions each policy would show, over the same moments (those where a
rated practice followed, so both sides cover the same contexts). The DR estimate's model is the
logged policy's own, as in the app: the engine's expected change per session in each logged
context, from its last fit (`wellness suggestions report` uses the current clinic fit the same
way). For a logged policy without a model, and for a session the model does not answer for, a
ridge regression of the logged changes on session features and the before level (`features`).

Beside the truth we print what the ratings themselves would show if the estimators were exact:
the true calm plus the before rating's own error. A policy that acts on the rating (more calming
sessions after a high one) gets credit for part of that error, since a rating that came out high
by chance tends to come out lower next time; that is regression to the mean in the measurement,
which no estimator working from ratings alone can remove.

The estimators speak the engine's sign (change = after - before, negative = calmer); this module
turns their figures into calm (before - after) like every other figure of the simulation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from wellness.suggestions import offpolicy
from wellness.suggestions.inputs import RatedPractice
from wellness.suggestions.simulation.clinic import Logged
from wellness.suggestions.simulation.features import SessionFeatures
from wellness.suggestions.simulation.lineup import RewardModel, SeedOutcome
from wellness.suggestions.simulation.world import START

OPE_TOLERANCE = 0.2  # SUDS points (issue 11)


@dataclass(frozen=True, slots=True)
class OpeCheck:
    seed: int
    estimator: str
    target: str
    estimate: float  # calm (before - after)
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
class Prepared:
    """The log in the estimators' terms, seen from one target policy."""

    logs: list[offpolicy.LoggedList]
    target: list[dict[int, float]]  # per list: the target's probability of showing each session
    predicted: list[dict[int, float]]  # per list: the model's expected change per session
    truth: float  # the target's true mean calm per suggested session, over rated moments
    rated_truth: float  # the same plus each moment's before-rating error


def prepare(
    log: Sequence[Logged],
    target: str | None,
    features: SessionFeatures,
    answers: Mapping[int, Mapping[int, float]] | None = None,
) -> Prepared:
    """`log` for the estimators, from `target`'s side (None: the logged policy itself).
    `answers`: per logged chance, the logged policy's own model's expected change per session
    (`reward_answers`); the ridge regression stands in where it has none."""
    rated = [entry for entry in log if entry.reward is not None and entry.chosen is not None]
    model = features.fit([_as_rating(entry) for entry in rated]).mean
    answers = answers or {}
    logs: list[offpolicy.LoggedList] = []
    wanted: list[dict[int, float]] = []
    predicted: list[dict[int, float]] = []
    truths: list[float] = []
    rated_truths: list[float] = []
    for entry in rated:
        if target is None:
            ids, probabilities, calms = entry.shown, entry.probabilities, entry.truth
        else:
            ids, probabilities, calms = entry.targets[target]
        assert entry.reward is not None
        logs.append(
            offpolicy.LoggedList(
                shown=tuple(
                    offpolicy.LoggedItem(i, p)
                    for i, p in zip(entry.shown, entry.probabilities, strict=True)
                ),
                chosen=entry.chosen,
                change=-entry.reward,
            )
        )
        wanted.append(dict(zip(ids, probabilities, strict=True)))
        sessions = set(ids) | set(entry.shown)
        own = answers.get(entry.chance, {})
        predicted.append(
            {
                i: own[i] if i in own else -_predict(features, model, i, entry.anxiety)
                for i in sessions
            }
        )
        truths.extend(calms)
        rated_truths.extend(calm + entry.rating_error for calm in calms)
    if not truths:
        return Prepared(logs, wanted, predicted, float("nan"), float("nan"))
    return Prepared(logs, wanted, predicted, float(np.mean(truths)), float(np.mean(rated_truths)))


def _as_rating(entry: Logged) -> RatedPractice:
    assert entry.chosen is not None
    assert entry.reward is not None
    assert entry.anxiety is not None
    after = entry.anxiety - round(entry.reward)
    return RatedPractice(entry.patient_id, entry.chosen, START, 0, entry.anxiety, after)


def _predict(
    features: SessionFeatures, model: np.ndarray, session_id: int, anxiety: int | None
) -> float:
    """Predicted calm; 0 for a session the catalog does not have."""
    where = features.index.get(session_id)
    if where is None:
        return 0.0
    row = features.rows[where]
    before = 5.0 if anxiety is None else float(anxiety)
    return float(row @ model[: row.size] + (before - 5.0) * model[row.size])


def estimates(prepared: Prepared) -> Mapping[str, float]:
    """SNIPS and DR of the target's mean calm per suggested session."""
    sn = offpolicy.snips(prepared.logs, prepared.target)
    dr = offpolicy.doubly_robust(prepared.logs, prepared.target, prepared.predicted)
    return {"SNIPS": -sn.value, "DR": -dr.value}


def check_seed(outcome: SeedOutcome) -> list[OpeCheck]:
    """SNIPS and DR, for the logged policy and each target in the log, against the truth."""
    if not outcome.log or outcome.logged_policy is None:
        return []
    features = SessionFeatures(outcome.catalog)
    answers = reward_answers(outcome.log, outcome.reward_model)
    names: list[tuple[str, str | None]] = [(outcome.logged_policy, None)]
    names += [(name, name) for name in outcome.log[0].targets]
    checks = []
    for label, target in names:
        prepared = prepare(outcome.log, target, features, answers)
        for estimator, value in estimates(prepared).items():
            checks.append(
                OpeCheck(
                    outcome.seed, estimator, label, value, prepared.truth, prepared.rated_truth
                )
            )
    return checks


def reward_answers(
    log: Sequence[Logged], reward_model: RewardModel | None
) -> dict[int, Mapping[int, float]]:
    """The reward model's expected changes for each rated list's context, asked once per list
    (every target's estimate reuses them)."""
    if reward_model is None:
        return {}
    return {
        entry.chance: reward_model(entry.context)
        for entry in log
        if entry.reward is not None and entry.chosen is not None and entry.context is not None
    }


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
                estimate=float(np.nanmean([c.estimate for c in mine])),
                truth=float(np.nanmean([c.truth for c in mine])),
                rated_truth=float(np.nanmean([c.rated_truth for c in mine])),
                worst_error=float(np.percentile(errors, 95)),
            )
        )
    return summaries
