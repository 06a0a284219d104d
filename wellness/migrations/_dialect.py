"""SQL that the hand-written parts of the migrations run, per database dialect.

Tortoise's migration loader skips modules whose names start with "_", so this is no migration.
Every migration that imports it runs it again on each fresh database: change it only in ways
that keep what those migrations do.
"""

from __future__ import annotations

from collections.abc import Sequence
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
