"""Browsing the audit trail: filters, keyset pages in both directions, and the export's batches."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from wellness.accounts import passwords
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.audit import browse
from wellness.audit import services as audit
from wellness.audit.filters import AuditFilter, Who
from wellness.lib.validation import FieldError


def person(orm: Orm, name: str, role: Role) -> User:
    return orm.run(
        accounts.create_user(
            email=f"{name}@example.org",
            display_name=name.title(),
            role=role,
            password_hash=passwords.dummy_hash(),
        )
    )


def events(orm: Orm, count: int, **fields: object) -> None:
    for number in range(count):
        orm.run(
            audit.record(
                str(fields.get("action", "login")),
                now=TEST_NOW - timedelta(hours=count - number),
                actor_id=fields.get("actor_id"),  # type: ignore[arg-type]
                patient_id=fields.get("patient_id"),  # type: ignore[arg-type]
            )
        )


def ids(page: browse.AuditPage) -> list[int]:
    return [row.id for row in page.rows]


def resolved(orm: Orm, **fields: object) -> browse.Resolved:
    return orm.run(browse.resolve(AuditFilter(**fields)))  # type: ignore[arg-type]


def test_pages_walk_older_and_back_newer_without_gaps_or_repeats(orm: Orm) -> None:
    events(orm, 7)
    first = orm.run(browse.page(resolved(orm, per_page=3), "UTC"))
    second = orm.run(browse.page(resolved(orm, per_page=3, before=first.older), "UTC"))
    third = orm.run(browse.page(resolved(orm, per_page=3, before=second.older), "UTC"))
    back = orm.run(browse.page(resolved(orm, per_page=3, after=second.newer), "UTC"))

    assert ids(first) == [7, 6, 5]
    assert first.newer is None
    assert first.older == 5
    assert ids(second) == [4, 3, 2]
    assert second.newer == 4
    assert second.older == 2
    assert ids(third) == [1]
    assert third.newer == 1
    assert third.older is None
    assert ids(back) == [7, 6, 5]
    assert back.newer is None
    assert back.older == 5


def test_a_newer_page_in_the_middle_knows_both_neighbours(orm: Orm) -> None:
    events(orm, 9)

    middle = orm.run(browse.page(resolved(orm, per_page=3, after=3), "UTC"))

    assert ids(middle) == [6, 5, 4]
    assert (middle.newer, middle.older) == (6, 4)


def test_filters_combine(orm: Orm) -> None:
    bob = person(orm, "bob", Role.THERAPIST)
    alice = person(orm, "alice", Role.PATIENT)
    events(orm, 2, action="session_banned", actor_id=bob.id, patient_id=alice.id)
    events(orm, 2, action="login", actor_id=bob.id)
    events(orm, 1, action="session_banned", actor_id=alice.id)

    found = orm.run(
        browse.page(
            resolved(orm, person=Who(email="bob@example.org"), action="session_banned"), "UTC"
        )
    )

    assert len(found.rows) == 2
    assert {(row.actor_name, row.patient_name) for row in found.rows} == {("Bob", "Alice")}
    by_patient = orm.run(browse.page(resolved(orm, patient=Who(account_id=alice.id)), "UTC"))
    assert len(by_patient.rows) == 2


def test_dates_are_whole_days_in_the_clinics_zone(orm: Orm) -> None:
    # TEST_NOW is 14:30 UTC on 24 Nov; in Tokyo (UTC+9) 23:30 that day, 00:30 the next.
    for hours in (0, 1):
        orm.run(audit.record("login", now=TEST_NOW + timedelta(hours=hours)))
    day = TEST_NOW.date() + timedelta(days=1)

    tokyo = orm.run(browse.page(resolved(orm, since=day, until=day), "Asia/Tokyo"))
    utc = orm.run(browse.page(resolved(orm, since=day, until=day), "UTC"))

    assert [row.occurred_at for row in tokyo.rows] == [TEST_NOW + timedelta(hours=1)]
    assert utc.rows == []
    today = orm.run(browse.page(resolved(orm, since=TEST_NOW.date()), "UTC"))
    assert len(today.rows) == 2


def test_an_unknown_email_is_refused_by_field(orm: Orm) -> None:
    with pytest.raises(FieldError) as refused:
        orm.run(browse.resolve(AuditFilter(patient=Who(email="nobody@example.org"))))

    assert refused.value.field == "patient"


def test_the_export_reads_every_matching_row_in_batches(
    orm: Orm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(browse, "EXPORT_BATCH", 4)
    events(orm, 10, action="login")
    events(orm, 3, action="logout")

    async def collect() -> list[int]:
        chosen = await browse.resolve(AuditFilter(action="login", before=5))
        return [row.id async for row in browse.export_rows(chosen, "UTC")]

    assert orm.run(collect()) == list(range(10, 0, -1))  # paging is ignored by the export


def test_known_actions_include_recorded_ones(orm: Orm) -> None:
    events(orm, 1, action="something_new")

    known = orm.run(browse.known_actions())

    assert {"something_new", "login", "session_banned"} <= known
