"""The demo patient's Saved list: a few sessions Pat keeps to come back to, saved over the last
weeks through the saved-list service, among them one the coordinator has since archived (so the
Saved tab shows how a session no longer in the library looks)."""

from __future__ import annotations

from datetime import datetime, timedelta

from wellness.accounts.models import User
from wellness.catalog import saved
from wellness.catalog.models import PracticeSession
from wellness.demo.content import demo_session

SAVED_BY = "patient@demo.wellness"
# Newest last: (slug, days before now it was saved).
DEMO_SAVED = (
    ("walking-meditation-archived", 20),
    ("kindness-on-a-hard-day", 9),
    ("body-scan-lying-down", 4),
    ("slow-breaths-before-sleep", 1),
)


async def seed_saved(users: dict[str, User], *, now: datetime) -> None:
    """Pat's saved sessions; none when the library was not seeded (no media store)."""
    patient = users[SAVED_BY]
    titles = [demo_session(slug).title for slug, _ in DEMO_SAVED]
    found = dict(await PracticeSession.filter(title__in=titles).values_list("title", "id"))
    for title, (_, days) in zip(titles, DEMO_SAVED, strict=True):
        if title in found:
            await saved.save(patient.id, int(found[title]), now=now - timedelta(days=days))
