"""Assigning practices: create, change, pause, resume, end, refusals, and adherence from the DB."""

from __future__ import annotations

from datetime import date

import pytest

from tests.caseload_fixtures import BREATHING_5_10, DAY, POLICY, person, practised, published
from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import restrictions
from wellness.care import services as care
from wellness.care.models import AssignmentVersion, OverrideKind, PracticeAssignment
from wellness.caseload import assignments as service
from wellness.caseload.assignments import AssignmentError, AssignmentInput
from wellness.caseload.plan import AssignmentState, adherence_for
from wellness.catalog.kinds import Kind, Posture
from wellness.lib.validation import FieldError

TODAY = date(2026, 11, 24)  # TEST_NOW in Berlin: a Tuesday afternoon


def assign(orm: Orm, patient: User, by: User, entry: AssignmentInput, *, days: int = 0) -> int:
    created = orm.run(
        service.create_assignment(patient, entry, by=by, policy=POLICY, now=TEST_NOW + days * DAY)
    )
    return int(created.id)


def test_it_assigns_a_kind_from_today_with_the_note(orm: Orm, alice: User, bob: User) -> None:
    orm.run(published("Slow exhale", minutes=6, now=TEST_NOW))
    assignment_id = assign(orm, alice, bob, BREATHING_5_10)

    version = orm.run(AssignmentVersion.get(assignment_id=assignment_id))
    assert (version.effective_from, version.start, version.end) == (TODAY, TODAY, None)
    assert (version.kind, version.min_minutes, version.max_minutes) == ("breathing", 5, 10)
    assert (version.frequency, version.note, version.created_by_id) == ("daily", "Slowly.", bob.id)
    [found] = orm.run(adherence_for(alice, policy=POLICY, now=TEST_NOW))
    assert found.title == "Any breathing session, 5 to 10 minutes"
    assert (found.schedule, found.state, found.note) == ("Daily", AssignmentState.ACTIVE, "Slowly.")
    assert (found.done, found.prescribed, found.pending) == (0, 0, 1)


def test_it_refuses_a_contraindicated_or_banned_session_with_the_reason(
    orm: Orm, alice: User, bob: User
) -> None:
    holds = orm.run(
        published("Box breathing", minutes=6, contraindications=["breath_hold"], now=TEST_NOW)
    )
    standing = orm.run(
        published(
            "Standing flow", minutes=8, kind=Kind.YOGA, posture=Posture.STANDING, now=TEST_NOW
        )
    )
    calm = orm.run(published("Calm", minutes=6, now=TEST_NOW))
    orm.run(
        restrictions.set_contraindications(alice, ["breath_hold", "standing"], by=bob, now=TEST_NOW)
    )
    orm.run(restrictions.set_override(alice, calm.id, OverrideKind.BAN, by=bob, now=TEST_NOW))

    for session, reason in ((holds, "breath hold"), (standing, "standing"), (calm, "skip list")):
        with pytest.raises(FieldError, match=reason) as refused:
            assign(orm, alice, bob, AssignmentInput(session_id=session.id))
        assert refused.value.field == "session_id"
    assert orm.run(PracticeAssignment.all().count()) == 0


def test_it_refuses_a_kind_whose_every_matching_session_is_forbidden(
    orm: Orm, alice: User, bob: User
) -> None:
    orm.run(published("Box breathing", minutes=6, contraindications=["breath_hold"], now=TEST_NOW))
    allowed_later = orm.run(published("Long exhale", minutes=15, now=TEST_NOW))
    orm.run(restrictions.set_contraindications(alice, ["breath_hold"], by=bob, now=TEST_NOW))

    with pytest.raises(FieldError, match="Every published breathing session of 5 to 10") as refused:
        assign(orm, alice, bob, BREATHING_5_10)
    assert refused.value.field == "kind"
    assert orm.run(PracticeAssignment.all().count()) == 0

    wider = AssignmentInput(kind="breathing", min_minutes=5, max_minutes=15)
    assert assign(orm, alice, bob, wider) > 0
    assert allowed_later.duration_seconds == 15 * 60


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        (AssignmentInput(kind="juggling", min_minutes=5, max_minutes=10), "kind"),
        (AssignmentInput(kind="breathing", min_minutes=0, max_minutes=10), "min_minutes"),
        (AssignmentInput(kind="breathing", min_minutes=10, max_minutes=5), "max_minutes"),
        (AssignmentInput(session_id=999), "session_id"),
        (AssignmentInput(session_id=1, kind="breathing"), "session_id"),
        (
            AssignmentInput(kind="breathing", min_minutes=5, max_minutes=10, frequency="hourly"),
            "frequency",
        ),
        (
            AssignmentInput(
                kind="yoga", min_minutes=5, max_minutes=10, frequency="times_a_week", times_a_week=8
            ),
            "times_a_week",
        ),
        (
            AssignmentInput(kind="yoga", min_minutes=5, max_minutes=10, frequency="weekdays"),
            "weekdays",
        ),
        (
            AssignmentInput(kind="yoga", min_minutes=5, max_minutes=10, part_of_day="noon"),
            "part_of_day",
        ),
        (
            AssignmentInput(
                kind="yoga", min_minutes=5, max_minutes=10, start=TODAY, end=TODAY - DAY
            ),
            "end",
        ),
        (AssignmentInput(kind="yoga", min_minutes=5, max_minutes=10, note="x" * 501), "note"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(
    orm: Orm, alice: User, bob: User, entry: AssignmentInput, field: str
) -> None:
    with pytest.raises(FieldError) as refused:
        assign(orm, alice, bob, entry)
    assert refused.value.field == field
    assert orm.run(PracticeAssignment.all().count()) == 0


def test_a_change_applies_from_today_and_earlier_days_keep_the_old_schedule(
    orm: Orm, alice: User, bob: User
) -> None:
    session = orm.run(published("Slow exhale", minutes=6, now=TEST_NOW))
    assignment_id = assign(orm, alice, bob, AssignmentInput(session_id=session.id), days=-3)
    # Done on the first of the three days before the change, missed on the other two.
    orm.run(practised(alice.id, TEST_NOW - 3 * DAY, session=session))
    assignment = orm.run(PracticeAssignment.get(id=assignment_id))
    weekly = AssignmentInput(
        session_id=session.id, frequency="weekdays", weekdays=(1,), note="Mondays"
    )
    orm.run(service.change_assignment(assignment, weekly, by=bob, policy=POLICY, now=TEST_NOW))

    [found] = orm.run(adherence_for(alice, policy=POLICY, now=TEST_NOW))
    # Saturday, Sunday, Monday were daily (1 done, 2 missed); Tuesday on is Mondays only.
    assert (found.done, found.prescribed, found.pending) == (1, 3, 0)
    assert (found.schedule, found.note) == ("Mon", "Mondays")
    versions = orm.run(AssignmentVersion.filter(assignment_id=assignment_id).order_by("id"))
    assert [v.effective_from for v in versions] == [TODAY - 3 * DAY, TODAY]


def test_pause_resume_and_end_follow_the_state_and_refuse_what_it_does_not_allow(
    orm: Orm, alice: User, bob: User
) -> None:
    orm.run(published("Slow exhale", minutes=6, now=TEST_NOW))
    assignment_id = assign(orm, alice, bob, BREATHING_5_10, days=-5)
    assignment = orm.run(PracticeAssignment.get(id=assignment_id))

    with pytest.raises(AssignmentError, match="not paused"):
        orm.run(service.resume_assignment(assignment, policy=POLICY, now=TEST_NOW))
    orm.run(service.pause_assignment(assignment, policy=POLICY, now=TEST_NOW - 3 * DAY))
    with pytest.raises(AssignmentError, match="already paused"):
        orm.run(service.pause_assignment(assignment, policy=POLICY, now=TEST_NOW))
    [paused] = orm.run(adherence_for(alice, policy=POLICY, now=TEST_NOW))
    assert paused.state is AssignmentState.PAUSED
    assert (paused.prescribed, paused.pending) == (2, 0)  # two days before the pause, missed

    orm.run(service.resume_assignment(assignment, policy=POLICY, now=TEST_NOW - DAY))
    [resumed] = orm.run(adherence_for(alice, policy=POLICY, now=TEST_NOW))
    assert resumed.state is AssignmentState.ACTIVE
    assert (resumed.prescribed, resumed.pending) == (3, 1)  # and yesterday; today is open

    orm.run(service.end_assignment(assignment, by=bob, policy=POLICY, now=TEST_NOW))
    [ended] = orm.run(adherence_for(alice, policy=POLICY, now=TEST_NOW))
    assert ended.state is AssignmentState.ENDED
    assert (ended.prescribed, ended.pending) == (3, 0)  # nothing due on the day it ended
    stored = orm.run(PracticeAssignment.get(id=assignment_id))
    assert (stored.ended_on, stored.ended_by_id) == (TODAY, bob.id)
    for action in (service.pause_assignment, service.resume_assignment):
        with pytest.raises(AssignmentError, match="has ended"):
            orm.run(action(stored, policy=POLICY, now=TEST_NOW))
    with pytest.raises(AssignmentError, match="has ended"):
        orm.run(
            service.change_assignment(stored, BREATHING_5_10, by=bob, policy=POLICY, now=TEST_NOW)
        )


def test_only_the_current_care_team_loads_an_assignment(orm: Orm, alice: User, bob: User) -> None:
    orm.run(published("Slow exhale", minutes=6, now=TEST_NOW))
    assignment_id = assign(orm, alice, bob, BREATHING_5_10)
    dana = orm.run(person("dana", Role.THERAPIST))
    cora = orm.run(person("cora", Role.COORDINATOR))

    assert orm.run(service.assignment_for_therapist(bob, assignment_id)) is not None
    assert orm.run(service.assignment_for_therapist(dana, assignment_id)) is None
    assert orm.run(service.assignment_for_therapist(cora, assignment_id)) is None
    assert orm.run(service.assignment_for_therapist(alice, assignment_id)) is None
    orm.run(care.unassign(bob.id, alice.id, now=TEST_NOW))
    assert orm.run(service.assignment_for_therapist(bob, assignment_id)) is None
