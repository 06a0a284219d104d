"""Assigning a collection (a coordinator's programme) as a practice, on SQLite and PostgreSQL:
the refusals, adherence from any session in it, the session one tap starts, when nothing can
be started (archived, every session ruled out, none published), the count a coordinator sees
before archiving it, the dashboard's figures, and the database's own refusal to delete it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tortoise.exceptions import IntegrityError

from tests.caseload_fixtures import DAY, POLICY, person, practised, published
from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import restrictions
from wellness.care import services as care
from wellness.care.models import AssignmentVersion, OverrideKind, PracticeAssignment
from wellness.caseload import assignment_targets as targets
from wellness.caseload import assignments as service
from wellness.caseload.assignments import AssignmentInput
from wellness.caseload.availability import Unavailable, patients_assigned_to_collection
from wellness.caseload.daily_plan import due_today, todays_plan_for
from wellness.caseload.plan import (
    AssignmentState,
    adherence_between,
    adherence_for,
    adherence_for_many,
)
from wellness.catalog import collections
from wellness.catalog.collections import CollectionFields
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import Collection, PracticeSession
from wellness.lib.validation import FieldErrors

TODAY = date(2026, 11, 24)  # TEST_NOW in Berlin: a Tuesday afternoon


@pytest.fixture
def people(any_orm: Orm) -> dict[str, User]:
    """Alice (a patient in Berlin), Bob (her therapist), Cora (a coordinator)."""
    alice = any_orm.run(person("alice", Role.PATIENT))
    bob = any_orm.run(person("bob", Role.THERAPIST))
    any_orm.run(care.assign(bob, alice, now=TEST_NOW - 30 * DAY))
    return {"alice": alice, "bob": bob, "cora": any_orm.run(person("cora", Role.COORDINATOR))}


@pytest.fixture
def sessions(any_orm: Orm) -> dict[str, PracticeSession]:
    made = {}
    for title, minutes, kind in (
        ("Arrive", 5, Kind.BREATHING),
        ("Body scan", 12, Kind.BODY_SCAN),
        ("Ground", 6, Kind.GROUNDING),
    ):
        made[title] = any_orm.run(published(title, minutes=minutes, kind=kind, now=TEST_NOW))
    return made


def programme(
    orm: Orm, cora: User, titles: list[str], sessions: dict[str, PracticeSession], **more: str
) -> Collection:
    """A published collection of these sessions, in this order."""
    fields = CollectionFields(
        title=more.get("title", "First week"), session_ids=[sessions[t].id for t in titles]
    )
    made = orm.run(collections.create_collection(fields, actor=cora, now=TEST_NOW - 5 * DAY))
    return orm.run(
        collections.change_collection_status(made, Status.PUBLISHED, actor=cora, now=TEST_NOW)
    )


def assign(orm: Orm, people: dict[str, User], entry: AssignmentInput, *, days: int = 0) -> int:
    created = orm.run(
        service.create_assignment(
            people["alice"], entry, by=people["bob"], policy=POLICY, now=TEST_NOW + days * DAY
        )
    )
    return int(created.id)


def refusal(orm: Orm, people: dict[str, User], entry: AssignmentInput) -> dict[str, str]:
    with pytest.raises(FieldErrors) as refused:
        assign(orm, people, entry)
    assert orm.run(PracticeAssignment.all().count()) == 0
    return refused.value.errors


def test_it_assigns_a_collection_and_any_session_in_it_counts(
    any_orm: Orm, people: dict[str, User], sessions: dict[str, PracticeSession]
) -> None:
    week = programme(any_orm, people["cora"], ["Arrive", "Body scan"], sessions)
    assignment_id = assign(
        any_orm, people, AssignmentInput(collection_id=week.id, note="One a day."), days=-3
    )
    alice = people["alice"]
    # Saturday: the second session; Sunday: one not in it; Monday: the first.
    any_orm.run(practised(alice.id, TEST_NOW - 3 * DAY, session=sessions["Body scan"]))
    any_orm.run(practised(alice.id, TEST_NOW - 2 * DAY, session=sessions["Ground"]))
    any_orm.run(practised(alice.id, TEST_NOW - DAY, session=sessions["Arrive"]))

    version = any_orm.run(AssignmentVersion.get(assignment_id=assignment_id))
    assert (version.collection_id, version.session_id, version.kind) == (week.id, None, "")
    [found] = any_orm.run(adherence_for(alice, policy=POLICY, now=TEST_NOW))
    assert (found.title, found.collection_id, found.collection_title) == (
        "Collection: First week",
        week.id,
        "First week",
    )
    assert (found.done, found.prescribed, found.pending) == (2, 3, 1)
    assert found.state is AssignmentState.ACTIVE
    assert found.unavailable is None
    assert [choice.title for choice in found.choices] == ["Arrive", "Body scan"]
    # Both done: the programme begins again at its first session.
    assert found.next_choice is not None
    assert found.next_choice.title == "Arrive"
    [period] = any_orm.run(
        adherence_between(alice, policy=POLICY, now=TEST_NOW, first=TODAY - 3 * DAY, last=TODAY)
    )
    assert (period.title, period.adherence.done) == ("Collection: First week", 2)


def test_start_is_the_first_allowed_session_not_yet_done_in_the_collections_order(
    any_orm: Orm, people: dict[str, User], sessions: dict[str, PracticeSession]
) -> None:
    alice, bob = people["alice"], people["bob"]
    week = programme(any_orm, people["cora"], ["Arrive", "Body scan", "Ground"], sessions)
    assign(any_orm, people, AssignmentInput(collection_id=week.id))

    def start() -> tuple[str, str]:
        [item] = any_orm.run(todays_plan_for(alice, policy=POLICY, now=TEST_NOW)).items
        return item.start_session_title, item.title

    assert start() == ("Arrive", "Collection: First week")
    any_orm.run(practised(alice.id, TEST_NOW - 40 * DAY, session=sessions["Arrive"]))
    assert start() == ("Body scan", "Collection: First week")  # done before it was assigned too
    any_orm.run(
        restrictions.set_override(
            alice, sessions["Body scan"].id, OverrideKind.BAN, by=bob, now=TEST_NOW
        )
    )
    assert start()[0] == "Ground"  # never a session the care team forbids
    # Not completed (a tenth listened) is not done.
    any_orm.run(practised(alice.id, TEST_NOW - 2 * DAY, session=sessions["Ground"], complete=False))
    assert start()[0] == "Ground"
    any_orm.run(practised(alice.id, TEST_NOW - 2 * DAY, session=sessions["Ground"]))
    assert start()[0] == "Arrive"  # all allowed ones done: the first allowed one again
    # The suggestion engine is told the session that starts it.
    [due] = any_orm.run(due_today(alice, policy=POLICY, now=TEST_NOW))
    assert due.session_id == sessions["Arrive"].id


def test_a_practice_today_ticks_the_plan_item(
    any_orm: Orm, people: dict[str, User], sessions: dict[str, PracticeSession]
) -> None:
    alice = people["alice"]
    week = programme(any_orm, people["cora"], ["Arrive", "Body scan"], sessions)
    assign(any_orm, people, AssignmentInput(collection_id=week.id))
    log = any_orm.run(
        practised(alice.id, TEST_NOW - timedelta(hours=1), session=sessions["Body scan"])
    )

    [item] = any_orm.run(todays_plan_for(alice, policy=POLICY, now=TEST_NOW)).items

    assert (item.done, item.due, item.practice_ids, item.complete) == (1, 1, (log.id,), True)
    assert (item.collection_id, item.collection_title) == (week.id, "First week")


def test_archived_every_session_ruled_out_or_none_published_leave_nothing_to_start(
    any_orm: Orm, people: dict[str, User], sessions: dict[str, PracticeSession]
) -> None:
    alice, bob, cora = people["alice"], people["bob"], people["cora"]
    week = programme(any_orm, cora, ["Arrive", "Body scan"], sessions)
    assign(any_orm, people, AssignmentInput(collection_id=week.id))

    def unavailable() -> tuple[Unavailable | None, int | None, str, str]:
        [item] = any_orm.run(todays_plan_for(alice, policy=POLICY, now=TEST_NOW)).items
        [listed] = any_orm.run(adherence_for(alice, policy=POLICY, now=TEST_NOW))
        assert listed.unavailable is item.unavailable
        return (
            item.unavailable,
            item.start_session_id,
            item.reason_for_patient,
            listed.reason_for_care_team,
        )

    assert unavailable() == (None, sessions["Arrive"].id, "", "")
    for title in ("Arrive", "Body scan"):
        any_orm.run(
            restrictions.set_override(
                alice, sessions[title].id, OverrideKind.BAN, by=bob, now=TEST_NOW
            )
        )
    assert unavailable() == (
        Unavailable.SKIPPED,
        None,
        "Your care team has asked you to skip this one for now.",
        "Every session in it is ruled out by this patient's restrictions",
    )
    for title in ("Arrive", "Body scan"):
        any_orm.run(
            restrictions.set_override(alice, sessions[title].id, None, by=bob, now=TEST_NOW)
        )
        any_orm.run(PracticeSession.filter(id=sessions[title].id).update(status=Status.ARCHIVED))
    found, start, patient_reads, therapist_reads = unavailable()
    assert (found, start) == (Unavailable.NONE_FITS, None)
    assert "None of this collection's sessions" in patient_reads
    assert therapist_reads == "No published session in this collection"
    any_orm.run(
        collections.change_collection_status(week, Status.ARCHIVED, actor=cora, now=TEST_NOW)
    )
    found, start, patient_reads, therapist_reads = unavailable()
    assert (found, start) == (Unavailable.WITHDRAWN, None)
    assert patient_reads.startswith("This collection is no longer in the library.")
    assert therapist_reads == "Collection no longer in the library: choose another"


def test_it_refuses_an_unknown_draft_or_archived_collection_naming_the_field(
    any_orm: Orm, people: dict[str, User], sessions: dict[str, PracticeSession]
) -> None:
    cora = people["cora"]
    draft = any_orm.run(
        collections.create_collection(
            CollectionFields(title="Draft", session_ids=[sessions["Arrive"].id]),
            actor=cora,
            now=TEST_NOW,
        )
    )
    archived = programme(any_orm, cora, ["Arrive"], sessions, title="Old")
    any_orm.run(
        collections.change_collection_status(archived, Status.ARCHIVED, actor=cora, now=TEST_NOW)
    )

    for collection_id in (draft.id, archived.id, 10**6):
        errors = refusal(any_orm, people, AssignmentInput(collection_id=collection_id))
        assert errors == {"collection_id": "No published collection has that id."}


def test_it_refuses_a_collection_whose_every_published_session_is_forbidden_with_the_reason(
    any_orm: Orm, people: dict[str, User], sessions: dict[str, PracticeSession]
) -> None:
    alice, bob = people["alice"], people["bob"]
    holds = any_orm.run(
        published("Box breathing", minutes=6, contraindications=["breath_hold"], now=TEST_NOW)
    )
    sessions["Box breathing"] = holds
    week = programme(any_orm, people["cora"], ["Box breathing", "Ground"], sessions)
    any_orm.run(restrictions.set_contraindications(alice, ["breath_hold"], by=bob, now=TEST_NOW))
    any_orm.run(
        restrictions.set_override(
            alice, sessions["Ground"].id, OverrideKind.BAN, by=bob, now=TEST_NOW
        )
    )

    errors = refusal(any_orm, people, AssignmentInput(collection_id=week.id))

    assert errors == {
        "collection_id": "Every published session of “First week” is contraindicated or on this "
        "patient's skip list. Choose another collection."
    }
    [choice] = any_orm.run(targets.collection_choices(alice.id))
    assert (choice.id, choice.sessions, choice.reason) == (week.id, 2, errors["collection_id"])
    # Once one of them is allowed again, it may be assigned.
    any_orm.run(restrictions.set_override(alice, sessions["Ground"].id, None, by=bob, now=TEST_NOW))
    assert assign(any_orm, people, AssignmentInput(collection_id=week.id)) > 0


def test_a_collection_with_a_session_or_a_kind_is_refused_naming_each_field(
    any_orm: Orm, people: dict[str, User], sessions: dict[str, PracticeSession]
) -> None:
    week = programme(any_orm, people["cora"], ["Arrive"], sessions)
    both = AssignmentInput(collection_id=week.id, session_id=sessions["Arrive"].id)
    three = AssignmentInput(
        collection_id=week.id, kind="breathing", min_minutes=5, max_minutes=10, times_a_week=0
    )

    assert set(refusal(any_orm, people, both)) == {"collection_id", "session_id"}
    assert set(refusal(any_orm, people, three)) == {
        "collection_id",
        "kind",
        "min_minutes",
        "max_minutes",
    }
    # Other fields at fault are named in the same answer.
    late = AssignmentInput(collection_id=10**6, frequency="fortnightly", end=TODAY - DAY)
    assert set(refusal(any_orm, people, late)) == {"collection_id", "frequency", "end"}


def test_a_change_moves_an_assignment_to_a_collection_keeping_the_history(
    any_orm: Orm, people: dict[str, User], sessions: dict[str, PracticeSession]
) -> None:
    alice, bob = people["alice"], people["bob"]
    week = programme(any_orm, people["cora"], ["Body scan"], sessions)
    assignment_id = assign(
        any_orm, people, AssignmentInput(session_id=sessions["Arrive"].id), days=-2
    )
    assignment = any_orm.run(PracticeAssignment.get(id=assignment_id))
    any_orm.run(practised(alice.id, TEST_NOW - 2 * DAY, session=sessions["Arrive"]))
    any_orm.run(practised(alice.id, TEST_NOW - DAY, session=sessions["Body scan"]))  # not asked
    changed = AssignmentInput(collection_id=week.id)
    any_orm.run(service.change_assignment(assignment, changed, by=bob, policy=POLICY, now=TEST_NOW))
    any_orm.run(practised(alice.id, TEST_NOW - timedelta(hours=1), session=sessions["Body scan"]))

    [found] = any_orm.run(adherence_for(alice, policy=POLICY, now=TEST_NOW))
    assert found.title == "Collection: First week"
    assert (found.done, found.prescribed) == (2, 3)  # Sunday and today done; Monday missed
    versions = any_orm.run(
        AssignmentVersion.filter(assignment_id=assignment_id)
        .order_by("id")
        .values_list("session_id", "collection_id", "effective_from")
    )
    assert [tuple(row) for row in versions] == [
        (sessions["Arrive"].id, None, TODAY - 2 * DAY),
        (None, week.id, TODAY),
    ]
    assert (
        service.input_of(any_orm.run(service.latest_version(assignment))).collection_id == week.id
    )


def test_coordinators_see_how_many_patients_archiving_would_leave_without_it(
    any_orm: Orm, people: dict[str, User], sessions: dict[str, PracticeSession]
) -> None:
    week = programme(any_orm, people["cora"], ["Arrive"], sessions)
    other = any_orm.run(person("dana", Role.PATIENT, zone="Pacific/Kiritimati"))
    any_orm.run(care.assign(people["bob"], other, now=TEST_NOW))
    assign(any_orm, people, AssignmentInput(collection_id=week.id))
    assign(any_orm, people, AssignmentInput(collection_id=week.id))  # the same patient twice
    ended = any_orm.run(
        service.create_assignment(
            other,
            AssignmentInput(collection_id=week.id),
            by=people["bob"],
            policy=POLICY,
            now=TEST_NOW,
        )
    )

    def count() -> int:
        return any_orm.run(patients_assigned_to_collection(week.id, now=TEST_NOW, rollover_hour=3))

    assert count() == 2
    any_orm.run(service.end_assignment(ended, by=people["bob"], policy=POLICY, now=TEST_NOW))
    assert count() == 1
    # Past its end date on the patient's own practice day: not in force.
    later = TEST_NOW + 3 * DAY
    assert any_orm.run(patients_assigned_to_collection(week.id, now=later, rollover_hour=3)) == 1


def test_the_dashboard_counts_a_collections_items(
    any_orm: Orm, people: dict[str, User], sessions: dict[str, PracticeSession]
) -> None:
    alice = people["alice"]
    week = programme(any_orm, people["cora"], ["Arrive", "Ground"], sessions)
    assign(any_orm, people, AssignmentInput(collection_id=week.id), days=-1)
    any_orm.run(practised(alice.id, TEST_NOW - timedelta(hours=2), session=sessions["Ground"]))

    figures = any_orm.run(adherence_for_many([alice.id], policy=POLICY, now=TEST_NOW))[alice.id]

    assert (figures.active, figures.week_done, figures.week_prescribed, figures.overdue) == (
        1,
        1,
        2,
        1,
    )


def test_the_database_refuses_to_delete_a_collection_an_assignment_names(
    any_orm: Orm, people: dict[str, User], sessions: dict[str, PracticeSession]
) -> None:
    week = programme(any_orm, people["cora"], ["Arrive"], sessions)
    assign(any_orm, people, AssignmentInput(collection_id=week.id))

    with pytest.raises(IntegrityError):
        any_orm.run(Collection.filter(id=week.id).delete())
    assert any_orm.run(Collection.filter(id=week.id).exists())
    assert any_orm.run(AssignmentVersion.filter(collection_id=week.id).count()) == 1
