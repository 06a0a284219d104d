"""The PostgreSQL pool takes connections back without asyncpg's reset statement (one round trip
fewer per query), and still never hands out a connection with a transaction left open."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from tortoise import connections

from tests.services.conftest import Orm, open_orm
from wellness import db


async def _pool() -> Any:
    client = connections.get("default")
    await client.execute_query("SELECT 1")  # the pool is made at the first query
    return client._pool


@pytest.fixture
def postgres_orm(postgres_url: str) -> Iterator[Orm]:
    with open_orm(postgres_url) as opened:
        yield opened


@pytest.mark.postgres
def test_a_transaction_left_open_is_rolled_back_when_its_connection_returns(
    postgres_orm: Orm,
) -> None:
    async def scenario() -> tuple[int, bool]:
        pool = await _pool()
        # A connection given back mid-transaction, as a cancelled request might leave it.
        async with pool.acquire() as connection:
            await connection.execute("BEGIN")
            await connection.execute(
                "INSERT INTO instance_flags (key, value) VALUES ('left_open', 'x')"
            )
        async with pool.acquire() as connection:
            in_transaction = connection.is_in_transaction()
            rows = await connection.fetchval(
                "SELECT count(*) FROM instance_flags WHERE key = 'left_open'"
            )
        return int(rows), in_transaction

    rows, in_transaction = postgres_orm.run(scenario())

    assert rows == 0
    assert in_transaction is False


@pytest.mark.postgres
def test_a_returned_connection_is_not_reset_by_a_statement(postgres_orm: Orm) -> None:
    async def scenario() -> str:
        pool = await _pool()
        async with pool.acquire() as connection:
            await connection.execute("SET application_name = 'set-before-release'")
            backend = await connection.fetchval("SELECT pg_backend_pid()")
        for _ in range(pool.get_max_size() + 1):
            async with pool.acquire() as connection:
                if await connection.fetchval("SELECT pg_backend_pid()") == backend:
                    return str(await connection.fetchval("SHOW application_name"))
        raise AssertionError("the first connection never came back")

    # asyncpg's default reset (`RESET ALL` among others) would have put it back to the default.
    assert postgres_orm.run(scenario()) == "set-before-release"


@pytest.mark.postgres
def test_a_worker_runs_as_many_queries_at_once_as_its_pool_holds(postgres_orm: Orm) -> None:
    async def scenario() -> set[int]:
        client = connections.get("default")
        await _pool()

        async def backend() -> int:
            _, rows = await client.execute_query("SELECT pg_backend_pid(), pg_sleep(0.2)")
            return int(rows[0][0])

        return set(await asyncio.gather(*(backend() for _ in range(db.POOL_SIZE))))

    # Tortoise's own default (5) would queue the rest behind the first five.
    assert len(postgres_orm.run(scenario())) == db.POOL_SIZE


def test_the_pool_size_comes_from_the_url_when_it_says() -> None:
    default = db.tortoise_config("postgres://clinic@db.example:5432/wellness")
    chosen = db.tortoise_config("postgresql://clinic@db.example:5432/wellness?maxsize=4")

    assert default["connections"]["default"]["credentials"]["maxsize"] == db.POOL_SIZE
    assert int(chosen["connections"]["default"]["credentials"]["maxsize"]) == 4
