"""A generic filler: put a few type-appropriate rows into every table a live database has.

It reads the schema from the database itself (SQLite `PRAGMA table_xinfo` and
`foreign_key_list`; PostgreSQL `information_schema`), never from the models, so it fills the
tables of any migration state, including ones the current models no longer describe. The
current models only supply hints where the schema cannot tell: the allowed values of enum
columns and which SQLite INT columns hold booleans.

Connections are opened with the plain drivers (aiosqlite, asyncpg), independent of Tortoise.
SQLite connections enforce foreign keys, so the filler itself must insert parents first.
"""

from __future__ import annotations

import graphlib
import importlib
import inspect
import json
import re
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol

from tortoise import fields as tortoise_fields
from tortoise.models import Model

from tests.services.servers import asyncpg_dsn
from wellness.db import MODEL_MODULES, sqlite_path

RECORDER_TABLE = "tortoise_migrations"
BASE_TIME = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class RawDatabase(Protocol):
    dialect: str

    async def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]: ...

    async def execute(self, sql: str, *args: Any) -> None: ...


class _Sqlite:
    dialect = "sqlite"

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    async def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        async with self._connection.execute(sql, args) as cursor:
            names = [column[0] for column in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in await cursor.fetchall()]

    async def execute(self, sql: str, *args: Any) -> None:
        await self._connection.execute(sql, args)


class _Postgres:
    dialect = "postgres"

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    @staticmethod
    def _numbered(sql: str) -> str:
        count = iter(range(1, 10_000))
        return re.sub(r"\?", lambda _: f"${next(count)}", sql)

    async def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        return [dict(row) for row in await self._connection.fetch(self._numbered(sql), *args)]

    async def execute(self, sql: str, *args: Any) -> None:
        await self._connection.execute(self._numbered(sql), *args)


@asynccontextmanager
async def raw_database(database_url: str) -> AsyncIterator[RawDatabase]:
    """A plain autocommit connection; queries use `?` placeholders on both dialects."""
    if database_url.startswith("sqlite"):
        import aiosqlite

        async with aiosqlite.connect(sqlite_path(database_url), isolation_level=None) as sqlite:
            await sqlite.execute("PRAGMA foreign_keys = ON")
            yield _Sqlite(sqlite)
        return
    import asyncpg

    postgres = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        yield _Postgres(postgres)
    finally:
        await postgres.close()


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # int, bool, text, datetime, naive_datetime, date, time, float, decimal, ...
    nullable: bool
    generated: bool  # filled by the database: autoincrement, identity, serial, computed
    max_length: int | None = None


@dataclass(frozen=True)
class ForeignKey:
    column: str
    parent: str
    parent_column: str


@dataclass
class Table:
    name: str
    columns: list[Column]
    foreign_keys: list[ForeignKey] = field(default_factory=list)

    @property
    def parents(self) -> set[str]:
        return {fk.parent for fk in self.foreign_keys if fk.parent != self.name}


async def table_names(db: RawDatabase) -> set[str]:
    """Ordinary tables only: no views, no SQLite virtual tables (FTS5) or their shadow tables,
    whose rows SQLite derives from other tables."""
    if db.dialect == "sqlite":
        rows = await db.fetch(
            "SELECT name FROM pragma_table_list "
            "WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        rows = await db.fetch(
            "SELECT table_name AS name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    return {row["name"] for row in rows}


async def count_rows(db: RawDatabase, table: str) -> int:
    rows = await db.fetch(f"SELECT COUNT(*) AS n FROM {quote(table)}")  # noqa: S608
    return int(rows[0]["n"])


async def describe(db: RawDatabase, table: str) -> Table:
    if db.dialect == "sqlite":
        return await _describe_sqlite(db, table)
    return await _describe_postgres(db, table)


async def _describe_sqlite(db: RawDatabase, table: str) -> Table:
    info = await db.fetch(f"PRAGMA table_xinfo({quote(table)})")
    primary_key = [row for row in info if row["pk"]]
    columns = []
    for row in info:
        declared = (row["type"] or "").upper()
        # Only a lone INTEGER PRIMARY KEY is SQLite's rowid alias, filled by the database.
        rowid = len(primary_key) == 1 and row["pk"] and declared == "INTEGER"
        columns.append(
            Column(
                name=row["name"],
                kind=_sqlite_kind(declared, table, row["name"]),
                nullable=not row["notnull"] and not row["pk"],
                generated=bool(rowid) or row["hidden"] != 0,
                max_length=_length(declared),
            )
        )
    foreign_keys = []
    for row in await db.fetch(f"PRAGMA foreign_key_list({quote(table)})"):
        parent_column = row["to"]
        if parent_column is None:  # REFERENCES parent without a column: the parent's primary key
            parent_info = await db.fetch(f"PRAGMA table_info({quote(row['table'])})")
            parent_column = next(col["name"] for col in parent_info if col["pk"])
        foreign_keys.append(ForeignKey(row["from"], row["table"], parent_column))
    _refuse_composite(table, [fk.column for fk in foreign_keys], len(foreign_keys))
    return Table(table, columns, foreign_keys)


def _length(declared: str) -> int | None:
    match = re.search(r"\((\d+)", declared)
    return int(match.group(1)) if match else None


def _sqlite_kind(declared: str, table: str, column: str) -> str:
    hint = MODEL_HINTS.get((table, column))
    # Ordered: specific Tortoise type names first, then SQLite's affinity rules.
    if declared.startswith(("TIMESTAMP", "DATETIME")):
        return "datetime"
    if declared == "DATE":
        return "date"
    if declared == "TIME":
        return "time"
    if declared.startswith("BOOL") or (hint is bool and "INT" in declared):
        return "bool"
    if declared.startswith(("DECIMAL", "NUMERIC")):
        return "decimal"
    if declared in {"JSON", "JSONB"}:
        return "json"
    if declared == "CHAR(36)" or declared == "UUID":
        return "uuid"
    if "INT" in declared:
        return "int"
    if any(word in declared for word in ("CHAR", "CLOB", "TEXT")):
        return "text"
    if any(word in declared for word in ("REAL", "FLOA", "DOUB")):
        return "float"
    if declared == "" or "BLOB" in declared:
        return "bytes"
    raise AssertionError(f"the filler does not know SQLite type {declared!r} ({table}.{column})")


_POSTGRES_KINDS = {
    "smallint": "int",
    "integer": "int",
    "bigint": "int",
    "boolean": "bool",
    "character varying": "text",
    "character": "text",
    "text": "text",
    "timestamp with time zone": "datetime",
    "timestamp without time zone": "naive_datetime",
    "date": "date",
    "time without time zone": "time",
    "time with time zone": "time",
    "numeric": "decimal",
    "real": "float",
    "double precision": "float",
    "json": "json",
    "jsonb": "json",
    "uuid": "uuid_object",
    "bytea": "bytes",
    "interval": "interval",
}


async def _describe_postgres(db: RawDatabase, table: str) -> Table:
    info = await db.fetch(
        "SELECT column_name, data_type, character_maximum_length, is_nullable, column_default, "
        "is_identity, is_generated FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
        table,
    )
    columns = []
    for row in info:
        default = row["column_default"] or ""
        generated = (
            default.startswith("nextval(")
            or row["is_identity"] == "YES"
            or row["is_generated"] == "ALWAYS"
        )
        kind = "generated" if generated else _POSTGRES_KINDS.get(row["data_type"])
        if kind is None:
            raise AssertionError(
                f"the filler does not know PostgreSQL type {row['data_type']!r} "
                f"({table}.{row['column_name']})"
            )
        columns.append(
            Column(
                name=row["column_name"],
                kind=kind,
                nullable=row["is_nullable"] == "YES",
                generated=generated,
                max_length=row["character_maximum_length"],
            )
        )
    rows = await db.fetch(
        "SELECT tc.constraint_name, kcu.column_name, ccu.table_name AS parent, "
        "ccu.column_name AS parent_column "
        "FROM information_schema.table_constraints tc "
        "JOIN information_schema.key_column_usage kcu "
        "  ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema "
        "JOIN information_schema.constraint_column_usage ccu "
        "  ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema "
        "WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() "
        "AND tc.table_name = ?",
        table,
    )
    foreign_keys = [ForeignKey(r["column_name"], r["parent"], r["parent_column"]) for r in rows]
    _refuse_composite(
        table, [fk.column for fk in foreign_keys], len({r["constraint_name"] for r in rows})
    )
    return Table(table, columns, foreign_keys)


def _refuse_composite(table: str, columns: Sequence[str], constraints: int) -> None:
    if len(columns) != constraints or len(set(columns)) != len(columns):
        raise AssertionError(
            f"{table} has a composite or overlapping foreign key; teach the filler about it"
        )


def _model_hints() -> dict[tuple[str, str], Any]:
    """(table, column) -> an enum type or `bool`, from the current models."""
    hints: dict[tuple[str, str], Any] = {}
    for module_name in MODEL_MODULES:
        module = importlib.import_module(module_name)
        for _, model in inspect.getmembers(module, inspect.isclass):
            if not issubclass(model, Model) or model is Model or model._meta.abstract:
                continue
            for name, model_field in model._meta.fields_map.items():
                column = model_field.source_field or name
                if isinstance(
                    model_field,
                    tortoise_fields.data.CharEnumFieldInstance
                    | tortoise_fields.data.IntEnumFieldInstance,
                ):
                    hints[(model._meta.db_table, column)] = model_field.enum_type
                elif isinstance(model_field, tortoise_fields.BooleanField):
                    hints[(model._meta.db_table, column)] = bool
    return hints


MODEL_HINTS = _model_hints()


def value_for(db: RawDatabase, table: str, column: Column, row: int) -> Any:
    """A value for `column` in row number `row`, distinct per row (so unique columns accept it)."""
    sqlite = db.dialect == "sqlite"
    moment = BASE_TIME + timedelta(hours=row, minutes=len(column.name))
    hint = MODEL_HINTS.get((table, column.name))
    if hint is not None and hint is not bool and column.kind in {"text", "int"}:
        choices = [member.value for member in hint]
        return choices[row % len(choices)]
    match column.kind:
        case "int":
            return row + 1
        case "bool":
            return (row % 2 == 0) if not sqlite else int(row % 2 == 0)
        case "text":
            text = f"{row}-{table}.{column.name}"
            return text[: column.max_length] if column.max_length else text
        case "uuid":
            return str(uuid.UUID(int=row + 1))
        case "uuid_object":
            return uuid.UUID(int=row + 1)
        case "datetime":
            return moment.isoformat(sep=" ") if sqlite else moment
        case "naive_datetime":
            return moment.replace(tzinfo=None)
        case "date":
            day = date(2024, 3, 1) + timedelta(days=row)
            return day.isoformat() if sqlite else day
        case "time":
            clock = time(9, row % 60)
            return clock.isoformat() if sqlite else clock
        case "decimal":
            number = Decimal(row) + Decimal("0.25")
            return str(number) if sqlite else number
        case "float":
            return row + 0.5
        case "json":
            return json.dumps({"row": row})
        case "bytes":
            return f"row {row}".encode()
        case "interval":
            return timedelta(minutes=row + 1)
    raise AssertionError(f"no value for kind {column.kind!r}")


async def fill_every_table(db: RawDatabase, *, rows: int = 3, first_row: int = 0) -> dict[str, int]:
    """Insert `rows` rows into every table but the migration recorder, parents first.

    Returns each filled table's row count afterwards. Child row i of a fill references the i-th
    of the newest parent rows, so one-to-one (unique) foreign keys get distinct parents too.
    Rows are numbered from `first_row`: filling again from past the last number adds rows that
    unique columns accept.
    """
    tables = {
        name: await describe(db, name) for name in await table_names(db) if name != RECORDER_TABLE
    }
    order = graphlib.TopologicalSorter(
        {name: table.parents & tables.keys() for name, table in tables.items()}
    ).static_order()
    needed = {
        (fk.parent, fk.parent_column) for table in tables.values() for fk in table.foreign_keys
    }
    referenced: dict[tuple[str, str], list[Any]] = {}
    counts = {}
    for name in order:
        table = tables[name]
        foreign = {fk.column: fk for fk in table.foreign_keys}
        columns = [column for column in table.columns if not column.generated]
        for row in range(first_row, first_row + rows):
            values = []
            for column in columns:
                fk = foreign.get(column.name)
                if fk is None:
                    values.append(value_for(db, name, column, row))
                elif fk.parent == name:
                    if not column.nullable:
                        raise AssertionError(f"{name}.{column.name}: a NOT NULL self-reference")
                    values.append(None)
                else:
                    values.append(
                        _parent_for(
                            referenced[(fk.parent, fk.parent_column)], row - first_row, rows
                        )
                    )
            await db.execute(_insert_sql(name, [column.name for column in columns]), *values)
        for parent, parent_column in needed:
            if parent == name:
                column_values = await db.fetch(
                    f"SELECT {quote(parent_column)} AS v FROM {quote(name)} "  # noqa: S608
                    f"WHERE {quote(parent_column)} IS NOT NULL ORDER BY 1"
                )
                referenced[(name, parent_column)] = [value["v"] for value in column_values]
        counts[name] = await count_rows(db, name)
    return counts


def _parent_for(parent_values: list[Any], nth: int, rows: int) -> Any:
    """The parent of a fill's `nth` child row: the `nth` of the newest `rows` parents (values
    sort in the order the filler made them), so that a unique pair of foreign keys never meets
    a pair of an earlier fill."""
    if len(parent_values) < rows:
        return parent_values[nth % len(parent_values)]
    return parent_values[len(parent_values) - rows + nth]


def _insert_sql(table: str, columns: list[str]) -> str:
    if not columns:
        return f"INSERT INTO {quote(table)} DEFAULT VALUES"
    names = ", ".join(quote(column) for column in columns)
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608
