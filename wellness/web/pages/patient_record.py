"""The patient's page for their care team: `/care/patients/{id}`.

Only the patient's current care team may open it; anyone else (another therapist, a former
care-team member, a coordinator, a patient) gets 404, as if it did not exist. Every view is one
audit row (who, whose, from which route; never the data).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from wellness.accounts.models import User
from wellness.caseload import record as records
from wellness.caseload.helps import ENOUGH_RATINGS
from wellness.practice.progress import CALENDAR_WEEKS, MINUTES_WEEKS
from wellness.settings import CarePolicy
from wellness.suggestions.logs import last_suggestions_for
from wellness.web.auditing import record_patient_view
from wellness.web.dependencies import CareRules, RequestTime, SignedInUser
from wellness.web.guards import signed_in
from wellness.web.ids import PathId
from wellness.web.lookups import patient_for_therapist_or_404
from wellness.web.pages.wellbeing import progress_charts

PAGE = "care/patient.html"
VIEWED = "patient_record_viewed"
PageNumber = Annotated[int, QueryParameter(ge=1, le=100_000)]


async def record_page(
    request: Request[Any, Any, Any],
    viewer: User,
    patient: User,
    now: datetime,
    policy: CarePolicy,
    *,
    practice_page: int = 1,
    alerts_page: int = 1,
    alert_errors: dict[int, str] | None = None,
    typed_notes: dict[int, str] | None = None,
    status: int = 200,
) -> Template:
    """The page, and its audit row. `alert_errors` and `typed_notes` (by alert id) bring back a
    refused acknowledgement with the reason beside its note field."""
    found = await records.patient_record(
        patient, policy=policy, now=now, practice_page=practice_page, alerts_page=alerts_page
    )
    await record_patient_view(request, VIEWED, patient.id)
    context = {
        "user": viewer,
        "patient": patient,
        "record": found,
        "header": found.header,
        "charts": progress_charts(found.progress),
        "completion_percent": policy.completion_percent,
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
        request: Request[Any, Any, Any],
        user: SignedInUser,
        now: RequestTime,
        policy: CareRules,
        patient_id: PathId,
        practice_page: PageNumber = 1,
        alerts_page: PageNumber = 1,
    ) -> Template:
        patient = await patient_for_therapist_or_404(user, patient_id)
        return await record_page(
            request,
            user,
            patient,
            now,
            policy,
            practice_page=practice_page,
            alerts_page=alerts_page,
        )
