"""A patient's measurements, practice and alerts as HL7 FHIR R4 JSON (`application/fhir+json`),
for a clinic's EHR: `GET /api/v1/patients/{id}/fhir` for their current care team (404 for anyone
else, as the patient's page), `GET /api/v1/me/fhir` for the patient themselves. Both take the
report's period (`from`, `to`: the patient's local days; the last 28 by default) and refuse one
they cannot take with a 400 naming the parameter. Every export is one audit row with the period
(never any data)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import ClientException
from litestar.openapi.datastructures import ResponseSpec

from wellness.accounts.models import User
from wellness.checkins import fhir
from wellness.settings import Settings
from wellness.web import fhir_export
from wellness.web.api.fields import day_query
from wellness.web.api.own_records import OwnRecordsApi
from wellness.web.dependencies import AppSettings, CareTeamCall, RequestTime, SignedInUser
from wellness.web.guards import signed_in
from wellness.web.ids import PathId
from wellness.web.lookups import patient_for_therapist_or_404
from wellness.web.openapi import QUERY_READ_BY_HANDLER

# Read as text and checked by `report_period.parse`, so that a bad day is a 400 naming the
# parameter, as on the report's page.
FromDay = Annotated[
    str | None,
    day_query(
        "from",
        "First day (YYYY-MM-DD), the patient's local date; default 27 days before `to`. The "
        "period is at most 366 days.",
    ),
]
ToDay = Annotated[
    str | None,
    day_query(
        "to", "Last day (YYYY-MM-DD), included, not after the patient's today; default today."
    ),
]
BUNDLE = {
    200: ResponseSpec(
        data_container=fhir.Bundle,
        media_type=fhir.MEDIA_TYPE,
        description="A FHIR R4 Bundle of type `collection`: the Patient, a QuestionnaireResponse "
        "and an Observation (LOINC 70274-6) per GAD-7, a Procedure per practice, an Observation "
        "per SUDS rating (partOf the Procedure of the practice it was given around), a Flag "
        "(category `clinical`) per alert raised in the period: `active` while open, `inactive` "
        "from its acknowledgement (who acknowledged it and any note are not exported), its "
        "`flag-detail` extension the rating's Observation or the GAD-7's QuestionnaireResponse "
        "that raised it.",
    )
}
OPTIONS = {QUERY_READ_BY_HANDLER: True}


async def export(
    request: Request[Any, Any, Any],
    patient: User,
    typed: dict[str, str | None],
    *,
    settings: Settings,
    now: datetime,
) -> Response[bytes]:
    """The (already loaded) patient's bundle over the period asked for, or a 400 naming the
    parameters it cannot take."""
    period, errors = fhir_export.period_asked(patient, typed, now=now)
    if period is None:
        raise ClientException(
            f"The period could not be read: {', '.join(errors)}.",
            extra=[{"key": key, "message": message} for key, message in errors.items()],
        )
    return await fhir_export.bundle_download(request, patient, period, settings=settings, now=now)


class PatientFhirApi(Controller):
    path = "/api/v1/patients"
    # Signed in is enough to ask; the lookup answers 404 to anyone not on the care team.
    guards = [signed_in]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["care"]  # noqa: RUF012

    @get("/{patient_id:int}/fhir", name="api_patient_fhir", responses=BUNDLE, opt=OPTIONS)
    async def patient_fhir(
        self,
        call: CareTeamCall,
        settings: AppSettings,
        patient_id: PathId,
        first: FromDay = None,
        last: ToDay = None,
    ) -> Response[bytes]:
        """A patient on your caseload: their GAD-7 answers and totals, their practice, their SUDS
        ratings and the alerts raised in the period, as FHIR R4 JSON to import into an EHR.
        Audited."""
        patient = await patient_for_therapist_or_404(call.user, patient_id)
        typed = {"from": first, "to": last}
        return await export(call.request, patient, typed, settings=settings, now=call.now)


class OwnFhirApi(OwnRecordsApi):
    @get("/me/fhir", name="api_my_fhir", responses=BUNDLE, opt=OPTIONS)
    async def my_fhir(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        now: RequestTime,
        settings: AppSettings,
        first: FromDay = None,
        last: ToDay = None,
    ) -> Response[bytes]:
        """Your own GAD-7 answers and totals, practice, SUDS ratings and the alerts they raised in
        the period, as FHIR R4 JSON to take to another clinic or app. Audited."""
        typed = {"from": first, "to": last}
        return await export(request, user, typed, settings=settings, now=now)
