"""The migration that lets an assignment name a collection, on both databases: it adds one
nullable column with a RESTRICT key and nothing else changes (the versions' rows, triggers and
index stay); the database then refuses to delete a collection an assignment names; undoing it
is refused while a version names a collection, and otherwise gives back the schema before it.
Named by its suffix, so renumbering it at a merge changes no test."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.services.migrated_to import upgrade_empty_to
from tests.services.schema import BASE_TIME, RawDatabase, fill_every_table, raw_database
from tests.services.test_migrations import _migration_and_the_one_before, _schema_objects
from wellness.db import upgrade

NEW_COLUMN = "collection_id"


def _new(item: tuple[str, ...]) -> bool:
    """The new column, or its key, in care_assignment_versions."""
    return item[1] == "care_assignment_versions" and any(NEW_COLUMN in part for part in item[2:])


def _without_new_column(objects: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
    return {item for item in objects if not _new(item)}


async def _care_token(db: RawDatabase) -> str:
    [row] = await db.fetch("SELECT value FROM instance_flags WHERE key = 'care_version'")
    return str(row["value"])


async def _a_collection_version(db: RawDatabase) -> int:
    """A collection, and a new version of the first assignment naming it: the collection's id."""
    moment = BASE_TIME if db.dialect == "postgres" else BASE_TIME.isoformat(sep=" ")
    await db.execute(
        "INSERT INTO collections (title, live_title, description, status, created_at, "
        "updated_at, published_at) VALUES ('Week', 'week', '', 'published', ?, ?, ?)",
        moment,
        moment,
        moment,
    )
    [collection] = await db.fetch("SELECT MAX(id) AS id FROM collections")
    [assignment] = await db.fetch("SELECT MIN(id) AS id FROM care_practice_assignments")
    await db.execute(
        "INSERT INTO care_assignment_versions (assignment_id, effective_from, collection_id, "
        "kind, frequency, times_a_week, weekdays, start, part_of_day, note, created_at) "
        "VALUES (?, ?, ?, '', 'daily', 0, '', ?, '', '', ?)",
        assignment["id"],
        BASE_TIME.date(),
        collection["id"],
        BASE_TIME.date(),
        moment,
    )
    return int(collection["id"])


def test_versions_made_before_keep_their_targets_and_may_then_name_a_collection(
    any_database_url: str,
) -> None:
    url = any_database_url
    before_it, it = _migration_and_the_one_before("_assignment_collection_target")

    async def scenario() -> dict[str, Any]:
        found: dict[str, Any] = {}
        await upgrade_empty_to(url, before_it)
        async with raw_database(url) as db:
            await fill_every_table(db, rows=3)
            found["before"] = await _schema_objects(db)
            found["rows"] = await db.fetch(
                "SELECT id, session_id, kind, note FROM care_assignment_versions ORDER BY id"
            )
        assert await upgrade(url, target=it) == [it]
        async with raw_database(url) as db:
            found["after"] = await _schema_objects(db)
            found["kept"] = await db.fetch(
                "SELECT id, session_id, kind, note FROM care_assignment_versions ORDER BY id"
            )
            found["named"] = await db.fetch(
                "SELECT COUNT(*) AS n FROM care_assignment_versions WHERE collection_id IS NOT NULL"
            )
            tokens = [await _care_token(db)]
            collection_id = await _a_collection_version(db)
            tokens.append(await _care_token(db))  # migration 0011's triggers still fire
            found["tokens"] = tokens
            try:
                await db.execute("DELETE FROM collections WHERE id = ?", collection_id)
                found["deleted"] = True
            except Exception:
                found["deleted"] = False
            found["still"] = await db.fetch(
                "SELECT COUNT(*) AS n FROM collections WHERE id = ?", collection_id
            )
        return found

    found = asyncio.run(scenario())

    assert found["kept"] == found["rows"]
    assert len(found["rows"]) == 3
    assert found["named"] == [{"n": 0}]
    # Only the column (and its key) is new: the table was not rebuilt.
    assert _without_new_column(found["after"]) == found["before"]
    assert any(_new(item) for item in found["after"])
    assert found["tokens"][0] != found["tokens"][1]
    assert found["deleted"] is False
    assert found["still"] == [{"n": 1}]


def test_undoing_it_is_refused_while_a_version_names_a_collection(any_database_url: str) -> None:
    url = any_database_url
    before_it, it = _migration_and_the_one_before("_assignment_collection_target")

    async def scenario() -> tuple[set[tuple[str, ...]], set[tuple[str, ...]], int, int]:
        await upgrade_empty_to(url, before_it)
        async with raw_database(url) as db:
            await fill_every_table(db, rows=3)
            # The filler names a parent in every key; the app never names a session and a
            # collection at once, and neither do these rows before the column exists.
            before = await _schema_objects(db)
        await upgrade(url, target=it)
        async with raw_database(url) as db:
            await _a_collection_version(db)
        with pytest.raises(RuntimeError, match="1 assignment version"):
            await upgrade(url, target=before_it)
        async with raw_database(url) as db:
            kept = len(
                await db.fetch(
                    "SELECT id FROM care_assignment_versions WHERE collection_id IS NOT NULL"
                )
            )
            await db.execute("DELETE FROM care_assignment_versions WHERE collection_id IS NOT NULL")
        await upgrade(url, target=before_it)
        async with raw_database(url) as db:
            after = await _schema_objects(db)
            versions = len(await db.fetch("SELECT id FROM care_assignment_versions"))
        return before, after, kept, versions

    before, after, kept, versions = asyncio.run(scenario())

    assert kept == 1  # the refusal changed nothing
    assert versions == 3  # undoing it kept every other version
    assert after == before, (before - after, after - before)
