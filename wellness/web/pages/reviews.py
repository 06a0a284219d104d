"""Therapists' clinical review of the catalog's drafts: the drafts waiting, a draft's preview as
patients would see it (recording no practice), and the review form under it."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from wellness.accounts.models import User
from wellness.catalog.models import PracticeSession
from wellness.lib.validation import FieldError
from wellness.reviews import services as reviews
from wellness.reviews.rules import MAX_COMMENT, Decision
from wellness.web import actions
from wellness.web.dependencies import LibraryCall, SignedInUser
from wellness.web.guards import reviewers_only
from wellness.web.idempotency import FORM_KEY, answer_form_once, form_key, new_form_key
from wellness.web.ids import PageNumber, PathId
from wellness.web.lookups import draft_for_reviewer_or_404, session_for_review_reader_or_404
from wellness.web.pages.catalog import PLAYBACK_RATES, session_page_context

PER_PAGE = 20
CHOOSE = "Choose whether you approve this draft or ask for changes."


class ReviewPages(Controller):
    path = "/reviews"
    guards = [reviewers_only]  # noqa: RUF012  (Litestar reads this class attribute)

    @get("/drafts", name="reviews_drafts")
    async def drafts(self, user: SignedInUser, page: PageNumber = 1) -> Template:
        """Every draft, most recently changed first, with where its review stands."""
        listing = await reviews.drafts_to_review(page, PER_PAGE)
        context = {"listing": listing, "zone": user.time_zone}
        return Template("reviews/drafts.html", context=context)

    @get("/drafts/{session_id:int}", name="reviews_preview")
    async def preview(
        self, request: Request[Any, Any, Any], user: SignedInUser, session_id: PathId
    ) -> Template:
        """The draft as patients would see it, its reviews, and the review form. Audited."""
        session = await draft_for_reviewer_or_404(user, session_id)
        await actions.record_preview(request, session)
        return await preview_template(user, session, {FORM_KEY: new_form_key()})

    @post("/drafts/{session_id:int}", name="reviews_review")
    async def review(self, call: LibraryCall, session_id: PathId) -> Template | Redirect:
        """Approve the draft as it is, or ask for changes (with a comment). The same form sent
        twice with the same values stores one review; a draft published or archived meanwhile
        is a 409 and nothing is stored."""
        request, user = call.request, call.user
        session = await session_for_review_reader_or_404(user, session_id)
        reviews.check_reviewable(session)
        form = await request.form()
        typed = _typed(form)
        decision = _decision(typed["decision"])
        if decision is None:
            return await preview_template(user, session, typed, {"decision": CHOOSE}, 422)
        stored: list[reviews.ReviewView] = []

        async def write() -> tuple[int, bytes]:
            review = await actions.review_draft(call, session, decision, typed["comment"])
            stored.append(review)
            return 201, msgspec.json.encode(review.id)

        asked = msgspec.json.encode([decision.value, typed["comment"]])
        try:
            answer = await answer_form_once(request, form_key(form), asked, write)
        except FieldError as problem:
            return await preview_template(user, session, typed, problem.errors, 422)
        said = "approved" if decision is Decision.APPROVED else "sent back with your comment"
        if answer.replayed:
            flash(request, "That review was already saved: nothing was added.", "info")
        else:
            flash(request, f"“{session.title}” is {said}. The coordinator sees it.", "success")
        return Redirect("/reviews/drafts", status_code=303)


def _typed(form: FormMultiDict) -> dict[str, str]:
    return {name: str(form.get(name, "")) for name in ("decision", "comment", FORM_KEY)}


def _decision(value: str) -> Decision | None:
    try:
        return Decision(value)
    except ValueError:
        return None


async def preview_template(
    viewer: User,
    session: PracticeSession,
    typed: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    """The preview: the session page as a patient sees it, but with no practice record (no
    before/after ratings, no progress reports: practice.js is not loaded), the care team's
    notes, the reviews so far and the form."""
    context = await session_page_context(session)
    context |= {
        "clinical": True,
        "manages": False,
        "practising": False,
        "rates": PLAYBACK_RATES,
        "history": await reviews.reviews_of(session),
        "typed": typed,
        "decisions": list(Decision),
        "max_comment": MAX_COMMENT,
        "zone": viewer.time_zone,
        "errors": errors or {},
    }
    return Template("reviews/preview.html", context=context, status_code=status)
