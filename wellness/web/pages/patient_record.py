"""The patient's page for their care team: `/care/patients/{id}`.

Only the patient's current care team may open it; anyone else (another therapist, a former
care-team member, a coordinator, a patient) gets 404, as if it did not exist. Every view is one
audit row (who, whose, from which route; never the data).
"""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from wellness.accounts.models import User
from wellness.caseload import record as records
from wellness.caseload.helps import ENOUGH_RATINGS
from wellness.practice.progress import CALENDAR_WEEKS, MINUTES_WEEKS
from wellness.suggestions.logs import last_suggestions_for
from wellness.web import care_access
from wellness.web.dependencies import CareTeamCall, SignedInCall
from wellness.web.guards import signed_in
from wellness.web.ids import PageNumber, PathId
from wellness.web.pages.wellbeing import progress_charts

PAGE = "care/patient.html"


async def record_page(
    call: SignedInCall,
    patient: User,
    found: records.PatientRecord,
    *,
    alert_errors: dict[int, str] | None = None,
    typed_notes: dict[int, str] | None = None,
    status: int = 200,
) -> Template:
    """The page for a record read through `care_access.patient_record`. `alert_errors` and
    `typed_notes` (by alert id) bring back a refused acknowledgement with the reason beside its
    note field."""
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
    ) -> Template:
        patient, found = await care_access.patient_record(
            call, patient_id, practice_page=practice_page, alerts_page=alerts_page
        )
        return await record_page(call, patient, found)
