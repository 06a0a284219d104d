"""What every `wellness` command shares: the clock, the settings and an open database.

Command modules import from here and never from one another (`wellness.cli` registers them), so
the command modules form no import cycle. Heavy imports (the ORM, the app) happen inside the
functions that need them, so `wellness --help` stays quick.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import click

from wellness.lib.clock import Clock, SystemClock
from wellness.settings import Settings, SettingsError, load_settings

T = TypeVar("T")


@dataclass
class CliState:
    """What every command shares: the clock (tests give their own: `obj=CliState(clock)`)."""

    clock: Clock = field(default_factory=SystemClock)


def command_clock() -> Clock:
    """The command's clock: the one the caller gave `main`, else the wall clock."""
    state = click.get_current_context().find_object(CliState)
    return state.clock if state is not None else SystemClock()


def command_settings() -> Settings:
    """The settings from the environment; a bad value stops the command, naming the variable."""
    try:
        return load_settings()
    except SettingsError as problem:
        raise click.ClickException(str(problem)) from None


def run_with_database(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
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


def run_migrations(settings: Settings) -> list[str]:
    """Apply every pending migration; the names of those applied."""
    from wellness import db

    return asyncio.run(db.upgrade(settings.database_url))
