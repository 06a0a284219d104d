"""A patient's Saved list on the pages: the Save / Saved toggle's forms (without JavaScript;
`saved.js` sends the same through the API), and the library's Saved tab (`/sessions?saved=1`)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from wellness.accounts.models import User
from wellness.catalog.models import PracticeSession
from wellness.lib.urls import local_redirect_target
from wellness.web import saved_actions
from wellness.web.dependencies import PatientCall
from wellness.web.guards import patients_only
from wellness.web.ids import PathId
from wellness.web.lookups import session_for_viewer_or_404, session_to_unsave_or_404
from wellness.web.pages.catalog_forms import FILTER_CHOICES, BrowseFilters
from wellness.web.saved_views import saved_list

# Where a toggle's form sends the patient back to: the page it was on, at the card it was on.
BACK = "back"
MAX_BACK = 2_000


def back_to(session: PracticeSession, form_value: str) -> str:
    """The page the form was sent from (an address on this site only), else the session's."""
    if len(form_value) <= MAX_BACK:
        target = local_redirect_target(form_value)
        if target is not None:
            return target
    return f"/sessions/{session.id}"


class SavedPages(Controller):
    path = "/sessions"
    guards = [patients_only]  # noqa: RUF012  (Litestar reads this class attribute)

    @post("/{session_id:int}/save", name="session_save")
    async def save(self, call: PatientCall, session_id: PathId) -> Redirect:
        """Save a session the patient may open (another is a 404, as its page is); a full list
        is a 409 naming the limit. Back to where the form was."""
        request = call.request
        session = await session_for_viewer_or_404(call.user, session_id)
        await saved_actions.save_session(call, session)
        flash(
            request, f"“{session.title}” is saved: find it under Saved in the library.", "success"
        )
        return Redirect(back_to(session, await _back(request)), status_code=303)

    @post("/{session_id:int}/unsave", name="session_unsave")
    async def unsave(self, call: PatientCall, session_id: PathId) -> Redirect:
        """Take a session off the list (also one archived since it was saved)."""
        request = call.request
        session = await session_to_unsave_or_404(call.user, session_id)
        await saved_actions.unsave_session(call, session)
        flash(request, f"“{session.title}” is no longer saved.", "success")
        return Redirect(back_to(session, await _back(request)), status_code=303)


async def _back(request: Request[Any, Any, Any]) -> str:
    return str((await request.form()).get(BACK, ""))


async def saved_template(
    viewer: User, filters: BrowseFilters, errors: dict[str, str] | None = None
) -> Template:
    """The library's Saved tab: the patient's saved sessions that the library's search and
    filters match, newest saved first; with bad filters, the form and its errors (400)."""
    listing = None if errors else await saved_list(viewer, filters.query())
    pages = range(1, listing.pages + 1) if listing else range(0)
    context = {
        "listing": listing,
        "filters": filters,
        "errors": errors or {},
        "page_links": filters.page_links(pages),
        "back": filters.link(),
        **FILTER_CHOICES,
    }
    return Template("catalog/saved.html", context=context, status_code=400 if errors else 200)
