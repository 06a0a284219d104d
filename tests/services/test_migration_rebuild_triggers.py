"""Undoing migrations 0012 and 0013 drops a column each, which Tortoise does on SQLite by
rebuilding the table, and a rebuild drops the table's triggers: undone, 0012 creates migration
0011's care-token triggers on checkins again. Up to the head, down past both, up again: the
schema before them comes back exactly, every check-in is kept, and the triggers work (a change
to a check-in renews the care token; the audit trail still refuses to be rewritten)."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.services.schema import RawDatabase, count_rows, fill_every_table, raw_database
from tests.services.test_migrations import _refusal, _schema_objects
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
        await upgrade(url, target=BEFORE)
        async with raw_database(url) as db:
            filled = await fill_every_table(db, rows=3)
            before = await _schema_objects(db)
        applied = await upgrade(url)
        await upgrade(url, target=BEFORE)
        async with raw_database(url) as db:
            after = await _schema_objects(db)
            between = {
                "checkins": await count_rows(db, "checkins"),
                "renewed": await _token_renewed_by(db, "UPDATE checkins SET level = level"),
            }
        again = await upgrade(url)
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
    assert {ADOPTED_FROM, FOLLOW_NAMED} <= set(found["applied"]) & set(found["again"])
    before, after = found["before"], found["after"]
    assert after == before, (before - after, after - before)
    assert found["between"] == {"checkins": found["filled"]["checkins"], "renewed": True}
    assert found["renewed"] == [True, True]
    assert all("audit_events is append-only" in text for text in found["refusals"])
