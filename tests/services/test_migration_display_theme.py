"""Migration 0027: each account's choice of display, on both databases. Accounts that exist
take "device" (nobody's pages change until they choose); only the column is new (SQLite does
not rebuild users, so migration 0011's care token triggers on it stay); undoing it keeps every
account and gives back the schema before it, triggers included."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.services.migrated_to import upgrade_empty_to
from tests.services.schema import RawDatabase, count_rows, fill_every_table, raw_database
from tests.services.test_migrations import _migration_and_the_one_before, _schema_objects
from wellness.db import upgrade

NEW_COLUMN = "theme"


def _without_new_column(objects: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
    return {item for item in objects if NEW_COLUMN not in item}


async def _care_token(db: RawDatabase) -> str:
    [row] = await db.fetch("SELECT value FROM instance_flags WHERE key = 'care_version'")
    return str(row["value"])


async def _renames_renew_the_care_token(db: RawDatabase) -> bool:
    before = await _care_token(db)
    await db.execute("UPDATE users SET display_name = display_name || '.'")
    return await _care_token(db) != before


def test_accounts_made_before_it_follow_their_device(any_database_url: str) -> None:
    url = any_database_url
    before_it, theme = _migration_and_the_one_before("_display_theme")

    async def scenario() -> dict[str, Any]:
        await upgrade_empty_to(url, before_it)
        async with raw_database(url) as db:
            filled = await fill_every_table(db, rows=3)
            before = await _schema_objects(db)
        assert await upgrade(url, target=theme) == [theme]
        async with raw_database(url) as db:
            rows = await db.fetch("SELECT theme FROM users ORDER BY id")
            after = await _schema_objects(db)
            await db.execute("UPDATE users SET theme = 'dark'")
            chosen = await db.fetch("SELECT DISTINCT theme FROM users")
            renewed = await _renames_renew_the_care_token(db)
        return {
            "users": filled["users"],
            "rows": rows,
            "before": before,
            "after": after,
            "chosen": chosen,
            "renewed": renewed,
        }

    found = asyncio.run(scenario())

    assert found["rows"] == [{"theme": "device"}] * found["users"]
    # Only the column is new: users was not rebuilt (its triggers and indexes are the same).
    assert _without_new_column(found["after"]) == found["before"]
    assert any(NEW_COLUMN in item for item in found["after"])
    assert found["chosen"] == [{"theme": "dark"}]
    assert found["renewed"] is True


def test_undoing_it_keeps_every_account_and_the_triggers_on_users(any_database_url: str) -> None:
    url = any_database_url
    before_it, theme = _migration_and_the_one_before("_display_theme")

    async def there_and_back() -> dict[str, Any]:
        await upgrade_empty_to(url, before_it)
        async with raw_database(url) as db:
            filled = await fill_every_table(db, rows=3)
            before = await _schema_objects(db)
        await upgrade(url, target=theme)
        async with raw_database(url) as db:
            await db.execute("UPDATE users SET theme = 'dark'")
        await upgrade(url, target=before_it)
        async with raw_database(url) as db:
            after = await _schema_objects(db)
            users = await count_rows(db, "users")
            renewed = await _renames_renew_the_care_token(db)
        again = await upgrade(url, target=theme)
        async with raw_database(url) as db:
            rows = await db.fetch("SELECT DISTINCT theme FROM users")
        return {
            "filled": filled["users"],
            "before": before,
            "after": after,
            "users": users,
            "renewed": renewed,
            "again": again,
            "rows": rows,
        }

    found = asyncio.run(there_and_back())

    assert found["after"] == found["before"], (
        found["before"] - found["after"],
        found["after"] - found["before"],
    )
    assert found["users"] == found["filled"]
    assert found["renewed"] is True  # 0011's trigger on users survived the undoing
    assert found["again"] == [theme]
    assert found["rows"] == [{"theme": "device"}]  # the choice went with the column
