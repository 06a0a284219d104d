"""Practice of kind "other" (a walk, a swim, a 12-step meeting) as everything that reads practice
kinds sees it, on both databases: it counts for the streak and the minutes, shows under its
own name, is "Other" among the kinds, never fulfils a kind assignment (whatever its name says),
and the suggestion engine never reads it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.caseload_fixtures import POLICY, person, practised, rated
from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from tests.suggestion_app_cases import store_catalog
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import services as care
from wellness.caseload import assignments
from wellness.caseload import record as records
from wellness.caseload.assignments import AssignmentInput
from wellness.caseload.daily_plan import todays_plan_for
from wellness.caseload.plan import adherence_for
from wellness.catalog.kinds import Kind
from wellness.lib.validation import FieldError
from wellness.practice import progress
from wellness.practice import services as practice
from wellness.practice.models import PracticeLog
from wellness.practice.rules import PracticeKind
from wellness.suggestions import services as suggestions
from wellness.suggestions.services import context as gather
from wellness.suggestions.services.clinic import ClinicFits


@pytest.fixture
def patient(orm: Orm) -> User:
    return orm.run(person("wanda", Role.PATIENT))


def log_other(orm: Orm, patient: User, label: str, **fields: object) -> PracticeLog:
    entry = practice.PracticeInput(
        started_at=TEST_NOW - timedelta(hours=2),
        listened_seconds=30 * 60,
        kind=PracticeKind.OTHER,
        other_label=label,
        completed=True,
        **fields,  # type: ignore[arg-type]
    )
    return orm.run(practice.log_practice(patient, entry, policy=POLICY, now=TEST_NOW)).practice


def test_an_other_practice_is_stored_with_its_name_trimmed(orm: Orm, patient: User) -> None:
    logged = log_other(orm, patient, "  Walk\tby the lake ")

    stored = orm.run(PracticeLog.get(id=logged.id))
    assert (stored.kind, stored.other_label) == (PracticeKind.OTHER, "Walk by the lake")
    assert stored.session_id is None


@pytest.mark.parametrize(
    ("kind", "label", "message"),
    [
        (PracticeKind.OTHER, "x" * 41, "Keep the name of the practice to 40 characters or fewer"),
        (PracticeKind.YOGA, "Walk", "Name the practice only when its kind is Other."),
    ],
)
def test_a_name_too_long_or_for_another_kind_is_refused(
    orm: Orm, patient: User, kind: PracticeKind, label: str, message: str
) -> None:
    entry = practice.PracticeInput(
        started_at=TEST_NOW - timedelta(hours=2),
        listened_seconds=600,
        kind=kind,
        other_label=label,
        completed=True,
    )

    with pytest.raises(FieldError) as refused:
        orm.run(practice.log_practice(patient, entry, policy=POLICY, now=TEST_NOW))

    assert refused.value.field == "other_label"
    assert message in refused.value.message
    assert orm.run(PracticeLog.all().count()) == 0


def test_it_counts_for_the_streak_and_the_minutes_and_is_other_among_the_kinds(
    orm: Orm, patient: User
) -> None:
    walk = log_other(orm, patient, "Walk", anxiety_before=6, anxiety_after=3)

    found = orm.run(progress.progress_for(patient, policy=POLICY, now=TEST_NOW))
    history = orm.run(records.practice_history(patient, policy=POLICY))
    helped = orm.run(records.rated_practice(patient, policy=POLICY))

    assert found.streak.current == 1
    assert sum(found.minutes_by_day.values()) == 30
    assert found.by_kind == [("Other", -3.0, 1)]
    assert [(entry.id, entry.title, entry.kind) for entry in history.items] == [
        (walk.id, "Walk", PracticeKind.OTHER)
    ]
    assert [(row.kind, row.session) for row in helped] == [("Other", None)]


def test_an_unnamed_other_practice_reads_as_other_practice(orm: Orm, patient: User) -> None:
    log_other(orm, patient, "")

    history = orm.run(records.practice_history(patient, policy=POLICY))

    assert [entry.title for entry in history.items] == ["Other practice"]


def test_an_other_practice_named_yoga_does_not_fulfil_a_yoga_assignment(
    orm: Orm, patient: User
) -> None:
    therapist = orm.run(person("theo", Role.THERAPIST))
    orm.run(care.assign(therapist, patient, now=TEST_NOW - timedelta(days=1)))
    yoga = AssignmentInput(kind="yoga", min_minutes=20, max_minutes=40)
    orm.run(assignments.create_assignment(patient, yoga, by=therapist, policy=POLICY, now=TEST_NOW))
    orm.run(
        practised(
            patient.id,
            TEST_NOW - timedelta(hours=1),
            kind=PracticeKind.OTHER,
            other_label="Yoga",
            minutes=30,
        )
    )

    [before] = orm.run(todays_plan_for(patient, policy=POLICY, now=TEST_NOW)).items
    orm.run(practised(patient.id, TEST_NOW - timedelta(minutes=30), kind=Kind.YOGA, minutes=30))
    [after] = orm.run(todays_plan_for(patient, policy=POLICY, now=TEST_NOW)).items
    [adherence] = orm.run(adherence_for(patient, policy=POLICY, now=TEST_NOW))

    assert before.done == 0
    assert after.done == 1
    assert adherence.done == 1


def test_the_suggestion_engine_never_reads_an_other_practice(orm: Orm, patient: User) -> None:
    orm.run(store_catalog(TEST_NOW))
    for days in (1, 2, 3):
        walk = orm.run(
            practised(
                patient.id,
                TEST_NOW - timedelta(days=days),
                kind=PracticeKind.OTHER,
                other_label="Walk",
            )
        )
        orm.run(rated(walk, 7, 2))

    context, _ = orm.run(gather.patient_context(patient, policy=POLICY, now=TEST_NOW))
    found = orm.run(
        suggestions.suggestions_for(patient, policy=POLICY, now=TEST_NOW, fits=ClinicFits(), rng=7)
    )

    assert context.history == ()
    assert context.ratings == ()
    assert found.items  # suggested as for anyone with no practice here yet
