"""SQL that the hand-written parts of the migrations run, per database dialect.

Tortoise's migration loader skips modules whose names start with "_", so this is no migration.
Every migration that imports it runs it again on each fresh database: change it only in ways
that keep what those migrations do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor


def is_postgres(schema_editor: BaseSchemaEditor) -> bool:
    return schema_editor.client.capabilities.dialect == "postgres"


async def run_statements(schema_editor: BaseSchemaEditor, statements: Sequence[str]) -> None:
    for statement in statements:
        await schema_editor.client.execute_script(statement)


def run_per_dialect(
    *,
    sqlite: Sequence[str],
    postgres: Sequence[str],
    sqlite_drop: Sequence[str],
    postgres_drop: Sequence[str],
) -> ops.RunPython:
    """An operation that runs `sqlite` or `postgres`, one statement at a time, and is undone by
    `sqlite_drop` or `postgres_drop`."""

    async def forward(apps: Any, schema_editor: BaseSchemaEditor) -> None:
        await run_statements(schema_editor, postgres if is_postgres(schema_editor) else sqlite)

    async def backward(apps: Any, schema_editor: BaseSchemaEditor) -> None:
        drop = postgres_drop if is_postgres(schema_editor) else sqlite_drop
        await run_statements(schema_editor, drop)

    return ops.RunPython(forward, backward)


class AddColumnDroppedOnSqlite(ops.AddField):
    """Tortoise's AddField (on both databases ADD COLUMN, no rebuild), undone on SQLite by DROP
    COLUMN (SQLite 3.35+) rather than by Tortoise's rebuild of the table, which would drop the
    triggers and indexes other migrations put on it. `column` is the field's column where it
    differs from its name (a foreign key's `<name>_id`)."""

    def __init__(self, *, table: str, column: str | None = None, **field: Any) -> None:
        super().__init__(**field)
        self.table = table
        self.column = column or self.name

    async def database_backward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if state_editor is not None and not is_postgres(state_editor):
            await state_editor.client.execute_script(
                f'ALTER TABLE "{self.table}" DROP COLUMN "{self.column}"'
            )
            return
        await super().database_backward(app_label, old_state, new_state, state_editor)


def _sqlite_bump(flag: str) -> str:
    return (
        f"INSERT INTO instance_flags (key, value) VALUES ('{flag}', lower(hex(randomblob(16)))) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
    )


def sqlite_token_triggers(flag: str, sqlite_triggers: Mapping[str, str]) -> list[str]:
    """The SQLite row triggers of `clinic_token`: a migration that rebuilds one of their tables
    on SQLite (which drops its triggers) creates them again with these statements."""
    bump = _sqlite_bump(flag)
    return [
        f"CREATE TRIGGER {name} {event} BEGIN {bump} END" for name, event in sqlite_triggers.items()
    ]


def clinic_token(
    flag: str,
    function: str,
    *,
    sqlite_triggers: Mapping[str, str],
    postgres_triggers: Mapping[str, tuple[str, str]],
) -> ops.RunPython:
    """A change token for the whole clinic: the row instance_flags[`flag`] gets a new random value
    in the same transaction as every write the triggers name, and one now.

    `sqlite_triggers`: trigger name -> "AFTER <event> ON <table>" (row triggers).
    `postgres_triggers`: trigger name -> (table, "<events>"), statement triggers calling the
    plpgsql `function`, so one statement renews the token once however many rows it touched.
    """
    quoted = f"'{flag}'"
    postgres_bump = (
        f"INSERT INTO instance_flags (key, value) VALUES ({quoted}, gen_random_uuid()::text) "
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
    )
    forget = f"DELETE FROM instance_flags WHERE key = {quoted}"
    return run_per_dialect(
        sqlite=[*sqlite_token_triggers(flag, sqlite_triggers), _sqlite_bump(flag)],
        postgres=[
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{postgres_bump}; RETURN NULL; END $$",
            *(
                f"CREATE TRIGGER {name} AFTER {events} ON {table} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {function}()"
                for name, (table, events) in postgres_triggers.items()
            ),
            postgres_bump,
        ],
        sqlite_drop=[*(f"DROP TRIGGER IF EXISTS {name}" for name in sqlite_triggers), forget],
        postgres_drop=[
            *(
                f"DROP TRIGGER IF EXISTS {name} ON {table}"
                for name, (table, _) in postgres_triggers.items()
            ),
            f"DROP FUNCTION IF EXISTS {function}()",
            forget,
        ],
    )


class CareTokenTriggers:
    """Migration 0011's care token renewed by every write to one more `table`, whoever writes:
    SQLite row triggers and a PostgreSQL statement trigger calling 0011's function. No table is
    altered, so nothing is rebuilt on SQLite; undoing drops the triggers only."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.sqlite_triggers = {
            f"{table}_care_{event.lower()}": f"AFTER {event} ON {table}"
            for event in ("INSERT", "UPDATE", "DELETE")
        }
        self.postgres_trigger = f"{table}_care_changed"

    def operation(self) -> ops.RunPython:
        return run_per_dialect(
            sqlite=sqlite_token_triggers("care_version", self.sqlite_triggers),
            postgres=[
                f"CREATE TRIGGER {self.postgres_trigger} AFTER INSERT OR UPDATE OR DELETE "
                f"ON {self.table} FOR EACH STATEMENT EXECUTE FUNCTION wellness_care_changed()"
            ],
            sqlite_drop=[f"DROP TRIGGER IF EXISTS {name}" for name in self.sqlite_triggers],
            postgres_drop=[f"DROP TRIGGER IF EXISTS {self.postgres_trigger} ON {self.table}"],
        )
