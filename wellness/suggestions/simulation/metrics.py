"""What a policy achieved in one simulated clinic, and the same over many seeds.

All values are in SUDS points of calm (before - after: positive is better) and come from the
simulator's truth (noise-free expected change), never from the noisy ratings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wellness.suggestions.simulation.clinic import PolicyRun
from wellness.suggestions.simulation.world import World

# "After 10 rated sessions" is judged on the lists shown while the patient had 10-19 rated
# sessions; "after 30" on those shown once they had 30 or more.
EARLY_WINDOW = (10, 20)
LATE_WINDOW = (30, 10**9)
PERCENTILE = 25


@dataclass(frozen=True, slots=True)
class SeedMetrics:
    """One policy in one seed. Sums are kept where seeds are pooled before dividing."""

    policy: str
    suggestions: int
    violations: int
    errors: int
    calm_sum: float  # sum over shown sessions of their true calm
    shown: int  # shown sessions that exist in the catalog
    regret: float  # cumulative, per patient: sum over lists of (best list - this list)
    early_sum: float  # sum of list values in EARLY_WINDOW
    early_lists: int
    late_sum: float
    late_lists: int
    patient_p25: float  # the 25th-percentile patient's mean true calm per shown session
    repeats: int  # shown sessions the patient did the day before
    seconds: float
    calls: int
    examples: tuple[str, ...] = ()  # the first violations or errors, in words

    @property
    def mean_calm(self) -> float:
        return self.calm_sum / self.shown if self.shown else float("nan")


def _window(run: PolicyRun, world: World, window: tuple[int, int]) -> tuple[float, int]:
    rated = world.chances.rated_before
    inside = (rated >= window[0]) & (rated < window[1]) & ~np.isnan(run.value)
    return float(run.value[inside].sum()), int(np.count_nonzero(inside))


def patient_means(run: PolicyRun, world: World) -> np.ndarray:
    """Each patient's mean true calm per shown session (nan for a patient shown nothing)."""
    listed = ~np.isnan(run.value)
    who = world.chances.patient[listed]
    weight = run.shown[listed]
    sums = np.bincount(who, weights=run.value[listed] * weight, minlength=world.patients)
    counts = np.bincount(who, weights=weight, minlength=world.patients)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def seed_metrics(run: PolicyRun, world: World) -> SeedMetrics:
    listed = ~np.isnan(run.value)
    early = _window(run, world, EARLY_WINDOW)
    late = _window(run, world, LATE_WINDOW)
    means = patient_means(run, world)
    return SeedMetrics(
        policy=run.name,
        suggestions=run.suggestions,
        violations=run.violations,
        errors=run.errors,
        calm_sum=float((run.value[listed] * run.shown[listed]).sum()),
        shown=int(run.shown[listed].sum()),
        regret=float((run.best[listed] - run.value[listed]).sum()) / world.patients,
        early_sum=early[0],
        early_lists=early[1],
        late_sum=late[0],
        late_lists=late[1],
        patient_p25=float(np.nanpercentile(means, PERCENTILE)) if listed.any() else float("nan"),
        repeats=int(run.yesterday.sum()),
        seconds=run.seconds,
        calls=int(world.chances.day.size),
        examples=tuple(run.examples),
    )


@dataclass(frozen=True, slots=True)
class PolicySummary:
    """One policy over all seeds: means over seeds, with the SD between seeds where useful."""

    policy: str
    seeds: int
    suggestions: int
    violations: int
    errors: int
    mean_calm: float
    mean_calm_sd: float
    regret: float
    regret_sd: float
    early: float  # mean list value in the early window, seeds pooled
    late: float
    patient_p25: float
    repetition: float  # share of shown sessions done the day before
    ms_per_call: float
    examples: tuple[str, ...]  # the first violations or errors, in words


def summarise(per_seed: Sequence[SeedMetrics]) -> PolicySummary:
    if not per_seed:
        raise ValueError("no seeds to summarise")
    calm = np.array([m.mean_calm for m in per_seed])
    regret = np.array([m.regret for m in per_seed])
    early_lists = sum(m.early_lists for m in per_seed)
    late_lists = sum(m.late_lists for m in per_seed)
    shown = sum(m.shown for m in per_seed)
    calls = sum(m.calls for m in per_seed)
    return PolicySummary(
        policy=per_seed[0].policy,
        seeds=len(per_seed),
        suggestions=sum(m.suggestions for m in per_seed),
        violations=sum(m.violations for m in per_seed),
        errors=sum(m.errors for m in per_seed),
        mean_calm=float(np.nanmean(calm)),
        mean_calm_sd=float(np.nanstd(calm)),
        regret=float(regret.mean()),
        regret_sd=float(regret.std()),
        early=sum(m.early_sum for m in per_seed) / early_lists if early_lists else float("nan"),
        late=sum(m.late_sum for m in per_seed) / late_lists if late_lists else float("nan"),
        patient_p25=float(np.nanmean([m.patient_p25 for m in per_seed])),
        repetition=sum(m.repeats for m in per_seed) / shown if shown else float("nan"),
        ms_per_call=1000 * sum(m.seconds for m in per_seed) / calls if calls else float("nan"),
        examples=tuple(e for m in per_seed for e in m.examples)[:5],
    )


def gain_share(policy: float, random: float, oracle: float) -> float:
    """(policy - random) / (oracle - random): 0 is no better than random, 1 is the oracle."""
    room = oracle - random
    return (policy - random) / room if room > 0 else float("nan")


def share_interval(
    policy: Sequence[SeedMetrics],
    random: Sequence[SeedMetrics],
    oracle: Sequence[SeedMetrics],
    *,
    late: bool,
    draws: int = 2000,
    level: float = 0.95,
) -> tuple[float, float]:
    """A percentile bootstrap over seeds of `gain_share` after 10 (or, `late`, after 30): the
    seeds are resampled together for all three policies, since they share each seed's clinic.
    Deterministic: the resampling has its own fixed seed."""

    def pooled(per_seed: Sequence[SeedMetrics]) -> tuple[np.ndarray, np.ndarray]:
        sums = [m.late_sum if late else m.early_sum for m in per_seed]
        lists = [m.late_lists if late else m.early_lists for m in per_seed]
        return np.asarray(sums, dtype=float), np.asarray(lists, dtype=float)

    if not (len(policy) == len(random) == len(oracle)) or not policy:
        raise ValueError("one SeedMetrics per seed for each policy")
    picks = np.random.default_rng(0).integers(0, len(policy), size=(draws, len(policy)))
    means = []
    for per_seed in (policy, random, oracle):
        sums, lists = pooled(per_seed)
        with np.errstate(invalid="ignore", divide="ignore"):
            means.append(sums[picks].sum(axis=1) / lists[picks].sum(axis=1))
    mine, chance, best = means
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(best > chance, (mine - chance) / (best - chance), np.nan)
    if np.isnan(shares).all():
        return float("nan"), float("nan")
    tail = (1 - level) / 2 * 100
    low, high = np.nanpercentile(shares, [tail, 100 - tail])
    return float(low), float(high)
