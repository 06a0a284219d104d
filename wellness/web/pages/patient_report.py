"""A patient's report over a period, to print or save as a PDF: `/care/patients/{id}/report`
with `from`, `to` (the patient's local dates; by default the last 28 days) and `notes=0` to
leave clinician notes out (`caseload.report_period`).

The same access as the patient's page: their current care team only, 404 for anyone else. A
period the page cannot take is a 400 naming the parameter, the form shown with the problems
and no report. Every view is one audit row with the period (never any data).
"""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from wellness.caseload import report_period
from wellness.caseload.report import patient_report
from wellness.caseload.report_period import FIELDS
from wellness.checkins.scoring import GAD7_MAX, SUDS_MAX
from wellness.web.auditing import record_for_patient
from wellness.web.dependencies import CareTeamCall
from wellness.web.guards import signed_in
from wellness.web.ids import PathId
from wellness.web.lookups import patient_for_therapist_or_404

PAGE = "care/report.html"
REPORT_VIEWED = "patient_report_viewed"


class PatientReportPages(Controller):
    path = "/care/patients/{patient_id:int}/report"
    # Signed in is enough to ask; the lookup answers 404 to anyone not on the care team.
    guards = [signed_in]  # noqa: RUF012  (Litestar reads this class attribute)

    @get("/", name="care_patient_report")
    async def report(self, call: CareTeamCall, patient_id: PathId) -> Template:
        patient = await patient_for_therapist_or_404(call.user, patient_id)
        typed = {key: call.request.query_params.get(key, "") for key in FIELDS}
        today = report_period.today_in(call.now, patient.time_zone)
        period, errors = report_period.parse(typed, today=today)
        context = {
            "user": call.user,
            "patient": patient,
            "errors": errors,
            "today": today,
            "max_days": report_period.MAX_DAYS,
            "suds_max": SUDS_MAX,
            "gad7_max": GAD7_MAX,
            "rollover_hour": call.policy.day_rollover_hour,
        }
        if period is None:
            detail = f"refused={','.join(sorted(errors))}"
            await record_for_patient(
                call.request, REPORT_VIEWED, patient.id, detail=detail, now=call.now
            )
            context |= {"values": typed, "report": None}
            return Template(PAGE, context=context, status_code=400)
        found = await patient_report(patient, period, policy=call.policy, now=call.now)
        await record_for_patient(
            call.request, REPORT_VIEWED, patient.id, detail=period.describe(), now=call.now
        )
        context |= {"values": period.values(), "report": found, "period": period}
        return Template(PAGE, context=context)
