"""The simulated clinic at issue 11's target configuration: every policy, every target.

Targets (issue 11), judged on the engine ("this engine" row):
- 0 safety violations in >= 1,000,000 suggestions, hostile inputs included;
- >= 50% of the oracle's gain over random after 10 rated sessions, >= 75% after 30 (medium);
- regret >= 20% below the better of rules-only and most-popular at medium and high
  heterogeneity, and no more than 5% above most-popular when patients do not differ at all;
- the 25th-percentile patient at least as well off as under rules only;
- off-policy estimates (SNIPS, DR) from the engine's own logs within +/-0.2 SUDS points.

Usage: .venv/bin/python bench/suggestions.py [--patients 100] [--days 28] [--seeds 50]
           [--heterogeneity medium,high,none] [--workers 2] [--quick]

What it does, in this process and `--workers` worker processes (seeds are shared out between
them; nothing else is started, no files are written):
1. for each heterogeneity level, `evaluate(...)` runs random (within the safe set), most popular,
   rules only, fully pooled Thompson sampling, the engine when it is on this branch, the
   oracle, and the informed learner (a yardstick that knows the clinic and learns only each
   patient's own responses: how much of the oracle's gain the ratings allow), through the same
   synthetic clinics (one per seed), then 1,000 hostile contexts per seed against the fitted
   engine;
2. prints each level's table and PASS/MISS lines, and the wall time per level and per seed.

This is not a bounded two-minute benchmark: the full configuration takes tens of minutes on a
2-core machine (printed at the end). `--quick` runs 20 patients x 14 days x 4 seeds to check the
script itself. Exit code 0 whatever the targets say.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

# The engine's small matrix products run many times slower with OpenBLAS's threads on a busy
# machine (engine.py's docstring); set before numpy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import machine_note

from wellness.suggestions.simulation.lineup import DEFAULT_POLICIES
from wellness.suggestions.simulation.parameters import Heterogeneity
from wellness.suggestions.simulation.report import evaluate
from wellness.suggestions.simulation.run import format_report


def main() -> int:
    parse = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parse.add_argument("--patients", type=int, default=100)
    parse.add_argument("--days", type=int, default=28)
    parse.add_argument("--seeds", type=int, default=50)
    parse.add_argument("--heterogeneity", default="medium,high,none")
    parse.add_argument("--workers", type=int, default=2)
    parse.add_argument("--quick", action="store_true", help="20 patients x 14 days x 4 seeds")
    arguments = parse.parse_args()
    if arguments.quick:
        arguments.patients, arguments.days, arguments.seeds = 20, 14, 4
    levels = [Heterogeneity(level.strip()) for level in arguments.heterogeneity.split(",")]
    candidate = "engine"
    print(machine_note())
    print(f"policies: {', '.join(DEFAULT_POLICIES)}; targets judged on {candidate}")
    total = time.perf_counter()
    for level in levels:
        started = time.perf_counter()
        report = evaluate(
            arguments.patients,
            arguments.days,
            arguments.seeds,
            level,
            DEFAULT_POLICIES,
            candidate=candidate,
            workers=arguments.workers,
            progress=lambda done, seeds: print(f"  {done}/{seeds} seeds", end="\r", flush=True),
        )
        seconds = time.perf_counter() - started
        print()
        print(format_report(report))
        print(
            f"time: {seconds:.0f} s for {arguments.seeds} seeds with {arguments.workers} "
            f"workers ({seconds * arguments.workers / arguments.seeds:.1f} s per seed per worker)"
        )
    print(f"\ntotal: {time.perf_counter() - total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
