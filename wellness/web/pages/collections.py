"""Collections for everyone signed in: the list, and one collection's sessions in order (for a
patient, which they have done and the next, and starting or stopping following it: their home
page then keeps it in view). Coordinators edit them in `library_collections`."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from wellness.accounts import permissions
from wellness.caseload.collection_progress import progress_of
from wellness.catalog.kinds import Status
from wellness.lib.days import local_date
from wellness.web import collection_actions
from wellness.web.collection_views import (
    collection_detail,
    collection_list,
    collection_url,
    patients_left_without,
)
from wellness.web.dependencies import CareRules, PatientCall, RequestTime, SignedInUser
from wellness.web.guards import patients_only, signed_in
from wellness.web.ids import PageNumber, PathId
from wellness.web.lookups import collection_for_viewer_or_404
from wellness.web.pages import wellbeing_forms as forms

PER_PAGE = 20
# Where the stop button of the home page's "Continue your collections" sends the patient back.
HOME = "/patient"


class CollectionPages(Controller):
    path = "/collections"
    guards = [signed_in]  # noqa: RUF012  (Litestar reads this class attribute)

    @get("/", name="collections")
    async def browse(self, user: SignedInUser, policy: CareRules, page: PageNumber = 1) -> Template:
        """Published collections that hold a session the viewer may open; coordinators see
        drafts and archived ones too. A patient's followed ones come first, with progress."""
        listing, _ = await collection_list(user, policy, page=page, per_page=PER_PAGE)
        practising = permissions.is_patient(user.role)
        context = {
            "listing": listing,
            "manages": permissions.can_manage_catalog(user.role),
            "practising": practising,
            "followed": await progress_of(user, policy=policy) if practising else [],
        }
        return Template("catalog/collections.html", context=context)

    @get("/{collection_id:int}", name="collection_page")
    async def collection_page(
        self, user: SignedInUser, policy: CareRules, now: RequestTime, collection_id: PathId
    ) -> Template:
        collection = await collection_for_viewer_or_404(user, collection_id)
        detail = await collection_detail(user, collection, policy)
        since = detail.following_since
        manages = permissions.can_manage_catalog(user.role)
        context = {
            "collection": detail,
            "manages": manages,
            # Shown beside Archive: how many patients' plans it would leave without it.
            "assigned_patients": (
                await patients_left_without(collection, now, policy)
                if manages and collection.status is Status.PUBLISHED
                else 0
            ),
            "practising": permissions.is_patient(user.role),
            "statuses": Status,
            # The patient's local day they started it on (None: they do not follow it).
            "following_on": None if since is None else local_date(since, user.time_zone),
        }
        return Template("catalog/collection.html", context=context)

    @post("/{collection_id:int}/follow", guards=[patients_only], name="collection_follow")
    async def follow(self, call: PatientCall, collection_id: PathId) -> Redirect:
        """Start following a published collection; starting one already followed changes
        nothing."""
        collection = await collection_for_viewer_or_404(call.user, collection_id)
        await collection_actions.follow_collection(call, collection)
        flash(
            call.request,
            f"You started “{collection.title}”. Your home page shows your next session in it.",
            "success",
        )
        return Redirect(collection_url(collection.id), status_code=303)

    @post("/{collection_id:int}/unfollow", guards=[patients_only], name="collection_unfollow")
    async def unfollow(self, call: PatientCall, collection_id: PathId) -> Redirect:
        """Stop following; what the patient did stays done. Back to the collection, or home
        when the home page's button asked (`return_to=home`)."""
        form = await call.request.form()
        collection = await collection_for_viewer_or_404(call.user, collection_id)
        await collection_actions.stop_following(call, collection)
        flash(
            call.request,
            f"You stopped following “{collection.title}”. What you did in it stays done.",
            "success",
        )
        back = HOME if forms.text(form, "return_to") == "home" else collection_url(collection.id)
        return Redirect(back, status_code=303)
