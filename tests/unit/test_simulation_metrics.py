"""The simulated clinic's metrics, and its off-policy check, on tiny hand-made cases."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from wellness.suggestions import offpolicy
from wellness.suggestions.inputs import PatientContext, SessionFacts
from wellness.suggestions.simulation.clinic import Logged, PolicyRun
from wellness.suggestions.simulation.features import SessionFeatures
from wellness.suggestions.simulation.lineup import simulate_seed
from wellness.suggestions.simulation.metrics import (
    SeedMetrics,
    gain_share,
    seed_metrics,
    share_interval,
    summarise,
)
from wellness.suggestions.simulation.offpolicy_check import (
    OpeCheck,
    check_seed,
    estimates,
    prepare,
    reward_answers,
    summarise_ope,
)
from wellness.suggestions.simulation.parameters import Heterogeneity
from wellness.suggestions.simulation.world import START, Chances, World, build_world

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


def logged(chance: int, chosen: int | None, reward: float | None, **changes: object) -> Logged:
    entry = Logged(
        chance=chance,
        patient_id=1 + chance % 2,
        anxiety=6,
        shown=(1, 2, 3),
        probabilities=(1.0, 0.5, 0.5),
        chosen=chosen,
        reward=reward,
        truth=(0.5, 1.0, 1.5),
        rating_error=0.25,
        targets={"other": ((2, 4), (1.0, 1.0), (1.0, 0.2))},
    )
    return replace(entry, **changes)  # type: ignore[arg-type]


CATALOG = [SessionFacts(i, f"S{i}", "breathing", 6.0, "seated", "guided") for i in range(1, 5)]


def test_the_log_reaches_the_estimators_in_their_sign_and_terms() -> None:
    log = [logged(0, 2, 2.0), logged(1, None, None), logged(2, 3, -1.0)]
    prepared = prepare(log, "other", SessionFeatures(CATALOG))
    assert [entry.change for entry in prepared.logs] == [-2.0, 1.0]  # after - before
    assert prepared.logs[0].shown[1] == offpolicy.LoggedItem(2, 0.5)
    assert prepared.target == [{2: 1.0, 4: 1.0}, {2: 1.0, 4: 1.0}]
    assert set(prepared.predicted[0]) == {1, 2, 3, 4}
    assert prepared.truth == pytest.approx(0.6)  # the target's sessions, at the rated moments
    assert prepared.rated_truth == pytest.approx(0.6 + 0.25)
    own = prepare(log, None, SessionFeatures(CATALOG))
    assert own.truth == pytest.approx(1.0)
    assert own.target[0] == {1: 1.0, 2: 0.5, 3: 0.5}


def context_of(entry: Logged) -> PatientContext:
    return PatientContext(
        patient_id=entry.patient_id,
        now=START,
        local_hour=START.hour,
        today=START.date().isoformat(),
        anxiety=entry.anxiety,
    )


def test_the_logged_policys_own_model_answers_for_the_doubly_robust_estimate() -> None:
    rated = logged(0, 2, 2.0)
    log = [replace(rated, context=context_of(rated)), logged(1, None, None), logged(2, 3, -1.0)]
    asked: list[PatientContext] = []

    def model(context: PatientContext) -> dict[int, float]:
        asked.append(context)
        return {1: -1.5, 2: -0.5, 4: 0.25}  # after - before; says nothing of session 3

    answers = reward_answers(log, model)
    assert asked == [log[0].context]  # once per rated list that kept its context
    assert answers == {0: {1: -1.5, 2: -0.5, 4: 0.25}}
    prepared = prepare(log, "other", SessionFeatures(CATALOG), answers)
    ridge = prepare(log, "other", SessionFeatures(CATALOG))
    assert {k: prepared.predicted[0][k] for k in (1, 2, 4)} == {1: -1.5, 2: -0.5, 4: 0.25}
    assert prepared.predicted[0][3] == ridge.predicted[0][3]  # the ridge fills what it lacks
    assert prepared.predicted[1] == ridge.predicted[1]  # no context kept: the ridge throughout
    assert reward_answers(log, None) == {}


def test_the_engines_seed_outcome_carries_its_model_and_a_rated_lists_context() -> None:
    outcome = simulate_seed(
        5,
        patients=12,
        days=6,
        heterogeneity=Heterogeneity.MEDIUM,
        policies=("engine", "rules"),
        log_policy="engine",
        log_targets=("rules",),
    )
    assert outcome.reward_model is not None
    rated = [entry for entry in outcome.log if entry.reward is not None]
    unrated = [entry for entry in outcome.log if entry.reward is None]
    assert rated
    assert unrated
    assert all(entry.context is not None for entry in rated)
    assert all(entry.context is None for entry in unrated)
    first = rated[0]
    assert first.context is not None
    assert first.context.patient_id == first.patient_id
    changes = outcome.reward_model(first.context)
    assert set(first.shown) <= set(changes)  # every shown session is safe, so answered
    assert all(math.isfinite(value) for value in changes.values())
    assert len(check_seed(outcome)) == 4  # SNIPS and DR, of the engine itself and of rules


def test_on_policy_the_estimates_are_the_mean_observed_calm() -> None:
    log = [logged(n, 1 + n % 3, float(n % 4)) for n in range(40)]
    found = estimates(prepare(log, None, SessionFeatures(CATALOG)))
    rewards = [float(n % 4) for n in range(40)]
    assert found["SNIPS"] == pytest.approx(np.mean(rewards))
    assert found["DR"] == pytest.approx(np.mean(rewards), abs=0.5)


def test_a_target_that_shows_nothing_the_log_did_cannot_be_estimated() -> None:
    log = [logged(0, 1, 2.0, targets={"apart": ((4,), (1.0,), (0.2,))})]
    found = estimates(prepare(log, "apart", SessionFeatures(CATALOG)))
    assert math.isnan(found["SNIPS"])


def test_ope_summaries_take_the_95th_percentile_error_per_estimator_and_target() -> None:
    checks = [OpeCheck(s, "SNIPS", "rules", 1.0 + 0.01 * s, 1.0, 1.1) for s in range(100)]
    checks.append(OpeCheck(0, "DR", "rules", 0.9, 1.0, 1.1))
    dr, sn = summarise_ope(checks)
    assert (dr.estimator, sn.estimator) == ("DR", "SNIPS")
    assert sn.seeds == 100
    assert sn.worst_error == pytest.approx(np.percentile(np.arange(100) * 0.01, 95))
    assert dr.worst_error == pytest.approx(0.1)


def seeds_of(policy: str, early: list[float], late: list[float]) -> list[SeedMetrics]:
    """One SeedMetrics per seed with these window means (ten lists in each window)."""
    return [
        SeedMetrics(
            policy=policy,
            suggestions=40,
            violations=0,
            errors=0,
            calm_sum=0.0,
            shown=40,
            regret=0.0,
            early_sum=10 * first,
            early_lists=10,
            late_sum=10 * second,
            late_lists=10,
            patient_p25=0.0,
            repeats=0,
            seconds=0.0,
            calls=10,
        )
        for first, second in zip(early, late, strict=True)
    ]


def test_the_share_interval_is_a_point_when_every_seed_agrees() -> None:
    random = seeds_of("random", [0.5] * 5, [0.5] * 5)
    oracle = seeds_of("oracle", [1.5] * 5, [1.5] * 5)
    engine = seeds_of("engine", [1.0] * 5, [1.25] * 5)

    assert share_interval(engine, random, oracle, late=False) == pytest.approx((0.5, 0.5))
    assert share_interval(engine, random, oracle, late=True) == pytest.approx((0.75, 0.75))


def test_the_share_interval_spans_what_the_seeds_disagree_on_and_holds_the_pooled_share() -> None:
    random = seeds_of("random", [0.5] * 6, [0.5] * 6)
    oracle = seeds_of("oracle", [1.5] * 6, [1.5] * 6)
    engine = seeds_of("engine", [0.7, 1.3, 0.9, 1.1, 0.8, 1.2], [1.0] * 6)

    low, high = share_interval(engine, random, oracle, late=False)

    pooled = (sum([0.7, 1.3, 0.9, 1.1, 0.8, 1.2]) / 6 - 0.5) / 1.0
    assert 0.2 <= low < pooled < high <= 0.8
    assert share_interval(engine, random, oracle, late=False) == (low, high)  # deterministic


def test_the_share_interval_wants_one_result_per_seed_for_each_policy() -> None:
    random = seeds_of("random", [0.5] * 3, [0.5] * 3)

    with pytest.raises(ValueError, match="one SeedMetrics per seed"):
        share_interval(random[:2], random, random, late=False)
    assert all(math.isnan(x) for x in share_interval(random, random, random, late=False))
