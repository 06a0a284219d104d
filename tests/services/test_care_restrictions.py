"""A care team's contraindications, bans and pins for one patient."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from wellness.accounts import passwords
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import restrictions
from wellness.care.models import OverrideKind, PatientContraindication
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import PracticeSession
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


def session(orm: Orm, title: str) -> int:
    created = orm.run(
        PracticeSession.create(
            title=title,
            kind=Kind.BREATHING,
            status=Status.PUBLISHED,
            created_at=TEST_NOW,
            updated_at=TEST_NOW,
        )
    )
    return int(created.id)


@pytest.fixture
def people(orm: Orm) -> tuple[User, User, User]:
    return (
        person(orm, "alice", Role.PATIENT),
        person(orm, "carol", Role.PATIENT),
        person(orm, "bob", Role.THERAPIST),
    )


def test_setting_contraindications_replaces_them_and_says_what_changed(
    orm: Orm, people: tuple[User, User, User]
) -> None:
    alice, _, bob = people
    orm.run(restrictions.set_contraindications(alice, ["breath_hold"], by=bob, now=TEST_NOW))

    added, removed = orm.run(
        restrictions.set_contraindications(
            alice, ["fast_breathing", "long_silence"], by=bob, now=TEST_NOW
        )
    )

    assert added == {"fast_breathing", "long_silence"}
    assert removed == {"breath_hold"}
    stored = orm.run(restrictions.restrictions_for(alice.id))
    assert stored.contraindications == {"fast_breathing", "long_silence"}
    row = orm.run(PatientContraindication.get(patient_id=alice.id, code="long_silence"))
    assert (row.set_by_id, row.set_at) == (bob.id, TEST_NOW)


def test_an_unknown_contraindication_is_refused_and_nothing_changes(
    orm: Orm, people: tuple[User, User, User]
) -> None:
    alice, _, bob = people
    orm.run(restrictions.set_contraindications(alice, ["vigorous"], by=bob, now=TEST_NOW))

    with pytest.raises(FieldError, match="Unknown contraindication: loud_music"):
        orm.run(
            restrictions.set_contraindications(
                alice, ["standing", "loud_music"], by=bob, now=TEST_NOW
            )
        )

    assert orm.run(restrictions.restrictions_for(alice.id)).contraindications == {"vigorous"}


def test_a_session_is_banned_pinned_or_cleared_per_patient(
    orm: Orm, people: tuple[User, User, User]
) -> None:
    alice, carol, bob = people
    first, second = session(orm, "Box breathing"), session(orm, "Sighs")

    assert orm.run(restrictions.set_override(alice, first, OverrideKind.BAN, by=bob, now=TEST_NOW))
    assert orm.run(restrictions.set_override(alice, second, OverrideKind.PIN, by=bob, now=TEST_NOW))
    assert not orm.run(
        restrictions.set_override(alice, second, OverrideKind.PIN, by=bob, now=TEST_NOW)
    )

    mine = orm.run(restrictions.restrictions_for(alice.id))
    assert (mine.banned, mine.pinned) == (frozenset({first}), frozenset({second}))
    assert mine.forbids(first, [])
    assert not mine.forbids(second, [])
    assert orm.run(restrictions.restrictions_for(carol.id)) == restrictions.NONE

    assert orm.run(restrictions.set_override(alice, first, None, by=bob, now=TEST_NOW))
    assert orm.run(restrictions.restrictions_for(alice.id)).banned == frozenset()


def test_a_contraindication_forbids_the_sessions_that_carry_it(
    orm: Orm, people: tuple[User, User, User]
) -> None:
    alice, carol, bob = people
    orm.run(restrictions.set_contraindications(alice, ["breath_hold"], by=bob, now=TEST_NOW))

    many = orm.run(restrictions.restrictions_for_many([alice.id, carol.id]))

    assert many[alice.id].forbids(99, ["breath_hold", "standing"])
    assert not many[alice.id].forbids(99, ["standing"])
    assert many[carol.id] == restrictions.NONE
