"""JSON API for a patient's own "Saved" list (`catalog.saved`): read it a page at a time, save
a session, take one off. Patients only: staff keep no list and never read a patient's."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, put
from litestar.openapi.datastructures import ResponseSpec

from wellness.web import saved_actions
from wellness.web.api.catalog_filters import SESSION_FILTERS, SessionFilters
from wellness.web.dependencies import PatientCall, SignedInUser
from wellness.web.guards import patients_only
from wellness.web.idempotency import respond_once, respond_once_empty
from wellness.web.ids import PathId
from wellness.web.lookups import session_for_viewer_or_404, session_to_unsave_or_404
from wellness.web.openapi import created
from wellness.web.saved_views import SavedList, SavedSessionOut, saved_list, saved_one

# Saving: 201 with the saved session when it is new, 204 when it was saved already (one row
# whatever the retries); a full list is a 409 naming the limit.
SAVE_ANSWERS = {
    **created(SavedSessionOut),
    204: ResponseSpec(data_container=None, description="It was saved already: nothing changed"),
}


class SavedApi(Controller):
    path = "/api/v1/me/saved"
    guards = [patients_only]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["saved sessions"]  # noqa: RUF012

    @get("/", name="api_saved", dependencies=SESSION_FILTERS)
    async def saved(self, user: SignedInUser, filters: SessionFilters) -> SavedList:
        """Your saved sessions, newest saved first, searched, filtered and paged as the library
        is (`total` counts those matching, `saved_total` the whole list). Each says whether it
        is in the library (`standing` "available"), one your care team asked you to skip
        (`"skip"`), or no longer in the library (`"gone"`: archived since, `url` null; words
        match its title only)."""
        return await saved_list(user, filters)

    @put(
        "/{session_id:int}",
        name="api_saved_put",
        status_code=201,
        responses=SAVE_ANSWERS,
        opt={"refusals": (409,)},
    )
    async def save(self, call: PatientCall, session_id: PathId) -> Response[bytes]:
        """Save a session you may open (a published one; any other is a 404, as its page is).
        201 with it when new, 204 when it was saved already. At most `limit` (500) sessions
        stay saved: one more is a 409 (`code` `saved_limit`) and nothing is stored."""
        session = await session_for_viewer_or_404(call.user, session_id)

        async def write() -> tuple[int, SavedSessionOut | None]:
            if not await saved_actions.save_session(call, session):
                return 204, None
            return 201, await saved_one(call.user, session.id)

        return await respond_once(call.request, None, write)

    @delete("/{session_id:int}", name="api_saved_delete", status_code=204)
    async def unsave(self, call: PatientCall, session_id: PathId) -> Response[None]:
        """Take a session off your list: 204, also when it was not on it (the list ends as
        asked). A session you may not open and have not saved is a 404."""
        session = await session_to_unsave_or_404(call.user, session_id)

        async def write() -> None:
            await saved_actions.unsave_session(call, session)

        return await respond_once_empty(call.request, None, write)
