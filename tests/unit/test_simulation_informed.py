"""The informed learner: the yardstick that knows the simulated clinic but not the patient."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest

from wellness.suggestions.inputs import PatientContext, RatedPractice, SafetyLimits
from wellness.suggestions.simulation.engine_policies import engine_filter
from wellness.suggestions.simulation.informed import InformedLearner
from wellness.suggestions.simulation.lineup import simulate_seed
from wellness.suggestions.simulation.parameters import Heterogeneity
from wellness.suggestions.simulation.policies import SafeSets
from wellness.suggestions.simulation.report import evaluate
from wellness.suggestions.simulation.run import format_report
from wellness.suggestions.simulation.world import START, World, build_world

LIMITS = SafetyLimits()


@pytest.fixture(scope="module")
def world() -> World:
    built = build_world(4, 20, 14, Heterogeneity.HIGH)
    # No habituation, so every rating below is drawn from the same response.
    return replace(built, parameters=replace(built.parameters, habituation=0.0))


def learner(world: World) -> InformedLearner:
    safe = SafeSets(world.catalog.sessions, LIMITS, engine_filter)
    return InformedLearner(world, safe, 4)


def noisy_ratings(world: World, patient: int, count: int, seed: int) -> list[RatedPractice]:
    """`count` ratings of random sessions, drawn from the patient's true response with noise."""
    rng = np.random.default_rng(seed)
    sessions = world.catalog.sessions
    slope = world.parameters.before_slope
    ratings = []
    for number in range(count):
        at = int(rng.integers(len(sessions)))
        before = int(rng.integers(5, 9))  # far from 0 and 10, where ratings clip
        calm = slope * (before - 5) + world.cohort.base[patient, at]
        after = int(np.clip(np.rint(before - calm + rng.normal(0, 1.0)), 0, 10))
        started = START + timedelta(hours=number)
        ratings.append(
            RatedPractice(patient + 1, sessions[at].session_id, started, 12, before, after)
        )
    return ratings


def rated_context(world: World, patient: int, count: int, seed: int) -> PatientContext:
    """The patient at noon on the first day, at 5/10, with `noisy_ratings` behind them."""
    return PatientContext(
        patient_id=patient + 1,
        now=START,
        local_hour=12,
        today=START.date().isoformat(),
        anxiety=5,
        ratings=tuple(noisy_ratings(world, patient, count, seed)),
    )


def test_it_recovers_a_patients_own_responses_from_their_ratings(world: World) -> None:
    patient = 3
    mean, covariance = learner(world)._responses(patient, noisy_ratings(world, patient, 20_000, 1))

    kinds = world.catalog.kind_index
    learned = world.catalog.effect + world.parameters.non_specific + mean[0] + mean[1:][kinds]
    truth = world.cohort.base[patient]
    assert np.abs(learned - truth).max() < 0.15
    assert np.all(np.diag(covariance) < learner(world).prior_variance)


def test_with_no_ratings_it_knows_only_the_prior(world: World) -> None:
    mean, covariance = learner(world)._responses(0, [])

    assert not mean.any()
    assert np.allclose(np.diag(covariance), learner(world).prior_variance)


def test_its_list_follows_what_it_learned(world: World) -> None:
    patient = 5
    policy = learner(world)
    context = rated_context(world, patient, 3000, 2)
    shown = policy.suggest(world.catalog.sessions, context, np.random.default_rng(0))

    safe = policy.safe.indices(context)
    truth = world.cohort.base[patient]
    best = sorted(truth[safe], reverse=True)[:4]
    index = policy.safe.index
    picked = [truth[index[item.session_id]] for item in shown.items]
    assert len(picked) == 4
    assert sum(picked) >= sum(best) - 0.3  # the best four, or ties within the learning error


def test_with_the_engines_floor_it_draws_its_best_list_and_every_safe_session_sometimes(
    world: World,
) -> None:
    patient = 5
    safe = SafeSets(world.catalog.sessions, LIMITS, engine_filter)
    greedy = InformedLearner(world, safe, 4)
    floored = InformedLearner(world, safe, 4, exploration=0.05)
    context = rated_context(world, patient, 300, 3)
    catalog = world.catalog.sessions
    best = {
        item.session_id for item in greedy.suggest(catalog, context, np.random.default_rng(0)).items
    }
    rng = np.random.default_rng(1)
    lists = [floored.suggest(catalog, context, rng) for _ in range(2000)]

    pool = safe.indices(context)
    floor = 0.05 * 4 / pool.size
    probabilities = {i.session_id: i.probability for shown in lists for i in shown.items}
    assert floored.name == "informed_floor"
    assert all(len(shown.items) == 4 for shown in lists)
    assert all(floor - 1e-9 <= q <= 0.95 + 1e-9 for q in probabilities.values())
    assert {i for i, q in probabilities.items() if q > 0.5} == best
    shown_ids = {item.session_id for shown in lists for item in shown.items}
    assert len(shown_ids) == pool.size  # each safe session came up at least once


def test_told_only_the_kinds_it_knows_no_session_beyond_its_kind(world: World) -> None:
    safe = SafeSets(world.catalog.sessions, LIMITS, engine_filter)
    told = InformedLearner(world, safe, 4)
    kinds_only = InformedLearner(world, safe, 4, exploration=0.05, knows_sessions=False)

    catalog = world.catalog
    same_kind = catalog.kind_index == catalog.kind_index[0]
    assert kinds_only.name == "informed_kinds"
    assert np.ptp(kinds_only.known[same_kind]) == 0  # one value a kind
    assert np.ptp(told.known[same_kind]) > 0  # the sessions' own effects


def test_in_a_small_clinic_it_stays_safe_and_lands_between_random_and_the_oracle() -> None:
    outcome = simulate_seed(
        2,
        patients=40,
        days=21,
        heterogeneity=Heterogeneity.HIGH,
        policies=(
            "random",
            "informed",
            "informed_ts",
            "informed_floor",
            "informed_kinds",
            "oracle",
        ),
    )
    metrics = outcome.metrics
    for name in ("informed", "informed_ts", "informed_floor", "informed_kinds"):
        assert metrics[name].violations == 0
        assert metrics[name].errors == 0
        assert metrics["random"].mean_calm < metrics[name].mean_calm < metrics["oracle"].mean_calm


def test_the_report_names_it_and_says_what_it_is() -> None:
    report = evaluate(
        15, 7, 1, "medium", ("random", "informed", "oracle"), candidate="random", sweep_calls=0
    )
    text = format_report(report)

    assert "informed learner" in text
    assert "not a policy the" in text
