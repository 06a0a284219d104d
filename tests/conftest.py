"""Shared fixtures: a fresh database per test, an app, a client, and fixed personas.

Personas follow the style guide: `patient`, `other_patient`, `therapist`, `other_therapist`,
`coordinator`, `admin`; an anonymous client is simply one that has not signed in.

Set WELLNESS_TEST_DATABASE_URL=postgres://... to run the whole suite on PostgreSQL.

Every app under test reads the time from the `clock` fixture, a `FixedClock` standing at
`TEST_NOW` until a test sets or advances it: no test depends on the hour it runs at.
"""

from __future__ import annotations

import asyncio
import functools
import html
import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import httpx
import pytest
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import TestClient

from tests.built_apps import BuiltApps
from wellness.accounts import passwords
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.app import create_app
from wellness.care import services as care
from wellness.caseload.kept import CARE_TOKEN
from wellness.catalog.cache import TOKEN_FLAG as CATALOG_TOKEN
from wellness.lib.clock import FixedClock
from wellness.settings import Settings, load_settings
from wellness.web.context import STATE_KEY, WebContext
from wellness.web.media import OPEN_FILES

T = TypeVar("T")
PERSONA_PASSWORD = "correct horse battery staple"
# The app's "now" in every test that does not set its own: a Tuesday afternoon in Berlin.
TEST_NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
POSTGRES_URL = os.environ.get("WELLNESS_TEST_DATABASE_URL", "")
BASE_URL = "http://testserver.local"


@dataclass(frozen=True)
class Persona:
    key: str
    email: str
    display_name: str
    role: Role
    time_zone: str = "Europe/Berlin"


PERSONAS = {
    persona.key: persona
    for persona in (
        Persona("patient", "patient@example.org", "Alice Patient", Role.PATIENT),
        Persona(
            "other_patient",
            "other.patient@example.org",
            "Charlie Outsider",
            Role.PATIENT,
            "America/New_York",
        ),
        Persona("therapist", "therapist@example.org", "Bob Therapist", Role.THERAPIST),
        Persona("other_therapist", "other.therapist@example.org", "Dana Therapist", Role.THERAPIST),
        Persona("coordinator", "coordinator@example.org", "Cora Coordinator", Role.COORDINATOR),
        Persona("admin", "admin@example.org", "Ada Admin", Role.ADMIN),
    )
}


def pytest_configure(config: pytest.Config) -> None:
    """Keep test databases and media on tmpfs when the machine has one.

    The app opens SQLite with synchronous=FULL and fsyncs every stored file, as it must in a
    clinic; on tmpfs those fsyncs are free, so the suite's time goes to the code under test.
    """
    shm = Path("/dev/shm")
    if config.option.basetemp is None and shm.is_dir() and os.access(shm, os.W_OK):
        config.option.basetemp = tempfile.mkdtemp(prefix="wellness-tests-", dir=shm)
        config.stash[_TMPFS_BASETEMP] = config.option.basetemp


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups into the node ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _refuse_databases_in_unit_tests(items)
    _deselect_the_other_databases_variants(config, items)
    _keep_browser_tests_together(config, items)


UNIT_TESTS = Path(__file__).parent / "unit"


def _refuse_databases_in_unit_tests(items: list[pytest.Item]) -> None:
    """tests/unit is pure: the PostgreSQL pass skips it (see the Makefile), so a unit test that
    opened a database would never run on PostgreSQL."""
    for item in items:
        if item.path.is_relative_to(UNIT_TESTS) and "database_url" in getattr(
            item, "fixturenames", ()
        ):
            raise pytest.UsageError(f"{item.nodeid} opens a database: move it out of tests/unit")


# The fixtures of tests/services/conftest.py parametrized by database: "sqlite" or "postgres".
DATABASE_VARIANT_FIXTURES = ("any_database_url", "any_migrated_database_url")


def _deselect_the_other_databases_variants(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests taking `any_database_url` or `any_orm` have a SQLite and a PostgreSQL variant; each
    runs in the pass on its own database (`make test` runs both passes), not twice in each."""
    this_pass = "postgres" if POSTGRES_URL else "sqlite"
    kept: list[pytest.Item] = []
    other: list[pytest.Item] = []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        variants = {params[name] for name in DATABASE_VARIANT_FIXTURES if name in params}
        (kept if variants <= {this_pass} else other).append(item)
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = kept


def _keep_browser_tests_together(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`--dist loadgroup`), the browser tests stay on one worker: they share
    one live demo server, and some follow from what an earlier one left on it."""
    if not config.pluginmanager.hasplugin("xdist"):
        return  # `-p no:xdist`: the marker is unknown, and one process runs them in order anyway
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))


def pytest_unconfigure(config: pytest.Config) -> None:
    basetemp = config.stash.get(_TMPFS_BASETEMP, None)
    if basetemp:
        shutil.rmtree(basetemp, ignore_errors=True)


_TMPFS_BASETEMP = pytest.StashKey[str]()


# Argon2 at the production cost (passwords.HASHER) takes ~35 ms to verify, and the web tests
# sign in some 3,000 times a pass: the tests hash and verify at the lowest cost Argon2 takes.
# The tests of the hashing itself (its parameters, rehashing) ask for `production_hashing`;
# the app run as a process (the CLI, demo and browser tests) always hashes at production cost.
PRODUCTION_HASHER = passwords.HASHER
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "HASHER", TEST_HASHER)
        yield


@pytest.fixture
def production_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash and verify passwords at the production cost for this test."""
    monkeypatch.setattr(passwords, "HASHER", PRODUCTION_HASHER)


@functools.cache
def persona_password_hash() -> str:
    # Hash once per test run, not once per persona.
    return passwords.hash_password(PERSONA_PASSWORD)


def reset_postgres(url: str) -> None:
    import asyncpg

    async def reset() -> None:
        connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await connection.close()

    asyncio.run(reset())


async def _postgres_state(connection: Any) -> tuple[list[str], frozenset[str]]:
    """The tables of schema public, and those tables plus the applied migrations' names."""
    rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    tables = [row["tablename"] for row in rows]
    applied = []
    if "tortoise_migrations" in tables:
        applied = await connection.fetch('SELECT app, name FROM "tortoise_migrations"')
    return tables, frozenset(tables) | {f"{row['app']}.{row['name']}" for row in applied}


def _on_postgres(url: str, work: Callable[[Any], Awaitable[T]]) -> T:
    import asyncpg

    async def run() -> T:
        connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            return await work(connection)
        finally:
            await connection.close()

    return asyncio.run(run())


def migrated_state(url: str) -> frozenset[str]:
    """Reset the schema and apply every migration; returns the state `empty_postgres` expects."""
    from wellness.db import upgrade

    reset_postgres(url)
    asyncio.run(upgrade(url))
    return _on_postgres(url, _postgres_state)[1]


# instance_flags rows the migrations create (0005, 0011): the catalog's and the care data's
# change tokens.
SEEDED_FLAGS = (CATALOG_TOKEN, CARE_TOKEN)


def empty_postgres(url: str, migrated: frozenset[str]) -> bool:
    """Delete every row of a migrated schema; False (and nothing done) if the schema changed.

    Cheaper per test than dropping the schema and migrating again, and the cost no longer grows
    with the number of migrations; sequences restart, so ids are those of a fresh database. A
    schema whose tables or applied migrations differ from `migrated` (a test changed it) is
    left alone, and the caller rebuilds it from scratch. DELETE with triggers and foreign-key
    checks off (every table is emptied) costs a fifth of TRUNCATE's new file per table.
    """

    async def empty(connection: Any) -> bool:
        tables, state = await _postgres_state(connection)
        if state != migrated:
            return False
        sequences = await connection.fetch(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
        )
        # The names come from the catalog of our own test database, not from input.
        deletes = "".join(
            f'DELETE FROM "{table}";'  # noqa: S608
            for table in tables
            if table != "tortoise_migrations"
        )
        restarts = "".join(f'ALTER SEQUENCE "{row[0]}" RESTART;' for row in sequences)
        await connection.execute(
            f"SET session_replication_role = replica;{deletes}{restarts}"
            "RESET session_replication_role;"
        )
        # The migrations seed the clinic-wide change tokens: without them nothing is kept, and
        # PostgreSQL runs would never test what production does.
        await connection.executemany(
            "INSERT INTO instance_flags (key, value) VALUES ($1, gen_random_uuid()::text)",
            [(flag,) for flag in SEEDED_FLAGS],
        )
        return True

    return _on_postgres(url, empty)


def create_postgres_database(url: str) -> None:
    """Create the database `url` names on its server, unless it exists."""
    server, name = url.rsplit("/", 1)

    async def create(connection: Any) -> None:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await connection.execute(f'CREATE DATABASE "{name}"')

    _on_postgres(f"{server}/postgres", create)


@pytest.fixture(scope="session")
def postgres_run_url() -> str:
    """WELLNESS_TEST_DATABASE_URL; under pytest-xdist, a database of the worker's own beside it
    (`test_gw0`, `test_gw1`, ...), since every test empties the database it runs on."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker:
        return POSTGRES_URL
    url = f"{POSTGRES_URL.split('?', 1)[0]}_{worker}"
    create_postgres_database(url)
    return url


@pytest.fixture(scope="session")
def postgres_migrated(postgres_run_url: str) -> dict[str, frozenset[str]]:
    """PostgreSQL runs migrate once per session; each test then starts from empty tables."""
    return {"state": migrated_state(postgres_run_url)}


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with every migration applied, made once per run.

    Applying the migrations costs most of a second and grows with each one; copying this file
    costs a few milliseconds, so each test starts from a copy instead.
    """
    from wellness.db import upgrade

    template = tmp_path_factory.mktemp("template") / "wellness.sqlite3"
    asyncio.run(upgrade(f"sqlite://{template}"))
    return template


def fresh_database_url(directory: Path, request: pytest.FixtureRequest) -> str:
    """A migrated database without rows: PostgreSQL's emptied, or a SQLite file in `directory`."""
    if POSTGRES_URL:
        url: str = request.getfixturevalue("postgres_run_url")
        migrated: dict[str, frozenset[str]] = request.getfixturevalue("postgres_migrated")
        if not empty_postgres(url, migrated["state"]):
            migrated["state"] = migrated_state(url)
        return url
    database = directory / "wellness.sqlite3"
    shutil.copyfile(request.getfixturevalue("migrated_sqlite"), database)
    return f"sqlite://{database}"


def settings_for(directory: Path, database_url: str) -> Settings:
    """Test settings: data and media in `directory`, sessions and throttles in memory."""
    environ = {
        "WELLNESS_DATA_DIR": str(directory / "data"),
        "WELLNESS_MEDIA_DIR": str(directory / "media"),
        "WELLNESS_DATABASE_URL": database_url,
        "WELLNESS_SECRET_KEY": "test-secret-key-that-is-long-enough-to-pass",
        "WELLNESS_AUTO_MIGRATE": "true",
    }
    return load_settings(environ).replace(memory_stores=True)


@pytest.fixture(scope="session")
def _app_home_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("app-home")


@pytest.fixture
def app_home(_app_home_folder: Path) -> Path:
    """The folder of the test's SQLite database, data and media: emptied before each test, and
    the same path in every test of a process, so that their settings compare equal and a built
    app can be handed from test to test (see tests/built_apps.py)."""
    OPEN_FILES.close_all()  # descriptors of the last test's media files, which go now
    shutil.rmtree(_app_home_folder)
    _app_home_folder.mkdir()
    return _app_home_folder


@pytest.fixture
def database_url(app_home: Path, request: pytest.FixtureRequest) -> str:
    return fresh_database_url(app_home, request)


@pytest.fixture
def settings(app_home: Path, database_url: str) -> Settings:
    return settings_for(app_home, database_url)


@pytest.fixture(scope="session")
def _shared_clock() -> FixedClock:
    return FixedClock(TEST_NOW)


@pytest.fixture
def clock(_shared_clock: FixedClock) -> FixedClock:
    """The app's clock: stands at TEST_NOW; tests move it with `set` and `advance`. One object
    for the whole run (the built apps read it), set back to TEST_NOW for each test."""
    _shared_clock.set(TEST_NOW)
    return _shared_clock


@pytest.fixture(scope="session")
def _built_apps(_shared_clock: FixedClock) -> BuiltApps:
    return BuiltApps(_shared_clock)


@pytest.fixture
def app(settings: Settings, clock: FixedClock, _built_apps: BuiltApps) -> Iterator[Litestar]:
    """The app for `settings`, reading `clock`: built once and handed on while tests leave it
    as built (tests/built_apps.py); a test that needs one of its own calls `create_app`."""
    if clock is not _built_apps.clock:  # a module's own `clock` fixture
        yield create_app(settings, clock=clock)
        return
    built, as_built = _built_apps.take(settings)
    yield built
    _built_apps.give_back(settings, built, as_built)


def flat(rows: list[tuple[Any, ...]]) -> list[Any]:
    """What `values_list(field, flat=True)` returned: Tortoise types the rows as tuples whether
    or not `flat` is set, but flat they are the plain values."""
    return cast(list[Any], rows)


def web_context_of(app: Litestar) -> WebContext:
    context: WebContext = app.state[STATE_KEY]
    return context


class Client(TestClient[Litestar]):
    """The test client with helpers for the app's own event loop and sign-in."""

    def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run ORM work on the app's event loop (where Tortoise is initialised)."""
        return self.blocking_portal.call(work)

    def now(self) -> datetime:
        """Now, by the clock of the app under test."""
        return web_context_of(self.app).clock.now()

    def user(self, email: str) -> User:
        async def load() -> User:
            return await User.get(email=email)

        return self.run(load)

    def login_as(self, persona: Persona | None) -> None:
        """Sign in through the JSON API; None signs out (an anonymous client)."""
        self.cookies.clear()
        if persona is None:
            return
        response = self.post(
            "/api/v1/auth/login", json={"email": persona.email, "password": PERSONA_PASSWORD}
        )
        assert response.status_code == 200, response.text

    def csrf_token(self) -> str:
        if "wellness_csrf" not in self.cookies:
            self.get("/login")
        return str(self.cookies["wellness_csrf"])

    def submit(
        self, path: str, data: dict[str, Any] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """POST an HTML form the way a browser does, CSRF token included."""
        form = {"_csrf_token": self.csrf_token(), **(data or {})}
        return self.post(path, data=form, follow_redirects=False, **kwargs)


def count(client: Client, model: Any, **filters: Any) -> int:
    """How many rows of `model` match `filters` (all of them without), read on the app's loop."""

    async def counted() -> int:
        return int(await model.filter(**filters).count())

    return client.run(counted)


def text_of(response: Any) -> str:
    """The page's text with entities decoded, so assertions read like what people see."""
    return html.unescape(str(response.text))


@pytest.fixture
def client(app: Litestar) -> Iterator[Client]:
    with Client(app, base_url=BASE_URL) as test_client:
        yield test_client


async def create_personas(now: datetime) -> dict[str, User]:
    """Every persona's account, and the style guide's caseload: `therapist` looks after
    `patient`, `other_therapist` after `other_patient`."""
    created = {}
    for persona in PERSONAS.values():
        created[persona.key] = await accounts.create_user(
            email=persona.email,
            display_name=persona.display_name,
            role=persona.role,
            time_zone=persona.time_zone,
            password_hash=persona_password_hash(),
        )
    await care.assign(created["therapist"], created["patient"], now=now)
    await care.assign(created["other_therapist"], created["other_patient"], now=now)
    return created


@pytest.fixture
def personas(client: Client) -> dict[str, User]:
    now = client.now()
    return client.run(lambda: create_personas(now))


@pytest.fixture
def as_patient(client: Client, personas: dict[str, User]) -> Client:
    client.login_as(PERSONAS["patient"])
    return client


@pytest.fixture
def as_coordinator(client: Client, personas: dict[str, User]) -> Client:
    client.login_as(PERSONAS["coordinator"])
    return client


@pytest.fixture
def as_admin(client: Client, personas: dict[str, User]) -> Client:
    client.login_as(PERSONAS["admin"])
    return client
