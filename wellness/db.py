"""Tortoise ORM configuration, migrations, and the lifespan that opens and closes the database."""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Generic, TypeVar

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate
from tortoise.models import Model
from tortoise.queryset import QuerySet

from wellness.lib.paging import Page


class DatabaseNotAccepting(ConnectionError):
    """PostgreSQL refused to open a connection to the database as it stands: `datallowconn` is
    off (`ALTER DATABASE ... ALLOW_CONNECTIONS false`, as before a drop or a rename, or during
    maintenance), SQLSTATE 55000; the database is gone (dropped or renamed while the app runs),
    3D000; or the server lacks the resources for another connection (memory, slots), class 53.
    Raised from asyncpg's error, by `_connect` only."""


# Errors that say the database cannot be reached now (stopped, restarting, out of connection
# slots, a connection cut), not that a query is wrong: the web layer answers them 503, as it
# does an unreachable Redis. Tortoise's own `DBConnectionError` is a `ConnectionError`.
UNREACHABLE_DATABASE_ERRORS: tuple[type[Exception], ...] = (
    ConnectionError,  # and so `DatabaseNotAccepting`
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    # The server shutting down (a restart, a failover) ends its connections with these.
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    # And these end a connection too: its database dropped on the primary (a standby's recovery
    # conflict), or idle past the server's `idle_session_timeout`.
    asyncpg.DatabaseDroppedError,
    asyncpg.IdleSessionTimeoutError,
    # A query the server did not answer within `command_timeout` (below): a frozen server or a
    # cut network.
    TimeoutError,
)
# What a query on a connection the server has just closed can raise instead, found restarting
# PostgreSQL under load: the pool hands out a connection that has the server's goodbye but has
# not seen the socket close (asyncpg "cannot switch to state 12; another operation is in
# progress", MagicStack/asyncpg#1069, open).
_CONNECTION_STATE_ERRORS: tuple[type[Exception], ...] = (asyncpg.exceptions.InternalClientError,)
# Seconds to open a connection, and for any one query to answer; `?timeout=` and
# `?command_timeout=` in the URL win. Without them a frozen server held every request forever.
CONNECT_TIMEOUT_SECONDS = 10
QUERY_TIMEOUT_SECONDS = 60


def is_database_unreachable(error: BaseException) -> bool:
    """Whether `error`, or one it was raised from or while handling, says the database cannot be
    reached now. Tortoise rolls back a failed transaction on the dead connection, and the
    rollback's own `InterfaceError` ("the underlying connection is closed") hides the cause."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, UNREACHABLE_DATABASE_ERRORS + _CONNECTION_STATE_ERRORS):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


M = TypeVar("M", bound=Model)

APP_LABEL = "wellness"
MODEL_MODULES = [
    "wellness.accounts.models",
    "wellness.audit.models",
    "wellness.system.models",
    "wellness.catalog.models",
    "wellness.practice.models",
    "wellness.checkins.models",
    "wellness.care.models",
    "wellness.suggestions.logs.models",
    "wellness.notifications.models",
    "wellness.reviews.models",
]
MIGRATIONS_MODULE = "wellness.migrations"


class MigrationError(RuntimeError):
    """A migration left the database inconsistent; nothing was committed after the check failed."""


POOL_SIZE = 16  # PostgreSQL connections per worker process, at most


def sqlite_path(database_url: str) -> str:
    return database_url.removeprefix("sqlite://")


def _connection(database_url: str, *, foreign_keys: bool) -> dict[str, Any]:
    if database_url.startswith("sqlite"):
        path = sqlite_path(database_url)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {
            "engine": "tortoise.backends.sqlite",
            "credentials": {
                "file_path": path,
                "journal_mode": "WAL",
                # NORMAL can lose the last commits on power loss; clinical logs must not.
                "synchronous": "FULL",
                "foreign_keys": "ON" if foreign_keys else "OFF",
                "busy_timeout": 5000,
            },
        }
    for alias in ("postgresql://", "asyncpg://"):
        if database_url.startswith(alias):
            database_url = "postgres://" + database_url.removeprefix(alias)
    config: dict[str, Any] = expand_db_url(database_url)
    if config["engine"] == "tortoise.backends.asyncpg":
        config["credentials"]["reset"] = _release_as_is
        config["credentials"]["connect"] = _connect
        # `?maxsize=N` in the URL wins. Tortoise's default, 5, queued a worker's 16 concurrent
        # home pages behind each other's queries: p99 66-78 ms against 43 ms with 16.
        config["credentials"].setdefault("maxsize", POOL_SIZE)
        config["credentials"].setdefault("timeout", CONNECT_TIMEOUT_SECONDS)
        config["credentials"].setdefault("command_timeout", QUERY_TIMEOUT_SECONDS)
    return config


async def _connect(*args: Any, **kwargs: Any) -> asyncpg.Connection:
    """How the pool opens each connection: asyncpg's own, with the refusals that say the
    database is out of reach for now made a `DatabaseNotAccepting` (a `ConnectionError`: 503).

    SQLSTATE 55000 (`ObjectNotInPrerequisiteStateError`) is also what a query gets for
    unrelated mistakes ("currval of sequence ... is not yet defined in this session", a
    concurrent refresh without a unique index): those are bugs and stay 500s. Only here, while
    a connection is being opened, does it mean "not accepting connections". Its subclasses
    (55006, 55P02-55P04: an object in use, a setting that cannot change now, a lock) are not
    that either, so only the class itself is translated. 3D000 (`InvalidCatalogNameError`) and
    class 53 (`InsufficientResourcesError`: out of memory, too many connections) likewise mean
    an outage only here. A refused password or role (class 28) is the app's configuration, not
    an outage, and stays a 500. 57P03 (starting up, shutting down) is unreachable anywhere."""
    try:
        return await asyncpg.connect(*args, **kwargs)
    except asyncpg.ObjectNotInPrerequisiteStateError as error:
        if type(error) is not asyncpg.ObjectNotInPrerequisiteStateError:
            raise
        raise DatabaseNotAccepting(str(error)) from error
    except (asyncpg.InvalidCatalogNameError, asyncpg.InsufficientResourcesError) as error:
        raise DatabaseNotAccepting(str(error)) from error


async def _release_as_is(connection: object) -> None:
    """What asyncpg's pool does to a connection it takes back, after rolling back any transaction
    left open (which it still does): nothing. Its default also runs `SELECT
    pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`, one more round trip after every
    query outside a transaction, for session state this app never sets (session advisory locks,
    cursors held open, LISTEN, SET)."""


def tortoise_config(database_url: str, *, foreign_keys: bool = True) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(database_url, foreign_keys=foreign_keys)},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# For `tortoise -c wellness.db.TORTOISE_ORM makemigrations` during development.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")


async def upgrade(database_url: str, *, target: str | None = None) -> list[str]:
    """Apply pending migrations and return their names.

    On SQLite, table rebuilds run with foreign keys OFF (SQLite's 12-step ALTER procedure):
    with them ON, dropping the old parent table cascades and deletes child rows. The
    foreign-key check afterwards proves the rebuild left every reference intact.
    """
    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app_label}.{name}")

    is_sqlite = database_url.startswith("sqlite")
    config = tortoise_config(database_url, foreign_keys=not is_sqlite)
    try:
        await migrate(config=config, target=target, progress=progress)
        if is_sqlite:
            _, violations = await connections.get("default").execute_query(
                "PRAGMA foreign_key_check"
            )
            if violations:
                raise MigrationError(f"foreign key check failed after migrating: {violations[:5]}")
    finally:
        await Tortoise.close_connections()
    return applied


async def open_database(database_url: str) -> None:
    # Tortoise caches each model's INSERT/UPDATE/DELETE SQL process-wide, keyed by connection
    # name and table but not by dialect: after a SQLite database, a PostgreSQL one would get
    # SQLite's "?" placeholders (a syntax error), and the reverse. Start from an empty cache.
    EXECUTOR_CACHE.clear()
    # Litestar runs the lifespan in another task than the requests: without the global
    # fallback every request fails with "No TortoiseContext is currently active".
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()


def database_lifespan(database_url: str, *, auto_migrate: bool) -> Callable[[Any], Any]:
    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        if auto_migrate:
            await upgrade(database_url)
        await open_database(database_url)
        try:
            yield
        finally:
            await close_database()

    return lifespan


async def paged(query: QuerySet[M], *order: str, page: int, per_page: int) -> Page[M]:
    """One page of `query` in `order`, with the total to number the pages."""
    total = await query.count()
    items = await query.order_by(*order).offset((page - 1) * per_page).limit(per_page)
    return Page.of(list(items), page=page, per_page=per_page, total=total)


class RawSql:
    """The parameters of one hand-written query, in the placeholder style of its database:
    `param` appends a value and answers its placeholder (`$1`, `$2`, ... on PostgreSQL, `?` on
    SQLite), so placeholders must appear in the text in the order `param` is called."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect  # "postgres" or "sqlite"
        self.params: list[Any] = []

    def param(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}" if self.dialect == "postgres" else "?"

    def param_list(self, values: Iterable[Any]) -> str:
        """Placeholders for each of `values`, comma-separated (for `IN (...)`)."""
        return ", ".join(self.param(value) for value in values)


def raw_query() -> tuple[Any, RawSql]:
    """The default connection, and an empty `RawSql` for its dialect."""
    connection = connections.get("default")
    dialect = "postgres" if connection.capabilities.dialect == "postgres" else "sqlite"
    return connection, RawSql(dialect)


# The care data's change token (migration 0011): renewed by every write to check-ins, GAD-7
# answers, alerts, practice, assignments, care teams and restrictions, a user's name, zone,
# role or active flag, followed collections (0025) and saved sessions (0026), whoever makes it.
CARE_TOKEN = "care_version"  # noqa: S105  (an instance_flags row, not a secret)
# The catalog's (migration 0005): renewed by every write to sessions, their tags and covers.
CATALOG_TOKEN = "catalog_version"  # noqa: S105
# Read along with the first token a `tokens_read_once` block asks for: most pages need both.
CLINIC_TOKENS = (CARE_TOKEN, CATALOG_TOKEN)

_tokens_read: ContextVar[dict[str, str | None] | None] = ContextVar("tokens_read", default=None)


async def change_token(flag: str) -> str | None:
    """The current value of the change token kept in instance_flags[`flag`] by database triggers
    (the catalog's, migration 0005; the care data's, migration 0011); None when the row is
    missing, and then nothing may be served from what was kept under a token."""
    (token,) = await change_tokens(flag)
    return token


async def change_tokens(*flags: str) -> tuple[str | None, ...]:
    """`change_token` of each of `flags`, in their order, read in one statement (one round trip
    instead of one per token, for views kept under several). Inside `tokens_read_once`, each
    is read once, at its first use, with the clinic-wide ones."""
    known = _tokens_read.get()
    if known is None:
        return await _read_tokens(flags)
    if any(flag not in known for flag in flags):
        wanted = tuple(
            dict.fromkeys(flag for flag in (*flags, *CLINIC_TOKENS) if flag not in known)
        )
        known.update(zip(wanted, await _read_tokens(wanted), strict=True))
    return tuple(known[flag] for flag in flags)


async def _read_tokens(flags: tuple[str, ...]) -> tuple[str | None, ...]:
    connection, sql = raw_query()
    _, rows = await connection.execute_query(
        f"SELECT key, value FROM instance_flags WHERE key IN ({sql.param_list(flags)})",  # noqa: S608
        sql.params,
    )
    found = {str(row[0]): str(row[1]) for row in rows}
    return tuple(found.get(flag) for flag in flags)


@contextmanager
def tokens_read_once() -> Iterator[None]:
    """Within it, every change token is read from the database once, at its first use, and that
    value serves the rest of the block: one round trip for a page that shows several kept views
    instead of one per view. Each token is still read before the data kept under it (see
    `catalog/cache.py`). Only for work that writes none of the tables the tokens follow (a read
    after such a write would still see the older token, and what was kept under it)."""
    reset = _tokens_read.set({})
    try:
        yield
    finally:
        _tokens_read.reset(reset)


MAX_CACHED = 50_000  # values per cache and connection; emptied when full
V = TypeVar("V")


class KeyedCache(Generic[V]):
    """Values by id (a patient's or a therapist's), each with the key it was computed under,
    per database connection (a test's fresh database never sees another one's values)."""

    def __init__(self, *, limit: int = MAX_CACHED) -> None:
        self._limit = limit  # values per connection; emptied when full
        self._by_connection: weakref.WeakKeyDictionary[Any, dict[int, tuple[Hashable, V]]] = (
            weakref.WeakKeyDictionary()
        )

    def _entries(self) -> dict[int, tuple[Hashable, V]]:
        connection = connections.get("default")
        entries = self._by_connection.get(connection)
        if entries is None:
            entries = self._by_connection[connection] = {}
        return entries

    def split(self, keys: dict[int, Hashable]) -> tuple[dict[int, V], list[int]]:
        """(the values still valid under `keys`, the ids to compute again)."""
        entries, found, stale = self._entries(), {}, []
        for patient_id, key in keys.items():
            cached = entries.get(patient_id)
            if cached is not None and cached[0] == key:
                found[patient_id] = cached[1]
            else:
                stale.append(patient_id)
        return found, stale

    async def kept_or(
        self, item_id: int, key: Hashable, compute: Callable[[], Awaitable[V]], *, keep: bool
    ) -> V:
        """The value kept for `item_id` under `key`, or `compute()`'s, kept under `key` when
        `keep` (False when a change token the key holds is missing: then nothing is kept)."""
        keys = {item_id: key}
        kept, _ = self.split(keys)
        if item_id in kept:
            return kept[item_id]
        value = await compute()
        if keep:
            self.store(keys, {item_id: value})
        return value

    def store(self, keys: dict[int, Hashable], values: dict[int, V]) -> None:
        entries = self._entries()
        if len(entries) + len(values) > self._limit:
            entries.clear()
        for patient_id, value in values.items():
            entries[patient_id] = (keys[patient_id], value)
