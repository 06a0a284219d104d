"""Fixtures for service tests: the ORM without HTTP, on a freshly migrated database.

`orm` migrates the per-test database of tests/conftest.py (SQLite, or PostgreSQL when
WELLNESS_TEST_DATABASE_URL is set) with the production `upgrade`, opens it the way the app does,
and runs coroutines on one event loop whose context keeps Tortoise's state between calls.
`any_database_url` runs a test on SQLite in the SQLite pass and on a throwaway PostgreSQL database
in the PostgreSQL pass (tests/conftest.py deselects the other variant in each), empty for the
migration tests to upgrade step by step; `any_orm` opens the same variants already migrated:
a copy of the run's migrated SQLite file, or the throwaway database emptied of its rows, so that
a test does not pay for applying every migration again (seconds each, growing with each one).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest

from tests.caseload_fixtures import alice, bob  # noqa: F401  (fixtures for this folder)
from tests.conftest import empty_postgres, migrated_state
from tests.mail_servers import Received, taking_server
from tests.services.servers import reset_schema, throwaway_postgres_database
from wellness.db import close_database, open_database, upgrade

T = TypeVar("T")


class Orm:
    """Runs service coroutines against an open database, one event loop for the whole test."""

    def __init__(self, runner: asyncio.Runner, database_url: str) -> None:
        self._runner = runner
        self.database_url = database_url

    def run(self, work: Awaitable[T]) -> T:
        """Await `work` (a coroutine or a query set) on the test's event loop."""

        async def wait() -> T:
            return await work

        return self._runner.run(wait())


@contextmanager
def open_orm(database_url: str) -> Iterator[Orm]:
    # asyncio.Runner runs every call in the same contextvars context, so the TortoiseContext
    # that open_database creates stays current from one call to the next.
    with asyncio.Runner() as runner:
        runner.run(upgrade(database_url))
        runner.run(open_database(database_url))
        try:
            yield Orm(runner, database_url)
        finally:
            runner.run(close_database())


@pytest.fixture
def orm(database_url: str) -> Iterator[Orm]:
    with open_orm(database_url) as opened:
        yield opened


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    with throwaway_postgres_database() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """An empty schema in this run's own PostgreSQL database."""
    reset_schema(postgres_database)
    return postgres_database


DATABASE_VARIANTS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASE_VARIANTS)
def any_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: no table, no migration applied."""
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'any.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(scope="session")
def _postgres_database_migrated(postgres_database: str) -> dict[str, frozenset[str]]:
    """The schema state of the throwaway database once migrated; a test that changes it (the
    migration tests share the database) makes the next one migrate it again."""
    return {"state": frozenset()}


@pytest.fixture(params=DATABASE_VARIANTS)
def any_migrated_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with every migration applied and only the rows the migrations seed."""
    if request.param == "sqlite":
        database = tmp_path / "any.sqlite3"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), database)
        return f"sqlite://{database}"
    url: str = request.getfixturevalue("postgres_database")
    migrated: dict[str, frozenset[str]] = request.getfixturevalue("_postgres_database_migrated")
    if not migrated["state"] or not empty_postgres(url, migrated["state"]):
        migrated["state"] = migrated_state(url)
    return url


@pytest.fixture
def any_orm(any_migrated_database_url: str) -> Iterator[Orm]:
    with open_orm(any_migrated_database_url) as opened:
        yield opened


@pytest.fixture
def server() -> Iterator[tuple[int, Received]]:
    """A local SMTP server that takes every message: its port, and what it received."""
    with taking_server() as running:
        yield running
