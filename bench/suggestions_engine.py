"""The suggestion engine in process: one patient's suggestions with 300 sessions and two years of
history, against the rules-only policy on the same input.

Target: `suggest` (the pooled model's choice with its exploration floor, reasons included)
under 10 ms at the 99th percentile of its CPU time (this thread's, so time lost to other
processes on a busy machine does not count; wall-clock median and p99 are printed beside it);
the clinic-wide fit, which the app caches, is timed separately.

Usage: .venv/bin/python bench/suggestions_engine.py [--runs 1000] [--patients 120] [--sessions 300]

What it does, in this process only (no server, no files):
1. builds a catalog of --sessions sessions (every kind, 3-45 minutes, some silent, standing or
   flagged), a clinic of --patients patients with a year of rated practice each (~1.1 a day),
   and one patient with two years: ~1,100 practices, ~800 of them rated, 3 pins, 5 bans, a
   contraindication, a due "breathing" assignment, a session done yesterday;
2. fits the clinic model (`fit_clinic`) three times and prints the median;
3. times, --runs times each in alternation, `suggest` and `rules_only` with the patient's rating
   cycling through none, 2, 5, 7 and 9 (every safety tier), with time.perf_counter_ns (wall)
   and time.thread_time_ns (CPU), a fresh seed per call;
4. prints median, p99 and CPU p99 per row, the ratio of each median to rules-only's, the cost of
   the per-patient update (`personalise`) alone, and PASS/MISS for the target.

OpenBLAS starts threads for the larger matrix products; on a busy 2-core machine those threads
make the engine 10-40x slower, so this script sets OPENBLAS_NUM_THREADS=1 unless it is already set
(servers should do the same); pass --blas-threads to leave OpenBLAS's default.
"""

from __future__ import annotations

import os
import sys

if "--blas-threads" not in sys.argv:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import machine_note

from wellness.suggestions.engine import fit_clinic, rules_only, suggest
from wellness.suggestions.features import EFFECT_GROUPS, catalog_index
from wellness.suggestions.inputs import (
    DueItem,
    PatientContext,
    PracticeDone,
    RatedPractice,
    SafetyLimits,
    SessionFacts,
)
from wellness.suggestions.model import personalise

TARGET_MS = 10.0
KINDS = ("meditation", "breathing", "yoga", "body_scan", "grounding", "sleep")
NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
PATIENT = 10_000


def catalog(size: int, rng: np.random.Generator) -> list[SessionFacts]:
    sessions = []
    for number in range(1, size + 1):
        draw = rng.random()
        flags = (
            frozenset({"breath_hold"})
            if draw < 0.04
            else frozenset({"vigorous"})
            if draw < 0.1
            else frozenset({"long_silence"})
            if draw < 0.14
            else frozenset()
        )
        sessions.append(
            SessionFacts(
                session_id=number,
                title=f"Session {number}",
                kind=KINDS[number % len(KINDS)],
                minutes=float(rng.choice([3, 5, 8, 10, 12, 15, 20, 30, 45])),
                posture=str(rng.choice(["seated", "seated", "lying", "standing"])),
                guidance="silent" if rng.random() < 0.25 else "guided",
                level=str(rng.choice(["beginner", "intermediate", "advanced"])),
                contraindications=flags,
            )
        )
    return sessions


def practice(
    patient: int, days: int, sessions: list[SessionFacts], rng: np.random.Generator
) -> tuple[list[RatedPractice], list[PracticeDone]]:
    """About 1.5 practices a day from a favourite dozen and the rest, 3 in 4 of them rated."""
    favourites = rng.choice(len(sessions), size=12, replace=False)
    ratings, history = [], []
    start = NOW - timedelta(days=days)
    for day in range(days):
        for _ in range(int(rng.choice([0, 1, 1, 2, 2, 3]))):
            pick = (
                favourites[rng.integers(12)] if rng.random() < 0.7 else rng.integers(len(sessions))
            )
            chosen = sessions[int(pick)]
            moment = start + timedelta(days=day, hours=float(rng.uniform(6, 23)))
            history.append(PracticeDone(chosen.session_id, moment.date().isoformat(), True))
            if rng.random() < 0.75:
                before = int(rng.integers(1, 10))
                after = int(np.clip(before - rng.integers(-1, 4), 0, 10))
                ratings.append(
                    RatedPractice(patient, chosen.session_id, moment, moment.hour, before, after)
                )
    return ratings, history


def timed(function: Callable[[int], object], runs: int, offset: int) -> list[tuple[float, float]]:
    samples = []
    for run in range(runs):
        wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
        function(offset + run)
        samples.append(((time.perf_counter_ns() - wall) / 1e6, (time.thread_time_ns() - cpu) / 1e6))
    return samples


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, choices=range(50, 20001))
    parser.add_argument("--patients", type=int, default=120, choices=range(1, 2001))
    parser.add_argument("--sessions", type=int, default=300, choices=range(10, 5001))
    parser.add_argument("--blas-threads", action="store_true", help="leave OpenBLAS's threads on")
    args = parser.parse_args()
    print(f"suggestion engine benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n{machine_note()}")
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(default)')}")

    rng = np.random.default_rng(11)
    sessions = catalog(args.sessions, rng)
    clinic_ratings: list[RatedPractice] = []
    for patient in range(1, args.patients + 1):
        clinic_ratings += practice(patient, 365, sessions, rng)[0]
    own_ratings, history = practice(PATIENT, 730, sessions, rng)
    clinic_ratings += own_ratings
    yesterday = (NOW - timedelta(days=1)).date().isoformat()
    history.append(PracticeDone(sessions[1].session_id, yesterday, True))
    print(
        f"{len(sessions)} sessions; clinic: {args.patients + 1} patients, "
        f"{len(clinic_ratings)} ratings; the patient: {len(history)} practices, "
        f"{len(own_ratings)} rated; runs: {args.runs}"
    )

    fits = []
    for _ in range(3):
        began = time.perf_counter()
        clinic = fit_clinic(clinic_ratings, sessions)
        fits.append((time.perf_counter() - began) * 1000)
    firsts = np.cumsum([0] + [width for _, width in EFFECT_GROUPS])[:-1]
    group_sds = np.sqrt(clinic.effect_variance[firsts])
    spreads = ", ".join(
        f"{name} {sd:.2f}" for (name, _), sd in zip(EFFECT_GROUPS, group_sds, strict=True)
    )
    print(
        f"fit_clinic: median {statistics.median(fits):.0f} ms ({clinic.iterations} EM steps; "
        f"how much patients differ, SD: {spreads}); cached by the caller"
    )

    limits = SafetyLimits()
    levels = (None, 2, 5, 7, 9)
    contexts = [
        PatientContext(
            patient_id=PATIENT,
            now=NOW,
            local_hour=15,
            today=NOW.date().isoformat(),
            anxiety=level,
            contraindications=frozenset({"vigorous"}),
            banned=frozenset({7, 8, 9, 10, 11}),
            pinned=frozenset({4, 5, 6}),
            due=(DueItem(1, None, kind="breathing", max_minutes=10),),
            history=tuple(history),
            ratings=tuple(own_ratings),
        )
        for level in levels
    ]

    def engine(run: int) -> object:
        return suggest(sessions, contexts[run % len(contexts)], clinic, limits=limits, rng=run)

    def rules(run: int) -> object:
        return rules_only(sessions, contexts[run % len(contexts)], limits=limits)

    index = catalog_index(sessions)

    def update(run: int) -> object:
        return personalise(clinic, index, PATIENT, contexts[0].ratings)

    cases = {"rules_only (baseline)": rules, "suggest": engine, "personalise alone": update}
    for function in cases.values():  # warm up, caches included
        timed(function, 20, 0)
    gc.collect()
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for block in range(10):  # alternate, so a burst of load hits every row alike
        for name, function in cases.items():
            samples[name] += timed(function, args.runs // 10, block * args.runs)

    baseline = statistics.median(wall for wall, _ in samples["rules_only (baseline)"])
    print(
        f"\n{'':<24} {'median ms':>9} {'p99 ms':>7} {'CPU median':>10} {'CPU p99 ms':>10} "
        f"{'vs rules':>8}  verdict"
    )
    passed = True
    for name, values in samples.items():
        walls, cpus = [wall for wall, _ in values], [cpu for _, cpu in values]
        median, worst, cpu_worst = statistics.median(walls), p99(walls), p99(cpus)
        cpu_median = statistics.median(cpus)
        verdict = "baseline" if name.startswith("rules") else ""
        if name == "suggest":
            ok = cpu_worst < TARGET_MS
            passed &= ok
            verdict = f"{'PASS' if ok else 'MISS'} CPU p99<{TARGET_MS:g}ms"
        print(
            f"{name:<24} {median:>9.2f} {worst:>7.2f} {cpu_median:>10.2f} {cpu_worst:>10.2f} "
            f"{median / baseline:>7.2f}x  {verdict}"
        )
    shown = suggest(sessions, contexts[2], clinic, limits=limits, rng=1)
    print("\nan answer at 5/10:")
    for item in shown.items:
        print(f"  session {item.session_id:>3}  p={item.probability:.3f}  {item.reasons[0]}")
    print(("PASS" if passed else "MISS") + "  one patient's suggestions under 10 ms at p99")
    return 0


if __name__ == "__main__":
    sys.exit(main())
