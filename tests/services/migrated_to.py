"""Bring an empty test database to an older migration cheaply, for the migration tests.

A migration test starts from the migration before the one it tests. Applying every earlier
migration costs seconds on each call (Tortoise renders the whole model state again for each
operation) and grows with each migration added; the path there is not what those tests test.
On SQLite each target is made once per process and copied, each made from the nearest earlier
one; PostgreSQL databases are upgraded as before. `test_migrations.py` still applies every
migration to an empty database, one at a time and all at once.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from wellness.db import sqlite_path, upgrade

_made: dict[str, Path] = {}  # target migration ("wellness.0013_...") -> a SQLite file at it
_folder: Path | None = None


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
        assert await upgrade(url, target=target), f"nothing to apply up to {target}"
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
