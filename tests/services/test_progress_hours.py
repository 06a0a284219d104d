"""The progress page's data at every local hour: ratings made now are in it, practice now counts
for the current practice day, in zones east and west of UTC and across DST changes.

One database per zone and a fresh patient per moment keeps the sweep quick; each moment's
assertions name it.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.services.conftest import Orm
from tests.unit.test_day_semantics import ZONES, earlier, moments, practice_day_of
from wellness.accounts import passwords
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.catalog.kinds import Kind
from wellness.checkins import services as checkins
from wellness.practice import charts, progress
from wellness.practice import services as practice
from wellness.settings import CarePolicy

POLICY = CarePolicy()


async def rate_and_practise(number: int, zone: str, now: datetime) -> User:
    """A new patient who, at `now`, practised for 20 minutes rated 7 before and 4 after, then
    checked in at 6 and answered the GAD-7."""
    patient = await accounts.create_user(
        email=f"patient{number}@example.org",
        display_name=f"Patient {number}",
        role=Role.PATIENT,
        time_zone=zone,
        password_hash=passwords.dummy_hash(),
    )
    elsewhere = practice.PracticeInput(
        started_at=earlier(now, minutes=20),
        listened_seconds=20 * 60,
        kind=Kind.BREATHING,
        completed=True,
        anxiety_before=7,
        anxiety_after=4,
    )
    await practice.log_practice(patient, elsewhere, policy=POLICY, now=now)
    await checkins.record_checkin(patient, checkins.CheckinInput(6), policy=POLICY, now=now)
    await checkins.record_gad7(patient, [1] * 7, occurred_at=None, policy=POLICY, now=now)
    return patient


@pytest.mark.parametrize("zone", ZONES)
def test_ratings_made_now_are_on_the_progress_page_at_every_hour(orm: Orm, zone: str) -> None:
    for number, now in enumerate(moments(zone)):
        patient = orm.run(rate_and_practise(number, zone, now))

        found = orm.run(progress.progress_for(patient, policy=POLICY, now=now))

        at = f"at {now.isoformat()} in {zone}"
        assert found.now == now, at
        assert found.today == practice_day_of(now), at
        assert [level for _, level in found.checkins] == [6], at
        assert [(before, after) for _, before, after in found.pairs] == [(7, 4)], at
        assert [total for _, total in found.gad7] == [7], at
        assert found.ratings_start <= earlier(now, minutes=20).date(), at
        timeline = charts.anxiety_timeline(
            found.checkins, found.pairs, start=found.ratings_start, now=found.now
        )
        gad7 = charts.gad7_chart(found.gad7, start=found.ratings_start, now=found.now)
        assert (len(timeline.checkins), len(timeline.pairs), len(gad7.points)) == (1, 1, 1), at
        started_day = practice_day_of(earlier(now, minutes=20))
        assert found.minutes_by_day == {started_day: 20}, at
        assert found.streak.current == 1, at
        assert found.weekly[-1][1] == (20 if _same_week(started_day, found.today) else 0), at


def _same_week(day: date, today: date) -> bool:
    return day.isocalendar()[:2] == today.isocalendar()[:2]
