"""Wiping a database for demo mode, and the demo seeder's refusal to touch real data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tortoise import Tortoise

from tests.conftest import flat
from tests.services.conftest import Orm
from tests.services.schema import RECORDER_TABLE, count_rows, fill_every_table, raw_database
from wellness.accounts import passwords
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.audit import services as audit
from wellness.audit.models import AuditEvent
from wellness.db import APP_LABEL
from wellness.demo import seed
from wellness.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from wellness.system import services as system

NOW = datetime(2025, 5, 6, 7, 8, 9, tzinfo=UTC)


def _app_tables() -> list[str]:
    return sorted(model._meta.db_table for model in Tortoise.apps[APP_LABEL].values())


async def _counts(url: str, tables: list[str]) -> dict[str, int]:
    async with raw_database(url) as db:
        return {table: await count_rows(db, table) for table in tables}


def test_it_empties_every_table_of_the_app_and_keeps_the_migration_record(any_orm: Orm) -> None:
    url = any_orm.database_url
    tables = _app_tables()

    async def fill() -> dict[str, int]:
        async with raw_database(url) as db:
            return await fill_every_table(db, rows=3)

    filled = any_orm.run(fill())
    assert set(tables) <= filled.keys()
    assert all(filled[table] >= 3 for table in tables)
    migrations_before = any_orm.run(_counts(url, [RECORDER_TABLE]))

    any_orm.run(system.wipe_all_data())

    assert any_orm.run(_counts(url, tables)) == dict.fromkeys(tables, 0)
    assert any_orm.run(_counts(url, [RECORDER_TABLE])) == migrations_before
    # The schema is intact: the tables take new rows.
    user = any_orm.run(
        accounts.create_user(
            email="after@wipe.org",
            display_name="After Wipe",
            role=Role.ADMIN,
            password_hash=passwords.dummy_hash(),
        )
    )
    assert flat(any_orm.run(User.all().values_list("email", flat=True))) == [user.email]


def test_it_refuses_to_seed_demo_data_over_real_accounts(orm: Orm) -> None:
    real = orm.run(
        accounts.create_user(
            email="real.patient@clinic.org",
            display_name="Real Patient",
            role=Role.PATIENT,
            password_hash=passwords.dummy_hash(),
        )
    )
    orm.run(audit.record("login", now=NOW, actor_id=real.id))

    with pytest.raises(seed.NotADemoDatabase):
        orm.run(seed.seed_demo(now=NOW))

    emails = flat(orm.run(User.all().values_list("email", flat=True)))
    assert emails == ["real.patient@clinic.org"]
    assert orm.run(AuditEvent.all().count()) == 1
    assert orm.run(system.is_demo_database()) is False


def test_it_seeds_an_empty_database_with_one_demo_account_per_listed_persona(orm: Orm) -> None:
    seeded = orm.run(seed.seed_demo(now=NOW))

    users = orm.run(User.all().order_by("id"))
    assert [user.email for user in users] == [account.email for account in seeded]
    assert [user.email for user in users] == [account.email for account in DEMO_ACCOUNTS]
    assert all(user.is_demo and user.is_active for user in users)
    assert {user.role for user in users} == set(Role)
    assert orm.run(system.is_demo_database()) is True
    assert orm.run(system.holds_real_data()) is False
    signed_in = orm.run(accounts.authenticate("admin@demo.wellness", DEMO_PASSWORD, now=NOW))
    assert signed_in is not None
    assert signed_in.role is Role.ADMIN


def test_it_reseeds_a_demo_database_back_to_fresh_demo_content(any_orm: Orm) -> None:
    orm = any_orm
    orm.run(seed.seed_demo(now=NOW))
    patient = orm.run(User.get(email="patient@demo.wellness"))
    orm.run(User.filter(id=patient.id).update(display_name="Renamed In The Demo"))
    orm.run(accounts.set_active(patient.id, False))
    orm.run(audit.record("login", now=NOW, actor_id=patient.id))
    orm.run(
        accounts.create_user(
            email="visitor@demo.wellness",
            display_name="Demo Visitor",
            role=Role.PATIENT,
            password_hash=passwords.dummy_hash(),
            is_demo=True,
        )
    )

    orm.run(seed.seed_demo(now=NOW))

    users = orm.run(User.all().order_by("id"))
    assert [user.email for user in users] == [account.email for account in DEMO_ACCOUNTS]
    again = orm.run(User.get(email="patient@demo.wellness"))
    assert (again.display_name, again.is_active, again.session_epoch) == ("Pat Patient", True, 0)
    assert orm.run(AuditEvent.all().count()) == 0
    assert orm.run(system.is_demo_database()) is True
