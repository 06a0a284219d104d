"""`wellness suggestions evaluate`: the suggestion engine in the simulated clinic.

`evaluate` hands its options to the simulation's own runner
(`wellness.suggestions.simulation.run.main`), which prints one table (random within the safe
set, most popular, rules only, fully pooled Thompson sampling, this engine, an oracle) and a
PASS/MISS line per target of issue 11. A simulation is not a clinical trial: see the README's
"The simulated clinic".
"""

from __future__ import annotations

import os

import click

HETEROGENEITY = ("none", "low", "medium", "high")


@click.group()
def suggestions() -> None:
    """The suggestion engine: judge it in a simulated clinic."""


@suggestions.command("evaluate")
@click.option("--patients", type=click.IntRange(1, 10_000), default=100, show_default=True)
@click.option("--days", type=click.IntRange(1, 365), default=28, show_default=True)
@click.option("--seeds", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option(
    "--heterogeneity",
    type=click.Choice(HETEROGENEITY),
    default="medium",
    show_default=True,
    help="How much patients differ in what calms them.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes to share the seeds between.",
)
@click.option(
    "--sweep-calls",
    type=click.IntRange(0, 10_000_000),
    default=1000,
    show_default=True,
    help="Hostile contexts thrown at the fitted engine per seed.",
)
@click.option("--first-seed", type=click.IntRange(0, 2**31), default=1, show_default=True)
def evaluate(
    patients: int,
    days: int,
    seeds: int,
    heterogeneity: str,
    workers: int,
    sweep_calls: int,
    first_seed: int,
) -> None:
    """Run the engine and simple alternatives through synthetic clinics; print the table and
    a PASS/MISS line per target (a MISS is a finding: the exit code is 0 either way)."""
    # The engine's small matrix products crawl with OpenBLAS's threads on a busy machine; this
    # only takes effect if numpy is not imported yet, which `wellness --help` keeps true.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from wellness.suggestions.simulation.run import main as run

    code = run(
        [
            *("--patients", str(patients), "--days", str(days), "--seeds", str(seeds)),
            *("--heterogeneity", heterogeneity, "--workers", str(workers)),
            *("--sweep-calls", str(sweep_calls), "--first-seed", str(first_seed)),
        ]
    )
    if code:
        raise click.exceptions.Exit(code)
