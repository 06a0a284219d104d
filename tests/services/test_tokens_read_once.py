"""`db.tokens_read_once`: a page that shows several kept views reads the change tokens in one
round trip, each token before any data kept under it, and never after the block ends."""

from __future__ import annotations

from tests.services.conftest import Orm
from tests.services.schema import raw_database
from wellness import db


async def _bump_elsewhere(database_url: str, flag: str, value: str) -> None:
    """A new token value written through a second connection, as another worker would."""
    async with raw_database(database_url) as connection:
        await connection.execute("UPDATE instance_flags SET value = ? WHERE key = ?", value, flag)


def test_a_block_reads_each_token_once_and_the_clinic_ones_with_the_first(any_orm: Orm) -> None:
    async def scenario() -> tuple[tuple[str | None, ...], tuple[str | None, ...]]:
        with db.tokens_read_once():
            await db.change_token("practice_version:7")  # the first token the block reads
            await _bump_elsewhere(any_orm.database_url, db.CARE_TOKEN, "care-after")
            await _bump_elsewhere(any_orm.database_url, db.CATALOG_TOKEN, "catalog-after")
            inside = await db.change_tokens(db.CARE_TOKEN, db.CATALOG_TOKEN)
        after = await db.change_tokens(db.CARE_TOKEN, db.CATALOG_TOKEN)
        return inside, after

    before = any_orm.run(db.change_tokens(db.CARE_TOKEN, db.CATALOG_TOKEN))
    inside, after = any_orm.run(scenario())

    assert all(before)
    assert inside == before  # read along with the first token, before the writes elsewhere
    assert after == ("care-after", "catalog-after")


def test_the_clinic_tokens_come_with_the_first_read_and_others_when_asked(any_orm: Orm) -> None:
    async def scenario() -> tuple[str | None, str | None, str | None]:
        with db.tokens_read_once():
            await db.change_token(db.CARE_TOKEN)
            await _bump_elsewhere(any_orm.database_url, db.CATALOG_TOKEN, "catalog-after")
            await _bump_elsewhere(any_orm.database_url, db.CARE_TOKEN, "care-after")
            catalog = await db.change_token(db.CATALOG_TOKEN)
            care = await db.change_token(db.CARE_TOKEN)
            practice = await db.change_token("practice_version:7")
        return catalog, care, practice

    catalog, care, practice = any_orm.run(scenario())

    assert care != "care-after"  # kept from the block's first read
    assert catalog != "catalog-after"  # read with the care token, before its change
    assert practice is None  # not one of the clinic's tokens: read when first asked for


def test_outside_a_block_every_read_goes_to_the_database(any_orm: Orm) -> None:
    async def scenario() -> tuple[str | None, str | None]:
        first = await db.change_token(db.CARE_TOKEN)
        await _bump_elsewhere(any_orm.database_url, db.CARE_TOKEN, "care-after")
        return first, await db.change_token(db.CARE_TOKEN)

    first, second = any_orm.run(scenario())

    assert first != second == "care-after"


def test_a_missing_token_reads_as_none_inside_a_block_too(any_orm: Orm) -> None:
    async def scenario() -> tuple[str | None, ...]:
        with db.tokens_read_once():
            return await db.change_tokens("no_such_flag", db.CARE_TOKEN, "no_such_flag")

    missing, care, again = any_orm.run(scenario())

    assert missing is None
    assert again is None
    assert care
