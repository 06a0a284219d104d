"""The patient's page for their care team: `/care/patients/{id}`.

Only the patient's current care team may open it; anyone else (another therapist, a former
care-team member, a coordinator, a patient) gets 404, as if it did not exist. Every view is one
audit row (who, whose, from which route; never the data), clinician notes included.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from litestar import Controller, get
from litestar.response import Template

from wellness.accounts.models import User
from wellness.care import note_rules
from wellness.care import notes as care_notes
from wellness.care.note_rules import NoteKind
from wellness.caseload import record as records
from wellness.caseload.helps import ENOUGH_RATINGS
from wellness.practice.progress import CALENDAR_WEEKS, MINUTES_WEEKS
from wellness.suggestions.logs import last_suggestions_for
from wellness.web import care_access
from wellness.web.dependencies import CareTeamCall, SignedInCall
from wellness.web.guards import signed_in
from wellness.web.idempotency import FORM_KEY, new_form_key
from wellness.web.ids import PageNumber, PathId
from wellness.web.pages.wellbeing import progress_charts

PAGE = "care/patient.html"


@dataclass(frozen=True, slots=True)
class NoteForms:
    """The clinician notes' forms as the page shows them: empty, or after a refusal the new
    note's fields (`errors` by field) or one note's addendum (`addendum_to`, its error under
    `addendum-to-<note id>`), with what was typed."""

    errors: dict[str, str] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)
    addendum_to: int | None = None


async def record_page(
    call: SignedInCall,
    patient: User,
    found: records.PatientRecord,
    *,
    notes_page: int = 1,
    alert_errors: dict[int, str] | None = None,
    typed_notes: dict[int, str] | None = None,
    note_forms: NoteForms | None = None,
    status: int = 200,
) -> Template:
    """The page for a record read through `care_access.patient_record` (which audits it), with
    a page of clinician notes. `alert_errors` and `typed_notes` (by alert id) bring back a
    refused acknowledgement with the reason beside its note field; `note_forms` a refused note
    or addendum."""
    forms = note_forms or NoteForms()
    today = note_rules.local_today(call.now, call.user.time_zone)
    context = {
        "user": call.user,
        "patient": patient,
        "record": found,
        "header": found.header,
        "charts": progress_charts(found.progress),
        "completion_percent": call.policy.completion_percent,
        "calendar_weeks": CALENDAR_WEEKS,
        "minutes_weeks": MINUTES_WEEKS,
        "enough_ratings": ENOUGH_RATINGS,
        "evidence_labels": records.EVIDENCE_LABELS,
        "alert_errors": alert_errors or {},
        "typed_notes": typed_notes or {},
        "assignments": found.assignments,
        "last_suggested": await last_suggestions_for(patient.id),
        "notes": await care_notes.notes_page(patient, page=notes_page),
        "note_forms": forms,
        "note_kinds": list(NoteKind),
        "note_max": note_rules.MAX_TEXT,
        # The contact date's default and limits, in the therapist's own zone.
        "note_today": today,
        "note_earliest": note_rules.earliest_contact(today),
        # A new key each time a form is shown, but the one sent back with a refused form.
        "note_form_key": (forms.addendum_to is None and forms.typed.get(FORM_KEY))
        or new_form_key(),
        "new_form_key": new_form_key,
    }
    return Template(PAGE, context=context, status_code=status)


class PatientRecordPages(Controller):
    path = "/care/patients"
    # Signed in is enough to ask; the lookup answers 404 to anyone not on the care team.
    guards = [signed_in]  # noqa: RUF012  (Litestar reads this class attribute)

    @get("/{patient_id:int}", name="care_patient")
    async def record(
        self,
        call: CareTeamCall,
        patient_id: PathId,
        practice_page: PageNumber = 1,
        alerts_page: PageNumber = 1,
        notes_page: PageNumber = 1,
    ) -> Template:
        patient, found = await care_access.patient_record(
            call, patient_id, practice_page=practice_page, alerts_page=alerts_page
        )
        return await record_page(call, patient, found, notes_page=notes_page)
