"""The pure streak computation for five years of daily practice, against converting the same
events to local dates naively.

Target: `compute_streak` for five years of daily practice (1,826 days, some with two sessions)
under 5 ms at the 99th percentile of its CPU time (this thread's, so time lost to other
processes on a busy machine does not count; wall-clock median and p99 are printed beside it).

Usage: .venv/bin/python bench/streaks.py [--years 5] [--runs 500]

What it does, in this process only (no server, no files):
1. builds the practice history of a patient who practised every day for --years years, once in
   the evening and on about a quarter of the days a second, unfinished, session (minutes but no
   day), a few sessions after midnight, with the events stored in Europe/Berlin for the first
   half and America/New_York after a move; the list is shuffled, as rows may come in any order;
2. times, --runs times each in alternation, with time.perf_counter_ns (wall) and
   time.thread_time_ns (CPU):
   - baseline "sort": sorting the events by start time, the least any streak code must do;
   - baseline "local dates": the set of local dates of the counted events, each converted with
     `astimezone` to its own zone (no rollover, no duplicates, no streak walk);
   - `compute_streak` with the clinic default policy (rollover 03:00, no rest days);
   - `compute_streak` with two rest days a week;
3. prints wall median and p99 and CPU p99 per row, the ratio of each wall median to the
   "local dates" baseline, the
   cost of building the PracticeEvent objects (their validation runs there, once per row read),
   and PASS/MISS for the target.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import machine_note

from wellness.practice.streaks import PracticeEvent, StreakPolicy, compute_streak

TARGET_MS = 5.0
BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"


def history(years: int, seed: int = 7) -> tuple[list[tuple[datetime, float, bool, str]], datetime]:
    """(started_at, minutes, counts, zone) rows for daily practice, shuffled; and `now`."""
    rng = random.Random(seed)
    days = round(years * 365.25)
    first = datetime(2021, 1, 1, tzinfo=UTC)
    rows = []
    for n in range(days):
        zone = BERLIN if n < days // 2 else NEW_YORK
        evening = datetime.combine(first.date() + timedelta(days=n), datetime.min.time())
        start = evening.replace(tzinfo=ZoneInfo(zone)) + timedelta(
            hours=rng.choice((19, 20, 21, 22, 23, 24)), minutes=rng.randrange(60)
        )
        rows.append((start.astimezone(UTC), rng.uniform(8, 25), True, zone))
        if rng.random() < 0.25:
            rows.append(
                (start.astimezone(UTC) - timedelta(hours=9), rng.uniform(1, 6), False, zone)
            )
    rng.shuffle(rows)
    return rows, first + timedelta(days=days, hours=12)  # the next morning in both zones


def build(rows: list[tuple[datetime, float, bool, str]]) -> list[PracticeEvent]:
    return [PracticeEvent(start, minutes, counts, zone) for start, minutes, counts, zone in rows]


def timed(function: Callable[[], object], runs: int) -> list[tuple[float, float]]:
    """(wall ms, CPU ms) per call."""
    samples = []
    for _ in range(runs):
        wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
        function()
        samples.append(((time.perf_counter_ns() - wall) / 1e6, (time.thread_time_ns() - cpu) / 1e6))
    return samples


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=5, choices=range(1, 21))
    parser.add_argument("--runs", type=int, default=500, choices=range(20, 5001))
    args = parser.parse_args()
    print(f"streak benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n{machine_note()}")

    rows, now = history(args.years)
    events = build(rows)
    counted = sum(1 for event in events if event.counts)
    print(f"{len(events)} events ({counted} counted) over {args.years} years; runs: {args.runs}")
    zones = {BERLIN: ZoneInfo(BERLIN), NEW_YORK: ZoneInfo(NEW_YORK)}
    rest = StreakPolicy(rest_days_per_week=2)

    def sort_only() -> object:
        return sorted(events, key=lambda event: event.started_at)

    def local_dates() -> object:
        return {
            event.started_at.astimezone(zones[event.time_zone or NEW_YORK]).date()
            for event in events
            if event.counts
        }

    def default_policy() -> object:
        return compute_streak(events, now=now, time_zone=NEW_YORK)

    def with_rest_days() -> object:
        return compute_streak(events, now=now, time_zone=NEW_YORK, policy=rest)

    cases = {
        "baseline: sort": sort_only,
        "baseline: local dates": local_dates,
        "compute_streak, default policy": default_policy,
        "compute_streak, 2 rest days/week": with_rest_days,
    }
    summary = compute_streak(events, now=now, time_zone=NEW_YORK)
    assert summary.current == summary.longest == summary.total_days == round(args.years * 365.25)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for function in cases.values():  # warm up
        timed(function, 20)
    gc.collect()
    for _ in range(10):  # alternate, so a burst of load hits every row alike
        for name, function in cases.items():
            samples[name] += timed(function, args.runs // 10)

    baseline = statistics.median(wall for wall, _ in samples["baseline: local dates"])
    print(
        f"\n{'':<34} {'median ms':>9} {'p99 ms':>7} {'CPU p99 ms':>10} {'vs local dates':>14}"
        "  verdict"
    )
    passed = True
    for name, values in samples.items():
        walls, cpus = [wall for wall, _ in values], [cpu for _, cpu in values]
        median, worst, cpu_worst = statistics.median(walls), p99(walls), p99(cpus)
        verdict = "baseline"
        if name.startswith("compute_streak"):
            ok = cpu_worst < TARGET_MS
            passed &= ok
            verdict = f"{'PASS' if ok else 'MISS'} CPU p99<{TARGET_MS:g}ms"
        print(
            f"{name:<34} {median:>9.3f} {worst:>7.3f} {cpu_worst:>10.3f} "
            f"{median / baseline:>13.2f}x  {verdict}"
        )

    construction = timed(lambda: build(rows), max(20, args.runs // 10))
    print(
        f"\nbuilding the {len(events)} PracticeEvent objects (validated once each): median "
        f"{statistics.median(wall for wall, _ in construction):.3f} ms, paid by whoever reads "
        "the rows"
    )
    print(
        f"result: current {summary.current}, longest {summary.longest}, "
        f"{summary.total_minutes} minutes, {len(summary.history)} streak(s)"
    )
    print(("PASS" if passed else "MISS") + "  streak computation for five years under 5 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
