"""What the clinical review API accepts and answers; unknown input fields are refused."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from wellness.catalog.kinds import Kind
from wellness.lib.paging import Page
from wellness.reviews.rules import MAX_COMMENT, Decision, ReviewStatus, Standing
from wellness.reviews.services import DraftRow, ReviewView, SessionReviews
from wellness.web.catalog_views import SessionDetail
from wellness.web.shapes import PageOut, copied
from wellness.web.strict_json import StrictBody

# The bound is the rules' (`clean_comment` trims first); the decoder refuses a longer one too.
Comment = Annotated[str, msgspec.Meta(max_length=MAX_COMMENT)]


class ReviewCreate(StrictBody):
    """Approve the draft as it is now, or ask for changes (`comment` required then)."""

    decision: Decision
    comment: Comment = ""


class StandingOut(msgspec.Struct):
    """Where a session's reviews stand for its current version, and who says so."""

    review_status: ReviewStatus
    summary: str
    approved_by: list[str]
    changes_requested_by: list[str]

    @classmethod
    def of(cls, standing: Standing) -> StandingOut:
        return cls(
            standing.status,
            standing.summary,
            list(standing.approved_by),
            list(standing.requested_by),
        )


class ReviewOut(msgspec.Struct):
    id: int
    session_id: int
    reviewer_id: int | None
    reviewer_name: str
    decision: Decision
    comment: str
    reviewed_at: datetime
    version: str
    # Of the version the session has now; an earlier version's review no longer counts.
    current_version: bool
    # By someone who is now an active therapist: only then does it count.
    counts: bool

    @classmethod
    def of(cls, review: ReviewView) -> ReviewOut:
        return copied(cls, review, current_version=review.current)


class SessionReviewsOut(msgspec.Struct):
    session_id: int
    version: str
    standing: StandingOut
    reviews: list[ReviewOut]  # newest first

    @classmethod
    def of(cls, found: SessionReviews) -> SessionReviewsOut:
        return cls(
            found.session_id,
            found.version,
            StandingOut.of(found.standing),
            [ReviewOut.of(review) for review in found.items],
        )


class DraftOut(msgspec.Struct):
    id: int
    title: str
    kind: Kind
    instructor: str
    duration_seconds: float
    updated_at: datetime
    standing: StandingOut
    url: str

    @classmethod
    def of(cls, row: DraftRow) -> DraftOut:
        return copied(
            cls,
            row,
            duration_seconds=round(row.duration_seconds, 1),
            standing=StandingOut.of(row.standing),
            url=f"/reviews/drafts/{row.id}",
        )


class DraftList(PageOut):
    items: list[DraftOut]

    @classmethod
    def of(cls, listing: Page[DraftRow]) -> DraftList:
        return cls.paged([DraftOut.of(row) for row in listing.items], listing)


class PublishedSession(SessionDetail, kw_only=True):
    """The published session as `GET /api/v1/sessions/{id}` shows it, and where its reviews
    stood when it was published: a clinic that does not require review may publish what is not
    approved, and is told so here."""

    review_status: ReviewStatus
    review: StandingOut

    @classmethod
    def published(cls, detail: SessionDetail, standing: Standing) -> PublishedSession:
        return cls(
            **msgspec.structs.asdict(detail),
            review_status=standing.status,
            review=StandingOut.of(standing),
        )
