"""The audit trail is append-only in the database itself, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from tests.conftest import TEST_NOW, flat
from tests.services.conftest import Orm
from wellness.audit import services as audit
from wellness.audit.group_commit import STATEMENT_ROWS
from wellness.audit.models import AuditEvent
from wellness.system import services as system


def _one_event(orm: Orm) -> AuditEvent:
    orm.run(
        audit.record(
            "patient_viewed",
            now=TEST_NOW,
            actor_id=7,
            target_type="user",
            target_id=3,
            patient_id=3,
            route="GET /care/patients/{patient_id}",
        )
    )
    event = orm.run(AuditEvent.get(action="patient_viewed"))
    assert (event.patient_id, event.route) == (3, "GET /care/patients/{patient_id}")
    return event


def _refused(orm: Orm, sql: str) -> str:
    async def run() -> None:
        await connections.get("default").execute_script(sql)

    with pytest.raises(Exception, match="append-only") as refusal:
        orm.run(run())
    return str(refusal.value)


def test_the_database_refuses_to_change_an_audit_row(any_orm: Orm) -> None:
    event = _one_event(any_orm)

    _refused(any_orm, f"UPDATE audit_events SET action = 'nothing' WHERE id = {event.id}")  # noqa: S608

    assert any_orm.run(AuditEvent.get(id=event.id)).action == "patient_viewed"


def test_the_database_refuses_to_delete_an_audit_row(any_orm: Orm) -> None:
    event = _one_event(any_orm)

    _refused(any_orm, "DELETE FROM audit_events")

    assert any_orm.run(AuditEvent.filter(id=event.id).count()) == 1


def test_the_orm_cannot_change_or_delete_audit_rows_either(any_orm: Orm) -> None:
    event = _one_event(any_orm)

    with pytest.raises(Exception, match="append-only"):  # the driver's own error class
        any_orm.run(AuditEvent.filter(id=event.id).update(detail="changed"))
    with pytest.raises(Exception, match="append-only"):  # the driver's own error class
        any_orm.run(AuditEvent.filter(id=event.id).delete())

    stored = any_orm.run(AuditEvent.get(id=event.id))
    assert (stored.action, stored.detail) == ("patient_viewed", "")


def test_a_demo_database_can_still_be_emptied_for_a_fresh_demo(any_orm: Orm) -> None:
    _one_event(any_orm)
    any_orm.run(system.mark_as_demo())

    any_orm.run(system.wipe_all_data())

    assert any_orm.run(AuditEvent.all().count()) == 0


def test_a_recorded_row_reads_back_as_written_and_sorts_by_its_moment(any_orm: Orm) -> None:
    """`audit.record` writes its statement by hand: the row must read back through the ORM as
    the ORM would have written it (an aware moment, long texts cut to their columns), and the
    browse page's date filter must find it."""
    later = TEST_NOW + timedelta(minutes=5, microseconds=123)
    any_orm.run(audit.record("login", now=TEST_NOW, client="203.0.113.9"))
    any_orm.run(
        audit.record("patient_viewed", now=later, actor_id=4, target_id="x" * 100, detail="d" * 300)
    )

    events = any_orm.run(AuditEvent.all().order_by("occurred_at"))
    found = flat(
        any_orm.run(AuditEvent.filter(occurred_at__gte=later).values_list("action", flat=True))
    )

    assert [(event.action, event.occurred_at) for event in events] == [
        ("login", TEST_NOW),
        ("patient_viewed", later),
    ]
    assert events[0].actor_id is None
    assert events[0].patient_id is None
    assert (events[0].client, events[0].route) == ("203.0.113.9", "")
    assert (events[1].actor_id, len(events[1].target_id), len(events[1].detail)) == (4, 64, 255)
    assert found == ["patient_viewed"]


@contextmanager
def audit_inserts() -> Iterator[list[str]]:
    """The INSERT statements into the audit trail run while inside (the connection counts them)."""
    client = connections.get("default")
    inserts: list[str] = []
    original = client.execute_query

    async def counted(statement: str, values: list[Any] | None = None) -> Any:
        if statement.startswith("INSERT INTO audit_events"):
            inserts.append(statement)
        return await original(statement, values)

    client.execute_query = counted
    try:
        yield inserts
    finally:
        del client.execute_query  # the class's method again


def test_concurrent_rows_are_all_written_sharing_commits(any_orm: Orm) -> None:
    async def twelve_views() -> None:
        first = asyncio.create_task(audit.record("patient_viewed", now=TEST_NOW, actor_id=0))
        await asyncio.sleep(0)  # its commit is under way when the others come
        await asyncio.gather(
            first,
            *(audit.record("patient_viewed", now=TEST_NOW, actor_id=n) for n in range(1, 12)),
        )

    with audit_inserts() as inserts:
        any_orm.run(twelve_views())
    actors = flat(any_orm.run(AuditEvent.all().order_by("id").values_list("actor_id", flat=True)))

    assert actors == list(range(12))
    assert [statement.count("),") + 1 for statement in inserts] == [1, 11]


def test_a_row_recorded_inside_a_transaction_is_undone_with_it(any_orm: Orm) -> None:
    async def change_then_fail() -> None:
        async with in_transaction():
            await audit.record("assignment_created", now=TEST_NOW, actor_id=1, patient_id=2)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError, match="the change failed"):
        any_orm.run(change_then_fail())

    assert any_orm.run(AuditEvent.all().count()) == 0


def test_rows_for_many_patients_are_one_statement_each_patient_once(any_orm: Orm) -> None:
    with audit_inserts() as inserts:
        any_orm.run(
            audit.record_for_each_patient(
                "caseload_viewed",
                [5, 3, 5, 9],
                now=TEST_NOW,
                actor_id=2,
                client="203.0.113.9",
                route="GET /therapist",
            )
        )
        any_orm.run(audit.record_for_each_patient("caseload_viewed", [], now=TEST_NOW, actor_id=2))
    events = any_orm.run(AuditEvent.all().order_by("id"))

    assert len(inserts) == 1
    assert [(event.patient_id, event.target_type, event.target_id) for event in events] == [
        (5, "user", "5"),
        (3, "user", "3"),
        (9, "user", "9"),
    ]
    assert {(e.actor_id, e.action, e.client, e.route, e.detail) for e in events} == {
        (2, "caseload_viewed", "203.0.113.9", "GET /therapist", "")
    }
    assert {event.occurred_at for event in events} == {TEST_NOW}


def test_rows_for_more_patients_than_one_statement_takes_are_one_execute_many(
    any_orm: Orm,
) -> None:
    """One transaction for them all, each row's moment stored as a single row's is (the date
    filters compare it as stored)."""
    client = connections.get("default")
    calls: list[tuple[str, int]] = []
    original_query, original_many = client.execute_query, client.execute_many

    async def query(statement: str, values: list[Any] | None = None) -> Any:
        if statement.startswith("INSERT INTO audit_events"):
            calls.append(("query", statement.count("),") + 1))
        return await original_query(statement, values)

    async def many(statement: str, rows: list[list[Any]]) -> None:
        calls.append(("many", len(rows)))
        await original_many(statement, rows)

    patients = list(range(1, STATEMENT_ROWS + 3))
    any_orm.run(audit.record("login", now=TEST_NOW, actor_id=2))
    client.execute_query, client.execute_many = query, many
    try:
        any_orm.run(
            audit.record_for_each_patient("caseload_viewed", patients, now=TEST_NOW, actor_id=2)
        )
    finally:
        del client.execute_query, client.execute_many
    written = any_orm.run(
        AuditEvent.filter(action="caseload_viewed").order_by("id").values_list("patient_id")
    )
    stored = any_orm.run(
        client.execute_query_dict(
            "SELECT DISTINCT CAST(occurred_at AS TEXT) AS at FROM audit_events"
        )
    )

    assert calls == [("many", len(patients))]
    assert [patient for (patient,) in written] == patients
    assert len(stored) == 1  # the login's moment and the view's, as the same text


def test_rows_for_many_patients_inside_a_transaction_go_with_it(any_orm: Orm) -> None:
    many = list(range(1, STATEMENT_ROWS + 3))

    async def change(fail: bool) -> None:
        async with in_transaction():
            await audit.record_for_each_patient("caseload_viewed", many, now=TEST_NOW, actor_id=1)
            if fail:
                raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError, match="the change failed"):
        any_orm.run(change(fail=True))
    undone = any_orm.run(AuditEvent.all().count())
    any_orm.run(change(fail=False))

    assert undone == 0
    written = flat(
        any_orm.run(AuditEvent.all().order_by("id").values_list("patient_id", flat=True))
    )
    assert written == many
