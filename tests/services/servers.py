"""Database and Redis servers for the tests that need a real one.

Each test that needs a server skips, naming the server and the variable to set, when the server
cannot be reached, except on CI (CI=true), where an unreachable server is a failure: a suite
that silently skips its PostgreSQL and Redis tests proves nothing.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

import pytest

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def postgres_server_url() -> str:
    return os.environ.get("WELLNESS_TEST_DATABASE_URL") or DEFAULT_POSTGRES_URL


def redis_server_url() -> str:
    return os.environ.get("WELLNESS_TEST_REDIS_URL") or DEFAULT_REDIS_URL


def server_unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: tests that need a server must not be skipped)")
    pytest.skip(reason)


def asyncpg_dsn(url: str) -> str:
    """asyncpg accepts postgresql:// and postgres://; Tortoise's asyncpg:// alias it does not."""
    scheme, rest = url.split("://", 1)
    return f"postgresql://{rest}" if scheme in {"postgres", "postgresql", "asyncpg"} else url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def require_redis() -> str:
    import redis

    url = redis_server_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        server_unavailable(f"Redis at {url} is unreachable ({error}); set WELLNESS_TEST_REDIS_URL")
    finally:
        client.close()  # type: ignore[no-untyped-call]  # redis-py 5 leaves Redis.close unannotated
    return url


@contextmanager
def throwaway_postgres_database() -> Iterator[str]:
    """A database of its own on the test server, dropped afterwards.

    Tests that name PostgreSQL explicitly use one, so they never collide with a concurrent run
    of the whole suite on WELLNESS_TEST_DATABASE_URL (which resets that database's schema).
    """
    import asyncpg

    server = postgres_server_url()
    name = f"wellness_test_{os.getpid()}_{secrets.token_hex(4)}"

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(asyncpg_dsn(server), timeout=5)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    try:
        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        server_unavailable(
            f"PostgreSQL at {server} is unreachable or refuses CREATE DATABASE ({error!r}); "
            "set WELLNESS_TEST_DATABASE_URL"
        )
    try:
        yield with_database(server, name)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def reset_schema(url: str) -> None:
    import asyncpg

    async def reset() -> None:
        connection = await asyncpg.connect(asyncpg_dsn(url))
        try:
            await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await connection.close()

    asyncio.run(reset())


def delete_redis_keys(url: str, pattern: str) -> None:
    """Delete every key matching `pattern` (a Redis glob) from the server at `url`: what a test
    left there, under a prefix of its own."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=pattern))
        if keys:
            client.delete(*keys)
    finally:
        client.close()  # type: ignore[no-untyped-call]  # redis-py 5 leaves Redis.close unannotated
