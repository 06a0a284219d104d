"""`evaluate(...)`: every policy over many seeds, summarised, with issue 11's targets checked."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from functools import partial

from wellness.suggestions.inputs import SessionFacts
from wellness.suggestions.simulation.lineup import (
    DEFAULT_COUNT,
    DEFAULT_POLICIES,
    SeedOutcome,
    simulate_seed,
)
from wellness.suggestions.simulation.metrics import (
    PolicySummary,
    SeedMetrics,
    gain_share,
    share_interval,
    summarise,
)
from wellness.suggestions.simulation.offpolicy_check import (
    OPE_TOLERANCE,
    OpeCheck,
    OpeSummary,
    check_seed,
    summarise_ope,
)
from wellness.suggestions.simulation.parameters import Heterogeneity, Trait
from wellness.suggestions.simulation.stress import SweepResult

SAFETY_SUGGESTIONS = 1_000_000
EARLY_SHARE, LATE_SHARE = 0.50, 0.75
REGRET_CUT = 0.20  # at medium and high: at least 20% less regret than the better simple policy
NONE_SLACK = 0.05  # with no heterogeneity: at most 5% more regret than most popular
DEFAULT_SWEEP_CALLS = 1000


@dataclass(frozen=True, slots=True)
class EvaluationConfig:
    patients: int
    days: int
    seeds: int
    heterogeneity: Heterogeneity
    differ_by: Trait
    policies: tuple[str, ...]
    candidate: str  # the policy the targets judge
    count: int
    first_seed: int
    sweep_calls: int
    workers: int
    # A given catalog (numbered 1, 2, ... in this order) instead of each seed drawing its own,
    # and what to call it in the report.
    sessions: tuple[SessionFacts, ...] | None = None
    catalog: str = "synthetic"


@dataclass(frozen=True, slots=True)
class TargetCheck:
    name: str
    passed: bool | None  # None: does not apply to this configuration
    detail: str


@dataclass(frozen=True, slots=True)
class Report:
    config: EvaluationConfig
    policies: dict[str, PolicySummary]
    shares: dict[str, tuple[float, float]]  # gain share over random after 10 and after 30
    # The candidate's shares after 10 and after 30 as 95% intervals over the seeds.
    intervals: tuple[tuple[float, float], tuple[float, float]] | None
    sweep: SweepResult
    ope: list[OpeSummary]
    targets: list[TargetCheck] = field(default_factory=list)
    seconds: float = 0.0


def _seed(config: EvaluationConfig, seed: int) -> tuple[SeedOutcome, list[OpeCheck]]:
    """One seed, in whichever process runs it; only the compact results travel back."""
    logging = config.candidate if config.candidate in config.policies else None
    targets = tuple(name for name in ("rules",) if name in config.policies)
    outcome = simulate_seed(
        seed,
        patients=config.patients,
        days=config.days,
        heterogeneity=config.heterogeneity,
        differ_by=config.differ_by,
        policies=config.policies,
        count=config.count,
        log_policy=logging,
        log_targets=targets,
        sweep_policy=logging,
        sweep_calls=config.sweep_calls,
        sessions=config.sessions,
    )
    checks = check_seed(outcome) if logging else []
    outcome.log.clear()
    return replace(outcome, reward_model=None), checks  # a fitted model need not travel back


def evaluate(
    patients: int,
    days: int,
    seeds: int,
    heterogeneity: Heterogeneity | str,
    policies: Sequence[str] = DEFAULT_POLICIES,
    *,
    differ_by: Trait | str = Trait.KIND,
    candidate: str = "engine",
    count: int = DEFAULT_COUNT,
    first_seed: int = 1,
    sweep_calls: int = DEFAULT_SWEEP_CALLS,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    sessions: Sequence[SessionFacts] | None = None,
    catalog: str = "synthetic",
) -> Report:
    """Run every policy through `seeds` simulated clinics and check the targets on `candidate`.

    With `workers` > 1 the seeds are shared out between that many processes. `progress` is
    called with (seeds done, seeds) as each seed's results come in. `sessions` (named
    `catalog` in the report) replaces each seed's synthetic catalog with the one given.
    """
    started = time.perf_counter()
    config = EvaluationConfig(
        patients=patients,
        days=days,
        seeds=seeds,
        heterogeneity=Heterogeneity(heterogeneity),
        differ_by=Trait(differ_by),
        policies=tuple(policies),
        candidate=candidate,
        count=count,
        first_seed=first_seed,
        sweep_calls=sweep_calls,
        workers=workers,
        sessions=None if sessions is None else tuple(sessions),
        catalog=catalog,
    )
    seed_numbers = range(first_seed, first_seed + seeds)
    run = partial(_seed, config)
    results: list[tuple[SeedOutcome, list[OpeCheck]]] = []
    with ProcessPoolExecutor(max_workers=workers) if workers > 1 else nullcontext() as pool:
        for result in pool.map(run, seed_numbers) if pool else map(run, seed_numbers):
            results.append(result)
            if progress is not None:
                progress(len(results), seeds)
    summaries = {
        name: summarise([outcome.metrics[name] for outcome, _ in results])
        for name in config.policies
    }
    sweep = SweepResult()
    for outcome, _ in results:
        if outcome.sweep is not None:
            sweep.calls += outcome.sweep.calls
            sweep.suggestions += outcome.sweep.suggestions
            sweep.violations += outcome.sweep.violations
            sweep.errors += outcome.sweep.errors
            for example in outcome.sweep.examples:
                sweep.note(example)
    per_seed = {name: [outcome.metrics[name] for outcome, _ in results] for name in config.policies}
    report = Report(
        config=config,
        policies=summaries,
        shares=_shares(summaries),
        intervals=_intervals(per_seed, config.candidate),
        sweep=sweep,
        ope=summarise_ope([check for _, checks in results for check in checks]),
    )
    report.targets.extend(targets(report))
    return replace(report, seconds=time.perf_counter() - started)


def _shares(summaries: dict[str, PolicySummary]) -> dict[str, tuple[float, float]]:
    if "random" not in summaries or "oracle" not in summaries:
        return {}
    random, oracle = summaries["random"], summaries["oracle"]
    return {
        name: (
            gain_share(summary.early, random.early, oracle.early),
            gain_share(summary.late, random.late, oracle.late),
        )
        for name, summary in summaries.items()
    }


def _intervals(
    per_seed: dict[str, list[SeedMetrics]], candidate: str
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    if not {"random", "oracle", candidate} <= per_seed.keys():
        return None
    seeds = (per_seed[candidate], per_seed["random"], per_seed["oracle"])
    return share_interval(*seeds, late=False), share_interval(*seeds, late=True)


def targets(report: Report) -> list[TargetCheck]:
    """Issue 11's targets for the candidate policy, each PASS, MISS or not applicable."""
    config = report.config
    name = config.candidate
    candidate = report.policies.get(name)
    if candidate is None:
        return [TargetCheck("all targets", None, f"policy {name!r} was not run")]
    return [
        _safety(report, candidate),
        *_shares_met(report, name),
        _regret(report, candidate),
        _quartile(report, candidate),
        *_ope_met(report),
    ]


def _safety(report: Report, candidate: PolicySummary) -> TargetCheck:
    shown = candidate.suggestions + report.sweep.suggestions
    bad = candidate.violations + report.sweep.violations
    errors = candidate.errors + report.sweep.errors
    detail = (
        f"{bad} violations and {errors} errors in {shown:,} suggestions "
        f"({report.sweep.suggestions:,} of them to hostile inputs)"
    )
    if bad or errors:
        return TargetCheck("0 safety violations", False, detail)
    if shown < SAFETY_SUGGESTIONS:
        return TargetCheck(
            "0 safety violations", False, detail + f"; fewer than {SAFETY_SUGGESTIONS:,}"
        )
    return TargetCheck("0 safety violations", True, detail)


def _shares_met(report: Report, name: str) -> list[TargetCheck]:
    checks = []
    early, late = report.shares.get(name, (float("nan"), float("nan")))
    nowhere = (float("nan"), float("nan"))
    spans = report.intervals or (nowhere, nowhere)
    windows = (("after 10", early, EARLY_SHARE, spans[0]), ("after 30", late, LATE_SHARE, spans[1]))
    for label, value, goal, (low, high) in windows:
        title = f"oracle gain share {label} >= {goal:.0%}"
        if report.config.heterogeneity is not Heterogeneity.MEDIUM:
            checks.append(TargetCheck(title, None, "judged at medium heterogeneity"))
        elif value != value:  # nan: no random/oracle run, or no lists in the window
            checks.append(TargetCheck(title, False, "not measurable (random and oracle needed)"))
        else:
            detail = f"{value:.1%}"
            if low == low:
                detail += f" (95% interval over the seeds {low:.1%} to {high:.1%})"
            checks.append(TargetCheck(title, value >= goal, detail))
    return checks


def _regret(report: Report, candidate: PolicySummary) -> TargetCheck:
    level = report.config.heterogeneity
    rules, popular = report.policies.get("rules"), report.policies.get("popular")
    if level is Heterogeneity.LOW:
        return TargetCheck("regret", None, "no target at low heterogeneity")
    if level is Heterogeneity.NONE:
        title = f"regret no more than {NONE_SLACK:.0%} above most popular"
        if popular is None:
            return TargetCheck(title, False, "most popular was not run")
        limit = popular.regret * (1 + NONE_SLACK)
        detail = f"{candidate.regret:.2f} vs most popular {popular.regret:.2f} (limit {limit:.2f})"
        return TargetCheck(title, candidate.regret <= limit, detail)
    title = f"regret at least {REGRET_CUT:.0%} below the better of rules and most popular"
    if rules is None or popular is None:
        return TargetCheck(title, False, "rules and most popular are both needed")
    better = min(rules.regret, popular.regret)
    limit = better * (1 - REGRET_CUT)
    cut = 1 - candidate.regret / better if better > 0 else float("nan")
    detail = f"{candidate.regret:.2f} vs {better:.2f} ({cut:.0%} lower; limit {limit:.2f})"
    return TargetCheck(title, candidate.regret <= limit, detail)


def _quartile(report: Report, candidate: PolicySummary) -> TargetCheck:
    title = "25th-percentile patient at least as well off as under rules only"
    rules = report.policies.get("rules")
    if rules is None:
        return TargetCheck(title, False, "rules only was not run")
    detail = f"{candidate.patient_p25:+.3f} vs rules only {rules.patient_p25:+.3f}"
    return TargetCheck(title, candidate.patient_p25 >= rules.patient_p25, detail)


def _ope_met(report: Report) -> list[TargetCheck]:
    if not report.ope:
        return [TargetCheck("off-policy estimates", None, "no logs to estimate from")]
    return [
        TargetCheck(
            f"off-policy {ope.estimator} of {ope.target} within +/-{OPE_TOLERANCE}",
            ope.worst_error <= OPE_TOLERANCE,
            f"95th-percentile |error| {ope.worst_error:.3f} over {ope.seeds} seeds "
            f"(mean estimate {ope.estimate:+.3f}, truth {ope.truth:+.3f})",
        )
        for ope in report.ope
    ]
