"""The library's search and filters as JSON query parameters, for each list of sessions one may
search: the library (`GET /api/v1/sessions`) and a patient's Saved list (`GET /api/v1/me/saved`).
One declaration, so both take the same parameters, refuse the same values naming them (the type
check's 422) and describe them alike in the OpenAPI document."""

from __future__ import annotations

from typing import Annotated

from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from wellness.catalog import rules
from wellness.catalog.kinds import Guidance, Kind, Posture, Status
from wellness.catalog.search import CatalogQuery
from wellness.web.api.fields import PerPage
from wellness.web.ids import PageNumber


def provide_session_filters(
    q: Annotated[
        str, QueryParameter(max_length=rules.MAX_SEARCH_TEXT, description="Words to search for")
    ] = "",
    kind: Annotated[Kind | None, QueryParameter(description="Only this kind")] = None,
    max_minutes: Annotated[
        int | None, QueryParameter(ge=1, le=24 * 60, description="At most this many minutes")
    ] = None,
    posture: Annotated[Posture | None, QueryParameter(description="Only this posture")] = None,
    guidance: Annotated[Guidance | None, QueryParameter(description="Only this guidance")] = None,
    tag: Annotated[
        str | None, QueryParameter(max_length=rules.MAX_TAG, description="Only with this tag")
    ] = None,
    page: PageNumber = 1,
    per_page: PerPage = 24,
) -> CatalogQuery:
    """Every status: the library's service narrows them to what the viewer may see, and the
    Saved list keeps what was saved whatever its status now."""
    return CatalogQuery(
        statuses=frozenset(Status),
        text=q,
        kind=kind,
        max_minutes=max_minutes,
        posture=posture,
        guidance=guidance,
        tag=rules.filter_tag(tag or "") or None,
        page=page,
        per_page=per_page,
    )


# For a list route's `dependencies`; its handler takes `filters: SessionFilters`.
SESSION_FILTERS = {"filters": Provide(provide_session_filters, sync_to_thread=False)}
SessionFilters = NamedDependency[CatalogQuery]
