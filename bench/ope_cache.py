"""Cache one seed's engine log (with rules only as a target) for off-policy estimator studies.

Runs the simulated clinic once per seed with the engine as the logged policy, and pickles the
log, the engine's own model answers per rated context and the catalog to `DIR/seed-N.pkl`, so
estimator variants (`bench/ope_estimators.py`) can be judged in seconds. Run under `nice`:

    nice .venv/bin/python bench/ope_cache.py 1 50 /tmp/ope
"""

from __future__ import annotations

import dataclasses
import pickle
import sys
import time
from pathlib import Path

from wellness.suggestions.simulation.lineup import simulate_seed
from wellness.suggestions.simulation.offpolicy_check import reward_answers
from wellness.suggestions.simulation.parameters import Heterogeneity


def cache_seed(seed: int, directory: Path, patients: int = 100, days: int = 28) -> None:
    outcome = simulate_seed(
        seed,
        patients=patients,
        days=days,
        heterogeneity=Heterogeneity.MEDIUM,
        policies=("engine",),
        log_policy="engine",
        log_targets=("rules",),
    )
    answers = {k: dict(v) for k, v in reward_answers(outcome.log, outcome.reward_model).items()}
    log = [dataclasses.replace(entry, context=None) for entry in outcome.log]
    payload = {"seed": seed, "catalog": outcome.catalog, "log": log, "answers": answers}
    (directory / f"seed-{seed}.pkl").write_bytes(pickle.dumps(payload))


def main() -> None:
    first, last, directory = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    directory.mkdir(parents=True, exist_ok=True)
    for seed in range(first, last + 1):
        if (directory / f"seed-{seed}.pkl").exists():
            continue
        started = time.perf_counter()
        cache_seed(seed, directory)
        print(f"seed {seed}: {time.perf_counter() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
