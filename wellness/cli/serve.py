"""`wellness serve` runs the web app; `wellness demo` runs it on a fresh demo database."""

from __future__ import annotations

import os

import click

from wellness.cli.common import command_clock, command_settings, run_migrations
from wellness.cli.demo import prepare_demo_environment, seed_demo_database


@click.command()
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
        prepare_demo_environment()
    settings = command_settings()
    if demo and settings.is_production:
        # Demo accounts have a published password, and a demo database's audit trail may be
        # cleared: neither belongs beside real patients.
        raise click.ClickException(
            "Demo mode is for trying the app, not for production (WELLNESS_ENV=production)."
        )
    if settings.is_sqlite and workers > 1:
        raise click.ClickException(
            "SQLite allows one worker process; use PostgreSQL (WELLNESS_DATABASE_URL) for several."
        )
    if demo:
        seed_demo_database(settings, command_clock())
    elif settings.auto_migrate:
        applied = run_migrations(settings)
        if applied:
            click.echo(f"Applied migrations: {', '.join(applied)}")
    # Migrations ran once above; the workers must not race each other to run them again.
    os.environ["WELLNESS_AUTO_MIGRATE"] = "false"
    _start_server(
        host, port, workers, trusted_proxies=settings.forwarded_allow_ips, access_log=access_log
    )


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
def demo(context: click.Context, host: str, port: int) -> None:
    """Same as `wellness serve --demo`."""
    context.invoke(serve, host=host, port=port, workers=1, demo=True, access_log=True)


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
