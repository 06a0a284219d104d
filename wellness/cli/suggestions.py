"""`wellness suggestions evaluate | report`: the suggestion engine judged in a simulated clinic,
and on the clinic's own logs.

`evaluate` hands its options to the simulation's own runner
(`wellness.suggestions.simulation.run.main`), which prints one table (random within the safe
set, most popular, rules only, fully pooled Thompson sampling, this engine, an oracle) and a
PASS/MISS line per target of issue 11. A simulation is not a clinical trial: see the README's
"The simulated clinic".

`report` reads every logged list and the practice that followed it
(`suggestions.services.review`) and prints `suggestions.evaluation`'s off-policy estimates.
"""

from __future__ import annotations

import os

import click

from wellness.cli.common import command_settings, run_with_database

# Spelled out rather than read from the simulation's enums, so that `wellness --help` does not
# import numpy; a test holds them equal.
HETEROGENEITY = ("none", "low", "medium", "high")
TRAITS = ("kind", "length", "posture", "guidance", "session")
CATALOGS = ("synthetic", "demo")


@click.group()
def suggestions() -> None:
    """The suggestion engine: judge it in a simulated clinic or on the logs."""


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
    "--differ-by",
    type=click.Choice(TRAITS),
    default="kind",
    show_default=True,
    help="What patients respond to in their own ways; the notes' model is kind, the others "
    "test the engine on patients it was not built around.",
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
@click.option(
    "--catalog",
    type=click.Choice(CATALOGS),
    default="synthetic",
    show_default=True,
    help="Each seed draws its own synthetic catalog of 30-60 sessions, or every seed offers "
    "the demo library's published sessions (what `wellness demo` serves).",
)
def evaluate(
    patients: int,
    days: int,
    seeds: int,
    heterogeneity: str,
    differ_by: str,
    workers: int,
    sweep_calls: int,
    first_seed: int,
    catalog: str,
) -> None:
    """Run the engine and simple alternatives through synthetic clinics; print the table and
    a PASS/MISS line per target (a MISS is a finding: the exit code is 0 either way)."""
    # The engine's small matrix products crawl with OpenBLAS's threads on a busy machine; this
    # only takes effect if numpy is not imported yet, which `wellness --help` keeps true.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from wellness.demo.facts import demo_catalog
    from wellness.suggestions.simulation.run import main as run

    code = run(
        [
            *("--patients", str(patients), "--days", str(days), "--seeds", str(seeds)),
            *("--heterogeneity", heterogeneity, "--differ-by", differ_by),
            *("--workers", str(workers)),
            *("--sweep-calls", str(sweep_calls), "--first-seed", str(first_seed)),
            *("--catalog", catalog),
        ],
        catalogs={"demo": demo_catalog},
    )
    if code:
        raise click.exceptions.Exit(code)


@suggestions.command("report")
def report() -> None:
    """Off-policy estimates from the clinic's own suggestion logs: the mean drop in distress
    per rated practice under the current engine and under rules only (SNIPS and doubly
    robust, with 95% intervals), next to what the logged lists achieved."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from wellness.suggestions import evaluation
    from wellness.suggestions.engine import fit_clinic
    from wellness.suggestions.services.context import limits_for
    from wellness.suggestions.services.review import review_data

    settings = command_settings()
    data = run_with_database(settings, lambda: review_data(settings.care))
    clinic = fit_clinic(data.ratings, data.catalog)
    result = evaluation.offpolicy_report(
        data.records, data.catalog, clinic, limits=limits_for(settings.care)
    )
    click.echo(evaluation.format_report(result))
