"""The embedded database is configured not to lose committed clinical data."""

from __future__ import annotations

import pytest

from tests.conftest import POSTGRES_URL, Client


@pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite pragmas; this run uses PostgreSQL")
def test_sqlite_runs_with_wal_full_sync_and_foreign_keys(client: Client) -> None:
    from tortoise import connections

    async def pragmas() -> dict[str, object]:
        connection = connections.get("default")
        values = {}
        for name in ("journal_mode", "synchronous", "foreign_keys"):
            _, rows = await connection.execute_query(f"PRAGMA {name}")
            values[name] = rows[0][0]
        return values

    assert client.run(pragmas) == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}
