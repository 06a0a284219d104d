"""What the clinician notes API accepts and answers. Unknown input fields are refused; times are
aware, in the patient's zone (as the patient's record API gives them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import msgspec

from wellness.accounts.models import User
from wellness.care.note_rules import MAX_TEXT, NoteKind
from wellness.care.notes import AddendumView, NoteView
from wellness.lib.paging import Page
from wellness.web.shapes import PageOut, copied
from wellness.web.strict_json import StrictBody

# Trimmed, it must still hold something (a note of spaces is a 422 naming `text`).
NoteText = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TEXT)]


class NoteCreate(StrictBody):
    """A note on a patient of your caseload. `contact_date`: the day of the contact in your own
    zone (YYYY-MM-DD), today when left out; not after today, at most 365 days back."""

    kind: NoteKind
    text: NoteText
    contact_date: date | None = None


class AddendumCreate(StrictBody):
    """A correction or later thought, added under your own note."""

    text: NoteText


class AddendumOut(msgspec.Struct):
    id: int
    author_id: int | None  # null once the author's account is gone
    author: str
    text: str
    written_at: datetime

    @classmethod
    def of(cls, item: AddendumView, zone: ZoneInfo) -> AddendumOut:
        return copied(cls, item, written_at=item.written_at.astimezone(zone))


class NoteOut(msgspec.Struct):
    id: int
    patient_id: int
    kind: NoteKind
    contact_date: date
    text: str
    author_id: int | None  # null once the author's account is gone
    author: str
    written_at: datetime
    addenda: list[AddendumOut]  # in the order they were written
    may_add_addendum: bool  # you wrote it

    @classmethod
    def of(cls, note: NoteView, patient: User, viewer: User) -> NoteOut:
        zone = ZoneInfo(patient.time_zone)
        return copied(
            cls,
            note,
            written_at=note.written_at.astimezone(zone),
            addenda=[AddendumOut.of(item, zone) for item in note.addenda],
            may_add_addendum=note.amendable_by(viewer),
        )


class NotePageOut(PageOut):
    items: list[NoteOut]  # the newest contact first

    @classmethod
    def of(cls, found: Page[NoteView], patient: User, viewer: User) -> NotePageOut:
        return cls.paged([NoteOut.of(note, patient, viewer) for note in found.items], found)
