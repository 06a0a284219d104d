"""Undoing migrations 0012 and 0013 drops a column each, which Tortoise does on SQLite by
rebuilding the table, and a rebuild drops the table's triggers: undone, 0012 creates migration
0011's care-token triggers on checkins again. Up past both, down past both, up again: the
schema before them comes back exactly, every check-in is kept, and the triggers work (a change
to a check-in renews the care token; the audit trail still refuses to be rewritten). And every
migration, undone, leaves the schema as it was before it."""

from __future__ import annotations

import asyncio
from itertools import pairwise
from typing import Any

from tests.services.migrated_to import upgrade_empty_to
from tests.services.schema import RawDatabase, count_rows, fill_every_table, raw_database
from tests.services.test_migrations import _refusal, _schema_objects, migration_names
from wellness.db import APP_LABEL, upgrade

BEFORE = f"{APP_LABEL}.0011_care_change_token"
ADOPTED_FROM = f"{APP_LABEL}.0012_checkin_adopted_from"
FOLLOW_NAMED = f"{APP_LABEL}.0013_suggestion_follow_named"


async def _care_token(db: RawDatabase) -> str:
    [row] = await db.fetch("SELECT value FROM instance_flags WHERE key = 'care_version'")
    return str(row["value"])


async def _token_renewed_by(db: RawDatabase, sql: str) -> bool:
    before = await _care_token(db)
    await db.execute(sql)
    return await _care_token(db) != before


def test_undoing_0012_and_0013_keeps_the_triggers_of_their_tables(any_database_url: str) -> None:
    url = any_database_url

    async def there_and_back() -> dict[str, Any]:
        await upgrade_empty_to(url, BEFORE)
        async with raw_database(url) as db:
            filled = await fill_every_table(db, rows=3)
            before = await _schema_objects(db)
        applied = await upgrade(url, target=FOLLOW_NAMED)
        await upgrade(url, target=BEFORE)
        async with raw_database(url) as db:
            after = await _schema_objects(db)
            between = {
                "checkins": await count_rows(db, "checkins"),
                "renewed": await _token_renewed_by(db, "UPDATE checkins SET level = level"),
            }
        again = await upgrade(url, target=FOLLOW_NAMED)
        async with raw_database(url) as db:
            renewed = [
                await _token_renewed_by(db, sql)
                for sql in (
                    "UPDATE checkins SET level = level",
                    "DELETE FROM checkins WHERE id = (SELECT min(id) FROM checkins)",
                )
            ]
            refusals = [
                await _refusal(db, "UPDATE audit_events SET action = 'rewritten'"),
                await _refusal(db, "DELETE FROM audit_events"),
            ]
        return {
            "filled": filled,
            "applied": applied,
            "before": before,
            "after": after,
            "between": between,
            "again": again,
            "renewed": renewed,
            "refusals": refusals,
        }

    found = asyncio.run(there_and_back())
    assert found["applied"] == found["again"] == [ADOPTED_FROM, FOLLOW_NAMED]
    before, after = found["before"], found["after"]
    assert after == before, (before - after, after - before)
    assert found["between"] == {"checkins": found["filled"]["checkins"], "renewed": True}
    assert found["renewed"] == [True, True]
    assert all("audit_events is append-only" in text for text in found["refusals"])


def test_every_migration_undone_leaves_the_schema_as_it_was_before_it(
    any_database_url: str,
) -> None:
    """One step at a time from the first: up, down, compare, up again. A migration whose undoing
    rebuilds a table on SQLite must create that table's triggers and indexes again."""
    url = any_database_url

    async def step_by_step() -> dict[str, tuple[set[tuple[str, ...]], set[tuple[str, ...]]]]:
        names = [f"{APP_LABEL}.{name}" for name in await migration_names()]
        changed: dict[str, tuple[set[tuple[str, ...]], set[tuple[str, ...]]]] = {}
        await upgrade(url, target=names[0])
        for previous, name in pairwise(names):
            async with raw_database(url) as db:
                before = await _schema_objects(db)
            await upgrade(url, target=name)
            await upgrade(url, target=previous)
            async with raw_database(url) as db:
                after = await _schema_objects(db)
            if after != before:
                changed[name] = (before - after, after - before)
            await upgrade(url, target=name)
        return changed

    assert asyncio.run(step_by_step()) == {}
