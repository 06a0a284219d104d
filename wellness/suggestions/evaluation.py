"""`wellness suggestions report`'s arithmetic: off-policy estimates from logged suggestion lists.

Pure. The caller (the command's database loader) hands in one `LoggedSuggestions` per list the
app showed: the `PatientContext` the engine was given at that moment (rebuilt from the log and
the patient's records as they stood then), the shown sessions with the probabilities logged with
them, the engine version that chose them, and, when a practice followed, its session and its
before -> after change. `offpolicy_report` then asks each target policy what it would have shown
in the same contexts (`engine.engine_plan` / `engine.rules_plan`: every safe session's exact
probability of being shown) and estimates the mean change of a rated practice under it, by
self-normalised inverse propensity (SNIPS) and doubly robust (DR) estimation
(`wellness.suggestions.offpolicy`, whose docstring states the assumptions), each with a 95%
Normal interval from the estimator's own variance.

The DR model is the current clinic fit (`engine.expected_changes`); it was fitted on the same
ratings it is judged on, so its direct part is optimistic about itself, which the weighted
correction term offsets only in expectation. Estimates are in the engine's sign, after - before
(negative = calmer); `drop` turns one into a drop (positive = calmer) for printing.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from wellness.suggestions import engine
from wellness.suggestions.inputs import PatientContext, SafetyLimits, SessionFacts
from wellness.suggestions.model import ClinicModel
from wellness.suggestions.offpolicy import Estimate, LoggedItem, LoggedList, doubly_robust, snips

CONFIDENCE = 0.95


@dataclass(frozen=True, slots=True)
class LoggedSuggestions:
    """One logged list, with the practice that followed it (if any)."""

    context: PatientContext  # what the engine knew when the list was shown
    items: tuple[LoggedItem, ...]  # shown sessions, each with its logged probability
    engine_version: str
    chosen: int | None = None  # the session practised from the list
    change: float | None = None  # that practice's after - before, when both were rated
    named: bool = True  # the practice named this list (False: the app linked the latest one)


@dataclass(frozen=True, slots=True)
class PolicyEstimate:
    policy: str  # "as logged", or the target's engine version
    snips: Estimate
    doubly_robust: Estimate | None  # None for the logged policies themselves (no model needed)


@dataclass(frozen=True, slots=True)
class OffPolicyReport:
    lists: int  # logged lists read
    followed: int  # lists a practice followed
    unnamed: int  # ... linked by the app, the practice naming no list (`following`)
    rated: int  # ... with both ratings
    usable: int  # rated practices whose chosen session was shown with a probability above 0
    versions: dict[str, int]  # logged lists per engine version
    estimates: tuple[PolicyEstimate, ...]


TargetPolicy = Callable[[PatientContext], Mapping[int, float]]


def engine_target(
    catalog: Sequence[SessionFacts], clinic: ClinicModel, limits: SafetyLimits
) -> TargetPolicy:
    """The current engine's probability of showing each session in a context. Its Thompson
    estimate is seeded by the context (patient and time), so a report is repeatable."""

    def probabilities(context: PatientContext) -> Mapping[int, float]:
        seed = zlib.crc32(f"{context.patient_id}|{context.now.isoformat()}".encode())
        plan = engine.engine_plan(catalog, context, clinic, limits=limits, rng=seed)
        return plan.probability

    return probabilities


def rules_target(catalog: Sequence[SessionFacts], limits: SafetyLimits) -> TargetPolicy:
    """Rules only: probability 1 for the sessions it would show, 0 for the rest."""

    def probabilities(context: PatientContext) -> Mapping[int, float]:
        return engine.rules_plan(catalog, context, limits=limits).probability

    return probabilities


def offpolicy_report(
    records: Sequence[LoggedSuggestions],
    catalog: Sequence[SessionFacts],
    clinic: ClinicModel,
    *,
    limits: SafetyLimits,
    targets: Mapping[str, TargetPolicy] | None = None,
) -> OffPolicyReport:
    """The logged lists' own mean change, and SNIPS and DR estimates for each target policy
    (by default the current engine and rules only), from `records`."""
    if targets is None:
        targets = {
            engine.ENGINE_VERSION: engine_target(catalog, clinic, limits),
            engine.RULES_VERSION: rules_target(catalog, limits),
        }
    logs = [LoggedList(record.items, record.chosen, record.change) for record in records]
    rated = [
        number
        for number, record in enumerate(records)
        if record.chosen is not None and record.change is not None and math.isfinite(record.change)
    ]
    usable = [number for number in rated if _logged_probability(records[number]) > 0]
    # Only lists with a rated practice carry weight: the targets are asked about those alone.
    kept = [records[number] for number in usable]
    kept_logs = [logs[number] for number in usable]
    estimates = [
        PolicyEstimate(
            "as logged",
            snips(kept_logs, [_shown(record) for record in kept], confidence=CONFIDENCE),
            None,
        )
    ]
    predicted = [
        engine.expected_changes(catalog, record.context, clinic, limits=limits) for record in kept
    ]
    for name, target in targets.items():
        wanted = [target(record.context) for record in kept]
        estimates.append(
            PolicyEstimate(
                name,
                snips(kept_logs, wanted, confidence=CONFIDENCE),
                doubly_robust(kept_logs, wanted, predicted, confidence=CONFIDENCE),
            )
        )
    return OffPolicyReport(
        lists=len(records),
        followed=sum(record.chosen is not None for record in records),
        unnamed=sum(record.chosen is not None and not record.named for record in records),
        rated=len(rated),
        usable=len(usable),
        versions=dict(Counter(record.engine_version for record in records)),
        estimates=tuple(estimates),
    )


def _logged_probability(record: LoggedSuggestions) -> float:
    return next(
        (item.probability for item in record.items if item.session_id == record.chosen), 0.0
    )


def _shown(record: LoggedSuggestions) -> dict[int, float]:
    """The logging policy's own probabilities: the target that weighs every practice 1."""
    return {item.session_id: item.probability for item in record.items}


def drop(value: float) -> float:
    """An estimate of after - before as a drop in distress (before - after; positive = calmer)."""
    return -value + 0.0


def format_report(report: OffPolicyReport) -> str:
    """The report as the command prints it."""
    versions = ", ".join(f"{name}: {count:,}" for name, count in sorted(report.versions.items()))
    lines = [
        f"Suggestion lists logged: {report.lists:,} ({versions or 'none'}); a practice followed "
        f"{report.followed:,} ({report.unnamed:,} of them linked by the app: the practice named "
        f"no list), rated before and after {report.rated:,}, usable {report.usable:,}.",
        "Mean drop in SUDS points per rated practice (before - after; positive = calmer), "
        f"{CONFIDENCE:.0%} intervals:",
        "",
        f"{'policy':<14} {'estimator':<9} {'drop':>7} {'interval':>17} {'weighted n':>10}",
    ]
    for item in report.estimates:
        pairs = [("SNIPS" if item.doubly_robust else "mean", item.snips)]
        if item.doubly_robust is not None:
            pairs.append(("DR", item.doubly_robust))
        for label, estimate in pairs:
            lines.append(
                f"{item.policy:<14} {label:<9} {_points(drop(estimate.value)):>7} "
                f"{_interval(estimate):>17} {estimate.effective:>10.1f}"
            )
    lines += [
        "",
        "weighted n: the effective number of practices behind an estimate; a few means the",
        "logged lists rarely showed what that policy would have, and the interval is wide.",
        "Assumes a practice's effect does not depend on what was shown beside it, and that",
        "ratings are missing at random. Judge policies by the interval, not the point.",
    ]
    if not report.usable:
        lines.append("No rated practice followed a logged list yet: nothing to estimate.")
    return "\n".join(lines)


def _points(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:+.2f}"


def _interval(estimate: Estimate) -> str:
    if math.isnan(estimate.value):
        return "-"
    low, high = drop(estimate.high), drop(estimate.low)
    return f"{low:+.2f} to {high:+.2f}"
