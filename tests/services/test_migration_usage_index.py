"""Migration 0016 adds two indexes (a session's practice by time, a practice's ratings) and
nothing else: up and down on SQLite and PostgreSQL, every other column, index and trigger as it
was (the change-token triggers on both tables included), and the rows kept (the row-count test
in test_migrations.py covers every boundary)."""

from __future__ import annotations

import asyncio

from tests.services.migrated_to import upgrade_empty_to
from tests.services.schema import raw_database
from tests.services.test_migrations import _schema_objects
from wellness.db import APP_LABEL, upgrade

BEFORE = f"{APP_LABEL}.0015_alert_notifications"
USAGE_INDEX = f"{APP_LABEL}.0016_usage_index"


def test_it_adds_the_two_indexes_and_undoing_it_restores_the_schema(any_database_url: str) -> None:
    url = any_database_url

    async def there_and_back() -> tuple[
        set[tuple[str, ...]], set[tuple[str, ...]], set[tuple[str, ...]]
    ]:
        await upgrade_empty_to(url, BEFORE)
        async with raw_database(url) as db:
            before = await _schema_objects(db)
        assert USAGE_INDEX in await upgrade(url, target=USAGE_INDEX)
        async with raw_database(url) as db:
            with_indexes = await _schema_objects(db)
        await upgrade(url, target=BEFORE)
        async with raw_database(url) as db:
            after = await _schema_objects(db)
        return before, with_indexes, after

    before, with_indexes, after = asyncio.run(there_and_back())

    assert after == before, (before - after, after - before)
    added = with_indexes - before
    assert before <= with_indexes, before - with_indexes  # triggers and all kept
    definitions = " ".join(" ".join(row) for row in added)
    assert len(added) == 2, added
    assert all(row[0] == "index" for row in added), added
    assert '"session_id", "started_at"' in definitions or "session_id, started_at" in definitions
    assert '"practice_id"' in definitions or "(practice_id)" in definitions
