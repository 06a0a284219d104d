"""Clinician notes on a patient, with their addenda: written, read a page at a time or over a
period, never changed or deleted (the rules: `wellness.care.note_rules`).

The caller has checked that the writer or reader is on the patient's current care team. Each
write commits in one transaction with what the caller's `written` adds to it (the audit row).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from tortoise.transactions import in_transaction

from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.care import note_rules as rules
from wellness.care.models import ClinicalNote, NoteAddendum
from wellness.care.note_rules import NoteKind
from wellness.db import paged
from wellness.lib.paging import Page

NOTES_PER_PAGE = 10
# The newest contact first; of one day's notes, the last written first.
_NEWEST_FIRST = ("-contact_date", "-written_at", "-id")

Written = Callable[[int], Awaitable[None]]  # given the stored row's id


class NotTheAuthor(Exception):
    """Someone other than a note's author asked to add an addendum to it (rule 4)."""


@dataclass(frozen=True, slots=True)
class AddendumView:
    id: int
    author_id: int | None
    author: str  # the author's name; "" once their account is gone
    text: str
    written_at: datetime


@dataclass(frozen=True, slots=True)
class NoteView:
    id: int
    patient_id: int
    author_id: int | None
    author: str  # the author's name; "" once their account is gone
    kind: NoteKind
    contact_date: date
    text: str
    written_at: datetime
    addenda: tuple[AddendumView, ...]  # in the order they were written

    def amendable_by(self, viewer: User) -> bool:
        return rules.may_amend(self.author_id, viewer.id)


async def write_note(
    author: User,
    patient: User,
    *,
    kind: NoteKind,
    contact_date: date | None,
    text: str,
    now: datetime,
    written: Written | None = None,
) -> ClinicalNote:
    """A new note by `author` on `patient`. FieldError (`text`, `contact_date`) before anything
    is stored: the contact date is checked against the author's own today."""
    cleaned = rules.clean_text(text)
    day = rules.clean_contact_date(contact_date, today=rules.local_today(now, author.time_zone))
    async with in_transaction():
        note = await ClinicalNote.create(
            patient_id=patient.id,
            author_id=author.id,
            kind=kind,
            contact_date=day,
            text=cleaned,
            written_at=now,
        )
        if written is not None:
            await written(note.id)
    return note


async def add_addendum(
    author: User, note: ClinicalNote, *, text: str, now: datetime, written: Written | None = None
) -> NoteAddendum:
    """An addendum by `author` to their own note: NotTheAuthor for anyone else, checked first;
    FieldError (`text`) before anything is stored."""
    if not rules.may_amend(note.author_id, author.id):
        raise NotTheAuthor
    cleaned = rules.clean_text(text, what="addendum")
    async with in_transaction():
        addendum = await NoteAddendum.create(
            note_id=note.id, author_id=author.id, text=cleaned, written_at=now
        )
        if written is not None:
            await written(addendum.id)
    return addendum


async def note_about(patient: User, note_id: int) -> ClinicalNote | None:
    """The note, when it is about this patient (whom the caller has loaded for their care
    team)."""
    return await ClinicalNote.get_or_none(id=note_id, patient_id=patient.id)


async def notes_page(
    patient: User, *, page: int = 1, per_page: int = NOTES_PER_PAGE
) -> Page[NoteView]:
    """A page of the patient's notes, the newest contact first, each with its addenda."""
    found = await paged(
        ClinicalNote.filter(patient_id=patient.id), *_NEWEST_FIRST, page=page, per_page=per_page
    )
    return Page(await _described(found.items), found.page, found.pages, found.total)


async def notes_between(patient: User, first: date, last: date) -> list[NoteView]:
    """The patient's notes of contacts from `first` to `last` (both included), oldest first."""
    found = await ClinicalNote.filter(
        patient_id=patient.id, contact_date__gte=first, contact_date__lte=last
    ).order_by("contact_date", "written_at", "id")
    return await _described(found)


async def note_view(note: ClinicalNote) -> NoteView:
    [described] = await _described([note])
    return described


async def _described(notes: Iterable[ClinicalNote]) -> list[NoteView]:
    """`notes` with their addenda and the names of their authors, in two more queries."""
    notes = list(notes)
    if not notes:
        return []
    addenda = await NoteAddendum.filter(note_id__in=[note.id for note in notes]).order_by(
        "written_at", "id"
    )
    authors = {note.author_id for note in notes} | {item.author_id for item in addenda}
    names = await accounts.display_names({author for author in authors if author is not None})
    by_note: dict[int, list[AddendumView]] = {}
    for item in addenda:
        by_note.setdefault(item.note_id, []).append(
            AddendumView(
                item.id,
                item.author_id,
                names.get(item.author_id or 0, ""),
                item.text,
                item.written_at,
            )
        )
    return [
        NoteView(
            id=note.id,
            patient_id=note.patient_id,
            author_id=note.author_id,
            author=names.get(note.author_id or 0, ""),
            kind=note.kind,
            contact_date=note.contact_date,
            text=note.text,
            written_at=note.written_at,
            addenda=tuple(by_note.get(note.id, ())),
        )
        for note in notes
    ]
