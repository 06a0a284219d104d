"""`wellness db upgrade | prune | backup | verify | restore`: the database schema, its
housekeeping, and backups of the embedded SQLite database."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from wellness.cli.common import (
    command_clock,
    command_settings,
    run_migrations,
    run_with_database,
)

if TYPE_CHECKING:
    from wellness.settings import Settings
    from wellness.system.backup import Report

T = TypeVar("T")


@click.group()
def db() -> None:
    """The database: schema, housekeeping and backups."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    applied = run_migrations(command_settings())
    click.echo(f"Applied: {', '.join(applied)}" if applied else "The database is up to date.")


@db.command("prune")
def db_prune() -> None:
    """Forget stored Idempotency-Key answers older than 30 days, and finished e-mails (alerts,
    practice reminders, password links) and expired password links older than 90 days (safe to
    run from cron)."""
    from wellness.notifications import outbox, rules
    from wellness.system import idempotency

    now = command_clock().now()

    async def prune() -> tuple[int, int]:
        return await idempotency.forget_old(now=now), await outbox.forget_finished(now=now)

    answers, emails = run_with_database(command_settings(), prune)
    click.echo(
        f"Forgot {answers} stored idempotent answers older than {idempotency.KEEP_FOR.days} days."
    )
    click.echo(
        f"Forgot {emails} finished e-mails (alerts, reminders, password links) older than "
        f"{rules.KEEP_FINISHED.days} days."
    )


@db.command("backup")
@click.argument("dest", required=False, type=click.Path())
@click.option("--force", is_flag=True, help="Replace DEST if it exists.")
def db_backup(dest: str | None, force: bool) -> None:
    """Copy the SQLite database to DEST, checked, while the app keeps running.

    DEST defaults to a file named by the time in the data folder's backups/ (or in DEST when
    DEST is a folder). The copy is made with SQLite's online backup API and must pass
    integrity_check and foreign_key_check before it appears at DEST.
    """
    from wellness.system import backup

    settings, now = command_settings(), command_clock().now()
    report = _or_fail(
        lambda: backup.back_up_database(
            settings.database_url, dest, data_dir=settings.data_dir, now=now, force=force
        )
    )
    click.echo(f"Backed up to {report.path} ({report.size:,} bytes).")
    _echo_report(report)


@db.command("verify")
@click.argument("file", type=click.Path(path_type=Path))
def db_verify(file: Path) -> None:
    """Check a backup: integrity_check, foreign_key_check, and its migrations against this
    version's. Exits non-zero when this version could not restore it."""
    from wellness.system import backup

    report = _or_fail(lambda: backup.check(file))
    click.echo(f"{report.path} ({report.size:,} bytes)")
    _echo_report(report)
    if report.problems:
        raise click.ClickException(f"{file} is not a usable backup.")


@db.command("restore")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def db_restore(file: Path, yes: bool) -> None:
    """Put the backup FILE in place of the SQLite database, with the app stopped.

    FILE must pass `wellness db verify`; the database it replaces is kept beside it as
    <name>.before-restore-<time>. Refused while anything has the database open. Signs everyone
    out: a session issued after the backup could name an account the backup does not hold.
    """
    from wellness.system import backup

    settings, now = command_settings(), command_clock().now()
    if not yes:
        click.confirm(f"Replace the database of {settings.database_url} with {file}?", abort=True)
    report, target, kept = _or_fail(
        lambda: backup.restore_database(settings.database_url, file, now=now)
    )
    if kept is not None:
        click.echo(f"Kept the database it replaced as {kept}.")
    click.echo(f"Restored {file} into {target}.")
    _echo_report(report)
    _sign_everyone_out(settings)
    click.echo("Signed everyone out.")


def _sign_everyone_out(settings: Settings) -> None:
    from wellness.app import build_stores

    async def forget_sessions() -> None:
        sessions = build_stores(settings)["sessions"]
        async with sessions:  # closes a Redis client
            with contextlib.suppress(FileNotFoundError):  # a file store nobody has written to
                await sessions.delete_all()

    try:
        asyncio.run(forget_sessions())
    except Exception as problem:  # the database is restored: say what is left to do
        raise click.ClickException(
            f"could not sign everyone out ({problem}): clear the session store by hand"
        ) from None


def _or_fail(work: Callable[[], T]) -> T:
    from wellness.system.backup import BackupError

    try:
        return work()
    except BackupError as problem:
        raise click.ClickException(str(problem)) from None


def _echo_report(report: Report) -> None:
    for damage in report.damage:
        click.echo(damage)
    if report.damage:
        return
    click.echo("integrity_check: ok; foreign_key_check: ok")
    rows = ", ".join(f"{table} {count:,}" for table, count in report.rows.items())
    click.echo(f"{report.tables} tables" + (f"; rows: {rows}" if rows else ""))
    if report.unknown:
        click.echo("Migrations this version lacks: " + ", ".join(report.unknown))
    elif not report.applied:
        click.echo("Not a wellness database: it has no wellness migrations.")
    elif report.missing:
        click.echo(
            f"Migrations: {len(report.missing)} behind this version (latest {report.latest}; "
            f"this version's is {report.missing[-1]}): `wellness db upgrade` applies them."
        )
    else:
        click.echo(f"Migrations: up to date ({report.latest}).")
