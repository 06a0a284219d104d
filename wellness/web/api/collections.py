"""JSON API for collections (programmes of sessions). Paths are a public contract, shaped as
the sessions' (`api/catalog.py`): publishing and archiving are their own writes."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody, QueryParameter

from wellness.catalog.kinds import Status
from wellness.web import collection_actions
from wellness.web.api.collections_schemas import CollectionCreate, CollectionPatch
from wellness.web.api.fields import PerPage
from wellness.web.collection_views import CollectionDetail, CollectionList, collection_detail
from wellness.web.collection_views import collection_list as listed
from wellness.web.dependencies import CareRules, RequestTime, SignedInUser
from wellness.web.guards import coordinators_only, signed_in
from wellness.web.idempotency import respond_once, respond_once_empty
from wellness.web.ids import PageNumber, PathId
from wellness.web.lookups import collection_for_editor_or_404, collection_for_viewer_or_404
from wellness.web.openapi import answers, created

# Deleting a collection that was ever published: 409 (archive it instead).
REFUSED_PUBLISHED = {"refusals": (409,)}


def _status_change(word: str, target: Status, name: str) -> HTTPRouteHandler:
    """`POST /api/v1/collections/{id}/publish` and `.../archive`."""

    async def handler(
        self: Controller,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        now: RequestTime,
        policy: CareRules,
        collection_id: PathId,
    ) -> Response[bytes]:
        collection = await collection_for_editor_or_404(user, collection_id)

        async def write() -> tuple[int, CollectionDetail]:
            changed = await collection_actions.change_collection_status(
                request, user, now, collection, target
            )
            return 200, await collection_detail(user, changed, policy)

        return await respond_once(request, None, write)

    handler.__name__ = handler.__qualname__ = word
    path = f"/{{collection_id:int}}/{word}"
    responses = answers(CollectionDetail, 200)
    return post(path, guards=[coordinators_only], status_code=200, name=name, responses=responses)(
        handler
    )


class CollectionsApi(Controller):
    path = "/api/v1/collections"
    guards = [signed_in]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["catalog"]  # noqa: RUF012

    @get("/", name="api_collections")
    async def list_collections(
        self,
        user: SignedInUser,
        policy: CareRules,
        status: Annotated[Status | None, QueryParameter()] = None,
        page: PageNumber = 1,
        per_page: PerPage = 20,
    ) -> CollectionList:
        """Published collections that hold a session you may open, by title, each counting only
        those sessions (and for a patient how many they completed); coordinators see every
        status (`status` narrows it)."""
        found, _ = await listed(user, policy, page=page, per_page=per_page, status=status)
        return found

    @get("/{collection_id:int}", name="api_collection")
    async def get_collection(
        self, user: SignedInUser, policy: CareRules, collection_id: PathId
    ) -> CollectionDetail:
        """A collection's sessions in order: for a patient only the published ones, with what
        they completed, the care team's marks and the next to do (never one to skip); a draft
        or archived collection is a 404 for anyone but a coordinator."""
        collection = await collection_for_viewer_or_404(user, collection_id)
        return await collection_detail(user, collection, policy)

    @post(
        "/",
        guards=[coordinators_only],
        name="api_collection_create",
        responses=created(CollectionDetail),
    )
    async def create_collection(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        now: RequestTime,
        policy: CareRules,
        data: JSONBody[CollectionCreate],
    ) -> Response[bytes]:
        """Save a new draft collection. Its title is unique among live (draft and published)
        collections whatever its case; `session_ids` (1 to 50, none twice) name draft or
        published sessions: an unknown id is a 422 naming it."""

        async def write() -> tuple[int, CollectionDetail]:
            collection = await collection_actions.create_collection(
                request, user, now, data.fields()
            )
            return 201, await collection_detail(user, collection, policy)

        return await respond_once(request, data, write)

    @patch(
        "/{collection_id:int}",
        guards=[coordinators_only],
        name="api_collection_update",
        responses=answers(CollectionDetail, 200),
    )
    async def update_collection(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        now: RequestTime,
        policy: CareRules,
        collection_id: PathId,
        data: JSONBody[CollectionPatch],
    ) -> Response[bytes]:
        """Change a collection's fields; those left out keep their values. A session it holds
        that was archived since may stay in `session_ids` (patients don't see it); a newly
        named archived session is a 422."""
        collection = await collection_for_editor_or_404(user, collection_id)

        async def write() -> tuple[int, CollectionDetail]:
            saved = await collection_actions.update_collection(request, user, now, collection, data)
            return 200, await collection_detail(user, saved, policy)

        return await respond_once(request, data, write)

    @delete(
        "/{collection_id:int}",
        guards=[coordinators_only],
        name="api_collection_delete",
        status_code=204,
        opt=REFUSED_PUBLISHED,
    )
    async def delete_collection(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        now: RequestTime,
        collection_id: PathId,
    ) -> Response[None]:
        """Delete a draft collection that was never published (its sessions stay); one that
        was is a 409: archive it instead."""

        async def write() -> None:
            # Loaded here, so a retry of a deletion that succeeded replays its answer.
            collection = await collection_for_editor_or_404(user, collection_id)
            await collection_actions.delete_collection(request, collection, now)

        return await respond_once_empty(request, None, write)

    publish = _status_change("publish", Status.PUBLISHED, "api_collection_publish")
    archive = _status_change("archive", Status.ARCHIVED, "api_collection_archive")
