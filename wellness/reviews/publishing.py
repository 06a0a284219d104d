"""Publishing a draft under the clinic's review rule (`WELLNESS_PUBLISH_NEEDS_REVIEW`): with it,
only a draft an active therapist approved as it stands; without it, any draft the coordinator
confirms, knowing where its reviews stand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from wellness.accounts.models import User
from wellness.catalog import services as catalog
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession
from wellness.reviews import rules, services
from wellness.reviews.rules import ReviewStatus, Standing


class PublishUnconfirmed(Exception):
    """The draft is not approved and the caller did not accept publishing it as it stands:
    nothing was saved or published. The page asks the coordinator to confirm."""

    def __init__(self, standing: Standing) -> None:
        super().__init__(standing.summary)
        self.standing = standing


@dataclass(frozen=True, slots=True)
class Published:
    session: PracticeSession
    standing: Standing  # where its reviews stood when it was published


ANY_STANDING = frozenset(ReviewStatus)


async def publish(
    session: PracticeSession,
    *,
    actor: User,
    now: datetime,
    fields: catalog.SessionFields | None = None,
    needs_review: bool,
    accepted: frozenset[ReviewStatus] = ANY_STANDING,
) -> Published:
    """Save `fields` (if any) and publish the result, both or neither, under the review rule.

    1. Lock the session's row, so no edit slips in between the check and publishing.
    2. Save the fields, then read where the reviews stand for the version now stored.
    3. A draft not approved: with `needs_review`, `CatalogConflict` ("review_required" or
       "changes_requested"); else unless its status is `accepted`, `PublishUnconfirmed`.
       Either undoes step 2. Republishing an archived session is not a review's matter.
    """
    async with in_transaction():
        locked = await PracticeSession.filter(id=session.id).select_for_update().first()
        current = locked or session  # gone: `change_status` answers for it as it did
        if fields is not None:
            current = await catalog.update_session(current, fields, actor=actor, now=now)
        standing = await services.standing_now(current.id)
        if current.status is Status.DRAFT:
            catalog.check_publishable(current)  # before asking to confirm what cannot be
            _check_review(current, standing, needs_review=needs_review, accepted=accepted)
        published = await catalog.change_status(current, Status.PUBLISHED, actor=actor, now=now)
    return Published(published, standing)


def _check_review(
    draft: PracticeSession,
    standing: Standing,
    *,
    needs_review: bool,
    accepted: frozenset[ReviewStatus],
) -> None:
    if standing.approved:
        return
    refused = rules.publish_refusal(draft.title, standing)
    if needs_review and refused is not None:
        raise refused
    if standing.status not in accepted:
        raise PublishUnconfirmed(standing)
