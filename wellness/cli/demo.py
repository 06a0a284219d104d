"""Demo mode, behind `wellness demo` and `wellness serve --demo`: a folder of its own and a
freshly seeded database (see `wellness.demo`)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from wellness.cli.common import run_with_database
from wellness.lib.clock import Clock
from wellness.settings import Settings

DEMO_DIR = Path(".wellness-demo")


def prepare_demo_environment() -> None:
    """Demo mode keeps its own database and media unless the operator named others."""
    os.environ.setdefault("WELLNESS_DATA_DIR", str(DEMO_DIR))
    os.environ.setdefault("WELLNESS_DATABASE_URL", f"sqlite://{DEMO_DIR / 'wellness.sqlite3'}")
    os.environ.setdefault("WELLNESS_MEDIA_DIR", str(DEMO_DIR / "media"))
    os.environ["WELLNESS_DEMO"] = "true"


def seed_demo_database(settings: Settings, clock: Clock) -> None:
    """Fill the demo database as of `clock`'s now (also used by the browser tests' server)."""
    from wellness.catalog.storage import LocalMediaStore
    from wellness.demo.accounts import DEMO_PASSWORD
    from wellness.demo.seed import NotADemoDatabase, seed_demo

    scale = settings.demo_audio_scale
    store = LocalMediaStore(settings.media_dir)
    cache = settings.data_dir / "demo-audio-cache"
    click.echo("Preparing the demo library (the first start synthesises its audio)...")
    try:
        seeded = run_with_database(
            settings,
            lambda: seed_demo(
                store,
                audio_cache=cache,
                audio_scale=scale,
                now=clock.now(),
                rollover_hour=settings.care.day_rollover_hour,
            ),
        )
    except NotADemoDatabase as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo("Demo database ready. Sign in with any of these accounts:")
    for account in seeded:
        click.echo(f"  {account.role.value:<12} {account.email}")
    click.echo(f"Password for every demo account: {DEMO_PASSWORD}")
