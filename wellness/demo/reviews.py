"""The demo's clinical reviews, written through the review services: the breath-hold draft was
approved as first written, changed by the coordinator since (so that approval is of an earlier
version), and sent back by Theo for the version it has now."""

from __future__ import annotations

from datetime import datetime

from wellness.accounts.models import User
from wellness.catalog import services as catalog
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession
from wellness.demo.accounts import COORDINATOR_EMAIL
from wellness.demo.content import demo_session
from wellness.reviews import services as reviews
from wellness.reviews.rules import Decision

DRAFT = demo_session("box-breathing-draft")
THEO, TAMSIN = "therapist@demo.wellness", "therapist2@demo.wellness"
FIRST_LOOK = (
    "Fine for patients past withdrawal. It is marked as using breath holds, so suggestions keep "
    "it from anyone whose care team ruled them out."
)
EDIT = " Once a count of four feels easy, hold for six."
CHANGES = (
    "Breath holds are not safe during benzodiazepine withdrawal: they can bring on the panic we "
    "are helping people through, and longer holds make it likelier. Please make every hold "
    "optional, drop the six-count, and say plainly that anyone still tapering should breathe "
    "without holding."
)


async def seed_reviews(users: dict[str, User], *, now: datetime) -> None:
    """Tamsin's approval, the coordinator's edit, then Theo's request for changes, spread
    between the draft's creation and `now`."""
    draft = await PracticeSession.get_or_none(title=DRAFT.title, status=Status.DRAFT)
    if draft is None:  # a demo without its library (no media store)
        return
    step = (now - draft.created_at) / 4
    approved_at, edited_at, sent_back_at = (draft.created_at + step * n for n in (1, 2, 3))
    await reviews.add_review(draft, users[TAMSIN], Decision.APPROVED, FIRST_LOOK, now=approved_at)
    fields = catalog.SessionFields(description=draft.description + EDIT)
    edited = await catalog.update_session(
        draft, fields, actor=users[COORDINATOR_EMAIL], now=edited_at
    )
    await reviews.add_review(
        edited, users[THEO], Decision.CHANGES_REQUESTED, CHANGES, now=sent_back_at
    )
