"""JSON API for clinician notes: `/api/v1/patients/{id}/notes` and a note's addenda.

Only the patient's current care team may read or write them; anyone else (the patient, a
coordinator, an administrator, a therapist off the team) gets 404, as for the patient's record.
Only a note's author adds addenda to it (403 for the rest of the team). Reads and writes are
audited (ids only, never the text).
"""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.params import JSONBody

from wellness.care import notes as care_notes
from wellness.web import note_actions
from wellness.web.api.notes_schemas import AddendumCreate, NoteCreate, NoteOut, NotePageOut
from wellness.web.dependencies import CareTeamCall
from wellness.web.guards import signed_in
from wellness.web.idempotency import respond_once
from wellness.web.ids import PageNumber, PathId
from wellness.web.lookups import note_for_therapist_or_404, patient_for_therapist_or_404
from wellness.web.openapi import created


class PatientNotesApi(Controller):
    path = "/api/v1/patients/{patient_id:int}/notes"
    # Signed in is enough to ask; the lookup answers 404 to anyone not on the care team.
    guards = [signed_in]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["care"]  # noqa: RUF012

    @get("/", name="api_patient_notes")
    async def notes(
        self, call: CareTeamCall, patient_id: PathId, page: PageNumber = 1
    ) -> NotePageOut:
        """Clinician notes on a patient of your caseload, the newest contact first, each with
        its addenda, a page at a time. Patients never see these."""
        patient, found = await note_actions.notes_of(call, patient_id, page=page)
        return NotePageOut.of(found, patient, call.user)

    @post("/", name="api_patient_note_write", responses=created(NoteOut))
    async def write(
        self, call: CareTeamCall, patient_id: PathId, data: JSONBody[NoteCreate]
    ) -> Response[bytes]:
        """Write a note. It cannot be changed or deleted afterwards: add an addendum instead.
        Empty text (once trimmed), text over 10,000 characters, or a contact date in the
        future or over 365 days back is a 422 naming the field, and nothing is stored."""
        patient = await patient_for_therapist_or_404(call.user, patient_id)

        async def write() -> tuple[int, NoteOut]:
            note = await note_actions.write_note(call, patient, data)
            return 201, NoteOut.of(await care_notes.note_view(note), patient, call.user)

        return await respond_once(call.request, data, write)

    @post("/{note_id:int}/addenda", name="api_note_addendum", responses=created(NoteOut))
    async def amend(
        self,
        call: CareTeamCall,
        patient_id: PathId,
        note_id: PathId,
        data: JSONBody[AddendumCreate],
    ) -> Response[bytes]:
        """Add an addendum to a note you wrote; answers the note with all its addenda. Another
        care-team member's note is a 403: write a note of your own."""
        # Loaded before `respond_once`: a replayed answer is only for who may still see it.
        patient, note = await note_for_therapist_or_404(call.user, patient_id, note_id)
        await note_actions.may_amend_or_403(call, note)

        async def write() -> tuple[int, NoteOut]:
            await note_actions.add_addendum(call, note, data.text)
            return 201, NoteOut.of(await care_notes.note_view(note), patient, call.user)

        return await respond_once(call.request, data, write)
