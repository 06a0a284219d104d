"""Migration 0017: practice of kind "other" with the name a patient gave it, on both databases.
It adds a column and nothing else changes (SQLite's table is not rebuilt: its triggers and
index stay); undoing it is refused while a practice of kind "other" exists, and otherwise gives
back the schema before it."""

from __future__ import annotations

import asyncio

import pytest

from tests.services.migrated_to import upgrade_empty_to
from tests.services.schema import fill_every_table, raw_database
from tests.services.test_migrations import _schema_objects
from wellness.db import APP_LABEL, upgrade

BEFORE = f"{APP_LABEL}.0016_usage_index"
OTHER_LABEL = f"{APP_LABEL}.0017_practice_other_label"
NEW_COLUMN = "other_label"


def _without_new_column(objects: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
    return {item for item in objects if NEW_COLUMN not in item}


def test_practice_logged_before_keeps_its_kind_and_gets_no_name(any_database_url: str) -> None:
    url = any_database_url

    async def scenario() -> tuple[
        list[dict[str, object]], set[tuple[str, ...]], set[tuple[str, ...]]
    ]:
        await upgrade_empty_to(url, BEFORE)
        async with raw_database(url) as db:
            await fill_every_table(db, rows=3)
            before = await _schema_objects(db)
        assert OTHER_LABEL in await upgrade(url, target=OTHER_LABEL)
        async with raw_database(url) as db:
            rows = await db.fetch("SELECT kind, other_label FROM practice_logs ORDER BY id")
            after = await _schema_objects(db)
            await db.execute("UPDATE practice_logs SET kind = 'other', other_label = 'Walk'")
        return rows, before, after

    rows, before, after = asyncio.run(scenario())

    assert rows == [
        {"kind": "meditation", "other_label": ""},
        {"kind": "breathing", "other_label": ""},
        {"kind": "yoga", "other_label": ""},
    ]
    # Only the column is new: the table was not rebuilt (its triggers and index are the same).
    assert _without_new_column(after) == before
    assert any(NEW_COLUMN in item for item in after)


def test_undoing_it_is_refused_while_a_practice_is_of_kind_other(any_database_url: str) -> None:
    url = any_database_url

    async def scenario() -> tuple[set[tuple[str, ...]], set[tuple[str, ...]], int]:
        await upgrade_empty_to(url, BEFORE)
        async with raw_database(url) as db:
            await fill_every_table(db, rows=3)
            before = await _schema_objects(db)
        await upgrade(url, target=OTHER_LABEL)
        async with raw_database(url) as db:
            await db.execute(
                "UPDATE practice_logs SET kind = 'other', other_label = 'Swim' "
                "WHERE id = (SELECT MIN(id) FROM practice_logs)"
            )
        with pytest.raises(RuntimeError, match="1 practice record"):
            await upgrade(url, target=BEFORE)
        async with raw_database(url) as db:
            kept = len(await db.fetch("SELECT id FROM practice_logs WHERE kind = 'other'"))
            await db.execute("DELETE FROM practice_logs WHERE kind = 'other'")
        await upgrade(url, target=BEFORE)
        async with raw_database(url) as db:
            after = await _schema_objects(db)
        return before, after, kept

    before, after, kept = asyncio.run(scenario())

    assert kept == 1  # the refusal changed nothing
    assert after == before, (before - after, after - before)
