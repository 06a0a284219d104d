"""The policies the simulated clinic compares, by name, and one seed's run of all of them."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from wellness.suggestions.choice import ChoiceSettings
from wellness.suggestions.inputs import PatientContext, SafetyLimits, SessionFacts
from wellness.suggestions.simulation.clinic import Logged, run_policy
from wellness.suggestions.simulation.engine_policies import EnginePolicy, EngineRules, engine_filter
from wellness.suggestions.simulation.informed import InformedLearner
from wellness.suggestions.simulation.metrics import SeedMetrics, seed_metrics
from wellness.suggestions.simulation.parameters import Heterogeneity, Trait
from wellness.suggestions.simulation.policies import (
    Moment,
    MostPopular,
    Oracle,
    Policy,
    PooledThompson,
    RandomSafe,
    SafeFilter,
    SafeSets,
)
from wellness.suggestions.simulation.stress import SweepResult, sweep
from wellness.suggestions.simulation.world import World, build_world


@dataclass(frozen=True, slots=True)
class PolicyKit:
    """What a policy may be built from: the catalog's safe sets, and (oracle only) the truth."""

    world: World
    safe: SafeSets
    moment: Moment
    count: int
    limits: SafetyLimits


PolicyFactory = Callable[[PolicyKit], Policy]

POLICIES: dict[str, PolicyFactory] = {
    "random": lambda kit: RandomSafe(kit.safe, kit.count),
    "popular": lambda kit: MostPopular(kit.safe, kit.count),
    "rules": lambda kit: EngineRules(kit.count, kit.limits),
    "pooled_ts": lambda kit: EnginePolicy(
        kit.world.catalog.sessions, kit.count, kit.limits, personal=False, name="pooled_ts"
    ),
    "engine": lambda kit: EnginePolicy(kit.world.catalog.sessions, kit.count, kit.limits),
    "oracle": lambda kit: Oracle(kit.safe, kit.count, kit.moment),
    "linear_ts": lambda kit: PooledThompson(kit.safe, kit.count),
    "informed": lambda kit: InformedLearner(kit.world, kit.safe, kit.count),
    "informed_ts": lambda kit: InformedLearner(kit.world, kit.safe, kit.count, sample=True),
    "informed_floor": lambda kit: InformedLearner(
        kit.world, kit.safe, kit.count, exploration=ChoiceSettings().exploration
    ),
    "informed_kinds": lambda kit: InformedLearner(
        kit.world,
        kit.safe,
        kit.count,
        exploration=ChoiceSettings().exploration,
        knows_sessions=False,
    ),
}
SAFE_FILTER: SafeFilter = engine_filter  # random, most popular and the oracle choose within it
DEFAULT_POLICIES = ("random", "popular", "rules", "pooled_ts", "engine", "oracle", "informed")
DEFAULT_COUNT = 4  # the engine's default list length (the home page shows 3-5)


@dataclass(frozen=True, slots=True)
class SeedOutcome:
    seed: int
    catalog: tuple[SessionFacts, ...]
    metrics: dict[str, SeedMetrics]
    log: list[Logged]  # the logged policy's lists, for the off-policy check
    logged_policy: str | None
    sweep: SweepResult | None  # hostile inputs thrown at `sweep_policy` after its run
    # The logged policy's own model of the expected change per session in a context, from its
    # last fit, when it has one (the engine does): the doubly robust estimate's reward model.
    reward_model: RewardModel | None = None


RewardModel = Callable[[PatientContext], Mapping[int, float]]


def policy_rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, 29, zlib.crc32(name.encode())]))


def simulate_seed(
    seed: int,
    *,
    patients: int,
    days: int,
    heterogeneity: Heterogeneity,
    differ_by: Trait = Trait.KIND,
    policies: Sequence[str] = DEFAULT_POLICIES,
    count: int = DEFAULT_COUNT,
    limits: SafetyLimits | None = None,
    log_policy: str | None = None,
    log_targets: Sequence[str] = (),
    registry: Mapping[str, PolicyFactory] | None = None,
    safe_filter: SafeFilter | None = None,
    sweep_policy: str | None = None,
    sweep_calls: int = 0,
    sessions: Sequence[SessionFacts] | None = None,
) -> SeedOutcome:
    """Every named policy through the same synthetic clinic (same patients, same coin flips).

    `log_policy`'s lists are logged, with what each of `log_targets` would have shown in the
    same contexts, for the off-policy check. `sweep_policy`, once fitted on the whole stay, also
    answers `sweep_calls` hostile contexts (`stress.sweep`). `sessions`: a given catalog instead
    of a synthetic one (`world.build_world`).
    """
    limits = limits or SafetyLimits()
    registry = registry or POLICIES
    world = build_world(seed, patients, days, heterogeneity, differ_by=differ_by, sessions=sessions)
    safe = SafeSets(world.catalog.sessions, limits, safe_filter or SAFE_FILTER)
    metrics: dict[str, SeedMetrics] = {}
    log: list[Logged] = []
    swept = None
    reward_model: RewardModel | None = None
    for name in policies:
        moment = Moment()
        kit = PolicyKit(world, safe, moment, count, limits)
        targets = None
        if name == log_policy:
            targets = {
                target: (registry[target](kit), policy_rng(seed, f"{target} as target"))
                for target in log_targets
            }
        policy = registry[name](kit)
        run = run_policy(
            world,
            policy,
            safe,
            moment,
            policy_rng(seed, name),
            limits=limits,
            log_targets=targets,
        )
        metrics[name] = seed_metrics(run, world)
        if targets is not None:
            log = run.log
            reward_model = _reward_model(policy, world.catalog.sessions)
        if name == sweep_policy and sweep_calls:
            rng = policy_rng(seed, f"{name} sweep")
            swept = sweep(
                policy, world.catalog.sessions, rng, calls=sweep_calls, limits=limits, days=days
            )
    return SeedOutcome(
        seed,
        world.catalog.sessions,
        metrics,
        log,
        log_policy if log else None,
        swept,
        reward_model if log else None,
    )


def _reward_model(policy: Policy, catalog: Sequence[SessionFacts]) -> RewardModel | None:
    answer = getattr(policy, "expected_changes", None)
    return None if answer is None else partial(answer, catalog)
