"""The collection editor's form, read from what a browser sends. Pure.

The editor works without JavaScript: its session list travels in the form (`session_ids`, in
order), and each of its buttons names what it asks for (`edit`): find sessions to add, add one,
move one up or down, remove one, or save. Everything but saving shows the form again as
changed, storing nothing; the form keeps what was typed throughout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import msgspec
from litestar.datastructures import FormMultiDict

from wellness.catalog.collection_rules import SESSIONS_FIELD, moved
from wellness.catalog.collections import CollectionFields
from wellness.catalog.search import SessionRow
from wellness.lib.numbers import MAX_ID, ascii_digits
from wellness.lib.text import one_line
from wellness.web.idempotency import FORM_KEY

MAX_FIND = 200
# Sessions the "Add a session" list offers at once.
CHOICES = 8
# Ids the form may carry back: a collection's at most, and a few more, so an over-long list is
# the rules' refusal naming the limit rather than a silently shortened one.
MAX_CARRIED = 60


class Step(StrEnum):
    SAVE = "save"
    PUBLISH = "publish"  # save, then publish (the edit page's "Save and publish")
    FIND = "find"
    ADD = "add"
    UP = "up"
    DOWN = "down"
    REMOVE = "remove"


@dataclass(frozen=True, slots=True)
class EditorForm:
    title: str = ""
    description: str = ""
    session_ids: tuple[int, ...] = ()
    find: str = ""
    form_key: str = ""
    step: Step = Step.FIND
    # The id to add, or the place in the list to move or remove.
    target: int = 0
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def saving(self) -> bool:
        return self.step in {Step.SAVE, Step.PUBLISH}

    def fields(self) -> CollectionFields:
        return CollectionFields(
            title=self.title, description=self.description, session_ids=list(self.session_ids)
        )

    def asked(self) -> bytes:
        """What a save asks for, as the form's Idempotency check compares it."""
        return msgspec.json.encode([self.title, self.description, list(self.session_ids)])

    def changed(self) -> EditorForm:
        """The form after its step (a save or a search changes nothing in it)."""
        ids = list(self.session_ids)
        if self.step is Step.ADD and self.target not in ids:
            ids.append(self.target)
        elif self.step in {Step.UP, Step.DOWN}:
            ids = moved(ids, self.target, -1 if self.step is Step.UP else 1)
        elif self.step is Step.REMOVE and 0 <= self.target < len(ids):
            del ids[self.target]
        return EditorForm(
            self.title,
            self.description,
            tuple(ids),
            self.find,
            self.form_key,
            Step.FIND,
            errors=self.errors,
        )


def read_editor(form: FormMultiDict) -> EditorForm:
    """The editor's form as sent; what cannot be read is an error beside its field, never a
    server error (a crafted id or step is refused, the rest of the form kept)."""
    errors: dict[str, str] = {}
    ids: list[int] = []
    for raw in form.getall(SESSIONS_FIELD, [])[:MAX_CARRIED]:
        session_id = ascii_digits(str(raw).strip(), max_digits=10)
        if session_id is None or not 1 <= session_id <= MAX_ID:
            errors[SESSIONS_FIELD] = "The list of sessions could not be read: choose them again."
            continue
        ids.append(session_id)
    find = one_line(str(form.get("find", "")))
    if len(find) > MAX_FIND:
        errors["find"] = f"Use at most {MAX_FIND} characters."
        find = find[:MAX_FIND]
    step, target = _step(str(form.get("edit", "")), errors)
    return EditorForm(
        title=str(form.get("title", "")),
        description=str(form.get("description", "")),
        session_ids=tuple(ids),
        find=find,
        form_key=str(form.get(FORM_KEY, "")),
        step=step,
        target=target,
        errors=errors,
    )


def _step(raw: str, errors: dict[str, str]) -> tuple[Step, int]:
    """`save`, `publish`, `find`, or `add-17`, `up-2`, `down-2`, `remove-2` (an id to add, a
    place in the list otherwise)."""
    name, dash, number = raw.partition("-")
    try:
        step = Step(name) if raw else Step.FIND
    except ValueError:
        step = None
    plain = step in {Step.SAVE, Step.PUBLISH, Step.FIND}
    value = 0 if plain else ascii_digits(number, max_digits=10)
    if step is None or (plain and dash) or value is None or value > MAX_ID:
        errors[SESSIONS_FIELD] = "That button is not one of this form's: try again."
        return Step.FIND, 0
    return step, value


@dataclass(frozen=True, slots=True)
class ListedSession:
    """A row of the editor's list: the session as the catalog shows it, or an id that names no
    session (a crafted form, or one deleted meanwhile: saving refuses it, naming it)."""

    id: int
    row: SessionRow | None


def listed(ids: tuple[int, ...], rows: list[SessionRow]) -> list[ListedSession]:
    by_id = {row.id: row for row in rows}
    return [ListedSession(session_id, by_id.get(session_id)) for session_id in ids]
