"""`wellness db upgrade | prune`: the database schema and its housekeeping."""

from __future__ import annotations

import click

from wellness.cli.common import (
    command_clock,
    command_settings,
    run_migrations,
    run_with_database,
)


@click.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    applied = run_migrations(command_settings())
    click.echo(f"Applied: {', '.join(applied)}" if applied else "The database is up to date.")


@db.command("prune")
def db_prune() -> None:
    """Forget stored Idempotency-Key answers older than 30 days (safe to run from cron)."""
    from wellness.system import idempotency

    removed = run_with_database(
        command_settings(), lambda: idempotency.forget_old(now=command_clock().now())
    )
    click.echo(f"Forgot {removed} stored idempotent answers older than 30 days.")
