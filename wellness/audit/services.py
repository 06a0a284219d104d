from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import TransactionalDBClient

from wellness.audit.group_commit import GroupCommit
from wellness.audit.models import AuditEvent
from wellness.audit.repeated_refusals import AnonymousRefusals, RefusalKey, RepeatedRefusals
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
    row = [
        now,
        actor_id,
        action,
        target_type,
        str(target_id)[:64],
        client[:64],
        detail[:255],
        patient_id,
        route[:200],
    ]
    await _append([row])


async def record_for_each_patient(
    action: str,
    patient_ids: Iterable[int],
    *,
    now: datetime,
    actor_id: int | None,
    client: str = "",
    detail: str = "",
    route: str = "",
) -> None:
    """`record` once per patient (each the row's target and `patient_id`; a repeated id once),
    written together: a page showing many patients' data costs one query, not one each."""
    client, detail, route = client[:64], detail[:255], route[:200]
    moment = _bound_moment(now)
    rows = [
        [moment, actor_id, action, "user", str(patient_id), client, detail, patient_id, route]
        for patient_id in dict.fromkeys(patient_ids)
    ]
    await _append(rows)


async def first_in_its_window(
    refusals: AnonymousRefusals, key: RefusalKey, *, now: datetime
) -> bool:
    """Note a refusal without a session: whether it is to be recorded now (the first of its
    window). The counts of windows that are over are recorded here."""
    record_now, over = refusals.refused(key, now)
    await record_repeated_refusals(over, now=now)
    return record_now


async def record_repeated_refusals(counts: Iterable[RepeatedRefusals], *, now: datetime) -> None:
    """A row for each count of refusals not recorded one by one (`audit/repeated_refusals.py`):
    the action, client address, route and account they share, no actor, and in `detail` how
    many and the first and last of them (`repeated=57;first=...;last=...`)."""
    for repeated in counts:
        first = repeated.first.isoformat(timespec="seconds")
        last = repeated.last.isoformat(timespec="seconds")
        await record(
            repeated.key.action,
            now=now,
            target_type=repeated.key.target_type,
            target_id=repeated.key.target_id,
            client=repeated.key.client,
            detail=f"repeated={repeated.count};first={first};last={last}",
            route=repeated.key.route,
        )


def _bound_moment(now: datetime) -> datetime | str:
    """`now` as the database is sent it: on SQLite the text Tortoise's adapter would make of it
    (`isoformat(" ")`, tortoise/backends/sqlite/executor.py), made once for all the rows rather
    than by the adapter for each (a fifth of the CPU time of 200 rows)."""
    return now.isoformat(" ") if raw_query()[1].dialect == "sqlite" else now


async def _append(rows: list[list[Any]]) -> None:
    """Rows in `_COLUMNS` order: with the caller's change inside its transaction, else through
    the group commit (one transaction with the rows of concurrent callers)."""
    if not rows:
        return
    connection, sql = raw_query()
    if not isinstance(connection, TransactionalDBClient):
        await _group_commits[sql.dialect].insert_rows(connection, rows)
    elif len(rows) == 1:
        await connection.execute_insert(_insert(sql.dialect, 1), rows[0])
    else:
        await connection.execute_many(_insert(sql.dialect, 1), rows)


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
