"""A care team's clinician notes, shared by the pages and the JSON API: read a page of them,
write one, add an addendum to one's own. Each with its audit row (who, whose, which note, from
which route; ids only, never a word of the text); a write's row commits with it."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from litestar.exceptions import PermissionDeniedException

from wellness.accounts.models import User
from wellness.care import note_rules
from wellness.care import notes as care_notes
from wellness.care.models import ClinicalNote, NoteAddendum
from wellness.care.note_rules import NoteKind
from wellness.lib.paging import Page
from wellness.web.auditing import record_action, record_for_patient
from wellness.web.dependencies import SignedInCall
from wellness.web.lookups import patient_for_therapist_or_404

NOTES_VIEWED = "clinical_notes_viewed"
NOTE_WRITTEN = "clinical_note_written"
NOTE_AMENDED = "clinical_note_amended"
NOT_THE_AUTHOR = (
    "Only the note's author can add an addendum to it. To add to a colleague's note, write a "
    "note of your own."
)


class NoteEntry(Protocol):
    """A new note, as the form or the JSON body gives it."""

    @property
    def kind(self) -> NoteKind: ...
    @property
    def contact_date(self) -> date | None: ...
    @property
    def text(self) -> str: ...


async def notes_of(
    call: SignedInCall, patient_id: int, *, page: int = 1
) -> tuple[User, Page[care_notes.NoteView]]:
    """The patient and a page of their notes; audited (the patient's page is audited as a
    whole, notes included)."""
    patient = await patient_for_therapist_or_404(call.user, patient_id)
    found = await care_notes.notes_page(patient, page=page)
    await record_for_patient(call.request, NOTES_VIEWED, patient.id, now=call.now)
    return patient, found


async def write_note(call: SignedInCall, patient: User, entry: NoteEntry) -> ClinicalNote:
    """A note by the caller on the (already loaded) patient; FieldError before anything is
    stored or audited."""

    async def audited(note_id: int) -> None:
        await record_action(
            call.request,
            NOTE_WRITTEN,
            target_type="clinical_note",
            target_id=note_id,
            patient_id=patient.id,
            now=call.now,
        )

    return await care_notes.write_note(
        call.user,
        patient,
        kind=entry.kind,
        contact_date=entry.contact_date,
        text=entry.text,
        now=call.now,
        written=audited,
    )


async def may_amend_or_403(call: SignedInCall, note: ClinicalNote) -> None:
    """403 for anyone but the note's author, recorded as `access_denied`. Called before any
    transaction the write runs in (an Idempotency-Key's), so the refusal's row stays."""
    if note_rules.may_amend(note.author_id, call.user.id):
        return
    await record_action(
        call.request,
        "access_denied",
        target_type="clinical_note",
        target_id=note.id,
        patient_id=note.patient_id,
        now=call.now,
    )
    raise PermissionDeniedException(NOT_THE_AUTHOR)


async def add_addendum(call: SignedInCall, note: ClinicalNote, text: str) -> NoteAddendum:
    """An addendum by the caller to their own (already loaded) note, which `may_amend_or_403`
    has let them add to; FieldError before anything is stored."""

    async def audited(addendum_id: int) -> None:
        await record_action(
            call.request,
            NOTE_AMENDED,
            target_type="clinical_note",
            target_id=note.id,
            detail=f"addendum={addendum_id}",
            patient_id=note.patient_id,
            now=call.now,
        )

    try:
        return await care_notes.add_addendum(
            call.user, note, text=text, now=call.now, written=audited
        )
    except care_notes.NotTheAuthor:  # checked by the caller already: the service's own guard
        raise PermissionDeniedException(NOT_THE_AUTHOR) from None
