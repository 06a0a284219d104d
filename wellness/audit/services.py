from __future__ import annotations

import functools
from datetime import datetime

from tortoise.backends.base.client import TransactionalDBClient

from wellness.audit.group_commit import GroupCommit
from wellness.audit.models import AuditEvent
from wellness.db import raw_query


async def record(
    action: str,
    *,
    now: datetime,
    actor_id: int | None = None,
    target_type: str = "",
    target_id: object = "",
    client: str = "",
    detail: str = "",
    patient_id: int | None = None,
    route: str = "",
) -> None:
    """Append one row, committed before this returns: with the caller's change when called
    inside its transaction, else together with the rows of concurrent requests."""
    connection, sql = raw_query()
    values = (
        now,
        actor_id,
        action,
        target_type,
        str(target_id)[:64],
        client[:64],
        detail[:255],
        patient_id,
        route[:200],
    )
    if isinstance(connection, TransactionalDBClient):
        await connection.execute_insert(_insert(sql.dialect, 1), list(values))
    else:
        await _group_commits[sql.dialect].insert(connection, values)


_COLUMNS = (
    "occurred_at, actor_id, action, target_type, target_id, client, detail, patient_id, route"
)
_WIDTH = 9  # columns


@functools.lru_cache(maxsize=128)
def _insert(dialect: str, rows: int) -> str:
    """INSERT of `rows` rows in `dialect`'s placeholders."""
    if dialect == "postgres":
        numbers = iter(range(1, rows * _WIDTH + 1))
        groups = (", ".join(f"${next(numbers)}" for _ in range(_WIDTH)) for _ in range(rows))
    else:
        groups = (", ".join("?" * _WIDTH) for _ in range(rows))
    values = ", ".join(f"({group})" for group in groups)
    return f"INSERT INTO audit_events ({_COLUMNS}) VALUES {values}"  # noqa: S608


_group_commits = {
    dialect: GroupCommit(functools.partial(_insert, dialect)) for dialect in ("sqlite", "postgres")
}


async def recent_events(*, limit: int = 50, action: str | None = None) -> list[AuditEvent]:
    query = AuditEvent.all()
    if action is not None:
        query = query.filter(action=action)
    return await query.limit(limit)
