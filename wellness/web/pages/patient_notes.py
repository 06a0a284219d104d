"""Clinician notes on the patient's page: write a note (`POST /care/patients/{id}/notes`), add an
addendum to one's own (`.../notes/{note_id}/addenda`).

Only the patient's current care team may write (404 for anyone else, as for the page); only a
note's author adds addenda to it (403 for the rest of the team). A refused note or addendum
shows the patient's page again with the problems and what was typed, and stores nothing. The
same form sent twice with the same words (a double click, Back and send) writes once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import msgspec
from litestar import Controller, post
from litestar.datastructures import FormMultiDict
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from wellness.accounts.models import User
from wellness.care import note_rules
from wellness.care.note_rules import NoteKind
from wellness.lib.days import iso_day
from wellness.lib.validation import FieldError
from wellness.web import care_access, note_actions
from wellness.web.dependencies import CareTeamCall, SignedInCall
from wellness.web.guards import signed_in
from wellness.web.idempotency import answer_form_once, form_key
from wellness.web.ids import PathId
from wellness.web.lookups import note_for_therapist_or_404, patient_for_therapist_or_404
from wellness.web.pages import wellbeing_forms as forms
from wellness.web.pages.patient_record import NoteForms, record_page


@dataclass(frozen=True, slots=True)
class TypedNote:
    """A new note as the form gave it, each field checked (`note_entry`)."""

    kind: NoteKind
    contact_date: date | None
    text: str


def note_entry(form: FormMultiDict, call: SignedInCall, errors: dict[str, str]) -> TypedNote | None:
    """The note form's fields, every one checked at once (the service checks them again as it
    stores the note); None when `errors` names a field."""
    try:
        kind: NoteKind | None = NoteKind(forms.text(form, "kind"))
    except ValueError:
        kind = None
        errors["kind"] = "Choose what the contact was."
    contact_date = _contact_date(forms.text(form, "contact_date").strip(), call, errors)
    text = forms.text(form, "text")
    try:
        note_rules.clean_text(text)
    except FieldError as problem:
        errors[problem.field] = problem.message
    if kind is None or errors:
        return None
    return TypedNote(kind, contact_date, text)


def _contact_date(typed: str, call: SignedInCall, errors: dict[str, str]) -> date | None:
    if not typed:
        return None
    day = iso_day(typed)
    if day is None:
        errors["contact_date"] = "Give the date of the contact as YYYY-MM-DD, e.g. 2026-11-24."
        return None
    today = note_rules.local_today(call.now, call.user.time_zone)
    try:
        return note_rules.clean_contact_date(day, today=today)
    except FieldError as problem:
        errors[problem.field] = problem.message
        return None


async def _shown_again(call: SignedInCall, patient: User, note_forms: NoteForms) -> Template:
    """The patient's page with a refused note or addendum (a 422); audited as a view."""
    _, found = await care_access.patient_record(call, patient.id)
    return await record_page(call, patient, found, note_forms=note_forms, status=422)


def _to_note(patient: User, note_id: int) -> Redirect:
    return Redirect(f"/care/patients/{patient.id}#note-{note_id}", status_code=303)


class PatientNotePages(Controller):
    path = "/care/patients/{patient_id:int}/notes"
    # Signed in is enough to ask; the lookup answers 404 to anyone not on the care team.
    guards = [signed_in]  # noqa: RUF012  (Litestar reads this class attribute)

    @post("/", name="care_note_write")
    async def write(self, call: CareTeamCall, patient_id: PathId) -> Template | Redirect:
        patient = await patient_for_therapist_or_404(call.user, patient_id)
        form = await call.request.form()
        typed = forms.values(form)
        errors: dict[str, str] = {}
        entry = note_entry(form, call, errors)
        if entry is None:
            return await _shown_again(call, patient, NoteForms(errors, typed))

        async def write() -> tuple[int, bytes]:
            note = await note_actions.write_note(call, patient, entry)
            return 201, msgspec.json.encode(note.id)

        asked = msgspec.json.encode([entry.kind, entry.contact_date, entry.text])
        try:
            answer = await answer_form_once(call.request, form_key(form), asked, write)
        except FieldError as problem:
            return await _shown_again(call, patient, NoteForms(problem.errors, typed))
        if answer.replayed:
            flash(call.request, "That note was already saved: nothing was added.", "info")
        else:
            flash(call.request, "Note saved.", "success")
        return _to_note(patient, msgspec.json.decode(answer.body, type=int))

    @post("/{note_id:int}/addenda", name="care_note_addendum")
    async def amend(
        self, call: CareTeamCall, patient_id: PathId, note_id: PathId
    ) -> Template | Redirect:
        """An addendum to one's own note; the note's other readers get 403."""
        patient, note = await note_for_therapist_or_404(call.user, patient_id, note_id)
        await note_actions.may_amend_or_403(call, note)
        form = await call.request.form()
        text = forms.text(form, "text")

        async def write() -> tuple[int, bytes]:
            addendum = await note_actions.add_addendum(call, note, text)
            return 201, msgspec.json.encode(addendum.id)

        asked = msgspec.json.encode([note.id, text])
        try:
            answer = await answer_form_once(call.request, form_key(form), asked, write)
        except FieldError as problem:
            refused = NoteForms(
                {f"addendum-to-{note.id}": problem.message}, forms.values(form), addendum_to=note.id
            )
            return await _shown_again(call, patient, refused)
        if answer.replayed:
            flash(call.request, "That addendum was already added: nothing changed.", "info")
        else:
            flash(call.request, "Addendum added.", "success")
        return _to_note(patient, note.id)
