from __future__ import annotations

import asyncio
from typing import Any
from weakref import WeakKeyDictionary

from tortoise import connections
from tortoise.models import Model
from tortoise.transactions import in_transaction

from wellness.accounts.models import User
from wellness.system.models import InstanceFlag

DEMO_FLAG = "demo"


# A database that does not answer within this long is down, as far as a monitor is concerned.
HEALTH_CHECK_TIMEOUT_SECONDS = 2.0


# Per database client, the probe still running from an earlier check, if any: a frozen server
# is not asked again meanwhile.
_running_probes: WeakKeyDictionary[object, asyncio.Task[Any]] = WeakKeyDictionary()


async def database_is_reachable() -> bool:
    """Whether the database answers `SELECT 1` within HEALTH_CHECK_TIMEOUT_SECONDS. The probe is
    not cancelled at the deadline: asyncpg would wait out the server's answer to the cancel
    (a frozen server held the check for 2 s plus the whole query timeout). It runs on alone,
    and while it does, each check answers "unreachable" at once, so a monitor polling a frozen
    server never piles up probes holding the pool's connections."""
    client = connections.get("default")
    running = _running_probes.get(client)
    if running is not None and not running.done():
        return False
    probe = asyncio.ensure_future(client.execute_query("SELECT 1"))
    _running_probes[client] = probe
    probe.add_done_callback(_retrieve_outcome)
    done, _ = await asyncio.wait({probe}, timeout=HEALTH_CHECK_TIMEOUT_SECONDS)
    return bool(done) and not probe.cancelled() and probe.exception() is None


def _retrieve_outcome(probe: asyncio.Task[Any]) -> None:
    # Any driver error means "not reachable" to a health check; reading it here keeps asyncio
    # from logging a probe that finished after its check had answered.
    if not probe.cancelled():
        probe.exception()


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
    # The instance flags last: the demo flag among them lets the triggers of the append-only
    # tables (the audit trail, clinical notes) allow this, as long as it stands. Table names
    # come from our own model metadata, never from input.
    tables.sort(key=lambda table: table == InstanceFlag._meta.db_table)
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
