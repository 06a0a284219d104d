"""The practice library for everyone signed in: browse and search sessions, and play one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import QueryParameter
from litestar.response import Template
from markupsafe import Markup

from wellness.accounts import permissions
from wellness.accounts.models import User
from wellness.care.marks import Mark
from wellness.caseload.availability import patients_assigned
from wellness.catalog import services as catalog
from wellness.catalog import transcripts
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession
from wellness.catalog.search import SearchPage
from wellness.checkins import services as checkins
from wellness.lib.elapsed import ago
from wellness.lib.numbers import MAX_ID
from wellness.lib.paging import page_numbers
from wellness.practice import rules
from wellness.practice import services as practice
from wellness.reviews import services as reviews
from wellness.reviews.rules import Standing
from wellness.settings import CarePolicy
from wellness.suggestions import logs as suggestion_log
from wellness.suggestions import services as suggestions
from wellness.web.catalog_views import SessionDetail, captions_url, patient_marks
from wellness.web.dependencies import CareRules, RequestTime, SignedInUser
from wellness.web.guards import current_user, signed_in
from wellness.web.ids import PathId
from wellness.web.lookups import session_for_player_or_404, session_for_viewer_or_404
from wellness.web.pages.catalog_forms import (
    FILTER_CHOICES,
    BrowseFilters,
    MediaView,
    avoid_labels,
    parse_browse,
)
from wellness.web.pages.saved import saved_template
from wellness.web.saved_views import keeps_saved, saved_of
from wellness.web.templating import CSRF_SLOT, with_csrf

PLAYBACK_RATES = ("0.75", "1", "1.25", "1.5")
# Litestar adds "; charset=utf-8" to a text/ type: the answer is "text/vtt; charset=utf-8".
VTT = "text/vtt"
# The practice a session page shows (`?practice=7`), after the form without JavaScript.
PracticeQuery = Annotated[int | None, QueryParameter(name="practice", ge=1, le=MAX_ID)]
# The list of suggestions the patient came from (`?suggestion=7`), linked to the practice.
SuggestionQuery = Annotated[int | None, QueryParameter(name="suggestion", ge=1, le=MAX_ID)]


def manages_catalog(viewer: User) -> bool:
    return permissions.can_manage_catalog(viewer.role)


def sees_clinical_notes(viewer: User) -> bool:
    """Coordinators (who write them) and therapists (who prescribe) see suitability notes."""
    return permissions.can_manage_catalog(viewer.role) or permissions.can_see_caseload(viewer.role)


async def session_page_context(session: PracticeSession) -> dict[str, Any]:
    """What the session and edit pages show about a session and its media: a timed
    transcript's sections to follow playback by, and a video's captions made from them."""
    tags = await catalog.tags_of(session)
    asset = await catalog.primary_asset(session)
    detail = SessionDetail.of(session, tags, asset)
    timed = transcripts.timed_sections(detail.transcript)
    return {
        "session": detail,
        "media": MediaView.of(asset) if asset else None,
        "avoid": avoid_labels(detail.contraindications),
        "timed_transcript": timed,
        "captions": captions_url(session.id) if timed and asset and asset.has_video else None,
    }


class CatalogPages(Controller):
    path = "/sessions"
    guards = [signed_in]  # noqa: RUF012  (Litestar reads this class attribute)

    @get("/", name="sessions")
    async def browse(self, request: Request[Any, Any, Any], user: SignedInUser) -> Template:
        """Published sessions, filtered and searched; coordinators also see drafts and archived."""
        manages = manages_catalog(user)
        filters, errors = parse_browse(
            request.query_params, may_filter_status=manages, may_save=keeps_saved(user)
        )
        if filters.saved:
            return await saved_template(user, filters, errors)
        if errors:
            return _browse_template(request, manages, filters, None, [], errors=errors, status=400)
        result, tags = await catalog.browse_with_tags(user, filters.query())
        shown = [row.id for row in result.rows] if result else []
        marks = await patient_marks(user, shown)
        reviewed = await draft_reviews(user, shown)
        saved = await saved_of(user, shown)
        return _browse_template(
            request, manages, filters, result, tags, marks=marks, reviewed=reviewed, saved=saved
        )

    @get("/{session_id:int}", name="session_page")
    async def session_page(
        self,
        user: SignedInUser,
        now: RequestTime,
        policy: CareRules,
        session_id: PathId,
        practice_id: PracticeQuery = None,
        suggestion_id: SuggestionQuery = None,
    ) -> Template:
        session = await session_for_viewer_or_404(user, session_id)
        return await session_template(
            user, now, session, practice_id, policy=policy, suggestion_id=suggestion_id
        )

    @get("/{session_id:int}/captions.vtt", name="session_captions")
    async def captions(self, user: SignedInUser, session_id: PathId) -> Response[str]:
        """A video's captions (WebVTT), made from the session's timed transcript: for whoever
        may play its media (a review's preview plays a draft's), and 404 when the transcript
        has no time stamps."""
        session = await session_for_player_or_404(user, session_id)
        captions = transcripts.webvtt(session.transcript, session.duration_seconds)
        if captions is None:
            raise NotFoundException("This session's transcript has no time stamps.")
        return Response(captions, media_type=VTT)


async def session_template(
    viewer: User,
    now: datetime,
    session: PracticeSession,
    practice_id: int | None,
    *,
    policy: CarePolicy,
    suggestion_id: int | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    """The session page; a refused after-rating re-renders it with the error beside the scale."""
    context = await session_page_context(session)
    context |= {
        "clinical": sees_clinical_notes(viewer),
        "manages": manages_catalog(viewer),
        "rates": PLAYBACK_RATES,
        "practising": permissions.is_patient(viewer.role),
        "errors": errors or {},
    }
    if context["manages"] and session.status is Status.PUBLISHED:
        context["assigned_patients"] = await patients_assigned(
            session.id, now=now, rollover_hour=policy.day_rollover_hour
        )
    if context["practising"]:
        context |= await practice_context(viewer, session, practice_id, policy, now=now)
        context |= await suggestion_context(viewer, session, suggestion_id, policy, now=now)
        context["care_mark"] = (await patient_marks(viewer, [session.id])).get(session.id)
        context["saved"] = session.id in (await saved_of(viewer, [session.id]) or ())
    return Template("catalog/session.html", context=context, status_code=status)


async def practice_context(
    viewer: User,
    session: PracticeSession,
    practice_id: int | None,
    policy: CarePolicy,
    *,
    now: datetime,
) -> dict[str, Any]:
    """The patient's practice of this session: the one in the page's address (after the form
    without JavaScript, or the support panel), else the open one, so a reload resumes it; and
    the check-in that a practice begun now without a before rating would take as one."""
    found = None
    if practice_id is not None:
        found = await practice.practice_for_owner(viewer, practice_id)
        if found is not None and found.session_id != session.id:
            found = None
    if found is None:
        found = await practice.open_practice(viewer, session.id, now=now)
    after = await practice.has_after_rating(found) if found else False
    resume = 0
    if found is not None and not after:
        resume = rules.resume_seconds(found.listened_seconds, found.duration_seconds)
    recent = None  # asked only when the page offers the before scale
    if found is None:
        recent = await checkins.checkin_to_adopt(
            viewer.id, started_at=now, within=policy.checkin_as_before
        )
    return {
        "practice": found,
        "after_rated": after,
        "recent_checkin": (
            {"level": recent.level, "ago": ago(recent.occurred_at, now)} if recent else None
        ),
        # The after-rating is offered once playback has started (the player reveals it then).
        "played": found is not None and found.listened_seconds > 0,
        "resume_at": resume,
    }


async def suggestion_context(
    viewer: User,
    session: PracticeSession,
    suggestion_id: int | None,
    policy: CarePolicy,
    *,
    now: datetime,
) -> dict[str, Any]:
    """The list the patient chose this session from (only their own, and only if it offered
    this session: otherwise nothing is carried), and the note for a high recent rating."""
    offered = None
    if suggestion_id is not None:
        offered = await suggestion_log.offered_to(viewer, suggestion_id, session.id)
    return {
        "suggestion_id": offered.id if offered else None,
        "distress": await suggestions.distress_note(viewer, session.id, policy=policy, now=now),
    }


async def draft_reviews(viewer: User, session_ids: list[int]) -> dict[int, Standing]:
    """Where the drafts among these stand with their reviewers, for coordinators; {} else."""
    if not manages_catalog(viewer) or not session_ids:
        return {}
    return await reviews.standings_of_drafts(session_ids)


def _browse_template(
    request: Request[Any, Any, Any],
    manages: bool,
    filters: BrowseFilters,
    result: SearchPage | None,
    tags: list[str],
    *,
    marks: dict[int, Mark] | None = None,
    reviewed: dict[int, Standing] | None = None,
    saved: frozenset[int] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    results = _results_html(
        request,
        filters,
        result,
        manages=manages,
        marks=marks or {},
        reviewed=reviewed or {},
        saved=saved,
    )
    context = {
        "saving": keeps_saved(current_user(request)),
        "filters": filters,
        "results_html": results,
        "errors": errors or {},
        "manages": manages,
        "tags": tags,
        **FILTER_CHOICES,
    }
    return Template("catalog/browse.html", context=context, status_code=status)


def _results_html(
    request: Request[Any, Any, Any],
    filters: BrowseFilters,
    result: SearchPage | None,
    *,
    manages: bool,
    marks: dict[int, Mark],
    reviewed: dict[int, Standing],
    saved: frozenset[int] | None,
) -> Markup:
    """The cards and page links, rendered once per cached result page, filters and viewer kind.

    Rendering 24 cards is most of the page's cost; the catalog service caches result pages
    until the catalog changes, and the HTML is kept with the page (result.derived). Nothing in
    it depends on the request beyond `manages`, a patient's care-team `marks` and, for
    coordinators, where the page's drafts stand with their reviewers (`reviewed`), which are
    part of the key (most patients have no marks, so they share one entry; a review, which
    does not change the catalog, changes the key). A patient's cards carry Save toggles: which
    of the page's sessions they saved is part of the key too (None for staff, who have no
    toggles), and the toggles' CSRF input, which is each browser's own, is a slot filled in
    for each request (`with_csrf`), never kept.
    """
    if result is None:
        return Markup("")
    key = (
        "browse-results",
        filters,
        manages,
        frozenset(marks.items()),
        frozenset(reviewed.items()),
        saved,
    )
    html: Markup | None = result.derived.get(key)
    if html is None:
        engine = request.app.template_engine
        assert engine is not None  # create_app configures templates
        numbers = page_numbers(result.page, result.pages)
        pages = {result.page - 1, result.page + 1, *(n for n in numbers if n is not None)}
        html = Markup(  # noqa: S704  (autoescaped template output)
            engine.get_template("catalog/_results.html").render(
                result=result,
                filters=filters,
                manages=manages,
                marks=marks,
                reviewed=reviewed,
                saved=saved,
                back=filters.link(),
                csrf_slot=CSRF_SLOT,
                page_links=filters.page_links(pages),
                tag_links=filters.tag_links({tag for row in result.rows for tag in row.tags}),
                untag_link=filters.link(tag="", page=1),
            )
        )
        result.derived[key] = html
    return with_csrf(request, html) if saved is not None else html
