"""The writes test_outsiders.py sends are ones their routes accept from who may use them.

Each runs once, by an insider, on a fresh copy of the same seeded world: so an outsider's
refusal there is the route's access check, not a bad body, a stale CSRF token or a missing
record. A separate module, since Tortoise serves one app at a time and test_outsiders.py keeps
its world open for the whole module.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import POSTGRES_URL, settings_for
from tests.web.test_outsiders import (
    ACCESS,
    EVERY_ROLE,
    WRITES,
    Access,
    Seeded,
    World,
    seed,
    send,
    serving,
)
from wellness.accounts.roles import Role
from wellness.db import sqlite_path

pytestmark = [
    pytest.mark.skipif(
        bool(POSTGRES_URL), reason="copies a SQLite file; the bodies do not depend on the database"
    ),
    pytest.mark.xdist_group("outsider_requests"),  # one worker seeds the module's world once
]
INSIDERS = {
    Role.PATIENT: "patient",
    Role.THERAPIST: "therapist",
    Role.COORDINATOR: "coordinator",
    Role.ADMIN: "admin",
}


def insider_of(access: Access) -> str:
    """A persona who may use the route on the records its outsiders are refused."""
    [role] = access.roles
    return INSIDERS[role]


def insider_writes() -> list[Any]:
    return [
        pytest.param(method, path, id=f"{method} {path} by {insider_of(access)}")
        for (method, path), access in sorted(ACCESS.items())
        if method in WRITES and access.roles != EVERY_ROLE
    ]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    directory = tmp_path_factory.mktemp("seeded")
    database = directory / "wellness.sqlite3"
    return seed(directory, f"sqlite://{database}")


def copy_of(seeded: Seeded, directory: Path) -> Seeded:
    """The seeded world's database (through SQLite's backup API) and media, in `directory`."""
    database = directory / "wellness.sqlite3"
    with (
        closing(sqlite3.connect(sqlite_path(seeded.settings.database_url))) as source,
        closing(sqlite3.connect(database)) as target,
    ):
        source.backup(target)
    shutil.copytree(seeded.media_dir, directory / "media")
    return replace(seeded, settings=settings_for(directory, f"sqlite://{database}"))


@pytest.mark.parametrize(("method", "path"), insider_writes())
def test_the_outsiders_write_is_accepted_from_an_insider(
    seeded: Seeded, tmp_path: Path, method: str, path: str
) -> None:
    insider = insider_of(ACCESS[method, path])
    copied = copy_of(seeded, tmp_path)
    with serving(copied.settings, [insider]) as (client, jars):
        response = send(World(client, copied, jars), insider, method, path)

    assert response.status_code < 400, response.text[:500]
    assert not response.headers.get("location", "").startswith("/login")
