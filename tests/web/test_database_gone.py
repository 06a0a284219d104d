"""A PostgreSQL database renamed or dropped while the app runs: new connections are refused with
SQLSTATE 3D000 (invalid_catalog_name), which the app answers 503 in words and in JSON, as it
does any database out of reach, naming no database and quoting nothing of the server's; the same
app answers again once the database is back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from tortoise import connections as tortoise_connections

from tests.conftest import PERSONA_PASSWORD, persona_password_hash
from tests.services.servers import asyncpg_dsn, postgres_server_url, throwaway_postgres_database
from tests.web.test_database_down import UNAVAILABLE, app_at
from wellness.accounts import services as accounts
from wellness.accounts.roles import Role

EMAIL = "patient@example.org"


async def sign_in(client: httpx.AsyncClient) -> None:
    await accounts.create_user(
        email=EMAIL,
        display_name="Pat",
        role=Role.PATIENT,
        password_hash=persona_password_hash(),
    )
    answer = await client.post(
        "/api/v1/auth/login", json={"email": EMAIL, "password": PERSONA_PASSWORD}
    )
    assert answer.status_code == 200, answer.text


async def rename(admin: asyncpg.Connection, name: str, new_name: str) -> None:
    """A rename needs the database to itself: no new connections (the app's background work
    would open one), and those open ended (waiting until they have)."""
    await tortoise_connections.get("default")._pool.expire_connections()
    await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    await admin.execute(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = $1", name
    )
    await admin.execute(f'ALTER DATABASE "{name}" RENAME TO "{new_name}"')
    await admin.execute(f'ALTER DATABASE "{new_name}" ALLOW_CONNECTIONS true')


async def requests(client: httpx.AsyncClient) -> dict[str, httpx.Response]:
    # The pool may first hand out a connection the server has just closed (a 503 already):
    # the second request of each kind opens a new one, and meets the missing database.
    answers: dict[str, httpx.Response] = {}
    for round_ in ("first", "second"):
        answers[f"api {round_}"] = await client.get("/api/v1/me")
        answers[f"page {round_}"] = await client.get("/patient")
    return answers


Scenario = Callable[[str, str], Coroutine[Any, Any, dict[str, httpx.Response]]]


def on_a_database_of_its_own(scenario: Scenario) -> tuple[str, dict[str, httpx.Response]]:
    """The name of a throwaway database, and what `scenario(its_url, its_name)` found."""
    with throwaway_postgres_database() as database:
        name = urlsplit(database).path.lstrip("/")
        return name, asyncio.run(scenario(database, name))


def assert_unavailable(answers: dict[str, httpx.Response], name: str) -> None:
    for label, answer in answers.items():
        assert answer.status_code == 503, (label, answer.text)
        assert answer.headers["retry-after"] == "30"
        assert name not in answer.text
        assert "does not exist" not in answer.text
        if label.startswith("api"):
            assert answer.json() == UNAVAILABLE
        else:
            assert "The service is briefly unavailable" in answer.text
            assert "its database" in answer.text


@pytest.mark.postgres
def test_a_database_renamed_while_the_app_runs_is_a_503_until_it_is_back(tmp_path: Path) -> None:
    server = asyncpg_dsn(postgres_server_url())

    async def scenario(database: str, name: str) -> dict[str, httpx.Response]:
        admin = await asyncpg.connect(server)
        try:
            async with app_at(database, tmp_path) as client:
                await sign_in(client)
                await rename(admin, name, f"{name}_away")
                try:
                    answers = await requests(client)
                finally:
                    await admin.execute(f'ALTER DATABASE "{name}_away" RENAME TO "{name}"')
                answers["back"] = await client.get("/api/v1/me")
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}_away" WITH (FORCE)')
            await admin.close()
        return answers

    name, answers = on_a_database_of_its_own(scenario)

    back = answers.pop("back")
    assert_unavailable(answers, name)
    assert back.status_code == 200, back.text  # the same app, no restart
    assert back.json()["email"] == EMAIL


@pytest.mark.postgres
def test_a_database_dropped_while_the_app_runs_is_a_503_on_pages_and_the_api(
    tmp_path: Path,
) -> None:
    server = asyncpg_dsn(postgres_server_url())

    async def scenario(database: str, name: str) -> dict[str, httpx.Response]:
        admin = await asyncpg.connect(server)
        try:
            async with app_at(database, tmp_path) as client:
                await sign_in(client)
                await tortoise_connections.get("default")._pool.expire_connections()
                await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                answers = await requests(client)
                answers["health"] = await client.get("/healthz")
        finally:
            await admin.close()
        return answers

    name, answers = on_a_database_of_its_own(scenario)

    health = answers.pop("health")
    assert_unavailable(answers, name)
    assert health.status_code == 503
    assert health.json()["database"] == "unreachable"
