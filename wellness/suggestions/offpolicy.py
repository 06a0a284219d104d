"""Judging a policy from the lists another policy showed: off-policy estimates. Pure.

The estimand is the mean before->after change (negative = calmer) of a rated practice that
follows a suggestion list, had the lists been chosen by the target policy. Each logged list
carries the logging policy's probability of showing each shown session; for each list the caller
supplies the target policy's probability of showing each session in that same context (and, for
the doubly robust estimate, a model's expected change for each session).

Assumptions, stated because the estimates rest on them: a patient's chance of practising a shown
session, and its effect, do not depend on which other sessions were shown with it (so a session's
inclusion probability is its propensity; Swaminathan et al. 2017's additive-slate setting); the
doubly robust direct part assumes the pick among shown sessions is even; ratings are missing at
random. Intervals are Normal approximations from the estimators' influence functions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist


@dataclass(frozen=True, slots=True)
class LoggedItem:
    session_id: int
    probability: float  # the logging policy's probability of showing it, in that context


@dataclass(frozen=True, slots=True)
class LoggedList:
    shown: tuple[LoggedItem, ...]
    chosen: int | None = None  # the session practised after the list, if any
    change: float | None = None  # that practice's after - before, if both were rated


@dataclass(frozen=True, slots=True)
class Estimate:
    value: float  # nan when no logged practice carries weight under the target policy
    low: float
    high: float
    practices: int  # rated practices that followed a list
    effective: float  # effective sample size of the weights, (sum w)^2 / sum w^2


def _weighted(
    logs: Sequence[LoggedList], target: Sequence[Mapping[int, float]]
) -> list[tuple[int, float, float]]:
    """(record number, importance weight, change) per rated practice of a shown session."""
    rows = []
    for number, (log, wanted) in enumerate(zip(logs, target, strict=True)):
        if log.chosen is None or log.change is None or not math.isfinite(log.change):
            continue
        logged = next((item.probability for item in log.shown if item.session_id == log.chosen), 0)
        if logged > 0:
            rows.append((number, wanted.get(log.chosen, 0.0) / logged, float(log.change)))
    return rows


def _interval(value: float, variance: float, confidence: float) -> tuple[float, float]:
    spread = NormalDist().inv_cdf((1 + confidence) / 2) * math.sqrt(max(variance, 0.0))
    return value - spread, value + spread


def _empty(count: int) -> Estimate:
    return Estimate(math.nan, math.nan, math.nan, count, 0.0)


def snips(
    logs: Sequence[LoggedList],
    target: Sequence[Mapping[int, float]],
    *,
    confidence: float = 0.95,
) -> Estimate:
    """Self-normalised inverse propensity: sum(w * change) / sum(w), w = target / logged."""
    rows = _weighted(logs, target)
    total = sum(weight for _, weight, _ in rows)
    if total <= 0:
        return _empty(len(rows))
    value = sum(weight * change for _, weight, change in rows) / total
    variance = sum((weight * (change - value)) ** 2 for _, weight, change in rows) / total**2
    low, high = _interval(value, variance, confidence)
    return Estimate(float(value), float(low), float(high), len(rows), _effective(rows))


# No one logged practice counts for more than this many (clipped doubly robust estimation).
WEIGHT_CAP = 10.0


def doubly_robust(
    logs: Sequence[LoggedList],
    target: Sequence[Mapping[int, float]],
    predicted: Sequence[Mapping[int, float]],
    *,
    confidence: float = 0.95,
    weight_cap: float = WEIGHT_CAP,
) -> Estimate:
    """The model's expected change under the target's lists, corrected by the model's error on
    what was practised: each error weighted by target / logged probability of showing that
    session, the weight capped at `weight_cap`, and averaged over every rated practice. Right if
    either the probabilities or the model are (up to the cap).

    Averaged over the practices, not over the weights (self-normalised): where the target
    rarely shows what the logging policy did, the model speaks, rather than the few practices
    that carry large weights; the cap bounds what one practice can move the estimate (clipped
    doubly robust estimation, as in Su et al. 2020). In the simulated clinic this took rules
    only's estimate from the engine's logs from a 95th-percentile error of 0.92 to 0.21 points
    (30 seeds, medium heterogeneity); the engine's estimate of itself, where every weight is 1,
    is the same either way.

    The cap buys a steadier value at the price of a bias the logs cannot measure well: what the
    capped-away part of each weight would have corrected. So the interval is the hull of the
    capped estimate's and the uncapped (unbiased) one's: narrow where the target's lists are
    ones the logging policy often showed, as wide as the logs' evidence where they are not. In
    the simulated clinic the capped interval alone held rules only's true value in 4 of the
    first 11 seeds where it claimed 95% (`_hull`)."""
    rows = _weighted(logs, target)
    if sum(weight for _, weight, _ in rows) <= 0:
        return _empty(len(rows))
    direct = [_direct(target[number], predicted[number]) for number, _, _ in rows]
    errors = [
        change - predicted[number].get(logs[number].chosen or 0, guess)
        for (number, _, change), guess in zip(rows, direct, strict=True)
    ]
    corrections = [
        min(weight, weight_cap) * error for (_, weight, _), error in zip(rows, errors, strict=True)
    ]
    uncapped = [weight * error for (_, weight, _), error in zip(rows, errors, strict=True)]
    value, low, high = _dr_interval(direct, corrections, confidence)
    _, low, high = _hull((value, low, high), _dr_interval(direct, uncapped, confidence))
    return Estimate(value, low, high, len(rows), _effective(rows))


def _dr_interval(
    direct: Sequence[float], corrections: Sequence[float], confidence: float
) -> tuple[float, float, float]:
    """The doubly robust value, model part plus mean correction, and its influence interval."""
    count = len(direct)
    mean_direct = sum(direct) / count
    correction = sum(corrections) / count
    variance = sum(
        ((guess - mean_direct + part - correction) / count) ** 2
        for guess, part in zip(direct, corrections, strict=True)
    )
    value = mean_direct + correction
    low, high = _interval(value, variance, confidence)
    return float(value), float(low), float(high)


def _hull(
    capped: tuple[float, float, float], uncapped: tuple[float, float, float]
) -> tuple[float, float, float]:
    """The capped value, with an interval that also spans the uncapped estimate's."""
    return capped[0], min(capped[1], uncapped[1]), max(capped[2], uncapped[2])


def _direct(wanted: Mapping[int, float], predicted: Mapping[int, float]) -> float:
    """The model's expected change of a pick from the target's list (even pick among shown)."""
    mass = sum(p for session, p in wanted.items() if p > 0 and session in predicted)
    if mass <= 0:
        return 0.0
    return sum(p * predicted[s] for s, p in wanted.items() if p > 0 and s in predicted) / mass


def _effective(rows: list[tuple[int, float, float]]) -> float:
    squares = sum(weight**2 for _, weight, _ in rows)
    return float(sum(weight for _, weight, _ in rows) ** 2 / squares) if squares else 0.0
