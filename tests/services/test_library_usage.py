"""The library's usage figures: starts, completions as `practice` decides them, distinct
patients, paired before/after changes, archived sessions, assignments in force, totals, and
small cells suppressed (4 patients hidden, 5 shown), in a number of queries that does not grow
with the library."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.caseload_fixtures import person, practised, published, rated
from tests.services.conftest import Orm
from tests.services.test_archive_warning_hours import assigned
from tests.services.test_dashboard_queries import counted_queries
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.caseload.usage import library_usage, session_usage
from wellness.caseload.usage_rules import (
    MIN_PATIENTS,
    Counts,
    Figures,
    Period,
    SortOrder,
    UsageQuery,
)
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import PracticeSession
from wellness.checkins.models import Checkin
from wellness.checkins.scoring import CheckinContext
from wellness.practice.history import rated_before_and_after
from wellness.practice.models import PracticeLog
from wellness.practice.rules import Evidence, log_counts_as_complete
from wellness.settings import CarePolicy

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
ZONE = "Europe/Berlin"
POLICY = CarePolicy()
PERIOD = Period(date(2026, 10, 28), date(2026, 11, 24))
IN_PERIOD = NOW - timedelta(days=3)


def query(**changes: object) -> UsageQuery:
    base = UsageQuery(PERIOD)
    return UsageQuery(
        period=changes.get("period", base.period),  # type: ignore[arg-type]
        order=changes.get("order", base.order),  # type: ignore[arg-type]
        kind=str(changes.get("kind", "")),
        page=int(changes.get("page", 1)),  # type: ignore[call-overload]
    )


def report(orm: Orm, policy: CarePolicy = POLICY, **changes: object):  # type: ignore[no-untyped-def]
    return orm.run(library_usage(query(**changes), zone=ZONE, policy=policy, now=NOW))


def row_of(found, session: PracticeSession):  # type: ignore[no-untyped-def]
    (row,) = [row for row in found.rows if row.session_id == session.id]
    return row


def patients(orm: Orm, count: int, prefix: str = "p") -> list[User]:
    return [orm.run(person(f"{prefix}{number}", Role.PATIENT)) for number in range(count)]


async def log(
    patient: User,
    session: PracticeSession,
    *,
    evidence: Evidence,
    listened: int,
    duration: float | None,
    completed: bool,
    at: datetime = IN_PERIOD,
) -> PracticeLog:
    return await PracticeLog.create(
        patient_id=patient.id,
        session_id=session.id,
        kind=session.kind,
        evidence=evidence,
        started_at=at,
        time_zone=ZONE,
        listened_seconds=listened,
        duration_seconds=duration,
        completed=completed,
        created_at=at,
        updated_at=at,
    )


# (evidence, listened seconds, stored length, completed flag): a 600-second session.
COMPLETION_CASES = [
    (Evidence.OBSERVED_PLAYBACK, 600, 600.0, True),
    (Evidence.OBSERVED_PLAYBACK, 480, 600.0, False),  # exactly 80%
    (Evidence.OBSERVED_PLAYBACK, 479, 600.0, True),  # just under, whatever the flag says
    (Evidence.OBSERVED_PLAYBACK, 300, 600.0, False),
    (Evidence.OBSERVED_PLAYBACK, 600, None, True),  # played, but no length to judge by
    (Evidence.OBSERVED_PLAYBACK, 10, 0.0, True),  # a zero length is never complete
    (Evidence.SELF_REPORT, 1200, None, True),  # logged in person: as reported
    (Evidence.SELF_REPORT, 1200, None, False),
    (Evidence.SELF_REPORT, 500, 600.0, False),  # a stored length is judged as media
    (Evidence.STAFF_ATTESTED, 1800, None, True),
    (Evidence.STAFF_ATTESTED, 1800, None, False),
]


@pytest.mark.parametrize("percent", [80, 50])
def test_completions_are_the_practices_the_completion_rule_counts(orm: Orm, percent: int) -> None:
    policy = CarePolicy(completion_percent=percent)
    patient = orm.run(person("alice", Role.PATIENT))
    sessions = []
    for number, (evidence, listened, duration, completed) in enumerate(COMPLETION_CASES):
        session = orm.run(published(f"Case {number:02}", minutes=10, now=NOW))
        orm.run(
            log(
                patient,
                session,
                evidence=evidence,
                listened=listened,
                duration=duration,
                completed=completed,
            )
        )
        sessions.append(session)

    found = report(orm, policy)

    for session, (evidence, listened, duration, completed) in zip(
        sessions, COMPLETION_CASES, strict=True
    ):
        expected = log_counts_as_complete(
            evidence, completed, listened, duration, policy.completion_fraction
        )
        row = row_of(found, session)
        assert (row.figures.starts, row.figures.completions) == (1, int(expected)), session.title
    assert found.totals.figures.starts == len(COMPLETION_CASES)


def test_patients_are_counted_once_and_shown_from_five(orm: Orm) -> None:
    four = orm.run(published("Four people", minutes=10, now=NOW))
    five = orm.run(published("Five people", minutes=10, now=NOW))
    people = patients(orm, 5)
    for patient in people[:4]:
        for _ in range(3):  # played three times each: three starts, one patient
            orm.run(practised(patient.id, IN_PERIOD, session=four))
    for patient in people:
        orm.run(practised(patient.id, IN_PERIOD, session=five, complete=False))

    found = report(orm)

    hidden, shown = row_of(found, four).figures, row_of(found, five).figures
    assert (hidden.starts, hidden.completions) == (12, 12)
    assert (hidden.patients, hidden.patients_suppressed) == (None, True)
    assert (shown.starts, shown.completions, shown.patients) == (5, 0, 5)
    assert shown.patients_suppressed is False
    assert shown.completion_rate == 0
    assert hidden.completion_rate == 1
    # The five are the same people in both rows: the table's total counts each once.
    assert (found.totals.figures.patients, found.totals.figures.starts) == (5, 17)


def test_the_mean_change_rests_on_paired_ratings_of_at_least_five_patients(orm: Orm) -> None:
    four = orm.run(published("Rated by four", minutes=10, now=NOW))
    five = orm.run(published("Rated by five", minutes=10, now=NOW))
    people = patients(orm, 5)
    for patient in people[:4]:
        orm.run(rated(orm.run(practised(patient.id, IN_PERIOD, session=four)), 6, 4))
    for number, patient in enumerate(people):
        # Unfinished practice counts too: only the pair matters.
        practice = orm.run(practised(patient.id, IN_PERIOD, session=five, complete=number > 0))
        orm.run(rated(practice, 7, 7 - number))  # changes 0, -1, -2, -3, -4
    # Rated before only, and played without a rating: no pair, not in the mean.
    orm.run(
        Checkin.create(
            patient_id=people[0].id,
            level=9,
            context=CheckinContext.BEFORE_SESSION,
            practice_id=orm.run(practised(people[0].id, IN_PERIOD, session=five)).id,
            occurred_at=IN_PERIOD,
            recorded_at=IN_PERIOD,
        )
    )
    orm.run(practised(people[1].id, IN_PERIOD, session=five))

    found = report(orm)

    hidden, shown = row_of(found, four).figures, row_of(found, five).figures
    assert (hidden.mean_change, hidden.change_suppressed) == (None, True)
    assert (shown.mean_change, shown.change_suppressed) == (-2.0, False)
    # The whole table: 9 pairs, sum (4 * -2) + (-10) = -18, from 5 distinct patients.
    assert found.totals.figures.mean_change == -2.0


def test_the_first_rating_on_each_side_wins_and_an_adopted_check_in_counts_before(
    orm: Orm,
) -> None:
    session = orm.run(published("Pairs", minutes=10, now=NOW))
    for number, patient in enumerate(patients(orm, 5)):
        practice = orm.run(practised(patient.id, IN_PERIOD, session=session))
        for level, context in (
            (8, CheckinContext.QUICK),  # a quick check-in the practice took: before
            (5, CheckinContext.BEFORE_SESSION),  # a second before: the first one wins
            (6 - number % 2, CheckinContext.AFTER_SESSION),
            (0, CheckinContext.AFTER_SESSION),  # a second after: ignored
        ):
            orm.run(
                Checkin.create(
                    patient_id=patient.id,
                    level=level,
                    context=context,
                    practice_id=practice.id,
                    occurred_at=IN_PERIOD,
                    recorded_at=IN_PERIOD,
                )
            )

    figures = row_of(report(orm), session).figures

    # After 6, 5, 6, 5, 6 against before 8: -2, -3, -2, -3, -2.
    assert figures.mean_change == -2.4


def test_no_ratings_is_no_figure_rather_than_a_hidden_one(orm: Orm) -> None:
    session = orm.run(published("Unrated", minutes=10, now=NOW))
    orm.run(practised(orm.run(person("alice", Role.PATIENT)).id, IN_PERIOD, session=session))

    figures = row_of(report(orm), session).figures

    assert (figures.mean_change, figures.change_suppressed) == (None, False)
    assert (figures.patients, figures.patients_suppressed) == (None, True)


def test_archived_sessions_appear_only_when_used_in_the_period_and_drafts_never(
    orm: Orm,
) -> None:
    used = orm.run(published("Archived, used", minutes=10, now=NOW))
    unused = orm.run(published("Archived, unused", minutes=10, now=NOW))
    idle = orm.run(published("Published, unused", minutes=10, now=NOW))
    draft = orm.run(published("A draft someone logged", minutes=10, now=NOW))
    alice = orm.run(person("alice", Role.PATIENT))
    orm.run(practised(alice.id, IN_PERIOD, session=used))
    orm.run(practised(alice.id, NOW - timedelta(days=90), session=unused))
    orm.run(practised(alice.id, IN_PERIOD, session=draft))
    orm.run(PracticeSession.filter(id__in=[used.id, unused.id]).update(status=Status.ARCHIVED))
    orm.run(PracticeSession.filter(id=draft.id).update(status=Status.DRAFT, published_at=None))

    found = report(orm)

    assert {row.session_id for row in found.rows} == {used.id, idle.id}
    assert found.totals.figures.starts == 1  # the draft's practice is in no row, nor the totals
    assert row_of(found, used).archived is True
    assert row_of(found, idle).archived is False
    assert row_of(found, idle).figures.starts == 0
    assert row_of(found, idle).last_played is None
    assert (found.totals.sessions, found.totals.archived, found.published) == (2, 1, 1)


def test_last_played_is_the_latest_start_up_to_the_end_of_the_period(orm: Orm) -> None:
    session = orm.run(published("Older use", minutes=10, now=NOW))
    alice = orm.run(person("alice", Role.PATIENT))
    before = NOW - timedelta(days=60)
    orm.run(practised(alice.id, before, session=session))
    orm.run(practised(alice.id, NOW + timedelta(days=2), session=session))  # after the period

    row = row_of(report(orm), session)

    assert row.figures.starts == 0
    assert row.last_played == before


def test_patients_assigned_now_are_counted_from_five(orm: Orm) -> None:
    four = orm.run(published("Assigned to four", minutes=10, now=NOW))
    five = orm.run(published("Assigned to five", minutes=10, now=NOW))
    therapist = orm.run(person("theo", Role.THERAPIST))
    people = patients(orm, 5)
    for patient in people[:4]:
        orm.run(assigned(patient, four, therapist))
    for patient in people:
        orm.run(assigned(patient, five, therapist))

    found = report(orm)

    assert row_of(found, four).figures.assigned_patients is None
    assert row_of(found, four).figures.assigned_suppressed is True
    assert row_of(found, five).figures.assigned_patients == 5
    assert found.totals.figures.assigned_patients == 5


def test_the_kind_filter_keeps_that_kind_in_rows_and_totals(orm: Orm) -> None:
    breathing = orm.run(published("Breathe", minutes=10, now=NOW))
    yoga = orm.run(published("Stretch", minutes=10, kind=Kind.YOGA, now=NOW))
    alice = orm.run(person("alice", Role.PATIENT))
    orm.run(practised(alice.id, IN_PERIOD, session=breathing))
    orm.run(practised(alice.id, IN_PERIOD, session=yoga))
    orm.run(practised(alice.id, IN_PERIOD, kind=Kind.YOGA))  # no session: never in the table

    found = report(orm, kind="yoga")

    assert [row.session_id for row in found.rows] == [yoga.id]
    assert found.totals.figures.starts == 1


def test_a_suppressed_count_sorts_as_one_value_so_the_order_reveals_nothing(orm: Orm) -> None:
    one = orm.run(published("B: one patient", minutes=10, now=NOW))
    four = orm.run(published("A: four patients", minutes=10, now=NOW))
    five = orm.run(published("C: five patients", minutes=10, now=NOW))
    people = patients(orm, 5)
    orm.run(practised(people[0].id, IN_PERIOD, session=one))
    for patient in people[:4]:
        orm.run(practised(patient.id, IN_PERIOD, session=four))
    for patient in people:
        orm.run(practised(patient.id, IN_PERIOD, session=five))

    for descending in (True, False):
        found = report(orm, order=SortOrder("patients", descending))
        titles = [row.title for row in found.rows]
        hidden = ["A: four patients", "B: one patient"]  # by title, in either direction
        assert titles == (
            ["C: five patients", *hidden] if descending else [*hidden, "C: five patients"]
        )


def test_rows_without_a_mean_change_come_last_in_either_direction(orm: Orm) -> None:
    calm = orm.run(published("Calming", minutes=10, now=NOW))
    flat = orm.run(published("Flat", minutes=10, now=NOW))
    orm.run(published("Never rated", minutes=10, now=NOW))
    for patient in patients(orm, 5):
        orm.run(rated(orm.run(practised(patient.id, IN_PERIOD, session=calm)), 7, 4))
        orm.run(rated(orm.run(practised(patient.id, IN_PERIOD, session=flat)), 5, 5))

    ascending = [row.title for row in report(orm, order=SortOrder("change", False)).rows]
    descending = [row.title for row in report(orm, order=SortOrder("change", True)).rows]

    assert ascending == ["Calming", "Flat", "Never rated"]
    assert descending == ["Flat", "Calming", "Never rated"]


def test_pages_hold_fifty_rows_and_a_page_past_the_end_shows_the_last(orm: Orm) -> None:
    for number in range(55):
        orm.run(published(f"Session {number:02}", minutes=10, now=NOW))

    first = report(orm, order=SortOrder("title", False))
    past = report(orm, order=SortOrder("title", False), page=9)

    assert (len(first.rows), first.pages, first.total_rows) == (50, 2, 55)
    assert (past.page, [row.title for row in past.rows]) == (
        2,
        [f"Session {number:02}" for number in range(50, 55)],
    )


def test_an_empty_library_and_one_without_use_say_so(orm: Orm) -> None:
    empty = report(orm)
    assert (empty.library_empty, empty.rows, empty.published) == (True, [], 0)

    orm.run(published("Waiting", minutes=10, now=NOW))
    unused = report(orm)
    assert (unused.library_empty, unused.published, unused.totals.figures.starts) == (False, 1, 0)
    assert unused.totals.figures.patients == 0
    assert unused.totals.figures.mean_change is None


def test_one_sessions_figures_are_its_row_of_the_table(orm: Orm) -> None:
    session = orm.run(published("Alone", minutes=10, now=NOW))
    other = orm.run(published("Other", minutes=10, now=NOW))
    for patient in patients(orm, MIN_PATIENTS):
        orm.run(rated(orm.run(practised(patient.id, IN_PERIOD, session=session)), 6, 3))
        orm.run(practised(patient.id, IN_PERIOD, session=other))

    alone = orm.run(session_usage(session, PERIOD, zone=ZONE, policy=POLICY, now=NOW))

    assert alone == row_of(report(orm), session)
    assert (alone.figures.starts, alone.figures.patients, alone.figures.mean_change) == (5, 5, -3.0)


def test_the_query_count_does_not_grow_with_the_library(orm: Orm) -> None:
    def queries(sessions: int) -> int:
        for number in range(sessions):
            session = orm.run(published(f"Grow {sessions}-{number}", minutes=10, now=NOW))
            patient = orm.run(person(f"grow{sessions}-{number}", Role.PATIENT))
            orm.run(rated(orm.run(practised(patient.id, IN_PERIOD, session=session)), 5, 3))
        with counted_queries() as seen:
            report(orm)
        return len(seen)

    assert queries(2) == queries(20) <= 6


# --- the figures against the rules they come from, over varied data ---------------------------

CONTEXTS = list(CheckinContext)


async def varied_clinic(chance: random.Random) -> None:
    """Sessions of two kinds in every status; patients practising them inside and outside the
    period with every kind of evidence and length; ratings on either side, doubled, quick,
    missing, or on practice outside the period."""
    sessions = []
    for number in range(9):
        kind = Kind.YOGA if number % 3 == 0 else Kind.BREATHING
        sessions.append(await published(f"Varied {number}", minutes=10, kind=kind, now=NOW))
    await PracticeSession.filter(id=sessions[1].id).update(status=Status.ARCHIVED)
    await PracticeSession.filter(id=sessions[2].id).update(status=Status.ARCHIVED)
    await PracticeSession.filter(id=sessions[3].id).update(status=Status.DRAFT)
    starts = (
        NOW - timedelta(days=40),
        IN_PERIOD,
        NOW - timedelta(days=20),
        NOW + timedelta(days=1),
    )
    for number in range(chance.randint(6, 11)):
        patient = await person(f"varied{number}", Role.PATIENT)
        for _ in range(chance.randint(0, 14)):
            evidence, listened, duration, completed = chance.choice(COMPLETION_CASES)
            practice = await log(
                patient,
                chance.choice(sessions),
                evidence=evidence,
                listened=listened,
                duration=duration,
                completed=completed,
                at=chance.choice(starts) + timedelta(minutes=chance.randrange(600)),
            )
            for _ in range(chance.choice((0, 0, 1, 2, 2, 2, 3))):
                await Checkin.create(
                    patient_id=patient.id,
                    level=chance.randint(0, 10),
                    context=chance.choice(CONTEXTS),
                    practice_id=practice.id,
                    occurred_at=practice.started_at,
                    recorded_at=practice.started_at,
                )


async def expected_figures(
    period: Period, kind: str, policy: CarePolicy
) -> tuple[dict[int, Figures], Figures]:
    """Each row's figures and the totals' worked out from every practice with the app's own
    rules (`log_counts_as_complete`, `rated_before_and_after`), the slow way."""
    start, end = period.bounds(ZONE)
    statuses = (Status.PUBLISHED, Status.ARCHIVED)
    sessions = {
        session.id: session
        for session in await PracticeSession.filter(status__in=statuses)
        if not kind or session.kind == kind
    }
    pairs: dict[int, tuple[int, int]] = {}
    for patient in await User.all():
        pairs.update(await rated_before_and_after(patient.id))
    starts: dict[int | None, int] = defaultdict(int)
    done: dict[int | None, int] = defaultdict(int)
    rated: dict[int | None, int] = defaultdict(int)
    change: dict[int | None, int] = defaultdict(int)
    patients: dict[int | None, set[int]] = defaultdict(set)
    rated_patients: dict[int | None, set[int]] = defaultdict(set)
    for practice in await PracticeLog.filter(session_id__in=list(sessions)):
        if not start <= practice.started_at < end:
            continue
        complete = log_counts_as_complete(
            practice.evidence,
            practice.completed,
            practice.listened_seconds,
            practice.duration_seconds,
            policy.completion_fraction,
        )
        for key in (practice.session_id, None):  # the session's row and the totals
            starts[key] += 1
            done[key] += int(complete)
            patients[key].add(practice.patient_id)
            if practice.id in pairs:
                before, after = pairs[practice.id]
                rated[key] += 1
                change[key] += after - before
                rated_patients[key].add(practice.patient_id)

    def shown(key: int | None) -> Figures:
        return Counts(
            starts=starts[key],
            completions=done[key],
            patients=len(patients[key]),
            rated=rated[key],
            rated_patients=len(rated_patients[key]),
            change_sum=change[key],
        ).shown()

    rows = {
        key: shown(key)
        for key, session in sessions.items()
        if session.status == Status.PUBLISHED or starts[key]
    }
    return rows, shown(None)


@pytest.mark.parametrize("seed", range(6))
def test_the_figures_are_the_practice_rules_worked_out_practice_by_practice(
    orm: Orm, seed: int
) -> None:
    chance = random.Random(seed)
    orm.run(varied_clinic(chance))
    policy = CarePolicy(completion_percent=chance.choice((50, 80)))

    for kind in ("", "yoga"):
        found = report(orm, policy, kind=kind)
        rows, totals = orm.run(expected_figures(PERIOD, kind, policy))

        assert {row.session_id: row.figures for row in found.rows} == rows
        assert found.totals.figures == totals
        for row in found.rows:
            alone = orm.run(
                session_usage(
                    orm.run(PracticeSession.get(id=row.session_id)),
                    PERIOD,
                    zone=ZONE,
                    policy=policy,
                    now=NOW,
                )
            )
            assert alone == row
