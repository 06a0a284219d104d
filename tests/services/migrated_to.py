"""Bring an empty test database to an older migration cheaply, for the migration tests.

A migration test starts from the migration before the one it tests. Applying every earlier
migration costs seconds on each call (Tortoise renders the whole model state again for each
operation) and grows with each migration added; the path there is not what those tests test.
Each target is made once per process, from the nearest earlier one, and copied: a SQLite
file, or a PostgreSQL database the test's database is then created again from (`CREATE
DATABASE ... TEMPLATE`, under the same name). `test_migrations.py` still applies every migration
to an empty database, one at a time and all at once.
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg

from tests.services.servers import asyncpg_dsn, with_database
from wellness.db import sqlite_path, upgrade

_made: dict[str, Path] = {}  # target migration ("wellness.0013_...") -> a SQLite file at it
_folder: Path | None = None
_made_on_postgres: dict[str, str] = {}  # target migration -> a database at it


def _templates_folder() -> Path:
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="wellness-migrated-to-", dir=_tmpfs()))
        atexit.register(shutil.rmtree, _folder, ignore_errors=True)
    return _folder


def _tmpfs() -> str | None:
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() else None


def _migration_number(target: str) -> str:
    return target.split(".", 1)[1].split("_", 1)[0]


async def upgrade_empty_to(url: str, target: str) -> None:
    """Apply the migrations up to `target` to the empty database at `url` (on SQLite: put a
    copy of a file at `target` in its place)."""
    if not url.startswith("sqlite://"):
        await _postgres_at(url, target)
        return
    template = _made.get(target)
    if template is None:
        template = _templates_folder() / f"{len(_made)}.sqlite3"
        earlier = [made for made in _made if _migration_number(made) < _migration_number(target)]
        if earlier:
            shutil.copyfile(_made[max(earlier, key=_migration_number)], template)
        await upgrade(f"sqlite://{template}", target=target)
        _made[target] = template
    shutil.copyfile(template, sqlite_path(url))


async def _postgres_at(url: str, target: str) -> None:
    database = urlsplit(url).path.lstrip("/")
    # Only a database of the test's own is dropped and made again (servers.py names them so).
    assert database.startswith("wellness_test_"), f"{database} is not a throwaway database"
    template = _made_on_postgres.get(target)
    if template is None:
        template = f"{database}_at_{_migration_number(target)}"
        earlier = [
            made
            for made in _made_on_postgres
            if _migration_number(made) < _migration_number(target)
        ]
        from_earlier = _made_on_postgres[max(earlier, key=_migration_number)] if earlier else None
        await _create(url, template, from_template=from_earlier)
        if not _made_on_postgres:
            atexit.register(_drop_templates, url)
        _made_on_postgres[target] = template
        await upgrade(with_database(url, template), target=target)
    await _admin(url, f'DROP DATABASE "{database}" WITH (FORCE)')
    await _create(url, database, from_template=template)


async def _create(url: str, name: str, *, from_template: str | None) -> None:
    statement = f'CREATE DATABASE "{name}"'
    if from_template:
        statement += f' TEMPLATE "{from_template}"'
    for _ in range(50):
        try:
            await _admin(url, statement)
            return
        except asyncpg.ObjectInUseError:
            # The upgrade's connections have closed, but the server may not have ended them yet.
            await asyncio.sleep(0.05)
    await _admin(url, statement)


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(with_database(url, "postgres")), timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _drop_templates(url: str) -> None:
    async def drop() -> None:
        for name in _made_on_postgres.values():
            await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    asyncio.run(drop())
