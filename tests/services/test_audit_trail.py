"""The audit trail is append-only in the database itself, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from tortoise import connections

from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from wellness.audit import services as audit
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
