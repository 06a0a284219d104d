"""The progress page's figures (`practice.progress.progress_for`) are kept per patient between
views: served again with no query but the change tokens' while nothing they show has changed,
and equal to a fresh reading after every kind of write (practice, a rating after a session, a
check-in, a GAD-7, writes through another connection as another worker or the CLI makes them, a
session's new title, the patient's new zone), and at every local hour, across the rollover,
midnight and both DST changes, in zones east and west of UTC.

A fresh reading is the same call with nothing kept (`nothing_kept`), so what it computes is the
page as it was before anything was kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.caseload_fixtures import person, practised
from tests.services.conftest import Orm
from tests.services.test_collection_follows import pat, sessions
from tests.services.test_dashboard_cache import _elsewhere
from tests.services.test_dashboard_queries import counted_queries, practice_log
from tests.unit.test_day_semantics import DAYS, ZONES, earlier, moments, practice_day_of
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.caseload import record
from wellness.caseload.record import PracticeEntry
from wellness.catalog.models import PracticeSession
from wellness.checkins import services as checkins
from wellness.checkins.models import Checkin
from wellness.db import KeyedCache
from wellness.lib.paging import Page
from wellness.practice import charts, checkin_as_after, progress
from wellness.practice import services as practice
from wellness.practice.models import PracticeLog
from wellness.settings import CarePolicy

__all__ = ["pat", "sessions"]  # the fixtures, shared with the followings' tests

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
POLICY = CarePolicy()
PRACTICE_READ = 'FROM "practice_logs" WHERE "patient_id"'


@contextmanager
def nothing_kept() -> Iterator[None]:
    """Within it, `progress_for` and the practice history list start from empty caches; what
    was kept is back afterwards."""
    saved = progress._kept, progress._kept_practice, record._kept_history
    progress._kept, progress._kept_practice = KeyedCache(), KeyedCache()
    record._kept_history = KeyedCache()
    try:
        yield
    finally:
        progress._kept, progress._kept_practice, record._kept_history = saved


def read(orm: Orm, patient: User, now: datetime) -> tuple[progress.Progress, list[str]]:
    """The figures as a view reads them, and the statements that took."""
    with counted_queries() as seen:
        found = orm.run(progress.progress_for(patient, policy=POLICY, now=now))
    return found, seen


def fresh(orm: Orm, patient: User, now: datetime) -> progress.Progress:
    with nothing_kept():
        return orm.run(progress.progress_for(patient, policy=POLICY, now=now))


def read_and_compare(orm: Orm, patient: User, now: datetime) -> progress.Progress:
    """A view's figures, checked against a fresh reading, charts included."""
    found, _ = read(orm, patient, now)
    expected = fresh(orm, patient, now)
    assert found == expected
    assert found.now == now
    assert _charts(found) == _charts(expected)
    return found


def _charts(found: progress.Progress) -> tuple[object, ...]:
    return (
        charts.calendar_heatmap(
            found.minutes_by_day, found.streak.practice_days, today=found.today, weeks=26
        ),
        charts.anxiety_timeline(
            found.checkins, found.pairs, start=found.ratings_start, now=found.now
        ),
        charts.gad7_chart(found.gad7, start=found.ratings_start, now=found.now),
        charts.weekly_minutes(found.weekly, practised=found.practised_in_weekly),
        charts.average_change(found.by_session),
        charts.average_change(found.by_kind),
    )


def _moment(orm: Orm, moment: datetime) -> object:
    """A timestamp as the raw driver takes it: SQLite's text, PostgreSQL's datetime."""
    return moment if "postgres" in orm.database_url else moment.isoformat(sep=" ")


def test_kept_figures_are_served_again_and_equal_a_fresh_reading_after_every_write(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    orm = any_orm
    breathe = sessions["Breathe"]
    for days in range(3, 0, -1):
        yesterdays = orm.run(practised(pat.id, NOW - timedelta(days=days), session=breathe))

    first, _ = read(orm, pat, NOW)
    again, statements = read(orm, pat, NOW + timedelta(minutes=5))
    assert again == fresh(orm, pat, NOW + timedelta(minutes=5))
    assert again.now - first.now == timedelta(minutes=5)
    assert len(statements) == 1  # the change tokens only
    assert again.streak is first.streak  # served, not computed again
    assert first.streak.total_days == 3

    # Practice logged, rated before and after.
    logged = practice.PracticeInput(
        started_at=NOW - timedelta(hours=1),
        listened_seconds=600,
        kind=breathe.kind,
        completed=True,
        anxiety_before=6,
        anxiety_after=3,
    )
    orm.run(practice.log_practice(pat, logged, policy=POLICY, now=NOW))
    found = read_and_compare(orm, pat, NOW)
    assert (found.streak.total_days, [pair[1:] for pair in found.pairs]) == (4, [(6, 3)])

    # A session played here, rated before, played to the end (the player's report), rated after.
    started = NOW + timedelta(minutes=30)
    later = started + timedelta(minutes=6)
    played = orm.run(
        practice.start_playback(pat, breathe.id, anxiety_before=7, policy=POLICY, now=started)
    )
    found = read_and_compare(orm, pat, started)
    orm.run(practice.report_progress(played.practice, 300, policy=POLICY, now=later))
    found = read_and_compare(orm, pat, later)
    orm.run(practice.rate_after(played.practice, 2, policy=POLICY, now=later))
    found = read_and_compare(orm, pat, later)
    assert [pair[1:] for pair in found.pairs] == [(6, 3), (7, 2)]

    # A quick check-in, and the GAD-7.
    orm.run(
        checkin_as_after.record_checkin(pat, checkins.CheckinInput(5), policy=POLICY, now=later)
    )
    orm.run(checkins.record_gad7(pat, [2] * 7, occurred_at=None, policy=POLICY, now=later))
    found = read_and_compare(orm, pat, later)
    assert ([level for _, level in found.checkins], found.gad7[-1][1]) == ([5], 14)

    # Through another connection (another worker, the CLI): yesterday's session rated, a
    # rating changed, a practice and a GAD-7 answer removed, a session's title changed.
    rate = (
        "INSERT INTO checkins (patient_id, level, note, tags, context, practice_id, occurred_at, "
        "recorded_at) VALUES (?, ?, '', '[]', ?, ?, ?, ?)"
    )
    at = _moment(orm, yesterdays.started_at)
    _elsewhere(orm, rate, pat.id, 6, "before_session", yesterdays.id, at, at)
    _elsewhere(orm, rate, pat.id, 4, "after_session", yesterdays.id, at, at)
    found = read_and_compare(orm, pat, later)
    assert [title for title, _, _ in found.by_session] == ["Breathe"]
    _elsewhere(orm, "UPDATE checkins SET level = 8 WHERE context = 'quick'")
    _elsewhere(orm, "DELETE FROM gad7_responses")
    _elsewhere(
        orm, "DELETE FROM practice_logs WHERE started_at < ?", _moment(orm, NOW - timedelta(days=2))
    )
    _elsewhere(
        orm, "UPDATE practice_sessions SET title = 'Breathe slowly' WHERE id = ?", breathe.id
    )
    found = read_and_compare(orm, pat, later)
    assert [level for _, level in found.checkins] == [8]
    assert (found.gad7, found.streak.total_days) == ([], 3)
    assert [title for title, _, _ in found.by_session] == ["Breathe slowly"]

    # The patient moves: the same moments on other days and hours.
    pat.time_zone = "Pacific/Kiritimati"
    orm.run(pat.save(update_fields=["time_zone"]))
    moved = read_and_compare(orm, pat, later)
    assert (moved.now.utcoffset(), moved.today) == (timedelta(hours=14), found.today + timedelta(1))


def test_a_write_for_another_patient_reads_only_the_ratings_again(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    """The care token is the clinic's: anyone's write renews it. The practice part is kept under
    the patient's own practice token, so five years of practice are not read again then."""
    orm = any_orm
    for days in range(1, 4):
        orm.run(practised(pat.id, NOW - timedelta(days=days), session=sessions["Breathe"]))
    other = orm.run(person("other", Role.PATIENT))
    first, full = read(orm, pat, NOW)

    orm.run(checkins.record_checkin(other, checkins.CheckinInput(4), policy=POLICY, now=NOW))
    again, statements = read(orm, pat, NOW)

    assert again == first == fresh(orm, pat, NOW)
    assert any(PRACTICE_READ in statement for statement in full)
    assert 1 < len(statements) < len(full)
    assert not any(PRACTICE_READ in statement for statement in statements)


def test_without_the_change_tokens_nothing_is_kept(any_orm: Orm, pat: User) -> None:
    any_orm.run(practised(pat.id, NOW - timedelta(hours=3)))
    _elsewhere(any_orm, "DELETE FROM instance_flags")

    first, read_first = read(any_orm, pat, NOW)
    again, read_again = read(any_orm, pat, NOW)

    assert first == again == fresh(any_orm, pat, NOW)
    assert len(read_again) == len(read_first) > 1  # read in full each time


def _sweep(zone: str) -> list[datetime]:
    """Every moment of `moments(zone)` and the minute before each of its days began, in order:
    consecutive views cross midnight, the rollover hour and the DST changes."""
    before_midnight = [
        earlier(datetime.combine(day, time(), ZoneInfo(zone)), minutes=1) for day in DAYS[zone]
    ]
    return sorted([*moments(zone), *before_midnight])


async def _rated_practice(patient: User, zone: str) -> None:
    """Practice and a check-in every 7 hours in the two weeks up to the end of each swept day,
    the first rating two weeks back (so the rating charts begin four weeks before the calendar
    date of the view, and move with it)."""
    logs, ratings = [], []
    for day in DAYS[zone]:
        end = datetime.combine(day + timedelta(days=1), time(), ZoneInfo(zone))
        for hours in range(7, 14 * 24, 7):
            moment = earlier(end, hours=hours)
            logs.append(practice_log(patient, moment))
            ratings.append(
                Checkin(
                    patient_id=patient.id,
                    level=hours % 11,
                    occurred_at=moment,
                    recorded_at=moment,
                )
            )
    await PracticeLog.bulk_create(logs)
    await Checkin.bulk_create(ratings)


@pytest.mark.parametrize("zone", ZONES)
def test_kept_figures_equal_a_fresh_reading_at_every_local_hour(orm: Orm, zone: str) -> None:
    patient = orm.run(person("swept", Role.PATIENT, zone=zone))
    orm.run(_rated_practice(patient, zone))

    for now in _sweep(zone):
        found = read_and_compare(orm, patient, now)
        at = f"at {now.isoformat()} in {zone}"
        assert (found.today, found.now.date()) == (practice_day_of(now), now.date()), at
        assert found.checkins, at


def _history(orm: Orm, patient: User, page: int = 1) -> tuple[Page[PracticeEntry], list[str]]:
    with counted_queries() as seen:
        found = orm.run(record.practice_history(patient, policy=POLICY, page=page, per_page=2))
    return found, seen


def _fresh_history(orm: Orm, patient: User, page: int = 1) -> Page[PracticeEntry]:
    with nothing_kept():
        return orm.run(record.practice_history(patient, policy=POLICY, page=page, per_page=2))


def test_the_practice_history_page_is_kept_until_what_it_shows_changes(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    orm = any_orm
    for days in range(3, 0, -1):
        orm.run(practised(pat.id, NOW - timedelta(days=days), session=sessions["Breathe"]))

    first, _ = _history(orm, pat)
    again, statements = _history(orm, pat)
    assert again is first
    assert len(statements) == 1  # the change tokens only
    second, _ = _history(orm, pat, page=2)
    assert second == _fresh_history(orm, pat, page=2) != first
    _history(orm, pat)  # the page kept is the first again

    _elsewhere(orm, "UPDATE practice_logs SET note = 'With the group'")
    noted, _ = _history(orm, pat)
    assert noted == _fresh_history(orm, pat)
    assert [entry.note for entry in noted.items] == ["With the group"] * 2
    _elsewhere(orm, "UPDATE practice_sessions SET title = 'Breathe slowly'")
    noted, _ = _history(orm, pat)
    assert noted == _fresh_history(orm, pat)
    assert [(entry.title, entry.note) for entry in noted.items] == [
        ("Breathe slowly", "With the group")
    ] * 2

    pat.time_zone = "America/Los_Angeles"
    orm.run(pat.save(update_fields=["time_zone"]))
    moved, _ = _history(orm, pat)
    assert moved == _fresh_history(orm, pat)
    assert moved.items[0].started_at.utcoffset() == timedelta(hours=-8)
