"""Coordinator pages for collections: create one, edit its title, description and sessions
(found in the library, added, moved up and down, removed: `collection_forms`, all without
JavaScript), publish or archive it, and delete a draft that was never published."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from wellness.accounts.models import User
from wellness.caseload.availability import left_plans
from wellness.catalog import collection_reads, collections
from wellness.catalog import collection_rules as rule
from wellness.catalog.kinds import Status
from wellness.catalog.models import Collection
from wellness.catalog.rules import CatalogConflict, CatalogError
from wellness.catalog.search import rows_for
from wellness.web import collection_actions
from wellness.web.collection_views import patients_left_without
from wellness.web.dependencies import CareRules, LibraryCall, RequestTime, SignedInUser
from wellness.web.guards import coordinators_only
from wellness.web.idempotency import answer_form_once, form_key, new_form_key
from wellness.web.ids import PathId
from wellness.web.lookups import collection_for_editor_or_404
from wellness.web.pages.collection_forms import CHOICES, EditorForm, Step, listed, read_editor
from wellness.web.routes import action_route

SAVED_ALREADY = "That collection was already saved: nothing was added."


def _status_change(word: str, target: Status, name: str) -> HTTPRouteHandler:
    """`POST /library/collections/{id}/publish` and `.../archive`: the stored collection as it
    is; a refusal shows the edit page with the reason beside Visibility."""

    async def handler(
        self: Controller, call: LibraryCall, collection_id: PathId
    ) -> Template | Redirect:
        collection = await collection_for_editor_or_404(call.user, collection_id)
        try:
            changed = await collection_actions.change_collection_status(call, collection, target)
        except CatalogError as problem:
            return await refused(call.user, collection, "status", problem.message, 422)
        assigned = await patients_left_without(changed, call.now, call.policy)
        flash(call.request, _status_message(changed, assigned), "success")
        return Redirect(f"/collections/{collection.id}", status_code=303)

    return action_route(handler, word, f"/{{collection_id:int}}/{word}", name=name)


class LibraryCollectionPages(Controller):
    path = "/library/collections"
    guards = [coordinators_only]  # noqa: RUF012  (Litestar reads this class attribute)

    @get("/new", name="library_new_collection")
    async def new_form(self, user: SignedInUser) -> Template:
        return await editor_template(user, EditorForm(form_key=new_form_key()), None)

    @post("/new", name="library_create_collection")
    async def create(self, call: LibraryCall) -> Template | Redirect:
        """A step of the editor (shown again, nothing stored), or the save: a new draft, once
        per form and content (a double click stores one)."""
        request, user = call.request, call.user
        raw = await request.form()
        form = read_editor(raw)
        if not form.saving or form.errors:
            return await editor_template(user, form.changed(), None, status=_status_of(form))
        created: list[int] = []

        async def write() -> tuple[int, bytes]:
            collection = await collection_actions.create_collection(call, form.fields())
            created.append(collection.id)
            return 201, msgspec.json.encode(collection.id)

        try:
            answer = await answer_form_once(request, form_key(raw), form.asked(), write)
        except CatalogError as problem:
            return await editor_template(user, form, None, {problem.field: problem.message}, 422)
        collection_id = msgspec.json.decode(answer.body, type=int)
        if answer.replayed:
            flash(request, SAVED_ALREADY, "info")
        else:
            flash(request, "The collection was saved as a draft.", "success")
        return Redirect(f"/library/collections/{collection_id}/edit", status_code=303)

    @get("/{collection_id:int}/edit", name="library_edit_collection")
    async def edit_form(
        self, user: SignedInUser, now: RequestTime, policy: CareRules, collection_id: PathId
    ) -> Template:
        collection = await collection_for_editor_or_404(user, collection_id)
        form = await stored_form(collection)
        assigned = 0
        if collection.status is Status.PUBLISHED:  # shown beside Archive
            assigned = await patients_left_without(collection, now, policy)
        return await editor_template(user, form, collection, assigned_patients=assigned)

    @post("/{collection_id:int}/edit", name="library_update_collection")
    async def update(self, call: LibraryCall, collection_id: PathId) -> Template | Redirect:
        """A step of the editor, or the save (`edit=publish`: save, then publish; both or
        neither)."""
        request, user = call.request, call.user
        collection = await collection_for_editor_or_404(user, collection_id)
        form = read_editor(await request.form())
        if not form.saving or form.errors:
            return await editor_template(user, form.changed(), collection, status=_status_of(form))
        publish = form.step is Step.PUBLISH
        try:
            saved = await collection_actions.update_collection(
                call, collection, form.fields(), then_publish=publish
            )
        except CatalogError as problem:
            return await editor_template(
                user, form, collection, {problem.field: problem.message}, 422
            )
        if publish:
            flash(request, _status_message(saved), "success")
            return Redirect(f"/collections/{collection.id}", status_code=303)
        flash(request, "Your changes were saved.", "success")
        return Redirect(f"/library/collections/{collection.id}/edit", status_code=303)

    @post("/{collection_id:int}/delete", name="library_delete_collection")
    async def delete(self, call: LibraryCall, collection_id: PathId) -> Template | Redirect:
        """Delete a draft never published (its sessions stay); else 409 with what to do."""
        collection = await collection_for_editor_or_404(call.user, collection_id)
        try:
            await collection_actions.delete_collection(call, collection)
        except CatalogConflict as conflict:
            return await refused(call.user, collection, "delete", conflict.message, 409)
        flash(call.request, f"“{collection.title}” was deleted. Its sessions are kept.", "success")
        return Redirect("/collections", status_code=303)

    publish = _status_change("publish", Status.PUBLISHED, "library_publish_collection")
    archive = _status_change("archive", Status.ARCHIVED, "library_archive_collection")


async def stored_form(collection: Collection) -> EditorForm:
    """The editor's form as the collection is stored."""
    return EditorForm(
        title=collection.title,
        description=collection.description,
        session_ids=tuple(await collections.entry_ids(collection.id)),
    )


async def refused(
    viewer: User, collection: Collection, field: str, message: str, status: int
) -> Template:
    """The edit page as the collection is stored, with why a change to it was refused."""
    form = await stored_form(collection)
    return await editor_template(viewer, form, collection, {field: message}, status)


async def editor_template(
    viewer: User,
    form: EditorForm,
    collection: Collection | None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    *,
    assigned_patients: int = 0,
) -> Template:
    """The editor, new (`collection` None) or of a stored collection: the form as typed, its
    sessions as the catalog shows them, and sessions to add (and beside Archive, how many
    patients' assignments name it)."""
    rows = await rows_for(list(form.session_ids))
    choices = await collection_reads.addable_sessions(
        viewer, form.find, leave_out=frozenset(form.session_ids), limit=CHOICES
    )
    context = {
        "form": form,
        "entries": listed(form.session_ids, rows),
        "choices": choices,
        "more_choices": len(choices) >= CHOICES,
        "collection": collection,
        "errors": {**form.errors, **(errors or {})},
        "unsaved": await _unsaved(form, collection),
        "deletable": collection is not None
        and collection.status is Status.DRAFT
        and collection.published_at is None,
        "max_title": rule.MAX_TITLE,
        "max_description": rule.MAX_DESCRIPTION,
        "max_sessions": rule.MAX_SESSIONS,
        "assigned_patients": assigned_patients,
    }
    return Template("library/collection_edit.html", context=context, status_code=status)


async def _unsaved(form: EditorForm, collection: Collection | None) -> bool:
    """Whether the form differs from what is stored (a new one: whether anything is in it)."""
    if collection is None:
        return bool(form.title or form.description or form.session_ids)
    stored = await stored_form(collection)
    return (form.title, form.description, form.session_ids) != (
        stored.title,
        stored.description,
        stored.session_ids,
    )


def _status_of(form: EditorForm) -> int:
    return 422 if form.errors else 200


def _status_message(collection: Collection, assigned: int = 0) -> str:
    if collection.status is Status.PUBLISHED:
        return f"“{collection.title}” is published: patients can find it under Collections now."
    return f"“{collection.title}” is archived: patients no longer see it.{left_plans(assigned)}"
