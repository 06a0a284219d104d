"""What the restriction pages, the catalog marks and the support panel read for one patient."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from tests.services.test_care_restrictions import person
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import restriction_views as views
from wellness.care import restrictions, support
from wellness.care.marks import Mark
from wellness.care.models import OverrideKind
from wellness.catalog.kinds import Guidance, Kind, Posture, Status
from wellness.catalog.models import PracticeSession


def session(orm: Orm, title: str, **fields: Any) -> int:
    values: dict[str, Any] = {
        "kind": Kind.BREATHING,
        "status": Status.PUBLISHED,
        "duration_seconds": 300.0,
        "created_at": TEST_NOW,
        "updated_at": TEST_NOW,
    } | fields
    return int(orm.run(PracticeSession.create(title=title, **values)).id)


@pytest.fixture
def people(orm: Orm) -> tuple[User, User, User]:
    return (
        person(orm, "alice", Role.PATIENT),
        person(orm, "carol", Role.PATIENT),
        person(orm, "bob", Role.THERAPIST),
    )


def override(orm: Orm, patient: User, session_id: int, kind: OverrideKind, by: User) -> None:
    orm.run(restrictions.set_override(patient, session_id, kind, by=by, now=TEST_NOW))


def test_overrides_list_bans_first_then_by_title_with_who_set_them(
    orm: Orm, people: tuple[User, User, User]
) -> None:
    alice, carol, bob = people
    zen, air, box = session(orm, "Zen"), session(orm, "air"), session(orm, "Box")
    override(orm, alice, zen, OverrideKind.BAN, bob)
    override(orm, alice, air, OverrideKind.PIN, bob)
    override(orm, alice, box, OverrideKind.BAN, bob)
    override(orm, carol, zen, OverrideKind.PIN, bob)

    found = orm.run(views.overrides_of(alice.id))

    assert [(row.title, row.kind) for row in found] == [
        ("Box", OverrideKind.BAN),
        ("Zen", OverrideKind.BAN),
        ("air", OverrideKind.PIN),
    ]
    assert {row.set_by for row in found} == {"Bob"}
    assert orm.run(views.override_of(alice.id, air)) == found[2]
    assert orm.run(views.override_of(carol.id, air)) is None


def test_only_published_sessions_can_be_chosen(orm: Orm) -> None:
    shown = session(orm, "Shown")
    draft = session(orm, "Draft", status=Status.DRAFT)
    session(orm, "Archived", status=Status.ARCHIVED)

    assert [choice.id for choice in orm.run(views.session_choices())] == [shown]
    assert orm.run(views.published_session(draft)) is None
    found = orm.run(views.published_session(shown))
    assert found is not None
    assert found.title == "Shown"


def test_marks_follow_the_patients_restrictions_only(
    orm: Orm, people: tuple[User, User, User]
) -> None:
    alice, carol, bob = people
    held = session(orm, "Held", contraindications=["breath_hold"])
    standing = session(orm, "Standing", kind=Kind.YOGA, posture=Posture.STANDING)
    pinned = session(orm, "Pinned")
    plain = session(orm, "Plain")
    orm.run(
        restrictions.set_contraindications(alice, ["breath_hold", "standing"], by=bob, now=TEST_NOW)
    )
    override(orm, alice, pinned, OverrideKind.PIN, bob)
    every = [held, standing, pinned, plain]

    assert orm.run(views.marks_for_patient(alice.id, every)) == {
        held: Mark.SKIP,
        standing: Mark.SKIP,
        pinned: Mark.PINNED,
    }
    assert orm.run(views.marks_for_patient(carol.id, every)) == {}
    assert orm.run(views.marks_for_patient(alice.id, [])) == {}


def test_the_support_offer_leaves_out_bans_and_keeps_the_panels_rules(
    orm: Orm, people: tuple[User, User, User]
) -> None:
    alice, carol, bob = people
    short = session(orm, "Short", duration_seconds=180.0)
    banned = session(orm, "Banned", duration_seconds=120.0)
    ground = session(orm, "Ground", kind=Kind.GROUNDING, duration_seconds=400.0)
    session(orm, "Long", duration_seconds=1200.0)
    session(orm, "Silent", guidance=Guidance.SILENT)
    session(orm, "Standing", posture=Posture.STANDING)
    session(orm, "Yoga", kind=Kind.YOGA)
    session(orm, "Fast", contraindications=["fast_breathing"])
    session(orm, "Draft", status=Status.DRAFT, duration_seconds=60.0)
    override(orm, alice, banned, OverrideKind.BAN, bob)

    for_alice = orm.run(support.support_offer(alice.id))
    for_carol = orm.run(support.support_offer(carol.id))

    assert [item.id for item in for_alice] == [short, ground]
    assert [item.id for item in for_carol] == [banned, short, ground]
    assert for_alice[0].kind is Kind.BREATHING
    assert for_alice[0].duration_seconds == 180.0
    assert [item.id for item in orm.run(support.support_offer(carol.id, count=1))] == [banned]
