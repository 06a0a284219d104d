"""The usage period is whole days in the clinic's time zone, midnight to midnight, east and west
of UTC and across DST changes: a practice started at 23:30 local on the last day is in, one at
00:30 the next day is out, and the first day starts at its local midnight however long the day
is (23 or 25 hours when the clocks change)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.caseload_fixtures import person, practised, published
from tests.services.conftest import Orm
from tests.unit.test_day_semantics import DAYS, ZONES
from wellness.accounts.roles import Role
from wellness.caseload.usage import library_usage
from wellness.caseload.usage_rules import Period, UsageQuery
from wellness.settings import CarePolicy


def local(day: date, hour: int, minute: int, zone: str, *, fold: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZoneInfo(zone)).replace(fold=fold)


def inside_and_outside(first: date, last: date, zone: str) -> tuple[list[datetime], list[datetime]]:
    inside = [
        local(first, 0, 0, zone),
        local(first, 0, 30, zone),
        local(last, 12, 0, zone),
        local(last, 23, 30, zone),
        local(last, 23, 59, zone),
        # The repeated hour of a fall-back day, both times; 01:30 is skipped on a spring-forward
        # day, where it names the instant an hour later.
        local(last, 1, 30, zone),
        local(last, 1, 30, zone, fold=1),
    ]
    outside = [
        local(first - timedelta(days=1), 23, 30, zone),
        local(first - timedelta(days=1), 23, 59, zone),
        local(last + timedelta(days=1), 0, 0, zone),
        local(last + timedelta(days=1), 0, 30, zone),
    ]
    return inside, outside


@pytest.mark.parametrize("zone", ZONES)
def test_the_period_runs_from_local_midnight_to_local_midnight(orm: Orm, zone: str) -> None:
    patient = orm.run(person("alice", Role.PATIENT, zone))
    now = datetime.combine(max(DAYS[zone]) + timedelta(days=3), time(12), ZoneInfo(zone))
    for day in DAYS[zone]:
        for first in (day, day - timedelta(days=6)):
            session = orm.run(published(f"{zone} {first}..{day}", minutes=10, now=now))
            inside, outside = inside_and_outside(first, day, zone)
            for moment in inside + outside:
                orm.run(practised(patient.id, moment, session=session, time_zone=zone))

            found = orm.run(
                library_usage(
                    UsageQuery(Period(first, day)), zone=zone, policy=CarePolicy(), now=now
                )
            )

            (row,) = [row for row in found.rows if row.session_id == session.id]
            assert row.figures.starts == len(inside), f"{first}..{day} in {zone}"
            latest = max(inside, key=lambda moment: moment.timestamp())
            assert row.last_played is not None
            assert row.last_played.timestamp() == latest.timestamp(), f"{day} in {zone}"
