"""Small simulated clinics end to end: policies, the safety check, hostile inputs, the report."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from wellness.suggestions.inputs import (
    PatientContext,
    RatedPractice,
    SafetyLimits,
    SessionFacts,
    SuggestionList,
)
from wellness.suggestions.simulation.clinic import run_policy
from wellness.suggestions.simulation.lineup import PolicyKit, SeedOutcome, simulate_seed
from wellness.suggestions.simulation.metrics import SeedMetrics
from wellness.suggestions.simulation.parameters import Heterogeneity
from wellness.suggestions.simulation.policies import (
    Moment,
    RandomSafe,
    SafeSets,
    checker_filter,
    listing,
)
from wellness.suggestions.simulation.report import Report, evaluate
from wellness.suggestions.simulation.run import format_report, main
from wellness.suggestions.simulation.stress import sweep
from wellness.suggestions.simulation.world import World, build_world

LIMITS = SafetyLimits()


class Reckless:
    """Shows the catalog's contraindicated sessions first, whatever the patient's state."""

    name = "reckless"

    def suggest(
        self, catalog: Sequence[SessionFacts], context: PatientContext, rng: np.random.Generator
    ) -> SuggestionList:
        risky = [n for n, s in enumerate(catalog) if s.contraindications] + list(range(3))
        return listing(catalog, risky[:3], [1.0] * 3, self.name, "Exciting")

    def refit(self, ratings: Sequence[RatedPractice], catalog: Sequence[SessionFacts]) -> None:
        return None


class Crashing(Reckless):
    name = "crashing"

    def suggest(
        self, catalog: Sequence[SessionFacts], context: PatientContext, rng: np.random.Generator
    ) -> SuggestionList:
        if context.anxiety is None:
            raise KeyError("anxiety")
        return super().suggest(catalog, context, rng)


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(7, 30, 14, Heterogeneity.MEDIUM)


def kit(world: World) -> PolicyKit:
    safe = SafeSets(world.catalog.sessions, LIMITS, checker_filter)
    return PolicyKit(world, safe, Moment(), 3, LIMITS)


def test_the_simple_baselines_stay_safe_and_the_oracle_does_best() -> None:
    outcome = simulate_seed(
        3,
        patients=30,
        days=14,
        heterogeneity=Heterogeneity.HIGH,
        policies=("random", "popular", "linear_ts", "oracle"),
        safe_filter=checker_filter,  # the simulation's own reading of the rules
    )
    for name, metrics in outcome.metrics.items():
        assert metrics.violations == 0, (name, metrics.examples)
        assert metrics.errors == 0
        assert metrics.suggestions > 0
    best = outcome.metrics["oracle"].mean_calm
    assert all(m.mean_calm <= best for m in outcome.metrics.values())
    assert outcome.metrics["oracle"].regret == pytest.approx(0.0, abs=1e-9)
    assert outcome.metrics["random"].regret > 0


def test_the_same_seed_gives_the_same_figures() -> None:
    policies = ("random", "rules", "linear_ts", "engine")
    first = simulate_seed(
        5, patients=20, days=10, heterogeneity=Heterogeneity.LOW, policies=policies
    )
    again = simulate_seed(
        5, patients=20, days=10, heterogeneity=Heterogeneity.LOW, policies=policies
    )
    other = simulate_seed(
        6, patients=20, days=10, heterogeneity=Heterogeneity.LOW, policies=policies
    )

    def figures(outcome: SeedOutcome) -> dict[str, SeedMetrics]:
        return {name: replace(m, seconds=0.0) for name, m in outcome.metrics.items()}

    assert figures(first) == figures(again)
    assert figures(first)["engine"] != figures(other)["engine"]


class Recording(RandomSafe):
    """Random within the safe set, noting how many ratings each refit was given."""

    name = "recording"

    def __init__(self, safe: SafeSets, count: int) -> None:
        super().__init__(safe, count)
        self.refits: list[int] = []

    def refit(self, ratings: Sequence[RatedPractice], catalog: Sequence[SessionFacts]) -> None:
        self.refits.append(len(ratings))


def test_the_policy_is_refitted_each_night_and_whenever_the_ratings_grew_by_five_percent(
    world: World,
) -> None:
    tools = kit(world)
    policy = Recording(tools.safe, 3)
    run_policy(world, policy, tools.safe, tools.moment, np.random.default_rng(2), limits=LIMITS)
    fitted = policy.refits

    assert len(fitted) > world.days  # more than once a night: growth refits too
    assert fitted == sorted(fitted)
    for before, after in itertools.pairwise(fitted):
        # Counted as the app counts them (a before and an after per rated practice), the refit
        # comes as soon as 5% (at least 4) are new: a chance adds at most one rated practice.
        assert 2 * (after - before) <= max(4, 0.05 * 2 * before) + 2
    assert fitted[-1] > 100


def test_unsafe_suggestions_are_counted_and_traps_cost_calm(world: World) -> None:
    tools = kit(world)
    rng = np.random.default_rng(1)
    reckless = run_policy(world, Reckless(), tools.safe, tools.moment, rng, limits=LIMITS)
    assert reckless.violations > 0
    assert any(
        "breath hold" in example or "contraindicated" in example for example in reckless.examples
    )
    careful = run_policy(
        world, RandomSafe(tools.safe, 3), tools.safe, tools.moment, rng, limits=LIMITS
    )
    assert careful.violations == 0
    prone = world.cohort.prone[world.chances.patient]
    assert np.nanmean(reckless.value[prone]) < np.nanmean(careful.value[prone])


def test_a_policy_that_raises_is_recorded_and_the_clinic_goes_on(world: World) -> None:
    tools = kit(world)
    rng = np.random.default_rng(2)
    run = run_policy(world, Crashing(), tools.safe, tools.moment, rng, limits=LIMITS)
    missing = int(np.count_nonzero(world.chances.anxiety < 0))
    assert run.errors == missing > 0
    assert "KeyError" in run.examples[0] or "KeyError" in " ".join(run.examples)
    assert np.count_nonzero(run.shown) == world.chances.day.size - missing


def test_hostile_inputs_are_answered_safely_by_a_careful_policy_and_caught_otherwise(
    world: World,
) -> None:
    tools = kit(world)
    careful = sweep(
        RandomSafe(tools.safe, 3), world.catalog.sessions, np.random.default_rng(3),
        calls=300, limits=LIMITS, days=14,
    )  # fmt: skip
    assert careful.calls == 300
    assert careful.violations == careful.errors == 0
    assert careful.suggestions > 0
    reckless = sweep(
        Reckless(), world.catalog.sessions, np.random.default_rng(3),
        calls=300, limits=LIMITS, days=14,
    )  # fmt: skip
    assert reckless.violations > 0


def test_evaluate_prints_one_row_per_policy_and_a_verdict_per_target() -> None:
    report = evaluate(
        20, 10, 2, "medium", ("random", "popular", "rules", "pooled_ts", "oracle"),
        candidate="pooled_ts", sweep_calls=50,
    )  # fmt: skip
    text = format_report(report)
    for label in ("random (safe set)", "most popular", "rules only", "pooled Thompson", "oracle"):
        assert label in text
    assert report.sweep.calls == 100
    names = [t.name for t in report.targets]
    assert names[0] == "0 safety violations"
    assert report.targets[0].passed is False  # far fewer than a million suggestions
    assert any(name.startswith("off-policy SNIPS of rules") for name in names)
    verdicts = [line for line in text.splitlines() if line[:4] in ("PASS", "MISS", "n/a ")]
    assert len(verdicts) == len(report.targets)
    assert report.shares["random"][0] == pytest.approx(0.0)
    early = next(t for t in report.targets if t.name == "oracle gain share after 10 >= 50%")
    assert "95% interval over the seeds" in early.detail
    assert report.intervals is not None
    low, high = report.intervals[0]
    assert low <= report.shares["pooled_ts"][0] <= high


def test_targets_not_judged_at_this_heterogeneity_say_so() -> None:
    report = evaluate(
        15, 7, 1, "low", ("random", "rules", "popular", "oracle"), candidate="random", sweep_calls=0
    )
    by_name = {t.name: t for t in report.targets}
    assert by_name["oracle gain share after 10 >= 50%"].passed is None
    assert by_name["regret"].passed is None
    missing = evaluate(10, 5, 1, "none", ("random",), candidate="engine-x", sweep_calls=0)
    assert missing.targets[0].passed is None


def test_main_runs_a_small_clinic_and_refuses_bad_arguments(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--patients", "12", "--days", "7", "--seeds", "1", "--heterogeneity", "high"]
    assert (
        main([*argv, "--policies", "random,oracle", "--candidate", "random", "--sweep-calls", "20"])
        == 0
    )
    out = capsys.readouterr().out
    assert "12 patients x 7 days x 1 seeds, high heterogeneity" in out
    assert main(["--patients", "0"]) == 2
    assert main(["--heterogeneity", "extreme"]) == 2
    assert main(["--seeds", "٣"]) == 2
    assert main(["--policies", "random,magic"]) == 2
    assert "unknown policies magic" in capsys.readouterr().out


@pytest.fixture(scope="module")
def small_cohort() -> Report:
    # CI's cohort: small enough for a few seconds, large enough that the engine's lead over
    # most popular is not luck (medium heterogeneity, as the gain targets).
    return evaluate(
        40, 14, 2, "medium", ("random", "popular", "engine"), candidate="engine", sweep_calls=200
    )


def test_a_small_cohort_the_engine_beats_random_and_most_popular(small_cohort: Report) -> None:
    engine = small_cohort.policies["engine"]
    assert engine.errors == small_cohort.sweep.errors == 0
    assert engine.mean_calm > small_cohort.policies["random"].mean_calm
    assert engine.mean_calm > small_cohort.policies["popular"].mean_calm
    assert engine.regret < small_cohort.policies["popular"].regret


def test_a_small_cohort_gets_no_unsafe_suggestion_from_the_engine(small_cohort: Report) -> None:
    engine = small_cohort.policies["engine"]
    assert engine.violations == 0, engine.examples
    assert small_cohort.sweep.violations == 0, small_cohort.sweep.examples
