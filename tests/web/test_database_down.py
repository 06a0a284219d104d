"""A database that cannot be reached answers 503 with `Retry-After`, in JSON and in words, not
500: on PostgreSQL for real (the app reaches the server through a proxy the test then shuts
down, as a stopped server or a cut network looks to it), and on any database for each error
that says so (`db.UNREACHABLE_DATABASE_ERRORS`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from tortoise import connections as tortoise_connections
from tortoise.exceptions import DBConnectionError

from tests.chained_errors import raised_from, raised_while_handling
from tests.conftest import PERSONAS, Client
from tests.live_servers import free_port
from tests.services.servers import asyncpg_dsn, postgres_server_url, throwaway_postgres_database
from wellness import db
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.app import create_app
from wellness.db import (
    CONNECT_TIMEOUT_SECONDS,
    QUERY_TIMEOUT_SECONDS,
    DatabaseNotAccepting,
    tortoise_config,
)
from wellness.lib.clock import FixedClock
from wellness.settings import load_settings
from wellness.system import services as system_services

UNAVAILABLE = {
    "status_code": 503,
    "detail": (
        "Part of the app (its database or its session store) is not answering. "
        "Please try again in a minute."
    ),
    "code": "unavailable",
}


@pytest.mark.parametrize(
    "error",
    [
        DBConnectionError("pool exhausted"),
        ConnectionRefusedError(111, "Connection refused"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.CannotConnectNowError("the database system is shutting down"),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.CrashShutdownError("terminating connection because of crash of another server"),
        asyncpg.DatabaseDroppedError("terminating connection due to conflict with recovery"),
        asyncpg.IdleSessionTimeoutError("terminating connection due to idle-session timeout"),
        TimeoutError(),  # a query past `command_timeout`: a frozen server, a cut network
        # A pooled connection the server closed a moment ago (MagicStack/asyncpg#1069).
        asyncpg.exceptions.InternalClientError(
            "cannot switch to state 12; another operation (2) is in progress"
        ),
        # PostgreSQL refusing a new connection to a database with ALLOW_CONNECTIONS false.
        raised_from(
            DatabaseNotAccepting('database "wellness" is not currently accepting connections'),
            asyncpg.ObjectNotInPrerequisiteStateError(
                'database "wellness" is not currently accepting connections'
            ),
        ),
        # Tortoise's rollback on the dead connection, hiding the error that ended it.
        raised_while_handling(
            asyncpg.InterfaceError(
                "cannot call Transaction.rollback(): the underlying connection is closed"
            ),
            asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        ),
    ],
    ids=lambda error: type(error).__name__,
)
def test_each_unreachable_database_error_is_a_503_in_json_and_in_words(
    client: Client,
    personas: dict[str, User],
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
) -> None:
    client.login_as(PERSONAS["patient"])

    async def unreachable(*_args: object, **_kwargs: object) -> None:
        raise error

    monkeypatch.setattr(accounts, "signed_in_user", unreachable)

    api = client.get("/api/v1/me")
    assert api.status_code == 503
    assert api.headers["retry-after"] == "30"
    assert api.json() == UNAVAILABLE
    page = client.get("/patient")
    assert page.status_code == 503
    assert "The service is briefly unavailable" in page.text


def test_an_interface_error_with_no_unreachable_cause_is_still_a_500(
    client: Client, personas: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only errors that say the database is out of reach are a 503; a bug stays visible."""
    client.login_as(PERSONAS["patient"])

    async def misused(*_args: object, **_kwargs: object) -> None:
        raise raised_while_handling(
            asyncpg.InterfaceError("cannot perform operation"), KeyError("id")
        )

    monkeypatch.setattr(accounts, "signed_in_user", misused)

    answer = client.get("/api/v1/me")
    assert answer.status_code == 500
    assert "retry-after" not in answer.headers


def test_object_not_in_prerequisite_state_raised_by_a_query_is_still_a_500(
    client: Client, personas: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLSTATE 55000 outside opening a connection is a mistake in a query, not an outage."""
    client.login_as(PERSONAS["patient"])

    async def misused(*_args: object, **_kwargs: object) -> None:
        raise asyncpg.ObjectNotInPrerequisiteStateError(
            'currval of sequence "users_id_seq" is not yet defined in this session'
        )

    monkeypatch.setattr(accounts, "signed_in_user", misused)

    answer = client.get("/api/v1/me")
    assert answer.status_code == 500
    assert "retry-after" not in answer.headers


@pytest.mark.parametrize(
    ("refusal", "translated"),
    [
        (asyncpg.ObjectNotInPrerequisiteStateError("not currently accepting connections"), True),
        # Dropped or renamed while the app runs.
        (asyncpg.InvalidCatalogNameError('database "wellness" does not exist'), True),
        (asyncpg.OutOfMemoryError("out of memory"), True),
        (asyncpg.InsufficientResourcesError("insufficient resources"), True),
        # Its subclasses mean other things (a lock, a setting that cannot change now).
        (asyncpg.LockNotAvailableError("could not obtain lock"), False),
        (asyncpg.CantChangeRuntimeParamError('parameter "x" cannot be changed now'), False),
        (asyncpg.InvalidPasswordError("password authentication failed"), False),
    ],
    ids=lambda value: type(value).__name__,
)
def test_only_refusals_that_say_the_database_is_out_of_reach_are_translated_while_connecting(
    monkeypatch: pytest.MonkeyPatch, refusal: Exception, translated: bool
) -> None:
    async def refused(*_args: object, **_kwargs: object) -> None:
        raise refusal

    monkeypatch.setattr(asyncpg, "connect", refused)

    with pytest.raises(Exception) as raised:  # noqa: PT011  (the type is what is checked)
        asyncio.run(db._connect("postgresql://app@db.example/wellness"))

    if translated:
        assert type(raised.value) is DatabaseNotAccepting
        assert raised.value.__cause__ is refusal
        assert db.is_database_unreachable(raised.value)
    else:
        assert raised.value is refusal
        assert not db.is_database_unreachable(raised.value)


def test_the_pool_opens_its_connections_through_the_translating_connect() -> None:
    credentials = tortoise_config("postgres://app@db.example:5432/wellness")["connections"][
        "default"
    ]["credentials"]

    assert credentials["connect"] is db._connect


def test_postgresql_connections_give_up_on_a_silent_server_unless_the_url_says_otherwise() -> None:
    default = tortoise_config("postgres://app@db.example:5432/wellness")
    chosen = tortoise_config("postgres://app@db.example:5432/wellness?command_timeout=5&timeout=2")

    credentials = default["connections"]["default"]["credentials"]
    assert credentials["timeout"] == CONNECT_TIMEOUT_SECONDS == 10
    assert credentials["command_timeout"] == QUERY_TIMEOUT_SECONDS == 60
    chosen_credentials = chosen["connections"]["default"]["credentials"]
    assert float(chosen_credentials["command_timeout"]) == 5
    assert float(chosen_credentials["timeout"]) == 2


class Proxy:
    """A TCP forwarder to PostgreSQL that the test can cut, as a stopped server looks."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []
        self.frozen = False

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._forward, "127.0.0.1", self.port)

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self.writers += [writer, upstream_writer]

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await source.read(65536):
                    if self.frozen:
                        continue
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    def freeze(self) -> None:
        """Stop passing anything on, keeping every connection open: a hung server, or a network
        that drops packets, looks so to the app."""
        self.frozen = True

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.close()
        await self.server.wait_closed()


@contextlib.asynccontextmanager
async def app_through(
    proxy: Proxy, database: str, tmp_path: Path, query: str = ""
) -> AsyncIterator[httpx.AsyncClient]:
    parts = urlsplit(database)
    through = urlunsplit(
        parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}", query=query)
    )
    async with app_at(through, tmp_path) as client:
        yield client


@contextlib.asynccontextmanager
async def app_at(database: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = load_settings(
        {
            "WELLNESS_DATA_DIR": str(tmp_path / "data"),
            "WELLNESS_MEDIA_DIR": str(tmp_path / "media"),
            "WELLNESS_DATABASE_URL": database,
            "WELLNESS_SECRET_KEY": "test-secret-key-that-is-long-enough-to-pass",
            "WELLNESS_AUTO_MIGRATE": "true",
        }
    ).replace(memory_stores=True)
    app = create_app(settings, clock=FixedClock(datetime(2026, 11, 24, 14, 30, tzinfo=UTC)))
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # Litestar's own scope types
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
            yield c


@pytest.mark.postgres
def test_a_postgresql_server_gone_away_is_a_503_and_the_health_check_says_so(
    tmp_path: Path,
) -> None:
    sign_in = {"email": "patient@example.org", "password": "correct horse battery staple"}

    async def scenario(database: str) -> tuple[int, int, httpx.Response, httpx.Response]:
        parts = urlsplit(database)
        proxy = Proxy((parts.hostname or "127.0.0.1", parts.port or 5432))
        await proxy.start()
        async with app_through(proxy, database, tmp_path) as client:
            before = (await client.post("/api/v1/auth/login", json=sign_in)).status_code
            healthy = (await client.get("/healthz")).status_code
            await proxy.cut()
            refused = await client.post("/api/v1/auth/login", json=sign_in)
            health = await client.get("/healthz")
        return before, healthy, refused, health

    with throwaway_postgres_database() as database:
        before, healthy, refused, health = asyncio.run(scenario(database))

    assert (before, healthy) == (401, 200)  # no such account yet: the database answered
    assert refused.status_code == 503, refused.text
    assert refused.json() == UNAVAILABLE
    assert health.status_code == 503
    assert health.json()["database"] == "unreachable"


@pytest.mark.postgres
def test_a_postgresql_server_that_stops_answering_is_a_503_once_its_queries_time_out(
    tmp_path: Path,
) -> None:
    sign_in = {"email": "patient@example.org", "password": "correct horse battery staple"}

    async def scenario(database: str) -> tuple[int, httpx.Response, httpx.Response, float]:
        parts = urlsplit(database)
        proxy = Proxy((parts.hostname or "127.0.0.1", parts.port or 5432))
        await proxy.start()
        async with app_through(proxy, database, tmp_path, query="command_timeout=1") as client:
            before = (await client.post("/api/v1/auth/login", json=sign_in)).status_code
            proxy.freeze()
            started = asyncio.get_running_loop().time()
            async with asyncio.timeout(20):  # without a query timeout this waited for ever
                refused = await client.post("/api/v1/auth/login", json=sign_in)
                health = await client.get("/healthz")
            waited = asyncio.get_running_loop().time() - started
            await proxy.cut()
        return before, refused, health, waited

    with throwaway_postgres_database() as database:
        before, refused, health, waited = asyncio.run(scenario(database))

    assert before == 401  # no such account yet: the database answered
    assert refused.status_code == 503, refused.text
    assert refused.json() == UNAVAILABLE
    assert health.status_code == 503
    assert health.json()["database"] == "unreachable"
    assert waited < 10


@pytest.mark.postgres
def test_a_postgresql_database_not_accepting_connections_is_a_503_until_it_does_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ALTER DATABASE ... ALLOW_CONNECTIONS false` on a database of the test's own: connections
    already open go on working, so the pool's are expired (as it does to idle ones), and each new
    one is refused with SQLSTATE 55000. A query's own 55000 on the same server stays a 500."""
    sign_in = {"email": "patient@example.org", "password": "correct horse battery staple"}
    server = asyncpg_dsn(postgres_server_url())

    async def query_mistake(*_args: object, **_kwargs: object) -> None:
        # 55000 too: currval before any nextval in this session.
        await tortoise_connections.get("default").execute_query("SELECT currval('never_advanced')")

    async def scenario(database: str, name: str) -> dict[str, httpx.Response]:
        answers: dict[str, httpx.Response] = {}
        admin = await asyncpg.connect(server)
        try:
            async with app_at(database, tmp_path) as client:
                answers["before"] = await client.post("/api/v1/auth/login", json=sign_in)
                await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
                pool = tortoise_connections.get("default")._pool
                await pool.expire_connections()
                answers["refused"] = await client.post("/api/v1/auth/login", json=sign_in)
                answers["health"] = await client.get("/healthz")
                await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
                answers["after"] = await client.post("/api/v1/auth/login", json=sign_in)
                await tortoise_connections.get("default").execute_query(
                    "CREATE SEQUENCE never_advanced"
                )
                with monkeypatch.context() as patched:
                    patched.setattr(accounts, "check_credentials", query_mistake)
                    answers["mistake"] = await client.post("/api/v1/auth/login", json=sign_in)
        finally:
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            await admin.close()
        return answers

    with throwaway_postgres_database() as database:
        name = urlsplit(database).path.lstrip("/")
        answers = asyncio.run(scenario(database, name))

    assert answers["before"].status_code == 401  # no such account: the database answered
    refused = answers["refused"]
    assert refused.status_code == 503, refused.text
    assert refused.headers["retry-after"] == "30"
    assert refused.json() == UNAVAILABLE
    assert answers["health"].status_code == 503
    assert answers["health"].json()["database"] == "unreachable"
    # Connections allowed again: the same app answers again, no restart needed.
    assert answers["after"].status_code == 401, answers["after"].text
    mistake = answers["mistake"]
    assert mistake.status_code == 500, mistake.text
    assert "retry-after" not in mistake.headers


def test_a_health_check_answers_in_time_and_never_piles_probes_on_a_silent_database(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A probe past its deadline runs on alone (cancelling it made asyncpg wait out the cancel,
    2 s plus the query timeout); later checks answer "unreachable" without another probe."""
    probes: list[str] = []
    release = asyncio.Event()
    database = tortoise_connections.get("default")

    async def silent(query: str, *_args: object) -> object:
        probes.append(query)
        await release.wait()
        return (0, [])

    monkeypatch.setattr(database, "execute_query", silent)
    monkeypatch.setattr(system_services, "HEALTH_CHECK_TIMEOUT_SECONDS", 0.2)

    first, second = client.get("/healthz"), client.get("/healthz")

    assert first.status_code == second.status_code == 503
    assert first.json()["database"] == second.json()["database"] == "unreachable"
    assert probes == ["SELECT 1"]  # the second check did not ask again
    client.run(lambda: _release(release))
    assert client.get("/healthz").json()["database"] == "ok"
    assert probes == ["SELECT 1", "SELECT 1"]


async def _release(event: asyncio.Event) -> None:
    event.set()
    await asyncio.sleep(0)  # lets the running probe finish
