"""Collections for everyone signed in: the list, and one collection's sessions in order (for a
patient, which they have done and the next). Coordinators edit them in `library_collections`."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from wellness.accounts import permissions
from wellness.catalog.kinds import Status
from wellness.web.collection_views import (
    collection_detail,
    collection_list,
    patients_left_without,
)
from wellness.web.dependencies import CareRules, RequestTime, SignedInUser
from wellness.web.guards import signed_in
from wellness.web.ids import PageNumber, PathId
from wellness.web.lookups import collection_for_viewer_or_404

PER_PAGE = 20


class CollectionPages(Controller):
    path = "/collections"
    guards = [signed_in]  # noqa: RUF012  (Litestar reads this class attribute)

    @get("/", name="collections")
    async def browse(self, user: SignedInUser, policy: CareRules, page: PageNumber = 1) -> Template:
        """Published collections that hold a session the viewer may open; coordinators see
        drafts and archived ones too."""
        listing, _ = await collection_list(user, policy, page=page, per_page=PER_PAGE)
        context = {
            "listing": listing,
            "manages": permissions.can_manage_catalog(user.role),
            "practising": permissions.is_patient(user.role),
        }
        return Template("catalog/collections.html", context=context)

    @get("/{collection_id:int}", name="collection_page")
    async def collection_page(
        self, user: SignedInUser, policy: CareRules, now: RequestTime, collection_id: PathId
    ) -> Template:
        collection = await collection_for_viewer_or_404(user, collection_id)
        manages = permissions.can_manage_catalog(user.role)
        context = {
            "collection": await collection_detail(user, collection, policy),
            "manages": manages,
            # Shown beside Archive: how many patients' plans it would leave without it.
            "assigned_patients": (
                await patients_left_without(collection, now, policy)
                if manages and collection.status is Status.PUBLISHED
                else 0
            ),
            "practising": permissions.is_patient(user.role),
            "statuses": Status,
        }
        return Template("catalog/collection.html", context=context)
