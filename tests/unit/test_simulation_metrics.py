"""The simulated clinic's metrics and off-policy estimators on tiny hand-made cases."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from wellness.suggestions.inputs import SessionFacts
from wellness.suggestions.simulation.clinic import Logged, PolicyRun
from wellness.suggestions.simulation.features import SessionFeatures
from wellness.suggestions.simulation.metrics import gain_share, seed_metrics, summarise
from wellness.suggestions.simulation.offpolicy_check import (
    Decision,
    OpeCheck,
    decisions,
    doubly_robust,
    snips,
    summarise_ope,
    truth,
)
from wellness.suggestions.simulation.parameters import Heterogeneity
from wellness.suggestions.simulation.world import Chances, World, build_world

NAN = math.nan


def tiny_world(patient: list[int], rated_before: list[int]) -> World:
    world = build_world(1, 2, 3, Heterogeneity.MEDIUM)
    size = len(patient)
    zeros = np.zeros(size)
    chances = Chances(
        patient=np.array(patient),
        day=np.zeros(size, dtype=int),
        hour=np.full(size, 9),
        level=np.full(size, 5.0),
        anxiety=np.full(size, 5),
        follows=np.zeros(size, dtype=bool),
        rated=np.zeros(size, dtype=bool),
        pick=zeros,
        trap_draw=zeros,
        harm=zeros,
        after_noise=zeros,
        rated_before=np.array(rated_before),
    )
    return replace(world, chances=chances)


def tiny_run(
    value: list[float], best: list[float], shown: list[int], yesterday: list[int]
) -> PolicyRun:
    return PolicyRun(
        "tiny",
        value=np.array(value),
        best=np.array(best),
        shown=np.array(shown),
        yesterday=np.array(yesterday),
        suggestions=sum(shown),
    )


def test_seed_metrics_on_five_hand_made_lists() -> None:
    world = tiny_world(patient=[0, 0, 0, 1, 1], rated_before=[0, 10, 30, 0, 12])
    run = tiny_run(
        value=[1.0, 0.5, NAN, 2.0, 0.0],  # the third list was empty
        best=[1.5, 0.5, NAN, 2.0, 1.0],
        shown=[2, 3, 0, 1, 3],
        yesterday=[0, 1, 0, 0, 2],
    )
    metrics = seed_metrics(run, world)
    assert metrics.mean_calm == pytest.approx((1.0 * 2 + 0.5 * 3 + 2.0 * 1 + 0.0 * 3) / 9)
    assert metrics.regret == pytest.approx((0.5 + 0 + 0 + 1.0) / 2)  # per patient
    assert (metrics.early_sum, metrics.early_lists) == (0.5, 2)  # 10-19 rated sessions
    assert metrics.late_lists == 0  # the only list after 30 was empty
    # patient 0: (2 + 1.5) / 5 = 0.7, patient 1: 2 / 4 = 0.5; their 25th percentile is 0.55
    assert metrics.patient_p25 == pytest.approx(0.55)
    assert metrics.repeats == 3
    assert metrics.suggestions == 9


def test_summaries_pool_windows_across_seeds_and_average_the_rest() -> None:
    world = tiny_world(patient=[0, 1], rated_before=[12, 35])
    first = seed_metrics(tiny_run([1.0, 2.0], [1.0, 3.0], [1, 1], [0, 0]), world)
    second = seed_metrics(tiny_run([3.0, 0.0], [3.0, 0.0], [1, 1], [1, 0]), world)
    summary = summarise([first, second])
    assert summary.seeds == 2
    assert summary.mean_calm == pytest.approx((1.5 + 1.5) / 2)
    assert summary.regret == pytest.approx((0.5 + 0.0) / 2)
    assert summary.early == pytest.approx((1.0 + 3.0) / 2)
    assert summary.late == pytest.approx((2.0 + 0.0) / 2)
    assert summary.repetition == pytest.approx(1 / 4)
    with pytest.raises(ValueError, match="no seeds"):
        summarise([])


def test_gain_share_is_0_for_random_1_for_the_oracle_and_undefined_without_room() -> None:
    assert gain_share(0.5, 0.5, 1.5) == 0.0
    assert gain_share(1.5, 0.5, 1.5) == 1.0
    assert gain_share(1.0, 0.5, 1.5) == pytest.approx(0.5)
    assert gain_share(0.3, 0.5, 1.5) == pytest.approx(-0.2)
    assert math.isnan(gain_share(1.0, 1.0, 1.0))


def decision(weight: float, reward: float, logged: float = 0.0, target: float = 0.0) -> Decision:
    return Decision(weight, reward, logged, target, (reward,))


def test_snips_is_the_weighted_mean_of_rewards() -> None:
    found = [decision(1.0, 1.0), decision(2.0, 4.0), decision(0.0, 100.0)]
    assert snips(found) == pytest.approx((1 * 1 + 2 * 4) / 3)
    assert math.isnan(snips([decision(0.0, 1.0)]))


def test_doubly_robust_corrects_the_model_by_its_weighted_errors() -> None:
    perfect = [
        decision(1.0, 2.0, logged=2.0, target=3.0),
        decision(3.0, 1.0, logged=1.0, target=1.0),
    ]
    assert doubly_robust(perfect) == pytest.approx(2.0)  # no error: the model's value
    off = [decision(1.0, 2.0, logged=1.0, target=3.0), decision(1.0, 1.0, logged=1.0, target=1.0)]
    assert doubly_robust(off) == pytest.approx(2.0 + 0.5)
    assert math.isnan(doubly_robust([]))


def test_truth_is_the_mean_true_calm_per_suggested_session() -> None:
    found = [Decision(1, 0, 0, 0, (1.0, 2.0, 3.0)), Decision(1, 0, 0, 0, (6.0,))]
    assert truth(found) == pytest.approx(3.0)


def test_weights_are_the_ratio_of_the_chances_of_doing_the_session() -> None:
    catalog = [SessionFacts(i, f"S{i}", "breathing", 6.0, "seated", "guided") for i in range(1, 5)]
    logged = Logged(
        chance=0,
        patient_id=1,
        anxiety=6,
        shown=(1, 2, 3),
        probabilities=(1.0, 0.5, 0.5),
        chosen=2,
        reward=2.0,
        truth=(0.5, 1.0, 1.5),
        rating_error=0.0,
        targets={"other": ((2, 4), (1.0, 1.0), (1.0, 0.2)), "apart": ((4,), (1.0,), (0.2,))},
    )
    unrated = replace(logged, chance=1, reward=None)
    features = SessionFeatures(catalog)
    (own,) = decisions([logged, unrated], None, features)
    assert own.weight == pytest.approx(1.0)
    assert own.target_truth == (0.5, 1.0, 1.5)
    (other,) = decisions([logged, unrated], "other", features)
    # done with chance (0.5 / 3) under the log, (1 / 2) under the target
    assert other.weight == pytest.approx((1 / 2) / (0.5 / 3))
    (apart,) = decisions([logged], "apart", features)
    assert apart.weight == 0.0


def test_ope_summaries_take_the_95th_percentile_error_per_estimator_and_target() -> None:
    checks = [OpeCheck(s, "SNIPS", "rules", 1.0 + 0.01 * s, 1.0, 1.1) for s in range(100)]
    checks.append(OpeCheck(0, "DR", "rules", 0.9, 1.0, 1.1))
    dr, sn = summarise_ope(checks)
    assert (dr.estimator, sn.estimator) == ("DR", "SNIPS")
    assert sn.seeds == 100
    assert sn.worst_error == pytest.approx(np.percentile(np.arange(100) * 0.01, 95))
    assert dr.worst_error == pytest.approx(0.1)
