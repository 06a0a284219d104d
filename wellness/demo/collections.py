"""The demo's collections: programmes the coordinator put together from the demo library
(`library.toml`, named by slug), stored and published through the collection services.

Written for people in benzodiazepine withdrawal, as the library is: short, guided, eyes-open
practice first; nothing with breath holds, vigorous movement or long silence in what is
published. One draft shows coordinators a programme still being prepared. Pat follows two of
the published ones, started days ago, so their home page and their therapist's view of them
show progress (done from Pat's demo practice, `history.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from wellness.accounts.models import User
from wellness.catalog import collection_follows, collections
from wellness.catalog.collections import CollectionFields
from wellness.catalog.kinds import Status
from wellness.catalog.models import Collection, PracticeSession
from wellness.demo.accounts import COORDINATOR_EMAIL
from wellness.demo.content import demo_session


@dataclass(frozen=True, slots=True)
class DemoCollection:
    title: str
    description: str
    slugs: tuple[str, ...]  # the sessions, in order
    status: Status = Status.PUBLISHED


DEMO_COLLECTIONS = (
    DemoCollection(
        "First week: steadying",
        "Seven short practices for the first days, one a day if that suits you. They start with "
        "slow breathing and grounding you can do with your eyes open, and move gently towards "
        "sitting a little longer. Skip a day whenever you need to; the next one waits for you.",
        (
            "slow-breathing-hard-moments",
            "five-senses-grounding",
            "three-minute-breathing-space",
            "seated-body-scan",
            "paced-breathing-six",
            "gentle-chair-yoga",
            "noticing-the-breath",
        ),
    ),
    DemoCollection(
        "Evening wind-down",
        "For the hour before bed: slow breaths lying down, a body scan, then a practice to drift "
        "off with. Any one of them on its own is enough.",
        ("slow-breaths-before-sleep", "body-scan-lying-down", "drifting-towards-sleep"),
    ),
    DemoCollection(
        "When anxiety runs high",
        "Three short, guided practices for the hardest moments: come back to the room, feel "
        "your feet on the floor, and let the out-breath grow a little longer.",
        ("five-senses-grounding", "fuesse-stuhl-atem", "slow-breathing-hard-moments"),
    ),
    DemoCollection(
        "Moving gently (in preparation)",
        "Chair yoga first, standing practice later, once the taper is behind you.",
        ("gentle-chair-yoga", "steady-sun-salutations"),
        status=Status.DRAFT,
    ),
)


async def seed_collections(users: dict[str, User], *, now: datetime) -> None:
    """The demo collections, made by the demo coordinator a few days before `now`, each
    published unless it is the draft; none when the library was not seeded (no media store)."""
    coordinator = users[COORDINATOR_EMAIL]
    for age, demo in enumerate(DEMO_COLLECTIONS):
        titles = [demo_session(slug).title for slug in demo.slugs]
        found = dict(await PracticeSession.filter(title__in=titles).values_list("title", "id"))
        if len(found) != len(titles):
            return
        when = now - timedelta(days=len(DEMO_COLLECTIONS) - age)
        fields = CollectionFields(
            title=demo.title,
            description=demo.description,
            session_ids=[int(found[title]) for title in titles],
        )
        made = await collections.create_collection(fields, actor=coordinator, now=when)
        if demo.status is Status.PUBLISHED:
            await collections.change_collection_status(
                made, Status.PUBLISHED, actor=coordinator, now=when
            )


# Pat's followings: (collection title, days before now they started it).
PAT_FOLLOWS = (("First week: steadying", 12), ("Evening wind-down", 3))
PAT_EMAIL = "patient@demo.wellness"


async def seed_followings(users: dict[str, User], *, now: datetime) -> None:
    """Pat follows PAT_FOLLOWS' collections (those that were made)."""
    titles = [title for title, _ in PAT_FOLLOWS]
    found = dict(
        await Collection.filter(title__in=titles, status=Status.PUBLISHED).values_list(
            "title", "id"
        )
    )
    for title, days_ago in PAT_FOLLOWS:
        if title in found:
            started = now - timedelta(days=days_ago, hours=2)
            await collection_follows.follow(users[PAT_EMAIL].id, int(found[title]), now=started)
