"""JSON API for collections (programmes of sessions). Paths are a public contract, shaped as
the sessions' (`api/catalog.py`): publishing and archiving are their own writes. Patients start
and stop following one with `PUT`/`DELETE .../follow`, and read those they follow, with their
progress, at `GET /api/v1/me/collections`."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody, QueryParameter

from wellness.accounts.models import User
from wellness.caseload.collection_progress import progress_in, progress_of
from wellness.catalog.kinds import Status
from wellness.settings import CarePolicy
from wellness.web import collection_actions
from wellness.web.api.collections_schemas import CollectionCreate, CollectionPatch
from wellness.web.api.fields import PerPage
from wellness.web.collection_views import (
    CollectionDetail,
    CollectionList,
    FollowedCollectionList,
    FollowedCollectionOut,
    collection_detail,
)
from wellness.web.collection_views import collection_list as listed
from wellness.web.dependencies import CareRules, LibraryCall, PatientCall, SignedInUser
from wellness.web.guards import coordinators_only, patients_only, signed_in
from wellness.web.idempotency import respond_once, respond_once_empty
from wellness.web.ids import PageNumber, PathId
from wellness.web.lookups import (
    NotFoundForViewer,
    collection_for_editor_or_404,
    collection_for_viewer_or_404,
)
from wellness.web.openapi import answers, created
from wellness.web.routes import action_route

# Deleting a collection that was ever published: 409 (archive it instead). Starting one that
# was archived between its loading and the write: 409 too.
REFUSED_PUBLISHED = {"refusals": (409,)}


def _status_change(word: str, target: Status, name: str) -> HTTPRouteHandler:
    """`POST /api/v1/collections/{id}/publish` and `.../archive`."""

    async def handler(
        self: Controller, call: LibraryCall, collection_id: PathId
    ) -> Response[bytes]:
        collection = await collection_for_editor_or_404(call.user, collection_id)

        async def write() -> tuple[int, CollectionDetail]:
            changed = await collection_actions.change_collection_status(call, collection, target)
            return 200, await collection_detail(call.user, changed, call.policy)

        return await respond_once(call.request, None, write)

    return action_route(
        handler,
        word,
        f"/{{collection_id:int}}/{word}",
        guards=[coordinators_only],
        status_code=200,
        name=name,
        responses=answers(CollectionDetail, 200),
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
        self, call: LibraryCall, data: JSONBody[CollectionCreate]
    ) -> Response[bytes]:
        """Save a new draft collection. Its title is unique among live (draft and published)
        collections whatever its case; `session_ids` (1 to 50, none twice) name draft or
        published sessions: an unknown id is a 422 naming it."""

        async def write() -> tuple[int, CollectionDetail]:
            collection = await collection_actions.create_collection(call, data.fields())
            return 201, await collection_detail(call.user, collection, call.policy)

        return await respond_once(call.request, data, write)

    @patch(
        "/{collection_id:int}",
        guards=[coordinators_only],
        name="api_collection_update",
        responses=answers(CollectionDetail, 200),
    )
    async def update_collection(
        self, call: LibraryCall, collection_id: PathId, data: JSONBody[CollectionPatch]
    ) -> Response[bytes]:
        """Change a collection's fields; those left out keep their values. A session it holds
        that was archived since may stay in `session_ids` (patients don't see it); a newly
        named archived session is a 422."""
        collection = await collection_for_editor_or_404(call.user, collection_id)

        async def write() -> tuple[int, CollectionDetail]:
            saved = await collection_actions.update_collection(call, collection, data)
            return 200, await collection_detail(call.user, saved, call.policy)

        return await respond_once(call.request, data, write)

    @delete(
        "/{collection_id:int}",
        guards=[coordinators_only],
        name="api_collection_delete",
        status_code=204,
        opt=REFUSED_PUBLISHED,
    )
    async def delete_collection(self, call: LibraryCall, collection_id: PathId) -> Response[None]:
        """Delete a draft collection that was never published (its sessions stay); one that
        was is a 409: archive it instead."""

        async def write() -> None:
            # Loaded here, so a retry of a deletion that succeeded replays its answer.
            collection = await collection_for_editor_or_404(call.user, collection_id)
            await collection_actions.delete_collection(call, collection)

        return await respond_once_empty(call.request, None, write)

    publish = _status_change("publish", Status.PUBLISHED, "api_collection_publish")
    archive = _status_change("archive", Status.ARCHIVED, "api_collection_archive")

    @put(
        "/{collection_id:int}/follow",
        guards=[patients_only],
        name="api_collection_follow",
        responses=answers(FollowedCollectionOut, 200),
        opt=REFUSED_PUBLISHED,
    )
    async def follow(self, call: PatientCall, collection_id: PathId) -> Response[bytes]:
        """Start following a published collection (patients): it shows on your home page with
        your progress. Following it already changes nothing (the first start stays). A draft
        or archived collection is a 404, as for reading it; one archived at the very moment
        it is started is a 409 (`collection_not_published`), and nothing is stored."""
        collection = await collection_for_viewer_or_404(call.user, collection_id)

        async def write() -> tuple[int, FollowedCollectionOut]:
            await collection_actions.follow_collection(call, collection)
            return 200, await _followed_one(call.user, call.policy, collection.id)

        return await respond_once(call.request, None, write)

    @delete(
        "/{collection_id:int}/follow",
        guards=[patients_only],
        name="api_collection_unfollow",
        status_code=204,
    )
    async def unfollow(self, call: PatientCall, collection_id: PathId) -> Response[None]:
        """Stop following a collection (patients); what you did in it stays done. Not
        following it is a 204 too."""
        collection = await collection_for_viewer_or_404(call.user, collection_id)

        async def write() -> None:
            await collection_actions.stop_following(call, collection)

        return await respond_once_empty(call.request, None, write)


async def _followed_one(
    user: User, policy: CarePolicy, collection_id: int
) -> FollowedCollectionOut:
    """The patient's progress through a collection they follow (just started, or before)."""
    found = await progress_in(user, collection_id, policy=policy)
    if found is None:  # stopped by another request of theirs since this one started it
        raise NotFoundForViewer(
            "You no longer follow this collection.",
            target_type="collection",
            target_id=collection_id,
        )
    return FollowedCollectionOut.of(found, user.time_zone)


class MyCollectionsApi(Controller):
    path = "/api/v1/me"
    guards = [patients_only]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["catalog"]  # noqa: RUF012

    @get("/collections", name="api_my_collections")
    async def followed(self, user: SignedInUser, policy: CareRules) -> FollowedCollectionList:
        """The published collections you follow, the latest started first, each with how many
        of its sessions you have done and the next one. Times in your zone; one archived since
        you started is left out (and shows again if it is published again)."""
        return FollowedCollectionList.of(await progress_of(user, policy=policy), user.time_zone)
