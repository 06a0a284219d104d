"""Migrations lose no data, apply once, and build exactly the schema the models describe.

The row-count test is parametrised over every migration boundary found on disk, so each
migration added later is covered without editing this file. See stack.md ("Data loss on
SQLite") for the trap the last tests prove defended.
"""

from __future__ import annotations

import asyncio
import pkgutil
import sqlite3
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.fields.relational import ManyToManyFieldInstance
from tortoise.migrations.api import migrate
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.migrations.graph import MigrationKey
from tortoise.migrations.loader import MigrationLoader
from tortoise.migrations.recorder import MigrationRecorder

import wellness.db
import wellness.migrations
from tests.conftest import SEEDED_FLAGS
from tests.services.conftest import Orm, open_orm
from tests.services.migrated_to import upgrade_empty_to
from tests.services.schema import (
    BASE_TIME,
    RECORDER_TABLE,
    RawDatabase,
    count_rows,
    describe,
    fill_every_table,
    raw_database,
    table_names,
)
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession
from wellness.catalog.search import CatalogQuery, search
from wellness.db import APP_LABEL, MigrationError, tortoise_config, upgrade

# Tables a migration renames, old name -> new name. Add an entry only in the commit whose
# migration renames the table; every other table must keep its name and its rows.
RENAMED_TABLES: dict[str, str] = {"care_assignments": "care_team_members"}


def _migration_files() -> list[str]:
    # The loader's own rule: modules not starting with "_" or "~".
    return [
        name
        for _, name, is_package in pkgutil.iter_modules(wellness.migrations.__path__)
        if not is_package and name[0] not in "_~"
    ]


MIGRATION_COUNT = len(_migration_files())


class _NothingApplied(MigrationRecorder):
    def __init__(self) -> None:
        super().__init__(connection=None)

    async def applied_migrations(self) -> list[MigrationKey]:
        return []


async def migration_names() -> list[str]:
    """Every migration of the app in the order `upgrade` applies them (from Tortoise's graph)."""
    loader = MigrationLoader(tortoise_config("sqlite://:memory:")["apps"], _NothingApplied())
    await loader.build_graph()
    leaves = loader.graph.leaf_nodes(APP_LABEL)
    assert len(leaves) == 1, f"the migration graph has several heads, merge them: {leaves}"
    return [key.name for key in loader.graph.forwards_plan(leaves[0]) if key.app_label == APP_LABEL]


def test_it_finds_every_migration_file_in_the_graph() -> None:
    names = asyncio.run(migration_names())
    assert sorted(names) == sorted(_migration_files())
    assert names[0] == "0001_initial"


async def rows_lost(
    url: str, *, target: str, migrate_rest: Callable[[], Awaitable[list[str]]]
) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Migrate to `target`, fill every table, run `migrate_rest`; return what lost rows.

    The answer maps each table with fewer rows afterwards to (before, after), with the names
    of the migrations that ran after filling.
    """
    applied = await upgrade(url, target=target)
    assert applied, f"nothing to apply up to {target}"
    async with raw_database(url) as db:
        before = await fill_every_table(db, rows=3)
    assert before, "no table to fill"
    assert all(count >= 3 for count in before.values()), before

    rest = await migrate_rest()

    async with raw_database(url) as db:
        present = await table_names(db)
        after = {}
        for table in before:
            now_named = RENAMED_TABLES.get(table, table)
            assert now_named in present, f"{table} disappeared in {rest}"
            after[table] = await count_rows(db, now_named)
    lost = {
        table: (before[table], after[table]) for table in before if after[table] < before[table]
    }
    return lost, rest


def test_it_keeps_every_row_through_each_later_migration(any_database_url: str) -> None:
    """Walk from the first migration to the last, one at a time, putting rows in every table
    before each (more rows in those filled before): no migration loses a row of any table.

    Rows put in at every boundary meet every later migration, as if each boundary were tested
    on its own, for one application of each migration instead of one per boundary after it.
    The last fill proves the filler fits the current schema.
    """
    url = any_database_url

    async def walk() -> None:
        names = [f"{APP_LABEL}.{name}" for name in await migration_names()]
        assert await upgrade(url, target=names[0]) == names[:1]
        kept: dict[str, int] = {}
        for step, name in enumerate(names):
            if step:
                assert await upgrade(url, target=name) == [name]
            async with raw_database(url) as db:
                present = await table_names(db)
                for table, count in list(kept.items()):
                    now_named = table if table in present else RENAMED_TABLES.get(table, table)
                    assert now_named in present, f"{table} disappeared in {name}"
                    now = await count_rows(db, now_named)
                    assert now >= count, f"{name} lost rows of {table}: {count} before, {now} after"
                kept = await fill_every_table(db, rows=3, first_row=3 * step)
        assert kept, "no table to fill"

    asyncio.run(walk())


def test_it_keeps_the_first_rows_through_all_later_migrations_in_one_upgrade(
    any_database_url: str,
) -> None:
    """Rows put in at the first migration, then every later one in a single `upgrade`, as a
    clinic upgrading from the first release does: no table lost a row."""
    url = any_database_url

    async def scenario() -> None:
        names = await migration_names()
        lost, rest = await rows_lost(
            url, target=f"{APP_LABEL}.{names[0]}", migrate_rest=lambda: upgrade(url)
        )
        assert rest == [f"{APP_LABEL}.{name}" for name in names[1:]]
        assert not lost, f"rows lost (before, after) by {rest}: {lost}"

    asyncio.run(scenario())


def test_it_applies_nothing_the_second_time(any_database_url: str) -> None:
    async def scenario() -> tuple[list[str], list[str], list[str]]:
        first = await upgrade(any_database_url)
        second = await upgrade(any_database_url)
        async with raw_database(any_database_url) as db:
            recorded = await db.fetch(f'SELECT name FROM "{RECORDER_TABLE}" ORDER BY name')  # noqa: S608
        return first, second, [row["name"] for row in recorded]

    first, second, recorded = asyncio.run(scenario())
    names = asyncio.run(migration_names())
    assert first == [f"{APP_LABEL}.{name}" for name in names]
    assert second == []
    assert recorded == sorted(names)


async def _flags(database_url: str) -> set[str]:
    async with raw_database(database_url) as db:
        return {row["key"] for row in await db.fetch("SELECT key FROM instance_flags")}


def test_a_fresh_database_holds_the_change_tokens_the_test_databases_start_with(
    any_database_url: str,
) -> None:
    asyncio.run(upgrade(any_database_url))

    assert asyncio.run(_flags(any_database_url)) == set(SEEDED_FLAGS)


def test_each_test_database_starts_as_a_freshly_migrated_one(orm: Orm) -> None:
    """PostgreSQL runs empty one database between tests rather than migrating it again."""
    assert asyncio.run(_flags(orm.database_url)) == set(SEEDED_FLAGS)


def _model_schema() -> dict[str, set[str]]:
    """table -> columns, as the current models describe them (M2M through tables included)."""

    async def load() -> dict[str, set[str]]:
        config = tortoise_config("sqlite://:memory:")
        async with TortoiseContext() as context:
            await context.init(config=config, init_connections=False)
            assert context.apps is not None  # set by init
            schema: dict[str, set[str]] = {}
            for model in context.apps[APP_LABEL].values():
                meta = model._meta
                schema[meta.db_table] = set(meta.fields_db_projection.values())
                for m2m in meta.m2m_fields:
                    through = meta.fields_map[m2m]
                    assert isinstance(through, ManyToManyFieldInstance)
                    schema.setdefault(through.through, {through.backward_key, through.forward_key})
            return schema

    return asyncio.run(load())


def test_it_creates_every_model_table_and_column_on_an_empty_database(
    any_database_url: str,
) -> None:
    """Every model table and column exists after `upgrade`; the only others are the migration
    record and columns the database computes itself (such as a generated search vector)."""
    expected = _model_schema()

    async def actual_schema() -> dict[str, dict[str, bool]]:
        await upgrade(any_database_url)
        async with raw_database(any_database_url) as db:
            return {
                table: {
                    column.name: column.generated for column in (await describe(db, table)).columns
                }
                for table in await table_names(db)
            }

    actual = asyncio.run(actual_schema())
    assert {"users", "audit_events", "instance_flags"} <= expected.keys()
    assert actual.keys() == expected.keys() | {RECORDER_TABLE}
    for table, columns in expected.items():
        assert columns <= actual[table].keys(), (table, columns - actual[table].keys())
        extra = {name for name in actual[table].keys() - columns if not actual[table][name]}
        assert not extra, f"{table} has columns no model describes: {extra}"


def test_it_has_a_migration_for_every_model_change() -> None:
    """What `tortoise makemigrations` would write now: nothing, or a model change lacks one."""

    async def pending() -> list[Any]:
        config = tortoise_config("sqlite://:memory:")
        async with TortoiseContext() as context:
            await context.init(config=config, init_connections=False)
            assert context.apps is not None  # set by init
            writers = await MigrationAutodetector(context.apps, config["apps"]).changes()
            return [operation.describe() for writer in writers for operation in writer.operations]

    assert asyncio.run(pending()) == []


# --- The SQLite table-rebuild trap -------------------------------------------------------

TRAP_MODELS = """
from tortoise import fields
from tortoise.models import Model


class Parent(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)

    class Meta:
        table = "trap_parents"


class Child(Model):
    id = fields.IntField(primary_key=True)
    parent = fields.ForeignKeyField(
        "trap.Parent", related_name="children", on_delete=fields.CASCADE
    )
    note = fields.CharField(max_length=50)

    class Meta:
        table = "trap_children"
"""

# Written by `tortoise makemigrations` (tortoise-orm 1.1.9) for the models above, first with
# name max_length=20, then after widening it to 200; only long lines were wrapped.
TRAP_INITIAL = """
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Parent',
            fields=[
                ('id', fields.IntField(
                    generated=True, primary_key=True, unique=True, db_index=True
                )),
                ('name', fields.CharField(max_length=20)),
            ],
            options={'table': 'trap_parents', 'app': 'trap', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Child',
            fields=[
                ('id', fields.IntField(
                    generated=True, primary_key=True, unique=True, db_index=True
                )),
                ('parent', fields.ForeignKeyField(
                    'trap.Parent', source_field='parent_id', db_constraint=True, to_field='id',
                    related_name='children', on_delete=OnDelete.CASCADE,
                )),
                ('note', fields.CharField(max_length=50)),
            ],
            options={'table': 'trap_children', 'app': 'trap', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
"""

TRAP_WIDEN = """
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('trap', '0001_initial')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Parent',
            name='name',
            field=fields.CharField(max_length=200),
        ),
    ]
"""

CHILDREN = [(1, 1, "first of parent 1"), (2, 1, "second of parent 1"), (3, 2, "only of parent 2")]


@pytest.fixture
def trap_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A throwaway app "trap" (parent + child with ON DELETE CASCADE) in a package of its own.

    `wellness.db.tortoise_config` is swapped for one naming this app, so the real
    `wellness.db.upgrade` migrates it. Returns the SQLite URL of an empty database.
    """
    package = f"trap_{uuid.uuid4().hex}"
    root = tmp_path / "code" / package
    (root / "migrations").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "models.py").write_text(TRAP_MODELS)
    (root / "migrations" / "__init__.py").write_text("")
    (root / "migrations" / "0001_initial.py").write_text(TRAP_INITIAL)
    (root / "migrations" / "0002_widen.py").write_text(TRAP_WIDEN)
    monkeypatch.syspath_prepend(str(tmp_path / "code"))
    for name in [name for name in sys.modules if name.startswith(package)]:
        monkeypatch.delitem(sys.modules, name)

    real_config = wellness.db.tortoise_config

    def trap_config(database_url: str, *, foreign_keys: bool = True) -> dict[str, Any]:
        config = real_config(database_url, foreign_keys=foreign_keys)
        config["apps"] = {
            "trap": {
                "models": [f"{package}.models"],
                "default_connection": "default",
                "migrations": f"{package}.migrations",
            }
        }
        return config

    monkeypatch.setattr(wellness.db, "tortoise_config", trap_config)
    yield f"sqlite://{tmp_path / 'trap.sqlite3'}"
    for name in [name for name in sys.modules if name.startswith(package)]:
        del sys.modules[name]


def _sqlite(url: str) -> sqlite3.Connection:
    connection = sqlite3.connect(wellness.db.sqlite_path(url))
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def _fill_trap(url: str) -> None:
    with _sqlite(url) as connection:
        connection.executemany(
            "INSERT INTO trap_parents (id, name) VALUES (?, ?)", [(1, "one"), (2, "two")]
        )
        connection.executemany(
            "INSERT INTO trap_children (id, parent_id, note) VALUES (?, ?, ?)", CHILDREN
        )
    connection.close()


def _children(url: str) -> list[tuple[int, int, str]]:
    connection = _sqlite(url)
    try:
        return connection.execute(
            "SELECT id, parent_id, note FROM trap_children ORDER BY id"
        ).fetchall()
    finally:
        connection.close()


def _parent_ddl(url: str) -> str:
    connection = _sqlite(url)
    try:
        row = connection.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'trap_parents'"
        ).fetchone()
        return str(row[0])
    finally:
        connection.close()


def test_it_keeps_child_rows_when_a_migration_rebuilds_their_parent_table(trap_app: str) -> None:
    """Widening a parent's column makes Tortoise rebuild the parent table on SQLite
    (`SqliteSchemaEditor._remake_table`: CREATE new__t, copy, DROP t, RENAME). `upgrade` runs
    that with foreign keys OFF, so dropping the old parent cascades to nothing; afterwards the
    children's references point at the rebuilt table and still cascade.
    """
    url = trap_app
    assert asyncio.run(upgrade(url, target="trap.0001_initial")) == ["trap.0001_initial"]
    _fill_trap(url)
    assert "VARCHAR(20)" in _parent_ddl(url)

    assert asyncio.run(upgrade(url)) == ["trap.0002_widen"]

    assert "VARCHAR(200)" in _parent_ddl(url), "the parent table was not rebuilt"
    assert _children(url) == CHILDREN
    connection = _sqlite(url)
    try:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        references = connection.execute("PRAGMA foreign_key_list(trap_children)").fetchall()
        assert [(row[2], row[3], row[4], row[6]) for row in references] == [
            ("trap_parents", "parent_id", "id", "CASCADE")
        ]
        with connection:
            connection.execute("DELETE FROM trap_parents WHERE id = 1")
        remaining = connection.execute("SELECT id FROM trap_children").fetchall()
        assert remaining == [(3,)], "the rebuilt parent no longer cascades to its children"
    finally:
        connection.close()


def test_it_would_lose_child_rows_if_the_rebuild_ran_with_foreign_keys_on(trap_app: str) -> None:
    """The control: the same migration through Tortoise's own `migrate` on a connection with
    foreign keys ON (Tortoise's SQLite default) deletes every child row, silently. This is
    upstream behaviour in tortoise-orm 1.1.9; it is why `upgrade` turns them OFF. Should this
    test start failing, Tortoise now rebuilds tables safely and the defence is belt and braces.
    """
    url = trap_app
    asyncio.run(upgrade(url, target="trap.0001_initial"))
    _fill_trap(url)

    async def migrate_with_foreign_keys_on() -> None:
        try:
            await migrate(config=wellness.db.tortoise_config(url, foreign_keys=True))
        finally:
            await Tortoise.close_connections()

    asyncio.run(migrate_with_foreign_keys_on())

    assert "VARCHAR(200)" in _parent_ddl(url)
    assert _children(url) == []


def test_it_refuses_an_upgrade_that_leaves_dangling_references(trap_app: str) -> None:
    """With foreign keys OFF nothing stops a rebuild from breaking references; the check after
    migrating does. A child pointing at a missing parent makes `upgrade` raise."""
    url = trap_app
    asyncio.run(upgrade(url, target="trap.0001_initial"))
    _fill_trap(url)
    connection = sqlite3.connect(wellness.db.sqlite_path(url))  # foreign keys off: allows it
    with connection:
        connection.execute(
            "INSERT INTO trap_children (id, parent_id, note) VALUES (4, 99, 'orphan')"
        )
    connection.close()

    with pytest.raises(MigrationError, match="foreign key check failed"):
        asyncio.run(upgrade(url))
    assert len(_children(url)) == 4


def test_the_generic_row_check_notices_the_trap_and_the_defence(trap_app: str) -> None:
    """The generic filler and counter, pointed at the trap app, report the children lost
    when the rebuild runs with foreign keys ON, and nothing lost through `upgrade`."""
    url = trap_app

    async def with_foreign_keys_on() -> list[str]:
        try:
            await migrate(config=wellness.db.tortoise_config(url, foreign_keys=True))
        finally:
            await Tortoise.close_connections()
        return ["trap.0002_widen"]

    lost, _ = asyncio.run(
        rows_lost(url, target="trap.0001_initial", migrate_rest=with_foreign_keys_on)
    )
    assert lost == {"trap_children": (3, 0)}

    safe_url = url.replace("trap.sqlite3", "trap-safe.sqlite3")
    lost, rest = asyncio.run(
        rows_lost(safe_url, target="trap.0001_initial", migrate_rest=lambda: upgrade(safe_url))
    )
    assert (lost, rest) == ({}, ["trap.0002_widen"])


def test_it_fills_and_keeps_the_practice_assignment_tables(any_database_url: str) -> None:
    """Migration 0008's tables are among those the boundary test fills (so every later
    migration is proved to keep their rows), and a no-op upgrade keeps them."""
    url = any_database_url

    async def scenario() -> tuple[dict[str, tuple[int, int]], dict[str, int]]:
        await upgrade(url)
        async with raw_database(url) as db:
            filled = await fill_every_table(db, rows=3)
        await upgrade(url)
        async with raw_database(url) as db:
            counts = {table: await count_rows(db, table) for table in filled}
        lost = {t: (filled[t], counts[t]) for t in filled if counts[t] < filled[t]}
        return lost, filled

    lost, filled = asyncio.run(scenario())
    new_tables = {"care_practice_assignments", "care_assignment_versions", "care_assignment_pauses"}
    assert new_tables <= filled.keys()
    assert all(filled[table] >= 3 for table in new_tables)
    assert lost == {}


def test_it_keeps_suggestion_logs_and_their_links_to_practice(any_database_url: str) -> None:
    """Migration 0009's tables are filled by the boundary test like every other (so later
    migrations are proved to keep their rows); a no-op upgrade keeps them, and a practice is
    linked to at most one list."""
    url = any_database_url

    async def scenario() -> tuple[dict[str, int], dict[str, int], list[str]]:
        await upgrade(url)
        async with raw_database(url) as db:
            filled = await fill_every_table(db, rows=3)
        await upgrade(url)
        async with raw_database(url) as db:
            counts = {table: await count_rows(db, table) for table in filled}
            columns = [column.name for column in (await describe(db, "suggestion_follows")).columns]
        return filled, counts, columns

    filled, counts, columns = asyncio.run(scenario())
    for table in ("suggestion_logs", "suggestion_follows"):
        assert filled[table] >= 3
        assert counts[table] == filled[table]
    assert {"suggestion_id", "practice_id", "session_id", "linked_at"} <= set(columns)


def test_links_made_before_the_named_column_count_as_named(any_database_url: str) -> None:
    """Migration 0013: every link that existed was one a practice named; the report must not
    count them as the app's."""
    url = any_database_url

    async def scenario() -> list[Any]:
        await upgrade_empty_to(url, f"{APP_LABEL}.0012_checkin_adopted_from")
        async with raw_database(url) as db:
            filled = await fill_every_table(db, rows=3)
        assert filled["suggestion_follows"] >= 3
        await upgrade(url)
        async with raw_database(url) as db:
            rows = await db.fetch("SELECT named FROM suggestion_follows")
        return [row["named"] for row in rows]

    named = asyncio.run(scenario())
    assert len(named) >= 3
    assert all(value in (True, 1) for value in named), named


# --- Migration 0014: tags in the full-text search ---------------------------------------------

BEFORE_TAG_SEARCH = f"{APP_LABEL}.0013_suggestion_follow_named"
TAG_SEARCH = f"{APP_LABEL}.0014_search_tags"


async def _add_tagged_session(db: RawDatabase, title: str, tags: list[str]) -> None:
    """A published session and its tags, written the way a database before 0014 held them."""
    moment = BASE_TIME if db.dialect == "postgres" else BASE_TIME.isoformat(sep=" ")
    await db.execute(
        "INSERT INTO practice_sessions (title, kind, description, instructor, language, level, "
        "posture, guidance, transcript, anxiety_min, anxiety_max, contraindications, status, "
        "duration_seconds, created_at, updated_at) VALUES (?, 'sleep', 'A practice to rest.', "
        "'Mira Okafor', 'en', 'beginner', 'lying', 'guided', '', 0, 10, '[]', 'published', 300, "
        "?, ?)",
        title,
        moment,
        moment,
    )
    session_id = (await db.fetch("SELECT id FROM practice_sessions WHERE title = ?", title))[0]
    for tag in tags:
        await db.execute(
            "INSERT INTO session_tags (session_id, tag) VALUES (?, ?)", session_id["id"], tag
        )


def _search_and_tag_texts(url: str, texts: list[str]) -> tuple[dict[str, list[str]], Any]:
    """What the catalog's search finds for each of `texts`, and each session's tag_text."""
    with open_orm(url) as orm:
        found = {
            text: [
                row.title
                for row in orm.run(search(CatalogQuery(statuses=frozenset(Status), text=text))).rows
            ]
            for text in texts
        }
        return found, dict(orm.run(PracticeSession.all().values_list("title", "tag_text")))


def test_sessions_tagged_before_migration_0014_are_found_by_their_tags(
    any_database_url: str,
) -> None:
    url = any_database_url

    async def before() -> list[str]:
        await upgrade_empty_to(url, BEFORE_TAG_SEARCH)
        async with raw_database(url) as db:
            await _add_tagged_session(db, "Drifting off", ["insomnia", "bedtime", "acute distress"])
            await _add_tagged_session(db, "Box breathing", ["focus"])
            await _add_tagged_session(db, "Untagged", [])
        return await upgrade(url)

    assert TAG_SEARCH in asyncio.run(before())

    texts = ["insomnia", "acute distress", "bed", "focus", "drifting", "mira"]
    found, tag_texts = _search_and_tag_texts(url, texts)
    assert sorted(found.pop("mira")) == ["Box breathing", "Drifting off", "Untagged"]
    assert found == {
        "insomnia": ["Drifting off"],
        "acute distress": ["Drifting off"],
        "bed": ["Drifting off"],
        "focus": ["Box breathing"],
        "drifting": ["Drifting off"],
    }
    assert tag_texts == {
        "Drifting off": "acute distress bedtime insomnia",
        "Box breathing": "focus",
        "Untagged": "",
    }


async def _schema_objects(db: RawDatabase) -> set[tuple[str, ...]]:
    """Columns, indexes and triggers with their definitions (not those of the tables, which a
    SQLite rebuild writes differently)."""
    if db.dialect == "sqlite":
        rows = await db.fetch(
            "SELECT type, name, tbl_name, CASE WHEN type = 'table' AND name <> 'session_search' "
            "THEN '' ELSE sql END AS sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        )
        columns = await db.fetch(
            "SELECT m.name AS tbl, c.name AS name FROM sqlite_master m, "
            "pragma_table_xinfo(m.name) c WHERE m.type = 'table'"
        )
        return {(row["type"], row["name"], row["tbl_name"], row["sql"] or "") for row in rows} | {
            ("column", row["tbl"], row["name"]) for row in columns
        }
    columns = await db.fetch(
        "SELECT table_name, column_name, coalesce(generation_expression, '') AS expression "
        "FROM information_schema.columns WHERE table_schema = current_schema()"
    )
    indexes = await db.fetch(
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
    )
    triggers = await db.fetch(
        "SELECT event_object_table, trigger_name, event_manipulation, action_statement "
        "FROM information_schema.triggers WHERE trigger_schema = current_schema()"
    )
    return (
        {("column", *map(str, row.values())) for row in columns}
        | {("index", *map(str, row.values())) for row in indexes}
        | {("trigger", *map(str, row.values())) for row in triggers}
    )


def test_undoing_migration_0014_restores_the_schema_before_it(any_database_url: str) -> None:
    """Tortoise drops the column on SQLite by rebuilding the table, which drops its triggers and
    indexes; undoing 0014 creates them again, so search and the catalog token work on as before,
    and upgrading again indexes every session's tags."""
    url = any_database_url

    async def there_and_back() -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
        await upgrade_empty_to(url, BEFORE_TAG_SEARCH)
        async with raw_database(url) as db:
            await _add_tagged_session(db, "Drifting off", ["insomnia"])
            before = await _schema_objects(db)
        assert await upgrade(url, target=TAG_SEARCH) == [TAG_SEARCH]
        await upgrade(url, target=BEFORE_TAG_SEARCH)
        async with raw_database(url) as db:
            after = await _schema_objects(db)
            await _add_tagged_session(db, "Box breathing", ["focus"])
        assert TAG_SEARCH in await upgrade(url)
        return before, after

    before, after = asyncio.run(there_and_back())
    assert after == before, (before - after, after - before)
    found, _ = _search_and_tag_texts(url, ["insomnia", "focus", "box"])
    assert found == {
        "insomnia": ["Drifting off"],
        "focus": ["Box breathing"],
        "box": ["Box breathing"],
    }


# --- The alert e-mails migration: the outbox and each account's choice -----------------------

# Found by its name rather than its number, which a merge may change.
ALERT_EMAILS = f"{APP_LABEL}." + next(
    name for name in _migration_files() if name.endswith("_alert_notifications")
)


async def _before_alert_emails() -> str:
    names = await migration_names()
    return f"{APP_LABEL}.{names[names.index(ALERT_EMAILS.split('.', 1)[1]) - 1]}"


def test_accounts_made_before_alert_emails_take_them(any_database_url: str) -> None:
    """Every existing account starts with alert e-mails on, as new ones do."""
    url = any_database_url

    async def scenario() -> list[Any]:
        await upgrade(url, target=await _before_alert_emails())
        async with raw_database(url) as db:
            filled = await fill_every_table(db, rows=3)
        assert filled["users"] >= 3
        assert ALERT_EMAILS in await upgrade(url)
        async with raw_database(url) as db:
            rows = await db.fetch("SELECT alert_emails FROM users")
            outbox = await db.fetch("SELECT COUNT(*) AS n FROM alert_email_outbox")
        assert outbox[0]["n"] == 0
        return [row["alert_emails"] for row in rows]

    taken = asyncio.run(scenario())
    assert len(taken) >= 3
    assert all(value in (True, 1) for value in taken), taken


def test_undoing_the_alert_emails_migration_restores_the_schema_before_it(
    any_database_url: str,
) -> None:
    """Dropping the column rebuilds users on SQLite, which drops migration 0011's care token
    triggers on it; undoing creates them again, and keeps every account."""
    url = any_database_url

    async def there_and_back() -> tuple[set[tuple[str, ...]], set[tuple[str, ...]], int]:
        before_it = await _before_alert_emails()
        await upgrade_empty_to(url, before_it)
        async with raw_database(url) as db:
            await fill_every_table(db, rows=3)
            before = await _schema_objects(db)
        assert await upgrade(url, target=ALERT_EMAILS) == [ALERT_EMAILS]
        await upgrade(url, target=before_it)
        async with raw_database(url) as db:
            after = await _schema_objects(db)
            users = await count_rows(db, "users")
        assert await upgrade(url, target=ALERT_EMAILS) == [ALERT_EMAILS]
        return before, after, users

    before, after, users = asyncio.run(there_and_back())
    assert after == before, (before - after, after - before)
    assert users >= 3


# --- Migration 0018: clinician notes, written once ----------------------------------------------

BEFORE_NOTES = f"{APP_LABEL}.0017_practice_other_label"
NOTES = f"{APP_LABEL}.0018_clinical_notes"
NOTE_TABLES = ("clinical_notes", "clinical_note_addenda")


async def _functions(db: RawDatabase) -> set[str]:
    if db.dialect == "sqlite":
        return set()
    rows = await db.fetch(
        "SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema()"
    )
    return {row["name"] for row in rows}


async def _add_note(db: RawDatabase) -> None:
    """A note and its addendum, on the first user (the filled tables hold users)."""
    postgres = db.dialect == "postgres"
    day = date(2026, 11, 24) if postgres else "2026-11-24"
    moment = BASE_TIME if postgres else BASE_TIME.isoformat(sep=" ")
    [user] = await db.fetch("SELECT min(id) AS id FROM users")
    await db.execute(
        "INSERT INTO clinical_notes (patient_id, author_id, kind, contact_date, text, written_at) "
        "VALUES (?, ?, 'session', ?, 'as written', ?)",
        user["id"],
        user["id"],
        day,
        moment,
    )
    [note] = await db.fetch("SELECT id FROM clinical_notes")
    await db.execute(
        "INSERT INTO clinical_note_addenda (note_id, author_id, text, written_at) "
        "VALUES (?, ?, 'later', ?)",
        note["id"],
        user["id"],
        moment,
    )


async def _refusal(db: RawDatabase, sql: str) -> str:
    try:
        await db.execute(sql)
    except Exception as refused:  # the driver's own error class
        return str(refused)
    return ""


def test_undoing_migration_0018_restores_the_schema_before_it(any_database_url: str) -> None:
    """Up with notes in it, down, up again: the schema before 0018 comes back exactly (the
    tables, their indexes, the triggers and PostgreSQL's trigger function go), and after the
    second upgrade the database refuses to change a note again."""
    url = any_database_url

    async def there_and_back() -> dict[str, Any]:
        await upgrade_empty_to(url, BEFORE_NOTES)
        async with raw_database(url) as db:
            before = (await _schema_objects(db), await _functions(db))
        assert await upgrade(url, target=NOTES) == [NOTES]
        async with raw_database(url) as db:
            filled = await fill_every_table(db, rows=3)
        await upgrade(url, target=BEFORE_NOTES)
        async with raw_database(url) as db:
            after = (await _schema_objects(db), await _functions(db))
            tables_between = await table_names(db)
        assert await upgrade(url, target=NOTES) == [NOTES]
        async with raw_database(url) as db:
            await _add_note(db)
            refusals = [
                await _refusal(db, f"UPDATE {table} SET text = 'rewritten'")  # noqa: S608
                for table in NOTE_TABLES
            ] + [await _refusal(db, f"DELETE FROM {table}") for table in NOTE_TABLES]  # noqa: S608
            texts = [row["text"] for row in await db.fetch("SELECT text FROM clinical_notes")]
        return {
            "before": before,
            "after": after,
            "filled": filled,
            "between": tables_between,
            "refusals": refusals,
            "texts": texts,
        }

    found = asyncio.run(there_and_back())
    assert all(found["filled"][table] >= 3 for table in NOTE_TABLES)
    assert not set(NOTE_TABLES) & set(found["between"])
    before_objects, before_functions = found["before"]
    after_objects, after_functions = found["after"]
    assert after_objects == before_objects, (
        before_objects - after_objects,
        after_objects - before_objects,
    )
    assert after_functions == before_functions
    assert all("clinical notes are never changed or deleted" in text for text in found["refusals"])
    assert found["texts"] == ["as written"]


# --- The clinical reviews migration (named here by its suffix only) -------------------------------


def _migration_and_the_one_before(suffix: str) -> tuple[str, str]:
    """(the migration before it, the migration whose name ends in `suffix`), as the graph
    orders them: tests name a migration by its suffix, so renumbering one changes no test."""
    names = asyncio.run(migration_names())
    [index] = [at for at, name in enumerate(names) if name.endswith(suffix)]
    return f"{APP_LABEL}.{names[index - 1]}", f"{APP_LABEL}.{names[index]}"


def test_the_reviews_migration_adds_its_table_and_undoing_it_restores_the_schema(
    any_database_url: str,
) -> None:
    """A new table only: the catalog's tables, triggers and indexes are as they were, before
    and after undoing it; a review written after it keeps its draft from being deleted."""
    url = any_database_url
    before_reviews, reviews = _migration_and_the_one_before("_session_reviews")

    async def there_and_back() -> tuple[set[tuple[str, ...]], set[tuple[str, ...]], list[Any]]:
        await upgrade_empty_to(url, before_reviews)
        async with raw_database(url) as db:
            await _add_tagged_session(db, "Box breathing", ["focus"])
            before = await _schema_objects(db)
        assert await upgrade(url, target=reviews) == [reviews]
        async with raw_database(url) as db:
            [session] = await db.fetch("SELECT id FROM practice_sessions")
            moment = BASE_TIME if db.dialect == "postgres" else BASE_TIME.isoformat(sep=" ")
            await db.execute(
                "INSERT INTO session_reviews (session_id, decision, comment, version, "
                "reviewed_at) VALUES (?, 'approved', '', ?, ?)",
                session["id"],
                "0" * 64,
                moment,
            )
            stored = await db.fetch("SELECT decision, version FROM session_reviews")
        await upgrade(url, target=before_reviews)
        async with raw_database(url) as db:
            after = await _schema_objects(db)
        return before, after, stored

    before, after, stored = asyncio.run(there_and_back())
    assert stored == [{"decision": "approved", "version": "0" * 64}]
    assert after == before, (before - after, after - before)
    assert "session_reviews" not in {name for kind, name, *_ in after if kind == "table"}
    found, _ = _search_and_tag_texts(url, ["box"])  # search and its triggers work on
    assert found == {"box": ["Box breathing"]}


# --- The practice reminders migration (named here by its suffix only) ----------------------------


async def _add_patient(db: RawDatabase, moment: Any) -> dict[str, Any]:
    """A patient's account as the users table holds it since the alert e-mails' migration."""
    await db.execute(
        "INSERT INTO users (email, display_name, role, time_zone, password_hash, "
        "is_active, session_epoch, is_demo, hide_streaks, alert_emails, created_at) "
        "VALUES ('p@example.org', 'P', 'patient', 'Europe/Berlin', 'x', ?, 0, ?, ?, ?, ?)",
        True,
        False,
        False,
        True,
        moment,
    )
    [user] = await db.fetch("SELECT id FROM users")
    return user


def test_the_reminders_migration_adds_its_tables_and_undoing_it_restores_the_schema(
    any_database_url: str,
) -> None:
    """New tables only: users and its triggers are as they were, before and after undoing it;
    a patient's reminder and its e-mail are stored after it, and go with the patient."""
    url = any_database_url
    before_reminders, reminders = _migration_and_the_one_before("_practice_reminders")

    async def there_and_back() -> tuple[
        set[tuple[str, ...]], set[tuple[str, ...]], list[Any], list[Any], list[Any]
    ]:
        await upgrade_empty_to(url, before_reminders)
        async with raw_database(url) as db:
            before = await _schema_objects(db)
        assert await upgrade(url, target=reminders) == [reminders]
        async with raw_database(url) as db:
            moment = BASE_TIME if db.dialect == "postgres" else BASE_TIME.isoformat(sep=" ")
            user = await _add_patient(db, moment)
            await db.execute(
                "INSERT INTO practice_reminders (patient_id, enabled, minute, weekdays, "
                "time_zone, next_due_at, updated_at) VALUES (?, ?, 1110, 127, 'Europe/Berlin', "
                "?, ?)",
                user["id"],
                True,
                moment,
                moment,
            )
            await db.execute(
                "INSERT INTO reminder_emails (patient_id, due_at, status, created_at, "
                "next_attempt_at, attempts, claim, last_error) "
                "VALUES (?, ?, 'sent', ?, ?, 1, '', '')",
                user["id"],
                moment,
                moment,
                moment,
            )
            reminder = await db.fetch("SELECT minute, weekdays FROM practice_reminders")
            sent = await db.fetch("SELECT status, attempts FROM reminder_emails")
            await db.execute("DELETE FROM users WHERE id = ?", user["id"])
            left = await db.fetch(
                "SELECT (SELECT count(*) FROM practice_reminders) AS reminders, "
                "(SELECT count(*) FROM reminder_emails) AS emails"
            )
        await upgrade(url, target=before_reminders)
        async with raw_database(url) as db:
            after = await _schema_objects(db)
        return before, after, reminder, sent, left

    before, after, reminder, sent, left = asyncio.run(there_and_back())
    assert reminder == [{"minute": 1110, "weekdays": 127}]
    assert sent == [{"status": "sent", "attempts": 1}]
    assert left == [{"reminders": 0, "emails": 0}]  # deleted with the patient
    assert after == before, (before - after, after - before)
    tables = {name for kind, name, *_ in after if kind == "table"}
    assert not {"practice_reminders", "reminder_emails"} & tables


# --- The collections migration (named here by its suffix only) -----------------------------------

COLLECTION_TABLES = ("collections", "collection_entries")


async def _catalog_token(db: RawDatabase) -> str:
    [row] = await db.fetch("SELECT value FROM instance_flags WHERE key = 'catalog_version'")
    return str(row["value"])


def test_the_collections_migration_adds_its_tables_and_undoing_it_restores_the_schema(
    any_database_url: str,
) -> None:
    """Two new tables: the catalog's tables, triggers and indexes are as they were, before and
    after undoing it. A collection written after it renews the catalog's change token and keeps
    its session from being deleted; search works on."""
    url = any_database_url
    before_collections, collections_migration = _migration_and_the_one_before("_collections")

    async def there_and_back() -> dict[str, Any]:
        found: dict[str, Any] = {}
        await upgrade_empty_to(url, before_collections)
        async with raw_database(url) as db:
            await _add_tagged_session(db, "Box breathing", ["focus"])
            found["before"] = await _schema_objects(db)
        assert await upgrade(url, target=collections_migration) == [collections_migration]
        async with raw_database(url) as db:
            [session] = await db.fetch("SELECT id FROM practice_sessions")
            moment = BASE_TIME if db.dialect == "postgres" else BASE_TIME.isoformat(sep=" ")
            tokens = [await _catalog_token(db)]
            await db.execute(
                "INSERT INTO collections (title, live_title, description, status, created_at, "
                "updated_at) VALUES ('Week', 'week', '', 'draft', ?, ?)",
                moment,
                moment,
            )
            tokens.append(await _catalog_token(db))
            [collection] = await db.fetch("SELECT id FROM collections")
            await db.execute(
                "INSERT INTO collection_entries (collection_id, session_id, position) "
                "VALUES (?, ?, 0)",
                collection["id"],
                session["id"],
            )
            tokens.append(await _catalog_token(db))
            found["tokens"] = tokens
            try:
                await db.execute("DELETE FROM practice_sessions")
                found["deleted"] = True
            except Exception:
                found["deleted"] = False
            found["stored"] = await db.fetch(
                "SELECT c.title, e.position FROM collections c "
                "JOIN collection_entries e ON e.collection_id = c.id"
            )
        await upgrade(url, target=before_collections)
        async with raw_database(url) as db:
            found["after"] = await _schema_objects(db)
        return found

    found = asyncio.run(there_and_back())
    assert len(set(found["tokens"])) == 3
    assert found["deleted"] is False
    assert found["stored"] == [{"title": "Week", "position": 0}]
    assert found["after"] == found["before"], (
        found["before"] - found["after"],
        found["after"] - found["before"],
    )
    tables = {name for kind, name, *_ in found["after"] if kind == "table"}
    assert not tables & set(COLLECTION_TABLES)
    searched, _ = _search_and_tag_texts(url, ["box"])
    assert searched == {"box": ["Box breathing"]}


# --- The collection followings migration (named here by its suffix only) ------------------------


def test_the_followings_migration_adds_its_table_and_undoing_it_restores_the_schema(
    any_database_url: str,
) -> None:
    """One new table: the collections' and users' tables, with the catalog's triggers, are as
    they were, before and after undoing it. A following stored after it is one per patient and
    collection, goes with the patient, and writing it leaves the catalog's change token alone."""
    url = any_database_url
    before_follows, follows = _migration_and_the_one_before("_collection_follows")

    async def there_and_back() -> dict[str, Any]:
        found: dict[str, Any] = {}
        await upgrade_empty_to(url, before_follows)
        async with raw_database(url) as db:
            found["before"] = await _schema_objects(db)
        assert await upgrade(url, target=follows) == [follows]
        async with raw_database(url) as db:
            moment = BASE_TIME if db.dialect == "postgres" else BASE_TIME.isoformat(sep=" ")
            user = await _add_patient(db, moment)
            await db.execute(
                "INSERT INTO collections (title, live_title, description, status, created_at, "
                "updated_at) VALUES ('Week', 'week', '', 'published', ?, ?)",
                moment,
                moment,
            )
            [collection] = await db.fetch("SELECT id FROM collections")
            token = await _catalog_token(db)
            following = "INSERT INTO collection_follows (patient_id, collection_id, started_at) "
            await db.execute(f"{following} VALUES (?, ?, ?)", user["id"], collection["id"], moment)
            found["token kept"] = await _catalog_token(db) == token
            try:
                await db.execute(
                    f"{following} VALUES (?, ?, ?)", user["id"], collection["id"], moment
                )
                found["twice"] = True
            except Exception:
                found["twice"] = False
            found["stored"] = await db.fetch("SELECT count(*) AS n FROM collection_follows")
            await db.execute("DELETE FROM users WHERE id = ?", user["id"])
            found["left"] = await db.fetch("SELECT count(*) AS n FROM collection_follows")
        await upgrade(url, target=before_follows)
        async with raw_database(url) as db:
            found["after"] = await _schema_objects(db)
            found["collections"] = await db.fetch("SELECT title FROM collections")
        return found

    found = asyncio.run(there_and_back())
    assert found["token kept"] is True
    assert found["twice"] is False
    assert found["stored"] == [{"n": 1}]
    assert found["left"] == [{"n": 0}]  # deleted with the patient
    assert found["collections"] == [{"title": "Week"}]  # undoing it keeps the collections
    assert found["after"] == found["before"], (
        found["before"] - found["after"],
        found["after"] - found["before"],
    )
    assert "collection_follows" not in {
        name for kind, name, *_ in found["after"] if kind == "table"
    }


# --- The saved sessions migration (named here by its suffix only) --------------------------------


def test_the_saved_sessions_migration_adds_its_table_and_undoing_it_restores_the_schema(
    any_database_url: str,
) -> None:
    """One new table: the catalog's tables, triggers and indexes and the catalog's change token
    are as they were. A save written after it is one per patient and session, goes with its
    patient or session (nothing is held back by it), and undoing drops the table only."""
    url = any_database_url
    before_saved, saved_migration = _migration_and_the_one_before("_saved_sessions")

    async def there_and_back() -> dict[str, Any]:
        found: dict[str, Any] = {}
        await upgrade_empty_to(url, before_saved)
        async with raw_database(url) as db:
            await _add_tagged_session(db, "Box breathing", ["focus"])
            await _add_tagged_session(db, "Body scan", ["rest"])
            found["before"] = await _schema_objects(db)
        assert await upgrade(url, target=saved_migration) == [saved_migration]
        async with raw_database(url) as db:
            moment = BASE_TIME if db.dialect == "postgres" else BASE_TIME.isoformat(sep=" ")
            user = await _add_patient(db, moment)
            sessions = {
                row["title"]: row["id"]
                for row in await db.fetch("SELECT id, title FROM practice_sessions")
            }
            token = await _catalog_token(db)
            insert = (
                "INSERT INTO saved_sessions (patient_id, session_id, saved_at) VALUES (?, ?, ?)"
            )
            for title in sessions:
                await db.execute(insert, user["id"], sessions[title], moment)
            found["token_kept"] = await _catalog_token(db) == token
            try:
                await db.execute(insert, user["id"], sessions["Body scan"], moment)
                found["twice"] = True
            except Exception:
                found["twice"] = False
            await db.execute("DELETE FROM practice_sessions WHERE title = 'Body scan'")
            found["left"] = await db.fetch("SELECT count(*) AS saves FROM saved_sessions")
            await db.execute("DELETE FROM users")
            found["after_patient"] = await db.fetch("SELECT count(*) AS saves FROM saved_sessions")
        await upgrade(url, target=before_saved)
        async with raw_database(url) as db:
            found["after"] = await _schema_objects(db)
        return found

    found = asyncio.run(there_and_back())
    assert found["token_kept"] is True  # no patient's list is part of the catalog's cache
    assert found["twice"] is False
    assert found["left"] == [{"saves": 1}]
    assert found["after_patient"] == [{"saves": 0}]
    assert found["after"] == found["before"], (
        found["before"] - found["after"],
        found["after"] - found["before"],
    )
    assert "saved_sessions" not in {name for kind, name, *_ in found["after"] if kind == "table"}
    searched, _ = _search_and_tag_texts(url, ["box"])
    assert searched == {"box": ["Box breathing"]}
