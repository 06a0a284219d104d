from __future__ import annotations

import asyncio

from tortoise import connections
from tortoise.models import Model
from tortoise.transactions import in_transaction

from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.system.models import InstanceFlag

DEMO_FLAG = "demo"


# A database that does not answer within this long is down, as far as a monitor is concerned.
HEALTH_CHECK_TIMEOUT_SECONDS = 2.0


async def database_is_reachable() -> bool:
    try:
        async with asyncio.timeout(HEALTH_CHECK_TIMEOUT_SECONDS):
            await connections.get("default").execute_query("SELECT 1")
    except Exception:  # any driver error means "not reachable" to a health check
        return False
    return True


async def is_demo_database() -> bool:
    return await InstanceFlag.filter(key=DEMO_FLAG, value="true").exists()


async def holds_real_data() -> bool:
    """True when the database has accounts that were not created by the demo seeder."""
    return await User.filter(is_demo=False).exists()


async def mark_as_demo() -> None:
    await InstanceFlag.update_or_create(key=DEMO_FLAG, defaults={"value": "true"})


async def wipe_all_data() -> None:
    """Empty every table this app owns, keeping the schema (for re-seeding a demo database)."""
    from tortoise import Tortoise

    from wellness.db import APP_LABEL

    connection = connections.get("default")
    tables = _children_first(list(Tortoise.apps[APP_LABEL].values()))
    if connection.capabilities.dialect == "postgres":
        quoted = ", ".join(f'"{table}"' for table in tables)
        await connection.execute_script(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        return
    # Children before parents: deferring foreign keys does not defer ON DELETE RESTRICT.
    # The audit trail first, while the demo flag that lets its trigger allow this still stands.
    # Table names come from our own model metadata, never from input.
    tables.sort(key=lambda table: table != AuditEvent._meta.db_table)
    deletes = [f'DELETE FROM "{table}"' for table in tables]  # noqa: S608
    async with in_transaction("default") as transaction:
        # Only demo databases are wiped (the callers check); the flag lets the audit trigger
        # allow it, and is deleted with the rest.
        await InstanceFlag.update_or_create(key=DEMO_FLAG, defaults={"value": "true"})
        for statement in deletes:
            await transaction.execute_script(statement)


def _children_first(models: list[type[Model]]) -> list[str]:
    """Table names ordered so every table comes before the tables it references."""
    ordered: list[str] = []
    seen: set[str] = set()

    def visit(model: type[Model]) -> None:
        table = model._meta.db_table
        if table in seen:
            return
        seen.add(table)
        for child in models:
            related = (
                getattr(child._meta.fields_map[name], "related_model", None)
                for name in child._meta.fk_fields
            )
            if any(parent is model for parent in related):
                visit(child)
        ordered.append(table)

    for model in models:
        visit(model)
    return ordered
