"""The rest of the demo clinic: five more patients, each with a few sessions they come back to,
so that the library's usage page (`caseload.usage`) has real figures to show. The sessions
most of them play (`POPULAR`) clear its small-cell rule (`caseload.usage_rules.MIN_PATIENTS`
patients, rated before and after); those only one or two of them play stay hidden as
"fewer than 5", as a clinic's rarely used sessions would."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from wellness.accounts.models import User
from wellness.catalog.models import PracticeSession
from wellness.demo import practised
from wellness.practice.streaks import practice_day

PACED = "Paced breathing: six breaths a minute"
SLOW = "Slow breathing for hard moments"
BODY_SCAN = "Seated body scan"
CHAIR_YOGA = "Gentle chair yoga"
GROUNDING = "Five senses: grounding in the room"
BEFORE_SLEEP = "Slow breaths before sleep"
POPULAR = (PACED, SLOW, BODY_SCAN)
# How far back their practice goes, in practice days, and on how many of those they practised.
DAYS = 21
PRACTICE_DAYS = (8, 13)
# Distress before a session is kept below the alert threshold: a rating of 8 or more would
# have raised an alert, and these are written straight to the models, without one.
HIGHEST_BEFORE = 7


@dataclass(frozen=True, slots=True)
class Regular:
    """A patient who comes back to a few sessions, at about the same local hour."""

    email: str
    favourites: tuple[str, ...]
    hour: int  # local hour they usually practise
    usual: int  # their usual distress before a session, 0-10
    last: int = 1  # practice days ago they last practised (Jo has let it slip this week)


REGULARS = (
    Regular("patient5@demo.wellness", (PACED, SLOW, BODY_SCAN, CHAIR_YOGA), 7, 6),
    Regular("patient6@demo.wellness", (PACED, BODY_SCAN, GROUNDING), 21, 5, last=4),
    Regular("patient7@demo.wellness", (SLOW, PACED, BODY_SCAN), 12, 7),
    Regular("patient8@demo.wellness", (PACED, SLOW, BODY_SCAN, BEFORE_SLEEP), 22, 6),
    Regular("patient9@demo.wellness", (SLOW, PACED, GROUNDING), 18, 5),
)


async def seed_regulars(
    users: dict[str, User],
    sessions: list[PracticeSession],
    *,
    now: datetime,
    rollover_hour: int,
) -> None:
    """Each regular's practice over the last DAYS practice days, up to `last` days ago: every
    favourite at least once, then any of them; distress easing a little over the weeks."""
    by_title = {session.title: session for session in sessions}
    for number, regular in enumerate(REGULARS):
        favourites = [by_title[title] for title in regular.favourites if title in by_title]
        if favourites:
            chance = random.Random(100 + number)  # noqa: S311  (demo data, not security)
            await _practised(users[regular.email], regular, favourites, chance, now, rollover_hour)


async def _practised(
    patient: User,
    regular: Regular,
    favourites: list[PracticeSession],
    chance: random.Random,
    now: datetime,
    rollover_hour: int,
) -> None:
    zone = ZoneInfo(patient.time_zone)
    today = practice_day(now, patient.time_zone, rollover_hour)
    earlier = range(regular.last + 1, DAYS + 1)
    days = [regular.last, *chance.sample(earlier, k=chance.randint(*PRACTICE_DAYS) - 1)]
    for turn, days_ago in enumerate(sorted(days, reverse=True)):
        day = today - timedelta(days=days_ago)
        started = datetime(
            day.year, day.month, day.day, regular.hour, chance.randrange(0, 55), tzinfo=zone
        )
        if chance.random() < 0.6:  # a quick check-in earlier that day
            await practised.checkin(patient, regular.usual, started - timedelta(hours=3), chance)
        session = favourites[turn] if turn < len(favourites) else chance.choice(favourites)
        before = min(HIGHEST_BEFORE, regular.usual - turn // 5 + chance.choice((-1, 0, 0, 1)))
        await practised.played(
            patient,
            session,
            started,
            before=before,
            after=before - chance.choice((0, 1, 1, 2, 2, 3)),
            # Now and then stopped part of the way through.
            listened=1.0 if chance.random() < 0.85 else chance.choice((0.3, 0.5)),
        )
