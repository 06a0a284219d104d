"""Off-policy estimates on synthetic logs where the truth is known."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wellness.suggestions.choice import bounded_inclusion, sample_with_inclusion
from wellness.suggestions.offpolicy import (
    LoggedItem,
    LoggedList,
    doubly_robust,
    snips,
)

SESSIONS = 8
SHOWN = 3


def true_change(context: int, session: int) -> float:
    """Sessions 0-3 calm in context 0, sessions 4-7 in context 1."""
    return -1.5 if (session < 4) == (context == 0) else -0.2


def logging_probabilities(context: int, rng: np.random.Generator) -> np.ndarray:
    raw = rng.dirichlet(np.ones(SESSIONS)) * SHOWN
    return bounded_inclusion(raw, SHOWN, 0.2, 0.9)


def target_probabilities(context: int) -> np.ndarray:
    """A policy that mostly shows the sessions that calm in this context."""
    good = np.array([(session < 4) == (context == 0) for session in range(SESSIONS)], float)
    return bounded_inclusion(good * 0.7 + 0.05, SHOWN, 0.0, 0.95)


def simulate(
    lists: int, seed: int
) -> tuple[list[LoggedList], list[dict[int, float]], list[int], float]:
    """Logs of a random logging policy, a patient who practises a shown session (evenly chosen)
    60% of the time and rates it 80% of the time, the target's probabilities per context, and
    the target policy's true mean change per rated practice."""
    rng = np.random.default_rng(seed)
    target = {
        context: dict(enumerate(target_probabilities(context).tolist())) for context in (0, 1)
    }
    logging = [logging_probabilities(0, rng) for _ in range(64)]  # a varied logging policy
    logs, targets, contexts = [], [], []
    for _ in range(lists):
        context = int(rng.integers(2))
        probabilities = logging[int(rng.integers(len(logging)))]
        shown = sample_with_inclusion(probabilities, rng)
        chosen = change = None
        if rng.random() < 0.6:
            chosen = int(rng.choice(shown))
            if rng.random() < 0.8:
                change = true_change(context, chosen) + float(rng.normal(0, 1))
        logs.append(
            LoggedList(
                tuple(LoggedItem(int(s), float(probabilities[s])) for s in shown), chosen, change
            )
        )
        targets.append(target[context])
        contexts.append(context)
    truth = np.mean(
        [
            sum(p * true_change(context, s) for s, p in enumerate(target_probabilities(context)))
            / SHOWN
            for context in (0, 1)
        ]
    )
    return logs, targets, contexts, float(truth)


def model(contexts: list[int], error: float) -> list[dict[int, float]]:
    return [{s: true_change(context, s) + error for s in range(SESSIONS)} for context in contexts]


def test_self_normalised_ips_finds_the_targets_value_and_covers_it() -> None:
    logs, targets, _, truth = simulate(20_000, seed=1)
    estimate = snips(logs, targets)
    assert estimate.value == pytest.approx(truth, abs=0.06)
    assert estimate.low <= truth <= estimate.high
    assert estimate.high - estimate.low < 0.25
    assert 0 < estimate.effective < estimate.practices


def test_doubly_robust_holds_with_a_biased_model_and_tightens_with_a_good_one() -> None:
    logs, targets, contexts, truth = simulate(20_000, seed=2)
    biased = doubly_robust(logs, targets, model(contexts, error=0.8))
    exact = doubly_robust(logs, targets, model(contexts, error=0.0))
    assert biased.value == pytest.approx(truth, abs=0.06)
    assert exact.value == pytest.approx(truth, abs=0.04)
    assert exact.high - exact.low < biased.high - biased.low
    assert exact.low <= truth <= exact.high
    assert biased.low <= truth <= biased.high


RareLogs = tuple[list[LoggedList], list[dict[int, float]], list[dict[int, float]], float]


def rarely_shown(rare_error: float, seed: int = 4) -> RareLogs:
    """The logging policy shows the target's own session with a 1% chance, so the few practices
    of it carry weights of 100. The model is 0.1 off everywhere and `rare_error` more
    on that rare session (a model fitted on what the logging policy chose to show knows least
    about what it rarely shows). Logs, target, model, and the target's true mean change."""
    rng = np.random.default_rng(seed)
    logs, targets, predicted, truths = [], [], [], []
    for _ in range(3000):
        context = int(rng.integers(2))
        rare = 4 * context
        shown = (rare, 1 + rare) if rng.random() < 0.01 else (1 + rare, 2 + rare)
        chosen = int(rng.choice(shown))
        change = true_change(context, chosen) + float(rng.normal(0, 1.5))
        probabilities = {rare: 0.01, 1 + rare: 1.0, 2 + rare: 0.99}
        logs.append(
            LoggedList(tuple(LoggedItem(s, probabilities[s]) for s in shown), chosen, change)
        )
        targets.append({rare: 1.0, 1 + rare: 1.0})  # two shown, as the logging policy's lists
        model = {s: true_change(context, s) + 0.1 for s in range(SESSIONS)}
        model[rare] += rare_error
        predicted.append(model)
        truths.append((true_change(context, rare) + true_change(context, 1 + rare)) / 2)
    return logs, targets, predicted, float(np.mean(truths))


def test_doubly_robust_leans_on_the_model_where_the_logs_rarely_show_the_targets_choice() -> None:
    # Self-normalised weights let the few heavily weighted practices decide; averaged over every
    # practice, with each weight capped, the estimate stays near the (good) model's.
    logs, targets, predicted, truth = rarely_shown(rare_error=0.0)
    estimate = doubly_robust(logs, targets, predicted)
    assert estimate.effective < 100  # some 30 practices of the rare session, heavily weighted
    assert estimate.value == pytest.approx(truth, abs=0.15)  # the model's 0.1 off, no worse
    assert estimate.low <= truth <= estimate.high


def test_the_interval_owns_up_to_what_the_cap_hides_where_the_logs_rarely_show_the_target() -> None:
    # The model is a point too pessimistic about the rare session; capped at 10, the weights
    # cannot correct it, and an interval around the capped value alone would miss the truth.
    logs, targets, predicted, truth = rarely_shown(rare_error=1.0)
    capped = doubly_robust(logs, targets, predicted)
    uncapped = doubly_robust(logs, targets, predicted, weight_cap=math.inf)
    assert capped.value > truth + 0.3  # the model's error shows through the capped correction
    assert capped.low <= truth <= capped.high
    assert capped.low <= uncapped.low
    assert uncapped.high <= capped.high
    assert capped.high - capped.low > 0.5  # the logs hold some 30 practices of what it needs


def test_where_no_weight_is_capped_the_interval_is_the_plain_doubly_robust_one() -> None:
    logs, targets, contexts, _ = simulate(2000, seed=5)
    predicted = model(contexts, error=0.3)
    capped = doubly_robust(logs, targets, predicted)
    uncapped = doubly_robust(logs, targets, predicted, weight_cap=math.inf)
    assert (capped.value, capped.low, capped.high) == pytest.approx(
        (uncapped.value, uncapped.low, uncapped.high)
    )


def test_intervals_cover_the_truth_about_as_often_as_they_claim() -> None:
    covered = 0
    for seed in range(40):
        logs, targets, contexts, truth = simulate(800, seed=100 + seed)
        estimate = doubly_robust(logs, targets, model(contexts, error=0.3))
        covered += estimate.low <= truth <= estimate.high
    assert covered >= 34  # 95% intervals: 38 expected of 40


def test_evaluating_the_logging_policy_itself_gives_the_plain_mean() -> None:
    logs, _, _, _ = simulate(2000, seed=3)
    own = [{item.session_id: item.probability for item in log.shown} for log in logs]
    changes = [log.change for log in logs if log.change is not None]
    assert snips(logs, own).value == pytest.approx(float(np.mean(changes)))
    assert snips(logs, own).practices == len(changes)


def test_without_overlap_there_is_no_estimate() -> None:
    logs = [LoggedList((LoggedItem(1, 0.5),), chosen=1, change=-1.0)]
    nothing = snips(logs, [{2: 1.0}])
    assert math.isnan(nothing.value)
    assert nothing.practices == 1
    assert math.isnan(doubly_robust(logs, [{2: 1.0}], [{1: -1.0, 2: -2.0}]).value)


def test_lists_without_a_rated_practice_are_left_out() -> None:
    logs = [
        LoggedList((LoggedItem(1, 0.5),)),
        LoggedList((LoggedItem(1, 0.5),), chosen=1),
        LoggedList((LoggedItem(1, 0.5),), chosen=1, change=float("nan")),
        LoggedList((LoggedItem(1, 0.5),), chosen=1, change=-2.0),
    ]
    estimate = snips(logs, [{1: 1.0}] * 4)
    assert (estimate.value, estimate.practices) == (-2.0, 1)
