"""The `wellness` command: serve, demo, database upgrades and account administration."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from wellness.cli_media import media
from wellness.lib.clock import Clock, SystemClock
from wellness.settings import Settings, SettingsError, load_settings

T = TypeVar("T")
DEMO_DIR = Path(".wellness-demo")


@dataclass
class CliState:
    """What every command shares: the clock (tests give their own: `obj=CliState(clock)`)."""

    clock: Clock = field(default_factory=SystemClock)


def clock() -> Clock:
    """The command's clock: the one the caller gave `main`, else the wall clock."""
    state = click.get_current_context().find_object(CliState)
    return state.clock if state is not None else SystemClock()


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as problem:
        raise click.ClickException(str(problem)) from None


def _run_with_database(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` with the database open, after applying pending migrations."""
    from wellness import db

    async def run() -> T:
        await db.upgrade(settings.database_url)
        await db.open_database(settings.database_url)
        try:
            return await work()
        finally:
            await db.close_database()

    return asyncio.run(run())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(context: click.Context) -> None:
    """wellness: guided practice sessions, check-ins and care dashboards for a clinic."""
    context.ensure_object(CliState)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--demo", is_flag=True, help="Start on a fresh demo database with demo accounts.")
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="Log every request (a proxy in front usually logs them already; off is faster).",
)
def serve(host: str, port: int, workers: int, demo: bool, access_log: bool) -> None:
    """Run the web app."""
    if demo:
        _prepare_demo_environment()
    settings = _settings()
    if settings.is_sqlite and workers > 1:
        raise click.ClickException(
            "SQLite allows one worker process; use PostgreSQL (WELLNESS_DATABASE_URL) for several."
        )
    if demo:
        seed_demo_database(settings, clock())
    elif settings.auto_migrate:
        applied = _run_migrations(settings)
        if applied:
            click.echo(f"Applied migrations: {', '.join(applied)}")
    # Migrations ran once above; the workers must not race each other to run them again.
    os.environ["WELLNESS_AUTO_MIGRATE"] = "false"
    _start_server(
        host, port, workers, trusted_proxies=settings.forwarded_allow_ips, access_log=access_log
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
def demo(context: click.Context, host: str, port: int) -> None:
    """Same as `wellness serve --demo`."""
    context.invoke(serve, host=host, port=port, workers=1, demo=True, access_log=True)


def _prepare_demo_environment() -> None:
    """Demo mode keeps its own database and media unless the operator named others."""
    os.environ.setdefault("WELLNESS_DATA_DIR", str(DEMO_DIR))
    os.environ.setdefault("WELLNESS_DATABASE_URL", f"sqlite://{DEMO_DIR / 'wellness.sqlite3'}")
    os.environ.setdefault("WELLNESS_MEDIA_DIR", str(DEMO_DIR / "media"))
    os.environ["WELLNESS_DEMO"] = "true"


def seed_demo_database(settings: Settings, clock: Clock) -> None:
    """Fill the demo database as of `clock`'s now (also used by the browser tests' server)."""
    from wellness.catalog.storage import LocalMediaStore
    from wellness.demo import DEMO_PASSWORD, NotADemoDatabase, seed_demo

    scale = settings.demo_audio_scale
    store = LocalMediaStore(settings.media_dir)
    cache = settings.data_dir / "demo-audio-cache"
    click.echo("Preparing the demo library (the first start synthesises its audio)...")
    try:
        seeded = _run_with_database(
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


def _run_migrations(settings: Settings) -> list[str]:
    from wellness import db

    return asyncio.run(db.upgrade(settings.database_url))


def _start_server(
    host: str,
    port: int,
    workers: int,
    *,
    trusted_proxies: tuple[str, ...] = (),
    access_log: bool = True,
) -> None:
    import uvicorn

    click.echo(f"wellness is listening on http://{host}:{port}/")
    uvicorn.run(
        "wellness.app:create_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # X-Forwarded-For is believed only from the proxies named in WELLNESS_FORWARDED_ALLOW_IPS;
        # with none named it is ignored, so no caller can choose the address it is throttled by.
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=list(trusted_proxies),
        log_level="info",
        access_log=access_log,
    )


main.add_command(media)


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    applied = _run_migrations(_settings())
    click.echo(f"Applied: {', '.join(applied)}" if applied else "The database is up to date.")


@db.command("prune")
def db_prune() -> None:
    """Forget stored Idempotency-Key answers older than 30 days (safe to run from cron)."""
    from wellness.system import idempotency

    removed = _run_with_database(_settings(), lambda: idempotency.forget_old(now=clock().now()))
    click.echo(f"Forgot {removed} stored idempotent answers older than 30 days.")


@main.group()
def users() -> None:
    """Create and manage accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True, help="Display name, e.g. 'Dr. Rivera'.")
@click.option(
    "--role", type=click.Choice(["patient", "therapist", "coordinator", "admin"]), required=True
)
@click.option(
    "--timezone",
    "time_zone",
    default="UTC",
    show_default=True,
    help="IANA zone, e.g. Europe/Berlin.",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(
    email: str, display_name: str, role: str, time_zone: str, password_stdin: bool
) -> None:
    """Create an account; prompts for the password unless --password-stdin is given."""
    from wellness.accounts import services as accounts
    from wellness.accounts.roles import Role

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    account = accounts.NewAccount(email, display_name, Role(role), password, time_zone)
    user = _account_command(lambda: accounts.register(account))
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


@users.command("deactivate")
@click.argument("email")
def users_deactivate(email: str) -> None:
    """Deactivate an account and end all its sessions."""
    from wellness.accounts import services as accounts

    async def work() -> None:
        user = await _existing(email)
        await accounts.set_active(user.id, False)

    _account_command(work)
    click.echo(f"Deactivated {email}; every session of this account has ended.")


@users.command("activate")
@click.argument("email")
def users_activate(email: str) -> None:
    """Re-activate a deactivated account."""
    from wellness.accounts import services as accounts

    async def work() -> None:
        user = await _existing(email)
        await accounts.set_active(user.id, True)

    _account_command(work)
    click.echo(f"Activated {email}.")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(["patient", "therapist", "coordinator", "admin"]))
def users_set_role(email: str, role: str) -> None:
    """Change an account's role (its sessions end)."""
    from wellness.accounts import services as accounts
    from wellness.accounts.roles import Role

    async def work() -> None:
        user = await _existing(email)
        await accounts.set_role(user.id, Role(role))

    _account_command(work)
    click.echo(f"{email} is now {role}.")


@users.command("list")
def users_list() -> None:
    """List accounts."""
    from wellness.accounts import services as accounts

    async def work() -> list[Any]:
        page = await accounts.list_users(per_page=10_000)
        return page.users

    for user in _account_command(work):
        state = "active" if user.is_active else "inactive"
        click.echo(
            f"{user.id:>5}  {user.role.value:<12} {state:<9} {user.email}  {user.display_name}"
        )


@users.command("assign-therapist")
@click.argument("patient_email")
@click.argument("therapist_email")
def users_assign_therapist(patient_email: str, therapist_email: str) -> None:
    """Put a patient on a therapist's caseload."""
    from wellness.care import services as care
    from wellness.lib.validation import FieldError

    now = clock().now()

    async def work() -> bool:
        patient, therapist = await _existing(patient_email), await _existing(therapist_email)
        try:
            return await care.assign(therapist, patient, now=now)
        except FieldError as problem:
            raise click.ClickException(problem.message) from None

    added = _account_command(work)
    state = "now looks after" if added else "already looked after"
    click.echo(f"{therapist_email} {state} {patient_email}.")


@users.command("unassign-therapist")
@click.argument("patient_email")
@click.argument("therapist_email")
def users_unassign_therapist(patient_email: str, therapist_email: str) -> None:
    """Take a patient off a therapist's caseload (the membership is kept, ended, as history)."""
    from wellness.care import services as care

    now = clock().now()

    async def work() -> bool:
        patient, therapist = await _existing(patient_email), await _existing(therapist_email)
        return await care.unassign(therapist.id, patient.id, now=now)

    removed = _account_command(work)
    state = "no longer looks after" if removed else "did not look after"
    click.echo(f"{therapist_email} {state} {patient_email}.")


async def _existing(email: str) -> Any:
    from wellness.accounts import services as accounts

    user = await accounts.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with e-mail {email!r}.")
    return user


def _account_command(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    from wellness.accounts.services import AccountError

    try:
        return _run_with_database(_settings(), work)
    except AccountError as problem:
        raise click.ClickException(f"{problem.field}: {problem.message}") from None
