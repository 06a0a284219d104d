"""JSON API for therapists: their caseload's alerts and attested attendance (one patient, or a
group at once)."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.params import JSONBody

from wellness.caseload import alerts as caseload_alerts
from wellness.web import care_access
from wellness.web.api.care_schemas import AlertAcknowledge, AlertOut, AttestCreate
from wellness.web.api.practice_schemas import (
    AttendanceCreate,
    AttendanceOut,
    AttendedOut,
    PracticeOut,
)
from wellness.web.auditing import record_for_patients
from wellness.web.dependencies import CareTeamCall
from wellness.web.guards import signed_in, therapists_only
from wellness.web.idempotency import respond_once
from wellness.web.ids import PathId
from wellness.web.lookups import alert_for_therapist_or_404, patient_for_therapist_or_404
from wellness.web.openapi import answers, created


class CareApi(Controller):
    path = "/api/v1"
    # Signed in is enough to acknowledge: the lookup answers 404 to anyone not on the patient's
    # care team, as the patient's record does. The other routes are for therapists.
    guards = [signed_in]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["care"]  # noqa: RUF012

    @get("/alerts", guards=[therapists_only], name="api_alerts")
    async def open_alerts(self, call: CareTeamCall) -> list[AlertOut]:
        """Unacknowledged alerts for the patients on your caseload, newest first, each with the
        tags and note of the rating that raised it. Audited: one row per patient listed."""
        found = await caseload_alerts.open_alerts_for(call.user)
        patients = (item.patient_id for item in found)
        await record_for_patients(call.request, "patient_alerts_viewed", patients, now=call.now)
        return [AlertOut.of(item) for item in found]

    @post(
        "/alerts/{alert_id:int}/acknowledge",
        name="api_alert_acknowledge",
        status_code=200,
        responses=answers(AlertOut, 200),
    )
    async def acknowledge(
        self, call: CareTeamCall, alert_id: PathId, data: JSONBody[AlertAcknowledge | None] = None
    ) -> Response[bytes]:
        """Acknowledge an alert of a patient on your caseload, with an optional note (the body
        may be left out). The first acknowledgement stands: a later one changes nothing."""
        body = data or AlertAcknowledge()
        # Loaded before `respond_once`: a replayed answer is only for who may still see it.
        alert = await alert_for_therapist_or_404(call.user, alert_id)

        async def write() -> tuple[int, AlertOut]:
            await care_access.acknowledge_alert(call, alert, body.note)
            [described] = await caseload_alerts.describe([alert])
            return 200, AlertOut.of(described)

        return await respond_once(call.request, body, write)

    @post(
        "/patients/{patient_id:int}/practice",
        guards=[therapists_only],
        name="api_practice_attest",
        responses=created(PracticeOut),
    )
    async def attest(
        self, call: CareTeamCall, patient_id: PathId, data: JSONBody[AttestCreate]
    ) -> Response[bytes]:
        """Confirm a patient on your caseload attended a practice (staff-attested evidence)."""
        patient = await patient_for_therapist_or_404(call.user, patient_id)

        async def write() -> tuple[int, PracticeOut]:
            logged = await care_access.attest(call, patient, data)
            return 201, PracticeOut.of(logged)

        return await respond_once(call.request, data, write)

    @post(
        "/attendance",
        guards=[therapists_only],
        name="api_attendance",
        responses=created(AttendanceOut),
    )
    async def attend(self, call: CareTeamCall, data: JSONBody[AttendanceCreate]) -> Response[bytes]:
        """Confirm that several patients on your caseload attended one practice (a group
        class): one staff-attested practice each, all or none. A patient id that is not one of
        your active patients (whether or not it exists), an id given twice, or a bad field is a
        422 naming `patient_ids` (and each such patient) or the field, and nothing is stored."""

        async def write() -> tuple[int, AttendanceOut]:
            attended = await care_access.attest_group(call, data.patient_ids, data)
            return 201, AttendanceOut([AttendedOut.of(item) for item in attended])

        return await respond_once(call.request, data, write)
