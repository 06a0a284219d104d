"""JSON API for clinical review: the drafts therapists review, a session's reviews (staff read
them), and a therapist's review of a draft."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.params import JSONBody

from wellness.reviews import services as reviews
from wellness.web import actions
from wellness.web.api.fields import PerPage
from wellness.web.api.reviews_schemas import DraftList, ReviewCreate, ReviewOut, SessionReviewsOut
from wellness.web.dependencies import LibraryCall, SignedInUser
from wellness.web.guards import reviewers_only, signed_in
from wellness.web.idempotency import respond_once
from wellness.web.ids import PageNumber, PathId
from wellness.web.lookups import session_for_review_reader_or_404
from wellness.web.openapi import created

# A review of a session that is no longer a draft (published or archived meanwhile).
NOT_A_DRAFT = {"refusals": (409,)}


class ReviewsApi(Controller):
    path = "/api/v1"
    # Reading a session's reviews is for staff: the lookup answers 404 to patients, as for a
    # draft. Listing drafts to review and reviewing are for therapists (403 to other roles).
    guards = [signed_in]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["reviews"]  # noqa: RUF012

    @get("/reviews/drafts", guards=[reviewers_only], name="api_review_drafts")
    async def drafts(self, page: PageNumber = 1, per_page: PerPage = 20) -> DraftList:
        """Every draft, most recently changed first, with where its review stands for the
        version it has now (`standing.review_status`)."""
        return DraftList.of(await reviews.drafts_to_review(page, per_page))

    @get("/sessions/{session_id:int}/reviews", name="api_session_reviews")
    async def session_reviews(self, user: SignedInUser, session_id: PathId) -> SessionReviewsOut:
        """A session's reviews, newest first, each saying whether it is of the session's
        current version and whether it counts, and where they stand (any status; staff only)."""
        session = await session_for_review_reader_or_404(user, session_id)
        return SessionReviewsOut.of(await reviews.reviews_of(session))

    @post(
        "/sessions/{session_id:int}/reviews",
        guards=[reviewers_only],
        name="api_session_review",
        responses=created(ReviewOut),
        opt=NOT_A_DRAFT,
    )
    async def review(
        self, call: LibraryCall, session_id: PathId, data: JSONBody[ReviewCreate]
    ) -> Response[bytes]:
        """Review a draft as it is now: `approved`, or `changes_requested` with a `comment`
        (trimmed; a 422 names it when missing or too long). A session that is not a draft is a
        409 (`not_a_draft`). Reviews are never changed: review again to change your mind."""
        session = await session_for_review_reader_or_404(call.user, session_id)

        async def write() -> tuple[int, ReviewOut]:
            review = await actions.review_draft(call, session, data.decision, data.comment)
            return 201, ReviewOut.of(review)

        return await respond_once(call.request, data, write)
