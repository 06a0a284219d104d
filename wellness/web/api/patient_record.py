"""`GET /api/v1/patients/{id}`: a patient's record for their care team, as JSON.

Only the patient's current care team may read it; anyone else gets 404. Every read is one audit
row (who, whose, from which route; never the data).
"""

from __future__ import annotations

from litestar import Controller, get

from wellness.suggestions.logs import last_suggestions_for
from wellness.web import care_access
from wellness.web.api.patient_record_schemas import PatientRecordOut
from wellness.web.dependencies import CareTeamCall
from wellness.web.guards import signed_in
from wellness.web.ids import PageNumber, PathId


class PatientRecordApi(Controller):
    path = "/api/v1/patients"
    # Signed in is enough to ask; the lookup answers 404 to anyone not on the care team.
    guards = [signed_in]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["care"]  # noqa: RUF012

    @get("/{patient_id:int}", name="api_patient_record")
    async def record(
        self,
        call: CareTeamCall,
        patient_id: PathId,
        practice_page: PageNumber = 1,
        alerts_page: PageNumber = 1,
    ) -> PatientRecordOut:
        """A patient on your caseload: header, streak, practice with its evidence (a page),
        alerts with their acknowledgements (a page), what helps, the last suggestions they
        were shown, and the collections they follow with their progress. Times in their
        zone."""
        patient, found = await care_access.patient_record(
            call, patient_id, practice_page=practice_page, alerts_page=alerts_page
        )
        return PatientRecordOut.of(patient, found, await last_suggestions_for(patient.id))
