"""The simulated clinic from a command line: `main(argv) -> exit code`, and the text report.

    python -m wellness.suggestions.simulation --patients 100 --days 28 --seeds 50 \\
        --heterogeneity medium [--differ-by kind] [--workers 2] \\
        [--policies random,popular,...] [--candidate engine] [--catalog synthetic]

Exit code 0 whatever the targets say (a MISS is a finding, printed), 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Iterable, Mapping, Sequence

from wellness.suggestions.inputs import SessionFacts
from wellness.suggestions.simulation.lineup import DEFAULT_COUNT, DEFAULT_POLICIES, POLICIES
from wellness.suggestions.simulation.parameters import Heterogeneity, Trait
from wellness.suggestions.simulation.report import (
    DEFAULT_SWEEP_CALLS,
    EvaluationConfig,
    Report,
    evaluate,
)

LABELS = {
    "random": "random (safe set)",
    "popular": "most popular",
    "rules": "rules only",
    "pooled_ts": "pooled Thompson",
    "engine": "this engine",
    "oracle": "oracle",
    "linear_ts": "linear Thompson",
    "informed": "informed learner",
    "informed_ts": "informed Thompson",
    "informed_floor": "informed + floor",
    "informed_kinds": "informed, kinds",
}


def _number(value: float, digits: int = 2, sign: bool = False) -> str:
    if math.isnan(value):
        return "-"
    value = round(value, digits) + 0.0  # no "-0.0"
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def _percent(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.0%}"


def _differing(trait: Trait) -> str:
    if trait is Trait.KIND:
        return ""
    if trait is Trait.SESSION:
        return " (patients differ by each session, not by kind)"
    return f" (patients differ by {trait.value}, not by kind)"


def _catalog(config: EvaluationConfig) -> str:
    if config.sessions is None:
        return ""
    return f", the {config.catalog} catalog ({len(config.sessions)} sessions)"


def format_report(report: Report) -> str:
    """One row per policy, then the off-policy check, then PASS/MISS per target."""
    config = report.config
    lines = [
        f"Simulated clinic: {config.patients} patients x {config.days} days x {config.seeds} "
        f"seeds, {config.heterogeneity.value} heterogeneity{_differing(config.differ_by)}, "
        f"{config.count} suggestions a list{_catalog(config)} ({report.seconds:.0f} s).",
        "Calm = true drop in SUDS points (before - after, from the simulator, not the ratings).",
        "",
    ]
    header = (
        f"{'policy':<18} {'suggestions':>11} {'unsafe':>6} {'calm/sugg':>10} {'regret/pt':>10} "
        f"{'gain@10':>7} {'gain@30':>7} {'p25 pt':>7} {'repeat':>6} {'ms/call':>7}"
    )
    lines += [header, "-" * len(header)]
    for name, summary in report.policies.items():
        early, late = report.shares.get(name, (math.nan, math.nan))
        lines.append(
            f"{LABELS.get(name, name):<18} {summary.suggestions:>11,} "
            f"{summary.violations + summary.errors:>6} "
            f"{_number(summary.mean_calm, 3, sign=True):>10} {_number(summary.regret, 1):>10} "
            f"{_percent(early):>7} {_percent(late):>7} "
            f"{_number(summary.patient_p25, 2, sign=True):>7} {_percent(summary.repetition):>6} "
            f"{_number(summary.ms_per_call, 2):>7}"
        )
    lines += [
        "",
        "regret/pt: cumulative regret per patient against the best safe list of the same length;",
        "gain@N: (policy - random) / (oracle - random) once the patient has N rated sessions;",
        "p25 pt: the 25th-percentile patient's mean calm per suggestion; repeat: share of",
        "suggestions the patient did the day before.",
    ]
    if report.policies.keys() & {"informed", "informed_ts", "informed_floor", "informed_kinds"}:
        lines += [
            "informed learner: knows the simulator's every parameter and session effect, learns",
            "only each patient's own responses from their ratings (a yardstick: not a policy the",
            "app could run; its gain@N is about what the ratings allow). + floor: its lists drawn",
            "with the engine's exploration floor; kinds: the same, told each kind's effect but",
            "not what each session does beyond it.",
        ]
    sweep = report.sweep
    if sweep.calls:
        lines.append(
            f"Hostile inputs: {sweep.calls:,} calls, {sweep.suggestions:,} suggestions, "
            f"{sweep.violations} violations, {sweep.errors} errors."
        )
    examples = [e for s in report.policies.values() for e in s.examples] + sweep.examples
    lines += [f"  e.g. {example}" for example in examples[:8]]
    if report.ope:
        lines += [
            "",
            f"{'off-policy':<10} {'target':<16} {'estimate':>9} {'truth':>7} {'p95 |err|':>9} "
            f"{'rated truth':>11}",
        ]
        lines += [
            f"{ope.estimator:<10} {LABELS.get(ope.target, ope.target):<16} "
            f"{_number(ope.estimate, 3, sign=True):>9} {_number(ope.truth, 3, sign=True):>7} "
            f"{_number(ope.worst_error, 3):>9} {_number(ope.rated_truth, 3, sign=True):>11}"
            for ope in report.ope
        ]
        lines += [
            "rated truth: what exact estimators of the rated change would find: the true calm plus",
            "the before rating's error, which a policy acting on the rating partly earns.",
        ]
    lines.append("")
    for target in report.targets:
        verdict = {True: "PASS", False: "MISS", None: "n/a "}[target.passed]
        lines.append(f"{verdict}  {target.name}: {target.detail}")
    return "\n".join(lines)


def parser(catalogs: Iterable[str] = ()) -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(
        prog="wellness suggestions evaluate",
        description="Run the suggestion engine and simple alternatives in a simulated clinic.",
    )
    parse.add_argument("--patients", type=_bounded(1, 10_000), default=100)
    parse.add_argument("--days", type=_bounded(1, 365), default=28)
    parse.add_argument("--seeds", type=_bounded(1, 10_000), default=50)
    parse.add_argument(
        "--heterogeneity", choices=[h.value for h in Heterogeneity], default="medium"
    )
    parse.add_argument(
        "--differ-by",
        choices=[trait.value for trait in Trait],
        default="kind",
        help="what patients respond to in their own ways (the notes' model: kind)",
    )
    parse.add_argument(
        "--catalog",
        choices=["synthetic", *catalogs],
        default="synthetic",
        help="each seed draws its own synthetic catalog, or every seed offers the one named",
    )
    parse.add_argument("--policies", default=",".join(DEFAULT_POLICIES))
    parse.add_argument("--candidate", default="engine", help="the policy the targets judge")
    parse.add_argument("--count", type=_bounded(1, 10), default=DEFAULT_COUNT)
    parse.add_argument("--first-seed", type=_bounded(0, 2**31), default=1)
    parse.add_argument("--sweep-calls", type=_bounded(0, 10**7), default=DEFAULT_SWEEP_CALLS)
    parse.add_argument("--workers", type=_bounded(1, 64), default=1)
    return parse


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def read(text: str) -> int:
        if not text.isascii() or not text.isdigit() or len(text) > 12:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {low}-{high}, got {value}")
        return value

    return read


def main(
    argv: Sequence[str] | None = None,
    catalogs: Mapping[str, Callable[[], Sequence[SessionFacts]]] | None = None,
) -> int:
    """`catalogs`: real catalogs `--catalog` may name, each read only when named (the
    `wellness` command offers the demo library; this package cannot read it itself)."""
    catalogs = catalogs or {}
    try:
        arguments = parser(catalogs).parse_args(argv)
    except SystemExit as stop:  # argparse exits on --help (0) and on bad arguments (2)
        return int(stop.code or 0)
    policies = [name.strip() for name in arguments.policies.split(",") if name.strip()]
    unknown = [name for name in policies if name not in POLICIES]
    if unknown or not policies:
        known = ", ".join(POLICIES)
        print(f"error: unknown policies {', '.join(unknown) or '(none given)'}; known: {known}")
        return 2
    report = evaluate(
        arguments.patients,
        arguments.days,
        arguments.seeds,
        arguments.heterogeneity,
        policies,
        differ_by=arguments.differ_by,
        candidate=arguments.candidate,
        count=arguments.count,
        first_seed=arguments.first_seed,
        sweep_calls=arguments.sweep_calls,
        workers=arguments.workers,
        sessions=catalogs[arguments.catalog]() if arguments.catalog in catalogs else None,
        catalog=arguments.catalog,
    )
    print(format_report(report))
    return 0
